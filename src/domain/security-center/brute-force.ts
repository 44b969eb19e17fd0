// Anti-brute-force rules (sas CreateAntiBruteForceRule, DescribeAntiBruteForceRules,
// ModifyAntiBruteForceRule, DeleteAntiBruteForceRule): FailCount failed logons from one source
// within Span minutes block the source at the instance for ForbiddenTime minutes. A rule applies to
// the instances it names (`UuidList`, instance ids); the account's default rule (at most one)
// applies to the instances no rule names. Without any rule, Parapet still raises the brute-force
// alert at DEFAULT_BRUTE_FORCE (5 failures within 60 s) and blocks nothing. The blocks in force
// reach the data plane as DesiredState.bruteForceBlocks and CheckNetworkAccess (Reason AntiBruteForce).
import type { CallContext } from '../context.ts';
import type { Db, Tx } from '../../store/store.ts';
import type { SasAbfRuleTable } from '../../store/schema.ts';
import { apiError } from '../errors.ts';

/** The reference's allowed values (minutes; counts). */
export const FAIL_COUNTS: readonly number[] = [2, 3, 4, 5, 10, 50, 80, 100];
export const SPANS: readonly number[] = [1, 2, 5, 10, 15];
export const FORBIDDEN_TIMES: readonly number[] = [5, 15, 30, 60, 120, 360, 720, 1440, 10080, 52560000];
/** The longest window failures are kept for (ms). */
export const MAX_SPAN_MS = 15 * 60_000;

/** The threshold with no rule: an alert, no block. */
export const DEFAULT_BRUTE_FORCE = { failCount: 5, spanMs: 60_000 } as const;

export interface AbfRule { id: number; name: string; failCount: number; span: number; forbiddenTime: number; defaultRule: boolean; uuids: string[]; createdAt: number }

/** What applies at an instance: a rule's threshold and block (`forbiddenMs` 0 and `ruleId` 0 without one). */
export interface AppliedThreshold { ruleId: number; failCount: number; spanMs: number; forbiddenMs: number }

const toRule = (r: SasAbfRuleTable): AbfRule => ({
  id: r.id, name: r.name, failCount: r.fail_count, span: r.span, forbiddenTime: r.forbidden_time, defaultRule: r.default_rule === 1,
  // the cast: the column holds only what this module wrote (JSON.stringify of an id list)
  uuids: JSON.parse(r.uuids) as string[], createdAt: r.created_at,
});

export interface AbfInput { name: string; failCount: number; span: number; forbiddenTime: number; defaultRule: boolean; uuids: readonly string[] }

function checkInput(p: AbfInput): void {
  if (p.name.trim() === '') throw apiError('InvalidParameter', { name: 'Name', value: p.name, why: 'The name must not be empty.' });
  if (!FAIL_COUNTS.includes(p.failCount)) throw apiError('InvalidParameter', { name: 'FailCount', value: String(p.failCount), why: `Use one of ${FAIL_COUNTS.join(', ')}.` });
  if (!SPANS.includes(p.span)) throw apiError('InvalidParameter', { name: 'Span', value: String(p.span), why: `Use one of ${SPANS.join(', ')} (minutes).` });
  if (!FORBIDDEN_TIMES.includes(p.forbiddenTime)) throw apiError('InvalidParameter', { name: 'ForbiddenTime', value: String(p.forbiddenTime), why: `Use one of ${FORBIDDEN_TIMES.join(', ')} (minutes).` });
}

async function checkInstances(tx: Tx, accountId: string, uuids: readonly string[]): Promise<void> {
  if (uuids.length === 0) return;
  const found = new Set((await tx.selectFrom('instances').select('id').where('account_id', '=', accountId).where('id', 'in', [...uuids]).execute()).map((r) => r.id));
  const missing = uuids.find((u) => !found.has(u));
  if (missing !== undefined) throw apiError('InvalidInstanceId.NotFound', { id: missing });
}

export async function createAbfRule(ctx: CallContext, p: AbfInput): Promise<number> {
  checkInput(p);
  const accountId = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    await ctx.store.lock(tx, `sas-abf:${accountId}`);
    await checkInstances(tx, accountId, p.uuids);
    const rows = await tx.selectFrom('sas_abf_rules').select(['id', 'name']).where('account_id', '=', accountId).execute();
    if (rows.some((r) => r.name === p.name)) throw apiError('InvalidParameter', { name: 'Name', value: p.name, why: 'A rule of this name exists.' });
    const id = rows.reduce((m, r) => Math.max(m, r.id), 0) + 1;
    if (p.defaultRule) await tx.updateTable('sas_abf_rules').set({ default_rule: 0 }).where('account_id', '=', accountId).execute();
    await tx.insertInto('sas_abf_rules').values({
      account_id: accountId, id, name: p.name, fail_count: p.failCount, span: p.span, forbidden_time: p.forbiddenTime, default_rule: p.defaultRule ? 1 : 0,
      uuids: JSON.stringify([...new Set(p.uuids)]), created_at: ctx.clock.now(),
    }).execute();
    return id;
  });
}

