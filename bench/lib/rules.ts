// Random rule sets of a realistic mix, shared by the benchmarks (bench/firewall.ts measures the
// engine on them, bench/dataplane.ts the kernel): many tcp port rules, some ranges, CIDRs /32 to
// /0, some drops, some group rules, a few source-port and local ranges. The IPv6 mix (`eni6`) is
// the same with IPv6 CIDRs /128 to /0, icmpv6 for icmp and Ipv6DestCidrIp for the local ranges.
import type { FwGroup, FwRule } from '../../src/engine/firewall/index.ts';

export const NAMED_PORTS = [20, 21, 22, 23, 25, 53, 80, 110, 143, 443, 465, 587, 993, 1433, 1521, 3306, 3389, 5432, 6379, 8080, 8443, 9200, 11211, 27017];
const PREFIXES = [32, 32, 32, 32, 28, 24, 24, 24, 20, 16, 16, 8, 0, 0] as const;
/** 10.0.0.0/8: peers inside the VPC */
export const VPC = 0x0a000000;
/** 10.0.1.5, the ENI's own address */
export const LOCAL_IP = 0x0a000105;

const PREFIXES6 = [128, 128, 128, 128, 124, 120, 120, 64, 64, 56, 48, 32, 0, 0] as const;
/** 2408:4000:0:100::/56: peers inside the VPC (IPv6) */
export const VPC6 = 0x2408_4000_0000_0100n << 64n;
/** 2408:4000:0:101::5, the ENI's own IPv6 address */
export const LOCAL_IP6 = VPC6 + (1n << 64n) + 5n;

/** closures over one random source: safe to destructure */
export interface RuleGenerator {
  rnd: () => number;
  pick: <T>(xs: readonly T[]) => T;
  int: (lo: number, hi: number) => number;
  randomAddress: () => number;
  randomRule: (groupId: string, i: number, peerGroupIds: readonly string[]) => FwRule;
  /** `groupCount` basic groups of `rulesPerGroup` random rules each */
  eni: (groupCount: number, rulesPerGroup: number) => FwGroup[];
  /** an IPv6 address: inside the VPC's /56 half of the time, random global unicast otherwise */
  randomAddress6: () => bigint;
  /** the same, with IPv6 rules */
  eni6: (groupCount: number, rulesPerGroup: number) => FwGroup[];
}

export function ruleGenerator(rnd: () => number): RuleGenerator {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const randomAddress = (): number => (rnd() < 0.5 ? VPC + int(0, 0xffffff) : int(0x01000000, 0xdfffffff));

  function randomRule(groupId: string, i: number, peerGroupIds: readonly string[]): FwRule {
    const direction = rnd() < 0.65 ? 'ingress' : 'egress';
    const x = rnd();
    const protocol: FwRule['protocol'] = x < 0.72 ? 'tcp' : x < 0.86 ? 'udp' : x < 0.94 ? 'icmp' : x < 0.97 ? 'all' : 'gre';
    let portFrom = 1;
    let portTo = 65535;
    if (protocol === 'tcp' || protocol === 'udp') {
      const y = rnd();
      if (y < 0.5) portFrom = portTo = pick(NAMED_PORTS);
      else if (y < 0.8) portFrom = portTo = int(1024, 65535);
      else if (y < 0.95) { portFrom = int(1, 60000); portTo = Math.min(65535, portFrom + int(1, 5000)); }
      // else: 1..65535
    }
    const prefix = pick(PREFIXES);
    const size = 2 ** (32 - prefix);
    const a = randomAddress();
    const peer: FwRule['peer'] = rnd() < 0.06 && peerGroupIds.length > 0
      ? { kind: 'group', groupId: pick(peerGroupIds) }
      : { kind: 'cidr', range: { base: a - (a % size), size } };
    const rule: FwRule = {
      groupId, ruleId: `sgr-${groupId}-${i}`, direction, protocol, portFrom, portTo, srcPortFrom: 1, srcPortTo: 65535,
      policy: rnd() < 0.15 ? 'drop' : 'accept', priority: rnd() < 0.4 ? 1 : rnd() < 0.3 ? 100 : int(1, 100), nicType: 'intranet', peer,
    };
    if ((protocol === 'tcp' || protocol === 'udp') && rnd() < 0.02) { rule.srcPortFrom = 1024; rule.srcPortTo = 65535; }
    if (rnd() < 0.02) rule.local = { base: LOCAL_IP - (LOCAL_IP % 256), size: 256 };
    return rule;
  }

  const word = (): bigint => BigInt(Math.floor(rnd() * 2 ** 32));
  const randomAddress6 = (): bigint => (rnd() < 0.5
    ? VPC6 + (BigInt(int(0, 255)) << 64n) + ((word() << 32n) | word())
    : (0x2000n << 112n) + (((word() << 96n) | (word() << 64n) | (word() << 32n) | word()) % (1n << 125n)));

  /** The IPv4 rule's shape with an IPv6 peer, icmpv6 for icmp and an IPv6 local range. */
  function randomRule6(groupId: string, i: number, peerGroupIds: readonly string[]): FwRule {
    const { local, ...rule } = randomRule(groupId, i, peerGroupIds);
    if (rule.protocol === 'icmp') rule.protocol = 'icmpv6';
    if (rule.peer.kind === 'cidr') {
      const size = 1n << BigInt(128 - pick(PREFIXES6));
      const a = randomAddress6();
      rule.peer = { kind: 'cidr6', range: { base: a - (a % size), size } };
    }
    const six: FwRule = rule;
    if (local !== undefined) six.local6 = { base: LOCAL_IP6 - (LOCAL_IP6 % (1n << 64n)), size: 1n << 64n };
    return six;
  }

  function build(groupCount: number, rulesPerGroup: number, make: typeof randomRule): FwGroup[] {
    const ids = Array.from({ length: groupCount }, (_, g) => `sg-${g}`);
    const others = ['sg-web', 'sg-db', 'sg-bastion', 'sg-cache', ...ids];
    return ids.map((groupId) => ({
      groupId, type: 'normal', innerAccessPolicy: 'Accept',
      rules: Array.from({ length: rulesPerGroup }, (_, i) => make(groupId, i, others)),
    }));
  }
  const eni = (groupCount: number, rulesPerGroup: number): FwGroup[] => build(groupCount, rulesPerGroup, randomRule);
  const eni6 = (groupCount: number, rulesPerGroup: number): FwGroup[] => build(groupCount, rulesPerGroup, randomRule6);

  return { rnd, pick, int, randomAddress, randomRule, eni, randomAddress6, eni6 };
}
