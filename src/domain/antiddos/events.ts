// DescribeDdosEventList: the caller's scrubbing and black-hole events in a region, newest first,
// with their peaks; an open event is `defense` or `blackhole`, an ended one `normal`.
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { requireRegion } from '../regions.ts';
import { isEcsType } from './assets.ts';
import { type Page, checkPage } from '../paging.ts';

export interface DdosEvent {
  eventId: string;
  instanceId: string;
  ip: string;
  type: 'defense' | 'blackhole';
  startTime: number;
  /** 0 while open */
  endTime: number;
  /** the last time the attack was seen going on (a later peak or a restarted black hole) */
  lastTime: number;
  /** a black hole's end: planned while open, the actual one after */
  unBlackholeTime: number;
  status: 'open' | 'ended' | 'released';
  peakBps: number;
  peakPps: number;
}

export const MAX_QUERY_DAYS = 93;
const DAY_MS = 86_400_000;

export async function describeEvents(ctx: CallContext, q: {
  regionId: string; instanceType: string; instanceId?: string | undefined; internetIp?: string | undefined; queryDays?: number | undefined;
  currentPage?: number | undefined; pageSize?: number | undefined;
}): Promise<Page<DdosEvent>> {
  requireRegion(q.regionId);
  const ecs = isEcsType(q.instanceType);
  const { pageNumber, pageSize } = checkPage(q.currentPage, q.pageSize, 50);
  if (q.queryDays !== undefined && (!Number.isInteger(q.queryDays) || q.queryDays < 1 || q.queryDays > MAX_QUERY_DAYS)) {
    throw apiError('InvalidParameter', { name: 'QueryDays', value: String(q.queryDays), why: `It must be between 1 and ${MAX_QUERY_DAYS}.` });
  }
  if (!ecs) return { totalCount: 0, pageNumber, pageSize, items: [] };
  let sel = ctx.store.db.selectFrom('antiddos_events').selectAll().where('account_id', '=', ctx.principal.accountId).where('region_id', '=', q.regionId);
  if (q.instanceId !== undefined && q.instanceId !== '') sel = sel.where('instance_id', '=', q.instanceId);
  if (q.internetIp !== undefined && q.internetIp !== '') sel = sel.where('ip', '=', q.internetIp);
  if (q.queryDays !== undefined) sel = sel.where('start_at', '>=', ctx.clock.now() - q.queryDays * DAY_MS);
  const rows = await sel.orderBy('start_at', 'desc').orderBy('id').execute();
  const items = rows.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((r): DdosEvent => ({
    eventId: r.id, instanceId: r.instance_id, ip: r.ip, type: r.type === 'blackhole' ? 'blackhole' : 'defense', startTime: r.start_at, endTime: r.end_at,
    lastTime: r.last_at, unBlackholeTime: r.end_at > 0 ? r.end_at : r.until, status: r.status === 'released' ? 'released' : r.end_at > 0 ? 'ended' : 'open',
    peakBps: r.peak_bps, peakPps: r.peak_pps,
  }));
  return { totalCount: rows.length, pageNumber, pageSize, items };
}
