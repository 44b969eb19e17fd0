// /console/security-groups/:id — one security group: its attributes, and the tabs Rules (the rules
// engineer's RulesTab.tsx), Instances (DescribeInstances by SecurityGroupId, paged by the server)
// and References (the groups whose rules authorize this one, DescribeSecurityGroupReferences). The
// tab is kept in the URL as ?tab=, so a link can open one.
import { useState } from 'react';
import { Button, Descriptions, Empty, Result, Skeleton, Table, Tabs, Tag, Typography } from 'antd';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { call } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import { useRegion, useRegionLink } from '../region.ts';
import { groupQuery } from './security-groups/preload.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { formatDate, infoOf, networkTypeOf, type SecurityGroupInfo } from './security-groups/types.ts';
import RulesTab from './security-groups/RulesTab.tsx';

const TABS = ['rules', 'instances', 'references'] as const;
type TabKey = typeof TABS[number];


export default function SecurityGroupRules() {
  const { t, lang } = useI18n();
  const { id = '' } = useParams();
  const [region] = useRegion();
  const link = useRegionLink();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const tabParam = params.get('tab');
  const tab: TabKey = TABS.find((x) => x === tabParam) ?? 'rules';

  const q = useQuery(groupQuery(region, id));
  const g = q.data?.SecurityGroups.SecurityGroup[0];

  if (q.isPending) return <><PageTitle title={id} /><Skeleton active /></>;
  if (q.isError) return <><PageTitle title={id} /><ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /></>;
  if (g === undefined) {
    return (
      <Result status="404" title={t('sgs.notFound', { id, region })}
        extra={<Button type="primary" onClick={() => void navigate(link('security-groups'))}>{t('sgs.backToList')}</Button>} />
    );
  }
  const info = infoOf(region, g);
  const setTab = (k: string) => setParams((prev) => {
    const next = new URLSearchParams(prev);
    next.set('tab', k);
    return next;
  }, { replace: true });

  return (
    <>
      <Typography.Paragraph style={{ marginBottom: 4 }}><Link to={link('security-groups')}>{t('sgs.backToList')}</Link></Typography.Paragraph>
      <PageTitle title={g.SecurityGroupName ? `${g.SecurityGroupName} (${g.SecurityGroupId})` : g.SecurityGroupId} />
      <Descriptions size="small" bordered column={{ xs: 1, md: 2, xl: 3 }} style={{ marginBottom: 16 }} data-testid="sg-attributes" items={[
        { key: 'id', label: t('sgs.id'), children: <code>{g.SecurityGroupId}</code> },
        { key: 'name', label: t('sgs.name'), children: g.SecurityGroupName || '—' },
        { key: 'type', label: t('sgs.type'), children: g.SecurityGroupType === 'enterprise' ? t('sgs.typeAdvanced') : t('sgs.typeBasic') },
        { key: 'network', label: t('sgs.networkType'), children: networkTypeOf(g) === 'vpc' ? t('sgs.vpc') : t('sgs.classic') },
        { key: 'vpc', label: t('sgs.vpcId'), children: g.VpcId || '—' },
        { key: 'created', label: t('sgs.colCreated'), children: formatDate(g.CreationTime, lang) },
        { key: 'description', label: t('sgs.description'), children: g.Description || '—' },
        { key: 'tags', label: t('sgs.tags'), children: g.Tags?.Tag.length ? g.Tags.Tag.map((x) => <Tag key={x.TagKey}>{x.TagValue === '' ? x.TagKey : `${x.TagKey}: ${x.TagValue}`}</Tag>) : '—' },
      ]} />
      <Tabs activeKey={tab} onChange={setTab} destroyOnHidden items={[
        { key: 'rules', label: t('sgs.tabRules'), children: <RulesTab group={info} /> },
        { key: 'instances', label: t('sgs.tabInstances', { count: g.EcsCount ?? 0 }), children: <InstancesTab group={info} /> },
        { key: 'references', label: t('sgs.tabReferences'), children: <ReferencesTab group={info} /> },
      ]} />
    </>
  );
}

interface InstanceRow {
  InstanceId: string; InstanceName: string; Status: string; InstanceNetworkType: string;
  VpcAttributes?: { PrivateIpAddress?: { IpAddress: string[] } }; InnerIpAddress?: { IpAddress: string[] }; PublicIpAddress?: { IpAddress: string[] };
  SecurityGroupIds?: { SecurityGroupId: string[] };
}
interface InstancesAnswer { TotalCount: number; Instances: { Instance: InstanceRow[] } }

