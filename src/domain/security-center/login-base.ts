// Logon baselines (sas ModifyLoginBaseConfig, DescribeLoginBaseConfigs, DeleteLoginBaseConfig):
// the usual IPs, times, accounts and locations of logons to the instances they target. When an
// instance has items of a type, a successful logon matching none of them is unusual (an alert).
// The values (the `Config` JSON of the calls):
// - login_common_ip `{"ip":"203.0.113.7"}` or a CIDR block `{"ip":"203.0.113.0/24"}`;
// - login_common_time `{"startTime":"08:00","endTime":"20:00"}` (UTC; an end before the start wraps past midnight);
// - login_common_account `{"account":"root"}`;
// - login_common_location `{"location":"203.0.0.0/16"}`: Parapet has no geolocation database, so
//   an address's location is its prefix class: its /16 block (`a.b.0.0/16`), or `private` for the
//   private ranges; an item may name any CIDR block, or `private`.
// `Target` is `[{"target":"i-…","targetType":"uuid"}]`; none (or an empty list) targets every instance.
import type { CallContext } from '../context.ts';
import type { Db, Tx } from '../../store/store.ts';
import { apiError } from '../errors.ts';
import { cidrHasIp, ipToInt, isPrivate, parseCidr } from '../../engine/cidr.ts';

export const LOGIN_TYPES = ['login_common_ip', 'login_common_time', 'login_common_account', 'login_common_location'] as const;
export type LoginType = (typeof LOGIN_TYPES)[number];

export interface LoginBaseItem { type: LoginType; value: string; uuids: string[]; createdAt: number }

