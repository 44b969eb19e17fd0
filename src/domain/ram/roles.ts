// RAM roles (SPEC §4): a trust policy saying who may assume the role, attached policies like a
// user's, and a maximum session duration (3600..43200 s, default 3600).
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { ramWrite } from './lock.ts';
import { checkPolicyDocument } from '../policy-check.ts';
import { roleArn } from '../arns.ts';
import { isoSeconds } from '../../clock.ts';
import type { RamRoleTable } from '../../store/schema.ts';
import type { Db, Tx } from '../../store/store.ts';

const NAME = /^[a-zA-Z0-9.-]{1,64}$/;
export const ROLE_QUOTA = 1000;

/** A RAM role as the domain answers it: its ARN, trust policy (`assumeRolePolicyDocument`) and session limit. */
export interface RamRole { roleName: string; roleId: string; arn: string; description: string; assumeRolePolicyDocument: string; maxSessionDuration: number; createDate: string; updateDate: string }

export const toRole = (r: RamRoleTable): RamRole => ({
  roleName: r.name, roleId: r.id, arn: roleArn(r.account_id, r.name), description: r.description, assumeRolePolicyDocument: r.trust_policy,
  maxSessionDuration: r.max_session_duration, createDate: r.created_at, updateDate: r.updated_at,
});

const notFound = (name: string) => apiError('EntityNotExist.Role', { name });

/** The stored role, for STS (its id, trust policy and session limit) and attachments; `EntityNotExist.Role` if there is none. */
export async function roleRow(db: Db | Tx, accountId: string, name: string): Promise<RamRoleTable> {
  const row = await db.selectFrom('ram_roles').selectAll().where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw notFound(name);
  return row;
}

function checkDuration(v: number | undefined): number {
  const d = v ?? 3600;
  if (!Number.isInteger(d) || d < 3600 || d > 43200) throw apiError('InvalidParameter.MaxSessionDuration', { value: String(v) });
  return d;
}

export async function createRole(ctx: CallContext, p: { roleName: string; assumeRolePolicyDocument: string; description?: string | undefined; maxSessionDuration?: number | undefined }): Promise<RamRole> {
  if (!NAME.test(p.roleName)) throw apiError('InvalidParameter.RoleName.InvalidChars', { value: p.roleName });
  checkPolicyDocument(p.assumeRolePolicyDocument, 'trust', 'trust');
  const duration = checkDuration(p.maxSessionDuration);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    if (await tx.selectFrom('ram_roles').select('name').where('account_id', '=', account).where('name', '=', p.roleName).executeTakeFirst()) {
      throw apiError('EntityAlreadyExists.Role', { name: p.roleName });
    }
    const n = await tx.selectFrom('ram_roles').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).executeTakeFirstOrThrow();
    if (Number(n.n) >= ROLE_QUOTA) throw apiError('LimitExceeded.Role', { quota: ROLE_QUOTA });
    const now = isoSeconds(ctx.clock.now());
    const row: RamRoleTable = { account_id: account, name: p.roleName, id: ctx.ids.accountId(), trust_policy: p.assumeRolePolicyDocument, description: p.description ?? '', max_session_duration: duration, created_at: now, updated_at: now };
    await tx.insertInto('ram_roles').values(row).execute();
    return toRole(row);
  });
}

export async function updateRole(ctx: CallContext, p: { roleName: string; newAssumeRolePolicyDocument?: string | undefined; newDescription?: string | undefined; newMaxSessionDuration?: number | undefined }): Promise<RamRole> {
  if (p.newAssumeRolePolicyDocument !== undefined) checkPolicyDocument(p.newAssumeRolePolicyDocument, 'trust', 'trust');
  const duration = p.newMaxSessionDuration === undefined ? undefined : checkDuration(p.newMaxSessionDuration);
  return ramWrite(ctx, async (tx) => {
    const row = await roleRow(tx, ctx.principal.accountId, p.roleName);
    const next = { ...row, trust_policy: p.newAssumeRolePolicyDocument ?? row.trust_policy, description: p.newDescription ?? row.description, max_session_duration: duration ?? row.max_session_duration, updated_at: isoSeconds(ctx.clock.now()) };
    await tx.updateTable('ram_roles').set(next).where('account_id', '=', row.account_id).where('name', '=', row.name).execute();
    return toRole(next);
  });
}

export async function deleteRole(ctx: CallContext, roleName: string): Promise<void> {
  await ramWrite(ctx, async (tx) => {
    const row = await roleRow(tx, ctx.principal.accountId, roleName);
    if (await tx.selectFrom('ram_attachments').select('policy_name').where('account_id', '=', row.account_id).where('principal_type', '=', 'Role').where('principal_name', '=', roleName).executeTakeFirst()) {
      throw apiError('DeleteConflict.Role.Policy', { name: roleName });
    }
    await tx.deleteFrom('ram_roles').where('account_id', '=', row.account_id).where('name', '=', roleName).execute();
  });
}

export async function getRole(ctx: CallContext, roleName: string): Promise<RamRole> {
  return toRole(await roleRow(ctx.store.db, ctx.principal.accountId, roleName));
}

export async function listRoles(ctx: CallContext): Promise<RamRole[]> {
  return (await ctx.store.db.selectFrom('ram_roles').selectAll().where('account_id', '=', ctx.principal.accountId).orderBy('name').execute()).map(toRole);
}
