// Floods for Anti-DDoS tests and the benchmark: Debian's hping3 inside a network namespace the
// test made, always bounded by a packet count and a deadline (SIGKILL), and counters read from
// nftables to know what was sent and what arrived.
// INVARIANT: every flood ends by itself: `count` packets at `intervalUs`, or `timeoutMs`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { nsExec } from './netns.ts';
import { run } from '../../src/dataplane/sh.ts';

export const HPING3 = '/usr/sbin/hping3';

export interface FloodSpec {
  ns: string;
  target: string;
  kind: 'udp' | 'syn';
  port: number;
  /** packets to send, at most */
  count: number;
  /** microseconds between packets (hping3 -i u…; the real rate is what the counters say) */
  intervalUs: number;
  /** payload bytes (udp) */
  size?: number;
  /** a random source address per packet (a spoofed flood; hping3 then ignores send errors, as a drop in the sender's own namespace gives) */
  randSource?: boolean;
  /** the interface to send from (needed where no default route names one) */
  iface?: string;
  /** the deadline (default: twice the nominal duration plus 5 s) */
  timeoutMs?: number;
}

export interface Flood {
  /** resolves when hping3 ended (its count sent, or killed at the deadline) */
  done: Promise<void>;
  started: number;
  stop(): void;
}

export function hping3Missing(): string | undefined {
  return existsSync(HPING3) ? undefined : `${HPING3} is missing (apt-get install hping3)`;
}

export function flood(f: FloodSpec): Flood {
  const args = [
    'netns', 'exec', f.ns, HPING3, '-q', f.kind === 'udp' ? '--udp' : '-S', '-p', String(f.port),
    '-c', String(f.count), '-i', `u${f.intervalUs}`,
    ...(f.size !== undefined ? ['-d', String(f.size)] : []),
    ...(f.randSource === true ? ['--rand-source'] : []),
    ...(f.iface !== undefined ? ['-I', f.iface] : []),
    f.target,
  ];
  const child = spawn('ip', args, { stdio: ['ignore', 'ignore', 'ignore'] });
  const timeoutMs = f.timeoutMs ?? Math.ceil((f.count * f.intervalUs) / 1000) * 2 + 5000;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<void>((resolve) => {
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.once('error', () => { clearTimeout(timer); resolve(); });
  });
  return { done, started: performance.now(), stop: () => { child.kill('SIGKILL'); } };
}

/** Makes table `ip {table}` in `ns` with named counters, each counting what its rule matches, in the given hook. */
export async function addCounters(ns: string, table: string, hook: 'prerouting' | 'output', counters: Record<string, string>): Promise<void> {
  const lines = [`table ip ${table} {`];
  for (const name of Object.keys(counters)) lines.push(`  counter ${name} {}`);
  lines.push(`  chain c { type filter hook ${hook} priority -500; policy accept;`);
  for (const [name, match] of Object.entries(counters)) lines.push(`    ${match} counter name "${name}"`);
  lines.push('  }', '}');
  const r = await run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: lines.join('\n') + '\n', timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`counters in ${ns}: ${r.stderr}`);
}

/** The named counters of `ip {table}` in `ns`: name -> packets and bytes. */
export async function readCounters(ns: string, table: string): Promise<Map<string, { packets: number; bytes: number }>> {
  const r = await nsExec(ns, ['nft', '-j', 'list', 'counters', 'table', 'ip', table]);
  if (r.code !== 0) throw new Error(`counters of ${table} in ${ns}: ${r.stderr}`);
  const out = new Map<string, { packets: number; bytes: number }>();
  // the shape `nft -j` prints
  const doc = JSON.parse(r.stdout) as { nftables: Array<{ counter?: { name: string; packets: number; bytes: number } }> };
  for (const item of doc.nftables) if (item.counter !== undefined) out.set(item.counter.name, { packets: item.counter.packets, bytes: item.counter.bytes });
  return out;
}

