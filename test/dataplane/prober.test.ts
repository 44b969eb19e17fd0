// The namespace prober itself (test/helpers/netns.ts): two namespaces joined by a veth pair, real
// TCP/UDP/ICMP between them, and an nftables drop in one of them turning each probe negative.
// Needs root; skipped otherwise (or failed, with PARAPET_REQUIRE_ROOT=1).
// INVARIANT: nothing is added to the host's own network namespace: links are created with
// `ip -n <ns>` and both ends live in the test namespaces.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Prober, nsExec, ping, rootTestOptions, run } from '../helpers/netns.ts';

const NS_A = `ptest-a-${process.pid}`;
const NS_B = `ptest-b-${process.pid}`;
const IP_A = '10.99.0.1';
const IP_B = '10.99.0.2';
const TCP_PORT = 8080;
const UDP_PORT = 5353;

async function must(cmd: string, args: string[]): Promise<string> {
  const r = await run(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

async function deleteNamespaces(): Promise<void> {
  // Best effort: either may not exist (setup failed early, or no stale one from an earlier run).
  await Promise.all([NS_A, NS_B].map((ns) => run('ip', ['netns', 'del', ns]).catch(() => undefined)));
}

async function dropAllInput(ns: string): Promise<void> {
  await must('ip', ['netns', 'exec', ns, 'nft', 'add', 'table', 'inet', 't']);
  await must('ip', ['netns', 'exec', ns, 'nft', 'add', 'chain', 'inet', 't', 'c', '{ type filter hook input priority 0; policy drop; }']);
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

describe('netns prober', rootTestOptions(), () => {
  const probers: Prober[] = [];
  let a: Prober;
  let b: Prober;
  const startProber = async (ns: string): Promise<{ prober: Prober; ms: number }> => {
    const t0 = performance.now();
    const prober = await Prober.start(ns);
    probers.push(prober);
    return { prober, ms: performance.now() - t0 };
  };

  before(async () => {
    await deleteNamespaces();
    await must('ip', ['netns', 'add', NS_A]);
    await must('ip', ['netns', 'add', NS_B]);
    await must('ip', ['-n', NS_A, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS_B]);
    for (const [ns, ip] of [[NS_A, IP_A], [NS_B, IP_B]] as const) {
      await must('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      await must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await must('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    }
    a = (await startProber(NS_A)).prober;
    b = (await startProber(NS_B)).prober;
    await b.tcpListen(TCP_PORT);
    await b.udpListen(UDP_PORT);
  });

  after(async () => {
    await Promise.all(probers.map((p) => p.close()));
    await deleteNamespaces();
  });

  test('start latency: sequential and 10 at once', async (t) => {
    const sequential: number[] = [];
    for (let i = 0; i < 5; i++) sequential.push((await startProber(NS_A)).ms);
    const t0 = performance.now();
    const parallel = await Promise.all(Array.from({ length: 10 }, () => startProber(NS_B)));
    const wall = performance.now() - t0;
    t.diagnostic(`Prober.start sequential: median ${median(sequential).toFixed(0)} ms, max ${Math.max(...sequential).toFixed(0)} ms`);
    t.diagnostic(`Prober.start 10 in parallel: ${wall.toFixed(0)} ms wall, max ${Math.max(...parallel.map((p) => p.ms)).toFixed(0)} ms each`);
    // Every started prober answers (and is closed by after()).
    for (const { prober } of parallel) assert.equal(await prober.tcpConnect(IP_B, TCP_PORT), 'open');
  });

  test('Prober.start on a missing namespace rejects, naming it', async () => {
    await assert.rejects(Prober.start(`ptest-missing-${process.pid}`), /ptest-missing-\d+.*exited before ready/s);
  });

  test('tcpConnect: open to a listener, refused on a closed port, from a chosen local endpoint', async () => {
    assert.equal(await a.tcpConnect(IP_B, TCP_PORT), 'open');
    assert.equal(await a.tcpConnect(IP_B, TCP_PORT + 1), 'refused');
    assert.equal(await a.tcpConnect(IP_B, TCP_PORT, 700, { localAddress: IP_A, localPort: 40001 }), 'open');
  });

  test('udpProbe: echoed by a listener, not by a closed port', async () => {
    assert.equal(await a.udpProbe(IP_B, UDP_PORT), true);
    assert.equal(await a.udpProbe(IP_B, UDP_PORT, 700, { localPort: 40002 }), true);
    assert.equal(await a.udpProbe(IP_B, UDP_PORT + 1, 300), false);
  });

  test('ping across the veth', async () => {
    assert.equal(await ping(NS_A, IP_B), true);
    const r = await nsExec(NS_A, ['ip', '-br', 'addr', 'show', 'dev', 'eth0']);
    assert.match(r.stdout, /10\.99\.0\.1\/24/);
  });

  test('tcpHold + tcpHeldEcho on a live connection', async () => {
    const id = await a.tcpHold(IP_B, TCP_PORT);
    assert.ok(id !== undefined);
    assert.equal(await a.tcpHeldEcho(id), true);
    assert.equal(await a.tcpHeldEcho(id), true);
    await assert.rejects(a.tcpHeldEcho(9999), /unknown held connection 9999/);
    assert.equal(await a.tcpHold(IP_B, TCP_PORT + 1), undefined);
  });

  test('tcpConnectRate over 500 ms', async (t) => {
    const rate = await a.tcpConnectRate(IP_B, TCP_PORT, 500, 4);
    t.diagnostic(`tcpConnectRate: ${rate.connections} connections, ${rate.failures} failures in ${rate.seconds.toFixed(3)} s (${Math.round(rate.connections / rate.seconds)}/s, 4 loops)`);
    assert.ok(rate.connections > 0);
    assert.equal(rate.failures, 0);
  });

  test('an nftables input drop in B: timeout, no UDP echo, no ping, held connection stalls then recovers', async () => {
    const held = await a.tcpHold(IP_B, TCP_PORT);
    assert.ok(held !== undefined);
    assert.equal(await a.tcpHeldEcho(held), true);
    await dropAllInput(NS_B);
    try {
      assert.equal(await a.tcpConnect(IP_B, TCP_PORT), 'timeout');
      assert.equal(await a.tcpConnect(IP_B, TCP_PORT + 1, 300), 'timeout'); // no RST either
      assert.equal(await a.udpProbe(IP_B, UDP_PORT, 300), false);
      assert.equal(await ping(NS_A, IP_B), false);
      assert.equal(await a.tcpHold(IP_B, TCP_PORT, 300), undefined);
      assert.equal(await a.tcpHeldEcho(held, 500), false);
    } finally {
      await must('ip', ['netns', 'exec', NS_B, 'nft', 'delete', 'table', 'inet', 't']);
    }
    // The stalled line is retransmitted once the drop is gone; RTO backoff makes this take a while.
    assert.equal(await a.tcpHeldEcho(held, 5000), true);
    assert.equal(await a.tcpConnect(IP_B, TCP_PORT), 'open');
  });
});
