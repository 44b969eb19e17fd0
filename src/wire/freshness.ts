// Replay and clock checks: a request's timestamp must lie within 15 minutes of the server's
// clock, and a nonce may be used once per AccessKey within that window.
// INVARIANT: a nonce is remembered at least as long as a request carrying it could be fresh.
import { wireErrors } from './errors.ts';

export const FRESHNESS_WINDOW_MS = 15 * 60 * 1000;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;

/** Parses `YYYY-MM-DDTHH:mm:ssZ` (milliseconds tolerated); null when not of that form. */
export function parseTimestamp(ts: string): number | null {
  const m = TIMESTAMP.exec(ts);
  if (m === null) return null;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const d = new Date(ms);
  if (d.getUTCDate() !== +m[3]! || d.getUTCHours() !== +m[4]!) return null;
  return ms;
}

export function checkTimestamp(ts: string, nowMs: number): void {
  const when = parseTimestamp(ts);
  if (when === null) throw wireErrors.timestampFormat(ts);
  if (Math.abs(nowMs - when) > FRESHNESS_WINDOW_MS) throw wireErrors.timestampExpired(ts);
}

/**
 * Remembers nonces in two generations of one window each: a nonce is refused while it is in
 * either, so it is kept between one and two windows, never less than one.
 */
export class NonceCache {
  private current = new Set<string>();
  private previous = new Set<string>();
  private rotatedAt: number;

  constructor(nowMs: number, private readonly windowMs = FRESHNESS_WINDOW_MS) {
    this.rotatedAt = nowMs;
  }

  /** Records the nonce; throws `SignatureNonceUsed` when it was seen within the window. */
  use(key: string, nonce: string, nowMs: number): void {
    if (nonce === '') throw wireErrors.missingNonce();
    if (nonce.length > 256) throw wireErrors.invalidParameter('SignatureNonce', nonce.slice(0, 32) + '…', 'It is longer than 256 characters.');
    if (nowMs - this.rotatedAt >= this.windowMs) {
      this.previous = nowMs - this.rotatedAt >= 2 * this.windowMs ? new Set() : this.current;
      this.current = new Set();
      this.rotatedAt = nowMs;
    }
    const id = key + '\u0000' + nonce;
    if (this.current.has(id) || this.previous.has(id)) throw wireErrors.nonceUsed();
    this.current.add(id);
  }
}
