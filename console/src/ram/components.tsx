// Pieces several RAM pages show: the policy document field (the lazily loaded editor and the
// engine's problems listed with their line and column), a principal's attached policies with
// Add Permissions / Detach, and the one-time credential panel (a new AccessKey secret or password,
// shown once with a CSV download).
import { lazy, Suspense, useState } from 'react';
import { Alert, Button, Descriptions, Modal, Popconfirm, Select, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { ApiError, call } from '../api.ts';
import { useI18n, useT } from '../i18n/index.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { useRegionLink } from '../region.ts';
import { useQuery } from '@tanstack/react-query';
import { DANGER, emptyText, downloadCsv, formatDate, RAM_KEY, listOf, policyProblems, useRam, useRamWrite, type PolicyProblem, type PrincipalType, type RamPolicy } from './shared.tsx';

const LazyPolicyEditor = lazy(() => import('./PolicyEditor.tsx'));

/** The problems of a refusal that is about the policy document (with positions), else undefined. */
export function problemsOf(error: unknown): PolicyProblem[] | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.code === 'MalformedPolicyDocument' || error.code.startsWith('InvalidParameter.PolicyDocument')) return policyProblems(error.message);
  return undefined;
}

export function PolicyField({ value, onChange, readOnly, label, error, height }: {
  value: string; onChange?: (v: string) => void; readOnly?: boolean; label: string; error?: unknown; height?: string;
}) {
  const t = useT();
  const problems = problemsOf(error);
  return (
    <div>
      <Suspense fallback={<Skeleton active paragraph={{ rows: 6 }} />}>
        <LazyPolicyEditor value={value} onChange={onChange} readOnly={readOnly} label={label} problems={problems} height={height} />
      </Suspense>
      {problems !== undefined && (
        <Alert style={{ marginTop: 8 }} type="error" showIcon role="alert" message={t('ram.policy.malformed')}
          description={<ul style={{ margin: 0, paddingLeft: 18 }} data-testid="policy-problems">
            {problems.map((p, i) => (
              <li key={i}>{p.line !== undefined ? <strong>{t('ram.policy.at', { line: p.line, column: p.column ?? 1 })} </strong> : null}{p.message}</li>
            ))}
          </ul>} />
      )}
      {error !== undefined && problems === undefined && <div style={{ marginTop: 8 }}><ApiErrorAlert error={error} /></div>}
    </div>
  );
}

const LIST_FOR: Record<PrincipalType, string> = { User: 'ListPoliciesForUser', Group: 'ListPoliciesForGroup', Role: 'ListPoliciesForRole' };

/** The policies attached to a user, group or role: Add Permissions (several at once) and Detach (confirmed). */
export function AttachedPolicies({ principalType, name }: { principalType: PrincipalType; name: string }) {
  const t = useT();
  const { lang } = useI18n();
  const link = useRegionLink();
  const key = `${principalType}Name`;
  const q = useRam<{ Policies?: { Policy?: RamPolicy[] } }>(LIST_FOR[principalType], { [key]: name });
  const [adding, setAdding] = useState(false);
  const detach = useRamWrite((p: RamPolicy) => call('ram', `DetachPolicyFrom${principalType}`, { PolicyType: p.PolicyType, PolicyName: p.PolicyName, [key]: name }),
    (_r, p) => t('ram.policies.detached', { policy: p.PolicyName }));
  const rows = listOf<RamPolicy>(q.data?.Policies, 'Policy');
  return (
    <div>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={() => setAdding(true)}>{t('ram.policies.addPermissions')}</Button>
      </Space>
      {detach.isError && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={detach.error} /></div>}
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <Table<RamPolicy> size="small" rowKey={(p) => `${p.PolicyType}:${p.PolicyName}`} loading={q.isPending} dataSource={rows} pagination={false}
          locale={{ emptyText: emptyText(t('ram.policies.noneAttached')) }}
          columns={[
            { title: t('ram.policies.name'), dataIndex: 'PolicyName', render: (v: string, p) => <Link to={link(`ram/policies/${p.PolicyType}/${encodeURIComponent(v)}`)}>{v}</Link> },
            { title: t('ram.policies.type'), dataIndex: 'PolicyType', render: (v: string) => <Tag>{v === 'System' ? t('ram.policies.system') : t('ram.policies.custom')}</Tag> },
            { title: t('ram.policies.description'), dataIndex: 'Description' },
            { title: t('ram.attachDate'), dataIndex: 'AttachDate', render: (v: string) => formatDate(v, lang) },
            { title: t('ram.actions'), key: 'a', render: (_v, p) => (
              <Popconfirm title={t('ram.policies.detachConfirm', { policy: p.PolicyName, principal: name })} okText={t('ram.policies.detach')} okButtonProps={{ danger: true }}
                cancelText={t('common.cancel')} onConfirm={() => detach.mutateAsync(p)}>
                <Button type="link" danger size="small" style={DANGER}>{t('ram.policies.detach')}</Button>
              </Popconfirm>
            ) },
          ]} />
      )}
      {adding && <AttachPolicyModal principalType={principalType} name={name} attached={rows} onClose={() => setAdding(false)} />}
    </div>
  );
}

