// SHA-512 crypt (`$6$`, Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512", the scheme glibc's
// and libxcrypt's crypt(3) answer for `$6$` salts): the hash an instance's /etc/shadow holds for
// root, which its sshd checks a password against. Pure: the salt is the caller's.
import { createHash, timingSafeEqual } from 'node:crypto';

/** crypt(3)'s base-64 alphabet (not RFC 4648's) */
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
const MAX_ROUNDS = 999_999_999;
/** the salt's alphabet and length as crypt(3) reads them */
export const SALT = /^[./0-9A-Za-z]{1,16}$/;
/** a whole `$6$` hash as sha512Crypt writes it: nothing that could break a line of /etc/shadow */
export const SHA512_CRYPT_HASH = /^\$6\$(?:rounds=[1-9][0-9]{3,8}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$/;

/** the final digest's bytes in the order the text encodes them, three at a time (the last, one) */
const ORDER = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
  [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
] as const;

const sha512 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** `bytes` repeated (and cut) to `length` bytes */
function stretch(bytes: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let at = 0; at < length; at += bytes.length) bytes.copy(out, at, 0, Math.min(bytes.length, length - at));
  return out;
}

function encode(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) { out += ITOA64[w & 0x3f]; w >>>= 6; }
  return out;
}

/**
 * The `$6$` hash of `password` (its UTF-8 bytes) with `salt` (1 to 16 characters of `./0-9A-Za-z`).
 * `rounds` other than the default 5000 are written into the hash (`$6$rounds=N$`), as crypt(3) does.
 */
export function sha512Crypt(password: string, salt: string, rounds = DEFAULT_ROUNDS): string {
  if (!SALT.test(salt)) throw new Error('a crypt salt is 1 to 16 characters of ./0-9A-Za-z');
  if (!Number.isInteger(rounds) || rounds < MIN_ROUNDS || rounds > MAX_ROUNDS) throw new Error(`crypt rounds are ${MIN_ROUNDS} to ${MAX_ROUNDS}`);
  const p = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt, 'latin1');
  const b = sha512(p, s, p);
  const a = createHash('sha512').update(p).update(s).update(stretch(b, p.length));
  for (let n = p.length; n > 0; n >>>= 1) a.update((n & 1) !== 0 ? b : p);
  let c = a.digest();
  const pBytes = stretch(sha512(...Array<Buffer>(p.length).fill(p)), p.length);
  const sBytes = stretch(sha512(...Array<Buffer>(16 + c[0]!).fill(s)), s.length);
  for (let i = 0; i < rounds; i++) {
    const h = createHash('sha512');
    h.update((i & 1) !== 0 ? pBytes : c);
    if (i % 3 !== 0) h.update(sBytes);
    if (i % 7 !== 0) h.update(pBytes);
    h.update((i & 1) !== 0 ? c : pBytes);
    c = h.digest();
  }
  let text = '';
  for (const [x, y, z] of ORDER) text += encode(c[x]!, c[y]!, c[z]!, 4);
  text += encode(0, 0, c[63]!, 2);
  return `$6$${rounds === DEFAULT_ROUNDS ? '' : `rounds=${rounds}$`}${salt}$${text}`;
}

/** Whether `password` matches a `$6$` hash (compared in constant time). */
export function sha512CryptMatches(password: string, hash: string): boolean {
  const m = /^\$6\$(?:rounds=([0-9]+)\$)?([^$]{1,16})\$/.exec(hash);
  if (m === null || !SHA512_CRYPT_HASH.test(hash)) return false;
  const again = Buffer.from(sha512Crypt(password, m[2]!, m[1] === undefined ? DEFAULT_ROUNDS : Number(m[1])));
  const given = Buffer.from(hash);
  return again.length === given.length && timingSafeEqual(again, given);
}
