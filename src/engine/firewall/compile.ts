// The compiled firewall engine: one ENI's groups turned into an index that answers SPEC §1.3 in
// well under a microsecond, with exactly the verdict, reason and deciding rule of the reference
// evaluator (reference.ts; the property tests in test/engine/firewall.test.ts hold the two
// together). `decide` is the fast path and returns no match list; `explain` lists every match.
//
// The index. Rules are ranked once by the decision order (priority, drop first, groupId, ruleId;
// rank 0 is the strongest), so "the first match decides" becomes "the smallest matching rank".
// Per flow kind (direction × NIC type × flow protocol = 16 buckets; an `all` rule sits in the four
// protocol buckets of its direction and NIC type) the rules are split three ways:
//  - main: CIDR peer, no source-port range, no local range: the bulk of real rule sets. They live
//    in a segment tree over the bucket's elementary port intervals (cut at every rule's portFrom
//    and portTo+1). A rule is stored at the O(log P) canonical nodes covering its port range (an
//    `all`/icmp/gre rule at the root); each non-empty node holds an address table: the elementary
//    address intervals of its rules' CIDRs with, per interval, the smallest rank covering it
//    (painted in rank order with a union-find "next unpainted" pointer, so building is
//    O(m log m)). A lookup is a binary search for the port's leaf, then, on the walk from that
//    leaf to the root, a binary search on the address in each non-empty node; the minimum wins.
//    Storage and compile time are O(n log P) table entries, never P × n.
//  - side: CIDR rules with a source-port or local range, in rank order, scanned only until their
//    rank reaches the best main match.
//  - group: group-authorized rules, in rank order, scanned likewise and only when the peer has
//    groups (group authorization is internal only).
// All per-rule attributes the scans need are columns in typed arrays indexed by rank.
//
// `decide` allocates nothing: its Decisions are built at compile time, shared and frozen.
//
// INVARIANT: ports are integers (an interval `a..b` is cut as [a, b+1)); addresses may be any
// numbers, ranges are [base, base+size) exactly as the reference reads them.
import { PRIVATE_RANGES } from '../cidr.ts';
import { type Decision, type Flow, type FwGroup, type FwRule, type Platform, DEFAULT_PLATFORM } from './model.ts';

/** rank of "no match": larger than any rank */
const NONE = 0x7fffffff;

// `decide`'s answers are shared between calls; freezing them (and the empty match list) makes a
// caller that mutates one fail loudly instead of corrupting later decisions.
// The cast: a frozen [] is `readonly never[]`; Decision.matchedRules is a mutable FwRule[] for
// explain's sake, and nothing can be written into this one.
const NO_MATCHES = Object.freeze([]) as unknown as FwRule[];
const PLATFORM: Decision = Object.freeze({ verdict: 'drop', reason: 'Platform', matchedRules: NO_MATCHES });
const INTRA_GROUP: Decision = Object.freeze({ verdict: 'accept', reason: 'IntraGroup', matchedRules: NO_MATCHES });
const DEFAULT_DROP: Decision = Object.freeze({ verdict: 'drop', reason: 'Default', matchedRules: NO_MATCHES });
const DEFAULT_ACCEPT: Decision = Object.freeze({ verdict: 'accept', reason: 'Default', matchedRules: NO_MATCHES });

/** RFC 1918 as flat [lo, hi) pairs for the platform check without closures. */
const PRIVATE_BOUNDS = Float64Array.from(PRIVATE_RANGES.flatMap((r) => [r.base, r.base + r.size]));

function isPrivateIp(ip: number): boolean {
  for (let i = 0; i < PRIVATE_BOUNDS.length; i += 2) {
    if (ip >= PRIVATE_BOUNDS[i]! && ip < PRIVATE_BOUNDS[i + 1]!) return true;
  }
  return false;
}

/** Per-rule columns, indexed by rank. */
interface Columns {
  /** 1 when the rule's protocol has ports (tcp, udp) */
  hasPorts: Uint8Array;
  portLo: Float64Array;
  portHi: Float64Array;
  /** 1 when the source range is not 1..65535 (and the rule has ports) */
  srcRestricted: Uint8Array;
  srcLo: Float64Array;
  srcHi: Float64Array;
  /** the authorized group of a group rule, undefined for a CIDR rule */
  peerGroup: (string | undefined)[];
  /** the CIDR peer as [lo, hi) */
  peerLo: Float64Array;
  peerHi: Float64Array;
  hasLocal: Uint8Array;
  localLo: Float64Array;
  localHi: Float64Array;
}

