// Create Security Group (SPEC §1.6, CONSOLE.md "Create"): template (Web Server Linux, Web Server
// Windows, custom; §1.4), name, description, network (a VPC of the region, or classic), type (basic,
// or advanced on a VPC), tags; the rules the template writes are shown before OK. Parapet's
// CreateSecurityGroupFromTemplate (product parapet) writes the group and its rules at once.
import { useEffect } from 'react';
import { App, Button, Form, Input, Modal, Radio, Select, Space, Table, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { call } from '../../api.ts';
import { useT } from '../../i18n/index.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { invalidateGroups, tagParams, useVpcs, type TagInput } from './queries.ts';
import { TEMPLATES, templateRules, type Template, type TemplateRule } from './templates.ts';

interface Values {
  template: Template;
  name?: string;
  description?: string;
  /** a VPC id, or '' for the classic network */
  network: string;
  type: 'normal' | 'enterprise';
  tags?: TagInput[];
}

const TEMPLATE_LABEL = { 'web-server-linux': 'sgs.templateLinux', 'web-server-windows': 'sgs.templateWindows', custom: 'sgs.templateCustom' } as const;

export function CreateGroupModal({ region, open, onClose }: { region: string; open: boolean; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const vpcs = useVpcs(region, open);
  const vpcList = vpcs.data?.Vpcs.Vpc;
  // the network defaults to the region's first VPC once they are known (classic when there is none)
  useEffect(() => {
    if (open && vpcList !== undefined && form.getFieldValue('network') === undefined) form.setFieldValue('network', vpcList[0]?.VpcId ?? '');
  }, [open, vpcList, form]);
  const network = Form.useWatch('network', form) ?? '';
  const template = Form.useWatch('template', form) ?? 'web-server-linux';
  const type = Form.useWatch('type', form) ?? 'normal';
  const networkType = network === '' ? 'classic' : 'vpc';
  const rules = templateRules(template, networkType, networkType === 'classic' ? 'normal' : type);

  const create = useMutation({
    mutationFn: (v: Values) => call<{ SecurityGroupId: string; RuleCount: number }>('parapet', 'CreateSecurityGroupFromTemplate', {
      RegionId: region, Template: v.template, SecurityGroupName: v.name?.trim() || undefined, Description: v.description?.trim() || undefined,
      VpcId: v.network === '' ? undefined : v.network, SecurityGroupType: v.network === '' ? 'normal' : v.type, ...tagParams(v.tags),
    }),
    onSuccess: async (r) => {
      void message.success(t('sgs.created', { id: r.SecurityGroupId, count: r.RuleCount }));
      await invalidateGroups(qc);
      close();
    },
  });

  function close() {
    form.resetFields();
    create.reset();
    onClose();
  }

  const submit = async () => {
    const v = await form.validateFields();
    create.mutate({ ...v, network: v.network ?? '' });
  };

  const networkOptions = [
    ...(vpcs.data?.Vpcs.Vpc ?? []).map((v) => ({ value: v.VpcId, label: `${v.VpcId}${v.VpcName ? ` (${v.VpcName})` : ''}${v.CidrBlock ? ` ${v.CidrBlock}` : ''}` })),
    { value: '', label: t('sgs.classic') },
  ];

  return (
    <Modal open={open} title={t('sgs.createTitle')} onCancel={close} onOk={() => void submit()} width={760} destroyOnHidden
      okText={t('common.ok')} cancelText={t('common.cancel')} confirmLoading={create.isPending}>
      <Form form={form} layout="vertical" initialValues={{ template: 'web-server-linux', type: 'normal' }}>
        <Form.Item name="template" label={t('sgs.template')}>
          <Radio.Group optionType="button" options={TEMPLATES.map((x) => ({ value: x, label: t(TEMPLATE_LABEL[x]) }))} />
        </Form.Item>
        <Form.Item name="name" label={t('sgs.name')} extra={t('sgs.nameRule')}
          rules={[{ max: 128, message: t('sgs.nameRule') }]}>
          <Input maxLength={128} />
        </Form.Item>
        <Form.Item name="description" label={t('sgs.description')} rules={[{ max: 256 }]}>
          <Input.TextArea maxLength={256} rows={2} />
        </Form.Item>
        <Form.Item label={t('sgs.network')} extra={vpcs.isError ? undefined : t('sgs.networkHint')}>
          <Form.Item name="network" noStyle>
            <Select aria-label={t('sgs.network')} options={networkOptions} loading={vpcs.isPending} />
          </Form.Item>
          {vpcs.isError && <ApiErrorAlert error={vpcs.error} onRetry={() => void vpcs.refetch()} />}
        </Form.Item>
        <Form.Item name="type" label={t('sgs.type')} extra={networkType === 'classic' ? t('sgs.advancedNeedsVpc') : undefined}>
          <Radio.Group options={[
            { value: 'normal', label: t('sgs.typeBasic') },
            { value: 'enterprise', label: t('sgs.typeAdvanced'), disabled: networkType === 'classic' },
          ]} />
        </Form.Item>
        <Form.Item label={t('sgs.tags')}>
          <Form.List name="tags">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f, i) => (
                  <Space key={f.key} align="baseline" style={{ display: 'flex' }}>
                    <Form.Item name={[f.name, 'key']} rules={[{ required: true, message: t('sgs.tagKeyRequired') }]}>
                      <Input placeholder={t('sgs.tagKey')} aria-label={t('sgs.tagKeyN', { n: i + 1 })} maxLength={128} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'value']}>
                      <Input placeholder={t('sgs.tagValue')} aria-label={t('sgs.tagValueN', { n: i + 1 })} maxLength={128} />
                    </Form.Item>
                    <Button type="text" icon={<MinusCircleOutlined />} aria-label={t('sgs.tagRemove', { n: i + 1 })} onClick={() => remove(f.name)} />
                  </Space>
                ))}
                {fields.length < 20 && <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ key: '', value: '' })}>{t('sgs.tagAdd')}</Button>}
              </>
            )}
          </Form.List>
        </Form.Item>
      </Form>
      <Typography.Title level={2} style={{ fontSize: 14 }}>{t('sgs.templateRules', { count: rules.length })}</Typography.Title>
      <TemplateRulesTable rules={rules} />
      {create.isError && <div style={{ marginTop: 12 }}><ApiErrorAlert error={create.error} /></div>}
    </Modal>
  );
}