function InstancesTab({ group }: { group: SecurityGroupInfo }) {
  const t = useI18n().t;
  const link = useRegionLink();
  const [page, setPage] = useState({ number: 1, size: 10 });
  const q = useQuery({
    queryKey: ['ecs', 'DescribeInstances', group.regionId, 'by-group', group.securityGroupId, page.number, page.size],
    queryFn: () => call<InstancesAnswer>('ecs', 'DescribeInstances', { RegionId: group.regionId, SecurityGroupId: group.securityGroupId, PageNumber: page.number, PageSize: page.size }),
    placeholderData: keepPreviousData,
  });
  if (q.isError) return <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  const ips = (i: InstanceRow) => [...(i.VpcAttributes?.PrivateIpAddress?.IpAddress ?? []), ...(i.InnerIpAddress?.IpAddress ?? [])].join(', ') || '—';
  return (
    <Table<InstanceRow> rowKey="InstanceId" data-testid="sg-instances" size="middle" loading={q.isFetching} dataSource={q.data?.Instances.Instance ?? []}
      locale={{ emptyText: q.isPending ? ' ' : <Empty description={t('sgs.noInstances')} /> }}
      pagination={{ current: page.number, pageSize: page.size, total: q.data?.TotalCount ?? 0, onChange: (number, size) => setPage({ number, size }), showTotal: (n) => t('sgs.total', { count: n }) }}
      columns={[
        { title: t('sgs.instanceIdName'), key: 'id', render: (_, i) => <div><Link to={link(`instances/${i.InstanceId}`)}>{i.InstanceId}</Link><div><Typography.Text type="secondary">{i.InstanceName || '—'}</Typography.Text></div></div> },
        { title: t('sgs.instanceStatus'), dataIndex: 'Status' },
        { title: t('sgs.colNetworkType'), key: 'network', render: (_, i) => (i.InstanceNetworkType === 'vpc' ? t('sgs.vpc') : t('sgs.classic')) },
        { title: t('sgs.privateIp'), key: 'private', render: (_, i) => ips(i) },
        { title: t('sgs.publicIp'), key: 'public', render: (_, i) => i.PublicIpAddress?.IpAddress.join(', ') || '—' },
        { title: t('sgs.instanceGroups'), key: 'groups', render: (_, i) => (i.SecurityGroupIds?.SecurityGroupId ?? []).map((x) => <Tag key={x}>{x}</Tag>) },
      ]} />
  );
}

interface ReferencesAnswer {
  SecurityGroupReferences: { SecurityGroupReference: Array<{ SecurityGroupId: string; ReferencingSecurityGroups: { ReferencingSecurityGroup: Array<{ SecurityGroupId: string; AliUid: string }> } }> };
}

function ReferencesTab({ group }: { group: SecurityGroupInfo }) {
  const t = useI18n().t;
  const link = useRegionLink();
  const q = useQuery({
    queryKey: ['ecs', 'DescribeSecurityGroupReferences', group.regionId, group.securityGroupId],
    queryFn: () => call<ReferencesAnswer>('ecs', 'DescribeSecurityGroupReferences', { RegionId: group.regionId, 'SecurityGroupId.1': group.securityGroupId }),
  });
  if (q.isError) return <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  const rows = q.data?.SecurityGroupReferences.SecurityGroupReference.find((r) => r.SecurityGroupId === group.securityGroupId)?.ReferencingSecurityGroups.ReferencingSecurityGroup ?? [];
  return (
    <>
      <Typography.Paragraph type="secondary">{t('sgs.referencesHint')}</Typography.Paragraph>
      <Table rowKey="SecurityGroupId" data-testid="sg-references" size="middle" loading={q.isFetching} dataSource={rows} pagination={false}
        locale={{ emptyText: q.isPending ? ' ' : <Empty description={t('sgs.noReferences')} /> }}
        columns={[
          { title: t('sgs.referencingGroup'), key: 'id', render: (_, r) => <Link to={link(`security-groups/${r.SecurityGroupId}`)}>{r.SecurityGroupId}</Link> },
          { title: t('sgs.referencingAccount'), dataIndex: 'AliUid' },
        ]} />
    </>
  );
}
