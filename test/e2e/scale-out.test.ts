// Several servers, restarts and a database that goes away: a signed request is accepted once
// across servers and restarts (future-dated ones included); a lost PostgreSQL answers
// ServiceUnavailable and the server comes back by itself; a revoked permission stops working on
// every server within 2 s even when a server's LISTEN connection is gone.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestServer, freshSchema, dropSchema, cleanups, ROOT, type TestServer } from '../helpers/server.ts';
import { buildSigned, send, type BuiltRequest, type RawResponse } from '../helpers/sign.ts';
import { POSTGRES_URL, probedEngines } from '../helpers/stores.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { ManualClock, isoSeconds } from '../../src/clock.ts';

const VPC = '2016-04-28';
const RAM = '2015-05-01';
const R = 'cn-hangzhou';

const signed = (s: TestServer, action: string, params: Record<string, string>, extra: Partial<Parameters<typeof buildSigned>[0]> = {}) =>
  buildSigned({ endpoint: s.endpoint, ...ROOT, version: VPC, action, params, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, deadlineMs: number, probe: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - t0;
    if (performance.now() - t0 > deadlineMs) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await sleep(50);
  }
}

// every engine probed before any suite is declared (test/helpers/stores.ts says why)
const probed = await probedEngines();
for (const { engine, skip } of probed) {
  describe(`a signed request is accepted once: ${engine.name}`, () => {
    if (skip !== undefined) {
      test(`skipped: ${skip}`, { skip });
      return;
    }

    test('across a restart on the same data', async () => {
      const schema = engine.name === 'postgres' ? freshSchema() : undefined;
      const first = await startTestServer({ engine: engine.name, ...(schema !== undefined ? { schema } : {}) });
      const dataDir = first.dataDir;
      const req = signed(first, 'CreateVpc', { RegionId: R, CidrBlock: '10.0.0.0/16' });
      assert.equal((await send(first.endpoint, req)).status, 200);
      assert.equal((await send(first.endpoint, req)).json?.['Code'], 'SignatureNonceUsed');
      await first.close();
      const second = await startTestServer({ engine: engine.name, dataDir, ...(schema !== undefined ? { schema } : {}) });
      try {
        // the same bytes (the signed host header names the first server's port, which is fine)
        const replay = await send(second.endpoint, req);
        assert.equal(replay.json?.['Code'], 'SignatureNonceUsed', `replayed after a restart: ${replay.body}`);
        const vpcs = await send(second.endpoint, signed(second, 'DescribeVpcs', { RegionId: R }));
        assert.equal(vpcs.json?.['TotalCount'], 1, 'the write ran once');
      } finally {
        await second.stop();
        if (schema !== undefined) await dropSchema(schema);
      }
    });

    test('a request dated 14 minutes ahead is refused as long as it could be fresh (29 minutes)', async () => {
      const t0 = Date.UTC(2026, 10, 30, 8, 0, 0);
      const clock = new ManualClock(t0);
      const s = await startTestServer({ engine: engine.name, clock });
      try {
        clock.advance(14 * 60_000);
        const ahead = signed(s, 'CreateVpc', { RegionId: R, CidrBlock: '10.0.0.0/16' }, { date: isoSeconds(clock.now() + 14 * 60_000) });
        assert.equal((await send(s.endpoint, ahead)).status, 200);
        clock.advance(2 * 60_000);
        assert.equal((await send(s.endpoint, signed(s, 'DescribeVpcs', { RegionId: R }, { date: isoSeconds(clock.now()) }))).status, 200);
        clock.advance(15 * 60_000);
        // 17 minutes after it was first seen, 3 minutes past its date: still fresh, so still refused
        const replay = await send(s.endpoint, ahead);
        assert.equal(replay.json?.['Code'], 'SignatureNonceUsed', replay.body);
        clock.advance(13 * 60_000);
        assert.equal((await send(s.endpoint, ahead)).json?.['Code'], 'InvalidTimeStamp.Expired', 'and once it is stale the clock check refuses it');
      } finally {
        await s.stop();
      }
    });
  });
}

