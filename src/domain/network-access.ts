// What the decision engine is asked about a real ENI (SPEC §1.3): its groups and rules as the
// engine's model, the peer behind a remote address (an ENI of the same VPC, of a VPC attached to
// the same CEN, or of the classic network of the region, of any account), and the verdict with the
// stored rules that explain it (and, through a CEN, which one).
// The engine (src/engine/firewall) computes; this module only gathers.
// Anti-DDoS Basic comes first for flows that cross the internet (a peer outside the private ranges
// and 100.64.0.0/10 on a VPC ENI; the internet NIC of a classic one) to or from an instance's public
// address: a black hole in force drops both directions (Reason `Blackhole`), a penalty in force drops
// outbound (Reason `Penalty`), and an address being scrubbed keeps the groups' verdict with
// `scrubbing` set (its inbound is rate-limited to its thresholds).
// Security Center comes before both for inbound flows: a source an anti-brute-force rule (or an
// alert's block) blocks at the instance is dropped (Reason `AntiBruteForce`, until when).
// IPv6: a peer address may be IPv6 when the ENI has an IPv6 address (its first one is the flow's
// local address); its peer ENI is the one of the same VPC that holds the address. Anti-DDoS Basic
// watches public IPv4 addresses only, and CEN connects IPv4 blocks only, so IPv6 flows meet
// neither (docs/API-COVERAGE.md).
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import type { Rule } from './sg-rules.ts';
import { loadFwGroups } from './fw-groups.ts';
import { ipToInt, isPrivate, parseCidr, cidrHasIp, ip6ToBigInt, bigIntToIp6, ip6Words } from '../engine/cidr.ts';
import { addressesOf, eniByIpv6 } from './ipv6.ts';
import { type FwGroup, type Flow, type Decision, type FlowProtocol, type Reason, explain } from '../engine/firewall/index.ts';
import { compileFor } from './compiled-enis.ts';
import { port25Blocked } from './account-settings.ts';
import type { Db } from '../store/store.ts';
import { ipStates, penaltiesInForce } from './antiddos/status.ts';
import { blocksInForce } from './security-center/brute-force.ts';
import { cenOfVpc } from './cen.ts';

export interface EniView {
  eniId: string;
  instanceId: string;
  vpcId: string;
  networkType: 'vpc' | 'classic';
  privateIp: string;
  /** its IPv6 addresses, [] for none */
  ipv6: string[];
  groups: FwGroup[];
  /** stored rules by id, to echo the deciding and matched rules */
  rules: Map<string, { groupId: string; rule: Rule; createTime: string }>;
  /** the platform's port-25 block applies to the ENI's account (SPEC §1.3 step 1) */
  port25Blocked: boolean;
  /** the instance's primary ENI: the one its public address (if any) is mapped to */
  primary: boolean;
}

async function groupsAsModel(db: Db, groupIds: readonly string[]): Promise<{ groups: FwGroup[]; rules: EniView['rules'] }> {
  const loaded = await loadFwGroups(db, groupIds);
  return { groups: groupIds.flatMap((id) => loaded.groups.get(id) ?? []), rules: loaded.rules };
}

export async function loadEni(ctx: CallContext, p: { regionId: string; instanceId?: string | undefined; networkInterfaceId?: string | undefined }): Promise<EniView> {
  requireRegion(p.regionId);
  const db = ctx.store.db;
  let q = db.selectFrom('enis').selectAll().where('account_id', '=', ctx.principal.accountId).where('region_id', '=', p.regionId);
  if (p.networkInterfaceId !== undefined && p.networkInterfaceId !== '') q = q.where('id', '=', p.networkInterfaceId);
  else if (p.instanceId !== undefined && p.instanceId !== '') q = q.where('instance_id', '=', p.instanceId).where('type', '=', 'Primary');
  else throw apiError('MissingParameter', 'instanceOrEni');
  const eni = await q.executeTakeFirst();
  if (eni === undefined) {
    if (p.networkInterfaceId !== undefined && p.networkInterfaceId !== '') throw apiError('InvalidEniId.NotFound', { id: p.networkInterfaceId });
    throw apiError('InvalidInstanceId.NotFound', { id: p.instanceId ?? '' });
  }
  const groupIds = (await db.selectFrom('eni_groups').select('security_group_id').where('eni_id', '=', eni.id).orderBy('position').execute()).map((r) => r.security_group_id);
  const { groups, rules } = await groupsAsModel(db, groupIds);
  // read afresh, not memoized: the operator's `unblock-port25` may come from another process
  const blocked = await port25Blocked(db, eni.account_id);
  return {
    eniId: eni.id, instanceId: eni.instance_id, vpcId: eni.vpc_id, networkType: eni.vpc_id === '' ? 'classic' : 'vpc', privateIp: eni.private_ip,
    ipv6: addressesOf(eni.ipv6_addresses), groups, rules, port25Blocked: blocked, primary: eni.type === 'Primary',
  };
}

