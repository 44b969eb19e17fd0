// bench/cli: what the `parapet` command costs over the request itself. Against a server in this
// process, N alternating runs of (a) `parapet ecs DescribeRegions` (bin/parapet.mjs, the installed
// command: the bundled API client when it is built and fresh) and (b) a bare `node -e` that signs
// the same request (v3, HMAC-SHA256, no library) and sends it; prints each side's median wall time
// and the difference. Also (c) the same command through tsx from the sources (bin/parapet.ts), for
// comparison. Goal: (a) - (b) <= 300 ms.
//   npm run bench:cli      (BENCH_RUNS=N, default 15)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestServer, ROOT } from '../test/helpers/server.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);
const root = fileURLToPath(new URL('..', import.meta.url));
const server = await startTestServer();
const env = { ...process.env, PARAPET_ENDPOINT: server.endpoint, ALIBABA_CLOUD_ACCESS_KEY_ID: ROOT.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ROOT.accessKeySecret };

const BARE = `
const { createHash, createHmac, randomBytes } = require('node:crypto');
const http = require('node:http');
const [host, port] = process.env.PARAPET_ENDPOINT.split(':');
const sha = (s) => createHash('sha256').update(s).digest('hex');
const h = { host: process.env.PARAPET_ENDPOINT, 'x-acs-action': 'DescribeRegions', 'x-acs-content-sha256': sha(''), 'x-acs-date': new Date().toISOString().replace(/\\.\\d{3}Z$/, 'Z'),
  'x-acs-signature-nonce': randomBytes(16).toString('hex'), 'x-acs-version': '2014-05-26' };
const names = Object.keys(h).sort();
const canonical = ['POST', '/', '', ...names.map((n) => n + ':' + h[n]), '', names.join(';'), sha('')].join('\\n');
const sig = createHmac('sha256', process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET).update('ACS3-HMAC-SHA256\\n' + sha(canonical)).digest('hex');
h.authorization = 'ACS3-HMAC-SHA256 Credential=' + process.env.ALIBABA_CLOUD_ACCESS_KEY_ID + ',SignedHeaders=' + names.join(';') + ',Signature=' + sig;
http.request({ host, port, method: 'POST', path: '/', headers: { ...h, 'content-length': '0' } }, (res) => {
  let b = ''; res.on('data', (c) => b += c); res.on('end', () => { if (res.statusCode !== 200) { console.error(b); process.exit(1); } process.stdout.write(b); });
}).end();
`;

// asynchronous: the server answering the child runs in this process
const wall = (args: string[]): Promise<number> => new Promise((resolve, reject) => {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  child.on('close', (code) => {
    const ms = performance.now() - t0;
    if (code !== 0 || !out.includes('cn-hangzhou')) reject(new Error(`${args.join(' ')}: ${String(code)} ${err}`));
    else resolve(ms);
  });
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cli: number[] = [];
const bare: number[] = [];
const fromSources: number[] = [];
for (let i = 0; i < RUNS; i++) {
  cli.push(await wall(['bin/parapet.mjs', 'ecs', 'DescribeRegions']));
  bare.push(await wall(['-e', BARE]));
  if (i < 5) fromSources.push(await wall(['--import', 'tsx', 'bin/parapet.ts', 'ecs', 'DescribeRegions']));
}
await server.stop();
console.log(`parapet ecs DescribeRegions (bin/parapet.mjs): median ${median(cli).toFixed(0)} ms; bare node -e signed request: median ${median(bare).toFixed(0)} ms (${RUNS} runs each, alternating)`);
console.log(`the command's start-up over the request: ${(median(cli) - median(bare)).toFixed(0)} ms (goal <= 300 ms); from the sources through tsx: median ${median(fromSources).toFixed(0)} ms (5 runs)`);
