// The compiled firewall engine: one ENI's groups turned into an index that answers SPEC §1.3 in
// well under a microsecond, with exactly the verdict, reason and deciding rule of the reference
// evaluator (reference.ts; the property tests in test/engine/firewall.test.ts hold the two
// together). `decide` is the fast path and returns no match list; `explain` lists every match.
//
// The index. Rules are ranked once by the decision order (priority, drop first, groupId, ruleId;
// rank 0 is the strongest), so "the first match decides" becomes "the smallest matching rank".
// Per flow kind (family × direction × NIC type × flow protocol = 40 buckets; an `all` rule sits in
// the five protocol buckets of its direction and NIC type, a rule in the buckets of its family or
// families, model.ts) the rules are split three ways:
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
// `decide` allocates nothing for IPv4 flows: its Decisions are built at compile time, shared and
// frozen.
//
// IPv6 addresses are compressed to small integers so that the same index serves both families:
// the boundaries of every IPv6 range of the ENI's rules (base and base + size of each cidr6 peer
// and local6 range) are sorted once (`bounds6`), and an address becomes the number of boundaries
// at or below it. Two addresses between the same two boundaries lie in exactly the same ranges,
// and `base <= x < base + size` holds exactly when `rank(base) <= rank(x) < rank(base + size)`,
// so decisions on ranks are decisions on addresses. A flow pays one binary search for its remote
// address, comparing the four 32-bit words of model.ts's Ip6 (plain numbers, not bigints); the
// local one is nearly always the ENI's own and is remembered from the last flow.
//
// INVARIANT: ports are integers (an interval `a..b` is cut as [a, b+1)); addresses may be any
// numbers, ranges are [base, base+size) exactly as the reference reads them.
import { PRIVATE_RANGES, isPrivate6, ip6FromWords, ip6Words } from '../cidr.ts';
import { type Decision, type Flow, type FwGroup, type FwRule, type Ip6, type Platform, DEFAULT_PLATFORM } from './model.ts';

/** rank of "no match": larger than any rank */
const NONE = 0x7fffffff;
/** ports 0..65535 */
const PORT_SPAN = 0x10000;
/** from this many port leaves on, a bucket maps ports to leaves by a table (128 KiB) instead of a binary search */
const LEAF_TABLE_MIN = 128;
/** the leaves' own tables may hold this many times the entries of the node tables (at least 256) */
const FLAT_BUDGET = 16;

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
  /** an IPv6 CIDR peer's [lo, hi) as the flows' words (4 per rank), so a side rule meets an IPv6 address without ranking it */
  peerLoW: Float64Array;
  peerHiW: Float64Array;
}

/** The index of one flow kind (direction × NIC type × protocol). */
interface Bucket {
  /** every rule of the bucket, ascending rank (explain) */
  all: Int32Array;
  /** leaf i of the port segment tree covers [portStarts[i], portStarts[i+1]); portStarts[0] = -Infinity */
  portStarts: Float64Array;
  /** leaves padded to a power of two; node 1 is the root, leaf i is node width + i */
  width: number;
  /** per port 0..65535, its leaf (buckets with many leaves only: a lookup instead of a binary search) */
  leafOfPort: Uint16Array | Int32Array | undefined;
  /** up[n]: the nearest node at or above n whose address table is not empty, 0 for none */
  up: Int32Array;
  /**
   * Each leaf's own table, when they fit the budget (FLAT_BUDGET): the minimum of the tables on
   * its way to the root, so a lookup is one binary search; leaf i is entries flatStart[i] ..
   * flatStart[i+1]-1 of flatAddr/flatRank. Undefined: walk the nodes.
   */
  flatStart: Int32Array | undefined;
  flatAddr: Float64Array;
  flatRank: Int32Array;
  /**
   * IPv6 buckets with leaves' tables: each entry's start as the flows' words (4 per entry; the
   * first of a leaf is below every address), so `decide` finds an IPv6 address's entry without
   * ranking it among all the ENI's boundaries first
   */
  flatWords: Float64Array | undefined;
  /** node n's address table is entries nodeStart[n] .. nodeStart[n+1]-1 */
  nodeStart: Int32Array;
  /** entry k covers addresses [addrStarts[k], addrStarts[k+1]) of its node; each table starts at -Infinity */
  addrStarts: Float64Array;
  addrRank: Int32Array;
  /** CIDR rules with a source-port or local range, ascending rank */
  side: Int32Array;
  /** group-authorized rules, ascending rank */
  group: Int32Array;
  /**
   * Per leaf, the side and group rules whose port range meets the leaf's (a rule without ports
   * meets every leaf): leaf i's are sideOf[sideStart[i] .. sideStart[i+1]-1], ascending rank, and
   * likewise groupOf. A flow scans only its leaf's list.
   */
  sideStart: Int32Array;
  sideOf: Int32Array;
  groupStart: Int32Array;
  groupOf: Int32Array;
}

