// IPv6 gateways and internet bandwidth (VPC 2016-04-28): one gateway per VPC (its VPC must have
// IPv6), an IPv6 address's internet bandwidth through its VPC's gateway (what lets the address reach
// the IPv6 internet; the data plane reads it from the desired state), and the VPC API's view of
// the addresses (DescribeIpv6Addresses). The addresses themselves are ipv6.ts's.
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { checkDescription } from './names.ts';
import { getVpcRow } from './vpc.ts';
import { addressesOf, addressOfIpv6Id, ipv6AddressId, normalizeIpv6 } from './ipv6.ts';
import { isoSeconds } from '../clock.ts';
import type { Tx } from '../store/store.ts';
import type { Ipv6GatewayTable, Ipv6InternetTable } from '../store/schema.ts';
import { checkPage, pageOf, type Page } from './paging.ts';

export interface Ipv6Gateway {
  ipv6GatewayId: string;
  vpcId: string;
  regionId: string;
  name: string;
  description: string;
  status: string;
  creationTime: string;
}

export interface Ipv6AddressView {
  ipv6AddressId: string;
  address: string;
  vpcId: string;
  vSwitchId: string;
  /** the VPC's gateway, '' when it has none */
  ipv6GatewayId: string;
  /** the instance the ENI is attached to, else the ENI */
  associatedInstanceId: string;
  associatedInstanceType: 'EcsInstance' | 'NetworkInterface';
  networkInterfaceId: string;
  allocationTime: string;
  /** its internet bandwidth, when it has some: the address reaches the IPv6 internet */
  internet: { id: string; bandwidth: number; creationTime: string } | undefined;
}

const BANDWIDTH_MAX = 5000;

const toGateway = (r: Ipv6GatewayTable): Ipv6Gateway => ({
  ipv6GatewayId: r.id, vpcId: r.vpc_id, regionId: r.region_id, name: r.name, description: r.description, status: r.status, creationTime: r.created_at,
});

