// Signed-request nonces in the store, so that a request is accepted once by every server on the
// store and across restarts. Each engine keeps them its own way:
// - PostgreSQL (`BatchedNonceLedger`): in the database every server shares, on a connection of
//   their own. Claims that arrive together are written in one statement (one batch in flight at a
//   time; the next gathers meanwhile), so a busy server pays one round trip per batch, not per
//   request. A batch commits without waiting for its WAL flush (the connection's
//   `synchronous_commit` is off): a write's own commit flushes the WAL, and with it every
//   nonce claimed before it, so the nonce of an acknowledged write is durable; only the nonces of
//   reads claimed in the last moment before a database crash can be lost (a read changes nothing).
// - SQLite (`SqliteNonceLedger`): one server owns the data dir, so it judges claims in memory and
//   writes them behind to a file of their own beside the store (`nonces.sqlite`), on a connection
//   of their own, never inside (or behind) a transaction of the store.
// Both delete expired nonces a chunk at a time.
import { rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { sql } from 'kysely';
import type { Db } from './schema.ts';

/** Remembers nonces until their requests can no longer be fresh. */
export interface NonceLedger {
  /** Records a nonce; true the first time it is claimed, false when it was claimed before (a replay). */
  claim(key: string, expiresAt: number, nowMs: number): Promise<boolean>;
  /** Makes every claim so far durable before a write of the store runs (PostgreSQL: they already are). */
  durable(): void;
  close(): Promise<void>;
}

const BATCH = 500;
const PRUNE_EVERY_MS = 30_000;
const PRUNE_CHUNK = 5000;

interface Pending { key: string; expiresAt: number; resolve(fresh: boolean): void; reject(err: unknown): void }

export class BatchedNonceLedger implements NonceLedger {
  private client: pg.Client | undefined;
  private pending: Pending[] = [];
  private inFlight: Promise<void> | undefined;
  private lastPrune = 0;
  private pruning: Promise<void> | undefined;
  private latestNow = 0;

  /** `db`: the pool (pruning); `connect`: a new connection of the store's schema (claims) */
  constructor(private readonly db: Db, private readonly connect: () => pg.Client) {}

  /** Records a nonce; resolves true the first time it is claimed, false when it was claimed before. */
  claim(key: string, expiresAt: number, nowMs: number): Promise<boolean> {
    this.latestNow = Math.max(this.latestNow, nowMs);
    return new Promise((resolve, reject) => {
      this.pending.push({ key, expiresAt, resolve, reject });
      if (this.inFlight === undefined) this.inFlight = this.drain();
    });
  }

  // a claim resolves only once its batch is in the database
  durable(): void { /* nothing to do */ }

  async close(): Promise<void> {
    await this.inFlight;
    await this.pruning;
    await this.client?.end().catch(() => undefined);
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

  /** The claims' connection: made on first use and after a failure, its commits not waiting for the WAL flush. */
  private async claimsConnection(): Promise<pg.Client> {
    if (this.client !== undefined) return this.client;
    const c = this.connect();
    c.on('error', () => { if (this.client === c) this.client = undefined; });
    await c.connect();
    await c.query('set synchronous_commit = off');
    this.client = c;
    return c;
  }

  /** Inserts the batch in one statement; returns the (expiry, key) pairs that were new. */
  private async insert(batch: readonly Pending[]): Promise<Set<string>> {
    // keyed by (expiry, digest) as in SQLite: rows arrive in time order; a replay has the same expiry
    const rows = new Map<string, Pending>();
    for (const p of batch) rows.set(`${p.expiresAt}:${p.key}`, p);
    const c = await this.claimsConnection();
    try {
      const r = await c.query<{ expires_at: string; key: string }>({
        name: 'parapet_claim_nonces',
        text: 'insert into nonces (expires_at, key) select * from unnest($1::bigint[], $2::text[]) on conflict do nothing returning expires_at, key',
        values: [[...rows.values()].map((p) => p.expiresAt), [...rows.values()].map((p) => p.key)],
      });
      return new Set(r.rows.map((x) => `${Number(x.expires_at)}:${x.key}`));
    } catch (err) {
      // a broken connection is made anew next time; the claims of this batch fail (ServiceUnavailable)
      if (this.client === c) this.client = undefined;
      await c.end().catch(() => undefined);
      throw err;
    }
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
 * SQLite: one server owns the data dir, so the claims are judged in its memory (the nonces of
 * the window, by the minute of their expiry) and written behind to a file of their own beside the
 * store (`nonces.sqlite`, loaded at start): a claim answers at once, and the file takes the
 * claims of each turn of the event loop in one transaction. Before any write of the store runs,
 * the claims not yet written are written (`durable`), so the nonce of a write is on disk before the
 * write commits; a crash can lose only the nonces of the reads of the last moment (a read changes
 * nothing).
 */
export class SqliteNonceLedger implements NonceLedger {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[number, string]>;
  private readonly expired: Database.Statement<[number, number]>;
  private readonly writeBatch: (batch: ReadonlyArray<{ key: string; expiresAt: number }>) => void;
  /** minute of expiry -> digests whose requests expire then */
  private readonly buckets = new Map<number, Set<string>>();
  private pending: Array<{ key: string; expiresAt: number }> = [];
  private scheduled = false;
  private lastPrune = 0;
  private pruning = false;

  /** `file`: a path, or ':memory:' */
  constructor(file: string) {
    this.db = openNonceFile(file);
    this.insert = this.db.prepare('insert into nonces (expires_at, key) values (?, ?) on conflict do nothing');
    this.expired = this.db.prepare('delete from nonces where (expires_at, key) in (select expires_at, key from nonces where expires_at < ? limit ?)');
    this.writeBatch = this.db.transaction((batch: ReadonlyArray<{ key: string; expiresAt: number }>) => { for (const p of batch) this.insert.run(p.expiresAt, p.key); });
    // everything the file holds (stale rows are forgotten at the next prune)
    const rows = this.db.prepare<[], { expires_at: number; key: string }>('select expires_at, key from nonces');
    for (const row of rows.iterate()) this.remember(row.key, row.expires_at);
  }

  /** Adds the nonce to its minute; false when it was there. */
  private remember(key: string, expiresAt: number): boolean {
    const minute = Math.floor(expiresAt / 60_000);
    let set = this.buckets.get(minute);
    if (set === undefined) this.buckets.set(minute, set = new Set());
    if (set.has(key)) return false;
    set.add(key);
    return true;
  }

  claim(key: string, expiresAt: number, nowMs: number): Promise<boolean> {
    if (!this.remember(key, expiresAt)) return Promise.resolve(false);
    this.pending.push({ key, expiresAt });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => { this.scheduled = false; this.durable(); });
    }
    if (nowMs - this.lastPrune >= PRUNE_EVERY_MS && !this.pruning) {
      this.lastPrune = nowMs;
      this.pruning = true;
      // a minute whose requests are all stale is forgotten; its rows are deleted a chunk a turn
      for (const minute of this.buckets.keys()) if ((minute + 1) * 60_000 <= nowMs) this.buckets.delete(minute);
      setImmediate(() => this.prune(nowMs));
    }
    return Promise.resolve(true);
  }

  /** Writes the claims not yet written (synchronously: a write of the store waits for nothing else). */
  durable(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.writeBatch(batch);
  }

  /** Deletes a chunk of expired nonces per turn of the event loop, so a backlog never blocks requests. */
  private prune(nowMs: number): void {
    try {
      if (this.expired.run(nowMs, PRUNE_CHUNK).changes === PRUNE_CHUNK) { setImmediate(() => this.prune(nowMs)); return; }
    } catch {
      // the next claim after PRUNE_EVERY_MS tries again
    }
    this.pruning = false;
  }

  close(): Promise<void> {
    this.durable();
    this.db.close();
    return Promise.resolve();
  }
}
