// DescribeExposure: what of each instance with a public address (IPv4, or IPv6 with internet bandwidth) the internet can reach, computed
// by the decision engine (a drop at a stronger priority hides an accept), not by reading rules.
// For one set of groups the ingress rules cut ports and addresses into elementary intervals; one
// flow per (protocol, port interval, address interval) is decided, and the accepted cells are
// merged back into port ranges and CIDR blocks. Instances with the same groups share the work.
// IPv6 the same way (exposureOfGroups6): each IPv6 address of an instance's ENIs that has internet
// bandwidth is exposed as its ENI's groups decide IPv6 flows from outside PRIVATE6_RANGES.
import type { CallContext } from './context.ts';
import { requireRegion } from './regions.ts';
import { apiError } from './errors.ts';
import { inventoryOf } from './instances.ts';
import { loadFwGroups } from './fw-groups.ts';
import { compileEni, decide, type FwGroup, type FwRule, type FlowProtocol, type Flow } from '../engine/firewall/index.ts';
import { bigIntToIp6, intToIp, ip6ToBigInt, ip6Words, ipToInt, MAX_IP6, PRIVATE_RANGES, PRIVATE6_RANGES } from '../engine/cidr.ts';

export type RiskLevel = 'high' | 'medium' | 'low';

export interface Exposure {
  instanceId: string;
  publicIpAddress: string;
  /** an IPv6 entry's: the instance's IPv6 address the internet reaches (it has IPv6 internet bandwidth); absent on IPv4 entries */
  ipv6Address?: string;
  protocol: FlowProtocol;
  portFrom: number;
  portTo: number;
  cidrs: string[];
  openToInternet: boolean;
  risk: RiskLevel;
  services: string[];
  /** the accept rules that open this exposure (each accepted cell's deciding rule), in the engine's decision order */
  rules: Array<{ groupId: string; ruleId: string }>;
}

/** SPEC §8: services whose exposure to everyone is high risk (the console mirrors this list: console/src/pages/security-groups/rules/risk.ts). */
export const RISKY: ReadonlyArray<{ name: string; protocol: FlowProtocol; from: number; to: number }> = [
  { name: 'SSH', protocol: 'tcp', from: 22, to: 22 }, { name: 'Telnet', protocol: 'tcp', from: 23, to: 23 },
  { name: 'RDP', protocol: 'tcp', from: 3389, to: 3389 }, { name: 'SQL Server', protocol: 'tcp', from: 1433, to: 1433 },
  { name: 'SQL Server', protocol: 'udp', from: 1434, to: 1434 }, { name: 'Oracle', protocol: 'tcp', from: 1521, to: 1521 },
  { name: 'MySQL', protocol: 'tcp', from: 3306, to: 3306 }, { name: 'PostgreSQL', protocol: 'tcp', from: 5432, to: 5432 },
  { name: 'Redis', protocol: 'tcp', from: 6379, to: 6379 }, { name: 'MongoDB', protocol: 'tcp', from: 27017, to: 27017 },
  { name: 'NetBIOS', protocol: 'udp', from: 137, to: 138 }, { name: 'NetBIOS/SMB', protocol: 'tcp', from: 139, to: 139 },
  { name: 'SMB', protocol: 'tcp', from: 445, to: 445 }, { name: 'RPC', protocol: 'tcp', from: 135, to: 135 },
];

const MAX_IP = 0xffffffff;

/** The engine's order of matches (model.ts, Decision.decidingRule): priority, drop first, group, rule. */
function decisionOrder(a: FwRule, b: FwRule): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.policy !== b.policy) return a.policy === 'drop' ? -1 : 1;
  if (a.groupId !== b.groupId) return a.groupId < b.groupId ? -1 : 1;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}

/** Minimal CIDR blocks covering [from, to] (inclusive, unsigned). */
function toCidrs(from: number, to: number): string[] {
  const out: string[] = [];
  let cur = from;
  while (cur <= to) {
    let size = 1;
    while (size < 2 ** 32 && cur % (size * 2) === 0 && cur + size * 2 - 1 <= to) size *= 2;
    out.push(`${intToIp(cur)}/${32 - Math.log2(size)}`);
    cur += size;
    if (cur > MAX_IP) break;
  }
  return out;
}

/** Minimal IPv6 CIDR blocks covering [from, to] (inclusive, 128-bit unsigned). */
function toCidrs6(from: bigint, to: bigint): string[] {
  const out: string[] = [];
  let cur = from;
  while (cur <= to) {
    let bits = 0n;
    while (bits < 128n && ((cur >> bits) & 1n) === 0n && cur + (1n << (bits + 1n)) - 1n <= to) bits++;
    out.push(`${bigIntToIp6(cur)}/${128n - bits}`);
    cur += 1n << bits;
    if (cur > MAX_IP6) break;
  }
  return out;
}

