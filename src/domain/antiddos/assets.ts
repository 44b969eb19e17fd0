// Anti-DDoS Basic's assets (DescribeInstance, DescribeInstanceIpAddress, the thresholds, the counts,
// DescribeIpLocationService): every ECS instance of the caller with a public address, whatever its
// status (a Stopped instance keeps its address), with the address's state and the thresholds in
// force; and the two writes on an asset, its thresholds and its scrubbing switch.
import type { CallContext, Services } from '../context.ts';
import { apiError } from '../errors.ts';
import { requireRegion } from '../regions.ts';
import { instanceRow } from '../instance-rows.ts';
import { DEFAULT_DDOS_SETTINGS, type DdosSettings, type IpStatus } from './model.ts';
import { type IpState, ipStates, NORMAL } from './status.ts';
import { type ThresholdChange, type Thresholds, checkThresholdChange, putSettings, settingsRows, thresholdsOf } from './thresholds.ts';
import { parseCidr, ipToInt, cidrHasIp } from '../../engine/cidr.ts';
import { PUBLIC_IP_POOL } from '../limits.ts';

/** The asset types of the reference; Parapet's assets are all `ecs` (the others have none). */
export const ASSET_TYPES = ['ecs', 'slb', 'eip', 'ipv6', 'swas', 'waf', 'ga_basic'] as const;

export function ddosSettings(svc: Services): DdosSettings {
  return svc.antiddos ?? DEFAULT_DDOS_SETTINGS;
}

/** Checks `InstanceType`; true when it names ECS instances (the only assets Parapet has). */
export function isEcsType(instanceType: string): boolean {
  if (!(ASSET_TYPES as readonly string[]).includes(instanceType)) {
    throw apiError('InvalidParameter', { name: 'InstanceType', value: instanceType, why: `It is one of ${ASSET_TYPES.join(', ')}.` });
  }
  return instanceType === 'ecs';
}

/** `DdosStatus` as a state: the reference's two vocabularies (`defense`/`blackhole`, `mitigating`/`blackholed`) and `normal`. */
export function statusFilter(value: string | undefined): IpStatus | undefined {
  if (value === undefined || value === '') return undefined;
  switch (value) {
    case 'normal': return 'normal';
    case 'defense': case 'mitigating': return 'defense';
    case 'blackhole': case 'blackholed': return 'blackhole';
    default: throw apiError('InvalidParameter', { name: 'DdosStatus', value, why: 'It is one of defense, blackhole, mitigating, blackholed, normal.' });
  }
}

export interface Asset {
  instanceId: string;
  instanceName: string;
  /** the ECS instance type (its maximum bounds the thresholds) */
  ecsInstanceType: string;
  regionId: string;
  ip: string;
  state: IpState;
  thresholds: Thresholds;
}

export interface AssetQuery {
  regionId: string;
  instanceType: string;
  instanceName?: string | undefined;
  ddosStatus?: string | undefined;
  instanceId?: string | undefined;
  instanceIp?: string | undefined;
}

/** The caller's assets in a region that match the filters, by instance id. */
export async function listAssets(ctx: CallContext, q: AssetQuery): Promise<Asset[]> {
  requireRegion(q.regionId);
  const ecs = isEcsType(q.instanceType);
  const status = statusFilter(q.ddosStatus);
  if (!ecs) return [];
  const db = ctx.store.db;
  let sel = db.selectFrom('instances').select(['id', 'name', 'instance_type', 'region_id', 'public_ip'])
    .where('account_id', '=', ctx.principal.accountId).where('region_id', '=', q.regionId).where('public_ip', '!=', '');
  if (q.instanceId !== undefined && q.instanceId !== '') sel = sel.where('id', '=', q.instanceId);
  if (q.instanceIp !== undefined && q.instanceIp !== '') sel = sel.where('public_ip', '=', q.instanceIp);
  const rows = await sel.orderBy('id').execute();
  // the name filter matches a part of the name, as the console's search does (Parapet's reading)
  const named = q.instanceName !== undefined && q.instanceName !== '' ? rows.filter((r) => r.name.includes(q.instanceName!)) : rows;
  const now = ctx.clock.now();
  const [states, settings] = await Promise.all([ipStates(db, now, named.map((r) => r.public_ip)), settingsRows(db, named.map((r) => r.id))]);
  const out = named.map((r): Asset => ({
    instanceId: r.id, instanceName: r.name, ecsInstanceType: r.instance_type, regionId: r.region_id, ip: r.public_ip,
    state: states.get(r.public_ip) ?? NORMAL, thresholds: thresholdsOf(r.instance_type, settings.get(r.id)),
  }));
  return status === undefined ? out : out.filter((a) => a.state.status === status);
}

