// Builds signed raw requests the way the official clients do (PROTOCOL.md §2-§4), for tests
// that need to control every byte: replayed nonces, stale timestamps, malformed parameters.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { signV1, signV3, EMPTY_SHA256, sha256Hex } from '../../src/wire/signature.ts';
import { isoSeconds } from '../../src/clock.ts';

export interface SignOptions {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  version: string;
  action: string;
  params: Record<string, string>;
  nonce?: string;
  date?: string;
  style?: 'v3' | 'v1';
  method?: 'GET' | 'POST';
  /** v1 only: send every parameter in a form body (pop-core POST) */
  formBody?: boolean;
  securityToken?: string;
}

export interface BuiltRequest { method: string; path: string; headers: Record<string, string>; body: string }

function qs(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

export function buildSigned(o: SignOptions): BuiltRequest {
  const nonce = o.nonce ?? randomBytes(16).toString('hex');
  const date = o.date ?? isoSeconds(Date.now());
  const method = o.method ?? 'POST';
  if ((o.style ?? 'v3') === 'v3') {
    const query = Object.entries(o.params);
    const headers: Record<string, string> = {
      host: o.endpoint, 'x-acs-action': o.action, 'x-acs-version': o.version, 'x-acs-date': date,
      'x-acs-signature-nonce': nonce, 'x-acs-content-sha256': EMPTY_SHA256, accept: 'application/json',
    };
    if (o.securityToken) headers['x-acs-security-token'] = o.securityToken;
    const signedHeaders = Object.keys(headers).filter((h) => h !== 'accept').sort();
    const signature = signV3({ method, path: '/', query, headers, signedHeaders, payloadHash: EMPTY_SHA256 }, o.accessKeySecret);
    headers['authorization'] = `ACS3-HMAC-SHA256 Credential=${o.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
    return { method, path: '/?' + qs(query), headers, body: '' };
  }
  const { Format: format = 'JSON', ...apiParams } = o.params;
  const all: Array<[string, string]> = [
    ['AccessKeyId', o.accessKeyId], ['Action', o.action], ['Format', format], ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureNonce', nonce], ['SignatureVersion', '1.0'], ['Timestamp', date], ['Version', o.version],
    ...(o.securityToken ? [['SecurityToken', o.securityToken] as [string, string]] : []),
    ...Object.entries(apiParams),
  ];
  all.push(['Signature', signV1(method, all, o.accessKeySecret)]);
  if (o.formBody && method === 'POST') {
    const body = qs(all);
    return { method, path: '/', headers: { host: o.endpoint, 'content-type': 'application/x-www-form-urlencoded' }, body };
  }
  return { method, path: '/?' + qs(all), headers: { host: o.endpoint }, body: '' };
}

export interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; body: string; json: Record<string, unknown> | undefined }

export function send(endpoint: string, r: BuiltRequest): Promise<RawResponse> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method: r.method, path: r.path, headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try { json = JSON.parse(body) as Record<string, unknown>; } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

export { sha256Hex };
