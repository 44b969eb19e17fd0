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

// Requests sent within one second carry the same timestamp: remember the last one parsed.
let lastText = '';
let lastValue: number | null = null;

export function checkTimestamp(ts: string, nowMs: number): void {
  if (ts !== lastText) {
    lastValue = parseTimestamp(ts);
    lastText = ts;
  }
  const when = lastValue;
  if (when === null) throw wireErrors.timestampFormat(ts);
  if (Math.abs(nowMs - when) > FRESHNESS_WINDOW_MS) throw wireErrors.timestampExpired(ts);
}

/**
 * A set of 64-bit fingerprints in flat typed arrays (open addressing, linear probing): a busy
 * server sees tens of millions of nonces per window, and a Set of strings that size would make
 * every major GC walk them all. Two fingerprints collide with odds ~n²/2^65 per window (about
 * 1e-5 at 20 million nonces), which would refuse one honest request as a replay.
 */
class FingerprintSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private count = 0;

  constructor(capacity = 1 << 12) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
  }

  get size(): number { return this.count; }

  has(h: number, l: number): boolean {
    const mask = this.hi.length - 1;
    for (let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const a = this.hi[i]!;
      const b = this.lo[i]!;
      if (a === 0 && b === 0) return false;
      if (a === h && b === l) return true;
    }
  }

  add(h: number, l: number): void {
    if ((this.count + 1) * 2 > this.hi.length) this.grow();
    const mask = this.hi.length - 1;
    for (let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const a = this.hi[i]!;
      const b = this.lo[i]!;
      if (a === h && b === l) return;
      if (a === 0 && b === 0) {
        this.hi[i] = h;
        this.lo[i] = l;
        this.count++;
        return;
      }
    }
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    this.hi = new Uint32Array(oldHi.length * 2);
    this.lo = new Uint32Array(oldLo.length * 2);
    this.count = 0;
    for (let i = 0; i < oldHi.length; i++) {
      if (oldHi[i] !== 0 || oldLo[i] !== 0) this.add(oldHi[i]!, oldLo[i]!);
    }
  }
}

// The two halves of the last fingerprint (module scratch: no allocation per request).
let fpHigh = 0;
let fpLow = 0;

/** Two independent 32-bit FNV-1a style hashes of `key \0 nonce` into fpHigh/fpLow; never (0, 0). */
function fingerprint(key: string, nonce: string): void {
  let h = 0x811c9dc5;
  let l = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i <= key.length + nonce.length; i++) {
    const c = i < key.length ? key.charCodeAt(i) : i === key.length ? 0 : nonce.charCodeAt(i - key.length - 1);
    h = Math.imul(h ^ c, 0x01000193);
    l = Math.imul(l ^ c, 0x5bd1e995) ^ (l >>> 15);
  }
  fpHigh = h >>> 0;
  fpLow = l >>> 0;
  if (fpHigh === 0 && fpLow === 0) fpLow = 1;
}

/**
 * Remembers nonces in two generations of one window each: a nonce is refused while it is in
 * either, so it is kept between one and two windows, never less than one.
 */
export class NonceCache {
  private current = new FingerprintSet();
  private previous = new FingerprintSet();
  private rotatedAt: number;

  constructor(nowMs: number, private readonly windowMs = FRESHNESS_WINDOW_MS) {
    this.rotatedAt = nowMs;
  }

  /** Records the nonce; throws `SignatureNonceUsed` when it was seen within the window. */
  use(key: string, nonce: string, nowMs: number): void {
    if (nonce === '') throw wireErrors.missingNonce();
    if (nonce.length > 256) throw wireErrors.invalidParameter('SignatureNonce', nonce.slice(0, 32) + '…', 'It is longer than 256 characters.');
    if (nowMs - this.rotatedAt >= this.windowMs) {
      this.previous = nowMs - this.rotatedAt >= 2 * this.windowMs ? new FingerprintSet() : this.current;
      this.current = new FingerprintSet();
      this.rotatedAt = nowMs;
    }
    fingerprint(key, nonce);
    const h = fpHigh;
    const l = fpLow;
    if (this.current.has(h, l) || this.previous.has(h, l)) throw wireErrors.nonceUsed();
    this.current.add(h, l);
  }
}
