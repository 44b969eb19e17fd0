// /console/security-center/notifications — how alerts reach the user, per method (Parapet's
// DescribeSecurityNotifications / ModifySecurityNotification): e-mail (to an address, through the
// operator's SMTP server), webhook (an HTTPS POST signed with a secret of at least 16 characters)
// and the inbox; for each, the levels it carries and an optional sending window (UTC, HH:MM-HH:MM;
// outside it the notice waits for the window). "Turn off" removes the method (Enabled=false).
import { App, Button, Card, Checkbox, Col, Form, Input, Row, Space, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call } from '../../api.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { useT } from '../../i18n/index.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { TAG_OK } from '../../components/InstanceParts.tsx';
import { ALERT_LEVELS, PARAPET, SAS_KEY, SasSection, alertLevelLabel } from '../../components/SasParts.tsx';

type Method = 'email' | 'webhook' | 'inbox';
interface Notification { Method: Method; Levels: string; Target: string; HasSecret: boolean; Window: string }
interface Values { levels: string[]; target?: string; secret?: string; window?: string }

const METHODS: Array<{ method: Method; title: MessageKey; help: MessageKey }> = [
  { method: 'inbox', title: 'sas.nt.inbox', help: 'sas.nt.inboxHelp' },
  { method: 'email', title: 'sas.nt.email', help: 'sas.nt.emailHelp' },
  { method: 'webhook', title: 'sas.nt.webhook', help: 'sas.nt.webhookHelp' },
];
const WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;

function MethodCard({ method, title, help, current }: { method: Method; title: MessageKey; help: MessageKey; current: Notification | undefined }) {
  const t = useT();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useMutation({
    mutationFn: (v: Values | 'off') => call('parapet', 'ModifySecurityNotification', v === 'off' ? { Method: method, Enabled: false } : {
      Method: method, Levels: v.levels.join(','), Target: method === 'inbox' ? undefined : v.target?.trim(),
      Secret: method === 'webhook' && v.secret ? v.secret : undefined, Window: v.window?.trim() || undefined, Enabled: true,
    }, PARAPET),
    onSuccess: async (_r, v) => { await qc.invalidateQueries({ queryKey: [SAS_KEY, 'notifications'] }); void message.success(t(v === 'off' ? 'sas.nt.turnedOff' : 'sas.nt.saved', { method: t(title) })); },
  });
  const heading = <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t(title)}</Typography.Title>;
  const state = current !== undefined ? <Tag color={TAG_OK} data-testid={`nt-on-${method}`}>{t('sas.nt.on')}</Tag> : <Tag data-testid={`nt-off-${method}`}>{t('sas.nt.off')}</Tag>;
  return (
    <Card size="small" title={<Space>{heading}{state}</Space>} data-testid={`nt-${method}`}>
      <Typography.Paragraph type="secondary">{t(help)}</Typography.Paragraph>
      <Form<Values> form={form} layout="vertical" onFinish={(v) => save.mutate(v)} onValuesChange={() => save.reset()}
        initialValues={{ levels: current !== undefined ? current.Levels.split(',').filter(Boolean) : [...ALERT_LEVELS], target: current?.Target ?? '', window: current?.Window ?? '' }}>
        <Form.Item name="levels" label={t('sas.nt.levels')} 
          // a validator, not `required`: Form.Item would put aria-required on the checkbox group, where ARIA does not allow it
          rules={[{ validator: (_r, v: string[] | undefined) => (v !== undefined && v.length > 0 ? Promise.resolve() : Promise.reject(new Error(t('sas.nt.levelsRequired')))) }]}>
          <Checkbox.Group options={ALERT_LEVELS.map((l) => ({ value: l, label: alertLevelLabel(t, l) }))} />
        </Form.Item>
        {method === 'email' && (
          <Form.Item name="target" label={t('sas.nt.address')} rules={[{ required: true, type: 'email', message: t('sas.nt.addressInvalid') }]}>
            <Input type="email" autoComplete="email" />
          </Form.Item>
        )}
        {method === 'webhook' && (
          <>
            <Form.Item name="target" label={t('sas.nt.url')} rules={[{ required: true, pattern: /^https?:\/\/\S+$/, message: t('sas.nt.urlInvalid') }]}>
              <Input placeholder="https://" />
            </Form.Item>
            <Form.Item name="secret" label={t('sas.nt.secret')} extra={current?.HasSecret ? t('sas.nt.secretKept') : t('sas.nt.secretHelp')}
              rules={[{ required: !current?.HasSecret, min: 16, message: t('sas.nt.secretHelp') }]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </>
        )}
        <Form.Item name="window" label={t('sas.nt.window')} extra={t('sas.nt.windowHelp')} rules={[{ pattern: WINDOW, message: t('sas.nt.windowHelp') }]}>
          <Input placeholder="08:00-20:00" style={{ width: 200 }} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={save.isPending} aria-label={t('sas.nt.saveOf', { method: t(title) })}>{t('sas.nt.save')}</Button>
          {current !== undefined && <Button onClick={() => save.mutate('off')} aria-label={t('sas.nt.turnOffOf', { method: t(title) })}>{t('sas.nt.turnOff')}</Button>}
        </Space>
      </Form>
      {save.isError && <div style={{ marginTop: 12 }}><ApiErrorAlert error={save.error} /></div>}
    </Card>
  );
}

export default function Notifications() {
  const t = useT();
  const q = useQuery({
    queryKey: [SAS_KEY, 'notifications'],
    queryFn: () => call<{ Notifications: Notification[] }>('parapet', 'DescribeSecurityNotifications', {}, PARAPET),
  });
  return (
    <>
      <PageTitle title={t('sas.nt.title')} />
      <SasSection>
        <Typography.Paragraph type="secondary">{t('sas.nt.intro')}</Typography.Paragraph>
        {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : q.data === undefined ? null : (
          <Row gutter={[16, 16]}>
            {METHODS.map((m) => (
              <Col key={m.method} xs={24} lg={8}>
                <MethodCard {...m} current={q.data.Notifications.find((n) => n.Method === m.method)} />
              </Col>
            ))}
          </Row>
        )}
      </SasSection>
    </>
  );
}
