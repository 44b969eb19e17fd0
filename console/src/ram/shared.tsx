// What the RAM pages share: the wire shapes of RAM's answers, the query key every RAM read lives
// under (so one invalidation after a write refreshes every RAM list), a write hook that reports
// success or the error, marker paging (RAM pages with Marker/MaxItems, not page numbers), the
// engine's error positions read from a MalformedPolicyDocument message, passwords generated to the
// account's password policy, and the CSV download of a new credential.
import { useCallback, useState } from 'react';
import { App, Button, Popconfirm, Space } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, type Params } from '../api.ts';
import { useT } from '../i18n/index.tsx';
import { useSession } from '../session.tsx';

export interface RamUser { UserId: string; UserName: string; DisplayName?: string; Comments?: string; Email?: string; MobilePhone?: string; CreateDate: string; UpdateDate?: string; JoinDate?: string }
export interface RamGroup { GroupId?: string; GroupName: string; Comments?: string; CreateDate?: string; JoinDate?: string }
export interface RamPolicy { PolicyName: string; PolicyType: 'System' | 'Custom'; Description?: string; DefaultVersion?: string; CreateDate?: string; UpdateDate?: string; AttachmentCount?: number; AttachDate?: string }
export interface PolicyVersion { VersionId: string; IsDefaultVersion: boolean; PolicyDocument: string; CreateDate: string }
export interface RamRole { RoleId: string; RoleName: string; Arn: string; Description?: string; AssumeRolePolicyDocument?: string; MaxSessionDuration?: number; CreateDate: string; UpdateDate?: string; AttachDate?: string }
export interface AccessKey { AccessKeyId: string; AccessKeySecret?: string; Status: 'Active' | 'Inactive'; CreateDate: string }
export interface LoginProfile { UserName: string; PasswordResetRequired: boolean; MFABindRequired: boolean; CreateDate: string }
export interface PasswordPolicy {
  MinimumPasswordLength: number; RequireLowercaseCharacters: boolean; RequireUppercaseCharacters: boolean; RequireNumbers: boolean;
  RequireSymbols: boolean; HardExpiry: boolean; MaxPasswordAge: number; PasswordReusePrevention: number; MaxLoginAttemps: number;
}
export type PrincipalType = 'User' | 'Group' | 'Role';

/** Every RAM read is under this key; a write invalidates all of them. */
export const RAM_KEY = 'ram';

/** A RAM read (TanStack Query) keyed by action and parameters. */
export function useRam<T>(action: string, params: Params = {}, enabled = true) {
  return useQuery({
    queryKey: [RAM_KEY, action, params],
    queryFn: () => call<T>('ram', action, params),
    enabled,
  });
}

/**
 * A RAM write: runs `fn`, refreshes every RAM read afterwards, and shows `success` (a message) or
 * the error (the caller shows it with ApiErrorAlert, so the denied action stays on the page).
 */
export function useRamWrite<V, R = unknown>(fn: (v: V) => Promise<R>, success?: (r: R, v: V) => string | undefined) {
  const qc = useQueryClient();
  const { message } = App.useApp();
  return useMutation({
    mutationFn: fn,
    onSuccess: async (r, v) => {
      const text = success?.(r, v);
      if (text !== undefined) void message.success(text);
      await qc.invalidateQueries({ queryKey: [RAM_KEY] });
    },
  });
}

/**
 * Marker paging: the markers of the pages seen so far, so Previous goes back and Next follows the
 * answer's Marker. Reset when the filter changes.
 */
export function useMarkers() {
  const [markers, setMarkers] = useState<string[]>([]);
  const marker = markers[markers.length - 1];
  const next = useCallback((m: string) => setMarkers((s) => [...s, m]), []);
  const prev = useCallback(() => setMarkers((s) => s.slice(0, -1)), []);
  const reset = useCallback(() => setMarkers([]), []);
  return { marker, page: markers.length + 1, next, prev, reset };
}

export function MarkerPager({ paging, truncated, nextMarker }: { paging: ReturnType<typeof useMarkers>; truncated: boolean | undefined; nextMarker: string | undefined }) {
  const t = useT();
  return (
    <Space style={{ marginTop: 12, justifyContent: 'flex-end', width: '100%' }}>
      <Button size="small" disabled={paging.page === 1} onClick={paging.prev}>{t('ram.prevPage')}</Button>
      <span>{t('ram.page', { page: paging.page })}</span>
      <Button size="small" disabled={truncated !== true || nextMarker === undefined} onClick={() => { if (nextMarker !== undefined) paging.next(nextMarker); }}>{t('ram.nextPage')}</Button>
    </Space>
  );
}

