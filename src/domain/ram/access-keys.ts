// RAM users' AccessKeys (SPEC §3): at most 2 per user, the secret shown once (at creation),
// Active or Inactive. The keys of the account's root and STS's temporary keys are not these.
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { isoSeconds } from '../../clock.ts';
import { ramWrite } from './lock.ts';
import { userRow } from './users.ts';
import { RAM_LIMITS } from './quotas.ts';
import type { Tx } from '../../store/store.ts';

/** An AccessKey of a RAM user as lists show it: never its secret. */
export interface AccessKey { accessKeyId: string; status: string; createDate: string }

/** A new AccessKey: the one time its secret is shown. */
export interface NewAccessKey extends AccessKey { accessKeySecret: string }

export async function createAccessKey(ctx: CallContext, userName: string): Promise<NewAccessKey> {
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    await userRow(tx, account, userName);
    const n = await tx.selectFrom('access_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirstOrThrow();
    if (Number(n.n) >= RAM_LIMITS.accessKeysPerUser) throw apiError('LimitExceeded.User.AccessKey', { name: userName, limit: RAM_LIMITS.accessKeysPerUser });
    const now = isoSeconds(ctx.clock.now());
    const id = ctx.ids.accessKeyId();
    const secret = ctx.ids.accessKeySecret();
    await tx.insertInto('access_keys').values({ id, secret, account_id: account, user_name: userName, status: 'Active', created_at: now }).execute();
    return { accessKeyId: id, accessKeySecret: secret, status: 'Active', createDate: now };
  });
}

export async function listAccessKeys(ctx: CallContext, userName: string): Promise<AccessKey[]> {
  await userRow(ctx.store.db, ctx.principal.accountId, userName);
  const rows = await ctx.store.db.selectFrom('access_keys').select(['id', 'status', 'created_at']).where('account_id', '=', ctx.principal.accountId).where('user_name', '=', userName).orderBy('created_at').execute();
  return rows.map((r) => ({ accessKeyId: r.id, status: r.status, createDate: r.created_at }));
}

async function userKey(tx: Tx, account: string, userName: string, keyId: string): Promise<void> {
  await userRow(tx, account, userName);
  const k = await tx.selectFrom('access_keys').select('id').where('id', '=', keyId).where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst();
  if (k === undefined) throw apiError('EntityNotExist.User.AccessKey', { keyId, name: userName });
}

export async function updateAccessKey(ctx: CallContext, p: { userName: string; accessKeyId: string; status: string }): Promise<void> {
  if (p.status !== 'Active' && p.status !== 'Inactive') throw apiError('InvalidParameter.Status', { value: p.status });
  await ramWrite(ctx, async (tx) => {
    await userKey(tx, ctx.principal.accountId, p.userName, p.accessKeyId);
    await tx.updateTable('access_keys').set({ status: p.status }).where('id', '=', p.accessKeyId).execute();
  });
}

export async function deleteAccessKey(ctx: CallContext, p: { userName: string; accessKeyId: string }): Promise<void> {
  await ramWrite(ctx, async (tx) => {
    await userKey(tx, ctx.principal.accountId, p.userName, p.accessKeyId);
    await tx.deleteFrom('access_keys').where('id', '=', p.accessKeyId).execute();
  });
}
