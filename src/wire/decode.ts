// Decodes one HTTP request into an RPC call: action, version, the signature to check and the
// API parameters, flattened as sent (`Permissions.1.IpProtocol`). Both signature styles
// (PROTOCOL.md §1): v3 puts its credentials in the Authorization header and the action/version
// in `x-acs-*` headers; v1 carries them as parameters, in the query or the form body.
import { LRUCache } from 'lru-cache';
import { parseUrlEncoded } from './encode.ts';
import { parseV3Authorization } from './signature.ts';
import { wireError } from './errors.ts';

export type ResponseFormat = 'json' | 'xml';

export interface RawRequest {
  method: string;
  /** the URL as received: path and query */
  url: string;
  /** lower-cased header names, as Node gives them */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
  /** the client's address, for `acs:SourceIp` */
  remoteAddress?: string | undefined;
  /** whether it came over TLS (the TLS listener), for `acs:SecureTransport` */
  secure?: boolean;
}

export type Authentication =
  | {
      kind: 'v3';
      accessKeyId: string;
      signature: string;
      signedHeaders: string[];
      nonce: string;
      timestamp: string;
      securityToken?: string;
    }
  | {
      kind: 'v1';
      accessKeyId: string;
      signature: string;
      nonce: string;
      timestamp: string;
      securityToken?: string;
    };

export interface DecodedRequest {
  method: 'GET' | 'POST';
  path: string;
  action: string;
  version: string;
  format: ResponseFormat;
  auth: Authentication;
  /** the query string as received */
  rawQuery: string;
  /** every decoded query pair, in order (what v3 signs) */
  query: Array<[string, string]>;
  /** every query and form pair, in order (what v1 signs) */
  allParams: Array<[string, string]>;
  /** API parameters only: system parameters removed */
  params: Array<[string, string]>;
}

/** Parameters of the v1 protocol itself; never passed to an operation. */
const SYSTEM_PARAMS = new Set([
  'AccessKeyId', 'Action', 'Format', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion',
  'Timestamp', 'Version', 'Signature', 'SecurityToken', 'SignatureType', 'BearerToken',
]);

const RESPONSE_FORMATS = new Set(['json', 'xml']);

/**
 * Headers a v3 signature must cover. The action and version name the operation: a signature that
 * left them out could be replayed as another operation (every official client signs them).
 */
const V3_REQUIRED_SIGNED = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];

