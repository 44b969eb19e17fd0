// Attachments of RAM policies (system or custom) to users, groups and roles (SPEC §3, §4): one
// attachment per policy and principal; the lists of a principal's policies and of a policy's
// principals.
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { isoSeconds } from '../../clock.ts';
import { ramWrite } from './lock.ts';
import { findSystemPolicy } from './system-policies.ts';
import { type RamUser, toUser, userRow } from './users.ts';
import { type RamGroup, toGroup, groupRow } from './groups.ts';
import { type RamRole, toRole, roleRow } from './roles.ts';
import { checkPolicyType, getPolicy, policyNotFound, type RamPolicy } from './policies.ts';
import type { Db, Tx } from '../../store/store.ts';

export type PrincipalType = 'User' | 'Group' | 'Role';

async function principalRow(db: Db | Tx, account: string, type: PrincipalType, name: string): Promise<void> {
  if (type === 'User') await userRow(db, account, name);
  else if (type === 'Group') await groupRow(db, account, name);
  else await roleRow(db, account, name);
}

export async function attachPolicy(ctx: CallContext, p: { policyType: string; policyName: string; principalType: PrincipalType; principalName: string; attach: boolean }): Promise<void> {
  const type = checkPolicyType(p.policyType);
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
      if (existing !== undefined) throw apiError(`EntityAlreadyExists.${p.principalType}.Policy`, { policyName: p.policyName, principalType: p.principalType, principalName: p.principalName });
      await tx.insertInto('ram_attachments').values({ account_id: account, policy_type: type, policy_name: p.policyName, principal_type: p.principalType, principal_name: p.principalName, attached_at: isoSeconds(ctx.clock.now()) }).execute();
    } else {
      if (existing === undefined) throw apiError(`EntityNotExist.${p.principalType}.Policy`, { policyName: p.policyName, principalType: p.principalType, principalName: p.principalName });
      await tx.deleteFrom('ram_attachments').where('account_id', '=', account).where('policy_type', '=', type).where('policy_name', '=', p.policyName)
        .where('principal_type', '=', p.principalType).where('principal_name', '=', p.principalName).execute();
    }
  });
}

export async function listPoliciesFor(ctx: CallContext, principalType: PrincipalType, name: string): Promise<Array<RamPolicy & { attachDate: string }>> {
  const account = ctx.principal.accountId;
  await principalRow(ctx.store.db, account, principalType, name);
  const rows = await ctx.store.db.selectFrom('ram_attachments').selectAll().where('account_id', '=', account).where('principal_type', '=', principalType).where('principal_name', '=', name).orderBy('policy_name').execute();
  const out = [];
  for (const r of rows) out.push({ ...(await getPolicy(ctx, { policyName: r.policy_name, policyType: r.policy_type })), attachDate: r.attached_at });
  return out;
}

/** The users, groups and roles a policy is attached to, each with the date it was attached. */
export interface PolicyEntities { users: Array<RamUser & { attachDate: string }>; groups: Array<RamGroup & { attachDate: string }>; roles: Array<RamRole & { attachDate: string }> }

export async function listEntitiesForPolicy(ctx: CallContext, p: { policyName: string; policyType: string }): Promise<PolicyEntities> {
  await getPolicy(ctx, p);
  const account = ctx.principal.accountId;
  const db = ctx.store.db;
  const rows = await db.selectFrom('ram_attachments').selectAll().where('account_id', '=', account).where('policy_type', '=', p.policyType).where('policy_name', '=', p.policyName).execute();
  const out: PolicyEntities = { users: [], groups: [], roles: [] };
  for (const r of rows) {
    if (r.principal_type === 'User') out.users.push({ ...toUser(await userRow(db, account, r.principal_name)), attachDate: r.attached_at });
    else if (r.principal_type === 'Group') out.groups.push({ ...toGroup(await groupRow(db, account, r.principal_name)), attachDate: r.attached_at });
    else out.roles.push({ ...toRole(await roleRow(db, account, r.principal_name)), attachDate: r.attached_at });
  }
  return out;
}
