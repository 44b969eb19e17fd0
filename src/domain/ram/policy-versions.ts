// Versions of a RAM custom policy (SPEC §3): `v1`, `v2`… never reused, at most 5 per policy, one of
// them the default (the document the policy grants by); the default is never deleted. A system
// policy has one version, `v1`.
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { checkPolicyDocument } from '../policy-check.ts';
import { isoSeconds } from '../../clock.ts';
import { ramWrite } from './lock.ts';
import { RAM_LIMITS } from './quotas.ts';
import { getPolicy, policyNotFound } from './policies.ts';

/** A version of a RAM policy as the domain answers it. */
export interface PolicyVersion { versionId: string; isDefaultVersion: boolean; policyDocument: string; createDate: string }

export async function createPolicyVersion(ctx: CallContext, p: { policyName: string; policyDocument: string; setAsDefault: boolean }): Promise<PolicyVersion> {
  checkPolicyDocument(p.policyDocument);
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    const row = await tx.selectFrom('ram_policies').selectAll().where('account_id', '=', account).where('name', '=', p.policyName).executeTakeFirst();
    if (row === undefined) throw policyNotFound('Custom', p.policyName);
    const versions = await tx.selectFrom('ram_policy_versions').select('version_id').where('account_id', '=', account).where('policy_name', '=', p.policyName).execute();
    if (versions.length >= RAM_LIMITS.versionsPerPolicy) throw apiError('LimitExceeded.Policy.Version', { name: p.policyName, limit: RAM_LIMITS.versionsPerPolicy });
    const versionId = `v${row.next_version}`;
    const now = isoSeconds(ctx.clock.now());
    await tx.insertInto('ram_policy_versions').values({ account_id: account, policy_name: p.policyName, version_id: versionId, document: p.policyDocument, created_at: now }).execute();
    await tx.updateTable('ram_policies').set({ next_version: row.next_version + 1, updated_at: now, ...(p.setAsDefault ? { default_version: versionId } : {}) }).where('account_id', '=', account).where('name', '=', p.policyName).execute();
    return { versionId, isDefaultVersion: p.setAsDefault, policyDocument: p.policyDocument, createDate: now };
  });
}

export async function listPolicyVersions(ctx: CallContext, p: { policyName: string; policyType: string }): Promise<PolicyVersion[]> {
  const policy = await getPolicy(ctx, p);
  if (policy.policyType === 'System') return [{ versionId: 'v1', isDefaultVersion: true, policyDocument: policy.policyDocument, createDate: policy.createDate }];
  const rows = await ctx.store.db.selectFrom('ram_policy_versions').selectAll().where('account_id', '=', ctx.principal.accountId).where('policy_name', '=', p.policyName).orderBy('created_at').execute();
  return rows.map((r) => ({ versionId: r.version_id, isDefaultVersion: r.version_id === policy.defaultVersion, policyDocument: r.document, createDate: r.created_at }));
}

/** One version of a policy (GetPolicyVersion); a system policy has only `v1`. */
export async function getPolicyVersion(ctx: CallContext, p: { policyName: string; policyType: string; versionId: string }): Promise<PolicyVersion> {
  const version = (await listPolicyVersions(ctx, p)).find((v) => v.versionId === p.versionId);
  if (version === undefined) throw apiError('EntityNotExist.Policy.Version', { versionId: p.versionId, name: p.policyName });
  return version;
}

export async function setDefaultPolicyVersion(ctx: CallContext, p: { policyName: string; versionId: string }): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    const row = await tx.selectFrom('ram_policies').selectAll().where('account_id', '=', account).where('name', '=', p.policyName).executeTakeFirst();
    if (row === undefined) throw policyNotFound('Custom', p.policyName);
    const v = await tx.selectFrom('ram_policy_versions').select('version_id').where('account_id', '=', account).where('policy_name', '=', p.policyName).where('version_id', '=', p.versionId).executeTakeFirst();
    if (v === undefined) throw apiError('EntityNotExist.Policy.Version', { versionId: p.versionId, name: p.policyName });
    await tx.updateTable('ram_policies').set({ default_version: p.versionId, updated_at: isoSeconds(ctx.clock.now()) }).where('account_id', '=', account).where('name', '=', p.policyName).execute();
  });
}

export async function deletePolicyVersion(ctx: CallContext, p: { policyName: string; versionId: string }): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    const row = await tx.selectFrom('ram_policies').selectAll().where('account_id', '=', account).where('name', '=', p.policyName).executeTakeFirst();
    if (row === undefined) throw policyNotFound('Custom', p.policyName);
    if (row.default_version === p.versionId) throw apiError('DeleteConflict.Policy.Version.Default', { versionId: p.versionId });
    const r = await tx.deleteFrom('ram_policy_versions').where('account_id', '=', account).where('policy_name', '=', p.policyName).where('version_id', '=', p.versionId).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw apiError('EntityNotExist.Policy.Version', { versionId: p.versionId, name: p.policyName });
  });
}
