// /console/security-center/baseline — the baseline checks: the checks failing or with ignored
// warnings (DescribeCheckWarningSummary, Status 1 and 6; "Show" narrows the warnings to one), the
// warnings (DescribeCheckWarnings: check, level, resource, failed or ignored), a warning's detail
// (DescribeCheckWarningDetail: description, advice, the evidence rows), Ignore / Cancel ignore
// (IgnoreHcCheckWarnings Type 1 / 2; ignoring confirms, naming the check and the resource) and Fix
// where the check has one (FixCheckWarnings for that check and resource, after a confirmation saying
// what it changes). "Scan now" runs StartBaselineSecurityCheck.
import { useState } from 'react';
import { App, Button, Card, Descriptions, Drawer, Empty, Modal, Space, Spin, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call } from '../../api.ts';
import { useT } from '../../i18n/index.tsx';
import { useRegionLink } from '../../region.ts';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { TAG_WARN } from '../../components/InstanceParts.tsx';
import { LevelTag, SAS_KEY, SasSection, type BaselineLevel } from '../../components/SasParts.tsx';

interface Summary { RiskId: number; RiskName: string; Level: BaselineLevel; WarningMachineCount: number; IgnoredWarningCount: number; FixSupported: boolean; LastFoundTime: string }
interface Warning { CheckWarningId: number; CheckId: number; Item: string; Level: BaselineLevel; Status: number; Uuid: string; FixStatus: number; ResourceType: string; Reason: string }
interface Detail {
  Item: string; Description: string; Advice: string; Uuid: string;
  CheckDetailColumns: Array<{ Key: string; ShowName: string }>; CheckDetailAssetInfo: Array<Record<string, string>>;
}
type Act = { kind: 'ignore' | 'fix'; w: Warning };

