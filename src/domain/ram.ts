// RAM (SPEC §3): users, their AccessKeys (at most 2, shown once), groups and membership (a user in
// at most 5 groups), custom policies with versions (at most 5), system policies, and attachments
// to users and groups. Codes and quotas as ALIBABA-FACTS §4.5. Document checking is the policy
// engine's (src/engine/policy); this module keeps the entities.
import { scryptSync } from 'node:crypto';
import type { CallContext } from './context.ts';
import { DomainError } from './errors.ts';
import { ramWrite } from './ram/lock.ts';
import { SYSTEM_POLICIES, findSystemPolicy } from './ram/system-policies.ts';
import { isoSeconds } from '../clock.ts';
import { checkPolicyDocument } from './policy-check.ts';
import { roleRow } from './ram/roles.ts';
import type { Db, Tx } from '../store/store.ts';
import type { RamUserTable, RamGroupTable } from '../store/schema.ts';

export const RAM_LIMITS = { users: 1000, groups: 50, groupsPerUser: 5, accessKeysPerUser: 2, customPolicies: 1500, versionsPerPolicy: 5, policyDocumentChars: 4096 };

const NAME = /^[a-zA-Z0-9._@-]{1,64}$/;
const POLICY_NAME = /^[a-zA-Z0-9-]{1,128}$/;

const checkDocument = (text: string): void => { checkPolicyDocument(text); };

function checkName(kind: 'UserName' | 'GroupName', value: string): void {
  if (!NAME.test(value)) throw new DomainError(`InvalidParameter.${kind}.InvalidChars`, 400, `The specified \`${kind}\` \`${value}\` must be 1 to 64 letters, digits, \`.\`, \`_\`, \`-\` or \`@\`.`);
}

const userNotFound = (name: string) => new DomainError('EntityNotExist.User', 404, `The user \`${name}\` does not exist.`);
const groupNotFound = (name: string) => new DomainError('EntityNotExist.Group', 404, `The group \`${name}\` does not exist.`);
const policyNotFound = (type: string, name: string) => new DomainError('EntityNotExist.Policy', 404, `The policy \`${name}\` of type \`${type}\` does not exist.`);

async function userRow(tx: Tx | CallContext['store']['db'], accountId: string, name: string): Promise<RamUserTable> {
  const row = await tx.selectFrom('ram_users').selectAll().where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw userNotFound(name);
  return row;
}

async function groupRow(tx: Tx | CallContext['store']['db'], accountId: string, name: string): Promise<RamGroupTable> {
  const row = await tx.selectFrom('ram_groups').selectAll().where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw groupNotFound(name);
  return row;
}

// ---- users

export interface UserInput { userName: string; displayName?: string | undefined; comments?: string | undefined; email?: string | undefined; mobilePhone?: string | undefined }

export async function createUser(ctx: CallContext, p: UserInput): Promise<RamUserTable> {
  checkName('UserName', p.userName);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    const exists = await tx.selectFrom('ram_users').select('name').where('account_id', '=', account).where('name', '=', p.userName).executeTakeFirst();
    if (exists !== undefined) throw new DomainError('EntityAlreadyExists.User', 409, `The user \`${p.userName}\` already exists.`);
    const n = await tx.selectFrom('ram_users').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).executeTakeFirstOrThrow();
    if (Number(n.n) >= RAM_LIMITS.users) throw new DomainError('LimitExceeded.User', 409, `The account has ${RAM_LIMITS.users} users, the quota.`);
    const now = isoSeconds(ctx.clock.now());
    const row: RamUserTable = {
      account_id: account, name: p.userName, id: ctx.ids.accountId(),
      display_name: p.displayName ?? p.userName, comments: p.comments ?? '', email: p.email ?? '', mobile_phone: p.mobilePhone ?? '', created_at: now, updated_at: now,
    };
    await tx.insertInto('ram_users').values(row).execute();
    return row;
  });
}

export async function getUser(ctx: CallContext, userName: string): Promise<RamUserTable> {
  return userRow(ctx.store.db, ctx.principal.accountId, userName);
}

