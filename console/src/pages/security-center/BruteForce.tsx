// /console/security-center/brute-force — the anti-brute-force rules (DescribeAntiBruteForceRules):
// create, modify (RuleDialog: a name, FailCount failures within Span minutes block the source for
// ForbiddenTime, each from the allowed values; the default rule; the instances it applies to, chosen
// among the assets with the agent) and delete (after a confirmation naming the rule; the blocks it set
// stay until they end).
import { useState } from 'react';
import { App, Button, Card, Checkbox, Empty, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, type Params } from '../../api.ts';
import { useT } from '../../i18n/index.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { FormSelect, TAG_OK } from '../../components/InstanceParts.tsx';
import { SAS_KEY, SasSection, useAllAssets } from '../../components/SasParts.tsx';
import { FAIL_COUNTS, FORBIDDEN_TIMES, SPANS, forbiddenLabel } from './BruteForceParts.tsx';

interface Rule { Id: number; Name: string; FailCount: number; Span: number; ForbiddenTime: number; DefaultRule: boolean; MachineCount: number; UuidList: string[] }
interface Values { name: string; failCount: number; span: number; forbiddenTime: number; defaultRule: boolean; uuids: string[] }

function RuleDialog({ rule, onClose }: { rule: Rule | null; onClose: (done?: string) => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const assets = useAllAssets();
  const save = useMutation({
    mutationFn: (v: Values) => {
      const p: Params = { Name: v.name.trim(), FailCount: v.failCount, Span: v.span, ForbiddenTime: v.forbiddenTime, DefaultRule: v.defaultRule };
      v.uuids.forEach((u, n) => { p[`UuidList.${n + 1}`] = u; });
      return rule === null ? call('sas', 'CreateAntiBruteForceRule', p) : call('sas', 'ModifyAntiBruteForceRule', { ...p, Id: rule.Id });
    },
    onSuccess: async (_r, v) => { await qc.invalidateQueries({ queryKey: [SAS_KEY] }); onClose(t(rule === null ? 'sas.bf.created' : 'sas.bf.saved', { name: v.name.trim() })); },
  });
  const agents = (assets.data ?? []).filter((a) => a.Bind);
  return (
    <Modal open title={rule === null ? t('sas.bf.createTitle') : t('sas.bf.editTitle', { name: rule.Name })} okText={t('common.ok')} cancelText={t('common.cancel')} width={600}
      onCancel={() => onClose()} onOk={() => form.submit()} confirmLoading={save.isPending} destroyOnClose>
      <Form<Values> form={form} layout="vertical" preserve={false} onFinish={(v) => save.mutate(v)} onValuesChange={() => save.reset()}
        initialValues={rule === null ? { failCount: 5, span: 1, forbiddenTime: 60, defaultRule: false, uuids: [] }
          : { name: rule.Name, failCount: rule.FailCount, span: rule.Span, forbiddenTime: rule.ForbiddenTime, defaultRule: rule.DefaultRule, uuids: rule.DefaultRule ? [] : rule.UuidList }}>
        <Form.Item name="name" label={t('sas.bf.name')} rules={[{ required: true, whitespace: true, message: t('inst.required', { field: t('sas.bf.name') }) }, { max: 128 }]}>
          <Input maxLength={128} />
        </Form.Item>
        <Space wrap size="middle" align="start">
          <Form.Item name="span" label={t('sas.bf.span')}>
            <Select aria-label={t('sas.bf.span')} style={{ width: 160 }} options={SPANS.map((m) => ({ value: m, label: t('sas.bf.minutes', { n: m }) }))} />
          </Form.Item>
          <Form.Item name="failCount" label={t('sas.bf.failCount')}>
            <Select aria-label={t('sas.bf.failCount')} style={{ width: 160 }} options={FAIL_COUNTS.map((n) => ({ value: n, label: String(n) }))} />
          </Form.Item>
          <Form.Item name="forbiddenTime" label={t('sas.bf.forbiddenTime')}>
            <Select aria-label={t('sas.bf.forbiddenTime')} style={{ width: 160 }} options={FORBIDDEN_TIMES.map((m) => ({ value: m, label: forbiddenLabel(t, m) }))} />
          </Form.Item>
        </Space>
        <Form.Item name="defaultRule" valuePropName="checked" extra={t('sas.bf.defaultHelp')}>
          <Checkbox>{t('sas.bf.default')}</Checkbox>
        </Form.Item>
        <Form.Item name="uuids" label={t('sas.bf.instances')} extra={agents.length === 0 && !assets.isPending ? t('sas.bf.noAgents') : t('sas.bf.instancesHelp')}>
          <FormSelect mode="multiple" loading={assets.isPending} optionFilterProp="label"
            options={agents.map((a) => ({ value: a.InstanceId, label: `${a.InstanceName || a.InstanceId} (${a.InstanceId})` }))} />
        </Form.Item>
      </Form>
      {assets.isError && <ApiErrorAlert error={assets.error} />}
      {save.isError && <ApiErrorAlert error={save.error} />}
    </Modal>
  );
}

export default function BruteForce() {
  const t = useT();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [editing, setEditing] = useState<Rule | null | undefined>();
  const [deleting, setDeleting] = useState<Rule | undefined>();
  const rules = useQuery({ queryKey: [SAS_KEY, 'abf'], queryFn: () => call<{ Rules: Rule[] }>('sas', 'DescribeAntiBruteForceRules', { PageSize: 100 }) });
  const del = useMutation({
    mutationFn: (r: Rule) => call('sas', 'DeleteAntiBruteForceRule', { 'Ids.1': r.Id }),
    onSuccess: async (_r, r) => { setDeleting(undefined); await qc.invalidateQueries({ queryKey: [SAS_KEY] }); void message.success(t('sas.bf.deleted', { name: r.Name })); },
  });
  const columns: TableColumnsType<Rule> = [
    { title: t('sas.bf.name'), key: 'name', render: (_, r) => <Space>{r.Name}{r.DefaultRule && <Tag color={TAG_OK}>{t('sas.bf.defaultTag')}</Tag>}</Space> },
    { title: t('sas.bf.rule'), key: 'rule', render: (_, r) => t('sas.bf.ruleText', { n: r.FailCount, span: r.Span, time: forbiddenLabel(t, r.ForbiddenTime) }) },
    {
      title: t('sas.bf.instances'), key: 'instances', render: (_, r) => (
        r.UuidList.length === 0 ? '—' : <Typography.Text ellipsis={{ tooltip: r.UuidList.join(', ') }} style={{ maxWidth: 280 }}>{r.UuidList.join(', ')}</Typography.Text>
      ),
    },
    {
      title: t('inst.actions'), key: 'actions', render: (_, r) => (
        <Space size={4}>
          <Button size="small" type="link" onClick={() => setEditing(r)} aria-label={t('sas.bf.editOf', { name: r.Name })}>{t('sas.bf.edit')}</Button>
          <Button size="small" type="link" danger onClick={() => { del.reset(); setDeleting(r); }} aria-label={t('sas.bf.deleteOf', { name: r.Name })}>{t('sas.bf.delete')}</Button>
        </Space>
      ),
    },
  ];
  return (
    <>
      <PageTitle title={t('sas.bf.title')} extra={<Button type="primary" onClick={() => setEditing(null)}>{t('sas.bf.create')}</Button>} />
      <SasSection>
        <Typography.Paragraph type="secondary">{t('sas.bf.intro')}</Typography.Paragraph>
        <Card size="small">
          {rules.isError ? <ApiErrorAlert error={rules.error} onRetry={() => void rules.refetch()} /> : (
            <Table<Rule> rowKey="Id" size="middle" columns={columns} dataSource={rules.data?.Rules ?? []} loading={rules.isPending} pagination={false} data-testid="sas-abf-rules"
              locale={{ emptyText: <Empty description={t('sas.bf.empty')} /> }} />
          )}
        </Card>
      </SasSection>
      {editing !== undefined && <RuleDialog rule={editing} onClose={(done) => { setEditing(undefined); if (done !== undefined) void message.success(done); }} />}
      <Modal open={deleting !== undefined} title={deleting !== undefined ? t('sas.bf.deleteTitle', { name: deleting.Name }) : ''} destroyOnClose
        okText={t('sas.bf.delete')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} confirmLoading={del.isPending}
        onCancel={() => setDeleting(undefined)} onOk={() => { if (deleting !== undefined) del.mutate(deleting); }}>
        {deleting !== undefined && <Typography.Paragraph>{t('sas.bf.deleteText', { name: deleting.Name })}</Typography.Paragraph>}
        {del.isError && <ApiErrorAlert error={del.error} />}
      </Modal>
    </>
  );
}
