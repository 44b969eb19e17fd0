// What the Instances list, the instance details page and the Key Pairs page share: the wire shapes of
// DescribeInstances / DescribeSecurityGroups / DescribeKeyPairs, the status tag, the start / stop /
// restart mutation, reading every instance of a region (the API pages at 100), and the "Replace
// Security Group for Instances" dialog (ModifyInstanceAttribute SecurityGroupIds.N for one or several
// instances at once, guide §1.9).
import { useState } from 'react';
import { Alert, Form, Modal, Select, Tag, Typography, type SelectProps } from 'antd';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { call } from '../api.ts';
import { useT, type T } from '../i18n/index.tsx';
import { ApiErrorAlert } from './ApiErrorAlert.tsx';

export interface Instance {
  InstanceId: string;
  InstanceName: string;
  RegionId: string;
  ZoneId: string;
  Status: string;
  ImageId: string;
  OSType: 'linux' | 'windows';
  InstanceType: string;
  InstanceNetworkType: 'vpc' | 'classic';
  CreationTime: string;
  KeyPairName: string;
  EffectiveKeyPairName: string;
  KeyPairChangePending: boolean;
  PasswordLogonEnabled?: boolean;
  SecurityGroupIds: { SecurityGroupId: string[] };
  VpcAttributes: { VpcId: string; VSwitchId: string; PrivateIpAddress: { IpAddress: string[] } };
  InnerIpAddress: { IpAddress: string[] };
  PublicIpAddress: { IpAddress: string[] };
  InternetMaxBandwidthOut: number;
  MetadataOptions: { HttpEndpoint: string; HttpTokens: string };
}

export interface InstancesPage { TotalCount: number; PageNumber: number; PageSize: number; Instances: { Instance: Instance[] } }

export interface SecurityGroup { SecurityGroupId: string; SecurityGroupName: string; SecurityGroupType?: string; VpcId?: string; Description?: string }
export interface SecurityGroupsPage { TotalCount: number; SecurityGroups: { SecurityGroup: SecurityGroup[] } }

export interface RamRoleSets { InstanceRamRoleSets: { InstanceRamRoleSet: Array<{ InstanceId: string; RamRoleName: string }> } }

/** A batch answer's per-instance result (AttachKeyPair, AttachInstanceRamRole, …). */
export interface BatchResult { InstanceId: string; Success: string | boolean; Code?: string; Message?: string }

export const privateIp = (i: Instance): string => i.VpcAttributes.PrivateIpAddress.IpAddress[0] ?? i.InnerIpAddress.IpAddress[0] ?? '';
export const publicIp = (i: Instance): string => i.PublicIpAddress.IpAddress[0] ?? '';

// solid dark tags: antd's light presets (green, gold) fail WCAG contrast for their text
export const TAG_OK = '#237804';
export const TAG_WARN = '#874d00';
const STATUS_COLOR: Record<string, string> = { Running: TAG_OK, Starting: '#0958d9', Stopping: TAG_WARN, Pending: '#0958d9' };

export function StatusTag({ status }: { status: string }) {
  const t = useT();
  const known = ['Running', 'Stopped', 'Starting', 'Stopping', 'Pending'].includes(status);
  return <Tag color={STATUS_COLOR[status] ?? 'default'}>{known ? t(`inst.status.${status}` as 'inst.status.Running') : status}</Tag>;
}

/** The key pair column: the key in force, and the one bound or unbound that waits for a restart. */
export function KeyPairCell({ i }: { i: Instance }) {
  const t = useT();
  if (!i.KeyPairChangePending) return <>{i.KeyPairName === '' ? '—' : i.KeyPairName}</>;
  return (
    <span>
      {i.EffectiveKeyPairName === '' ? '—' : i.EffectiveKeyPairName}{' '}
      <Tag color={TAG_WARN} data-testid="key-pending">{i.KeyPairName === '' ? t('inst.keyPendingUnbind') : t('inst.keyPending', { name: i.KeyPairName })}</Tag>
    </span>
  );
}

/** Every instance of a region, page after page (the API's pages hold at most 100). */
export async function allInstances(region: string): Promise<Instance[]> {
  const out: Instance[] = [];
  for (let page = 1; ; page++) {
    const r = await call<InstancesPage>('ecs', 'DescribeInstances', { RegionId: region, PageNumber: page, PageSize: 100 });
    out.push(...r.Instances.Instance);
    if (out.length >= r.TotalCount || r.Instances.Instance.length === 0) return out;
  }
}

/**
 * Every security group an instance of this network may join: those of the VPC, or for an empty
 * vpcId (a classic-network instance) the region's classic-network groups.
 */
export async function groupsOf(region: string, vpcId: string): Promise<SecurityGroup[]> {
  const out: SecurityGroup[] = [];
  const network = vpcId === '' ? { NetworkType: 'classic' } : { VpcId: vpcId };
  for (let page = 1; ; page++) {
    const r = await call<SecurityGroupsPage>('ecs', 'DescribeSecurityGroups', { RegionId: region, ...network, PageNumber: page, PageSize: 50 });
    out.push(...r.SecurityGroups.SecurityGroup);
    if (out.length >= r.TotalCount || r.SecurityGroups.SecurityGroup.length === 0) return out;
  }
}

