// "Block the source" of one alert (OperationSuspEvents Operation=deal), the user's choice: an
// anti-brute-force block at the alert's instance for a time (SubOperation=block_ip, ForbiddenTime
// from the allowed values), or an inbound Forbid rule for the source's /32 in a security group of
// the alert's region (SubOperation=block_ip_security_group, SecurityGroupId). The dialog names the
// source, the instance and what the choice will change; a refusal (RAM on the group) shows in it.
import { Form, Modal, Radio, Select, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call } from '../../api.ts';
import { useT } from '../../i18n/index.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { FormSelect, type SecurityGroupsPage } from '../../components/InstanceParts.tsx';
import { SAS_KEY, type SuspEvent } from '../../components/SasParts.tsx';
import { forbiddenLabel, FORBIDDEN_TIMES } from './BruteForceParts.tsx';

interface Values { how: 'block_ip' | 'block_ip_security_group'; minutes: number; group?: string }

export function BlockDialog({ alert, onClose }: { alert: SuspEvent; onClose: (done?: string) => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const how = Form.useWatch('how', form) ?? 'block_ip';
  const groups = useQuery({
    queryKey: ['securityGroups', 'forBlock', alert.RegionId],
    enabled: how === 'block_ip_security_group',
    queryFn: () => call<SecurityGroupsPage>('ecs', 'DescribeSecurityGroups', { RegionId: alert.RegionId, PageSize: 50 }),
  });
  const block = useMutation({
    mutationFn: (v: Values) => call('sas', 'OperationSuspEvents', {
      SuspiciousEventIds: String(alert.Id), Operation: 'deal', SubOperation: v.how,
      ...(v.how === 'block_ip' ? { ForbiddenTime: v.minutes } : { SecurityGroupId: v.group }),
    }),
    onSuccess: async (_r, v) => {
      await qc.invalidateQueries({ queryKey: [SAS_KEY] });
      onClose(v.how === 'block_ip' ? t('sas.block.doneIp', { ip: alert.SourceIp, instance: alert.InstanceId }) : t('sas.block.doneGroup', { ip: alert.SourceIp, group: v.group ?? '' }));
    },
  });
  return (
    <Modal open title={t('sas.block.title', { ip: alert.SourceIp })} okText={t('sas.al.block')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')}
      onCancel={() => onClose()} onOk={() => form.submit()} confirmLoading={block.isPending} destroyOnClose width={560}>
      <Typography.Paragraph>{t('sas.block.text', { ip: alert.SourceIp, instance: alert.InstanceId, id: alert.Id })}</Typography.Paragraph>
      <Form<Values> form={form} layout="vertical" preserve={false} initialValues={{ how: 'block_ip', minutes: 60 }} onFinish={(v) => block.mutate(v)} onValuesChange={() => block.reset()}>
        <Form.Item name="how" label={t('sas.block.how')}>
          <Radio.Group>
            <Radio value="block_ip">{t('sas.block.ip')}</Radio>
            <Radio value="block_ip_security_group">{t('sas.block.group')}</Radio>
          </Radio.Group>
        </Form.Item>
        {how === 'block_ip' ? (
          <Form.Item name="minutes" label={t('sas.block.minutes')} extra={t('sas.block.ipHelp', { ip: alert.SourceIp, instance: alert.InstanceId })}>
            <Select aria-label={t('sas.block.minutes')} style={{ width: 240 }} options={FORBIDDEN_TIMES.map((m) => ({ value: m, label: forbiddenLabel(t, m) }))} />
          </Form.Item>
        ) : (
          <Form.Item name="group" label={t('sas.block.groupLabel')} extra={t('sas.block.groupHelp', { ip: alert.SourceIp })}
            rules={[{ required: true, message: t('inst.required', { field: t('sas.block.groupLabel') }) }]}>
            <FormSelect loading={groups.isPending} options={(groups.data?.SecurityGroups.SecurityGroup ?? []).map((g) => ({ value: g.SecurityGroupId, label: `${g.SecurityGroupName || g.SecurityGroupId} (${g.SecurityGroupId})` }))} />
          </Form.Item>
        )}
      </Form>
      {groups.isError && <ApiErrorAlert error={groups.error} />}
      {block.isError && <ApiErrorAlert error={block.error} />}
    </Modal>
  );
}