/**
 * The peer behind `ip` as seen from `eni`: the groups of the ENI that owns it on the same internal
 * network (same VPC; or the region's classic network, any account), or on a VPC attached to the
 * same CEN as the ENI's (any account, any region: `path` names the CEN). A VPC ENI's peer inside
 * the CIDR block of a VPC of its CEN goes through the CEN even when no ENI holds the address.
 */
export async function peerOf(db: Db, regionId: string, eni: EniView, ip: string): Promise<{ groups: string[]; path?: CenPath }> {
  const groupsOfEni = async (id: string) => (await db.selectFrom('eni_groups').select('security_group_id').where('eni_id', '=', id).execute()).map((r) => r.security_group_id);
  if (ip.includes(':')) {
    // IPv6: the ENI of the same VPC that holds the address (classic networks have no IPv6)
    const holder = eni.networkType === 'vpc' ? await eniByIpv6(db, eni.vpcId, ip) : undefined;
    return { groups: holder === undefined ? [] : await groupsOfEni(holder) };
  }
  const peer = await db.selectFrom('enis').select('id').where('region_id', '=', regionId).where('vpc_id', '=', eni.vpcId).where('private_ip', '=', ip)
    .where('instance_id', '!=', '').executeTakeFirst();
  if (peer !== undefined) return { groups: await groupsOfEni(peer.id) };
  if (eni.networkType !== 'vpc') return { groups: [] };
  const cen = await cenOfVpc(db, eni.vpcId);
  const addr = ipToInt(ip);
  if (cen === undefined || addr === null) return { groups: [] };
  // INVARIANT: the VPCs of one CEN never overlap (domain/cen.ts), so one of them at most holds the address
  const other = cen.others.find((v) => { const c = parseCidr(v.cidrBlock); return c !== null && cidrHasIp(c, addr); });
  if (other === undefined) return { groups: [] };
  const path: CenPath = { cenId: cen.cenId, peerVpcId: other.vpcId };
  const remote = await db.selectFrom('enis').select('id').where('vpc_id', '=', other.vpcId).where('private_ip', '=', ip).where('instance_id', '!=', '').executeTakeFirst();
  return { groups: remote === undefined ? [] : await groupsOfEni(remote.id), path };
}

/** A flow between VPCs attached to one CEN: through that CEN, to that VPC. */
export interface CenPath { cenId: string; peerVpcId: string }

export interface AccessQuery {
  regionId: string;
  instanceId?: string | undefined;
  networkInterfaceId?: string | undefined;
  direction: string;
  ipProtocol: string;
  port?: number | undefined;
  peerIpAddress: string;
  peerPort?: number | undefined;
  nicType?: string | undefined;
}

const PROTOCOLS: readonly FlowProtocol[] = ['tcp', 'udp', 'icmp', 'icmpv6', 'gre'];

