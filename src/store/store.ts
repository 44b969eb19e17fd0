// The one store interface both engines implement. Every write goes through `write()`: one
// transaction that also bumps the global revision, so watchers (the data-plane agent, the
// console) can poll `revision()` or block in `waitForRevision()`. What differs between engines
// (how the revision is counted, how other processes learn of a write, how quota checks are
// serialized) is the engine's `EngineHooks`; everything else lives here once.
// INVARIANT: a write that returned has committed, and its revision is visible to every reader.
// INVARIANT: a memoized read is never answered again once this process learns of any write (its own, a
// notice from another server, a revision seen by polling) or loses sight of other writers (the
// notice channel is down, the database can't be reached).
import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { Migrator } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Db, Tx } from './schema.ts';
import { migrationProvider } from './migrations.ts';
import type { NonceLedger } from './nonces.ts';

export type StoreEngine = 'sqlite' | 'postgres';
export type { Db, Tx };

/** What each engine does its own way. */
export interface EngineHooks {
  /** inside a write: counts it and returns the revision it makes (on PostgreSQL a lower bound while other writes run) */
  bumpRevision(tx: Tx): Promise<number>;
  /** the latest committed revision */
  readRevision(db: Db): Promise<number>;
  /**
   * Serializes the transactions that check one quota or one name: every `key` is locked until
   * `tx` ends. Keys are taken in sorted order so two writers never wait on each other in a cycle.
   */
  lock(tx: Tx, keys: readonly string[]): Promise<void>;
  /** a transaction that failed only because another one ran beside it: running it again is the serial outcome */
  retryable(err: unknown): boolean;
  /** after each committed write (PostgreSQL: tell the other servers) */
  afterCommit?(revision: number): void;
  /** whether other processes' writes are being noticed (PostgreSQL: LISTEN and polling are up) */
  healthy?(): boolean;
  /** where signed-request nonces are kept (src/store/nonces.ts) */
  nonces: NonceLedger;
  /** options of the migrator (PostgreSQL: its tables live in this store's schema) */
  migrationTableSchema?: string;
  /** before the connections close: stop timers and listeners */
  stop?(): Promise<void>;
  /** after the connections closed */
  onClose?(): Promise<void>;
}

const MAX_MEMOS = 5000;
/** A transaction that lost a race is run again at most this many times. */
const MAX_RETRIES = 5;

export class Store {
  private readonly events = new EventEmitter();
  private lastRevision = 0;
  /** bumped on every sign that what this process cached may be stale */
  private gen = 0;
  /** memoized reads, each with the generation it was loaded in (boxed: a read may answer undefined) */
  private readonly memos = new LRUCache<string, { gen: number; value: unknown }>({ max: MAX_MEMOS });
  private closed = false;
  /** signed-request nonces, shared by every server on this store */
  readonly nonces: NonceLedger;

  constructor(readonly engine: StoreEngine, readonly db: Db, private readonly hooks: EngineHooks) {
    this.events.setMaxListeners(0);
    this.nonces = hooks.nonces;
  }

  async migrate(): Promise<void> {
    const schema = this.hooks.migrationTableSchema;
    const { error } = await new Migrator({ db: this.db, provider: migrationProvider, ...(schema !== undefined ? { migrationTableSchema: schema } : {}) }).migrateToLatest();
    if (error !== undefined) throw error instanceof Error ? error : new Error(`migration failed: ${inspect(error)}`, { cause: error });
    this.lastRevision = await this.hooks.readRevision(this.db);
  }

