// /console/ram/policies/:type/:name — one policy: basic information, its document (read-only for a
// system policy; a custom policy's is edited into a new version, optionally the default, with the
// engine's problems at their line and column), its versions (ListPolicyVersions: view, set as
// default, delete) and its references (ListEntitiesForPolicy).
import { useState } from 'react';
import { Button, Checkbox, Descriptions, Modal, Popconfirm, Space, Table, Tabs, Tag, Typography } from 'antd';
import { Link, useParams } from 'react-router';
import { call } from '../api.ts';
import { useI18n, useT } from '../i18n/index.tsx';
import { useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { PolicyField } from '../ram/components.tsx';
import { DANGER, GOOD_TAG, emptyText, formatDate, listOf, useRam, useRamWrite, type PolicyVersion, type RamPolicy } from '../ram/shared.tsx';

/** A stored document, indented for reading (as stored when it is not JSON, which the engine never stores). */
function pretty(doc: string | undefined): string {
  if (doc === undefined) return '';
  try { return JSON.stringify(JSON.parse(doc), null, 2); } catch { return doc; }
}

function NewVersionModal({ name, current, onClose }: { name: string; current: string; onClose: () => void }) {
  const t = useT();
  const [doc, setDoc] = useState(current);
  const [asDefault, setAsDefault] = useState(true);
  const create = useRamWrite(() => call<{ PolicyVersion: PolicyVersion }>('ram', 'CreatePolicyVersion', { PolicyName: name, PolicyDocument: doc, SetAsDefault: asDefault }),
    (r) => t('ram.versions.created', { version: r.PolicyVersion.VersionId }));
  return (
    <Modal open title={t('ram.versions.modify', { name })} width={760} onCancel={onClose} okText={t('common.ok')} cancelText={t('common.cancel')} maskClosable={false}
      okButtonProps={{ loading: create.isPending }} onOk={() => { create.mutateAsync(undefined).then(onClose, () => { /* shown below */ }); }}>
      <PolicyField value={doc} onChange={setDoc} label={t('ram.policies.document')} error={create.error ?? undefined} height="340px" />
      <Checkbox style={{ marginTop: 12 }} checked={asDefault} onChange={(e) => setAsDefault(e.target.checked)}>{t('ram.versions.setAsDefaultOnCreate')}</Checkbox>
    </Modal>
  );
}

function Versions({ name, type }: { name: string; type: string }) {
  const t = useT();
  const { lang } = useI18n();
  const q = useRam<{ PolicyVersions?: { PolicyVersion?: PolicyVersion[] } }>('ListPolicyVersions', { PolicyName: name, PolicyType: type });
  const [viewing, setViewing] = useState<PolicyVersion | undefined>(undefined);
  const setDefault = useRamWrite((v: string) => call('ram', 'SetDefaultPolicyVersion', { PolicyName: name, VersionId: v }), (_r, v) => t('ram.versions.defaultSet', { version: v }));
  const del = useRamWrite((v: string) => call('ram', 'DeletePolicyVersion', { PolicyName: name, VersionId: v }), (_r, v) => t('ram.versions.deleted', { version: v }));
  const custom = type === 'Custom';
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {setDefault.isError && <ApiErrorAlert error={setDefault.error} />}
      {del.isError && <ApiErrorAlert error={del.error} />}
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <Table<PolicyVersion> size="small" rowKey="VersionId" loading={q.isPending} dataSource={listOf<PolicyVersion>(q.data?.PolicyVersions, 'PolicyVersion')} pagination={false}
          columns={[
            { title: t('ram.versions.id'), dataIndex: 'VersionId', render: (v: string, r) => <Space>{v}{r.IsDefaultVersion && <Tag style={GOOD_TAG}>{t('ram.versions.default')}</Tag>}</Space> },
            { title: t('ram.created'), dataIndex: 'CreateDate', render: (v: string) => formatDate(v, lang) },
            { title: t('ram.actions'), key: 'a', render: (_v, r) => (
              <Space>
                <Button type="link" size="small" onClick={() => setViewing(r)}>{t('ram.versions.view')}</Button>
                {custom && !r.IsDefaultVersion && (
                  <Popconfirm title={t('ram.versions.setDefaultConfirm', { version: r.VersionId, name })} okText={t('ram.versions.setDefault')} cancelText={t('common.cancel')}
                    onConfirm={() => setDefault.mutateAsync(r.VersionId)}>
                    <Button type="link" size="small">{t('ram.versions.setDefault')}</Button>
                  </Popconfirm>
                )}
                {custom && !r.IsDefaultVersion && (
                  <Popconfirm title={t('ram.versions.deleteConfirm', { version: r.VersionId, name })} okText={t('ram.delete')} okButtonProps={{ danger: true }}
                    cancelText={t('common.cancel')} onConfirm={() => del.mutateAsync(r.VersionId)}>
                    <Button type="link" danger size="small" style={DANGER}>{t('ram.delete')}</Button>
                  </Popconfirm>
                )}
              </Space>
            ) },
          ]} />
      )}
      {viewing !== undefined && (
        <Modal open width={760} title={t('ram.versions.viewTitle', { version: viewing.VersionId, name })} onCancel={() => setViewing(undefined)}
          footer={<Button onClick={() => setViewing(undefined)}>{t('ram.close')}</Button>}>
          <PolicyField value={pretty(viewing.PolicyDocument)} readOnly label={t('ram.versions.viewTitle', { version: viewing.VersionId, name })} />
        </Modal>
      )}
    </Space>
  );
}