export async function updateUser(ctx: CallContext, p: { userName: string; newUserName?: string | undefined; newDisplayName?: string | undefined; newComments?: string | undefined; newEmail?: string | undefined; newMobilePhone?: string | undefined }): Promise<RamUserTable> {
  if (p.newUserName !== undefined) checkName('UserName', p.newUserName);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    const row = await userRow(tx, account, p.userName);
    const name = p.newUserName ?? row.name;
    if (name !== row.name) {
      const taken = await tx.selectFrom('ram_users').select('name').where('account_id', '=', account).where('name', '=', name).executeTakeFirst();
      if (taken !== undefined) throw new DomainError('EntityAlreadyExists.User', 409, `The user \`${name}\` already exists.`);
    }
    const next = { ...row, name, display_name: p.newDisplayName ?? row.display_name, comments: p.newComments ?? row.comments, email: p.newEmail ?? row.email, mobile_phone: p.newMobilePhone ?? row.mobile_phone, updated_at: isoSeconds(ctx.clock.now()) };
    await tx.updateTable('ram_users').set(next).where('account_id', '=', account).where('name', '=', row.name).execute();
    if (name !== row.name) {
      await tx.updateTable('access_keys').set({ user_name: name }).where('account_id', '=', account).where('user_name', '=', row.name).execute();
      await tx.updateTable('ram_group_members').set({ user_name: name }).where('account_id', '=', account).where('user_name', '=', row.name).execute();
      await tx.updateTable('ram_attachments').set({ principal_name: name }).where('account_id', '=', account).where('principal_type', '=', 'User').where('principal_name', '=', row.name).execute();
    }
    return next;
  });
}

export async function deleteUser(ctx: CallContext, userName: string): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    await userRow(tx, account, userName);
    if (await tx.selectFrom('access_keys').select('id').where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst()) {
      throw new DomainError('DeleteConflict.User.AccessKey', 409, `The user \`${userName}\` still has AccessKeys; delete them first.`);
    }
    if (await tx.selectFrom('ram_group_members').select('group_name').where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst()) {
      throw new DomainError('DeleteConflict.User.Group', 409, `The user \`${userName}\` is still in a group; remove it first.`);
    }
    if (await tx.selectFrom('ram_attachments').select('policy_name').where('account_id', '=', account).where('principal_type', '=', 'User').where('principal_name', '=', userName).executeTakeFirst()) {
      throw new DomainError('DeleteConflict.User.Policy', 409, `The user \`${userName}\` still has policies attached; detach them first.`);
    }
    await tx.deleteFrom('ram_login_profiles').where('account_id', '=', account).where('user_name', '=', userName).execute();
    await tx.deleteFrom('ram_users').where('account_id', '=', account).where('name', '=', userName).execute();
  });
}

export async function listUsers(ctx: CallContext): Promise<RamUserTable[]> {
  return ctx.store.db.selectFrom('ram_users').selectAll().where('account_id', '=', ctx.principal.accountId).orderBy('name').execute();
}

// ---- login profiles (console password: kept as a salted scrypt hash, never returned)

export interface LoginProfile { userName: string; passwordResetRequired: boolean; mfaBindRequired: boolean; createDate: string }

function checkPassword(password: string): void {
  if (password.length < 8 || password.length > 32 || !/[a-z]/.test(password) || !/[A-Z]/.test(password) || !/[0-9]/.test(password)) {
    throw new DomainError('InvalidParameter.Password', 400, 'The password must be 8 to 32 characters with upper- and lower-case letters and digits.');
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
      throw new DomainError('EntityAlreadyExists.User.LoginProfile', 409, `The user \`${p.userName}\` already has a login profile.`);
    }
    const row = { account_id: account, user_name: p.userName, password_hash: hashPassword(ctx, p.password), password_reset_required: p.passwordResetRequired === true ? 1 : 0, mfa_bind_required: p.mfaBindRequired === true ? 1 : 0, created_at: isoSeconds(ctx.clock.now()) };
    await tx.insertInto('ram_login_profiles').values(row).execute();
    return toProfile(row);
  });
}

