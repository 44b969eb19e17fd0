// The one gate every write of security-group rules passes: AuthorizeSecurityGroup(Egress),
// ModifySecurityGroupRule, RevokeSecurityGroup(Egress), ImportSecurityGroupRules,
// RestoreSecurityGroupRules, CloneSecurityGroup and the default group of RunInstances. It owns
// finding the group and locking it for the transaction, loading its rules, validating a rule for
// it (the rule's own syntax, then the group or prefix list it authorizes), the per-group and
// per-ENI limits, and inserting, replacing and deleting rows of `sg_rules`. Nothing else writes
// rules, so no path can accept what another refuses.
// Quotas count rule units: a rule is one unit, except that a rule authorizing a prefix list counts
// as the list's MaxEntries (the API reference: the list's maximum entries count toward the rule
// quota of every group that references it).
// INVARIANT: a group's rules change only while the transaction holds `sg:{groupId}`; membership
// changes hold the same key for every group of the ENI's new set (instances.ts), so the per-ENI
// limit holds against concurrent writers too.
import type { CallContext } from './context.ts';
import { DomainError, apiError } from './errors.ts';
import { type Direction, type Rule, type RuleGroup, type RuleInput, SIDES, isIpv6Cidr, normalizeRule, ruleKey } from './sg-rules.ts';
import { maxEntriesOf, prefixListLock } from './prefix-lists.ts';
import { isoSeconds } from '../clock.ts';
import type { Db, Tx } from '../store/store.ts';
import type { SecurityGroupTable } from '../store/schema.ts';
import { accountLimits } from './account-settings.ts';

/** What a group is, for validating a rule into it (the group may be new in this transaction). */
export interface RuleTarget extends RuleGroup {
  regionId: string;
  vpcId: string;
}

export interface StoredRuleRow {
  id: string;
  rule: Rule;
  key: string;
  createTime: string;
  seq: number;
}

/** A group opened for a write of its rules: locked, with its rules as they are. */
export interface GatedGroup {
  target: RuleTarget;
  rules: StoredRuleRow[];
}

export type Checked = { ok: true; rule: Rule; key: string } | { ok: false; error: DomainError; rule?: Rule };

/** The lock key of a group's rules and membership. */
export const groupLock = (groupId: string): string => `sg:${groupId}`;

const GROUP_PARAM: Record<Direction, string> = { ingress: 'SourceGroupId', egress: 'DestGroupId' };

export function targetOf(row: SecurityGroupTable): RuleTarget {
  return {
    type: row.type as RuleTarget['type'], networkType: row.network_type as RuleTarget['networkType'], securityGroupId: row.id,
    accountId: row.account_id, regionId: row.region_id, vpcId: row.vpc_id,
  };
}

export async function loadRules(db: Db | Tx, groupId: string): Promise<StoredRuleRow[]> {
  const rows = await db.selectFrom('sg_rules').selectAll().where('security_group_id', '=', groupId).orderBy('seq').execute();
  // the cast: bodies are written by this module from a normalized Rule
  return rows.map((r) => ({ id: r.id, rule: JSON.parse(r.body) as Rule, key: r.rule_key, createTime: r.created_at, seq: r.seq }));
}

/**
 * A group found by the caller, with its rules; inside a transaction the group is locked first
 * (outside one, for a preview, it is only read).
 */
export async function openGroup(ctx: CallContext, db: Db | Tx, row: SecurityGroupTable): Promise<GatedGroup> {
  if (db.isTransaction) await ctx.store.lock(db as Tx, groupLock(row.id));
  return { target: targetOf(row), rules: await loadRules(db, row.id) };
}

/** A group created in this transaction: nobody else sees it yet, and it has no rules. */
export function newGroup(target: RuleTarget): GatedGroup {
  return { target, rules: [] };
}

