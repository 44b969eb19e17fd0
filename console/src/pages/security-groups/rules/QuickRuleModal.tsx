// Quick Rule Creation (ECS security guide §1.7, method 1): checkboxes for the ten application
// ports plus a custom TCP port range, NIC type (classic groups), direction, action, authorization
// objects and priority; every (port × object) is one rule and all go in ONE Authorize call.
import { useEffect } from 'react';
import { Checkbox, Form, Input, InputNumber, Modal, Radio, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { call } from '../../../api.ts';
import { useT } from '../../../i18n/index.tsx';
import { ApiErrorAlert } from '../../../components/ApiErrorAlert.tsx';
import type { SecurityGroupInfo } from '../types.ts';
import { MAX_OBJECTS, QUICK_PORTS, authorizeAction, expand, permissionsParams, splitList, type Direction, type NicType, type RuleEntry } from './model.ts';
import { ipv6Allowed, objectsProblem, portRangesProblem } from './form.ts';
import { RiskWarning } from './RiskWarning.tsx';
import { useInvalidateRules } from './queries.ts';

interface FormValues {
  ports: string[];
  customRange: string;
  nicType: NicType;
  direction: Direction;
  policy: 'accept' | 'drop';
  objects: string;
  priority: number;
  description: string;
}

export function QuickRuleModal({ group, open, defaults, onClose }: {
  group: SecurityGroupInfo; open: boolean; defaults: { direction: Direction; nicType: NicType }; onClose: () => void;
}) {
  const t = useT();
  const [form] = Form.useForm<FormValues>();
  const invalidate = useInvalidateRules(group);
  const advanced = group.type === 'enterprise';
  const classic = group.networkType === 'classic';

  useEffect(() => {
    if (open) form.setFieldsValue({ direction: defaults.direction, nicType: defaults.nicType });
  }, [open, defaults.direction, defaults.nicType, form]);

  const ports = Form.useWatch('ports', form) ?? [];
  const custom = Form.useWatch('customRange', form) ?? '';
  const objectsText = Form.useWatch('objects', form) ?? '';
  const direction = Form.useWatch('direction', form) ?? defaults.direction;
  const policy = Form.useWatch('policy', form) ?? 'accept';
  const ranges = [...ports, ...splitList(custom)];
  const objects = splitList(objectsText);

  const save = useMutation({
    mutationFn: async (v: FormValues) => {
      const entry: RuleEntry = {
        direction: v.direction, nicType: classic ? v.nicType : 'intranet', policy: advanced ? 'accept' : v.policy, priority: v.priority ?? 1,
        protocol: 'tcp', ranges: [...(v.ports ?? []), ...splitList(v.customRange)], authType: 'cidr', objects: splitList(v.objects),
        groupOwnerAccount: '', description: v.description ?? '',
      };
      await call('ecs', authorizeAction(v.direction), { RegionId: group.regionId, SecurityGroupId: group.securityGroupId, ...permissionsParams(expand(entry, group)) });
    },
    onSuccess: async () => { await invalidate(); close(); },
  });

  function close() {
    save.reset();
    form.resetFields();
    onClose();
  }

  const initial: FormValues = { ports: [], customRange: '', nicType: defaults.nicType, direction: defaults.direction, policy: 'accept', objects: '', priority: 1, description: '' };

  return (
    <Modal open={open} title={t('sgRules.quickTitle')} onCancel={close} okText={t('common.ok')} cancelText={t('common.cancel')} forceRender width={640}
      onOk={() => { form.submit(); }} confirmLoading={save.isPending}>
      <Form form={form} name="sg-quick-rule" layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="ports" label={t('sgRules.quickPorts')} rules={[{
          validator: async () => { if (ranges.length === 0) throw new Error(t('sgRules.quickPortsRequired')); },
        }]}>
          <Checkbox.Group options={QUICK_PORTS.map((p) => ({ value: p.ports!, label: p.label }))} />
        </Form.Item>
        <Form.Item name="customRange" label={t('sgRules.customPortRange')} extra={t('sgRules.portRangeHelpMany')} rules={[{
          validator: async (_, value: string | undefined) => {
            const p = portRangesProblem(splitList(value), { optional: true });
            if (p !== undefined) throw new Error(t(...p));
          },
        }]}>
          <Input placeholder="8080/8080" />
        </Form.Item>
        {classic && (
          <Form.Item name="nicType" label={t('sgRules.nicType')}>
            <Radio.Group options={[{ value: 'intranet', label: t('sgRules.nicIntranet') }, { value: 'internet', label: t('sgRules.nicInternet') }]} />
          </Form.Item>
        )}
        <Form.Item name="direction" label={t('sgRules.direction')}>
          <Radio.Group options={[{ value: 'ingress', label: t('sgRules.inbound') }, { value: 'egress', label: t('sgRules.outbound') }]} />
        </Form.Item>
        {!advanced && (
          <Form.Item name="policy" label={t('sgRules.action')}>
            <Radio.Group options={[{ value: 'accept', label: t('sgRules.allow') }, { value: 'drop', label: t('sgRules.forbid') }]} />
          </Form.Item>
        )}
        <Form.Item name="objects" label={t('sgRules.authObject')} extra={t('sgRules.objectsHelp', { max: MAX_OBJECTS })} rules={[{
          validator: async (_, value: string | undefined) => {
            const p = objectsProblem(splitList(value), { max: MAX_OBJECTS, ipv6: ipv6Allowed(group) });
            if (p !== undefined) throw new Error(t(...p));
          },
        }]}>
          <Input placeholder="10.0.0.0/8, 192.168.1.1/32" />
        </Form.Item>
        {!advanced && (
          <Form.Item name="priority" label={t('sgRules.priority')} extra={t('sgRules.priorityHelp')} rules={[{ required: true, type: 'integer', min: 1, max: 100, message: t('sgRules.priorityInvalid') }]}>
            <InputNumber min={1} max={100} precision={0} />
          </Form.Item>
        )}
        <Form.Item name="description" label={t('sgRules.description')} rules={[{ max: 512 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        {direction === 'ingress' && policy === 'accept' && <RiskWarning protocol="tcp" ranges={ranges} objects={objects} />}
        <Typography.Paragraph type="secondary" data-testid="quick-rule-count">{ranges.length * objects.length === 1 ? t('sgRules.willAddOne') : t('sgRules.willAdd', { count: ranges.length * objects.length })}</Typography.Paragraph>
        {save.isError && <ApiErrorAlert error={save.error} />}
      </Form>
    </Modal>
  );
}
