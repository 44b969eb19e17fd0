// Anti-DDoS Basic's decisions (SPEC §5), without I/O: the state of every watched public address
// (normal → defense → blackhole, and penalties for outbound floods), moved by counter readings
// and the desired state at given times. antiddos.ts feeds it the kernel's counters and the
// store's desired state, applies `kernel()` to nftables and reports what `observe`/`setDesired`
// return; tests drive it with a fake clock and fake readings.
//
// - Rates come from the difference of two readings of an address's counters (bytes and packets,
//   in and out), over the time between them; a reading lower than the one before (the counter was
//   made again) is a new baseline, not a rate.
// - defense: inbound bps > defenseBps or pps > defensePps, when scrubbing is on; it ends after
//   `holdSeconds` under both thresholds.
// - blackhole: inbound bps > blackholeBps, from any state; `until` = now + blackholeSeconds,
//   moved again at every reading still over (reported as `blackholeExtend` at most once a second);
//   at `until` the address returns to defense (scrubbing on) or normal. Scrubbing and the black
//   hole never overlap: a black hole ends the defense event, and its end starts a new one.
// - penalty: outbound pps > penaltyOutPps (when > 0), for penaltySeconds; independent of the rest.
// - The store's black holes and penalties are adopted (an agent that starts again goes on with
//   them); one the store listed and lists no more before its end was released by an operator.
// - Rates decide over the last interval between readings (`sampleMs`: a flood is seen at the first
//   reading after it starts); the peaks an event reports are rates over about a second (the
//   readings of the last second), as the samples are: one reading's jitter is no peak. An event
//   starts with the rate that started it (the second before may have been quiet).
// - Samples: the rates of every address with traffic, over windows of about a second.
import type {
  DdosDesired, DdosSample, DdosSettings, DdosTransition, DdosWatchedIp, IpStatus,
} from '../domain/antiddos/model.ts';

/** The totals of one address's counters (in: towards the address). */
export interface CounterReading { inPackets: number; inBytes: number; outPackets: number; outBytes: number }

/** What the kernel should hold: thresholds of every watched address, and the addresses in each set. */
export interface DdosKernelState {
  /** ip -> its scrubbing thresholds (bits and packets per second) */
  ips: Map<string, { bps: number; pps: number }>;
  defense: Set<string>;
  /** ip -> until (ms since the epoch) */
  blackholes: Map<string, number>;
  penalties: Map<string, number>;
}

interface Peak { bps: number; pps: number }

interface IpState {
  watched: DdosWatchedIp;
  status: IpStatus;
  /** the readings of the last PEAK_WINDOW_MS and the one before them, oldest first */
  history: Array<{ at: number; r: CounterReading }>;
  /** defense: when the inbound rate was last over a threshold, and the event's peaks */
  defense?: { lastOver: number; peak: Peak };
  blackhole?: { until: number; reportedUntil: number; peak: Peak; storeSaw: boolean };
  penalty?: { until: number; peak: Peak; storeSaw: boolean };
  /** the current sample window's totals */
  window: CounterReading;
}

/**
 * A black hole or penalty the store stopped listing this long before its end was released by an
 * operator; closer to its end, the store may just have let it lapse first (its clock, its reads).
 */
const RELEASE_MARGIN_MS = 2000;
/** peaks are rates over about this long (the detection's interval is `sampleMs`: one short burst is no peak) */
const PEAK_WINDOW_MS = 1000;
/** samples are rates over windows of about this long */
const SAMPLE_WINDOW_MS = 1000;
/** a black hole's extension is reported when it moved its end by this much since the last report */
const EXTEND_REPORT_MS = 1000;

const zero = (): CounterReading => ({ inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 });

/** rates in bits and packets per second, in and out */
interface Rates { bpsIn: number; ppsIn: number; bpsOut: number; ppsOut: number }

