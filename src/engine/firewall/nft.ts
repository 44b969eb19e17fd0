// The nftables compiler: one ENI's security groups turned into a plan of disjoint verdict boxes
// (planEni), the plan judged exactly as the rendered ruleset would judge it (evaluatePlan), and
// the plan rendered as the ENI's chains, verdict maps and sets for `nft -f` (renderEni). Pure: the
// data plane owns the table skeleton, the dispatch to these chains and the transactions.
//
// Why boxes. A verdict map with `flags interval` gives no first-match order among overlapping
// elements (the kernel refuses overlaps outright), so SPEC §1.3's "the first matching rule in
// compareRules order decides" is resolved here: per direction and protocol, rules are taken in
// decision order and each adds its box (peer address × destination port × source port) minus
// everything decided before it. A later box that wholly contains an earlier box of the same
// verdict absorbs it instead of being cut around it. At the end, boxes whose verdict is the
// plan's fallback are dropped (a packet in one of them would get that verdict from the fallback
// anyway) and touching boxes of one verdict are merged.
//
// Cost: adding a box scans the boxes so far, so a list is O(n²) in its boxes; 1,000 rules with
// mostly distinct ports and CIDRs plan in a few milliseconds into fewer boxes than rules (those
// with the fallback's verdict are gone).
//
// INVARIANT: within one protocol's list the boxes are pairwise disjoint, none carries the
// fallback verdict, and they are sorted by (addrLo, portLo, srcLo). The kernel refuses
// overlapping elements and evaluatePlan takes the first box that holds the packet, so both rely on
// the first; the rendered text is deterministic by the third.
//
// IPv6 (ingress6/egress6, VPC ENIs with IPv6 addresses). The same boxes over coordinate-compressed
// addresses: every IPv6 boundary that a rule or member brings (a cidr6 peer's base and end, a
// member x and x+1, and 0 and 2^128) sorted unique is `bounds`; elementary interval k is
// [bounds[k], bounds[k+1]), and a box's addrLo..addrHi are elementary-interval indexes, plain
// numbers, so BoxList and the merges work unchanged. A box renders as the IPv6 range
// bounds[addrLo] .. bounds[addrHi+1]-1. IPv4 rules (a cidr peer or a local range) never enter an
// IPv6 plan, IPv6 rules (a cidr6 peer or a local6 range) never an IPv4 plan; group rules enter both,
// with the members' IPv4 and IPv6 addresses respectively. Protocols: tcp, udp, icmpv6, gre, other
// (an icmp rule never matches an IPv6 packet, an icmpv6 rule never an IPv4 one; `all` goes
// everywhere). Classic ENIs have no IPv6 (the real service's classic network has none).
// An ENI may have several IPv6 addresses; a local6 rule applies to the ENI when it holds the
// ENI's first IPv6 address (the plan is per ENI, not per address): when the ENI's addresses fall on
// both sides of a local6 range, the others are judged as the first is.
//
// Port semantics (model.ts): a rule's portFrom..portTo is matched against the packet's destination
// port and srcPortFrom..srcPortTo against its source port, in both directions; an unset source
// range (1..65535) matches any source port, 0 included; icmp/gre/all rules match any port.
import { createHash } from 'node:crypto';
import { intToIp, isPrivate, PRIVATE_RANGES, formatCidr, bigIntToIp6, isPrivate6, PRIVATE6_RANGES, formatCidr6, MAX_IP6 } from '../cidr.ts';
import { compareRules } from './reference.ts';
import { type AddressRange, type FwGroup, type FwRule, type Platform, DEFAULT_PLATFORM } from './model.ts';

export type NftProto = 'tcp' | 'udp' | 'icmp' | 'gre' | 'other';

/** Every protocol list of a plan, in rendering order. */
export const NFT_PROTOS: readonly NftProto[] = ['tcp', 'udp', 'icmp', 'gre', 'other'];

export type NftProto6 = 'tcp' | 'udp' | 'icmpv6' | 'gre' | 'other';

/** Every protocol list of an IPv6 plan, in rendering order. */
export const NFT_PROTOS6: readonly NftProto6[] = ['tcp', 'udp', 'icmpv6', 'gre', 'other'];

/** a disjoint box; inclusive unsigned bounds (in an IPv6 plan, addrLo..addrHi are elementary-interval indexes) */
export interface NftBox { addrLo: number; addrHi: number; portLo: number; portHi: number; srcLo: number; srcHi: number; verdict: 'accept' | 'drop' }

