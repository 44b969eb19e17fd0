// Anti-DDoS Basic in the kernel (SPEC §5, docs/DATAPLANE.md "Anti-DDoS"): the `ip parapet_ddos`
// table in the internet namespace, where internet traffic enters before the 1:1 NAT of the network
// namespaces. It counts every watched public address's traffic in and out (named counters in
// maps), drops black-holed and penalized addresses' traffic (sets with element timeouts) and
// scrubs the inbound traffic of addresses in defense (fragments, invalid state, SYNs that are not
// sent again, per-source SYN rates, then named limits at the address's thresholds), all without
// per-packet userspace. `DdosGuard` reads the counters every `sampleMs` (one `list counters`),
// lets the monitor (ddos-monitor.ts) decide, applies what changed in one `nft -f` at once, then
// reports samples and transitions through the callback. The desired state (each
// agent round) brings the watched addresses, their thresholds and the store's black holes and
// penalties; what the kernel holds is diffed against what was applied last, level-based. The
// counters are read through one long-lived `nft -j -i` in the namespace (nft-session.ts).
import type { DdosDesired, DdosReport, DdosSettings, DdosTransition, IpStatus } from '../domain/antiddos/model.ts';
import type { Clock } from '../clock.ts';
import { DdosMonitor, type CounterReading, type DdosKernelState } from './ddos-monitor.ts';
import { nftApply, run } from './sh.ts';
import { NftSession } from './nft-session.ts';
import type { AgentLog } from './log.ts';

export const DDOS_TABLE = 'parapet_ddos';

/** What the agent is given to run Anti-DDoS: the operator's settings and where reports go. */
export interface DdosOptions {
  settings: DdosSettings;
  /** the domain's recordDdosReport; a rejection is logged, never retried */
  report(r: DdosReport): Promise<void>;
}

/** Per-source SYNs each address in defense accepts from one source (after its first SYN was sent again). */
const SYN_PER_SOURCE = 50;
/** How long a source's dropped first SYN is remembered (a client sends it again after 1 s, then 3 s). */
const SYN_SEEN_SECONDS = 10;
const SYN_SEEN_SIZE = 65536;
/**
 * For this long after scrubbing starts, TCP segments of connections made before (conntrack picks
 * them up mid-stream: new, not yet answered) pass, so the address's answer marks them established.
 */
export const GRACE_SECONDS = 10;

/**
 * The table without any address. Hooks (both see forwarded traffic and the namespace's own):
 * - prerouting and output at -450, before defragmentation (-400) and conntrack (-200): count
 *   every packet towards (`cin`) and from (`cout`) a watched address before anything drops it;
 *   what involves no address in any set (`hot`: defense, black hole or penalty) leaves untracked
 *   at once (the common path: two counter lookups, two set lookups); then drop black holes (both
 *   ways) and penalties (outbound), fragments towards addresses in defense, and leave untracked
 *   what involves no address in defense (conntrack only for scrubbing);
 * - postrouting at filter priority: scrub what goes to an address in defense (`grace`: the first
 *   GRACE_SECONDS of it, when connections made before are picked up).
 */
export function ddosTable(): string {
  return `table ip ${DDOS_TABLE} {
  map cin { type ipv4_addr : counter; }
  map cout { type ipv4_addr : counter; }
  map lim_pps { type ipv4_addr : limit; }
  map lim_bps { type ipv4_addr : limit; }
  map lim_syn { type ipv4_addr : limit; }
  set defense { type ipv4_addr; }
  set hot { type ipv4_addr; }
  set grace { type ipv4_addr; flags timeout; }
  set blackhole { type ipv4_addr; flags timeout; }
  set penalty { type ipv4_addr; flags timeout; }
  set syn_seen { type ipv4_addr . ipv4_addr; flags dynamic, timeout; timeout ${SYN_SEEN_SECONDS}s; size ${SYN_SEEN_SIZE}; }
  chain pre {
    type filter hook prerouting priority -450; policy accept;
    counter name ip daddr map @cin
    counter name ip saddr map @cout
    ip daddr != @hot ip saddr != @hot notrack accept
    ip saddr @blackhole drop
    ip saddr @penalty drop
    ip daddr @blackhole drop
    ip daddr @defense ip frag-off & 0x3fff != 0 drop
    ip daddr != @defense ip saddr != @defense notrack
  }
  chain out {
    type filter hook output priority -450; policy accept;
    counter name ip daddr map @cin
    ip daddr != @hot ip saddr != @hot notrack accept
    ip daddr @blackhole drop
    ip daddr @defense ip frag-off & 0x3fff != 0 drop
    ip daddr != @defense ip saddr != @defense notrack
  }
  chain post {
    type filter hook postrouting priority filter; policy accept;
    ip daddr @defense jump scrub
  }
  chain scrub {
    ct status seen-reply accept
    ct state invalid drop
    tcp flags & (fin|syn|rst|ack) == syn jump syn
    ip daddr @grace tcp flags & (syn|rst) == 0 accept
    limit name ip daddr map @lim_pps drop
    limit name ip daddr map @lim_bps drop
  }
  chain syn {
    ip saddr . ip daddr != @syn_seen add @syn_seen { ip saddr . ip daddr } drop
    update @syn_seen { ip saddr . ip daddr }
    meter syn_src size ${SYN_SEEN_SIZE} { ip saddr . ip daddr timeout ${SYN_SEEN_SECONDS}s limit rate over ${SYN_PER_SOURCE}/second burst ${SYN_PER_SOURCE} packets } drop
    limit name ip daddr map @lim_syn drop
    accept
  }
}
`;
}

