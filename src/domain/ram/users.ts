// RAM users (SPEC §3): names unique in the account (./names.ts), at most 1,000 per account; a
// rename carries the user's AccessKeys, group memberships, attachments, login profile and MFA device
// along; a user is deleted only once it has no AccessKeys, groups or policies left (its login
// profile goes with it, its MFA device is unbound).
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { isoSeconds } from '../../clock.ts';
import { ramWrite } from './lock.ts';
import { checkName } from './names.ts';
import { RAM_LIMITS } from './quotas.ts';
import type { Db, Tx } from '../../store/store.ts';
import type { RamUserTable } from '../../store/schema.ts';

/** A RAM user as the domain answers it. */
export interface RamUser { userName: string; userId: string; displayName: string; comments: string; email: string; mobilePhone: string; createDate: string; updateDate: string }

export const toUser = (r: RamUserTable): RamUser => ({
  userName: r.name, userId: r.id, displayName: r.display_name, comments: r.comments, email: r.email, mobilePhone: r.mobile_phone, createDate: r.created_at, updateDate: r.updated_at,
});

const userNotFound = (name: string) => apiError('EntityNotExist.User', { name });

export async function userRow(tx: Db | Tx, accountId: string, name: string): Promise<RamUserTable> {
  const row = await tx.selectFrom('ram_users').selectAll().where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw userNotFound(name);
  return row;
}

export interface UserInput { userName: string; displayName?: string | undefined; comments?: string | undefined; email?: string | undefined; mobilePhone?: string | undefined }

export async function createUser(ctx: CallContext, p: UserInput): Promise<RamUser> {
  checkName('UserName', p.userName);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    const exists = await tx.selectFrom('ram_users').select('name').where('account_id', '=', account).where('name', '=', p.userName).executeTakeFirst();
    if (exists !== undefined) throw apiError('EntityAlreadyExists.User', { name: p.userName });
    const n = await tx.selectFrom('ram_users').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).executeTakeFirstOrThrow();
    if (Number(n.n) >= RAM_LIMITS.users) throw apiError('LimitExceeded.User', { quota: RAM_LIMITS.users });
    const now = isoSeconds(ctx.clock.now());
    const row: RamUserTable = {
      account_id: account, name: p.userName, id: ctx.ids.accountId(),
      display_name: p.displayName ?? p.userName, comments: p.comments ?? '', email: p.email ?? '', mobile_phone: p.mobilePhone ?? '', created_at: now, updated_at: now,
    };
    await tx.insertInto('ram_users').values(row).execute();
    return toUser(row);
  });
}

export async function getUser(ctx: CallContext, userName: string): Promise<RamUser> {
  return toUser(await userRow(ctx.store.db, ctx.principal.accountId, userName));
}

export async function updateUser(ctx: CallContext, p: { userName: string; newUserName?: string | undefined; newDisplayName?: string | undefined; newComments?: string | undefined; newEmail?: string | undefined; newMobilePhone?: string | undefined }): Promise<RamUser> {
  if (p.newUserName !== undefined) checkName('UserName', p.newUserName);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    const row = await userRow(tx, account, p.userName);
    const name = p.newUserName ?? row.name;
    if (name !== row.name) {
      const taken = await tx.selectFrom('ram_users').select('name').where('account_id', '=', account).where('name', '=', name).executeTakeFirst();
      if (taken !== undefined) throw apiError('EntityAlreadyExists.User', { name });
    }
    const next = { ...row, name, display_name: p.newDisplayName ?? row.display_name, comments: p.newComments ?? row.comments, email: p.newEmail ?? row.email, mobile_phone: p.newMobilePhone ?? row.mobile_phone, updated_at: isoSeconds(ctx.clock.now()) };
    await tx.updateTable('ram_users').set(next).where('account_id', '=', account).where('name', '=', row.name).execute();
    if (name !== row.name) {
      await tx.updateTable('access_keys').set({ user_name: name }).where('account_id', '=', account).where('user_name', '=', row.name).execute();
      await tx.updateTable('ram_group_members').set({ user_name: name }).where('account_id', '=', account).where('user_name', '=', row.name).execute();
      await tx.updateTable('ram_attachments').set({ principal_name: name }).where('account_id', '=', account).where('principal_type', '=', 'User').where('principal_name', '=', row.name).execute();
      await tx.updateTable('ram_login_profiles').set({ user_name: name }).where('account_id', '=', account).where('user_name', '=', row.name).execute();
      await tx.updateTable('ram_mfa_devices').set({ user_name: name }).where('account_id', '=', account).where('user_name', '=', row.name).execute();
    }
    return toUser(next);
  });
}

export async function deleteUser(ctx: CallContext, userName: string): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    await userRow(tx, account, userName);
    if (await tx.selectFrom('access_keys').select('id').where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst()) {
      throw apiError('DeleteConflict.User.AccessKey', { name: userName });
    }
    if (await tx.selectFrom('ram_group_members').select('group_name').where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst()) {
      throw apiError('DeleteConflict.User.Group', { name: userName });
    }
    if (await tx.selectFrom('ram_attachments').select('policy_name').where('account_id', '=', account).where('principal_type', '=', 'User').where('principal_name', '=', userName).executeTakeFirst()) {
      throw apiError('DeleteConflict.User.Policy', { name: userName });
    }
    await tx.deleteFrom('ram_login_profiles').where('account_id', '=', account).where('user_name', '=', userName).execute();
    // its MFA device stays, unbound, for DeleteVirtualMFADevice
    await tx.updateTable('ram_mfa_devices').set({ user_name: '', activated_at: '' }).where('account_id', '=', account).where('user_name', '=', userName).execute();
    await tx.deleteFrom('ram_users').where('account_id', '=', account).where('name', '=', userName).execute();
  });
}

export async function listUsers(ctx: CallContext): Promise<RamUser[]> {
  return (await ctx.store.db.selectFrom('ram_users').selectAll().where('account_id', '=', ctx.principal.accountId).orderBy('name').execute()).map(toUser);
}
