// Cloud Enterprise Network (Cbn 2017-09-12, and VPC's GrantInstanceToCen family): CEN instances,
// the VPCs attached to them, and the grants with which a VPC's owner lets another account's CEN
// attach it. VPCs attached to one CEN reach each other's CIDR blocks (the data plane routes them
// through the CEN's namespace, src/dataplane/cen-links.ts) and a security-group rule naming a
// group of another VPC of the same CEN resolves that group's members (dataplane-state.ts,
// network-access.ts). What is modelled and what is simplified: docs/CEN.md.
//
// INVARIANT: a VPC is attached to at most one CEN (cen_children's key), and the VPCs of one CEN
// never overlap (checked under the CEN's lock in attachChildInstance, the one path that attaches).
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { cidrOverlaps, parseCidr } from '../engine/cidr.ts';
import { isoSeconds } from '../clock.ts';
import type { Db, Tx } from '../store/store.ts';
import type { CenTable } from '../store/schema.ts';
import { pageOf, type Page } from './paging.ts';

export interface Cen {
  cenId: string;
  accountId: string;
  name: string;
  description: string;
  protectionLevel: string;
  status: string;
  creationTime: string;
}

export interface CenChild {
  cenId: string;
  childInstanceId: string;
  childInstanceType: 'VPC';
  childInstanceRegionId: string;
  childInstanceOwnerId: string;
  status: 'Attached';
  childInstanceAttachTime: string;
  cidrBlock: string;
}

export interface CenGrant {
  cenId: string;
  cenOwnerId: string;
  childInstanceId: string;
  childInstanceType: 'VPC';
  childInstanceRegionId: string;
  childInstanceOwnerId: string;
  creationTime: string;
}

const toCen = (r: CenTable): Cen => ({
  cenId: r.id, accountId: r.account_id, name: r.name, description: r.description, protectionLevel: r.protection_level, status: r.status, creationTime: r.created_at,
});

function checkText(name: string, value: string | undefined, max: number): void {
  if (value === undefined) return;
  if (value.length > max || /^https?:\/\//.test(value)) throw apiError('InvalidParameter', { name, value, why: `At most ${max} characters, not starting with \`http://\` or \`https://\`.` });
}

function checkChildType(type: string, name = 'ChildInstanceType'): void {
  if (type !== 'VPC') throw apiError('ParameterIllegal.ChildInstanceType', { name, value: type });
}

/** The CEN `cenId` of the caller's account, or `ParameterCenInstanceId` (another account's CEN is not found either). */
async function ownCen(ctx: CallContext, db: Db | Tx, cenId: string): Promise<CenTable> {
  const row = await db.selectFrom('cens').selectAll().where('id', '=', cenId).executeTakeFirst();
  if (row === undefined || row.account_id !== ctx.principal.accountId) throw apiError('ParameterCenInstanceId', { cenId });
  return row;
}

export async function createCen(ctx: CallContext, p: { name?: string | undefined; description?: string | undefined; protectionLevel?: string | undefined }): Promise<{ cenId: string }> {
  checkText('Name', p.name, 128);
  checkText('Description', p.description, 256);
  const level = p.protectionLevel ?? 'REDUCED';
  if (level !== 'REDUCED') throw apiError('InvalidParameter', { name: 'ProtectionLevel', value: level, why: 'The only level is `REDUCED`.' });
  const accountId = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    const cenId = ctx.ids.resource('cen');
    await tx.insertInto('cens').values({
      id: cenId, account_id: accountId, name: p.name ?? '', description: p.description ?? '', protection_level: level, status: 'Active',
      created_at: isoSeconds(ctx.clock.now()),
    }).execute();
    return { cenId };
  });
}

