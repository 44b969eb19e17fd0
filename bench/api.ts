// bench/api: throughput of a signed v3 read (`DescribeVpcs`) through the whole Parapet path
// (decode, verify, authenticate, authorize, read, render, log) against a bare fastify handler
// returning the same bytes, measured in one run: rounds alternate between the two servers so
// drift on the machine hits both alike. Prints each round, the means and their ratio. A third
// server, identical but remembering nonces in its own memory instead of the store, measures what
// shared nonces (one signed request accepted once across servers and restarts) cost.
//   npm run bench:api            (BENCH_SECONDS=N per round, BENCH_ROUNDS=N rounds)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from './lib/servers.ts';
import { runLoad, serialize, type LoadResult } from './lib/load.ts';
import { buildSigned, send } from '../test/helpers/sign.ts';
import { BENCH_ROOT } from './lib/root.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

const parapet = await startChild('parapet');
const local = await startChild('parapet', { BENCH_NONCES: 'memory' });
const ep = parapet.endpoint;
const sign = (action: string, params: Record<string, string>) =>
  buildSigned({ endpoint: ep, ...BENCH_ROOT, version: '2016-04-28', action, params, nonce: randomBytes(16).toString('hex') });
for (const target of [parapet.endpoint, local.endpoint]) {
  for (let i = 0; i < 3; i++) {
    const r = await send(target, buildSigned({ endpoint: target, ...BENCH_ROOT, version: '2016-04-28', action: 'CreateVpc', params: { RegionId: 'cn-hangzhou', VpcName: `bench-${i}`, CidrBlock: '10.0.0.0/16' }, nonce: randomBytes(16).toString('hex') }));
    if (r.status !== 200) throw new Error('setup failed: ' + r.body);
  }
}
const sample = await send(ep, sign('DescribeVpcs', { RegionId: 'cn-hangzhou' }));
if (sample.status !== 200) throw new Error('DescribeVpcs failed: ' + sample.body);

// Unique signed requests for every Parapet round (at up to 60k req/s); a nonce is never sent
// twice. Signed just before each round, outside its timing, so the load generator never holds
// more than one round of them (a heap of millions of requests slows it down).
const perRound = Math.ceil(SECONDS * 60000);
const fresh = () => Array.from({ length: perRound }, () => serialize(sign('DescribeVpcs', { RegionId: 'cn-hangzhou' })));
// bare fastify checks nothing: one set serves all its rounds
const bareRequests = fresh();

const bodyFile = join(mkdtempSync(join(tmpdir(), 'parapet-bench-body-')), 'body.json');
writeFileSync(bodyFile, sample.body);
const bare = await startChild('bare', { BENCH_BARE_BODY: bodyFile });

const fmt = (r: LoadResult) => `${r.rps.toFixed(0).padStart(6)} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors})`;
// warm-up of both, not measured
await runLoad(bare.endpoint, bareRequests.slice(0, 20000), 1);
await runLoad(ep, fresh(), 1);
await runLoad(local.endpoint, fresh(), 1);
const bareRuns: LoadResult[] = [];
const fullRuns: LoadResult[] = [];
const localRuns: LoadResult[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const b = await runLoad(bare.endpoint, bareRequests, SECONDS);
  const forParapet = fresh();
  const f = await runLoad(ep, forParapet, SECONDS);
  const forLocal = fresh();
  const l = await runLoad(local.endpoint, forLocal, SECONDS);
  bareRuns.push(b);
  fullRuns.push(f);
  localRuns.push(l);
  console.log(`round ${round}: bare fastify ${fmt(b)}`);
  console.log(`round ${round}: parapet      ${fmt(f)}`);
  console.log(`round ${round}: parapet, nonces in process memory ${fmt(l)}`);
}
await bare.stop();
await parapet.stop();
await local.stop();

const mean = (rs: LoadResult[]) => rs.reduce((a, r) => a + r.rps, 0) / rs.length;
const ratio = mean(fullRuns) / mean(bareRuns);
console.log(`response body: ${sample.body.length} bytes; ${ROUNDS} rounds of ${SECONDS} s each`);
console.log(`bare fastify returning the same bytes: ${mean(bareRuns).toFixed(0)} req/s (mean)`);
console.log(`parapet DescribeVpcs, signed v3:       ${mean(fullRuns).toFixed(0)} req/s (mean)`);
console.log(`ratio parapet / bare:                  ${ratio.toFixed(3)} (goal >= 0.40)`);
console.log(`parapet with nonces in process memory: ${mean(localRuns).toFixed(0)} req/s (mean)`);
console.log(`shared nonces (in the store) cost:     ${((1 - mean(fullRuns) / mean(localRuns)) * 100).toFixed(1)}% of reads/s`);
if (fullRuns.some((r) => r.non2xx > 0 || r.errors > 0) || localRuns.some((r) => r.non2xx > 0 || r.errors > 0)) {
  console.log('FAIL: some measured requests did not succeed');
  process.exitCode = 1;
}
