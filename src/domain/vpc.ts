// VPCs and vSwitches: private CIDRs, vSwitches inside their VPC and in a zone of its region,
// no overlap between siblings, deletes refused while something depends on the resource.
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { checkDescription, checkName } from './names.ts';
import { type Tag, validateTags, writeTags, deleteTags, readTags, matchesTags } from './tags.ts';
import { cidrContains, cidrOverlaps, formatCidr, parseCidr, PRIVATE_RANGES, type Cidr } from '../engine/cidr.ts';
import { isoSeconds } from '../clock.ts';
import type { Db, Tx } from '../store/store.ts';
import type { VpcTable, VSwitchTable } from '../store/schema.ts';
import { checkPage, pageOf, type Page } from './paging.ts';
import { accountLimits } from './account-settings.ts';
import { allocateVpcIpv6, vSwitchIpv6Block, vSwitchIpv6Index } from './ipv6.ts';

export interface Vpc {
  vpcId: string;
  regionId: string;
  accountId: string;
  vpcName: string;
  description: string;
  cidrBlock: string;
  status: string;
  isDefault: boolean;
  vRouterId: string;
  routeTableId: string;
  resourceGroupId: string;
  creationTime: string;
  vSwitchIds: string[];
  tags: Tag[];
  /** attached to a Cloud Enterprise Network (domain/cen.ts) */
  cenAttached: boolean;
  /** its IPv6 block (a /56 of domain/ipv6.ts's pool), '' when IPv6 is off */
  ipv6CidrBlock: string;
}

export interface VSwitch {
  vSwitchId: string;
  vpcId: string;
  regionId: string;
  accountId: string;
  zoneId: string;
  vSwitchName: string;
  description: string;
  cidrBlock: string;
  status: string;
  creationTime: string;
  availableIpAddressCount: number;
  routeTableId: string;
  tags: Tag[];
  /** its IPv6 block (a /64 of its VPC's /56), '' when IPv6 is off */
  ipv6CidrBlock: string;
}


const DEFAULT_VPC_CIDR = '172.16.0.0/12';

function parseVpcCidr(text: string): Cidr {
  const c = parseCidr(text, true);
  if (c === null || text.indexOf('/') < 0 || c.prefix < 8 || c.prefix > 28 || !PRIVATE_RANGES.some((r) => cidrContains(r, c))) {
    throw apiError('InvalidCidrBlock.Malformed', { cidr: text });
  }
  return c;
}

function toVpc(row: VpcTable, vSwitchIds: string[], tags: Tag[], cenAttached = false): Vpc {
  return {
    vpcId: row.id, regionId: row.region_id, accountId: row.account_id, vpcName: row.name, description: row.description,
    cidrBlock: row.cidr_block, status: row.status, isDefault: row.is_default === 1, vRouterId: row.vrouter_id,
    routeTableId: row.route_table_id, resourceGroupId: row.resource_group_id, creationTime: row.created_at, vSwitchIds, tags, cenAttached,
    ipv6CidrBlock: row.ipv6_cidr,
  };
}

function toVSwitch(row: VSwitchTable, routeTableId: string, tags: Tag[]): VSwitch {
  const c = parseCidr(row.cidr_block)!;
  return {
    vSwitchId: row.id, vpcId: row.vpc_id, regionId: row.region_id, accountId: row.account_id, zoneId: row.zone_id,
    vSwitchName: row.name, description: row.description, cidrBlock: row.cidr_block, status: row.status, creationTime: row.created_at,
    // the first and the last three addresses of a vSwitch are reserved
    availableIpAddressCount: Math.max(0, c.size - 4), routeTableId, tags, ipv6CidrBlock: row.ipv6_cidr,
  };
}

export async function getVpcRow(db: Db | Tx, accountId: string, vpcId: string, regionId?: string): Promise<VpcTable> {
  const row = await db.selectFrom('vpcs').selectAll().where('id', '=', vpcId).where('account_id', '=', accountId).executeTakeFirst();
  if (row === undefined || (regionId !== undefined && row.region_id !== regionId)) {
    throw apiError('InvalidVpcId.NotFound', { vpcId });
  }
  return row;
}

