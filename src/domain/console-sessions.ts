// The web console's sessions: sign-in (an AccessKey pair, or a RAM user's password through
// ram/signin.ts), the session kept in the store (so it survives a restart and every server on the
// store knows it), its CSRF token, expiry, sign-out, and the principal a session acts as.
// INVARIANT: the store holds the SHA-256 of a session's id, never the id (the cookie's value);
// an AccessKey secret is checked once at sign-in and kept nowhere. A session lasts 6 hours
// (SESSION_MS, RAM's console session); an AccessKey session also ends when its key is deleted or
// disabled (checked on every use).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Principal, RequestContext, Services } from './context.ts';
import { apiError } from './errors.ts';
import { findAccessKey } from './accounts.ts';
import { changePasswordInSession, parsePrincipalName, sessionPrincipal, signIn, SESSION_MS, type SignInInput, type SignInSession } from './ram/signin.ts';
import type { CreatedMfaDevice } from './ram/mfa-devices.ts';
import { accountOfAlias } from './ram/account-alias.ts';
import { isoSeconds } from '../clock.ts';
import type { ConsoleSessionTable } from '../store/schema.ts';

/** A session as the console's endpoints see it. */
export interface ConsoleSession {
  /** the SHA-256 (hex) of the cookie's id: the row's key */
  idHash: string;
  csrfToken: string;
  accountId: string;
  /** the RAM user's name and id; undefined for the root */
  userName: string | undefined;
  userId: string;
  /** the AccessKey it signed in with; undefined for a password sign-in */
  accessKeyId: string | undefined;
  mfaPresent: boolean;
  /** a password sign-in whose password must be changed before anything else */
  passwordChangeRequired: boolean;
  /** ms since the epoch */
  issuedAt: number;
  expiresAt: number;
}

/** The console's sign-in states (the contract's names for ram/signin.ts's). */
export type ConsoleState = 'signedIn' | 'passwordChangeRequired' | 'mfaRequired' | 'mfaBindRequired';

export type SignInOutcome =
  /** a session was made: `id` is the cookie's value, shown to the browser and nowhere else */
  | { state: 'signedIn' | 'passwordChangeRequired'; id: string; session: ConsoleSession }
  /** no session yet: the password was right, and a code of the user's MFA device (or binding one) is missing */
  | { state: 'mfaRequired'; accountId: string; userName: string }
  /** `device`: the virtual MFA device to bind (ram/signin.ts), its seed shown this once */
  | { state: 'mfaBindRequired'; accountId: string; userName: string; device: CreatedMfaDevice };

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Constant-time equality of two strings of any lengths (their digests are compared). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function viewOf(row: ConsoleSessionTable): ConsoleSession {
  return {
    idHash: row.id_hash, csrfToken: row.csrf_token, accountId: row.account_id,
    userName: row.user_name === '' ? undefined : row.user_name, userId: row.user_id,
    accessKeyId: row.access_key_id === '' ? undefined : row.access_key_id,
    mfaPresent: row.mfa_present === 1, passwordChangeRequired: row.password_change_required === 1,
    issuedAt: Date.parse(row.issued_at), expiresAt: Date.parse(row.expires_at),
  };
}

async function create(svc: Services, s: { accountId: string; userName: string; userId: string; accessKeyId: string; mfaPresent: boolean; passwordChangeRequired: boolean; expiresAt: number }): Promise<{ id: string; session: ConsoleSession }> {
  const id = svc.ids.token(32);
  const now = svc.clock.now();
  const row: ConsoleSessionTable = {
    id_hash: sha256(id), csrf_token: svc.ids.token(32), account_id: s.accountId, user_name: s.userName, user_id: s.userId,
    access_key_id: s.accessKeyId, mfa_present: s.mfaPresent ? 1 : 0, password_change_required: s.passwordChangeRequired ? 1 : 0,
    issued_at: isoSeconds(now), expires_at: isoSeconds(s.expiresAt),
  };
  await svc.store.write(async (tx) => {
    // the expired sessions go as new ones come (ISO times of one form compare as strings)
    await tx.deleteFrom('console_sessions').where('expires_at', '<=', isoSeconds(now)).execute();
    await tx.insertInto('console_sessions').values(row).execute();
  });
  return { id, session: viewOf(row) };
}

/** Signs in with an AccessKey pair (root's or a RAM user's; not STS credentials). */
export async function signInWithAccessKey(svc: Services, accessKeyId: string, accessKeySecret: string): Promise<SignInOutcome> {
  const key = await findAccessKey(svc, accessKeyId);
  // an unknown key answers what a wrong secret does: the pair is wrong
  if (key === undefined || !sameSecret(key.secret, accessKeySecret)) throw apiError('SignIn.Failed', 'accessKey');
  if (key.status !== 'Active') throw apiError('InvalidAccessKeyId.Inactive');
  const { id, session } = await create(svc, {
    accountId: key.accountId, userName: key.userName ?? '', userId: '', accessKeyId: key.id, mfaPresent: false, passwordChangeRequired: false,
    expiresAt: svc.clock.now() + SESSION_MS,
  });
  return { state: 'signedIn', id, session };
}

