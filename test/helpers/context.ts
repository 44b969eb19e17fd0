// A domain call context for tests that drive the domain directly (no HTTP).
import type { Store } from '../../src/store/store.ts';
import type { CallContext } from '../../src/domain/context.ts';
import { type Clock, systemClock } from '../../src/clock.ts';
import { randomIds } from '../../src/ids.ts';
import { DEFAULT_LIMITS, type Limits } from '../../src/domain/limits.ts';
import { DomainError } from '../../src/domain/errors.ts';

export function testContext(store: Store, accountId: string, opts: { clock?: Clock; limits?: Partial<Limits> } = {}): CallContext {
  return {
    store, clock: opts.clock ?? systemClock, ids: randomIds, limits: { ...DEFAULT_LIMITS, ...opts.limits },
    principal: { accountId, kind: 'root', accessKeyId: 'test' }, requestId: 'test-request',
    request: { sourceIp: '127.0.0.1', secureTransport: false, currentTime: '2026-11-30T00:00:00Z' },
    write: (fn) => store.write(fn),
  };
}

/** The error code a domain call is refused with, or 'accepted'; anything that is not a DomainError is rethrown. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return 'accepted';
}
