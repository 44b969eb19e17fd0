// AccessKey lookup with a small cache (the 10,000 keys used last). An entry is trusted while the
// store's generation is the one it was read at (any write this process makes or hears of, or
// losing sight of other servers, changes it) and for at most one second.
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import { findAccessKey, type AccessKeyRecord } from '../domain/accounts.ts';

const MAX_AGE_MS = 1000;
const MAX_ENTRIES = 10000;

interface Entry { record: AccessKeyRecord | undefined; revision: number; at: number }

export class CredentialCache {
  private readonly entries = new LRUCache<string, Entry>({ max: MAX_ENTRIES });
  constructor(private readonly store: Store, private readonly clock: Clock) {}

  /** The cached record when it is still trusted (no await on the hot path); undefined otherwise. */
  cached(accessKeyId: string): AccessKeyRecord | undefined {
    const hit = this.entries.get(accessKeyId);
    if (hit !== undefined && hit.revision === this.store.generation() && this.clock.now() - hit.at < MAX_AGE_MS) return hit.record;
    return undefined;
  }

  async lookup(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const now = this.clock.now();
    const hit = this.entries.get(accessKeyId);
    if (hit !== undefined && hit.revision === this.store.generation() && now - hit.at < MAX_AGE_MS) return hit.record;
    const revision = this.store.generation();
    const record = await findAccessKey({ store: this.store }, accessKeyId);
    this.entries.set(accessKeyId, { record, revision, at: now });
    return record;
  }
}
