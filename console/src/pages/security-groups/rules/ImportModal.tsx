// Import Rules (ECS security guide §1.11.5): choose a JSON file (an export, from any region), see
// the preview (how many rules, each rule's import check with the reason on hover; at most 100 are
// imported, and a rule the group already has is never overwritten), Start, then the result and
// "Finish and close". The checks are Parapet's PreviewImportSecurityGroupRules, the same plan
// ImportSecurityGroupRules follows.
import { useState } from 'react';
import { Alert, Button, Modal, Result, Space, Table, Tooltip, Typography, Upload } from 'antd';
import { CheckCircleTwoTone, UploadOutlined, WarningTwoTone } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { call } from '../../../api.ts';
import { useT } from '../../../i18n/index.tsx';
import { ApiErrorAlert } from '../../../components/ApiErrorAlert.tsx';
import type { SecurityGroupInfo } from '../types.ts';
import { peerOf, type WirePermission } from './model.ts';
import { useInvalidateRules } from './queries.ts';

interface ImportResult { Index: number; Success: boolean; Code: string; Message: string; Permission?: WirePermission }
interface ImportAnswer { TotalCount: number; ImportableCount?: number; ImportedCount?: number; Results: { Result: ImportResult[] } }

export const MAX_IMPORT = 100;

export function ImportModal({ group, open, onClose }: { group: SecurityGroupInfo; open: boolean; onClose: () => void }) {
  const t = useT();
  const invalidate = useInvalidateRules(group);
  const [file, setFile] = useState<{ name: string; content: string } | undefined>();
  const base = { RegionId: group.regionId, SecurityGroupId: group.securityGroupId };

  const preview = useMutation({
    mutationFn: (content: string) => call<ImportAnswer>('parapet', 'PreviewImportSecurityGroupRules', { ...base, Content: content }),
  });
  const run = useMutation({
    mutationFn: (content: string) => call<ImportAnswer>('parapet', 'ImportSecurityGroupRules', { ...base, Content: content }),
    onSuccess: async () => { await invalidate(); },
  });

  function close() {
    setFile(undefined);
    preview.reset();
    run.reset();
    onClose();
  }

  async function choose(f: File) {
    const content = await f.text();
    setFile({ name: f.name, content });
    run.reset();
    preview.mutate(content);
  }

  const shown = run.data ?? preview.data;
  const results = shown?.Results.Result ?? [];
  const done = run.isSuccess;

  const footer = done
    ? [<Button key="finish" type="primary" onClick={close}>{t('sgRules.importFinish')}</Button>]
    : [
      <Button key="cancel" onClick={close}>{t('common.cancel')}</Button>,
      <Button key="start" type="primary" loading={run.isPending} disabled={file === undefined || !preview.isSuccess || (preview.data?.ImportableCount ?? 0) === 0}
        onClick={() => { if (file !== undefined) run.mutate(file.content); }}>{t('sgRules.importStart')}</Button>,
    ];

  return (
    <Modal open={open} title={t('sgRules.importTitle')} onCancel={close} width={860} footer={footer}>
      {!done && (
        <Space direction="vertical" style={{ width: '100%', marginBottom: 12 }}>
          <Upload accept=".json,application/json" maxCount={1} showUploadList={false}
            beforeUpload={(f) => { void choose(f); return false; }}>
            <Button icon={<UploadOutlined />}>{t('sgRules.importChoose')}</Button>
          </Upload>
          {file !== undefined && <Typography.Text data-testid="import-file">{file.name}</Typography.Text>}
          <Typography.Text type="secondary">{t('sgRules.importNote', { max: MAX_IMPORT })}</Typography.Text>
        </Space>
      )}
      {preview.isError && <ApiErrorAlert error={preview.error} />}
      {run.isError && <ApiErrorAlert error={run.error} />}
      {done && run.data !== undefined && (
        <Result status={run.data.ImportedCount === run.data.TotalCount ? 'success' : 'warning'}
          title={t('sgRules.importDone', { imported: run.data.ImportedCount ?? 0, total: run.data.TotalCount })} />
      )}
      {shown !== undefined && (
        <>
          {!done && (
            <Alert type="info" showIcon style={{ marginBottom: 8 }} data-testid="import-count"
              message={t('sgRules.importPreviewCount', { total: shown.TotalCount, importable: shown.ImportableCount ?? 0 })} />
          )}
          <Table<ImportResult> size="small" rowKey="Index" dataSource={results} pagination={{ pageSize: 20, hideOnSinglePage: true }}
            data-testid="import-results"
            columns={[
              {
                title: t('sgRules.importCheck'), key: 'check', width: 110,
                render: (_, r) => (r.Success
                  ? <span><CheckCircleTwoTone twoToneColor="#16a34a" aria-hidden /> {t(done ? 'sgRules.importImported' : 'sgRules.importPassed')}</span>
                  : <Tooltip title={`${r.Code}: ${r.Message}`}><span tabIndex={0} data-testid="import-warning"><WarningTwoTone twoToneColor="#d97706" aria-hidden /> {t('sgRules.importFailed')}</span></Tooltip>),
              },
              { title: '#', dataIndex: 'Index', width: 50 },
              { title: t('sgRules.direction'), key: 'dir', render: (_, r) => (r.Permission ? t(r.Permission.Direction === 'ingress' ? 'sgRules.inbound' : 'sgRules.outbound') : '-') },
              { title: t('sgRules.action'), key: 'policy', render: (_, r) => (r.Permission ? (r.Permission.Policy.toLowerCase() === 'drop' ? t('sgRules.forbid') : t('sgRules.allow')) : '-') },
              { title: t('sgRules.protocol'), key: 'proto', render: (_, r) => r.Permission?.IpProtocol ?? '-' },
              { title: t('sgRules.portRange'), key: 'ports', render: (_, r) => r.Permission?.PortRange ?? '-' },
              { title: t('sgRules.authObject'), key: 'peer', render: (_, r) => (r.Permission ? peerOf(r.Permission).id : '-') },
            ]} />
        </>
      )}
    </Modal>
  );
}
