// Tags on resources: validation (20 per resource, key 1..128 chars not starting with `aliyun` or
// `acs:`, value 0..128), storage, and the AND-filter the Describe operations share.
import type { Tx, Db } from '../store/store.ts';
import { apiError } from './errors.ts';

export interface Tag { key: string; value: string }

export const MAX_TAGS = 20;

export function validateTags(tags: readonly Tag[] | undefined, param = 'Tag'): Tag[] {
  if (tags === undefined) return [];
  if (tags.length > MAX_TAGS) throw apiError('InvalidTagCount', { max: MAX_TAGS, param });
  const seen = new Set<string>();
  tags.forEach((t, i) => {
    const n = i + 1;
    if (t.key.length < 1 || t.key.length > 128) throw apiError('InvalidTagKey.Malformed', { name: `${param}.${n}.Key`, key: t.key });
    if (/^(aliyun|acs:)/i.test(t.key) || /^https?:\/\//.test(t.key)) throw apiError('InvalidTagKey.Malformed', 'reserved', { name: `${param}.${n}.Key`, key: t.key });
    if (t.value.length > 128) throw apiError('InvalidTagValue.Malformed', { name: `${param}.${n}.Value` });
    if (seen.has(t.key)) throw apiError('InvalidTagKey.Duplicate', { key: t.key });
    seen.add(t.key);
  });
  return [...tags];
}

export async function writeTags(tx: Tx, accountId: string, resourceType: string, resourceId: string, tags: readonly Tag[]): Promise<void> {
  for (const t of tags) {
    await tx.insertInto('tags').values({ account_id: accountId, resource_type: resourceType, resource_id: resourceId, key: t.key, value: t.value })
      .onConflict((oc) => oc.columns(['resource_type', 'resource_id', 'key']).doUpdateSet({ value: t.value }))
      .execute();
  }
}

export async function deleteTags(tx: Tx, resourceType: string, resourceId: string): Promise<void> {
  await tx.deleteFrom('tags').where('resource_type', '=', resourceType).where('resource_id', '=', resourceId).execute();
}

export async function readTags(db: Db | Tx, resourceType: string, ids: readonly string[]): Promise<Map<string, Tag[]>> {
  const out = new Map<string, Tag[]>();
  if (ids.length === 0) return out;
  const rows = await db.selectFrom('tags').select(['resource_id', 'key', 'value'])
    .where('resource_type', '=', resourceType).where('resource_id', 'in', ids).orderBy('key').execute();
  for (const r of rows) {
    let list = out.get(r.resource_id);
    if (list === undefined) { list = []; out.set(r.resource_id, list); }
    list.push({ key: r.key, value: r.value });
  }
  return out;
}

/** True when the resource carries every filter tag (a filter with an empty value matches any value). */
export function matchesTags(have: readonly Tag[] | undefined, filter: readonly Tag[]): boolean {
  for (const f of filter) {
    const t = have?.find((h) => h.key === f.key);
    if (t === undefined) return false;
    if (f.value !== '' && t.value !== f.value) return false;
  }
  return true;
}