function header(h: RawRequest['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function lookup(pairs: Array<[string, string]>, name: string): string | undefined {
  for (const [k, v] of pairs) if (k === name) return v;
  return undefined;
}

// v3 clients repeat the same query for the same read (`RegionId=cn-hangzhou`); the decoded pairs of
// the 1,000 query strings used last are kept. INVARIANT: decoded pair arrays are never mutated.
const queryCache = new LRUCache<string, Array<[string, string]>>({ max: 1000 });

function parseQuery(rawQuery: string): Array<[string, string]> | null {
  const hit = queryCache.get(rawQuery);
  if (hit !== undefined) return hit;
  const parsed = parseUrlEncoded(rawQuery);
  // v1 queries carry a fresh nonce and signature each time: caching them would only churn
  if (parsed !== null && rawQuery.length <= 2048 && !rawQuery.includes('Signature=')) {
    queryCache.set(rawQuery, parsed);
  }
  return parsed;
}

export function decodeRequest(raw: RawRequest): DecodedRequest {
  const method = raw.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw wireError('UnsupportedHTTPMethod', { method });
  const q = raw.url.indexOf('?');
  const path = q < 0 ? raw.url : raw.url.slice(0, q);
  const rawQuery = q < 0 ? '' : raw.url.slice(q + 1);
  const query = parseQuery(rawQuery);
  if (query === null) throw wireError('InvalidParameter', 'urlEncoding');
  let form: Array<[string, string]> = [];
  const contentType = header(raw.headers, 'content-type') ?? '';
  if (raw.body.length > 0 && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const parsed = parseUrlEncoded(raw.body.toString('utf8'));
    if (parsed === null) throw wireError('InvalidParameter', 'bodyEncoding');
    form = parsed;
  }
  const allParams = form.length > 0 ? query.concat(form) : query;
  let seenSystem: Set<string> | undefined;
  let systemCount = 0;
  for (const [k] of allParams) {
    if (!SYSTEM_PARAMS.has(k)) continue;
    systemCount++;
    seenSystem ??= new Set<string>();
    if (seenSystem.has(k)) throw wireError('InvalidParameter', 'givenTwice', { name: k });
    seenSystem.add(k);
  }

  const authorization = header(raw.headers, 'authorization');
  let auth: Authentication;
  let action: string | undefined;
  let version: string | undefined;
  if (authorization !== undefined && authorization.startsWith('ACS3-')) {
    const parsed = parseV3Authorization(authorization);
    if (parsed === null) throw wireError('IncompleteSignature', { detail: 'The Authorization header is malformed.' });
    for (const required of V3_REQUIRED_SIGNED) {
      if (!parsed.signedHeaders.includes(required)) {
        throw wireError('IncompleteSignature', { detail: `The header \`${required}\` must be signed.` });
      }
    }
    action = header(raw.headers, 'x-acs-action');
    version = header(raw.headers, 'x-acs-version');
    const securityToken = header(raw.headers, 'x-acs-security-token');
    if (securityToken !== undefined && !parsed.signedHeaders.includes('x-acs-security-token')) {
      throw wireError('IncompleteSignature', { detail: 'The header `x-acs-security-token` must be signed.' });
    }
    auth = {
      kind: 'v3',
      accessKeyId: parsed.accessKeyId,
      signature: parsed.signature,
      signedHeaders: parsed.signedHeaders,
      nonce: header(raw.headers, 'x-acs-signature-nonce') ?? '',
      timestamp: header(raw.headers, 'x-acs-date') ?? '',
    };
    if (securityToken !== undefined) auth.securityToken = securityToken;
  } else if (authorization !== undefined) {
    throw wireError('IncompleteSignature', { detail: 'Only the ACS3-HMAC-SHA256 Authorization scheme is supported.' });
  } else {
    const signature = lookup(allParams, 'Signature');
    const accessKeyId = lookup(allParams, 'AccessKeyId');
    if (accessKeyId === undefined || accessKeyId === '') {
      throw wireError('MissingAccessKeyId');
    }
    if (signature === undefined || signature === '') {
      throw wireError('MissingSignature');
    }
    const signatureMethod = lookup(allParams, 'SignatureMethod');
    if (signatureMethod !== undefined && signatureMethod !== 'HMAC-SHA1') {
      throw wireError('InvalidSignatureMethod', { method: signatureMethod });
    }
    const signatureVersion = lookup(allParams, 'SignatureVersion');
    if (signatureVersion !== undefined && signatureVersion !== '1.0') {
      throw wireError('InvalidSignatureVersion', { version: signatureVersion });
    }
    // INVARIANT: a v1 call's operation comes from its signed parameters only, never from a header
    action = lookup(allParams, 'Action');
    version = lookup(allParams, 'Version');
    const securityToken = lookup(allParams, 'SecurityToken');
    auth = {
      kind: 'v1',
      accessKeyId,
      signature,
      nonce: lookup(allParams, 'SignatureNonce') ?? '',
      timestamp: lookup(allParams, 'Timestamp') ?? '',
    };
    if (securityToken !== undefined) auth.securityToken = securityToken;
  }
  if (version === undefined || version === '') throw wireError('MissingVersion');
  if (action === undefined || action === '') throw wireError('MissingAction');
  const formatParam = lookup(allParams, 'Format');
  const format: ResponseFormat = formatParam !== undefined && formatParam.toUpperCase() === 'XML' ? 'xml' : 'json';
  // `Format` is the protocol's response format when it says json or xml; any other value belongs
  // to the operation (ExportSecurityGroupRules takes `Format=csv`).
  const params = systemCount === 0 ? allParams
    : allParams.filter(([k, v]) => !SYSTEM_PARAMS.has(k) || (k === 'Format' && !RESPONSE_FORMATS.has(v.toLowerCase())));
  // a NUL is no character of any name or text the API takes (and PostgreSQL can't store one)
  for (const [k, v] of params) {
    if (k.includes('\u0000') || v.includes('\u0000')) throw wireError('InvalidParameter', { name: k.replaceAll('\u0000', '\\0').slice(0, 64), value: v.replaceAll('\u0000', '\\0').slice(0, 64), why: 'It contains a NUL character.' });
  }
  return { method, path, action, version, format, auth, rawQuery, query, allParams, params };
}
