// Prefix lists (ECS 2014-05-26: CreatePrefixList, DescribePrefixLists, DescribePrefixListAttributes,
// ModifyPrefixList, DeletePrefixList, DescribePrefixListAssociations): named sets of CIDR blocks of
// one address family, per account and region, that security-group rules authorize
// (`SourcePrefixListId` / `DestPrefixListId`). This module owns the lists, their entries and the
// lookups the rule gate (sg-rule-gate.ts) and the firewall loader (fw-groups.ts) make of them.
//
// Sources: the ECS API reference pages of the six operations. The reference documents the limits
// (MaxEntries 1..200, fixed at creation; the family fixed; CIDRs in standard form, unique in the
// list; an added CIDR can't also be removed in the same call) and two codes:
// 404 `InvalidPrefixListId.NotFound` and 400 `NotAllowed.AssociationExist` (delete while in use).
// For the malformed values it lists no code of its own; they answer `InvalidParameter` naming the
// parameter [inference].
// INVARIANT: a list's entries change only while the transaction holds `pl:{id}`; a rule that
// authorizes the list is written while holding the same key (sg-rule-gate.ts), so a delete never
// races a new reference.
import ipaddr from 'ipaddr.js';
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { isoSeconds } from '../clock.ts';
import { normalizeIpv4Cidr, normalizeIpv6Cidr } from './sg-rules.ts';
import type { PrefixListTable } from '../store/schema.ts';
import type { Db, Tx } from '../store/store.ts';

export type AddressFamily = 'IPv4' | 'IPv6';
export const MAX_ENTRIES_LIMIT = 200;
/** DescribePrefixLists / DescribePrefixListAssociations: MaxResults 1..100, default 10 (API reference) */
const MAX_RESULTS = 100;
const DEFAULT_RESULTS = 10;

export interface PrefixListEntry { cidr: string; description: string }

export interface PrefixList {
  prefixListId: string;
  name: string;
  description: string;
  addressFamily: AddressFamily;
  maxEntries: number;
  creationTime: string;
  /** how many security groups have a rule that authorizes it */
  associationCount: number;
}

/** The lock key of a list's entries and of the rules that authorize it. */
export const prefixListLock = (id: string): string => `pl:${id}`;

const given = (v: string | undefined): v is string => v !== undefined && v !== '';

function invalid(name: string, value: string, why: string): never {
  throw apiError('InvalidParameter', { name, value: value.length > 64 ? value.slice(0, 64) + '…' : value, why });
}

// ---------------------------------------------------------------------------------------------
// Values

const NAME = /^[\p{L}][\p{L}0-9:_.-]{1,127}$/u;
const RESERVED_PREFIXES = ['http://', 'https://', 'com.aliyun', 'com.alibabacloud'];

/** PrefixListName: 2..128 characters, a letter first, letters, digits, `:`, `_`, `.`, `-`; not `http://`, `https://`, `com.aliyun`, `com.alibabacloud` first. */
export function checkName(name: string): void {
  if (!NAME.test(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p))) {
    invalid('PrefixListName', name, 'It must be 2 to 128 letters, digits, `:`, `_`, `.` or `-`, start with a letter, and not start with `http://`, `https://`, `com.aliyun` or `com.alibabacloud`.');
  }
}

/** A description of `min..max` characters, not starting with `http://` or `https://`. */
function checkDescription(name: string, text: string, max: number): void {
  if (text.length < 2 || text.length > max || /^https?:\/\//.test(text)) {
    invalid(name, text, `It must be 2 to ${max} characters and not start with \`http://\` or \`https://\`.`);
  }
}

export function parseFamily(raw: string | undefined): AddressFamily {
  if (!given(raw)) throw apiError('MissingParameter', { name: 'AddressFamily' });
  if (raw === 'IPv4' || raw === 'IPv6') return raw;
  return invalid('AddressFamily', raw, 'It must be `IPv4` or `IPv6`.');
}

export function parseMaxEntries(raw: number | undefined): number {
  if (raw === undefined) throw apiError('MissingParameter', { name: 'MaxEntries' });
  if (!Number.isInteger(raw) || raw < 1 || raw > MAX_ENTRIES_LIMIT) invalid('MaxEntries', String(raw), `It must be between 1 and ${MAX_ENTRIES_LIMIT}.`);
  return raw;
}

/**
 * An entry's CIDR block in its standard form for `family`: a bare address is a /32 (/128), an IPv6
 * block is compressed, and a block with host bits set (`10.0.0.1/8`) is refused, as the reference
 * says. Throws `InvalidParameter` naming `name`.
 */
