// The scale-out engine: PostgreSQL through `pg`. An optional schema name isolates one deployment
// (or one test run) inside a shared database.
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Schema } from './schema.ts';
import { Store } from './store.ts';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgres(options: { url: string; schema?: string; dropSchemaOnClose?: boolean }): Promise<Store> {
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  if (schema !== undefined) {
    const admin = new pg.Client({ connectionString: options.url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: 10,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const onClose = async () => {
    if (schema !== undefined && options.dropSchemaOnClose === true) {
      const admin = new pg.Client({ connectionString: options.url });
      await admin.connect();
      try { await admin.query(`drop schema if exists ${schema} cascade`); } finally { await admin.end(); }
    }
  };
  // Revisions committed by any process are announced on a channel of this schema; listening keeps
  // this process's revision (and so its memoized reads) current within milliseconds.
  const channel = `parapet_revision_${schema ?? 'public'}`;
  const listener = new pg.Client({ connectionString: options.url });
  await listener.connect();
  listener.on('error', () => { /* the store keeps working; waitForRevision falls back to polling */ });
  const closeAll = async () => {
    await listener.end().catch(() => undefined);
    await onClose();
  };
  const store = new Store('postgres', db, { notifyChannel: channel, onClose: closeAll });
  listener.on('notification', (n) => {
    if (n.channel === channel && n.payload !== undefined) store.observeRevision(Number(n.payload));
  });
  await listener.query(`listen ${channel}`);
  await store.migrate();
  return store;
}
