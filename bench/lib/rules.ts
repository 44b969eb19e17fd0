// Random rule sets of a realistic mix, shared by the benchmarks (bench/firewall.ts measures the
// engine on them, bench/dataplane.ts the kernel): many tcp port rules, some ranges, CIDRs /32 to
// /0, some drops, some group rules, a few source-port and local ranges.
import type { FwGroup, FwRule } from '../../src/engine/firewall/index.ts';

export const NAMED_PORTS = [20, 21, 22, 23, 25, 53, 80, 110, 143, 443, 465, 587, 993, 1433, 1521, 3306, 3389, 5432, 6379, 8080, 8443, 9200, 11211, 27017];
const PREFIXES = [32, 32, 32, 32, 28, 24, 24, 24, 20, 16, 16, 8, 0, 0] as const;
/** 10.0.0.0/8: peers inside the VPC */
export const VPC = 0x0a000000;
/** 10.0.1.5, the ENI's own address */
export const LOCAL_IP = 0x0a000105;

/** closures over one random source: safe to destructure */
export interface RuleGenerator {
  rnd: () => number;
  pick: <T>(xs: readonly T[]) => T;
  int: (lo: number, hi: number) => number;
  randomAddress: () => number;
  randomRule: (groupId: string, i: number, peerGroupIds: readonly string[]) => FwRule;
  /** `groupCount` basic groups of `rulesPerGroup` random rules each */
  eni: (groupCount: number, rulesPerGroup: number) => FwGroup[];
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

  function eni(groupCount: number, rulesPerGroup: number): FwGroup[] {
    const ids = Array.from({ length: groupCount }, (_, g) => `sg-${g}`);
    const others = ['sg-web', 'sg-db', 'sg-bastion', 'sg-cache', ...ids];
    return ids.map((groupId) => ({
      groupId, type: 'normal', innerAccessPolicy: 'Accept',
      rules: Array.from({ length: rulesPerGroup }, (_, i) => randomRule(groupId, i, others)),
    }));
  }

  return { rnd, pick, int, randomAddress, randomRule, eni };
}
