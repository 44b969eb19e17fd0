// /console/ram/users/:name — one RAM user: basic information and console logon (GetUser,
// GetLoginProfile), groups (join / leave), permissions (attached policies), AccessKeys (create with
// the secret shown once, disable/enable, delete) and the virtual MFA device (a QR code of the
// otpauth URL and the key in text, two consecutive codes to bind; unbind).
import { useEffect, useState } from 'react';
import { Alert, Button, Descriptions, Form, Input, Modal, Popconfirm, Result, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useParams } from 'react-router';
import QRCode from 'qrcode';
import { ApiError, call } from '../api.ts';
import { useI18n, useT } from '../i18n/index.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { AttachedPolicies, OneTimeCredential } from '../ram/components.tsx';
import { DANGER, GOOD_TAG, emptyText, formatDate, listOf, principalName, useAccountId, useRam, useRamWrite, type AccessKey, type LoginProfile, type RamGroup, type RamUser } from '../ram/shared.tsx';

function BasicInfo({ name }: { name: string }) {
  const t = useT();
  const { lang } = useI18n();
  const accountId = useAccountId();
  const user = useRam<{ User: RamUser }>('GetUser', { UserName: name });
  const profile = useRam<{ LoginProfile: LoginProfile }>('GetLoginProfile', { UserName: name });
  const noProfile = profile.error instanceof ApiError && profile.error.code === 'EntityNotExist.User.LoginProfile';
  const disable = useRamWrite(() => call('ram', 'DeleteLoginProfile', { UserName: name }), () => t('ram.users.logonDisabled', { name }));
  if (user.isError) return <ApiErrorAlert error={user.error} onRetry={() => void user.refetch()} />;
  const u = user.data?.User;
  const p = profile.data?.LoginProfile;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Descriptions bordered size="small" column={1} title={t('ram.users.basic')} items={[
        { key: 'upn', label: t('ram.users.principalName'), children: <Typography.Text copyable>{principalName(name, accountId)}</Typography.Text> },
        { key: 'dn', label: t('ram.users.displayName'), children: u?.DisplayName || '—' },
        { key: 'id', label: t('ram.users.userId'), children: u?.UserId ?? '—' },
        { key: 'c', label: t('ram.created'), children: formatDate(u?.CreateDate, lang) },
      ]} />
      <Descriptions bordered size="small" column={1} title={t('ram.users.logonSettings')}
        extra={p !== undefined ? (
          <Popconfirm title={t('ram.users.disableLogonConfirm', { name })} okText={t('ram.users.disableLogon')} okButtonProps={{ danger: true }}
            cancelText={t('common.cancel')} onConfirm={() => disable.mutateAsync(undefined)}>
            <Button danger size="small" style={DANGER}>{t('ram.users.disableLogon')}</Button>
          </Popconfirm>
        ) : undefined}
        items={profile.isError && !noProfile ? [{ key: 'e', label: t('ram.users.consoleLogon'), children: <ApiErrorAlert error={profile.error} /> }] : [
          { key: 'st', label: t('ram.users.consoleLogon'), children: noProfile ? <Tag>{t('ram.users.logonOff')}</Tag> : p ? <Tag style={GOOD_TAG}>{t('ram.users.logonOn')}</Tag> : t('common.loading') },
          ...(p ? [
            { key: 'r', label: t('ram.users.resetRequired'), children: p.PasswordResetRequired ? t('ram.users.resetYes') : t('ram.users.resetNo') },
            { key: 'm', label: t('ram.users.mfaRequired'), children: p.MFABindRequired ? t('ram.users.mfaYes') : t('ram.users.mfaNo') },
          ] : []),
        ]} />
      {disable.isError && <ApiErrorAlert error={disable.error} />}
    </Space>
  );
}

