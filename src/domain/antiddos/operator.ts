// The operator's two levers (`parapet admin release-blackhole IP`, `parapet admin end-penalty ID`):
// each ends the black hole or penalty in the store (a normal write, so the revision moves and the
// agent, which follows the desired state, lifts it in the kernel at its next round). The real
// service has no early release; an operator of Parapet may need one (a test, a false alarm), and
// accepting an appeal (AppealPenalty) is how a penalty ends early.
import type { Services } from '../context.ts';
import { apiError } from '../errors.ts';
import { stateAt } from './status.ts';

/** Ends the black hole of `ip` now: the address is normal again, its event `released`. */
export async function releaseBlackhole(svc: Services, ip: string): Promise<{ ip: string; eventId: string | undefined }> {
  return svc.store.write(async (tx) => {
    const now = svc.clock.now();
    const row = await tx.selectFrom('antiddos_ip_status').selectAll().where('ip', '=', ip).executeTakeFirst();
    if (stateAt(row, now).status !== 'blackhole') throw apiError('IncorrectIpStatus', { ip });
    await tx.updateTable('antiddos_ip_status').set({ status: 'normal', since: now, blackhole_until: 0 }).where('ip', '=', ip).execute();
    const open = await tx.selectFrom('antiddos_events').select('id').where('ip', '=', ip).where('type', '=', 'blackhole').where('end_at', '=', 0).executeTakeFirst();
    if (open !== undefined) await tx.updateTable('antiddos_events').set({ end_at: now, status: 'released' }).where('id', '=', open.id).execute();
    return { ip, eventId: open?.id };
  });
}

/**
 * Ends a penalty in force now (`idOrIp`: its id, or the address it cuts); a pending appeal is
 * accepted by it.
 */
export async function endPenalty(svc: Services, idOrIp: string): Promise<{ penaltyId: string; ip: string; appealAccepted: boolean }> {
  return svc.store.write(async (tx) => {
    const now = svc.clock.now();
    const row = await tx.selectFrom('antiddos_penalties').selectAll().where((eb) => eb.or([eb('id', '=', idOrIp), eb('ip', '=', idOrIp)]))
      .where('end_at', '=', 0).where('until', '>', now).executeTakeFirst();
    if (row === undefined) throw apiError('InvalidPenaltyId.NotFound', { id: idOrIp });
    const accepted = row.appeal_status === 'pending';
    await tx.updateTable('antiddos_penalties').set({ end_at: now, ended_by: 'operator', ...(accepted ? { appeal_status: 'accepted' } : {}) }).where('id', '=', row.id).execute();
    return { penaltyId: row.id, ip: row.ip, appealAccepted: accepted };
  });
}
