// RAM users' login profiles (SPEC §3): the console password, kept as a salted scrypt hash and never
// returned, with the must-reset and MFA flags; at most one per user. Every password set here
// (CreateLoginProfile, UpdateLoginProfile, ChangePassword) passes the account's password policy
// (./password-policy.ts); setting one clears the user's count of wrong passwords and its lock-out.
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { isoSeconds } from '../../clock.ts';
import { ramWrite } from './lock.ts';
import { userRow } from './users.ts';
import { checkPasswordStrength, checkReuse, hashPassword, HISTORY_KEPT, passwordMatches, policyOf } from './password-policy.ts';
import type { Db, Tx } from '../../store/store.ts';

export interface LoginProfile { userName: string; passwordResetRequired: boolean; mfaBindRequired: boolean; createDate: string }

/** The earlier password hashes of a profile, newest first. */
export function historyOf(row: { password_history: string }): string[] {
  const parsed: unknown = JSON.parse(row.password_history);
  return Array.isArray(parsed) ? parsed.filter((h): h is string => typeof h === 'string') : [];
}

/**
 * The columns that set a new password on a profile: checked against the policy (and, when the
 * profile exists, against its current and earlier passwords), hashed, the old hash kept in the
 * history, the wrong-password count and lock-out cleared.
 */
async function newPasswordColumns(ctx: CallContext, tx: Tx, account: string, password: string, current?: { password_hash: string; password_history: string }) {
  const policy = await policyOf(tx, account);
  checkPasswordStrength(policy, password);
  const history = current !== undefined ? historyOf(current) : [];
  await checkReuse(policy, password, current?.password_hash, history);
  const kept = current !== undefined ? [current.password_hash, ...history].slice(0, HISTORY_KEPT) : [];
  return {
    password_hash: await hashPassword(ctx, password), password_history: JSON.stringify(kept), password_changed_at: isoSeconds(ctx.clock.now()),
    failed_attempts: 0, failed_since: '', locked_until: '',
  };
}

const toProfile = (r: { user_name: string; password_reset_required: number; mfa_bind_required: number; created_at: string }): LoginProfile =>
  ({ userName: r.user_name, passwordResetRequired: r.password_reset_required === 1, mfaBindRequired: r.mfa_bind_required === 1, createDate: r.created_at });

export async function createLoginProfile(ctx: CallContext, p: { userName: string; password: string; passwordResetRequired?: boolean | undefined; mfaBindRequired?: boolean | undefined }): Promise<LoginProfile> {
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    await userRow(tx, account, p.userName);
    if (await tx.selectFrom('ram_login_profiles').select('user_name').where('account_id', '=', account).where('user_name', '=', p.userName).executeTakeFirst()) {
      throw apiError('EntityAlreadyExists.User.LoginProfile', { name: p.userName });
    }
    const row = {
      account_id: account, user_name: p.userName, password_reset_required: p.passwordResetRequired === true ? 1 : 0, mfa_bind_required: p.mfaBindRequired === true ? 1 : 0,
      created_at: isoSeconds(ctx.clock.now()), ...await newPasswordColumns(ctx, tx, account, p.password),
    };
    await tx.insertInto('ram_login_profiles').values(row).execute();
    return toProfile(row);
  });
}

async function profileRow(db: Db | Tx, account: string, userName: string) {
  await userRow(db, account, userName);
  const row = await db.selectFrom('ram_login_profiles').selectAll().where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst();
  if (row === undefined) throw apiError('EntityNotExist.User.LoginProfile', { name: userName });
  return row;
}

export async function getLoginProfile(ctx: CallContext, userName: string): Promise<LoginProfile> {
  return toProfile(await profileRow(ctx.store.db, ctx.principal.accountId, userName));
}

export async function updateLoginProfile(ctx: CallContext, p: { userName: string; password?: string | undefined; passwordResetRequired?: boolean | undefined; mfaBindRequired?: boolean | undefined }): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    const row = await profileRow(tx, account, p.userName);
    await tx.updateTable('ram_login_profiles').set({
      ...(p.password !== undefined ? await newPasswordColumns(ctx, tx, account, p.password, row) : {}),
      password_reset_required: p.passwordResetRequired === undefined ? row.password_reset_required : p.passwordResetRequired ? 1 : 0,
      mfa_bind_required: p.mfaBindRequired === undefined ? row.mfa_bind_required : p.mfaBindRequired ? 1 : 0,
    }).where('account_id', '=', account).where('user_name', '=', p.userName).execute();
  });
}

export async function deleteLoginProfile(ctx: CallContext, userName: string): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    await profileRow(tx, account, userName);
    await tx.deleteFrom('ram_login_profiles').where('account_id', '=', account).where('user_name', '=', userName).execute();
  });
}

/**
 * ChangePassword: the calling RAM user replaces its own password, giving the current one. The new
 * one passes the policy; the must-reset flag is cleared. Over the API (a RAM user's AccessKey) and
 * from a sign-in session (./signin.ts) alike.
 */
export async function changePassword(ctx: CallContext, p: { oldPassword: string; newPassword: string }): Promise<void> {
  const principal = ctx.principal;
  if (principal.kind !== 'user' || principal.userName === undefined) {
    throw apiError('InvalidUserType', { kind: principal.kind === 'root' ? 'the account itself (root)' : 'a role session' });
  }
  const account = principal.accountId;
  const userName = principal.userName;
  await ramWrite(ctx, async (tx) => {
    const row = await tx.selectFrom('ram_login_profiles').selectAll().where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst();
    if (row === undefined) throw apiError('EntityNotExist.User.LoginProfile', { name: userName });
    if (!await passwordMatches(row.password_hash, p.oldPassword)) throw apiError('InvalidParameter.OldPassword');
    await tx.updateTable('ram_login_profiles').set({ ...await newPasswordColumns(ctx, tx, account, p.newPassword, row), password_reset_required: 0 })
      .where('account_id', '=', account).where('user_name', '=', userName).execute();
  });
}
