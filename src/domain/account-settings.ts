// An account's own quotas and settings, kept in `account_settings`:
// - overrides of the configured quotas (limits.ts, the PARAPET_LIMIT_* variables stay the
//   defaults), named by their DescribeAccountAttributes attribute names, set by an operator
//   (`parapet admin set-quota`);
// - `Port25Unblocked`: the platform's block of outbound TCP 25 (SPEC §1.3 step 1) lifted for the
//   account, as the real service does on request (`parapet admin unblock-port25`);
// - `DefaultGroupOpenHttp`: the default group (SPEC §1.4) also opens TCP 80 and 443
//   (ModifyAccountSettings).
// Every change is a store write, so it bumps the revision: the data plane and every server see it
// without a restart. Quotas are read inside the transaction that checks them, never from a cache,
// so a change made by another process (the admin CLI beside a running server) counts at once.
import type { CallContext, Services } from './context.ts';
import { apiError } from './errors.ts';
import type { Limits } from './limits.ts';
import { isoSeconds } from '../clock.ts';
import type { Db, Tx } from '../store/store.ts';

export interface Quota {
  /** the DescribeAccountAttributes attribute name */
  name: string;
  key: keyof Limits;
  /** whether Alibaba's API reference names this attribute (the others are Parapet's own names) */
  documented: boolean;
}

/** Every quota an account has, in the order DescribeAccountAttributes lists them. */
export const QUOTAS: readonly Quota[] = [
  { name: 'max-security-groups', key: 'securityGroupsPerRegion', documented: true },
  { name: 'max-security-group-rules', key: 'rulesPerGroup', documented: false },
  { name: 'max-security-groups-per-eni', key: 'groupsPerEni', documented: false },
  { name: 'max-security-group-rules-per-eni', key: 'rulesPerEni', documented: false },
  { name: 'max-private-ips-per-basic-security-group', key: 'privateIpsPerBasicGroup', documented: false },
  { name: 'max-private-ips-per-advanced-security-group', key: 'privateIpsPerAdvancedGroup', documented: false },
  { name: 'max-key-pairs', key: 'keyPairsPerRegion', documented: false },
  { name: 'max-vpcs', key: 'vpcsPerRegion', documented: false },
  { name: 'max-vswitches-per-vpc', key: 'vswitchesPerVpc', documented: false },
];

/** The largest value an operator may give a quota. */
export const MAX_QUOTA = 1_000_000;

export const PORT25_UNBLOCKED = 'Port25Unblocked';
export const DEFAULT_GROUP_OPEN_HTTP = 'DefaultGroupOpenHttp';

async function settingsOf(db: Db | Tx, accountId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('account_settings').select(['name', 'value']).where('account_id', '=', accountId).execute();
  return new Map(rows.map((r) => [r.name, r.value]));
}

/** The configured limits with the account's overrides applied. */
export function applyOverrides(defaults: Limits, settings: ReadonlyMap<string, string>): Limits {
  const out: Limits = { ...defaults };
  for (const q of QUOTAS) {
    const v = settings.get(q.name);
    if (v !== undefined) out[q.key] = Number(v);
  }
  return out;
}

/**
 * The caller's account's limits, read in `db` (inside a write: the transaction that checks them).
 * INVARIANT: every quota check reads the limits here, so an override is honoured on every path.
 */
export async function accountLimits(ctx: CallContext, db: Db | Tx): Promise<Limits> {
  return applyOverrides(ctx.limits, await settingsOf(db, ctx.principal.accountId));
}

/** Whether the platform still blocks the account's outbound TCP 25 to the internet (the default). */
export async function port25Blocked(db: Db | Tx, accountId: string): Promise<boolean> {
  const row = await db.selectFrom('account_settings').select('value').where('account_id', '=', accountId).where('name', '=', PORT25_UNBLOCKED).executeTakeFirst();
  return row?.value !== 'true';
}