async function profileRow(db: Db | Tx, account: string, userName: string) {
  await userRow(db, account, userName);
  const row = await db.selectFrom('ram_login_profiles').selectAll().where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst();
  if (row === undefined) throw new DomainError('EntityNotExist.User.LoginProfile', 404, `The user \`${userName}\` has no login profile.`);
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

/** Users, groups and roles a policy is attached to. */
export async function listEntitiesForPolicy(ctx: CallContext, p: { policyName: string; policyType: string }): Promise<{ users: Array<RamUserTable & { attached_at: string }>; groups: Array<RamGroupTable & { attached_at: string }>; roles: Array<{ name: string; id: string; description: string; attached_at: string }> }> {
  await getPolicy(ctx, p);
  const account = ctx.principal.accountId;
  const db = ctx.store.db;
  const rows = await db.selectFrom('ram_attachments').selectAll().where('account_id', '=', account).where('policy_type', '=', p.policyType).where('policy_name', '=', p.policyName).execute();
  const users = [];
  const groups = [];
  const roles = [];
  for (const r of rows) {
    if (r.principal_type === 'User') users.push({ ...(await userRow(db, account, r.principal_name)), attached_at: r.attached_at });
    else if (r.principal_type === 'Group') groups.push({ ...(await groupRow(db, account, r.principal_name)), attached_at: r.attached_at });
    else {
      const role = await roleRow(db, account, r.principal_name);
      roles.push({ name: role.name, id: role.id, description: role.description, attached_at: r.attached_at });
    }
  }
  return { users, groups, roles };
}

// ---- access keys

export async function createAccessKey(ctx: CallContext, userName: string): Promise<{ id: string; secret: string; status: string; createDate: string }> {
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    await userRow(tx, account, userName);
    const n = await tx.selectFrom('access_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirstOrThrow();
    if (Number(n.n) >= RAM_LIMITS.accessKeysPerUser) throw new DomainError('LimitExceeded.User.AccessKey', 409, `The user \`${userName}\` already has ${RAM_LIMITS.accessKeysPerUser} AccessKeys.`);
    const now = isoSeconds(ctx.clock.now());
    const id = ctx.ids.accessKeyId();
    const secret = ctx.ids.accessKeySecret();
    await tx.insertInto('access_keys').values({ id, secret, account_id: account, user_name: userName, status: 'Active', created_at: now }).execute();
    return { id, secret, status: 'Active', createDate: now };
  });
}

export async function listAccessKeys(ctx: CallContext, userName: string): Promise<Array<{ id: string; status: string; createDate: string }>> {
  await userRow(ctx.store.db, ctx.principal.accountId, userName);
  const rows = await ctx.store.db.selectFrom('access_keys').select(['id', 'status', 'created_at']).where('account_id', '=', ctx.principal.accountId).where('user_name', '=', userName).orderBy('created_at').execute();
  return rows.map((r) => ({ id: r.id, status: r.status, createDate: r.created_at }));
}

async function userKey(tx: Tx, account: string, userName: string, keyId: string): Promise<void> {
  await userRow(tx, account, userName);
  const k = await tx.selectFrom('access_keys').select('id').where('id', '=', keyId).where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst();
  if (k === undefined) throw new DomainError('EntityNotExist.User.AccessKey', 404, `The AccessKey \`${keyId}\` of user \`${userName}\` does not exist.`);
}

export async function updateAccessKey(ctx: CallContext, p: { userName: string; accessKeyId: string; status: string }): Promise<void> {
  if (p.status !== 'Active' && p.status !== 'Inactive') throw new DomainError('InvalidParameter.Status', 400, `The specified \`Status\` \`${p.status}\` is invalid: use \`Active\` or \`Inactive\`.`);
  await ramWrite(ctx, async (tx) => {
    await userKey(tx, ctx.principal.accountId, p.userName, p.accessKeyId);
    await tx.updateTable('access_keys').set({ status: p.status }).where('id', '=', p.accessKeyId).execute();
  });
}