export async function modifyAbfRule(ctx: CallContext, id: number, p: AbfInput): Promise<void> {
  checkInput(p);
  const accountId = ctx.principal.accountId;
  await ctx.write(async (tx) => {
    await ctx.store.lock(tx, `sas-abf:${accountId}`);
    const rows = await tx.selectFrom('sas_abf_rules').select(['id', 'name']).where('account_id', '=', accountId).execute();
    if (!rows.some((r) => r.id === id)) throw apiError('InvalidParameter', { name: 'Id', value: String(id), why: 'No anti-brute-force rule has this id.' });
    if (rows.some((r) => r.name === p.name && r.id !== id)) throw apiError('InvalidParameter', { name: 'Name', value: p.name, why: 'A rule of this name exists.' });
    await checkInstances(tx, accountId, p.uuids);
    if (p.defaultRule) await tx.updateTable('sas_abf_rules').set({ default_rule: 0 }).where('account_id', '=', accountId).execute();
    await tx.updateTable('sas_abf_rules').set({
      name: p.name, fail_count: p.failCount, span: p.span, forbidden_time: p.forbiddenTime, default_rule: p.defaultRule ? 1 : 0, uuids: JSON.stringify([...new Set(p.uuids)]),
    }).where('account_id', '=', accountId).where('id', '=', id).execute();
  });
}

/** Deletes the rules; blocks they set stay until they end. Unknown ids: InvalidParameter, nothing changes. */
export async function deleteAbfRules(ctx: CallContext, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) throw apiError('MissingParameter', { name: 'Ids.1' });
  const accountId = ctx.principal.accountId;
  await ctx.write(async (tx) => {
    const found = new Set((await tx.selectFrom('sas_abf_rules').select('id').where('account_id', '=', accountId).where('id', 'in', [...ids]).execute()).map((r) => r.id));
    const missing = ids.find((i) => !found.has(i));
    if (missing !== undefined) throw apiError('InvalidParameter', { name: 'Ids', value: String(missing), why: 'No anti-brute-force rule has this id.' });
    await tx.deleteFrom('sas_abf_rules').where('account_id', '=', accountId).where('id', 'in', [...ids]).execute();
  });
}

export async function listAbfRules(db: Db, accountId: string): Promise<AbfRule[]> {
  return (await db.selectFrom('sas_abf_rules').selectAll().where('account_id', '=', accountId).orderBy('id').execute()).map(toRule);
}

/** The threshold in force at an instance: the rule naming it (the lowest id), else the default rule, else DEFAULT_BRUTE_FORCE. */
export async function thresholdAt(db: Db | Tx, accountId: string, instanceId: string): Promise<AppliedThreshold> {
  const rules = (await db.selectFrom('sas_abf_rules').selectAll().where('account_id', '=', accountId).orderBy('id').execute()).map(toRule);
  const r = rules.find((x) => x.uuids.includes(instanceId)) ?? rules.find((x) => x.defaultRule);
  if (r === undefined) return { ruleId: 0, failCount: DEFAULT_BRUTE_FORCE.failCount, spanMs: DEFAULT_BRUTE_FORCE.spanMs, forbiddenMs: 0 };
  return { ruleId: r.id, failCount: r.failCount, spanMs: r.span * 60_000, forbiddenMs: r.forbiddenTime * 60_000 };
}

/** Blocks `ip` at the instance until `until` (a later end wins). */
export async function blockSource(tx: Tx, b: { accountId: string; instanceId: string; ip: string; until: number; ruleId: number }): Promise<void> {
  const row = await tx.selectFrom('sas_blocks').select('until').where('instance_id', '=', b.instanceId).where('ip', '=', b.ip).executeTakeFirst();
  if (row === undefined) {
    await tx.insertInto('sas_blocks').values({ instance_id: b.instanceId, ip: b.ip, account_id: b.accountId, until: b.until, rule_id: b.ruleId }).execute();
  } else if (b.until > row.until) {
    await tx.updateTable('sas_blocks').set({ until: b.until, rule_id: b.ruleId }).where('instance_id', '=', b.instanceId).where('ip', '=', b.ip).execute();
  }
}

/** The sources blocked at instances (all when `instanceId` is undefined) at `now`. */
export async function blocksInForce(db: Db, now: number, instanceId?: string): Promise<Array<{ instanceId: string; ip: string; until: number }>> {
  let q = db.selectFrom('sas_blocks').select(['instance_id', 'ip', 'until']).where('until', '>', now);
  if (instanceId !== undefined) q = q.where('instance_id', '=', instanceId);
  const rows = await q.orderBy('instance_id').orderBy('ip').execute();
  return rows.map((r) => ({ instanceId: r.instance_id, ip: r.ip, until: r.until }));
}
