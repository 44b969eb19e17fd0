// The firewall engine's model (SPEC §1.2-§1.3): rules, groups, flows and decisions as plain data
// with IPv4 addresses as unsigned integers and IPv6 addresses as bigints (src/engine/cidr.ts). Every stage of the engine
// (reference.ts, compile.ts) speaks these types and nothing else; the domain translates stored
// rules into them (src/domain/network-access.ts).
//
// Port semantics, shared by every evaluator:
// - A rule's ports (`portFrom..portTo` and `srcPortFrom..srcPortTo`) mean something only when its
//   protocol has ports (`tcp`, `udp`); `icmp`, `gre` and `all` rules match any port, as their
//   `-1/-1` ranges say. A tcp/udp rule only ever meets tcp/udp flows, so icmp/gre flows never have
//   their (zero) ports checked.
// - The source range restricts only when it is not 1..65535 (unset); an unrestricted range matches
//   any port, including the 0 that flows without a known peer port may carry.

//
// Address families. A flow is IPv4, or IPv6 when it carries `ip6`. A rule's family follows its
// addresses: a `cidr` peer or `local` range makes it IPv4 only, a `cidr6` peer or `local6` range
// IPv6 only; a group-authorized rule with neither applies to both (a group's members are reached
// by their IPv4 and IPv6 addresses alike). Protocols do not decide the family: `icmp` and `icmpv6`
// are separate protocols that the API pairs with one family each, and `all` matches any protocol.

export type FlowProtocol = 'tcp' | 'udp' | 'icmp' | 'gre' | 'icmpv6';

/** An IPv4 range `[base, base + size)`, unsigned integers; a CIDR as src/engine/cidr.ts parses it. */
export interface AddressRange { base: number; size: number }

/** An IPv6 range `[base, base + size)` of 128-bit unsigned addresses. */
export interface Address6Range { base: bigint; size: bigint }

/**
 * An IPv6 address in a flow: four unsigned 32-bit words, most significant first (cidr.ts
 * ip6Words). Plain numbers rather than a bigint: the compiled engine compares them per flow, and
 * bigint comparisons cost ten times as much.
 */
export type Ip6 = readonly [number, number, number, number];

export interface FwRule {
  groupId: string;
  ruleId: string;
  direction: 'ingress' | 'egress';
  protocol: FlowProtocol | 'all';
  /** the instance's port for ingress, the remote port for egress; 1..65535 (all ports for icmp/gre/all) */
  portFrom: number;
  portTo: number;
  /** the other side's port: the remote port for ingress, the local port for egress; 1..65535 when unset */
  srcPortFrom: number;
  srcPortTo: number;
  policy: 'accept' | 'drop';
  /** 1..100, smaller is stronger (110: legacy system rules) */
  priority: number;
  nicType: 'intranet' | 'internet';
  /** who is on the other side: an IPv4 or IPv6 address range, or the members of a group (internal network only) */
  peer: { kind: 'cidr'; range: AddressRange } | { kind: 'cidr6'; range: Address6Range } | { kind: 'group'; groupId: string };
  /** DestCidrIp of an ingress rule / SourceCidrIp of an egress rule: the ENI's own address must be inside */
  local?: AddressRange;
  /** Ipv6DestCidrIp of an ingress rule / Ipv6SourceCidrIp of an egress rule: the ENI's own IPv6 address must be inside */
  local6?: Address6Range;
}

export interface FwGroup {
  groupId: string;
  type: 'normal' | 'enterprise';
  innerAccessPolicy: 'Accept' | 'Drop';
  rules: FwRule[];
}

/** One packet's worth of question, seen from the ENI whose groups decide. */
export interface Flow {
  direction: 'ingress' | 'egress';
  protocol: FlowProtocol;
  /** the ENI's IPv4 address and port (port 0 for icmp/gre); the address is unused (0) in an IPv6 flow */
  localIp: number;
  localPort: number;
  /** the peer's IPv4 address and port (port 0 for icmp/gre); the address is unused (0) in an IPv6 flow */
  remoteIp: number;
  remotePort: number;
  /** present in an IPv6 flow: the ENI's and the peer's IPv6 addresses */
  ip6?: { local: Ip6; remote: Ip6 };
  /** always 'intranet' for VPC ENIs */
  nicType: 'intranet' | 'internet';
  /**
   * Groups of the peer ENI when the remote address is an ENI on the same internal network (same
   * VPC or classic region), else []. Group-authorized rules and the intra-group allowance look here.
   */
  peerGroups: readonly string[];
}

/**
 * The platform's rules, applied before any group (SPEC §1.3 step 1). They are per account: the
 * platform lifts the port-25 block for an account on request.
 */
export interface Platform {
  /**
   * outbound TCP to port 25 of a non-private address is dropped (the default); for IPv6, of an
   * address outside the unique-local (fc00::/7) and link-local (fe80::/10) ranges
   */
  port25Blocked: boolean;
}

/** What every account starts with. */
export const DEFAULT_PLATFORM: Readonly<Platform> = Object.freeze({ port25Blocked: true });

/**
 * Which step of SPEC §1.3 decided: the platform's port-25 block, the intra-group allowance of a
 * basic group, a rule, or the default of the direction.
 */
export type Reason = 'Platform' | 'IntraGroup' | 'Rule' | 'Default';

export interface Decision {
  verdict: 'accept' | 'drop';
  reason: Reason;
  /** the rule that decided (reason 'Rule' only): the first of the matches in (priority, drop first, groupId, ruleId) order */
  decidingRule?: FwRule;
  /** every matching rule in that order; [] for 'Platform', and always [] from the fast `decide` (use `explain`) */
  matchedRules: FwRule[];
}