export async function deleteAccessKey(ctx: CallContext, p: { userName: string; accessKeyId: string }): Promise<void> {
  await ramWrite(ctx, async (tx) => {
    await userKey(tx, ctx.principal.accountId, p.userName, p.accessKeyId);
    await tx.deleteFrom('access_keys').where('id', '=', p.accessKeyId).execute();
  });
}

// ---- groups

export async function createGroup(ctx: CallContext, p: { groupName: string; comments?: string | undefined }): Promise<RamGroupTable> {
  checkName('GroupName', p.groupName);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    if (await tx.selectFrom('ram_groups').select('name').where('account_id', '=', account).where('name', '=', p.groupName).executeTakeFirst()) {
      throw new DomainError('EntityAlreadyExists.Group', 409, `The group \`${p.groupName}\` already exists.`);
    }
    const n = await tx.selectFrom('ram_groups').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).executeTakeFirstOrThrow();
    if (Number(n.n) >= RAM_LIMITS.groups) throw new DomainError('LimitExceeded.Group', 409, `The account has ${RAM_LIMITS.groups} groups, the quota.`);
    const now = isoSeconds(ctx.clock.now());
    const row: RamGroupTable = { account_id: account, name: p.groupName, id: ctx.ids.accountId(), comments: p.comments ?? '', created_at: now, updated_at: now };
    await tx.insertInto('ram_groups').values(row).execute();
    return row;
  });
}

export async function getGroup(ctx: CallContext, groupName: string): Promise<RamGroupTable> {
  return groupRow(ctx.store.db, ctx.principal.accountId, groupName);
}

export async function listGroups(ctx: CallContext): Promise<RamGroupTable[]> {
  return ctx.store.db.selectFrom('ram_groups').selectAll().where('account_id', '=', ctx.principal.accountId).orderBy('name').execute();
}

export async function deleteGroup(ctx: CallContext, groupName: string): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    await groupRow(tx, account, groupName);
    if (await tx.selectFrom('ram_group_members').select('user_name').where('account_id', '=', account).where('group_name', '=', groupName).executeTakeFirst()) {
      throw new DomainError('DeleteConflict.Group.User', 409, `The group \`${groupName}\` still has users.`);
    }
    if (await tx.selectFrom('ram_attachments').select('policy_name').where('account_id', '=', account).where('principal_type', '=', 'Group').where('principal_name', '=', groupName).executeTakeFirst()) {
      throw new DomainError('DeleteConflict.Group.Policy', 409, `The group \`${groupName}\` still has policies attached.`);
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
    if (mine.some((m) => m.group_name === p.groupName)) throw new DomainError('EntityAlreadyExists.User.Group', 409, `The user \`${p.userName}\` is already in group \`${p.groupName}\`.`);
    if (mine.length >= RAM_LIMITS.groupsPerUser) throw new DomainError('LimitExceeded.User.Group', 409, `The user \`${p.userName}\` is already in ${RAM_LIMITS.groupsPerUser} groups.`);
    await tx.insertInto('ram_group_members').values({ account_id: account, group_name: p.groupName, user_name: p.userName, joined_at: isoSeconds(ctx.clock.now()) }).execute();
  });
}

export async function removeUserFromGroup(ctx: CallContext, p: { userName: string; groupName: string }): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    await userRow(tx, account, p.userName);
    await groupRow(tx, account, p.groupName);
    const r = await tx.deleteFrom('ram_group_members').where('account_id', '=', account).where('group_name', '=', p.groupName).where('user_name', '=', p.userName).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new DomainError('EntityNotExist.User.Group', 404, `The user \`${p.userName}\` is not in group \`${p.groupName}\`.`);
  });
}

