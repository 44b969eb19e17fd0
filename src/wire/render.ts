// Renders responses and errors the Alibaba way: JSON by default, XML when `Format=XML`. List
// fields arrive already wrapped (`{Vpcs: {Vpc: [...]}}`); in XML an array under key K becomes
// repeated `<K>` elements, which is how the real service writes them.
import type { ErrorShape } from './errors.ts';
import type { ResponseFormat } from './decode.ts';

export interface Rendered {
  status: number;
  contentType: string;
  body: string;
}

export const JSON_TYPE = 'application/json;charset=utf-8';
export const XML_TYPE = 'text/xml;charset=utf-8';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

function xmlValue(name: string, value: unknown, out: string[]): void {
  if (value === undefined || value === null) return;
  if (value instanceof RawJson) {
    xmlValue(name, value.value, out);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) xmlValue(name, item, out);
    return;
  }
  if (typeof value === 'object') {
    out.push('<', name, '>');
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) xmlValue(k, v, out);
    out.push('</', name, '>');
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    out.push('<', name, '>', escapeXml(String(value)), '</', name, '>');
  }
  // functions and symbols are left out, as JSON leaves them out
}

/**
 * A value already rendered as JSON. Handlers return these for parts of a response that are
 * memoized with the data they describe, so a hot read renders only its envelope.
 */
export class RawJson {
  constructor(readonly json: string, readonly value: unknown) {}
}

/** JSON.stringify that inserts RawJson fragments as they are. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.json;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + (value[i] === undefined ? 'null' : toJson(value[i]));
    return out + ']';
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let out = '{';
    let first = true;
    for (const key in value as Record<string, unknown>) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined || typeof v === 'function') continue;
      out += (first ? '' : ',') + JSON.stringify(key) + ':' + toJson(v);
      first = false;
    }
    return out + '}';
  }
  return JSON.stringify(value) ?? 'null';
}

/** Memoizes the rendering of objects that live as long as their source (a memoized read). */
export function rawJsonOf<K extends object>(cache: WeakMap<K, RawJson>, key: K, shape: (k: K) => unknown): RawJson {
  let raw = cache.get(key);
  if (raw === undefined) {
    const value = shape(key);
    raw = new RawJson(JSON.stringify(value), value);
    cache.set(key, raw);
  }
  return raw;
}

export function toXml(root: string, body: Record<string, unknown>): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  xmlValue(root, body, out);
  return out.join('');
}

/** The success body: `RequestId` first, then the operation's fields. */
export function renderSuccess(action: string, requestId: string, body: Record<string, unknown>, format: ResponseFormat): Rendered {
  if (format === 'xml') return { status: 200, contentType: XML_TYPE, body: toXml(action + 'Response', { RequestId: requestId, ...body }) };
  const rest = toJson(body);
  const head = '{"RequestId":' + JSON.stringify(requestId);
  return { status: 200, contentType: JSON_TYPE, body: rest === '{}' ? head + '}' : head + ',' + rest.slice(1) };
}

export function renderError(error: ErrorShape, requestId: string, hostId: string, format: ResponseFormat): Rendered {
  const body: Record<string, unknown> = {
    RequestId: requestId,
    HostId: hostId,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}`,
  };
  if (error.accessDeniedDetail !== undefined) body['AccessDeniedDetail'] = error.accessDeniedDetail;
  if (format === 'xml') return { status: error.httpStatus, contentType: XML_TYPE, body: toXml('Error', body) };
  return { status: error.httpStatus, contentType: JSON_TYPE, body: JSON.stringify(body) };
}
