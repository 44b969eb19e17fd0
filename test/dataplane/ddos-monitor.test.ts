// Anti-DDoS decisions without the kernel (src/dataplane/ddos-monitor.ts): a fake clock and fake
// counter readings drive the states (normal → defense → blackhole → defense → normal, penalties),
// the store's black holes and penalties (adopted, released), the samples; and the nft script the
// guard renders from the monitor's kernel state (src/dataplane/antiddos.ts), and its reading of
// `nft -j list counters`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DdosMonitor, type CounterReading } from '../../src/dataplane/ddos-monitor.ts';
import { ddosScript, parseCounters } from '../../src/dataplane/antiddos.ts';
import type { DdosDesired, DdosSettings, DdosTransition, DdosWatchedIp } from '../../src/domain/antiddos/model.ts';

const IP = '203.0.113.7';
const settings: DdosSettings = { blackholeBps: 8_000_000, blackholeSeconds: 10, sampleMs: 500, holdSeconds: 3, penaltyOutPps: 1000, penaltySeconds: 5 };
const watched = (p: Partial<DdosWatchedIp> = {}): DdosWatchedIp => ({ ip: IP, accountId: '1', regionId: 'cn-hangzhou', instanceId: 'i-1', defenseBps: 1_000_000, defensePps: 500, scrubbing: true, ...p });
const desired = (p: Partial<DdosDesired> = {}): DdosDesired => ({ ips: [watched()], blackholes: [], penalties: [], ...p });

/** A monitor fed every 500 ms with counters growing at the given rates (packets/s and bytes per packet, in and out). */
class Drive {
  readonly m = new DdosMonitor(settings);
  now = 1_000_000;
  private totals: CounterReading = { inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 };
  readonly log: DdosTransition[] = [];
  constructor(d: DdosDesired = desired()) {
    this.log.push(...this.m.setDesired(d, this.now));
    this.tick(0);
  }
  /** `ms` more at `pps` in (of `size` bytes) and `outPps` out */
  run(ms: number, pps: number, size = 100, outPps = 0): DdosTransition[] {
    const out: DdosTransition[] = [];
    for (let t = 0; t < ms; t += 500) out.push(...this.tick(500, pps, size, outPps));
    return out;
  }
  tick(ms: number, pps = 0, size = 100, outPps = 0): DdosTransition[] {
    this.now += ms;
    const s = ms / 1000;
    this.totals = {
      inPackets: this.totals.inPackets + pps * s, inBytes: this.totals.inBytes + pps * s * size,
      outPackets: this.totals.outPackets + outPps * s, outBytes: this.totals.outBytes + outPps * s * 60,
    };
    const { transitions } = this.m.observe(new Map([[IP, { ...this.totals }]]), this.now);
    this.log.push(...transitions);
    return transitions;
  }
  set(d: DdosDesired): DdosTransition[] {
    const t = this.m.setDesired(d, this.now);
    this.log.push(...t);
    return t;
  }
}

const kinds = (ts: readonly DdosTransition[]) => ts.map((t) => t.kind);

test('over the PPS threshold: defense at the first reading over, then normal after the hold under both thresholds', () => {
  const d = new Drive();
  assert.deepEqual(d.run(2000, 400), [], 'under the thresholds: nothing');
  assert.equal(d.m.status(IP), 'normal');
  const t = d.tick(500, 2000);
  assert.deepEqual(kinds(t), ['defenseStart']);
  assert.equal(d.m.status(IP), 'defense');
  assert.ok(d.m.kernel().defense.has(IP), 'the kernel scrubs the address');
  const start = t[0]!;
  // an event starts with the rate that started it (over the last second it was 1200)
  assert.equal(start.kind === 'defenseStart' && Math.round(start.peakPps), 2000);
  // still over: stays; then under for less than the hold: stays
  assert.deepEqual(d.run(2000, 3000), []);
  assert.deepEqual(d.run(2500, 100), []);
  assert.equal(d.m.status(IP), 'defense');
  const end = d.run(1000, 100);
  assert.deepEqual(kinds(end), ['defenseEnd']);
  const e = end[0]!;
  assert.ok(e.kind === 'defenseEnd' && Math.round(e.peakPps) === 3000 && Math.round(e.peakBps) === 3000 * 100 * 8, JSON.stringify(e));
  assert.equal(d.m.kernel().defense.size, 0);
});