function AttachPolicyModal({ principalType, name, attached, onClose }: { principalType: PrincipalType; name: string; attached: RamPolicy[]; onClose: () => void }) {
  const t = useT();
  // every policy of both kinds: RAM pages ListPolicies, so the picker follows the markers to the end
  const all = useQuery({ queryKey: [RAM_KEY, 'ListPolicies', 'all'], queryFn: listAllPolicies });
  const [chosen, setChosen] = useState<string[]>([]);
  const attach = useRamWrite(async (ids: string[]) => {
    for (const id of ids) {
      const [type, policy] = id.split(':', 2) as [string, string];
      await call('ram', `AttachPolicyTo${principalType}`, { PolicyType: type, PolicyName: policy, [`${principalType}Name`]: name });
    }
  }, (_r, ids) => t('ram.policies.attached', { count: ids.length }));
  const have = new Set(attached.map((p) => `${p.PolicyType}:${p.PolicyName}`));
  return (
    <Modal open title={t('ram.policies.addPermissionsTo', { name })} onCancel={onClose} okText={t('common.ok')} cancelText={t('common.cancel')}
      okButtonProps={{ disabled: chosen.length === 0, loading: attach.isPending }}
      onOk={() => { attach.mutateAsync(chosen).then(onClose, () => { /* shown below */ }); }}>
      <Typography.Paragraph>{t('ram.policies.principal', { name })}</Typography.Paragraph>
      <label htmlFor="attach-policies" style={{ display: 'block', marginBottom: 4 }}>{t('ram.policies.name')}</label>
      <Select id="attach-policies" mode="multiple" style={{ width: '100%' }} loading={all.isPending} value={chosen} onChange={setChosen} showSearch
        aria-label={t('ram.policies.name')} placeholder={t('ram.policies.choose')} optionFilterProp="label"
        options={(all.data ?? []).filter((p) => !have.has(`${p.PolicyType}:${p.PolicyName}`)).map((p) => ({
          value: `${p.PolicyType}:${p.PolicyName}`, label: `${p.PolicyName} (${p.PolicyType === 'System' ? t('ram.policies.system') : t('ram.policies.custom')})`,
        }))} />
      {all.isError && <div style={{ marginTop: 8 }}><ApiErrorAlert error={all.error} /></div>}
      {attach.isError && <div style={{ marginTop: 8 }}><ApiErrorAlert error={attach.error} /></div>}
    </Modal>
  );
}

/** Every policy (System and Custom), following ListPolicies' markers; for pickers. */
export async function listAllPolicies(): Promise<RamPolicy[]> {
  const out: RamPolicy[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 50; i++) {
    const r = await call<{ IsTruncated?: boolean; Marker?: string; Policies?: { Policy?: RamPolicy[] } }>('ram', 'ListPolicies', { MaxItems: 100, Marker: marker });
    out.push(...listOf<RamPolicy>(r.Policies, 'Policy'));
    if (r.IsTruncated !== true || r.Marker === undefined) break;
    marker = r.Marker;
  }
  return out;
}

/** A new credential, shown once: each field, a copy of it, and the CSV download. */
export function OneTimeCredential({ title, fields, fileName, onClose }: { title: string; fields: Array<[string, string]>; fileName: string; onClose: () => void }) {
  const t = useT();
  return (
    <Modal open title={title} onCancel={onClose} closable maskClosable={false}
      footer={[
        <Button key="csv" onClick={() => downloadCsv(fileName, [fields.map((f) => f[0]), fields.map((f) => f[1])])}>{t('ram.downloadCsv')}</Button>,
        <Button key="ok" type="primary" onClick={onClose}>{t('ram.done')}</Button>,
      ]}>
      <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t('ram.shownOnce')} />
      <Descriptions column={1} bordered size="small" items={fields.map(([label, value], i) => ({
        key: label, label, children: <Typography.Text copyable={{ text: value }} code data-testid={`credential-${i}`}>{value}</Typography.Text>,
      }))} />
    </Modal>
  );
}
