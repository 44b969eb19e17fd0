// /console/anti-ddos — Anti-DDoS Basic for the region (DdosRegionId = the console's region): the
// counts (DescribeDdosCount), every public address of the caller's instances (DescribeInstanceIpAddress,
// paged by the server, filtered by DdosStatus and instance name) with its state (normal, Scrubbing,
// Black hole with the time it has left), scrubbing thresholds, black-hole threshold and scrubbing
// switch; per address "Change thresholds" (ThresholdDialog), "Disable scrubbing" (Parapet's
// DisableDdosScrubbing, after a confirmation that names the address and says it is not advised; a
// refusal shows in it) or
// "Enable scrubbing", and "Traffic and events" (AddressDrawer: the live DescribeCap chart and the
// address's events; `?ip=` in the URL opens it, so it can be linked). Below: the penalties
// (Penalties). The lists refresh every 15 s: states change without anyone acting here.
import { useState } from 'react';
import { Alert, App, Button, Card, Col, Empty, Input, Modal, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { call } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useT } from '../i18n/index.tsx';
import { useRegion, useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { TAG_WARN } from '../components/InstanceParts.tsx';
import {
  DdosStatusTag, ECS, formatNumber, ipOf, MAX_DDOS_PAGE, useLang,
  type DdosAsset, type DdosAssetsPage, type DdosCount, type IpStatus,
} from '../components/DdosParts.tsx';
import { AddressDrawer } from './antiddos/AddressDrawer.tsx';
import { ThresholdDialog } from './antiddos/ThresholdDialog.tsx';
import { Penalties } from './antiddos/Penalties.tsx';

const REFRESH_MS = 15_000;
const STATUS_FILTERS: Array<{ value: IpStatus; label: MessageKey }> = [
  { value: 'normal', label: 'ddos.status.normal' }, { value: 'defense', label: 'ddos.status.defense' }, { value: 'blackhole', label: 'ddos.status.blackhole' },
];

function Counts({ region }: { region: string }) {
  const t = useT();
  const q = useQuery({
    queryKey: ['antiddos', 'count', region],
    queryFn: () => call<DdosCount>('antiddos', 'DescribeDdosCount', { DdosRegionId: region, InstanceType: ECS }),
    refetchInterval: REFRESH_MS,
  });
  if (q.isError) return <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  const c = q.data?.DdosCount;
  const cards: Array<{ id: string; title: MessageKey; value: number | undefined }> = [
    { id: 'assets', title: 'ddos.count.assets', value: c?.InstacenCount },
    { id: 'defense', title: 'ddos.count.defense', value: c?.DefenseCount },
    { id: 'blackhole', title: 'ddos.count.blackhole', value: c?.BlackholeCount },
  ];
  return (
    <Row gutter={[16, 16]}>
      {cards.map((x) => (
        <Col key={x.id} xs={24} sm={8}>
          <Card size="small" data-testid={`ddos-count-${x.id}`}>
            <Statistic title={t(x.title)} value={x.value ?? 0} loading={q.isPending} />
          </Card>
        </Col>
      ))}
    </Row>
  );
}

export default function AntiDdos() {
  const t = useT();
  const lang = useLang();
  const { message } = App.useApp();
  const [region] = useRegion();
  const link = useRegionLink();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const [page, setPage] = useState({ number: 1, size: 20 });
  const [status, setStatus] = useState<IpStatus | undefined>();
  const [name, setName] = useState('');
  const [changing, setChanging] = useState<{ instanceId: string; ip: string } | undefined>();
  const [disabling, setDisabling] = useState<{ instanceId: string; ip: string } | undefined>();
  const openIp = params.get('ip') ?? undefined;
  const setOpenIp = (ip: string | undefined) => setParams((prev) => {
    const next = new URLSearchParams(prev);
    if (ip === undefined) next.delete('ip'); else next.set('ip', ip);
    return next;
  });

  const list = useQuery({
    queryKey: ['antiddos', 'assets', region, page.number, page.size, status, name],
    queryFn: () => call<DdosAssetsPage>('antiddos', 'DescribeInstanceIpAddress', {
      DdosRegionId: region, InstanceType: ECS, DdosStatus: status, InstanceName: name || undefined, CurrentPage: page.number, PageSize: page.size,
    }),
    refetchInterval: REFRESH_MS,
  });
  // the drawer's address, read by itself: it need not be on the page shown
  const opened = useQuery({
    queryKey: ['antiddos', 'asset', region, openIp],
    enabled: openIp !== undefined,
    queryFn: async () => (await call<DdosAssetsPage>('antiddos', 'DescribeInstanceIpAddress', { DdosRegionId: region, InstanceType: ECS, InstanceIp: openIp })).InstanceList[0] ?? null,
    refetchInterval: REFRESH_MS,
  });

  const scrubbing = useMutation({
    mutationFn: (v: { instanceId: string; ip: string; enable: boolean }) => call('parapet', v.enable ? 'EnableDdosScrubbing' : 'DisableDdosScrubbing', { RegionId: region, InstanceId: v.instanceId, InternetIp: v.ip }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['antiddos'] }),
    onSuccess: (_r, v) => { setDisabling(undefined); void message.success(t(v.enable ? 'ddos.enabled' : 'ddos.disabled', { ip: v.ip })); },
  });
  const disable = (instanceId: string, ip: string) => { scrubbing.reset(); setDisabling({ instanceId, ip }); };

  const columns: TableColumnsType<DdosAsset> = [
    {
      title: t('ddos.instance'), key: 'instance', render: (_, a) => (
        <Space direction="vertical" size={0}>
          <Link to={link(`instances/${encodeURIComponent(a.InstanceId)}`)}>{a.InstanceId}</Link>
          <Typography.Text type="secondary">{a.InstanceName}</Typography.Text>
        </Space>
      ),
    },
    { title: t('ddos.ip'), key: 'ip', render: (_, a) => ipOf(a)?.InstanceIp ?? '—' },
    { title: t('ddos.status'), key: 'status', render: (_, a) => { const ip = ipOf(a); return ip === undefined ? '—' : <DdosStatusTag status={ip.IpStatus} until={ip.UnBlackholeTime} t={t} />; } },
    {
      title: t('ddos.thresholds'), key: 'thresholds', render: (_, a) => {
        const ip = ipOf(a);
        return ip === undefined ? '—' : (
          <Space direction="vertical" size={0} data-testid="thresholds">
            <span>{`${formatNumber(ip.DefenseBpsThreshold, lang)} Mbit/s`}</span>
            <span>{`${formatNumber(ip.DefensePpsThreshold, lang)} pps`}</span>
          </Space>
        );
      },
    },
    { title: t('ddos.blackholeThreshold'), key: 'blackhole', render: (_, a) => { const ip = ipOf(a); return ip === undefined ? '—' : `${formatNumber(ip.BlackholeThreshold, lang)} Mbit/s`; } },
    {
      title: t('ddos.scrubbing'), key: 'scrubbing', render: (_, a) => {
        const ip = ipOf(a);
        if (ip === undefined) return '—';
        return ip.ScrubbingEnabled ? <span data-testid="scrubbing">{t('ddos.on')}</span> : <Tag color={TAG_WARN} data-testid="scrubbing">{t('ddos.off')}</Tag>;
      },
    },
    {
      title: t('inst.actions'), key: 'actions', render: (_, a) => {
        const ip = ipOf(a);
        if (ip === undefined) return null;
        const target = { instanceId: a.InstanceId, ip: ip.InstanceIp };
        return (
          <Space wrap size={4}>
            <Button size="small" type="link" aria-label={t('ddos.detailsOf', { ip: ip.InstanceIp })} onClick={() => setOpenIp(ip.InstanceIp)}>{t('ddos.details')}</Button>
            <Button size="small" type="link" aria-label={t('ddos.changeOf', { ip: ip.InstanceIp })} onClick={() => setChanging(target)}>{t('ddos.change')}</Button>
            {ip.ScrubbingEnabled
              ? <Button size="small" type="link" aria-label={t('ddos.disableOf', { ip: ip.InstanceIp })} onClick={() => disable(a.InstanceId, ip.InstanceIp)}>{t('ddos.disable')}</Button>
              : <Button size="small" type="link" aria-label={t('ddos.enableOf', { ip: ip.InstanceIp })} onClick={() => scrubbing.mutate({ ...target, enable: true })}>{t('ddos.enable')}</Button>}
          </Space>
        );
      },
    },
  ];

  const refresh = () => { void qc.invalidateQueries({ queryKey: ['antiddos'] }); };
  const filtered = status !== undefined || name !== '';
  return (
    <>
      <PageTitle title={t('ddos.title')} extra={<Button onClick={refresh} loading={list.isFetching}>{t('ddos.refresh')}</Button>} />
      <Typography.Paragraph type="secondary">{t('ddos.intro')}</Typography.Paragraph>
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Counts region={region} />
        <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('ddos.assets')}</Typography.Title>}>
          <Space style={{ marginBottom: 12 }} wrap>
            <Select<IpStatus> aria-label={t('ddos.statusFilter')} placeholder={t('ddos.statusAll')} allowClear style={{ width: 200 }} value={status}
              options={STATUS_FILTERS.map((s) => ({ value: s.value, label: t(s.label) }))}
              onChange={(v) => { setStatus(v); setPage((p) => ({ ...p, number: 1 })); }} />
            <Input.Search aria-label={t('ddos.searchName')} placeholder={t('ddos.searchName')} allowClear style={{ width: 260 }}
              onSearch={(v) => { setName(v.trim()); setPage((p) => ({ ...p, number: 1 })); }} />
          </Space>
          {scrubbing.isError && disabling === undefined && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={scrubbing.error} /></div>}
          {list.isError ? <ApiErrorAlert error={list.error} onRetry={() => void list.refetch()} /> : (
            <Table<DdosAsset> rowKey={(a) => `${a.InstanceId}/${ipOf(a)?.InstanceIp ?? ''}`} size="middle" columns={columns} data-testid="ddos-assets"
              dataSource={list.data?.InstanceList ?? []} loading={list.isPending}
              locale={{ emptyText: <Empty description={filtered ? t('ddos.emptyFiltered') : t('ddos.empty', { region })} /> }}
              pagination={{ current: page.number, pageSize: page.size, total: list.data?.Total ?? 0, showSizeChanger: true, pageSizeOptions: [10, 20, MAX_DDOS_PAGE],
                showTotal: (n) => t('ddos.total', { n }), onChange: (number, size) => setPage({ number, size }) }} />
          )}
        </Card>
        <Penalties region={region} />
      </Space>
      {opened.isError && <div style={{ marginTop: 12 }}><ApiErrorAlert error={opened.error} /></div>}
      {opened.data === null && openIp !== undefined && (
        <Alert style={{ marginTop: 12 }} type="warning" showIcon message={t('ddos.ipNotFound', { ip: openIp })} closable onClose={() => setOpenIp(undefined)} />
      )}
      <AddressDrawer region={region} asset={opened.data ?? undefined} onClose={() => setOpenIp(undefined)} />
      {/* a Modal of the page rather than modal.confirm, so that its danger button takes the page's contrast theme */}
      <Modal open={disabling !== undefined} title={disabling !== undefined ? t('ddos.disableTitle', { ip: disabling.ip }) : ''} destroyOnClose
        okText={t('ddos.disable')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} confirmLoading={scrubbing.isPending}
        onCancel={() => setDisabling(undefined)} onOk={() => { if (disabling !== undefined) scrubbing.mutate({ ...disabling, enable: false }); }}>
        {disabling !== undefined && (
          <>
            <Typography.Paragraph>{t('ddos.disableText', { ip: disabling.ip })}</Typography.Paragraph>
            <Typography.Paragraph strong>{t('ddos.notAdvised')}</Typography.Paragraph>
            {scrubbing.isError && <ApiErrorAlert error={scrubbing.error} />}
          </>
        )}
      </Modal>
      {changing !== undefined && <ThresholdDialog region={region} target={changing} onClose={(done) => { setChanging(undefined); if (done !== undefined) void message.success(done); }} />}
    </>
  );
}
