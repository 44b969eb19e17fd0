// One rule being written in the Rules tab (the editable row: Add Security Group Rule, Edit; ECS
// security guide §1.7, §1.11.2): its form values, what a group and tab allow (advanced groups: no
// priority, no Forbid, no group authorization; classic internal inbound by CIDR: /32 only; IPv6
// objects in VPC groups only), the checks of its port ranges and authorization objects (IPv4 or
// IPv6; ICMP takes IPv4 objects and ICMPv6 IPv6 ones, where the API answers
// InvalidParam.Ipv4ProtocolConflictWithIpv6Address / …Ipv6ProtocolConflictWithIpv4Address; Quick
// Rule Creation uses the same checks), and the calls it becomes: adding, every (range × object) in
// ONE AuthorizeSecurityGroup(Egress) with Permissions.N; editing, ModifySecurityGroupRule (or
// …EgressRule) by SecurityGroupRuleId.
import type { Params } from '../../../api.ts';
import type { MessageKey } from '../../../i18n/en.ts';
import type { SecurityGroupInfo } from '../types.ts';
import {
  MAX_OBJECTS, authorizeAction, expand, modifyAction, peerOf, permissionsParams, protocolType, protocolTypeOfRule, ruleFields,
  isIpv6Object, splitList, validObject, validPortRange, type ProtocolType, type RuleEntry, type RuleTab, type WirePermission,
} from './model.ts';

export interface RuleFormValues {
  policy: 'accept' | 'drop';
  priority: number;
  protocolType: string;
  portRange: string;
  authType: 'cidr' | 'group';
  objects: string;
  groupId: string;
  groupOwnerAccount: string;
  description: string;
}

/** Group authorization is for internal networks: not on a classic group's internet NIC, not in advanced groups. */
export function groupAuthAllowed(group: SecurityGroupInfo, tab: RuleTab): boolean {
  return group.type !== 'enterprise' && !(group.networkType === 'classic' && tab.nicType === 'internet');
}

/** Classic internal inbound by CIDR: single addresses only. */
export function onlySingleAddresses(group: SecurityGroupInfo, tab: RuleTab): boolean {
  return group.networkType === 'classic' && tab.direction === 'ingress' && tab.nicType === 'intranet';
}

/** A new rule's values, or an existing rule's as the form shows them. */
export function initialValues(editing: WirePermission | undefined): RuleFormValues {
  if (editing === undefined) {
    return { policy: 'accept', priority: 1, protocolType: 'tcp', portRange: '', authType: 'cidr', objects: '', groupId: '', groupOwnerAccount: '', description: '' };
  }
  const peer = peerOf(editing);
  const pt = protocolTypeOfRule(editing);
  return {
    policy: editing.Policy.toLowerCase() === 'drop' ? 'drop' : 'accept', priority: Number(editing.Priority) || 1,
    protocolType: pt.id, portRange: editing.PortRange, authType: peer.kind === 'group' ? 'group' : 'cidr',
    objects: peer.kind === 'cidr' ? peer.id : '', groupId: peer.kind === 'group' ? peer.id : '', groupOwnerAccount: peer.account ?? '',
    description: editing.Description,
  };
}

/** A check's finding: the message and its values. */
export type Problem = [MessageKey, Record<string, string | number>?];

/**
 * The port ranges of a custom TCP/UDP entry: at least one (unless `optional`), at most one when
 * editing (`one`), each `a/b` with 1 ≤ a ≤ b ≤ 65535.
 */
export function portRangesProblem(ranges: readonly string[], opts: { one?: boolean; optional?: boolean } = {}): Problem | undefined {
  if (ranges.length === 0) return opts.optional === true ? undefined : ['sgRules.portRangeRequired'];
  if (opts.one === true && ranges.length > 1) return ['sgRules.portRangeOne'];
  const bad = ranges.find((r) => !validPortRange(r));
  return bad === undefined ? undefined : ['sgRules.portRangeInvalid', { value: bad }];
}

/** IPv6 authorization objects are for VPC groups (the API refuses them in classic groups). */
export const ipv6Allowed = (group: SecurityGroupInfo) => group.networkType === 'vpc';

