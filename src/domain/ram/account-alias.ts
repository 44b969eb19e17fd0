// The account alias (SetAccountAlias, GetAccountAlias, ClearAccountAlias): a name for the account
// that its RAM users sign in with (`alice@<alias>.onaliyun.com`, ./signin.ts) instead of the
// account id. At most one per account, and unique across the accounts of this server (the
// store's unique index holds that against concurrent setters on any server).
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { ramWrite } from './lock.ts';
import type { Db, Tx } from '../../store/store.ts';

/** 3 to 32 lowercase letters, digits and `-`; no `-` first, last or twice in a row (the RAM reference). */
const ALIAS = /^(?!-)(?!.*--)[a-z0-9-]{3,32}(?<!-)$/;

export function checkAlias(alias: string): void {
  if (!ALIAS.test(alias)) throw apiError('InvalidParameter.AccountAlias', { value: alias });
}

export async function setAccountAlias(ctx: CallContext, alias: string): Promise<void> {
  checkAlias(alias);
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    // every account's alias writer holds this lock, so the check below and the write are one step
    await ctx.store.lock(tx, 'ram:account-aliases');
    const owner = await tx.selectFrom('ram_account_aliases').select('account_id').where('alias', '=', alias).executeTakeFirst();
    if (owner !== undefined && owner.account_id !== account) throw apiError('EntityAlreadyExists.AccountAlias', { alias });
    await tx.deleteFrom('ram_account_aliases').where('account_id', '=', account).execute();
    await tx.insertInto('ram_account_aliases').values({ account_id: account, alias }).execute();
  });
}

/** The account's alias, '' when it has none (Parapet's choice: the reference does not say). */
export async function getAccountAlias(ctx: CallContext): Promise<string> {
  const row = await ctx.store.db.selectFrom('ram_account_aliases').select('alias').where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
  return row?.alias ?? '';
}

/** Removes the alias; an account without one is left as it is. */
export async function clearAccountAlias(ctx: CallContext): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    await tx.deleteFrom('ram_account_aliases').where('account_id', '=', account).execute();
  });
}

/** The account an alias names, if any. */
export async function accountOfAlias(db: Db | Tx, alias: string): Promise<string | undefined> {
  return (await db.selectFrom('ram_account_aliases').select('account_id').where('alias', '=', alias).executeTakeFirst())?.account_id;
}
