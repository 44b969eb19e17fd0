// The instance page's Security Center agent: installed or not (DescribeCloudCenterInstances for this
// instance), its pending alerts and vulnerabilities linked to them, and Install / Uninstall
// (Parapet's InstallSecurityAgent / UninstallSecurityAgent; uninstalling confirms: the instance's
// findings are dropped and it is no longer watched).
import { useState } from 'react';
import { App, Button, Modal, Space, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call } from '../../api.ts';
import { useT } from '../../i18n/index.tsx';
import { useRegionLink } from '../../region.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { PARAPET, SAS_KEY, riskCountOf, useAssetsOf } from '../../components/SasParts.tsx';

export function AgentCell({ instanceId, region }: { instanceId: string; region: string }) {
  const t = useT();
  const link = useRegionLink();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [confirming, setConfirming] = useState(false);
  const q = useAssetsOf([instanceId]);
  const set = useMutation({
    mutationFn: (install: boolean) => call('parapet', install ? 'InstallSecurityAgent' : 'UninstallSecurityAgent', { RegionId: region, 'InstanceId.1': instanceId }, PARAPET),
    onSuccess: async (_r, install) => {
      setConfirming(false);
      await qc.invalidateQueries({ queryKey: [SAS_KEY] });
      void message.success(t(install ? 'inst.agent.installed' : 'inst.agent.uninstalled', { id: instanceId }));
    },
  });
  if (!q.allowed) return <span>—</span>;
  if (q.isError) return <Typography.Text type="secondary">{t('inst.sas.unavailable')}</Typography.Text>;
  const asset = q.data?.get(instanceId);
  if (asset === undefined) return <span>—</span>;
  const rc = riskCountOf(asset);
  return (
    <Space direction="vertical" size={4} data-testid="agent-cell">
      {asset.Bind ? (
        <Space wrap>
          <span>{t('inst.agent.on')}</span>
          {rc !== undefined && rc.suspNum > 0 && <Link to={link(`security-center/alerts?instance=${encodeURIComponent(instanceId)}`)}>{t('inst.agent.alerts', { n: rc.suspNum })}</Link>}
          {rc !== undefined && rc.vulNum > 0 && <Link to={link(`security-center/vulnerabilities?instance=${encodeURIComponent(instanceId)}`)}>{t('inst.agent.vuls', { n: rc.vulNum })}</Link>}
          <Button size="small" onClick={() => { set.reset(); setConfirming(true); }}>{t('inst.agent.uninstall')}</Button>
        </Space>
      ) : (
        <Space wrap>
          <span>{t('inst.sas.noAgent')}</span>
          <Button size="small" loading={set.isPending} onClick={() => set.mutate(true)}>{t('inst.agent.install')}</Button>
        </Space>
      )}
      {set.isError && !confirming && <ApiErrorAlert error={set.error} />}
      <Modal open={confirming} title={t('inst.agent.uninstallTitle', { id: instanceId })} okText={t('inst.agent.uninstall')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')}
        confirmLoading={set.isPending} onCancel={() => setConfirming(false)} onOk={() => set.mutate(false)} destroyOnClose>
        <Typography.Paragraph>{t('inst.agent.uninstallText', { id: instanceId })}</Typography.Paragraph>
        {set.isError && <ApiErrorAlert error={set.error} />}
      </Modal>
    </Space>
  );
}
