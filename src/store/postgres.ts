// The scale-out engine: PostgreSQL through `pg`, for several servers on one database. An
// optional schema name isolates one deployment (or one test run) inside a shared database.
//
// What one server must learn of the others' writes, and how:
// - every write counts itself in a counter row of its own connection slot (`revision_shards`),
//   so concurrent writers never queue on one row; the revision is their sum;
// - after commit, one NOTIFY (coalesced, sent on a connection of its own whose commits don't
//   wait for a WAL flush: a NOTIFY inside the write would hold PostgreSQL's global notify lock
//   through every commit's flush);
// - a LISTEN connection, reconnected with backoff whenever it drops;
// - and, as the safety net for a lost notice or a listener that is down, a poll of the revision
//   every POLL_MS: a changed revision, a failed poll, or a listener that is down all drop this
//   server's cached reads (so a revoked permission stops working within about POLL_MS).
// Quota checks are serialized by transaction-scoped advisory locks on the quota's scope.
// Connection failures never end the process: requests meanwhile get ServiceUnavailable (the
// pipeline maps them), and the pool and the listener reconnect by themselves.
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type DatabaseIntrospector, type DatabaseMetadata, type SchemaMetadata, type TableMetadata } from 'kysely';
import type { Schema } from './schema.ts';
import { Store, type Db, type EngineHooks, type Tx } from './store.ts';
import { BatchedNonceLedger } from './nonces.ts';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const POLL_MS = 500;
const SHARDS = 1024;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;
/** SQLSTATEs of a transaction that lost a race: deadlock, serialization failure, a duplicate inserted meanwhile. */
const RACE_CODES = new Set(['40P01', '40001', '23505']);

export interface PostgresOptions {
  url: string;
  schema?: string;
  /** how long a request waits for a connection before it is answered ServiceUnavailable */
  connectionTimeoutMs?: number;
}

/** The LISTEN connection, the NOTIFY connection and the poll: how this server hears of the others' writes. */
class Watch {
  private listener: pg.Client | undefined;
  private listening = false;
  private pollOk = true;
  private backoff = BACKOFF_MIN_MS;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private notifier: pg.Client | undefined;
  private notifierPid = -1;
  private notifying = false;
  private notifyAgain = false;
  /** the NOTIFY in flight (its connection may still be opening): stop() waits for it */
  private notified: Promise<void> = Promise.resolve();
  private refreshing = false;
  private refreshAgain = false;
  store: Store | undefined;

  constructor(private readonly client: () => pg.Client, private readonly channel: string) {}

  healthy(): boolean {
    return this.listening && this.pollOk;
  }

  async start(): Promise<void> {
    await this.connect();
    this.pollTimer = setInterval(() => { void this.poll(); }, POLL_MS);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    await this.listener?.end().catch(() => undefined);
    // a write just before stop (an admin command's only one) may still be opening the notifier:
    // ended before it is set, it would stay open and keep the process alive
    await this.notified;
    await this.notifier?.end().catch(() => undefined);
  }

  /** Tells the other servers that something was written (coalesced: one NOTIFY in flight). */
  notify(): void {
    if (this.stopped) return;
    if (this.notifying) { this.notifyAgain = true; return; }
    this.notifying = true;
    this.notified = (async () => {
      do {
        this.notifyAgain = false;
        try {
          if (this.notifier === undefined) {
            const c = this.client();
            c.on('error', () => { if (this.notifier === c) this.notifier = undefined; });
            await c.connect();
            // a notice is not data: its commit need not wait for the WAL to reach the disk
            await c.query('set synchronous_commit = off');
            this.notifier = c;
            this.notifierPid = (c as unknown as { processID: number }).processID; // pg sets it at connect; its types omit it
          }
          await this.notifier.query('select pg_notify($1, $2)', [this.channel, '']);
        } catch {
          // the poll covers a lost notice; the next notify reconnects
          await this.notifier?.end().catch(() => undefined);
          this.notifier = undefined;
        }
      } while (this.notifyAgain && !this.stopped);
      this.notifying = false;
    })();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const c = this.client();
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (this.listener === c) this.listener = undefined;
      this.listening = false;
      // INVARIANT: while nobody listens, nothing cached may be trusted
      this.store?.invalidate();
      void c.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    c.on('error', onLost);
    c.on('end', onLost);
    c.on('notification', (n) => {
      if (n.channel !== this.channel) return;
      // our own notices: this process already knows of its writes
      if (n.processId === this.notifierPid) return;
      this.store?.invalidate();
      this.refresh();
    });
    try {
      await c.connect();
      await c.query(`listen ${this.channel}`);
    } catch {
      onLost();
      return;
    }
    if (lost) return;
    this.listener = c;
    this.listening = true;
    this.backoff = BACKOFF_MIN_MS;
    // writes made while nobody listened: forget everything, learn the revision again
    this.store?.invalidate();
    this.refresh();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer !== undefined) return;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, wait);
    this.reconnectTimer.unref();
  }

  /** Learns the revision (coalesced: one query in flight). */
  private refresh(): void {
    if (this.refreshing) { this.refreshAgain = true; return; }
    this.refreshing = true;
    void (async () => {
      do {
        this.refreshAgain = false;
        await this.store?.refreshRevision().catch(() => undefined);
      } while (this.refreshAgain && !this.stopped);
      this.refreshing = false;
    })();
  }

  private async poll(): Promise<void> {
    const store = this.store;
    if (store === undefined || this.stopped) return;
    try {
      await store.refreshRevision();
      this.pollOk = true;
    } catch {
      this.pollOk = false;
      store.invalidate();
      return;
    }
    if (!this.listening) store.invalidate();
  }
}

