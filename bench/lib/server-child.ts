// One bench server in its own process; prints `READY host:port`. See servers.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { defaultLogger, startServer } from '../../src/server.ts';

import { BENCH_ROOT } from './root.ts';

const mode = process.argv[2];
if (mode === 'bare') {
  // Answers every request with the bytes of the file named by BENCH_BARE_BODY (a real Parapet response body).
  const body = readFileSync(process.env['BENCH_BARE_BODY'] ?? '/dev/null', 'utf8');
  const app = Fastify();
  const handler = async (_req: unknown, reply: { header(k: string, v: string): unknown; send(b: string): unknown }) => {
    reply.header('content-type', 'application/json;charset=utf-8');
    return reply.send(body);
  };
  app.get('/', handler);
  app.post('/', handler);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address() as { port: number };
  process.stdout.write(`READY 127.0.0.1:${a.port}\n`);
  process.once('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
} else {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-bench-'));
  const config = loadConfig({
    ...process.env, PARAPET_HOST: '127.0.0.1', PARAPET_PORT: '0', PARAPET_DATA_DIR: dir,
    PARAPET_ACCOUNT_ID: BENCH_ROOT.accountId, PARAPET_ROOT_ACCESS_KEY_ID: BENCH_ROOT.accessKeyId, PARAPET_ROOT_ACCESS_KEY_SECRET: BENCH_ROOT.accessKeySecret,
  });
  // the request log is part of the measured path: the server's own logger, to a file instead of stdout
  const logger = defaultLogger('info', join(dir, 'parapet.log'));
  const server = await startServer({ config, logger });
  if (process.env['BENCH_NONCES'] === 'memory') {
    // The baseline for what shared nonces cost: the same server remembering nonces in its own
    // memory only (what a single process could do, and what Parapet did before nonces moved to
    // the store). Bench-only: the product has no such switch.
    const seen = new Set<string>();
    const claim = (key: string): Promise<boolean> => Promise.resolve(!seen.has(key) && seen.add(key) !== undefined);
    Object.assign(server.store.nonces, { claim });
  }
  process.stdout.write(`READY ${server.endpoint}\n`);
  process.once('SIGTERM', () => {
    void server.close().then(() => { rmSync(dir, { recursive: true, force: true }); process.exit(0); });
  });
}
