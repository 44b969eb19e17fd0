// /console/ram/groups — RAM user groups (ListGroups, paged by marker): create, delete (its members
// and policies go first, as the console does), and a group's drawer with its members (add / remove)
// and its permissions (attached policies).
import { useState } from 'react';
import { Button, Drawer, Form, Input, Modal, Popconfirm, Select, Space, Table, Tabs } from 'antd';
import { call } from '../api.ts';
import { useI18n, useT } from '../i18n/index.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { AttachedPolicies } from '../ram/components.tsx';
import { DANGER, emptyText, formatDate, listOf, MarkerPager, useMarkers, useRam, useRamWrite, type RamGroup, type RamUser, detachAllPolicies, DeleteButton } from '../ram/shared.tsx';

const PAGE_SIZE = 20;

function Members({ group }: { group: string }) {
  const t = useT();
  const { lang } = useI18n();
  const q = useRam<{ Users?: { User?: RamUser[] } }>('ListUsersForGroup', { GroupName: group });
  const users = useRam<{ Users?: { User?: RamUser[] } }>('ListUsers', { MaxItems: 100 });
  const [chosen, setChosen] = useState<string[]>([]);
  const add = useRamWrite(async (names: string[]) => { for (const n of names) await call('ram', 'AddUserToGroup', { UserName: n, GroupName: group }); },
    (_r, names) => t('ram.groups.membersAdded', { count: names.length }));
  const remove = useRamWrite((n: string) => call('ram', 'RemoveUserFromGroup', { UserName: n, GroupName: group }), (_r, n) => t('ram.groups.memberRemoved', { name: n }));
  const rows = listOf<RamUser>(q.data?.Users, 'User');
  const have = new Set(rows.map((u) => u.UserName));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select mode="multiple" style={{ minWidth: 280 }} aria-label={t('ram.groups.addMembers')} placeholder={t('ram.groups.chooseUsers')} value={chosen} onChange={setChosen}
          loading={users.isPending} options={listOf<RamUser>(users.data?.Users, 'User').filter((u) => !have.has(u.UserName)).map((u) => ({ value: u.UserName, label: u.UserName }))} />
        <Button type="primary" disabled={chosen.length === 0} loading={add.isPending}
          onClick={() => { add.mutateAsync(chosen).then(() => setChosen([]), () => { /* shown below */ }); }}>{t('ram.groups.addMembers')}</Button>
      </Space>
      {add.isError && <ApiErrorAlert error={add.error} />}
      {remove.isError && <ApiErrorAlert error={remove.error} />}
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <Table<RamUser> size="small" rowKey="UserName" loading={q.isPending} dataSource={rows} pagination={false} locale={{ emptyText: emptyText(t('ram.groups.noMembers')) }}
          columns={[
            { title: t('ram.users.logonName'), dataIndex: 'UserName' },
            { title: t('ram.users.displayName'), dataIndex: 'DisplayName', render: (v?: string) => v || '—' },
            { title: t('ram.groups.joinDate'), dataIndex: 'JoinDate', render: (v: string) => formatDate(v, lang) },
            { title: t('ram.actions'), key: 'a', render: (_v, u) => (
              <Popconfirm title={t('ram.groups.leaveConfirm', { name: u.UserName, group })} okText={t('ram.groups.remove')} okButtonProps={{ danger: true }}
                cancelText={t('common.cancel')} onConfirm={() => remove.mutateAsync(u.UserName)}>
                <Button type="link" danger size="small" style={DANGER}>{t('ram.groups.remove')}</Button>
              </Popconfirm>
            ) },
          ]} />
      )}
    </Space>
  );
}

/** Deletes a group as the console does: members removed and policies detached first (DeleteGroup refuses otherwise). */
async function deleteGroupCascade(name: string): Promise<void> {
  const members = await call<{ Users?: { User?: RamUser[] } }>('ram', 'ListUsersForGroup', { GroupName: name });
  for (const u of listOf<RamUser>(members.Users, 'User')) await call('ram', 'RemoveUserFromGroup', { UserName: u.UserName, GroupName: name });
  await detachAllPolicies('Group', name);
  await call('ram', 'DeleteGroup', { GroupName: name });
}

