// The ECS operations on a group's rules (SPEC §1.2): AuthorizeSecurityGroup(Egress) adds rules all
// or none (an identical rule adds nothing), RevokeSecurityGroup(Egress) removes rules named by
// tuple or id, ModifySecurityGroup(Egress)Rule changes one. Each runs in one transaction through
// the rule gate (sg-rule-gate.ts), which locks the group and keeps its limits.
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { groupRow } from './security-groups.ts';
import { type Direction, type Rule, type RuleInput, normalizeTuple, ruleMatchesTuple } from './sg-rules.ts';
import { inputOf } from './sg-rule-wire.ts';
import { openGroup, requireRule, writeRules, replaceRule } from './sg-rule-gate.ts';

/**
 * Adds rules to a group, all or none. A rule equal (by identity) to an existing one, or to an
 * earlier one of the same batch, adds nothing: the call still succeeds.
 */
export async function authorize(ctx: CallContext, p: { regionId: string; securityGroupId: string; direction: Direction; permissions: Array<{ input: RuleInput; param: string }> }): Promise<{ added: number }> {
  requireRegion(p.regionId);
  if (p.permissions.length === 0) throw apiError('MissingParameter', { name: 'Permissions' });
  if (p.permissions.length > 100) throw apiError('InvalidParameter', { name: 'Permissions', value: `(${p.permissions.length} rules)`, why: 'At most 100 rules may be given at once.' });
  return ctx.write(async (tx) => {
    const g = await openGroup(ctx, tx, await groupRow(tx, ctx.principal.accountId, p.securityGroupId, p.regionId));
    const keys = new Set(g.rules.map((r) => r.key));
    const fresh: Array<{ rule: Rule; key: string }> = [];
    for (const { input, param } of p.permissions) {
      const checked = await requireRule(tx, g.target, p.direction, input, { param });
      if (keys.has(checked.key)) continue;
      keys.add(checked.key);
      fresh.push(checked);
    }
    await writeRules(ctx, tx, g, fresh);
    return { added: fresh.length };
  });
}

/** Removes rules named by tuple or by id, all or none; a tuple or id that names nothing is an error. */
export async function revoke(ctx: CallContext, p: {
  regionId: string; securityGroupId: string; direction: Direction;
  permissions: Array<{ input: RuleInput; param: string }>; ruleIds: string[];
}): Promise<{ removed: number }> {
  requireRegion(p.regionId);
  if (p.permissions.length === 0 && p.ruleIds.length === 0) {
    throw apiError('MissingParameter', 'rulesToRevoke');
  }
  return ctx.write(async (tx) => {
    const g = await openGroup(ctx, tx, await groupRow(tx, ctx.principal.accountId, p.securityGroupId, p.regionId));
    const group = { id: g.target.securityGroupId };
    const rules = g.rules;
    const doomed = new Set<string>();
    for (const { input, param } of p.permissions) {
      const tuple = normalizeTuple(p.direction, input, g.target, { param });
      const hits = rules.filter((r) => ruleMatchesTuple(r.rule, tuple));
      if (hits.length === 0) throw apiError('InvalidGroupAuthItem.NotFound', 'given', { param, groupId: group.id });
      for (const h of hits) doomed.add(h.id);
    }
    p.ruleIds.forEach((id, i) => {
      const hit = rules.find((r) => r.id === id && r.rule.direction === p.direction);
      if (hit === undefined) throw apiError('InvalidSecurityGroupRuleId.NotFound', 'listed', { index: i + 1, ruleId: id, groupId: group.id, direction: p.direction });
      doomed.add(hit.id);
    });
    await writeRules(ctx, tx, g, [], [...doomed]);
    return { removed: doomed.size };
  });
}

/** Changes one rule, named by id or by tuple: the new fields replace the old, identity re-checked. */
export async function modifyRule(ctx: CallContext, p: {
  regionId: string; securityGroupId: string; direction: Direction; ruleId?: string | undefined; input: RuleInput;
}): Promise<void> {
  requireRegion(p.regionId);
  await ctx.write(async (tx) => {
    const g = await openGroup(ctx, tx, await groupRow(tx, ctx.principal.accountId, p.securityGroupId, p.regionId));
    const groupId = g.target.securityGroupId;
    let target: (typeof g.rules)[number] | undefined;
    if (p.ruleId !== undefined && p.ruleId !== '') {
      target = g.rules.find((r) => r.id === p.ruleId && r.rule.direction === p.direction);
      if (target === undefined) throw apiError('InvalidSecurityGroupRuleId.NotFound', { ruleId: p.ruleId, groupId });
    } else {
      const tuple = normalizeTuple(p.direction, p.input, g.target);
      target = g.rules.find((r) => ruleMatchesTuple(r.rule, { ...tuple, priority: undefined, policy: undefined }));
      if (target === undefined) throw apiError('InvalidGroupAuthItem.NotFound', { groupId });
    }
    // fields not given keep their old values
    const merged: RuleInput = { ...inputOf(target.rule), ...Object.fromEntries(Object.entries(p.input).filter(([, v]) => v !== undefined)) };
    await replaceRule(ctx, tx, g, target.id, await requireRule(tx, g.target, p.direction, merged));
  });
}