test("an event's later peaks are rates over about a second: one half-second burst counts for half", () => {
  const d = new Drive();
  d.run(1000, 1000);
  assert.equal(d.m.status(IP), 'defense');
  d.tick(500, 3000);
  d.run(1000, 1000);
  d.set(desired({ ips: [watched({ scrubbing: false })] }));
  const end = d.log.find((t) => t.kind === 'defenseEnd')!;
  assert.ok(end.kind === 'defenseEnd' && Math.round(end.peakPps) === 2000, JSON.stringify(end));
});

test('over the BPS threshold alone starts defense; with scrubbing off nothing does, and turning it off ends a defense', () => {
  const d = new Drive();
  // 300 pps of 1000 bytes = 2.4 Mbit/s > 1 Mbit/s, under 500 pps
  assert.deepEqual(kinds(d.tick(500, 300, 1000)), ['defenseStart']);
  assert.deepEqual(kinds(d.set(desired({ ips: [watched({ scrubbing: false })] }))), ['defenseEnd']);
  assert.deepEqual(d.run(3000, 3000), [], 'scrubbing off: no defense');
  assert.equal(d.m.status(IP), 'normal');
});

test('over the black-hole threshold: blackhole (from defense: its end first), extended while over, then defense, then normal', () => {
  const d = new Drive();
  d.tick(500, 2000);
  assert.equal(d.m.status(IP), 'defense');
  // 2000 pps of 1000 bytes = 16 Mbit/s > 8 Mbit/s
  const t = d.tick(500, 2000, 1000);
  assert.deepEqual(kinds(t), ['defenseEnd', 'blackholeStart']);
  const s = t[1]!;
  assert.ok(s.kind === 'blackholeStart' && s.until === d.now + 10_000 && Math.round(s.peakBps) === 16_000_000, JSON.stringify(s));
  assert.equal(d.m.status(IP), 'blackhole');
  assert.deepEqual(d.m.kernel().defense.size, 0, 'no scrubbing under a black hole');
  assert.equal(d.m.kernel().blackholes.get(IP), d.now + 10_000);
  // still over: the end moves, reported at most once a second
  const ext = d.run(3000, 2500, 1000);
  assert.deepEqual(kinds(ext), ['blackholeExtend', 'blackholeExtend', 'blackholeExtend']);
  const last = ext[2]!;
  assert.ok(last.kind === 'blackholeExtend' && last.until === d.now + 10_000 && Math.round(last.peakBps) === 20_000_000, JSON.stringify(last));
  // the attack stops: the black hole lasts until its end, then scrubbing, then normal after the hold
  assert.deepEqual(d.run(9500, 0), []);
  assert.equal(d.m.status(IP), 'blackhole');
  const end = d.tick(500);
  assert.deepEqual(kinds(end), ['blackholeEnd', 'defenseStart']);
  assert.ok(end[0]!.kind === 'blackholeEnd' && end[0]!.released === undefined);
  assert.equal(d.m.kernel().blackholes.size, 0);
  assert.deepEqual(kinds(d.run(3000, 0)), ['defenseEnd']);
  assert.equal(d.m.status(IP), 'normal');
});

test('scrubbing off: over the black-hole threshold goes straight to blackhole, and back to normal after it', () => {
  const d = new Drive(desired({ ips: [watched({ scrubbing: false })] }));
  assert.deepEqual(kinds(d.tick(500, 2000, 1000)), ['blackholeStart']);
  assert.deepEqual(kinds(d.run(10_000, 0)), ['blackholeEnd']);
  assert.equal(d.m.status(IP), 'normal');
});

test("the store's black hole is adopted (an agent started again), and released by an operator when the store drops it before its end", () => {
  const d = new Drive();
  const until = d.now + 60_000;
  assert.deepEqual(d.set(desired({ blackholes: [{ ip: IP, until }] })), [], 'adopted without a new event');
  assert.equal(d.m.status(IP), 'blackhole');
  assert.equal(d.m.kernel().blackholes.get(IP), until);
  d.run(1000, 0);
  const released = d.set(desired());
  assert.deepEqual(kinds(released), ['blackholeEnd', 'defenseStart']);
  assert.ok(released[0]!.kind === 'blackholeEnd' && released[0]!.released === true);
  assert.equal(d.m.kernel().blackholes.size, 0);
});

