// Stored security groups as the firewall engine's model (FwGroup, FwRule): the one loader that
// CheckNetworkAccess, DescribeExposure and the data plane's desired state read groups through,
// with the stored rules kept by id for the explanations that echo them. IPv6 CIDRs become the
// engine's `cidr6` peers and `local6` ranges (model.ts).
//
// A rule that authorizes a prefix list becomes one FwRule per block of the list's entries (IPv4
// or IPv6: a list has one address family), all with the rule's id, so the deciding rule of a
// decision is still the user's rule. Nested entries are dropped first (10.1.0.0/16 inside
// 10.0.0.0/8 adds nothing): the blocks left are disjoint, so an address meets at most one of
// them and a rule appears once among the matches of any flow. An empty list authorizes nothing. The entries
// are read with the rules, so a ModifyPrefixList changes every reader's model at the next load
// (its write moves the store revision like any other).
import { type Rule, portRangeBounds, sourcePortRangeBounds } from './sg-rules.ts';
import { type Cidr, type Cidr6, parseCidr, parseCidr6 } from '../engine/cidr.ts';
import { entriesOf } from './prefix-lists.ts';
import type { FwGroup, FwRule } from '../engine/firewall/index.ts';
import type { Db, Tx } from '../store/store.ts';

/** A stored rule, by id: which group holds it, the rule, and when it was made. */
export type StoredRules = Map<string, { groupId: string; rule: Rule; createTime: string }>;

/** The IPv4 blocks of a prefix list's entries, nested ones dropped, ascending: disjoint ranges. */
export function disjointBlocks(cidrs: readonly string[]): Cidr[] {
  const blocks = cidrs.map((c) => parseCidr(c)).filter((c): c is Cidr => c !== null)
    .sort((a, b) => a.base - b.base || b.size - a.size);
  const out: Cidr[] = [];
  for (const c of blocks) {
    const last = out[out.length - 1];
    // CIDR blocks either nest or are disjoint: one starting inside the last kept block is inside it
    if (last !== undefined && c.base < last.base + last.size) continue;
    out.push(c);
  }
  return out;
}

/** The IPv6 blocks of a prefix list's entries, nested ones dropped, ascending: disjoint ranges. */
export function disjointBlocks6(cidrs: readonly string[]): Cidr6[] {
  const blocks = cidrs.filter((c) => c.includes(':')).map((c) => parseCidr6(c)).filter((c): c is Cidr6 => c !== null)
    .sort((a, b) => (a.base !== b.base ? (a.base < b.base ? -1 : 1) : a.size > b.size ? -1 : a.size < b.size ? 1 : 0));
  const out: Cidr6[] = [];
  for (const c of blocks) {
    const last = out[out.length - 1];
    if (last !== undefined && c.base < last.base + last.size) continue;
    out.push(c);
  }
  return out;
}

/**
 * The engine's form of a stored rule: one FwRule, or one per block of the prefix list it
 * authorizes (`prefixLists`: each list's CIDRs), all with its id; [] for a rule whose stored
 * CIDR does not parse (never written by the rule gate).
 */