/** Public address intervals [from, to] cut at every boundary the rules name. */
function addressCells(groups: readonly FwGroup[]): Array<[number, number]> {
  const cuts = new Set<number>([0]);
  for (const g of groups) for (const r of g.rules) {
    if (r.direction !== 'ingress' || r.peer.kind !== 'cidr') continue;
    cuts.add(r.peer.range.base);
    if (r.peer.range.base + r.peer.range.size <= MAX_IP) cuts.add(r.peer.range.base + r.peer.range.size);
  }
  for (const p of PRIVATE_RANGES) { cuts.add(p.base); cuts.add(p.base + p.size); }
  const sorted = [...cuts].filter((c) => c <= MAX_IP).sort((a, b) => a - b);
  const cells: Array<[number, number]> = [];
  for (let i = 0; i < sorted.length; i++) {
    const from = sorted[i]!;
    const to = i + 1 < sorted.length ? sorted[i + 1]! - 1 : MAX_IP;
    if (PRIVATE_RANGES.some((p) => from >= p.base && to < p.base + p.size)) continue; // the internet is public addresses
    cells.push([from, to]);
  }
  return cells;
}

/** Public IPv6 intervals [from, to] cut at every boundary the ingress `cidr6` rules name and at PRIVATE6_RANGES. */
function addressCells6(groups: readonly FwGroup[]): Array<[bigint, bigint]> {
  const cuts = new Set<bigint>([0n]);
  const cut = (base: bigint, size: bigint) => {
    cuts.add(base);
    if (base + size <= MAX_IP6) cuts.add(base + size);
  };
  for (const g of groups) for (const r of g.rules) {
    if (r.direction === 'ingress' && r.peer.kind === 'cidr6') cut(r.peer.range.base, r.peer.range.size);
  }
  for (const p of PRIVATE6_RANGES) cut(p.base, p.size);
  const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const cells: Array<[bigint, bigint]> = [];
  for (let i = 0; i < sorted.length; i++) {
    const from = sorted[i]!;
    const to = i + 1 < sorted.length ? sorted[i + 1]! - 1n : MAX_IP6;
    if (PRIVATE6_RANGES.some((p) => from >= p.base && to < p.base + p.size)) continue; // the IPv6 internet is outside them
    cells.push([from, to]);
  }
  return cells;
}

