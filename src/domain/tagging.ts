// TagResources / UntagResources / ListTagResources / DescribeTags for the ECS resources Parapet keeps
// (security groups and instances): at most 20 tags per resource, resources of the caller's
// account in the given region only.
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { type Tag, MAX_TAGS, validateTags, writeTags } from './tags.ts';
import type { Tx } from '../store/store.ts';
import { type Page, pageOf } from './paging.ts';

const TYPES: Record<string, { table: 'security_groups' | 'instances'; tagType: 'securitygroup' | 'instance'; notFound: 'InvalidSecurityGroupId.NotFound' | 'InvalidInstanceId.NotFound' }> = {
  securitygroup: { table: 'security_groups', tagType: 'securitygroup', notFound: 'InvalidSecurityGroupId.NotFound' },
  instance: { table: 'instances', tagType: 'instance', notFound: 'InvalidInstanceId.NotFound' },
};

function typeOf(resourceType: string) {
  const name = resourceType.toLowerCase();
  // the name is untrusted: only the table's own entries count (`constructor` is not a type)
  const t = Object.hasOwn(TYPES, name) ? TYPES[name] : undefined;
  if (t === undefined) throw apiError('InvalidResourceType.NotFound', { resourceType });
  return t;
}

async function checkResources(tx: Tx | CallContext['store']['db'], ctx: CallContext, type: ReturnType<typeof typeOf>, regionId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) throw apiError('MissingParameter', { name: 'ResourceId' });
  if (ids.length > 50) throw apiError('InvalidParameter', { name: 'ResourceId', value: `(${ids.length} ids)`, why: 'At most 50 resources may be given.' });
  const found = await tx.selectFrom(type.table).select(['id', 'region_id']).where('id', 'in', ids).where('account_id', '=', ctx.principal.accountId).execute();
  for (const id of ids) {
    if (!found.some((f) => f.id === id && f.region_id === regionId)) throw apiError(type.notFound, 'resource', { id, regionId });
  }
}

export async function tagResources(ctx: CallContext, p: { regionId: string; resourceType: string; resourceIds: string[]; tags: Tag[] }): Promise<void> {
  requireRegion(p.regionId);
  const type = typeOf(p.resourceType);
  const tags = validateTags(p.tags);
  if (tags.length === 0) throw apiError('MissingParameter', { name: 'Tag' });
  await ctx.write(async (tx) => {
    // the 20-tag limit holds only while nobody else tags these resources
    await ctx.store.lock(tx, ...p.resourceIds.map((id) => `tags:${type.tagType}:${id}`));
    await checkResources(tx, ctx, type, p.regionId, p.resourceIds);
    for (const id of p.resourceIds) {
      const have = await tx.selectFrom('tags').select('key').where('resource_type', '=', type.tagType).where('resource_id', '=', id).execute();
      const keys = new Set([...have.map((h) => h.key), ...tags.map((t) => t.key)]);
      if (keys.size > MAX_TAGS) throw apiError('InvalidTagCount', 'resource', { id, count: keys.size, max: MAX_TAGS });
      await writeTags(tx, ctx.principal.accountId, type.tagType, id, tags);
    }
  });
}

export async function untagResources(ctx: CallContext, p: { regionId: string; resourceType: string; resourceIds: string[]; tagKeys: string[]; all: boolean }): Promise<void> {
  requireRegion(p.regionId);
  const type = typeOf(p.resourceType);
  if (!p.all && p.tagKeys.length === 0) throw apiError('MissingParameter', 'tagKeys');
  await ctx.write(async (tx) => {
    await checkResources(tx, ctx, type, p.regionId, p.resourceIds);
    let q = tx.deleteFrom('tags').where('resource_type', '=', type.tagType).where('resource_id', 'in', p.resourceIds);
    if (!p.all) q = q.where('key', 'in', p.tagKeys);
    await q.execute();
  });
}

