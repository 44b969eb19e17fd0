// Restore Rules (ECS security guide §1.11.3): a target group of the same region and network type,
// the method (Completely Restore / Partially Restore), and the preview Parapet's
// PreviewRestoreSecurityGroupRules computes with the same plan the restore follows: rules only in
// the target in green (added either way), rules only in this group in red (deleted by a complete
// restore, kept by a partial one), the target's system rules (priority 110) and rules this group
// can't take marked not restorable. OK runs RestoreSecurityGroupRules.
import { useState, type HTMLAttributes } from 'react';
import { Alert, App, Empty, Form, Modal, Radio, Select, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { call } from '../../../api.ts';
import { useT } from '../../../i18n/index.tsx';
import { ApiErrorAlert } from '../../../components/ApiErrorAlert.tsx';
import type { SecurityGroupInfo } from '../types.ts';
import { peerOf, type WirePermission } from './model.ts';
import { useInvalidateRules, useSameNetworkGroups } from './queries.ts';
import { GREEN_ROW, GREEN_TAG, RED_ROW, RED_TAG } from './styles.ts';

type Method = 'Complete' | 'Partial';

interface Skipped { Code: string; Message: string; Permission: WirePermission }
interface PreviewAnswer {
  RulesToAdd: { Permission: WirePermission[] };
  RulesToRemove: { Permission: WirePermission[] };
  SkippedRules: { SkippedRule: Skipped[] };
}
interface RestoreAnswer { AddedCount: number; RemovedCount: number }

type Row = { key: string; kind: 'add' | 'remove' | 'skipped'; rule: WirePermission; reason?: string };

export function RestoreModal({ group, open, onClose }: { group: SecurityGroupInfo; open: boolean; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const invalidate = useInvalidateRules(group);
  const [target, setTarget] = useState<string | undefined>();
  const [method, setMethod] = useState<Method>('Complete');
  const groups = useSameNetworkGroups(group, open);
  const targets = (groups.data ?? []).filter((g) => g.SecurityGroupId !== group.securityGroupId);

  const base = { RegionId: group.regionId, SecurityGroupId: group.securityGroupId };
  // the complete plan names the rules only in this group (the red rows) whatever the method; what
  // the partial method does with them is only its label
  const preview = useQuery({
    queryKey: ['parapet', 'PreviewRestoreSecurityGroupRules', group.regionId, group.securityGroupId, target],
    enabled: open && target !== undefined,
    staleTime: 0,
    queryFn: () => call<PreviewAnswer>('parapet', 'PreviewRestoreSecurityGroupRules', { ...base, TargetSecurityGroupId: target, Method: 'Complete' }),
  });

  const apply = useMutation({
    mutationFn: () => call<RestoreAnswer>('parapet', 'RestoreSecurityGroupRules', { ...base, TargetSecurityGroupId: target, Method: method }),
    onSuccess: async (r) => {
      await invalidate();
      void message.success(t('sgRules.restoreDone', { added: r.AddedCount, removed: r.RemovedCount }));
      close();
    },
  });

  function close() {
    apply.reset();
    setTarget(undefined);
    setMethod('Complete');
    onClose();
  }

  const rows: Row[] = preview.data === undefined ? [] : [
    ...preview.data.RulesToAdd.Permission.map((rule, i): Row => ({ key: `a${i}`, kind: 'add', rule })),
    ...preview.data.RulesToRemove.Permission.map((rule, i): Row => ({ key: `r${i}`, kind: 'remove', rule })),
    ...preview.data.SkippedRules.SkippedRule.map((s, i): Row => ({ key: `s${i}`, kind: 'skipped', rule: s.Permission, reason: `${s.Code}: ${s.Message}` })),
  ];

  const status = (row: Row) => {
    if (row.kind === 'add') return <Tag style={GREEN_TAG}>{t('sgRules.restoreAdded')}</Tag>;
    if (row.kind === 'remove') return method === 'Complete' ? <Tag style={RED_TAG}>{t('sgRules.restoreDeleted')}</Tag> : <Tag style={RED_TAG}>{t('sgRules.restoreKept')}</Tag>;
    return <Tooltip title={row.reason}><Tag tabIndex={0}>{t('sgRules.restoreNotRestorable')}</Tag></Tooltip>;
  };

  return (
    <Modal open={open} title={t('sgRules.restoreTitle')} onCancel={close} width={860} okText={t('common.ok')} cancelText={t('common.cancel')}
      okButtonProps={{ disabled: target === undefined || !preview.isSuccess }} confirmLoading={apply.isPending} onOk={() => apply.mutate()}>
      <Form name="sg-restore" layout="vertical">
        <Form.Item label={t('sgRules.restoreTarget')} htmlFor="restore-target" extra={t('sgRules.restoreTargetHelp')}>
          <Select id="restore-target" value={target} onChange={setTarget} loading={groups.isPending} showSearch optionFilterProp="label"
            placeholder={t('sgRules.restoreTargetPlaceholder')} notFoundContent={groups.isPending ? <Spin size="small" /> : t('sgRules.restoreNoTargets')}
            options={targets.map((g) => ({ value: g.SecurityGroupId, label: `${g.SecurityGroupId} (${g.SecurityGroupName || '-'})` }))} />
        </Form.Item>
        <Form.Item label={t('sgRules.restoreMethod')}>
          <Radio.Group value={method} onChange={(e) => setMethod(e.target.value as Method)}
            options={[{ value: 'Complete', label: t('sgRules.restoreComplete') }, { value: 'Partial', label: t('sgRules.restorePartial') }]} />
        </Form.Item>
      </Form>
      {groups.isError && <ApiErrorAlert error={groups.error} />}
      <Typography.Title level={2} style={{ fontSize: 15 }}>{t('sgRules.restorePreview')}</Typography.Title>
      <Alert type="info" style={{ marginBottom: 8 }} message={t(method === 'Complete' ? 'sgRules.restoreLegendComplete' : 'sgRules.restoreLegendPartial')} />
      {target === undefined ? <Empty description={t('sgRules.restoreChooseTarget')} />
        : preview.isError ? <ApiErrorAlert error={preview.error} onRetry={() => void preview.refetch()} />
          : (
            <Table<Row> size="small" rowKey="key" loading={preview.isPending} dataSource={rows} pagination={false} scroll={{ y: 320 }}
              data-testid="restore-preview" locale={{ emptyText: t('sgRules.restoreSame') }}
              onRow={(row) => ({ 'data-kind': row.kind, style: { background: row.kind === 'add' ? GREEN_ROW : row.kind === 'remove' ? RED_ROW : undefined } } as HTMLAttributes<HTMLElement>)}
              columns={[
                { title: t('sgRules.restoreStatus'), key: 'status', render: (_, row) => status(row) },
                { title: t('sgRules.direction'), key: 'dir', render: (_, row) => t(row.rule.Direction === 'ingress' ? 'sgRules.inbound' : 'sgRules.outbound') },
                { title: t('sgRules.action'), key: 'policy', render: (_, row) => (row.rule.Policy.toLowerCase() === 'drop' ? t('sgRules.forbid') : t('sgRules.allow')) },
                { title: t('sgRules.priority'), key: 'prio', render: (_, row) => String(row.rule.Priority) },
                { title: t('sgRules.protocol'), key: 'proto', render: (_, row) => row.rule.IpProtocol },
                { title: t('sgRules.portRange'), key: 'ports', render: (_, row) => row.rule.PortRange },
                { title: t('sgRules.authObject'), key: 'peer', render: (_, row) => peerOf(row.rule).id },
              ]} />
          )}
      {apply.isError && <div style={{ marginTop: 12 }}><ApiErrorAlert error={apply.error} /></div>}
    </Modal>
  );
}
