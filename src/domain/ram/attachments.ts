// Attachments of RAM policies (system or custom) to users, groups and roles (SPEC §3, §4): one
// attachment per policy and principal; the lists of a principal's policies and of a policy's
// principals.
import type { CallContext } from '../context.ts';
import { DomainError } from '../errors.ts';
import { isoSeconds } from '../../clock.ts';
import { ramWrite } from './lock.ts';
import { findSystemPolicy } from './system-policies.ts';
import { userRow } from './users.ts';
import { groupRow } from './groups.ts';
import { roleRow } from './roles.ts';
import { checkPolicyType, getPolicy, policyNotFound, type PolicyView } from './policies.ts';
import type { Db, Tx } from '../../store/store.ts';
import type { RamUserTable, RamGroupTable } from '../../store/schema.ts';

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
