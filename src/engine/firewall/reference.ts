// The reference evaluator: SPEC §1.3 written out step by step, one rule at a time, with no index
// and no precomputation. It is slow on purpose and kept as the oracle that the compiled engine
// (compile.ts) is tested against (test/engine/firewall.test.ts) and measured against
// (bench/firewall.ts). Change the semantics here first, then make compile.ts agree.
import { isPrivate, isPrivate6, ip6FromWords } from '../cidr.ts';
import { type Decision, type Flow, type FwGroup, type FwRule, type AddressRange, type Address6Range, type Platform, DEFAULT_PLATFORM } from './model.ts';

function inRange(r: AddressRange, ip: number): boolean {
  return ip >= r.base && ip < r.base + r.size;
}

function inRange6(r: Address6Range, ip: bigint): boolean {
  return ip >= r.base && ip < r.base + r.size;
}

/** A flow's IPv6 addresses as bigints (the oracle reads them plainly; the compiled engine compares words). */
function addresses6(flow: Flow): { local: bigint; remote: bigint } | undefined {
  return flow.ip6 === undefined ? undefined : { local: ip6FromWords(flow.ip6.local), remote: ip6FromWords(flow.ip6.remote) };
}

function hasPorts(protocol: FwRule['protocol']): boolean {
  return protocol === 'tcp' || protocol === 'udp';
}

/** Whether `rule` matches `flow`, every attribute checked (SPEC §1.3 step 3; port semantics in model.ts). */
export function ruleMatches(rule: FwRule, flow: Flow): boolean {
  if (rule.direction !== flow.direction || rule.nicType !== flow.nicType) return false;
  if (rule.protocol !== 'all' && rule.protocol !== flow.protocol) return false;
  if (hasPorts(rule.protocol) && hasPorts(flow.protocol)) {
    const port = flow.direction === 'ingress' ? flow.localPort : flow.remotePort;
    const other = flow.direction === 'ingress' ? flow.remotePort : flow.localPort;
    if (port < rule.portFrom || port > rule.portTo) return false;
    const restrictsSource = !(rule.srcPortFrom === 1 && rule.srcPortTo === 65535);
    if (restrictsSource && (other < rule.srcPortFrom || other > rule.srcPortTo)) return false;
  }
  // the family: IPv4 addresses meet IPv4 flows only, IPv6 addresses IPv6 flows only (model.ts)
  const v6 = addresses6(flow);
  if (rule.peer.kind === 'cidr') {
    if (v6 !== undefined || !inRange(rule.peer.range, flow.remoteIp)) return false;
  } else if (rule.peer.kind === 'cidr6') {
    if (v6 === undefined || !inRange6(rule.peer.range, v6.remote)) return false;
  } else if (!flow.peerGroups.includes(rule.peer.groupId)) {
    // group authorization covers the internal network only: no peer groups, no match
    return false;
  }
  if (rule.local !== undefined && (v6 !== undefined || !inRange(rule.local, flow.localIp))) return false;
  if (rule.local6 !== undefined && (v6 === undefined || !inRange6(rule.local6, v6.local))) return false;
  return true;
}

/** The order in which matches are listed and the first one decides: priority, drop before accept, groupId, ruleId. */
export function compareRules(a: FwRule, b: FwRule): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.policy !== b.policy) return a.policy === 'drop' ? -1 : 1;
  if (a.groupId !== b.groupId) return a.groupId < b.groupId ? -1 : 1;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return 0;
}

/** SPEC §1.3 for one ENI (its groups), its account's platform rules, and one flow. */
export function decideReference(groups: readonly FwGroup[], flow: Flow, platform: Platform = DEFAULT_PLATFORM): Decision {
  // 1. Platform: outbound SMTP to the internet is blocked before any group is consulted (unless lifted for the account).
  const publicPeer = flow.ip6 === undefined ? !isPrivate(flow.remoteIp) : !isPrivate6(ip6FromWords(flow.ip6.remote));
  if (platform.port25Blocked && flow.direction === 'egress' && flow.protocol === 'tcp' && flow.remotePort === 25 && publicPeer) {
    return { verdict: 'drop', reason: 'Platform', matchedRules: [] };
  }

  // 3 (computed first, for the explanation even when step 2 decides). Array.sort is stable, so rules
  // equal in every key keep the order of the groups and of the rules inside them.
  const matchedRules = groups.flatMap((g) => g.rules).filter((r) => ruleMatches(r, flow)).sort(compareRules);

  // 2. Intra-group: a shared basic group whose policy is Accept lets members talk whatever the rules say.
  const shared = groups.some((g) => g.type === 'normal' && g.innerAccessPolicy === 'Accept' && flow.peerGroups.includes(g.groupId));
  if (shared) return { verdict: 'accept', reason: 'IntraGroup', matchedRules };

  const first = matchedRules[0];
  if (first !== undefined) return { verdict: first.policy, reason: 'Rule', decidingRule: first, matchedRules };

  // 4. Default: inbound denied; outbound allowed unless an advanced group is involved.
  if (flow.direction === 'ingress') return { verdict: 'drop', reason: 'Default', matchedRules };
  const allBasic = groups.every((g) => g.type === 'normal');
  return { verdict: allBasic ? 'accept' : 'drop', reason: 'Default', matchedRules };
}
