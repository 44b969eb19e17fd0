// Signed-request nonces in the store, so that a request is accepted once by every server on the
// store and across restarts. Claims that arrive together are written in one statement (one
// batch in flight at a time; the next gathers meanwhile), so a busy server pays one round trip
// per batch, not per request. Expired nonces are deleted a chunk at a time.
// On PostgreSQL a batch commits without waiting for its WAL flush: a write's own commit flushes
// the WAL, and with it every nonce claimed before it, so the nonce of an acknowledged write is
// durable; only the nonces of reads claimed in the last moment before a database crash can be
// lost (a read changes nothing).
import { sql } from 'kysely';
import type { Db } from './store.ts';

const BATCH = 500;
const PRUNE_EVERY_MS = 30_000;
const PRUNE_CHUNK = 5000;

interface Pending { key: string; expiresAt: number; resolve(fresh: boolean): void; reject(err: unknown): void }

export class NonceLedger {
  private pending: Pending[] = [];
  private inFlight: Promise<void> | undefined;
  private lastPrune = 0;
  private pruning: Promise<void> | undefined;
  private latestNow = 0;

  constructor(private readonly db: Db, private readonly engine: 'sqlite' | 'postgres') {}

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
          const first = fresh.has(p.key) && !seen.has(p.key);
          seen.add(p.key);
          p.resolve(first);
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
    const rows = new Map<string, number>();
    for (const p of batch) rows.set(p.key, Math.max(rows.get(p.key) ?? 0, p.expiresAt));
    const values = [...rows].map(([key, expires_at]) => ({ key, expires_at }));
    // a row whose request is no longer fresh (not yet pruned) is claimed anew
    const now = this.latestNow;
    const run = (db: Db) => db.insertInto('nonces').values(values)
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') })).where('nonces.expires_at', '<', now))
      .returning('key').execute();
    const inserted = this.engine === 'postgres'
      ? await this.db.transaction().execute(async (tx) => {
        await sql`set local synchronous_commit = off`.execute(tx);
        return run(tx);
      })
      : await run(this.db);
    return new Set(inserted.map((r) => r.key));
  }

  /** Deletes the nonces whose requests can no longer be fresh. */
  async prune(nowMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const victims = this.db.selectFrom('nonces').select('key').where('expires_at', '<', nowMs).limit(PRUNE_CHUNK);
      const r = await this.db.deleteFrom('nonces').where('key', 'in', victims).executeTakeFirst();
      const n = Number(r.numDeletedRows);
      total += n;
      if (n < PRUNE_CHUNK) return total;
    }
  }
}
