// /console/key-pairs — the region's SSH key pairs (server-side paging): name, fingerprint, bound
// instances. Create: the private key downloads once as `<name>.pem` and is never shown again
// (the page keeps no copy). Import: paste or upload an OpenSSH public key, checked in the page
// before OK, ImportKeyPair's own refusal shown at OK. Bind / Unbind to instances (Windows instances
// shown disabled with the reason; in force at the next restart). Delete one or several, naming them.
import { useState } from 'react';
import { App, Alert, Button, Empty, Form, Input, Modal, Radio, Space, Table, Typography, Upload } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call } from '../api.ts';
import { useT, type T } from '../i18n/index.tsx';
import { formatDate } from '../format.ts';
import { useRegion, useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { allInstances, failedResults, KeyPairCell, rowCheckbox, StatusTag, invalidateInstances, type BatchResult, type Instance, type InstancesPage } from '../components/InstanceParts.tsx';

interface KeyPair { KeyPairName: string; KeyPairFingerPrint: string; CreationTime: string }
interface KeyPairsPage { TotalCount: number; KeyPairs: { KeyPair: KeyPair[] } }

/** The guide's name rule: 2 to 128 characters, letters, digits, `.`, `_`, `-`, `:`, starting with a letter. */
const NAME_RE = /^[A-Za-z][A-Za-z0-9._:-]{1,127}$/;

/** The types ECS imports (the guide's list; ImportKeyPair refuses any other, ssh-ed25519 included). */
const KEY_TYPES = ['ssh-rsa', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'ssh-rsa-cert-v00@openssh.com', 'ssh-dss-cert-v00@openssh.com', 'ssh-rsa-cert-v01@openssh.com', 'ssh-dss-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com', 'ecdsa-sha2-nistp384-cert-v01@openssh.com', 'ecdsa-sha2-nistp521-cert-v01@openssh.com'];

/**
 * The page's own check of an OpenSSH public key line (`type base64 [comment]`): a known type, valid
 * base64 whose first field names the same type. Undefined when it looks right; the server checks it
 * again (ImportKeyPair's own error is shown at OK).
 */
export function checkPublicKey(text: string, t: T): string | undefined {
  const line = text.trim();
  if (line === '') return t('kp.importEmpty');
  if (line.includes('PRIVATE KEY')) return t('kp.importPrivate');
  const parts = line.split(/\s+/);
  if (parts.length < 2 || !KEY_TYPES.includes(parts[0]!)) return t('kp.importFormat', { types: KEY_TYPES.join(', ') });
  const b64 = parts[1]!;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return t('kp.importBase64');
  let raw: string;
  try { raw = atob(b64); } catch { return t('kp.importBase64'); }
  if (raw.length < 4) return t('kp.importBase64');
  const n = ((raw.charCodeAt(0) << 24) | (raw.charCodeAt(1) << 16) | (raw.charCodeAt(2) << 8) | raw.charCodeAt(3)) >>> 0;
  if (raw.slice(4, 4 + n) !== parts[0]) return t('kp.importMismatch');
  return undefined;
}

function download(name: string, body: string) {
  const url = URL.createObjectURL(new Blob([body.endsWith('\n') ? body : `${body}\n`], { type: 'application/x-pem-file' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.pem`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function CreateKeyPairModal({ region, open, initialType, onClose }: { region: string; open: boolean; initialType: 'create' | 'import'; onClose: (done?: string) => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ name: string; type: 'create' | 'import'; publicKey?: string }>();
  const type = Form.useWatch('type', form);
  const save = useMutation({
    mutationFn: async (v: { name: string; type: 'create' | 'import'; publicKey?: string }) => {
      if (v.type === 'import') {
        await call('ecs', 'ImportKeyPair', { RegionId: region, KeyPairName: v.name, PublicKeyBody: (v.publicKey ?? '').trim() });
        return t('kp.imported', { name: v.name });
      }
      const r = await call<{ KeyPairName: string; PrivateKeyBody: string }>('ecs', 'CreateKeyPair', { RegionId: region, KeyPairName: v.name });
      // the one moment the private key exists in the page: straight into the download, never rendered or kept
      download(r.KeyPairName, r.PrivateKeyBody);
      return t('kp.createdDownloaded', { name: `${r.KeyPairName}.pem` });
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ['keypairs'] }),
    onSuccess: (done) => { form.resetFields(); onClose(done); },
  });
  return (
    <Modal open={open} title={t('kp.createTitle')} okText={t('common.ok')} cancelText={t('common.cancel')} width={640} destroyOnClose
      onCancel={() => { save.reset(); onClose(); }} onOk={() => form.submit()} confirmLoading={save.isPending}>
      <Form form={form} layout="vertical" preserve={false} initialValues={{ type: initialType }} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="name" label={t('kp.name')} extra={t('kp.nameHelp')}
          rules={[{ required: true, message: t('kp.nameRequired') }, { pattern: NAME_RE, message: t('kp.nameHelp') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="type" label={t('kp.creationType')}>
          <Radio.Group>
            <Radio value="create">{t('kp.autoCreate')}</Radio>
            <Radio value="import">{t('kp.import')}</Radio>
          </Radio.Group>
        </Form.Item>
        {type !== 'import' ? <Alert type="warning" showIcon message={t('kp.createNote')} /> : (
          <>
            <Form.Item name="publicKey" label={t('kp.publicKey')} extra={t('kp.publicKeyHelp')} validateFirst
              rules={[{ validator: (_r, v: string | undefined) => { const e = checkPublicKey(v ?? '', t); return e === undefined ? Promise.resolve() : Promise.reject(new Error(e)); } }]}>
              <Input.TextArea rows={5} spellCheck={false} placeholder="ssh-rsa AAAA… user@host" style={{ fontFamily: 'monospace' }} />
            </Form.Item>
            <Upload accept=".pub,text/plain" maxCount={1} showUploadList={false}
              beforeUpload={(file) => { void file.text().then((text) => { form.setFieldsValue({ publicKey: text.trim() }); void form.validateFields(['publicKey']); }); return false; }}>
              <Button>{t('kp.upload')}</Button>
            </Upload>
          </>
        )}
      </Form>
      {save.isError && <div style={{ marginTop: 12 }}><ApiErrorAlert error={save.error} /></div>}
    </Modal>
  );
}

/** Bind (AttachKeyPair) or unbind (DetachKeyPair) a key pair to / from instances chosen in a transfer list. */
function BindModal({ region, keyPair, mode, onClose }: { region: string; keyPair: string; mode: 'bind' | 'unbind'; onClose: (done?: string) => void }) {
  const t = useT();
  const qc = useQueryClient();
  const [target, setTarget] = useState<string[]>([]);
  const instances = useQuery({ queryKey: ['instances', 'all', region], queryFn: () => allInstances(region) });
  const shown = (instances.data ?? []).filter((i) => (mode === 'bind' ? i.KeyPairName !== keyPair : i.KeyPairName === keyPair));
  const apply = useMutation({
    mutationFn: async () => {
      const r = await call<{ Results: { Result: BatchResult[] } }>('ecs', mode === 'bind' ? 'AttachKeyPair' : 'DetachKeyPair', { RegionId: region, KeyPairName: keyPair, InstanceIds: JSON.stringify(target) });
      const failed = failedResults(r.Results.Result);
      if (failed.length > 0) throw new Error(failed.join('; '));
      const running = (instances.data ?? []).filter((i) => target.includes(i.InstanceId) && i.Status === 'Running').map((i) => i.InstanceId);
      return running.length > 0 ? t('kp.restartNeeded', { ids: running.join(', ') }) : t('kp.bindDone');
    },
    onSettled: () => invalidateInstances(qc),
    onSuccess: (done) => onClose(done),
  });
  return (
    <Modal open title={mode === 'bind' ? t('kp.bindTitle', { name: keyPair }) : t('kp.unbindTitle', { name: keyPair })} width={720} destroyOnClose
      okText={t('common.ok')} cancelText={t('common.cancel')} onCancel={() => onClose()} onOk={() => apply.mutate()} confirmLoading={apply.isPending}
      okButtonProps={{ disabled: target.length === 0 }}>
      <Typography.Paragraph>{t('kp.bindText')}</Typography.Paragraph>
      {instances.isError && <ApiErrorAlert error={instances.error} />}
      <Table<Instance> rowKey="InstanceId" size="small" dataSource={shown} loading={instances.isPending} pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description={t('kp.noInstances')} /> }}
        rowSelection={{
          selectedRowKeys: target, onChange: (k) => setTarget(k.map(String)),
          getCheckboxProps: (i) => ({ ...rowCheckbox(t('inst.selectRow', { id: i.InstanceId })), disabled: mode === 'bind' && i.OSType === 'windows' }),
        }}
        columns={[
          { title: t('inst.idName'), key: 'id', render: (_: unknown, i) => <span data-testid={`pick-${i.InstanceId}`}>{i.InstanceId}{i.InstanceName ? ` (${i.InstanceName})` : ''}</span> },
          { title: t('inst.status'), key: 'status', render: (_: unknown, i) => <StatusTag status={i.Status} /> },
          { title: t('inst.keyPair'), key: 'key', render: (_: unknown, i) => <KeyPairCell i={i} /> },
          { title: t('kp.note'), key: 'note', render: (_: unknown, i) => (mode === 'bind' && i.OSType === 'windows' ? t('kp.windowsShort') : '') },
        ]} />
      {mode === 'bind' && shown.some((i) => i.OSType === 'windows') && <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('kp.windowsReason')}</Typography.Paragraph>}
      {apply.isError && <div style={{ marginTop: 12 }}><ApiErrorAlert error={apply.error} /></div>}
    </Modal>
  );
}

function BoundInstances({ region, name }: { region: string; name: string }) {
  const t = useT();
  const link = useRegionLink();
  const q = useQuery({
    queryKey: ['keypairs', 'bound', region, name],
    queryFn: () => call<InstancesPage>('ecs', 'DescribeInstances', { RegionId: region, KeyPairName: name, PageSize: 100 }),
  });
  if (q.isPending) return <>…</>;
  if (q.isError) return <Typography.Text type="danger">{t('error.generic')}</Typography.Text>;
  const list = q.data.Instances.Instance;
  if (list.length === 0) return <>—</>;
  return <Space direction="vertical" size={0}>{list.map((i) => <Link key={i.InstanceId} to={link(`instances/${i.InstanceId}`)}>{i.InstanceId}</Link>)}</Space>;
}

export default function KeyPairs() {
  const t = useT();
  const { message, modal } = App.useApp();
  const [region] = useRegion();
  const qc = useQueryClient();
  const [page, setPage] = useState({ number: 1, size: 20 });
  const [nameFilter, setNameFilter] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [creating, setCreating] = useState<'create' | 'import' | undefined>();
  const [binding, setBinding] = useState<{ name: string; mode: 'bind' | 'unbind' } | undefined>();
  const list = useQuery({
    queryKey: ['keypairs', 'list', region, page.number, page.size, nameFilter],
    queryFn: () => call<KeyPairsPage>('ecs', 'DescribeKeyPairs', { RegionId: region, PageNumber: page.number, PageSize: page.size, KeyPairName: nameFilter || undefined }),
  });
  const remove = useMutation({
    mutationFn: (names: string[]) => call('ecs', 'DeleteKeyPairs', { RegionId: region, KeyPairNames: JSON.stringify(names) }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['keypairs'] }),
    onSuccess: (_r, names) => { setSelected((s) => s.filter((n) => !names.includes(n))); void message.success(t('kp.deleted', { names: names.join(', ') })); },
  });
  const confirmDelete = (names: string[]) => modal.confirm({
    title: t('kp.deleteTitle', { n: names.length }),
    content: <><Typography.Paragraph>{t('kp.deleteText', { names: names.join(', ') })}</Typography.Paragraph><Typography.Paragraph type="secondary">{t('kp.deleteNote')}</Typography.Paragraph></>,
    okText: t('kp.delete'), okButtonProps: { danger: true }, cancelText: t('common.cancel'),
    onOk: () => remove.mutateAsync(names).catch(() => undefined),
  });

  return (
    <>
      <PageTitle title={t('nav.keyPairs')} extra={<Space><Button type="primary" onClick={() => setCreating('create')}>{t('kp.create')}</Button><Button onClick={() => setCreating('import')}>{t('kp.importButton')}</Button></Space>} />
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search aria-label={t('kp.searchName')} placeholder={t('kp.searchName')} allowClear style={{ width: 260 }}
          onSearch={(v) => { setNameFilter(v.trim()); setPage((p) => ({ ...p, number: 1 })); }} />
        <Button disabled={selected.length === 0} onClick={() => confirmDelete(selected)}>{t('kp.deleteSelected', { n: selected.length })}</Button>
      </Space>
      {remove.isError && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={remove.error} /></div>}
      {list.isError ? <ApiErrorAlert error={list.error} onRetry={() => void list.refetch()} /> : (
        <Table<KeyPair> rowKey="KeyPairName" size="middle" loading={list.isPending} dataSource={list.data?.KeyPairs.KeyPair ?? []}
          rowSelection={{ selectedRowKeys: selected, onChange: (k) => setSelected(k.map(String)), getCheckboxProps: (k) => rowCheckbox(t('kp.selectRow', { name: k.KeyPairName })) }}
          locale={{ emptyText: <Empty description={nameFilter ? t('kp.emptyFiltered') : t('kp.empty', { region })} /> }}
          pagination={{ current: page.number, pageSize: page.size, total: list.data?.TotalCount ?? 0, showSizeChanger: true, pageSizeOptions: [10, 20, 50],
            showTotal: (n) => t('kp.total', { n }), onChange: (number, size) => setPage({ number, size }) }}
          columns={[
            { title: t('kp.name'), dataIndex: 'KeyPairName', key: 'name' },
            { title: t('kp.fingerprint'), dataIndex: 'KeyPairFingerPrint', key: 'fp', render: (v: string) => <Typography.Text code copyable>{v}</Typography.Text> },
            { title: t('kp.boundInstances'), key: 'bound', render: (_: unknown, k) => <BoundInstances region={region} name={k.KeyPairName} /> },
            { title: t('kp.created'), dataIndex: 'CreationTime', key: 'created', render: (v: string) => formatDate(v) },
            {
              title: t('inst.actions'), key: 'actions', render: (_: unknown, k) => (
                <Space size={4}>
                  <Button size="small" type="link" aria-label={t('kp.bindNamed', { name: k.KeyPairName })} onClick={() => setBinding({ name: k.KeyPairName, mode: 'bind' })}>{t('kp.bind')}</Button>
                  <Button size="small" type="link" aria-label={t('kp.unbindNamed', { name: k.KeyPairName })} onClick={() => setBinding({ name: k.KeyPairName, mode: 'unbind' })}>{t('kp.unbind')}</Button>
                  <Button size="small" type="link" aria-label={t('kp.deleteNamed', { name: k.KeyPairName })} onClick={() => confirmDelete([k.KeyPairName])}>{t('kp.delete')}</Button>
                </Space>
              ),
            },
          ]} />
      )}
      <CreateKeyPairModal key={creating ?? 'closed'} region={region} open={creating !== undefined} initialType={creating ?? 'create'} onClose={(done) => { setCreating(undefined); if (done !== undefined) void message.success(done); }} />
      {binding !== undefined && <BindModal region={region} keyPair={binding.name} mode={binding.mode}
        onClose={(done) => { setBinding(undefined); if (done !== undefined) modal.info({ title: t('kp.bindResult'), content: done, okText: t('common.ok') }); }} />}
    </>
  );
}