function UserGroups({ name }: { name: string }) {
  const t = useT();
  const { lang } = useI18n();
  const mine = useRam<{ Groups?: { Group?: RamGroup[] } }>('ListGroupsForUser', { UserName: name });
  const all = useRam<{ Groups?: { Group?: RamGroup[] } }>('ListGroups', { MaxItems: 100 });
  const [chosen, setChosen] = useState<string[]>([]);
  const join = useRamWrite(async (groups: string[]) => { for (const g of groups) await call('ram', 'AddUserToGroup', { UserName: name, GroupName: g }); },
    (_r, groups) => t('ram.groups.joined', { count: groups.length }));
  const leave = useRamWrite((g: string) => call('ram', 'RemoveUserFromGroup', { UserName: name, GroupName: g }), (_r, g) => t('ram.groups.left', { group: g }));
  const rows = listOf<RamGroup>(mine.data?.Groups, 'Group');
  const have = new Set(rows.map((g) => g.GroupName));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select mode="multiple" style={{ minWidth: 320 }} aria-label={t('ram.groups.addToGroup')} placeholder={t('ram.groups.chooseGroups')} value={chosen} onChange={setChosen}
          loading={all.isPending} options={listOf<RamGroup>(all.data?.Groups, 'Group').filter((g) => !have.has(g.GroupName)).map((g) => ({ value: g.GroupName, label: g.GroupName }))} />
        <Button type="primary" disabled={chosen.length === 0} loading={join.isPending}
          onClick={() => { join.mutateAsync(chosen).then(() => setChosen([]), () => { /* shown below */ }); }}>{t('ram.groups.addToGroup')}</Button>
      </Space>
      {join.isError && <ApiErrorAlert error={join.error} />}
      {leave.isError && <ApiErrorAlert error={leave.error} />}
      {mine.isError ? <ApiErrorAlert error={mine.error} onRetry={() => void mine.refetch()} /> : (
        <Table<RamGroup> size="small" rowKey="GroupName" loading={mine.isPending} dataSource={rows} pagination={false} locale={{ emptyText: emptyText(t('ram.groups.userInNone')) }}
          columns={[
            { title: t('ram.groups.name'), dataIndex: 'GroupName' },
            { title: t('ram.groups.comments'), dataIndex: 'Comments', render: (v?: string) => v || '—' },
            { title: t('ram.groups.joinDate'), dataIndex: 'JoinDate', render: (v: string) => formatDate(v, lang) },
            { title: t('ram.actions'), key: 'a', render: (_v, g) => (
              <Popconfirm title={t('ram.groups.leaveConfirm', { name, group: g.GroupName })} okText={t('ram.groups.remove')} okButtonProps={{ danger: true }}
                cancelText={t('common.cancel')} onConfirm={() => leave.mutateAsync(g.GroupName)}>
                <Button type="link" danger size="small" style={DANGER}>{t('ram.groups.remove')}</Button>
              </Popconfirm>
            ) },
          ]} />
      )}
    </Space>
  );
}

function AccessKeys({ name }: { name: string }) {
  const t = useT();
  const { lang } = useI18n();
  const accountId = useAccountId();
  const q = useRam<{ AccessKeys?: { AccessKey?: AccessKey[] } }>('ListAccessKeys', { UserName: name });
  const [created, setCreated] = useState<AccessKey | undefined>(undefined);
  const create = useRamWrite(() => call<{ AccessKey: AccessKey }>('ram', 'CreateAccessKey', { UserName: name }), () => undefined);
  const update = useRamWrite((v: { id: string; status: 'Active' | 'Inactive' }) => call('ram', 'UpdateAccessKey', { UserName: name, UserAccessKeyId: v.id, Status: v.status }),
    (_r, v) => (v.status === 'Active' ? t('ram.keys.enabled', { id: v.id }) : t('ram.keys.disabled', { id: v.id })));
  const del = useRamWrite((id: string) => call('ram', 'DeleteAccessKey', { UserName: name, UserAccessKeyId: id }), (_r, id) => t('ram.keys.deleted', { id }));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Button type="primary" loading={create.isPending} onClick={() => { create.mutateAsync(undefined).then((r) => setCreated(r.AccessKey), () => { /* shown below */ }); }}>{t('ram.keys.create')}</Button>
      {[create, update, del].map((m, i) => (m.isError ? <ApiErrorAlert key={i} error={m.error} /> : null))}
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <Table<AccessKey> size="small" rowKey="AccessKeyId" loading={q.isPending} dataSource={listOf<AccessKey>(q.data?.AccessKeys, 'AccessKey')} pagination={false}
          locale={{ emptyText: emptyText(t('ram.keys.empty')) }}
          columns={[
            { title: t('ram.keys.id'), dataIndex: 'AccessKeyId', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
            { title: t('ram.keys.status'), dataIndex: 'Status', render: (v: string) => (v === 'Active' ? <Tag style={GOOD_TAG}>{t('ram.keys.active')}</Tag> : <Tag>{t('ram.keys.inactive')}</Tag>) },
            { title: t('ram.created'), dataIndex: 'CreateDate', render: (v: string) => formatDate(v, lang) },
            { title: t('ram.actions'), key: 'a', render: (_v, k) => (
              <Space>
                {k.Status === 'Active'
                  ? <Popconfirm title={t('ram.keys.disableConfirm', { id: k.AccessKeyId })} okText={t('ram.keys.disable')} cancelText={t('common.cancel')}
                    onConfirm={() => update.mutateAsync({ id: k.AccessKeyId, status: 'Inactive' })}><Button type="link" size="small">{t('ram.keys.disable')}</Button></Popconfirm>
                  : <Button type="link" size="small" onClick={() => void update.mutateAsync({ id: k.AccessKeyId, status: 'Active' }).catch(() => undefined)}>{t('ram.keys.enable')}</Button>}
                <Popconfirm title={t('ram.keys.deleteConfirm', { id: k.AccessKeyId })} description={t('ram.keys.deleteWhat')} okText={t('ram.delete')} okButtonProps={{ danger: true }}
                  cancelText={t('common.cancel')} onConfirm={() => del.mutateAsync(k.AccessKeyId)}>
                  <Button type="link" danger size="small" style={DANGER}>{t('ram.delete')}</Button>
                </Popconfirm>
              </Space>
            ) },
          ]} />
      )}
      {created !== undefined && (
        <OneTimeCredential title={t('ram.keys.createdTitle')} fileName={`AccessKey_${name}.csv`} onClose={() => setCreated(undefined)}
          fields={[[t('ram.users.principalName'), principalName(name, accountId)], [t('ram.keys.id'), created.AccessKeyId], [t('ram.keys.secret'), created.AccessKeySecret ?? '']]} />
      )}
    </Space>
  );
}

