// The signed-in session as server state: GET /console/api/session through TanStack Query under the
// key ['session']. RequireSession sends the browser to the sign-in page when there is none (401),
// keeping where it was going; any 401 from a later call does the same.
import { useEffect, type ReactNode } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { Result, Spin, Button } from 'antd';
import { ApiError, getSession, onUnauthorized, type Session } from './api.ts';
import { useT } from './i18n/index.tsx';

export const SESSION_KEY = ['session'] as const;

const sessionQuery = { queryKey: SESSION_KEY, queryFn: getSession, retry: false, staleTime: 60_000 } as const;

export function useSession() {
  return useQuery<Session, Error>(sessionQuery);
}

/** Whether the session is signed in, asking the server only when the cache has no fresh answer (false on any error). */
export async function signedInSession(qc: QueryClient): Promise<boolean> {
  try {
    return (await qc.fetchQuery<Session, Error>(sessionQuery)).state === 'signedIn';
  } catch {
    return false;
  }
}

export function signInPath(next: string): string {
  return next === '/' || next === '' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`;
}

export function RequireSession({ children }: { children: ReactNode }) {
  const t = useT();
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const here = location.pathname + location.search;

  useEffect(() => onUnauthorized(() => {
    qc.removeQueries();
    void navigate(signInPath(here), { replace: true });
  }), [qc, navigate, here]);

  if (session.isPending) return <Spin fullscreen tip={t('common.loading')} />;
  if (session.isError) {
    if (session.error instanceof ApiError && session.error.status === 401) return <Navigate to={signInPath(here)} replace />;
    return (
      <Result status="error" title={t('error.generic')} subTitle={session.error.message}
        extra={<Button onClick={() => void session.refetch()}>{t('common.retry')}</Button>} />
    );
  }
  if (session.data.state !== 'signedIn') return <Navigate to={signInPath(here)} replace />;
  return <>{children}</>;
}
