// Stored security groups as the firewall engine's model (FwGroup, FwRule): the one loader that
// CheckNetworkAccess, DescribeExposure and the data plane's desired state read groups through,
// with the stored rules kept by id for the explanations that echo them. Rules the IPv4 engine
// does not model (IPv6, prefix lists, icmpv6) are left out of the model, not of the echo.
import { type Rule, portRangeBounds, sourcePortRangeBounds } from './sg-rules.ts';
import { parseCidr } from '../engine/cidr.ts';
import type { FwGroup, FwRule } from '../engine/firewall/index.ts';
import type { Db, Tx } from '../store/store.ts';

/** A stored rule, by id: which group holds it, the rule, and when it was made. */
export type StoredRules = Map<string, { groupId: string; rule: Rule; createTime: string }>;

/** The engine's form of a stored rule; undefined for rules the IPv4 engine does not model. */
export function toFwRule(groupId: string, ruleId: string, rule: Rule): FwRule | undefined {
  if (rule.ipProtocol === 'icmpv6') return undefined;
  let peer: FwRule['peer'];
  if (rule.peer.kind === 'cidr') {
    const c = parseCidr(rule.peer.cidr);
    if (c === null) return undefined;
    peer = { kind: 'cidr', range: { base: c.base, size: c.size } };
  } else if (rule.peer.kind === 'group') {
    peer = { kind: 'group', groupId: rule.peer.groupId };
  } else {
    return undefined;
  }
  const [portFrom, portTo] = portRangeBounds(rule);
  const [srcPortFrom, srcPortTo] = sourcePortRangeBounds(rule);
  const fw: FwRule = {
    groupId, ruleId, direction: rule.direction, protocol: rule.ipProtocol, portFrom, portTo, srcPortFrom, srcPortTo,
    policy: rule.policy, priority: rule.priority, nicType: rule.nicType, peer,
  };
  if (rule.otherCidr !== '') {
    const l = parseCidr(rule.otherCidr);
    if (l === null) return undefined;
    fw.local = { base: l.base, size: l.size };
  }
  return fw;
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
    const fwOf = new Map<string, FwRule[]>();
    for (const r of ruleRows) {
      // the cast: bodies are written by the rule gate from a normalized Rule
      const rule = JSON.parse(r.body) as Rule;
      rules.set(r.id, { groupId: r.security_group_id, rule, createTime: r.created_at });
      const fw = toFwRule(r.security_group_id, r.id, rule);
      if (fw === undefined) continue;
      let list = fwOf.get(r.security_group_id);
      if (list === undefined) fwOf.set(r.security_group_id, list = []);
      list.push(fw);
    }
    // the casts: the store holds only the values the domain wrote ('normal'/'enterprise', 'Accept'/'Drop')
    for (const g of groupRows) {
      groups.set(g.id, { groupId: g.id, type: g.type as FwGroup['type'], innerAccessPolicy: g.inner_access_policy as FwGroup['innerAccessPolicy'], rules: fwOf.get(g.id) ?? [] });
    }
  }
  return { groups, rules };
}
