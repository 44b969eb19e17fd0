// Anti-DDoS Basic with real packets (root): an agent driven directly with a desired state (four
// instances with public addresses in one VPC, scaled-down thresholds and durations), floods in the
// internet namespace to the public addresses (UDP: a paced Node sender, netns-prober.mjs, so rates
// hold steady; SYN: hping3 from random source addresses), and one from an instance outwards (hping3).
// Every flood is bounded by a packet count and a deadline, and runs only between namespaces this
// test made; everything is removed at the end, also on failure.
// - UDP flood and SYN flood over the PPS threshold: defense within 2 s; what reaches the instance
//   (counted in its namespace) within 20% of the threshold (UDP: limited to it; SYN: the spoofed
//   SYNs are filtered, so at most that); ≥ 90% of legitimate connections made during the flood
//   from another address succeed.
// - Over the black-hole threshold: blackhole, 0 packets reach the instance, its outbound internet is
//   cut, the reported peak within 20% of what the generator sent, and it ends after the shortened
//   duration, back to defense.
// - An outbound flood over the penalty rate: a penalty (outbound cut), ended after its duration.
// - The store's black hole is applied, and an operator's release removes it; thresholds move the limits.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../src/dataplane/agent.ts';
import { cleanupNamespaces } from '../../src/dataplane/registry.ts';
import { uplinkName } from '../../src/dataplane/names.ts';
import type { DesiredInstance, DesiredNetwork, DesiredState } from '../../src/domain/dataplane-state.ts';
import type { DdosReport, DdosSettings, DdosTransition, DdosWatchedIp } from '../../src/domain/antiddos/model.ts';
import { ipToInt } from '../../src/engine/cidr.ts';
import { systemClock } from '../../src/clock.ts';
import { rootTestOptions, nsExec, run, REQUIRE_ROOT_ENV, Prober } from '../helpers/netns.ts';
import { leftovers, addInternetAddresses, Probers } from '../helpers/dataplane.ts';
import { group } from '../helpers/fw.ts';
import { addCounters, flood, hping3Missing, readCounters } from '../helpers/flood.ts';

const tag = `${process.pid % 10000}`;
const PREFIX = `pdd${tag}-`;
const state = mkdtempSync(join(tmpdir(), 'parapet-antiddos-'));
const ids = { a: `i-pdd${tag}a`, b: `i-pdd${tag}b`, c: `i-pdd${tag}c`, d: `i-pdd${tag}d` };
const INTERNET_NS = `${PREFIX}internet`;
const LEGIT = '198.51.100.10';
const SERVER = '198.51.100.20';
const FLOODER = '198.51.100.30';
const PPS = 500;

const probers = new Probers();
after(async () => {
  await probers.closeAll();
  await cleanupNamespaces(state, PREFIX);
  for (const id of Object.values(ids)) await run('ip', ['netns', 'del', id]);
  rmSync(state, { recursive: true, force: true });
});

function options(): { skip?: string } {
  const o = rootTestOptions();
  if (o.skip !== undefined) return o;
  const missing = hping3Missing();
  if (missing === undefined) return {};
  if (process.env[REQUIRE_ROOT_ENV] === '1') throw new Error(`${missing} (${REQUIRE_ROOT_ENV}=1)`);
  return { skip: missing };
}

const net: DesiredNetwork = { key: `vpc-pdd${tag}`, kind: 'vpc', regionId: 'cn-hangzhou', gateways: [{ address: '10.61.1.253', prefix: 24 }] };
// every port in and out, from and to anywhere
const open = group('sg-open', [
  { protocol: 'all', direction: 'ingress' }, { protocol: 'all', direction: 'egress' },
]);

function instance(id: string, n: number): DesiredInstance {
  const ip = `10.61.1.${10 + n}`;
  return {
    instanceId: id, accountId: '1', regionId: net.regionId, network: net.key, publicIp: `203.0.113.${20 + n}`, osType: 'windows',
    effectivePublicKey: '', effectivePasswordHash: '', hostName: id, bootSeq: 1, securityAgent: false,
    enis: [{ eniId: `eni-${id}`, instanceId: id, primary: true, ip: ipToInt(ip)!, ipText: ip, prefix: 24, gateway: net.gateways[0]!.address, mac: `00:16:3e:61:00:${(10 + n).toString(16)}`, groups: [open], port25Blocked: true, ipv6: [] }],
  };
}

