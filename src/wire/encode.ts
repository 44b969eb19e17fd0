// Percent-encoding as Alibaba's signers use it (RFC 3986 plus `!'()*`), and the inverse of the
// wire's `querystring` encoding. PROTOCOL.md §2-§4: the server decodes, then re-encodes; it never
// signs the raw query string.

const EXTRA = /[!'()*]/g;

/** encodeURIComponent plus `!'()*` → `%21 %27 %28 %29 %2A` (space is `%20`, `/` is `%2F`). */
const EXTRA_TEST = /[!'()*]/;
const EXTRA_CODES: Record<string, string> = { '!': '%21', "'": '%27', '(': '%28', ')': '%29', '*': '%2A' };

export function percentEncode(value: string): string {
  const encoded = encodeURIComponent(value);
  return EXTRA_TEST.test(encoded) ? encoded.replace(EXTRA, (c) => EXTRA_CODES[c]!) : encoded;
}

function decodeComponent(s: string): string {
  if (s.indexOf('+') >= 0) s = s.replace(/\+/g, ' ');
  return s.indexOf('%') >= 0 ? decodeURIComponent(s) : s;
}

/**
 * Decodes an application/x-www-form-urlencoded string (`+` is a space) into ordered pairs.
 * Returns null when a percent escape is malformed, so the caller can answer a clean 400.
 */
export function parseUrlEncoded(text: string): Array<[string, string]> | null {
  const out: Array<[string, string]> = [];
  if (text.length === 0) return out;
  for (const part of text.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    try {
      out.push([decodeComponent(rawKey), decodeComponent(rawValue)]);
    } catch {
      return null;
    }
  }
  return out;
}
