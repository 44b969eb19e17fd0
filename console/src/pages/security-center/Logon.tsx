// /console/security-center/logon — the logon baselines (DescribeLoginBaseConfigs per type, filtered
// on one instance with Target): common IP addresses or CIDR blocks, times (UTC), accounts and
// locations (Parapet's location is the address's /16 block, or `private`). A successful logon that
// matches none of the items of a type that has items raises an unusual-logon alert. Add
// (ModifyLoginBaseConfig: the value and the instances it covers, none for every instance) and
// Delete (DeleteLoginBaseConfig, after a confirmation naming the item).
import { useState } from 'react';
import { App, Button, Card, Empty, Form, Input, Modal, Segmented, Select, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call } from '../../api.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { useT } from '../../i18n/index.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { FormSelect } from '../../components/InstanceParts.tsx';
import { SAS_KEY, SasSection, useAllAssets } from '../../components/SasParts.tsx';

type LogonType = 'login_common_ip' | 'login_common_time' | 'login_common_account' | 'login_common_location';
interface Item { Type: LogonType; Ip: string; StartTime: string; EndTime: string; Account: string; Location: string; Uuids: string[]; CreateTime: string }
interface Values { value?: string; start?: string; end?: string; uuids: string[] }

const TYPES: Array<{ type: LogonType; label: MessageKey; help: MessageKey }> = [
  { type: 'login_common_ip', label: 'sas.lg.ip', help: 'sas.lg.ipHelp' },
  { type: 'login_common_time', label: 'sas.lg.time', help: 'sas.lg.timeHelp' },
  { type: 'login_common_account', label: 'sas.lg.account', help: 'sas.lg.accountHelp' },
  { type: 'login_common_location', label: 'sas.lg.location', help: 'sas.lg.locationHelp' },
];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

function valueOf(i: Item): string {
  switch (i.Type) {
    case 'login_common_ip': return i.Ip;
    case 'login_common_time': return `${i.StartTime}–${i.EndTime} UTC`;
    case 'login_common_account': return i.Account;
    default: return i.Location;
  }
}
function configOf(type: LogonType, v: { value?: string; start?: string; end?: string }): string {
  switch (type) {
    case 'login_common_ip': return JSON.stringify({ ip: v.value?.trim() });
    case 'login_common_time': return JSON.stringify({ startTime: v.start?.trim(), endTime: v.end?.trim() });
    case 'login_common_account': return JSON.stringify({ account: v.value?.trim() });
    default: return JSON.stringify({ location: v.value?.trim() });
  }
}
const configOfItem = (i: Item) => configOf(i.Type, i.Type === 'login_common_time' ? { start: i.StartTime, end: i.EndTime } : { value: valueOf(i) });

