// /console/tools/explain — Explain a flow: an instance, a direction, a protocol and port and the
// peer (an address or CIDR, or another instance) go to Parapet's CheckNetworkAccess; the page shows
// the verdict and the chain of reasoning in the engine's order (platform rule, intra-group access,
// each matching rule in decision order, the direction's default), with the deciding rule linked to
// its row on its group's rules page. The question is kept in the URL, so a reload or a link asks
// it again.
import { useMemo } from 'react';
import { Alert, Button, Card, Descriptions, Empty, Form, Input, InputNumber, Radio, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { call, type Params } from '../api.ts';
import { useT, type T } from '../i18n/index.tsx';
import { useRegion, useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { peerOf, portText, privateIpOf, rulePath, useRegionInstances, type CheckAnswer, type WireInstance, type WireRule } from './tools/shared.ts';

type Protocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'gre';
type PeerKind = 'address' | 'instance';

interface Question {
  instance: string;
  direction: 'ingress' | 'egress';
  protocol: Protocol;
  port?: number;
  peerKind: PeerKind;
  /** an address or CIDR (peerKind address), or an instance id */
  peer: string;
  /** classic instances: which NIC the flow crosses */
  nic?: 'intranet' | 'internet';
}

const PORTED = (p: string) => p === 'tcp' || p === 'udp';

/**
 * A Select that must be chosen. A validator rather than `required`: antd puts aria-required on the
 * Select's outer div for a required rule, an attribute a div may not carry (axe aria-allowed-attr).
 */
function chosenRule(message: string) {
  return { validator: (_r: unknown, v: string | undefined) => (v !== undefined && v !== '' ? Promise.resolve() : Promise.reject(new Error(message))) };
}

/** The question in the URL, or undefined while the form has not been sent. */
function questionOf(q: URLSearchParams): Question | undefined {
  const instance = q.get('instance') ?? '';
  const peer = q.get('peer') ?? '';
  if (instance === '' || peer === '') return undefined;
  const direction = q.get('direction') === 'egress' ? 'egress' : 'ingress';
  const raw = (q.get('protocol') ?? 'tcp').toLowerCase();
  const protocol: Protocol = raw === 'udp' || raw === 'icmp' || raw === 'icmpv6' || raw === 'gre' ? raw : 'tcp';
  const port = Number(q.get('port'));
  const nic = q.get('nic');
  return {
    instance, direction, protocol, peer, peerKind: q.get('peerKind') === 'instance' ? 'instance' : 'address',
    ...(PORTED(protocol) && Number.isInteger(port) && port > 0 ? { port } : {}),
    ...(nic === 'intranet' || nic === 'internet' ? { nic } : {}),
  };
}

/** A CIDR is asked about as its first address (the flow is one packet's question). */
function addressOfPeer(peer: string): string {
  return peer.trim().split('/')[0] ?? '';
}

/** Solid tags with white text: antd's light green preset fails AA contrast (axe color-contrast). */
const VERDICT_COLOR = { accept: '#237804', drop: '#cf1322' } as const;

function actionTag(t: T, policy: string | undefined) {
  const drop = (policy ?? '').toLowerCase() === 'drop';
  return <Tag color={drop ? VERDICT_COLOR.drop : VERDICT_COLOR.accept}>{t(drop ? 'tools.forbid' : 'tools.allow')}</Tag>;
}

function RuleTable({ rules, decidingId, direction }: { rules: WireRule[]; decidingId: string | undefined; direction: string }) {
  const t = useT();
  const link = useRegionLink();
  const columns: TableColumnsType<WireRule & { order: number }> = [
    { title: t('tools.explain.order'), dataIndex: 'order', width: 60 },
    {
      title: t('tools.explain.rule'), key: 'rule',
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          <Link to={link(rulePath(r.SecurityGroupId, r.SecurityGroupRuleId, r.Direction ?? direction))}>{r.SecurityGroupRuleId}</Link>
          <Typography.Text type="secondary">{r.SecurityGroupId}</Typography.Text>
        </Space>
      ),
    },
    { title: t('tools.action'), key: 'action', render: (_, r) => actionTag(t, r.Policy) },
    { title: t('tools.priority'), dataIndex: 'Priority' },
    { title: t('tools.protocol'), key: 'protocol', render: (_, r) => (r.IpProtocol ?? '').toUpperCase() },
    { title: t('tools.portRange'), key: 'port', render: (_, r) => portText(r.PortRange, t('tools.allPorts')) },
    { title: t('tools.authObject'), key: 'peer', render: (_, r) => peerOf(r) },
    {
      title: t('tools.explain.role'), key: 'role',
      render: (_, r) => (r.SecurityGroupRuleId === decidingId
        ? <Tag color="#0958d9">{t('tools.explain.deciding')}</Tag>
        : <Typography.Text type="secondary">{decidingId !== undefined ? t('tools.explain.outranked') : t('tools.explain.notReached')}</Typography.Text>),
    },
  ];
  return (
    <Table size="small" pagination={false} rowKey="SecurityGroupRuleId" columns={columns}
      dataSource={rules.map((r, i) => ({ ...r, order: i + 1 }))} data-testid="matched-rules" />
  );
}

function Answer({ question, instances }: { question: Question; instances: WireInstance[] }) {
  const t = useT();
  const [region] = useRegion();
  const link = useRegionLink();
  const peerIp = question.peerKind === 'instance'
    ? privateIpOf(instances.find((i) => i.InstanceId === question.peer) ?? ({} as WireInstance))
    : addressOfPeer(question.peer);
  const params: Params = {
    RegionId: region, InstanceId: question.instance, Direction: question.direction, IpProtocol: question.protocol,
    PeerIpAddress: peerIp, Port: question.port, NicType: question.nic,
  };
  const q = useQuery({
    queryKey: ['parapet', 'CheckNetworkAccess', params],
    queryFn: () => call<CheckAnswer>('parapet', 'CheckNetworkAccess', params),
    staleTime: 0,
  });
  if (q.isPending) return <Card loading aria-busy="true" />;
  if (q.isError) return <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  const a = q.data;
  const accept = a.Verdict === 'Accept';
  const flow = t(question.direction === 'ingress' ? 'tools.explain.flowIn' : 'tools.explain.flowOut', {
    protocol: question.protocol.toUpperCase(), port: question.port !== undefined ? String(question.port) : t('tools.allPorts'),
    peer: peerIp, instance: a.InstanceId,
  });
  const rules = a.MatchedRules.Permission;
  const deciding = a.DecidingRule;
  const decidedEarlier = a.Reason === 'Platform' || a.Reason === 'IntraGroup';
  const verdictText = t(accept ? 'tools.accept' : 'tools.drop');
  const here = <Tag color={accept ? VERDICT_COLOR.accept : VERDICT_COLOR.drop}>{t('tools.explain.decidedHere', { verdict: verdictText })}</Tag>;
  const skipped = (key: Parameters<T>[0]) => <Typography.Text type="secondary">{t(key)}</Typography.Text>;

  const platformApplies = a.Reason === 'Platform';
  const steps = [
    {
      color: platformApplies ? 'red' : 'gray',
      children: (
        <>
          <Typography.Text strong>{t('tools.explain.stepPlatform')}</Typography.Text>{' '}{platformApplies && here}
          <div>{platformApplies ? t('tools.explain.platformApplies') : skipped(a.Port25Blocked ? 'tools.explain.platformNo' : 'tools.explain.platformLifted')}</div>
        </>
      ),
    },
    {
      color: a.Reason === 'IntraGroup' ? 'green' : 'gray',
      children: (
        <>
          <Typography.Text strong>{t('tools.explain.stepIntra')}</Typography.Text>{' '}{a.Reason === 'IntraGroup' && here}
          <div>{a.Reason === 'IntraGroup' ? t('tools.explain.intraApplies') : skipped(platformApplies ? 'tools.explain.notReachedText' : 'tools.explain.intraNo')}</div>
        </>
      ),
    },
    {
      color: a.Reason === 'Rule' ? (accept ? 'green' : 'red') : 'gray',
      children: (
        <>
          <Typography.Text strong>{t('tools.explain.stepRules', { count: rules.length })}</Typography.Text>{' '}{a.Reason === 'Rule' && here}
          <div style={{ marginTop: 8 }}>
            {rules.length === 0
              ? skipped(platformApplies ? 'tools.explain.notReachedText' : 'tools.explain.noRules')
              : <>
                {decidedEarlier && <div>{skipped('tools.explain.rulesNotReached')}</div>}
                <RuleTable rules={rules} decidingId={deciding?.SecurityGroupRuleId} direction={question.direction} />
              </>}
          </div>
        </>
      ),
    },
    {
      color: a.Reason === 'Default' ? (accept ? 'green' : 'red') : 'gray',
      children: (
        <>
          <Typography.Text strong>{t('tools.explain.stepDefault')}</Typography.Text>{' '}{a.Reason === 'Default' && here}
          <div>{a.Reason === 'Default'
            ? t(question.direction === 'ingress' ? 'tools.explain.defaultIn' : accept ? 'tools.explain.defaultOut' : 'tools.explain.defaultOutAdvanced')
            : skipped('tools.explain.notReachedText')}</div>
        </>
      ),
    },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="explain-result">
      <Alert type={accept ? 'success' : 'error'} showIcon role="status"
        message={<span data-testid="verdict">{t(accept ? 'tools.explain.verdictAccept' : 'tools.explain.verdictDrop')}</span>}
        description={flow} />
      {deciding !== undefined && (
        <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('tools.explain.decidingRule')}</Typography.Title>} data-testid="deciding-rule"
          extra={<Link to={link(rulePath(deciding.SecurityGroupId, deciding.SecurityGroupRuleId, deciding.Direction ?? question.direction))}>{t('tools.explain.openRule')}</Link>}>
          <Descriptions size="small" column={{ xs: 1, md: 3 }} items={[
            { key: 'id', label: t('tools.explain.ruleId'), children: deciding.SecurityGroupRuleId },
            { key: 'group', label: t('tools.securityGroup'), children: deciding.SecurityGroupId },
            { key: 'action', label: t('tools.action'), children: actionTag(t, deciding.Policy) },
            { key: 'priority', label: t('tools.priority'), children: String(deciding.Priority ?? '') },
            { key: 'protocol', label: t('tools.protocol'), children: `${(deciding.IpProtocol ?? '').toUpperCase()} ${portText(deciding.PortRange, t('tools.allPorts'))}` },
            { key: 'peer', label: t('tools.authObject'), children: peerOf(deciding) },
          ]} />
        </Card>
      )}
      <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('tools.explain.chain')}</Typography.Title>}>
        <Timeline items={steps} />
      </Card>
    </Space>
  );
}

