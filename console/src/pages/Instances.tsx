// /console/instances — the region's instances (server-side paging): status, IPs, network, groups,
// key pair (in force, and a bind or unbind waiting for the restart), RAM role, metadata mode; start,
// stop, restart and Replace Security Group for one or several selected instances; Create Instance
// (network: a VPC and its vSwitch, or the classic network and a zone; groups of that network; key
// pair or password, RAM role, Security Hardening, public bandwidth). What the API refuses (a RAM role
// on a classic instance, a group of another network) is its error, shown in the dialog. Beside a
// public address, its Anti-DDoS state when it is not normal (Scrubbing, Black hole), linked to the
// address on the Anti-DDoS page. The security status (Security Center, one DescribeCloudCenterInstances
// call for the page's instances): an orange warning linked to the instance's pending alerts (or its
// vulnerabilities) when it has any, a green mark when it has none, "Agent not installed" without the agent.
import { useState } from 'react';
import { CheckCircleFilled, MinusCircleOutlined, WarningFilled } from '@ant-design/icons';
import { App, Alert, Button, Checkbox, Empty, Form, Input, InputNumber, Modal, Radio, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call } from '../api.ts';
import { useT } from '../i18n/index.tsx';
import { useRegion, useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import {
  FormSelect, groupsOf, invalidateInstances, rowCheckbox, TAG_OK, KeyPairCell, privateIp, publicIp, ReplaceGroupsModal, StatusTag, useStateChange, verbLabel,
  type Instance, type InstancesPage, type RamRoleSets, type StateVerb,
} from '../components/InstanceParts.tsx';
import { DdosStatusTag, useDdosStatuses } from '../components/DdosParts.tsx';
import { RISK_ORANGE, riskCountOf, useAssetsOf, type Asset } from '../components/SasParts.tsx';
import type { T } from '../i18n/index.tsx';

/** The security status cell: the asset's pending alerts and vulnerabilities, linked to them. */
function SecurityStatus({ id, asset, t, link }: { id: string; asset: Asset | undefined; t: T; link: (p: string) => string }) {
  if (asset === undefined) return <span>—</span>;
  if (!asset.Bind) {
    const label = t('inst.sas.noAgent');
    return (
      <Tooltip title={label}>
        <span role="img" aria-label={label} data-testid={`sas-status-${id}`} data-status="noAgent"><MinusCircleOutlined aria-hidden style={{ color: '#595959', fontSize: 16 }} /></span>
      </Tooltip>
    );
  }
  const rc = riskCountOf(asset) ?? { baselineNum: 0, suspNum: 0, vulNum: 0 };
  if (rc.suspNum + rc.vulNum > 0) {
    const label = t('inst.sas.risk', { alerts: rc.suspNum, vuls: rc.vulNum });
    const page = rc.suspNum > 0 ? 'alerts' : 'vulnerabilities';
    return (
      <Tooltip title={label}>
        <Link to={link(`security-center/${page}?instance=${encodeURIComponent(id)}`)} aria-label={label} data-testid={`sas-status-${id}`} data-status="risk">
          <WarningFilled aria-hidden style={{ color: RISK_ORANGE, fontSize: 18 }} />
        </Link>
      </Tooltip>
    );
  }
  const label = t('inst.sas.safe');
  return (
    <Tooltip title={label}>
      <span role="img" aria-label={label} data-testid={`sas-status-${id}`} data-status="safe"><CheckCircleFilled aria-hidden style={{ color: '#389e0d', fontSize: 16 }} /></span>
    </Tooltip>
  );
}

interface Vpc { VpcId: string; VpcName: string; CidrBlock: string }
interface VSwitch { VSwitchId: string; VSwitchName: string; ZoneId: string; CidrBlock: string }
interface Image { ImageId: string; OSName: string; OSType: string }
interface InstanceType { InstanceTypeId: string; CpuCoreCount: number; MemorySize: number }
interface Zone { ZoneId: string }

interface CreateForm {
  name?: string; imageId: string; instanceType: string; networkType: 'vpc' | 'classic'; vpcId?: string; vSwitchId?: string; zoneId?: string; groups: string[];
  logon: 'keyPair' | 'password' | 'later'; keyPairName?: string; password?: string; ramRole?: string;
  hardening: boolean; bandwidth: number; hardenedMetadata: boolean; amount: number;
}

function CreateInstanceModal({ region, open, onClose }: { region: string; open: boolean; onClose: (created?: string[]) => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [form] = Form.useForm<CreateForm>();
  const networkType = Form.useWatch('networkType', form) ?? 'vpc';
  const classic = networkType === 'classic';
  const vpcId = Form.useWatch('vpcId', form);
  const logon = Form.useWatch('logon', form);
  const imageId = Form.useWatch('imageId', form);
  const vpcs = useQuery({ queryKey: ['instances', 'vpcs', region], enabled: open, queryFn: () => call<{ Vpcs: { Vpc: Vpc[] } }>('vpc', 'DescribeVpcs', { RegionId: region, PageSize: 50 }) });
  const vswitches = useQuery({
    queryKey: ['instances', 'vswitches', region, vpcId], enabled: open && !!vpcId,
    queryFn: () => call<{ VSwitches: { VSwitch: VSwitch[] } }>('vpc', 'DescribeVSwitches', { RegionId: region, VpcId: vpcId, PageSize: 50 }),
  });
  const zones = useQuery({ queryKey: ['instances', 'zones', region], enabled: open && classic, queryFn: () => call<{ Zones: { Zone: Zone[] } }>('ecs', 'DescribeZones', { RegionId: region }) });
  // the classic network's groups are the region's groups with no VPC (groupsOf asks for those with '')
  const groupNetwork = classic ? '' : vpcId;
  const groups = useQuery({
    queryKey: ['instances', 'groupsOfVpc', region, groupNetwork], enabled: open && groupNetwork !== undefined,
    queryFn: () => groupsOf(region, groupNetwork ?? ''),
  });
  const images = useQuery({ queryKey: ['instances', 'images', region], enabled: open, queryFn: () => call<{ Images: { Image: Image[] } }>('ecs', 'DescribeImages', { RegionId: region, PageSize: 100 }) });
  const types = useQuery({ queryKey: ['instances', 'types'], enabled: open, queryFn: () => call<{ InstanceTypes: { InstanceType: InstanceType[] } }>('ecs', 'DescribeInstanceTypes', {}) });
  const keyPairs = useQuery({ queryKey: ['keypairs', 'names', region], enabled: open && logon === 'keyPair', queryFn: () => call<{ KeyPairs: { KeyPair: Array<{ KeyPairName: string }> } }>('ecs', 'DescribeKeyPairs', { RegionId: region, PageSize: 50 }) });
  const roles = useQuery({ queryKey: ['ram', 'roles'], enabled: open, queryFn: () => call<{ Roles: { Role: Array<{ RoleName: string }> } }>('ram', 'ListRoles', { MaxItems: 100 }) });
  const windows = images.data?.Images.Image.find((i) => i.ImageId === imageId)?.OSType === 'windows';

  const create = useMutation({
    mutationFn: async (v: CreateForm) => {
      const params: Record<string, string | number | undefined> = {
        RegionId: region, ImageId: v.imageId, InstanceType: v.instanceType, InstanceName: v.name || undefined,
        // a classic instance names no vSwitch (the API then places it in the classic network), and may name a zone
        VSwitchId: v.networkType === 'vpc' ? v.vSwitchId : undefined, ZoneId: v.networkType === 'classic' ? v.zoneId || undefined : undefined,
        KeyPairName: v.logon === 'keyPair' ? v.keyPairName : undefined, Password: v.logon === 'password' ? v.password : undefined,
        RamRoleName: v.ramRole || undefined, InternetMaxBandwidthOut: v.bandwidth, HttpTokens: v.hardenedMetadata ? 'required' : undefined,
        SecurityEnhancementStrategy: v.hardening ? 'Active' : 'Deactive', Amount: v.amount,
      };
      v.groups.forEach((g, n) => { params[`SecurityGroupIds.${n + 1}`] = g; });
      const r = await call<{ InstanceIdSets: { InstanceIdSet: string[] } }>('ecs', 'RunInstances', params);
      return r.InstanceIdSets.InstanceIdSet;
    },
    onSuccess: async (ids) => { await invalidateInstances(qc); form.resetFields(); onClose(ids); },
  });
  const loadError = [vpcs, images, types, zones, groups].find((q) => q.isError)?.error;

  return (
    <Modal open={open} title={t('inst.createTitle')} okText={t('inst.createOk')} cancelText={t('common.cancel')} width={640}
      onCancel={() => { create.reset(); onClose(); }} onOk={() => form.submit()} confirmLoading={create.isPending} destroyOnClose>
      {loadError !== undefined && <ApiErrorAlert error={loadError} />}
      <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)} preserve={false}
        initialValues={{ networkType: 'vpc', logon: 'keyPair', hardening: true, bandwidth: 0, hardenedMetadata: false, groups: [], amount: 1 }}>
        <Form.Item name="name" label={t('inst.name')}><Input /></Form.Item>
        <Form.Item name="imageId" label={t('inst.image')} rules={[{ required: true, message: t('inst.required', { field: t('inst.image') }) }]}>
          <FormSelect loading={images.isPending} options={(images.data?.Images.Image ?? []).map((i) => ({ value: i.ImageId, label: i.OSName }))} />
        </Form.Item>
        <Form.Item name="hardening" valuePropName="checked" extra={t('inst.hardeningHelp')}>
          <Checkbox>{t('inst.hardening')}</Checkbox>
        </Form.Item>
        <Form.Item name="instanceType" label={t('inst.type')} rules={[{ required: true, message: t('inst.required', { field: t('inst.type') }) }]}>
          <FormSelect loading={types.isPending} showSearch
            options={(types.data?.InstanceTypes.InstanceType ?? []).map((x) => ({ value: x.InstanceTypeId, label: `${x.InstanceTypeId} (${x.CpuCoreCount} vCPU, ${x.MemorySize} GiB)` }))} />
        </Form.Item>
        <Form.Item name="networkType" label={t('inst.networkType')} extra={classic ? t('inst.classicHelp') : undefined}>
          <Radio.Group onChange={() => { create.reset(); form.setFieldsValue({ vpcId: undefined, vSwitchId: undefined, zoneId: undefined, groups: [] }); }}>
            <Radio value="vpc">{t('inst.vpc')}</Radio>
            <Radio value="classic">{t('inst.classic')}</Radio>
          </Radio.Group>
        </Form.Item>
        {!classic && (
          <>
            <Form.Item name="vpcId" label={t('inst.vpc')} rules={[{ required: true, message: t('inst.required', { field: t('inst.vpc') }) }]}
              extra={vpcs.data?.Vpcs.Vpc.length === 0 ? t('inst.noVpc') : undefined}>
              <FormSelect loading={vpcs.isPending} onChange={() => form.setFieldsValue({ vSwitchId: undefined, groups: [] })}
                options={(vpcs.data?.Vpcs.Vpc ?? []).map((v) => ({ value: v.VpcId, label: `${v.VpcName || v.VpcId} (${v.VpcId}, ${v.CidrBlock})` }))} />
            </Form.Item>
            <Form.Item name="vSwitchId" label={t('inst.vswitch')} rules={[{ required: true, message: t('inst.required', { field: t('inst.vswitch') }) }]}>
              <FormSelect loading={vswitches.isFetching} disabled={!vpcId}
                options={(vswitches.data?.VSwitches.VSwitch ?? []).map((s) => ({ value: s.VSwitchId, label: `${s.VSwitchName || s.VSwitchId} (${s.ZoneId}, ${s.CidrBlock})` }))} />
            </Form.Item>
          </>
        )}
        {classic && (
          <Form.Item name="zoneId" label={t('inst.zone')} extra={t('inst.zoneHelp')}>
            <FormSelect allowClear loading={zones.isPending} options={(zones.data?.Zones.Zone ?? []).map((z) => ({ value: z.ZoneId, label: z.ZoneId }))} />
          </Form.Item>
        )}
        <Form.Item name="groups" label={t('inst.groups')}
          extra={classic && groups.data?.length === 0 ? t('inst.noClassicGroup') : t('inst.groupsMax')}
          rules={[{ required: true, type: 'array', min: 1, max: 5, message: t('inst.groupsMax') }]}>
          <FormSelect mode="multiple" disabled={groupNetwork === undefined} loading={groups.isFetching} optionFilterProp="label"
            options={(groups.data ?? []).map((g) => ({ value: g.SecurityGroupId, label: `${g.SecurityGroupName || g.SecurityGroupId} (${g.SecurityGroupId})` }))} />
        </Form.Item>
        <Form.Item name="amount" label={t('inst.amount')} extra={t('inst.amountHelp')} rules={[{ required: true, type: 'integer', min: 1, max: 100, message: t('inst.amountHelp') }]}>
          <InputNumber min={1} max={100} precision={0} />
        </Form.Item>
        <Form.Item name="bandwidth" label={t('inst.bandwidth')} extra={t('inst.bandwidthHelp')}>
          <InputNumber min={0} max={200} addonAfter="Mbit/s" />
        </Form.Item>
        <Form.Item name="logon" label={t('inst.logon')}>
          <Radio.Group>
            <Radio value="keyPair" disabled={windows}>{t('inst.logonKeyPair')}</Radio>
            <Radio value="password">{t('inst.logonPassword')}</Radio>
            <Radio value="later">{t('inst.logonLater')}</Radio>
          </Radio.Group>
        </Form.Item>
        {logon === 'keyPair' && (
          <Form.Item name="keyPairName" label={t('inst.keyPair')} rules={[{ required: true, message: t('inst.required', { field: t('inst.keyPair') }) }]}>
            <FormSelect loading={keyPairs.isPending} options={(keyPairs.data?.KeyPairs.KeyPair ?? []).map((k) => ({ value: k.KeyPairName, label: k.KeyPairName }))} />
          </Form.Item>
        )}
        {logon === 'password' && (
          <Form.Item name="password" label={t('inst.password')} extra={t('inst.passwordHelp')} rules={[{ required: true, message: t('inst.required', { field: t('inst.password') }) }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
        <Form.Item name="ramRole" label={t('inst.ramRole')} extra={roles.isError ? t('inst.rolesUnavailable') : undefined}>
          <FormSelect allowClear loading={roles.isPending && !roles.isError} options={(roles.data?.Roles.Role ?? []).map((r) => ({ value: r.RoleName, label: r.RoleName }))} />
        </Form.Item>
        <Form.Item name="hardenedMetadata" valuePropName="checked">
          <Checkbox>{t('inst.metadataHardenedCreate')}</Checkbox>
        </Form.Item>
      </Form>
      {create.isError && <ApiErrorAlert error={create.error} />}
    </Modal>
  );
}

export default function Instances() {
  const t = useT();
  const { message, modal } = App.useApp();
  const [region] = useRegion();
  const link = useRegionLink();
  const [page, setPage] = useState({ number: 1, size: 20 });
  const [nameFilter, setNameFilter] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [replaceFor, setReplaceFor] = useState<Instance[] | undefined>();
  const [creating, setCreating] = useState(false);
  const list = useQuery({
    queryKey: ['instances', 'list', region, page.number, page.size, nameFilter],
    queryFn: () => call<InstancesPage>('ecs', 'DescribeInstances', { RegionId: region, PageNumber: page.number, PageSize: page.size, InstanceName: nameFilter || undefined }),
  });
  const rows = list.data?.Instances.Instance ?? [];
  const ids = rows.map((i) => i.InstanceId);
  const roles = useQuery({
    queryKey: ['instances', 'roles', region, ids],
    enabled: ids.length > 0,
    queryFn: () => call<RamRoleSets>('ecs', 'DescribeInstanceRamRole', { RegionId: region, InstanceIds: JSON.stringify(ids) }),
  });
  const roleOf = (id: string) => roles.data?.InstanceRamRoleSets.InstanceRamRoleSet.find((s) => s.InstanceId === id)?.RamRoleName ?? '';
  // the region's addresses under attack, read once for the list (not per row)
  const ddos = useDdosStatuses(region, rows.some((i) => publicIp(i) !== ''));
  // the Security Center's view of the page's instances, read once for the page (not per row)
  const sas = useAssetsOf(ids);
  const state = useStateChange();
  const chosen = rows.filter((i) => selected.includes(i.InstanceId));

  const changeState = (verb: StateVerb, targets: Instance[]) => {
    modal.confirm({
      title: t('inst.stateConfirmTitle', { action: verbLabel(t, verb) }),
      content: t('inst.stateConfirmText', { action: verbLabel(t, verb), ids: targets.map((i) => i.InstanceId).join(', ') }),
      okText: verbLabel(t, verb), cancelText: t('common.cancel'),
      onOk: () => state.mutateAsync({ verb, ids: targets.map((i) => i.InstanceId) }).then(() => { void message.success(t('inst.stateDone', { action: verbLabel(t, verb) })); }, () => undefined),
    });
  };

  const columns = [
    {
      title: t('inst.idName'), key: 'id', render: (_: unknown, i: Instance) => (
        <Space direction="vertical" size={0}>
          <Link to={link(`instances/${i.InstanceId}`)}>{i.InstanceId}</Link>
          <Typography.Text type="secondary">{i.InstanceName}</Typography.Text>
        </Space>
      ),
    },
    { title: t('inst.status'), key: 'status', render: (_: unknown, i: Instance) => <StatusTag status={i.Status} /> },
    // shown only to whom may read Security Center's assets
    ...(sas.allowed ? [{ title: t('inst.sas.column'), key: 'security', align: 'center' as const, render: (_: unknown, i: Instance) => <SecurityStatus id={i.InstanceId} asset={sas.data?.get(i.InstanceId)} t={t} link={link} /> }] : []),
    {
      title: t('inst.ips'), key: 'ips', render: (_: unknown, i: Instance) => {
        const attacked = publicIp(i) !== '' ? ddos.data?.get(i.InstanceId) : undefined;
        return (
          <Space direction="vertical" size={0}>
            <span>{publicIp(i) === '' ? '—' : `${publicIp(i)} ${t('inst.ipPublic')}`}</span>
            {attacked !== undefined && (
              <Link to={link(`anti-ddos?ip=${encodeURIComponent(attacked.InstanceIp)}`)}>
                {/* the time left is on the Anti-DDoS page: the list stays narrow */}
                <DdosStatusTag status={attacked.IpStatus} t={t} />
              </Link>
            )}
            <span>{`${privateIp(i)} ${t('inst.ipPrivate')}`}</span>
          </Space>
        );
      },
    },
    {
      title: t('inst.network'), key: 'network', render: (_: unknown, i: Instance) => (
        i.InstanceNetworkType === 'vpc'
          ? <Space direction="vertical" size={0}><span>{i.VpcAttributes.VpcId}</span><Typography.Text type="secondary">{i.VpcAttributes.VSwitchId}</Typography.Text></Space>
          : t('inst.classic')
      ),
    },
    {
      title: t('inst.groups'), key: 'groups', render: (_: unknown, i: Instance) => (
        <Space direction="vertical" size={0}>{i.SecurityGroupIds.SecurityGroupId.map((g) => <Link key={g} to={link(`security-groups/${g}`)}>{g}</Link>)}</Space>
      ),
    },
    { title: t('inst.keyPair'), key: 'key', render: (_: unknown, i: Instance) => <KeyPairCell i={i} /> },
    { title: t('inst.ramRole'), key: 'role', render: (_: unknown, i: Instance) => roleOf(i.InstanceId) || '—' },
    {
      title: t('inst.metadata'), key: 'metadata', render: (_: unknown, i: Instance) => (
        i.MetadataOptions.HttpTokens === 'required' ? <Tag color={TAG_OK}>{t('inst.metadataHardened')}</Tag> : <Tag>{t('inst.metadataNormal')}</Tag>
      ),
    },
    {
      title: t('inst.actions'), key: 'actions', render: (_: unknown, i: Instance) => (
        <Space wrap size={4}>
          <Link to={link(`instances/${i.InstanceId}`)} aria-label={t('inst.manageOf', { id: i.InstanceId })}>{t('inst.manage')}</Link>
          {i.Status === 'Stopped' && <Button size="small" type="link" onClick={() => changeState('StartInstance', [i])}>{t('inst.start')}</Button>}
          {i.Status === 'Running' && <Button size="small" type="link" onClick={() => changeState('StopInstance', [i])}>{t('inst.stop')}</Button>}
          {i.Status === 'Running' && <Button size="small" type="link" onClick={() => changeState('RebootInstance', [i])}>{t('inst.restart')}</Button>}
          <Button size="small" type="link" onClick={() => setReplaceFor([i])}>{t('inst.replace')}</Button>
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageTitle title={t('nav.instances')} extra={<Button type="primary" onClick={() => setCreating(true)}>{t('inst.create')}</Button>} />
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search aria-label={t('inst.searchName')} placeholder={t('inst.searchName')} allowClear style={{ width: 260 }}
          onSearch={(v) => { setNameFilter(v.trim()); setPage((p) => ({ ...p, number: 1 })); }} />
        <Tooltip title={chosen.length === 0 ? t('inst.selectFirst') : undefined}>
          <Space>
            <Button disabled={chosen.length === 0} onClick={() => changeState('StartInstance', chosen)}>{t('inst.start')}</Button>
            <Button disabled={chosen.length === 0} onClick={() => changeState('StopInstance', chosen)}>{t('inst.stop')}</Button>
            <Button disabled={chosen.length === 0} onClick={() => changeState('RebootInstance', chosen)}>{t('inst.restart')}</Button>
            <Button disabled={chosen.length === 0} onClick={() => setReplaceFor(chosen)}>{t('inst.replaceSelected', { n: chosen.length })}</Button>
          </Space>
        </Tooltip>
      </Space>
      {state.isError && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={state.error} /></div>}
      {list.isError ? <ApiErrorAlert error={list.error} onRetry={() => void list.refetch()} /> : (
        // a wide table scrolls in its own box (antd's scroll.x adds a measure row that axe flags)
        <div style={{ overflowX: 'auto' }}>
        <Table<Instance> rowKey="InstanceId" size="middle" loading={list.isPending} dataSource={rows} columns={columns}
          rowSelection={{ selectedRowKeys: selected, onChange: (k) => setSelected(k.map(String)), getCheckboxProps: (i) => rowCheckbox(t('inst.selectRow', { id: i.InstanceId })) }}
          locale={{ emptyText: <Empty description={nameFilter ? t('inst.emptyFiltered') : t('inst.empty', { region })} /> }}
          pagination={{ current: page.number, pageSize: page.size, total: list.data?.TotalCount ?? 0, showSizeChanger: true, pageSizeOptions: [10, 20, 50, 100],
            showTotal: (n) => t('inst.total', { n }), onChange: (number, size) => setPage({ number, size }) }} />
        </div>
      )}
      {roles.isError && <Alert style={{ marginTop: 12 }} type="warning" showIcon message={t('inst.rolesUnavailable')} />}
      {sas.isError && <Alert style={{ marginTop: 12 }} type="warning" showIcon message={t('inst.sas.unavailable')} data-testid="sas-unavailable" />}
      {ddos.isError && <Alert style={{ marginTop: 12 }} type="warning" showIcon message={t('inst.ddosUnavailable')} data-testid="ddos-unavailable" />}
      <ReplaceGroupsModal region={region} instances={replaceFor ?? []} open={replaceFor !== undefined} onClose={() => { setReplaceFor(undefined); setSelected([]); }} />
      <CreateInstanceModal region={region} open={creating} onClose={(ids) => { setCreating(false); if (ids !== undefined) void message.success(t('inst.createdIds', { count: ids.length, ids: ids.join(', ') })); }} />
    </>
  );
}