export async function createVpc(ctx: CallContext, p: {
  regionId: string; cidrBlock?: string | undefined; vpcName?: string | undefined; description?: string | undefined;
  resourceGroupId?: string | undefined; tags?: Tag[] | undefined; enableIpv6?: boolean | undefined;
}): Promise<{ vpcId: string; vRouterId: string; routeTableId: string; resourceGroupId: string }> {
  requireRegion(p.regionId);
  const cidr = formatCidr(parseVpcCidr(p.cidrBlock ?? DEFAULT_VPC_CIDR));
  checkName(p.vpcName, { param: 'VpcName', code: 'InvalidVpcName.Malformed', min: 1 });
  checkDescription(p.description, 1);
  const tags = validateTags(p.tags);
  const accountId = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    await ctx.store.lock(tx, `vpc-quota:${accountId}:${p.regionId}`);
    const count = await tx.selectFrom('vpcs').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId).where('region_id', '=', p.regionId).executeTakeFirstOrThrow();
    const quota = (await accountLimits(ctx, tx)).vpcsPerRegion;
    if (Number(count.n) >= quota) {
      throw apiError('QuotaExceeded.Vpc', { regionId: p.regionId, quota });
    }
    const vpcId = ctx.ids.resource('vpc');
    const row: VpcTable = {
      id: vpcId, account_id: accountId, region_id: p.regionId, name: p.vpcName ?? '', description: p.description ?? '',
      cidr_block: cidr, status: 'Available', is_default: 0, vrouter_id: ctx.ids.resource('vrt'),
      route_table_id: ctx.ids.resource('vtb'), resource_group_id: p.resourceGroupId ?? 'rg-default',
      created_at: isoSeconds(ctx.clock.now()), ipv6_cidr: p.enableIpv6 === true ? await allocateVpcIpv6(ctx, tx) : '',
    };
    await tx.insertInto('vpcs').values(row).execute();
    await writeTags(tx, accountId, 'VPC', vpcId, tags);
    return { vpcId, vRouterId: row.vrouter_id, routeTableId: row.route_table_id, resourceGroupId: row.resource_group_id };
  });
}


/** Every VPC of an account in a region, newest first, memoized until the next write. */
function vpcsOf(ctx: CallContext, regionId: string): Promise<Vpc[]> {
  const accountId = ctx.principal.accountId;
  return ctx.store.memo(`vpcs:${accountId}:${regionId}`, async () => {
    const db = ctx.store.db;
    const rows = await db.selectFrom('vpcs').selectAll().where('account_id', '=', accountId).where('region_id', '=', regionId)
      .orderBy('created_at', 'desc').orderBy('id').execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const tags = await readTags(db, 'VPC', ids);
    const switches = await db.selectFrom('vswitches').select(['id', 'vpc_id']).where('vpc_id', 'in', ids).orderBy('created_at').orderBy('id').execute();
    const attached = new Set((await db.selectFrom('cen_children').select('vpc_id').where('vpc_id', 'in', ids).execute()).map((c) => c.vpc_id));
    return rows.map((r) => toVpc(r, switches.filter((x) => x.vpc_id === r.id).map((x) => x.id), tags.get(r.id) ?? [], attached.has(r.id)));
  });
}

export async function describeVpcs(ctx: CallContext, p: {
  regionId: string; vpcId?: string | undefined; vpcName?: string | undefined; isDefault?: boolean | undefined;
  resourceGroupId?: string | undefined; pageNumber?: number | undefined; pageSize?: number | undefined; tags?: Tag[] | undefined;
  /** `EnableIpv6`: only the VPCs with (true) or without (false) IPv6 */
  enableIpv6?: boolean | undefined;
}): Promise<Page<Vpc>> {
  requireRegion(p.regionId);
  checkPage(p.pageNumber, p.pageSize, 50);
  const ids = p.vpcId === undefined || p.vpcId === '' ? undefined : new Set(p.vpcId.split(',').map((s) => s.trim()).filter((s) => s !== ''));
  if (ids !== undefined && ids.size > 20) throw apiError('InvalidParameter', { name: 'VpcId', value: p.vpcId!, why: 'At most 20 VPC ids may be given.' });
  const filter = validateTags(p.tags);
  const matched = (await vpcsOf(ctx, p.regionId)).filter((v) =>
    (ids === undefined || ids.has(v.vpcId)) &&
    (p.vpcName === undefined || p.vpcName === '' || v.vpcName === p.vpcName) &&
    (p.isDefault === undefined || v.isDefault === p.isDefault) &&
    (p.resourceGroupId === undefined || p.resourceGroupId === '' || v.resourceGroupId === p.resourceGroupId) &&
    (p.enableIpv6 === undefined || (v.ipv6CidrBlock !== '') === p.enableIpv6) &&
    (filter.length === 0 || matchesTags(v.tags, filter)));
  return pageOf(matched, p.pageNumber, p.pageSize, 50);
}

