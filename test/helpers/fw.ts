// Builders for the firewall engine's model in tests: addresses and CIDRs from text, rules with
// defaults (tcp ingress accept from anywhere, priority 1), groups of such rules.
import { ip6ToBigInt, ip6Words, ipToInt, parseCidr, parseCidr6 } from '../../src/engine/cidr.ts';
import type { Address6Range, AddressRange, FwGroup, FwRule, Ip6 } from '../../src/engine/firewall/index.ts';

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

export function ip6(text: string): bigint {
  const n = ip6ToBigInt(text);
  if (n === null) throw new Error(`bad test IPv6 address ${text}`);
  return n;
}

/** An IPv6 address as a flow carries it (four words). */
export function ip6w(text: string): Ip6 {
  return ip6Words(ip6(text));
}

export function cidr6(text: string): Address6Range {
  const c = parseCidr6(text);
  if (c === null) throw new Error(`bad test IPv6 CIDR ${text}`);
  return { base: c.base, size: c.size };
}

let ruleSeq = 0;
export type RuleSpec = Partial<Omit<FwRule, 'peer'>> & { from?: string; fromGroup?: string; peer?: FwRule['peer'] };

/** `from` may be an IPv4 or an IPv6 CIDR */
export function rule(spec: RuleSpec): FwRule {
  const { from, fromGroup, ...rest } = spec;
  const peer: FwRule['peer'] = fromGroup !== undefined ? { kind: 'group', groupId: fromGroup }
    : from?.includes(':') === true ? { kind: 'cidr6', range: cidr6(from) } : { kind: 'cidr', range: cidr(from ?? '0.0.0.0/0') };
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
  local6?: Address6Range | null;
}

export function ruleFromShape(groupId: string, i: number, s: RuleShape): FwRule {
  const r: FwRule = {
    groupId, ruleId: `r${i}`, direction: s.direction, protocol: s.protocol,
    portFrom: s.ports.lo, portTo: s.ports.hi, srcPortFrom: s.src?.lo ?? 1, srcPortTo: s.src?.hi ?? 65535,
    policy: s.policy, priority: s.priority, nicType: s.nicType, peer: s.peer,
  };
  if (s.local !== null) r.local = s.local;
  if (s.local6 !== undefined && s.local6 !== null) r.local6 = s.local6;
  return r;
}