/** The checks of the group a rule authorizes (or the prefix list), as the API answers them; undefined when it may. */
async function peerProblem(tx: Db | Tx, target: RuleTarget, rule: Rule, param: string): Promise<DomainError | undefined> {
  if (rule.peer.kind === 'prefixList') return prefixListProblem(tx, target, rule, param);
  if (rule.peer.kind !== 'group') return undefined;
  const peer = rule.peer;
  const name = param + GROUP_PARAM[rule.direction];
  const row = await tx.selectFrom('security_groups').select(['account_id', 'region_id', 'network_type', 'vpc_id']).where('id', '=', peer.groupId).executeTakeFirst();
  if (row === undefined || row.account_id !== peer.ownerAccountId || row.region_id !== target.regionId) {
    return apiError('InvalidSourceGroupId.NotFound', { name, groupId: peer.groupId, regionId: target.regionId, accountId: peer.ownerAccountId });
  }
  if (row.network_type !== target.networkType) {
    return apiError('InvalidNetworkType.Mismatch', { name, groupId: peer.groupId, networkType: row.network_type, targetId: target.securityGroupId, targetNetworkType: target.networkType });
  }
  if (target.networkType === 'vpc' && row.account_id === target.accountId && row.vpc_id !== target.vpcId) {
    return apiError('InvalidSourceGroupId.Mismatch', 'otherVpc', { name, groupId: peer.groupId, vpcId: row.vpc_id, targetVpcId: target.vpcId });
  }
  return undefined;
}

/**
 * A prefix list a rule authorizes: one of the group's own account and region (another's is not
 * found), of the rule's address family. The writes lock it and look again (`holdPrefixLists`).
 */
async function prefixListProblem(tx: Db | Tx, target: RuleTarget, rule: Rule, param: string): Promise<DomainError | undefined> {
  if (rule.peer.kind !== 'prefixList') return undefined;
  const id = rule.peer.prefixListId;
  const row = await tx.selectFrom('prefix_lists').select(['account_id', 'region_id', 'address_family']).where('id', '=', id).executeTakeFirst();
  if (row === undefined || row.account_id !== target.accountId || row.region_id !== target.regionId) {
    return apiError('InvalidPrefixListId.NotFound', { id });
  }
  const s = SIDES[rule.direction];
  const name = `${param}${s.prefixList}`;
  const v6 = row.address_family === 'IPv6';
  const shown = `${id} (${row.address_family})`;
  if (rule.ipProtocol === 'icmp' && v6) return apiError('InvalidParam.Ipv4ProtocolConflictWithIpv6Address', { name, cidr: shown, protocolName: `${param}IpProtocol` });
  if (rule.ipProtocol === 'icmpv6' && !v6) return apiError('InvalidParam.Ipv6ProtocolConflictWithIpv4Address', { name, cidr: shown, protocolName: `${param}IpProtocol` });
  if (rule.otherCidr !== '' && isIpv6Cidr(rule.otherCidr) !== v6) {
    // [inference] as for two CIDR blocks of different families (sg-rules.ts): the rule could never match
    const other = isIpv6Cidr(rule.otherCidr) ? s.otherCidr6 : s.otherCidr;
    return apiError('InvalidParameter', { name: `${param}${other}`, value: rule.otherCidr, why: `It must be of the address family of \`${name}\` \`${id}\` (${row.address_family}).` });
  }
  return undefined;
}

/**
 * One rule validated for the target exactly as AuthorizeSecurityGroup(Egress) validates it. A
 * failure keeps the normalized rule when only the authorized-group checks failed.
 */
export async function checkRule(tx: Db | Tx, target: RuleTarget, direction: Direction, input: RuleInput, opts: { param?: string; allowSystemPriority?: boolean } = {}): Promise<Checked> {
  let rule: Rule;
  try {
    rule = normalizeRule(direction, input, target, { param: opts.param ?? '', allowSystemPriority: opts.allowSystemPriority === true });
  } catch (e) {
    if (e instanceof DomainError) return { ok: false, error: e };
    throw e;
  }
  const problem = await peerProblem(tx, target, rule, opts.param ?? '');
  if (problem !== undefined) return { ok: false, error: problem, rule };
  return { ok: true, rule, key: ruleKey(rule) };
}

