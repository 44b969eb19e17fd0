// The engines every store test runs against. PostgreSQL tests skip with a message when no server
// answers, unless PARAPET_REQUIRE_POSTGRES=1 (set by .ci/run), which turns the skip into a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openSqlite } from '../../src/store/sqlite.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import type { Store } from '../../src/store/store.ts';
import { randomIds } from '../../src/ids.ts';

export const POSTGRES_URL = process.env['PARAPET_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface EngineFactory {
  name: 'sqlite' | 'postgres';
  /** why the engine can't run here, or undefined when it can */
  unavailable(): Promise<string | undefined>;
  /** a fresh, empty store; `reopen` opens the same data again (a restart) */
  open(): Promise<{ store: Store; reopen: () => Promise<Store>; cleanup: () => Promise<void> }>;
}

let pgProbe: Promise<string | undefined> | undefined;

export const engines: EngineFactory[] = [
  {
    name: 'sqlite',
    unavailable: async () => undefined,
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'parapet-store-'));
      const store = await openSqlite({ dataDir: dir });
      return { store, reopen: () => openSqlite({ dataDir: dir }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    unavailable: () => {
      pgProbe ??= (async () => {
        const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
        try {
          await client.connect();
          await client.query('select 1');
          return undefined;
        } catch (e) {
          const why = `PostgreSQL not reachable at ${POSTGRES_URL}: ${e instanceof Error ? e.message : String(e)}`;
          if (process.env['PARAPET_REQUIRE_POSTGRES'] === '1') throw new Error(`${why} (PARAPET_REQUIRE_POSTGRES=1 makes this a failure)`);
          return why;
        } finally {
          await client.end().catch(() => undefined);
        }
      })();
      return pgProbe;
    },
    open: async () => {
      const schema = 'parapet_test_' + randomIds.resource('s').slice(2, 14).replace(/-/g, '_');
      const store = await openPostgres({ url: POSTGRES_URL, schema });
      return {
        store,
        reopen: () => openPostgres({ url: POSTGRES_URL, schema }),
        cleanup: async () => {
          const client = new pg.Client({ connectionString: POSTGRES_URL });
          await client.connect();
          try { await client.query(`drop schema if exists ${schema} cascade`); } finally { await client.end(); }
        },
      };
    },
  },
];

/**
 * Every engine with why it can't run here (undefined: it can), probed before a test file declares
 * any suite. A file must await this once at its top and declare its suites after: a suite declared
 * after a later `await` may never run, since `node --test --test-force-exit` ends the file as soon
 * as the tests it already has are done.
 */
export async function probedEngines(): Promise<Array<{ engine: EngineFactory; skip: string | undefined }>> {
  return Promise.all(engines.map(async (engine) => ({ engine, skip: await engine.unavailable() })));
}