interface MfaDeviceRow { SerialNumber: string; ActivateDate?: string; User?: { UserName: string } }
interface NewDevice { SerialNumber: string; Base32StringSeed: string; OtpauthUri: string }

function BindMfaModal({ name, onClose }: { name: string; onClose: () => void }) {
  const t = useT();
  const [device, setDevice] = useState<NewDevice | undefined>(undefined);
  const [qr, setQr] = useState<string | undefined>(undefined);
  const [form] = Form.useForm<{ code1: string; code2: string }>();
  // the device is named after the user; one left unbound by an abandoned binding is replaced
  const create = useRamWrite(async () => {
    const list = await call<{ VirtualMFADevices?: { VirtualMFADevice?: MfaDeviceRow[] } }>('ram', 'ListVirtualMFADevices');
    const stale = listOf<MfaDeviceRow>(list.VirtualMFADevices, 'VirtualMFADevice').find((d) => d.User === undefined && d.SerialNumber.endsWith(`:mfa/${name}`));
    if (stale !== undefined) await call('ram', 'DeleteVirtualMFADevice', { SerialNumber: stale.SerialNumber });
    return (await call<{ VirtualMFADevice: NewDevice }>('ram', 'CreateVirtualMFADevice', { VirtualMFADeviceName: name })).VirtualMFADevice;
  });
  const bind = useRamWrite((v: { code1: string; code2: string }) => call('ram', 'BindMFADevice', {
    SerialNumber: device?.SerialNumber ?? '', UserName: name, AuthenticationCode1: v.code1.trim(), AuthenticationCode2: v.code2.trim(),
  }), () => t('ram.mfa.bound', { name }));
  const { mutateAsync: createDevice } = create;
  useEffect(() => {
    let live = true;
    createDevice(undefined).then(async (d) => {
      if (!live) return;
      setDevice(d);
      setQr(await QRCode.toDataURL(d.OtpauthUri, { width: 200, margin: 1 }));
    }, () => { /* shown below */ });
    return () => { live = false; };
  }, [createDevice]);
  const cancel = () => {
    // an unbound device is of no use: removed so the next binding starts clean
    if (device !== undefined && !bind.isSuccess) void call('ram', 'DeleteVirtualMFADevice', { SerialNumber: device.SerialNumber }).catch(() => undefined);
    onClose();
  };
  const digits = [{ required: true, pattern: /^\s*\d{6}\s*$/, message: t('ram.mfa.codeInvalid') }];
  return (
    <Modal open title={t('ram.mfa.bindTitle', { name })} onCancel={cancel} okText={t('ram.mfa.bind')} cancelText={t('common.cancel')}
      okButtonProps={{ disabled: device === undefined, loading: bind.isPending }} onOk={() => form.submit()} maskClosable={false}>
      {create.isError ? <ApiErrorAlert error={create.error} /> : device === undefined ? <Typography.Paragraph>{t('common.loading')}</Typography.Paragraph> : (
        <>
          <Typography.Paragraph>{t('ram.mfa.scan')}</Typography.Paragraph>
          <div style={{ textAlign: 'center' }}>
            {qr !== undefined && <img src={qr} width={200} height={200} alt={t('ram.mfa.qrAlt', { name })} data-testid="mfa-qr" />}
          </div>
          <Typography.Paragraph>{t('ram.mfa.manual')} <Typography.Text code copyable data-testid="mfa-seed">{device.Base32StringSeed}</Typography.Text></Typography.Paragraph>
          <Typography.Paragraph type="secondary" style={{ wordBreak: 'break-all', fontSize: 12 }} data-testid="mfa-uri">{device.OtpauthUri}</Typography.Paragraph>
          <Form form={form} layout="vertical" name="bind-mfa" onFinish={(v) => { bind.mutateAsync(v).then(onClose, () => { /* shown below */ }); }}>
            <Form.Item name="code1" label={t('ram.mfa.code1')} rules={digits}><Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" /></Form.Item>
            <Form.Item name="code2" label={t('ram.mfa.code2')} rules={digits}><Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" /></Form.Item>
          </Form>
          {bind.isError && <ApiErrorAlert error={bind.error} />}
        </>
      )}
    </Modal>
  );
}

