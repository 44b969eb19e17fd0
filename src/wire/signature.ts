// The two signature styles the official clients use (PROTOCOL.md §3-§4): v3 `ACS3-HMAC-SHA256`
// in the Authorization header, and v1 HMAC-SHA1 in the `Signature` parameter. Each has a signer
// (used by tests and benchmarks as a client would) and a verifier that recomputes and compares in
// constant time.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { percentEncode } from './encode.ts';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface V3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

const V3_AUTHORIZATION = /^ACS3-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

/** Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`; null when malformed. */
export function parseV3Authorization(header: string): V3Authorization | null {
  const m = V3_AUTHORIZATION.exec(header);
  if (m === null) return null;
  return { accessKeyId: m[1]!, signedHeaders: m[2]!.split(';'), signature: m[3]! };
}

function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  const sorted = [...query].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let out = '';
  for (let i = 0; i < sorted.length; i++) {
    const [k, v] = sorted[i]!;
    if (i > 0) out += '&';
    out += k + '=' + percentEncode(v);
  }
  return out;
}

function canonicalUri(path: string): string {
  if (path === '/') return path;
  return path.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
}

export interface V3Input {
  method: string;
  path: string;
  /** decoded query pairs */
  query: ReadonlyArray<readonly [string, string]>;
  /** lower-cased header name → value (repeated headers joined by the caller) */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  signedHeaders: readonly string[];
  payloadHash: string;
}

function isSorted(xs: readonly string[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i - 1]! > xs[i]!) return false;
  return true;
}

export function v3StringToSign(input: V3Input): string {
  let headerBlock = '';
  const names = isSorted(input.signedHeaders) ? input.signedHeaders : [...input.signedHeaders].sort();
  for (const name of names) {
    const raw = input.headers[name];
    let value: string;
    if (typeof raw === 'string') value = raw.trim();
    else if (Array.isArray(raw)) value = raw.map((v) => v.trim()).sort().join(',');
    else value = '';
    headerBlock += name + ':' + value + '\n';
  }
  const canonicalRequest =
    input.method + '\n' + canonicalUri(input.path) + '\n' + canonicalQuery(input.query) + '\n' +
    headerBlock + '\n' + names.join(';') + '\n' + input.payloadHash;
  return 'ACS3-HMAC-SHA256\n' + createHash('sha256').update(canonicalRequest).digest('hex');
}

export function signV3(input: V3Input, secret: string): string {
  return createHmac('sha256', secret).update(v3StringToSign(input)).digest('hex');
}

export function verifyV3(input: V3Input, secret: string, signature: string): boolean {
  const expected = createHmac('sha256', secret).update(v3StringToSign(input)).digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function sha256Hex(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** v1: params = query ∪ form body, minus `Signature`; sorted by key; both key and value encoded. */
export function v1StringToSign(method: string, params: ReadonlyArray<readonly [string, string]>): string {
  const pairs = params.filter(([k]) => k !== 'Signature').map(([k, v]) => [percentEncode(k), percentEncode(v)] as const);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const canonical = pairs.map(([k, v]) => k + '=' + v).join('&');
  return method + '&' + percentEncode('/') + '&' + percentEncode(canonical);
}

export function signV1(method: string, params: ReadonlyArray<readonly [string, string]>, secret: string): string {
  return createHmac('sha1', secret + '&').update(v1StringToSign(method, params)).digest('base64');
}

export function verifyV1(method: string, params: ReadonlyArray<readonly [string, string]>, secret: string, signature: string): boolean {
  const expected = Buffer.from(signV1(method, params, secret));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