test('a black hole the monitor started: the store not listing it yet is no release; once listed, dropping it is', () => {
  const d = new Drive();
  d.tick(500, 2000, 1000);
  assert.equal(d.m.status(IP), 'blackhole');
  assert.deepEqual(d.set(desired()), [], 'the report has not reached the store yet');
  assert.equal(d.m.status(IP), 'blackhole');
  assert.deepEqual(d.set(desired({ blackholes: [{ ip: IP, until: d.m.blackholeUntil(IP)! }] })), []);
  d.run(1000, 0);
  assert.deepEqual(kinds(d.set(desired())), ['blackholeEnd', 'defenseStart']);
});

test('the store letting a black hole lapse at its end is no release', () => {
  const d = new Drive();
  d.tick(500, 2000, 1000);
  d.set(desired({ blackholes: [{ ip: IP, until: d.m.blackholeUntil(IP)! }] }));
  d.run(9000, 0);
  assert.deepEqual(d.set(desired()), [], 'a second before the end: the store may just have dropped it');
  assert.deepEqual(kinds(d.run(1000, 0)), ['blackholeEnd', 'defenseStart']);
  assert.ok(d.log.every((t) => t.kind !== 'blackholeEnd' || t.released === undefined));
});

test('an outbound flood over penaltyOutPps: a penalty for penaltySeconds; the store adopts and releases penalties; off when 0', () => {
  const d = new Drive();
  assert.deepEqual(d.run(1000, 0, 100, 900), []);
  const t = d.tick(500, 0, 100, 1500);
  assert.deepEqual(kinds(t), ['penaltyStart']);
  assert.ok(t[0]!.kind === 'penaltyStart' && t[0]!.until === d.now + 5000 && Math.round(t[0]!.peakPps) === 1500, JSON.stringify(t[0]));
  assert.equal(d.m.kernel().penalties.get(IP), d.now + 5000);
  assert.equal(d.m.status(IP), 'normal', 'a penalty is not an inbound state');
  assert.deepEqual(d.run(4500, 0, 100, 1500), []);
  assert.deepEqual(kinds(d.tick(500, 0)), ['penaltyEnd']);
  assert.equal(d.m.kernel().penalties.size, 0);
  // adopted from the store, then ended by an operator (the store drops it)
  d.set(desired({ penalties: [{ ip: IP, until: d.now + 60_000 }] }));
  assert.ok(d.m.kernel().penalties.has(IP));
  assert.deepEqual(kinds(d.set(desired())), ['penaltyEnd']);
  // off
  const off = new DdosMonitor({ ...settings, penaltyOutPps: 0 });
  off.setDesired(desired(), 0);
  off.observe(new Map([[IP, { inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 }]]), 0);
  assert.deepEqual(off.observe(new Map([[IP, { inPackets: 0, inBytes: 0, outPackets: 100_000, outBytes: 0 }]]), 500).transitions, []);
});

test('counters made again (lower) are a new baseline; an address that goes ends its defense and leaves the kernel', () => {
  const d = new Drive();
  d.run(1000, 100);
  // counters reset to 0 (the table made again): no rate from the difference
  assert.deepEqual(d.m.observe(new Map([[IP, { inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 }]]), d.now + 500).transitions, []);
  const d2 = new Drive();
  d2.tick(500, 2000);
  assert.deepEqual(kinds(d2.set(desired({ ips: [] }))), ['defenseEnd']);
  assert.equal(d2.m.status(IP), undefined);
  assert.equal(d2.m.kernel().ips.size, 0);
});

