// The value parsers of the policy language: how a condition's values are read, both the ones a
// policy writes (validate.ts) and the ones a request's context carries (compile.ts). Dates are
// ISO-8601 → epoch ms, numbers decimal, booleans `true`/`false` (or those two strings), IPv4
// addresses strict dotted quads, CIDRs integer ranges (host bits masked). Each returns null (-1 for
// the IPv4 fast path) for what it does not accept; none throws. IPv6 is refused (Parapet is IPv4
// throughout, see src/engine/cidr.ts).
import { parseCidr } from '../cidr.ts';
import type { IpRange } from './ast.ts';

const DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * ISO-8601 date or date-time → epoch milliseconds, or null. Accepts `YYYY-MM-DD` and
 * `YYYY-MM-DDThh:mm[:ss[.fraction]][Z|±hh:mm|±hhmm]`; no zone means UTC; fractions beyond
 * milliseconds are truncated. Calendar-checked (no 2021-02-30, no hour 24, no leap second).
 */
export function parseIsoDate(text: string): number | null {
  const m = ISO_DATE.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = h === undefined ? 0 : Number(h), minute = mi === undefined ? 0 : Number(mi), second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return null;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return date.getTime() - offsetMinutes * 60_000;
}

/** A number written in a policy or a context: a finite JSON number or a decimal string. */
export function parseDecimal(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && DECIMAL.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A boolean written in a policy or a context: `true`/`false`, as JSON booleans or those two strings. */
export function parseBool(v: unknown): boolean | null {
  return v === true || v === 'true' ? true : v === false || v === 'false' ? false : null;
}

/** A policy's IpAddress value: an IPv4 address or CIDR block → its range (host bits masked), or null. */
export function parseIpRange(text: string): IpRange | null {
  const c = parseCidr(text);
  return c === null ? null : { base: c.base, size: c.size };
}

/** Strict dotted-quad IPv4 (no leading zeros, each part 0..255) → unsigned integer, or -1. */
export function parseIpv4(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + part;
}
