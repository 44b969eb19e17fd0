// The Rules tab's data: the wire rule (DescribeSecurityGroupAttribute's Permission), the tabs a
// group's rules are shown in (VPC: inbound/outbound; classic: the four of direction × NIC type),
// the protocol picker's named types (ECS security guide §1.7, "Relationship between protocol types
// and port ranges"), and the expansion of one add-form entry (several port ranges × up to 10
// authorization objects, IPv4 and IPv6 mixed: each object its own rule, an IPv6 one sent as
// Ipv6SourceCidrIp / Ipv6DestCidrIp) into the flat `Permissions.N.*` parameters of ONE Authorize call.
import type { Params } from '../../../api.ts';
import type { MessageKey } from '../../../i18n/en.ts';
import type { SecurityGroupInfo } from '../types.ts';

export type Direction = 'ingress' | 'egress';
export type NicType = 'intranet' | 'internet';

/** One entry of DescribeSecurityGroupAttribute's `Permissions.Permission` (the fields the tab reads). */
export interface WirePermission {
  SecurityGroupRuleId: string;
  Direction: Direction;
  IpProtocol: string;
  PortRange: string;
  Policy: string;
  Priority: number | string;
  NicType: string;
  SourceCidrIp: string;
  DestCidrIp: string;
  SourceGroupId: string;
  SourceGroupName?: string;
  SourceGroupOwnerAccount: string;
  DestGroupId: string;
  DestGroupName?: string;
  DestGroupOwnerAccount: string;
  SourcePrefixListId?: string;
  DestPrefixListId?: string;
  Ipv6SourceCidrIp?: string;
  Ipv6DestCidrIp?: string;
  Description: string;
  CreateTime: string;
}

export interface AttributeAnswer {
  SecurityGroupId: string;
  Permissions: { Permission: WirePermission[] };
}

export interface RuleTab { key: string; direction: Direction; nicType: NicType; label: MessageKey }

/** VPC groups have one NIC type (intranet); classic groups split internal and internet. */
export function tabsOf(group: SecurityGroupInfo): RuleTab[] {
  if (group.networkType === 'vpc') {
    return [
      { key: 'ingress-intranet', direction: 'ingress', nicType: 'intranet', label: 'sgRules.tabInbound' },
      { key: 'egress-intranet', direction: 'egress', nicType: 'intranet', label: 'sgRules.tabOutbound' },
    ];
  }
  return [
    { key: 'ingress-intranet', direction: 'ingress', nicType: 'intranet', label: 'sgRules.tabInternalIngress' },
    { key: 'egress-intranet', direction: 'egress', nicType: 'intranet', label: 'sgRules.tabInternalEgress' },
    { key: 'ingress-internet', direction: 'ingress', nicType: 'internet', label: 'sgRules.tabInternetIngress' },
    { key: 'egress-internet', direction: 'egress', nicType: 'internet', label: 'sgRules.tabInternetEgress' },
  ];
}

export function rulesOfTab(rules: readonly WirePermission[], tab: RuleTab, group: SecurityGroupInfo): WirePermission[] {
  return rules.filter((r) => r.Direction === tab.direction && (group.networkType === 'vpc' || r.NicType === tab.nicType));
}

/** The protocol picker: each named type's wire protocol and the port range it fills. */
export interface ProtocolType { id: string; label: string; protocol: 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'gre' | 'all'; ports?: string }