/** The index of one flow kind (direction × NIC type × protocol). */
interface Bucket {
  /** every rule of the bucket, ascending rank (explain) */
  all: Int32Array;
  /** leaf i of the port segment tree covers [portStarts[i], portStarts[i+1]); portStarts[0] = -Infinity */
  portStarts: Float64Array;
  /** leaves padded to a power of two; node 1 is the root, leaf i is node width + i */
  width: number;
  /** node n's address table is entries nodeStart[n] .. nodeStart[n+1]-1 */
  nodeStart: Int32Array;
  /** entry k covers addresses [addrStarts[k], addrStarts[k+1]) of its node; each table starts at -Infinity */
  addrStarts: Float64Array;
  addrRank: Int32Array;
  /** CIDR rules with a source-port or local range, ascending rank */
  side: Int32Array;
  /** group-authorized rules, ascending rank */
  group: Int32Array;
}

/**
 * One ENI's groups, compiled. Opaque: read it through `decide` and `explain`; the fields are
 * exposed read-only for benchmarks and diagnostics.
 */
export interface CompiledEni {
  /** the ENI's rules in decision order: rules[rank] */
  readonly rules: readonly FwRule[];
  /** `decide`'s answer when rule `rank` decides */
  readonly decisions: readonly Decision[];
  readonly columns: Columns;
  /** indexed by bucketIndex(); undefined when no rule acts on that flow kind */
  readonly buckets: readonly (Bucket | undefined)[];
  /** ids of the basic groups whose intra-group policy is Accept */
  readonly intraGroups: readonly string[];
  /** the default for egress: accept unless some group is advanced */
  readonly egressDefault: Decision;
  /** the platform's port-25 block applies (the ENI's account has not had it lifted) */
  readonly port25Blocked: boolean;
}

const PROTOCOL_INDEX: Readonly<Record<string, number>> = { tcp: 0, udp: 1, icmp: 2, gre: 3 };

function bucketIndex(direction: string, nicType: string, protocol: string): number {
  const d = direction === 'ingress' ? 0 : direction === 'egress' ? 1 : -1;
  const n = nicType === 'intranet' ? 0 : nicType === 'internet' ? 1 : -1;
  const p = PROTOCOL_INDEX[protocol] ?? -1;
  if (d < 0 || n < 0 || p < 0) return -1;
  return d * 8 + n * 4 + p;
}

/** The decision order; Array.prototype.sort is stable, so full ties keep the groups' order as the reference does. */
function compareRules(a: FwRule, b: FwRule): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.policy !== b.policy) return a.policy === 'drop' ? -1 : 1;
  if (a.groupId !== b.groupId) return a.groupId < b.groupId ? -1 : 1;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return 0;
}