export async function checkNetworkAccess(ctx: CallContext, q: AccessQuery): Promise<{ eni: EniView; decision: AccessDecision }> {
  if (q.direction !== 'ingress' && q.direction !== 'egress') throw apiError('InvalidDirection.Malformed', { value: q.direction });
  const protocol = q.ipProtocol.toLowerCase() as FlowProtocol;
  if (!PROTOCOLS.includes(protocol)) throw apiError('InvalidIpProtocol.ValueNotSupported', 'flow', { value: q.ipProtocol });
  const ported = protocol === 'tcp' || protocol === 'udp';
  const checkPort = (name: string, v: number | undefined, required: boolean): number => {
    if (!ported) return 0;
    if (v === undefined) {
      if (required) throw apiError('MissingParameter', 'forTcpUdp', { name });
      return 40000;
    }
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw apiError('InvalidParameter', 'portRange', { name, value: v });
    return v;
  };
  const port = checkPort('Port', q.port, true);
  const peerPort = checkPort('PeerPort', q.peerPort, false);
  const peer4 = ipToInt(q.peerIpAddress);
  const peer6 = peer4 === null ? ip6ToBigInt(q.peerIpAddress) : null;
  if (peer4 === null && peer6 === null) throw apiError('InvalidPeerIpAddress.Malformed', { value: q.peerIpAddress });
  if (peer6 !== null ? protocol === 'icmp' : protocol === 'icmpv6') {
    throw apiError('InvalidIpProtocol.FamilyMismatch', { value: q.ipProtocol, family: peer6 !== null ? 'IPv6' : 'IPv4' });
  }
  const remoteIp = peer4 ?? 0;
  // the peer as the stores write addresses (compressed, lower case)
  const peerText = peer6 !== null ? bigIntToIp6(peer6) : q.peerIpAddress;
  const eni = await loadEni(ctx, q);
  const local6 = eni.ipv6[0];
  if (peer6 !== null && local6 === undefined) throw apiError('InvalidPeerIpAddress.NoIpv6', { value: q.peerIpAddress, eni: eni.eniId });
  let nicType: 'intranet' | 'internet' = 'intranet';
  if (q.nicType !== undefined && q.nicType !== '') {
    if (q.nicType !== 'intranet' && q.nicType !== 'internet') throw apiError('InvalidNicType.ValueNotSupported', 'flow', { value: q.nicType });
    if (eni.networkType === 'vpc' && q.nicType === 'internet') throw apiError('InvalidNicType.Mismatch', 'flow');
    nicType = q.nicType;
  }
  const flow: Flow = {
    direction: q.direction, protocol, localIp: peer6 === null ? ipToInt(eni.privateIp) ?? 0 : 0,
    localPort: q.direction === 'ingress' ? port : peerPort,
    remoteIp, remotePort: q.direction === 'ingress' ? peerPort : port,
    nicType, peerGroups: [],
    ...(peer6 !== null ? { ip6: { local: ip6Words(ip6ToBigInt(local6!)!), remote: ip6Words(peer6) } } : {}),
  };
  let path: CenPath | undefined;
  if (nicType !== 'internet') {
    const peer = await peerOf(ctx.store.db, q.regionId, eni, peerText);
    flow.peerGroups = peer.groups;
    path = peer.path;
  }
  const compiled = compileFor(eni.groups, { port25Blocked: eni.port25Blocked });
  const decision: AccessDecision = { ...explain(compiled, flow), ...(path !== undefined ? { path } : {}) };
  if (q.direction === 'ingress' && eni.instanceId !== '') {
    // Security Center: a source blocked at the instance (in its kernel) is dropped from any network
    const block = (await blocksInForce(ctx.store.db, ctx.clock.now(), eni.instanceId)).find((b) => b.ip === peerText);
    if (block !== undefined) return { eni, decision: { verdict: 'drop', reason: 'AntiBruteForce', matchedRules: [], blockedUntil: block.until } };
  }
  if (peer6 !== null || !crossesInternet(eni, nicType, remoteIp)) return { eni, decision };
  const ddos = await ddosOf(ctx, eni);
  if (ddos === undefined) return { eni, decision };
  if (ddos.blackholeUntil > 0) return { eni, decision: { verdict: 'drop', reason: 'Blackhole', matchedRules: [], blackholeUntil: ddos.blackholeUntil } };
  if (q.direction === 'egress' && ddos.penalty !== undefined) return { eni, decision: { verdict: 'drop', reason: 'Penalty', matchedRules: [], penalty: ddos.penalty } };
  return { eni, decision: q.direction === 'ingress' && ddos.scrubbing ? { ...decision, scrubbing: true } : decision };
}

/** Why a flow is decided: the engine's steps, or Anti-DDoS Basic's black hole or penalty. */
export type AccessReason = Reason | 'Blackhole' | 'Penalty' | 'AntiBruteForce';

export interface AccessDecision extends Omit<Decision, 'reason'> {
  reason: AccessReason;
  /** Reason `Blackhole`: when the black hole ends (ms) */
  blackholeUntil?: number;
  /** Reason `Penalty`: the penalty and when it ends (ms) */
  penalty?: { id: string; until: number };
  /** Reason `AntiBruteForce`: when the block of the source at the instance ends (ms) */
  blockedUntil?: number;
  /** the instance's public address is being scrubbed: inbound from the internet is rate-limited */
  scrubbing?: boolean;
  /** the peer is in another VPC attached to the same CEN: the flow goes through that CEN */
  path?: CenPath;
}

const SHARED_RANGE = parseCidr('100.64.0.0/10')!;

/** Whether the flow's other side is on the internet, reached through the instance's public address. */
function crossesInternet(eni: EniView, nicType: 'intranet' | 'internet', remoteIp: number): boolean {
  if (eni.networkType === 'classic') return nicType === 'internet';
  return !isPrivate(remoteIp) && !cidrHasIp(SHARED_RANGE, remoteIp);
}

/** The Anti-DDoS state of the ENI's instance's public address, when it has one (read afresh: the monitor writes it). */
async function ddosOf(ctx: CallContext, eni: EniView): Promise<{ blackholeUntil: number; scrubbing: boolean; penalty: { id: string; until: number } | undefined } | undefined> {
  if (!eni.primary || eni.instanceId === '') return undefined;
  const db = ctx.store.db;
  const inst = await db.selectFrom('instances').select('public_ip').where('id', '=', eni.instanceId).executeTakeFirst();
  if (inst === undefined || inst.public_ip === '') return undefined;
  const now = ctx.clock.now();
  const [states, penalties] = await Promise.all([ipStates(db, now, [inst.public_ip]), penaltiesInForce(db, now, [inst.public_ip])]);
  const state = states.get(inst.public_ip);
  const p = penalties[0];
  return {
    blackholeUntil: state?.status === 'blackhole' ? state.blackholeUntil : 0, scrubbing: state?.status === 'defense',
    penalty: p === undefined ? undefined : { id: p.id, until: p.until },
  };
}
