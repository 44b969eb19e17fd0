// DescribeCap in Parapet: an address's traffic, second by second, over the last hour at most
// (from `BegTime`): bits and packets per second in (towards the address) and out. A second the
// monitor reported nothing for had no traffic, and is 0.
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { assetOf } from './assets.ts';
import { SAMPLE_RETENTION_SECONDS } from './report.ts';

export interface TrafficPoint { time: number; bpsIn: number; ppsIn: number; bpsOut: number; ppsOut: number }

export async function describeTraffic(ctx: CallContext, q: { regionId: string; instanceType: string; instanceId: string; internetIp?: string | undefined; begTime?: number | undefined }): Promise<{ ip: string; begTime: number; endTime: number; points: TrafficPoint[] }> {
  const asset = await assetOf(ctx, q);
  if (q.begTime !== undefined && (!Number.isInteger(q.begTime) || q.begTime < 0)) throw apiError('InvalidParameter', { name: 'BegTime', value: String(q.begTime), why: 'It is a time in milliseconds since the epoch.' });
  const last = Math.floor(ctx.clock.now() / 1000);
  const first = Math.max(last - SAMPLE_RETENTION_SECONDS + 1, q.begTime === undefined ? 0 : Math.ceil(q.begTime / 1000));
  if (first > last) return { ip: asset.ip, begTime: first * 1000, endTime: last * 1000, points: [] };
  const rows = await ctx.store.db.selectFrom('antiddos_samples').selectAll().where('ip', '=', asset.ip).where('second', '>=', first).where('second', '<=', last).execute();
  const bySecond = new Map(rows.map((r) => [r.second, r]));
  const points: TrafficPoint[] = [];
  for (let s = first; s <= last; s++) {
    const r = bySecond.get(s);
    points.push({ time: s * 1000, bpsIn: r?.bps_in ?? 0, ppsIn: r?.pps_in ?? 0, bpsOut: r?.bps_out ?? 0, ppsOut: r?.pps_out ?? 0 });
  }
  return { ip: asset.ip, begTime: first * 1000, endTime: last * 1000, points };
}
