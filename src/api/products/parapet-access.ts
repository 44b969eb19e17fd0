// Parapet API 2026-11-01: CheckNetworkAccess, the decision engine's verdict on one flow with its
// explanation. Response: `Verdict` (Accept|Drop), `Reason` (Platform|IntraGroup|Rule|Default),
// `DecidingRule` (the rule that decided, as a Permission plus `SecurityGroupId`; absent unless
// Reason is Rule), `MatchedRules: { Permission: [...] }` (every rule that matched, strongest first),
// `Port25Blocked` (whether the platform's port-25 block applies to the ENI's account). Anti-DDoS
// Basic, for flows that cross the internet: Reason `Blackhole` with `BlackholeUntil` (a black hole
// in force drops both directions), Reason `Penalty` with `PenaltyId` and `PenaltyUntil` (outbound,
// a penalty in force), and `Scrubbing: true` beside the groups' verdict on inbound to an address
// being scrubbed (rate-limited to its thresholds). Security Center, for inbound flows: Reason
// `AntiBruteForce` with `BlockedUntil` (the source is blocked at the instance by an
// anti-brute-force rule or an alert's block); times ISO-8601. A peer in another VPC attached to the
// same CEN as the ENI's: `Path: { Type: 'CEN', CenId, PeerVpcId }` (its groups count as the
// peer's, as on one VPC).
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { t } from '../params.ts';
import { checkNetworkAccess, type EniView } from '../../domain/network-access.ts';
import { toPermission } from '../../domain/sg-rule-wire.ts';
import { describeExposure } from '../../domain/exposure.ts';
import type { FwRule } from '../../engine/firewall/index.ts';
import { isoSeconds } from '../../clock.ts';

function wireRule(eni: EniView, r: FwRule): Record<string, unknown> {
  const stored = eni.rules.get(r.ruleId);
  if (stored === undefined) return { SecurityGroupId: r.groupId, SecurityGroupRuleId: r.ruleId };
  return { SecurityGroupId: r.groupId, ...toPermission(stored.rule, { securityGroupRuleId: r.ruleId, createTime: stored.createTime }) };
}

export const parapetAccessOperations = [
  op({
    product: 'parapet', action: 'CheckNetworkAccess', ramAction: 'ecs:CheckNetworkAccess',
    params: z.object({
      RegionId: t.str(64), InstanceId: t.str(128).optional(), NetworkInterfaceId: t.str(128).optional(), Direction: t.str(16),
      IpProtocol: t.str(16), Port: t.int().optional(), PeerIpAddress: t.str(64), PeerPort: t.int().optional(), NicType: t.str(16).optional(),
    }),
    resources: (p, account) => [p.NetworkInterfaceId !== undefined ? arn('ecs', p.RegionId, account, `networkinterface/${p.NetworkInterfaceId}`) : arn('ecs', p.RegionId, account, `instance/${p.InstanceId ?? '*'}`)],
    handler: async (ctx, p) => {
      const { eni, decision } = await checkNetworkAccess(ctx, {
        regionId: p.RegionId, instanceId: p.InstanceId, networkInterfaceId: p.NetworkInterfaceId, direction: p.Direction, ipProtocol: p.IpProtocol,
        port: p.Port, peerIpAddress: p.PeerIpAddress, peerPort: p.PeerPort, nicType: p.NicType,
      });
      return {
        InstanceId: eni.instanceId, NetworkInterfaceId: eni.eniId,
        Verdict: decision.verdict === 'accept' ? 'Accept' : 'Drop',
        Reason: decision.reason,
        ...(decision.decidingRule !== undefined ? { DecidingRule: wireRule(eni, decision.decidingRule) } : {}),
        MatchedRules: { Permission: decision.matchedRules.map((r) => wireRule(eni, r)) },
        Port25Blocked: eni.port25Blocked,
        ...(decision.blackholeUntil !== undefined ? { BlackholeUntil: isoSeconds(decision.blackholeUntil) } : {}),
        ...(decision.penalty !== undefined ? { PenaltyId: decision.penalty.id, PenaltyUntil: isoSeconds(decision.penalty.until) } : {}),
        ...(decision.scrubbing === true ? { Scrubbing: true } : {}),
        ...(decision.blockedUntil !== undefined ? { BlockedUntil: isoSeconds(decision.blockedUntil) } : {}),
        ...(decision.path !== undefined ? { Path: { Type: 'CEN', CenId: decision.path.cenId, PeerVpcId: decision.path.peerVpcId } } : {}),
      };
    },
  }),
];

export const parapetExposureOperations = [
  op({
    product: 'parapet', action: 'DescribeExposure', ramAction: 'ecs:DescribeExposure',
    params: z.object({ RegionId: t.str(64), InstanceId: t.str(128).optional() }),
    resources: (p, account) => [arn('ecs', p.RegionId, account, `instance/${p.InstanceId ?? '*'}`)],
    handler: async (ctx, p) => {
      const list = await describeExposure(ctx, { regionId: p.RegionId, instanceId: p.InstanceId });
      return {
        TotalCount: list.length,
        Exposures: {
          Exposure: list.map((e) => ({
            InstanceId: e.instanceId, PublicIpAddress: e.publicIpAddress, ...(e.ipv6Address !== undefined ? { Ipv6Address: e.ipv6Address } : {}),
            IpProtocol: e.protocol === 'icmpv6' ? 'ICMPv6' : e.protocol.toUpperCase(),
            PortRange: `${e.portFrom}/${e.portTo}`, SourceCidrIps: { SourceCidrIp: e.cidrs }, OpenToInternet: e.openToInternet,
            RiskLevel: e.risk, Services: { Service: e.services },
            SecurityGroupRules: { SecurityGroupRule: e.rules.map((r) => ({ SecurityGroupId: r.groupId, SecurityGroupRuleId: r.ruleId })) },
          })),
        },
      };
    },
  }),
];