const diff = (a: CounterReading, b: CounterReading): CounterReading => ({ inPackets: a.inPackets - b.inPackets, inBytes: a.inBytes - b.inBytes, outPackets: a.outPackets - b.outPackets, outBytes: a.outBytes - b.outBytes });
const add = (a: CounterReading, b: CounterReading): CounterReading => ({ inPackets: a.inPackets + b.inPackets, inBytes: a.inBytes + b.inBytes, outPackets: a.outPackets + b.outPackets, outBytes: a.outBytes + b.outBytes });
const lower = (a: CounterReading, b: CounterReading): boolean => a.inPackets < b.inPackets || a.inBytes < b.inBytes || a.outPackets < b.outPackets || a.outBytes < b.outBytes;

/** the highest inbound (outbound) rates so far, with `r` (over about a second) */
function peakIn(p: Peak | undefined, r: Rates | undefined): Peak {
  return { bps: Math.max(p?.bps ?? 0, r?.bpsIn ?? 0), pps: Math.max(p?.pps ?? 0, r?.ppsIn ?? 0) };
}

function peakOut(p: Peak | undefined, r: Rates | undefined): Peak {
  return { bps: Math.max(p?.bps ?? 0, r?.bpsOut ?? 0), pps: Math.max(p?.pps ?? 0, r?.ppsOut ?? 0) };
}

function rate(from: { at: number; r: CounterReading }, to: { at: number; r: CounterReading }): Rates {
  const d = diff(to.r, from.r);
  const secs = (to.at - from.at) / 1000;
  return { bpsIn: (d.inBytes * 8) / secs, ppsIn: d.inPackets / secs, bpsOut: (d.outBytes * 8) / secs, ppsOut: d.outPackets / secs };
}

export class DdosMonitor {
  private readonly ips = new Map<string, IpState>();
  private windowStart: number | undefined;

  constructor(private readonly settings: DdosSettings) {}

  /** The address's state, or undefined when it is not watched. */
  status(ip: string): IpStatus | undefined {
    return this.ips.get(ip)?.status;
  }

  /** The penalty in force on the address (its end), if any. */
  penaltyUntil(ip: string): number | undefined {
    return this.ips.get(ip)?.penalty?.until;
  }

  /** The black hole in force on the address (its end), if any. */
  blackholeUntil(ip: string): number | undefined {
    return this.ips.get(ip)?.blackhole?.until;
  }

  /**
   * Takes the desired state: addresses come and go (a gone address's scrubbing ends; black holes
   * and penalties are the store's and stay there), thresholds change, the store's black holes and
   * penalties are adopted, and those the store released end.
   */
  setDesired(d: DdosDesired, now: number): DdosTransition[] {
    const out: DdosTransition[] = [];
    const wanted = new Map(d.ips.map((w) => [w.ip, w]));
    for (const [ip, s] of this.ips) {
      if (wanted.has(ip)) continue;
      if (s.status === 'defense') out.push(this.endDefense(ip, s, now));
      this.ips.delete(ip);
    }
    for (const w of d.ips) {
      const s = this.ips.get(w.ip);
      if (s === undefined) { this.ips.set(w.ip, { watched: w, status: 'normal', history: [], window: zero() }); continue; }
      s.watched = w;
      if (!w.scrubbing && s.status === 'defense') { out.push(this.endDefense(w.ip, s, now)); s.status = 'normal'; }
    }
    const storeBlackholes = new Map(d.blackholes.map((b) => [b.ip, b.until]));
    const storePenalties = new Map(d.penalties.map((p) => [p.ip, p.until]));
    for (const [ip, s] of this.ips) {
      const bh = storeBlackholes.get(ip);
      if (bh !== undefined && bh > now) {
        if (s.blackhole === undefined) {
          // an agent started again, or a black hole from elsewhere: go on with it (no new event)
          if (s.status === 'defense') out.push(this.endDefense(ip, s, now));
          s.status = 'blackhole';
          s.blackhole = { until: bh, reportedUntil: bh, peak: { bps: 0, pps: 0 }, storeSaw: true };
        } else {
          s.blackhole.storeSaw = true;
          s.blackhole.until = Math.max(s.blackhole.until, bh);
        }
      } else if (s.blackhole !== undefined && s.blackhole.storeSaw && s.blackhole.until - now > RELEASE_MARGIN_MS) {
        out.push(...this.endBlackhole(ip, s, now, true));
      }
      const pen = storePenalties.get(ip);
      if (pen !== undefined && pen > now) {
        if (s.penalty === undefined) s.penalty = { until: pen, peak: { bps: 0, pps: 0 }, storeSaw: true };
        else { s.penalty.storeSaw = true; s.penalty.until = Math.max(s.penalty.until, pen); }
      } else if (s.penalty !== undefined && s.penalty.storeSaw && s.penalty.until - now > RELEASE_MARGIN_MS) {
        s.penalty = undefined;
        out.push({ kind: 'penaltyEnd', ip, at: now });
      }
    }
    return out;
  }

