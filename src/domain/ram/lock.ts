// RAM entities of one account (users, groups, memberships, AccessKeys, policies and versions,
// attachments, login profiles, roles) change one writer at a time: every RAM write holds the
// account's RAM lock, so quotas (2 AccessKeys, 5 groups per user, 5 versions…) and names hold
// against concurrent requests on any server, and a duplicate answers what a serial one would.
// RAM writes are rare next to reads; one lock per account costs nothing that matters.
import type { CallContext } from '../context.ts';
import type { Tx } from '../../store/store.ts';

export function ramWrite<T>(ctx: CallContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.write(async (tx) => {
    await ctx.store.lock(tx, `ram:${ctx.principal.accountId}`);
    return fn(tx);
  });
}