/**
 * The migrator asks the introspector which tables exist. Kysely's own PostgreSQL introspector reads
 * every schema of the database, calling pg_get_serial_sequence on each table; when another
 * deployment (or test) drops its schema during that query, the query fails with "schema does not
 * exist" and this server would not start. This one reads Parapet's schema only, and names only.
 */
class OwnSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>, private readonly schema: string) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const r = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${this.schema}`.execute(this.db);
    return r.rows.map((row) => ({ name: row.name }));
  }

  async getTables(): Promise<TableMetadata[]> {
    const r = await sql<{ name: string; kind: string }>`
      select c.relname as name, c.relkind as kind from pg_catalog.pg_class c
      join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      where ns.nspname = ${this.schema} and c.relkind in ('r', 'v', 'p')`.execute(this.db);
    return r.rows.map((row) => ({ name: row.name, schema: this.schema, isView: row.kind === 'v', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

class OwnSchemaPostgresDialect extends PostgresDialect {
  constructor(config: ConstructorParameters<typeof PostgresDialect>[0], private readonly schema: () => string) { super(config); }
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector { // eslint-disable-line @typescript-eslint/no-explicit-any -- Kysely's own signature
    return new OwnSchemaIntrospector(db, this.schema());
  }
}

async function createSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create schema if not exists ${schema}`);
  } finally {
    await admin.end();
  }
}

export async function openPostgres(options: PostgresOptions): Promise<Store> {
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  if (schema !== undefined) await createSchema(options.url, schema);
  const connection = {
    connectionString: options.url,
    application_name: `parapet${schema !== undefined ? ':' + schema : ''}`,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  };
  const pool = new pg.Pool({ ...connection, max: 10, connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000, idleTimeoutMillis: 30_000 });
  // an idle connection that the server ends (restart, idle timeout, pg_terminate_backend) is
  // dropped from the pool; without this listener the 'error' event would end the process
  pool.on('error', () => undefined);
  // a connection that ends while a query runs on it emits 'error' on its client; the query itself
  // fails (and answers ServiceUnavailable), so the event needs no more than a listener
  pool.on('connect', (client) => { client.on('error', () => undefined); });
  let ownSchema = schema ?? 'public';
  const db: Db = new Kysely<Schema>({ dialect: new OwnSchemaPostgresDialect({ pool }, () => ownSchema) });
  const channel = `parapet_revision_${schema ?? 'public'}`;
  const watch = new Watch(() => new pg.Client({ ...connection, application_name: `${connection.application_name}:watch` }), channel);
  const migrationSchema = schema ?? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]!.s;
  ownSchema = migrationSchema;

  const hooks: EngineHooks = {
    async bumpRevision(tx: Tx) {
      const r = await sql<{ revision: string }>`
        with up as (
          insert into revision_shards (shard, n) values (pg_backend_pid() % ${SHARDS}, 1)
          on conflict (shard) do update set n = revision_shards.n + 1
          returning shard, n
        )
        select cast(coalesce((select value from meta where key = 'revision'), '0') as bigint)
             + coalesce((select sum(s.n) from revision_shards s where s.shard <> (select shard from up)), 0)
             + (select n from up) as revision`.execute(tx);
      return Number(r.rows[0]!.revision);
    },
    async readRevision(d: Db) {
      const r = await sql<{ revision: string }>`
        select cast(coalesce((select value from meta where key = 'revision'), '0') as bigint)
             + coalesce((select sum(n) from revision_shards), 0) as revision`.execute(d);
      return Number(r.rows[0]!.revision);
    },
    async lock(tx: Tx, keys: readonly string[]) {
      for (const k of keys) await sql`select pg_advisory_xact_lock(hashtextextended(${k}, 0))`.execute(tx);
    },
    retryable: (err) => RACE_CODES.has((err as { code?: string }).code ?? ''),
    afterCommit: () => { watch.notify(); },
    healthy: () => watch.healthy(),
    nonces: new BatchedNonceLedger(db, () => new pg.Client({ ...connection, application_name: `${connection.application_name}:nonces` })),
    migrationTableSchema: migrationSchema,
    stop: () => watch.stop(),
  };
  const store = new Store('postgres', db, hooks);
  watch.store = store;
  try {
    await store.migrate();
    await watch.start();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
