// "Change thresholds" for one public address: the scrubbing thresholds in force and the instance
// type's maximum (DescribeIpDdosThreshold, DdosType defense), then either "Automatic (default)"
// (ModifyDefenseThreshold IsAuto=true: back to the maximum) or Bps (Mbit/s) and Pps set together,
// both required. The page does not stop a value above the maximum: the API refuses it, and its
// refusal (naming the maximum) is shown in the dialog, as is a RAM refusal.
import { Alert, Form, InputNumber, Modal, Radio, Spin, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call } from '../../api.ts';
import { useT } from '../../i18n/index.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { ECS, formatNumber, useLang, type DefenseThreshold } from '../../components/DdosParts.tsx';

interface Values { mode: 'auto' | 'custom'; bps?: number; pps?: number }

export function ThresholdDialog({ region, target, onClose }: { region: string; target: { instanceId: string; ip: string }; onClose: (done?: string) => void }) {
  const t = useT();
  const lang = useLang();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const mode = Form.useWatch('mode', form);
  const current = useQuery({
    queryKey: ['antiddos', 'threshold', region, target.instanceId, target.ip],
    queryFn: async () => (await call<{ Threshold: DefenseThreshold }>('antiddos', 'DescribeIpDdosThreshold', {
      DdosRegionId: region, DdosType: 'defense', InstanceType: ECS, InstanceId: target.instanceId, InternetIp: target.ip,
    })).Threshold,
  });
  const save = useMutation({
    mutationFn: (v: Values) => call('antiddos', 'ModifyDefenseThreshold', {
      DdosRegionId: region, InstanceType: ECS, InstanceId: target.instanceId, InternetIp: target.ip,
      ...(v.mode === 'auto' ? { IsAuto: true } : { Bps: v.bps, Pps: v.pps }),
    }),
    onSuccess: async (_r, v) => {
      await qc.invalidateQueries({ queryKey: ['antiddos'] });
      onClose(v.mode === 'auto' ? t('ddos.thresholdsAuto', { ip: target.ip }) : t('ddos.thresholdsSaved', { ip: target.ip }));
    },
  });
  const th = current.data;
  const required = (field: string) => ({ required: true, message: t('ddos.bothRequired', { field }) });
  return (
    <Modal open title={t('ddos.thresholdTitle', { ip: target.ip })} okText={t('common.ok')} cancelText={t('common.cancel')} width={560} destroyOnClose
      onCancel={() => onClose()} onOk={() => form.submit()} confirmLoading={save.isPending} okButtonProps={{ disabled: th === undefined }}>
      {current.isError ? <ApiErrorAlert error={current.error} onRetry={() => void current.refetch()} /> : th === undefined ? <Spin /> : (
        <Form<Values> form={form} layout="vertical" preserve={false} onFinish={(v) => save.mutate(v)} onValuesChange={() => save.reset()}
          initialValues={{ mode: th.IsAuto ? 'auto' : 'custom', bps: th.Bps, pps: th.Pps }}>
          <Typography.Paragraph data-testid="threshold-max">
            {t('ddos.maximum', { bps: formatNumber(th.MaxBps, lang), pps: formatNumber(th.MaxPps, lang) })}
          </Typography.Paragraph>
          <Form.Item name="mode" label={t('ddos.thresholdMode')}>
            <Radio.Group>
              <Radio value="auto">{t('ddos.auto')}</Radio>
              <Radio value="custom">{t('ddos.custom')}</Radio>
            </Radio.Group>
          </Form.Item>
          {mode === 'custom' ? (
            <>
              <Form.Item name="bps" label={t('ddos.bpsLabel')} rules={[required(t('ddos.bpsLabel'))]} extra={t('ddos.bpsHelp')}>
                <InputNumber min={1} precision={0} addonAfter="Mbit/s" style={{ width: 240 }} />
              </Form.Item>
              <Form.Item name="pps" label={t('ddos.ppsLabel')} rules={[required(t('ddos.ppsLabel'))]}>
                <InputNumber min={1} precision={0} addonAfter="pps" style={{ width: 240 }} />
              </Form.Item>
            </>
          ) : (
            <Alert type="info" showIcon message={t('ddos.autoHelp', { bps: formatNumber(th.MaxBps, lang), pps: formatNumber(th.MaxPps, lang) })} />
          )}
        </Form>
      )}
      {save.isError && <div style={{ marginTop: 12 }}><ApiErrorAlert error={save.error} /></div>}
    </Modal>
  );
}