export function toFwRules(groupId: string, ruleId: string, rule: Rule, prefixLists: ReadonlyMap<string, readonly string[]> = new Map()): FwRule[] {
  const protocol = rule.ipProtocol;
  let peers: Array<FwRule['peer']>;
  if (rule.peer.kind === 'cidr') {
    const v6 = rule.peer.cidr.includes(':');
    const c = v6 ? parseCidr6(rule.peer.cidr) : parseCidr(rule.peer.cidr);
    if (c === null) return [];
    peers = [v6 ? { kind: 'cidr6', range: { base: BigInt(c.base), size: BigInt(c.size) } } : { kind: 'cidr', range: { base: Number(c.base), size: Number(c.size) } }];
  } else if (rule.peer.kind === 'group') {
    peers = [{ kind: 'group', groupId: rule.peer.groupId }];
  } else {
    const entries = prefixLists.get(rule.peer.prefixListId) ?? [];
    peers = [
      ...disjointBlocks(entries).map((c): FwRule['peer'] => ({ kind: 'cidr', range: { base: c.base, size: c.size } })),
      ...disjointBlocks6(entries).map((c): FwRule['peer'] => ({ kind: 'cidr6', range: { base: c.base, size: c.size } })),
    ];
  }
  const [portFrom, portTo] = portRangeBounds(rule);
  const [srcPortFrom, srcPortTo] = sourcePortRangeBounds(rule);
  let local: FwRule['local'];
  let local6: FwRule['local6'];
  if (rule.otherCidr.includes(':')) {
    const l = parseCidr6(rule.otherCidr);
    if (l === null) return [];
    local6 = { base: l.base, size: l.size };
  } else if (rule.otherCidr !== '') {
    const l = parseCidr(rule.otherCidr);
    if (l === null) return [];
    local = { base: l.base, size: l.size };
  }
  return peers.map((peer) => {
    const fw: FwRule = {
      groupId, ruleId, direction: rule.direction, protocol, portFrom, portTo, srcPortFrom, srcPortTo,
      policy: rule.policy, priority: rule.priority, nicType: rule.nicType, peer,
    };
    if (local !== undefined) fw.local = local;
    if (local6 !== undefined) fw.local6 = local6;
    return fw;
  });
}

const CHUNK = 500;

/**
 * The groups `ids` (every group when undefined) as the engine's model, each with its rules in
 * the order they were made; and every stored rule of them by id.
 */
export async function loadFwGroups(db: Db | Tx, ids?: readonly string[]): Promise<{ groups: Map<string, FwGroup>; rules: StoredRules }> {
  const groups = new Map<string, FwGroup>();
  const rules: StoredRules = new Map();
  const chunks = ids === undefined ? [undefined] : Array.from({ length: Math.ceil(ids.length / CHUNK) }, (_, i) => ids.slice(i * CHUNK, (i + 1) * CHUNK));
  for (const chunk of chunks) {
    if (chunk !== undefined && chunk.length === 0) continue;
    let groupQuery = db.selectFrom('security_groups').select(['id', 'type', 'inner_access_policy']);
    let ruleQuery = db.selectFrom('sg_rules').select(['id', 'security_group_id', 'body', 'created_at']).orderBy('seq');
    if (chunk !== undefined) {
      groupQuery = groupQuery.where('id', 'in', [...chunk]);
      ruleQuery = ruleQuery.where('security_group_id', 'in', [...chunk]);
    }
    const [groupRows, ruleRows] = await Promise.all([groupQuery.execute(), ruleQuery.execute()]);
    // the cast: bodies are written by the rule gate from a normalized Rule
    const parsed = ruleRows.map((r) => ({ row: r, rule: JSON.parse(r.body) as Rule }));
    const listIds = parsed.flatMap(({ rule }) => (rule.peer.kind === 'prefixList' ? [rule.peer.prefixListId] : []));
    const entries = new Map([...await entriesOf(db, listIds)].map(([id, es]) => [id, es.map((e) => e.cidr)]));
    const fwOf = new Map<string, FwRule[]>();
    for (const { row: r, rule } of parsed) {
      rules.set(r.id, { groupId: r.security_group_id, rule, createTime: r.created_at });
      const fws = toFwRules(r.security_group_id, r.id, rule, entries);
      if (fws.length === 0) continue;
      let list = fwOf.get(r.security_group_id);
      if (list === undefined) fwOf.set(r.security_group_id, list = []);
      list.push(...fws);
    }
    // the casts: the store holds only the values the domain wrote ('normal'/'enterprise', 'Accept'/'Drop')
    for (const g of groupRows) {
      groups.set(g.id, { groupId: g.id, type: g.type as FwGroup['type'], innerAccessPolicy: g.inner_access_policy as FwGroup['innerAccessPolicy'], rules: fwOf.get(g.id) ?? [] });
    }
  }
  return { groups, rules };
}
