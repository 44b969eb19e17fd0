// bench/logdest: what one request-log line costs through each destination pino can write it to,
// measured in the same run, on the server's own logger settings and the pipeline's line
// (`{ requestId, product, action, accessKeyId, status, code, ms }`, 'request'):
//  - `build only`: pino into a destination that drops the line: the cost of making it, no I/O;
//  - `pino default`: pino.destination(), what `pino()` writes stdout with (sonic-boom, async,
//    a write as soon as the previous one is done);
//  - `sonic-boom 4 KiB`: sonic-boom gathering at least 4 KiB per write, flushed every 100 ms;
//  - `sonic-boom sync`: sonic-boom writing each line before returning;
//  - `logdest`: src/logdest.ts (64 KiB chunks, at most 100 ms late).
// Each is driven as a server drives it: lines in bursts of 50 with a turn of the event loop
// between (where the asynchronous writes complete), then the destination is ended and the time
// runs until every byte is out (counted, and checked). Two targets: a file (as bench:api logs)
// and a pipe read by `cat` (as stdout usually is). Rounds rotate the order, so drift on the
// machine hits every destination alike. Printed: wall and CPU time (the process's, threads
// included) per line, the cost above `build only`, and the ratio to sonic-boom 4 KiB.
//   npm run bench:logdest            (BENCH_LINES=N per measurement, BENCH_ROUNDS=N)
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { BufferedLogDestination } from '../src/logdest.ts';

const LINES = Number(process.env['BENCH_LINES'] ?? 200_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const BURST = 50;

const dir = mkdtempSync(join(tmpdir(), 'parapet-logdest-'));
const fifo = join(dir, 'pipe');
execFileSync('mkfifo', [fifo]);
// the reader counts what it got, so the pipe runs are checked like the file runs
const reader = spawn('sh', ['-c', `cat ${fifo} | wc -c`], { stdio: ['ignore', 'pipe', 'inherit'] });
let readerOutput = '';
reader.stdout.setEncoding('utf8').on('data', (s: string) => { readerOutput += s; });
// held open for the whole run, so `cat` sees no end of file between measurements
const keeper = openSync(fifo, constants.O_WRONLY);
/** every line is as long (fixed-width fields, the time in ms since 1970 has 13 digits) */
let lineBytes = 0;
let pipeRuns = 0;
let files = 0;

type Target = 'file' | 'pipe';
interface Sink {
  stream: pino.DestinationStream;
  /** ends the destination; resolves once every line is written */
  end(): Promise<void>;
}

function fileOrFd(target: Target): { dest: string | number; path: string | undefined } {
  if (target === 'pipe') return { dest: openSync(fifo, constants.O_WRONLY), path: undefined };
  const path = join(dir, `log-${files++}`);
  return { dest: path, path };
}

function sonic(target: Target, options: { minLength?: number; periodicFlush?: number; sync?: boolean }): { sink: Sink; path: string | undefined } {
  const { dest, path } = fileOrFd(target);
  const stream = options.minLength === undefined && options.sync === undefined ? pino.destination(dest) : pino.destination({ dest, ...options });
  const end = () => new Promise<void>((resolve, reject) => {
    stream.once('close', () => resolve());
    stream.once('error', reject);
    stream.end();
  });
  return { sink: { stream, end }, path };
}

const DESTINATIONS: Record<string, (target: Target) => { sink: Sink; path: string | undefined }> = {
  'build only': () => ({ sink: { stream: { write: () => undefined }, end: () => Promise.resolve() }, path: undefined }),
  'pino default': (t) => sonic(t, {}),
  'sonic-boom 4 KiB': (t) => sonic(t, { minLength: 4096, periodicFlush: 100 }),
  'sonic-boom sync': (t) => sonic(t, { sync: true }),
  logdest: (t) => {
    const { dest, path } = fileOrFd(t);
    const stream = new BufferedLogDestination(dest);
    return {
      sink: { stream, end: () => { stream.close(); if (typeof dest === 'number') closeSync(dest); return Promise.resolve(); } },
      path,
    };
  },
};

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function measure(name: string, target: Target): Promise<{ wallUs: number; cpuUs: number }> {
  const { sink, path } = DESTINATIONS[name]!(target);
  const log = pino({ level: 'info', base: { service: 'parapet' } }, sink.stream);
  await turn();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < LINES; i += BURST) {
    for (let k = i; k < i + BURST && k < LINES; k++) {
      log.info({
        requestId: `6C3F1A2B-${k.toString(16).padStart(8, '0')}-4D5E-8F90-A1B2C3D4`, product: 'vpc', action: 'DescribeVpcs',
        accessKeyId: 'LTAI5tBenchRootKey0001', status: 200, code: undefined, ms: 0.412,
      }, 'request');
    }
    await turn();
  }
  await sink.end();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (path !== undefined) {
    const text = readFileSync(path, 'utf8');
    rmSync(path);
    const lines = text.split('\n').length - 1;
    const bytes = Buffer.byteLength(text);
    if (lines !== LINES || bytes % LINES !== 0 || (lineBytes !== 0 && bytes / LINES !== lineBytes)) {
      throw new Error(`${name} (${target}): ${lines} lines, ${bytes} bytes written, expected ${LINES} lines of one length`);
    }
    lineBytes = bytes / LINES;
  } else if (target === 'pipe' && name !== 'build only') {
    pipeRuns++; // checked in total once the reader ends
  }
  return { wallUs: (wall * 1000) / LINES, cpuUs: (cpu.user + cpu.system) / LINES };
}

