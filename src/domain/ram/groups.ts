// RAM groups and their members (SPEC §3): names unique in the account (./names.ts), at most 50
// groups per account and 5 groups per user; a group is deleted only once it has no members and no
// policies attached.
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { isoSeconds } from '../../clock.ts';
import { ramWrite } from './lock.ts';
import { checkName } from './names.ts';
import { RAM_LIMITS } from './quotas.ts';
import { type RamUser, toUser, userRow } from './users.ts';
import type { Db, Tx } from '../../store/store.ts';
import type { RamGroupTable } from '../../store/schema.ts';

/** A RAM group as the domain answers it. */
export interface RamGroup { groupName: string; groupId: string; comments: string; createDate: string; updateDate: string }

export const toGroup = (r: RamGroupTable): RamGroup => ({ groupName: r.name, groupId: r.id, comments: r.comments, createDate: r.created_at, updateDate: r.updated_at });

const groupNotFound = (name: string) => apiError('EntityNotExist.Group', { name });

export async function groupRow(tx: Db | Tx, accountId: string, name: string): Promise<RamGroupTable> {
  const row = await tx.selectFrom('ram_groups').selectAll().where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw groupNotFound(name);
  return row;
}

export async function createGroup(ctx: CallContext, p: { groupName: string; comments?: string | undefined }): Promise<RamGroup> {
  checkName('GroupName', p.groupName);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    if (await tx.selectFrom('ram_groups').select('name').where('account_id', '=', account).where('name', '=', p.groupName).executeTakeFirst()) {
      throw apiError('EntityAlreadyExists.Group', { name: p.groupName });
    }
    const n = await tx.selectFrom('ram_groups').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).executeTakeFirstOrThrow();
    if (Number(n.n) >= RAM_LIMITS.groups) throw apiError('LimitExceeded.Group', { quota: RAM_LIMITS.groups });
    const now = isoSeconds(ctx.clock.now());
    const row: RamGroupTable = { account_id: account, name: p.groupName, id: ctx.ids.accountId(), comments: p.comments ?? '', created_at: now, updated_at: now };
    await tx.insertInto('ram_groups').values(row).execute();
    return toGroup(row);
  });
}

export async function getGroup(ctx: CallContext, groupName: string): Promise<RamGroup> {
  return toGroup(await groupRow(ctx.store.db, ctx.principal.accountId, groupName));
}

export async function listGroups(ctx: CallContext): Promise<RamGroup[]> {
  return (await ctx.store.db.selectFrom('ram_groups').selectAll().where('account_id', '=', ctx.principal.accountId).orderBy('name').execute()).map(toGroup);
}

export async function deleteGroup(ctx: CallContext, groupName: string): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    await groupRow(tx, account, groupName);
    if (await tx.selectFrom('ram_group_members').select('user_name').where('account_id', '=', account).where('group_name', '=', groupName).executeTakeFirst()) {
      throw apiError('DeleteConflict.Group.User', { name: groupName });
    }
    if (await tx.selectFrom('ram_attachments').select('policy_name').where('account_id', '=', account).where('principal_type', '=', 'Group').where('principal_name', '=', groupName).executeTakeFirst()) {
      throw apiError('DeleteConflict.Group.Policy', { name: groupName });
    }
    await tx.deleteFrom('ram_groups').where('account_id', '=', account).where('name', '=', groupName).execute();
  });
}

export async function addUserToGroup(ctx: CallContext, p: { userName: string; groupName: string }): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    await userRow(tx, account, p.userName);
    await groupRow(tx, account, p.groupName);
    const mine = await tx.selectFrom('ram_group_members').select('group_name').where('account_id', '=', account).where('user_name', '=', p.userName).execute();
    if (mine.some((m) => m.group_name === p.groupName)) throw apiError('EntityAlreadyExists.User.Group', { userName: p.userName, groupName: p.groupName });
    if (mine.length >= RAM_LIMITS.groupsPerUser) throw apiError('LimitExceeded.User.Group', { userName: p.userName, limit: RAM_LIMITS.groupsPerUser });
    await tx.insertInto('ram_group_members').values({ account_id: account, group_name: p.groupName, user_name: p.userName, joined_at: isoSeconds(ctx.clock.now()) }).execute();
  });
}

export async function removeUserFromGroup(ctx: CallContext, p: { userName: string; groupName: string }): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    await userRow(tx, account, p.userName);
    await groupRow(tx, account, p.groupName);
    const r = await tx.deleteFrom('ram_group_members').where('account_id', '=', account).where('group_name', '=', p.groupName).where('user_name', '=', p.userName).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw apiError('EntityNotExist.User.Group', { userName: p.userName, groupName: p.groupName });
  });
}

export async function listGroupsForUser(ctx: CallContext, userName: string): Promise<Array<RamGroup & { joinDate: string }>> {
  await userRow(ctx.store.db, ctx.principal.accountId, userName);
  const rows = await ctx.store.db.selectFrom('ram_group_members').innerJoin('ram_groups', (j) => j.onRef('ram_groups.name', '=', 'ram_group_members.group_name').onRef('ram_groups.account_id', '=', 'ram_group_members.account_id'))
    .selectAll('ram_groups').select('ram_group_members.joined_at').where('ram_group_members.account_id', '=', ctx.principal.accountId).where('ram_group_members.user_name', '=', userName).orderBy('ram_groups.name').execute();
  return rows.map((r) => ({ ...toGroup(r), joinDate: r.joined_at }));
}

export async function listUsersForGroup(ctx: CallContext, groupName: string): Promise<Array<RamUser & { joinDate: string }>> {
  await groupRow(ctx.store.db, ctx.principal.accountId, groupName);
  const rows = await ctx.store.db.selectFrom('ram_group_members').innerJoin('ram_users', (j) => j.onRef('ram_users.name', '=', 'ram_group_members.user_name').onRef('ram_users.account_id', '=', 'ram_group_members.account_id'))
    .selectAll('ram_users').select('ram_group_members.joined_at').where('ram_group_members.account_id', '=', ctx.principal.accountId).where('ram_group_members.group_name', '=', groupName).orderBy('ram_users.name').execute();
  return rows.map((r) => ({ ...toUser(r), joinDate: r.joined_at }));
}