function TemplateRulesTable({ rules }: { rules: TemplateRule[] }) {
  const t = useT();
  if (rules.length === 0) return <Typography.Paragraph type="secondary" data-testid="template-rules">{t('sgs.templateNoRules')}</Typography.Paragraph>;
  return (
    <Table<TemplateRule> data-testid="template-rules" size="small" pagination={false} rowKey={(r) => `${r.direction}-${r.protocol}-${r.portRange}-${r.nicType ?? ''}-${r.policy}`}
      dataSource={rules} columns={[
        { title: t('sgs.ruleDirection'), render: (_, r) => (r.direction === 'ingress' ? t('sgs.inbound') : t('sgs.outbound')) },
        { title: t('sgs.ruleNic'), render: (_, r) => (r.nicType === undefined ? '—' : r.nicType === 'internet' ? t('sgs.nicInternet') : t('sgs.nicIntranet')) },
        { title: t('sgs.ruleAction'), render: (_, r) => (r.policy === 'accept' ? t('sgs.allow') : <Typography.Text type="danger" strong>{t('sgs.forbid')}</Typography.Text>) },
        { title: t('sgs.rulePriority'), dataIndex: 'priority' },
        { title: t('sgs.ruleProtocol'), render: (_, r) => r.protocol.toUpperCase() },
        { title: t('sgs.rulePorts'), dataIndex: 'portRange' },
        { title: t('sgs.ruleObject'), dataIndex: 'cidr' },
      ]} />
  );
}