const insts = [instance(ids.a, 1), instance(ids.b, 2), instance(ids.c, 3), instance(ids.d, 4)];
const [A, B, C, D] = insts.map((i) => i.publicIp) as [string, string, string, string];
const watch = (i: DesiredInstance, p: Partial<DdosWatchedIp> = {}): DdosWatchedIp => ({
  ip: i.publicIp, accountId: '1', regionId: net.regionId, instanceId: i.instanceId, defenseBps: 200_000_000, defensePps: PPS, scrubbing: true, ...p,
});

const settings: DdosSettings = { blackholeBps: 6_000_000, blackholeSeconds: 3, sampleMs: 500, holdSeconds: 2, penaltyOutPps: 1500, penaltySeconds: 3 };

async function until(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await check()) return performance.now() - t0;
    if (performance.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function nftSet(set: string): Promise<string> {
  const r = await nsExec(INTERNET_NS, ['nft', 'list', 'set', 'ip', 'parapet_ddos', set]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('Anti-DDoS with real packets: scrubbing (UDP and SYN floods), black hole, penalty, release', options(), async (t) => {
  let ddos = { ips: insts.map((i) => watch(i)), blackholes: [] as Array<{ ip: string; until: number }>, penalties: [] as Array<{ ip: string; until: number }> };
  let revision = 1;
  const desired = (): DesiredState => ({ revision, networks: [net], instances: insts, existingInstanceIds: new Set(insts.map((i) => i.instanceId)), members: new Map(), ddos, bruteForceBlocks: [] });
  const reports: Array<{ at: number; r: DdosReport }> = [];
  const transitions = (ip: string, kind?: DdosTransition['kind']) => reports.flatMap((x) => x.r.transitions).filter((tr) => tr.ip === ip && (kind === undefined || tr.kind === kind));
  const agent = new Agent({
    readDesired: () => Promise.resolve(desired()),
    waitForRevision: (after_, ms) => new Promise((resolve) => setTimeout(() => resolve(after_), ms)),
    stateDir: state, prefix: PREFIX, publicPool: '203.0.113.0/24', sshd: false,
    ddos: { settings, report: (r) => { reports.push({ at: performance.now(), r }); return Promise.resolve(); } },
    log: { info: () => undefined, warn: () => undefined, error: (obj, msg) => { console.error(msg, obj); } },
  });
  await agent.start();
  const guard = agent.ddos!;
  try {
    await addInternetAddresses(INTERNET_NS, [LEGIT, SERVER, FLOODER]);
    const internet = await probers.in(INTERNET_NS);
    // the paced UDP floods run in a prober of their own (its event loop is busy while it floods)
    const flooder = await Prober.start(INTERNET_NS);
    t.after(() => flooder.close());
    await internet.tcpListen(7000);
    // what reaches each instance, counted in its own namespace; what the generator sends, in the internet namespace
    for (const i of insts) {
      await addCounters(i.instanceId, 'ptest', 'prerouting', { c_udp: 'udp dport 9000', c_syn: 'tcp dport 8080 tcp flags & (syn|ack) == syn' });
      await (await probers.in(i.instanceId)).tcpListen(8080);
    }
    await addCounters(INTERNET_NS, 'ptest', 'output', Object.fromEntries(insts.map((i, n) => [`gen${n}`, `ip daddr ${i.publicIp}`])));
    const uplink = uplinkName(net.key);
    assert.match(await nftSet('defense'), /type ipv4_addr/);
    for (const i of insts) assert.equal(guard.status(i.publicIp), 'normal');

    /** legitimate connections from LEGIT to ip:8080 while `busy` runs: [made, open] */
    const legitimate = async (ip: string, n: number): Promise<[number, number]> => {
      let ok = 0;
      for (let k = 0; k < n; k++) {
        if (await internet.tcpConnect(ip, 8080, 3500, { localAddress: LEGIT }) === 'open') ok++;
        await sleep(100);
      }
      return [n, ok];
    };

    const scrubbing = async (ip: string, inst: DesiredInstance, kind: 'udp' | 'syn') => {
      // a connection made before the flood
      const held = await internet.tcpHold(ip, 8080, 1500);
      assert.ok(held !== undefined);
      // UDP: 2500 pps from one address, paced; SYN: hping3 from random addresses (spoofed), ~2000-4000 pps
      const f = kind === 'udp'
        ? { done: flooder.udpFlood(ip, 9000, 2500, 5000, 64, FLOODER).then(() => undefined), stop: () => undefined }
        : flood({ ns: INTERNET_NS, target: ip, kind, port: 8080, count: 14_000, intervalUs: 200, randSource: true, iface: uplink, timeoutMs: 20_000 });
      try {
        const detect = await until(`${ip} in defense`, 2000, async () => guard.status(ip) === 'defense' && (await nftSet('defense')).includes(ip));
        await sleep(300);
        const c1 = (await readCounters(inst.instanceId, 'ptest')).get(`c_${kind}`)!.packets;
        const g1 = (await readCounters(INTERNET_NS, 'ptest')).get(`gen${insts.indexOf(inst)}`)!.packets;
        const t1 = performance.now();
        const [made, ok] = await legitimate(ip, 10);
        const t2 = performance.now();
        assert.ok(await internet.tcpHeldEcho(held, 3000), 'a connection made before the flood goes on');
        t.diagnostic(`the connection made before answered in ${Math.round(performance.now() - t2)} ms`);
        await sleep(Math.max(0, 2500 - (performance.now() - t1)));
        const c2 = (await readCounters(inst.instanceId, 'ptest')).get(`c_${kind}`)!.packets;
        const g2 = (await readCounters(INTERNET_NS, 'ptest')).get(`gen${insts.indexOf(inst)}`)!.packets;
        const secs = (performance.now() - t1) / 1000;
        const reached = (c2 - c1) / secs;
        const sent = (g2 - g1) / secs;
        t.diagnostic(`${kind} flood: defense after ${Math.round(detect)} ms; sent ${Math.round(sent)} pps, reached the instance ${Math.round(reached)} pps (threshold ${PPS}); legitimate connections ${ok}/${made}`);
        assert.ok(sent > 2 * PPS, `the flood is well over the threshold (${Math.round(sent)} pps)`);
        if (kind === 'udp') assert.ok(reached >= 0.8 * PPS && reached <= 1.2 * PPS, `within 20% of ${PPS} pps: ${Math.round(reached)}`);
        else assert.ok(reached <= 1.2 * PPS, `at most 20% over ${PPS} pps: ${Math.round(reached)}`);
        assert.ok(ok >= 0.9 * made, `legitimate connections during the flood: ${ok}/${made}`);
        assert.equal(guard.status(ip), 'defense');
      } finally {
        f.stop();
        await f.done;
      }
    };

    await t.test('UDP flood over the PPS threshold', () => scrubbing(A, insts[0]!, 'udp'));
    await t.test('SYN flood over the PPS threshold', () => scrubbing(B, insts[1]!, 'syn'));

    await t.test('defense ends after the hold under the thresholds', async () => {
      await until(`${A} back to normal`, 2000 + 3000, () => guard.status(A) === 'normal');
      const ends = transitions(A, 'defenseEnd');
      assert.equal(ends.length, 1);
      assert.ok(ends[0]!.kind === 'defenseEnd' && ends[0]!.peakPps > 2 * PPS, JSON.stringify(ends[0]));
      assert.doesNotMatch(await nftSet('defense'), new RegExp(A.replace(/\./g, '\\.')));
    });

    await t.test('over the black-hole threshold: black hole, nothing reaches, outbound cut, peak as sent, ends after the duration', async () => {
      const instC = await probers.in(ids.c);
      assert.equal(await instC.tcpConnect(SERVER, 7000, 1500), 'open', 'the outbound internet works before');
      // 2000 pps of 1028 bytes (IP): 16.4 Mbit/s against 6, for 4 s
      const g0 = (await readCounters(INTERNET_NS, 'ptest')).get('gen2')!.bytes;
      const f = flooder.udpFlood(C, 9000, 2000, 4000, 1000, FLOODER);
      {
        const detect = await until(`${C} black-holed`, 2000, async () => guard.status(C) === 'blackhole' && (await nftSet('blackhole')).includes(C));
        await sleep(200);
        const c1 = (await readCounters(ids.c, 'ptest')).get('c_udp')!.packets;
        assert.equal(await instC.tcpConnect(SERVER, 7000, 1000), 'timeout', 'the outbound internet is cut');
        await sleep(1000);
        const c2 = (await readCounters(ids.c, 'ptest')).get('c_udp')!.packets;
        assert.equal(c2 - c1, 0, 'no packet reaches a black-holed address');
        const result = await f;
        const secs = result.seconds;
        const sentBps = (((await readCounters(INTERNET_NS, 'ptest')).get('gen2')!.bytes - g0) * 8) / secs;
        const peak = Math.max(...transitions(C).filter((tr) => 'peakBps' in tr).map((tr) => ('peakBps' in tr ? tr.peakBps : 0)));
        t.diagnostic(`black hole after ${Math.round(detect)} ms; sent ${(sentBps / 1e6).toFixed(2)} Mbit/s over ${secs.toFixed(1)} s, reported peak ${(peak / 1e6).toFixed(2)} Mbit/s`);
        t.diagnostic(`samples of ${C}: ${reports.flatMap((x) => x.r.samples).filter((x) => x.ip === C).map((x) => (x.bpsIn / 1e6).toFixed(1)).join(' ')}`);
        assert.ok(Math.abs(peak - sentBps) <= 0.2 * sentBps, `peak ${Math.round(peak)} within 20% of ${Math.round(sentBps)}`);
      }
      assert.ok(transitions(C, 'blackholeStart').length === 1);
      const ended = await until(`${C}'s black hole ends`, settings.blackholeSeconds * 1000 + 2000, () => transitions(C, 'blackholeEnd').length > 0);
      t.diagnostic(`black hole ended ${Math.round(ended)} ms after the flood (duration ${settings.blackholeSeconds} s)`);
      assert.ok(ended >= settings.blackholeSeconds * 1000 - 700, `not before its end: ${Math.round(ended)} ms`);
      assert.equal(guard.status(C), 'defense', 'back to scrubbing');
      assert.deepEqual(transitions(C).map((tr) => tr.kind).slice(-2), ['blackholeEnd', 'defenseStart']);
      assert.doesNotMatch(await nftSet('blackhole'), new RegExp(C.replace(/\./g, '\\.')));
      assert.equal(await instC.tcpConnect(SERVER, 7000, 1500), 'open', 'the outbound internet is back');
    });

    await t.test('an outbound flood over the penalty rate: penalty (outbound cut), ended after its duration', async () => {
      const instD = await probers.in(ids.d);
      assert.equal(await instD.tcpConnect(SERVER, 7000, 1500), 'open');
      // ~5000 pps out for ~1.5 s
      const f = flood({ ns: ids.d, target: SERVER, kind: 'udp', port: 9, count: 7000, intervalUs: 100, timeoutMs: 10_000 });
      try {
        const detect = await until(`${D} penalized`, 2000, async () => transitions(D, 'penaltyStart').length > 0 && (await nftSet('penalty')).includes(D));
        t.diagnostic(`penalty after ${Math.round(detect)} ms`);
        assert.equal(await instD.tcpConnect(SERVER, 7000, 800), 'timeout', 'the outbound internet is cut');
      } finally {
        await f.done;
      }
      const start = transitions(D, 'penaltyStart')[0]!;
      assert.ok(start.kind === 'penaltyStart' && start.peakPps > settings.penaltyOutPps, JSON.stringify(start));
      await until(`${D}'s penalty ends`, settings.penaltySeconds * 1000 + 2000, () => transitions(D, 'penaltyEnd').length > 0);
      assert.doesNotMatch(await nftSet('penalty'), new RegExp(D.replace(/\./g, '\\.')));
      assert.equal(await instD.tcpConnect(SERVER, 7000, 1500), 'open', 'the outbound internet is back');
      assert.equal(guard.status(D), 'normal', 'a penalty is no inbound state');
    });

    await t.test("the store's black hole is applied; an operator's release removes it; thresholds move the limits", async () => {
      ddos = { ...ddos, blackholes: [{ ip: A, until: systemClock.now() + 60_000 }] };
      revision++;
      await agent.reconcile();
      assert.equal(guard.status(A), 'blackhole');
      assert.match(await nftSet('blackhole'), new RegExp(`${A.replace(/\./g, '\\.')} timeout`));
      ddos = { ...ddos, blackholes: [], ips: ddos.ips.map((w) => (w.ip === A ? { ...w, defensePps: 800 } : w)) };
      revision++;
      await agent.reconcile();
      const end = transitions(A, 'blackholeEnd');
      assert.ok(end.length === 1 && end[0]!.kind === 'blackholeEnd' && end[0]!.released === true, JSON.stringify(end));
      assert.equal(guard.status(A), 'defense');
      assert.doesNotMatch(await nftSet('blackhole'), new RegExp(A.replace(/\./g, '\\.')));
      const limits = await nsExec(INTERNET_NS, ['nft', 'list', 'map', 'ip', 'parapet_ddos', 'lim_pps']);
      assert.match(limits.stdout, new RegExp(`${A.replace(/\./g, '\\.')} : "p_cb007115_800"`));
      // an address that goes: its elements go
      ddos = { ...ddos, ips: ddos.ips.filter((w) => w.ip !== D) };
      revision++;
      await agent.reconcile();
      const counters = await nsExec(INTERNET_NS, ['nft', 'list', 'counters', 'table', 'ip', 'parapet_ddos']);
      assert.doesNotMatch(counters.stdout, /cb007118/);
    });
  } finally {
    await probers.closeAll();
    await agent.stop();
  }
  assert.deepEqual(leftovers(PREFIX, Object.values(ids)), [], 'no namespace is left');
});
