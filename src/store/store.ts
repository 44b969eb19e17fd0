// The one store interface both engines implement. Every write goes through `write()`: one
// transaction that also bumps the global revision, so watchers (the data-plane agent, the
// console) can poll `revision()` or block in `waitForRevision()`.
// INVARIANT: a write that returned has committed, and its revision is visible to every reader.
import { EventEmitter } from 'node:events';
import { type Kysely, Migrator, type Transaction, sql } from 'kysely';
import type { Schema } from './schema.ts';
import { migrationProvider } from './migrations.ts';

export type StoreEngine = 'sqlite' | 'postgres';
export type Tx = Transaction<Schema>;
export type Db = Kysely<Schema>;

export interface StoreOptions {
  /** PostgreSQL: the NOTIFY channel revisions are announced on (other processes LISTEN) */
  notifyChannel?: string;
  onClose?: () => Promise<void>;
}

const MAX_MEMOS = 5000;

export class Store {
  private readonly events = new EventEmitter();
  private lastRevision = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly memos = new Map<string, unknown>();
  private memoRevision = -1;

  constructor(readonly engine: StoreEngine, readonly db: Db, private readonly options: StoreOptions = {}) {
    this.events.setMaxListeners(0);
  }

  async migrate(): Promise<void> {
    const { error } = await new Migrator({ db: this.db, provider: migrationProvider }).migrateToLatest();
    if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
    this.lastRevision = await this.readRevision(this.db);
  }

  /** Runs `fn` in one transaction, bumps the revision, and returns what `fn` returned. */
  async write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    let revision = 0;
    const result = await this.db.transaction().execute(async (tx) => {
      const out = await fn(tx);
      const row = await sql<{ value: string }>`update meta set value = cast(cast(value as bigint) + 1 as text) where key = 'revision' returning value`.execute(tx);
      revision = Number(row.rows[0]!.value);
      // delivered to listeners only when the transaction commits
      if (this.options.notifyChannel !== undefined) await sql`select pg_notify(${this.options.notifyChannel}, ${String(revision)})`.execute(tx);
      return out;
    });
    this.noteRevision(revision);
    return result;
  }

  /**
   * A read-through cache for reads outside transactions, valid for one revision: any write
   * empties it. The value is stored only when no write committed while it was loaded.
   * INVARIANT: callers never mutate a memoized value.
   */
  async memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const rev = this.lastRevision;
    if (this.memoRevision !== rev) {
      this.memos.clear();
      this.memoRevision = rev;
    }
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = await load();
    if (this.lastRevision === rev && this.memoRevision === rev && this.memos.size < MAX_MEMOS) this.memos.set(key, value);
    return value;
  }

  /** Records a revision learnt from elsewhere (another process's NOTIFY). */
  observeRevision(rev: number): void {
    this.noteRevision(rev);
  }

  /** The latest committed revision (as seen by this process; `refreshRevision` asks the database). */
  revision(): number {
    return this.lastRevision;
  }

  async refreshRevision(): Promise<number> {
    this.noteRevision(await this.readRevision(this.db));
    return this.lastRevision;
  }

  /** Resolves with the revision once it exceeds `after`, or with the current one after `timeoutMs`. */
  async waitForRevision(after: number, timeoutMs: number): Promise<number> {
    if (this.lastRevision > after) return this.lastRevision;
    if (this.engine === 'postgres') this.startPolling();
    return new Promise((resolve) => {
      const onRevision = (rev: number) => {
        if (rev > after) { clearTimeout(timer); this.events.off('revision', onRevision); resolve(rev); }
      };
      const timer = setTimeout(() => { this.events.off('revision', onRevision); resolve(this.lastRevision); }, timeoutMs);
      this.events.on('revision', onRevision);
    });
  }

  async close(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.db.destroy();
    await this.options.onClose?.();
  }

  private noteRevision(rev: number): void {
    if (rev > this.lastRevision) {
      this.lastRevision = rev;
      this.events.emit('revision', rev);
    }
  }

  /** Another process may write to PostgreSQL: watchers there poll the revision row. */
  private startPolling(): void {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => {
      if (this.events.listenerCount('revision') === 0) return;
      this.refreshRevision().catch(() => { /* the next tick retries */ });
    }, 50);
    this.pollTimer.unref();
  }

  private async readRevision(db: Db): Promise<number> {
    const row = await db.selectFrom('meta').select('value').where('key', '=', 'revision').executeTakeFirstOrThrow();
    return Number(row.value);
  }
}