  /**
   * Runs `fn` in one transaction, bumps the revision, and returns what `fn` returned. A
   * transaction that lost a race with another (a deadlock between locks, a duplicate inserted
   * meanwhile) is run again from the start, so its caller gets what a serial run would answer.
   * INVARIANT: `fn` keeps all its effects inside `tx`, so running it again is safe.
   * `quiet` (a function of what `fn` did, asked after it ran) leaves the revision alone: for writes
   * no watcher acts on, such as the data plane's own traffic reports (src/domain/antiddos/report.ts),
   * which would otherwise wake every watcher each second. Cached reads in this process are dropped
   * all the same.
   */
  async write<T>(fn: (tx: Tx) => Promise<T>, opts: { quiet?: (result: T) => boolean } = {}): Promise<T> {
    // INVARIANT: the nonce of the request a write serves is durable before the write commits
    this.nonces.durable();
    for (let attempt = 0; ; attempt++) {
      let revision = 0;
      try {
        let quiet = false;
        const result = await this.db.transaction().execute(async (tx) => {
          const out = await fn(tx);
          quiet = opts.quiet?.(out) ?? false;
          if (!quiet) revision = await this.hooks.bumpRevision(tx);
          return out;
        });
        this.invalidate();
        if (!quiet) {
          this.noteRevision(revision);
          this.hooks.afterCommit?.(revision);
        }
        return result;
      } catch (err) {
        if (attempt >= MAX_RETRIES || !this.hooks.retryable(err)) throw err;
      }
    }
  }

  /** Holds `keys` (quota and name scopes) until the transaction ends; see EngineHooks.lock. */
  lock(tx: Tx, ...keys: string[]): Promise<void> {
    return this.hooks.lock(tx, [...new Set(keys)].sort());
  }

  /**
   * A read-through cache for reads outside transactions, valid while this process has learnt of
   * no write. The value is stored only when nothing changed while it was loaded. An entry of an
   * earlier generation is never answered (it waits to be evicted, or overwritten by a fresh read),
   * so a write costs nothing here.
   * INVARIANT: callers never mutate a memoized value.
   */
  async memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const gen = this.gen;
    const hit = this.memos.get(key);
    // the cast: an entry under `key` was stored by a `memo<T>` call with the same key, so of type T
    if (hit !== undefined && hit.gen === gen) return hit.value as T;
    const value = await load();
    if (this.gen === gen) this.memos.set(key, { gen, value });
    return value;
  }

  /** Something may have changed that this process did not see: drop every cached read. */
  invalidate(): void {
    this.gen++;
  }

  /** Changes whenever cached reads must be dropped (for caches kept outside `memo`). */
  generation(): number {
    return this.gen;
  }

  /** Records a revision learnt from elsewhere (another process's notice, a poll). */
  observeRevision(rev: number): void {
    if (rev > this.lastRevision) this.invalidate();
    this.noteRevision(rev);
  }

  /** The latest committed revision as seen by this process (`refreshRevision` asks the database). */
  revision(): number {
    return this.lastRevision;
  }

  async refreshRevision(): Promise<number> {
    this.observeRevision(await this.hooks.readRevision(this.db));
    return this.lastRevision;
  }

  /** Whether this process sees the store and other servers' writes (the `/healthz` answer). */
  healthy(): boolean {
    return !this.closed && (this.hooks.healthy?.() ?? true);
  }

  /** Resolves with the revision once it exceeds `after`, or with the current one after `timeoutMs`. */
  async waitForRevision(after: number, timeoutMs: number): Promise<number> {
    if (this.lastRevision > after) return this.lastRevision;
    return new Promise((resolve) => {
      const onRevision = (rev: number) => {
        if (rev > after) { clearTimeout(timer); this.events.off('revision', onRevision); resolve(rev); }
      };
      const timer = setTimeout(() => { this.events.off('revision', onRevision); resolve(this.lastRevision); }, timeoutMs);
      this.events.on('revision', onRevision);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.nonces.close();
    await this.hooks.stop?.();
    await this.db.destroy();
    await this.hooks.onClose?.();
  }

  private noteRevision(rev: number): void {
    if (rev > this.lastRevision) {
      this.lastRevision = rev;
      this.events.emit('revision', rev);
    }
  }
}
