// bench/controlplane, in one run, on SQLite and on PostgreSQL:
//  - AuthorizeSecurityGroup + RevokeSecurityGroup pairs per second (16 connections, each on its
//    own group, authorize then revoke of one rule, in order; goal on PostgreSQL >= 2,000 writes/s
//    on one server, with the quota locks in place), and the same on PostgreSQL with nonces kept
//    in process memory instead of the store (what shared nonces cost);
//  - DescribeSecurityGroupAttribute per second on a group with 200 rules, against a bare fastify
//    handler answering the same bytes (ratio; goal >= 0.3);
//  - DescribeSecurityGroups latency with 10,000 groups in the region.
//   npm run bench:controlplane      (BENCH_SECONDS=N per measurement; PARAPET_TEST_DATABASE_URL for PostgreSQL)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startChild, type BenchServer } from './lib/servers.ts';
import { runLoad, serialize } from './lib/load.ts';
import { buildSigned, send } from '../test/helpers/sign.ts';
import { BENCH_ROOT } from './lib/root.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const PG_URL = process.env['PARAPET_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 10000);
const R = 'cn-hangzhou';

function signer(endpoint: string) {
  return (action: string, params: Record<string, string>) =>
    buildSigned({ endpoint, ...BENCH_ROOT, version: '2014-05-26', action, params, nonce: randomBytes(16).toString('hex') });
}

async function call(endpoint: string, action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const r = await send(endpoint, signer(endpoint)(action, params));
  if (r.status !== 200) throw new Error(`${action} failed: ${r.body}`);
  return r.json!;
}

/** Authorize+revoke pairs on 16 connections, each on its own group; returns writes/s. */
async function measureWrites(label: string, server: BenchServer): Promise<{ vpcId: string; rps: number }> {
  const ep = server.endpoint;
  const sign = signer(ep);
  const vpcId = String((await send(ep, buildSigned({ endpoint: ep, ...BENCH_ROOT, version: '2016-04-28', action: 'CreateVpc', params: { RegionId: R, CidrBlock: '10.0.0.0/16' } }))).json!['VpcId']);
  const writers = 16;
  const groups: string[] = [];
  for (let i = 0; i < writers; i++) groups.push(String((await call(ep, 'CreateSecurityGroup', { RegionId: R, VpcId: vpcId })).SecurityGroupId));
  const pairsPerConn = Math.ceil((SECONDS * 8000) / writers);
  const streams = groups.map((g) => {
    const out: Buffer[] = [];
    for (let i = 0; i < pairsPerConn; i++) {
      const rule = { RegionId: R, SecurityGroupId: g, 'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': `${1 + (i % 60000)}/${1 + (i % 60000)}`, 'Permissions.1.SourceCidrIp': '10.0.0.0/8' };
      out.push(serialize(sign('AuthorizeSecurityGroup', rule)), serialize(sign('RevokeSecurityGroup', rule)));
    }
    return out;
  });
  const writes = await runLoad(ep, [], SECONDS, writers, 1, streams);
  console.log(`[${label}] AuthorizeSecurityGroup+RevokeSecurityGroup: ${(writes.rps / 2).toFixed(0)} pairs/s = ${writes.rps.toFixed(0)} writes/s (p50 ${writes.p50} ms, p99 ${writes.p99} ms, non-2xx ${writes.non2xx}, errors ${writes.errors})`);
  if (writes.non2xx > 0 || writes.errors > 0) process.exitCode = 1;
  return { vpcId, rps: writes.rps };
}