export async function listGroupsForUser(ctx: CallContext, userName: string): Promise<Array<RamGroupTable & { joined_at: string }>> {
  await userRow(ctx.store.db, ctx.principal.accountId, userName);
  return ctx.store.db.selectFrom('ram_group_members').innerJoin('ram_groups', (j) => j.onRef('ram_groups.name', '=', 'ram_group_members.group_name').onRef('ram_groups.account_id', '=', 'ram_group_members.account_id'))
    .selectAll('ram_groups').select('ram_group_members.joined_at').where('ram_group_members.account_id', '=', ctx.principal.accountId).where('ram_group_members.user_name', '=', userName).orderBy('ram_groups.name').execute();
}

export async function listUsersForGroup(ctx: CallContext, groupName: string): Promise<Array<RamUserTable & { joined_at: string }>> {
  await groupRow(ctx.store.db, ctx.principal.accountId, groupName);
  return ctx.store.db.selectFrom('ram_group_members').innerJoin('ram_users', (j) => j.onRef('ram_users.name', '=', 'ram_group_members.user_name').onRef('ram_users.account_id', '=', 'ram_group_members.account_id'))
    .selectAll('ram_users').select('ram_group_members.joined_at').where('ram_group_members.account_id', '=', ctx.principal.accountId).where('ram_group_members.group_name', '=', groupName).orderBy('ram_users.name').execute();
}

// ---- policies

export interface PolicyView { name: string; type: 'System' | 'Custom'; description: string; defaultVersion: string; document: string; createDate: string; updateDate: string; attachmentCount: number }

export async function createPolicy(ctx: CallContext, p: { policyName: string; policyDocument: string; description?: string | undefined }): Promise<PolicyView> {
  if (!POLICY_NAME.test(p.policyName)) throw new DomainError('InvalidParameter.PolicyName.InvalidChars', 400, `The specified \`PolicyName\` \`${p.policyName}\` must be 1 to 128 letters, digits or \`-\`.`);
  checkDocument(p.policyDocument);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    if (findSystemPolicy(p.policyName) !== undefined || await tx.selectFrom('ram_policies').select('name').where('account_id', '=', account).where('name', '=', p.policyName).executeTakeFirst()) {
      throw new DomainError('EntityAlreadyExists.Policy', 409, `The policy \`${p.policyName}\` already exists.`);
    }
    const n = await tx.selectFrom('ram_policies').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).executeTakeFirstOrThrow();
    if (Number(n.n) >= RAM_LIMITS.customPolicies) throw new DomainError('LimitExceeded.Policy', 409, `The account has ${RAM_LIMITS.customPolicies} custom policies, the quota.`);
    const now = isoSeconds(ctx.clock.now());
    await tx.insertInto('ram_policies').values({ account_id: account, name: p.policyName, description: p.description ?? '', default_version: 'v1', next_version: 2, created_at: now, updated_at: now }).execute();
    await tx.insertInto('ram_policy_versions').values({ account_id: account, policy_name: p.policyName, version_id: 'v1', document: p.policyDocument, created_at: now }).execute();
    return { name: p.policyName, type: 'Custom', description: p.description ?? '', defaultVersion: 'v1', document: p.policyDocument, createDate: now, updateDate: now, attachmentCount: 0 };
  });
}

function checkType(type: string): 'System' | 'Custom' {
  if (type !== 'System' && type !== 'Custom') throw new DomainError('InvalidParameter.PolicyType', 400, `The specified \`PolicyType\` \`${type}\` is invalid: use \`System\` or \`Custom\`.`);
  return type;
}

export async function getPolicy(ctx: CallContext, p: { policyName: string; policyType: string }): Promise<PolicyView> {
  const type = checkType(p.policyType);
  const account = ctx.principal.accountId;
  const db = ctx.store.db;
  const count = async () => Number((await db.selectFrom('ram_attachments').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).where('policy_type', '=', type).where('policy_name', '=', p.policyName).executeTakeFirstOrThrow()).n);
  if (type === 'System') {
    const s = findSystemPolicy(p.policyName);
    if (s === undefined) throw policyNotFound(type, p.policyName);
    return { name: s.name, type, description: s.description, defaultVersion: 'v1', document: s.document, createDate: '2015-04-28T16:00:00Z', updateDate: '2015-04-28T16:00:00Z', attachmentCount: await count() };
  }
  const row = await db.selectFrom('ram_policies').selectAll().where('account_id', '=', account).where('name', '=', p.policyName).executeTakeFirst();
  if (row === undefined) throw policyNotFound(type, p.policyName);
  const v = await db.selectFrom('ram_policy_versions').select('document').where('account_id', '=', account).where('policy_name', '=', row.name).where('version_id', '=', row.default_version).executeTakeFirstOrThrow();
  return { name: row.name, type, description: row.description, defaultVersion: row.default_version, document: v.document, createDate: row.created_at, updateDate: row.updated_at, attachmentCount: await count() };
}

