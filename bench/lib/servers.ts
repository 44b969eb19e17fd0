// Starts one server per child process, so each measured server has a core of its own while the
// load generator runs in the parent. Modes: `parapet` (the real server on a temp SQLite dir, or
// PostgreSQL when PARAPET_DATABASE_URL is set) and `bare` (fastify answering fixed bytes).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

export interface BenchServer { endpoint: string; child: ChildProcess; stop(): Promise<void> }

export async function startChild(mode: 'parapet' | 'bare', env: Record<string, string> = {}): Promise<BenchServer> {
  const child = spawn(TSX, [CHILD, mode], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}: ${out}`)));
  });
  return {
    endpoint, child,
    stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
  };
}
