// The embedded engine: SQLite through better-sqlite3, in WAL mode, one file in the data dir.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { Schema } from './schema.ts';
import { Store } from './store.ts';

export async function openSqlite(options: { dataDir: string } | { memory: true }): Promise<Store> {
  let file = ':memory:';
  if ('dataDir' in options) {
    mkdirSync(options.dataDir, { recursive: true });
    file = join(options.dataDir, 'parapet.sqlite');
  }
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Kysely prepares every statement anew; better-sqlite3 statements are reusable, so keep them.
  // Safe: the dialect runs one query at a time on this one connection.
  const statements = new Map<string, Database.Statement>();
  const cached: SqliteDatabase = {
    close: () => { database.close(); },
    prepare: (source: string) => {
      let stmt = statements.get(source);
      if (stmt === undefined) {
        stmt = database.prepare(source);
        if (statements.size < 2000) statements.set(source, stmt);
      }
      return stmt as unknown as ReturnType<SqliteDatabase['prepare']>; // better-sqlite3's Statement is what the dialect expects
    },
  };
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: cached }) });
  const store = new Store('sqlite', db);
  await store.migrate();
  return store;
}
