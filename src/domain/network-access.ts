// What the decision engine is asked about a real ENI (SPEC §1.3): its groups and rules as the
// engine's model, the peer behind a remote address (an ENI of the same VPC, or of the classic
// network of the region, of any account), and the verdict with the stored rules that explain it.
// The engine (src/engine/firewall) computes; this module only gathers.
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import type { Rule } from './sg-rules.ts';
import { loadFwGroups } from './fw-groups.ts';
import { ipToInt } from '../engine/cidr.ts';
import { type FwGroup, type Flow, type Decision, type FlowProtocol, explain } from '../engine/firewall/index.ts';
import { compileFor } from './compiled-enis.ts';
import { port25Blocked } from './account-settings.ts';
import type { Db } from '../store/store.ts';

export interface EniView {
  eniId: string;
  instanceId: string;
  vpcId: string;
  networkType: 'vpc' | 'classic';
  privateIp: string;
  groups: FwGroup[];
  /** stored rules by id, to echo the deciding and matched rules */
  rules: Map<string, { groupId: string; rule: Rule; createTime: string }>;
  /** the platform's port-25 block applies to the ENI's account (SPEC §1.3 step 1) */
  port25Blocked: boolean;
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
  return { eniId: eni.id, instanceId: eni.instance_id, vpcId: eni.vpc_id, networkType: eni.vpc_id === '' ? 'classic' : 'vpc', privateIp: eni.private_ip, groups, rules, port25Blocked: blocked };
}

/** The groups of the ENI that owns `ip` on the same internal network as `eni` (same VPC; or the region's classic network, any account). */
export async function peerGroupsOf(db: Db, regionId: string, eni: EniView, ip: string): Promise<string[]> {
  const peer = await db.selectFrom('enis').select('id').where('region_id', '=', regionId).where('vpc_id', '=', eni.vpcId).where('private_ip', '=', ip)
    .where('instance_id', '!=', '').executeTakeFirst();
  if (peer === undefined) return [];
  return (await db.selectFrom('eni_groups').select('security_group_id').where('eni_id', '=', peer.id).execute()).map((r) => r.security_group_id);
}

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

const PROTOCOLS: readonly FlowProtocol[] = ['tcp', 'udp', 'icmp', 'gre'];

export async function checkNetworkAccess(ctx: CallContext, q: AccessQuery): Promise<{ eni: EniView; decision: Decision }> {
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
  const remoteIp = ipToInt(q.peerIpAddress);
  if (remoteIp === null) throw apiError('InvalidPeerIpAddress.Malformed', { value: q.peerIpAddress });
  const eni = await loadEni(ctx, q);
  let nicType: 'intranet' | 'internet' = 'intranet';
  if (q.nicType !== undefined && q.nicType !== '') {
    if (q.nicType !== 'intranet' && q.nicType !== 'internet') throw apiError('InvalidNicType.ValueNotSupported', 'flow', { value: q.nicType });
    if (eni.networkType === 'vpc' && q.nicType === 'internet') throw apiError('InvalidNicType.Mismatch', 'flow');
    nicType = q.nicType;
  }
  const flow: Flow = {
    direction: q.direction, protocol, localIp: ipToInt(eni.privateIp) ?? 0,
    localPort: q.direction === 'ingress' ? port : peerPort,
    remoteIp, remotePort: q.direction === 'ingress' ? peerPort : port,
    nicType, peerGroups: nicType === 'internet' ? [] : await peerGroupsOf(ctx.store.db, q.regionId, eni, q.peerIpAddress),
  };
  const compiled = compileFor(eni.groups, { port25Blocked: eni.port25Blocked });
  return { eni, decision: explain(compiled, flow) };
}