/** Index of `v` in the sorted `a` (which holds it), by binary search. */
function indexOf(a: Float64Array, len: number, v: number): number {
  let lo = 0;
  let hi = len - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function buildColumns(rules: readonly FwRule[]): Columns {
  const n = rules.length;
  const c: Columns = {
    hasPorts: new Uint8Array(n), portLo: new Float64Array(n), portHi: new Float64Array(n),
    srcRestricted: new Uint8Array(n), srcLo: new Float64Array(n), srcHi: new Float64Array(n),
    peerGroup: new Array<string | undefined>(n), peerLo: new Float64Array(n), peerHi: new Float64Array(n),
    hasLocal: new Uint8Array(n), localLo: new Float64Array(n), localHi: new Float64Array(n),
  };
  for (let r = 0; r < n; r++) {
    const rule = rules[r]!;
    const ported = rule.protocol === 'tcp' || rule.protocol === 'udp';
    c.hasPorts[r] = ported ? 1 : 0;
    c.portLo[r] = rule.portFrom;
    c.portHi[r] = rule.portTo;
    c.srcRestricted[r] = ported && !(rule.srcPortFrom === 1 && rule.srcPortTo === 65535) ? 1 : 0;
    c.srcLo[r] = rule.srcPortFrom;
    c.srcHi[r] = rule.srcPortTo;
    if (rule.peer.kind === 'cidr') {
      c.peerGroup[r] = undefined;
      c.peerLo[r] = rule.peer.range.base;
      c.peerHi[r] = rule.peer.range.base + rule.peer.range.size;
    } else {
      c.peerGroup[r] = rule.peer.groupId;
    }
    if (rule.local !== undefined) {
      c.hasLocal[r] = 1;
      c.localLo[r] = rule.local.base;
      c.localHi[r] = rule.local.base + rule.local.size;
    }
  }
  return c;
}

/**
 * Rule `r` against a flow, every attribute but direction, NIC type and protocol (the bucket
 * settled those). `port` is the rule's port side (local for ingress, remote for egress), `other`
 * the source-port side.
 */
function matchesRank(
  c: Columns, r: number, port: number, other: number, remoteIp: number, localIp: number, peerGroups: readonly string[],
): boolean {
  if (c.hasPorts[r] === 1) {
    if (port < c.portLo[r]! || port > c.portHi[r]!) return false;
    if (c.srcRestricted[r] === 1 && (other < c.srcLo[r]! || other > c.srcHi[r]!)) return false;
  }
  const g = c.peerGroup[r];
  if (g === undefined) {
    if (remoteIp < c.peerLo[r]! || remoteIp >= c.peerHi[r]!) return false;
  } else if (!peerGroups.includes(g)) {
    return false;
  }
  if (c.hasLocal[r] === 1 && (localIp < c.localLo[r]! || localIp >= c.localHi[r]!)) return false;
  return true;
}

/** Scratch buffers reused across the nodes of one compile (grown on demand). */
interface Scratch { bounds: Float64Array; paint: Int32Array; next: Int32Array }

function ensureScratch(s: Scratch, m: number): void {
  if (s.bounds.length < 2 * m + 1) {
    const size = 2 * m + 1;
    s.bounds = new Float64Array(size);
    s.paint = new Int32Array(size);
    s.next = new Int32Array(size + 1);
  }
}

/**
 * Writes the address table of one node (its rules `ranks[from..to)`, ascending) at `out`:
 * elementary intervals with the smallest covering rank, adjacent equal ranks merged. Returns the
 * new end of the output.
 */
function buildAddressTable(
  c: Columns, ranks: Int32Array, from: number, to: number, s: Scratch,
  outStarts: Float64Array, outRank: Int32Array, out: number,
): number {
  const m = to - from;
  ensureScratch(s, m);
  const b = s.bounds;
  // boundaries: -Infinity, then every lo and hi, sorted and deduplicated
  let nb = 0;
  for (let i = from; i < to; i++) {
    const r = ranks[i]!;
    b[1 + nb++] = c.peerLo[r]!;
    b[1 + nb++] = c.peerHi[r]!;
  }
  b[0] = -Infinity;
  b.subarray(1, 1 + nb).sort();
  let q = 1;
  for (let i = 1; i <= nb; i++) if (b[i]! !== b[q - 1]!) b[q++] = b[i]!;
  // paint in rank order; next[k] jumps over painted intervals (union-find with path halving)
  const paint = s.paint;
  const next = s.next;
  for (let k = 0; k < q; k++) { paint[k] = NONE; next[k] = k; }
  next[q] = q;
  for (let i = from; i < to; i++) {
    const r = ranks[i]!;
    const lo = c.peerLo[r]!;
    const hi = c.peerHi[r]!;
    if (!(lo < hi)) continue;
    const end = indexOf(b, q, hi);
    let k = indexOf(b, q, lo);
    for (;;) {
      while (next[k]! !== k) { next[k] = next[next[k]!]!; k = next[k]!; }
      if (k >= end) break;
      paint[k] = r;
      next[k] = k + 1;
    }
  }
  let prev = -1;
  for (let k = 0; k < q; k++) {
    const r = paint[k]!;
    if (r === prev) continue;
    outStarts[out] = b[k]!;
    outRank[out] = r;
    out++;
    prev = r;
  }
  return out;
}

function buildBucket(c: Columns, ranks: readonly number[], s: Scratch): Bucket {
  const main: number[] = [];
  const side: number[] = [];
  const group: number[] = [];
  for (const r of ranks) {
    if (c.peerGroup[r] !== undefined) group.push(r);
    else if (c.srcRestricted[r] === 1 || c.hasLocal[r] === 1) side.push(r);
    else if (c.hasPorts[r] === 0 || c.portLo[r]! <= c.portHi[r]!) main.push(r); // an empty port range never matches
  }

  // the port axis: elementary intervals cut at every ported main rule's portFrom and portTo+1
  const cuts = new Float64Array(2 * main.length + 1);
  let nc = 0;
  for (const r of main) {
    if (c.hasPorts[r] === 1) { cuts[1 + nc++] = c.portLo[r]!; cuts[1 + nc++] = c.portHi[r]! + 1; }
  }
  cuts[0] = -Infinity;
  cuts.subarray(1, 1 + nc).sort();
  let leaves = 1;
  for (let i = 1; i <= nc; i++) if (cuts[i]! !== cuts[leaves - 1]!) cuts[leaves++] = cuts[i]!;
  const portStarts = cuts.slice(0, leaves);
  let width = 1;
  while (width < leaves) width <<= 1;

  // canonical nodes of each rule's leaf range, in rank order
  const pairNode: number[] = [];
  const pairRank: number[] = [];
  for (const r of main) {
    if (c.hasPorts[r] === 0) { pairNode.push(1); pairRank.push(r); continue; }
    let l = indexOf(portStarts, leaves, c.portLo[r]!) + width;
    let h = indexOf(portStarts, leaves, c.portHi[r]! + 1) + width;
    while (l < h) {
      if (l & 1) { pairNode.push(l++); pairRank.push(r); }
      if (h & 1) { pairNode.push(--h); pairRank.push(r); }
      l >>= 1;
      h >>= 1;
    }
  }
  // group the pairs by node (counting sort: stable, so each node's ranks stay ascending)
  const nodes = 2 * width;
  const count = new Int32Array(nodes + 1);
  for (const n of pairNode) count[n + 1]!++;
  for (let n = 0; n < nodes; n++) count[n + 1]! += count[n]!;
  const byNode = new Int32Array(pairNode.length);
  const fill = count.slice();
  for (let i = 0; i < pairNode.length; i++) byNode[fill[pairNode[i]!]!++] = pairRank[i]!;

  let nonEmpty = 0;
  for (let n = 1; n < nodes; n++) if (count[n + 1]! > count[n]!) nonEmpty++;
  const addrStarts = new Float64Array(2 * pairNode.length + nonEmpty);
  const addrRank = new Int32Array(addrStarts.length);
  const nodeStart = new Int32Array(nodes + 1);
  let out = 0;
  for (let n = 1; n < nodes; n++) {
    nodeStart[n] = out;
    if (count[n + 1]! > count[n]!) out = buildAddressTable(c, byNode, count[n]!, count[n + 1]!, s, addrStarts, addrRank, out);
  }
  nodeStart[nodes] = out;

  return {
    all: Int32Array.from(ranks), portStarts, width, nodeStart, addrStarts, addrRank,
    side: Int32Array.from(side), group: Int32Array.from(group),
  };
}

/** Compiles the groups of one ENI with its account's platform rules (the order of `groups` only breaks full ties, as in the reference). */
export function compileEni(groups: readonly FwGroup[], platform: Platform = DEFAULT_PLATFORM): CompiledEni {
  const rules: FwRule[] = [];
  for (const g of groups) for (const r of g.rules) rules.push(r);
  rules.sort(compareRules);
  const columns = buildColumns(rules);
  const decisions = rules.map((rule): Decision => Object.freeze({ verdict: rule.policy, reason: 'Rule', decidingRule: rule, matchedRules: NO_MATCHES }));

  const perBucket: number[][] = Array.from({ length: 16 }, () => []);
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    if (rule.protocol === 'all') {
      for (const p of ['tcp', 'udp', 'icmp', 'gre']) {
        const b = bucketIndex(rule.direction, rule.nicType, p);
        if (b >= 0) perBucket[b]!.push(r);
      }
    } else {
      const b = bucketIndex(rule.direction, rule.nicType, rule.protocol);
      if (b >= 0) perBucket[b]!.push(r);
    }
  }
  const scratch: Scratch = { bounds: new Float64Array(0), paint: new Int32Array(0), next: new Int32Array(0) };
  const buckets = perBucket.map((ranks) => (ranks.length === 0 ? undefined : buildBucket(columns, ranks, scratch)));

  const intraGroups = groups.filter((g) => g.type === 'normal' && g.innerAccessPolicy === 'Accept').map((g) => g.groupId);
  const egressDefault = groups.every((g) => g.type === 'normal') ? DEFAULT_ACCEPT : DEFAULT_DROP;
  return { rules, decisions, columns, buckets, intraGroups, egressDefault, port25Blocked: platform.port25Blocked };
}

