// /console/security-center — the Security Center's overview: the security score (Parapet's
// DescribeSecurityScore) and every deduction, the pending alerts, vulnerabilities and baseline
// warnings by level (read from the same deductions: their counts are the findings'), the assets with
// and without the agent (DescribeCloudCenterInstances, the first 100), and "Scan now"
// (StartBaselineSecurityCheck). The sub-pages are in the bar under the title (SasTabs).
import { App, Button, Card, Col, Empty, List, Progress, Row, Space, Statistic, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useT } from '../i18n/index.tsx';
import { useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import {
  ALERT_LEVELS, BASELINE_LEVELS, PARAPET, SAS_KEY, SasSection, alertLevelLabel, baselineLevelLabel, useAllAssets,
} from '../components/SasParts.tsx';

interface Score { Score: number; Deductions: Array<{ Reason: string; Count: number; Points: number }> }

const KIND_KEY: Record<string, MessageKey> = { alert: 'sas.ov.kind.alert', vulnerability: 'sas.ov.kind.vulnerability', baseline: 'sas.ov.kind.baseline' };

export default function SecurityCenter() {
  const t = useT();
  const link = useRegionLink();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const score = useQuery({ queryKey: [SAS_KEY, 'score'], queryFn: () => call<Score>('parapet', 'DescribeSecurityScore', {}, PARAPET) });
  const assets = useAllAssets();
  const scan = useMutation({
    mutationFn: () => call<{ TaskId: number }>('sas', 'StartBaselineSecurityCheck', { Type: 'check' }),
    onSuccess: async () => { await qc.invalidateQueries({ queryKey: [SAS_KEY] }); void message.success(t('sas.ov.scanned')); },
  });
  const count = (reason: string) => score.data?.Deductions.find((d) => d.Reason === reason)?.Count ?? 0;
  const deductionLabel = (reason: string) => {
    const [kind = '', level = ''] = reason.split(':');
    const levelText = kind === 'baseline' ? baselineLevelLabel(t, level as 'high') : alertLevelLabel(t, level as 'serious');
    return t(KIND_KEY[kind] ?? 'sas.ov.kind.alert', { level: levelText });
  };
  const withAgent = (assets.data ?? []).filter((a) => a.Bind).length;
  const s = score.data?.Score;
  const color = s === undefined ? undefined : s >= 90 ? '#237804' : s >= 70 ? '#d46b08' : '#a8071a';

  return (
    <>
      <PageTitle title={t('sas.title')} extra={<Button type="primary" loading={scan.isPending} onClick={() => scan.mutate()}>{t('sas.ov.scan')}</Button>} />
      <SasSection>
        <Typography.Paragraph type="secondary">{t('sas.ov.intro')}</Typography.Paragraph>
        {scan.isError && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={scan.error} /></div>}
        {score.isError ? <ApiErrorAlert error={score.error} onRetry={() => void score.refetch()} /> : (
          <Row gutter={[16, 16]}>
            <Col xs={24} md={8}>
              <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('sas.ov.score')}</Typography.Title>} loading={score.isPending}>
                <Space direction="vertical" align="center" style={{ width: '100%' }}>
                  <Progress aria-label={t('sas.ov.score')} type="dashboard" percent={s ?? 0} strokeColor={color} format={() => <span data-testid="sas-score" style={{ color }}>{s ?? ''}</span>} />
                  <Typography.Text type="secondary">{t('sas.ov.scoreHelp')}</Typography.Text>
                </Space>
              </Card>
            </Col>
            <Col xs={24} md={16}>
              <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('sas.ov.deductions')}</Typography.Title>} loading={score.isPending}>
                <List size="small" data-testid="sas-deductions" dataSource={score.data?.Deductions ?? []}
                  locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sas.ov.noDeductions')} /> }}
                  renderItem={(d) => (
                    <List.Item extra={<Typography.Text strong>{t('sas.ov.points', { n: d.Points })}</Typography.Text>}>
                      {`${deductionLabel(d.Reason)} × ${d.Count}`}
                    </List.Item>
                  )} />
              </Card>
            </Col>
            <Col xs={24} md={8}>
              <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}><Link to={link('security-center/alerts')}>{t('sas.ov.alerts')}</Link></Typography.Title>}>
                <Row>{ALERT_LEVELS.map((l) => <Col span={8} key={l}><Statistic title={alertLevelLabel(t, l)} value={count(`alert:${l}`)} loading={score.isPending} data-testid={`sas-alerts-${l}`} /></Col>)}</Row>
              </Card>
            </Col>
            <Col xs={24} md={8}>
              <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}><Link to={link('security-center/vulnerabilities')}>{t('sas.ov.vulnerabilities')}</Link></Typography.Title>}>
                <Row>{ALERT_LEVELS.map((l) => <Col span={8} key={l}><Statistic title={alertLevelLabel(t, l)} value={count(`vulnerability:${l}`)} loading={score.isPending} /></Col>)}</Row>
              </Card>
            </Col>
            <Col xs={24} md={8}>
              <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}><Link to={link('security-center/baseline')}>{t('sas.ov.baseline')}</Link></Typography.Title>}>
                <Row>{BASELINE_LEVELS.map((l) => <Col span={8} key={l}><Statistic title={baselineLevelLabel(t, l)} value={count(`baseline:${l}`)} loading={score.isPending} data-testid={`sas-baseline-${l}`} /></Col>)}</Row>
              </Card>
            </Col>
          </Row>
        )}
        <Card size="small" style={{ marginTop: 16 }} title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('sas.ov.assets')}</Typography.Title>}>
          {assets.isError ? <ApiErrorAlert error={assets.error} onRetry={() => void assets.refetch()} /> : (
            <>
              <Row>
                <Col span={8}><Statistic title={t('sas.ov.assetsAll')} value={assets.data?.length ?? 0} loading={assets.isPending} /></Col>
                <Col span={8}><Statistic title={t('sas.ov.withAgent')} value={withAgent} loading={assets.isPending} data-testid="sas-with-agent" /></Col>
                <Col span={8}><Statistic title={t('sas.ov.withoutAgent')} value={(assets.data?.length ?? 0) - withAgent} loading={assets.isPending} data-testid="sas-without-agent" /></Col>
              </Row>
              {assets.data !== undefined && assets.data.length - withAgent > 0 && <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>{t('sas.ov.installHint')}</Typography.Paragraph>}
            </>
          )}
        </Card>
      </SasSection>
    </>
  );
}
