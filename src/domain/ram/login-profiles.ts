// RAM users' login profiles (SPEC §3): the console password, kept as a salted scrypt hash and never
// returned, with the must-reset and MFA flags; at most one per user.
import { scryptSync } from 'node:crypto';
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { isoSeconds } from '../../clock.ts';
import { ramWrite } from './lock.ts';
import { userRow } from './users.ts';
import type { Db, Tx } from '../../store/store.ts';

export interface LoginProfile { userName: string; passwordResetRequired: boolean; mfaBindRequired: boolean; createDate: string }

function checkPassword(password: string): void {
  if (password.length < 8 || password.length > 32 || !/[a-z]/.test(password) || !/[A-Z]/.test(password) || !/[0-9]/.test(password)) {
    throw apiError('InvalidParameter.Password');
  }
}

function hashPassword(ctx: CallContext, password: string): string {
  const salt = ctx.ids.token(16);
  return `scrypt$${salt}$${scryptSync(password, salt, 32).toString('base64url')}`;
}

const toProfile = (r: { user_name: string; password_reset_required: number; mfa_bind_required: number; created_at: string }): LoginProfile =>
  ({ userName: r.user_name, passwordResetRequired: r.password_reset_required === 1, mfaBindRequired: r.mfa_bind_required === 1, createDate: r.created_at });

export async function createLoginProfile(ctx: CallContext, p: { userName: string; password: string; passwordResetRequired?: boolean | undefined; mfaBindRequired?: boolean | undefined }): Promise<LoginProfile> {
  checkPassword(p.password);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    await userRow(tx, account, p.userName);
    if (await tx.selectFrom('ram_login_profiles').select('user_name').where('account_id', '=', account).where('user_name', '=', p.userName).executeTakeFirst()) {
      throw apiError('EntityAlreadyExists.User.LoginProfile', { name: p.userName });
    }
    const row = { account_id: account, user_name: p.userName, password_hash: hashPassword(ctx, p.password), password_reset_required: p.passwordResetRequired === true ? 1 : 0, mfa_bind_required: p.mfaBindRequired === true ? 1 : 0, created_at: isoSeconds(ctx.clock.now()) };
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
  if (p.password !== undefined) checkPassword(p.password);
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    const row = await profileRow(tx, account, p.userName);
    await tx.updateTable('ram_login_profiles').set({
      password_hash: p.password !== undefined ? hashPassword(ctx, p.password) : row.password_hash,
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
