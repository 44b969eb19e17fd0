// RAM users' sign-in: the one module the web console (and anything else that signs users in)
// calls. A user signs in with its UserPrincipalName (`alice@<account id or alias>.onaliyun.com`),
// its login profile's password and, when it has an MFA device bound (or must bind one), a current
// code of that device; a user that must have a device (MFABindRequired) and has none is given a new
// virtual device and binds it by signing in again with two consecutive codes of it (as Alibaba's
// console asks at logon). The answer is a session (account, user, MFA present or not, expiry, and
// whether the password must be changed first) or a state saying what is still missing; a refusal
// is a catalog error. Wrong passwords and wrong MFA codes are counted per user: the policy's
// `MaxLoginAttemps` of them within an hour lock the user out for an hour (as Alibaba's console
// does); a right password while locked is refused too. Setting a new password clears the count.
// A session's principal (`sessionPrincipal`) is judged like any RAM user's, with `acs:MFAPresent`
// from the session; a session whose password must change may do nothing but ChangePassword.
import type { CallContext, Principal, RequestContext, Services } from '../context.ts';
import { apiError } from '../errors.ts';
import { judge } from '../authorization.ts';
import { isoSeconds } from '../../clock.ts';
import { accountOfAlias } from './account-alias.ts';
import { acceptUserCode, bindSignInDevice, type CreatedMfaDevice, hasMfaDevice, issueSignInDevice, mfaSeedKey } from './mfa-devices.ts';
import { changePassword } from './login-profiles.ts';
import { passwordMatches, policyOf } from './password-policy.ts';
import type { Tx } from '../../store/store.ts';

/** How long a sign-in session lasts: 6 hours, RAM's default console session. */
export const SESSION_MS = 6 * 3600_000;
/** The window wrong passwords are counted in, and how long a lock-out lasts. */
export const LOCKOUT_MS = 3600_000;

export interface SignInSession {
  accountId: string;
  userName: string;
  userId: string;
  /** the sign-in gave a current code of the user's MFA device */
  mfaPresent: boolean;
  /** ms since the epoch */
  issuedAt: number;
  expiresAt: number;
  /** the password must be changed (reset required, or expired) before the session can do anything else */
  passwordChangeRequired: boolean;
}

export type SignInResult =
  | { state: 'signedIn'; session: SignInSession }
  /** signed in, but the session may only change the password (changePasswordInSession) */
  | { state: 'passwordChangeRequired'; session: SignInSession }
  /** the password is right; sign in again with `mfaCode`, a current code of the user's device */
  | { state: 'mfaCodeRequired' }
  /**
   * the password is right, but the user must have an MFA device and has none: `device` is a new
   * virtual device for it (its seed shown this once); sign in again with `mfaBind`, two consecutive
   * codes of that device, to bind it and go on
   */
  | { state: 'mfaBindRequired'; device: CreatedMfaDevice };

export interface SignInInput {
  userPrincipalName: string;
  password: string;
  mfaCode?: string | undefined;
  /** binds the device an `mfaBindRequired` answer gave (only when the user has none) */
  mfaBind?: { serialNumber: string; code1: string; code2: string } | undefined;
}

const UPN = /^([A-Za-z0-9._@-]{1,64})@([A-Za-z0-9-]{1,64})\.onaliyun\.com$/i;

/** The user name and the account id or alias a UserPrincipalName names. */
export function parsePrincipalName(upn: string): { userName: string; domain: string } {
  const m = UPN.exec(upn);
  if (m === null) throw apiError('SignIn.InvalidPrincipalName', { value: upn });
  return { userName: m[1]!, domain: m[2]!.toLowerCase() };
}

type Outcome = SignInResult | { refused: 'failed' | 'locked' | 'expired' | 'mfaInvalid'; until?: string };

/** Signs a RAM user in (see the module's header). Refusals throw, after their count is stored. */
export async function signIn(svc: Services, input: SignInInput): Promise<SignInResult> {
  const { userName, domain } = parsePrincipalName(input.userPrincipalName);
  const accountId = /^\d+$/.test(domain) ? domain : await accountOfAlias(svc.store.db, domain);
  if (accountId === undefined) throw apiError('SignIn.Failed');
  const key = await mfaSeedKey(svc);
  const outcome = await svc.store.write(async (tx): Promise<Outcome> => {
    await svc.store.lock(tx, `ram:${accountId}`);
    return attempt(svc, tx, key, accountId, userName, input);
  });
  if (!('refused' in outcome)) return outcome;
  switch (outcome.refused) {
    case 'failed': throw apiError('SignIn.Failed');
    case 'locked': throw apiError('SignIn.Locked', { until: outcome.until ?? '' });
    case 'expired': throw apiError('SignIn.PasswordExpired');
    case 'mfaInvalid': throw apiError('SignIn.MFACodeInvalid');
  }
}

