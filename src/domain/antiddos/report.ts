// What the data plane's monitor reports (`DdosReport`: per-second samples and transitions), stored
// in one write transaction: the samples as the traffic series (DescribeCap; the last hour is kept),
// the transitions as each address's state (`IpStatus`), the event list (scrubbing and black-hole
// events with their peaks) and the penalty records.
//
// How transitions are read, so that a repeated or late one does no harm:
// - a transition older than the address's stored state (`at` before `since`) leaves the state alone;
// - a start while an event of its kind is open for the address updates that event (peaks are
//   maxima, a black hole's or penalty's end moves to the latest `until`); a start at or before the
//   end of the address's last closed event of its kind is a repeat, and ignored (a monitor that had
//   not yet seen an operator's release); an extend with no open event starts one, unless it is such
//   a repeat;
// - `blackholeStart` ends an open scrubbing event (the address leaves scrubbing for the hole; the
//   monitor reports a new `defenseStart` when scrubbing resumes after it);
// - an end with no open event of its kind only settles the state;
// - samples raise the peaks of the open events and penalties of their addresses (`peaks`).
// Events and penalties belong to the instance that holds the address when they start; transitions
// of an address no instance holds only set its state.
// Revision: samples and scrubbing transitions don't bump the store's revision (they change nothing
// a watcher acts on, and come every second); a black hole or penalty that starts or ends does, so
// other servers and agents see it at once.
import type { Services } from '../context.ts';
import type { DdosReport, DdosSample, DdosTransition } from './model.ts';
import type { Tx } from '../../store/store.ts';
import type { AntiddosEventTable } from '../../store/schema.ts';

/** How long per-second samples are kept (DescribeCap answers the last hour). */
export const SAMPLE_RETENTION_SECONDS = 3600;
const CHUNK = 500;

interface Owner { instanceId: string; accountId: string; regionId: string }

/** The highest of each rate over samples. */
function highest(samples: readonly DdosSample[], pick: (s: DdosSample) => [number, number]): [number, number] {
  let bps = 0;
  let pps = 0;
  for (const s of samples) { const [b, p] = pick(s); bps = Math.max(bps, b); pps = Math.max(pps, p); }
  return [bps, pps];
}

class ReportTx {
  private readonly owners = new Map<string, Owner | null>();
  /** whether a black hole or penalty started or ended */
  changed = false;

  constructor(private readonly tx: Tx, private readonly svc: Services) {}

  /**
   * The open events and penalties of the sampled addresses take the samples' rates as peaks when
   * higher (inbound for events, outbound for penalties), so DescribeDdosEventList shows the attack's
   * peak while it goes on, not only once it ends.
   */
  async peaks(samples: readonly DdosSample[]): Promise<void> {
    if (samples.length === 0) return;
    const ips = [...new Set(samples.map((x) => x.ip))];
    for (let i = 0; i < ips.length; i += CHUNK) {
      const chunk = ips.slice(i, i + CHUNK);
      const events = await this.tx.selectFrom('antiddos_events').select(['id', 'ip', 'start_at', 'peak_bps', 'peak_pps']).where('ip', 'in', chunk).where('end_at', '=', 0).execute();
      for (const e of events) {
        const [bps, pps] = highest(samples.filter((x) => x.ip === e.ip && x.at >= e.start_at), (x) => [x.bpsIn, x.ppsIn]);
        if (bps > e.peak_bps || pps > e.peak_pps) {
          await this.tx.updateTable('antiddos_events').set({ peak_bps: Math.max(bps, e.peak_bps), peak_pps: Math.max(pps, e.peak_pps) }).where('id', '=', e.id).execute();
        }
      }
      const penalties = await this.tx.selectFrom('antiddos_penalties').select(['id', 'ip', 'start_at', 'peak_bps', 'peak_pps']).where('ip', 'in', chunk).where('end_at', '=', 0).execute();
      for (const p of penalties) {
        const [bps, pps] = highest(samples.filter((x) => x.ip === p.ip && x.at >= p.start_at), (x) => [x.bpsOut, x.ppsOut]);
        if (bps > p.peak_bps || pps > p.peak_pps) {
          await this.tx.updateTable('antiddos_penalties').set({ peak_bps: Math.max(bps, p.peak_bps), peak_pps: Math.max(pps, p.peak_pps) }).where('id', '=', p.id).execute();
        }
      }
    }
  }

