// /console/ram/users — RAM users (ListUsers, paged by marker) and Create User: logon name, display
// name, access mode (Console Password Logon: a generated or custom password, reset at next logon,
// MFA required; Programmatic Access: an AccessKey pair). The new password and AccessKey secret are
// shown once with a CSV download. Delete names the user and what goes with it.
import { useState } from 'react';
import { Button, Checkbox, Form, Input, Modal, Radio, Space, Table, Typography } from 'antd';
import { Link } from 'react-router';
import { call } from '../api.ts';
import { useI18n, useT } from '../i18n/index.tsx';
import { useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { OneTimeCredential } from '../ram/components.tsx';
import { emptyText, formatDate, generatePassword, listOf, MarkerPager, principalName, useAccountId, useMarkers, useRam, useRamWrite, type AccessKey, type PasswordPolicy, type RamUser, detachAllPolicies, DeleteButton } from '../ram/shared.tsx';

const PAGE_SIZE = 20;

interface CreateForm {
  userName: string; displayName?: string; console: boolean; programmatic: boolean;
  passwordMode: 'auto' | 'custom'; password?: string; resetRequired: boolean; mfaRequired: boolean;
}

interface Created { userName: string; password?: string; accessKey?: AccessKey }

function CreateUserModal({ onClose, onCreated }: { onClose: () => void; onCreated: (c: Created) => void }) {
  const t = useT();
  const [form] = Form.useForm<CreateForm>();
  const consoleLogon = Form.useWatch('console', form) ?? false;
  const passwordMode = Form.useWatch('passwordMode', form) ?? 'auto';
  const policy = useRam<{ PasswordPolicy?: PasswordPolicy }>('GetPasswordPolicy');
  // CreateUser, then its login profile and AccessKey; when a later step is refused (a password the
  // policy rejects) the user is deleted again, so a failed Create User leaves nothing behind
  const create = useRamWrite(async (v: CreateForm): Promise<Created> => {
    await call('ram', 'CreateUser', { UserName: v.userName.trim(), DisplayName: v.displayName?.trim() || undefined });
    const out: Created = { userName: v.userName.trim() };
    try {
      if (v.console) {
        const password = v.passwordMode === 'custom' ? v.password ?? '' : generatePassword(policy.data?.PasswordPolicy);
        await call('ram', 'CreateLoginProfile', { UserName: out.userName, Password: password, PasswordResetRequired: v.resetRequired, MFABindRequired: v.mfaRequired });
        if (v.passwordMode === 'auto') out.password = password;
      }
      if (v.programmatic) {
        const r = await call<{ AccessKey: AccessKey }>('ram', 'CreateAccessKey', { UserName: out.userName });
        out.accessKey = r.AccessKey;
      }
    } catch (e) {
      await deleteUserCascade(out.userName).catch(() => undefined);
      throw e;
    }
    return out;
  }, (r) => t('ram.users.created', { name: r.userName }));
  return (
    <Modal open title={t('ram.users.create')} onCancel={onClose} okText={t('common.ok')} cancelText={t('common.cancel')} width={620}
      okButtonProps={{ loading: create.isPending }} onOk={() => form.submit()}>
      <Form form={form} layout="vertical" name="create-user" initialValues={{ console: true, programmatic: false, passwordMode: 'auto', resetRequired: true, mfaRequired: false }}
        onFinish={(v) => { create.mutateAsync(v).then(onCreated, () => { /* shown below */ }); }}>
        <Form.Item name="userName" label={t('ram.users.logonName')} extra={t('ram.users.logonNameHint')}
          rules={[{ required: true, message: t('ram.required') }, { pattern: /^[A-Za-z0-9._-]{1,64}$/, message: t('ram.users.logonNameInvalid') }]}>
          <Input autoComplete="off" spellCheck={false} />
        </Form.Item>
        <Form.Item name="displayName" label={t('ram.users.displayName')} rules={[{ max: 128 }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Typography.Text strong>{t('ram.users.accessMode')}</Typography.Text>
        <Form.Item name="console" valuePropName="checked" style={{ marginBottom: 4 }}>
          <Checkbox>{t('ram.users.consoleLogon')}</Checkbox>
        </Form.Item>
        {consoleLogon && (
          <div style={{ paddingLeft: 24 }}>
            <Form.Item name="passwordMode" label={t('ram.users.consolePassword')}>
              <Radio.Group options={[{ value: 'auto', label: t('ram.users.passwordAuto') }, { value: 'custom', label: t('ram.users.passwordCustom') }]} />
            </Form.Item>
            {passwordMode === 'custom' && (
              <Form.Item name="password" label={t('ram.users.password')} rules={[{ required: true, message: t('ram.required') }]}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
            )}
            <Form.Item name="resetRequired" label={t('ram.users.resetRequired')}>
              <Radio.Group options={[{ value: true, label: t('ram.users.resetYes') }, { value: false, label: t('ram.users.resetNo') }]} />
            </Form.Item>
            <Form.Item name="mfaRequired" label={t('ram.users.mfaRequired')}>
              <Radio.Group options={[{ value: true, label: t('ram.users.mfaYes') }, { value: false, label: t('ram.users.mfaNo') }]} />
            </Form.Item>
          </div>
        )}
        <Form.Item name="programmatic" valuePropName="checked" extra={t('ram.users.programmaticHint')}
          rules={[({ getFieldValue }) => ({ validator: (_r, v) => (v === true || getFieldValue('console') === true ? Promise.resolve() : Promise.reject(new Error(t('ram.users.chooseMode')))) })]}>
          <Checkbox>{t('ram.users.programmatic')}</Checkbox>
        </Form.Item>
        <Typography.Paragraph type="secondary">{t('ram.users.oneModeNote')}</Typography.Paragraph>
      </Form>
      {create.isError && <ApiErrorAlert error={create.error} />}
    </Modal>
  );
}

/**
 * Deletes a user as the console does: its AccessKeys, group memberships and policy attachments
 * first (DeleteUser refuses while any is left), then the user with its logon and MFA binding.
 */
async function deleteUserCascade(name: string): Promise<void> {
  const keys = await call<{ AccessKeys?: { AccessKey?: AccessKey[] } }>('ram', 'ListAccessKeys', { UserName: name });
  for (const k of listOf<AccessKey>(keys.AccessKeys, 'AccessKey')) await call('ram', 'DeleteAccessKey', { UserName: name, UserAccessKeyId: k.AccessKeyId });
  const groups = await call<{ Groups?: { Group?: Array<{ GroupName: string }> } }>('ram', 'ListGroupsForUser', { UserName: name });
  for (const g of listOf<{ GroupName: string }>(groups.Groups, 'Group')) await call('ram', 'RemoveUserFromGroup', { UserName: name, GroupName: g.GroupName });
  await detachAllPolicies('User', name);
  await call('ram', 'DeleteUser', { UserName: name });
}

export default function RamUsers() {
  const t = useT();
  const { lang } = useI18n();
  const link = useRegionLink();
  const accountId = useAccountId();
  const paging = useMarkers();
  const q = useRam<{ IsTruncated?: boolean; Marker?: string; Users?: { User?: RamUser[] } }>('ListUsers', { MaxItems: PAGE_SIZE, Marker: paging.marker });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | undefined>(undefined);
  const del = useRamWrite(deleteUserCascade, (_r, name) => t('ram.users.deleted', { name }));
  const rows = listOf<RamUser>(q.data?.Users, 'User');

  const credentialFields = (c: Created): Array<[string, string]> => [
    [t('ram.users.principalName'), principalName(c.userName, accountId)],
    ...(c.password !== undefined ? [[t('ram.users.password'), c.password] as [string, string]] : []),
    ...(c.accessKey !== undefined ? [[t('ram.keys.id'), c.accessKey.AccessKeyId] as [string, string], [t('ram.keys.secret'), c.accessKey.AccessKeySecret ?? ''] as [string, string]] : []),
  ];

  return (
    <>
      <PageTitle title={t('nav.ramUsers')} extra={<Button type="primary" onClick={() => setCreating(true)}>{t('ram.users.create')}</Button>} />
      {del.isError && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={del.error} /></div>}
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <>
          <Table<RamUser> rowKey="UserName" loading={q.isPending} dataSource={rows} pagination={false}
            locale={{ emptyText: emptyText(t('ram.users.empty')) }}
            columns={[
              { title: t('ram.users.logonDisplay'), key: 'name', render: (_v, u) => (
                <Space direction="vertical" size={0}>
                  <Link to={link(`ram/users/${encodeURIComponent(u.UserName)}`)}>{principalName(u.UserName, accountId)}</Link>
                  <Typography.Text type="secondary">{u.DisplayName || '—'}</Typography.Text>
                </Space>
              ) },
              { title: t('ram.users.comments'), dataIndex: 'Comments', render: (v?: string) => v || '—' },
              { title: t('ram.created'), dataIndex: 'CreateDate', render: (v: string) => formatDate(v, lang) },
              { title: t('ram.actions'), key: 'a', render: (_v, u) => (
                <Space>
                  <Link to={link(`ram/users/${encodeURIComponent(u.UserName)}`)}>{t('ram.users.manage')}</Link>
                  <DeleteButton title={t('ram.users.deleteConfirm', { name: u.UserName })} description={t('ram.users.deleteWhat')} onConfirm={() => del.mutateAsync(u.UserName)} />
                </Space>
              ) },
            ]} />
          <MarkerPager paging={paging} truncated={q.data?.IsTruncated} nextMarker={q.data?.Marker} />
        </>
      )}
      {creating && <CreateUserModal onClose={() => setCreating(false)} onCreated={(c) => { setCreating(false); setCreated(c); }} />}
      {created !== undefined && (created.password !== undefined || created.accessKey !== undefined) && (
        <OneTimeCredential title={t('ram.users.createdTitle', { name: created.userName })} fields={credentialFields(created)}
          fileName={`${created.userName}_credentials.csv`} onClose={() => setCreated(undefined)} />
      )}
    </>
  );
}