/** An address as a name part: 203.0.113.7 -> cb007107 */
function hex(ip: string): string {
  return ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('');
}

/** The limit objects of one address at its thresholds (their names carry the values: a change makes new ones). */
function limitsOf(ip: string, t: { bps: number; pps: number }): { pps: string; bps: string; syn: string; pktRate: number; byteRate: number } {
  const pktRate = Math.max(1, Math.ceil(t.pps));
  const byteRate = Math.max(1, Math.ceil(t.bps / 8));
  return { pps: `p_${hex(ip)}_${pktRate}`, bps: `b_${hex(ip)}_${byteRate}`, syn: `s_${hex(ip)}_${pktRate}`, pktRate, byteRate };
}

/** The script that takes the kernel from `from` to `to` (`now`: the element timeouts are what is left until each end). */
export function ddosScript(from: DdosKernelState, to: DdosKernelState, now: number): string[] {
  const t = `ip ${DDOS_TABLE}`;
  const s: string[] = [];
  // sets first (an address that goes leaves them before its objects go)
  const setDiff = (set: string, a: ReadonlySet<string> | ReadonlyMap<string, number>, b: ReadonlySet<string> | ReadonlyMap<string, number>) => {
    for (const ip of a.keys()) {
      if (b.has(ip)) continue;
      // an element with a timeout may have expired already: add it (nothing if it is there) so the delete never fails
      if (a instanceof Map) s.push(`add element ${t} ${set} { ${ip} timeout 1s }`);
      s.push(`delete element ${t} ${set} { ${ip} }`);
    }
  };
  setDiff('defense', from.defense, to.defense);
  setDiff('blackhole', from.blackholes, to.blackholes);
  setDiff('penalty', from.penalties, to.penalties);
  const hotFrom = hot(from);
  const hotTo = hot(to);
  setDiff('hot', hotFrom, hotTo);
  for (const ip of hotTo) if (!hotFrom.has(ip)) s.push(`add element ${t} hot { ${ip} }`);
  for (const ip of from.defense) if (!to.defense.has(ip)) s.push(`add element ${t} grace { ${ip} timeout 1s }`, `delete element ${t} grace { ${ip} }`);
  for (const ip of to.defense) if (!from.defense.has(ip)) s.push(`add element ${t} defense { ${ip} }`, `add element ${t} grace { ${ip} timeout ${GRACE_SECONDS}s }`);
  for (const [set, a, b] of [['blackhole', from.blackholes, to.blackholes], ['penalty', from.penalties, to.penalties]] as const) {
    for (const [ip, until] of b) {
      const old = a.get(ip);
      if (old !== undefined && Math.abs(old - until) < 1000) continue;
      const timeout = `${Math.max(1000, Math.ceil(until - now))}ms`;
      // a new end: the element again with the new timeout (add, delete, add: whether or not it is there)
      if (old !== undefined) s.push(`add element ${t} ${set} { ${ip} timeout 1s }`, `delete element ${t} ${set} { ${ip} }`);
      s.push(`add element ${t} ${set} { ${ip} timeout ${timeout} }`);
    }
  }
  // addresses and their thresholds
  for (const [ip, old] of from.ips) {
    const want = to.ips.get(ip);
    const o = limitsOf(ip, old);
    if (want === undefined) {
      s.push(
        `delete element ${t} cin { ${ip} }`, `delete element ${t} cout { ${ip} }`,
        `delete element ${t} lim_pps { ${ip} }`, `delete element ${t} lim_bps { ${ip} }`, `delete element ${t} lim_syn { ${ip} }`,
        `delete counter ${t} i_${hex(ip)}`, `delete counter ${t} o_${hex(ip)}`,
        `delete limit ${t} ${o.pps}`, `delete limit ${t} ${o.bps}`, `delete limit ${t} ${o.syn}`,
      );
      continue;
    }
    const n = limitsOf(ip, want);
    if (n.pps !== o.pps) {
      s.push(
        `add limit ${t} ${n.pps} { ${pktLimit(n.pktRate)} }`, `add limit ${t} ${n.syn} { ${pktLimit(n.pktRate)} }`,
        `delete element ${t} lim_pps { ${ip} }`, `delete element ${t} lim_syn { ${ip} }`,
        `add element ${t} lim_pps { ${ip} : "${n.pps}" }`, `add element ${t} lim_syn { ${ip} : "${n.syn}" }`,
        `delete limit ${t} ${o.pps}`, `delete limit ${t} ${o.syn}`,
      );
    }
    if (n.bps !== o.bps) {
      s.push(`add limit ${t} ${n.bps} { ${byteLimit(n.byteRate)} }`, `delete element ${t} lim_bps { ${ip} }`, `add element ${t} lim_bps { ${ip} : "${n.bps}" }`, `delete limit ${t} ${o.bps}`);
    }
  }
  for (const [ip, want] of to.ips) {
    if (from.ips.has(ip)) continue;
    const n = limitsOf(ip, want);
    s.push(
      `add counter ${t} i_${hex(ip)}`, `add counter ${t} o_${hex(ip)}`,
      `add limit ${t} ${n.pps} { ${pktLimit(n.pktRate)} }`, `add limit ${t} ${n.syn} { ${pktLimit(n.pktRate)} }`, `add limit ${t} ${n.bps} { ${byteLimit(n.byteRate)} }`,
      `add element ${t} cin { ${ip} : "i_${hex(ip)}" }`, `add element ${t} cout { ${ip} : "o_${hex(ip)}" }`,
      `add element ${t} lim_pps { ${ip} : "${n.pps}" }`, `add element ${t} lim_syn { ${ip} : "${n.syn}" }`, `add element ${t} lim_bps { ${ip} : "${n.bps}" }`,
    );
  }
  return s;
}

