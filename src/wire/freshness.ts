// Replay and clock checks: a request's timestamp must lie within 15 minutes of the server's
// clock, and a nonce may be used once per AccessKey while its request could be fresh. The nonces
// themselves are kept in the store (src/store/nonces.ts), where every server on it and every
// restart sees them; this module says what to remember and for how long.
// INVARIANT: a nonce is remembered at least until its request's timestamp falls out of the
// window, future-dated requests included (a request dated 14 min ahead stays fresh for 29 min).
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { wireError } from './errors.ts';

export const FRESHNESS_WINDOW_MS = 15 * 60 * 1000;
export const MAX_NONCE_LENGTH = 256;
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

// Requests sent within one second carry the same timestamp: the last 64 parsed are remembered (a few
// seconds' worth, from clients whose clocks differ). A timestamp that does not parse is refused,
// not kept.
const parsedTimestamps = new LRUCache<string, number>({ max: 64 });

/** Checks the request's time against the server's; returns the request's time (ms). */
export function checkTimestamp(ts: string, nowMs: number): number {
  let when = parsedTimestamps.get(ts);
  if (when === undefined) {
    const parsed = parseTimestamp(ts);
    if (parsed === null) throw wireError('InvalidTimeStamp.Format', { timestamp: ts });
    when = parsed;
    parsedTimestamps.set(ts, when);
  }
  if (Math.abs(nowMs - when) > FRESHNESS_WINDOW_MS) throw wireError('InvalidTimeStamp.Expired', { timestamp: ts });
  return when;
}

export interface NonceClaim {
  /** what the store keeps: a 128-bit digest of AccessKey and nonce (fixed size, whatever was sent) */
  key: string;
  /** until when it must be kept: the end of its request's freshness */
  expiresAt: number;
}

/** What to remember of a request's nonce, and until when; throws for a missing or oversized nonce. */
export function nonceClaim(accessKeyId: string, nonce: string, requestTimeMs: number): NonceClaim {
  if (nonce === '') throw wireError('MissingSignatureNonce');
  if (nonce.length > MAX_NONCE_LENGTH) throw wireError('InvalidParameter', { name: 'SignatureNonce', value: nonce.slice(0, 32) + '…', why: `It is longer than ${MAX_NONCE_LENGTH} characters.` });
  const key = createHash('sha256').update(accessKeyId).update('\u0000').update(nonce).digest('hex').slice(0, 32);
  return { key, expiresAt: requestTimeMs + FRESHNESS_WINDOW_MS };
}