async function attempt(svc: Services, tx: Tx, key: Buffer, accountId: string, userName: string, input: SignInInput): Promise<Outcome> {
  const now = svc.clock.now();
  const profile = await tx.selectFrom('ram_login_profiles').innerJoin('ram_users', (j) => j.onRef('ram_users.account_id', '=', 'ram_login_profiles.account_id').onRef('ram_users.name', '=', 'ram_login_profiles.user_name'))
    .select(['ram_login_profiles.password_hash', 'ram_login_profiles.password_reset_required', 'ram_login_profiles.mfa_bind_required', 'ram_login_profiles.password_changed_at',
      'ram_login_profiles.failed_attempts', 'ram_login_profiles.failed_since', 'ram_login_profiles.locked_until', 'ram_users.id'])
    .where('ram_login_profiles.account_id', '=', accountId).where('ram_login_profiles.user_name', '=', userName).executeTakeFirst();
  // no such account, user or login profile: the same answer as a wrong password, and nothing to count
  if (profile === undefined) return { refused: 'failed' };
  if (profile.locked_until !== '' && Date.parse(profile.locked_until) > now) return { refused: 'locked', until: profile.locked_until };
  const policy = await policyOf(tx, accountId);
  const where = (q: ReturnType<typeof tx.updateTable<'ram_login_profiles'>>) => q.where('account_id', '=', accountId).where('user_name', '=', userName);
  const failure = async (refused: 'failed' | 'mfaInvalid'): Promise<Outcome> => {
    const fresh = profile.failed_since !== '' && now - Date.parse(profile.failed_since) < LOCKOUT_MS;
    const count = (fresh ? profile.failed_attempts : 0) + 1;
    const since = fresh ? profile.failed_since : isoSeconds(now);
    if (policy.maxLoginAttemps > 0 && count >= policy.maxLoginAttemps) {
      await where(tx.updateTable('ram_login_profiles').set({ failed_attempts: 0, failed_since: '', locked_until: isoSeconds(now + LOCKOUT_MS) })).execute();
    } else {
      await where(tx.updateTable('ram_login_profiles').set({ failed_attempts: count, failed_since: since })).execute();
    }
    return { refused };
  };
  if (!await passwordMatches(profile.password_hash, input.password)) return failure('failed');

  const changedAt = profile.password_changed_at === '' ? undefined : Date.parse(profile.password_changed_at);
  const expired = policy.maxPasswordAge > 0 && changedAt !== undefined && now > changedAt + policy.maxPasswordAge * 86_400_000;
  if (expired && policy.hardExpiry) return { refused: 'expired' };

  let mfaPresent = false;
  if (await hasMfaDevice(tx, accountId, userName)) {
    if (input.mfaCode === undefined || input.mfaCode === '') return { state: 'mfaCodeRequired' };
    if (!await acceptUserCode(tx, key, accountId, userName, input.mfaCode, now)) return failure('mfaInvalid');
    mfaPresent = true;
  } else if (profile.mfa_bind_required === 1) {
    if (input.mfaBind === undefined) return { state: 'mfaBindRequired', device: await issueSignInDevice(tx, key, svc.ids, accountId, profile.id, now) };
    if (!await bindSignInDevice(tx, key, accountId, { name: userName, id: profile.id }, input.mfaBind, now)) return failure('mfaInvalid');
    mfaPresent = true;
  }
  await where(tx.updateTable('ram_login_profiles').set({ failed_attempts: 0, failed_since: '', locked_until: '' })).execute();
  const passwordChangeRequired = profile.password_reset_required === 1 || expired;
  const session: SignInSession = { accountId, userName, userId: profile.id, mfaPresent, issuedAt: now, expiresAt: now + SESSION_MS, passwordChangeRequired };
  return passwordChangeRequired ? { state: 'passwordChangeRequired', session } : { state: 'signedIn', session };
}

/**
 * The principal a session acts as, for the authorizer (../authorization.ts judge) and for domain
 * calls. An expired session is refused.
 */
export function sessionPrincipal(svc: Pick<Services, 'clock'>, session: SignInSession): Principal {
  if (svc.clock.now() >= session.expiresAt) throw apiError('SignIn.SessionExpired');
  const p: Principal = { accountId: session.accountId, kind: 'user', accessKeyId: '', userName: session.userName, sessionExpiresAt: session.expiresAt, mfaPresent: session.mfaPresent };
  if (session.passwordChangeRequired) p.passwordChangeOnly = true;
  return p;
}

/** A domain call context for a session's request (`rc`: what the console's transport says). */
export function sessionContext(svc: Services, session: SignInSession, rc: RequestContext): CallContext {
  return {
    ...svc, principal: sessionPrincipal(svc, session), requestId: svc.ids.requestId(), request: rc,
    write: (fn) => svc.store.write(fn),
  };
}

/**
 * ChangePassword from a session (the same domain call as the API's); answers the session that
 * follows, no longer restricted to changing the password.
 */
export async function changePasswordInSession(svc: Services, session: SignInSession, rc: RequestContext, p: { oldPassword: string; newPassword: string }): Promise<SignInSession> {
  const ctx = sessionContext(svc, session, rc);
  // judged as the API's ChangePassword is: the user's own ARN, where only an explicit Deny refuses
  const resource = `acs:ram::${session.accountId}:user/${session.userName}`;
  if (!(await judge(svc, ctx.principal, 'ram:ChangePassword', [resource], rc)).allowed) throw apiError('NoPermission', { action: 'ram:ChangePassword', resource });
  await changePassword(ctx, p);
  return { ...session, passwordChangeRequired: false };
}
