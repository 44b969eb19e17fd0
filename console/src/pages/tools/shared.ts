// What the two tool pages (Explain a flow, Exposure map) share: the region's instances for the
// pickers (a page of 100 from DescribeInstances), the wire shapes of Parapet's CheckNetworkAccess and
// DescribeExposure, a rule's one-line description, the risk levels' colors, and the link from a rule
// to its row on the rules page (/console/security-groups/:id?rule=<SecurityGroupRuleId>).
import { useQuery } from '@tanstack/react-query';
import { call } from '../../api.ts';
import type { MessageKey } from '../../i18n/en.ts';

export interface WireInstance {
  InstanceId: string;
  InstanceName: string;
  Status: string;
  InstanceNetworkType: 'vpc' | 'classic';
  VpcAttributes?: { PrivateIpAddress?: { IpAddress?: string[] } };
  InnerIpAddress?: { IpAddress?: string[] };
  PublicIpAddress?: { IpAddress?: string[] };
}

export interface InstancesAnswer { TotalCount: number; Instances: { Instance: WireInstance[] } }

/** The instance's private address (VPC or classic internal). */
export function privateIpOf(i: WireInstance): string {
  return i.VpcAttributes?.PrivateIpAddress?.IpAddress?.[0] ?? i.InnerIpAddress?.IpAddress?.[0] ?? '';
}

/** The pickers' instances: the region's first 100 (DescribeInstances' largest page). */
export function useRegionInstances(region: string) {
  return useQuery({
    queryKey: ['ecs', 'DescribeInstances', region, 'tools-picker'],
    queryFn: () => call<InstancesAnswer>('ecs', 'DescribeInstances', { RegionId: region, PageSize: 100 }),
  });
}

/** A rule as CheckNetworkAccess echoes it: the stored Permission with its group. */
export interface WireRule {
  SecurityGroupId: string;
  SecurityGroupRuleId: string;
  Direction?: string;
  IpProtocol?: string;
  PortRange?: string;
  Policy?: string;
  Priority?: number | string;
  NicType?: string;
  SourceCidrIp?: string;
  DestCidrIp?: string;
  Ipv6SourceCidrIp?: string;
  Ipv6DestCidrIp?: string;
  SourceGroupId?: string;
  DestGroupId?: string;
  Description?: string;
}

export type Verdict = 'Accept' | 'Drop';
export type Reason = 'Platform' | 'IntraGroup' | 'Rule' | 'Default';

export interface CheckAnswer {
  InstanceId: string;
  NetworkInterfaceId: string;
  Verdict: Verdict;
  Reason: Reason;
  DecidingRule?: WireRule;
  MatchedRules: { Permission: WireRule[] };
  Port25Blocked: boolean;
}

export type RiskLevel = 'high' | 'medium' | 'low';

export interface WireExposure {
  InstanceId: string;
  PublicIpAddress: string;
  /** an IPv6 row's: the instance's IPv6 address with internet bandwidth that the row is about (absent on IPv4 rows) */
  Ipv6Address?: string;
  IpProtocol: string;
  PortRange: string;
  SourceCidrIps: { SourceCidrIp: string[] };
  OpenToInternet: boolean;
  RiskLevel: RiskLevel;
  Services: { Service: string[] };
  SecurityGroupRules: { SecurityGroupRule: Array<{ SecurityGroupId: string; SecurityGroupRuleId: string }> };
}

export interface ExposureAnswer { TotalCount: number; Exposures: { Exposure: WireExposure[] } }

/** The address a DescribeExposure row is about: its IPv6 address on an IPv6 row, else the public IPv4 address. */
export const exposedAddressOf = (r: WireExposure): string => r.Ipv6Address ?? r.PublicIpAddress;

/**
 * One row's identity: instance, address family and address, protocol, ports. IPv4 and IPv6 rows of
 * one instance and port are different exposures (each family has its own rules), never merged.
 */
export const exposureKey = (r: WireExposure): string => `${r.InstanceId}/${r.Ipv6Address ?? 'ipv4'}/${r.IpProtocol}/${r.PortRange}`;

/** Risk colors, dark enough for white text and for AA contrast as tag text on their light fills. */
export const RISK_COLOR: Record<RiskLevel, string> = { high: '#cf1322', medium: '#ad4e00', low: '#237804' };
export const RISK_LABEL: Record<RiskLevel, MessageKey> = { high: 'tools.riskHigh', medium: 'tools.riskMedium', low: 'tools.riskLow' };
export const RISK_ORDER: Record<RiskLevel, number> = { high: 0, medium: 1, low: 2 };

/** Console path (for useRegionLink) of a rule's row on its group's rules page. */
export function rulePath(groupId: string, ruleId: string, direction?: string): string {
  const q = new URLSearchParams({ rule: ruleId });
  if (direction !== undefined && direction !== '') q.set('direction', direction);
  return `security-groups/${encodeURIComponent(groupId)}?${q.toString()}`;
}

/** The port range as people read it: `-1/-1` is every port, `22/22` is 22. */
export function portText(range: string | undefined, all: string): string {
  if (range === undefined || range === '' || range === '-1/-1') return all;
  const [from, to] = range.split('/');
  return from === to ? String(from) : `${from}-${to}`;
}

/** The other side of a rule: a CIDR or a group (an ingress rule's source, an egress rule's destination). */
export function peerOf(r: WireRule): string {
  const egress = r.Direction === 'egress';
  const cidr = (egress ? r.DestCidrIp || r.Ipv6DestCidrIp : r.SourceCidrIp || r.Ipv6SourceCidrIp) ?? '';
  const group = egress ? r.DestGroupId : r.SourceGroupId;
  return cidr !== undefined && cidr !== '' ? cidr : group !== undefined && group !== '' ? group : '';
}
