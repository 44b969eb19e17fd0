// The load generator: raw keep-alive sockets with HTTP/1.1 pipelining, replaying pre-serialized
// requests (each signed request unique, since the server refuses a nonce twice). It does almost
// nothing per request (write bytes, find a status line and a Content-Length), so on its own core
// it outruns one server process and the measured ratio is the server's, not the client's.
import { connect, type Socket } from 'node:net';
import type { BuiltRequest } from '../../test/helpers/sign.ts';

export interface LoadResult { rps: number; total: number; non2xx: number; errors: number; p50: number; p99: number }

export function serialize(r: BuiltRequest): Buffer {
  let head = `${r.method} ${r.path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(r.headers)) head += `${k}: ${v}\r\n`;
  head += `content-length: ${Buffer.byteLength(r.body)}\r\n\r\n`;
  return Buffer.from(head + r.body);
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * `requests` is shared by all connections in order; or, given `streams`, connection i sends only
 * streams[i] (in order, one at a time when depth is 1), for workloads whose order matters.
 */
export async function runLoad(endpoint: string, requests: readonly Buffer[], seconds: number, connections = 16, depth = 8, streams?: readonly (readonly Buffer[])[]): Promise<LoadResult> {
  const [host, portText] = endpoint.split(':');
  const port = Number(portText);
  let next = 0;
  let total = 0;
  let non2xx = 0;
  let errors = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const take = (): Buffer | undefined => (next < requests.length ? requests[next++] : undefined);

  const runConnection = (index: number) => new Promise<void>((resolve) => {
    const stream = streams?.[index];
    let position = 0;
    const takeMine = stream === undefined ? take : (): Buffer | undefined => (position < stream.length ? stream[position++] : undefined);
    const socket: Socket = connect({ host, port, noDelay: true });
    const sentAt: number[] = [];
    let pending: Buffer = Buffer.alloc(0);
    let done = false;
    const finish = () => { if (!done) { done = true; socket.destroy(); resolve(); } };
    const send = (n: number) => {
      const batch: Buffer[] = [];
      const now = performance.now();
      for (let i = 0; i < n && now < deadline; i++) {
        const r = takeMine();
        if (r === undefined) break;
        batch.push(r);
        sentAt.push(now);
      }
      if (batch.length > 0) socket.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch));
      else if (sentAt.length === 0) finish();
    };
    socket.on('connect', () => send(depth));
    socket.on('error', () => { errors++; finish(); });
    socket.on('close', finish);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let answered = 0;
      for (;;) {
        const headerEnd = pending.indexOf(CRLFCRLF);
        if (headerEnd < 0) break;
        const head = pending.subarray(0, headerEnd).toString('latin1');
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const length = m ? Number(m[1]) : 0;
        const end = headerEnd + 4 + length;
        if (pending.length < end) break;
        const status = Number(head.slice(9, 12));
        if (status < 200 || status >= 300) non2xx++;
        total++;
        answered++;
        latencies.push(performance.now() - sentAt.shift()!);
        pending = pending.subarray(end);
      }
      if (answered > 0) send(answered);
    });
  });

  const started = performance.now();
  await Promise.all(Array.from({ length: streams?.length ?? connections }, (_, i) => runConnection(i)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => (latencies.length === 0 ? 0 : Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2)));
  return { rps: total / elapsed, total, non2xx, errors, p50: q(0.5), p99: q(0.99) };
}