export interface NftDirectionPlan {
  /** egress only: drop tcp to port 25 of non-private (non RFC1918) addresses first (the platform rule) */
  platform25: boolean;
  /** peer addresses allowed by the intra-group allowance (sorted, unique); [] when none */
  intra: number[];
  /** per protocol, disjoint boxes; for icmp/gre/other the port fields are 0..65535 and unused */
  boxes: Record<NftProto, NftBox[]>;
  /** verdict when nothing above decided */
  fallback: 'accept' | 'drop';
}

/** One direction for IPv6 packets: addresses coordinate-compressed (see the header). */
export interface NftDirectionPlan6 {
  /** egress only: drop tcp to port 25 of addresses outside PRIVATE6_RANGES first */
  platform25: boolean;
  /** IPv6 peer addresses allowed by the intra-group allowance (sorted, unique) */
  intra: bigint[];
  /** sorted, unique; first 0, last 2^128: elementary interval k is [bounds[k], bounds[k+1]) */
  bounds: bigint[];
  /** per protocol, disjoint boxes over elementary-interval indexes */
  boxes: Record<NftProto6, NftBox[]>;
  fallback: 'accept' | 'drop';
}

export interface NftEniPlan {
  ingress: NftDirectionPlan; egress: NftDirectionPlan; ingressInternet?: NftDirectionPlan; egressInternet?: NftDirectionPlan;
  /** VPC ENIs with IPv6 addresses only: IPv6 packets; without them the ENI's IPv6 is dropped */
  ingress6?: NftDirectionPlan6; egress6?: NftDirectionPlan6;
}

export interface NftEniInput {
  /** the ENI's private IPv4 as unsigned int */
  ip: number;
  networkType: 'vpc' | 'classic';
  groups: readonly FwGroup[];
  /** private IPs of the ENIs (of the same internal network) that are members of a group */
  members(groupId: string): readonly number[];
  /** the ENI's account's platform rules (default: port 25 blocked) */
  platform?: Platform;
  /** the ENI's IPv6 addresses (VPC); none or absent: no IPv6 plans */
  ip6?: readonly bigint[];
  /** IPv6 addresses of the ENIs (of the same internal network) that are members of a group */
  members6?(groupId: string): readonly bigint[];
}

export interface NftPacket {
  direction: 'ingress' | 'egress';
  /** arrived on / leaves by the classic internet NIC */
  internet: boolean;
  /** icmpv6 on an IPv4 packet, or icmp on an IPv6 one, is judged as `other` */
  protocol: NftProto | 'icmpv6';
  /** ip saddr for ingress, ip daddr for egress (unused, 0, in an IPv6 packet) */
  peerIp: number;
  /** present for an IPv6 packet: ip6 saddr for ingress, ip6 daddr for egress */
  peerIp6?: bigint;
  dport: number;
  sport: number;
}

export interface NftEniRender {
  /** `map NAME { definition }` */
  maps: Array<{ name: string; definition: string }>;
  /** `set NAME { definition }` */
  sets: Array<{ name: string; definition: string }>;
  /** `chain NAME { rules, one a line }`; the ENI's entry chains are `in_{tag}` and `eg_{tag}` (and `in6_{tag}`/`eg6_{tag}` for IPv6) */
  chains: Array<{ name: string; rules: string[] }>;
}

const ADDR_MAX = 0xffffffff;
const PORT_MAX = 65535;

// ---------------------------------------------------------------------------------------------
// Plan

/** Disjoint boxes of one protocol list, grown in decision order. */
class BoxList {
  /** `null` marks a box absorbed by a later one; compacted in `finish` */
  private readonly boxes: (NftBox | null)[] = [];

  /** Adds `b` minus every box already present (the earlier rules win where they overlap). */
  add(b: NftBox): void {
    const hits: number[] = [];
    for (let i = 0; i < this.boxes.length; i++) {
      const e = this.boxes[i];
      if (e != null && intersects(e, b)) hits.push(i);
    }
    let pieces: NftBox[] = [b];
    // An earlier box of the same verdict inside `b` gives the same answer as `b` would: remove it
    // and keep `b` whole there rather than cutting `b` around it. It is disjoint from the other
    // earlier boxes, so `b` minus those still covers it.
    for (const i of hits) {
      const e = this.boxes[i]!;
      if (e.verdict === b.verdict && contains(b, e)) this.boxes[i] = null;
    }
    for (const i of hits) {
      const e = this.boxes[i];
      if (e == null) continue;
      const next: NftBox[] = [];
      for (const f of pieces) {
        if (intersects(f, e)) subtract(f, e, next);
        else next.push(f);
      }
      pieces = next;
      if (pieces.length === 0) return;
    }
    for (const p of pieces) this.boxes.push(p);
  }