/** checkRule for the paths that refuse the whole request on the first bad rule. */
export async function requireRule(tx: Db | Tx, target: RuleTarget, direction: Direction, input: RuleInput, opts: { param?: string } = {}): Promise<{ rule: Rule; key: string }> {
  const c = await checkRule(tx, target, direction, input, opts);
  if (!c.ok) throw c.error;
  return c;
}

export interface Capacity {
  /** how many more rule units fit (after the group's own rules `removing` go) */
  free: number;
  /** the error a write over the limit answers, `adding` units more */
  exceeded(adding: number): DomainError;
}

const plOf = (rule: Rule): string => (rule.peer.kind === 'prefixList' ? rule.peer.prefixListId : '');

/**
 * The quota units of each rule: 1, or the MaxEntries of the prefix list it authorizes (a list
 * that is gone counts 1: the gate refuses the rule anyway).
 */
export async function ruleUnits(db: Db | Tx, rules: readonly Rule[]): Promise<number[]> {
  const max = await maxEntriesOf(db, rules.map(plOf).filter((id) => id !== ''));
  return rules.map((r) => { const id = plOf(r); return id === '' ? 1 : max.get(id) ?? 1; });
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * The rule units of the groups `ids` together (the rules acting on an ENI of those groups): every
 * rule one, a rule that authorizes a prefix list its MaxEntries. JoinSecurityGroup and the other
 * membership changes (enis.ts) check the per-ENI limit with it.
 */
export async function groupsRuleUnits(db: Db | Tx, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const row = await db.selectFrom('sg_rules').leftJoin('prefix_lists', 'prefix_lists.id', 'sg_rules.peer_prefix_list_id')
    .select((eb) => eb.fn.sum<number>(eb.fn.coalesce('prefix_lists.max_entries', eb.lit(1))).as('n'))
    .where('sg_rules.security_group_id', 'in', [...new Set(ids)]).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * How many rule units the group can still take: the group's own limit (ingress and egress
 * together) and the limit of rules acting on every ENI in the group (SPEC §1.3, §7), rules that
 * authorize a prefix list counted as its MaxEntries.
 */
export async function capacity(ctx: CallContext, tx: Db | Tx, g: GatedGroup, removing: readonly string[] = []): Promise<Capacity> {
  const groupId = g.target.securityGroupId;
  const gone = new Set(removing);
  const units = await ruleUnits(tx, g.rules.map((r) => r.rule));
  const removed = sum(units.filter((_, i) => gone.has(g.rules[i]!.id)));
  const own = sum(units) - removed;
  const limits = await accountLimits(ctx, tx);
  let free = limits.rulesPerGroup - own;
  let exceeded = (adding: number) => apiError('AuthorizationLimitExceed', { groupId, rules: own + adding, limit: limits.rulesPerGroup });
  const members = await tx.selectFrom('eni_groups').select('eni_id').where('security_group_id', '=', groupId).execute();
  if (members.length > 0) {
    // per ENI: every rule of its groups, a prefix-list rule as its list's MaxEntries
    const perEni = await tx.selectFrom('eni_groups').innerJoin('sg_rules', 'sg_rules.security_group_id', 'eni_groups.security_group_id')
      .leftJoin('prefix_lists', 'prefix_lists.id', 'sg_rules.peer_prefix_list_id')
      .select((eb) => ['eni_groups.eni_id as eni', eb.fn.sum<number>(eb.fn.coalesce('prefix_lists.max_entries', eb.lit(1))).as('n')] as const)
      .where('eni_groups.eni_id', 'in', members.map((m) => m.eni_id)).groupBy('eni_groups.eni_id').execute();
    for (const row of perEni) {
      const acting = Number(row.n) - removed;
      const eniFree = limits.rulesPerEni - acting;
      if (eniFree < free) {
        free = eniFree;
        exceeded = (adding: number) => apiError('AuthorizationLimitExceed', 'eni', { eniId: row.eni, rules: acting + adding, limit: limits.rulesPerEni });
      }
    }
  }
  return { free: Math.max(0, free), exceeded };
}

/**
 * Locks the prefix lists `rules` authorize and looks again that each still exists: a delete of a
 * list (prefix-lists.ts) holds the same key, so it either committed before (the rule is refused)
 * or waits and then sees the new reference.
 */
async function holdPrefixLists(ctx: CallContext, tx: Tx, rules: readonly Rule[]): Promise<void> {
  const ids = [...new Set(rules.map(plOf).filter((id) => id !== ''))];
  if (ids.length === 0) return;
  await ctx.store.lock(tx, ...ids.map(prefixListLock));
  const found = await maxEntriesOf(tx, ids);
  const gone = ids.find((id) => !found.has(id));
  if (gone !== undefined) throw apiError('InvalidPrefixListId.NotFound', { id: gone });
}

/**
 * Removes the rules `remove` (ids of the group's own) and adds `add`, all or none: refused when
 * a limit would be exceeded. Returns the new rules' ids in order.
 */
export async function writeRules(ctx: CallContext, tx: Tx, g: GatedGroup, add: ReadonlyArray<{ rule: Rule; key: string }>, remove: readonly string[] = []): Promise<string[]> {
  const groupId = g.target.securityGroupId;
  if (add.length > 0) {
    await holdPrefixLists(ctx, tx, add.map((x) => x.rule));
    const room = await capacity(ctx, tx, g, remove);
    const adding = sum(await ruleUnits(tx, add.map((x) => x.rule)));
    if (adding > room.free) throw room.exceeded(adding);
  }
  if (remove.length > 0) await tx.deleteFrom('sg_rules').where('security_group_id', '=', groupId).where('id', 'in', [...remove]).execute();
  const now = isoSeconds(ctx.clock.now());
  let seq = g.rules.reduce((m, r) => Math.max(m, r.seq), 0);
  const ids: string[] = [];
  for (const { rule, key } of add) {
    const id = ctx.ids.resource('sgr');
    await tx.insertInto('sg_rules').values({
      id, security_group_id: groupId, rule_key: key, body: JSON.stringify(rule),
      peer_group_id: rule.peer.kind === 'group' ? rule.peer.groupId : '', peer_prefix_list_id: plOf(rule), created_at: now, seq: ++seq,
    }).execute();
    ids.push(id);
  }
  const gone = new Set(remove);
  g.rules = g.rules.filter((r) => !gone.has(r.id)).concat(add.map((x, i) => ({ id: ids[i]!, rule: x.rule, key: x.key, createTime: now, seq: seq - add.length + i + 1 })));
  return ids;
}

/**
 * Replaces one rule of the group in place (ModifySecurityGroupRule): same id, same position. A
 * rule that now counts more units (it authorizes a prefix list) must fit the limits.
 */
export async function replaceRule(ctx: CallContext, tx: Tx, g: GatedGroup, id: string, next: { rule: Rule; key: string }): Promise<void> {
  if (g.rules.some((r) => r.key === next.key && r.id !== id)) {
    throw apiError('InvalidParameter.Duplicate');
  }
  await holdPrefixLists(ctx, tx, [next.rule]);
  const old = g.rules.find((r) => r.id === id);
  const [before = 1, after = 1] = await ruleUnits(tx, [old?.rule ?? next.rule, next.rule]);
  if (after > before) {
    const room = await capacity(ctx, tx, g, [id]);
    if (after > room.free) throw room.exceeded(after);
  }
  await tx.updateTable('sg_rules').set({
    rule_key: next.key, body: JSON.stringify(next.rule), peer_group_id: next.rule.peer.kind === 'group' ? next.rule.peer.groupId : '', peer_prefix_list_id: plOf(next.rule),
  }).where('id', '=', id).where('security_group_id', '=', g.target.securityGroupId).execute();
  g.rules = g.rules.map((r) => (r.id === id ? { ...r, rule: next.rule, key: next.key } : r));
}