/** The location class of an address (see the header). */
export function locationOf(ip: string): string {
  const n = ipToInt(ip);
  if (n === null) return '';
  if (isPrivate(n)) return 'private';
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.0.0/16`;
}

const HHMM = /^([01]?[0-9]|2[0-3]):([0-5][0-9])$/;
const minutesOf = (hhmm: string): number => { const m = HHMM.exec(hhmm)!; return Number(m[1]) * 60 + Number(m[2]); };

/** The canonical value of a `Config` of a type; InvalidParameter when it doesn't fit. */
export function canonicalValue(type: LoginType, config: string): string {
  let parsed: unknown;
  try { parsed = JSON.parse(config); } catch { parsed = undefined; }
  const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const bad = (why: string) => apiError('InvalidParameter', { name: 'Config', value: config, why });
  switch (type) {
    case 'login_common_ip': {
      const ip = typeof o['ip'] === 'string' ? o['ip'].trim() : '';
      if (ipToInt(ip) !== null) return ip;
      if (parseCidr(ip) !== null) return ip;
      throw bad('Give {"ip":"<address or CIDR block>"}.');
    }
    case 'login_common_time': {
      const s = typeof o['startTime'] === 'string' ? o['startTime'] : '';
      const e = typeof o['endTime'] === 'string' ? o['endTime'] : '';
      if (!HHMM.test(s) || !HHMM.test(e)) throw bad('Give {"startTime":"HH:MM","endTime":"HH:MM"} (UTC).');
      const pad = (x: string) => x.padStart(5, '0');
      return `${pad(s)}-${pad(e)}`;
    }
    case 'login_common_account': {
      const a = typeof o['account'] === 'string' ? o['account'].trim() : '';
      if (a === '' || a.length > 64) throw bad('Give {"account":"<user name>"}.');
      return a;
    }
    case 'login_common_location': {
      const l = typeof o['location'] === 'string' ? o['location'].trim() : '';
      if (l === 'private' || parseCidr(l) !== null) return l;
      throw bad('Give {"location":"<CIDR block, e.g. 203.0.0.0/16>"} or {"location":"private"}.');
    }
  }
}

function targetsOf(target: string | undefined): string[] {
  if (target === undefined || target.trim() === '') return [];
  let parsed: unknown;
  try { parsed = JSON.parse(target); } catch { parsed = undefined; }
  if (!Array.isArray(parsed)) throw apiError('InvalidParameter', { name: 'Target', value: target, why: 'Give a JSON array of {"target":"<instance id>","targetType":"uuid"}.' });
  return parsed.map((x: unknown) => {
    const t = (x as { target?: unknown } | null)?.target;
    if (typeof t !== 'string' || t === '') throw apiError('InvalidParameter', { name: 'Target', value: target, why: 'Each item needs a `target` (an instance id).' });
    return t;
  });
}

function checkType(type: string): LoginType {
  if (!(LOGIN_TYPES as readonly string[]).includes(type)) throw apiError('InvalidParameter', { name: 'Type', value: type, why: `Use one of ${LOGIN_TYPES.join(', ')}.` });
  return type as LoginType;
}

/** Adds the item, or sets the instances it targets when it exists. */
export async function modifyLoginBase(ctx: CallContext, p: { type: string; config: string; target?: string | undefined }): Promise<void> {
  const type = checkType(p.type);
  const value = canonicalValue(type, p.config);
  const uuids = [...new Set(targetsOf(p.target))];
  const accountId = ctx.principal.accountId;
  await ctx.write(async (tx) => {
    if (uuids.length > 0) {
      const found = new Set((await tx.selectFrom('instances').select('id').where('account_id', '=', accountId).where('id', 'in', uuids).execute()).map((r) => r.id));
      const missing = uuids.find((u) => !found.has(u));
      if (missing !== undefined) throw apiError('InvalidInstanceId.NotFound', { id: missing });
    }
    const row = await tx.selectFrom('sas_login_base').select('value').where('account_id', '=', accountId).where('type', '=', type).where('value', '=', value).executeTakeFirst();
    if (row === undefined) await tx.insertInto('sas_login_base').values({ account_id: accountId, type, value, uuids: JSON.stringify(uuids), created_at: ctx.clock.now() }).execute();
    else await tx.updateTable('sas_login_base').set({ uuids: JSON.stringify(uuids) }).where('account_id', '=', accountId).where('type', '=', type).where('value', '=', value).execute();
  });
}

/** Deletes the item; an unknown one: InvalidParameter. */
export async function deleteLoginBase(ctx: CallContext, p: { type: string; config: string }): Promise<void> {
  const type = checkType(p.type);
  const value = canonicalValue(type, p.config);
  const accountId = ctx.principal.accountId;
  await ctx.write(async (tx) => {
    const r = await tx.deleteFrom('sas_login_base').where('account_id', '=', accountId).where('type', '=', type).where('value', '=', value).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw apiError('InvalidParameter', { name: 'Config', value: p.config, why: 'No logon baseline item of this type has this value.' });
  });
}

export async function listLoginBase(db: Db | Tx, accountId: string, type?: string): Promise<LoginBaseItem[]> {
  let q = db.selectFrom('sas_login_base').selectAll().where('account_id', '=', accountId);
  if (type !== undefined) q = q.where('type', '=', checkType(type));
  const rows = await q.orderBy('type').orderBy('created_at').orderBy('value').execute();
  // the cast: `type` and `uuids` hold only what modifyLoginBase wrote
  return rows.map((r) => ({ type: r.type as LoginType, value: r.value, uuids: JSON.parse(r.uuids) as string[], createdAt: r.created_at }));
}

/** Whether a logon (source, account, time in ms) matches one baseline item. */
export function matches(item: LoginBaseItem, logon: { ip: string; account: string; at: number }): boolean {
  switch (item.type) {
    case 'login_common_ip': {
      const n = ipToInt(logon.ip);
      if (n === null) return false;
      const c = parseCidr(item.value.includes('/') ? item.value : item.value + '/32');
      return c !== null && cidrHasIp(c, n);
    }
    case 'login_common_account': return item.value === logon.account;
    case 'login_common_location': {
      if (item.value === 'private') return locationOf(logon.ip) === 'private';
      const n = ipToInt(logon.ip);
      const c = parseCidr(item.value);
      return n !== null && c !== null && cidrHasIp(c, n);
    }
    case 'login_common_time': {
      const [s, e] = item.value.split('-') as [string, string];
      const d = new Date(logon.at);
      const m = d.getUTCHours() * 60 + d.getUTCMinutes();
      const from = minutesOf(s);
      const to = minutesOf(e);
      return from <= to ? m >= from && m <= to : m >= from || m <= to;
    }
  }
}

/** The types whose items (those targeting the instance) a logon matches none of. */
export function unusualTypes(items: readonly LoginBaseItem[], instanceId: string, logon: { ip: string; account: string; at: number }): LoginType[] {
  const mine = items.filter((i) => i.uuids.length === 0 || i.uuids.includes(instanceId));
  return LOGIN_TYPES.filter((t) => {
    const of = mine.filter((i) => i.type === t);
    return of.length > 0 && !of.some((i) => matches(i, logon));
  });
}