/** RAM's list answers wrap each list twice (`Users.User`); absent when empty in some answers. */
export function listOf<T>(outer: unknown, inner: string): T[] {
  if (typeof outer !== 'object' || outer === null) return [];
  const v = (outer as Record<string, unknown>)[inner];
  return Array.isArray(v) ? (v as T[]) : [];
}

/**
 * A table's empty state: the text in the secondary color the theme makes readable (antd's own empty
 * text is 25% black, below WCAG AA contrast).
 */
/** Detaches every policy from a user, group or role (RAM refuses to delete one that still has any). */
export async function detachAllPolicies(kind: PrincipalType, name: string): Promise<void> {
  const key = `${kind}Name`;
  const attached = await call<{ Policies?: { Policy?: Array<{ PolicyName: string; PolicyType: string }> } }>('ram', `ListPoliciesFor${kind}`, { [key]: name });
  for (const p of listOf<{ PolicyName: string; PolicyType: string }>(attached.Policies, 'Policy')) {
    await call('ram', `DetachPolicyFrom${kind}`, { [key]: name, PolicyName: p.PolicyName, PolicyType: p.PolicyType });
  }
}

/** A list row's Delete: a danger link that asks first, naming what goes and what goes with it. */
export function DeleteButton({ title, description, onConfirm }: { title: string; description: string; onConfirm: () => Promise<unknown> }) {
  const t = useT();
  return (
    <Popconfirm title={title} description={description} okText={t('ram.delete')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} onConfirm={onConfirm}>
      <Button type="link" danger size="small" style={DANGER}>{t('ram.delete')}</Button>
    </Popconfirm>
  );
}

export function emptyText(text: string) {
  return <span style={{ color: 'rgba(0, 0, 0, 0.65)' }}>{text}</span>;
}

/** Tag colors with AA contrast (antd's green and orange tag text is too light on its background). */
export const GOOD_TAG = { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' } as const;
export const WARN_TAG = { color: '#873800', background: '#fff7e6', borderColor: '#ffd591' } as const;

/** Red for destructive buttons with AA contrast on white (antd's error red is 3.3:1). */
export const DANGER = { color: '#b91c1c' } as const;

/** The account id (for logon names): from the session's identity. */
export function useAccountId(): string {
  return useSession().data?.identity.accountId ?? '';
}

/** A RAM user's logon name, as the sign-in page takes it. */
export function principalName(userName: string, accountId: string): string {
  return `${userName}@${accountId}.onaliyun.com`;
}

export { formatDate } from '../format.ts';

/** A position the policy engine names in its message: `at line 3, column 5` or `(line 3, column 5)`. */
export interface PolicyProblem { message: string; line?: number; column?: number }

/**
 * The problems of a MalformedPolicyDocument message: the checker joins the engine's errors with
 * "; " after "The policy document is malformed: ", each ending with its line and column.
 */
export function policyProblems(message: string): PolicyProblem[] {
  const body = message.replace(/^The policy document is malformed:\s*/, '');
  return body.split(/;\s+(?=[A-Z`"])/).map((part) => {
    const m = /line (\d+), column (\d+)\)?\.?\s*$/.exec(part);
    return m ? { message: part, line: Number(m[1]), column: Number(m[2]) } : { message: part };
  });
}

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!@#$%^&*()-_=+';

/**
 * A password the account's policy accepts (and the default rule: upper, lower and digits), from the
 * browser's cryptographic random source; 16 characters or the policy's minimum if longer (max 32).
 */
export function generatePassword(policy: Partial<PasswordPolicy> | undefined): string {
  const length = Math.min(32, Math.max(16, policy?.MinimumPasswordLength ?? 8));
  const sets = [LOWER, UPPER, DIGITS, ...(policy?.RequireSymbols === true ? [SYMBOLS] : [])];
  const all = sets.join('');
  const rnd = new Uint32Array(length * 2);
  crypto.getRandomValues(rnd);
  const chars = sets.map((s, i) => s[rnd[i]! % s.length]!);
  for (let i = chars.length; i < length; i++) chars.push(all[rnd[i]! % all.length]!);
  // shuffle so the required classes are not always first
  for (let i = chars.length - 1; i > 0; i--) {
    const j = rnd[length + i]! % (i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Saves rows as a CSV file in the browser (the new credential; it is never shown again). */
export function downloadCsv(fileName: string, rows: string[][]): void {
  const text = rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
