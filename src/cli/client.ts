// The Alibaba RPC client of the `parapet` command: v3 signatures by default, v1 on request (the
// wire module's own signers, as the SDKs sign), an STS token when the credentials carry one, JSON
// responses, Alibaba errors surfaced with their Code, Message and RequestId.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { signV1, signV3, EMPTY_SHA256 } from '../wire/signature.ts';
import { percentEncode as encode } from '../wire/encode.ts';
import { isoSeconds, systemClock } from '../clock.ts';

export interface ClientConfig {
  /** `host:port`, or a URL (`http://host:port`) */
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  signature?: 'v3' | 'v1';
}

export class ApiError extends Error {
  constructor(readonly code: string, readonly status: number, message: string, readonly requestId = '') { super(`${code}: ${message}`); }
}

function hostPort(endpoint: string): { host: string; port: number; hostHeader: string } {
  const bare = endpoint.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(bare);
  const host = (m?.[1] ?? bare).replace(/^\[|\]$/g, '');
  return { host, port: Number(m?.[2] ?? 80), hostHeader: bare };
}

export function call(cfg: ClientConfig, version: string, action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const { host, port, hostHeader } = hostPort(cfg.endpoint);
  const nonce = randomBytes(16).toString('hex');
  const date = isoSeconds(systemClock.now());
  let path: string;
  let headers: Record<string, string>;
  if (cfg.signature === 'v1') {
    const query: Array<[string, string]> = [
      ...Object.entries(params), ['Action', action], ['Version', version], ['Format', 'JSON'], ['AccessKeyId', cfg.accessKeyId],
      ['SignatureMethod', 'HMAC-SHA1'], ['SignatureVersion', '1.0'], ['SignatureNonce', nonce], ['Timestamp', date],
      ...(cfg.securityToken !== undefined ? [['SecurityToken', cfg.securityToken] as [string, string]] : []),
    ];
    query.push(['Signature', signV1('POST', query, cfg.accessKeySecret)]);
    path = '/?' + query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
    headers = { host: hostHeader };
  } else {
    const query = Object.entries(params);
    headers = {
      host: hostHeader, 'x-acs-action': action, 'x-acs-version': version, 'x-acs-date': date,
      'x-acs-signature-nonce': nonce, 'x-acs-content-sha256': EMPTY_SHA256,
      ...(cfg.securityToken !== undefined ? { 'x-acs-security-token': cfg.securityToken } : {}),
    };
    const signedHeaders = Object.keys(headers).sort();
    const signature = signV3({ method: 'POST', path: '/', query, headers, signedHeaders, payloadHash: EMPTY_SHA256 }, cfg.accessKeySecret);
    headers['authorization'] = `ACS3-HMAC-SHA256 Credential=${cfg.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
    path = '/?' + query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  }
  return new Promise((resolve, reject) => {
    const req = request({ host, port, method: 'POST', path, headers: { ...headers, 'content-length': '0' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          if ((res.statusCode ?? 500) >= 400) reject(new ApiError(String(body['Code']), res.statusCode ?? 500, String(body['Message']), typeof body['RequestId'] === 'string' ? body['RequestId'] : ''));
          else resolve(body);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}
