// Signed-request nonces in the store, so that a request is accepted once by every server on the
// store and across restarts. Each engine keeps them its own way:
// - PostgreSQL (`BatchedNonceLedger`): in the database every server shares. Claims that arrive
//   together are written in one statement (one batch in flight at a time; the next gathers
//   meanwhile), so a busy server pays one round trip per batch, not per request. A batch commits
//   without waiting for its WAL flush: a write's own commit flushes the WAL, and with it every
//   nonce claimed before it, so the nonce of an acknowledged write is durable; only the nonces of
//   reads claimed in the last moment before a database crash can be lost (a read changes nothing).
// - SQLite (`SqliteNonceLedger`): one server owns the data dir, so its nonces live in a file of
//   their own beside the store (`nonces.sqlite`), claimed synchronously on a connection of their
//   own: no batch, and never inside (or behind) a transaction of the store.
// Both delete expired nonces a chunk at a time.
import { rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import type { Db } from './store.ts';

/** Remembers nonces until their requests can no longer be fresh. */
export interface NonceLedger {
  /** Records a nonce; true the first time it is claimed, false when it was claimed before (a replay). */
  claim(key: string, expiresAt: number, nowMs: number): Promise<boolean>;
  close(): Promise<void>;
}

const BATCH = 500;
const PRUNE_EVERY_MS = 30_000;
const PRUNE_CHUNK = 5000;

interface Pending { key: string; expiresAt: number; resolve(fresh: boolean): void; reject(err: unknown): void }

export class BatchedNonceLedger implements NonceLedger {
  private pending: Pending[] = [];
  private inFlight: Promise<void> | undefined;
  private lastPrune = 0;
  private pruning: Promise<void> | undefined;
  private latestNow = 0;

  constructor(private readonly db: Db) {}

  /** Records a nonce; resolves true the first time it is claimed, false when it was claimed before. */
  claim(key: string, expiresAt: number, nowMs: number): Promise<boolean> {
    this.latestNow = Math.max(this.latestNow, nowMs);
    return new Promise((resolve, reject) => {
      this.pending.push({ key, expiresAt, resolve, reject });
      if (this.inFlight === undefined) this.inFlight = this.drain();
    });
  }

  async close(): Promise<void> {
    await this.inFlight;
    await this.pruning;
  }

  private async drain(): Promise<void> {
    // let the claims of this tick gather first
    await new Promise<void>((r) => setImmediate(r));
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, BATCH);
      try {
        const fresh = await this.insert(batch);
        const seen = new Set<string>();
        for (const p of batch) {
          const id = `${p.expiresAt}:${p.key}`;
          p.resolve(fresh.has(id) && !seen.has(id));
          seen.add(id);
        }
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.inFlight = undefined;
    if (this.latestNow - this.lastPrune >= PRUNE_EVERY_MS && this.pruning === undefined) {
      this.lastPrune = this.latestNow;
      this.pruning = this.prune(this.latestNow).then(() => undefined, () => undefined).finally(() => { this.pruning = undefined; });
    }
  }

  /** Inserts the batch; returns the keys that were new. */
  private async insert(batch: readonly Pending[]): Promise<Set<string>> {
    // keyed by (expiry, digest) as in SQLite: rows arrive in time order; a replay has the same expiry
    const rows = new Map<string, { key: string; expires_at: number }>();
    for (const p of batch) rows.set(`${p.expiresAt}:${p.key}`, { key: p.key, expires_at: p.expiresAt });
    const inserted = await this.db.transaction().execute(async (tx) => {
      await sql`set local synchronous_commit = off`.execute(tx);
      return tx.insertInto('nonces').values([...rows.values()]).onConflict((oc) => oc.doNothing()).returning(['key', 'expires_at']).execute();
    });
    return new Set(inserted.map((r) => `${Number(r.expires_at)}:${r.key}`));
  }

  /** Deletes the nonces whose requests can no longer be fresh. */
  async prune(nowMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const r = await sql`delete from nonces where ctid in (select ctid from nonces where expires_at < ${nowMs} limit ${PRUNE_CHUNK})`.execute(this.db);
      const n = Number(r.numAffectedRows ?? 0);
      total += n;
      if (n < PRUNE_CHUNK) return total;
    }
  }
}

/**
 * Opens (or makes) the nonce file. It is written without waiting for the disk (`synchronous =
 * OFF`): a crash of the process loses nothing (the OS has the pages), and a power loss at worst
 * loses or damages this file, which is then started afresh; the store itself is never at risk.
 */
function openNonceFile(file: string): Database.Database {
  const open = () => {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.exec('create table if not exists nonces (expires_at integer not null, key text not null, primary key (expires_at, key)) without rowid');
    return db;
  };
  try {
    const db = open();
    if (file !== ':memory:' && db.pragma('quick_check', { simple: true }) !== 'ok') throw new Error('nonce file damaged');
    return db;
  } catch {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    // made anew with the mode the store's files have (SQLite's own default would be 0644)
    writeFileSync(file, '', { mode: 0o600 });
    return open();
  }
}

/**
 * SQLite: a file of nonces beside the store, on a connection of its own. The claims of one turn
 * of the event loop are written in one transaction at the next (a commit per claim would write a
 * WAL page each), synchronously: no other statement ever waits for it.
 */
export class SqliteNonceLedger implements NonceLedger {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[number, string], { key: string }>;
  private readonly expired: Database.Statement<[number, number]>;
  private readonly writeBatch: (batch: readonly Pending[]) => boolean[];
  private pending: Pending[] = [];
  private scheduled = false;
  private latestNow = 0;
  private lastPrune = 0;
  private pruning = false;

  /** `file`: a path, or ':memory:' */
  constructor(file: string) {
    this.db = openNonceFile(file);
    // Keyed by (expiry, digest): rows arrive in time order, so a batch touches the last few pages
    // instead of one random page per row. A replay is the same signed bytes, so the same
    // timestamp and expiry; its row is found.
    this.insert = this.db.prepare('insert into nonces (expires_at, key) values (?, ?) on conflict do nothing returning key');
    this.expired = this.db.prepare('delete from nonces where (expires_at, key) in (select expires_at, key from nonces where expires_at < ? limit ?)');
    this.writeBatch = this.db.transaction((batch: readonly Pending[]) => batch.map((p) => this.insert.get(p.expiresAt, p.key) !== undefined));
  }

  claim(key: string, expiresAt: number, nowMs: number): Promise<boolean> {
    this.latestNow = Math.max(this.latestNow, nowMs);
    return new Promise((resolve, reject) => {
      this.pending.push({ key, expiresAt, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    try {
      // a nonce twice in one batch: the second insert finds the first's row
      const fresh = this.writeBatch(batch);
      batch.forEach((p, i) => p.resolve(fresh[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
    if (this.latestNow - this.lastPrune >= PRUNE_EVERY_MS && !this.pruning) {
      this.lastPrune = this.latestNow;
      this.pruning = true;
      const now = this.latestNow;
      setImmediate(() => this.prune(now));
    }
  }

  /** Deletes a chunk of expired nonces per turn of the event loop, so a backlog never blocks requests. */
  private prune(nowMs: number): void {
    try {
      if (this.expired.run(nowMs, PRUNE_CHUNK).changes === PRUNE_CHUNK) { setImmediate(() => this.prune(nowMs)); return; }
    } catch {
      // the next flush after PRUNE_EVERY_MS tries again
    }
    this.pruning = false;
  }

  close(): Promise<void> {
    if (this.pending.length > 0) this.flush();
    this.db.close();
    return Promise.resolve();
  }
}