interface FormValues {
  instance?: string;
  direction: 'ingress' | 'egress';
  protocol: Protocol;
  port?: number | null;
  peerKind: PeerKind;
  peerAddress?: string;
  peerInstance?: string;
  nic?: 'intranet' | 'internet';
}

export default function ToolsExplain() {
  const t = useT();
  const [region] = useRegion();
  const [search, setSearch] = useSearchParams();
  const question = useMemo(() => questionOf(search), [search]);
  const instances = useRegionInstances(region);
  const [form] = Form.useForm<FormValues>();
  const protocol = Form.useWatch('protocol', form) ?? question?.protocol ?? 'tcp';
  const peerKind = Form.useWatch('peerKind', form) ?? question?.peerKind ?? 'address';
  const chosen = Form.useWatch('instance', form) ?? question?.instance;
  const list = instances.data?.Instances.Instance ?? [];
  const classic = list.find((i) => i.InstanceId === chosen)?.InstanceNetworkType === 'classic';
  const options = list.map((i) => ({
    value: i.InstanceId,
    label: `${i.InstanceId}${i.InstanceName !== '' ? ` (${i.InstanceName})` : ''} · ${privateIpOf(i)}`,
  }));

  const submit = (v: FormValues) => {
    const next = new URLSearchParams(search);
    for (const k of ['instance', 'direction', 'protocol', 'port', 'peerKind', 'peer', 'nic']) next.delete(k);
    next.set('instance', v.instance ?? '');
    next.set('direction', v.direction);
    next.set('protocol', v.protocol);
    if (PORTED(v.protocol) && v.port !== undefined && v.port !== null) next.set('port', String(v.port));
    next.set('peerKind', v.peerKind);
    next.set('peer', (v.peerKind === 'instance' ? v.peerInstance : v.peerAddress)?.trim() ?? '');
    if (classic && v.nic !== undefined) next.set('nic', v.nic);
    setSearch(next);
  };

  const initial: FormValues = {
    instance: question?.instance, direction: question?.direction ?? 'ingress', protocol: question?.protocol ?? 'tcp',
    port: question?.port ?? 22, peerKind: question?.peerKind ?? 'address',
    peerAddress: question?.peerKind === 'address' ? question.peer : '', peerInstance: question?.peerKind === 'instance' ? question.peer : undefined,
    nic: question?.nic ?? 'intranet',
  };

  return (
    <>
      <PageTitle title={t('tools.explain.title')} />
      <Typography.Paragraph type="secondary">{t('tools.explain.intro')}</Typography.Paragraph>
      <Card style={{ marginBottom: 16 }}>
        {instances.isError && <ApiErrorAlert error={instances.error} onRetry={() => void instances.refetch()} />}
        {instances.isSuccess && list.length === 0 && <Empty description={t('tools.explain.noInstances')} />}
        <Form form={form} layout="vertical" initialValues={initial} onFinish={submit} name="explain">
          <Space wrap align="start" size="middle">
            <Form.Item name="instance" label={t('tools.instance')} rules={[chosenRule(t('tools.explain.instanceRequired'))]} style={{ minWidth: 360 }}>
              <Select showSearch optionFilterProp="label" loading={instances.isPending} options={options} placeholder={t('tools.explain.instancePlaceholder')} aria-label={t('tools.instance')} />
            </Form.Item>
            <Form.Item name="direction" label={t('tools.direction')}>
              <Radio.Group optionType="button" options={[{ value: 'ingress', label: t('tools.inbound') }, { value: 'egress', label: t('tools.outbound') }]} />
            </Form.Item>
            {classic && (
              <Form.Item name="nic" label={t('tools.nicType')}>
                <Radio.Group optionType="button" options={[{ value: 'intranet', label: t('tools.intranet') }, { value: 'internet', label: t('tools.internet') }]} />
              </Form.Item>
            )}
            <Form.Item name="protocol" label={t('tools.protocol')}>
              <Select style={{ width: 120 }} aria-label={t('tools.protocol')} options={(['tcp', 'udp', 'icmp', 'icmpv6', 'gre'] as const).map((p) => ({ value: p, label: p === 'icmpv6' ? 'ICMPv6' : p.toUpperCase() }))} />
            </Form.Item>
            {PORTED(protocol) && (
              <Form.Item name="port" label={t('tools.port')} rules={[{ required: true, message: t('tools.explain.portRequired') }]}>
                <InputNumber min={1} max={65535} precision={0} style={{ width: 120 }} />
              </Form.Item>
            )}
          </Space>
          <Space wrap align="start" size="middle">
            <Form.Item name="peerKind" label={t('tools.explain.peer')}>
              <Radio.Group optionType="button" options={[{ value: 'address', label: t('tools.explain.peerAddress') }, { value: 'instance', label: t('tools.explain.peerInstance') }]} />
            </Form.Item>
            {peerKind === 'instance'
              ? (
                <Form.Item name="peerInstance" label={t('tools.explain.peerInstanceLabel')} rules={[chosenRule(t('tools.explain.instanceRequired'))]} style={{ minWidth: 360 }}>
                  <Select showSearch optionFilterProp="label" options={options} aria-label={t('tools.explain.peerInstanceLabel')} />
                </Form.Item>
              )
              : (
                <Form.Item name="peerAddress" label={t('tools.explain.peerAddressLabel')} extra={t('tools.explain.peerAddressHint')} style={{ minWidth: 280 }}
                  rules={[{ required: true, message: t('tools.explain.peerRequired') }, { pattern: /^\s*\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?\s*$/, message: t('tools.explain.peerInvalid') }]}>
                  <Input placeholder="203.0.113.7" />
                </Form.Item>
              )}
          </Space>
          <Form.Item style={{ marginBottom: 0 }}>
            <Button type="primary" htmlType="submit">{t('tools.explain.submit')}</Button>
          </Form.Item>
        </Form>
      </Card>
      {question === undefined
        ? <Empty description={t('tools.explain.empty')} />
        : question.peerKind === 'instance' && !instances.isSuccess
          ? <Card loading aria-busy="true" />
          : <Answer key={search.toString()} question={question} instances={list} />}
    </>
  );
}