export async function describeCens(ctx: CallContext, p: { cenIds?: readonly string[] | undefined; name?: string | undefined; pageNumber?: number | undefined; pageSize?: number | undefined }): Promise<Page<Cen & { vpcIds: string[] }>> {
  const db = ctx.store.db;
  let q = db.selectFrom('cens').selectAll().where('account_id', '=', ctx.principal.accountId);
  if (p.cenIds !== undefined && p.cenIds.length > 0) q = q.where('id', 'in', [...p.cenIds]);
  if (p.name !== undefined && p.name !== '') q = q.where('name', '=', p.name);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').execute();
  const page = pageOf(rows.map(toCen), p.pageNumber, p.pageSize, 50);
  const ids = page.items.map((c) => c.cenId);
  const children = ids.length === 0 ? [] : await db.selectFrom('cen_children').select(['cen_id', 'vpc_id']).where('cen_id', 'in', ids).orderBy('vpc_id').execute();
  return { ...page, items: page.items.map((c) => ({ ...c, vpcIds: children.filter((x) => x.cen_id === c.cenId).map((x) => x.vpc_id) })) };
}

export async function deleteCen(ctx: CallContext, p: { cenId: string }): Promise<void> {
  await ctx.write(async (tx) => {
    await ctx.store.lock(tx, `cen:${p.cenId}`);
    await ownCen(ctx, tx, p.cenId);
    const child = await tx.selectFrom('cen_children').select('vpc_id').where('cen_id', '=', p.cenId).executeTakeFirst();
    if (child !== undefined) throw apiError('OperationFailed.DeleteCenWithChildInstance', { cenId: p.cenId, vpcId: child.vpc_id });
    await tx.deleteFrom('cen_grants').where('cen_id', '=', p.cenId).execute();
    await tx.deleteFrom('cens').where('id', '=', p.cenId).execute();
  });
}

export interface ChildParams {
  cenId: string;
  childInstanceId: string;
  childInstanceType: string;
  childInstanceRegionId: string;
  /** the VPC's owner when it is another account's */
  childInstanceOwnerId?: string | undefined;
}

/** Attaches a VPC (the caller's, or another account's that granted it to this CEN) to the caller's CEN. */
export async function attachChildInstance(ctx: CallContext, p: ChildParams): Promise<void> {
  checkChildType(p.childInstanceType);
  requireRegion(p.childInstanceRegionId);
  const caller = ctx.principal.accountId;
  const owner = p.childInstanceOwnerId !== undefined && p.childInstanceOwnerId !== '' ? p.childInstanceOwnerId : caller;
  await ctx.write(async (tx) => {
    // one lock per CEN: attachments to one CEN are judged one at a time (the overlap rule)
    await ctx.store.lock(tx, `cen:${p.cenId}`);
    await ownCen(ctx, tx, p.cenId);
    // DeleteVpc's lock (domain/vpc.ts): the VPC can't go while it is being attached
    await ctx.store.lock(tx, `vpc:${p.childInstanceId}`);
    const vpc = await tx.selectFrom('vpcs').select(['id', 'account_id', 'region_id', 'cidr_block']).where('id', '=', p.childInstanceId).executeTakeFirst();
    if (vpc === undefined || vpc.account_id !== owner || vpc.region_id !== p.childInstanceRegionId) throw apiError('ParameterInstanceId', { id: p.childInstanceId });
    if (owner !== caller) {
      const grant = await tx.selectFrom('cen_grants').select('vpc_id').where('vpc_id', '=', vpc.id).where('cen_id', '=', p.cenId).where('cen_owner_id', '=', caller).executeTakeFirst();
      if (grant === undefined) throw apiError('Forbidden.ChildInstanceNotGranted', { vpcId: vpc.id, cenId: p.cenId, ownerId: owner });
    }
    const attached = await tx.selectFrom('cen_children').select('cen_id').where('vpc_id', '=', vpc.id).executeTakeFirst();
    if (attached !== undefined) throw apiError('InvalidOperation.ChildInstanceAttached', { vpcId: vpc.id, cenId: attached.cen_id });
    const mine = parseCidr(vpc.cidr_block)!;
    for (const other of await tx.selectFrom('cen_children').select(['vpc_id', 'cidr_block']).where('cen_id', '=', p.cenId).execute()) {
      const c = parseCidr(other.cidr_block);
      if (c !== null && cidrOverlaps(c, mine)) throw apiError('InvalidOperation.CidrConflict', { vpcId: vpc.id, cidr: vpc.cidr_block, otherVpcId: other.vpc_id, otherCidr: other.cidr_block });
    }
    await tx.insertInto('cen_children').values({
      vpc_id: vpc.id, cen_id: p.cenId, vpc_account_id: vpc.account_id, region_id: vpc.region_id, cidr_block: vpc.cidr_block, attached_at: isoSeconds(ctx.clock.now()),
    }).execute();
  });
}

