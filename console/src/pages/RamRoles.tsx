// /console/ram/roles — RAM roles (ListRoles, paged by marker): Create RAM Role (name, note, trusted
// entity — Alibaba Cloud service (ECS) or account — as a trust policy editable in the policy editor,
// maximum session duration), delete (its policies detached first, as the console does), and a
// role's drawer: basic information with the maximum session duration, the trust policy (edited with
// the engine's problems at their line and column) and its permissions.
import { useState } from 'react';
import { Button, Descriptions, Drawer, Form, Input, InputNumber, Modal, Radio, Space, Table, Tabs, Typography } from 'antd';
import { call } from '../api.ts';
import { useI18n, useT } from '../i18n/index.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { AttachedPolicies, PolicyField } from '../ram/components.tsx';
import { emptyText, formatDate, listOf, MarkerPager, useAccountId, useMarkers, useRam, useRamWrite, type RamRole, detachAllPolicies, DeleteButton } from '../ram/shared.tsx';

const PAGE_SIZE = 20;

function trustPolicy(kind: 'service' | 'account', accountId: string): string {
  const principal = kind === 'service' ? { Service: ['ecs.aliyuncs.com'] } : { RAM: [`acs:ram::${accountId}:root`] };
  return JSON.stringify({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: principal }], Version: '1' }, null, 2);
}

function pretty(doc: string | undefined): string {
  if (doc === undefined) return '';
  try { return JSON.stringify(JSON.parse(doc), null, 2); } catch { return doc; }
}

function CreateRoleModal({ onClose }: { onClose: () => void }) {
  const t = useT();
  const accountId = useAccountId();
  const [form] = Form.useForm<{ name: string; description?: string; maxSession: number }>();
  const [kind, setKind] = useState<'service' | 'account'>('service');
  const [doc, setDoc] = useState(() => trustPolicy('service', accountId));
  const create = useRamWrite((v: { name: string; description?: string; maxSession: number }) => call('ram', 'CreateRole', {
    RoleName: v.name.trim(), Description: v.description?.trim() || undefined, AssumeRolePolicyDocument: doc, MaxSessionDuration: v.maxSession,
  }), (_r, v) => t('ram.roles.created', { name: v.name.trim() }));
  return (
    <Modal open title={t('ram.roles.create')} width={760} onCancel={onClose} okText={t('common.ok')} cancelText={t('common.cancel')} maskClosable={false}
      okButtonProps={{ loading: create.isPending }} onOk={() => form.submit()}>
      <Form form={form} layout="vertical" name="create-role" initialValues={{ maxSession: 3600 }}
        onFinish={(v) => { create.mutateAsync(v).then(onClose, () => { /* shown below */ }); }}>
        <Form.Item label={t('ram.roles.trustedEntity')}>
          <Radio.Group value={kind} onChange={(e) => { const k = e.target.value as 'service' | 'account'; setKind(k); setDoc(trustPolicy(k, accountId)); }}
            options={[{ value: 'service', label: t('ram.roles.entityService') }, { value: 'account', label: t('ram.roles.entityAccount') }]} />
        </Form.Item>
        <Form.Item name="name" label={t('ram.roles.name')} rules={[{ required: true, message: t('ram.required') }, { pattern: /^[A-Za-z0-9.-]{1,64}$/, message: t('ram.roles.nameInvalid') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="description" label={t('ram.roles.note')} rules={[{ max: 1024 }]}><Input autoComplete="off" /></Form.Item>
        <Form.Item name="maxSession" label={t('ram.roles.maxSession')} extra={t('ram.roles.maxSessionHint')} rules={[{ required: true, type: 'number', min: 3600, max: 43200, message: t('ram.roles.maxSessionHint') }]}>
          <InputNumber min={3600} max={43200} step={600} style={{ width: 200 }} />
        </Form.Item>
      </Form>
      <div style={{ marginBottom: 4 }}>{t('ram.roles.trustPolicy')}</div>
      <PolicyField value={doc} onChange={setDoc} label={t('ram.roles.trustPolicy')} error={create.error ?? undefined} height="240px" />
    </Modal>
  );
}

function RoleBasic({ role }: { role: RamRole }) {
  const t = useT();
  const { lang } = useI18n();
  const [max, setMax] = useState<number | null>(role.MaxSessionDuration ?? 3600);
  const update = useRamWrite((v: number) => call('ram', 'UpdateRole', { RoleName: role.RoleName, NewMaxSessionDuration: v }), () => t('ram.roles.updated', { name: role.RoleName }));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Descriptions bordered size="small" column={1} items={[
        { key: 'n', label: t('ram.roles.name'), children: role.RoleName },
        { key: 'a', label: 'ARN', children: <Typography.Text copyable code>{role.Arn}</Typography.Text> },
        { key: 'd', label: t('ram.roles.note'), children: role.Description || '—' },
        { key: 'c', label: t('ram.created'), children: formatDate(role.CreateDate, lang) },
        { key: 'm', label: t('ram.roles.maxSession'), children: (
          <Space>
            <InputNumber aria-label={t('ram.roles.maxSession')} min={3600} max={43200} step={600} value={max} onChange={setMax} />
            <Button disabled={max === null || max === role.MaxSessionDuration} loading={update.isPending}
              onClick={() => { if (max !== null) void update.mutateAsync(max).catch(() => undefined); }}>{t('ram.save')}</Button>
          </Space>
        ) },
      ]} />
      {update.isError && <ApiErrorAlert error={update.error} />}
    </Space>
  );
}

function RoleTrust({ role }: { role: RamRole }) {
  const t = useT();
  const [doc, setDoc] = useState(() => pretty(role.AssumeRolePolicyDocument));
  const update = useRamWrite(() => call('ram', 'UpdateRole', { RoleName: role.RoleName, NewAssumeRolePolicyDocument: doc }), () => t('ram.roles.trustUpdated', { name: role.RoleName }));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <PolicyField value={doc} onChange={setDoc} label={t('ram.roles.trustPolicyOf', { name: role.RoleName })} error={update.error ?? undefined} height="280px" />
      <Button type="primary" loading={update.isPending} onClick={() => void update.mutateAsync(undefined).catch(() => undefined)}>{t('ram.roles.saveTrust')}</Button>
    </Space>
  );
}

function RoleDrawer({ name, onClose }: { name: string; onClose: () => void }) {
  const t = useT();
  const q = useRam<{ Role: RamRole }>('GetRole', { RoleName: name });
  return (
    <Drawer open width={760} title={t('ram.roles.drawerTitle', { name })} onClose={onClose}>
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : q.data === undefined ? t('common.loading') : (
        <Tabs items={[
          { key: 'basic', label: t('ram.users.tabBasic'), children: <RoleBasic key={q.data.Role.UpdateDate} role={q.data.Role} /> },
          { key: 'trust', label: t('ram.roles.trustPolicy'), children: <RoleTrust key={q.data.Role.UpdateDate} role={q.data.Role} /> },
          { key: 'permissions', label: t('ram.users.tabPermissions'), children: <AttachedPolicies principalType="Role" name={name} /> },
        ]} />
      )}
    </Drawer>
  );
}

