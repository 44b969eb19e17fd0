// Clone (SPEC §1.10.3): a copy of a group in a destination region and network type (classic, or a
// VPC of that region) under a new name, by Parapet's CloneSecurityGroup (product parapet). The
// dialog says what is copied and what is not (src/domain/sg-clone.ts), and after OK how many rules
// were copied and which were skipped, and why.
import { useState } from 'react';
import { Alert, Button, Form, Input, List, Modal, Radio, Result, Select, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call } from '../../api.ts';
import { useT } from '../../i18n/index.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { invalidateGroups, useRegions, useVpcs } from './queries.ts';
import type { NetworkType, WireGroup } from './types.ts';

interface Values { destinationRegion: string; name: string; networkType: NetworkType; vpcId?: string }

interface Skipped { Code: string; Message: string; Permission?: { IpProtocol?: string; PortRange?: string; Direction?: string; SourceCidrIp?: string; DestCidrIp?: string; SourceGroupId?: string; DestGroupId?: string } }
interface CloneAnswer { SecurityGroupId: string; ClonedCount: number; SkippedRules?: { SkippedRule: Skipped[] } }

/**
 * A value is required. Written as a validator, not `required`: antd would put aria-required on the
 * Select's outer div, which has no role that allows it (axe: aria-allowed-attr).
 */
const chosen = (message: string) => (_: unknown, value: unknown) => (value ? Promise.resolve() : Promise.reject(new Error(message)));

export function CloneGroupModal({ region, group, onClose }: { region: string; group: WireGroup | undefined; onClose: () => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const regions = useRegions();
  const destination = Form.useWatch('destinationRegion', form) ?? region;
  const networkType = Form.useWatch('networkType', form) ?? 'vpc';
  const vpcs = useVpcs(destination, group !== undefined && networkType === 'vpc');
  const [done, setDone] = useState<{ answer: CloneAnswer; region: string } | undefined>(undefined);
  const advanced = group?.SecurityGroupType === 'enterprise';

  const clone = useMutation({
    mutationFn: (v: Values) => call<CloneAnswer>('parapet', 'CloneSecurityGroup', {
      RegionId: region, SecurityGroupId: group?.SecurityGroupId, DestinationRegionId: v.destinationRegion, NetworkType: v.networkType,
      DestinationVpcId: v.networkType === 'vpc' ? v.vpcId : undefined, SecurityGroupName: v.name.trim(),
    }),
    onSuccess: async (answer, v) => {
      setDone({ answer, region: v.destinationRegion });
      await invalidateGroups(qc);
    },
  });
  function close() {
    clone.reset();
    setDone(undefined);
    onClose();
  }
  const submit = async () => {
    const v = await form.validateFields();
    clone.mutate(v);
  };
  const regionOptions = (regions.data?.Regions.Region ?? [{ RegionId: region }]).map((r) => ({
    value: r.RegionId, label: r.LocalName !== undefined && r.LocalName !== r.RegionId ? `${r.LocalName} (${r.RegionId})` : r.RegionId,
  }));
  const vpcOptions = (vpcs.data?.Vpcs.Vpc ?? []).map((v) => ({ value: v.VpcId, label: `${v.VpcId}${v.VpcName ? ` (${v.VpcName})` : ''}` }));
  const skipped = done?.answer.SkippedRules?.SkippedRule ?? [];

  return (
    <Modal open={group !== undefined} title={t('sgs.cloneTitle', { id: group?.SecurityGroupId ?? '' })} onCancel={close} width={640} destroyOnHidden
      footer={done !== undefined ? [<Button key="close" type="primary" onClick={close}>{t('sgs.close')}</Button>] : undefined}
      onOk={() => void submit()} okText={t('common.ok')} cancelText={t('common.cancel')} confirmLoading={clone.isPending}>
      {done !== undefined ? (
        <Result status="success" title={t('sgs.cloned', { id: done.answer.SecurityGroupId, region: done.region })}
          subTitle={t('sgs.clonedCount', { count: done.answer.ClonedCount })}
          extra={<Link to={`/security-groups/${done.answer.SecurityGroupId}?region=${encodeURIComponent(done.region)}`} onClick={close}>{t('sgs.openClone')}</Link>}>
          {skipped.length > 0 && (
            <List size="small" header={<Typography.Text strong>{t('sgs.skippedRules', { count: skipped.length })}</Typography.Text>} data-testid="clone-skipped"
              dataSource={skipped} renderItem={(s) => (
                <List.Item>
                  <Typography.Text>{[s.Permission?.Direction, s.Permission?.IpProtocol, s.Permission?.PortRange, s.Permission?.SourceCidrIp || s.Permission?.DestCidrIp || s.Permission?.SourceGroupId || s.Permission?.DestGroupId].filter(Boolean).join(' ')}</Typography.Text>
                  {' — '}<code>{s.Code}</code> {s.Message}
                </List.Item>
              )} />
          )}
        </Result>
      ) : group !== undefined && (
        <>
          <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('sgs.cloneWhat')}
            description={<><div>{t('sgs.cloneCopied')}</div><div>{t('sgs.cloneNotCopied')}</div></>} />
          <Form form={form} layout="vertical" preserve={false}
            initialValues={{ destinationRegion: region, name: `${group.SecurityGroupName || group.SecurityGroupId}-copy`.slice(0, 128), networkType: 'vpc' }}
            onValuesChange={(changed: Partial<Values>) => { if ('destinationRegion' in changed) form.setFieldValue('vpcId', undefined); }}>
            <Form.Item name="destinationRegion" label={t('sgs.destinationRegion')}>
              <Select aria-label={t('sgs.destinationRegion')} options={regionOptions} loading={regions.isPending} showSearch />
            </Form.Item>
            <Form.Item name="name" label={t('sgs.name')} extra={t('sgs.nameRule')} rules={[{ required: true, message: t('sgs.nameRequired') }, { max: 128, message: t('sgs.nameRule') }]}>
              <Input maxLength={128} />
            </Form.Item>
            <Form.Item name="networkType" label={t('sgs.networkType')} extra={advanced ? t('sgs.advancedNeedsVpc') : undefined}>
              <Radio.Group options={[{ value: 'vpc', label: t('sgs.vpc') }, { value: 'classic', label: t('sgs.classic'), disabled: advanced }]} />
            </Form.Item>
            {networkType === 'vpc' && (
              <Form.Item name="vpcId" label={t('sgs.vpcId')} rules={[{ validator: chosen(t('sgs.vpcRequired')) }]}
                extra={vpcs.isSuccess && vpcOptions.length === 0 ? t('sgs.noVpcIn', { region: destination }) : undefined}>
                <Select aria-label={t('sgs.vpcId')} options={vpcOptions} loading={vpcs.isPending} />
              </Form.Item>
            )}
            {vpcs.isError && <ApiErrorAlert error={vpcs.error} onRetry={() => void vpcs.refetch()} />}
          </Form>
          {clone.isError && <ApiErrorAlert error={clone.error} />}
        </>
      )}
    </Modal>
  );
}