export async function modifyVpcAttribute(ctx: CallContext, p: {
  regionId?: string | undefined; vpcId: string; vpcName?: string | undefined; description?: string | undefined; cidrBlock?: string | undefined;
  /** `EnableIPv6`: true gives the VPC a /56 when it has none; false is refused once it has one */
  enableIpv6?: boolean | undefined;
}): Promise<void> {
  if (p.regionId !== undefined) requireRegion(p.regionId);
  checkName(p.vpcName, { param: 'VpcName', code: 'InvalidVpcName.Malformed', min: 1 });
  checkDescription(p.description, 1);
  const cidr = p.cidrBlock === undefined || p.cidrBlock === '' ? undefined : parseVpcCidr(p.cidrBlock);
  await ctx.write(async (tx) => {
    // enabling IPv6 reads the block and writes it under the VPC's lock: two enables give one block
    if (p.enableIpv6 !== undefined) await ctx.store.lock(tx, `vpc:${p.vpcId}`);
    const row = await getVpcRow(tx, ctx.principal.accountId, p.vpcId, p.regionId);
    const set: Partial<VpcTable> = {};
    if (p.vpcName !== undefined) set.name = p.vpcName;
    if (p.description !== undefined) set.description = p.description;
    if (cidr !== undefined) {
      const switches = await tx.selectFrom('vswitches').select(['id', 'cidr_block']).where('vpc_id', '=', row.id).execute();
      for (const s of switches) {
        if (!cidrContains(cidr, parseCidr(s.cidr_block)!)) {
          throw apiError('InvalidCidrBlock.Malformed', 'excludesVSwitch', { cidr: p.cidrBlock, vSwitchCidr: s.cidr_block, vSwitchId: s.id });
        }
      }
      set.cidr_block = formatCidr(cidr);
    }
    if (p.enableIpv6 === true && row.ipv6_cidr === '') set.ipv6_cidr = await allocateVpcIpv6(ctx, tx);
    if (p.enableIpv6 === false && row.ipv6_cidr !== '') throw apiError('OperationUnsupported.DisableIpv6', { vpcId: row.id });
    if (Object.keys(set).length > 0) await tx.updateTable('vpcs').set(set).where('id', '=', row.id).execute();
  });
}

export async function deleteVpc(ctx: CallContext, p: { regionId?: string | undefined; vpcId: string }): Promise<void> {
  if (p.regionId !== undefined) requireRegion(p.regionId);
  await ctx.write(async (tx) => {
    // the VPC's children are counted under its lock: none can appear meanwhile
    await ctx.store.lock(tx, `vpc:${p.vpcId}`);
    const row = await getVpcRow(tx, ctx.principal.accountId, p.vpcId, p.regionId);
    // attaching takes this lock too (domain/cen.ts): no attachment appears meanwhile
    const cen = await tx.selectFrom('cen_children').select('cen_id').where('vpc_id', '=', row.id).executeTakeFirst();
    if (cen !== undefined) throw apiError('DependencyViolation.CenInstance', { vpcId: row.id, cenId: cen.cen_id });
    // creating a gateway takes this lock too (domain/ipv6-gateways.ts)
    const gateway = await tx.selectFrom('ipv6_gateways').select('id').where('vpc_id', '=', row.id).executeTakeFirst();
    if (gateway !== undefined) throw apiError('DependencyViolation.Ipv6Gateway', { vpcId: row.id, id: gateway.id });
    const child = await tx.selectFrom('vswitches').select('id').where('vpc_id', '=', row.id).executeTakeFirst();
    if (child !== undefined) {
      throw apiError('DependencyViolation.VSwitch', { vpcId: row.id, vSwitchId: child.id });
    }
    const group = await tx.selectFrom('security_groups').select('id').where('vpc_id', '=', row.id).executeTakeFirst();
    if (group !== undefined) {
      throw apiError('DependencyViolation.SecurityGroup', { vpcId: row.id, groupId: group.id });
    }
    await tx.deleteFrom('cen_grants').where('vpc_id', '=', row.id).execute();
    await tx.deleteFrom('vpcs').where('id', '=', row.id).execute();
    await deleteTags(tx, 'VPC', row.id);
  });
}