export async function listTagResources(ctx: CallContext, p: { regionId: string; resourceType: string; resourceIds: string[]; tags: Tag[]; nextToken?: string | undefined }): Promise<{ items: Array<{ resourceId: string; resourceType: string; key: string; value: string }>; nextToken: string | undefined }> {
  requireRegion(p.regionId);
  const type = typeOf(p.resourceType);
  if (p.resourceIds.length === 0 && p.tags.length === 0) throw apiError('MissingParameter', 'resourcesOrTags');
  const db = ctx.store.db;
  let ids = p.resourceIds;
  if (ids.length === 0) {
    const rows = await db.selectFrom(type.table).select('id').where('account_id', '=', ctx.principal.accountId).where('region_id', '=', p.regionId).execute();
    ids = rows.map((r) => r.id);
  } else {
    const rows = await db.selectFrom(type.table).select('id').where('account_id', '=', ctx.principal.accountId).where('region_id', '=', p.regionId).where('id', 'in', ids).execute();
    ids = rows.map((r) => r.id);
  }
  if (ids.length === 0) return { items: [], nextToken: undefined };
  const rows = await db.selectFrom('tags').select(['resource_id', 'key', 'value']).where('resource_type', '=', type.tagType).where('resource_id', 'in', ids).orderBy('resource_id').orderBy('key').execute();
  const wanted = p.tags;
  const matching = new Set(ids.filter((id) => wanted.every((w) => rows.some((r) => r.resource_id === id && r.key === w.key && (w.value === '' || r.value === w.value)))));
  const all = rows.filter((r) => matching.has(r.resource_id)).map((r) => ({ resourceId: r.resource_id, resourceType: p.resourceType.toLowerCase(), key: r.key, value: r.value }));
  const start = p.nextToken === undefined || p.nextToken === '' ? 0 : Number(p.nextToken);
  if (!Number.isInteger(start) || start < 0) throw apiError('InvalidNextToken.Malformed', { token: p.nextToken });
  const items = all.slice(start, start + 50);
  return { items, nextToken: start + 50 < all.length ? String(start + 50) : undefined };
}

/** One tag (key and value) of DescribeTags with how many resources of each type carry it. */
export interface TagCount { key: string; value: string; counts: { securitygroup: number; instance: number } }

/**
 * DescribeTags (the older tag query): the distinct tags of the account's resources in a region,
 * each with how many resources of each type carry it, sorted by key then value. `ResourceType`
 * narrows to one type, `ResourceId` (with or without a type) to one resource; `Tag.N` keeps the
 * tags equal to one of the filters (a filter without a value matches its key with any value).
 * PageNumber / PageSize (at most 100, default 50) over the tags.
 */
export async function describeTags(ctx: CallContext, p: { regionId: string; resourceType?: string | undefined; resourceId?: string | undefined; tags: Tag[]; pageNumber?: number | undefined; pageSize?: number | undefined }): Promise<Page<TagCount>> {
  requireRegion(p.regionId);
  const types = p.resourceType === undefined || p.resourceType === '' ? Object.values(TYPES) : [typeOf(p.resourceType)];
  const db = ctx.store.db;
  const account = ctx.principal.accountId;
  const byKey = new Map<string, TagCount>();
  for (const type of types) {
    let q = db.selectFrom(type.table).select('id').where('account_id', '=', account).where('region_id', '=', p.regionId);
    if (p.resourceId !== undefined && p.resourceId !== '') q = q.where('id', '=', p.resourceId);
    const ids = (await q.execute()).map((r) => r.id);
    if (ids.length === 0) continue;
    const rows = await db.selectFrom('tags').select(['key', 'value']).where('account_id', '=', account).where('resource_type', '=', type.tagType).where('resource_id', 'in', ids).execute();
    for (const r of rows) {
      if (p.tags.length > 0 && !p.tags.some((f) => f.key === r.key && (f.value === '' || f.value === r.value))) continue;
      const k = JSON.stringify([r.key, r.value]);
      let c = byKey.get(k);
      if (c === undefined) { c = { key: r.key, value: r.value, counts: { securitygroup: 0, instance: 0 } }; byKey.set(k, c); }
      c.counts[type.tagType] += 1;
    }
  }
  const all = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return pageOf(all, p.pageNumber, p.pageSize ?? 50, 100);
}
