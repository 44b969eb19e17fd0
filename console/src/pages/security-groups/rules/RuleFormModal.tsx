// Add Security Group Rule / Modify (ECS security guide §1.7, §1.11.2). Adding: the protocol picker
// fills the port range; a custom TCP/UDP entry takes several ranges (`22/23,443/443`), and up to
// 10 authorization objects separated by commas; every (range × object) becomes one rule and all
// go in ONE AuthorizeSecurityGroup(Egress) call (Permissions.N). Modifying: one rule, through
// ModifySecurityGroupRule (or …EgressRule) by its SecurityGroupRuleId. Advanced groups have no
// priority, no Forbid and no group authorization; a classic group's internal inbound rules by CIDR
// take single addresses (`a.b.c.d/32`) only.
import { useEffect, useMemo } from 'react';
import { AutoComplete, Form, Input, InputNumber, Modal, Radio, Select, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { call } from '../../../api.ts';
import { useT } from '../../../i18n/index.tsx';
import { ApiErrorAlert } from '../../../components/ApiErrorAlert.tsx';
import type { SecurityGroupInfo } from '../types.ts';
import {
  MAX_OBJECTS, PROTOCOL_TYPES, authorizeAction, expand, modifyAction, peerOf, permissionsParams, protocolType, protocolTypeOfRule,
  ruleFields, splitList, validCidr, validPortRange, type RuleEntry, type RuleTab, type WirePermission,
} from './model.ts';
import { RiskWarning } from './RiskWarning.tsx';
import { useInvalidateRules, useSameNetworkGroups } from './queries.ts';

interface FormValues {
  policy: 'accept' | 'drop';
  priority: number;
  protocolType: string;
  portRange: string;
  authType: 'cidr' | 'group';
  objects: string;
  groupId: string;
  groupOwnerAccount: string;
  description: string;
}

/** Group authorization is for internal networks: not on a classic group's internet NIC, not in advanced groups. */
export function groupAuthAllowed(group: SecurityGroupInfo, tab: RuleTab): boolean {
  return group.type !== 'enterprise' && !(group.networkType === 'classic' && tab.nicType === 'internet');
}

/** Classic internal inbound by CIDR: single addresses only. */
export function onlySingleAddresses(group: SecurityGroupInfo, tab: RuleTab): boolean {
  return group.networkType === 'classic' && tab.direction === 'ingress' && tab.nicType === 'intranet';
}

function initialValues(editing: WirePermission | undefined): FormValues {
  if (editing === undefined) {
    return { policy: 'accept', priority: 1, protocolType: 'tcp', portRange: '', authType: 'cidr', objects: '', groupId: '', groupOwnerAccount: '', description: '' };
  }
  const peer = peerOf(editing);
  const pt = protocolTypeOfRule(editing);
  return {
    policy: editing.Policy.toLowerCase() === 'drop' ? 'drop' : 'accept', priority: Number(editing.Priority) || 1,
    protocolType: pt.id, portRange: editing.PortRange, authType: peer.kind === 'group' ? 'group' : 'cidr',
    objects: peer.kind === 'cidr' ? peer.id : '', groupId: peer.kind === 'group' ? peer.id : '', groupOwnerAccount: peer.account ?? '',
    description: editing.Description,
  };
}

export function RuleFormModal({ group, tab, editing, open, onClose }: {
  group: SecurityGroupInfo; tab: RuleTab; editing?: WirePermission | undefined; open: boolean; onClose: () => void;
}) {
  const t = useT();
  const [form] = Form.useForm<FormValues>();
  const invalidate = useInvalidateRules(group);
  const advanced = group.type === 'enterprise';
  const groupAuth = groupAuthAllowed(group, tab);
  const single32 = onlySingleAddresses(group, tab);
  const peers = useSameNetworkGroups(group, open && groupAuth);

  useEffect(() => {
    if (open) form.setFieldsValue(initialValues(editing));
  }, [open, editing, form]);

  const ptId = Form.useWatch('protocolType', form) ?? 'tcp';
  const portRange = Form.useWatch('portRange', form) ?? '';
  const authType = Form.useWatch('authType', form) ?? 'cidr';
  const objectsText = Form.useWatch('objects', form) ?? '';
  const policy = Form.useWatch('policy', form) ?? 'accept';
  const pt = protocolType(ptId);
  const fixedPorts = pt.ports !== undefined;

  const peerOptions = useMemo(() => (peers.data ?? [])
    .filter((g) => g.SecurityGroupId !== group.securityGroupId && (group.networkType === 'classic' || g.VpcId === group.vpcId))
    .map((g) => ({ value: g.SecurityGroupId, label: `${g.SecurityGroupId} (${g.SecurityGroupName || '-'})` })), [peers.data, group]);

  const save = useMutation({
    mutationFn: async (v: FormValues) => {
      const p = protocolType(v.protocolType);
      const entry: RuleEntry = {
        direction: tab.direction, nicType: tab.nicType, policy: advanced ? 'accept' : v.policy, priority: v.priority ?? 1, protocol: p.protocol,
        ranges: p.ports !== undefined ? [p.ports] : splitList(v.portRange),
        authType: groupAuth ? v.authType : 'cidr', objects: v.authType === 'group' && groupAuth ? [v.groupId.trim()] : splitList(v.objects),
        groupOwnerAccount: (v.groupOwnerAccount ?? '').trim(), description: v.description ?? '',
      };
      const base = { RegionId: group.regionId, SecurityGroupId: group.securityGroupId };
      if (editing === undefined) {
        await call('ecs', authorizeAction(tab.direction), { ...base, ...permissionsParams(expand(entry, group)) });
        return;
      }
      const fields = ruleFields(entry, entry.ranges[0]!, entry.objects[0]!, group);
      // the peer fields the rule had and no longer has are cleared (a modify keeps what it is not given)
      const side = tab.direction === 'ingress' ? 'Source' : 'Dest';
      for (const f of [`${side}CidrIp`, `${side}GroupId`]) if (fields[f] === undefined) fields[f] = '';
      if (fields['Description'] === undefined) fields['Description'] = '';
      await call('ecs', modifyAction(tab.direction), { ...base, SecurityGroupRuleId: editing.SecurityGroupRuleId, ...fields });
    },
    onSuccess: async () => { await invalidate(); close(); },
  });

  function close() {
    save.reset();
    form.resetFields();
    onClose();
  }

  const rangesForRisk = fixedPorts ? [pt.ports!] : splitList(portRange);
  const objectsForRisk = authType === 'cidr' ? splitList(objectsText) : [];
  const title = editing === undefined ? t('sgRules.addTitle', { direction: t(tab.label) }) : t('sgRules.modifyTitle', { id: editing.SecurityGroupRuleId });

  return (
    <Modal open={open} title={title} onCancel={close} okText={t('common.ok')} cancelText={t('common.cancel')} forceRender width={640}
      onOk={() => { form.submit(); }} confirmLoading={save.isPending}>
      <Form form={form} name="sg-rule" layout="vertical" onFinish={(v) => save.mutate(v)} initialValues={initialValues(editing)}>
        {!advanced && (
          <Form.Item name="policy" label={t('sgRules.action')}>
            <Radio.Group optionType="button" options={[{ value: 'accept', label: t('sgRules.allow') }, { value: 'drop', label: t('sgRules.forbid') }]} />
          </Form.Item>
        )}
        {!advanced && (
          <Form.Item name="priority" label={t('sgRules.priority')} extra={t('sgRules.priorityHelp')} rules={[{ required: true, type: 'integer', min: 1, max: 100, message: t('sgRules.priorityInvalid') }]}>
            <InputNumber min={1} max={100} precision={0} />
          </Form.Item>
        )}
        <Form.Item name="protocolType" label={t('sgRules.protocolType')}>
          <Select showSearch optionFilterProp="label" options={PROTOCOL_TYPES.map((p) => ({ value: p.id, label: p.label }))}
            onChange={(id: string) => { const p = protocolType(id); form.setFieldValue('portRange', p.ports ?? ''); }} />
        </Form.Item>
        <Form.Item name="portRange" label={t('sgRules.portRange')} extra={fixedPorts ? undefined : (editing === undefined ? t('sgRules.portRangeHelpMany') : t('sgRules.portRangeHelp'))}
          rules={fixedPorts ? [] : [{
            validator: async (_, value: string | undefined) => {
              const ranges = splitList(value);
              if (ranges.length === 0) throw new Error(t('sgRules.portRangeRequired'));
              if (editing !== undefined && ranges.length > 1) throw new Error(t('sgRules.portRangeOne'));
              const bad = ranges.find((r) => !validPortRange(r));
              if (bad !== undefined) throw new Error(t('sgRules.portRangeInvalid', { value: bad }));
            },
          }]}>
          <Input disabled={fixedPorts} placeholder="22/23,443/443" />
        </Form.Item>
        {groupAuth && (
          <Form.Item name="authType" label={t('sgRules.authType')}>
            <Radio.Group options={[{ value: 'cidr', label: t('sgRules.authCidr') }, { value: 'group', label: t('sgRules.authGroup') }]} />
          </Form.Item>
        )}
        {(!groupAuth || authType === 'cidr') ? (
          <Form.Item name="objects" label={t('sgRules.authObject')}
            extra={single32 ? t('sgRules.objectsHelp32') : (editing === undefined ? t('sgRules.objectsHelp', { max: MAX_OBJECTS }) : undefined)}
            rules={[{
              validator: async (_, value: string | undefined) => {
                const objects = splitList(value);
                if (objects.length === 0) throw new Error(t('sgRules.objectsRequired'));
                if (objects.length > (editing === undefined ? MAX_OBJECTS : 1)) throw new Error(t('sgRules.objectsTooMany', { max: editing === undefined ? MAX_OBJECTS : 1 }));
                const bad = objects.find((o) => !validCidr(o));
                if (bad !== undefined) throw new Error(t('sgRules.objectInvalid', { value: bad }));
                const wide = objects.find((o) => !o.endsWith('/32'));
                if (single32 && wide !== undefined) throw new Error(t('sgRules.objectNot32', { value: wide }));
              },
            }]}>
            <Input placeholder={single32 ? '10.0.0.5/32' : '10.0.0.0/8, 192.168.1.1/32'} />
          </Form.Item>
        ) : (
          <>
            <Form.Item name="groupId" label={t('sgRules.authGroupId')} rules={[{ required: true, whitespace: true, message: t('sgRules.groupRequired') }]}>
              <AutoComplete options={peerOptions} placeholder="sg-…" filterOption={(input, o) => String(o?.value ?? '').includes(input)} />
            </Form.Item>
            <Form.Item name="groupOwnerAccount" label={t('sgRules.accountId')} extra={t('sgRules.accountIdHelp')}>
              <Input />
            </Form.Item>
          </>
        )}
        <Form.Item name="description" label={t('sgRules.description')} rules={[{ max: 512 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        {tab.direction === 'ingress' && policy === 'accept' && <RiskWarning protocol={pt.protocol} ranges={rangesForRisk} objects={objectsForRisk} />}
        {editing === undefined && (
          <Typography.Paragraph type="secondary" data-testid="rule-count">
            {t('sgRules.willAdd', { count: Math.max(1, rangesForRisk.length) * Math.max(1, authType === 'group' && groupAuth ? 1 : objectsForRisk.length) })}
          </Typography.Paragraph>
        )}
        {save.isError && <ApiErrorAlert error={save.error} />}
      </Form>
    </Modal>
  );
}