export function normalizeEntryCidr(family: AddressFamily, raw: string, name: string): string {
  const v6 = raw.includes(':');
  if (v6 !== (family === 'IPv6')) invalid(name, raw, `The prefix list holds ${family} blocks only.`);
  const slash = raw.indexOf('/');
  const addr = slash < 0 ? raw : raw.slice(0, slash);
  if (family === 'IPv4') {
    const c = normalizeIpv4Cidr(raw);
    if (c === null) invalid(name, raw, 'It is not an IPv4 address or CIDR block.');
    if (slash >= 0 && c !== raw) invalid(name, raw, `It is not a CIDR block in standard form (\`${c}\`).`);
    return c;
  }
  const c = normalizeIpv6Cidr(raw);
  if (c === null) invalid(name, raw, 'It is not an IPv6 address or CIDR block.');
  const network = c.slice(0, c.indexOf('/'));
  if (ipaddr.IPv6.parse(addr).toNormalizedString() !== ipaddr.IPv6.parse(network).toNormalizedString()) {
    invalid(name, raw, `It is not a CIDR block in standard form (\`${c}\`).`);
  }
  return c;
}

/** `Entry.N` / `AddEntry.N` → normalized entries; a CIDR given twice is refused. */
function parseEntries(family: AddressFamily, entries: ReadonlyArray<{ Cidr?: string | undefined; Description?: string | undefined }>, param: string): PrefixListEntry[] {
  const out: PrefixListEntry[] = [];
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const name = `${param}.${i + 1}.Cidr`;
    if (!given(e.Cidr)) throw apiError('MissingParameter', { name });
    const cidr = normalizeEntryCidr(family, e.Cidr, name);
    if (seen.has(cidr)) invalid(name, e.Cidr, `The CIDR block \`${cidr}\` is given more than once.`);
    seen.add(cidr);
    const description = e.Description ?? '';
    if (description !== '') checkDescription(`${param}.${i + 1}.Description`, description, 32);
    out.push({ cidr, description });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reads

/** A list of the caller's account in `regionId`, or `InvalidPrefixListId.NotFound`. */
export async function prefixListRow(db: Db | Tx, accountId: string, regionId: string, id: string): Promise<PrefixListTable> {
  const row = await db.selectFrom('prefix_lists').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined || row.account_id !== accountId || row.region_id !== regionId) throw apiError('InvalidPrefixListId.NotFound', { id });
  return row;
}

export async function entriesOf(db: Db | Tx, ids: readonly string[]): Promise<Map<string, PrefixListEntry[]>> {
  const out = new Map<string, PrefixListEntry[]>();
  if (ids.length === 0) return out;
  const rows = await db.selectFrom('prefix_list_entries').select(['prefix_list_id', 'cidr', 'description']).where('prefix_list_id', 'in', [...new Set(ids)]).orderBy('prefix_list_id').orderBy('seq').execute();
  for (const r of rows) {
    let list = out.get(r.prefix_list_id);
    if (list === undefined) out.set(r.prefix_list_id, list = []);
    list.push({ cidr: r.cidr, description: r.description });
  }
  return out;
}

/** The MaxEntries of each list named, for quotas: a rule authorizing a list counts as that many rules. */
export async function maxEntriesOf(db: Db | Tx, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('prefix_lists').select(['id', 'max_entries']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, Number(r.max_entries)]));
}