export async function listPolicies(ctx: CallContext, policyType?: string): Promise<PolicyView[]> {
  const type = policyType === undefined || policyType === '' ? undefined : checkType(policyType);
  const out: PolicyView[] = [];
  if (type !== 'Custom') for (const s of SYSTEM_POLICIES) out.push({ name: s.name, type: 'System', description: s.description, defaultVersion: 'v1', document: s.document, createDate: '2015-04-28T16:00:00Z', updateDate: '2015-04-28T16:00:00Z', attachmentCount: 0 });
  if (type !== 'System') {
    const rows = await ctx.store.db.selectFrom('ram_policies').selectAll().where('account_id', '=', ctx.principal.accountId).orderBy('name').execute();
    for (const r of rows) out.push({ name: r.name, type: 'Custom', description: r.description, defaultVersion: r.default_version, document: '', createDate: r.created_at, updateDate: r.updated_at, attachmentCount: 0 });
  }
  return out;
}

export async function deletePolicy(ctx: CallContext, policyName: string): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    const row = await tx.selectFrom('ram_policies').selectAll().where('account_id', '=', account).where('name', '=', policyName).executeTakeFirst();
    if (row === undefined) throw policyNotFound('Custom', policyName);
    const att = await tx.selectFrom('ram_attachments').select('principal_type').where('account_id', '=', account).where('policy_type', '=', 'Custom').where('policy_name', '=', policyName).executeTakeFirst();
    if (att !== undefined) throw new DomainError(`DeleteConflict.Policy.${att.principal_type}`, 409, `The policy \`${policyName}\` is still attached to a ${att.principal_type.toLowerCase()}.`);
    const versions = await tx.selectFrom('ram_policy_versions').select('version_id').where('account_id', '=', account).where('policy_name', '=', policyName).execute();
    if (versions.length > 1) throw new DomainError('DeleteConflict.Policy.Version', 409, `The policy \`${policyName}\` still has non-default versions; delete them first.`);
    await tx.deleteFrom('ram_policy_versions').where('account_id', '=', account).where('policy_name', '=', policyName).execute();
    await tx.deleteFrom('ram_policies').where('account_id', '=', account).where('name', '=', policyName).execute();
  });
}

export async function createPolicyVersion(ctx: CallContext, p: { policyName: string; policyDocument: string; setAsDefault: boolean }): Promise<{ versionId: string; isDefault: boolean; createDate: string }> {
  checkDocument(p.policyDocument);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    const row = await tx.selectFrom('ram_policies').selectAll().where('account_id', '=', account).where('name', '=', p.policyName).executeTakeFirst();
    if (row === undefined) throw policyNotFound('Custom', p.policyName);
    const versions = await tx.selectFrom('ram_policy_versions').select('version_id').where('account_id', '=', account).where('policy_name', '=', p.policyName).execute();
    if (versions.length >= RAM_LIMITS.versionsPerPolicy) throw new DomainError('LimitExceeded.Policy.Version', 409, `The policy \`${p.policyName}\` already has ${RAM_LIMITS.versionsPerPolicy} versions.`);
    const versionId = `v${row.next_version}`;
    const now = isoSeconds(ctx.clock.now());
    await tx.insertInto('ram_policy_versions').values({ account_id: account, policy_name: p.policyName, version_id: versionId, document: p.policyDocument, created_at: now }).execute();
    await tx.updateTable('ram_policies').set({ next_version: row.next_version + 1, updated_at: now, ...(p.setAsDefault ? { default_version: versionId } : {}) }).where('account_id', '=', account).where('name', '=', p.policyName).execute();
    return { versionId, isDefault: p.setAsDefault, createDate: now };
  });
}