async function deleteRoleCascade(name: string): Promise<void> {
  await detachAllPolicies('Role', name);
  await call('ram', 'DeleteRole', { RoleName: name });
}

export default function RamRoles() {
  const t = useT();
  const { lang } = useI18n();
  const paging = useMarkers();
  const q = useRam<{ IsTruncated?: boolean; Marker?: string; Roles?: { Role?: RamRole[] } }>('ListRoles', { MaxItems: PAGE_SIZE, Marker: paging.marker });
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const del = useRamWrite(deleteRoleCascade, (_r, name) => t('ram.roles.deleted', { name }));
  return (
    <>
      <PageTitle title={t('nav.ramRoles')} extra={<Button type="primary" onClick={() => setCreating(true)}>{t('ram.roles.create')}</Button>} />
      {del.isError && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={del.error} /></div>}
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <>
          <Table<RamRole> rowKey="RoleName" loading={q.isPending} dataSource={listOf<RamRole>(q.data?.Roles, 'Role')} pagination={false}
            locale={{ emptyText: emptyText(t('ram.roles.empty')) }}
            columns={[
              { title: t('ram.roles.name'), dataIndex: 'RoleName', render: (v: string) => <Button type="link" style={{ padding: 0 }} onClick={() => setOpen(v)}>{v}</Button> },
              { title: t('ram.roles.note'), dataIndex: 'Description', render: (v?: string) => v || '—' },
              { title: t('ram.roles.maxSession'), dataIndex: 'MaxSessionDuration', render: (v?: number) => (v !== undefined ? t('ram.roles.seconds', { n: v }) : '—') },
              { title: t('ram.created'), dataIndex: 'CreateDate', render: (v: string) => formatDate(v, lang) },
              { title: t('ram.actions'), key: 'a', render: (_v, r) => (
                <Space>
                  <Button type="link" size="small" onClick={() => setOpen(r.RoleName)}>{t('ram.roles.manage')}</Button>
                  <DeleteButton title={t('ram.roles.deleteConfirm', { name: r.RoleName })} description={t('ram.roles.deleteWhat')} onConfirm={() => del.mutateAsync(r.RoleName)} />
                </Space>
              ) },
            ]} />
          <MarkerPager paging={paging} truncated={q.data?.IsTruncated} nextMarker={q.data?.Marker} />
        </>
      )}
      {creating && <CreateRoleModal onClose={() => setCreating(false)} />}
      {open !== undefined && <RoleDrawer name={open} onClose={() => setOpen(undefined)} />}
    </>
  );
}