export const PROTOCOL_TYPES: readonly ProtocolType[] = [
  { id: 'all', label: 'All', protocol: 'all', ports: '-1/-1' },
  { id: 'icmp', label: 'All ICMP (IPv4)', protocol: 'icmp', ports: '-1/-1' },
  { id: 'icmpv6', label: 'All ICMP (IPv6)', protocol: 'icmpv6', ports: '-1/-1' },
  { id: 'gre', label: 'All GRE', protocol: 'gre', ports: '-1/-1' },
  { id: 'tcp', label: 'Custom TCP', protocol: 'tcp' },
  { id: 'udp', label: 'Custom UDP', protocol: 'udp' },
  { id: 'ssh', label: 'SSH (22)', protocol: 'tcp', ports: '22/22' },
  { id: 'telnet', label: 'TELNET (23)', protocol: 'tcp', ports: '23/23' },
  { id: 'http', label: 'HTTP (80)', protocol: 'tcp', ports: '80/80' },
  { id: 'https', label: 'HTTPS (443)', protocol: 'tcp', ports: '443/443' },
  { id: 'mssql', label: 'MS SQL (1433)', protocol: 'tcp', ports: '1433/1433' },
  { id: 'oracle', label: 'Oracle (1521)', protocol: 'tcp', ports: '1521/1521' },
  { id: 'mysql', label: 'MySQL (3306)', protocol: 'tcp', ports: '3306/3306' },
  { id: 'rdp', label: 'RDP (3389)', protocol: 'tcp', ports: '3389/3389' },
  { id: 'postgresql', label: 'PostgreSQL (5432)', protocol: 'tcp', ports: '5432/5432' },
  { id: 'redis', label: 'Redis (6379)', protocol: 'tcp', ports: '6379/6379' },
];

/** Quick Rule Creation's ten application ports (all TCP), in the guide's order. */
export const QUICK_PORTS = PROTOCOL_TYPES.filter((p) => p.protocol === 'tcp' && p.ports !== undefined);

export function protocolType(id: string): ProtocolType {
  return PROTOCOL_TYPES.find((p) => p.id === id) ?? PROTOCOL_TYPES[3]!;
}

/** The picker entry an existing rule shows as (a named type when protocol and ports match one). */
export function protocolTypeOfRule(r: Pick<WirePermission, 'IpProtocol' | 'PortRange'>): ProtocolType {
  const proto = r.IpProtocol.toLowerCase();
  return PROTOCOL_TYPES.find((p) => p.protocol === proto && p.ports !== undefined && (p.ports === r.PortRange || p.ports === '-1/-1'))
    ?? protocolType(proto === 'udp' ? 'udp' : 'tcp');
}

/** Comma-separated entries, trimmed, empty ones dropped (`22/23, 443/443` → two). */
export function splitList(text: string | undefined): string[] {
  return (text ?? '').split(/[,，]/).map((s) => s.trim()).filter((s) => s !== '');
}

export const MAX_OBJECTS = 10;

/** A port range `a/b` with 1 ≤ a ≤ b ≤ 65535. */
export function validPortRange(r: string): boolean {
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(r);
  if (m === null) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a >= 1 && b <= 65535 && a <= b;
}

/** An IPv4 address or CIDR block (what the API takes as SourceCidrIp/DestCidrIp). */
export function validCidr(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(s);
  if (m === null) return false;
  if ([m[1], m[2], m[3], m[4]].some((o) => Number(o) > 255)) return false;
  return m[5] === undefined || Number(m[5]) <= 32;
}

/** An IPv6 address (eight groups, `::` once, an IPv4 tail allowed) with an optional /0–/128. */
export function validIpv6Cidr(s: string): boolean {
  const m = /^([0-9A-Fa-f:.]+)(?:\/(0|[1-9]\d{0,2}))?$/.exec(s);
  if (m === null || (m[2] !== undefined && Number(m[2]) > 128)) return false;
  const addr = m[1]!;
  const halves = addr.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const parts = halves.flatMap(groups);
  let words = 0;
  for (const [i, part] of parts.entries()) {
    if (/^[0-9A-Fa-f]{1,4}$/.test(part)) words += 1;
    else if (i === parts.length - 1 && !addr.endsWith('::') && validCidr(part) && !part.includes('/')) words += 2; // ::ffff:a.b.c.d
    else return false;
  }
  return halves.length === 2 ? words <= 7 : words === 8;
}

/** An IPv6 authorization object (the API tells the families apart the same way: a colon). */
export const isIpv6Object = (s: string) => s.includes(':');

/** An authorization object of either family. */
export const validObject = (s: string) => (isIpv6Object(s) ? validIpv6Cidr(s) : validCidr(s));