  /** The final list: fallback-verdict boxes dropped, touching boxes merged, sorted. */
  finish(fallback: 'accept' | 'drop'): NftBox[] {
    let out = this.boxes.filter((x): x is NftBox => x !== null && x.verdict !== fallback);
    // Merge along each dimension until nothing changes; a merge of two disjoint boxes that agree
    // on the other two dimensions and touch in this one is their union, disjoint from the rest.
    for (let round = 0; round < 8; round++) {
      const before = out.length;
      out = mergeAlong(out, 'addr');
      out = mergeAlong(out, 'port');
      out = mergeAlong(out, 'src');
      if (out.length === before) break;
    }
    return out.sort(compareBoxes);
  }
}

function intersects(a: NftBox, b: NftBox): boolean {
  return a.addrLo <= b.addrHi && b.addrLo <= a.addrHi && a.portLo <= b.portHi && b.portLo <= a.portHi && a.srcLo <= b.srcHi && b.srcLo <= a.srcHi;
}

function contains(outer: NftBox, inner: NftBox): boolean {
  return outer.addrLo <= inner.addrLo && inner.addrHi <= outer.addrHi && outer.portLo <= inner.portLo && inner.portHi <= outer.portHi &&
    outer.srcLo <= inner.srcLo && inner.srcHi <= outer.srcHi;
}

/** Pushes `f` minus `e` (which intersects it) as at most six disjoint boxes: address slabs, then port slabs, then source-port slabs. */
function subtract(f: NftBox, e: NftBox, out: NftBox[]): void {
  if (f.addrLo < e.addrLo) out.push({ ...f, addrHi: e.addrLo - 1 });
  if (f.addrHi > e.addrHi) out.push({ ...f, addrLo: e.addrHi + 1 });
  const addrLo = Math.max(f.addrLo, e.addrLo);
  const addrHi = Math.min(f.addrHi, e.addrHi);
  if (f.portLo < e.portLo) out.push({ ...f, addrLo, addrHi, portHi: e.portLo - 1 });
  if (f.portHi > e.portHi) out.push({ ...f, addrLo, addrHi, portLo: e.portHi + 1 });
  const portLo = Math.max(f.portLo, e.portLo);
  const portHi = Math.min(f.portHi, e.portHi);
  if (f.srcLo < e.srcLo) out.push({ ...f, addrLo, addrHi, portLo, portHi, srcHi: e.srcLo - 1 });
  if (f.srcHi > e.srcHi) out.push({ ...f, addrLo, addrHi, portLo, portHi, srcLo: e.srcHi + 1 });
}

type Dim = 'addr' | 'port' | 'src';
const LO = { addr: 'addrLo', port: 'portLo', src: 'srcLo' } as const;
const HI = { addr: 'addrHi', port: 'portHi', src: 'srcHi' } as const;

/** Merges boxes that agree on verdict and the other two dimensions and touch along `dim`. */
function mergeAlong(boxes: NftBox[], dim: Dim): NftBox[] {
  if (boxes.length < 2) return boxes;
  const lo = LO[dim];
  const hi = HI[dim];
  const key = (b: NftBox): string => {
    const parts: number[] = [];
    if (dim !== 'addr') parts.push(b.addrLo, b.addrHi);
    if (dim !== 'port') parts.push(b.portLo, b.portHi);
    if (dim !== 'src') parts.push(b.srcLo, b.srcHi);
    return `${b.verdict}:${parts.join(',')}`;
  };
  const byKey = new Map<string, NftBox[]>();
  for (const b of boxes) {
    const k = key(b);
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [b]);
    else list.push(b);
  }
  if (byKey.size === boxes.length) return boxes;
  const out: NftBox[] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => a[lo] - b[lo]);
    let cur = { ...list[0]! };
    for (let i = 1; i < list.length; i++) {
      const b = list[i]!;
      if (b[lo] === cur[hi] + 1) cur[hi] = b[hi];
      else {
        out.push(cur);
        cur = { ...b };
      }
    }
    out.push(cur);
  }
  return out;
}

function compareBoxes(a: NftBox, b: NftBox): number {
  return a.addrLo - b.addrLo || a.portLo - b.portLo || a.srcLo - b.srcLo;
}

function inRange(r: AddressRange, ip: number): boolean {
  return ip >= r.base && ip < r.base + r.size;
}

