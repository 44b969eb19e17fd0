// /console/signin — sign-in by an AccessKey pair (root or RAM user) or by a RAM user's logon name and
// password, then the steps the server asks for: an MFA code (mfaRequired), a forced password change
// (passwordChangeRequired), or binding a virtual MFA device first (mfaBindRequired: the server
// gives a new device; its QR code and seed are shown and two consecutive codes bind it).
// INVARIANT: the page holds a secret only while a step needs it: the password is kept (in a ref, not
// rendered) between the password step and the MFA / change step, and every form and ref is cleared
// once signed in or when going back.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import QRCode from 'qrcode';
import { Button, Card, Form, Input, Select, Tabs, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { changePassword, getSession, signIn, type Session } from '../api.ts';
import { useI18n, type Lang } from '../i18n/index.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { SESSION_KEY } from '../session.tsx';

type MfaDevice = NonNullable<Session['mfaDevice']>;
type Step = { kind: 'credentials' } | { kind: 'mfa' } | { kind: 'change' } | { kind: 'bind'; device: MfaDevice; qr?: string };

/** Where to go after sign-in: the `next` the guard put in the URL, if it is a console path. */
function nextPath(raw: string | null): string {
  return raw !== null && raw.startsWith('/') && !raw.startsWith('//') && !raw.startsWith('/signin') ? raw : '/';
}

export default function SignIn() {
  const { t, lang, setLang } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const [step, setStep] = useState<Step>({ kind: 'credentials' });
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const held = useRef<{ principalName: string; password: string } | undefined>(undefined);
  const [akForm] = Form.useForm<{ accessKeyId: string; accessKeySecret: string }>();
  const [pwForm] = Form.useForm<{ principalName: string; password: string }>();
  const [mfaForm] = Form.useForm<{ mfaCode: string }>();
  const [changeForm] = Form.useForm<{ newPassword: string; confirm: string }>();
  const [bindForm] = Form.useForm<{ code1: string; code2: string }>();

  useEffect(() => { document.title = `${t('signin.title')} · ${t('app.name')}`; }, [t]);

  // Already signed in (a reload, or a second tab): straight on. A 401 here just means "sign in".
  useEffect(() => {
    let live = true;
    getSession().then((s) => {
      if (live && s.state === 'signedIn') { qc.setQueryData(SESSION_KEY, s); void navigate(nextPath(search.get('next')), { replace: true }); }
    }, () => { /* not signed in: stay */ });
    return () => { live = false; };
  }, [qc, navigate, search]);

  const forget = () => {
    held.current = undefined;
    akForm.resetFields(); pwForm.resetFields(); mfaForm.resetFields(); changeForm.resetFields(); bindForm.resetFields();
  };

  const advance = async (s: Session) => {
    switch (s.state) {
      case 'signedIn':
        forget();
        qc.removeQueries();
        qc.setQueryData(SESSION_KEY, s);
        await navigate(nextPath(search.get('next')), { replace: true });
        return;
      case 'mfaRequired': setStep({ kind: 'mfa' }); return;
      case 'passwordChangeRequired': setStep({ kind: 'change' }); return;
      case 'mfaBindRequired': {
        const device = s.mfaDevice;
        if (device === undefined) { back(); return; }
        setStep({ kind: 'bind', device });
        const qr = await QRCode.toDataURL(device.OtpauthUri, { width: 200, margin: 1 }).catch(() => undefined);
        if (qr !== undefined) setStep((x) => (x.kind === 'bind' && x.device === device ? { ...x, qr } : x));
        return;
      }
    }
  };

  const run = async (fn: () => Promise<Session>) => {
    setBusy(true); setError(undefined);
    try { await advance(await fn()); } catch (e) { setError(e); } finally { setBusy(false); }
  };

  const back = () => { forget(); setError(undefined); setStep({ kind: 'credentials' }); };

  const required = (field: string) => [{ required: true, whitespace: true, message: t('signin.required', { field }) }];

  let body: ReactNode;
  if (step.kind === 'credentials') {
    body = (
      <Tabs items={[
        { key: 'accessKey', label: t('signin.tabAccessKey'), children: (
          <Form form={akForm} layout="vertical" requiredMark={false} name="accessKey" autoComplete="off"
            onFinish={(v) => void run(() => signIn({ kind: 'accessKey', accessKeyId: v.accessKeyId.trim(), accessKeySecret: v.accessKeySecret }))}>
            <Typography.Paragraph type="secondary">{t('signin.accessKeyHint')}</Typography.Paragraph>
            <Form.Item name="accessKeyId" label={t('signin.accessKeyId')} rules={required(t('signin.accessKeyId'))}>
              <Input autoComplete="username" spellCheck={false} />
            </Form.Item>
            <Form.Item name="accessKeySecret" label={t('signin.accessKeySecret')} rules={required(t('signin.accessKeySecret'))}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>{t('signin.submit')}</Button>
          </Form>
        ) },
        { key: 'password', label: t('signin.tabRamUser'), children: (
          <Form form={pwForm} layout="vertical" requiredMark={false} name="password"
            onFinish={(v) => {
              held.current = { principalName: v.principalName.trim(), password: v.password };
              void run(() => signIn({ kind: 'password', principalName: v.principalName.trim(), password: v.password }));
            }}>
            <Form.Item name="principalName" label={t('signin.principalName')} rules={required(t('signin.principalName'))}>
              <Input autoComplete="username" spellCheck={false} placeholder={t('signin.principalNamePlaceholder')} />
            </Form.Item>
            <Form.Item name="password" label={t('signin.password')} rules={required(t('signin.password'))}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>{t('signin.submit')}</Button>
          </Form>
        ) },
      ]} />
    );
  } else if (step.kind === 'mfa') {
    body = (
      <Form form={mfaForm} layout="vertical" requiredMark={false} name="mfa"
        onFinish={(v) => {
          const h = held.current;
          if (h === undefined) { back(); return; }
          void run(() => signIn({ kind: 'password', principalName: h.principalName, password: h.password, mfaCode: v.mfaCode.trim() }));
        }}>
        <Typography.Title level={2} style={{ fontSize: 18 }}>{t('signin.mfaTitle')}</Typography.Title>
        <Typography.Paragraph>{t('signin.mfaText', { name: held.current?.principalName ?? '' })}</Typography.Paragraph>
        <Form.Item name="mfaCode" label={t('signin.mfaCode')} rules={[{ required: true, pattern: /^\s*\d{6}\s*$/, message: t('signin.mfaCodeInvalid') }]}>
          <Input autoComplete="one-time-code" inputMode="numeric" maxLength={6} autoFocus />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>{t('signin.verify')}</Button>
        <Button type="link" block onClick={back}>{t('signin.back')}</Button>
      </Form>
    );
  } else if (step.kind === 'change') {
    body = (
      <Form form={changeForm} layout="vertical" requiredMark={false} name="change"
        onFinish={(v) => {
          const h = held.current;
          if (h === undefined) { back(); return; }
          void run(() => changePassword(h.password, v.newPassword));
        }}>
        <Typography.Title level={2} style={{ fontSize: 18 }}>{t('signin.changeTitle')}</Typography.Title>
        <Typography.Paragraph>{t('signin.changeText')}</Typography.Paragraph>
        <Form.Item name="newPassword" label={t('signin.newPassword')} rules={required(t('signin.newPassword'))}>
          <Input.Password autoComplete="new-password" autoFocus />
        </Form.Item>
        <Form.Item name="confirm" label={t('signin.confirmPassword')} dependencies={['newPassword']}
          rules={[...required(t('signin.confirmPassword')), ({ getFieldValue }) => ({
            validator: (_r, value) => (value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('signin.passwordsDiffer')))),
          })]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>{t('signin.change')}</Button>
        <Button type="link" block onClick={back}>{t('signin.back')}</Button>
      </Form>
    );
  } else {
    const device = step.device;
    const digits = [{ required: true, pattern: /^\s*\d{6}\s*$/, message: t('signin.mfaCodeInvalid') }];
    body = (
      <Form form={bindForm} layout="vertical" requiredMark={false} name="bind"
        onFinish={(v) => {
          const h = held.current;
          if (h === undefined) { back(); return; }
          void run(() => signIn({ kind: 'password', principalName: h.principalName, password: h.password, mfaBind: { serialNumber: device.SerialNumber, code1: v.code1.trim(), code2: v.code2.trim() } }));
        }}>
        <Typography.Title level={2} style={{ fontSize: 18 }}>{t('signin.mfaBindTitle')}</Typography.Title>
        <Typography.Paragraph>{t('signin.mfaBindText', { name: held.current?.principalName ?? '' })}</Typography.Paragraph>
        <div style={{ textAlign: 'center', minHeight: 200 }}>
          {step.qr !== undefined && <img src={step.qr} width={200} height={200} alt={t('signin.mfaBindQrAlt')} data-testid="signin-mfa-qr" />}
        </div>
        <Typography.Paragraph>{t('signin.mfaBindManual')} <Typography.Text code copyable data-testid="signin-mfa-seed">{device.Base32StringSeed}</Typography.Text></Typography.Paragraph>
        <Form.Item name="code1" label={t('signin.mfaBindCode1')} rules={digits}><Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" autoFocus /></Form.Item>
        <Form.Item name="code2" label={t('signin.mfaBindCode2')} rules={digits}><Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" /></Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>{t('signin.mfaBindSubmit')}</Button>
        <Button type="link" block onClick={back}>{t('signin.back')}</Button>
      </Form>
    );
  }

  return (
    <main style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card style={{ width: 480, maxWidth: '100%' }}
        title={<Typography.Title level={1} style={{ fontSize: 18, margin: 0 }}>{t('signin.title')}</Typography.Title>}
        extra={<Select<Lang> aria-label={t('top.language')} data-testid="lang-select" size="small" value={lang} onChange={setLang} style={{ width: 110 }}
          options={[{ value: 'en', label: 'English' }, { value: 'zh', label: '简体中文' }]} />}>
        {error !== undefined && <div style={{ marginBottom: 16 }}><ApiErrorAlert error={error} /></div>}
        {body}
      </Card>
    </main>
  );
}