/** After a write to instances: every list and detail of them is refetched. */
export function invalidateInstances(qc: QueryClient): Promise<void> {
  return qc.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'instances' || q.queryKey[0] === 'instance' || q.queryKey[0] === 'keypairs' });
}

export type StateVerb = 'StartInstance' | 'StopInstance' | 'RebootInstance';

/** Start / stop / restart of one or several instances, one call each; the first refusal is the mutation's error. */
export function useStateChange() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ verb, ids }: { verb: StateVerb; ids: string[] }) => {
      for (const id of ids) await call('ecs', verb, { InstanceId: id });
    },
    onSettled: () => invalidateInstances(qc),
  });
}

export function verbLabel(t: T, verb: StateVerb): string {
  return verb === 'StartInstance' ? t('inst.start') : verb === 'StopInstance' ? t('inst.stop') : t('inst.restart');
}

/**
 * Replace Security Group for Instances (guide §1.9): the new groups (one to five, of one type, in
 * the instances' VPC) replace all of each instance's groups, one ModifyInstanceAttribute each.
 */
export function ReplaceGroupsModal({ region, instances, open, onClose }: { region: string; instances: Instance[]; open: boolean; onClose: () => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [chosen, setChosen] = useState<string[]>([]);
  const vpcs = [...new Set(instances.map((i) => i.VpcAttributes.VpcId))];
  const sameVpc = vpcs.length === 1;
  const groups = useQuery({
    queryKey: ['instances', 'groupsOfVpc', region, vpcs[0] ?? ''],
    queryFn: () => groupsOf(region, vpcs[0] ?? ''),
    enabled: open && sameVpc,
  });
  const replace = useMutation({
    mutationFn: async () => {
      const failed: Array<{ id: string; error: unknown }> = [];
      for (const i of instances) {
        const params: Record<string, string> = { InstanceId: i.InstanceId };
        chosen.forEach((g, n) => { params[`SecurityGroupIds.${n + 1}`] = g; });
        try { await call('ecs', 'ModifyInstanceAttribute', params); } catch (error) { failed.push({ id: i.InstanceId, error }); }
      }
      if (failed.length > 0) throw failed[0]!.error;
    },
    onSettled: () => invalidateInstances(qc),
    onSuccess: () => { setChosen([]); onClose(); },
  });
  const typeOf = (id: string) => groups.data?.find((g) => g.SecurityGroupId === id)?.SecurityGroupType ?? 'normal';
  const mixed = new Set(chosen.map(typeOf)).size > 1;
  return (
    <Modal open={open} title={t('inst.replaceTitle')} okText={t('inst.replaceOk')} cancelText={t('common.cancel')}
      onCancel={() => { replace.reset(); onClose(); }} onOk={() => replace.mutate()} confirmLoading={replace.isPending}
      okButtonProps={{ disabled: !sameVpc || chosen.length === 0 || chosen.length > 5 || mixed }} destroyOnClose>
      <Typography.Paragraph>{t('inst.replaceText', { ids: instances.map((i) => i.InstanceId).join(', ') })}</Typography.Paragraph>
      {!sameVpc && <Alert type="warning" showIcon message={t('inst.replaceSameVpc')} />}
      {groups.isError && <ApiErrorAlert error={groups.error} />}
      <Form layout="vertical">
        <Form.Item label={t('inst.selectGroups')} htmlFor="replace-groups" help={mixed ? t('inst.groupsMixed') : t('inst.groupsMax')} validateStatus={mixed || chosen.length > 5 ? 'error' : undefined}>
          <Select id="replace-groups" mode="multiple" value={chosen} onChange={setChosen} loading={groups.isPending && sameVpc}
            options={(groups.data ?? []).map((g) => ({ value: g.SecurityGroupId, label: `${g.SecurityGroupName || g.SecurityGroupId} (${g.SecurityGroupId}, ${g.SecurityGroupType === 'enterprise' ? t('inst.groupAdvanced') : t('inst.groupBasic')})` }))}
            optionFilterProp="label" />
        </Form.Item>
      </Form>
      {replace.isError && <ApiErrorAlert error={replace.error} />}
    </Modal>
  );
}

/**
 * A row checkbox's accessible name (antd passes it on to the input; its props type has no aria-*,
 * hence the variable rather than a literal).
 */
export function rowCheckbox(label: string): { name: string } {
  const props = { name: label, 'aria-label': label };
  return props;
}

/**
 * A Select for a required Form.Item: Form.Item hands `aria-required` to its control, and antd's Select
 * puts it on its wrapper div too, where ARIA does not allow it (axe: aria-allowed-attr). The label's
 * required mark stays.
 */
export function FormSelect(props: SelectProps & { 'aria-required'?: string }) {
  const rest: SelectProps & { 'aria-required'?: string } = { ...props };
  delete rest['aria-required'];
  return <Select {...rest} />;
}


/** The failed entries of a batch answer, as lines `i-…: Code Message`. */
export function failedResults(results: BatchResult[]): string[] {
  return results.filter((r) => r.Success !== true && r.Success !== 'true').map((r) => `${r.InstanceId}: ${r.Code ?? ''} ${r.Message ?? ''}`.trim());
}