export async function detachChildInstance(ctx: CallContext, p: ChildParams): Promise<void> {
  checkChildType(p.childInstanceType);
  requireRegion(p.childInstanceRegionId);
  await ctx.write(async (tx) => {
    await ctx.store.lock(tx, `cen:${p.cenId}`);
    await ownCen(ctx, tx, p.cenId);
    const child = await tx.selectFrom('cen_children').selectAll().where('vpc_id', '=', p.childInstanceId).where('cen_id', '=', p.cenId).executeTakeFirst();
    const owner = p.childInstanceOwnerId !== undefined && p.childInstanceOwnerId !== '' ? p.childInstanceOwnerId : child?.vpc_account_id;
    if (child === undefined || child.region_id !== p.childInstanceRegionId || child.vpc_account_id !== owner) throw apiError('ParameterInstanceId', { id: p.childInstanceId });
    await tx.deleteFrom('cen_children').where('vpc_id', '=', p.childInstanceId).execute();
  });
}

export async function describeAttachedChildInstances(ctx: CallContext, p: { cenId: string; childInstanceRegionId?: string | undefined; childInstanceType?: string | undefined; pageNumber?: number | undefined; pageSize?: number | undefined }): Promise<Page<CenChild>> {
  const db = ctx.store.db;
  await ownCen(ctx, db, p.cenId);
  if (p.childInstanceType !== undefined && p.childInstanceType !== '') checkChildType(p.childInstanceType);
  let q = db.selectFrom('cen_children').selectAll().where('cen_id', '=', p.cenId);
  if (p.childInstanceRegionId !== undefined && p.childInstanceRegionId !== '') q = q.where('region_id', '=', p.childInstanceRegionId);
  const rows = await q.orderBy('attached_at').orderBy('vpc_id').execute();
  return pageOf(rows.map((r): CenChild => ({
    cenId: r.cen_id, childInstanceId: r.vpc_id, childInstanceType: 'VPC', childInstanceRegionId: r.region_id, childInstanceOwnerId: r.vpc_account_id,
    status: 'Attached', childInstanceAttachTime: r.attached_at, cidrBlock: r.cidr_block,
  })), p.pageNumber, p.pageSize, 50);
}

export interface GrantParams { regionId: string; instanceId: string; instanceType: string; cenId: string; cenOwnerId: string }

/** The caller's VPC `instanceId` in `regionId`, or `InvalidVpcId.NotFound`. */
async function ownVpc(ctx: CallContext, db: Db | Tx, p: GrantParams): Promise<{ id: string; region_id: string }> {
  requireRegion(p.regionId);
  checkChildType(p.instanceType, 'InstanceType');
  const vpc = await db.selectFrom('vpcs').select(['id', 'region_id']).where('id', '=', p.instanceId).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
  if (vpc === undefined || vpc.region_id !== p.regionId) throw apiError('InvalidVpcId.NotFound', { vpcId: p.instanceId });
  return vpc;
}