interface Entities {
  Users?: { User?: Array<{ UserName: string; DisplayName?: string; AttachDate?: string }> };
  Groups?: { Group?: Array<{ GroupName: string; AttachDate?: string }> };
  Roles?: { Role?: Array<{ RoleName: string; AttachDate?: string }> };
}

function References({ name, type }: { name: string; type: string }) {
  const t = useT();
  const { lang } = useI18n();
  const link = useRegionLink();
  const q = useRam<Entities>('ListEntitiesForPolicy', { PolicyName: name, PolicyType: type });
  if (q.isError) return <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  const rows = [
    ...listOf<{ UserName: string; AttachDate?: string }>(q.data?.Users, 'User').map((u) => ({ key: `u:${u.UserName}`, kind: t('ram.refs.user'), name: u.UserName, date: u.AttachDate, to: `ram/users/${encodeURIComponent(u.UserName)}` })),
    ...listOf<{ GroupName: string; AttachDate?: string }>(q.data?.Groups, 'Group').map((g) => ({ key: `g:${g.GroupName}`, kind: t('ram.refs.group'), name: g.GroupName, date: g.AttachDate, to: 'ram/groups' })),
    ...listOf<{ RoleName: string; AttachDate?: string }>(q.data?.Roles, 'Role').map((r) => ({ key: `r:${r.RoleName}`, kind: t('ram.refs.role'), name: r.RoleName, date: r.AttachDate, to: 'ram/roles' })),
  ];
  return (
    <Table size="small" rowKey="key" loading={q.isPending} dataSource={rows} pagination={false} locale={{ emptyText: emptyText(t('ram.refs.none')) }}
      columns={[
        { title: t('ram.refs.principal'), dataIndex: 'name', render: (v: string, r) => <Link to={link(r.to)}>{v}</Link> },
        { title: t('ram.refs.kind'), dataIndex: 'kind' },
        { title: t('ram.attachDate'), dataIndex: 'date', render: (v?: string) => formatDate(v, lang) },
      ]} />
  );
}

export default function RamPolicyDetail() {
  const t = useT();
  const { lang } = useI18n();
  const { type = 'System', name = '' } = useParams();
  const q = useRam<{ Policy: RamPolicy & { PolicyDocument?: string } }>('GetPolicy', { PolicyName: name, PolicyType: type });
  const [editing, setEditing] = useState(false);
  const p = q.data?.Policy;
  const custom = type === 'Custom';
  return (
    <>
      <PageTitle title={t('ram.policies.detailTitle', { name })} />
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <Space direction="vertical" style={{ width: '100%' }} size="large">
          <Descriptions bordered size="small" column={2} items={[
            { key: 'n', label: t('ram.policies.name'), children: name },
            { key: 't', label: t('ram.policies.type'), children: <Tag>{custom ? t('ram.policies.custom') : t('ram.policies.system')}</Tag> },
            { key: 'd', label: t('ram.policies.description'), children: p?.Description || '—' },
            { key: 'v', label: t('ram.policies.defaultVersion'), children: p?.DefaultVersion ?? '—' },
            { key: 'c', label: t('ram.created'), children: formatDate(p?.CreateDate, lang) },
            { key: 'u', label: t('ram.updated'), children: formatDate(p?.UpdateDate, lang) },
          ]} />
          <Tabs items={[
            { key: 'doc', label: t('ram.policies.document'), children: (
              <Space direction="vertical" style={{ width: '100%' }}>
                {custom && <Button type="primary" disabled={p === undefined} onClick={() => setEditing(true)}>{t('ram.versions.modifyButton')}</Button>}
                {p === undefined ? <Typography.Paragraph>{t('common.loading')}</Typography.Paragraph>
                  : <PolicyField value={pretty(p.PolicyDocument)} readOnly label={t('ram.policies.documentOf', { name })} />}
              </Space>
            ) },
            { key: 'versions', label: t('ram.versions.title'), children: <Versions name={name} type={type} /> },
            { key: 'refs', label: t('ram.refs.title'), children: <References name={name} type={type} /> },
          ]} />
        </Space>
      )}
      {editing && p !== undefined && <NewVersionModal name={name} current={pretty(p.PolicyDocument)} onClose={() => setEditing(false)} />}
    </>
  );
}