/** Sorted, unique addresses as inclusive runs of consecutive addresses. */
function runs(sorted: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const a of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && a === last[1] + 1) last[1] = a;
    else out.push([a, a]);
  }
  return out;
}

function sortedUnique(xs: Iterable<number>): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

/** The IPv4 protocol lists a rule lands in: its own, or all five for `all`; an icmpv6 rule none. */
function protocolsOf(rule: FwRule): readonly NftProto[] {
  if (rule.protocol === 'all') return NFT_PROTOS;
  return rule.protocol === 'icmpv6' ? [] : [rule.protocol];
}

/** The IPv6 protocol lists a rule lands in: its own, or all five for `all`; an icmp rule none. */
function protocolsOf6(rule: FwRule): readonly NftProto6[] {
  if (rule.protocol === 'all') return NFT_PROTOS6;
  return rule.protocol === 'icmp' ? [] : [rule.protocol];
}

function fallbackOf(input: NftEniInput, direction: 'ingress' | 'egress'): 'accept' | 'drop' {
  return direction === 'ingress' ? 'drop' : input.groups.every((g) => g.type === 'normal') ? 'accept' : 'drop';
}

/** The rules of one direction and NIC type in decision order (Array.prototype.sort is stable, as the reference relies on). */
function rulesOf(input: NftEniInput, direction: 'ingress' | 'egress', nicType: 'intranet' | 'internet', keep: (r: FwRule) => boolean): FwRule[] {
  return input.groups.flatMap((g) => g.rules)
    .filter((r) => r.direction === direction && r.nicType === nicType && keep(r))
    .sort(compareRules);
}

/**
 * Per protocol, the disjoint boxes of `rules` (in decision order): each rule's addresses (inclusive
 * runs of address coordinates, from `addrsOf`) × its ports, in the lists `protosOf` names.
 */
function buildBoxes<P extends string>(
  rules: readonly FwRule[], protos: readonly P[], protosOf: (r: FwRule) => readonly P[], addrsOf: (r: FwRule) => Array<[number, number]>, fallback: 'accept' | 'drop',
): Record<P, NftBox[]> {
  const lists = new Map<P, BoxList>(protos.map((p) => [p, new BoxList()]));
  for (const rule of rules) {
    const ported = rule.protocol === 'tcp' || rule.protocol === 'udp';
    // ranges are intersected with 0..65535, not clamped into it: a range outside it matches nothing
    const portLo = ported ? Math.max(0, rule.portFrom) : 0;
    const portHi = ported ? Math.min(PORT_MAX, rule.portTo) : PORT_MAX;
    const restrictsSource = ported && !(rule.srcPortFrom === 1 && rule.srcPortTo === PORT_MAX);
    const srcLo = restrictsSource ? Math.max(0, rule.srcPortFrom) : 0;
    const srcHi = restrictsSource ? Math.min(PORT_MAX, rule.srcPortTo) : PORT_MAX;
    if (portLo > portHi || srcLo > srcHi) continue;
    const ps = protosOf(rule);
    if (ps.length === 0) continue;
    const addrs = addrsOf(rule);
    for (const proto of ps) {
      for (const [addrLo, addrHi] of addrs) {
        if (addrLo > addrHi) continue;
        lists.get(proto)!.add({ addrLo, addrHi, portLo, portHi, srcLo, srcHi, verdict: rule.policy });
      }
    }
  }
  const out = {} as Record<P, NftBox[]>; // every key is set just below
  for (const p of protos) out[p] = lists.get(p)!.finish(fallback);
  return out;
}

function planDirection(
  input: NftEniInput, direction: 'ingress' | 'egress', nicType: 'intranet' | 'internet', memberRuns: (groupId: string) => Array<[number, number]>,
): NftDirectionPlan {
  const intranet = nicType === 'intranet';
  const rules = rulesOf(input, direction, nicType, (r) =>
    // IPv6 rules never meet IPv4 packets
    r.peer.kind !== 'cidr6' && r.local6 === undefined &&
    (r.local === undefined || inRange(r.local, input.ip)) &&
    // group authorization covers the internal network only
    (intranet || r.peer.kind === 'cidr'));
  const fallback = fallbackOf(input, direction);
  const boxes = buildBoxes(rules, NFT_PROTOS, protocolsOf, (rule) => rule.peer.kind === 'cidr'
    ? (rule.peer.range.size > 0 ? [[Math.max(0, rule.peer.range.base), Math.min(ADDR_MAX, rule.peer.range.base + rule.peer.range.size - 1)]] : [])
    : rule.peer.kind === 'group' ? memberRuns(rule.peer.groupId) : [], fallback);
  const intra = intranet
    ? sortedUnique(input.groups.filter((g) => g.type === 'normal' && g.innerAccessPolicy === 'Accept').flatMap((g) => input.members(g.groupId)))
    : [];
  return {
    platform25: direction === 'egress' && (input.platform ?? DEFAULT_PLATFORM).port25Blocked,
    intra,
    boxes,
    fallback,
  };
}