/** VPC GrantInstanceToCen: the caller lets CEN `cenId` of account `cenOwnerId` attach its VPC. */
export async function grantInstanceToCen(ctx: CallContext, p: GrantParams): Promise<void> {
  await ctx.write(async (tx) => {
    const vpc = await ownVpc(ctx, tx, p);
    const cen = await tx.selectFrom('cens').select('account_id').where('id', '=', p.cenId).executeTakeFirst();
    if (cen === undefined || cen.account_id !== p.cenOwnerId) throw apiError('ParameterCenInstanceId', { cenId: p.cenId });
    const had = await tx.selectFrom('cen_grants').select('vpc_id').where('vpc_id', '=', vpc.id).where('cen_id', '=', p.cenId).executeTakeFirst();
    if (had !== undefined) throw apiError('InvalidOperation.GrantExists', { vpcId: vpc.id, cenId: p.cenId });
    await tx.insertInto('cen_grants').values({
      vpc_id: vpc.id, cen_id: p.cenId, cen_owner_id: p.cenOwnerId, vpc_account_id: ctx.principal.accountId, region_id: vpc.region_id, created_at: isoSeconds(ctx.clock.now()),
    }).execute();
  });
}

/** VPC RevokeInstanceFromCen: the grant goes; a VPC still attached to that CEN stays attached until the CEN's owner detaches it (as the reference: revoking does not detach). */
export async function revokeInstanceFromCen(ctx: CallContext, p: GrantParams): Promise<void> {
  await ctx.write(async (tx) => {
    const vpc = await ownVpc(ctx, tx, p);
    const r = await tx.deleteFrom('cen_grants').where('vpc_id', '=', vpc.id).where('cen_id', '=', p.cenId).where('cen_owner_id', '=', p.cenOwnerId).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw apiError('InvalidOperation.GrantNotFound', { vpcId: vpc.id, cenId: p.cenId });
  });
}

export async function describeGrantRulesToCen(ctx: CallContext, p: { regionId: string; instanceId?: string | undefined; instanceType?: string | undefined; pageNumber?: number | undefined; pageSize?: number | undefined }): Promise<Page<CenGrant>> {
  requireRegion(p.regionId);
  if (p.instanceType !== undefined && p.instanceType !== '') checkChildType(p.instanceType, 'InstanceType');
  let q = ctx.store.db.selectFrom('cen_grants').selectAll().where('vpc_account_id', '=', ctx.principal.accountId).where('region_id', '=', p.regionId);
  if (p.instanceId !== undefined && p.instanceId !== '') q = q.where('vpc_id', '=', p.instanceId);
  const rows = await q.orderBy('created_at').orderBy('vpc_id').orderBy('cen_id').execute();
  return pageOf(rows.map((r): CenGrant => ({
    cenId: r.cen_id, cenOwnerId: r.cen_owner_id, childInstanceId: r.vpc_id, childInstanceType: 'VPC', childInstanceRegionId: r.region_id,
    childInstanceOwnerId: r.vpc_account_id, creationTime: r.created_at,
  })), p.pageNumber, p.pageSize, 100);
}

/** The CEN a VPC is attached to and the other VPCs attached to it (with their CIDR blocks); undefined when it is attached to none. */
export async function cenOfVpc(db: Db, vpcId: string): Promise<{ cenId: string; others: Array<{ vpcId: string; cidrBlock: string }> } | undefined> {
  if (vpcId === '') return undefined;
  const child = await db.selectFrom('cen_children').select('cen_id').where('vpc_id', '=', vpcId).executeTakeFirst();
  if (child === undefined) return undefined;
  const others = await db.selectFrom('cen_children').select(['vpc_id', 'cidr_block']).where('cen_id', '=', child.cen_id).where('vpc_id', '!=', vpcId).orderBy('vpc_id').execute();
  return { cenId: child.cen_id, others: others.map((o) => ({ vpcId: o.vpc_id, cidrBlock: o.cidr_block })) };
}

/** A DescribeCens filter key other than `CenId` and `Name`. */
export function badFilter(key: string): Error {
  return apiError('InvalidParameter', { name: 'Filter.Key', value: key, why: 'The keys are `CenId` and `Name`.' });
}
