// The Anti-DDoS page's penalties: Parapet's DescribePenalties for the region (an instance whose
// outbound internet was cut for an outbound flood; server-side paging), and Appeal (AppealPenalty
// with a reason) for one in force that has not been appealed; an operator accepts an appeal with
// `parapet admin end-penalty`.
import { useState } from 'react';
import { App, Button, Card, Empty, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call } from '../../api.ts';
import { useT } from '../../i18n/index.tsx';
import { useRegionLink } from '../../region.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { TAG_WARN } from '../../components/InstanceParts.tsx';
import { formatBps, formatNumber, formatTime, useLang, type PenaltiesPage, type Penalty } from '../../components/DdosParts.tsx';

/** AppealPenalty's limit on `Reason` */
const MAX_REASON = 1024;
const APPEAL_LABEL = { none: 'ddos.pen.appeal.none', pending: 'ddos.pen.appeal.pending', accepted: 'ddos.pen.appeal.accepted' } as const;

function AppealDialog({ penalty, onClose }: { penalty: Penalty; onClose: (done?: string) => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ reason: string }>();
  const appeal = useMutation({
    mutationFn: (reason: string) => call('parapet', 'AppealPenalty', { PenaltyId: penalty.PenaltyId, Reason: reason }),
    onSuccess: async () => { await qc.invalidateQueries({ queryKey: ['antiddos', 'penalties'] }); onClose(t('ddos.pen.appealed', { id: penalty.PenaltyId })); },
  });
  return (
    <Modal open title={t('ddos.pen.appealTitle', { id: penalty.PenaltyId })} okText={t('ddos.pen.appeal')} cancelText={t('common.cancel')} destroyOnClose
      onCancel={() => onClose()} onOk={() => form.submit()} confirmLoading={appeal.isPending}>
      <Typography.Paragraph>{t('ddos.pen.appealText', { ip: penalty.InternetIp, id: penalty.InstanceId })}</Typography.Paragraph>
      <Form form={form} layout="vertical" preserve={false} onFinish={(v) => appeal.mutate(v.reason.trim())}>
        <Form.Item name="reason" label={t('ddos.pen.reason')} extra={t('ddos.pen.reasonHelp')}
          rules={[{ required: true, whitespace: true, message: t('ddos.pen.reasonRequired') }, { max: MAX_REASON, message: t('ddos.pen.reasonTooLong', { n: MAX_REASON }) }]}>
          <Input.TextArea rows={4} showCount maxLength={MAX_REASON} />
        </Form.Item>
      </Form>
      {appeal.isError && <ApiErrorAlert error={appeal.error} />}
    </Modal>
  );
}

export function Penalties({ region }: { region: string }) {
  const t = useT();
  const lang = useLang();
  const link = useRegionLink();
  const { message } = App.useApp();
  const [page, setPage] = useState({ number: 1, size: 10 });
  const [appealing, setAppealing] = useState<Penalty | undefined>();
  const q = useQuery({
    queryKey: ['antiddos', 'penalties', region, page.number, page.size],
    queryFn: () => call<PenaltiesPage>('parapet', 'DescribePenalties', { RegionId: region, PageNumber: page.number, PageSize: page.size }),
  });
  const columns: TableColumnsType<Penalty> = [
    { title: t('ddos.pen.id'), dataIndex: 'PenaltyId' },
    {
      title: t('ddos.instance'), key: 'instance', render: (_, p) => (
        <Space direction="vertical" size={0}><Link to={link(`instances/${encodeURIComponent(p.InstanceId)}`)}>{p.InstanceId}</Link><span>{p.InternetIp}</span></Space>
      ),
    },
    { title: t('ddos.pen.status'), key: 'status', render: (_, p) => (p.Status === 'active' ? <Tag color={TAG_WARN}>{t('ddos.pen.active')}</Tag> : <Tag>{t('ddos.pen.ended')}</Tag>) },
    { title: t('ddos.event.start'), key: 'start', render: (_, p) => formatTime(p.StartTime, lang) },
    {
      title: t('ddos.event.end'), key: 'end', render: (_, p) => (p.Status === 'active'
        ? t('ddos.pen.planned', { time: formatTime(p.PlannedEndTime, lang) })
        : `${formatTime(p.EndTime, lang)}${p.EndedBy === 'operator' ? ` (${t('ddos.pen.byOperator')})` : ''}`),
    },
    { title: t('ddos.pen.peakOut'), key: 'peak', render: (_, p) => `${formatBps(p.PeakOutBps, lang)} · ${formatNumber(p.PeakOutPps, lang)} pps` },
    {
      title: t('ddos.pen.appealStatus'), key: 'appeal', render: (_, p) => (
        <Space direction="vertical" size={0}>
          <span data-testid={`appeal-${p.PenaltyId}`}>{t(APPEAL_LABEL[p.AppealStatus])}</span>
          {p.AppealReason !== '' && <Typography.Text type="secondary" ellipsis={{ tooltip: p.AppealReason }} style={{ maxWidth: 220 }}>{p.AppealReason}</Typography.Text>}
        </Space>
      ),
    },
    {
      title: t('inst.actions'), key: 'actions', render: (_, p) => (p.Status === 'active' && p.AppealStatus === 'none'
        ? <Button size="small" type="link" onClick={() => setAppealing(p)} aria-label={t('ddos.pen.appealOf', { id: p.PenaltyId })}>{t('ddos.pen.appeal')}</Button>
        : null),
    },
  ];
  return (
    <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('ddos.pen.title')}</Typography.Title>}>
      <Typography.Paragraph type="secondary">{t('ddos.pen.intro')}</Typography.Paragraph>
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <Table<Penalty> rowKey="PenaltyId" size="middle" columns={columns} dataSource={q.data?.Penalties.Penalty ?? []} loading={q.isPending} data-testid="penalties"
          locale={{ emptyText: <Empty description={t('ddos.pen.empty')} /> }}
          pagination={{ current: page.number, pageSize: page.size, total: q.data?.TotalCount ?? 0, hideOnSinglePage: true, onChange: (number, size) => setPage({ number, size }) }} />
      )}
      {appealing !== undefined && <AppealDialog penalty={appealing} onClose={(done) => { setAppealing(undefined); if (done !== undefined) void message.success(done); }} />}
    </Card>
  );
}
