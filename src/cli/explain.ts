// `parapet explain`: asks CheckNetworkAccess and tells the verdict with its chain of reasoning in
// words, in the engine's order (Anti-DDoS Basic's black hole, penalty or scrubbing, platform rule,
// intra-group, rules, default).
import { call, type ClientConfig } from './client.ts';

interface Permission {
  SecurityGroupId: string; SecurityGroupRuleId: string; Policy: string; Priority: number | string; IpProtocol: string; PortRange: string; Direction: string;
  SourceCidrIp?: string; DestCidrIp?: string; Ipv6SourceCidrIp?: string; Ipv6DestCidrIp?: string; SourceGroupId?: string; DestGroupId?: string; SourcePrefixListId?: string; DestPrefixListId?: string;
}

function describeRule(p: Permission): string {
  const [cidr, cidr6, group, list] = p.Direction === 'ingress'
    ? [p.SourceCidrIp, p.Ipv6SourceCidrIp, p.SourceGroupId, p.SourcePrefixListId]
    : [p.DestCidrIp, p.Ipv6DestCidrIp, p.DestGroupId, p.DestPrefixListId];
  const peer = cidr || cidr6 || (group ? `members of ${group}` : '') || (list ? `the entries of prefix list ${list}` : '');
  return `${p.SecurityGroupId}/${p.SecurityGroupRuleId}: ${p.Policy} ${p.IpProtocol} ${p.PortRange} ${p.Direction === 'ingress' ? 'from' : 'to'} ${peer} at priority ${p.Priority}`;
}

export async function explain(cfg: ClientConfig, q: { regionId: string; instanceId?: string; networkInterfaceId?: string; direction: string; protocol: string; port?: string; peer: string; peerPort?: string; nicType?: string }): Promise<string> {
  const params: Record<string, string> = { RegionId: q.regionId, Direction: q.direction, IpProtocol: q.protocol, PeerIpAddress: q.peer };
  if (q.instanceId) params['InstanceId'] = q.instanceId;
  if (q.networkInterfaceId) params['NetworkInterfaceId'] = q.networkInterfaceId;
  if (q.port) params['Port'] = q.port;
  if (q.peerPort) params['PeerPort'] = q.peerPort;
  if (q.nicType) params['NicType'] = q.nicType;
  const r = await call(cfg, '2026-11-01', 'CheckNetworkAccess', params) as { Verdict: string; Reason: string; DecidingRule?: Permission; MatchedRules: { Permission: Permission[] }; InstanceId: string; NetworkInterfaceId: string; Port25Blocked?: boolean;
    BlackholeUntil?: string; PenaltyId?: string; PenaltyUntil?: string; Scrubbing?: boolean; BlockedUntil?: string;
    Path?: { Type: string; CenId: string; PeerVpcId: string } };
  const who = r.InstanceId || r.NetworkInterfaceId;
  const flow = q.direction === 'ingress'
    ? `${q.protocol} from ${q.peer}${q.peerPort ? ':' + q.peerPort : ''} to ${who}${q.port ? ' port ' + q.port : ''}`
    : `${q.protocol} from ${who} to ${q.peer}${q.port ? ' port ' + q.port : ''}`;
  const lines = [`${r.Verdict.toUpperCase()}: ${flow}`];
  const matched = r.MatchedRules.Permission;
  if (r.Reason === 'AntiBruteForce') {
    lines.push(`0. Security Center: the source is blocked at the instance by an anti-brute-force rule until ${r.BlockedUntil ?? '(unknown)'}: its packets are dropped, whatever the rules say.`);
    return lines.join('\n');
  }
  if (r.Reason === 'Blackhole') {
    lines.push(`0. Anti-DDoS: the instance's public address is black-holed until ${r.BlackholeUntil ?? '(unknown)'}: every packet from and to the internet is dropped, whatever the rules say.`);
    return lines.join('\n');
  }
  if (r.Reason === 'Penalty') {
    lines.push(`0. Anti-DDoS: the instance is penalized for an outbound attack (${r.PenaltyId ?? ''}) until ${r.PenaltyUntil ?? '(unknown)'}: its outbound internet traffic is dropped.`);
    return lines.join('\n');
  }
  if (r.Path?.Type === 'CEN') lines.push(`0. Path: the peer is in ${r.Path.PeerVpcId}, attached to the same Cloud Enterprise Network ${r.Path.CenId}: the flow goes through the CEN, and its groups count as on one VPC.`);
  if (r.Scrubbing === true) lines.push('0. Anti-DDoS: the instance\'s public address is being scrubbed: inbound internet traffic is filtered and rate-limited to its thresholds; the rules decide what passes.');
  if (r.Reason === 'Platform') {
    lines.push('1. Platform rule: outbound TCP to port 25 on a non-private address is dropped by the platform, whatever the rules say.');
    return lines.join('\n');
  }
  const port25 = q.direction === 'egress' && q.protocol === 'tcp' && q.port === '25';
  lines.push(!port25 ? '1. Platform rule: does not apply.'
    : r.Port25Blocked === false ? '1. Platform rule: port 25 is unblocked for this account: not blocked.'
    : '1. Platform rule: port 25, but the address is private: not blocked.');
  if (r.Reason === 'IntraGroup') {
    lines.push(`2. Intra-group: ${q.peer} shares a basic security group with ${who} whose intra-group policy is Accept: allowed whatever the rules say.`);
    if (matched.length > 0) lines.push(`   (${matched.length} rule(s) would also match; they are not consulted.)`);
    return lines.join('\n');
  }
  lines.push(`2. Intra-group: ${q.peer} shares no basic group with intra-group Accept with ${who}.`);
  if (r.Reason === 'Rule' && r.DecidingRule !== undefined) {
    lines.push(`3. Rules: ${matched.length} rule(s) of the instance's groups match; the strongest (smallest priority number, drop before accept at a tie) decides:`);
    lines.push(`   ${describeRule(r.DecidingRule)} → ${r.Verdict}`);
    for (const m of matched.filter((x) => x.SecurityGroupRuleId !== r.DecidingRule!.SecurityGroupRuleId)) lines.push(`   also matched: ${describeRule(m)}`);
    return lines.join('\n');
  }
  lines.push('3. Rules: no rule of the instance\'s groups matches.');
  lines.push(q.direction === 'ingress'
    ? '4. Default: inbound traffic that no rule allows is dropped.'
    : `4. Default: outbound traffic that no rule matches is ${r.Verdict === 'Accept' ? 'allowed (basic groups)' : 'dropped (advanced groups)'}.`);
  return lines.join('\n');
}
