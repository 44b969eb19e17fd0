// /console/tools/exposure — Exposure map: Parapet's DescribeExposure for the region (what of each
// running instance with a public address the internet reaches, as the decision engine decides; an
// IPv6 address with internet bandwidth has rows of its own, showing that address) as a
// table and as a graph (internet → instance:port), both colored by risk level, each row and edge
// linked to the rule that opens it on its group's rules page. DescribeExposure answers the whole
// region at once (it has no paging), so the table pages, filters and sorts in the page. The graph
// (ECharts) loads lazily with its own chunk, below the table.
import { lazy, Suspense, useMemo } from 'react';
import { Alert, Button, Card, Empty, Space, Spin, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call } from '../api.ts';
import { useT } from '../i18n/index.tsx';
import { useRegion, useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { exposedAddressOf, exposureKey, portText, RISK_COLOR, RISK_LABEL, RISK_ORDER, rulePath, type ExposureAnswer, type RiskLevel, type WireExposure } from './tools/shared.ts';

const ExposureGraph = lazy(() => import('./tools/ExposureGraph.tsx'));

type Row = WireExposure & { key: string };

export default function ToolsExposure() {
  const t = useT();
  const [region] = useRegion();
  const link = useRegionLink();
  const q = useQuery({
    queryKey: ['parapet', 'DescribeExposure', region],
    queryFn: () => call<ExposureAnswer>('parapet', 'DescribeExposure', { RegionId: region }),
  });
  const rows: Row[] = useMemo(() => (q.data?.Exposures.Exposure ?? [])
    .map((e) => ({ ...e, key: exposureKey(e) }))
    .sort((a, b) => RISK_ORDER[a.RiskLevel] - RISK_ORDER[b.RiskLevel] || a.InstanceId.localeCompare(b.InstanceId)), [q.data]);
  const counts = useMemo(() => {
    const c: Record<RiskLevel, number> = { high: 0, medium: 0, low: 0 };
    for (const r of rows) c[r.RiskLevel]++;
    return c;
  }, [rows]);

  const columns: TableColumnsType<Row> = [
    {
      title: t('tools.riskLevel'), dataIndex: 'RiskLevel', width: 120,
      filters: (['high', 'medium', 'low'] as const).map((r) => ({ text: t(RISK_LABEL[r]), value: r })),
      onFilter: (v, r) => r.RiskLevel === v,
      sorter: (a, b) => RISK_ORDER[a.RiskLevel] - RISK_ORDER[b.RiskLevel],
      render: (r: RiskLevel) => <Tag color={RISK_COLOR[r]}>{t(RISK_LABEL[r])}</Tag>,
    },
    {
      title: t('tools.instance'), dataIndex: 'InstanceId',
      sorter: (a, b) => a.InstanceId.localeCompare(b.InstanceId),
      render: (id: string) => <Link to={link(`instances/${encodeURIComponent(id)}`)}>{id}</Link>,
    },
    {
      title: t('tools.exposure.publicIp'), key: 'address',
      render: (_, r) => (r.Ipv6Address !== undefined
        ? <span data-testid="exposure-ipv6"><Tag>{t('tools.exposure.ipv6')}</Tag>{r.Ipv6Address}</span>
        : exposedAddressOf(r)),
    },
    { title: t('tools.protocol'), dataIndex: 'IpProtocol', width: 90 },
    { title: t('tools.portRange'), dataIndex: 'PortRange', render: (p: string) => portText(p, t('tools.allPorts')) },
    {
      title: t('tools.exposure.sources'), key: 'sources',
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          {r.OpenToInternet
            ? <Typography.Text strong>{t('tools.exposure.everyone')} ({r.Ipv6Address !== undefined ? '::/0' : '0.0.0.0/0'})</Typography.Text>
            : r.SourceCidrIps.SourceCidrIp.slice(0, 5).map((c) => <span key={c}>{c}</span>)}
          {!r.OpenToInternet && r.SourceCidrIps.SourceCidrIp.length > 5 && (
            <Typography.Text type="secondary">{t('tools.exposure.more', { count: r.SourceCidrIps.SourceCidrIp.length - 5 })}</Typography.Text>
          )}
        </Space>
      ),
    },
    { title: t('tools.exposure.services'), key: 'services', render: (_, r) => r.Services.Service.join(', ') },
    {
      title: t('tools.exposure.openedBy'), key: 'rules',
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          {r.SecurityGroupRules.SecurityGroupRule.map((x) => (
            <Link key={x.SecurityGroupRuleId} to={link(rulePath(x.SecurityGroupId, x.SecurityGroupRuleId, 'ingress'))}
              aria-label={t('tools.exposure.ruleLink', { rule: x.SecurityGroupRuleId, group: x.SecurityGroupId })}>
              {x.SecurityGroupRuleId}
            </Link>
          ))}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageTitle title={t('tools.exposure.title')} extra={
        <Button onClick={() => void q.refetch()} loading={q.isFetching}>{t('tools.refresh')}</Button>
      } />
      <Typography.Paragraph type="secondary">{t('tools.exposure.intro')}</Typography.Paragraph>
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          {q.isSuccess && rows.length > 0 && (
            <Alert type={counts.high > 0 ? 'error' : counts.medium > 0 ? 'warning' : 'info'} showIcon data-testid="exposure-summary"
              message={t('tools.exposure.summary', { total: rows.length, high: counts.high, medium: counts.medium, low: counts.low })} />
          )}
          <Table<Row> size="middle" columns={columns} dataSource={rows} loading={q.isPending} data-testid="exposure-table"
            pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
            locale={{ emptyText: <Empty description={t('tools.exposure.empty')} /> }} />
          {q.isSuccess && rows.length > 0 && (
            <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('tools.exposure.graph')}</Typography.Title>}>
              <Space size="large" wrap style={{ marginBottom: 8 }} aria-hidden="true">
                {(['high', 'medium', 'low'] as const).map((r) => (
                  <Space key={r} size={4}><span style={{ display: 'inline-block', width: 12, height: 12, borderRadius: 6, background: RISK_COLOR[r] }} />{t(RISK_LABEL[r])}</Space>
                ))}
              </Space>
              <Typography.Paragraph type="secondary">{t('tools.exposure.graphHint')}</Typography.Paragraph>
              <Suspense fallback={<Spin />}>
                <ExposureGraph rows={rows} />
              </Suspense>
            </Card>
          )}
        </Space>
      )}
    </>
  );
}