/**
 * One ENI's groups, compiled. Opaque: read it through `decide` and `explain`; the fields are
 * exposed read-only for benchmarks and diagnostics.
 */
export interface CompiledEni {
  /** the sorted, distinct boundaries of the rules' IPv6 ranges: IPv6 addresses are compressed to ranks among them */
  readonly bounds6: readonly bigint[];
  /** bounds6 as the flows' words (model.ts Ip6): boundary k is words6[4k .. 4k+3]; 2^128 is [2^32, 0, 0, 0] */
  readonly words6: Float64Array;
  /** the last local IPv6 address ranked (its words, w[4] its rank): an ENI's flows nearly always share their local end */
  readonly localMemo: Float64Array;
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

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'gre', 'icmpv6'] as const;
const BUCKETS = 2 * 2 * 2 * PROTOCOLS.length;

/** family 0 is IPv4, 1 is IPv6 */
function protocolIndex(protocol: string): number {
  switch (protocol) {
    case 'tcp': return 0;
    case 'udp': return 1;
    case 'icmp': return 2;
    case 'gre': return 3;
    case 'icmpv6': return 4;
    default: return -1;
  }
}

function bucketIndex(family: number, direction: string, nicType: string, protocol: string): number {
  const d = direction === 'ingress' ? 0 : direction === 'egress' ? 1 : -1;
  const n = nicType === 'intranet' ? 0 : nicType === 'internet' ? 1 : -1;
  const p = protocolIndex(protocol);
  if (d < 0 || n < 0 || p < 0) return -1;
  return ((family * 2 + d) * 2 + n) * PROTOCOLS.length + p;
}

/** The families a rule can match (model.ts): 0 IPv4, 1 IPv6. */
function familiesOf(rule: FwRule): number[] {
  const v4 = rule.peer.kind === 'cidr' || rule.local !== undefined;
  const v6 = rule.peer.kind === 'cidr6' || rule.local6 !== undefined;
  if (v4 && v6) return []; // an IPv4 and an IPv6 address to meet at once: never
  return v4 ? [0] : v6 ? [1] : [0, 1];
}

