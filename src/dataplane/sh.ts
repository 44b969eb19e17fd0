// Running the kernel's tools (ip, nft, conntrack, sshd): bounded in time, input on stdin, output
// collected; `must` turns a failure into an Error that carries the command and its stderr.
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';

export interface RunResult {
  /** the exit code; 124 when killed at the timeout (as timeout(1) does); 128 + n for signal n; 127 when it could not start */
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** why the command could not be started, when it could not */
  spawnError?: string;
}

/**
 * Runs one tool to its end. It runs in a process group of its own (`detached`): a terminal's
 * Ctrl-C reaches every process of the foreground group, and a tool in that group (an
 * `ip netns del` of the agent's cleanup, an nft transaction) died half-way through the work the
 * signal asked the server to finish. The server alone ends its tools (the timeout).
 */
export function run(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'], ...(opts.env !== undefined ? { env: { ...process.env, ...opts.env } } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: 127, stdout: '', stderr: e.message, timedOut: false, spawnError: e.message }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString();
      resolve({
        code: timedOut ? 124 : code ?? (signal !== null ? 128 + osConstants.signals[signal] : 1),
        stdout: Buffer.concat(out).toString(), stderr: timedOut ? `${stderr}[killed after ${timeoutMs} ms]` : stderr, timedOut,
      });
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
