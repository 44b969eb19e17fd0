// bench/keypairs: CreateKeyPair latency through the API with the background key pool and without
// it (PARAPET_KEYPAIR_POOL=0), in one run: one request every 200 ms, then a burst that drains the
// pool.   npx tsx bench/keypairs.ts
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChild } from './lib/servers.ts';
import { buildSigned, send } from '../test/helpers/sign.ts';
import { BENCH_ROOT } from './lib/root.ts';

const PACED = Number(process.env['BENCH_PACED'] ?? 25);
const BURST = Number(process.env['BENCH_BURST'] ?? 12);

async function measure(label: string, pool: string): Promise<void> {
  const server = await startChild('parapet', { PARAPET_KEYPAIR_POOL: pool });
  let n = 0;
  const create = async () => {
    const r = buildSigned({ endpoint: server.endpoint, ...BENCH_ROOT, version: '2014-05-26', action: 'CreateKeyPair', params: { RegionId: 'cn-hangzhou', KeyPairName: `bench-${n++}` }, nonce: randomBytes(16).toString('hex') });
    const t0 = performance.now();
    const res = await send(server.endpoint, r);
    if (res.status !== 200) throw new Error(res.body);
    return performance.now() - t0;
  };
  await create(); // warm up; also lets the pool start filling
  await sleep(2000);
  const paced: number[] = [];
  for (let i = 0; i < PACED; i++) { paced.push(await create()); await sleep(200); }
  const burst: number[] = [];
  for (let i = 0; i < BURST; i++) burst.push(await create());
  await server.stop();
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(1);
  console.log(`${label}: one request per 200 ms (${PACED}): p50 ${q(paced, 0.5)} ms, p99 ${q(paced, 0.99)} ms; back-to-back burst of ${BURST}: p50 ${q(burst, 0.5)} ms, p99 ${q(burst, 0.99)} ms, first ${burst.slice(0, 5).map((x) => x.toFixed(0)).join('/')} ms`);
}

await measure('with pool (4 keys)', '4');
await measure('without pool      ', '0');
console.log('goal: p50 under 10 ms with the pool at one request per 200 ms');