export default function Baseline() {
  const t = useT();
  const link = useRegionLink();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [riskId, setRiskId] = useState<number | undefined>();
  const [page, setPage] = useState({ number: 1, size: 20 });
  const [open, setOpen] = useState<Warning | undefined>();
  const [acting, setActing] = useState<Act | undefined>();
  const summary = useQuery({
    queryKey: [SAS_KEY, 'baseline', 'summary'],
    queryFn: () => call<{ WarningSummarys: Summary[] }>('sas', 'DescribeCheckWarningSummary', { Status: '1,6', PageSize: 100 }),
  });
  const warnings = useQuery({
    queryKey: [SAS_KEY, 'baseline', 'warnings', riskId, page.number, page.size],
    queryFn: () => call<{ CheckWarnings: Warning[]; TotalCount: number }>('sas', 'DescribeCheckWarnings', { RiskId: riskId, CurrentPage: page.number, PageSize: page.size }),
  });
  const detail = useQuery({
    queryKey: [SAS_KEY, 'baseline', 'detail', open?.CheckWarningId],
    enabled: open !== undefined,
    queryFn: () => call<Detail>('sas', 'DescribeCheckWarningDetail', { CheckWarningId: open?.CheckWarningId }),
  });
  const done = async (text: string) => { setActing(undefined); await qc.invalidateQueries({ queryKey: [SAS_KEY] }); void message.success(text); };
  const act = useMutation({
    mutationFn: (a: Act | { kind: 'unignore'; w: Warning }) => (a.kind === 'fix'
      ? call('sas', 'FixCheckWarnings', { RiskId: a.w.CheckId, Uuids: a.w.Uuid })
      : call('sas', 'IgnoreHcCheckWarnings', { Type: a.kind === 'ignore' ? 1 : 2, CheckWarningIds: String(a.w.CheckWarningId) })),
    onSuccess: (_r, a) => done(t(a.kind === 'fix' ? 'sas.bl.fixed' : a.kind === 'ignore' ? 'sas.bl.ignored' : 'sas.bl.unignored', { item: a.w.Item, uuid: a.w.Uuid })),
  });
  const scan = useMutation({
    mutationFn: () => call('sas', 'StartBaselineSecurityCheck', { Type: 'check' }),
    onSuccess: () => done(t('sas.ov.scanned')),
  });
  const resourceLink = (w: Warning) => (w.ResourceType === 'instance' ? <Link to={link(`instances/${encodeURIComponent(w.Uuid)}`)}>{w.Uuid}</Link>
    : w.ResourceType === 'securitygroup' ? <Link to={link(`security-groups/${encodeURIComponent(w.Uuid)}`)}>{w.Uuid}</Link>
      : <span style={{ wordBreak: 'break-all' }}>{w.Uuid}</span>);

  const sumColumns: TableColumnsType<Summary> = [
    { title: t('sas.bl.check'), dataIndex: 'RiskName' },
    { title: t('sas.al.level'), key: 'level', render: (_, s) => <LevelTag level={s.Level} /> },
    { title: t('sas.bl.failing'), dataIndex: 'WarningMachineCount' },
    { title: t('sas.bl.ignoredCount'), dataIndex: 'IgnoredWarningCount' },
    {
      title: t('inst.actions'), key: 'actions', render: (_, s) => (riskId === s.RiskId
        ? <Button size="small" type="link" onClick={() => setRiskId(undefined)}>{t('sas.bl.showAll')}</Button>
        : <Button size="small" type="link" onClick={() => { setRiskId(s.RiskId); setPage((p) => ({ ...p, number: 1 })); }} aria-label={t('sas.bl.showOf', { item: s.RiskName })}>{t('sas.bl.show')}</Button>),
    },
  ];
  const columns: TableColumnsType<Warning> = [
    {
      title: t('sas.bl.check'), key: 'item', render: (_, w) => (
        <Button type="link" size="small" style={{ padding: 0, textAlign: 'start', whiteSpace: 'normal', height: 'auto' }} onClick={() => setOpen(w)} aria-label={t('sas.bl.detailsOf', { item: w.Item, uuid: w.Uuid })}>{w.Item}</Button>
      ),
    },
    { title: t('sas.al.level'), key: 'level', render: (_, w) => <LevelTag level={w.Level} /> },
    { title: t('sas.bl.resource'), key: 'uuid', render: (_, w) => resourceLink(w) },
    { title: t('sas.al.status'), key: 'status', render: (_, w) => (w.Status === 6 ? <Tag>{t('sas.status.ignored')}</Tag> : <Tag color={TAG_WARN}>{t('sas.bl.failed')}</Tag>) },
    {
      title: t('inst.actions'), key: 'actions', render: (_, w) => (
        <Space wrap size={4}>
          {w.Status === 1 && w.FixStatus === 1 && <Button size="small" type="link" onClick={() => { act.reset(); setActing({ kind: 'fix', w }); }} aria-label={t('sas.bl.fixOf', { item: w.Item, uuid: w.Uuid })}>{t('sas.bl.fix')}</Button>}
          {w.Status === 1 && <Button size="small" type="link" onClick={() => { act.reset(); setActing({ kind: 'ignore', w }); }} aria-label={t('sas.bl.ignoreOf', { item: w.Item, uuid: w.Uuid })}>{t('sas.al.ignore')}</Button>}
          {w.Status === 6 && <Button size="small" type="link" onClick={() => act.mutate({ kind: 'unignore', w })} aria-label={t('sas.bl.unignoreOf', { item: w.Item, uuid: w.Uuid })}>{t('sas.bl.unignore')}</Button>}
        </Space>
      ),
    },
  ];
  const d = detail.data;
  return (
    <>
      <PageTitle title={t('sas.bl.title')} extra={<Button type="primary" loading={scan.isPending} onClick={() => scan.mutate()}>{t('sas.ov.scan')}</Button>} />
      <SasSection>
        <Typography.Paragraph type="secondary">{t('sas.bl.intro')}</Typography.Paragraph>
        {(scan.isError || (act.isError && acting === undefined)) && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={scan.error ?? act.error} /></div>}
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('sas.bl.checks')}</Typography.Title>}>
            {summary.isError ? <ApiErrorAlert error={summary.error} onRetry={() => void summary.refetch()} /> : (
              <Table<Summary> rowKey="RiskId" size="small" columns={sumColumns} dataSource={summary.data?.WarningSummarys ?? []} loading={summary.isPending} pagination={false}
                data-testid="sas-baseline-checks" locale={{ emptyText: <Empty description={t('sas.bl.allPass')} /> }} />
            )}
          </Card>
          <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('sas.bl.warnings')}</Typography.Title>}>
            {warnings.isError ? <ApiErrorAlert error={warnings.error} onRetry={() => void warnings.refetch()} /> : (
              <Table<Warning> rowKey="CheckWarningId" size="middle" columns={columns} dataSource={warnings.data?.CheckWarnings ?? []} loading={warnings.isPending} data-testid="sas-baseline-warnings"
                locale={{ emptyText: <Empty description={t('sas.bl.noWarnings')} /> }}
                pagination={{ current: page.number, pageSize: page.size, total: warnings.data?.TotalCount ?? 0, hideOnSinglePage: true, onChange: (number, size) => setPage({ number, size }) }} />
            )}
          </Card>
        </Space>
      </SasSection>
      <Drawer open={open !== undefined} onClose={() => setOpen(undefined)} width={600} title={open !== undefined ? `${open.Item} · ${open.Uuid}` : ''} destroyOnClose>
        {detail.isError ? <ApiErrorAlert error={detail.error} /> : d === undefined ? <Spin /> : (
          <Space direction="vertical" style={{ width: '100%' }} data-testid="sas-warning-detail">
            <Typography.Paragraph>{d.Description}</Typography.Paragraph>
            <Typography.Title level={3} style={{ fontSize: 15 }}>{t('sas.al.evidence')}</Typography.Title>
            {d.CheckDetailAssetInfo.length === 0 ? <Typography.Text type="secondary">—</Typography.Text> : d.CheckDetailAssetInfo.map((row, n) => (
              // a column a row does not carry is left out (checks 1-3: an IPv4 row has no IPv6 address)
              <Descriptions key={n} size="small" column={1} bordered items={d.CheckDetailColumns.filter((c) => Object.hasOwn(row, c.Key)).map((c) => ({ key: c.Key, label: c.ShowName, children: <span style={{ wordBreak: 'break-all' }}>{row[c.Key] ?? ''}</span> }))} />
            ))}
            <Typography.Title level={3} style={{ fontSize: 15 }}>{t('sas.al.advice')}</Typography.Title>
            <Typography.Paragraph>{d.Advice}</Typography.Paragraph>
          </Space>
        )}
      </Drawer>
      <Modal open={acting !== undefined} destroyOnClose cancelText={t('common.cancel')} confirmLoading={act.isPending}
        title={acting === undefined ? '' : t(acting.kind === 'fix' ? 'sas.bl.fixTitle' : 'sas.bl.ignoreTitle', { item: acting.w.Item, uuid: acting.w.Uuid })}
        okText={acting?.kind === 'fix' ? t('sas.bl.fix') : t('sas.al.ignore')} okButtonProps={{ danger: acting?.kind === 'ignore' }}
        onCancel={() => setActing(undefined)} onOk={() => { if (acting !== undefined) act.mutate(acting); }}>
        {acting !== undefined && <Typography.Paragraph>{t(acting.kind === 'fix' ? (acting.w.CheckId === 11 ? 'sas.bl.fixText11' : 'sas.bl.fixText9') : 'sas.bl.ignoreText', { item: acting.w.Item, uuid: acting.w.Uuid })}</Typography.Paragraph>}
        {act.isError && <ApiErrorAlert error={act.error} />}
      </Modal>
    </>
  );
}