export async function listPolicyVersions(ctx: CallContext, p: { policyName: string; policyType: string }): Promise<Array<{ versionId: string; isDefault: boolean; document: string; createDate: string }>> {
  const view = await getPolicy(ctx, p);
  if (view.type === 'System') return [{ versionId: 'v1', isDefault: true, document: view.document, createDate: view.createDate }];
  const rows = await ctx.store.db.selectFrom('ram_policy_versions').selectAll().where('account_id', '=', ctx.principal.accountId).where('policy_name', '=', p.policyName).orderBy('created_at').execute();
  return rows.map((r) => ({ versionId: r.version_id, isDefault: r.version_id === view.defaultVersion, document: r.document, createDate: r.created_at }));
}

export async function setDefaultPolicyVersion(ctx: CallContext, p: { policyName: string; versionId: string }): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    const row = await tx.selectFrom('ram_policies').selectAll().where('account_id', '=', account).where('name', '=', p.policyName).executeTakeFirst();
    if (row === undefined) throw policyNotFound('Custom', p.policyName);
    const v = await tx.selectFrom('ram_policy_versions').select('version_id').where('account_id', '=', account).where('policy_name', '=', p.policyName).where('version_id', '=', p.versionId).executeTakeFirst();
    if (v === undefined) throw new DomainError('EntityNotExist.Policy.Version', 404, `The version \`${p.versionId}\` of policy \`${p.policyName}\` does not exist.`);
    await tx.updateTable('ram_policies').set({ default_version: p.versionId, updated_at: isoSeconds(ctx.clock.now()) }).where('account_id', '=', account).where('name', '=', p.policyName).execute();
  });
}

export async function deletePolicyVersion(ctx: CallContext, p: { policyName: string; versionId: string }): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    const row = await tx.selectFrom('ram_policies').selectAll().where('account_id', '=', account).where('name', '=', p.policyName).executeTakeFirst();
    if (row === undefined) throw policyNotFound('Custom', p.policyName);
    if (row.default_version === p.versionId) throw new DomainError('DeleteConflict.Policy.Version.Default', 409, `The version \`${p.versionId}\` is the policy's default version.`);
    const r = await tx.deleteFrom('ram_policy_versions').where('account_id', '=', account).where('policy_name', '=', p.policyName).where('version_id', '=', p.versionId).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new DomainError('EntityNotExist.Policy.Version', 404, `The version \`${p.versionId}\` of policy \`${p.policyName}\` does not exist.`);
  });
}

// ---- attachments

export type PrincipalType = 'User' | 'Group' | 'Role';

async function principalRow(db: Tx | CallContext['store']['db'], account: string, type: PrincipalType, name: string): Promise<void> {
  if (type === 'User') await userRow(db, account, name);
  else if (type === 'Group') await groupRow(db, account, name);
  else await roleRow(db, account, name);
}