test('samples: per-second rates of addresses with traffic, one per window', () => {
  const m = new DdosMonitor(settings);
  m.setDesired({ ips: [watched(), watched({ ip: '203.0.113.8' })], blackholes: [], penalties: [] }, 0);
  const r = (p: number): CounterReading => ({ inPackets: p, inBytes: p * 100, outPackets: p / 2, outBytes: p * 30 });
  assert.deepEqual(m.observe(new Map([[IP, r(0)]]), 0).samples, []);
  assert.deepEqual(m.observe(new Map([[IP, r(100)]]), 500).samples, [], 'the window is still open');
  const s = m.observe(new Map([[IP, r(300)]]), 1000).samples;
  assert.deepEqual(s, [{ ip: IP, at: 1000, ppsIn: 300, bpsIn: 240_000, ppsOut: 150, bpsOut: 72_000 }], 'the address without traffic has no sample');
});

test('the nft script: a new address gets counters, limits and map elements; thresholds replace limits; sets follow the state; a gone address leaves', () => {
  const empty = { ips: new Map(), defense: new Set<string>(), blackholes: new Map(), penalties: new Map() };
  const one = { ips: new Map([[IP, { bps: 1_000_000, pps: 500 }]]), defense: new Set<string>(), blackholes: new Map<string, number>(), penalties: new Map<string, number>() };
  const add = ddosScript(empty, one, 0);
  assert.ok(add.includes('add counter ip parapet_ddos i_cb007107'));
  assert.ok(add.includes(`add element ip parapet_ddos cin { ${IP} : "i_cb007107" }`));
  assert.ok(add.includes('add limit ip parapet_ddos p_cb007107_500 { rate over 500/second burst 50 packets }'));
  assert.ok(add.includes('add limit ip parapet_ddos b_cb007107_125000 { rate over 125000 bytes/second burst 12500 bytes }'));
  assert.deepEqual(ddosScript(one, one, 0), [], 'nothing changed, nothing written');
  const lower = { ...one, ips: new Map([[IP, { bps: 1_000_000, pps: 200 }]]) };
  const change = ddosScript(one, lower, 0);
  assert.ok(change.includes('add limit ip parapet_ddos p_cb007107_200 { rate over 200/second burst 20 packets }'));
  assert.ok(change.includes('delete limit ip parapet_ddos p_cb007107_500'));
  assert.ok(!change.some((l) => l.includes('b_cb007107')), 'the byte limit is left as it is');
  const hot = { ...one, defense: new Set([IP]), blackholes: new Map([[IP, 12_345]]) };
  assert.deepEqual(ddosScript(one, hot, 0), [
    `add element ip parapet_ddos hot { ${IP} }`, `add element ip parapet_ddos defense { ${IP} }`, `add element ip parapet_ddos grace { ${IP} timeout 10s }`,
    `add element ip parapet_ddos blackhole { ${IP} timeout 12345ms }`,
  ]);
  assert.deepEqual(ddosScript(hot, { ...hot, blackholes: new Map([[IP, 12_500]]) }, 0), [], 'an end moved by less than a second stays');
  const moved = ddosScript(hot, { ...hot, blackholes: new Map([[IP, 20_000]]) }, 5000);
  assert.deepEqual(moved.slice(-1), [`add element ip parapet_ddos blackhole { ${IP} timeout 15000ms }`]);
  const gone = ddosScript(hot, empty, 0);
  assert.ok(gone.includes(`delete element ip parapet_ddos defense { ${IP} }`));
  assert.ok(gone.includes(`delete element ip parapet_ddos hot { ${IP} }`));
  assert.ok(gone.includes(`delete element ip parapet_ddos blackhole { ${IP} }`), 'an expired element is added first so its delete never fails');
  assert.ok(gone.includes('delete counter ip parapet_ddos o_cb007107'));
});

test('counters from `nft -j list counters`', () => {
  const json = JSON.stringify({ nftables: [
    { metainfo: { version: '1.0.6' } },
    { counter: { family: 'ip', name: 'i_cb007107', table: 'parapet_ddos', handle: 1, packets: 10, bytes: 1000 } },
    { counter: { family: 'ip', name: 'o_cb007107', table: 'parapet_ddos', handle: 2, packets: 3, bytes: 180 } },
    { counter: { family: 'ip', name: 'other', table: 'parapet_ddos', handle: 3, packets: 1, bytes: 1 } },
  ] });
  assert.deepEqual([...parseCounters(json)], [[IP, { inPackets: 10, inBytes: 1000, outPackets: 3, outBytes: 180 }]]);
});
