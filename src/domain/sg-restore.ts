// RestoreSecurityGroupRules and its preview (SPEC §1.7): a group's rules made like another's of
// the same region and network type (Complete: also removing its own others; Partial: adding
// only). Every rule passes the rule gate as an authorization would; the preview and the restore
// share one plan, so a preview shows exactly what the restore does, and the restore is one
// transaction, all or none.
import type { CallContext } from './context.ts';
import { apiError, itemError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { SYSTEM_PRIORITY, type Rule } from './sg-rules.ts';
import { type SkippedRule, inputOf, permissionOf } from './sg-rule-wire.ts';
import { type GatedGroup, checkRule, capacity, loadRules, openGroup, ruleUnits, writeRules } from './sg-rule-gate.ts';
import { checkGroupIdForm, groupRow, notFound } from './security-groups.ts';
import type { Db, Tx } from '../store/store.ts';

export type RestoreMethod = 'Complete' | 'Partial';

function parseMethod(value: string): RestoreMethod {
  const v = value.toLowerCase();
  if (v === 'complete') return 'Complete';
  if (v === 'partial') return 'Partial';
  throw apiError('InvalidParameter', { name: 'Method', value: value.slice(0, 64), why: 'Use `Complete` or `Partial`.' });
}

export interface RestorePlan {
  securityGroupId: string;
  targetSecurityGroupId: string;
  method: RestoreMethod;
  /** the group, opened through the rule gate */
  group: GatedGroup;
  /** the target's rules as they are (would be) written to the group */
  toAdd: Array<{ rule: Rule; key: string }>;
  /** the group's rules that are (would be) removed: Complete only */
  toRemove: Array<{ id: string; rule: Rule; createTime: string }>;
  /** the target's rules not copied: priority 110, or rules the group can't take */
  skipped: SkippedRule[];
}

export interface RestoreParams {
  regionId: string;
  securityGroupId: string;
  targetSecurityGroupId: string;
  method: string;
}

/**
 * The one plan both PreviewRestoreSecurityGroupRules and RestoreSecurityGroupRules follow.
 * Same region and network type (checked, in that order, after both groups are found); two rules
 * are the same when their ruleKey is; a target rule already in the group is neither added nor,
 * under Complete, removed, whatever its priority. Every rule passes the rule gate as an
 * authorization would, and the limits (the group's and every member ENI's) are checked here
 * too, so a preview fails exactly when the restore would.
 */
async function planRestore(ctx: CallContext, db: Db | Tx, p: RestoreParams): Promise<RestorePlan> {
  requireRegion(p.regionId);
  const accountId = ctx.principal.accountId;
  const method = parseMethod(p.method);
  const row = await groupRow(db, accountId, p.securityGroupId, p.regionId);
  checkGroupIdForm(p.targetSecurityGroupId, 'TargetSecurityGroupId');
  if (p.targetSecurityGroupId === row.id) {
    throw apiError('InvalidParameter', { name: 'TargetSecurityGroupId', value: p.targetSecurityGroupId, why: 'It is the security group itself.' });
  }
  const target = await db.selectFrom('security_groups').selectAll().where('id', '=', p.targetSecurityGroupId).where('account_id', '=', accountId).executeTakeFirst();
  if (target === undefined) throw notFound(p.targetSecurityGroupId);
  if (target.region_id !== row.region_id) {
    throw apiError('InvalidRegionId.Mismatch', { targetId: target.id, targetRegion: target.region_id, region: row.region_id });
  }
  if (target.network_type !== row.network_type) {
    throw apiError('InvalidNetworkType.Mismatch', 'restore', { targetId: target.id, targetNetworkType: target.network_type, groupId: row.id, networkType: row.network_type });
  }
  const group = await openGroup(ctx, db, row);
  const own = group.rules;
  const theirs = await loadRules(db, target.id);
  const ownKeys = new Set(own.map((r) => r.key));
  const theirKeys = new Set(theirs.map((r) => r.key));
  const toAdd: RestorePlan['toAdd'] = [];
  const skipped: SkippedRule[] = [];
  for (const r of theirs) {
    if (ownKeys.has(r.key)) continue;
    if (r.rule.priority === SYSTEM_PRIORITY) {
      skipped.push({ ...itemError('OperationDenied.SystemRule', { priority: SYSTEM_PRIORITY }), permission: permissionOf(r.rule, r.id, r.createTime) });
      continue;
    }
    const direction = r.rule.direction;
      const input = inputOf(r.rule);
    const prepared = await checkRule(db, group.target, direction, input);
    if (!prepared.ok) {
      skipped.push({ code: prepared.error.code, message: prepared.error.message, permission: permissionOf(r.rule, r.id, r.createTime) });
    } else if (!ownKeys.has(prepared.key) && !toAdd.some((x) => x.key === prepared.key)) {
      toAdd.push(prepared);
    }
  }
  const toRemove = method === 'Complete' ? own.filter((r) => !theirKeys.has(r.key)).map((r) => ({ id: r.id, rule: r.rule, createTime: r.createTime })) : [];
  if (toAdd.length > 0) {
    const room = await capacity(ctx, db, group, toRemove.map((r) => r.id));
    const adding = (await ruleUnits(db, toAdd.map((x) => x.rule))).reduce((a, b) => a + b, 0);
    if (adding > room.free) throw room.exceeded(adding);
  }
  return { securityGroupId: row.id, targetSecurityGroupId: target.id, method, group, toAdd, toRemove, skipped };
}

export function previewRestore(ctx: CallContext, p: RestoreParams): Promise<RestorePlan> {
  return planRestore(ctx, ctx.store.db, p);
}

/** Applies the plan in one transaction: removals (Complete) and additions, all or none. */
export async function restore(ctx: CallContext, p: RestoreParams): Promise<{ added: number; removed: number; skipped: SkippedRule[] }> {
  requireRegion(p.regionId);
  return ctx.write(async (tx) => {
    const plan = await planRestore(ctx, tx, p);
    await writeRules(ctx, tx, plan.group, plan.toAdd, plan.toRemove.map((r) => r.id));
    return { added: plan.toAdd.length, removed: plan.toRemove.length, skipped: plan.skipped };
  });
}

