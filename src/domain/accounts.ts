// Accounts and their root AccessKeys. An account id is 16 digits; the root key acts for the
// whole account. Secrets are stored (HMAC needs them) but never logged.
import type { Services } from './context.ts';
import { apiError } from './errors.ts';
import { isoSeconds } from '../clock.ts';

export interface CreatedAccount {
  accountId: string;
  accessKeyId: string;
  accessKeySecret: string;
  created: boolean;
}

export interface AccessKeyRecord {
  id: string;
  secret: string;
  accountId: string;
  userName: string | null;
  status: string;
}

const ACCOUNT_ID = /^[1-8][0-9]{15}$/; // below 2^53, exact as a JSON number
const ACCESS_KEY_ID = /^[A-Za-z0-9.]{8,128}$/;
const ACCESS_KEY_SECRET = /^[\x21-\x7e]{8,128}$/;

/**
 * Creates an account with a root AccessKey. Given ids are kept (presets from the environment);
 * when the account already exists with that key, nothing changes and `created` is false.
 */
export async function ensureAccount(svc: Services, preset: { accountId?: string | undefined; accessKeyId?: string | undefined; accessKeySecret?: string | undefined } = {}): Promise<CreatedAccount> {
  const accountId = preset.accountId ?? svc.ids.accountId();
  const accessKeyId = preset.accessKeyId ?? svc.ids.accessKeyId();
  const accessKeySecret = preset.accessKeySecret ?? svc.ids.accessKeySecret();
  if (!ACCOUNT_ID.test(accountId)) throw apiError('InvalidAccountId.Malformed', { accountId });
  if (!ACCESS_KEY_ID.test(accessKeyId)) throw apiError('InvalidAccessKeyId.Malformed');
  if (!ACCESS_KEY_SECRET.test(accessKeySecret)) throw apiError('InvalidAccessKeySecret.Malformed');
  return svc.store.write(async (tx) => {
    const now = isoSeconds(svc.clock.now());
    const account = await tx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
    const key = await tx.selectFrom('access_keys').selectAll().where('id', '=', accessKeyId).executeTakeFirst();
    if (key !== undefined) {
      if (key.account_id !== accountId || key.user_name !== null) {
        throw apiError('InvalidAccessKeyId.Conflict', { accessKeyId });
      }
      if (key.secret !== accessKeySecret) {
        await tx.updateTable('access_keys').set({ secret: accessKeySecret }).where('id', '=', accessKeyId).execute();
      }
      return { accountId, accessKeyId, accessKeySecret, created: false };
    }
    if (account === undefined) await tx.insertInto('accounts').values({ id: accountId, created_at: now }).execute();
    await tx.insertInto('access_keys').values({
      id: accessKeyId, secret: accessKeySecret, account_id: accountId, user_name: null, status: 'Active', created_at: now,
    }).execute();
    return { accountId, accessKeyId, accessKeySecret, created: account === undefined };
  });
}

export async function countAccounts(svc: Pick<Services, 'store'>): Promise<number> {
  const row = await svc.store.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findAccessKey(svc: Pick<Services, 'store'>, id: string): Promise<AccessKeyRecord | undefined> {
  const row = await svc.store.db.selectFrom('access_keys').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) return undefined;
  return { id: row.id, secret: row.secret, accountId: row.account_id, userName: row.user_name, status: row.status };
}