export async function attachPolicy(ctx: CallContext, p: { policyType: string; policyName: string; principalType: PrincipalType; principalName: string; attach: boolean }): Promise<void> {
  const type = checkType(p.policyType);
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    await principalRow(tx, account, p.principalType, p.principalName);
    if (type === 'System' ? findSystemPolicy(p.policyName) === undefined
      : (await tx.selectFrom('ram_policies').select('name').where('account_id', '=', account).where('name', '=', p.policyName).executeTakeFirst()) === undefined) {
      throw policyNotFound(type, p.policyName);
    }
    const existing = await tx.selectFrom('ram_attachments').select('policy_name').where('account_id', '=', account).where('policy_type', '=', type)
      .where('policy_name', '=', p.policyName).where('principal_type', '=', p.principalType).where('principal_name', '=', p.principalName).executeTakeFirst();
    if (p.attach) {
      if (existing !== undefined) throw new DomainError(`EntityAlreadyExists.${p.principalType}.Policy`, 409, `The policy \`${p.policyName}\` is already attached to ${p.principalType.toLowerCase()} \`${p.principalName}\`.`);
      await tx.insertInto('ram_attachments').values({ account_id: account, policy_type: type, policy_name: p.policyName, principal_type: p.principalType, principal_name: p.principalName, attached_at: isoSeconds(ctx.clock.now()) }).execute();
    } else {
      if (existing === undefined) throw new DomainError(`EntityNotExist.${p.principalType}.Policy`, 404, `The policy \`${p.policyName}\` is not attached to ${p.principalType.toLowerCase()} \`${p.principalName}\`.`);
      await tx.deleteFrom('ram_attachments').where('account_id', '=', account).where('policy_type', '=', type).where('policy_name', '=', p.policyName)
        .where('principal_type', '=', p.principalType).where('principal_name', '=', p.principalName).execute();
    }
  });
}

export async function listPoliciesFor(ctx: CallContext, principalType: PrincipalType, name: string): Promise<Array<PolicyView & { attachDate: string }>> {
  const account = ctx.principal.accountId;
  await principalRow(ctx.store.db, account, principalType, name);
  const rows = await ctx.store.db.selectFrom('ram_attachments').selectAll().where('account_id', '=', account).where('principal_type', '=', principalType).where('principal_name', '=', name).orderBy('policy_name').execute();
  const out = [];
  for (const r of rows) out.push({ ...(await getPolicy(ctx, { policyName: r.policy_name, policyType: r.policy_type })), attachDate: r.attached_at });
  return out;
}

/** The documents of the policies attached to a role. */
export async function documentsForRole(db: Db | Tx, accountId: string, roleName: string): Promise<Array<{ name: string; type: string; document: string }>> {
  const rows = await db.selectFrom('ram_attachments').select(['policy_type', 'policy_name']).where('account_id', '=', accountId).where('principal_type', '=', 'Role').where('principal_name', '=', roleName).execute();
  return resolveDocuments(db, accountId, rows);
}

async function resolveDocuments(db: Db | Tx, accountId: string, rows: Array<{ policy_type: string; policy_name: string }>): Promise<Array<{ name: string; type: string; document: string }>> {
  const out: Array<{ name: string; type: string; document: string }> = [];
  for (const r of rows) {
    if (r.policy_type === 'System') {
      const s = findSystemPolicy(r.policy_name);
      if (s !== undefined) out.push({ name: s.name, type: 'System', document: s.document });
      continue;
    }
    const p = await db.selectFrom('ram_policies').innerJoin('ram_policy_versions', (j) => j.onRef('ram_policy_versions.policy_name', '=', 'ram_policies.name').onRef('ram_policy_versions.account_id', '=', 'ram_policies.account_id').onRef('ram_policy_versions.version_id', '=', 'ram_policies.default_version'))
      .select('ram_policy_versions.document').where('ram_policies.account_id', '=', accountId).where('ram_policies.name', '=', r.policy_name).executeTakeFirst();
    if (p !== undefined) out.push({ name: r.policy_name, type: 'Custom', document: p.document });
  }
  return out;
}

/** The documents of every policy that applies to a RAM user: its own and its groups'. */
export async function documentsForUser(db: Db | Tx, accountId: string, userName: string): Promise<Array<{ name: string; type: string; document: string }>> {
  const groups = (await db.selectFrom('ram_group_members').select('group_name').where('account_id', '=', accountId).where('user_name', '=', userName).execute()).map((g) => g.group_name);
  let q = db.selectFrom('ram_attachments').select(['policy_type', 'policy_name']).where('account_id', '=', accountId);
  q = q.where((eb) => eb.or([
    eb.and([eb('principal_type', '=', 'User'), eb('principal_name', '=', userName)]),
    ...(groups.length > 0 ? [eb.and([eb('principal_type', '=', 'Group'), eb('principal_name', 'in', groups)])] : []),
  ]));
  return resolveDocuments(db, accountId, await q.execute());
}