  /**
   * Takes one reading of the counters of every watched address (an address missing from
   * `readings` has none this time) and moves the states: the transitions, and the samples of the
   * window that closed (empty while a window is open).
   */
  observe(readings: ReadonlyMap<string, CounterReading>, now: number): { transitions: DdosTransition[]; samples: DdosSample[] } {
    const transitions: DdosTransition[] = [];
    this.windowStart ??= now;
    for (const [ip, s] of this.ips) {
      const r = readings.get(ip);
      let rates: Rates | undefined;
      let wide: Rates | undefined;
      const last = s.history[s.history.length - 1];
      if (r !== undefined) {
        if (last !== undefined && (lower(r, last.r) || now <= last.at)) {
          // a counter made again starts lower: a new baseline
          s.history = [];
        } else if (last !== undefined) {
          rates = rate(last, { at: now, r });
          s.window = add(s.window, diff(r, last.r));
          // the peak's window: from the newest reading at least PEAK_WINDOW_MS old (or the oldest kept)
          const base = [...s.history].reverse().find((h) => now - h.at >= PEAK_WINDOW_MS) ?? s.history[0]!;
          wide = rate(base, { at: now, r });
        }
        s.history.push({ at: now, r });
        while (s.history.length > 1 && now - s.history[1]!.at >= PEAK_WINDOW_MS) s.history.shift();
      }
      transitions.push(...this.step(ip, s, rates, wide ?? rates, now));
    }
    const samples: DdosSample[] = [];
    if (now - this.windowStart >= SAMPLE_WINDOW_MS) {
      const secs = (now - this.windowStart) / 1000;
      for (const [ip, s] of this.ips) {
        const w = s.window;
        if (w.inPackets + w.outPackets > 0) {
          samples.push({ ip, at: now, bpsIn: (w.inBytes * 8) / secs, ppsIn: w.inPackets / secs, bpsOut: (w.outBytes * 8) / secs, ppsOut: w.outPackets / secs });
        }
        s.window = zero();
      }
      this.windowStart = now;
    }
    return { transitions, samples };
  }

  /** What the kernel should hold now. */
  kernel(): DdosKernelState {
    const k: DdosKernelState = { ips: new Map(), defense: new Set(), blackholes: new Map(), penalties: new Map() };
    for (const [ip, s] of this.ips) {
      k.ips.set(ip, { bps: s.watched.defenseBps, pps: s.watched.defensePps });
      if (s.status === 'defense') k.defense.add(ip);
      if (s.blackhole !== undefined) k.blackholes.set(ip, s.blackhole.until);
      if (s.penalty !== undefined) k.penalties.set(ip, s.penalty.until);
    }
    return k;
  }

