// An error from call() as the console shows it: the message, and for a RAM refusal the denied action
// and resource (AccessDeniedDetail), with the request id for support.
import { Alert, Button } from 'antd';
import { ApiError } from '../api.ts';
import { useT } from '../i18n/index.tsx';

export function ApiErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  const e = error instanceof ApiError ? error : undefined;
  const lines: string[] = [];
  if (e?.accessDeniedDetail?.action) lines.push(t('error.deniedAction', { action: e.accessDeniedDetail.action }));
  if (e?.accessDeniedDetail?.resource) lines.push(t('error.deniedResource', { resource: e.accessDeniedDetail.resource }));
  if (e?.requestId) lines.push(t('error.requestId', { id: e.requestId }));
  const message = e?.isAccessDenied ? t('error.accessDenied') : t('error.generic');
  const text = error instanceof Error ? error.message : String(error);
  return (
    <Alert type="error" showIcon role="alert" message={message}
      description={<div>{e ? <div><code>{e.code}</code>: {text}</div> : <div>{text}</div>}{lines.map((l) => <div key={l}>{l}</div>)}</div>}
      action={onRetry ? <Button size="small" onClick={onRetry}>{t('common.retry')}</Button> : undefined} />
  );
}