export async function createVSwitch(ctx: CallContext, p: {
  regionId?: string | undefined; vpcId: string; zoneId: string; cidrBlock: string; vSwitchName?: string | undefined;
  description?: string | undefined; tags?: Tag[] | undefined;
  /** `Ipv6CidrBlock`: the index (0..255) of the vSwitch's /64 in its VPC's /56 */
  ipv6Index?: number | undefined;
}): Promise<{ vSwitchId: string }> {
  if (p.regionId !== undefined) requireRegion(p.regionId);
  checkName(p.vSwitchName, { param: 'VSwitchName', code: 'InvalidVSwitchName.Malformed', min: 1 });
  checkDescription(p.description, 1);
  const tags = validateTags(p.tags);
  const cidr = parseCidr(p.cidrBlock, true);
  if (cidr === null || p.cidrBlock.indexOf('/') < 0 || cidr.prefix < 16 || cidr.prefix > 29) {
    throw apiError('InvalidCidrBlock.Malformed', 'vSwitch', { cidr: p.cidrBlock });
  }
  if (p.ipv6Index !== undefined && (!Number.isInteger(p.ipv6Index) || p.ipv6Index < 0 || p.ipv6Index > 255)) {
    throw apiError('InvalidIpv6CidrBlock.Malformed', { value: String(p.ipv6Index) });
  }
  const accountId = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    // the quota and the overlap check hold only while no sibling appears
    await ctx.store.lock(tx, `vpc:${p.vpcId}`);
    const vpc = await getVpcRow(tx, accountId, p.vpcId, p.regionId);
    const region = requireRegion(vpc.region_id);
    if (!region.zones.includes(p.zoneId)) {
      throw apiError('InvalidZoneId.NotFound', { zoneId: p.zoneId, regionId: region.id });
    }
    if (!cidrContains(parseCidr(vpc.cidr_block)!, cidr)) {
      throw apiError('InvalidCidrBlock.Malformed', 'outsideVpc', { cidr: p.cidrBlock, vpcCidr: vpc.cidr_block });
    }
    const siblings = await tx.selectFrom('vswitches').select(['id', 'cidr_block', 'ipv6_cidr']).where('vpc_id', '=', vpc.id).execute();
    if (siblings.length >= (await accountLimits(ctx, tx)).vswitchesPerVpc) {
      throw apiError('QuotaExceeded.VSwitch', { vpcId: vpc.id, count: siblings.length });
    }
    for (const s of siblings) {
      if (cidrOverlaps(parseCidr(s.cidr_block)!, cidr)) {
        throw apiError('InvalidCidrBlock.Overlapped', { cidr: p.cidrBlock, vSwitchCidr: s.cidr_block, vSwitchId: s.id });
      }
    }
    let ipv6Cidr = '';
    if (p.ipv6Index !== undefined) {
      if (vpc.ipv6_cidr === '') throw apiError('IncorrectVpcStatus.Ipv6NotEnabled', { vpcId: vpc.id });
      ipv6Cidr = vSwitchIpv6Block(vpc.ipv6_cidr, p.ipv6Index);
      const taken = siblings.find((s) => s.ipv6_cidr === ipv6Cidr);
      if (taken !== undefined) throw apiError('InvalidIpv6CidrBlock.Overlapped', { value: String(p.ipv6Index), vSwitchId: taken.id });
    }
    const vSwitchId = ctx.ids.resource('vsw');
    await tx.insertInto('vswitches').values({
      id: vSwitchId, account_id: accountId, region_id: vpc.region_id, vpc_id: vpc.id, zone_id: p.zoneId,
      name: p.vSwitchName ?? '', description: p.description ?? '', cidr_block: formatCidr(cidr), status: 'Available',
      created_at: isoSeconds(ctx.clock.now()), ipv6_cidr: ipv6Cidr,
    }).execute();
    await writeTags(tx, accountId, 'VSWITCH', vSwitchId, tags);
    return { vSwitchId };
  });
}