async function measure(engine: string, server: BenchServer): Promise<void> {
  const ep = server.endpoint;
  const sign = signer(ep);
  const writers = 16;
  const { vpcId } = await measureWrites(engine, server);

  // reads: a 200-rule group
  const big = String((await call(ep, 'CreateSecurityGroup', { RegionId: R, VpcId: vpcId })).SecurityGroupId);
  for (let b = 0; b < 2; b++) {
    const params: Record<string, string> = { RegionId: R, SecurityGroupId: big };
    for (let i = 1; i <= 100; i++) {
      const port = 10000 + b * 100 + i;
      Object.assign(params, { [`Permissions.${i}.IpProtocol`]: 'tcp', [`Permissions.${i}.PortRange`]: `${port}/${port}`, [`Permissions.${i}.SourceCidrIp`]: `10.${b}.${i}.0/24`, [`Permissions.${i}.Priority`]: String(1 + (i % 100)), [`Permissions.${i}.Description`]: `rule ${b}-${i}` });
    }
    await call(ep, 'AuthorizeSecurityGroup', params);
  }
  const sample = await send(ep, sign('DescribeSecurityGroupAttribute', { RegionId: R, SecurityGroupId: big }));
  const count = ((sample.json!['Permissions'] as { Permission: unknown[] }).Permission).length;
  if (count !== 200) throw new Error(`expected 200 rules, got ${count}`);
  const reads = Array.from({ length: SECONDS * 40000 }, () => serialize(sign('DescribeSecurityGroupAttribute', { RegionId: R, SecurityGroupId: big })));
  await runLoad(ep, reads.slice(0, 10000), 1);
  const readResult = await runLoad(ep, reads.slice(10000), SECONDS);

  const bodyFile = join(mkdtempSync(join(tmpdir(), 'parapet-bench-body-')), 'body.json');
  writeFileSync(bodyFile, sample.body);
  const bare = await startChild('bare', { BENCH_BARE_BODY: bodyFile });
  await runLoad(bare.endpoint, reads.slice(0, 20000), 1);
  const bareResult = await runLoad(bare.endpoint, reads, SECONDS);
  await bare.stop();
  console.log(`[${engine}] DescribeSecurityGroupAttribute, 200 rules (${sample.body.length} bytes): ${readResult.rps.toFixed(0)} req/s (p50 ${readResult.p50} ms, non-2xx ${readResult.non2xx}); bare fastify same bytes ${bareResult.rps.toFixed(0)} req/s; ratio ${(readResult.rps / bareResult.rps).toFixed(3)} (goal >= 0.3)`);

  // 10,000 groups in the region
  const t0 = performance.now();
  const creates = Array.from({ length: GROUPS - writers }, (_, i) => serialize(sign('CreateSecurityGroup', { RegionId: R, VpcId: vpcId, SecurityGroupName: `g${i}` })));
  const created = await runLoad(ep, creates, 600, 8, 1);
  console.log(`[${engine}] created ${created.total} more groups in ${((performance.now() - t0) / 1000).toFixed(1)} s (${created.rps.toFixed(0)}/s, non-2xx ${created.non2xx})`);
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) {
    const params: Record<string, string> = i % 2 === 0 ? { RegionId: R, PageSize: '50', PageNumber: String(1 + (i % 200)) } : { RegionId: R, SecurityGroupName: `g${(i * 37) % (GROUPS - writers)}` };
    const s = performance.now();
    const r = await send(ep, sign('DescribeSecurityGroups', params));
    lat.push(performance.now() - s);
    if (r.status !== 200 || Number(r.json!['TotalCount']) < 1) throw new Error('DescribeSecurityGroups failed: ' + r.body.slice(0, 200));
    if (i === 0) console.log(`[${engine}] DescribeSecurityGroups over ${String(r.json!['TotalCount'])} groups: first call (cold) ${lat[0]!.toFixed(1)} ms`);
  }
  lat.sort((a, b) => a - b);
  console.log(`[${engine}] DescribeSecurityGroups with ${GROUPS} groups, 200 sequential calls (pages of 50 and name filters): p50 ${lat[100]!.toFixed(2)} ms, p99 ${lat[197]!.toFixed(2)} ms`);
}

const env = { PARAPET_LIMIT_SECURITY_GROUPS_PER_REGION: String(GROUPS + 100), PARAPET_LIMIT_VPCS_PER_REGION: '100' };
const sqlite = await startChild('parapet', env);
try { await measure('sqlite', sqlite); } finally { await sqlite.stop(); }

const dropSchema = async (schema: string) => {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`drop schema if exists ${schema} cascade`);
  await c.end();
};
const schema = 'parapet_bench_' + randomBytes(4).toString('hex');
const postgres = await startChild('parapet', { ...env, PARAPET_DATABASE_URL: PG_URL, PARAPET_DATABASE_SCHEMA: schema });
try {
  await measure('postgres', postgres);
} finally {
  await postgres.stop();
  await dropSchema(schema);
}
// what shared nonces cost on writes: the same server with nonces in its own memory
const baselineSchema = 'parapet_bench_' + randomBytes(4).toString('hex');
const baseline = await startChild('parapet', { ...env, PARAPET_DATABASE_URL: PG_URL, PARAPET_DATABASE_SCHEMA: baselineSchema, BENCH_NONCES: 'memory' });
try {
  await measureWrites('postgres, nonces in process memory', baseline);
} finally {
  await baseline.stop();
  await dropSchema(baselineSchema);
}