const pgSkip = probed.find((p) => p.engine.name === 'postgres')!.skip;
describe('several servers on one PostgreSQL', () => {
  const skip = pgSkip;
  if (skip !== undefined) {
    test(`skipped: ${skip}`, { skip });
    return;
  }
  const pgTarget = new URL(POSTGRES_URL);
  const viaProxy = (p: TcpProxy) => { const u = new URL(POSTGRES_URL); u.hostname = '127.0.0.1'; u.port = String(p.port); return u.toString(); };
  let admin: pg.Client;
  before(async () => {
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
  });
  after(async () => { await admin.end(); });

  test('a signed write is accepted by one server only', async (t) => {
    const defer = cleanups(t);
    const schema = freshSchema();
    defer(() => dropSchema(schema));
    const a = await startTestServer({ engine: 'postgres', schema });
    defer(() => a.stop());
    const b = await startTestServer({ engine: 'postgres', schema });
    defer(() => b.stop());
    const req = signed(a, 'CreateVpc', { RegionId: R, CidrBlock: '10.0.0.0/16' });
    const results = await Promise.all([send(a.endpoint, req), send(b.endpoint, req), send(a.endpoint, req), send(b.endpoint, req)]);
    assert.deepEqual(results.map((r) => r.status === 200 ? 'ok' : String(r.json?.['Code'])).sort(), ['SignatureNonceUsed', 'SignatureNonceUsed', 'SignatureNonceUsed', 'ok']);
  });

  test('servers start while other schemas of the database come and go', async (t) => {
    const defer = cleanups(t);
    // another deployment (or test) making and dropping schemas of its own the whole time
    const churn = new pg.Client({ connectionString: POSTGRES_URL });
    await churn.connect();
    defer(() => churn.end());
    let stop = false;
    let rounds = 0;
    const others: string[] = [];
    const loop = (async () => {
      while (!stop) {
        const other = freshSchema();
        others.push(other);
        await churn.query(`create schema ${other}; create table ${other}.t (id serial primary key, a int, b text, c int)`);
        await churn.query(`drop schema ${other} cascade`);
        rounds++;
      }
    })();
    defer(async () => { stop = true; await loop; for (const o of others) await dropSchema(o); });
    for (let i = 0; i < 6; i++) {
      const schema = freshSchema();
      defer(() => dropSchema(schema));
      const s = await startTestServer({ engine: 'postgres', schema });
      await s.stop();
    }
    stop = true;
    await loop;
    assert.ok(rounds > 6, `the other schemas came and went (${rounds} times) while the servers started`);
  });

  test('a lost database answers ServiceUnavailable (503), never ends the server, and the server recovers by itself', async (t) => {
    const defer = cleanups(t);
    const schema = freshSchema();
    defer(() => dropSchema(schema));
    const proxy = await startTcpProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
    defer(() => proxy.close());
    const s = await startTestServer({ engine: 'postgres', schema, env: { PARAPET_DATABASE_URL: viaProxy(proxy), PARAPET_DATABASE_SCHEMA: schema } });
    defer(() => s.stop());
    {
      assert.equal((await send(s.endpoint, signed(s, 'CreateVpc', { RegionId: R, CidrBlock: '10.0.0.0/16' }))).status, 200);
      proxy.cut();
      const during: RawResponse[] = [];
      for (let i = 0; i < 6; i++) {
        during.push(await send(s.endpoint, signed(s, i % 2 === 0 ? 'DescribeVpcs' : 'CreateVpc', { RegionId: R, CidrBlock: '10.1.0.0/16' })));
        await sleep(100);
      }
      for (const r of during) {
        assert.equal(r.status, 503, r.body);
        assert.equal(r.json?.['Code'], 'ServiceUnavailable');
        assert.equal(typeof r.json?.['RequestId'], 'string');
        assert.equal(typeof r.json?.['Message'], 'string');
      }
      await until('/healthz says not ready', 3000, async () => (await fetch(`${s.url}/healthz`)).status === 503);
      proxy.restore();
      await until('requests succeed again', 10_000, async () => (await send(s.endpoint, signed(s, 'DescribeVpcs', { RegionId: R }))).status === 200);
      await until('/healthz says ready', 10_000, async () => (await fetch(`${s.url}/healthz`)).status === 200);
      const vpcs = await send(s.endpoint, signed(s, 'DescribeVpcs', { RegionId: R }));
      assert.equal(vpcs.json?.['TotalCount'], 1, 'nothing was written during the outage');
    }
  });

  test('a detached policy stops working on every server within 2 s, even on one whose LISTEN connection is gone for good', async (t) => {
    const defer = cleanups(t);
    const schema = freshSchema();
    defer(() => dropSchema(schema));
    const proxy = await startTcpProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
    defer(() => proxy.close());
    const a = await startTestServer({ engine: 'postgres', schema });
    defer(() => a.stop());
    const b = await startTestServer({ engine: 'postgres', schema, env: { PARAPET_DATABASE_URL: viaProxy(proxy), PARAPET_DATABASE_SCHEMA: schema } });
    defer(() => b.stop());
    defer(() => proxy.restore());
    const ramCall = async (s: TestServer, action: string, params: Record<string, string>) => {
      const r = await send(s.endpoint, buildSigned({ endpoint: s.endpoint, ...ROOT, version: RAM, action, params }));
      assert.equal(r.status, 200, r.body);
      return r.json!;
    };
    {
      await ramCall(a, 'CreateUser', { UserName: 'reader' });
      const key = (await ramCall(a, 'CreateAccessKey', { UserName: 'reader' }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
      await ramCall(a, 'AttachPolicyToUser', { PolicyType: 'System', PolicyName: 'AliyunVPCReadOnlyAccess', UserName: 'reader' });
      const asReader = (s: TestServer): BuiltRequest => buildSigned({ endpoint: s.endpoint, accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret, version: VPC, action: 'DescribeVpcs', params: { RegionId: R } });
      await until('the user may read on B', 5000, async () => (await send(b.endpoint, asReader(b))).status === 200);
      for (let i = 0; i < 5; i++) assert.equal((await send(b.endpoint, asReader(b))).status, 200); // B has the user's policies cached now
      // B's notice connection ends and can't come back; its pool connections stay
      proxy.refuseNew();
      const killed = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`, [`parapet:${schema}:watch`]);
      assert.ok(killed.rowCount !== null && killed.rowCount >= 1, 'the watch connections were found');
      await sleep(200);
      await ramCall(a, 'DetachPolicyFromUser', { PolicyType: 'System', PolicyName: 'AliyunVPCReadOnlyAccess', UserName: 'reader' });
      const took = await until('B refuses the user', 2000, async () => {
        const r = await send(b.endpoint, asReader(b));
        assert.ok(r.status === 200 || r.status === 403, r.body);
        return r.status === 403;
      });
      process.stdout.write(`# a detached policy stopped working on the server without LISTEN after ${took.toFixed(0)} ms\n`);
    }
  });
});