export default function Logon() {
  const t = useT();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [type, setType] = useState<LogonType>('login_common_ip');
  const [instance, setInstance] = useState<string | undefined>();
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<Item | undefined>();
  const [form] = Form.useForm<Values>();
  const assets = useAllAssets();
  const agents = (assets.data ?? []).filter((a) => a.Bind);
  const meta = TYPES.find((x) => x.type === type)!;
  const items = useQuery({
    queryKey: [SAS_KEY, 'logon', type, instance],
    queryFn: () => call<{ BaseConfigs: Item[] }>('sas', 'DescribeLoginBaseConfigs', { Type: type, Target: instance, PageSize: 100 }),
  });
  const add = useMutation({
    mutationFn: (v: Values) => call('sas', 'ModifyLoginBaseConfig', {
      Type: type, Config: configOf(type, v), Target: v.uuids.length > 0 ? JSON.stringify(v.uuids.map((u) => ({ target: u, targetType: 'uuid' }))) : undefined,
    }),
    onSuccess: async () => { setAdding(false); await qc.invalidateQueries({ queryKey: [SAS_KEY, 'logon'] }); void message.success(t('sas.lg.added')); },
  });
  const del = useMutation({
    mutationFn: (i: Item) => call('sas', 'DeleteLoginBaseConfig', { Type: i.Type, Config: configOfItem(i) }),
    onSuccess: async (_r, i) => { setDeleting(undefined); await qc.invalidateQueries({ queryKey: [SAS_KEY, 'logon'] }); void message.success(t('sas.lg.deleted', { value: valueOf(i) })); },
  });
  const columns: TableColumnsType<Item> = [
    { title: t(meta.label), key: 'value', render: (_, i) => valueOf(i) },
    { title: t('sas.bf.instances'), key: 'uuids', render: (_, i) => (i.Uuids.length === 0 ? t('sas.lg.allInstances') : i.Uuids.join(', ')) },
    {
      title: t('inst.actions'), key: 'actions', render: (_, i) => (
        <Button size="small" type="link" danger onClick={() => { del.reset(); setDeleting(i); }} aria-label={t('sas.lg.deleteOf', { value: valueOf(i) })}>{t('sas.bf.delete')}</Button>
      ),
    },
  ];
  return (
    <>
      <PageTitle title={t('sas.lg.title')} extra={<Button type="primary" onClick={() => { add.reset(); setAdding(true); }}>{t('sas.lg.add')}</Button>} />
      <SasSection>
        <Typography.Paragraph type="secondary">{t('sas.lg.intro')}</Typography.Paragraph>
        <Space style={{ marginBottom: 12 }} wrap>
          <Segmented<LogonType> aria-label={t('sas.lg.type')} value={type} onChange={setType} options={TYPES.map((x) => ({ value: x.type, label: t(x.label) }))} />
          <Select aria-label={t('sas.al.instanceFilter')} placeholder={t('sas.lg.everyInstance')} allowClear style={{ width: 280 }} value={instance} onChange={setInstance}
            options={agents.map((a) => ({ value: a.InstanceId, label: `${a.InstanceName || a.InstanceId} (${a.InstanceId})` }))} />
        </Space>
        <Card size="small">
          <Typography.Paragraph type="secondary">{t(meta.help)}</Typography.Paragraph>
          {items.isError ? <ApiErrorAlert error={items.error} onRetry={() => void items.refetch()} /> : (
            <Table<Item> rowKey={(i) => `${i.Type}/${valueOf(i)}`} size="middle" columns={columns} dataSource={items.data?.BaseConfigs ?? []} loading={items.isPending} pagination={false}
              data-testid="sas-logon-items" locale={{ emptyText: <Empty description={t('sas.lg.empty')} /> }} />
          )}
        </Card>
      </SasSection>
      <Modal open={adding} title={t('sas.lg.addTitle', { type: t(meta.label) })} okText={t('common.ok')} cancelText={t('common.cancel')} destroyOnClose
        onCancel={() => setAdding(false)} onOk={() => form.submit()} confirmLoading={add.isPending}>
        <Form<Values> form={form} layout="vertical" preserve={false} initialValues={{ uuids: [] }} onFinish={(v) => add.mutate(v)} onValuesChange={() => add.reset()}>
          {type === 'login_common_time' ? (
            <Space align="start">
              <Form.Item name="start" label={t('sas.lg.start')} rules={[{ required: true, pattern: HHMM, message: t('sas.lg.hhmm') }]}><Input placeholder="08:00" style={{ width: 120 }} /></Form.Item>
              <Form.Item name="end" label={t('sas.lg.end')} rules={[{ required: true, pattern: HHMM, message: t('sas.lg.hhmm') }]}><Input placeholder="20:00" style={{ width: 120 }} /></Form.Item>
            </Space>
          ) : (
            <Form.Item name="value" label={t(meta.label)} extra={t(meta.help)} rules={[{ required: true, whitespace: true, message: t('inst.required', { field: t(meta.label) }) }]}>
              <Input />
            </Form.Item>
          )}
          <Form.Item name="uuids" label={t('sas.bf.instances')} extra={t('sas.lg.instancesHelp')}>
            <FormSelect mode="multiple" loading={assets.isPending} optionFilterProp="label"
              options={agents.map((a) => ({ value: a.InstanceId, label: `${a.InstanceName || a.InstanceId} (${a.InstanceId})` }))} />
          </Form.Item>
        </Form>
        {add.isError && <ApiErrorAlert error={add.error} />}
      </Modal>
      <Modal open={deleting !== undefined} title={deleting !== undefined ? t('sas.lg.deleteTitle', { value: valueOf(deleting) }) : ''} destroyOnClose
        okText={t('sas.bf.delete')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} confirmLoading={del.isPending}
        onCancel={() => setDeleting(undefined)} onOk={() => { if (deleting !== undefined) del.mutate(deleting); }}>
        {deleting !== undefined && <Typography.Paragraph>{t('sas.lg.deleteText', { value: valueOf(deleting) })}</Typography.Paragraph>}
        {del.isError && <ApiErrorAlert error={del.error} />}
      </Modal>
    </>
  );
}