/** the addresses in any set: their traffic takes the chains' slow path */
function hot(k: DdosKernelState): Set<string> {
  return new Set([...k.defense, ...k.blackholes.keys(), ...k.penalties.keys()]);
}

// a burst of a tenth of a second's worth: short bursts pass, the rate holds over a sampling interval
function pktLimit(rate: number): string {
  return `rate over ${rate}/second burst ${Math.max(5, Math.ceil(rate / 10))} packets`;
}

function byteLimit(rate: number): string {
  return `rate over ${rate} bytes/second burst ${Math.max(3000, Math.ceil(rate / 10))} bytes`;
}

/** The totals of every watched address's counters from `nft -j list counters table ip parapet_ddos`. */
export function parseCounters(json: string): Map<string, CounterReading> {
  const out = new Map<string, CounterReading>();
  const doc = JSON.parse(json) as { nftables?: Array<{ counter?: { name: string; packets: number; bytes: number } }> };
  for (const item of doc.nftables ?? []) {
    const c = item.counter;
    if (c === undefined) continue;
    const m = /^([io])_([0-9a-f]{8})$/.exec(c.name);
    if (m === null) continue;
    const n = parseInt(m[2]!, 16);
    const ip = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    let r = out.get(ip);
    if (r === undefined) out.set(ip, r = { inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 });
    if (m[1] === 'i') { r.inPackets = c.packets; r.inBytes = c.bytes; } else { r.outPackets = c.packets; r.outBytes = c.bytes; }
  }
  return out;
}

const empty = (): DdosKernelState => ({ ips: new Map(), defense: new Set(), blackholes: new Map(), penalties: new Map() });

export class DdosGuard {
  private readonly monitor: DdosMonitor;
  /** what the kernel holds (undefined: no table, made at the next apply) */
  private applied: DdosKernelState | undefined;
  /** whether the internet namespace exists (the agent says, each round) */
  private present = false;
  private queue: Promise<unknown> = Promise.resolve();
  private reports: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** the reader of the counters (a long-lived `nft -j -i` in the namespace) */
  private reader: NftSession | undefined;
  /** the last sampling round's cost, for the benchmark: wall time of the read and the whole round */
  lastSample = { readMs: 0, totalMs: 0 };