/** Every vSwitch of an account, newest first, memoized until the next write. */
function vSwitchesOf(ctx: CallContext): Promise<VSwitch[]> {
  const accountId = ctx.principal.accountId;
  return ctx.store.memo(`vswitches:${accountId}`, async () => {
    const db = ctx.store.db;
    const rows = await db.selectFrom('vswitches').selectAll().where('account_id', '=', accountId).orderBy('created_at', 'desc').orderBy('id').execute();
    if (rows.length === 0) return [];
    const tags = await readTags(db, 'VSWITCH', rows.map((r) => r.id));
    const vpcs = await db.selectFrom('vpcs').select(['id', 'route_table_id']).where('account_id', '=', accountId).execute();
    const rt = new Map(vpcs.map((v) => [v.id, v.route_table_id]));
    return rows.map((r) => toVSwitch(r, rt.get(r.vpc_id) ?? '', tags.get(r.id) ?? []));
  });
}

export async function describeVSwitches(ctx: CallContext, p: {
  regionId?: string | undefined; vpcId?: string | undefined; vSwitchId?: string | undefined; zoneId?: string | undefined;
  vSwitchName?: string | undefined; isDefault?: boolean | undefined; pageNumber?: number | undefined; pageSize?: number | undefined;
  tags?: Tag[] | undefined;
  /** `EnableIpv6`: only the vSwitches with (true) or without (false) an IPv6 block */
  enableIpv6?: boolean | undefined;
}): Promise<Page<VSwitch>> {
  if (p.regionId !== undefined) requireRegion(p.regionId);
  const given = (v: string | undefined): v is string => v !== undefined && v !== '';
  if (!given(p.regionId) && !given(p.vpcId) && !given(p.vSwitchId)) {
    throw apiError('MissingParameter', { name: 'RegionId' });
  }
  checkPage(p.pageNumber, p.pageSize, 50);
  const ids = given(p.vSwitchId) ? new Set(p.vSwitchId.split(',').map((s) => s.trim()).filter((s) => s !== '')) : undefined;
  const filter = validateTags(p.tags);
  const matched = p.isDefault === true ? [] : (await vSwitchesOf(ctx)).filter((s) =>
    (!given(p.regionId) || s.regionId === p.regionId) &&
    (!given(p.vpcId) || s.vpcId === p.vpcId) &&
    (ids === undefined || ids.has(s.vSwitchId)) &&
    (!given(p.zoneId) || s.zoneId === p.zoneId) &&
    (!given(p.vSwitchName) || s.vSwitchName === p.vSwitchName) &&
    (p.enableIpv6 === undefined || (s.ipv6CidrBlock !== '') === p.enableIpv6) &&
    (filter.length === 0 || matchesTags(s.tags, filter)));
  return pageOf(matched, p.pageNumber, p.pageSize, 50);
}

/**
 * ModifyVSwitchAttribute: name, description, and IPv6 for a vSwitch that has none (`EnableIPv6=true`
 * and/or `Ipv6CidrBlock`, the index of its /64; without an index, the lowest free one). A vSwitch's
 * block, once set, is neither changed nor removed here.
 */
