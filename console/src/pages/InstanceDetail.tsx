// /console/instances/:id — one instance: its attributes, start / stop / restart, allocate a public IP,
// key pair bind / unbind (in force at the next restart, which the page offers), RAM role attach /
// replace / detach, metadata access mode (normal or hardened: HttpTokens required); and the
// Security Groups tab: Add to Security Group (several at once, JoinSecurityGroup each), Remove
// (LeaveSecurityGroup), Replace (ModifyInstanceAttribute SecurityGroupIds.N).
import { useState } from 'react';
import { App, Alert, Button, Descriptions, Empty, Form, Modal, Radio, Select, Space, Spin, Table, Tabs, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { call } from '../api.ts';
import { useT } from '../i18n/index.tsx';
import { formatDate } from '../format.ts';
import { useRegion, useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { AgentCell } from './security-center/AgentCell.tsx';
import {
  failedResults, groupsOf, invalidateInstances, KeyPairCell, privateIp, publicIp, ReplaceGroupsModal, StatusTag, useStateChange, verbLabel,
  type BatchResult, type Instance, type RamRoleSets, type SecurityGroup, type StateVerb,
} from '../components/InstanceParts.tsx';

type Dialog = 'addGroups' | 'replace' | 'keyPair' | 'ramRole' | 'metadata' | undefined;

function AddGroupsModal({ instance, region, open, onClose }: { instance: Instance; region: string; open: boolean; onClose: () => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [chosen, setChosen] = useState<string[]>([]);
  const groups = useQuery({ queryKey: ['instances', 'groupsOfVpc', region, instance.VpcAttributes.VpcId], enabled: open, queryFn: () => groupsOf(region, instance.VpcAttributes.VpcId) });
  const candidates = (groups.data ?? []).filter((g) => !instance.SecurityGroupIds.SecurityGroupId.includes(g.SecurityGroupId));
  const join = useMutation({
    mutationFn: async () => { for (const g of chosen) await call('ecs', 'JoinSecurityGroup', { InstanceId: instance.InstanceId, SecurityGroupId: g }); },
    onSettled: () => invalidateInstances(qc),
    onSuccess: () => { setChosen([]); onClose(); },
  });
  return (
    <Modal open={open} title={t('inst.addToGroup')} okText={t('common.ok')} cancelText={t('common.cancel')} destroyOnClose
      onCancel={() => { join.reset(); onClose(); }} onOk={() => join.mutate()} confirmLoading={join.isPending} okButtonProps={{ disabled: chosen.length === 0 }}>
      <Typography.Paragraph>{t('inst.addToGroupText')}</Typography.Paragraph>
      {groups.isError && <ApiErrorAlert error={groups.error} />}
      <Form layout="vertical">
        <Form.Item label={t('inst.selectGroups')} htmlFor="add-groups">
          <Select id="add-groups" mode="multiple" value={chosen} onChange={setChosen} loading={groups.isPending} optionFilterProp="label"
            options={candidates.map((g) => ({ value: g.SecurityGroupId, label: `${g.SecurityGroupName || g.SecurityGroupId} (${g.SecurityGroupId})` }))} />
        </Form.Item>
      </Form>
      {join.isError && <ApiErrorAlert error={join.error} />}
    </Modal>
  );
}

function KeyPairModal({ instance, region, open, onClose }: { instance: Instance; region: string; open: boolean; onClose: () => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [name, setName] = useState<string | undefined>();
  const keys = useQuery({ queryKey: ['keypairs', 'names', region], enabled: open, queryFn: () => call<{ KeyPairs: { KeyPair: Array<{ KeyPairName: string }> } }>('ecs', 'DescribeKeyPairs', { RegionId: region, PageSize: 50 }) });
  const bind = useMutation({
    mutationFn: async (action: 'AttachKeyPair' | 'DetachKeyPair') => {
      const keyPairName = action === 'AttachKeyPair' ? name : instance.KeyPairName;
      const r = await call<{ Results: { Result: BatchResult[] } }>('ecs', action, { RegionId: region, KeyPairName: keyPairName, InstanceIds: JSON.stringify([instance.InstanceId]) });
      const failed = failedResults(r.Results.Result);
      if (failed.length > 0) throw new Error(failed.join('; '));
    },
    onSettled: () => invalidateInstances(qc),
    onSuccess: () => { setName(undefined); onClose(); },
  });
  return (
    <Modal open={open} title={t('inst.keyPairTitle')} footer={null} onCancel={() => { bind.reset(); onClose(); }} destroyOnClose>
      {instance.OSType === 'windows' ? <Alert type="info" showIcon message={t('kp.windowsReason')} /> : (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph>{t('inst.keyPairRestartNote')}</Typography.Paragraph>
          <Form layout="vertical">
            <Form.Item label={t('inst.keyPair')} htmlFor="bind-key-pair">
              <Select id="bind-key-pair" value={name} onChange={setName} loading={keys.isPending}
                options={(keys.data?.KeyPairs.KeyPair ?? []).map((k) => ({ value: k.KeyPairName, label: k.KeyPairName }))} />
            </Form.Item>
          </Form>
          <Space>
            <Button type="primary" disabled={name === undefined} loading={bind.isPending && bind.variables === 'AttachKeyPair'} onClick={() => bind.mutate('AttachKeyPair')}>{t('kp.bind')}</Button>
            <Button danger disabled={instance.KeyPairName === ''} loading={bind.isPending && bind.variables === 'DetachKeyPair'} onClick={() => bind.mutate('DetachKeyPair')}>
              {instance.KeyPairName === '' ? t('kp.unbind') : t('inst.unbindNamed', { name: instance.KeyPairName })}
            </Button>
          </Space>
          {keys.isError && <ApiErrorAlert error={keys.error} />}
          {bind.isError && <ApiErrorAlert error={bind.error} />}
        </Space>
      )}
    </Modal>
  );
}

function RamRoleModal({ instance, region, current, open, onClose }: { instance: Instance; region: string; current: string; open: boolean; onClose: () => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [action, setAction] = useState<'bind' | 'unbind'>('bind');
  const [role, setRole] = useState<string | undefined>();
  const roles = useQuery({ queryKey: ['ram', 'roles'], enabled: open, queryFn: () => call<{ Roles: { Role: Array<{ RoleName: string }> } }>('ram', 'ListRoles', { MaxItems: 100 }) });
  const apply = useMutation({
    mutationFn: async () => {
      const ids = JSON.stringify([instance.InstanceId]);
      if (action === 'unbind') {
        const r = await call<{ DetachInstanceRamRoleResults: { DetachInstanceRamRoleResult: BatchResult[] } }>('ecs', 'DetachInstanceRamRole', { RegionId: region, InstanceIds: ids, RamRoleName: current });
        const failed = failedResults(r.DetachInstanceRamRoleResults.DetachInstanceRamRoleResult);
        if (failed.length > 0) throw new Error(failed.join('; '));
        return;
      }
      // replacing: the role in force is detached first (an instance has one role)
      if (current !== '' && current !== role) {
        const d = await call<{ DetachInstanceRamRoleResults: { DetachInstanceRamRoleResult: BatchResult[] } }>('ecs', 'DetachInstanceRamRole', { RegionId: region, InstanceIds: ids, RamRoleName: current });
        const failed = failedResults(d.DetachInstanceRamRoleResults.DetachInstanceRamRoleResult);
        if (failed.length > 0) throw new Error(failed.join('; '));
      }
      const r = await call<{ AttachInstanceRamRoleResults: { AttachInstanceRamRoleResult: BatchResult[] } }>('ecs', 'AttachInstanceRamRole', { RegionId: region, InstanceIds: ids, RamRoleName: role });
      const failed = failedResults(r.AttachInstanceRamRoleResults.AttachInstanceRamRoleResult);
      if (failed.length > 0) throw new Error(failed.join('; '));
    },
    onSettled: () => invalidateInstances(qc),
    onSuccess: () => { setRole(undefined); onClose(); },
  });
  return (
    <Modal open={open} title={t('inst.ramRoleTitle')} okText={t('common.ok')} cancelText={t('common.cancel')} destroyOnClose
      onCancel={() => { apply.reset(); onClose(); }} onOk={() => apply.mutate()} confirmLoading={apply.isPending}
      okButtonProps={{ disabled: action === 'bind' ? role === undefined : current === '' }}>
      <Form layout="vertical">
        <Form.Item label={t('inst.ramRoleAction')}>
          <Radio.Group value={action} onChange={(e) => setAction(e.target.value as 'bind' | 'unbind')}>
            <Radio value="bind">{current === '' ? t('inst.ramRoleBind') : t('inst.ramRoleReplace')}</Radio>
            <Radio value="unbind" disabled={current === ''}>{t('inst.ramRoleUnbind')}</Radio>
          </Radio.Group>
        </Form.Item>
        {action === 'bind' ? (
          <Form.Item label={t('inst.ramRole')} htmlFor="bind-ram-role">
            <Select id="bind-ram-role" value={role} onChange={setRole} loading={roles.isPending}
              options={(roles.data?.Roles.Role ?? []).map((r) => ({ value: r.RoleName, label: r.RoleName }))} />
          </Form.Item>
        ) : <Typography.Paragraph>{t('inst.ramRoleUnbindText', { name: current })}</Typography.Paragraph>}
      </Form>
      {roles.isError && <ApiErrorAlert error={roles.error} />}
      {apply.isError && <ApiErrorAlert error={apply.error} />}
    </Modal>
  );
}

function MetadataModal({ instance, region, open, onClose }: { instance: Instance; region: string; open: boolean; onClose: () => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [mode, setMode] = useState<'optional' | 'required'>(instance.MetadataOptions.HttpTokens === 'required' ? 'required' : 'optional');
  const apply = useMutation({
    mutationFn: () => call('ecs', 'ModifyInstanceMetadataOptions', { RegionId: region, InstanceId: instance.InstanceId, HttpTokens: mode, HttpEndpoint: 'enabled' }),
    onSettled: () => invalidateInstances(qc),
    onSuccess: () => onClose(),
  });
  return (
    <Modal open={open} title={t('inst.metadataTitle')} okText={t('common.ok')} cancelText={t('common.cancel')} destroyOnClose
      onCancel={() => { apply.reset(); onClose(); }} onOk={() => apply.mutate()} confirmLoading={apply.isPending}>
      <Radio.Group value={mode} onChange={(e) => setMode(e.target.value as 'optional' | 'required')}>
        <Space direction="vertical">
          <Radio value="optional">{t('inst.metadataNormal')} — {t('inst.metadataNormalHelp')}</Radio>
          <Radio value="required">{t('inst.metadataHardened')} — {t('inst.metadataHardenedHelp')}</Radio>
        </Space>
      </Radio.Group>
      {apply.isError && <ApiErrorAlert error={apply.error} />}
    </Modal>
  );
}

export default function InstanceDetail() {
  const t = useT();
  const { id = '' } = useParams();
  const { message, modal } = App.useApp();
  const [region] = useRegion();
  const link = useRegionLink();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<Dialog>();
  const inst = useQuery({ queryKey: ['instance', id], queryFn: () => call<Instance>('ecs', 'DescribeInstanceAttribute', { InstanceId: id, RegionId: region }) });
  const role = useQuery({
    queryKey: ['instance', id, 'role'],
    queryFn: () => call<RamRoleSets>('ecs', 'DescribeInstanceRamRole', { RegionId: region, InstanceIds: JSON.stringify([id]) }),
  });
  const i = inst.data;
  const groups = useQuery({
    queryKey: ['instance', id, 'groups', i?.VpcAttributes.VpcId], enabled: i !== undefined,
    queryFn: () => groupsOf(region, i?.VpcAttributes.VpcId ?? ''),
  });
  const state = useStateChange();
  const leave = useMutation({
    mutationFn: (g: string) => call('ecs', 'LeaveSecurityGroup', { InstanceId: id, SecurityGroupId: g }),
    onSettled: () => invalidateInstances(qc),
  });
  const allocate = useMutation({
    mutationFn: () => call<{ IpAddress: string }>('ecs', 'AllocatePublicIpAddress', { InstanceId: id }),
    onSettled: () => invalidateInstances(qc),
    onSuccess: (r) => { void message.success(t('inst.publicIpAllocated', { ip: r.IpAddress })); },
  });

  if (inst.isPending) return <Spin tip={t('common.loading')}><div style={{ minHeight: 200 }} /></Spin>;
  if (inst.isError || i === undefined) {
    return (
      <>
        <PageTitle title={t('route.instanceDetail')} />
        <ApiErrorAlert error={inst.error} onRetry={() => void inst.refetch()} />
        <Typography.Paragraph style={{ marginTop: 12 }}><Link to={link('instances')}>{t('inst.backToList')}</Link></Typography.Paragraph>
      </>
    );
  }
  const currentRole = role.data?.InstanceRamRoleSets.InstanceRamRoleSet.find((s) => s.InstanceId === id)?.RamRoleName ?? '';
  const memberGroups: SecurityGroup[] = i.SecurityGroupIds.SecurityGroupId.map((g) => groups.data?.find((x) => x.SecurityGroupId === g) ?? { SecurityGroupId: g, SecurityGroupName: '' });

  const changeState = (verb: StateVerb) => modal.confirm({
    title: t('inst.stateConfirmTitle', { action: verbLabel(t, verb) }),
    content: t('inst.stateConfirmText', { action: verbLabel(t, verb), ids: id }),
    okText: verbLabel(t, verb), cancelText: t('common.cancel'),
    onOk: () => state.mutateAsync({ verb, ids: [id] }).then(() => { void message.success(t('inst.stateDone', { action: verbLabel(t, verb) })); }, () => undefined),
  });
  const removeGroup = (g: SecurityGroup) => modal.confirm({
    title: t('inst.removeTitle'),
    content: t('inst.removeText', { group: g.SecurityGroupName ? `${g.SecurityGroupName} (${g.SecurityGroupId})` : g.SecurityGroupId, id }),
    okText: t('inst.remove'), okButtonProps: { danger: true }, cancelText: t('common.cancel'),
    onOk: () => leave.mutateAsync(g.SecurityGroupId).catch(() => undefined),
  });

  const errors = [state, leave, allocate].filter((m) => m.isError).map((m) => m.error);
  return (
    <>
      <PageTitle title={`${t('route.instanceDetail')}: ${i.InstanceName || i.InstanceId}`} extra={
        <Space>
          <Link to={link('instances')}>{t('inst.backToList')}</Link>
          {i.Status === 'Stopped' && <Button onClick={() => changeState('StartInstance')}>{t('inst.start')}</Button>}
          {i.Status === 'Running' && <Button onClick={() => changeState('StopInstance')}>{t('inst.stop')}</Button>}
          {i.Status === 'Running' && <Button onClick={() => changeState('RebootInstance')}>{t('inst.restart')}</Button>}
        </Space>
      } />
      {errors.map((e, n) => <div key={n} style={{ marginBottom: 12 }}><ApiErrorAlert error={e} /></div>)}
      {i.KeyPairChangePending && (
        <Alert style={{ marginBottom: 12 }} type="warning" showIcon data-testid="key-pending-alert"
          message={i.KeyPairName === '' ? t('inst.pendingUnbindAlert', { name: i.EffectiveKeyPairName }) : t('inst.pendingBindAlert', { name: i.KeyPairName })}
          description={i.Status === 'Running' ? t('inst.pendingRestartText') : t('inst.pendingStartText')}
          action={i.Status === 'Running' ? <Button type="primary" onClick={() => changeState('RebootInstance')}>{t('inst.restartNow')}</Button>
            : i.Status === 'Stopped' ? <Button onClick={() => changeState('StartInstance')}>{t('inst.start')}</Button> : undefined} />
      )}
      <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('inst.id')}>{i.InstanceId}</Descriptions.Item>
        <Descriptions.Item label={t('inst.name')}>{i.InstanceName || '—'}</Descriptions.Item>
        <Descriptions.Item label={t('inst.status')}><StatusTag status={i.Status} /></Descriptions.Item>
        <Descriptions.Item label={t('inst.zone')}>{i.ZoneId}</Descriptions.Item>
        <Descriptions.Item label={t('inst.image')}>{i.ImageId} ({i.OSType === 'windows' ? 'Windows' : 'Linux'})</Descriptions.Item>
        <Descriptions.Item label={t('inst.type')}>{i.InstanceType}</Descriptions.Item>
        <Descriptions.Item label={t('inst.network')}>{i.InstanceNetworkType === 'vpc' ? `${i.VpcAttributes.VpcId} / ${i.VpcAttributes.VSwitchId}` : t('inst.classic')}</Descriptions.Item>
        <Descriptions.Item label={t('inst.privateIp')}>{privateIp(i)}</Descriptions.Item>
        <Descriptions.Item label={t('inst.publicIp')}>
          <Space>
            <span data-testid="public-ip">{publicIp(i) || '—'}</span>
            {publicIp(i) === '' && (i.InternetMaxBandwidthOut > 0
              ? <Button size="small" loading={allocate.isPending} onClick={() => allocate.mutate()}>{t('inst.allocatePublicIp')}</Button>
              : <Typography.Text type="secondary">{t('inst.publicIpNeedsBandwidth')}</Typography.Text>)}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('inst.bandwidth')}>{i.InternetMaxBandwidthOut} Mbit/s</Descriptions.Item>
        <Descriptions.Item label={t('inst.keyPair')}>
          <Space><span data-testid="key-pair"><KeyPairCell i={i} /></span><Button size="small" onClick={() => setDialog('keyPair')}>{t('inst.keyPairManage')}</Button></Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('inst.ramRole')}>
          <Space><span data-testid="ram-role">{currentRole || '—'}</span><Button size="small" onClick={() => setDialog('ramRole')}>{t('inst.ramRoleManage')}</Button></Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('inst.metadata')}>
          <Space>
            <span data-testid="metadata-mode">{i.MetadataOptions.HttpTokens === 'required' ? <Typography.Text strong>{t('inst.metadataHardened')}</Typography.Text> : t('inst.metadataNormal')}</span>
            <Button size="small" onClick={() => setDialog('metadata')}>{t('inst.metadataManage')}</Button>
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('inst.agent.label')}><AgentCell instanceId={i.InstanceId} region={region} /></Descriptions.Item>
        <Descriptions.Item label={t('inst.created')}>{formatDate(i.CreationTime)}</Descriptions.Item>
      </Descriptions>
      {role.isError && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={role.error} /></div>}
      <Tabs items={[{
        key: 'groups', label: t('inst.tabGroups'), children: (
          <>
            <Space style={{ marginBottom: 12 }}>
              <Button type="primary" onClick={() => setDialog('addGroups')}>{t('inst.addToGroup')}</Button>
              <Button onClick={() => setDialog('replace')}>{t('inst.replace')}</Button>
            </Space>
            {groups.isError && <ApiErrorAlert error={groups.error} />}
            <Table<SecurityGroup> rowKey="SecurityGroupId" size="small" pagination={false} dataSource={memberGroups} loading={groups.isPending}
              locale={{ emptyText: <Empty description={t('inst.noGroups')} /> }}
              columns={[
                { title: t('inst.groupId'), key: 'id', render: (_: unknown, g) => <Link to={link(`security-groups/${g.SecurityGroupId}`)}>{g.SecurityGroupId}</Link> },
                { title: t('inst.groupName'), key: 'name', render: (_: unknown, g) => g.SecurityGroupName || '—' },
                { title: t('inst.groupType'), key: 'type', render: (_: unknown, g) => (g.SecurityGroupType === 'enterprise' ? t('inst.groupAdvanced') : t('inst.groupBasic')) },
                {
                  title: t('inst.actions'), key: 'actions', render: (_: unknown, g) => (
                    <Button size="small" type="link" aria-label={t('inst.removeFrom', { id: g.SecurityGroupId })} onClick={() => removeGroup(g)}>{t('inst.remove')}</Button>
                  ),
                },
              ]} />
          </>
        ),
      }]} />
      <AddGroupsModal instance={i} region={region} open={dialog === 'addGroups'} onClose={() => setDialog(undefined)} />
      <ReplaceGroupsModal instances={[i]} region={region} open={dialog === 'replace'} onClose={() => setDialog(undefined)} />
      <KeyPairModal instance={i} region={region} open={dialog === 'keyPair'} onClose={() => setDialog(undefined)} />
      <RamRoleModal instance={i} region={region} current={currentRole} open={dialog === 'ramRole'} onClose={() => setDialog(undefined)} />
      {dialog === 'metadata' && <MetadataModal instance={i} region={region} open onClose={() => setDialog(undefined)} />}
    </>
  );
}