/** The number of boundaries at or below `x` in the sorted `bounds` (the rank of an IPv6 address). */
function rank6(bounds: readonly bigint[], x: bigint): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bounds[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** rank6 of a flow's address given as words: the same count, by lexicographic comparison of numbers. */
function rank6w(w: Float64Array, x: Ip6): number {
  let lo = 0;
  let hi = w.length >> 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (wordsLe(w, mid << 2, x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** rank6w of a flow's local address, through the one-entry memo. */
function localRank6(c: CompiledEni, x: Ip6): number {
  const m = c.localMemo;
  if (m[0] !== x[0] || m[1] !== x[1] || m[2] !== x[2] || m[3] !== x[3]) {
    m[4] = rank6w(c.words6, x);
    m[0] = x[0];
    m[1] = x[1];
    m[2] = x[2];
    m[3] = x[3];
  }
  return m[4]!;
}

function wordsOf(bounds: readonly bigint[]): Float64Array {
  const w = new Float64Array(bounds.length * 4);
  bounds.forEach((b, k) => {
    if (b >> 128n !== 0n) w[4 * k] = 2 ** 32; // the end of the address space
    else w.set(ip6Words(b), 4 * k);
  });
  return w;
}

function collectBounds6(rules: readonly FwRule[]): bigint[] {
  const all: bigint[] = [];
  for (const r of rules) {
    if (r.peer.kind === 'cidr6') all.push(r.peer.range.base, r.peer.range.base + r.peer.range.size);
    if (r.local6 !== undefined) all.push(r.local6.base, r.local6.base + r.local6.size);
  }
  all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return all.filter((x, i) => i === 0 || x !== all[i - 1]);
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

function buildColumns(rules: readonly FwRule[], bounds6: readonly bigint[]): Columns {
  const n = rules.length;
  const c: Columns = {
    hasPorts: new Uint8Array(n), portLo: new Float64Array(n), portHi: new Float64Array(n),
    srcRestricted: new Uint8Array(n), srcLo: new Float64Array(n), srcHi: new Float64Array(n),
    peerGroup: new Array<string | undefined>(n), peerLo: new Float64Array(n), peerHi: new Float64Array(n),
    hasLocal: new Uint8Array(n), localLo: new Float64Array(n), localHi: new Float64Array(n),
    peerLoW: new Float64Array(4 * n), peerHiW: new Float64Array(4 * n),
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
    } else if (rule.peer.kind === 'cidr6') {
      c.peerGroup[r] = undefined;
      c.peerLo[r] = rank6(bounds6, rule.peer.range.base);
      c.peerHi[r] = rank6(bounds6, rule.peer.range.base + rule.peer.range.size);
    } else {
      c.peerGroup[r] = rule.peer.groupId;
    }
    if (rule.local !== undefined) {
      c.hasLocal[r] = 1;
      c.localLo[r] = rule.local.base;
      c.localHi[r] = rule.local.base + rule.local.size;
    } else if (rule.local6 !== undefined) {
      c.hasLocal[r] = 1;
      c.localLo[r] = rank6(bounds6, rule.local6.base);
      c.localHi[r] = rank6(bounds6, rule.local6.base + rule.local6.size);
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
  return portsAndLocalMatch(c, r, port, other, localIp) && peerMatches(c, r, remoteIp, peerGroups);
}

/** The part of matchesRank that does not need the remote address. */
function portsAndLocalMatch(c: Columns, r: number, port: number, other: number, localIp: number): boolean {
  if (c.hasPorts[r] === 1) {
    if (port < c.portLo[r]! || port > c.portHi[r]!) return false;
    if (c.srcRestricted[r] === 1 && (other < c.srcLo[r]! || other > c.srcHi[r]!)) return false;
  }
  return c.hasLocal[r] === 0 || (localIp >= c.localLo[r]! && localIp < c.localHi[r]!);
}

/** w[k..k+3] <= x, word by word */
function wordsLe(w: Float64Array, k: number, x: Ip6): boolean {
  const b0 = w[k]!;
  if (b0 !== x[0]) return b0 < x[0];
  const b1 = w[k + 1]!;
  if (b1 !== x[1]) return b1 < x[1];
  const b2 = w[k + 2]!;
  if (b2 !== x[2]) return b2 < x[2];
  return w[k + 3]! <= x[3];
}

/** peerMatches for an IPv6 address given as words (the rule is a cidr6 or group rule of an IPv6 bucket). */
function peerMatches6(c: Columns, r: number, x: Ip6, peerGroups: readonly string[]): boolean {
  const g = c.peerGroup[r];
  if (g === undefined) return wordsLe(c.peerLoW, 4 * r, x) && !wordsLe(c.peerHiW, 4 * r, x);
  return peerGroups.includes(g);
}

/** The rest of matchesRank: the remote address in the rule's range, or the peer in its group. */
function peerMatches(c: Columns, r: number, remoteIp: number, peerGroups: readonly string[]): boolean {
  const g = c.peerGroup[r];
  if (g === undefined) return remoteIp >= c.peerLo[r]! && remoteIp < c.peerHi[r]!;
  return peerGroups.includes(g);
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

function buildBucket(c: Columns, ranks: readonly number[], s: Scratch, flatBudget: number, words6: Float64Array | undefined): Bucket {
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
  const up = new Int32Array(nodes);
  for (let n = 1; n < nodes; n++) up[n] = nodeStart[n + 1]! > nodeStart[n]! ? n : up[n >> 1]!;
  let leafOfPort: Uint16Array | Int32Array | undefined;
  if (leaves >= LEAF_TABLE_MIN) {
    leafOfPort = leaves <= 0x10000 ? new Uint16Array(PORT_SPAN) : new Int32Array(PORT_SPAN);
    let leaf = 0;
    for (let port = 0; port < PORT_SPAN; port++) {
      while (leaf + 1 < leaves && portStarts[leaf + 1]! <= port) leaf++;
      leafOfPort[port] = leaf;
    }
  }

  const flat = flattenLeaves(leaves, width, up, nodeStart, addrStarts, addrRank, flatBudget);
  let flatWords: Float64Array | undefined;
  if (flat !== undefined && words6 !== undefined) {
    // an entry starting at rank r (>= 1) starts at boundary r-1; -Infinity is below every address
    const fw = new Float64Array(flat.addr.length * 4);
    for (let e = 0; e < flat.addr.length; e++) {
      const start = flat.addr[e]!;
      if (start === -Infinity) fw[4 * e] = -1;
      else for (let j = 0; j < 4; j++) fw[4 * e + j] = words6[4 * (start - 1) + j]!;
    }
    flatWords = fw;
  }
  const sideLists = perLeaf(c, side, portStarts);
  const groupLists = perLeaf(c, group, portStarts);
  return {
    flatWords,
    all: Int32Array.from(ranks), portStarts, width, leafOfPort, up, nodeStart, addrStarts, addrRank,
    flatStart: flat?.start, flatAddr: flat?.addr ?? new Float64Array(0), flatRank: flat?.rank ?? new Int32Array(0),
    side: Int32Array.from(side), group: Int32Array.from(group),
    sideStart: sideLists.start, sideOf: sideLists.of, groupStart: groupLists.start, groupOf: groupLists.of,
  };
}

/**
 * Each leaf's share of `ranks` (ascending): the rules whose port range meets the leaf's
 * [portStarts[i], portStarts[i+1]), every rule for a rule without ports. The leaf's list is a
 * superset of the rules that can match a port in it; the scan still checks the ports.
 */
function perLeaf(c: Columns, ranks: readonly number[], portStarts: Float64Array): { start: Int32Array; of: Int32Array } {
  const leaves = portStarts.length;
  const start = new Int32Array(leaves + 1);
  if (ranks.length === 0) return { start, of: new Int32Array(0) };
  // the leaves of each rule: [first, last], by the leaves' starts
  const first = new Int32Array(ranks.length);
  const last = new Int32Array(ranks.length);
  for (let k = 0; k < ranks.length; k++) {
    const r = ranks[k]!;
    if (c.hasPorts[r] === 0) { first[k] = 0; last[k] = leaves - 1; continue; }
    first[k] = leafOf(portStarts, c.portLo[r]!);
    last[k] = c.portLo[r]! <= c.portHi[r]! ? leafOf(portStarts, c.portHi[r]!) : first[k]! - 1; // an empty range meets none
  }
  const count = new Int32Array(leaves + 1);
  for (let k = 0; k < ranks.length; k++) for (let i = first[k]!; i <= last[k]!; i++) count[i + 1]!++;
  for (let i = 0; i < leaves; i++) count[i + 1]! += count[i]!;
  const of = new Int32Array(count[leaves]!);
  const fill = count.slice(0, leaves);
  // ranks ascending, so each leaf's list is ascending
  for (let k = 0; k < ranks.length; k++) for (let i = first[k]!; i <= last[k]!; i++) of[fill[i]!++] = ranks[k]!;
  start.set(count);
  return { start, of };
}

/** The leaf whose interval holds `port`: the last start at or below it. */
function leafOf(portStarts: Float64Array, port: number): number {
  let lo = 0;
  let hi = portStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (portStarts[mid]! <= port) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The leaves' own tables: per leaf, the pointwise minimum of the (step-function) tables of the
 * nodes on its way to the root, adjacent equal ranks merged. Undefined when they would exceed
 * FLAT_BUDGET times the node tables (many wide rules over many leaves): the walk stays.
 */
function flattenLeaves(
  leaves: number, width: number, up: Int32Array, nodeStart: Int32Array, addrStarts: Float64Array, addrRank: Int32Array, flatBudget: number,
): { start: Int32Array; addr: Float64Array; rank: Int32Array } | undefined {
  if (flatBudget <= 0) return undefined;
  const budget = flatBudget * Math.max(nodeStart[nodeStart.length - 1]!, 256);
  const start = new Int32Array(leaves + 1);
  let addr = new Float64Array(Math.min(budget, 1024));
  let rank = new Int32Array(addr.length);
  let out = 0;
  /** appends (a, r) unless it continues the last entry's rank; `fresh`: the first entry of a leaf */
  const push = (a: number, r: number, fresh: boolean): boolean => {
    if (!fresh && rank[out - 1] === r) return true;
    if (out >= budget) return false;
    if (out === addr.length) {
      const size = Math.min(budget, addr.length * 2);
      const a2 = new Float64Array(size); a2.set(addr); addr = a2;
      const r2 = new Int32Array(size); r2.set(rank); rank = r2;
    }
    addr[out] = a;
    rank[out] = r;
    out++;
    return true;
  };
  const ptr: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < leaves; i++) {
    start[i] = out;
    const before = out;
    ptr.length = 0;
    end.length = 0;
    for (let n = up[i + width]!; n !== 0; n = up[n >> 1]!) { ptr.push(nodeStart[n]!); end.push(nodeStart[n + 1]!); }
    // every node table starts at -Infinity: walk the boundaries of all of them in order
    let at = -Infinity;
    for (;;) {
      let r = NONE;
      for (let j = 0; j < ptr.length; j++) { const x = addrRank[ptr[j]!]!; if (x < r) r = x; }
      if (!push(at, r, out === before)) return undefined;
      let next = Infinity;
      for (let j = 0; j < ptr.length; j++) if (ptr[j]! + 1 < end[j]! && addrStarts[ptr[j]! + 1]! < next) next = addrStarts[ptr[j]! + 1]!;
      if (next === Infinity) break;
      for (let j = 0; j < ptr.length; j++) if (ptr[j]! + 1 < end[j]! && addrStarts[ptr[j]! + 1]! === next) ptr[j]!++;
      at = next;
    }
  }
  start[leaves] = out;
  return { start, addr: addr.slice(0, out), rank: rank.slice(0, out) };
}

/**
 * Compiles the groups of one ENI with its account's platform rules (the order of `groups` only
 * breaks full ties, as in the reference). `opts.flatBudget` (tests): the leaves' tables budget, 0
 * to keep the walk everywhere.
 */
export function compileEni(groups: readonly FwGroup[], platform: Platform = DEFAULT_PLATFORM, opts: { flatBudget?: number } = {}): CompiledEni {
  const rules: FwRule[] = [];
  for (const g of groups) for (const r of g.rules) rules.push(r);
  rules.sort(compareRules);
  const bounds6 = collectBounds6(rules);
  const columns = buildColumns(rules, bounds6);
  const decisions = rules.map((rule): Decision => Object.freeze({ verdict: rule.policy, reason: 'Rule', decidingRule: rule, matchedRules: NO_MATCHES }));

  const perBucket: number[][] = Array.from({ length: BUCKETS }, () => []);
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    for (const f of familiesOf(rule)) {
      for (const p of rule.protocol === 'all' ? PROTOCOLS : [rule.protocol]) {
        const b = bucketIndex(f, rule.direction, rule.nicType, p);
        if (b >= 0) perBucket[b]!.push(r);
      }
    }
  }
  const scratch: Scratch = { bounds: new Float64Array(0), paint: new Int32Array(0), next: new Int32Array(0) };
  const words6 = wordsOf(bounds6);
  for (let r = 0; r < rules.length; r++) {
    if (rules[r]!.peer.kind !== 'cidr6') continue;
    // ranks of boundaries: rank k (>= 1) is boundary k-1
    columns.peerLoW.set(words6.subarray(4 * (columns.peerLo[r]! - 1), 4 * columns.peerLo[r]!), 4 * r);
    columns.peerHiW.set(words6.subarray(4 * (columns.peerHi[r]! - 1), 4 * columns.peerHi[r]!), 4 * r);
  }
  const buckets = perBucket.map((ranks, i) => (ranks.length === 0 ? undefined
    : buildBucket(columns, ranks, scratch, opts.flatBudget ?? FLAT_BUDGET, i >= BUCKETS / 2 ? words6 : undefined)));

  const intraGroups = groups.filter((g) => g.type === 'normal' && g.innerAccessPolicy === 'Accept').map((g) => g.groupId);
  const egressDefault = groups.every((g) => g.type === 'normal') ? DEFAULT_ACCEPT : DEFAULT_DROP;
  // the memo starts with words no address has (-1), so the first flow ranks its local address
  return { bounds6, words6, localMemo: Float64Array.of(-1, -1, -1, -1, 0), rules, decisions, columns, buckets, intraGroups, egressDefault, port25Blocked: platform.port25Blocked };
}

/** The platform's port-25 block (SPEC §1.3 step 1) for an account that has it. */
function blockedByPlatform(flow: Flow): boolean {
  if (flow.direction !== 'egress' || flow.protocol !== 'tcp' || flow.remotePort !== 25) return false;
  return flow.ip6 === undefined ? !isPrivateIp(flow.remoteIp) : !isPrivate6(ip6FromWords(flow.ip6.remote));
}

function sharesGroup(mine: readonly string[], peers: readonly string[]): boolean {
  for (let i = 0; i < peers.length; i++) {
    const p = peers[i]!;
    for (let j = 0; j < mine.length; j++) if (mine[j] === p) return true;
  }
  return false;
}

/**
 * The smallest rank matching the flow in `bucket`, or NONE; `ip` and `localIp` are the flow's
 * (IPv6: their ranks). `remote6`: an IPv6 flow's remote address; its rank (`ip` NaN) and its
 * local address's (`localIp` NaN) are then computed only if a rule needs them.
 */
function firstMatch(c: CompiledEni, b: Bucket, flow: Flow, ip: number, localIp: number, remote6?: Ip6): number {
  const ingress = flow.direction === 'ingress';
  const port = ingress ? flow.localPort : flow.remotePort;
  const other = ingress ? flow.remotePort : flow.localPort;

  // main: the port's leaf, then every non-empty node on its way to the root
  let lo = 0;
  const table = b.leafOfPort;
  if (table !== undefined && port >= 0 && port < PORT_SPAN && (port | 0) === port) {
    lo = table[port]!;
  } else {
    const ps = b.portStarts;
    let hi = ps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ps[mid]! <= port) lo = mid;
      else hi = mid - 1;
    }
  }
  let best = NONE;
  const fs = b.flatStart;
  const fw = b.flatWords;
  if (fs !== undefined && remote6 !== undefined && fw !== undefined) {
    // the last entry of the leaf that starts at or below the address, word by word
    let a = fs[lo]!;
    let z = fs[lo + 1]! - 1;
    while (a < z) {
      const mid = (a + z + 1) >> 1;
      if (wordsLe(fw, mid << 2, remote6)) a = mid;
      else z = mid - 1;
    }
    best = b.flatRank[a]!;
  } else {
    if (remote6 !== undefined) ip = rank6w(c.words6, remote6);
    if (fs !== undefined) {
      const fa = b.flatAddr;
      let a = fs[lo]!;
      let z = fs[lo + 1]! - 1;
      while (a < z) {
        const mid = (a + z + 1) >> 1;
        if (fa[mid]! <= ip) a = mid;
        else z = mid - 1;
      }
      best = b.flatRank[a]!;
    }
  }
  const ns = b.nodeStart;
  const as = b.addrStarts;
  const up = b.up;
  for (let n = fs !== undefined ? 0 : up[lo + b.width]!; n !== 0; n = up[n >> 1]!) {
    let a = ns[n]!;
    let z = ns[n + 1]! - 1;
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
  const side = b.sideOf;
  for (let i = b.sideStart[lo]!, end = b.sideStart[lo + 1]!; i < end; i++) {
    const r = side[i]!;
    if (r >= best) break;
    if (localIp !== localIp && cols.hasLocal[r] === 1) localIp = localRank6(c, flow.ip6!.local); // NaN: not ranked yet
    if (!portsAndLocalMatch(cols, r, port, other, localIp)) continue;
    if (remote6 !== undefined ? peerMatches6(cols, r, remote6, flow.peerGroups) : peerMatches(cols, r, ip, flow.peerGroups)) { best = r; break; }
  }
  if (flow.peerGroups.length > 0) {
    const group = b.groupOf;
    for (let i = b.groupStart[lo]!, end = b.groupStart[lo + 1]!; i < end; i++) {
      const r = group[i]!;
      if (r >= best) break;
      if (localIp !== localIp && cols.hasLocal[r] === 1) localIp = localRank6(c, flow.ip6!.local);
      if (matchesRank(cols, r, port, other, ip, localIp, flow.peerGroups)) { best = r; break; }
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
  if (c.port25Blocked && blockedByPlatform(flow)) return PLATFORM;
  if (c.intraGroups.length > 0 && sharesGroup(c.intraGroups, flow.peerGroups)) return INTRA_GROUP;
  const v6 = flow.ip6;
  const i = bucketIndex(v6 === undefined ? 0 : 1, flow.direction, flow.nicType, flow.protocol);
  const b = i < 0 ? undefined : c.buckets[i];
  if (b !== undefined) {
    const r = v6 === undefined
      ? firstMatch(c, b, flow, flow.remoteIp, flow.localIp)
      : firstMatch(c, b, flow, NaN, NaN, v6.remote);
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
  if (c.port25Blocked && blockedByPlatform(flow)) {
    return { verdict: 'drop', reason: 'Platform', matchedRules: [] };
  }
  const matchedRules: FwRule[] = [];
  const v6 = flow.ip6;
  const i = bucketIndex(v6 === undefined ? 0 : 1, flow.direction, flow.nicType, flow.protocol);
  const b = i < 0 ? undefined : c.buckets[i];
  if (b !== undefined) {
    const ingress = flow.direction === 'ingress';
    const port = ingress ? flow.localPort : flow.remotePort;
    const other = ingress ? flow.remotePort : flow.localPort;
    const ip = v6 === undefined ? flow.remoteIp : rank6w(c.words6, v6.remote);
    const localIp = v6 === undefined ? flow.localIp : localRank6(c, v6.local);
    for (let k = 0; k < b.all.length; k++) {
      const r = b.all[k]!;
      if (matchesRank(c.columns, r, port, other, ip, localIp, flow.peerGroups)) matchedRules.push(c.rules[r]!);
    }
  }
  if (sharesGroup(c.intraGroups, flow.peerGroups)) return { verdict: 'accept', reason: 'IntraGroup', matchedRules };
  const first = matchedRules[0];
  if (first !== undefined) return { verdict: first.policy, reason: 'Rule', decidingRule: first, matchedRules };
  const d = flow.direction === 'ingress' ? DEFAULT_DROP : c.egressDefault;
  return { verdict: d.verdict, reason: 'Default', matchedRules };
}