export async function modifyVSwitchAttribute(ctx: CallContext, p: {
  regionId?: string | undefined; vSwitchId: string; vSwitchName?: string | undefined; description?: string | undefined;
  enableIpv6?: boolean | undefined; ipv6Index?: number | undefined;
}): Promise<void> {
  if (p.regionId !== undefined) requireRegion(p.regionId);
  checkName(p.vSwitchName, { param: 'VSwitchName', code: 'InvalidVSwitchName.Malformed', min: 1 });
  checkDescription(p.description, 1);
  if (p.ipv6Index !== undefined && (!Number.isInteger(p.ipv6Index) || p.ipv6Index < 0 || p.ipv6Index > 255)) {
    throw apiError('InvalidIpv6CidrBlock.Malformed', { value: String(p.ipv6Index) });
  }
  await ctx.write(async (tx) => {
    const find = () => tx.selectFrom('vswitches').selectAll().where('id', '=', p.vSwitchId).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
    const first = await find();
    if (first === undefined || (p.regionId !== undefined && first.region_id !== p.regionId)) throw apiError('InvalidVSwitchId.NotFound', 'vpc', { vSwitchId: p.vSwitchId });
    // the vSwitches' blocks of a VPC change under its lock (createVSwitch takes it too)
    await ctx.store.lock(tx, `vpc:${first.vpc_id}`);
    const row = (await find())!;
    const set: Partial<VSwitchTable> = {};
    if (p.vSwitchName !== undefined) set.name = p.vSwitchName;
    if (p.description !== undefined) set.description = p.description;
    const wantsIpv6 = p.enableIpv6 === true || p.ipv6Index !== undefined;
    if (row.ipv6_cidr !== '') {
      const index = vSwitchIpv6Index(row.ipv6_cidr);
      if (p.enableIpv6 === false || (p.ipv6Index !== undefined && p.ipv6Index !== index)) {
        throw apiError('OperationUnsupported.VSwitchIpv6Change', { vSwitchId: row.id, cidr: row.ipv6_cidr });
      }
    } else if (wantsIpv6 && p.enableIpv6 !== false) {
      const vpc = await getVpcRow(tx, ctx.principal.accountId, row.vpc_id);
      if (vpc.ipv6_cidr === '') throw apiError('IncorrectVpcStatus.Ipv6NotEnabled', { vpcId: vpc.id });
      const siblings = await tx.selectFrom('vswitches').select(['id', 'ipv6_cidr']).where('vpc_id', '=', vpc.id).where('ipv6_cidr', '!=', '').execute();
      const taken = new Map(siblings.map((s) => [vSwitchIpv6Index(s.ipv6_cidr), s.id]));
      let index = p.ipv6Index;
      if (index === undefined) {
        index = 0;
        while (taken.has(index) && index < 256) index++;
        if (index > 255) throw apiError('InvalidIpv6CidrBlock.Overlapped', { value: 'any', vSwitchId: siblings[0]!.id });
      }
      const holder = taken.get(index);
      if (holder !== undefined) throw apiError('InvalidIpv6CidrBlock.Overlapped', { value: String(index), vSwitchId: holder });
      set.ipv6_cidr = vSwitchIpv6Block(vpc.ipv6_cidr, index);
    }
    if (Object.keys(set).length > 0) await tx.updateTable('vswitches').set(set).where('id', '=', row.id).execute();
  });
}

export async function deleteVSwitch(ctx: CallContext, p: { regionId?: string | undefined; vSwitchId: string }): Promise<void> {
  if (p.regionId !== undefined) requireRegion(p.regionId);
  await ctx.write(async (tx) => {
    const row = await tx.selectFrom('vswitches').selectAll().where('id', '=', p.vSwitchId)
      .where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
    if (row === undefined || (p.regionId !== undefined && row.region_id !== p.regionId)) {
      throw apiError('InvalidVSwitchId.NotFound', 'vpc', { vSwitchId: p.vSwitchId });
    }
    // INVARIANT: a vSwitch with network interfaces in it is never deleted.
    const eni = await tx.selectFrom('enis').select(['id', 'instance_id']).where('vswitch_id', '=', row.id).executeTakeFirst();
    if (eni !== undefined) {
      throw (eni.instance_id !== ''
        ? apiError('DependencyViolation.Instance', { vSwitchId: row.id, instanceId: eni.instance_id })
        : apiError('DependencyViolation.Instance', 'eni', { vSwitchId: row.id, eniId: eni.id }));
    }
    await tx.deleteFrom('vswitches').where('id', '=', row.id).execute();
    await deleteTags(tx, 'VSWITCH', row.id);
  });
}