/** Names of the lists named, for `SourcePrefixListName` / `DestPrefixListName`. */
export async function prefixListNames(db: Db | Tx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('prefix_lists').select(['id', 'name']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function associatedGroups(db: Db | Tx, id: string): Promise<string[]> {
  const rows = await db.selectFrom('sg_rules').select('security_group_id').distinct().where('peer_prefix_list_id', '=', id).orderBy('security_group_id').execute();
  return rows.map((r) => r.security_group_id);
}

function toList(row: PrefixListTable, associationCount: number): PrefixList {
  return {
    prefixListId: row.id, name: row.name, description: row.description, addressFamily: row.address_family as AddressFamily,
    maxEntries: Number(row.max_entries), creationTime: row.created_at, associationCount,
  };
}

function checkMaxResults(raw: number | undefined): number {
  const n = raw ?? DEFAULT_RESULTS;
  if (!Number.isInteger(n) || n < 1 || n > MAX_RESULTS) invalid('MaxResults', String(raw), `It must be between 1 and ${MAX_RESULTS}.`);
  return n;
}

/** `NextToken` as this module writes it (`o{offset}`), 0 when absent. */
function offsetOf(token: string | undefined): number {
  if (!given(token)) return 0;
  const n = token.startsWith('o') ? Number(token.slice(1)) : NaN;
  if (!Number.isInteger(n) || n < 0) throw apiError('InvalidNextToken.Malformed', { token });
  return n;
}

function pageOfTokens<T>(items: readonly T[], nextToken: string | undefined, maxResults: number | undefined): { items: T[]; nextToken: string } {
  const size = checkMaxResults(maxResults);
  const start = offsetOf(nextToken);
  const end = start + size;
  return { items: items.slice(start, end), nextToken: end < items.length ? `o${end}` : '' };
}

// ---------------------------------------------------------------------------------------------
// Operations

export async function createPrefixList(ctx: CallContext, p: {
  regionId: string; name: string | undefined; addressFamily: string | undefined; maxEntries: number | undefined; description: string | undefined;
  entries: ReadonlyArray<{ Cidr?: string | undefined; Description?: string | undefined }>;
}): Promise<string> {
  requireRegion(p.regionId);
  const name = p.name;
  if (!given(name)) throw apiError('MissingParameter', { name: 'PrefixListName' });
  checkName(name);
  const family = parseFamily(p.addressFamily);
  const maxEntries = parseMaxEntries(p.maxEntries);
  const description = p.description ?? '';
  if (description !== '') checkDescription('Description', description, 256);
  const entries = parseEntries(family, p.entries, 'Entry');
  if (entries.length > maxEntries) invalid('Entry', `(${entries.length} entries)`, `The prefix list takes at most \`MaxEntries\` ${maxEntries} entries.`);
  return ctx.write(async (tx) => {
    const id = ctx.ids.resource('pl');
    await tx.insertInto('prefix_lists').values({
      id, account_id: ctx.principal.accountId, region_id: p.regionId, name, description, address_family: family,
      max_entries: maxEntries, created_at: isoSeconds(ctx.clock.now()),
    }).execute();
    let seq = 0;
    for (const e of entries) await tx.insertInto('prefix_list_entries').values({ prefix_list_id: id, cidr: e.cidr, description: e.description, seq: ++seq }).execute();
    return id;
  });
}

export async function describePrefixLists(ctx: CallContext, p: {
  regionId: string; ids: readonly string[]; addressFamily: string | undefined; name: string | undefined; nextToken: string | undefined; maxResults: number | undefined;
}): Promise<{ items: PrefixList[]; nextToken: string }> {
  requireRegion(p.regionId);
  const db = ctx.store.db;
  let q = db.selectFrom('prefix_lists').selectAll().where('account_id', '=', ctx.principal.accountId).where('region_id', '=', p.regionId);
  if (p.ids.length > 0) q = q.where('id', 'in', [...p.ids]);
  if (given(p.addressFamily)) q = q.where('address_family', '=', parseFamily(p.addressFamily));
  if (given(p.name)) q = q.where('name', '=', p.name);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  const page = pageOfTokens(rows, p.nextToken, p.maxResults);
  const counts = page.items.length === 0 ? [] : await db.selectFrom('sg_rules')
    .select((eb) => ['peer_prefix_list_id as id', eb.fn.count<number>('security_group_id').distinct().as('n')] as const)
    .where('peer_prefix_list_id', 'in', page.items.map((r) => r.id)).groupBy('peer_prefix_list_id').execute();
  const countOf = new Map(counts.map((c) => [c.id, Number(c.n)]));
  return { items: page.items.map((r) => toList(r, countOf.get(r.id) ?? 0)), nextToken: page.nextToken };
}

export async function describePrefixListAttributes(ctx: CallContext, p: { regionId: string; prefixListId: string }): Promise<PrefixList & { entries: PrefixListEntry[] }> {
  requireRegion(p.regionId);
  const db = ctx.store.db;
  const row = await prefixListRow(db, ctx.principal.accountId, p.regionId, p.prefixListId);
  const entries = (await entriesOf(db, [row.id])).get(row.id) ?? [];
  return { ...toList(row, (await associatedGroups(db, row.id)).length), entries };
}

/**
 * Renames, redescribes, adds (or re-describes) and removes entries, all or none. An added CIDR
 * already in the list takes the new description; a removed CIDR must be in the list; the entries
 * never exceed MaxEntries. The rules that authorize the list change with it: the store revision
 * moves, and every reader of the firewall model (fw-groups.ts) sees the new entries.
 */
export async function modifyPrefixList(ctx: CallContext, p: {
  regionId: string; prefixListId: string; name: string | undefined; description: string | undefined;
  add: ReadonlyArray<{ Cidr?: string | undefined; Description?: string | undefined }>; remove: ReadonlyArray<{ Cidr?: string | undefined }>;
}): Promise<void> {
  requireRegion(p.regionId);
  if (given(p.name)) checkName(p.name);
  if (given(p.description)) checkDescription('Description', p.description, 256);
  await ctx.write(async (tx) => {
    await ctx.store.lock(tx, prefixListLock(p.prefixListId));
    const row = await prefixListRow(tx, ctx.principal.accountId, p.regionId, p.prefixListId);
    const family = row.address_family as AddressFamily;
    const add = parseEntries(family, p.add, 'AddEntry');
    const remove: string[] = [];
    p.remove.forEach((e, i) => {
      const name = `RemoveEntry.${i + 1}.Cidr`;
      if (!given(e.Cidr)) throw apiError('MissingParameter', { name });
      const cidr = normalizeEntryCidr(family, e.Cidr, name);
      if (remove.includes(cidr)) invalid(name, e.Cidr, `The CIDR block \`${cidr}\` is given more than once.`);
      if (add.some((a) => a.cidr === cidr)) invalid(name, e.Cidr, `The CIDR block \`${cidr}\` is also given in \`AddEntry\`.`);
      remove.push(cidr);
    });
    const current = (await entriesOf(tx, [row.id])).get(row.id) ?? [];
    const have = new Set(current.map((e) => e.cidr));
    remove.forEach((cidr, i) => {
      if (!have.has(cidr)) invalid(`RemoveEntry.${i + 1}.Cidr`, cidr, `The prefix list \`${row.id}\` has no entry \`${cidr}\`.`);
    });
    const fresh = add.filter((a) => !have.has(a.cidr));
    const count = current.length - remove.length + fresh.length;
    if (count > Number(row.max_entries)) {
      invalid('AddEntry', `(${fresh.length} new entries)`, `The prefix list \`${row.id}\` would hold ${count} entries; its \`MaxEntries\` is ${row.max_entries}.`);
    }
    const changes: Partial<Pick<PrefixListTable, 'name' | 'description'>> = {};
    if (given(p.name)) changes.name = p.name;
    if (given(p.description)) changes.description = p.description;
    if (Object.keys(changes).length > 0) await tx.updateTable('prefix_lists').set(changes).where('id', '=', row.id).execute();
    if (remove.length > 0) await tx.deleteFrom('prefix_list_entries').where('prefix_list_id', '=', row.id).where('cidr', 'in', remove).execute();
    const last = await tx.selectFrom('prefix_list_entries').select((eb) => eb.fn.max<number>('seq').as('m')).where('prefix_list_id', '=', row.id).executeTakeFirst();
    let seq = Number(last?.m ?? 0);
    for (const a of add) {
      if (have.has(a.cidr)) await tx.updateTable('prefix_list_entries').set({ description: a.description }).where('prefix_list_id', '=', row.id).where('cidr', '=', a.cidr).execute();
      else await tx.insertInto('prefix_list_entries').values({ prefix_list_id: row.id, cidr: a.cidr, description: a.description, seq: ++seq }).execute();
    }
  });
}

/** Deletes a list and its entries; refused (`NotAllowed.AssociationExist`) while a rule authorizes it. */
export async function deletePrefixList(ctx: CallContext, p: { regionId: string; prefixListId: string }): Promise<void> {
  requireRegion(p.regionId);
  await ctx.write(async (tx) => {
    await ctx.store.lock(tx, prefixListLock(p.prefixListId));
    const row = await prefixListRow(tx, ctx.principal.accountId, p.regionId, p.prefixListId);
    const groups = await associatedGroups(tx, row.id);
    if (groups.length > 0) throw apiError('NotAllowed.AssociationExist', { id: row.id, groups: groups.slice(0, 5).join('`, `') });
    await tx.deleteFrom('prefix_list_entries').where('prefix_list_id', '=', row.id).execute();
    await tx.deleteFrom('prefix_lists').where('id', '=', row.id).execute();
  });
}

/** The security groups whose rules authorize the list (`ResourceType` `securitygroup`). */
export async function describePrefixListAssociations(ctx: CallContext, p: { regionId: string; prefixListId: string; nextToken: string | undefined; maxResults: number | undefined }): Promise<{ items: Array<{ resourceId: string; resourceType: string }>; nextToken: string }> {
  requireRegion(p.regionId);
  const db = ctx.store.db;
  const row = await prefixListRow(db, ctx.principal.accountId, p.regionId, p.prefixListId);
  const page = pageOfTokens(await associatedGroups(db, row.id), p.nextToken, p.maxResults);
  return { items: page.items.map((id) => ({ resourceId: id, resourceType: 'securitygroup' })), nextToken: page.nextToken };
}