const names = Object.keys(DESTINATIONS);
const results = new Map<string, { wall: number[]; cpu: number[] }>();
console.log(`request log lines through each destination: ${LINES.toLocaleString('en-US')} lines per measurement, bursts of ${BURST}, ${ROUNDS} rounds, node ${process.version}, pino ${pino.version}`);
// one untimed pass first, so every destination runs compiled code when it is measured
for (const target of ['file', 'pipe'] as const) for (const name of names) await measure(name, target);
for (let round = 0; round < ROUNDS; round++) {
  for (const target of ['file', 'pipe'] as const) {
    // rotate the order each round
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) {
      const r = await measure(name, target);
      const key = `${target}\u0000${name}`;
      const entry = results.get(key) ?? { wall: [], cpu: [] };
      entry.wall.push(r.wallUs);
      entry.cpu.push(r.cpuUs);
      results.set(key, entry);
    }
  }
}

closeSync(keeper);
const received = await new Promise<number>((resolve) => reader.on('close', () => resolve(Number(readerOutput.trim()))));
rmSync(dir, { recursive: true, force: true });

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f = (x: number) => x.toFixed(3).padStart(7);
for (const target of ['file', 'pipe'] as const) {
  const get = (name: string) => results.get(`${target}\u0000${name}`)!;
  const build = get('build only');
  const base = get('sonic-boom 4 KiB');
  console.log(`\n${target === 'file' ? 'to a file' : 'to a pipe (cat)'}: µs per line, mean of ${ROUNDS} (wall | CPU, threads included)`);
  for (const name of names) {
    const r = get(name);
    const above = name === 'build only' ? '' : `   above build: ${f(mean(r.wall) - mean(build.wall))} | ${f(mean(r.cpu) - mean(build.cpu))}`;
    const ratio = name === 'build only' ? '' : `   ×sonic-boom 4 KiB: ${(mean(r.wall) / mean(base.wall)).toFixed(2)} | ${(mean(r.cpu) / mean(base.cpu)).toFixed(2)}`;
    console.log(`  ${name.padEnd(17)} ${f(mean(r.wall))} | ${f(mean(r.cpu))}${above}${ratio}`);
  }
}
const expected = pipeRuns * LINES * lineBytes;
console.log(`\nlines of ${lineBytes} bytes; the pipe's reader received ${received.toLocaleString('en-US')} bytes, expected ${expected.toLocaleString('en-US')}`);
if (received !== expected) throw new Error('lines were lost on the pipe');
