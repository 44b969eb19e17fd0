// /console/ram/policies — system and custom policies (ListPolicies by PolicyType, paged by marker),
// Create Policy (name, note, the JSON document in the policy editor; the engine's problems shown at
// their line and column) and delete a custom policy.
import { useState } from 'react';
import { Button, Form, Input, Modal, Radio, Space, Table, Tag } from 'antd';
import { Link, useNavigate } from 'react-router';
import { call } from '../api.ts';
import { useI18n, useT } from '../i18n/index.tsx';
import { useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { PolicyField } from '../ram/components.tsx';
import { WARN_TAG, emptyText, formatDate, listOf, MarkerPager, useMarkers, useRam, useRamWrite, type RamPolicy, DeleteButton } from '../ram/shared.tsx';

const PAGE_SIZE = 20;

const POLICY_TEMPLATE = `{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "ecs:Describe*"
      ],
      "Resource": "*"
    }
  ]
}
`;

type Filter = 'All' | 'System' | 'Custom';

function CreatePolicyModal({ onClose }: { onClose: () => void }) {
  const t = useT();
  const navigate = useNavigate();
  const link = useRegionLink();
  const [form] = Form.useForm<{ name: string; description?: string }>();
  const [doc, setDoc] = useState(POLICY_TEMPLATE);
  const create = useRamWrite((v: { name: string; description?: string }) => call<{ Policy: RamPolicy }>('ram', 'CreatePolicy', {
    PolicyName: v.name.trim(), Description: v.description?.trim() || undefined, PolicyDocument: doc,
  }), (r) => t('ram.policies.created', { name: r.Policy.PolicyName }));
  return (
    <Modal open title={t('ram.policies.create')} onCancel={onClose} okText={t('common.ok')} cancelText={t('common.cancel')} width={760}
      okButtonProps={{ loading: create.isPending }} onOk={() => form.submit()} maskClosable={false}>
      <Form form={form} layout="vertical" name="create-policy"
        onFinish={(v) => { create.mutateAsync(v).then((r) => { onClose(); void navigate(link(`ram/policies/Custom/${encodeURIComponent(r.Policy.PolicyName)}`)); }, () => { /* shown below */ }); }}>
        <Form.Item name="name" label={t('ram.policies.name')} rules={[{ required: true, message: t('ram.required') }, { pattern: /^[A-Za-z0-9-]{1,128}$/, message: t('ram.policies.nameInvalid') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="description" label={t('ram.policies.note')} rules={[{ max: 1024 }]}><Input autoComplete="off" /></Form.Item>
      </Form>
      <div style={{ marginBottom: 4 }}>{t('ram.policies.document')}</div>
      <PolicyField value={doc} onChange={setDoc} label={t('ram.policies.document')} error={create.error ?? undefined} height="300px" />
    </Modal>
  );
}

export default function RamPolicies() {
  const t = useT();
  const { lang } = useI18n();
  const link = useRegionLink();
  const [filter, setFilter] = useState<Filter>('All');
  const paging = useMarkers();
  const q = useRam<{ IsTruncated?: boolean; Marker?: string; Policies?: { Policy?: RamPolicy[] } }>('ListPolicies', {
    PolicyType: filter === 'All' ? undefined : filter, MaxItems: PAGE_SIZE, Marker: paging.marker,
  });
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState('');
  const del = useRamWrite((name: string) => call('ram', 'DeletePolicy', { PolicyName: name }), (_r, name) => t('ram.policies.deleted', { name }));
  const rows = listOf<RamPolicy>(q.data?.Policies, 'Policy').filter((p) => search === '' || p.PolicyName.toLowerCase().includes(search.toLowerCase()) || (p.Description ?? '').toLowerCase().includes(search.toLowerCase()));
  return (
    <>
      <PageTitle title={t('nav.ramPolicies')} extra={<Button type="primary" onClick={() => setCreating(true)}>{t('ram.policies.create')}</Button>} />
      <Space wrap style={{ marginBottom: 12 }}>
        <Radio.Group value={filter} onChange={(e) => { setFilter(e.target.value as Filter); paging.reset(); }} optionType="button"
          aria-label={t('ram.policies.type')}
          options={[{ value: 'All', label: t('ram.policies.all') }, { value: 'System', label: t('ram.policies.system') }, { value: 'Custom', label: t('ram.policies.custom') }]} />
        <Input.Search allowClear placeholder={t('ram.policies.search')} aria-label={t('ram.policies.search')} onSearch={setSearch} onChange={(e) => { if (e.target.value === '') setSearch(''); }} style={{ width: 280 }} />
      </Space>
      {del.isError && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={del.error} /></div>}
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <>
          <Table<RamPolicy> rowKey={(p) => `${p.PolicyType}:${p.PolicyName}`} loading={q.isPending} dataSource={rows} pagination={false}
            locale={{ emptyText: emptyText(filter === 'Custom' ? t('ram.policies.emptyCustom') : t('ram.policies.empty')) }}
            columns={[
              { title: t('ram.policies.name'), dataIndex: 'PolicyName', render: (v: string, p) => <Link to={link(`ram/policies/${p.PolicyType}/${encodeURIComponent(v)}`)}>{v}</Link> },
              { title: t('ram.policies.type'), dataIndex: 'PolicyType', render: (v: string) => <Tag color={v === 'System' ? 'blue' : undefined} style={v === 'System' ? undefined : WARN_TAG}>{v === 'System' ? t('ram.policies.system') : t('ram.policies.custom')}</Tag> },
              { title: t('ram.policies.description'), dataIndex: 'Description', render: (v?: string) => v || '—' },
              { title: t('ram.policies.references'), dataIndex: 'AttachmentCount', render: (v?: number) => v ?? 0 },
              { title: t('ram.policies.defaultVersion'), dataIndex: 'DefaultVersion' },
              { title: t('ram.created'), dataIndex: 'CreateDate', render: (v: string) => formatDate(v, lang) },
              { title: t('ram.actions'), key: 'a', render: (_v, p) => (
                <Space>
                  <Link to={link(`ram/policies/${p.PolicyType}/${encodeURIComponent(p.PolicyName)}`)}>{t('ram.policies.view')}</Link>
                  {p.PolicyType === 'Custom' && (
                    <DeleteButton title={t('ram.policies.deleteConfirm', { name: p.PolicyName })} description={t('ram.policies.deleteWhat')} onConfirm={() => del.mutateAsync(p.PolicyName)} />
                  )}
                </Space>
              ) },
            ]} />
          <MarkerPager paging={paging} truncated={q.data?.IsTruncated} nextMarker={q.data?.Marker} />
        </>
      )}
      {creating && <CreatePolicyModal onClose={() => setCreating(false)} />}
    </>
  );
}
