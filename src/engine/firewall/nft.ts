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
// Port semantics (model.ts): a rule's portFrom..portTo is matched against the packet's destination
// port and srcPortFrom..srcPortTo against its source port, in both directions; an unset source
// range (1..65535) matches any source port, 0 included; icmp/gre/all rules match any port.
import { createHash } from 'node:crypto';
import { intToIp, isPrivate, PRIVATE_RANGES, formatCidr } from '../cidr.ts';
import { compareRules } from './reference.ts';
import { type AddressRange, type FwGroup, type FwRule, type Platform, DEFAULT_PLATFORM } from './model.ts';

export type NftProto = 'tcp' | 'udp' | 'icmp' | 'gre' | 'other';

/** Every protocol list of a plan, in rendering order. */
export const NFT_PROTOS: readonly NftProto[] = ['tcp', 'udp', 'icmp', 'gre', 'other'];

/** a disjoint box; inclusive unsigned bounds */
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

export interface NftEniPlan { ingress: NftDirectionPlan; egress: NftDirectionPlan; ingressInternet?: NftDirectionPlan; egressInternet?: NftDirectionPlan }

export interface NftEniInput {
  /** the ENI's private IPv4 as unsigned int */
  ip: number;
  networkType: 'vpc' | 'classic';
  groups: readonly FwGroup[];
  /** private IPs of the ENIs (of the same internal network) that are members of a group */
  members(groupId: string): readonly number[];
  /** the ENI's account's platform rules (default: port 25 blocked) */
  platform?: Platform;
}

export interface NftPacket {
  direction: 'ingress' | 'egress';
  /** arrived on / leaves by the classic internet NIC */
  internet: boolean;
  protocol: NftProto;
  /** ip saddr for ingress, ip daddr for egress */
  peerIp: number;
  dport: number;
  sport: number;
}

