// Security-group rules of the ECS API: one permission as the wire gives it (`Permissions.N` of
// AuthorizeSecurityGroup / AuthorizeSecurityGroupEgress, and the same fields of Revoke* and
// Modify*) → a normalized, validated `Rule` for the group it goes into; the rule's identity (for
// idempotent authorize and revoke-by-tuple); its port ranges as the engine reads them. Pure: no
// store, no I/O. Existence checks (authorized group, prefix list, same VPC, quotas) belong to the
// caller (sg-rule-gate.ts); the rule's echo on the wire and in files is sg-rule-wire.ts.
//
// Sources: ALIBABA-FACTS §4.1/§4.2/§4.8 and the ECS API reference pages they cite
// (AlibabaCloudDocs/ecs `cn.zh-CN/API参考/安全组/AuthorizeSecurityGroup.md`,
// `AuthorizeSecurityGroupEgress.md`, `DescribeSecurityGroupAttribute.md`).
import ipaddr from 'ipaddr.js';
import { type DomainError, apiError } from './errors.ts';
import { formatCidr, parseCidr } from '../engine/cidr.ts';

export type Direction = 'ingress' | 'egress';
export const IP_PROTOCOLS = ['tcp', 'udp', 'icmp', 'gre', 'all', 'icmpv6'] as const;
export type IpProtocol = (typeof IP_PROTOCOLS)[number];
export type RulePolicy = 'accept' | 'drop';
export type NicType = 'intranet' | 'internet';

/** One permission as the wire gives it: every field optional, every value a string. */
export interface RuleInput {
  IpProtocol?: string;
  PortRange?: string;
  SourcePortRange?: string;
  SourceCidrIp?: string;
  DestCidrIp?: string;
  SourceGroupId?: string;
  SourceGroupOwnerId?: string;
  SourceGroupOwnerAccount?: string;
  DestGroupId?: string;
  DestGroupOwnerId?: string;
  DestGroupOwnerAccount?: string;
  Policy?: string;
  Priority?: string;
  NicType?: string;
  Description?: string;
  Ipv6SourceCidrIp?: string;
  Ipv6DestCidrIp?: string;
  SourcePrefixListId?: string;
  DestPrefixListId?: string;
}

/** The authorization object: the source of an ingress rule, the destination of an egress rule. */
export type RulePeer =
  | { kind: 'cidr'; cidr: string }
  | {
    kind: 'group';
    groupId: string;
    /** the authorized group's owner: the one named on the wire, else the rule's own account */
    ownerAccountId: string;
    /** the owner as the caller named it, '' when not named (echoed as `SourceGroupOwnerAccount`) */
    ownerAccountShown: string;
  }
  | { kind: 'prefixList'; prefixListId: string };

export interface Rule {
  direction: Direction;
  ipProtocol: IpProtocol;
  /** `22/22`, `1/65535`, `-1/-1` */
  portRange: string;
  /** '' when absent */
  sourcePortRange: string;
  policy: RulePolicy;
  /** 1..100; 110 for legacy system rules */
  priority: number;
  nicType: NicType;
  peer: RulePeer;
  /** the optional other side: DestCidrIp/Ipv6DestCidrIp of an ingress rule, SourceCidrIp/Ipv6SourceCidrIp of an egress one; '' when absent */
  otherCidr: string;
  description: string;
}

/** A revoke / modify tuple: a rule whose policy and priority constrain only when given. */
export interface RuleTuple extends Omit<Rule, 'policy' | 'priority' | 'description'> {
  policy?: RulePolicy;
  priority?: number;
}

/** The group a rule goes into. */
export interface RuleGroup {
  type: 'normal' | 'enterprise';
  networkType: 'vpc' | 'classic';
  securityGroupId: string;
  accountId: string;
}

export interface NormalizeOptions {
  /** prefix of the wire names in messages, e.g. `Permissions.2.`; '' for the deprecated flat form */
  param?: string;
  /** accept priority 110 (legacy system rules: default groups, restore, import) */
  allowSystemPriority?: boolean;
}

