// A long-lived `nft -j -i` inside a network namespace, for reads repeated every fraction of a
// second (Anti-DDoS's counters, antiddos.ts): one process for the namespace's lifetime instead of
// an `ip netns exec nft` per read, which costs more than the read itself. Each command's answer is
// one JSON line on stdout; an error is text on stderr and no line.
// INVARIANT: a query settles within its timeout; a session that timed out or ended is closed and
// never used again (the caller makes a new one). The child ends when its stdin closes, so an agent
// that dies leaves no nft behind, and `close()` kills it: a process inside a namespace keeps the
// namespace alive after `ip netns del`.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export class NftSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private out = '';
  private pending: { resolve(line: string): void; reject(err: Error): void; timer: NodeJS.Timeout } | undefined;
  private ended: string | undefined;

  constructor(readonly ns: string) {
    this.child = spawn('ip', ['netns', 'exec', ns, 'nft', '-j', '-i'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.out += chunk;
      const nl = this.out.indexOf('\n');
      if (nl < 0) return;
      const line = this.out.slice(0, nl);
      this.out = this.out.slice(nl + 1);
      this.settle(undefined, line);
    });
    this.child.stderr.on('data', (chunk: string) => { this.settle(new Error(`nft in ${ns}: ${chunk.trim()}`)); });
    this.child.on('error', (err) => { this.end(err.message); });
    this.child.on('exit', (code, signal) => { this.end(`nft in ${ns} ended (${String(code ?? signal)})`); });
    this.child.stdin.on('error', () => { /* the child ended: its exit says so */ });
  }

  /** whether the session can take queries */
  get alive(): boolean { return this.ended === undefined; }

  /** Runs one command (`list counters table ip …`); resolves with its JSON line. */
  query(command: string, timeoutMs = 2000): Promise<string> {
    if (this.ended !== undefined) return Promise.reject(new Error(this.ended));
    if (this.pending !== undefined) return Promise.reject(new Error('nft session: one query at a time'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.settle(new Error(`nft in ${this.ns}: no answer within ${timeoutMs} ms`)); this.close(); }, timeoutMs);
      this.pending = { resolve, reject, timer };
      this.child.stdin.write(command.replace(/\n/g, ' ') + '\n');
    });
  }

  close(): void {
    this.end('nft session closed');
    this.child.kill('SIGKILL');
  }

  private settle(err: Error | undefined, line?: string): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    if (err !== undefined) p.reject(err); else p.resolve(line ?? '');
  }

  private end(why: string): void {
    if (this.ended !== undefined) return;
    this.ended = why;
    this.settle(new Error(why));
  }
}