  async owner(ip: string): Promise<Owner | null> {
    let o = this.owners.get(ip);
    if (o === undefined) {
      const row = await this.tx.selectFrom('instances').select(['id', 'account_id', 'region_id']).where('public_ip', '=', ip).executeTakeFirst();
      o = row === undefined ? null : { instanceId: row.id, accountId: row.account_id, regionId: row.region_id };
      this.owners.set(ip, o);
    }
    return o;
  }

  async samples(samples: readonly DdosSample[]): Promise<void> {
    // one row per address and second: the latest sample of a second wins
    const bySecond = new Map<string, DdosSample & { second: number }>();
    for (const s of samples) {
      const second = Math.floor(s.at / 1000);
      bySecond.set(s.ip + ' ' + second, { ...s, second });
    }
    const rows = [...bySecond.values()].map((s) => ({ ip: s.ip, second: s.second, bps_in: s.bpsIn, pps_in: s.ppsIn, bps_out: s.bpsOut, pps_out: s.ppsOut }));
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.tx.insertInto('antiddos_samples').values(rows.slice(i, i + CHUNK))
        .onConflict((oc) => oc.columns(['ip', 'second']).doUpdateSet((eb) => ({
          bps_in: eb.ref('excluded.bps_in'), pps_in: eb.ref('excluded.pps_in'), bps_out: eb.ref('excluded.bps_out'), pps_out: eb.ref('excluded.pps_out'),
        })))
        .execute();
    }
    const oldest = Math.floor(this.svc.clock.now() / 1000) - SAMPLE_RETENTION_SECONDS;
    await this.tx.deleteFrom('antiddos_samples').where('second', '<', oldest).execute();
  }

  /** Sets the address's state unless the stored one is newer than `at`. */
  private async setState(ip: string, at: number, status: 'normal' | 'defense' | 'blackhole', until: number, onlyFrom?: string): Promise<void> {
    const row = await this.tx.selectFrom('antiddos_ip_status').selectAll().where('ip', '=', ip).executeTakeFirst();
    if (row === undefined) {
      if (onlyFrom === undefined) await this.tx.insertInto('antiddos_ip_status').values({ ip, status, since: at, blackhole_until: until }).execute();
      return;
    }
    if (at < row.since || (onlyFrom !== undefined && row.status !== onlyFrom)) return;
    await this.tx.updateTable('antiddos_ip_status').set({ status, since: at, blackhole_until: until }).where('ip', '=', ip).execute();
  }

  private openEvent(ip: string, type: 'defense' | 'blackhole'): Promise<AntiddosEventTable | undefined> {
    return this.tx.selectFrom('antiddos_events').selectAll().where('ip', '=', ip).where('type', '=', type).where('end_at', '=', 0).orderBy('start_at', 'desc').executeTakeFirst();
  }

  /** Whether a start at `at` repeats an event of this kind that already ended. */
  private async repeatsEnded(ip: string, type: 'defense' | 'blackhole', at: number): Promise<boolean> {
    const last = await this.tx.selectFrom('antiddos_events').select('end_at').where('ip', '=', ip).where('type', '=', type).where('end_at', '>', 0).orderBy('end_at', 'desc').executeTakeFirst();
    return last !== undefined && at <= last.end_at;
  }

  /** Opens an event, or updates the open one; false when the start was a repeat (or the address has no owner). */
  private async startEvent(ip: string, type: 'defense' | 'blackhole', at: number, until: number, peakBps: number, peakPps: number): Promise<boolean> {
    const open = await this.openEvent(ip, type);
    if (open !== undefined) {
      await this.tx.updateTable('antiddos_events').set({
        last_at: Math.max(open.last_at, at), until: Math.max(open.until, until), peak_bps: Math.max(open.peak_bps, peakBps), peak_pps: Math.max(open.peak_pps, peakPps),
      }).where('id', '=', open.id).execute();
      return false;
    }
    if (await this.repeatsEnded(ip, type, at)) return false;
    const owner = await this.owner(ip);
    if (owner === null) return false;
    await this.tx.insertInto('antiddos_events').values({
      id: this.svc.ids.resource('ddos'), account_id: owner.accountId, region_id: owner.regionId, instance_id: owner.instanceId, ip, type,
      start_at: at, last_at: at, end_at: 0, until, peak_bps: peakBps, peak_pps: peakPps, status: 'open',
    }).execute();
    return true;
  }

  private async endEvent(ip: string, type: 'defense' | 'blackhole', at: number, peakBps: number, peakPps: number, status: 'ended' | 'released'): Promise<boolean> {
    const open = await this.openEvent(ip, type);
    if (open === undefined) return false;
    await this.tx.updateTable('antiddos_events').set({
      end_at: Math.max(at, open.start_at), peak_bps: Math.max(open.peak_bps, peakBps), peak_pps: Math.max(open.peak_pps, peakPps), status,
    }).where('id', '=', open.id).execute();
    return true;
  }

  async transition(t: DdosTransition): Promise<void> {
    switch (t.kind) {
      case 'defenseStart':
        await this.setState(t.ip, t.at, 'defense', 0);
        await this.startEvent(t.ip, 'defense', t.at, 0, t.peakBps, t.peakPps);
        return;
      case 'defenseEnd':
        await this.setState(t.ip, t.at, 'normal', 0, 'defense');
        await this.endEvent(t.ip, 'defense', t.at, t.peakBps, t.peakPps, 'ended');
        return;
      case 'blackholeStart':
      case 'blackholeExtend': {
        const open = await this.openEvent(t.ip, 'blackhole');
        if (open === undefined && await this.repeatsEnded(t.ip, 'blackhole', t.at)) return;
        await this.endEvent(t.ip, 'defense', t.at, 0, 0, 'ended');
        const row = await this.tx.selectFrom('antiddos_ip_status').selectAll().where('ip', '=', t.ip).executeTakeFirst();
        if (row !== undefined && row.status === 'blackhole' && row.since <= t.at) {
          await this.tx.updateTable('antiddos_ip_status').set({ blackhole_until: Math.max(row.blackhole_until, t.until) }).where('ip', '=', t.ip).execute();
        } else {
          await this.setState(t.ip, t.at, 'blackhole', t.until);
        }
        if (await this.startEvent(t.ip, 'blackhole', t.at, t.until, t.peakBps, t.peakPps)) this.changed = true;
        return;
      }
      case 'blackholeEnd':
        await this.setState(t.ip, t.at, 'normal', 0, 'blackhole');
        if (await this.endEvent(t.ip, 'blackhole', t.at, t.peakBps, t.peakPps, t.released === true ? 'released' : 'ended')) this.changed = true;
        return;
      case 'penaltyStart': {
        const open = await this.tx.selectFrom('antiddos_penalties').selectAll().where('ip', '=', t.ip).where('end_at', '=', 0).executeTakeFirst();
        if (open !== undefined) {
          await this.tx.updateTable('antiddos_penalties').set({ until: Math.max(open.until, t.until), peak_bps: Math.max(open.peak_bps, t.peakBps), peak_pps: Math.max(open.peak_pps, t.peakPps) })
            .where('id', '=', open.id).execute();
          return;
        }
        const last = await this.tx.selectFrom('antiddos_penalties').select('end_at').where('ip', '=', t.ip).where('end_at', '>', 0).orderBy('end_at', 'desc').executeTakeFirst();
        if (last !== undefined && t.at <= last.end_at) return;
        const owner = await this.owner(t.ip);
        if (owner === null) return;
        await this.tx.insertInto('antiddos_penalties').values({
          id: this.svc.ids.resource('pen'), account_id: owner.accountId, region_id: owner.regionId, instance_id: owner.instanceId, ip: t.ip,
          start_at: t.at, until: t.until, end_at: 0, ended_by: '', peak_bps: t.peakBps, peak_pps: t.peakPps, appeal_text: '', appeal_status: '', appealed_at: 0,
        }).execute();
        this.changed = true;
        return;
      }
      case 'penaltyEnd': {
        const r = await this.tx.updateTable('antiddos_penalties').set({ end_at: t.at, ended_by: 'expired' }).where('ip', '=', t.ip).where('end_at', '=', 0).executeTakeFirst();
        if (Number(r.numUpdatedRows) > 0) this.changed = true;
        return;
      }
    }
  }
}

/** Stores one report of the monitor (see the header), in one write transaction. */
export async function recordDdosReport(svc: Services, report: DdosReport): Promise<void> {
  if (report.samples.length === 0 && report.transitions.length === 0) return;
  await svc.store.write(async (tx) => {
    const r = new ReportTx(tx, svc);
    await r.samples(report.samples);
    for (const t of report.transitions) await r.transition(t);
    await r.peaks(report.samples);
    return r.changed;
  }, { quiet: (changed) => !changed });
}
