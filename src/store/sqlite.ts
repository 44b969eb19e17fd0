// The embedded engine: SQLite through better-sqlite3, in WAL mode, one file in the data dir.
// One connection serves the process, and Kysely runs one transaction at a time on it, so writes
// are serialized by construction: quota locks are not needed, and the revision is one row.
// INVARIANT: the data dir is 0700 and the database files 0600: they hold every secret.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Schema } from './schema.ts';
import { Store, type Db, type EngineHooks } from './store.ts';
import { SqliteNonceLedger } from './nonces.ts';

/** Creates (or tightens) the data dir and a database file in it so only the owner can read them. */
function privateFile(dataDir: string, name: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const file = join(dataDir, name);
  // SQLite gives its -wal and -shm files the mode of the database file
  if (!existsSync(file)) writeFileSync(file, '', { mode: 0o600, flag: 'a' });
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  return file;
}

const hooks: Omit<EngineHooks, 'nonces'> = {
  async bumpRevision(tx) {
    const row = await sql<{ value: string }>`update meta set value = cast(cast(value as integer) + 1 as text) where key = 'revision' returning value`.execute(tx);
    return Number(row.rows[0]!.value);
  },
  async readRevision(db: Db) {
    const row = await db.selectFrom('meta').select('value').where('key', '=', 'revision').executeTakeFirstOrThrow();
    return Number(row.value);
  },
  // one connection: every transaction already runs alone
  lock: async () => undefined,
  // another process (a standalone agent) held the file past the busy timeout
  retryable: (err) => (err as { code?: string }).code === 'SQLITE_BUSY',
};

export async function openSqlite(options: { dataDir: string } | { memory: true }): Promise<Store> {
  const file = 'dataDir' in options ? privateFile(options.dataDir, 'parapet.sqlite') : ':memory:';
  const nonces = new SqliteNonceLedger('dataDir' in options ? privateFile(options.dataDir, 'nonces.sqlite') : ':memory:');
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Kysely prepares every statement anew; better-sqlite3 statements are reusable, so keep them (the
  // 2,000 used last; Parapet's queries are far fewer, but `in (…)` lists vary in length).
  // Safe: the dialect runs one query at a time on this one connection.
  const statements = new LRUCache<string, Database.Statement>({ max: 2000 });
  const cached: SqliteDatabase = {
    close: () => { database.close(); },
    prepare: (source: string) => {
      let stmt = statements.get(source);
      if (stmt === undefined) {
        stmt = database.prepare(source);
        statements.set(source, stmt);
      }
      return stmt; // better-sqlite3's Statement is what the dialect expects
    },
  };
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: cached }) });
  const store = new Store('sqlite', db, { ...hooks, nonces });
  await store.migrate();
  return store;
}
