// Running the kernel's tools (ip, nft, conntrack, sshd): bounded in time, input on stdin, output
// collected; `must` turns a failure into an Error that carries the command and its stderr.
import { spawn } from 'node:child_process';

export interface RunResult { code: number; stdout: string; stderr: string }

export function run(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: 127, stdout: '', stderr: e.message }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal !== null ? 128 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => { /* the command may exit before reading everything; its code tells */ });
    child.stdin.end(opts.input ?? '');
  });
}

export class CommandError extends Error {
  constructor(readonly command: string, readonly result: RunResult) {
    super(`\`${command}\` failed (${result.code}): ${result.stderr.trim().slice(0, 2000)}`);
  }
}

export async function must(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new CommandError([cmd, ...args].join(' '), r);
  return r.stdout;
}

/** Runs `ip -batch -` inside namespace `ns` (or the current one when ns is ''): one process for many commands. */
export async function ipBatch(ns: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await must('ip', [...(ns === '' ? [] : ['-n', ns]), '-batch', '-'], { input: lines.join('\n') + '\n' });
}

/** Applies an nft script atomically inside namespace `ns` (one transaction). */
export async function nftApply(ns: string, script: string): Promise<void> {
  await must('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: script });
}