function sharesGroup(mine: readonly string[], peers: readonly string[]): boolean {
  for (let i = 0; i < peers.length; i++) {
    const p = peers[i]!;
    for (let j = 0; j < mine.length; j++) if (mine[j] === p) return true;
  }
  return false;
}

/** The smallest rank matching the flow in `bucket`, or NONE. */
function firstMatch(c: CompiledEni, b: Bucket, flow: Flow): number {
  const ingress = flow.direction === 'ingress';
  const port = ingress ? flow.localPort : flow.remotePort;
  const other = ingress ? flow.remotePort : flow.localPort;
  const ip = flow.remoteIp;

  // main: the port's leaf, then every non-empty node on its way to the root
  const ps = b.portStarts;
  let lo = 0;
  let hi = ps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ps[mid]! <= port) lo = mid;
    else hi = mid - 1;
  }
  let best = NONE;
  const ns = b.nodeStart;
  const as = b.addrStarts;
  for (let n = lo + b.width; n >= 1; n >>= 1) {
    let a = ns[n]!;
    let z = ns[n + 1]! - 1;
    if (z < a) continue;
    while (a < z) {
      const mid = (a + z + 1) >> 1;
      if (as[mid]! <= ip) a = mid;
      else z = mid - 1;
    }
    const r = b.addrRank[a]!;
    if (r < best) best = r;
  }

  // side lists: only ranks stronger than the best so far can change the answer
  const cols = c.columns;
  const side = b.side;
  for (let i = 0; i < side.length; i++) {
    const r = side[i]!;
    if (r >= best) break;
    if (matchesRank(cols, r, port, other, ip, flow.localIp, flow.peerGroups)) { best = r; break; }
  }
  if (flow.peerGroups.length > 0) {
    const group = b.group;
    for (let i = 0; i < group.length; i++) {
      const r = group[i]!;
      if (r >= best) break;
      if (matchesRank(cols, r, port, other, ip, flow.localIp, flow.peerGroups)) { best = r; break; }
    }
  }
  return best;
}