export const MAX_PRIORITY = 100;
export const SYSTEM_PRIORITY = 110;
export const MAX_RULE_DESCRIPTION = 512;

// ---------------------------------------------------------------------------------------------
// Wire names per direction. The peer is the source of an ingress rule and the destination of an
// egress rule; the other side is the opposite CIDR.

export interface Side {
  cidr: 'SourceCidrIp' | 'DestCidrIp';
  cidr6: 'Ipv6SourceCidrIp' | 'Ipv6DestCidrIp';
  group: 'SourceGroupId' | 'DestGroupId';
  ownerId: 'SourceGroupOwnerId' | 'DestGroupOwnerId';
  ownerAccount: 'SourceGroupOwnerAccount' | 'DestGroupOwnerAccount';
  prefixList: 'SourcePrefixListId' | 'DestPrefixListId';
  otherCidr: 'SourceCidrIp' | 'DestCidrIp';
  otherCidr6: 'Ipv6SourceCidrIp' | 'Ipv6DestCidrIp';
  /** no authorization object: `MissingParameter.Source` (ingress) / `MissingParameter.Dest` (egress), both documented */
  missing: 'MissingParameter.Source' | 'MissingParameter.Dest';
  /** group authorized with NicType internet: documented 403 `InvalidSourceGroupId.Mismatch` / `InvalidDestGroupId.Mismatch` */
  groupMismatch: 'InvalidSourceGroupId.Mismatch' | 'InvalidDestGroupId.Mismatch';
  /**
   * the rule authorizes its own group: ingress documents 403 `InvalidParamter.Conflict` (sic); the
   * egress page documents 403 `InvalidSecurityGroup.IsSame` with a message naming `DestGroupId`.
   */
  self: 'InvalidParamter.Conflict' | 'InvalidSecurityGroup.IsSame';
}

export const SIDES: Record<Direction, Side> = {
  ingress: {
    cidr: 'SourceCidrIp', cidr6: 'Ipv6SourceCidrIp', group: 'SourceGroupId', ownerId: 'SourceGroupOwnerId',
    ownerAccount: 'SourceGroupOwnerAccount', prefixList: 'SourcePrefixListId', otherCidr: 'DestCidrIp',
    otherCidr6: 'Ipv6DestCidrIp', missing: 'MissingParameter.Source', groupMismatch: 'InvalidSourceGroupId.Mismatch',
    self: 'InvalidParamter.Conflict',
  },
  egress: {
    cidr: 'DestCidrIp', cidr6: 'Ipv6DestCidrIp', group: 'DestGroupId', ownerId: 'DestGroupOwnerId',
    ownerAccount: 'DestGroupOwnerAccount', prefixList: 'DestPrefixListId', otherCidr: 'SourceCidrIp',
    otherCidr6: 'Ipv6SourceCidrIp', missing: 'MissingParameter.Dest', groupMismatch: 'InvalidDestGroupId.Mismatch',
    self: 'InvalidSecurityGroup.IsSame',
  },
};

const PORTLESS: ReadonlySet<IpProtocol> = new Set(['icmp', 'gre', 'all', 'icmpv6']);
const ALL_PORTS = '-1/-1';