/** One asset of the caller: the instance (its public address must be `internetIp` when that is given). */
export async function assetOf(ctx: CallContext, p: { regionId: string; instanceType?: string | undefined; instanceId: string; internetIp?: string | undefined }): Promise<Asset> {
  requireRegion(p.regionId);
  if (p.instanceType !== undefined && !isEcsType(p.instanceType)) throw apiError('InvalidInstanceId.NotFound', { id: p.instanceId });
  const [a] = await listAssets(ctx, { regionId: p.regionId, instanceType: 'ecs', instanceId: p.instanceId });
  if (a === undefined) {
    const row = await ctx.store.db.selectFrom('instances').select('public_ip').where('id', '=', p.instanceId).where('account_id', '=', ctx.principal.accountId)
      .where('region_id', '=', p.regionId).executeTakeFirst();
    throw row === undefined ? apiError('InvalidInstanceId.NotFound', { id: p.instanceId }) : apiError('InvalidInstanceId.NotFound', 'noPublicIp', { id: p.instanceId });
  }
  if (p.internetIp !== undefined && p.internetIp !== '' && p.internetIp !== a.ip) throw apiError('InvalidInternetIp.NotFound', 'notOfInstance', { ip: p.internetIp, instanceId: a.instanceId });
  return a;
}

/** The caller's asset that holds `ip` (any region), or the error. */
export async function assetByIp(ctx: CallContext, ip: string): Promise<Asset> {
  const row = await ctx.store.db.selectFrom('instances').select(['id', 'region_id']).where('public_ip', '=', ip).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
  if (row === undefined || ip === '') throw apiError('InvalidInternetIp.NotFound', { ip });
  return assetOf(ctx, { regionId: row.region_id, instanceId: row.id });
}

/** ModifyDefenseThreshold / ModifyIpDefenseThreshold: the checks of thresholds.ts, then the row, in one write. */
export async function modifyThreshold(ctx: CallContext, p: { regionId: string; instanceType: string; instanceId: string; internetIp?: string | undefined } & ThresholdChange): Promise<void> {
  const asset = await assetOf(ctx, p);
  const t = checkThresholdChange(asset.ecsInstanceType, p);
  await ctx.write(async (tx) => {
    // locked and read again: the instance is the caller's still, and its type is the one checked
    const row = await instanceRow(tx, ctx, asset.instanceId, p.regionId);
    checkThresholdChange(row.instance_type, p);
    await putSettings(tx, ctx, row.id, t);
  });
}

/** DisableDdosScrubbing / EnableDdosScrubbing: the asset named by `InstanceId` or `InternetIp`. */
export async function setScrubbing(ctx: CallContext, p: { regionId: string; instanceId?: string | undefined; internetIp?: string | undefined; enabled: boolean }): Promise<Asset> {
  requireRegion(p.regionId);
  let asset: Asset;
  if (p.instanceId !== undefined && p.instanceId !== '') asset = await assetOf(ctx, { regionId: p.regionId, instanceId: p.instanceId, internetIp: p.internetIp });
  else if (p.internetIp !== undefined && p.internetIp !== '') {
    asset = await assetByIp(ctx, p.internetIp);
    if (asset.regionId !== p.regionId) throw apiError('InvalidInternetIp.NotFound', { ip: p.internetIp });
  } else throw apiError('MissingParameter', 'internetIpOrInstance');
  await ctx.write(async (tx) => {
    await instanceRow(tx, ctx, asset.instanceId, p.regionId);
    await putSettings(tx, ctx, asset.instanceId, { scrubbing: p.enabled });
  });
  return { ...asset, thresholds: { ...asset.thresholds, scrubbing: p.enabled } };
}

/** DescribeDdosCount: the caller's assets in the region, and those scrubbed and black-holed now. */
export async function ddosCount(ctx: CallContext, regionId: string, instanceType: string): Promise<{ instances: number; defense: number; blackhole: number }> {
  const assets = await listAssets(ctx, { regionId, instanceType });
  return {
    instances: assets.length,
    defense: assets.filter((a) => a.state.status === 'defense').length,
    blackhole: assets.filter((a) => a.state.status === 'blackhole').length,
  };
}

/**
 * DescribeIpLocationService: an address of the public pool. The caller's own address answers its
 * instance and region; any other address of the pool answers only itself (whose it is, and where,
 * is another account's business); an address outside the pool is not this cloud's.
 */
export async function ipLocation(ctx: CallContext, ip: string): Promise<{ ip: string; asset: Asset | undefined }> {
  const pool = parseCidr(ctx.publicIpPool ?? PUBLIC_IP_POOL, true);
  const n = ipToInt(ip);
  if (pool === null || n === null || !cidrHasIp(pool, n)) throw apiError('InvalidInternetIp.NotFound', 'notInPool', { ip });
  const own = await ctx.store.db.selectFrom('instances').select('id').where('public_ip', '=', ip).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
  return { ip, asset: own === undefined ? undefined : await assetByIp(ctx, ip) };
}
