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
}


const DEFAULT_VPC_CIDR = '172.16.0.0/12';

function parseVpcCidr(text: string): Cidr {
  const c = parseCidr(text, true);
  if (c === null || text.indexOf('/') < 0 || c.prefix < 8 || c.prefix > 28 || !PRIVATE_RANGES.some((r) => cidrContains(r, c))) {
    throw apiError('InvalidCidrBlock.Malformed', { cidr: text });
  }
  return c;
}

function toVpc(row: VpcTable, vSwitchIds: string[], tags: Tag[]): Vpc {
  return {
    vpcId: row.id, regionId: row.region_id, accountId: row.account_id, vpcName: row.name, description: row.description,
    cidrBlock: row.cidr_block, status: row.status, isDefault: row.is_default === 1, vRouterId: row.vrouter_id,
    routeTableId: row.route_table_id, resourceGroupId: row.resource_group_id, creationTime: row.created_at, vSwitchIds, tags,
  };
}

function toVSwitch(row: VSwitchTable, routeTableId: string, tags: Tag[]): VSwitch {
  const c = parseCidr(row.cidr_block)!;
  return {
    vSwitchId: row.id, vpcId: row.vpc_id, regionId: row.region_id, accountId: row.account_id, zoneId: row.zone_id,
    vSwitchName: row.name, description: row.description, cidrBlock: row.cidr_block, status: row.status, creationTime: row.created_at,
    // the first and the last three addresses of a vSwitch are reserved
    availableIpAddressCount: Math.max(0, c.size - 4), routeTableId, tags,
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
  resourceGroupId?: string | undefined; tags?: Tag[] | undefined;
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
      created_at: isoSeconds(ctx.clock.now()),
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
    return rows.map((r) => toVpc(r, switches.filter((x) => x.vpc_id === r.id).map((x) => x.id), tags.get(r.id) ?? []));
  });
}

export async function describeVpcs(ctx: CallContext, p: {
  regionId: string; vpcId?: string | undefined; vpcName?: string | undefined; isDefault?: boolean | undefined;
  resourceGroupId?: string | undefined; pageNumber?: number | undefined; pageSize?: number | undefined; tags?: Tag[] | undefined;
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
    (filter.length === 0 || matchesTags(v.tags, filter)));
  return pageOf(matched, p.pageNumber, p.pageSize, 50);
}

export async function modifyVpcAttribute(ctx: CallContext, p: {
  regionId?: string | undefined; vpcId: string; vpcName?: string | undefined; description?: string | undefined; cidrBlock?: string | undefined;
}): Promise<void> {
  if (p.regionId !== undefined) requireRegion(p.regionId);
  checkName(p.vpcName, { param: 'VpcName', code: 'InvalidVpcName.Malformed', min: 1 });
  checkDescription(p.description, 1);
  const cidr = p.cidrBlock === undefined || p.cidrBlock === '' ? undefined : parseVpcCidr(p.cidrBlock);
  await ctx.write(async (tx) => {
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
    if (Object.keys(set).length > 0) await tx.updateTable('vpcs').set(set).where('id', '=', row.id).execute();
  });
}

export async function deleteVpc(ctx: CallContext, p: { regionId?: string | undefined; vpcId: string }): Promise<void> {
  if (p.regionId !== undefined) requireRegion(p.regionId);
  await ctx.write(async (tx) => {
    // the VPC's children are counted under its lock: none can appear meanwhile
    await ctx.store.lock(tx, `vpc:${p.vpcId}`);
    const row = await getVpcRow(tx, ctx.principal.accountId, p.vpcId, p.regionId);
    const child = await tx.selectFrom('vswitches').select('id').where('vpc_id', '=', row.id).executeTakeFirst();
    if (child !== undefined) {
      throw apiError('DependencyViolation.VSwitch', { vpcId: row.id, vSwitchId: child.id });
    }
    const group = await tx.selectFrom('security_groups').select('id').where('vpc_id', '=', row.id).executeTakeFirst();
    if (group !== undefined) {
      throw apiError('DependencyViolation.SecurityGroup', { vpcId: row.id, groupId: group.id });
    }
    await tx.deleteFrom('vpcs').where('id', '=', row.id).execute();
    await deleteTags(tx, 'VPC', row.id);
  });
}

export async function createVSwitch(ctx: CallContext, p: {
  regionId?: string | undefined; vpcId: string; zoneId: string; cidrBlock: string; vSwitchName?: string | undefined;
  description?: string | undefined; tags?: Tag[] | undefined;
}): Promise<{ vSwitchId: string }> {
  if (p.regionId !== undefined) requireRegion(p.regionId);
  checkName(p.vSwitchName, { param: 'VSwitchName', code: 'InvalidVSwitchName.Malformed', min: 1 });
  checkDescription(p.description, 1);
  const tags = validateTags(p.tags);
  const cidr = parseCidr(p.cidrBlock, true);
  if (cidr === null || p.cidrBlock.indexOf('/') < 0 || cidr.prefix < 16 || cidr.prefix > 29) {
    throw apiError('InvalidCidrBlock.Malformed', 'vSwitch', { cidr: p.cidrBlock });
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
    const siblings = await tx.selectFrom('vswitches').select(['id', 'cidr_block']).where('vpc_id', '=', vpc.id).execute();
    if (siblings.length >= (await accountLimits(ctx, tx)).vswitchesPerVpc) {
      throw apiError('QuotaExceeded.VSwitch', { vpcId: vpc.id, count: siblings.length });
    }
    for (const s of siblings) {
      if (cidrOverlaps(parseCidr(s.cidr_block)!, cidr)) {
        throw apiError('InvalidCidrBlock.Overlapped', { cidr: p.cidrBlock, vSwitchCidr: s.cidr_block, vSwitchId: s.id });
      }
    }
    const vSwitchId = ctx.ids.resource('vsw');
    await tx.insertInto('vswitches').values({
      id: vSwitchId, account_id: accountId, region_id: vpc.region_id, vpc_id: vpc.id, zone_id: p.zoneId,
      name: p.vSwitchName ?? '', description: p.description ?? '', cidr_block: formatCidr(cidr), status: 'Available',
      created_at: isoSeconds(ctx.clock.now()),
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
    (filter.length === 0 || matchesTags(s.tags, filter)));
  return pageOf(matched, p.pageNumber, p.pageSize, 50);
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
