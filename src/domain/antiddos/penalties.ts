// Parapet's penalties for outbound floods (the FAQ's "penalized for committing external attacks"):
// DescribePenalties lists the caller's, AppealPenalty records the owner's appeal of one in force,
// which an operator accepts by ending the penalty (`parapet admin end-penalty`, operator.ts).
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { requireRegion } from '../regions.ts';
import { type Page, checkPage } from '../paging.ts';

export interface Penalty {
  penaltyId: string;
  instanceId: string;
  regionId: string;
  ip: string;
  startTime: number;
  /** when it ends unless ended earlier */
  until: number;
  /** 0 while in force */
  endTime: number;
  status: 'active' | 'ended';
  /** '' while active; expired | operator */
  endedBy: string;
  peakBps: number;
  peakPps: number;
  appealStatus: 'none' | 'pending' | 'accepted';
  appealText: string;
  appealTime: number;
}

export const MAX_APPEAL_LENGTH = 1024;

function penaltyOf(r: { id: string; instance_id: string; region_id: string; ip: string; start_at: number; until: number; end_at: number; ended_by: string; peak_bps: number; peak_pps: number; appeal_status: string; appeal_text: string; appealed_at: number }, now: number): Penalty {
  // a penalty whose end passed without a report from the monitor has ended all the same
  const ended = r.end_at > 0 || r.until <= now;
  return {
    penaltyId: r.id, instanceId: r.instance_id, regionId: r.region_id, ip: r.ip, startTime: r.start_at, until: r.until,
    endTime: r.end_at > 0 ? r.end_at : ended ? r.until : 0, status: ended ? 'ended' : 'active', endedBy: r.end_at > 0 ? r.ended_by : ended ? 'expired' : '',
    peakBps: r.peak_bps, peakPps: r.peak_pps, appealStatus: r.appeal_status === 'pending' || r.appeal_status === 'accepted' ? r.appeal_status : 'none',
    appealText: r.appeal_text, appealTime: r.appealed_at,
  };
}

export async function describePenalties(ctx: CallContext, q: { regionId?: string | undefined; instanceId?: string | undefined; penaltyId?: string | undefined; status?: string | undefined; pageNumber?: number | undefined; pageSize?: number | undefined }): Promise<Page<Penalty>> {
  if (q.regionId !== undefined && q.regionId !== '') requireRegion(q.regionId);
  if (q.status !== undefined && q.status !== '' && q.status !== 'active' && q.status !== 'ended') {
    throw apiError('InvalidParameter', { name: 'Status', value: q.status, why: 'It is `active` or `ended`.' });
  }
  const { pageNumber, pageSize } = checkPage(q.pageNumber, q.pageSize, 100);
  let sel = ctx.store.db.selectFrom('antiddos_penalties').selectAll().where('account_id', '=', ctx.principal.accountId);
  if (q.regionId !== undefined && q.regionId !== '') sel = sel.where('region_id', '=', q.regionId);
  if (q.instanceId !== undefined && q.instanceId !== '') sel = sel.where('instance_id', '=', q.instanceId);
  if (q.penaltyId !== undefined && q.penaltyId !== '') sel = sel.where('id', '=', q.penaltyId);
  const now = ctx.clock.now();
  let all = (await sel.orderBy('start_at', 'desc').orderBy('id').execute()).map((r) => penaltyOf(r, now));
  if (q.status !== undefined && q.status !== '') all = all.filter((p) => p.status === q.status);
  return { totalCount: all.length, pageNumber, pageSize, items: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize) };
}

/** AppealPenalty: the owner's reasons for a penalty in force (a later appeal replaces an earlier one). */
export async function appealPenalty(ctx: CallContext, penaltyId: string, text: string): Promise<Penalty> {
  if (text.trim() === '' || text.length > MAX_APPEAL_LENGTH) {
    throw apiError('InvalidParameter', { name: 'Reason', value: text.slice(0, 64), why: `It must be 1 to ${MAX_APPEAL_LENGTH} characters.` });
  }
  return ctx.write(async (tx) => {
    const now = ctx.clock.now();
    const row = await tx.selectFrom('antiddos_penalties').selectAll().where('id', '=', penaltyId).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
    if (row === undefined) throw apiError('InvalidPenaltyId.NotFound', { id: penaltyId });
    if (row.end_at > 0 || row.until <= now) throw apiError('IncorrectPenaltyStatus', { id: penaltyId });
    const set = { appeal_text: text, appeal_status: 'pending', appealed_at: now };
    await tx.updateTable('antiddos_penalties').set(set).where('id', '=', penaltyId).execute();
    return penaltyOf({ ...row, ...set }, now);
  });
}
