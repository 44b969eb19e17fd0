// bench/pg-ceiling: what this machine allows PostgreSQL writes before any of Parapet runs. Write
// transactions of the shape an AuthorizeSecurityGroup takes (begin, three reads with a lock, an
// insert, a delete, a counter upsert, commit: eight round trips) from 16 clients through
// node-postgres, no HTTP, no signature, no domain. bench/controlplane's PostgreSQL writes/s can't
// exceed it; where it is low, round trips (not Parapet) are the bound.
//   npm run bench:pg-ceiling      (BENCH_SECONDS=N; PARAPET_TEST_DATABASE_URL)
import pg from 'pg';
import { randomBytes } from 'node:crypto';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const URL = process.env['PARAPET_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = 'parapet_ceiling_' + randomBytes(4).toString('hex');
const admin = new pg.Client({ connectionString: URL });
await admin.connect();
await admin.query(`create schema ${schema}; create table ${schema}.rows (id int, v int); create table ${schema}.counters (id int primary key, n bigint)`);
const pool = new pg.Pool({ connectionString: URL, max: 16, options: `-c search_path=${schema}` });
let done = 0;
let round = 0;
const t0 = performance.now();
const until = t0 + SECONDS * 1000;
await Promise.all(Array.from({ length: 16 }, async (_, w) => {
  while (performance.now() < until) {
    const c = await pool.connect();
    const n = round++;
    try {
      await c.query('begin');
      await c.query('select $1::int as id', [w]);
      await c.query('select pg_advisory_xact_lock($1)', [w]);
      await c.query('select count(*) from rows where id = $1', [w]);
      await c.query('insert into rows values ($1, $2)', [w, n]);
      await c.query('delete from rows where id = $1 and v = $2', [w, n]);
      await c.query('insert into counters values ($1, 1) on conflict (id) do update set n = counters.n + 1', [w]);
      await c.query('commit');
      done++;
    } finally {
      c.release();
    }
  }
}));
const rate = done / ((performance.now() - t0) / 1000);
await pool.end();
await admin.query(`drop schema ${schema} cascade`);
await admin.end();
console.log(`8-round-trip write transactions, 16 clients, node-postgres alone: ${rate.toFixed(0)} transactions/s`);