/** Signs a RAM user in with its password (and MFA code): ram/signin.ts decides, a session is kept here. */
export async function signInWithPassword(svc: Services, input: SignInInput): Promise<SignInOutcome> {
  const result = await signIn(svc, input);
  if (result.state === 'mfaCodeRequired' || result.state === 'mfaBindRequired') {
    // the password was right, so the name is the user's: its account is said back to the console
    const { accountId, userName } = await identityOfName(svc, input.userPrincipalName);
    return result.state === 'mfaCodeRequired' ? { state: 'mfaRequired', accountId, userName } : { state: 'mfaBindRequired', accountId, userName, device: result.device };
  }
  const s = result.session;
  const { id, session } = await create(svc, {
    accountId: s.accountId, userName: s.userName, userId: s.userId, accessKeyId: '', mfaPresent: s.mfaPresent,
    passwordChangeRequired: s.passwordChangeRequired, expiresAt: s.expiresAt,
  });
  return { state: result.state, id, session };
}

async function identityOfName(svc: Services, upn: string): Promise<{ accountId: string; userName: string }> {
  const { userName, domain } = parsePrincipalName(upn);
  const accountId = /^\d+$/.test(domain) ? domain : await accountOfAlias(svc.store.db, domain);
  return { accountId: accountId ?? '', userName };
}

/**
 * The session a cookie's id names, still valid: `ConsoleSession.Missing` when there is none (never
 * made, signed out, or pruned), `ConsoleSession.Expired` when it has expired or its AccessKey is
 * gone or disabled (the session is then deleted).
 */
export async function findSession(svc: Services, id: string | undefined): Promise<ConsoleSession> {
  if (id === undefined || id === '') throw apiError('ConsoleSession.Missing');
  const idHash = sha256(id);
  const row = await svc.store.db.selectFrom('console_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  if (row === undefined) throw apiError('ConsoleSession.Missing');
  const session = viewOf(row);
  if (svc.clock.now() >= session.expiresAt) {
    await revokeSession(svc, idHash);
    throw apiError('ConsoleSession.Expired');
  }
  if (session.accessKeyId !== undefined) {
    const key = await findAccessKey(svc, session.accessKeyId);
    if (key === undefined || key.status !== 'Active') {
      await revokeSession(svc, idHash);
      throw apiError('ConsoleSession.Expired', 'keyRevoked');
    }
  }
  return session;
}

/** Refuses a state-changing request whose `x-csrf-token` is not the session's (compared in constant time). */
export function checkCsrf(session: ConsoleSession, token: string | undefined): void {
  if (token === undefined || token === '' || !sameSecret(session.csrfToken, token)) throw apiError('ConsoleSession.CsrfTokenInvalid');
}

/** Sign-out: the session is deleted; its cookie then finds nothing. */
export async function revokeSession(svc: Services, idHash: string): Promise<void> {
  await svc.store.write(async (tx) => { await tx.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute(); });
}

function signInSessionOf(session: ConsoleSession): SignInSession {
  return {
    accountId: session.accountId, userName: session.userName ?? '', userId: session.userId, mfaPresent: session.mfaPresent,
    issuedAt: session.issuedAt, expiresAt: session.expiresAt, passwordChangeRequired: session.passwordChangeRequired,
  };
}

/** Who a session acts as: the AccessKey's owner (root or RAM user), or the signed-in user (ram/signin.ts). */
export function principalOfSession(svc: Services, session: ConsoleSession): Principal {
  if (session.accessKeyId === undefined) return sessionPrincipal(svc, signInSessionOf(session));
  if (session.userName !== undefined) return { accountId: session.accountId, kind: 'user', accessKeyId: session.accessKeyId, userName: session.userName };
  return { accountId: session.accountId, kind: 'root', accessKeyId: session.accessKeyId };
}

/**
 * ChangePassword from a password session (ram/signin.ts changePasswordInSession); the session is
 * no longer restricted. An AccessKey session has no password of its own to change here.
 */
export async function changeSessionPassword(svc: Services, session: ConsoleSession, rc: RequestContext, p: { oldPassword: string; newPassword: string }): Promise<ConsoleSession> {
  if (session.accessKeyId !== undefined || session.userName === undefined) {
    throw apiError('InvalidParameter', { name: 'oldPassword', value: '(hidden)', why: 'A session signed in with an AccessKey has no sign-in password to change here; use ChangePassword.' });
  }
  await changePasswordInSession(svc, signInSessionOf(session), rc, p);
  await svc.store.write(async (tx) => {
    await tx.updateTable('console_sessions').set({ password_change_required: 0 }).where('id_hash', '=', session.idHash).execute();
  });
  return { ...session, passwordChangeRequired: false };
}

/** The console's state for a session. */
export function stateOf(session: ConsoleSession): ConsoleState {
  return session.passwordChangeRequired ? 'passwordChangeRequired' : 'signedIn';
}
