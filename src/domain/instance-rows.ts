// Finding an instance or an ENI inside a write: in the caller's account, locked first, so what
// the caller reads of it holds until its transaction ends (instances and ENIs both use these).
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import type { Tx } from '../store/store.ts';
import type { EniTable, InstanceTable } from '../store/schema.ts';

export const instanceNotFound = (id: string) => apiError('InvalidInstanceId.NotFound', { id });
export const eniNotFound = (id: string) => apiError('InvalidEniId.NotFound', { id });

/** The instance, locked first: what the caller reads of it holds until the transaction ends. */
export async function instanceRow(tx: Tx, ctx: CallContext, id: string, regionId?: string): Promise<InstanceTable> {
  await ctx.store.lock(tx, `instance:${id}`);
  const row = await tx.selectFrom('instances').selectAll().where('id', '=', id).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
  if (row === undefined || (regionId !== undefined && row.region_id !== regionId)) throw instanceNotFound(id);
  return row;
}

export async function primaryEni(tx: Tx, instanceId: string): Promise<EniTable> {
  return tx.selectFrom('enis').selectAll().where('instance_id', '=', instanceId).where('type', '=', 'Primary').executeTakeFirstOrThrow();
}

export async function eniFor(tx: Tx, ctx: CallContext, p: { instanceId?: string | undefined; networkInterfaceId?: string | undefined }): Promise<EniTable> {
  if (p.networkInterfaceId !== undefined && p.networkInterfaceId !== '') {
    const e = await tx.selectFrom('enis').selectAll().where('id', '=', p.networkInterfaceId).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
    if (e === undefined) throw eniNotFound(p.networkInterfaceId);
    return e;
  }
  if (p.instanceId === undefined || p.instanceId === '') throw apiError('MissingParameter', 'instanceOrEni');
  const row = await instanceRow(tx, ctx, p.instanceId);
  return primaryEni(tx, row.id);
}
