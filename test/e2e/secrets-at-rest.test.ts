// Secrets at rest are private: the data dir is 0700 and the store files 0600 (they hold every
// account's secrets and the STS key), `/healthz` says ready or not ready and nothing more, a
// second PostgreSQL schema on one database starts beside the first, and a generated root secret
// is printed on stderr, never on the request-log stream (stdout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startTestServer, freshSchema, dropSchema, ROOT } from '../helpers/server.ts';
import { buildSigned, send } from '../helpers/sign.ts';
import { engines, POSTGRES_URL } from '../helpers/stores.ts';
import { openPostgres } from '../../src/store/postgres.ts';

const mode = (p: string) => statSync(p).mode & 0o777;

test('the SQLite data dir is 0700 and its files 0600, also when the dir existed with looser modes', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'parapet-perm-')), 'data');
  mkdirSync(dataDir, { mode: 0o755 });
  chmodSync(dataDir, 0o755);
  writeFileSync(join(dataDir, 'parapet.sqlite'), '');
  chmodSync(join(dataDir, 'parapet.sqlite'), 0o644);
  const s = await startTestServer({ engine: 'sqlite', dataDir });
  try {
    const r = await send(s.endpoint, buildSigned({ endpoint: s.endpoint, ...ROOT, version: '2016-04-28', action: 'CreateVpc', params: { RegionId: 'cn-hangzhou' } }));
    assert.equal(r.status, 200);
    assert.equal(mode(dataDir), 0o700);
    for (const f of ['parapet.sqlite', 'parapet.sqlite-wal', 'parapet.sqlite-shm', 'nonces.sqlite', 'nonces.sqlite-wal', 'nonces.sqlite-shm']) {
      const file = join(dataDir, f);
      if (f === 'parapet.sqlite' || f === 'nonces.sqlite') assert.ok(existsSync(file));
      if (existsSync(file)) assert.equal(mode(file), 0o600, `${f} is ${mode(file).toString(8)}`);
    }
  } finally {
    await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('/healthz says ready, and nothing about the store', async () => {
  const s = await startTestServer();
  try {
    const r = await fetch(`${s.url}/healthz`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { status: 'ready' });
  } finally {
    await s.stop();
  }
});

test('a second PARAPET_DATABASE_SCHEMA on one PostgreSQL database starts beside the first', async (t) => {
  const pgEngine = engines.find((e) => e.name === 'postgres')!;
  const skip = await pgEngine.unavailable();
  if (skip !== undefined) { t.skip(skip); return; }
  const first = freshSchema();
  const second = freshSchema();
  const a = await openPostgres({ url: POSTGRES_URL, schema: first });
  try {
    const b = await openPostgres({ url: POSTGRES_URL, schema: second });
    await b.close();
    const c = new pg.Client({ connectionString: POSTGRES_URL });
    await c.connect();
    try {
      const r = await c.query(`select table_schema from information_schema.tables where table_name = 'kysely_migration_lock' and table_schema in ($1, $2) order by 1`, [first, second]);
      assert.deepEqual(r.rows.map((x: { table_schema: string }) => x.table_schema).sort(), [first, second].sort(), 'each schema keeps its own migration tables');
    } finally {
      await c.end();
    }
  } finally {
    await a.close();
    await dropSchema(first);
    await dropSchema(second);
  }
});

test('a generated root secret goes to stderr, never to stdout (the request log)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parapet-first-start-'));
  const bin = fileURLToPath(new URL('../../bin/parapet.ts', import.meta.url));
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
  const env: NodeJS.ProcessEnv = { ...process.env, PARAPET_PORT: '0', PARAPET_DATA_DIR: dataDir };
  for (const k of ['PARAPET_ACCOUNT_ID', 'PARAPET_ROOT_ACCESS_KEY_ID', 'PARAPET_ROOT_ACCESS_KEY_SECRET', 'PARAPET_DATABASE_URL', 'PARAPET_DATAPLANE']) delete env[k];
  const child = spawn(tsx, [bin, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  try {
    const deadline = Date.now() + 30_000;
    while (!/listening on/.test(out + err) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    const secret = /root AccessKey secret:\s+(\S+)/.exec(err)?.[1];
    assert.ok(secret !== undefined && secret.length >= 16, `the secret is printed on stderr: ${err.slice(0, 500)}`);
    assert.ok(!out.includes(secret), 'stdout never carries the secret');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