  constructor(private readonly ns: string, private readonly opts: DdosOptions, private readonly log: AgentLog, private readonly clock: Clock) {
    this.monitor = new DdosMonitor(opts.settings);
  }

  /** The address's state as the monitor sees it. */
  status(ip: string): IpStatus | undefined {
    return this.monitor.status(ip);
  }

  /**
   * The agent's round: the desired state, and whether the internet namespace exists (`fresh`: it
   * was just made, so the table is gone). Applies what changed; throws when nft refuses.
   */
  sync(desired: DdosDesired, present: boolean, fresh: boolean): Promise<void> {
    return this.serial(async () => {
      if (fresh || !present) {
        this.applied = undefined;
        // a reader in a namespace that was made again reads the old one (and keeps it alive)
        this.reader?.close();
        this.reader = undefined;
      }
      this.present = present;
      const transitions = this.monitor.setDesired(desired, this.clock.now());
      await this.apply();
      this.send({ samples: [], transitions });
    });
  }

  /** Starts sampling every `sampleMs`. */
  start(): void {
    const every = Math.min(1000, Math.max(50, this.opts.settings.sampleMs));
    const tick = () => {
      if (this.stopped) return;
      const started = performance.now();
      void this.serial(() => this.sample()).catch((err: unknown) => {
        this.log.error({ err: err instanceof Error ? err.stack ?? err.message : String(err) }, 'anti-ddos sampling failed');
      }).finally(() => {
        if (this.stopped) return;
        // the next reading `every` after this one started (a slow round shortens the wait, never overlaps)
        this.timer = setTimeout(tick, Math.max(0, every - (performance.now() - started)));
      });
    };
    this.timer = setTimeout(tick, every);
  }

  /** Stops sampling, waits for the reports, and removes the table when the namespace is there. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.queue.catch(() => undefined);
    await this.reports;
    this.reader?.close();
    this.reader = undefined;
    if (this.present && this.applied !== undefined) await run('ip', ['netns', 'exec', this.ns, 'nft', 'delete', 'table', 'ip', DDOS_TABLE]);
    this.applied = undefined;
  }

  /** One reading of the counters, the monitor's decisions applied, then reported. */
  private async sample(): Promise<void> {
    if (!this.present || this.applied === undefined) return;
    const t0 = performance.now();
    if (this.reader?.alive !== true) this.reader = new NftSession(this.ns);
    let json: string;
    try {
      json = await this.reader.query(`list counters table ip ${DDOS_TABLE}`);
    } catch (err) {
      // the table (or the namespace) went behind our back: made again at the next apply, read by a new reader
      this.applied = undefined;
      this.reader.close();
      this.reader = undefined;
      throw err;
    }
    const now = this.clock.now();
    const t1 = performance.now();
    const { transitions, samples } = this.monitor.observe(parseCounters(json), now);
    if (transitions.length > 0) await this.apply();
    this.lastSample = { readMs: t1 - t0, totalMs: performance.now() - t0 };
    if (transitions.length > 0 || samples.length > 0) this.send({ samples, transitions });
  }

  /** Brings the kernel to what the monitor wants (the table first, when it is not there). */
  private async apply(): Promise<void> {
    if (!this.present) return;
    const want = this.monitor.kernel();
    let from = this.applied;
    let head = '';
    if (from === undefined) {
      // delete whatever an earlier agent left, then the table from nothing (one transaction)
      head = `add table ip ${DDOS_TABLE}\ndelete table ip ${DDOS_TABLE}\n${ddosTable()}`;
      from = empty();
    }
    const lines = ddosScript(from, want, this.clock.now());
    if (head === '' && lines.length === 0) return;
    try {
      await nftApply(this.ns, head + lines.join('\n') + '\n');
    } catch (err) {
      // what the kernel holds is unknown now: the table is made from nothing next time
      this.applied = undefined;
      throw err;
    }
    this.applied = want;
  }

  private send(report: DdosReport): void {
    if (report.samples.length === 0 && report.transitions.length === 0) return;
    for (const t of report.transitions) this.log.info({ ddos: t.kind, ip: t.ip, ...describe(t) }, 'anti-ddos transition');
    this.reports = this.reports.then(() => this.opts.report(report)).catch((err: unknown) => {
      this.log.error({ err: err instanceof Error ? err.stack ?? err.message : String(err) }, 'anti-ddos report failed');
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function describe(t: DdosTransition): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  if ('until' in t) out['until'] = t.until;
  if ('peakBps' in t) { out['peakBps'] = Math.round(t.peakBps); out['peakPps'] = Math.round(t.peakPps); }
  if ('released' in t && t.released === true) out['released'] = true;
  return out;
}
