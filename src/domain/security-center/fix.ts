// FixCheckWarnings: the checks Parapet fixes itself, where the fix is safe and changes nothing a
// program relies on without saying so: metadata hardening (check 11: HttpTokens=required through
// ModifyInstanceMetadataOptions' own path) and the password policy (check 9: raised to the
// minimum check 9 asks, never lowered, through SetPasswordPolicy's path). Each fix is the
// operation's own domain function, so its rules hold; the checks fixed are scanned again after.
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { modifyMetadataOptions } from '../instance-roles.ts';
import { getPasswordPolicy, setPasswordPolicy } from '../ram/password-policy.ts';
import { STRONG_PASSWORD_POLICY } from './checks.ts';
import { findCheck } from './model.ts';
import { scanBaseline, warningsOf } from './warnings.ts';

/**
 * Fixes the failing warnings of `checkIds` on `resources` (every failing one of those checks when
 * empty), then scans those checks again. Answers the scan's number (FixCheckWarnings' BatchId) and
 * the resources fixed.
 */
export async function fixWarnings(ctx: CallContext, p: { checkIds: number[]; resources: string[] }): Promise<{ batchId: number; fixed: Array<{ checkId: number; resource: string }> }> {
  if (p.checkIds.length === 0) throw apiError('MissingParameter', { name: 'RiskId' });
  for (const id of p.checkIds) {
    const check = findCheck(id);
    if (check === undefined) throw apiError('InvalidParameter', { name: 'RiskId', value: String(id), why: 'There is no check with that id.' });
    if (!check.fixable) throw apiError('BaselineFix.NotSupported', { checkId: String(id), name: check.name });
  }
  const { warnings } = await warningsOf(ctx);
  const wanted = new Set(p.resources);
  const targets = warnings.filter((w) => w.failing && p.checkIds.includes(w.checkId) && (wanted.size === 0 || wanted.has(w.resource)));
  for (const r of wanted) {
    if (!targets.some((w) => w.resource === r)) throw apiError('InvalidParameter', { name: 'Uuids', value: r, why: 'It has no failing warning of the check named.' });
  }
  const fixed: Array<{ checkId: number; resource: string }> = [];
  for (const w of targets) {
    if (w.checkId === 11) {
      await modifyMetadataOptions(ctx, { instanceId: w.resource, httpTokens: 'required' });
    } else if (w.checkId === 9) {
      const cur = await getPasswordPolicy(ctx);
      const classes = [cur.requireLowercaseCharacters, cur.requireUppercaseCharacters, cur.requireNumbers, cur.requireSymbols].filter(Boolean).length;
      await setPasswordPolicy(ctx, {
        minimumPasswordLength: Math.max(cur.minimumPasswordLength, STRONG_PASSWORD_POLICY.minimumPasswordLength),
        // too few classes: lower case, upper case and digits (with symbols when they were asked already)
        ...(classes < STRONG_PASSWORD_POLICY.characterClasses ? { requireLowercaseCharacters: true, requireUppercaseCharacters: true, requireNumbers: true } : {}),
        maxLoginAttemps: cur.maxLoginAttemps === 0 || cur.maxLoginAttemps > STRONG_PASSWORD_POLICY.maxLoginAttempts ? STRONG_PASSWORD_POLICY.maxLoginAttempts : cur.maxLoginAttemps,
      });
    }
    fixed.push({ checkId: w.checkId, resource: w.resource });
  }
  const scan = await scanBaseline(ctx, ctx.principal.accountId, new Set(p.checkIds));
  if (fixed.length > 0) {
    await ctx.store.write(async (tx) => {
      for (const f of fixed) {
        await tx.updateTable('sas_warnings').set({ handled_at: ctx.clock.now() }).where('account_id', '=', ctx.principal.accountId).where('check_id', '=', f.checkId).where('resource', '=', f.resource).execute();
      }
    }, { quiet: () => true });
  }
  return { batchId: scan.seq, fixed };
}
