// ClientToken idempotency: the first successful result of a (account, action, token) is stored in
// the same transaction as the write it describes; a repeat with the same parameters gets that
// result again, a repeat with other parameters `IdempotentParameterMismatch`. The pipeline builds a
// call's `write` (domain/context.ts) from `idempotentWrite` when the request carries a ClientToken.
import { createHash } from 'node:crypto';
import type { Store, Tx } from '../store/store.ts';
import { apiError } from './errors.ts';
import { isoSeconds } from '../clock.ts';

/**
 * Parameters the fingerprint leaves out: the token itself, and secrets. The fingerprint is a fast,
 * unsalted hash kept in `client_tokens`; with an instance's `Password` in it, a copy of the store
 * would let anyone test guesses of the password at SHA-256 speed. A retry that changes only the
 * password is therefore answered as the first call was.
 */
const UNFINGERPRINTED = new Set(['ClientToken', 'Password']);

export function paramsFingerprint(params: ReadonlyArray<readonly [string, string]>): string {
  const sorted = params.filter(([k]) => !UNFINGERPRINTED.has(k)).map(([k, v]) => k + '=' + v).sort();
  return createHash('sha256').update(sorted.join('\n')).digest('hex');
}

export function idempotentWrite(store: Store, key: { accountId: string; action: string; token: string; fingerprint: string; nowMs: number }) {
  return async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    const attempt = () => store.write(async (tx) => {
      const prior = await tx.selectFrom('client_tokens').select(['params_hash', 'response'])
        .where('account_id', '=', key.accountId).where('action', '=', key.action).where('token', '=', key.token).executeTakeFirst();
      if (prior !== undefined) {
        if (prior.params_hash !== key.fingerprint) throw apiError('IdempotentParameterMismatch', { token: key.token });
        return JSON.parse(prior.response) as T;
      }
      const result = await fn(tx);
      await tx.insertInto('client_tokens').values({
        account_id: key.accountId, action: key.action, token: key.token, params_hash: key.fingerprint,
        response: JSON.stringify(result ?? null), created_at: isoSeconds(key.nowMs),
      }).execute();
      return result;
    });
    try {
      return await attempt();
    } catch (e) {
      // two requests with one token raced: the loser's insert failed; it now finds the winner's result
      if (isUniqueViolation(e)) return attempt();
      throw e;
    }
  };
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err.code === '23505' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