function checkGatewayName(name: string | undefined): void {
  if (name === undefined || name === '') return;
  if (name.length > 128 || /^https?:\/\//.test(name)) throw apiError('InvalidParameter', { name: 'Name', value: name, why: 'It is 0 to 128 characters, not starting with `http://` or `https://`.' });
}

async function gatewayRow(ctx: CallContext, db: Tx | CallContext['store']['db'], id: string, regionId?: string): Promise<Ipv6GatewayTable> {
  const row = await db.selectFrom('ipv6_gateways').selectAll().where('id', '=', id).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
  if (row === undefined || (regionId !== undefined && row.region_id !== regionId)) throw apiError('InvalidIpv6GatewayId.NotFound', { id });
  return row;
}

export async function createIpv6Gateway(ctx: CallContext, p: { regionId: string; vpcId: string; name?: string | undefined; description?: string | undefined }): Promise<{ ipv6GatewayId: string }> {
  requireRegion(p.regionId);
  checkGatewayName(p.name);
  checkDescription(p.description, 1);
  return ctx.write(async (tx) => {
    // DeleteVpc takes this lock: no gateway appears in a VPC being deleted
    await ctx.store.lock(tx, `vpc:${p.vpcId}`);
    const vpc = await getVpcRow(tx, ctx.principal.accountId, p.vpcId, p.regionId);
    if (vpc.ipv6_cidr === '') throw apiError('IncorrectVpcStatus.Ipv6NotEnabled', { vpcId: vpc.id });
    const existing = await tx.selectFrom('ipv6_gateways').select('id').where('vpc_id', '=', vpc.id).executeTakeFirst();
    if (existing !== undefined) throw apiError('QuotaExceeded.Ipv6Gateway', { vpcId: vpc.id, id: existing.id });
    const id = ctx.ids.resource('ipv6gw');
    await tx.insertInto('ipv6_gateways').values({
      id, vpc_id: vpc.id, region_id: vpc.region_id, account_id: ctx.principal.accountId, name: p.name ?? '', description: p.description ?? '',
      status: 'Available', created_at: isoSeconds(ctx.clock.now()),
    }).execute();
    return { ipv6GatewayId: id };
  });
}

export async function describeIpv6Gateways(ctx: CallContext, p: {
  regionId: string; ipv6GatewayId?: string | undefined; vpcId?: string | undefined; name?: string | undefined; pageNumber?: number | undefined; pageSize?: number | undefined;
}): Promise<Page<Ipv6Gateway>> {
  requireRegion(p.regionId);
  checkPage(p.pageNumber, p.pageSize, 50);
  const g = (v: string | undefined): v is string => v !== undefined && v !== '';
  let q = ctx.store.db.selectFrom('ipv6_gateways').selectAll().where('account_id', '=', ctx.principal.accountId).where('region_id', '=', p.regionId);
  if (g(p.ipv6GatewayId)) q = q.where('id', '=', p.ipv6GatewayId);
  if (g(p.vpcId)) q = q.where('vpc_id', '=', p.vpcId);
  if (g(p.name)) q = q.where('name', '=', p.name);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').execute();
  return pageOf(rows.map(toGateway), p.pageNumber, p.pageSize, 50);
}

export async function describeIpv6GatewayAttribute(ctx: CallContext, p: { regionId: string; ipv6GatewayId: string }): Promise<Ipv6Gateway> {
  requireRegion(p.regionId);
  return toGateway(await gatewayRow(ctx, ctx.store.db, p.ipv6GatewayId, p.regionId));
}

export async function deleteIpv6Gateway(ctx: CallContext, p: { regionId: string; ipv6GatewayId: string }): Promise<void> {
  requireRegion(p.regionId);
  await ctx.write(async (tx) => {
    // AllocateIpv6InternetBandwidth takes this lock: no bandwidth appears meanwhile
    await ctx.store.lock(tx, `ipv6gw:${p.ipv6GatewayId}`);
    const row = await gatewayRow(ctx, tx, p.ipv6GatewayId, p.regionId);
    const bw = await tx.selectFrom('ipv6_internet').select('address').where('ipv6_gateway_id', '=', row.id).executeTakeFirst();
    if (bw !== undefined) throw apiError('DependencyViolation.Ipv6InternetBandwidth', { id: row.id, address: bw.address });
    await tx.deleteFrom('ipv6_gateways').where('id', '=', row.id).execute();
  });
}

/** The ENI of the account that holds an address, with the columns the callers need. */
async function eniHolding(ctx: CallContext, tx: Tx, address: string) {
  const rows = await tx.selectFrom('enis').select(['id', 'vpc_id', 'vswitch_id', 'region_id', 'ipv6_addresses']).where('account_id', '=', ctx.principal.accountId)
    .where('ipv6_addresses', 'like', `%"${address}"%`).execute();
  return rows.find((r) => addressesOf(r.ipv6_addresses).includes(address));
}

export async function allocateIpv6InternetBandwidth(ctx: CallContext, p: { regionId: string; ipv6GatewayId: string; ipv6AddressId: string; bandwidth: number }): Promise<{ internetBandwidthId: string; ipv6AddressId: string }> {
  requireRegion(p.regionId);
  if (!Number.isInteger(p.bandwidth) || p.bandwidth < 1 || p.bandwidth > BANDWIDTH_MAX) {
    throw apiError('InvalidParameter', { name: 'Bandwidth', value: String(p.bandwidth), why: `It must be between 1 and ${BANDWIDTH_MAX} (Mbit/s).` });
  }
  const address = addressOfIpv6Id(p.ipv6AddressId);
  if (address === undefined) throw apiError('InvalidIpv6AddressId.NotFound', { id: p.ipv6AddressId });
  return ctx.write(async (tx) => {
    await ctx.store.lock(tx, `ipv6gw:${p.ipv6GatewayId}`);
    const gw = await gatewayRow(ctx, tx, p.ipv6GatewayId, p.regionId);
    const found = await eniHolding(ctx, tx, address);
    if (found === undefined || found.region_id !== p.regionId) throw apiError('InvalidIpv6AddressId.NotFound', { id: p.ipv6AddressId });
    // unassigning the address takes this lock: it stays until commit
    await ctx.store.lock(tx, `vsw-ipv6:${found.vswitch_id}`);
    const eni = await eniHolding(ctx, tx, address);
    if (eni === undefined) throw apiError('InvalidIpv6AddressId.NotFound', { id: p.ipv6AddressId });
    if (eni.vpc_id !== gw.vpc_id) throw apiError('InvalidIpv6Gateway.VpcMismatch', { id: gw.id, address });
    const existing = await tx.selectFrom('ipv6_internet').select('id').where('address', '=', address).executeTakeFirst();
    if (existing !== undefined) throw apiError('OperationFailed.Ipv6InternetBandwidthExist', { address, id: existing.id });
    const id = ctx.ids.resource('ipv6bw');
    await tx.insertInto('ipv6_internet').values({
      address, id, ipv6_gateway_id: gw.id, account_id: ctx.principal.accountId, bandwidth: p.bandwidth, created_at: isoSeconds(ctx.clock.now()),
    }).execute();
    return { internetBandwidthId: id, ipv6AddressId: ipv6AddressId(address) };
  });
}

export async function deleteIpv6InternetBandwidth(ctx: CallContext, p: { regionId: string; ipv6AddressId?: string | undefined; ipv6InternetBandwidthId?: string | undefined }): Promise<void> {
  requireRegion(p.regionId);
  const byAddress = p.ipv6AddressId !== undefined && p.ipv6AddressId !== '';
  const byId = p.ipv6InternetBandwidthId !== undefined && p.ipv6InternetBandwidthId !== '';
  if (!byAddress && !byId) throw apiError('MissingParameter', { name: 'Ipv6AddressId' });
  await ctx.write(async (tx) => {
    let q = tx.selectFrom('ipv6_internet').selectAll().where('account_id', '=', ctx.principal.accountId);
    if (byAddress) q = q.where('address', '=', addressOfIpv6Id(p.ipv6AddressId!) ?? '');
    if (byId) q = q.where('id', '=', p.ipv6InternetBandwidthId!);
    const row: Ipv6InternetTable | undefined = await q.executeTakeFirst();
    if (row === undefined) {
      throw (byAddress ? apiError('InvalidIpv6AddressId.NotFound', { id: p.ipv6AddressId! }) : apiError('InvalidIpv6InternetBandwidthId.NotFound', { id: p.ipv6InternetBandwidthId! }));
    }
    await tx.deleteFrom('ipv6_internet').where('address', '=', row.address).execute();
  });
}

/** DescribeIpv6Addresses: the IPv6 addresses of the account's ENIs in a region, with their internet bandwidth. */
export async function describeIpv6Addresses(ctx: CallContext, p: {
  regionId: string; ipv6AddressId?: string | undefined; ipv6Address?: string | undefined; vpcId?: string | undefined; vSwitchId?: string | undefined;
  associatedInstanceId?: string | undefined; ipv6InternetBandwidthId?: string | undefined; networkType?: string | undefined;
  pageNumber?: number | undefined; pageSize?: number | undefined;
}): Promise<Page<Ipv6AddressView>> {
  requireRegion(p.regionId);
  checkPage(p.pageNumber, p.pageSize, 100);
  const g = (v: string | undefined): v is string => v !== undefined && v !== '';
  if (g(p.networkType) && p.networkType !== 'Public' && p.networkType !== 'Private') {
    throw apiError('InvalidParameter', { name: 'NetworkType', value: p.networkType, why: 'Use `Public` or `Private`.' });
  }
  const ids = g(p.ipv6AddressId) ? new Set(p.ipv6AddressId.split(',').map((s) => s.trim()).filter((s) => s !== '')) : undefined;
  const wanted = g(p.ipv6Address) ? normalizeIpv6(p.ipv6Address) ?? p.ipv6Address : undefined;
  const accountId = ctx.principal.accountId;
  const db = ctx.store.db;
  const [enis, gateways, bandwidths] = await Promise.all([
    db.selectFrom('enis').select(['id', 'vpc_id', 'vswitch_id', 'instance_id', 'ipv6_addresses', 'created_at']).where('account_id', '=', accountId)
      .where('region_id', '=', p.regionId).where('ipv6_addresses', '!=', '[]').orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('ipv6_gateways').select(['id', 'vpc_id']).where('account_id', '=', accountId).where('region_id', '=', p.regionId).execute(),
    db.selectFrom('ipv6_internet').selectAll().where('account_id', '=', accountId).execute(),
  ]);
  const gatewayOf = new Map(gateways.map((x) => [x.vpc_id, x.id]));
  const internetOf = new Map(bandwidths.map((b) => [b.address, b]));
  const out: Ipv6AddressView[] = [];
  for (const e of enis) {
    for (const address of addressesOf(e.ipv6_addresses)) {
      const bw = internetOf.get(address);
      const v: Ipv6AddressView = {
        ipv6AddressId: ipv6AddressId(address), address, vpcId: e.vpc_id, vSwitchId: e.vswitch_id, ipv6GatewayId: gatewayOf.get(e.vpc_id) ?? '',
        associatedInstanceId: e.instance_id !== '' ? e.instance_id : e.id, associatedInstanceType: e.instance_id !== '' ? 'EcsInstance' : 'NetworkInterface',
        networkInterfaceId: e.id, allocationTime: e.created_at,
        internet: bw === undefined ? undefined : { id: bw.id, bandwidth: bw.bandwidth, creationTime: bw.created_at },
      };
      if ((ids === undefined || ids.has(v.ipv6AddressId)) && (wanted === undefined || v.address === wanted) && (!g(p.vpcId) || v.vpcId === p.vpcId) &&
        (!g(p.vSwitchId) || v.vSwitchId === p.vSwitchId) && (!g(p.associatedInstanceId) || v.associatedInstanceId === p.associatedInstanceId || v.networkInterfaceId === p.associatedInstanceId) &&
        (!g(p.ipv6InternetBandwidthId) || v.internet?.id === p.ipv6InternetBandwidthId) &&
        (!g(p.networkType) || (p.networkType === 'Public') === (v.internet !== undefined))) out.push(v);
    }
  }
  return pageOf(out, p.pageNumber, p.pageSize, 100);
}