export interface NftEniRender {
  /** `map NAME { definition }` */
  maps: Array<{ name: string; definition: string }>;
  /** `set NAME { definition }` */
  sets: Array<{ name: string; definition: string }>;
  /** `chain NAME { rules, one a line }`; the ENI's entry chains are `in_{tag}` and `eg_{tag}` */
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

/** The protocol lists a rule lands in: its own, or all five for `all`. */
function protocolsOf(rule: FwRule): readonly NftProto[] {
  return rule.protocol === 'all' ? NFT_PROTOS : [rule.protocol];
}

function planDirection(
  input: NftEniInput, direction: 'ingress' | 'egress', nicType: 'intranet' | 'internet', memberRuns: (groupId: string) => Array<[number, number]>,
): NftDirectionPlan {
  const intranet = nicType === 'intranet';
  // Array.prototype.sort is stable, as the reference relies on; full ties share a verdict anyway.
  const rules = input.groups.flatMap((g) => g.rules)
    .filter((r) => r.direction === direction && r.nicType === nicType)
    .filter((r) => r.local === undefined || inRange(r.local, input.ip))
    // group authorization covers the internal network only
    .filter((r) => intranet || r.peer.kind === 'cidr')
    .sort(compareRules);

  const fallback = direction === 'ingress' ? 'drop' : input.groups.every((g) => g.type === 'normal') ? 'accept' : 'drop';
  const lists: Record<NftProto, BoxList> = { tcp: new BoxList(), udp: new BoxList(), icmp: new BoxList(), gre: new BoxList(), other: new BoxList() };
  for (const rule of rules) {
    const addrs: Array<[number, number]> = rule.peer.kind === 'cidr'
      ? (rule.peer.range.size > 0 ? [[Math.max(0, rule.peer.range.base), Math.min(ADDR_MAX, rule.peer.range.base + rule.peer.range.size - 1)]] : [])
      : memberRuns(rule.peer.groupId);
    const ported = rule.protocol === 'tcp' || rule.protocol === 'udp';
    // ranges are intersected with 0..65535, not clamped into it: a range outside it matches nothing
    const portLo = ported ? Math.max(0, rule.portFrom) : 0;
    const portHi = ported ? Math.min(PORT_MAX, rule.portTo) : PORT_MAX;
    const restrictsSource = ported && !(rule.srcPortFrom === 1 && rule.srcPortTo === PORT_MAX);
    const srcLo = restrictsSource ? Math.max(0, rule.srcPortFrom) : 0;
    const srcHi = restrictsSource ? Math.min(PORT_MAX, rule.srcPortTo) : PORT_MAX;
    if (portLo > portHi || srcLo > srcHi) continue;
    for (const proto of protocolsOf(rule)) {
      for (const [addrLo, addrHi] of addrs) {
        if (addrLo > addrHi) continue;
        lists[proto].add({ addrLo, addrHi, portLo, portHi, srcLo, srcHi, verdict: rule.policy });
      }
    }
  }

  const intra = intranet
    ? sortedUnique(input.groups.filter((g) => g.type === 'normal' && g.innerAccessPolicy === 'Accept').flatMap((g) => input.members(g.groupId)))
    : [];
  return {
    platform25: direction === 'egress' && (input.platform ?? DEFAULT_PLATFORM).port25Blocked,
    intra,
    boxes: { tcp: lists.tcp.finish(fallback), udp: lists.udp.finish(fallback), icmp: lists.icmp.finish(fallback), gre: lists.gre.finish(fallback), other: lists.other.finish(fallback) },
    fallback,
  };
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
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Evaluate

function hasSorted(sorted: readonly number[], v: number): boolean {
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

/**
 * The plan's verdict for one packet, step for step as the rendered chain decides it. An internet
 * packet on a plan without internet plans (VPC) is judged by the intranet plan, as the chain
 * without an interface jump does.
 */
export function evaluatePlan(plan: NftEniPlan, p: NftPacket): 'accept' | 'drop' {
  const d = p.direction === 'ingress'
    ? (p.internet ? plan.ingressInternet : undefined) ?? plan.ingress
    : (p.internet ? plan.egressInternet : undefined) ?? plan.egress;
  if (d.platform25 && p.protocol === 'tcp' && p.dport === 25 && !isPrivate(p.peerIp)) return 'drop';
  if (hasSorted(d.intra, p.peerIp)) return 'accept';
  const ported = p.protocol === 'tcp' || p.protocol === 'udp';
  for (const b of d.boxes[p.protocol]) {
    if (p.peerIp < b.addrLo || p.peerIp > b.addrHi) continue;
    if (ported && (p.dport < b.portLo || p.dport > b.portHi || p.sport < b.srcLo || p.sport > b.srcHi)) continue;
    return b.verdict;
  }
  return d.fallback;
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

/**
 * The ENI's nft objects for `nft -f` inside an `inet` table: chains `in_{tag}` (jumped to for
 * packets to the ENI) and `eg_{tag}` (for packets from it), and, when `opts.internetIf` is given
 * and the plan has internet plans (classic), `ini_{tag}`/`egi_{tag}` reached by `goto` on that
 * interface. Every map and set of a rendered chain is defined, empty or not, so the objects of an
 * ENI depend only on its tag and on whether the internet chains are rendered.
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
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hash

/** Bumped whenever the meaning of a plan changes, so that every ENI is re-rendered. */
const PLAN_FORMAT = 'nft-plan/1';

function canonical(d: NftDirectionPlan | undefined): unknown {
  if (d === undefined) return null;
  return [
    d.platform25, sortedUnique(d.intra), d.fallback,
    NFT_PROTOS.map((p) => [...d.boxes[p]].sort(compareBoxes).map((b) => [b.addrLo, b.addrHi, b.portLo, b.portHi, b.srcLo, b.srcHi, b.verdict])),
  ];
}

/**
 * A stable hash of a plan's content, for the reconciler to tell whether an ENI's plan changed:
 * plans with the same boxes, intra addresses and flags hash equal whatever their order.
 */
export function planHash(plan: NftEniPlan): string {
  const text = JSON.stringify([PLAN_FORMAT, canonical(plan.ingress), canonical(plan.egress), canonical(plan.ingressInternet), canonical(plan.egressInternet)]);
  return createHash('sha1').update(text).digest('hex');
}