  /**
   * One address, one reading: `rates` over the last interval decide, `wide` (over about a second)
   * are the peaks; undefined: no rate this time (the timers still run).
   */
  private step(ip: string, s: IpState, rates: Rates | undefined, wide: Rates | undefined, now: number): DdosTransition[] {
    const out: DdosTransition[] = [];
    const cfg = this.settings;
    const w = s.watched;
    const overBlackhole = rates !== undefined && rates.bpsIn > cfg.blackholeBps;
    const overDefense = rates !== undefined && (rates.bpsIn > w.defenseBps || rates.ppsIn > w.defensePps);
    if (overBlackhole) {
      const until = now + cfg.blackholeSeconds * 1000;
      if (s.blackhole === undefined) {
        if (s.status === 'defense') out.push(this.endDefense(ip, s, now));
        s.status = 'blackhole';
        const peak = peakIn(peakIn(undefined, rates), wide);
        s.blackhole = { until, reportedUntil: until, peak, storeSaw: false };
        out.push({ kind: 'blackholeStart', ip, at: now, until, peakBps: peak.bps, peakPps: peak.pps });
      } else {
        const b = s.blackhole;
        b.peak = peakIn(b.peak, wide);
        b.until = Math.max(b.until, until);
        if (b.until - b.reportedUntil >= EXTEND_REPORT_MS) {
          b.reportedUntil = b.until;
          out.push({ kind: 'blackholeExtend', ip, at: now, until: b.until, peakBps: b.peak.bps, peakPps: b.peak.pps });
        }
      }
    } else if (s.blackhole !== undefined) {
      s.blackhole.peak = peakIn(s.blackhole.peak, wide);
      if (now >= s.blackhole.until) out.push(...this.endBlackhole(ip, s, now, false));
    }
    if (s.status === 'normal' && overDefense && w.scrubbing) {
      s.status = 'defense';
      const peak = peakIn(peakIn(undefined, rates), wide);
      s.defense = { lastOver: now, peak };
      out.push({ kind: 'defenseStart', ip, at: now, peakBps: peak.bps, peakPps: peak.pps });
    } else if (s.status === 'defense' && s.defense !== undefined) {
      const d = s.defense;
      d.peak = peakIn(d.peak, wide);
      if (overDefense) d.lastOver = now;
      else if (now - d.lastOver >= cfg.holdSeconds * 1000) { out.push(this.endDefense(ip, s, now)); }
    }
    if (s.penalty !== undefined) {
      s.penalty.peak = peakOut(s.penalty.peak, wide);
      if (now >= s.penalty.until) { s.penalty = undefined; out.push({ kind: 'penaltyEnd', ip, at: now }); }
    } else if (cfg.penaltyOutPps > 0 && rates !== undefined && rates.ppsOut > cfg.penaltyOutPps) {
      const until = now + cfg.penaltySeconds * 1000;
      const peak = peakOut(peakOut(undefined, rates), wide);
      s.penalty = { until, peak, storeSaw: false };
      out.push({ kind: 'penaltyStart', ip, at: now, until, peakBps: peak.bps, peakPps: peak.pps });
    }
    return out;
  }

  private endDefense(ip: string, s: IpState, now: number): DdosTransition {
    const peak = s.defense?.peak ?? { bps: 0, pps: 0 };
    s.status = 'normal';
    s.defense = undefined;
    return { kind: 'defenseEnd', ip, at: now, peakBps: peak.bps, peakPps: peak.pps };
  }

  /** The black hole ends (its time is up, or an operator released it); scrubbing takes over when on. */
  private endBlackhole(ip: string, s: IpState, now: number, released: boolean): DdosTransition[] {
    const b = s.blackhole!;
    s.blackhole = undefined;
    const out: DdosTransition[] = [{ kind: 'blackholeEnd', ip, at: now, peakBps: b.peak.bps, peakPps: b.peak.pps, ...(released ? { released: true } : {}) }];
    if (s.watched.scrubbing) {
      s.status = 'defense';
      s.defense = { lastOver: now, peak: { bps: 0, pps: 0 } };
      out.push({ kind: 'defenseStart', ip, at: now, peakBps: 0, peakPps: 0 });
    } else {
      s.status = 'normal';
    }
    return out;
  }
}
