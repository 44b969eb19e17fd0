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
