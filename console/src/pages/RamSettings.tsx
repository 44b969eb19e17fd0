// /console/ram/settings — the account's security settings: the RAM users' password policy
// (GetPasswordPolicy / SetPasswordPolicy) and the account alias used in logon names
// (GetAccountAlias / SetAccountAlias / ClearAccountAlias).
import { useEffect } from 'react';
import { Button, Card, Checkbox, Form, Input, InputNumber, Popconfirm, Space, Typography } from 'antd';
import { call } from '../api.ts';
import { useT } from '../i18n/index.tsx';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { DANGER, useAccountId, useRam, useRamWrite, type PasswordPolicy } from '../ram/shared.tsx';

function PasswordPolicyCard() {
  const t = useT();
  const q = useRam<{ PasswordPolicy: PasswordPolicy }>('GetPasswordPolicy');
  const [form] = Form.useForm<PasswordPolicy>();
  const save = useRamWrite((v: PasswordPolicy) => call('ram', 'SetPasswordPolicy', { ...v }), () => t('ram.settings.policySaved'));
  useEffect(() => { if (q.data !== undefined) form.setFieldsValue(q.data.PasswordPolicy); }, [q.data, form]);
  const num = (name: keyof PasswordPolicy, label: string, min: number, max: number, hint?: string) => (
    <Form.Item name={name} label={label} extra={hint} rules={[{ required: true, type: 'number', min, max, message: t('ram.settings.range', { min, max }) }]}>
      <InputNumber min={min} max={max} style={{ width: 160 }} />
    </Form.Item>
  );
  return (
    <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('ram.settings.passwordPolicy')}</Typography.Title>}>
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <Form form={form} layout="vertical" name="password-policy" disabled={q.isPending} onFinish={(v) => void save.mutateAsync(v).catch(() => undefined)}>
          {num('MinimumPasswordLength', t('ram.settings.minLength'), 8, 32)}
          <Typography.Text>{t('ram.settings.mustContain')}</Typography.Text>
          <Space wrap style={{ margin: '8px 0 16px' }}>
            <Form.Item name="RequireLowercaseCharacters" valuePropName="checked" noStyle><Checkbox>{t('ram.settings.lower')}</Checkbox></Form.Item>
            <Form.Item name="RequireUppercaseCharacters" valuePropName="checked" noStyle><Checkbox>{t('ram.settings.upper')}</Checkbox></Form.Item>
            <Form.Item name="RequireNumbers" valuePropName="checked" noStyle><Checkbox>{t('ram.settings.numbers')}</Checkbox></Form.Item>
            <Form.Item name="RequireSymbols" valuePropName="checked" noStyle><Checkbox>{t('ram.settings.symbols')}</Checkbox></Form.Item>
          </Space>
          {num('MaxPasswordAge', t('ram.settings.maxAge'), 0, 1095, t('ram.settings.zeroNever'))}
          {num('PasswordReusePrevention', t('ram.settings.reuse'), 0, 24, t('ram.settings.zeroNever'))}
          {num('MaxLoginAttemps', t('ram.settings.attempts'), 0, 32, t('ram.settings.zeroNever'))}
          <Form.Item name="HardExpiry" valuePropName="checked"><Checkbox>{t('ram.settings.hardExpiry')}</Checkbox></Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending}>{t('ram.settings.savePolicy')}</Button>
          {save.isError && <div style={{ marginTop: 12 }}><ApiErrorAlert error={save.error} /></div>}
        </Form>
      )}
    </Card>
  );
}

function AliasCard() {
  const t = useT();
  const accountId = useAccountId();
  const q = useRam<{ AccountAlias?: string }>('GetAccountAlias');
  const [form] = Form.useForm<{ alias: string }>();
  const set = useRamWrite((alias: string) => call('ram', 'SetAccountAlias', { AccountAlias: alias }), (_r, alias) => t('ram.settings.aliasSet', { alias }));
  const clear = useRamWrite(() => call('ram', 'ClearAccountAlias'), () => t('ram.settings.aliasCleared'));
  const alias = q.data?.AccountAlias ?? '';
  useEffect(() => { form.setFieldsValue({ alias }); }, [alias, form]);
  return (
    <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('ram.settings.alias')}</Typography.Title>}>
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <>
          <Typography.Paragraph>{t('ram.settings.aliasText')}</Typography.Paragraph>
          <Typography.Paragraph data-testid="logon-suffix">
            {t('ram.settings.logonSuffix')} <Typography.Text code>{`@${alias !== '' ? alias : accountId}.onaliyun.com`}</Typography.Text>
          </Typography.Paragraph>
          <Form form={form} layout="inline" name="alias" disabled={q.isPending} onFinish={(v) => void set.mutateAsync(v.alias.trim()).catch(() => undefined)}>
            <Form.Item name="alias" label={t('ram.settings.alias')} rules={[{ required: true, message: t('ram.required') }]}>
              <Input autoComplete="off" style={{ width: 240 }} />
            </Form.Item>
            <Form.Item><Button type="primary" htmlType="submit" loading={set.isPending}>{t('ram.save')}</Button></Form.Item>
            {alias !== '' && (
              <Form.Item>
                <Popconfirm title={t('ram.settings.clearConfirm', { alias })} description={t('ram.settings.clearWhat', { account: accountId, alias })} okText={t('ram.settings.clear')}
                  okButtonProps={{ danger: true }} cancelText={t('common.cancel')} onConfirm={() => clear.mutateAsync(undefined)}>
                  <Button danger style={DANGER}>{t('ram.settings.clear')}</Button>
                </Popconfirm>
              </Form.Item>
            )}
          </Form>
          {set.isError && <div style={{ marginTop: 12 }}><ApiErrorAlert error={set.error} /></div>}
          {clear.isError && <div style={{ marginTop: 12 }}><ApiErrorAlert error={clear.error} /></div>}
        </>
      )}
    </Card>
  );
}

export default function RamSettings() {
  const t = useT();
  return (
    <>
      <PageTitle title={t('nav.ramSettings')} />
      <Space direction="vertical" size="large" style={{ width: '100%' }}>
        <PasswordPolicyCard />
        <AliasCard />
      </Space>
    </>
  );
}