/** An absent parameter and an empty one are the same thing (SDKs send neither, forms may send `X=`). */
function given(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

/** A value fit for a message: long values are cut. */
function shown(v: string): string {
  return v.length > 64 ? v.slice(0, 64) + '…' : v;
}

function missingParameter(name: string): DomainError {
  return apiError('MissingParameter', { name });
}

// ---------------------------------------------------------------------------------------------
// Scalar fields

function parseProtocol(input: RuleInput, p: string): IpProtocol {
  const raw = input.IpProtocol;
  if (!given(raw)) throw missingParameter(`${p}IpProtocol`);
  const v = raw.toLowerCase();
  if (!(IP_PROTOCOLS as readonly string[]).includes(v)) {
    throw apiError('InvalidIpProtocol.ValueNotSupported', { name: `${p}IpProtocol`, value: shown(raw) });
  }
  return v as IpProtocol;
}

/** `a/b` with each side `-1` or 0..99999 (range checks come after); null when unparsable. */
function splitRange(text: string): [number, number] | null {
  const m = /^(-1|[0-9]{1,5})\/(-1|[0-9]{1,5})$/.exec(text);
  if (m === null) return null;
  return [Number(m[1]), Number(m[2])];
}

/**
 * Destination port range. tcp/udp: `start/end`, 1..65535, start <= end, required; the other
 * protocols: `-1/-1` only, and `-1/-1` when absent. Protocol vs range mismatch is `OperationDenied`
 * (the documented code for "IpProtocol and PortRange do not match").
 */
function parsePortRange(raw: string | undefined, protocol: IpProtocol, p: string): string {
  const name = `${p}PortRange`;
  if (!given(raw)) {
    if (PORTLESS.has(protocol)) return ALL_PORTS;
    throw apiError('InvalidIpPortRange.Malformed', 'required', { name, protocol });
  }
  const r = splitRange(raw);
  if (r === null) {
    throw apiError('InvalidIpPortRange.Malformed', { name, value: shown(raw) });
  }
  const [from, to] = r;
  const all = from === -1 && to === -1;
  if (PORTLESS.has(protocol)) {
    if (all) return ALL_PORTS;
    throw apiError('OperationDenied', { name, value: raw, protocolName: `${p}IpProtocol`, protocol });
  }
  if (all) {
    throw apiError('OperationDenied', 'portedProtocol', { name, value: raw, protocolName: `${p}IpProtocol`, protocol });
  }
  checkPorts(from, to, raw, name, 'InvalidIpPortRange.Malformed');
  return `${from}/${to}`;
}

function checkPorts(from: number, to: number, raw: string, name: string, code: 'InvalidIpPortRange.Malformed' | 'InvalidSourcePortRange.Malformed'): void {
  if (from < 1 || to < 1 || from > 65535 || to > 65535) {
    throw apiError(code, 'outOfRange', { name, value: raw });
  }
  if (from > to) {
    throw apiError(code, 'reversed', { name, value: raw });
  }
}

/** Optional source port range, same shape as PortRange; '' when absent. */
function parseSourcePortRange(raw: string | undefined, protocol: IpProtocol, p: string): string {
  if (!given(raw)) return '';
  const name = `${p}SourcePortRange`;
  const code = 'InvalidSourcePortRange.Malformed'; // documented on every rule operation
  const r = splitRange(raw);
  if (r === null) throw apiError(code, { name, value: shown(raw) });
  const [from, to] = r;
  const all = from === -1 && to === -1;
  if (PORTLESS.has(protocol)) {
    if (all) return ALL_PORTS;
    throw apiError(code, 'portless', { name, value: raw, protocolName: `${p}IpProtocol`, protocol });
  }
  if (all) throw apiError(code, 'ported', { name, value: raw, protocolName: `${p}IpProtocol`, protocol });
  checkPorts(from, to, raw, name, code);
  return `${from}/${to}`;
}

function parsePolicy(raw: string | undefined, p: string): RulePolicy {
  if (!given(raw)) return 'accept';
  const v = raw.toLowerCase();
  if (v === 'accept' || v === 'drop') return v;
  throw apiError('InvalidPolicy.Malformed', { name: `${p}Policy`, value: shown(raw) });
}

function parsePriority(raw: string | undefined, p: string, allowSystem: boolean): number {
  if (!given(raw)) return 1;
  const name = `${p}Priority`;
  if (!/^-?[0-9]{1,9}$/.test(raw)) {
    throw apiError('InvalidPriority.Malformed', { name, value: shown(raw) });
  }
  const n = Number(raw);
  if ((n >= 1 && n <= MAX_PRIORITY) || (allowSystem && n === SYSTEM_PRIORITY)) return n;
  throw apiError('InvalidPriority.ValueNotSupported', { name, value: raw, max: MAX_PRIORITY });
}

function parseNicTypeValue(raw: string, p: string): NicType {
  const v = raw.toLowerCase();
  if (v === 'intranet' || v === 'internet') return v;
  throw apiError('InvalidNicType.ValueNotSupported', { name: `${p}NicType`, value: shown(raw) });
}

function parseDescription(raw: string | undefined, p: string): string {
  if (raw === undefined) return '';
  if (raw.length > MAX_RULE_DESCRIPTION) {
    // sic: the documented code is spelled `Discription`
    throw apiError('InvalidSecurityGroupDiscription.Malformed', { name: `${p}Description`, max: MAX_RULE_DESCRIPTION });
  }
  return raw;
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** `a.b.c.d` or `a.b.c.d/n` → `network/n` (a bare address is /32, host bits are cleared); null when invalid. */
export function normalizeIpv4Cidr(text: string): string | null {
  const c = parseCidr(text);
  return c === null ? null : formatCidr(c);
}

/** An IPv6 address or CIDR → compressed lower-case `network/n` (bare address /128); null when invalid. */
export function normalizeIpv6Cidr(text: string): string | null {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? '128' : text.slice(slash + 1);
  if (addr.includes('%') || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > 128 || !ipaddr.IPv6.isValid(addr)) return null;
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${addr}/${prefix}`).toString()}/${prefix}`;
}

/** True for an IPv6 CIDR as this module writes them. */
export function isIpv6Cidr(cidr: string): boolean {
  return cidr.includes(':');
}

/** Reads the IPv4 and IPv6 parameters of one side; at most one may be given. '' when neither. */
function readCidrPair(input: RuleInput, v4: Side['cidr'], v6: Side['cidr6'], p: string): string {
  const a = input[v4];
  const b = input[v6];
  if (given(a) && given(b)) {
    throw apiError('InvalidParameter', { name: `${p}${v6}`, value: shown(b), why: `\`${p}${v4}\` is given as well; a rule takes an IPv4 or an IPv6 block, not both.` });
  }
  if (given(a)) {
    const c = normalizeIpv4Cidr(a);
    if (c === null) throw apiError(`Invalid${v4}.Malformed`, { name: `${p}${v4}`, value: shown(a) });
    return c;
  }
  if (given(b)) {
    const c = normalizeIpv6Cidr(b);
    if (c === null) throw apiError(`InvalidParam.${v6}`, { name: `${p}${v6}`, value: shown(b) });
    return c;
  }
  return '';
}

/**
 * The authorization object. Documented precedence when several are given (API reference,
 * SourceGroupId / DestPrefixListId): a CIDR block wins over a group, and a prefix list is
 * ignored when a CIDR block or a group is given; the group owner is ignored for a CIDR block.
 */
function parsePeer(direction: Direction, input: RuleInput, group: RuleGroup, p: string): RulePeer {
  const s = SIDES[direction];
  const cidr = readCidrPair(input, s.cidr, s.cidr6, p);
  if (cidr !== '') return { kind: 'cidr', cidr };
  const groupId = input[s.group];
  if (given(groupId)) {
    const owner = parseOwner(input[s.ownerId], input[s.ownerAccount], s, p);
    return { kind: 'group', groupId, ownerAccountId: owner || group.accountId, ownerAccountShown: owner };
  }
  const prefixListId = input[s.prefixList];
  if (given(prefixListId)) return { kind: 'prefixList', prefixListId };
  throw apiError(s.missing, { cidr: `${p}${s.cidr}`, cidr6: `${p}${s.cidr6}`, group: `${p}${s.group}`, prefixList: `${p}${s.prefixList}` });
}

/** The owner of an authorized group: `*OwnerId` (numeric) or `*OwnerAccount`; '' when neither. */
function parseOwner(id: string | undefined, account: string | undefined, s: Side, p: string): string {
  if (given(id) && !/^[0-9]{1,20}$/.test(id)) {
    throw apiError('InvalidParameter', { name: `${p}${s.ownerId}`, value: shown(id), why: 'It must be an account id (digits).' });
  }
  if (given(id) && given(account) && id !== account) {
    throw apiError('InvalidParameter', { name: `${p}${s.ownerAccount}`, value: shown(account), why: `It names another account than \`${p}${s.ownerId}\` \`${id}\`.` });
  }
  return given(id) ? id : given(account) ? account : '';
}

export function cidrParam(s: Side, which: 'peer' | 'other', cidr: string): Side['cidr'] | Side['cidr6'] {
  if (which === 'peer') return isIpv6Cidr(cidr) ? s.cidr6 : s.cidr;
  return isIpv6Cidr(cidr) ? s.otherCidr6 : s.otherCidr;
}

// ---------------------------------------------------------------------------------------------
// Normalization

interface Parsed {
  rule: Rule;
  /** whether Priority / Policy were given on the wire (`rule` holds the defaults otherwise) */
  priorityGiven: boolean;
  policyGiven: boolean;
}

/** Field-level parsing and the checks every use of a rule shares (authorize, revoke, modify). */
function parse(direction: Direction, input: RuleInput, group: RuleGroup, opts: NormalizeOptions): Parsed {
  const p = opts.param ?? '';
  const s = SIDES[direction];
  const ipProtocol = parseProtocol(input, p);
  const portRange = parsePortRange(input.PortRange, ipProtocol, p);
  const sourcePortRange = parseSourcePortRange(input.SourcePortRange, ipProtocol, p);
  const policy = parsePolicy(input.Policy, p);
  const priority = parsePriority(input.Priority, p, opts.allowSystemPriority === true);
  const nicRaw = input.NicType;
  const explicitNic = given(nicRaw) ? parseNicTypeValue(nicRaw, p) : undefined;
  const peer = parsePeer(direction, input, group, p);
  const otherCidr = readCidrPair(input, s.otherCidr, s.otherCidr6, p);
  const description = parseDescription(input.Description, p);

  checkAddressFamilies(ipProtocol, peer, otherCidr, s, p);
  if (group.networkType === 'classic') checkClassicAddressing(peer, otherCidr, s, p);

  // Default NicType (API reference): `internet` on the classic network, except that VPC groups and
  // group authorization only know `intranet`.
  const nicType: NicType = explicitNic ?? (group.networkType === 'vpc' || peer.kind === 'group' ? 'intranet' : 'internet');
  if (nicType === 'internet' && group.networkType === 'vpc') {
    throw apiError('InvalidNicType.Mismatch', { name: `${p}NicType` });
  }
  if (nicType === 'internet' && peer.kind === 'group') {
    throw apiError(s.groupMismatch, { nicType: `${p}NicType`, group: `${p}${s.group}` });
  }

  return {
    rule: { direction, ipProtocol, portRange, sourcePortRange, policy, priority, nicType, peer, otherCidr, description },
    priorityGiven: given(input.Priority), policyGiven: given(input.Policy),
  };
}

/** ICMP is IPv4 only and ICMPv6 IPv6 only (documented codes); peer and other side share a family. */
function checkAddressFamilies(protocol: IpProtocol, peer: RulePeer, otherCidr: string, s: Side, p: string): void {
  const cidrs: Array<['peer' | 'other', string]> = [];
  if (peer.kind === 'cidr') cidrs.push(['peer', peer.cidr]);
  if (otherCidr !== '') cidrs.push(['other', otherCidr]);
  for (const [which, cidr] of cidrs) {
    const name = `${p}${cidrParam(s, which, cidr)}`;
    if (protocol === 'icmp' && isIpv6Cidr(cidr)) {
      throw apiError('InvalidParam.Ipv4ProtocolConflictWithIpv6Address', { name, cidr, protocolName: `${p}IpProtocol` });
    }
    if (protocol === 'icmpv6' && !isIpv6Cidr(cidr)) {
      throw apiError('InvalidParam.Ipv6ProtocolConflictWithIpv4Address', { name, cidr, protocolName: `${p}IpProtocol` });
    }
  }
  const [a, b] = cidrs;
  if (a !== undefined && b !== undefined && isIpv6Cidr(a[1]) !== isIpv6Cidr(b[1])) {
    // [inference] not a documented code: a rule mixing families can never match a packet.
    throw apiError('InvalidParameter', { name: `${p}${cidrParam(s, 'other', b[1])}`, value: b[1], why: `It must be of the same address family as \`${p}${cidrParam(s, 'peer', a[1])}\` \`${a[1]}\`.` });
  }
}

/** Classic groups: no IPv6 and no prefix lists (both documented as VPC only). */
function checkClassicAddressing(peer: RulePeer, otherCidr: string, s: Side, p: string): void {
  if (peer.kind === 'prefixList') {
    throw apiError('NotSupported.ClassicNetworkPrefixList', { name: `${p}${s.prefixList}`, value: shown(peer.prefixListId) });
  }
  for (const [which, cidr] of [['peer', peer.kind === 'cidr' ? peer.cidr : ''], ['other', otherCidr]] as const) {
    if (cidr !== '' && isIpv6Cidr(cidr)) {
      const name = which === 'peer' ? s.cidr6 : s.otherCidr6;
      throw apiError(`InvalidParam.${name}`, 'classic', { name: `${p}${name}`, value: cidr });
    }
  }
}

/**
 * Normalizes and validates one permission for authorization into `group`. Throws the DomainError
 * the real service answers (codes: ALIBABA-FACTS §4.2 and the API reference pages).
 */
export function normalizeRule(direction: Direction, input: RuleInput, group: RuleGroup, opts: NormalizeOptions = {}): Rule {
  const p = opts.param ?? '';
  const s = SIDES[direction];
  const { rule, priorityGiven } = parse(direction, input, group, opts);
  const { peer } = rule;

  if (peer.kind === 'group' && peer.groupId === group.securityGroupId) {
    throw apiError(s.self, { name: `${p}${s.group}`, groupId: peer.groupId });
  }
  if (group.type === 'enterprise') checkAdvancedGroup(rule, priorityGiven, s, p);
  if (rule.otherCidr !== '' && peer.kind === 'cidr' && rule.otherCidr === peer.cidr) {
    // documented: 400 `InvalidParamter.Conflict` (sic) "The specified SourceCidrIp should be different from the DestCidrIp."
    throw apiError('InvalidParamter.Conflict', 'sameCidr', { name: `${p}${cidrParam(s, 'other', rule.otherCidr)}`, value: rule.otherCidr, peerName: `${p}${cidrParam(s, 'peer', peer.cidr)}` });
  }
  // SPEC §1.2: in a classic group, an intranet ingress rule authorized by CIDR names one IPv4 address.
  if (group.networkType === 'classic' && direction === 'ingress' && rule.nicType === 'intranet' && peer.kind === 'cidr' && !peer.cidr.endsWith('/32')) {
    throw apiError('InvalidSourceCidrIp.Malformed', 'classicIntranet', { name: `${p}${s.cidr}`, value: peer.cidr });
  }
  return rule;
}

/**
 * Advanced (enterprise) groups: accept rules only, priority fixed at 1, CIDR/prefix-list
 * authorization only (SPEC §1.1, ALIBABA-FACTS §4.1). The API reference documents the limits but
 * no dedicated code; `OperationDenied` (400) is the code the same pages use for a combination of
 * valid values the group can't take.
 */
function checkAdvancedGroup(rule: Rule, priorityGiven: boolean, s: Side, p: string): void {
  if (rule.policy === 'drop') {
    throw apiError('OperationDenied', 'advancedGroup', { name: `${p}Policy`, value: 'drop' });
  }
  if (priorityGiven && rule.priority !== 1) {
    throw apiError('OperationDenied', 'advancedGroup', { name: `${p}Priority`, value: String(rule.priority) });
  }
  if (rule.peer.kind === 'group') {
    throw apiError('OperationDenied', 'advancedGroup', { name: `${p}${s.group}`, value: rule.peer.groupId });
  }
}

/**
 * Normalizes a revoke / modify tuple: the same field checks as `normalizeRule`, but none of the
 * authorize-only constraints (a tuple that can't name an existing rule just matches nothing), and
 * policy / priority stay unset when not given.
 */
export function normalizeTuple(direction: Direction, input: RuleInput, group: RuleGroup, opts: NormalizeOptions = {}): RuleTuple {
  const { rule, priorityGiven, policyGiven } = parse(direction, input, group, opts);
  const tuple: RuleTuple = {
    direction: rule.direction, ipProtocol: rule.ipProtocol, portRange: rule.portRange, sourcePortRange: rule.sourcePortRange,
    nicType: rule.nicType, peer: rule.peer, otherCidr: rule.otherCidr,
  };
  if (policyGiven) tuple.policy = rule.policy;
  if (priorityGiven) tuple.priority = rule.priority;
  return tuple;
}

// ---------------------------------------------------------------------------------------------
// Identity

function peerKey(peer: RulePeer): string {
  switch (peer.kind) {
    case 'cidr': return `cidr:${peer.cidr}`;
    case 'group': return `sg:${peer.ownerAccountId}/${peer.groupId}`;
    case 'prefixList': return `pl:${peer.prefixListId}`;
  }
}

/**
 * The identity of a rule within its group: two authorizations with equal keys are the same rule
 * (the second succeeds and adds nothing). Description is not part of it. Priority is: the API
 * reference leaves it out of the Modify/Revoke tuple, but Terraform's resource id includes it and
 * rules differing only by priority are distinct there (ALIBABA-FACTS §4.1, §4.8).
 */
export function ruleKey(rule: Rule): string {
  return [rule.direction, rule.ipProtocol, rule.portRange, rule.sourcePortRange, rule.nicType, rule.policy,
    String(rule.priority), peerKey(rule.peer), rule.otherCidr].join('|');
}

/** Revoke / modify by tuple: every field must be equal; policy and priority only when the tuple gives them. */
export function ruleMatchesTuple(rule: Rule, tuple: RuleTuple): boolean {
  return rule.direction === tuple.direction && rule.ipProtocol === tuple.ipProtocol &&
    rule.portRange === tuple.portRange && rule.sourcePortRange === tuple.sourcePortRange &&
    rule.nicType === tuple.nicType && peerKey(rule.peer) === peerKey(tuple.peer) &&
    rule.otherCidr === tuple.otherCidr &&
    (tuple.policy === undefined || rule.policy === tuple.policy) &&
    (tuple.priority === undefined || rule.priority === tuple.priority);
}

// ---------------------------------------------------------------------------------------------
// Ports for the engine

function bounds(range: string): [number, number] {
  if (range === '' || range === ALL_PORTS) return [1, 65535];
  const r = splitRange(range);
  // INVARIANT: ranges in a Rule were written by parsePortRange / parseSourcePortRange.
  if (r === null) throw new Error(`port range \`${range}\` was not normalized`);
  return r;
}

/** Destination ports as [from, to]; protocols without ports (`-1/-1`) cover 1..65535. */
export function portRangeBounds(rule: Pick<Rule, 'portRange'>): [number, number] {
  return bounds(rule.portRange);
}

/** Source ports as [from, to]; absent or `-1/-1` covers 1..65535. */
export function sourcePortRangeBounds(rule: Pick<Rule, 'sourcePortRange'>): [number, number] {
  return bounds(rule.sourcePortRange);
}
