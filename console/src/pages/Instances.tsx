// /console/instances — the region's instances (server-side paging): status, IPs, network, groups,
// key pair (in force, and a bind or unbind waiting for the restart), RAM role, metadata mode; start,
// stop, restart and Replace Security Group for one or several selected instances; Create Instance
// (network, vSwitch, groups, key pair or password, RAM role, Security Hardening, public bandwidth).
import { useState } from 'react';
import { App, Alert, Button, Checkbox, Empty, Form, Input, InputNumber, Modal, Radio, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call } from '../api.ts';
import { useT } from '../i18n/index.tsx';
import { useRegion, useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import {
  ContrastTheme, FormSelect, groupsOf, invalidateInstances, rowCheckbox, TAG_OK, KeyPairCell, privateIp, publicIp, ReplaceGroupsModal, StatusTag, useStateChange, verbLabel,
  type Instance, type InstancesPage, type RamRoleSets, type StateVerb,
} from '../components/InstanceParts.tsx';

interface Vpc { VpcId: string; VpcName: string; CidrBlock: string }
interface VSwitch { VSwitchId: string; VSwitchName: string; ZoneId: string; CidrBlock: string }
interface Image { ImageId: string; OSName: string; OSType: string }
interface InstanceType { InstanceTypeId: string; CpuCoreCount: number; MemorySize: number }

interface CreateForm {
  name?: string; imageId: string; instanceType: string; vpcId: string; vSwitchId: string; groups: string[];
  logon: 'keyPair' | 'password' | 'later'; keyPairName?: string; password?: string; ramRole?: string;
  hardening: boolean; bandwidth: number; hardenedMetadata: boolean;
}

function CreateInstanceModal({ region, open, onClose }: { region: string; open: boolean; onClose: (created?: string) => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [form] = Form.useForm<CreateForm>();
  const vpcId = Form.useWatch('vpcId', form);
  const logon = Form.useWatch('logon', form);
  const imageId = Form.useWatch('imageId', form);
  const vpcs = useQuery({ queryKey: ['instances', 'vpcs', region], enabled: open, queryFn: () => call<{ Vpcs: { Vpc: Vpc[] } }>('vpc', 'DescribeVpcs', { RegionId: region, PageSize: 50 }) });
  const vswitches = useQuery({
    queryKey: ['instances', 'vswitches', region, vpcId], enabled: open && !!vpcId,
    queryFn: () => call<{ VSwitches: { VSwitch: VSwitch[] } }>('vpc', 'DescribeVSwitches', { RegionId: region, VpcId: vpcId, PageSize: 50 }),
  });
  const groups = useQuery({ queryKey: ['instances', 'groupsOfVpc', region, vpcId], enabled: open && !!vpcId, queryFn: () => groupsOf(region, vpcId ?? '') });
  const images = useQuery({ queryKey: ['instances', 'images', region], enabled: open, queryFn: () => call<{ Images: { Image: Image[] } }>('ecs', 'DescribeImages', { RegionId: region, PageSize: 100 }) });
  const types = useQuery({ queryKey: ['instances', 'types'], enabled: open, queryFn: () => call<{ InstanceTypes: { InstanceType: InstanceType[] } }>('ecs', 'DescribeInstanceTypes', {}) });
  const keyPairs = useQuery({ queryKey: ['keypairs', 'names', region], enabled: open && logon === 'keyPair', queryFn: () => call<{ KeyPairs: { KeyPair: Array<{ KeyPairName: string }> } }>('ecs', 'DescribeKeyPairs', { RegionId: region, PageSize: 50 }) });
  const roles = useQuery({ queryKey: ['ram', 'roles'], enabled: open, queryFn: () => call<{ Roles: { Role: Array<{ RoleName: string }> } }>('ram', 'ListRoles', { MaxItems: 100 }) });
  const windows = images.data?.Images.Image.find((i) => i.ImageId === imageId)?.OSType === 'windows';

  const create = useMutation({
    mutationFn: async (v: CreateForm) => {
      const params: Record<string, string | number | undefined> = {
        RegionId: region, ImageId: v.imageId, InstanceType: v.instanceType, VSwitchId: v.vSwitchId, InstanceName: v.name || undefined,
        KeyPairName: v.logon === 'keyPair' ? v.keyPairName : undefined, Password: v.logon === 'password' ? v.password : undefined,
        RamRoleName: v.ramRole || undefined, InternetMaxBandwidthOut: v.bandwidth, HttpTokens: v.hardenedMetadata ? 'required' : undefined,
        SecurityEnhancementStrategy: v.hardening ? 'Active' : 'Deactive', Amount: 1,
      };
      v.groups.forEach((g, n) => { params[`SecurityGroupIds.${n + 1}`] = g; });
      const r = await call<{ InstanceIdSets: { InstanceIdSet: string[] } }>('ecs', 'RunInstances', params);
      return r.InstanceIdSets.InstanceIdSet[0];
    },
    onSuccess: async (id) => { await invalidateInstances(qc); form.resetFields(); onClose(id); },
  });
  const loadError = [vpcs, images, types].find((q) => q.isError)?.error;

  return (
    <Modal open={open} title={t('inst.createTitle')} okText={t('inst.createOk')} cancelText={t('common.cancel')} width={640}
      onCancel={() => { create.reset(); onClose(); }} onOk={() => form.submit()} confirmLoading={create.isPending} destroyOnClose>
      {loadError !== undefined && <ApiErrorAlert error={loadError} />}
      <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)} preserve={false}
        initialValues={{ logon: 'keyPair', hardening: true, bandwidth: 0, hardenedMetadata: false, groups: [] }}>
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
        <Form.Item name="vpcId" label={t('inst.vpc')} rules={[{ required: true, message: t('inst.required', { field: t('inst.vpc') }) }]}
          extra={vpcs.data?.Vpcs.Vpc.length === 0 ? t('inst.noVpc') : undefined}>
          <FormSelect loading={vpcs.isPending} onChange={() => form.setFieldsValue({ vSwitchId: undefined, groups: [] })}
            options={(vpcs.data?.Vpcs.Vpc ?? []).map((v) => ({ value: v.VpcId, label: `${v.VpcName || v.VpcId} (${v.VpcId}, ${v.CidrBlock})` }))} />
        </Form.Item>
        <Form.Item name="vSwitchId" label={t('inst.vswitch')} rules={[{ required: true, message: t('inst.required', { field: t('inst.vswitch') }) }]}>
          <FormSelect loading={vswitches.isFetching} disabled={!vpcId}
            options={(vswitches.data?.VSwitches.VSwitch ?? []).map((s) => ({ value: s.VSwitchId, label: `${s.VSwitchName || s.VSwitchId} (${s.ZoneId}, ${s.CidrBlock})` }))} />
        </Form.Item>
        <Form.Item name="groups" label={t('inst.groups')} extra={t('inst.groupsMax')}
          rules={[{ required: true, type: 'array', min: 1, max: 5, message: t('inst.groupsMax') }]}>
          <FormSelect mode="multiple" disabled={!vpcId} loading={groups.isFetching} optionFilterProp="label"
            options={(groups.data ?? []).map((g) => ({ value: g.SecurityGroupId, label: `${g.SecurityGroupName || g.SecurityGroupId} (${g.SecurityGroupId})` }))} />
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
    {
      title: t('inst.ips'), key: 'ips', render: (_: unknown, i: Instance) => (
        <Space direction="vertical" size={0}>
          <span>{publicIp(i) === '' ? '—' : `${publicIp(i)} ${t('inst.ipPublic')}`}</span>
          <span>{`${privateIp(i)} ${t('inst.ipPrivate')}`}</span>
        </Space>
      ),
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
    <ContrastTheme>
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
        <Table<Instance> rowKey="InstanceId" size="middle" loading={list.isPending} dataSource={rows} columns={columns}
          rowSelection={{ selectedRowKeys: selected, onChange: (k) => setSelected(k.map(String)), getCheckboxProps: (i) => rowCheckbox(t('inst.selectRow', { id: i.InstanceId })) }}
          locale={{ emptyText: <Empty description={nameFilter ? t('inst.emptyFiltered') : t('inst.empty', { region })} /> }}
          pagination={{ current: page.number, pageSize: page.size, total: list.data?.TotalCount ?? 0, showSizeChanger: true, pageSizeOptions: [10, 20, 50, 100],
            showTotal: (n) => t('inst.total', { n }), onChange: (number, size) => setPage({ number, size }) }} />
      )}
      {roles.isError && <Alert style={{ marginTop: 12 }} type="warning" showIcon message={t('inst.rolesUnavailable')} />}
      <ReplaceGroupsModal region={region} instances={replaceFor ?? []} open={replaceFor !== undefined} onClose={() => { setReplaceFor(undefined); setSelected([]); }} />
      <CreateInstanceModal region={region} open={creating} onClose={(id) => { setCreating(false); if (id !== undefined) void message.success(t('inst.created', { id })); }} />
    </ContrastTheme>
  );
}