function portCells(groups: readonly FwGroup[], protocol: FlowProtocol, family?: (r: FwRule) => boolean): Array<[number, number]> {
  if (protocol === 'icmp' || protocol === 'gre' || protocol === 'icmpv6') return [[0, 0]];
  const cuts = new Set<number>([1]);
  for (const g of groups) for (const r of g.rules) {
    if (r.direction !== 'ingress' || (r.protocol !== protocol && r.protocol !== 'all')) continue;
    if (family !== undefined && !family(r)) continue;
    cuts.add(r.portFrom);
    if (r.portTo < 65535) cuts.add(r.portTo + 1);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.map((from, i) => [from, i + 1 < sorted.length ? sorted[i + 1]! - 1 : 65535] as [number, number]);
}

const PUBLIC_SPACE = (() => {
  let total = 2 ** 32;
  for (const p of PRIVATE_RANGES) total -= p.size;
  return total;
})();

// INVARIANT: PRIVATE6_RANGES are disjoint (fc00::/7, fe80::/10, the VPC pool), so their sizes subtract.
const PUBLIC6_SPACE = PRIVATE6_RANGES.reduce((total, p) => total - p.size, MAX_IP6 + 1n);

type ExposureRow = Omit<Exposure, 'instanceId' | 'publicIpAddress' | 'ipv6Address'>;

/**
 * One address family as the exposure sweep sees it: its protocols, its public address cells, the
 * flow that asks about one cell, and how accepted intervals become CIDR blocks. `A` is the
 * address type (number for IPv4, bigint for IPv6).
 */
interface Family<A extends number | bigint> {
  protocols: readonly FlowProtocol[];
  /** the ICMP of the family: no ports, answered as -1/-1 */
  icmp: FlowProtocol;
  cells: Array<[A, A]>;
  ports(protocol: FlowProtocol): Array<[number, number]>;
  flow(protocol: FlowProtocol, port: number, remote: A): Flow;
  /** whether an interval ending at `to` and one starting at `from` touch */
  adjacent(to: A, from: A): boolean;
  /** whether the intervals cover every public address of the family */
  open(intervals: Array<[A, A]>): boolean;
  cidrs(from: A, to: A): string[];
  everyone: string;
}

/** The sweep both families share: one flow per (protocol, port cell, address cell), decided by the engine. */
function sweep<A extends number | bigint>(groups: readonly FwGroup[], fam: Family<A>): ExposureRow[] {
  const compiled = compileEni(groups);
  const out: ExposureRow[] = [];
  for (const protocol of fam.protocols) {
    const portless = protocol === fam.icmp;
    let prev: { from: number; to: number; key: string; intervals: Array<[A, A]>; rules: Map<string, FwRule> } | undefined;
    const flush = () => {
      if (prev === undefined || prev.intervals.length === 0) return;
      const open = fam.open(prev.intervals);
      const services = RISKY.filter((s) => s.protocol === protocol && s.from <= prev!.to && s.to >= prev!.from).map((s) => s.name);
      const risk: RiskLevel = open && services.length > 0 ? 'high' : open || services.length > 0 ? 'medium' : 'low';
      const cidrs = open ? [fam.everyone] : prev.intervals.flatMap(([f, t]) => fam.cidrs(f, t));
      const rules = [...prev.rules.values()].sort(decisionOrder).map((r) => ({ groupId: r.groupId, ruleId: r.ruleId }));
      out.push({ protocol, portFrom: portless ? -1 : prev.from, portTo: portless ? -1 : prev.to, cidrs, openToInternet: open, risk, services: [...new Set(services)], rules });
    };
    for (const [pFrom, pTo] of fam.ports(protocol)) {
      const accepted: Array<[A, A]> = [];
      const opening = new Map<string, FwRule>();
      for (const [aFrom, aTo] of fam.cells) {
        const d = decide(compiled, fam.flow(protocol, pFrom, aFrom));
        if (d.verdict === 'accept') {
          // no peer groups: an ingress accept is always a rule's (no intra-group, the default drops)
          if (d.decidingRule !== undefined) opening.set(`${d.decidingRule.groupId}/${d.decidingRule.ruleId}`, d.decidingRule);
          const last = accepted[accepted.length - 1];
          if (last !== undefined && fam.adjacent(last[1], aFrom)) last[1] = aTo; else accepted.push([aFrom, aTo]);
        }
      }
      const key = accepted.map(([f, t]) => `${f}-${t}`).join(',');
      if (prev !== undefined && prev.key === key && prev.to + 1 === pFrom) {
        prev.to = pTo;
        for (const [k, r] of opening) prev.rules.set(k, r);
        continue;
      }
      flush();
      prev = { from: pFrom, to: pTo, key, intervals: accepted, rules: opening };
    }
    flush();
  }
  return out;
}

/**
 * The exposure of one group set to the internet, as (protocol, ports, accepted address intervals).
 * Pure: DescribeExposure and Security Center's baseline checks (security-center/checks.ts) share it.
 */
export function exposureOfGroups(groups: readonly FwGroup[], networkType: 'vpc' | 'classic', localIp: number): ExposureRow[] {
  const nicType = networkType === 'classic' ? 'internet' : 'intranet';
  return sweep<number>(groups, {
    protocols: ['tcp', 'udp', 'icmp'], icmp: 'icmp',
    cells: addressCells(groups),
    ports: (protocol) => portCells(groups, protocol),
    flow: (protocol, port, remote) => ({ direction: 'ingress', protocol, localIp, localPort: port, remoteIp: remote, remotePort: 40000, nicType, peerGroups: [] }),
    adjacent: (to, from) => to + 1 >= from,
    open: (intervals) => intervals.reduce((a, [f, t]) => a + (t - f + 1), 0) >= PUBLIC_SPACE,
    cidrs: toCidrs, everyone: '0.0.0.0/0',
  });
}

/**
 * The IPv6 exposure of one group set to the IPv6 internet (every address outside PRIVATE6_RANGES),
 * for an ENI whose IPv6 address is `localIp6`: the same sweep over tcp, udp and icmpv6, with IPv6
 * flows and `cidr6` rules (IPv4 rules never meet an IPv6 flow). IPv6 is a VPC's: the flows are
 * intranet. Pure, beside exposureOfGroups.
 */
export function exposureOfGroups6(groups: readonly FwGroup[], localIp6: bigint): ExposureRow[] {
  const local = ip6Words(localIp6);
  return sweep<bigint>(groups, {
    protocols: ['tcp', 'udp', 'icmpv6'], icmp: 'icmpv6',
    cells: addressCells6(groups),
    // only cidr6 rules decide internet IPv6 flows: other rules' ports would cut cells that merge back
    ports: (protocol) => portCells(groups, protocol, (r) => r.peer.kind === 'cidr6'),
    flow: (protocol, port, remote) => ({
      direction: 'ingress', protocol, localIp: 0, localPort: port, remoteIp: 0, remotePort: 40000, ip6: { local, remote: ip6Words(remote) }, nicType: 'intranet', peerGroups: [],
    }),
    adjacent: (to, from) => to + 1n >= from,
    open: (intervals) => intervals.reduce((a, [f, t]) => a + (t - f + 1n), 0n) >= PUBLIC6_SPACE,
    cidrs: toCidrs6, everyone: '::/0',
  });
}

export async function describeExposure(ctx: CallContext, p: { regionId: string; instanceId?: string | undefined }): Promise<Exposure[]> {
  requireRegion(p.regionId);
  const { instances } = await inventoryOf(ctx, p.regionId);
  if (p.instanceId !== undefined && p.instanceId !== '' && !instances.some((i) => i.instanceId === p.instanceId)) {
    throw apiError('InvalidInstanceId.NotFound', { id: p.instanceId });
  }
  const running = instances.filter((i) => i.status !== 'Stopped' && (p.instanceId === undefined || p.instanceId === '' || i.instanceId === p.instanceId));
  // IPv6: an address reaches the internet when it has internet bandwidth (an IPv6 gateway's), on whichever ENI holds it
  const internet6 = running.some((i) => i.networkInterfaces.some((e) => e.ipv6Addresses.length > 0)) ? await ipv6InternetAddresses(ctx) : new Set<string>();
  const enis6 = new Map(running.map((i) => [i.instanceId, [...i.networkInterfaces].sort((a, b) => Number(b.type === 'Primary') - Number(a.type === 'Primary'))
    .map((e) => ({ eni: e, addresses: e.ipv6Addresses.filter((a) => internet6.has(a)) })).filter((x) => x.addresses.length > 0)]));
  const groupIds = [...new Set(running.flatMap((i) => [...(i.publicIpAddress !== '' ? i.securityGroupIds : []), ...enis6.get(i.instanceId)!.flatMap((x) => x.eni.securityGroupIds)]))];
  const model = await loadGroups(ctx, groupIds);
  const bySet = new Map<string, ReturnType<typeof exposureOfGroups>>();
  const cached = (key: string, compute: () => ReturnType<typeof exposureOfGroups>) => {
    let result = bySet.get(key);
    if (result === undefined) bySet.set(key, result = compute());
    return result;
  };
  const out: Exposure[] = [];
  for (const inst of running) {
    if (inst.publicIpAddress !== '') {
      const groups = inst.securityGroupIds.map((id) => model.get(id)).filter((g) => g !== undefined);
      // rules naming the instance's own address (DestCidrIp) make the result depend on it
      const local = groups.some((g) => g.rules.some((r) => r.local !== undefined)) ? inst.privateIpAddress : '';
      const result = cached(inst.networkType + ':' + inst.securityGroupIds.join(',') + ':' + local, () => exposureOfGroups(groups, inst.networkType, ipToInt(inst.privateIpAddress) ?? 0));
      for (const e of result) out.push({ instanceId: inst.instanceId, publicIpAddress: inst.publicIpAddress, ...e });
    }
    for (const { eni, addresses } of enis6.get(inst.instanceId)!) {
      const groups = eni.securityGroupIds.map((id) => model.get(id)).filter((g) => g !== undefined);
      const byAddress = groups.some((g) => g.rules.some((r) => r.local6 !== undefined)); // Ipv6DestCidrIp
      for (const address of addresses) {
        const result = cached('ipv6:' + eni.securityGroupIds.join(',') + ':' + (byAddress ? address : ''), () => exposureOfGroups6(groups, ip6ToBigInt(address) ?? 0n));
        for (const e of result) out.push({ instanceId: inst.instanceId, publicIpAddress: inst.publicIpAddress, ipv6Address: address, ...e });
      }
    }
  }
  return out;
}

/** The account's IPv6 addresses that have internet bandwidth (ipv6-gateways.ts writes them). */
async function ipv6InternetAddresses(ctx: CallContext): Promise<Set<string>> {
  const rows = await ctx.store.db.selectFrom('ipv6_internet').select('address').where('account_id', '=', ctx.principal.accountId).execute();
  return new Set(rows.map((r) => r.address));
}

async function loadGroups(ctx: CallContext, ids: string[]): Promise<Map<string, FwGroup>> {
  return (await loadFwGroups(ctx.store.db, ids)).groups;
}