/**
 * SPEC §1.3 for one flow: the verdict, the reason and the deciding rule, exactly as
 * `decideReference` gives them. Fast path: `matchedRules` is always [] (call `explain` for the
 * list), and the returned object is shared and frozen.
 */
export function decide(c: CompiledEni, flow: Flow): Decision {
  if (c.port25Blocked && flow.direction === 'egress' && flow.protocol === 'tcp' && flow.remotePort === 25 && !isPrivateIp(flow.remoteIp)) return PLATFORM;
  if (c.intraGroups.length > 0 && sharesGroup(c.intraGroups, flow.peerGroups)) return INTRA_GROUP;
  const i = bucketIndex(flow.direction, flow.nicType, flow.protocol);
  const b = i < 0 ? undefined : c.buckets[i];
  if (b !== undefined) {
    const r = firstMatch(c, b, flow);
    if (r !== NONE) return c.decisions[r]!;
  }
  return flow.direction === 'ingress' ? DEFAULT_DROP : c.egressDefault;
}

/**
 * Like `decide`, with every matching rule listed in decision order (for the API's explanation).
 * Scans the flow's bucket linearly: slower than `decide`, still without the reference's sort.
 * Returns a fresh object the caller owns.
 */
export function explain(c: CompiledEni, flow: Flow): Decision {
  if (c.port25Blocked && flow.direction === 'egress' && flow.protocol === 'tcp' && flow.remotePort === 25 && !isPrivateIp(flow.remoteIp)) {
    return { verdict: 'drop', reason: 'Platform', matchedRules: [] };
  }
  const matchedRules: FwRule[] = [];
  const i = bucketIndex(flow.direction, flow.nicType, flow.protocol);
  const b = i < 0 ? undefined : c.buckets[i];
  if (b !== undefined) {
    const ingress = flow.direction === 'ingress';
    const port = ingress ? flow.localPort : flow.remotePort;
    const other = ingress ? flow.remotePort : flow.localPort;
    for (let k = 0; k < b.all.length; k++) {
      const r = b.all[k]!;
      if (matchesRank(c.columns, r, port, other, flow.remoteIp, flow.localIp, flow.peerGroups)) matchedRules.push(c.rules[r]!);
    }
  }
  if (sharesGroup(c.intraGroups, flow.peerGroups)) return { verdict: 'accept', reason: 'IntraGroup', matchedRules };
  const first = matchedRules[0];
  if (first !== undefined) return { verdict: first.policy, reason: 'Rule', decidingRule: first, matchedRules };
  const d = flow.direction === 'ingress' ? DEFAULT_DROP : c.egressDefault;
  return { verdict: d.verdict, reason: 'Default', matchedRules };
}
