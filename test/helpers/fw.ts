// Builders for the firewall engine's model in tests: addresses and CIDRs from text, rules with
// defaults (tcp ingress accept from anywhere, priority 1), groups of such rules.
import { ipToInt, parseCidr } from '../../src/engine/cidr.ts';
import type { AddressRange, FwGroup, FwRule } from '../../src/engine/firewall/index.ts';

export function ip(text: string): number {
  const n = ipToInt(text);
  if (n === null) throw new Error(`bad test address ${text}`);
  return n;
}

export function cidr(text: string): AddressRange {
  const c = parseCidr(text);
  if (c === null) throw new Error(`bad test CIDR ${text}`);
  return { base: c.base, size: c.size };
}

let ruleSeq = 0;
export type RuleSpec = Partial<Omit<FwRule, 'peer'>> & { from?: string; fromGroup?: string; peer?: FwRule['peer'] };

export function rule(spec: RuleSpec): FwRule {
  const { from, fromGroup, ...rest } = spec;
  const peer: FwRule['peer'] = fromGroup !== undefined ? { kind: 'group', groupId: fromGroup } : { kind: 'cidr', range: cidr(from ?? '0.0.0.0/0') };
  return {
    groupId: 'sg-a', ruleId: `sgr-${String(++ruleSeq).padStart(4, '0')}`, direction: 'ingress', protocol: 'tcp',
    portFrom: 1, portTo: 65535, srcPortFrom: 1, srcPortTo: 65535, policy: 'accept', priority: 1, nicType: 'intranet',
    peer, ...rest,
  };
}

export function group(groupId: string, rules: RuleSpec[], opts: Partial<Pick<FwGroup, 'type' | 'innerAccessPolicy'>> = {}): FwGroup {
  return { groupId, type: opts.type ?? 'normal', innerAccessPolicy: opts.innerAccessPolicy ?? 'Accept', rules: rules.map((r) => rule({ groupId, ...r })) };
}

/** A rule as the property tests' arbitraries draw it (every field but the ids). */
export interface RuleShape {
  direction: FwRule['direction'];
  protocol: FwRule['protocol'];
  ports: { lo: number; hi: number };
  src: { lo: number; hi: number } | null;
  policy: FwRule['policy'];
  priority: number;
  nicType: FwRule['nicType'];
  peer: FwRule['peer'];
  local: AddressRange | null;
}

export function ruleFromShape(groupId: string, i: number, s: RuleShape): FwRule {
  const r: FwRule = {
    groupId, ruleId: `r${i}`, direction: s.direction, protocol: s.protocol,
    portFrom: s.ports.lo, portTo: s.ports.hi, srcPortFrom: s.src?.lo ?? 1, srcPortTo: s.src?.hi ?? 65535,
    policy: s.policy, priority: s.priority, nicType: s.nicType, peer: s.peer,
  };
  if (s.local !== null) r.local = s.local;
  return r;
}