const ALL6 = MAX_IP6 + 1n;

function sortedUnique6(xs: Iterable<bigint>): bigint[] {
  return [...new Set(xs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The index k of the elementary interval [bounds[k], bounds[k+1]) that holds `x`. */
function intervalOf(bounds: readonly bigint[], x: bigint): number {
  let lo = 0;
  let hi = bounds.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bounds[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The IPv6 plan of one direction (intranet: VPC ENIs only), addresses coordinate-compressed (see the header). */
function planDirection6(input: NftEniInput, direction: 'ingress' | 'egress', local: bigint): NftDirectionPlan6 {
  const members6 = (g: string): readonly bigint[] => input.members6?.(g) ?? [];
  const rules = rulesOf(input, direction, 'intranet', (r) =>
    // IPv4 rules never meet IPv6 packets
    r.peer.kind !== 'cidr' && r.local === undefined &&
    (r.local6 === undefined || (local >= r.local6.base && local < r.local6.base + r.local6.size)));
  // the boundaries: every edge a rule's addresses bring, and the ends of the address space
  const edges: bigint[] = [0n, ALL6];
  const clamp = (x: bigint): bigint => (x < 0n ? 0n : x > ALL6 ? ALL6 : x);
  for (const r of rules) {
    if (r.peer.kind === 'cidr6') edges.push(clamp(r.peer.range.base), clamp(r.peer.range.base + r.peer.range.size));
    else if (r.peer.kind === 'group') for (const m of members6(r.peer.groupId)) edges.push(m, m + 1n);
  }
  const bounds = sortedUnique6(edges);
  const fallback = fallbackOf(input, direction);
  const memo = new Map<string, Array<[number, number]>>();
  const boxes = buildBoxes(rules, NFT_PROTOS6, protocolsOf6, (rule) => {
    if (rule.peer.kind === 'cidr6') {
      const lo = clamp(rule.peer.range.base);
      const end = clamp(rule.peer.range.base + rule.peer.range.size);
      // [lo, end) is a union of elementary intervals: lo and end are boundaries
      return lo < end ? [[intervalOf(bounds, lo), intervalOf(bounds, end - 1n)]] : [];
    }
    if (rule.peer.kind !== 'group') return [];
    let r = memo.get(rule.peer.groupId);
    if (r === undefined) {
      // each member is an elementary interval of its own; consecutive members are consecutive intervals
      r = runs(sortedUnique(members6(rule.peer.groupId).map((m) => intervalOf(bounds, m))));
      memo.set(rule.peer.groupId, r);
    }
    return r;
  }, fallback);
  const intra = sortedUnique6(input.groups.filter((g) => g.type === 'normal' && g.innerAccessPolicy === 'Accept').flatMap((g) => members6(g.groupId)));
  return { platform25: direction === 'egress' && (input.platform ?? DEFAULT_PLATFORM).port25Blocked, intra, bounds, boxes, fallback };
}

/** SPEC §1.3 for one ENI as disjoint verdict boxes (see the header). */
export function planEni(input: NftEniInput): NftEniPlan {
  const memo = new Map<string, Array<[number, number]>>();
  const memberRuns = (groupId: string): Array<[number, number]> => {
    let r = memo.get(groupId);
    if (r === undefined) {
      r = runs(sortedUnique(input.members(groupId)));
      memo.set(groupId, r);
    }
    return r;
  };
  const plan: NftEniPlan = {
    ingress: planDirection(input, 'ingress', 'intranet', memberRuns),
    egress: planDirection(input, 'egress', 'intranet', memberRuns),
  };
  if (input.networkType === 'classic') {
    plan.ingressInternet = planDirection(input, 'ingress', 'internet', memberRuns);
    plan.egressInternet = planDirection(input, 'egress', 'internet', memberRuns);
  }
  const local6 = input.ip6?.[0];
  if (input.networkType === 'vpc' && local6 !== undefined) {
    plan.ingress6 = planDirection6(input, 'ingress', local6);
    plan.egress6 = planDirection6(input, 'egress', local6);
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Evaluate

/** Whether the sorted `sorted` holds `v` (IPv4 addresses as numbers, IPv6 ones as bigints). */
function hasSorted<T extends number | bigint>(sorted: readonly T[], v: T): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = sorted[mid]!;
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The boxes' verdict for a packet at address coordinate `addr`, or the fallback. */
function boxVerdict(boxes: readonly NftBox[], addr: number, p: NftPacket, ported: boolean, fallback: 'accept' | 'drop'): 'accept' | 'drop' {
  for (const b of boxes) {
    if (addr < b.addrLo || addr > b.addrHi) continue;
    if (ported && (p.dport < b.portLo || p.dport > b.portHi || p.sport < b.srcLo || p.sport > b.srcHi)) continue;
    return b.verdict;
  }
  return fallback;
}

/**
 * The plan's verdict for one packet, step for step as the rendered chain decides it. An internet
 * packet on a plan without internet plans (VPC) is judged by the intranet plan, as the chain
 * without an interface jump does. An IPv6 packet (`peerIp6`) is judged by the IPv6 plans, and
 * dropped when the plan has none (the data plane drops IPv6 it does not model).
 */
export function evaluatePlan(plan: NftEniPlan, p: NftPacket): 'accept' | 'drop' {
  if (p.peerIp6 !== undefined) return evaluatePlan6(plan, p, p.peerIp6);
  const d = p.direction === 'ingress'
    ? (p.internet ? plan.ingressInternet : undefined) ?? plan.ingress
    : (p.internet ? plan.egressInternet : undefined) ?? plan.egress;
  if (d.platform25 && p.protocol === 'tcp' && p.dport === 25 && !isPrivate(p.peerIp)) return 'drop';
  if (hasSorted(d.intra, p.peerIp)) return 'accept';
  // an ICMPv6 header in an IPv4 packet is just another protocol
  const proto: NftProto = p.protocol === 'icmpv6' ? 'other' : p.protocol;
  return boxVerdict(d.boxes[proto], p.peerIp, p, proto === 'tcp' || proto === 'udp', d.fallback);
}

function evaluatePlan6(plan: NftEniPlan, p: NftPacket, peer: bigint): 'accept' | 'drop' {
  const d = p.direction === 'ingress' ? plan.ingress6 : plan.egress6;
  if (d === undefined) return 'drop';
  if (d.platform25 && p.protocol === 'tcp' && p.dport === 25 && !isPrivate6(peer)) return 'drop';
  if (hasSorted(d.intra, peer)) return 'accept';
  // ICMP (v4) in an IPv6 packet is just another protocol
  const proto: NftProto6 = p.protocol === 'icmp' ? 'other' : p.protocol;
  return boxVerdict(d.boxes[proto], intervalOf(d.bounds, peer), p, proto === 'tcp' || proto === 'udp', d.fallback);
}

// ---------------------------------------------------------------------------------------------
// Render

const TAG = /^[a-z0-9_]{1,24}$/;
/** conservative: Linux allows up to 15 bytes; nothing that needs quoting inside nft's "..." */
const IFNAME = /^[A-Za-z0-9_.+-]{1,15}$/;
const PRIVATE_SET = `{ ${PRIVATE_RANGES.map(formatCidr).join(', ')} }`;

function range(lo: number, hi: number, fmt: (n: number) => string): string {
  return lo === hi ? fmt(lo) : `${fmt(lo)}-${fmt(hi)}`;
}

function port(n: number): string {
  return String(n);
}

/** Inclusive address runs of the sorted, unique `intra`. */
function intraElements(intra: readonly number[]): string[] {
  return runs(intra).map(([lo, hi]) => range(lo, hi, intToIp));
}

function elements(list: readonly string[]): string {
  // nft rejects an empty element list
  return list.length === 0 ? '' : ` elements = { ${list.join(', ')} }`;
}

/** Maps, sets and the chain of one direction plan, named `{prefix}_{tag}...`. */
function renderDirection(prefix: 'in' | 'eg' | 'ini' | 'egi', tag: string, d: NftDirectionPlan, jump: string | undefined, out: NftEniRender): void {
  const ingress = prefix === 'in' || prefix === 'ini';
  const peer = ingress ? 'ip saddr' : 'ip daddr';
  // egress: an accept hands the packet back to the caller, which then asks the peer's ingress
  const verdict = (v: 'accept' | 'drop'): string => (v === 'drop' ? 'drop' : ingress ? 'accept' : 'return');
  const chain = `${prefix}_${tag}`;
  const rules: string[] = [];
  if (d.platform25) rules.push(`meta l4proto tcp tcp dport 25 ip daddr != ${PRIVATE_SET} drop`);
  if (jump !== undefined) rules.push(jump);

  const intraName = `${chain}_intra`;
  out.sets.push({ name: intraName, definition: `type ipv4_addr; flags interval;${elements(intraElements(d.intra))}` });
  if (d.intra.length > 0) rules.push(`${peer} @${intraName} ${verdict('accept')}`);

  for (const proto of NFT_PROTOS) {
    const name = `${chain}_${proto}`;
    const boxes = d.boxes[proto];
    const ported = proto === 'tcp' || proto === 'udp';
    const elems = boxes.map((b) => ported
      ? `${range(b.addrLo, b.addrHi, intToIp)} . ${range(b.portLo, b.portHi, port)} . ${range(b.srcLo, b.srcHi, port)} : ${verdict(b.verdict)}`
      : `${range(b.addrLo, b.addrHi, intToIp)} : ${verdict(b.verdict)}`);
    const type = ported ? 'ipv4_addr . inet_service . inet_service' : 'ipv4_addr';
    out.maps.push({ name, definition: `type ${type} : verdict; flags interval;${elements(elems)}` });
    if (boxes.length === 0) continue;
    if (ported) rules.push(`meta l4proto ${proto} ${peer} . ${proto} dport . ${proto} sport vmap @${name}`);
    else if (proto === 'other') rules.push(`meta l4proto != { tcp, udp, icmp, gre } ${peer} vmap @${name}`);
    else rules.push(`meta l4proto ${proto} ${peer} vmap @${name}`);
  }
  rules.push(verdict(d.fallback));
  out.chains.push({ name: chain, rules });
}

const PRIVATE6_SET = `{ ${PRIVATE6_RANGES.map(formatCidr6).join(', ')} }`;

function range6(lo: bigint, hi: bigint): string {
  return lo === hi ? bigIntToIp6(lo) : `${bigIntToIp6(lo)}-${bigIntToIp6(hi)}`;
}

/** Inclusive address runs of the sorted, unique `intra` (IPv6). */
function intraElements6(intra: readonly bigint[]): string[] {
  const out: Array<[bigint, bigint]> = [];
  for (const a of intra) {
    const last = out[out.length - 1];
    if (last !== undefined && a === last[1] + 1n) last[1] = a;
    else out.push([a, a]);
  }
  return out.map(([lo, hi]) => range6(lo, hi));
}

/** The IPv6 counterpart of renderDirection: `ip6` addresses, `ipv6_addr` maps, `ipv6-icmp`. */
function renderDirection6(prefix: 'in6' | 'eg6', tag: string, d: NftDirectionPlan6, out: NftEniRender): void {
  const ingress = prefix === 'in6';
  const peer = ingress ? 'ip6 saddr' : 'ip6 daddr';
  const verdict = (v: 'accept' | 'drop'): string => (v === 'drop' ? 'drop' : ingress ? 'accept' : 'return');
  const chain = `${prefix}_${tag}`;
  const rules: string[] = [];
  if (d.platform25) rules.push(`meta l4proto tcp tcp dport 25 ip6 daddr != ${PRIVATE6_SET} drop`);
  const intraName = `${chain}_intra`;
  out.sets.push({ name: intraName, definition: `type ipv6_addr; flags interval;${elements(intraElements6(d.intra))}` });
  if (d.intra.length > 0) rules.push(`${peer} @${intraName} ${verdict('accept')}`);
  // a box over elementary intervals lo..hi is the addresses bounds[lo] .. bounds[hi+1]-1
  const addrs = (b: NftBox): string => range6(d.bounds[b.addrLo]!, d.bounds[b.addrHi + 1]! - 1n);
  for (const proto of NFT_PROTOS6) {
    const name = `${chain}_${proto}`;
    const boxes = d.boxes[proto];
    const ported = proto === 'tcp' || proto === 'udp';
    const elems = boxes.map((b) => ported
      ? `${addrs(b)} . ${range(b.portLo, b.portHi, port)} . ${range(b.srcLo, b.srcHi, port)} : ${verdict(b.verdict)}`
      : `${addrs(b)} : ${verdict(b.verdict)}`);
    const type = ported ? 'ipv6_addr . inet_service . inet_service' : 'ipv6_addr';
    out.maps.push({ name, definition: `type ${type} : verdict; flags interval;${elements(elems)}` });
    if (boxes.length === 0) continue;
    if (ported) rules.push(`meta l4proto ${proto} ${peer} . ${proto} dport . ${proto} sport vmap @${name}`);
    else if (proto === 'other') rules.push(`meta l4proto != { tcp, udp, ipv6-icmp, gre } ${peer} vmap @${name}`);
    else if (proto === 'icmpv6') rules.push(`meta l4proto ipv6-icmp ${peer} vmap @${name}`);
    else rules.push(`meta l4proto ${proto} ${peer} vmap @${name}`);
  }
  rules.push(verdict(d.fallback));
  out.chains.push({ name: chain, rules });
}

/**
 * The ENI's nft objects for `nft -f` inside an `inet` table: chains `in_{tag}` (jumped to for
 * packets to the ENI) and `eg_{tag}` (for packets from it), and, when `opts.internetIf` is given
 * and the plan has internet plans (classic), `ini_{tag}`/`egi_{tag}` reached by `goto` on that
 * interface. A plan with IPv6 plans adds `in6_{tag}` and `eg6_{tag}` (for IPv6 packets to and from
 * the ENI's IPv6 addresses). Every map and set of a rendered chain is defined, empty or not, so the
 * objects of an ENI depend only on its tag, on whether the internet chains are rendered and on
 * whether it has IPv6.
 */
export function renderEni(tag: string, plan: NftEniPlan, opts: { internetIf?: string }): NftEniRender {
  if (!TAG.test(tag)) throw new RangeError(`The nft tag \`${tag}\` is invalid: expected 1-24 characters of [a-z0-9_].`);
  const internetIf = opts.internetIf;
  if (internetIf !== undefined && !IFNAME.test(internetIf)) throw new RangeError(`The interface name \`${internetIf}\` is invalid.`);
  const out: NftEniRender = { maps: [], sets: [], chains: [] };
  const withInternet = internetIf !== undefined;
  const ingressInternet = withInternet ? plan.ingressInternet : undefined;
  const egressInternet = withInternet ? plan.egressInternet : undefined;
  renderDirection('in', tag, plan.ingress, ingressInternet && `iifname "${internetIf}" goto ini_${tag}`, out);
  renderDirection('eg', tag, plan.egress, egressInternet && `oifname "${internetIf}" goto egi_${tag}`, out);
  if (ingressInternet !== undefined) renderDirection('ini', tag, ingressInternet, undefined, out);
  if (egressInternet !== undefined) renderDirection('egi', tag, egressInternet, undefined, out);
  if (plan.ingress6 !== undefined) renderDirection6('in6', tag, plan.ingress6, out);
  if (plan.egress6 !== undefined) renderDirection6('eg6', tag, plan.egress6, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hash

/** Bumped whenever the meaning of a plan changes, so that every ENI is re-rendered. */
const PLAN_FORMAT = 'nft-plan/2';

function canonical(d: NftDirectionPlan | undefined): unknown {
  if (d === undefined) return null;
  return [
    d.platform25, sortedUnique(d.intra), d.fallback,
    NFT_PROTOS.map((p) => [...d.boxes[p]].sort(compareBoxes).map((b) => [b.addrLo, b.addrHi, b.portLo, b.portHi, b.srcLo, b.srcHi, b.verdict])),
  ];
}

/** An IPv6 plan with its boxes' addresses spelled out, so that the hash does not depend on the bounds chosen. */
function canonical6(d: NftDirectionPlan6 | undefined): unknown {
  if (d === undefined) return null;
  const hex = (x: bigint): string => x.toString(16);
  return [
    d.platform25, sortedUnique6(d.intra).map(hex), d.fallback,
    NFT_PROTOS6.map((p) => [...d.boxes[p]].sort(compareBoxes)
      .map((b) => [hex(d.bounds[b.addrLo]!), hex(d.bounds[b.addrHi + 1]! - 1n), b.portLo, b.portHi, b.srcLo, b.srcHi, b.verdict])),
  ];
}

/**
 * A stable hash of a plan's content, for the reconciler to tell whether an ENI's plan changed:
 * plans with the same boxes, intra addresses and flags hash equal whatever their order.
 */
export function planHash(plan: NftEniPlan): string {
  const text = JSON.stringify([PLAN_FORMAT, canonical(plan.ingress), canonical(plan.egress), canonical(plan.ingressInternet), canonical(plan.egressInternet),
    canonical6(plan.ingress6), canonical6(plan.egress6)]);
  return createHash('sha1').update(text).digest('hex');
}
