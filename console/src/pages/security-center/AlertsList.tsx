// The list behind the Alerts and Vulnerabilities pages: DescribeSuspEvents over the kinds given
// (the logon alerts, or `risky_listener` and `password_ssh`, the vulnerability-style findings), filtered by level,
// status, instance (`?instance=` in the URL, so the Instances list links to an instance's alerts)
// and a time range on the last occurrence, paged by the server; the detail drawer
// (DescribeSuspEventDetail: evidence and advice); and OperationSuspEvents: Ignore, Mark handled,
// Reopen (an ignored one), Block the source (BlockDialog). Ignore and Block confirm, naming the alert
// and what they act on.
import { useState } from 'react';
import { App, Button, DatePicker, Descriptions, Drawer, Empty, Input, Modal, Select, Space, Spin, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { call } from '../../api.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useRegionLink } from '../../region.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import {
  ALERT_LEVELS, ALERT_STATUSES, LevelTag, SAS_KEY, StatusTagOf, alertLevelLabel, formatAt, statusLabel,
  type AlertLevel, type AlertStatus, type SuspEvent, type SuspEventsPage,
} from '../../components/SasParts.tsx';
import { BlockDialog } from './BlockDialog.tsx';

interface EventDetail { Id: number; EventName: string; Level: AlertLevel; EventDesc: string; Advice: string; Details: Array<{ Name: string; Value: string }>; CanBeDealOnLine: boolean }
type Operation = 'ignore' | 'offline_handled' | 'rm_ignore';

const detailOf = (a: SuspEvent, name: string) => a.Details.find((d) => d.Name === name)?.Value ?? '';

export function AlertsList({ kinds, vulnerabilities }: { kinds: string[]; vulnerabilities: boolean }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const link = useRegionLink();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const instance = params.get('instance') ?? '';
  const [levels, setLevels] = useState<AlertLevel[]>([]);
  const [statuses, setStatuses] = useState<AlertStatus[]>([]);
  const [range, setRange] = useState<[number, number] | undefined>();
  const [page, setPage] = useState({ number: 1, size: 20 });
  const [open, setOpen] = useState<SuspEvent | undefined>();
  const [confirming, setConfirming] = useState<{ op: Operation; alert: SuspEvent } | undefined>();
  const [blocking, setBlocking] = useState<SuspEvent | undefined>();
  const setInstance = (v: string) => setParams((prev) => {
    const next = new URLSearchParams(prev);
    if (v === '') next.delete('instance'); else next.set('instance', v);
    return next;
  });

  const list = useQuery({
    queryKey: [SAS_KEY, 'events', kinds, levels, statuses, instance, range, page.number, page.size],
    queryFn: () => call<SuspEventsPage>('sas', 'DescribeSuspEvents', {
      EventNames: kinds.join(','), Levels: levels.join(',') || undefined, Status: statuses.join(',') || undefined, Uuids: instance || undefined,
      TimeStart: range?.[0], TimeEnd: range?.[1], CurrentPage: page.number, PageSize: page.size,
    }),
  });
  const detail = useQuery({
    queryKey: [SAS_KEY, 'event', open?.Id],
    enabled: open !== undefined,
    queryFn: () => call<EventDetail>('sas', 'DescribeSuspEventDetail', { SuspiciousEventId: open?.Id }),
  });
  const operate = useMutation({
    mutationFn: (v: { op: Operation; alert: SuspEvent }) => call('sas', 'OperationSuspEvents', { SuspiciousEventIds: String(v.alert.Id), Operation: v.op }),
    onSuccess: async (_r, v) => {
      setConfirming(undefined);
      await qc.invalidateQueries({ queryKey: [SAS_KEY] });
      void message.success(t(v.op === 'ignore' ? 'sas.al.ignored' : v.op === 'rm_ignore' ? 'sas.al.reopened' : 'sas.al.markedHandled', { id: v.alert.Id }));
    },
  });
  const run = (op: Operation, alert: SuspEvent) => {
    operate.reset();
    if (op === 'ignore') setConfirming({ op, alert }); else operate.mutate({ op, alert });
  };
  const name = (a: SuspEvent) => `${a.AlarmEventNameDisplay} (${a.Id})`;

  const columns: TableColumnsType<SuspEvent> = [
    {
      title: t(vulnerabilities ? 'sas.vul.name' : 'sas.al.name'), key: 'name', render: (_, a) => (
        <Space direction="vertical" size={0}>
          <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setOpen(a)} aria-label={t('sas.al.detailsOf', { name: name(a) })}>{a.AlarmEventNameDisplay}</Button>
          <Typography.Text type="secondary">{`#${a.Id}`}</Typography.Text>
        </Space>
      ),
    },
    { title: t('sas.al.level'), key: 'level', render: (_, a) => <LevelTag level={a.Level} /> },
    { title: t('sas.al.status'), key: 'status', render: (_, a) => <StatusTagOf status={a.Status} /> },
    { title: t('sas.al.instance'), key: 'instance', render: (_, a) => <Link style={{ whiteSpace: 'nowrap' }} to={link(`instances/${encodeURIComponent(a.InstanceId)}`)}>{a.InstanceId}</Link> },
    vulnerabilities
      ? {
        title: t('sas.vul.exposure'), key: 'exposure', render: (_, a) => (
          <Space direction="vertical" size={0}>
            <span>{`${detailOf(a, 'Service')} · ${detailOf(a, 'Protocol')} ${detailOf(a, 'ListenAddress')}:${detailOf(a, 'Port')}`}</span>
            {detailOf(a, 'SecurityGroupId') !== '' && (
              <Link to={link(`security-groups/${encodeURIComponent(detailOf(a, 'SecurityGroupId'))}`)}>{detailOf(a, 'SecurityGroupId')}</Link>
            )}
            {detailOf(a, 'SecurityGroupRuleId') !== '' && (
              <Typography.Text type="secondary">{t('sas.vul.rule', { id: detailOf(a, 'SecurityGroupRuleId') })}</Typography.Text>
            )}
          </Space>
        ),
      }
      : { title: t('sas.al.source'), key: 'source', render: (_, a) => (a.SourceIp === '' ? '—' : `${a.SourceIp}${a.Count > 1 ? ` × ${a.Count}` : ''}`) },
    { title: t('sas.al.last'), key: 'last', render: (_, a) => formatAt(a.LastTimestamp, lang) },
    {
      title: t('inst.actions'), key: 'actions', render: (_, a) => (
        <Space wrap size={4}>
          {a.Status === 'pending' && <Button size="small" type="link" onClick={() => run('ignore', a)} aria-label={t('sas.al.ignoreOf', { name: name(a) })}>{t('sas.al.ignore')}</Button>}
          {a.Status === 'pending' && <Button size="small" type="link" onClick={() => run('offline_handled', a)} aria-label={t('sas.al.handleOf', { name: name(a) })}>{t('sas.al.handle')}</Button>}
          {a.Status === 'ignored' && <Button size="small" type="link" onClick={() => run('rm_ignore', a)} aria-label={t('sas.al.reopenOf', { name: name(a) })}>{t('sas.al.reopen')}</Button>}
          {a.Status === 'pending' && a.CanBeDealOnLine && <Button size="small" type="link" danger onClick={() => setBlocking(a)} aria-label={t('sas.al.blockOf', { name: name(a) })}>{t('sas.al.block')}</Button>}
        </Space>
      ),
    },
  ];
  const filtered = levels.length > 0 || statuses.length > 0 || instance !== '' || range !== undefined;
  const resetPage = () => setPage((p) => ({ ...p, number: 1 }));
  const d = detail.data;

  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        {/* visible labels beside the multiple selects (their placeholder's grey is too faint for the contrast rule) */}
        <Typography.Text>{t('sas.al.levelFilter')}</Typography.Text>
        <Select<AlertLevel[]> mode="multiple" aria-label={t('sas.al.levelFilter')} allowClear style={{ minWidth: 200 }} value={levels}
          options={ALERT_LEVELS.map((l) => ({ value: l, label: alertLevelLabel(t, l) }))} onChange={(v) => { setLevels(v); resetPage(); }} />
        <Typography.Text>{t('sas.al.statusFilter')}</Typography.Text>
        <Select<AlertStatus[]> mode="multiple" aria-label={t('sas.al.statusFilter')} allowClear style={{ minWidth: 200 }} value={statuses}
          options={ALERT_STATUSES.map((s) => ({ value: s, label: statusLabel(t, s) }))} onChange={(v) => { setStatuses(v); resetPage(); }} />
        <Input.Search key={instance} aria-label={t('sas.al.instanceFilter')} placeholder={t('sas.al.instanceFilter')} allowClear defaultValue={instance} style={{ width: 240 }}
          onSearch={(v) => { setInstance(v.trim()); resetPage(); }} />
        <DatePicker.RangePicker showTime aria-label={t('sas.al.timeFilter')} placeholder={[t('sas.al.from'), t('sas.al.to')]}
          onChange={(v) => { setRange(v?.[0] && v[1] ? [v[0].valueOf(), v[1].valueOf()] : undefined); resetPage(); }} />
      </Space>
      {operate.isError && confirming === undefined && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={operate.error} /></div>}
      {list.isError ? <ApiErrorAlert error={list.error} onRetry={() => void list.refetch()} /> : (
        <Table<SuspEvent> rowKey="Id" size="middle" columns={columns} dataSource={list.data?.SuspEvents ?? []} loading={list.isPending} data-testid="sas-events"
          locale={{ emptyText: <Empty description={filtered ? t('sas.al.emptyFiltered') : t(vulnerabilities ? 'sas.vul.empty' : 'sas.al.empty')} /> }}
          pagination={{ current: page.number, pageSize: page.size, total: list.data?.TotalCount ?? 0, showSizeChanger: true, pageSizeOptions: [10, 20, 50, 100],
            showTotal: (n) => t('sas.al.total', { n }), onChange: (number, size) => setPage({ number, size }) }} />
      )}
      <Drawer open={open !== undefined} onClose={() => setOpen(undefined)} width={560} title={open !== undefined ? name(open) : ''} destroyOnClose>
        {detail.isError ? <ApiErrorAlert error={detail.error} /> : d === undefined ? <Spin /> : (
          <Space direction="vertical" style={{ width: '100%' }} data-testid="sas-event-detail">
            <Typography.Paragraph>{d.EventDesc}</Typography.Paragraph>
            <Typography.Title level={3} style={{ fontSize: 15 }}>{t('sas.al.evidence')}</Typography.Title>
            <Descriptions size="small" column={1} bordered items={d.Details.map((x) => ({ key: x.Name, label: x.Name, children: <span style={{ wordBreak: 'break-all' }}>{x.Value}</span> }))} />
            <Typography.Title level={3} style={{ fontSize: 15 }}>{t('sas.al.advice')}</Typography.Title>
            <Typography.Paragraph>{d.Advice}</Typography.Paragraph>
          </Space>
        )}
      </Drawer>
      <Modal open={confirming !== undefined} title={confirming !== undefined ? t('sas.al.ignoreTitle', { name: name(confirming.alert) }) : ''} destroyOnClose
        okText={t('sas.al.ignore')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} confirmLoading={operate.isPending}
        onCancel={() => setConfirming(undefined)} onOk={() => { if (confirming !== undefined) operate.mutate(confirming); }}>
        {confirming !== undefined && (
          <>
            <Typography.Paragraph>{t('sas.al.ignoreText', { name: name(confirming.alert), instance: confirming.alert.InstanceId })}</Typography.Paragraph>
            {operate.isError && <ApiErrorAlert error={operate.error} />}
          </>
        )}
      </Modal>
      {blocking !== undefined && <BlockDialog alert={blocking} onClose={(done) => { setBlocking(undefined); if (done !== undefined) void message.success(done); }} />}
    </>
  );
}