function MfaDevice({ name }: { name: string }) {
  const t = useT();
  const { lang } = useI18n();
  const q = useRam<{ VirtualMFADevices?: { VirtualMFADevice?: MfaDeviceRow[] } }>('ListVirtualMFADevices');
  const [binding, setBinding] = useState(false);
  const mine = listOf<MfaDeviceRow>(q.data?.VirtualMFADevices, 'VirtualMFADevice').find((d) => d.User?.UserName === name);
  const unbind = useRamWrite(async (serial: string) => {
    await call('ram', 'UnbindMFADevice', { UserName: name });
    await call('ram', 'DeleteVirtualMFADevice', { SerialNumber: serial });
  }, () => t('ram.mfa.unbound', { name }));
  if (q.isError) return <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  if (q.isPending) return <Typography.Paragraph>{t('common.loading')}</Typography.Paragraph>;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {mine === undefined ? (
        <Result status="info" title={t('ram.mfa.none')} subTitle={t('ram.mfa.noneText')}
          extra={<Button type="primary" onClick={() => setBinding(true)}>{t('ram.mfa.enable')}</Button>} />
      ) : (
        <Descriptions bordered size="small" column={1} title={t('ram.mfa.device')}
          extra={<Popconfirm title={t('ram.mfa.unbindConfirm', { name })} description={t('ram.mfa.unbindWhat')} okText={t('ram.mfa.unbind')} okButtonProps={{ danger: true }}
            cancelText={t('common.cancel')} onConfirm={() => unbind.mutateAsync(mine.SerialNumber)}>
            <Button danger size="small" style={DANGER}>{t('ram.mfa.unbind')}</Button>
          </Popconfirm>}
          items={[
            { key: 's', label: t('ram.mfa.serial'), children: <Typography.Text code>{mine.SerialNumber}</Typography.Text> },
            { key: 'a', label: t('ram.mfa.activated'), children: formatDate(mine.ActivateDate, lang) },
          ]} />
      )}
      {unbind.isError && <ApiErrorAlert error={unbind.error} />}
      {binding && <BindMfaModal name={name} onClose={() => setBinding(false)} />}
      <Alert type="info" showIcon message={t('ram.mfa.note')} />
    </Space>
  );
}

export default function RamUserDetail() {
  const t = useT();
  const { name = '' } = useParams();
  return (
    <>
      <PageTitle title={t('ram.users.detailTitle', { name })} />
      <Tabs items={[
        { key: 'basic', label: t('ram.users.tabBasic'), children: <BasicInfo name={name} /> },
        { key: 'groups', label: t('ram.users.tabGroups'), children: <UserGroups name={name} /> },
        { key: 'permissions', label: t('ram.users.tabPermissions'), children: <AttachedPolicies principalType="User" name={name} /> },
        { key: 'keys', label: t('ram.users.tabKeys'), children: <AccessKeys name={name} /> },
        { key: 'mfa', label: t('ram.users.tabMfa'), children: <MfaDevice name={name} /> },
      ]} />
    </>
  );
}
