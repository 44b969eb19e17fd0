// A security-group rule as the wire and files see it: the `Permissions.Permission[]` echo of
// DescribeSecurityGroupAttribute (also the shape of exports, previews and skipped rules), the
// one list of a permission's input fields (AuthorizeSecurityGroup's `Permissions.N.*`, an export's
// entries), and the conversions between a normalized Rule and its input: back to the input that
// normalizes to it, from a Permission-shaped object, and across network types (clone, import).
import { apiError } from './errors.ts';
import { type Direction, type IpProtocol, type Rule, type RuleInput, SIDES, cidrParam } from './sg-rules.ts';

export type NetworkType = 'vpc' | 'classic';

const given = (v: string | undefined): v is string => v !== undefined && v !== '';

/**
 * One `Permissions.Permission[]` item: every field a string, absent ones '' as the real API
 * returns them, except `Priority`, a JSON number (typed clients such as aliyungo decode it into
 * an int and refuse `"1"`).
 */
export interface Permission {
  CreateTime: string;
  Description: string;
  DestCidrIp: string;
  DestGroupId: string;
  DestGroupName: string;
  DestGroupOwnerAccount: string;
  DestPrefixListId: string;
  DestPrefixListName: string;
  Direction: string;
  IpProtocol: string;
  Ipv6DestCidrIp: string;
  Ipv6SourceCidrIp: string;
  NicType: string;
  Policy: string;
  PortRange: string;
  PortRangeListId: string;
  PortRangeListName: string;
  Priority: number;
  SecurityGroupRuleId: string;
  SourceCidrIp: string;
  SourceGroupId: string;
  SourceGroupName: string;
  SourceGroupOwnerAccount: string;
  SourcePortRange: string;
  SourcePrefixListId: string;
  SourcePrefixListName: string;
}

export interface PermissionExtra {
  securityGroupRuleId: string;
  /** ISO-8601 UTC, e.g. `2018-12-12T07:28:38Z` */
  createTime: string;
  /** names of authorized groups by id, for `SourceGroupName` / `DestGroupName` */
  groupNames?: ReadonlyMap<string, string>;
  /** names of prefix lists by id, for `SourcePrefixListName` / `DestPrefixListName` */
  prefixListNames?: ReadonlyMap<string, string>;
}

const WIRE_PROTOCOL: Record<IpProtocol, string> = { tcp: 'TCP', udp: 'UDP', icmp: 'ICMP', gre: 'GRE', all: 'ALL', icmpv6: 'ICMPv6' };

/**
 * The rule as DescribeSecurityGroupAttribute echoes it. Terraform matches these values exactly
 * (lower-cased protocol and policy, `PortRange`, `Priority`, the CIDR / group id), so the shape is
 * the real service's: `TCP`, `22/22`, `1` (a number), `Accept`.
 */
export function toPermission(rule: Rule, extra: PermissionExtra): Permission {
  const perm: Permission = {
    CreateTime: extra.createTime, Description: rule.description,
    DestCidrIp: '', DestGroupId: '', DestGroupName: '', DestGroupOwnerAccount: '', DestPrefixListId: '', DestPrefixListName: '',
    Direction: rule.direction, IpProtocol: WIRE_PROTOCOL[rule.ipProtocol],
    Ipv6DestCidrIp: '', Ipv6SourceCidrIp: '', NicType: rule.nicType,
    Policy: rule.policy === 'accept' ? 'Accept' : 'Drop', PortRange: rule.portRange,
    PortRangeListId: '', PortRangeListName: '', Priority: rule.priority,
    SecurityGroupRuleId: extra.securityGroupRuleId,
    SourceCidrIp: '', SourceGroupId: '', SourceGroupName: '', SourceGroupOwnerAccount: '',
    SourcePortRange: rule.sourcePortRange, SourcePrefixListId: '', SourcePrefixListName: '',
  };
  const s = SIDES[rule.direction];
  const { peer } = rule;
  switch (peer.kind) {
    case 'cidr':
      perm[cidrParam(s, 'peer', peer.cidr)] = peer.cidr;
      break;
    case 'group':
      perm[s.group] = peer.groupId;
      perm[s.ownerAccount] = peer.ownerAccountShown;
      perm[rule.direction === 'ingress' ? 'SourceGroupName' : 'DestGroupName'] = extra.groupNames?.get(peer.groupId) ?? '';
      break;
    case 'prefixList':
      perm[s.prefixList] = peer.prefixListId;
      perm[rule.direction === 'ingress' ? 'SourcePrefixListName' : 'DestPrefixListName'] = extra.prefixListNames?.get(peer.prefixListId) ?? '';
      break;
  }
  if (rule.otherCidr !== '') perm[cidrParam(s, 'other', rule.otherCidr)] = rule.otherCidr;
  return perm;
}

/** A rule in the DescribeSecurityGroupAttribute shape; id and time '' for a rule not (yet) written. */
export const permissionOf = (rule: Rule, id = '', createTime = ''): Permission => toPermission(rule, { securityGroupRuleId: id, createTime });