/** The accounts whose port 25 is unblocked (for the data plane's desired state). */
export async function port25UnblockedAccounts(db: Db | Tx): Promise<Set<string>> {
  const rows = await db.selectFrom('account_settings').select('account_id').where('name', '=', PORT25_UNBLOCKED).where('value', '=', 'true').execute();
  return new Set(rows.map((r) => r.account_id));
}

export async function defaultGroupOpenHttp(db: Db | Tx, accountId: string): Promise<boolean> {
  const row = await db.selectFrom('account_settings').select('value').where('account_id', '=', accountId).where('name', '=', DEFAULT_GROUP_OPEN_HTTP).executeTakeFirst();
  return row?.value === 'true';
}

async function put(tx: Tx, accountId: string, name: string, value: string | undefined, now: string): Promise<void> {
  await tx.deleteFrom('account_settings').where('account_id', '=', accountId).where('name', '=', name).execute();
  if (value !== undefined) await tx.insertInto('account_settings').values({ account_id: accountId, name, value, updated_at: now }).execute();
}

async function requireAccount(tx: Tx, accountId: string): Promise<void> {
  if (!/^[0-9]{16}$/.test(accountId)) throw apiError('InvalidAccountId.Malformed', { accountId });
  const row = await tx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
  if (row === undefined) throw apiError('InvalidAccountId.NotFound', { accountId });
}

/**
 * An operator sets one quota of an account (`value` a whole number 0..MAX_QUOTA), or puts it back
 * to the configured default (`value` `default`). Answers the override now in force (none after a
 * reset: the default is each server's configuration).
 */
export async function setQuota(svc: Services, accountId: string, name: string, value: string): Promise<{ name: string; value: number | undefined; overridden: boolean }> {
  const quota = QUOTAS.find((q) => q.name === name);
  if (quota === undefined) {
    throw apiError('InvalidParameter', { name: 'name', value: name, why: `Quotas: ${QUOTAS.map((q) => q.name).join(', ')}.` });
  }
  const reset = value === 'default';
  if (!reset && (!/^[0-9]{1,7}$/.test(value) || Number(value) > MAX_QUOTA)) {
    throw apiError('InvalidParameter', { name: 'value', value, why: `A quota is a whole number from 0 to ${MAX_QUOTA}, or \`default\`.` });
  }
  return svc.store.write(async (tx) => {
    await requireAccount(tx, accountId);
    await put(tx, accountId, name, reset ? undefined : String(Number(value)), isoSeconds(svc.clock.now()));
    return { name, value: reset ? undefined : Number(value), overridden: !reset };
  });
}

/** An operator lifts (or puts back) the platform's port-25 block for one account. */
export async function setPort25Unblocked(svc: Services, accountId: string, unblocked: boolean): Promise<void> {
  await svc.store.write(async (tx) => {
    await requireAccount(tx, accountId);
    await put(tx, accountId, PORT25_UNBLOCKED, unblocked ? 'true' : undefined, isoSeconds(svc.clock.now()));
  });
}

export interface AccountSettings {
  defaultGroupOpenHttp: boolean;
  port25Unblocked: boolean;
}

/** DescribeAccountSettings: the caller's account's settings. */
export async function describeAccountSettings(ctx: CallContext): Promise<AccountSettings> {
  const s = await settingsOf(ctx.store.db, ctx.principal.accountId);
  return { defaultGroupOpenHttp: s.get(DEFAULT_GROUP_OPEN_HTTP) === 'true', port25Unblocked: s.get(PORT25_UNBLOCKED) === 'true' };
}

/** ModifyAccountSettings: changes the settings given (port 25 is the platform's to lift, not the account's). */
export async function modifyAccountSettings(ctx: CallContext, p: { defaultGroupOpenHttp?: boolean | undefined }): Promise<AccountSettings> {
  const accountId = ctx.principal.accountId;
  await ctx.write(async (tx) => {
    if (p.defaultGroupOpenHttp !== undefined) {
      await put(tx, accountId, DEFAULT_GROUP_OPEN_HTTP, p.defaultGroupOpenHttp ? 'true' : undefined, isoSeconds(ctx.clock.now()));
    }
  });
  return describeAccountSettings(ctx);
}