export default function RamGroups() {
  const t = useT();
  const { lang } = useI18n();
  const paging = useMarkers();
  const q = useRam<{ IsTruncated?: boolean; Marker?: string; Groups?: { Group?: RamGroup[] } }>('ListGroups', { MaxItems: PAGE_SIZE, Marker: paging.marker });
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [form] = Form.useForm<{ name: string; comments?: string }>();
  const create = useRamWrite((v: { name: string; comments?: string }) => call('ram', 'CreateGroup', { GroupName: v.name.trim(), Comments: v.comments?.trim() || undefined }),
    (_r, v) => t('ram.groups.created', { name: v.name.trim() }));
  const del = useRamWrite(deleteGroupCascade, (_r, name) => t('ram.groups.deleted', { name }));
  return (
    <>
      <PageTitle title={t('nav.ramGroups')} extra={<Button type="primary" onClick={() => { create.reset(); form.resetFields(); setCreating(true); }}>{t('ram.groups.create')}</Button>} />
      {del.isError && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={del.error} /></div>}
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <>
          <Table<RamGroup> rowKey="GroupName" loading={q.isPending} dataSource={listOf<RamGroup>(q.data?.Groups, 'Group')} pagination={false}
            locale={{ emptyText: emptyText(t('ram.groups.empty')) }}
            columns={[
              { title: t('ram.groups.name'), dataIndex: 'GroupName', render: (v: string) => <Button type="link" style={{ padding: 0 }} onClick={() => setOpen(v)}>{v}</Button> },
              { title: t('ram.groups.comments'), dataIndex: 'Comments', render: (v?: string) => v || '—' },
              { title: t('ram.created'), dataIndex: 'CreateDate', render: (v: string) => formatDate(v, lang) },
              { title: t('ram.actions'), key: 'a', render: (_v, g) => (
                <Space>
                  <Button type="link" size="small" onClick={() => setOpen(g.GroupName)}>{t('ram.groups.manage')}</Button>
                  <DeleteButton title={t('ram.groups.deleteConfirm', { name: g.GroupName })} description={t('ram.groups.deleteWhat')} onConfirm={() => del.mutateAsync(g.GroupName)} />
                </Space>
              ) },
            ]} />
          <MarkerPager paging={paging} truncated={q.data?.IsTruncated} nextMarker={q.data?.Marker} />
        </>
      )}
      <Modal open={creating} title={t('ram.groups.create')} onCancel={() => setCreating(false)} okText={t('common.ok')} cancelText={t('common.cancel')}
        okButtonProps={{ loading: create.isPending }} onOk={() => form.submit()}>
        <Form form={form} layout="vertical" name="create-group" onFinish={(v) => { create.mutateAsync(v).then(() => setCreating(false), () => { /* shown below */ }); }}>
          <Form.Item name="name" label={t('ram.groups.name')} rules={[{ required: true, message: t('ram.required') }, { pattern: /^[A-Za-z0-9-]{1,64}$/, message: t('ram.groups.nameInvalid') }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="comments" label={t('ram.groups.comments')} rules={[{ max: 128 }]}><Input autoComplete="off" /></Form.Item>
        </Form>
        {create.isError && <ApiErrorAlert error={create.error} />}
      </Modal>
      <Drawer open={open !== undefined} width={760} title={open !== undefined ? t('ram.groups.drawerTitle', { name: open }) : ''} onClose={() => setOpen(undefined)} destroyOnClose>
        {open !== undefined && (
          <Tabs items={[
            { key: 'members', label: t('ram.groups.members'), children: <Members group={open} /> },
            { key: 'permissions', label: t('ram.users.tabPermissions'), children: <AttachedPolicies principalType="Group" name={open} /> },
          ]} />
        )}
      </Drawer>
    </>
  );
}