/** One rule entry of the add form or of Quick Rule Creation, before it is expanded. */
export interface RuleEntry {
  direction: Direction;
  nicType: NicType;
  policy: 'accept' | 'drop';
  priority: number;
  protocol: ProtocolType['protocol'];
  /** the port ranges, `-1/-1` for protocols without ports */
  ranges: string[];
  authType: 'cidr' | 'group';
  /** CIDR blocks, or one security group id */
  objects: string[];
  /** the group's owner account (another account's group), '' for the current account */
  groupOwnerAccount: string;
  description: string;
}

/** The fields of one rule as AuthorizeSecurityGroup(Egress) / ModifySecurityGroupRule take them. */
export function ruleFields(e: RuleEntry, range: string, object: string, group: SecurityGroupInfo): Record<string, string> {
  const f: Record<string, string> = { IpProtocol: e.protocol, PortRange: range };
  if (group.type !== 'enterprise') {
    f['Policy'] = e.policy;
    f['Priority'] = String(e.priority);
  }
  if (group.networkType === 'classic') f['NicType'] = e.nicType;
  const side = e.direction === 'ingress' ? 'Source' : 'Dest';
  if (e.authType === 'group') {
    f[`${side}GroupId`] = object;
    if (e.groupOwnerAccount !== '') f[`${side}GroupOwnerAccount`] = e.groupOwnerAccount;
  } else {
    f[isIpv6Object(object) ? `Ipv6${side}CidrIp` : `${side}CidrIp`] = object;
  }
  if (e.description !== '') f['Description'] = e.description;
  return f;
}

/** One rule per (port range × object), in that order. */
export function expand(e: RuleEntry, group: SecurityGroupInfo): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const range of e.ranges) for (const object of e.objects) out.push(ruleFields(e, range, object, group));
  return out;
}

/** The flat `Permissions.N.Field` parameters of one Authorize call. */
export function permissionsParams(rules: ReadonlyArray<Record<string, string>>): Params {
  const p: Params = {};
  rules.forEach((r, i) => {
    for (const [k, v] of Object.entries(r)) p[`Permissions.${i + 1}.${k}`] = v;
  });
  return p;
}

export const authorizeAction = (d: Direction) => (d === 'ingress' ? 'AuthorizeSecurityGroup' : 'AuthorizeSecurityGroupEgress');
export const revokeAction = (d: Direction) => (d === 'ingress' ? 'RevokeSecurityGroup' : 'RevokeSecurityGroupEgress');
export const modifyAction = (d: Direction) => (d === 'ingress' ? 'ModifySecurityGroupRule' : 'ModifySecurityGroupEgressRule');

/** The peer of a rule as the table shows it: a CIDR, a prefix list, or a group (with its account). */
export function peerOf(r: WirePermission): { kind: 'cidr' | 'group' | 'prefixList'; id: string; name?: string; account?: string } {
  const ing = r.Direction === 'ingress';
  const group = ing ? r.SourceGroupId : r.DestGroupId;
  if (group !== '') {
    const name = ing ? r.SourceGroupName : r.DestGroupName;
    const account = ing ? r.SourceGroupOwnerAccount : r.DestGroupOwnerAccount;
    return { kind: 'group', id: group, ...(name ? { name } : {}), ...(account ? { account } : {}) };
  }
  const pl = (ing ? r.SourcePrefixListId : r.DestPrefixListId) ?? '';
  if (pl !== '') return { kind: 'prefixList', id: pl };
  const cidr = (ing ? r.SourceCidrIp || r.Ipv6SourceCidrIp : r.DestCidrIp || r.Ipv6DestCidrIp) ?? '';
  return { kind: 'cidr', id: cidr };
}

/** A one-line summary naming a rule (used where a dialog names what it deletes). */
export function ruleSummary(r: WirePermission): string {
  const peer = peerOf(r);
  const action = r.Policy.toLowerCase() === 'drop' ? 'Forbid' : 'Allow';
  return `${action} ${r.IpProtocol} ${r.PortRange} ${r.Direction === 'ingress' ? '←' : '→'} ${peer.id}`;
}
