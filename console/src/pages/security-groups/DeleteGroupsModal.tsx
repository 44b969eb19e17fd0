// Delete Security Group (SPEC §1.10.5): the selected groups, each checked first for what would make
// DeleteSecurityGroup refuse with DependencyViolation: instances in it (DescribeInstances by
// SecurityGroupId) and other groups whose rules authorize it (DescribeSecurityGroupReferences, ten ids
// a call). The dialog names the groups it will delete and, for each one it can't, the instances and
// referencing groups to remove first; OK deletes only the free ones, one call each, and reports any
// refusal (a dependency made meanwhile).
import { useState } from 'react';
import { Alert, App, List, Modal, Spin, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call, ApiError } from '../../api.ts';
import { useT } from '../../i18n/index.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { invalidateGroups } from './queries.ts';
import type { WireGroup } from './types.ts';

interface Instances { TotalCount: number; Instances: { Instance: Array<{ InstanceId: string; InstanceName?: string }> } }
interface References {
  SecurityGroupReferences: { SecurityGroupReference: Array<{ SecurityGroupId: string; ReferencingSecurityGroups: { ReferencingSecurityGroup: Array<{ SecurityGroupId: string; AliUid: string }> } }> };
}

interface Dependencies {
  groupId: string;
  instances: string[];
  instanceCount: number;
  referencing: Array<{ SecurityGroupId: string; AliUid: string }>;
}

async function dependenciesOf(region: string, groups: WireGroup[]): Promise<Dependencies[]> {
  const ids = groups.map((g) => g.SecurityGroupId);
  const refs = new Map<string, Array<{ SecurityGroupId: string; AliUid: string }>>();
  for (let i = 0; i < ids.length; i += 10) {
    const chunk = ids.slice(i, i + 10);
    const params: Record<string, string> = { RegionId: region };
    chunk.forEach((id, n) => { params[`SecurityGroupId.${n + 1}`] = id; });
    const r = await call<References>('ecs', 'DescribeSecurityGroupReferences', params);
    for (const x of r.SecurityGroupReferences.SecurityGroupReference) refs.set(x.SecurityGroupId, x.ReferencingSecurityGroups.ReferencingSecurityGroup);
  }
  return Promise.all(groups.map(async (g) => {
    const inst = await call<Instances>('ecs', 'DescribeInstances', { RegionId: region, SecurityGroupId: g.SecurityGroupId, PageSize: 10 });
    return {
      groupId: g.SecurityGroupId,
      instances: inst.Instances.Instance.map((i) => i.InstanceId),
      instanceCount: inst.TotalCount,
      referencing: refs.get(g.SecurityGroupId) ?? [],
    };
  }));
}

export function DeleteGroupsModal({ region, groups, onClose, onDeleted }: { region: string; groups: WireGroup[]; onClose: () => void; onDeleted: (ids: string[]) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const open = groups.length > 0;
  const ids = groups.map((g) => g.SecurityGroupId);
  const deps = useQuery({
    // not under ['ecs', …]: the invalidation after the deletes must not check groups just deleted
    queryKey: ['sgs-delete-check', region, ids],
    queryFn: () => dependenciesOf(region, groups),
    enabled: open, staleTime: 0, gcTime: 0,
  });
  const [failures, setFailures] = useState<Array<{ id: string; error: unknown }>>([]);
  const blocked = (d: Dependencies) => d.instanceCount > 0 || d.referencing.length > 0;
  const free = (deps.data ?? []).filter((d) => !blocked(d)).map((d) => d.groupId);
  const stuck = (deps.data ?? []).filter(blocked);
  const nameOf = (id: string) => groups.find((g) => g.SecurityGroupId === id)?.SecurityGroupName ?? '';

  const del = useMutation({
    mutationFn: async (toDelete: string[]) => {
      const failed: Array<{ id: string; error: unknown }> = [];
      const deleted: string[] = [];
      for (const id of toDelete) {
        try {
          await call('ecs', 'DeleteSecurityGroup', { RegionId: region, SecurityGroupId: id });
          deleted.push(id);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          failed.push({ id, error });
        }
      }
      return { deleted, failed };
    },
    onSuccess: async ({ deleted, failed }) => {
      await invalidateGroups(qc);
      onDeleted(deleted);
      if (deleted.length > 0) void message.success(t('sgs.deleted', { count: deleted.length }));
      if (failed.length > 0) setFailures(failed);
      else close();
    },
  });
  function close() {
    setFailures([]);
    del.reset();
    onClose();
  }

  return (
    <Modal open={open} title={t('sgs.deleteTitle')} onCancel={close} width={680} destroyOnHidden
      onOk={() => del.mutate(free)} okText={free.length > 0 ? t('sgs.deleteN', { count: free.length }) : t('common.ok')} cancelText={t('common.cancel')}
      okButtonProps={{ danger: true, disabled: !deps.isSuccess || free.length === 0 || failures.length > 0 }} confirmLoading={del.isPending}>
      {deps.isPending && <Spin tip={t('sgs.checkingDependencies')}><div style={{ minHeight: 60 }} /></Spin>}
      {deps.isError && <ApiErrorAlert error={deps.error} onRetry={() => void deps.refetch()} />}
      {deps.isSuccess && (
        <>
          {free.length > 0 && (
            <>
              <Typography.Paragraph>{t('sgs.deleteConfirm', { count: free.length })}</Typography.Paragraph>
              <List size="small" bordered data-testid="delete-free" dataSource={free} style={{ marginBottom: 16 }}
                renderItem={(id) => <List.Item><code>{id}</code>&nbsp;{nameOf(id)}</List.Item>} />
            </>
          )}
          {stuck.length > 0 && (
            <>
              <Alert type="warning" showIcon message={t('sgs.blockedTitle', { count: stuck.length })} description={t('sgs.blockedText')} style={{ marginBottom: 8 }} />
              <List size="small" bordered data-testid="delete-blocked" dataSource={stuck} renderItem={(d) => (
                <List.Item>
                  <div>
                    <div><code>{d.groupId}</code>&nbsp;{nameOf(d.groupId)} <Tag color="red">DependencyViolation</Tag></div>
                    {d.instanceCount > 0 && (
                      <div>
                        {t('sgs.blockedInstances', { count: d.instanceCount })}{' '}
                        {d.instances.map((i) => <Link key={i} to={`/instances/${i}?region=${encodeURIComponent(region)}`} style={{ marginRight: 8 }}>{i}</Link>)}
                        {d.instanceCount > d.instances.length && '…'}
                      </div>
                    )}
                    {d.referencing.length > 0 && (
                      <div>
                        {t('sgs.blockedReferences', { count: d.referencing.length })}{' '}
                        {d.referencing.map((r) => <span key={r.SecurityGroupId} style={{ marginRight: 8 }}><code>{r.SecurityGroupId}</code> ({t('sgs.account', { id: r.AliUid })})</span>)}
                      </div>
                    )}
                  </div>
                </List.Item>
              )} />
            </>
          )}
        </>
      )}
      {failures.length > 0 && failures.map((f) => (
        <div key={f.id} style={{ marginTop: 12 }}><Typography.Text strong>{f.id}</Typography.Text><ApiErrorAlert error={f.error} /></div>
      ))}
      {del.isError && <ApiErrorAlert error={del.error} />}
    </Modal>
  );
}