/** A rule that was not (or would not be) written, with the reason. */
export interface SkippedRule {
  code: string;
  message: string;
  permission: Permission;
}

/**
 * The fields of one permission as AuthorizeSecurityGroup(Egress) takes them (`Permissions.N.*`,
 * and the same names in an export): the one list every reader of rule input uses.
 */
export const RULE_INPUT_FIELDS = [
  'IpProtocol', 'PortRange', 'SourcePortRange', 'SourceCidrIp', 'DestCidrIp', 'SourceGroupId', 'SourceGroupOwnerId',
  'SourceGroupOwnerAccount', 'DestGroupId', 'DestGroupOwnerId', 'DestGroupOwnerAccount', 'Policy', 'Priority', 'NicType',
  'Description', 'Ipv6SourceCidrIp', 'Ipv6DestCidrIp', 'SourcePrefixListId', 'DestPrefixListId',
] as const satisfies ReadonlyArray<keyof RuleInput>;

/**
 * A Permission-shaped object (DescribeSecurityGroupAttribute, an export, an import entry) → its
 * direction and the wire input AuthorizeSecurityGroup(Egress) would take. Numbers and booleans
 * are taken as their text (`"Priority": 1`); unknown fields are ignored.
 */
export function permissionInput(entry: unknown): { direction: Direction; input: RuleInput } {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw apiError('InvalidContent.Malformed', 'notObject');
  }
  const obj = entry as Record<string, unknown>;
  const text = (name: string): string | undefined => {
    if (!Object.hasOwn(obj, name)) return undefined;
    const v = obj[name];
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw apiError('InvalidContent.Malformed', 'notString', { field: name });
  };
  const rawDirection = text('Direction');
  const direction = rawDirection?.toLowerCase();
  if (direction !== 'ingress' && direction !== 'egress') {
    throw (rawDirection === undefined || rawDirection === ''
      ? apiError('InvalidDirection.Malformed', 'absent')
      : apiError('InvalidDirection.Malformed', { value: rawDirection.slice(0, 64) }));
  }
  const input: RuleInput = {};
  for (const f of RULE_INPUT_FIELDS) {
    const v = text(f);
    if (v !== undefined) input[f] = v;
  }
  return { direction, input };
}

/** The wire input that normalizes back to `rule` (for modify: fields not given keep their values). */
export function inputOf(rule: Rule): RuleInput {
  const ingress = rule.direction === 'ingress';
  const input: RuleInput = {
    IpProtocol: rule.ipProtocol, PortRange: rule.portRange, Policy: rule.policy, Priority: String(rule.priority),
    NicType: rule.nicType, Description: rule.description,
  };
  if (rule.sourcePortRange !== '') input.SourcePortRange = rule.sourcePortRange;
  const v6 = (c: string) => c.includes(':');
  if (rule.peer.kind === 'cidr') {
    if (ingress) { if (v6(rule.peer.cidr)) input.Ipv6SourceCidrIp = rule.peer.cidr; else input.SourceCidrIp = rule.peer.cidr; }
    else if (v6(rule.peer.cidr)) input.Ipv6DestCidrIp = rule.peer.cidr; else input.DestCidrIp = rule.peer.cidr;
  } else if (rule.peer.kind === 'group') {
    if (ingress) { input.SourceGroupId = rule.peer.groupId; if (rule.peer.ownerAccountShown !== '') input.SourceGroupOwnerAccount = rule.peer.ownerAccountShown; }
    else { input.DestGroupId = rule.peer.groupId; if (rule.peer.ownerAccountShown !== '') input.DestGroupOwnerAccount = rule.peer.ownerAccountShown; }
  } else if (ingress) input.SourcePrefixListId = rule.peer.prefixListId;
  else input.DestPrefixListId = rule.peer.prefixListId;
  if (rule.otherCidr !== '') {
    if (ingress) { if (v6(rule.otherCidr)) input.Ipv6DestCidrIp = rule.otherCidr; else input.DestCidrIp = rule.otherCidr; }
    else if (v6(rule.otherCidr)) input.Ipv6SourceCidrIp = rule.otherCidr; else input.SourceCidrIp = rule.otherCidr;
  }
  return input;
}

/** The network-type translation of sg-clone.ts's header (clone and import). `from` undefined: unknown, taken literally. */
export function adaptNicType(direction: Direction, input: RuleInput, from: NetworkType | undefined, to: NetworkType): RuleInput {
  if (to === 'vpc') {
    const out = { ...input };
    delete out.NicType;
    return out;
  }
  if (from === 'vpc') {
    const peerCidr = direction === 'ingress' ? given(input.SourceCidrIp) || given(input.Ipv6SourceCidrIp) : given(input.DestCidrIp) || given(input.Ipv6DestCidrIp);
    const peerGroup = direction === 'ingress' ? given(input.SourceGroupId) : given(input.DestGroupId);
    // a CIDR wins over a group (sg-rules parsePeer): only a group-authorized rule stays intranet
    if (peerCidr || !peerGroup) return { ...input, NicType: 'internet' };
  }
  return input;
}

