// RAM policies (SPEC §3): the system policies every account sees (./system-policies.ts) and an
// account's custom policies (at most 1,500; names of letters, digits and `-`, never a system
// policy's), each with its default version's document. A custom policy is deleted only once it is
// attached to nothing and has no version but its default. Checking a document is the policy
// engine's (../policy-check.ts); versions are ./policy-versions.ts.
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { checkPolicyDocument } from '../policy-check.ts';
import { isoSeconds } from '../../clock.ts';
import { ramWrite } from './lock.ts';
import { RAM_LIMITS } from './quotas.ts';
import { SYSTEM_POLICIES, findSystemPolicy, type SystemPolicy } from './system-policies.ts';
import type { RamPolicyTable } from '../../store/schema.ts';

const POLICY_NAME = /^[a-zA-Z0-9-]{1,128}$/;

export const policyNotFound = (type: string, name: string) => apiError('EntityNotExist.Policy', { name, type });

/** A RAM policy as the domain answers it; lists leave a custom policy's document out (`''`). */
export interface RamPolicy { policyName: string; policyType: 'System' | 'Custom'; description: string; defaultVersion: string; policyDocument: string; createDate: string; updateDate: string; attachmentCount: number }

/** The date every system policy shows as created and updated. */
const SYSTEM_POLICY_DATE = '2015-04-28T16:00:00Z';

const systemView = (s: SystemPolicy, attachmentCount: number): RamPolicy =>
  ({ policyName: s.name, policyType: 'System', description: s.description, defaultVersion: 'v1', policyDocument: s.document, createDate: SYSTEM_POLICY_DATE, updateDate: SYSTEM_POLICY_DATE, attachmentCount });

const customView = (r: RamPolicyTable, policyDocument: string, attachmentCount: number): RamPolicy =>
  ({ policyName: r.name, policyType: 'Custom', description: r.description, defaultVersion: r.default_version, policyDocument, createDate: r.created_at, updateDate: r.updated_at, attachmentCount });

export async function createPolicy(ctx: CallContext, p: { policyName: string; policyDocument: string; description?: string | undefined }): Promise<RamPolicy> {
  if (!POLICY_NAME.test(p.policyName)) throw apiError('InvalidParameter.PolicyName.InvalidChars', { value: p.policyName });
  checkPolicyDocument(p.policyDocument);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    if (findSystemPolicy(p.policyName) !== undefined || await tx.selectFrom('ram_policies').select('name').where('account_id', '=', account).where('name', '=', p.policyName).executeTakeFirst()) {
      throw apiError('EntityAlreadyExists.Policy', { name: p.policyName });
    }
    const n = await tx.selectFrom('ram_policies').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).executeTakeFirstOrThrow();
    if (Number(n.n) >= RAM_LIMITS.customPolicies) throw apiError('LimitExceeded.Policy', { quota: RAM_LIMITS.customPolicies });
    const now = isoSeconds(ctx.clock.now());
    const row: RamPolicyTable = { account_id: account, name: p.policyName, description: p.description ?? '', default_version: 'v1', next_version: 2, created_at: now, updated_at: now };
    await tx.insertInto('ram_policies').values(row).execute();
    await tx.insertInto('ram_policy_versions').values({ account_id: account, policy_name: p.policyName, version_id: 'v1', document: p.policyDocument, created_at: now }).execute();
    return customView(row, p.policyDocument, 0);
  });
}

export function checkPolicyType(type: string): 'System' | 'Custom' {
  if (type !== 'System' && type !== 'Custom') throw apiError('InvalidParameter.PolicyType', { value: type });
  return type;
}

export async function getPolicy(ctx: CallContext, p: { policyName: string; policyType: string }): Promise<RamPolicy> {
  const type = checkPolicyType(p.policyType);
  const account = ctx.principal.accountId;
  const db = ctx.store.db;
  const count = async () => Number((await db.selectFrom('ram_attachments').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).where('policy_type', '=', type).where('policy_name', '=', p.policyName).executeTakeFirstOrThrow()).n);
  if (type === 'System') {
    const s = findSystemPolicy(p.policyName);
    if (s === undefined) throw policyNotFound(type, p.policyName);
    return systemView(s, await count());
  }
  const row = await db.selectFrom('ram_policies').selectAll().where('account_id', '=', account).where('name', '=', p.policyName).executeTakeFirst();
  if (row === undefined) throw policyNotFound(type, p.policyName);
  const v = await db.selectFrom('ram_policy_versions').select('document').where('account_id', '=', account).where('policy_name', '=', row.name).where('version_id', '=', row.default_version).executeTakeFirstOrThrow();
  return customView(row, v.document, await count());
}

export async function listPolicies(ctx: CallContext, policyType?: string): Promise<RamPolicy[]> {
  const type = policyType === undefined || policyType === '' ? undefined : checkPolicyType(policyType);
  const account = ctx.principal.accountId;
  const db = ctx.store.db;
  // every policy's attachments (to users, groups and roles) in one grouped read
  const counted = await db.selectFrom('ram_attachments').select(['policy_type', 'policy_name', (eb) => eb.fn.countAll<number>().as('n')])
    .where('account_id', '=', account).groupBy(['policy_type', 'policy_name']).execute();
  const counts = new Map(counted.map((c) => [c.policy_type + ':' + c.policy_name, Number(c.n)]));
  const countOf = (t: 'System' | 'Custom', name: string) => counts.get(t + ':' + name) ?? 0;
  const out: RamPolicy[] = [];
  if (type !== 'Custom') for (const s of SYSTEM_POLICIES) out.push(systemView(s, countOf('System', s.name)));
  if (type !== 'System') {
    const rows = await db.selectFrom('ram_policies').selectAll().where('account_id', '=', account).orderBy('name').execute();
    for (const r of rows) out.push(customView(r, '', countOf('Custom', r.name)));
  }
  return out;
}

export async function deletePolicy(ctx: CallContext, policyName: string): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    const row = await tx.selectFrom('ram_policies').selectAll().where('account_id', '=', account).where('name', '=', policyName).executeTakeFirst();
    if (row === undefined) throw policyNotFound('Custom', policyName);
    const att = await tx.selectFrom('ram_attachments').select('principal_type').where('account_id', '=', account).where('policy_type', '=', 'Custom').where('policy_name', '=', policyName).executeTakeFirst();
    // the cast: attachPolicy writes only User, Group or Role
    if (att !== undefined) throw apiError(`DeleteConflict.Policy.${att.principal_type as 'User' | 'Group' | 'Role'}`, { policyName, principalType: att.principal_type });
    const versions = await tx.selectFrom('ram_policy_versions').select('version_id').where('account_id', '=', account).where('policy_name', '=', policyName).execute();
    if (versions.length > 1) throw apiError('DeleteConflict.Policy.Version', { name: policyName });
    await tx.deleteFrom('ram_policy_versions').where('account_id', '=', account).where('policy_name', '=', policyName).execute();
    await tx.deleteFrom('ram_policies').where('account_id', '=', account).where('name', '=', policyName).execute();
  });
}
