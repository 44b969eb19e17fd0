// A minimal Alibaba RPC client for the `parapet` command: v3 signatures (the wire module's own
// signer), JSON responses, Alibaba errors surfaced with their Code.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { signV3, EMPTY_SHA256 } from '../wire/signature.ts';
import { isoSeconds, systemClock } from '../clock.ts';

export interface ClientConfig { endpoint: string; accessKeyId: string; accessKeySecret: string }

export class ApiError extends Error {
  constructor(readonly code: string, readonly status: number, message: string) { super(`${code}: ${message}`); }
}

export function call(cfg: ClientConfig, version: string, action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const query = Object.entries(params);
  const headers: Record<string, string> = {
    host: cfg.endpoint, 'x-acs-action': action, 'x-acs-version': version, 'x-acs-date': isoSeconds(systemClock.now()),
    'x-acs-signature-nonce': randomBytes(16).toString('hex'), 'x-acs-content-sha256': EMPTY_SHA256,
  };
  const signedHeaders = Object.keys(headers).sort();
  const signature = signV3({ method: 'POST', path: '/', query, headers, signedHeaders, payloadHash: EMPTY_SHA256 }, cfg.accessKeySecret);
  headers['authorization'] = `ACS3-HMAC-SHA256 Credential=${cfg.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
  const path = '/?' + query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const [host, port] = cfg.endpoint.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port ?? 80), method: 'POST', path, headers: { ...headers, 'content-length': '0' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          if ((res.statusCode ?? 500) >= 400) reject(new ApiError(String(body['Code']), res.statusCode ?? 500, String(body['Message'])));
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
