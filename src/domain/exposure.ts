// DescribeExposure: what of each instance with a public address the internet can reach, computed
// by the decision engine (a drop at a stronger priority hides an accept), not by reading rules.
// For one set of groups the ingress rules cut ports and addresses into elementary intervals; one
// flow per (protocol, port interval, address interval) is decided, and the accepted cells are
// merged back into port ranges and CIDR blocks. Instances with the same groups share the work.
import type { CallContext } from './context.ts';
import { requireRegion } from './regions.ts';
import { apiError } from './errors.ts';
import { inventoryOf } from './instances.ts';
import { loadFwGroups } from './fw-groups.ts';
import { compileEni, decide, type FwGroup, type FwRule, type FlowProtocol, type Flow } from '../engine/firewall/index.ts';
import { intToIp, ipToInt, PRIVATE_RANGES } from '../engine/cidr.ts';

export type RiskLevel = 'high' | 'medium' | 'low';

export interface Exposure {
  instanceId: string;
  publicIpAddress: string;
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

function portCells(groups: readonly FwGroup[], protocol: FlowProtocol): Array<[number, number]> {
  if (protocol === 'icmp' || protocol === 'gre') return [[0, 0]];
  const cuts = new Set<number>([1]);
  for (const g of groups) for (const r of g.rules) {
    if (r.direction !== 'ingress' || (r.protocol !== protocol && r.protocol !== 'all')) continue;
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

/** The exposure of one group set to the internet, as (protocol, ports, accepted address intervals). */
function exposureOfGroups(groups: readonly FwGroup[], networkType: 'vpc' | 'classic', localIp: number): Array<Omit<Exposure, 'instanceId' | 'publicIpAddress'>> {
  const compiled = compileEni(groups);
  const nicType = networkType === 'classic' ? 'internet' : 'intranet';
  const cells = addressCells(groups);
  const out: Array<Omit<Exposure, 'instanceId' | 'publicIpAddress'>> = [];
  for (const protocol of ['tcp', 'udp', 'icmp'] as const) {
    let prev: { from: number; to: number; key: string; intervals: Array<[number, number]>; rules: Map<string, FwRule> } | undefined;
    const flush = () => {
      if (prev === undefined || prev.intervals.length === 0) return;
      const covered = prev.intervals.reduce((a, [f, t]) => a + (t - f + 1), 0);
      const open = covered >= PUBLIC_SPACE;
      const services = RISKY.filter((s) => s.protocol === protocol && s.from <= prev!.to && s.to >= prev!.from).map((s) => s.name);
      const risk: RiskLevel = open && services.length > 0 ? 'high' : open || services.length > 0 ? 'medium' : 'low';
      const cidrs = open ? ['0.0.0.0/0'] : prev.intervals.flatMap(([f, t]) => toCidrs(f, t));
      const rules = [...prev.rules.values()].sort(decisionOrder).map((r) => ({ groupId: r.groupId, ruleId: r.ruleId }));
      out.push({ protocol, portFrom: protocol === 'icmp' ? -1 : prev.from, portTo: protocol === 'icmp' ? -1 : prev.to, cidrs, openToInternet: open, risk, services: [...new Set(services)], rules });
    };
    for (const [pFrom, pTo] of portCells(groups, protocol)) {
      const accepted: Array<[number, number]> = [];
      const opening = new Map<string, FwRule>();
      for (const [aFrom, aTo] of cells) {
        const flow: Flow = { direction: 'ingress', protocol, localIp, localPort: pFrom, remoteIp: aFrom, remotePort: 40000, nicType, peerGroups: [] };
        const d = decide(compiled, flow);
        if (d.verdict === 'accept') {
          // no peer groups: an ingress accept is always a rule's (no intra-group, the default drops)
          if (d.decidingRule !== undefined) opening.set(`${d.decidingRule.groupId}/${d.decidingRule.ruleId}`, d.decidingRule);
          const last = accepted[accepted.length - 1];
          if (last !== undefined && last[1] + 1 >= aFrom) last[1] = aTo; else accepted.push([aFrom, aTo]);
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

export async function describeExposure(ctx: CallContext, p: { regionId: string; instanceId?: string | undefined }): Promise<Exposure[]> {
  requireRegion(p.regionId);
  const { instances } = await inventoryOf(ctx, p.regionId);
  const exposed = instances.filter((i) => i.publicIpAddress !== '' && i.status !== 'Stopped' && (p.instanceId === undefined || p.instanceId === '' || i.instanceId === p.instanceId));
  if (p.instanceId !== undefined && p.instanceId !== '' && !instances.some((i) => i.instanceId === p.instanceId)) {
    throw apiError('InvalidInstanceId.NotFound', { id: p.instanceId });
  }
  const groupIds = [...new Set(exposed.flatMap((i) => i.securityGroupIds))];
  const model = await loadGroups(ctx, groupIds);
  const bySet = new Map<string, Array<Omit<Exposure, 'instanceId' | 'publicIpAddress'>>>();
  const out: Exposure[] = [];
  for (const inst of exposed) {
    const groups = inst.securityGroupIds.map((id) => model.get(id)).filter((g) => g !== undefined);
    // rules naming the instance's own address (DestCidrIp) make the result depend on it
    const local = groups.some((g) => g.rules.some((r) => r.local !== undefined)) ? inst.privateIpAddress : '';
    const key = inst.networkType + ':' + inst.securityGroupIds.join(',') + ':' + local;
    let result = bySet.get(key);
    if (result === undefined) {
      result = exposureOfGroups(groups, inst.networkType, ipToInt(inst.privateIpAddress) ?? 0);
      bySet.set(key, result);
    }
    for (const e of result) out.push({ instanceId: inst.instanceId, publicIpAddress: inst.publicIpAddress, ...e });
  }
  return out;
}

async function loadGroups(ctx: CallContext, ids: string[]): Promise<Map<string, FwGroup>> {
  return (await loadFwGroups(ctx.store.db, ids)).groups;
}