/**
 * CIDR authorization objects: 1 to `max`, each an IPv4 or IPv6 address or block (IPv6 only when
 * `ipv6`), /32 only when `single32`; with `protocol`, of its family (ICMP IPv4, ICMPv6 IPv6).
 */
export function objectsProblem(objects: readonly string[], opts: { max: number; single32?: boolean; ipv6?: boolean; protocol?: ProtocolType['protocol'] }): Problem | undefined {
  if (objects.length === 0) return ['sgRules.objectsRequired'];
  if (objects.length > opts.max) return ['sgRules.objectsTooMany', { max: opts.max }];
  const bad = objects.find((o) => !validObject(o));
  if (bad !== undefined) return ['sgRules.objectInvalid', { value: bad }];
  const v6 = objects.find(isIpv6Object);
  if (opts.ipv6 === false && v6 !== undefined) return ['sgRules.objectIpv6NotHere', { value: v6 }];
  const wide = objects.find((o) => !o.endsWith('/32'));
  if (opts.single32 === true && wide !== undefined) return ['sgRules.objectNot32', { value: wide }];
  return opts.protocol === undefined ? undefined : familyProblem(opts.protocol, objects);
}

/** ICMP is IPv4 only and ICMPv6 IPv6 only: the first object of the other family. */
export function familyProblem(protocol: ProtocolType['protocol'], objects: readonly string[]): Problem | undefined {
  const v4 = objects.find((o) => !isIpv6Object(o));
  const v6 = objects.find(isIpv6Object);
  if (protocol === 'icmpv6' && v4 !== undefined) return ['sgRules.icmpv6NeedsIpv6', { value: v4 }];
  if (protocol === 'icmp' && v6 !== undefined) return ['sgRules.icmpNeedsIpv4', { value: v6 }];
  return undefined;
}

/** How many objects an entry takes: up to 10 when adding, one when editing (a rule has one peer). */
export const maxObjects = (adding: boolean) => (adding ? MAX_OBJECTS : 1);

/** The form's values as one entry of the tab's direction and NIC type, with what the group allows. */
export function entryOf(v: RuleFormValues, group: SecurityGroupInfo, tab: RuleTab): RuleEntry {
  const p = protocolType(v.protocolType);
  const groupAuth = groupAuthAllowed(group, tab) && v.authType === 'group';
  return {
    direction: tab.direction, nicType: tab.nicType, policy: group.type === 'enterprise' ? 'accept' : v.policy, priority: v.priority ?? 1,
    protocol: p.protocol, ranges: p.ports !== undefined ? [p.ports] : splitList(v.portRange),
    authType: groupAuth ? 'group' : 'cidr', objects: groupAuth ? [v.groupId.trim()] : splitList(v.objects),
    groupOwnerAccount: groupAuth ? (v.groupOwnerAccount ?? '').trim() : '', description: v.description ?? '',
  };
}

/** The number of rules an entry becomes (ranges × objects; at least 1 while it is being typed). */
export function ruleCount(e: RuleEntry): number {
  return Math.max(1, e.ranges.length) * Math.max(1, e.objects.length);
}

/** A call of the console's bridge: the ECS action and its flat parameters. */
export interface RuleCall { action: string; params: Params }

/** Adding: every (range × object) of the entry, one Authorize call. */
export function addCall(e: RuleEntry, group: SecurityGroupInfo): RuleCall {
  return {
    action: authorizeAction(e.direction),
    params: { RegionId: group.regionId, SecurityGroupId: group.securityGroupId, ...permissionsParams(expand(e, group)) },
  };
}

/** Editing: the rule's new fields by its id; the peer and description it had and no longer has are cleared (a modify keeps what it is not given). */
export function modifyCall(e: RuleEntry, group: SecurityGroupInfo, ruleId: string): RuleCall {
  const fields = ruleFields(e, e.ranges[0]!, e.objects[0]!, group);
  const side = e.direction === 'ingress' ? 'Source' : 'Dest';
  for (const f of [`${side}CidrIp`, `Ipv6${side}CidrIp`, `${side}GroupId`, 'Description']) if (fields[f] === undefined) fields[f] = '';
  return {
    action: modifyAction(e.direction),
    params: { RegionId: group.regionId, SecurityGroupId: group.securityGroupId, SecurityGroupRuleId: ruleId, ...fields },
  };
}
