// Security Center's agent in the data plane (SPEC §6): for every running Linux instance with the
// agent, the agent's own process watches two things, with no daemon of its own per instance:
// - the instance's sshd log: the lines sshd writes (sshd.ts, `-e`: to the sandbox's output, which
//   the agent also appends to `sshd.log`) are read as they come and parsed here (SshdLogParser)
//   into logon attempts, reported at once (the domain's recordLogonEvents);
// - its listening sockets: from `/proc/<pid>/net/{tcp,tcp6,udp,udp6}` of the sandbox's init, which
//   is inside the instance's network namespace (so no process is started), reported when they
//   change, at each new revision (a rule revoked changes what they expose) and every 30 s (the
//   domain's recordListeners). Reading /proc/net/tcp walks the kernel's whole connection table
//   (about a millisecond of CPU on a large machine), so each second only the namespace's socket
//   counts are read (`sockstat`, microseconds) and the tables only when a count moved, or 30 s on.
// Reports are sent one at a time, in order; a report that fails is logged and the next goes on.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ListeningSocket, LogonEvent } from '../domain/security-center/watch-model.ts';
import type { Clock } from '../clock.ts';
import type { AgentLog } from './log.ts';

export interface SecurityWatchOptions {
  /** the logon attempts of the lines just read (recordLogonEvents) */
  logons(events: LogonEvent[]): Promise<void>;
  /** the whole list of an instance's listening sockets (recordListeners) */
  listeners(instanceId: string, sockets: ListeningSocket[]): Promise<void>;
  /** how often the sockets are read (default 1000 ms) */
  socketIntervalMs?: number;
}

const RESEND_MS = 30_000;

// ---- the sshd log -------------------------------------------------------------------------------

/**
 * sshd's lines (LogLevel INFO) as logon attempts. Counted as one failure each:
 * - `Failed <method> for [invalid user ]<user> from <ip> port <p> ssh2` (password, publickey,
 *   keyboard-interactive; `none` is the client asking which methods exist, not an attempt);
 * - a connection that ends before authentication (`Connection closed by` / `Disconnected from`
 *   `authenticating user` or `invalid user` `… [preauth]`) with no such line of its own: at INFO
 *   sshd does not log a refused key until the third, so a client that offers a wrong key and
 *   leaves is one failed publickey attempt.
 * `Accepted <method> for <user> from <ip> port <p>` is a success. sshd's `-e` lines carry no time:
 * an attempt is dated when its line is read.
 */
export class SshdLogParser {
  private rest = '';
  /** connections (ip + port) whose attempt was already counted, until they end */
  private readonly counted = new Set<string>();

  constructor(private readonly instanceId: string) {}

  /** Parses a chunk of output (lines may be split across chunks); returns the attempts it completes. */
  push(chunk: string, at: number): LogonEvent[] {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    if (this.rest.length > 4096) this.rest = ''; // no line is this long: not sshd's
    const out: LogonEvent[] = [];
    for (const line of lines) {
      const e = this.line(line.replace(/\r$/, ''), at);
      if (e !== undefined) out.push(e);
    }
    return out;
  }

  private line(line: string, at: number): LogonEvent | undefined {
    let m = /(Failed|Accepted) (password|publickey|keyboard-interactive(?:\/pam)?|none) for (invalid user )?(\S*) from (\S+) port (\d+)/.exec(line);
    if (m !== null) {
      const [, verdict, method, , user, ip, port] = m as unknown as [string, string, string, string | undefined, string, string, string];
      if (method === 'none') return undefined;
      // a connection whose end sshd words otherwise is never freed: bounded, not leaked
      if (this.counted.size >= 10_000) this.counted.clear();
      this.counted.add(`${ip} ${port}`);
      return { instanceId: this.instanceId, at, sourceIp: ip, account: user, method: method === 'publickey' ? 'publickey' : 'password', success: verdict === 'Accepted' };
    }
    m = /(?:Connection closed by|Disconnected from) (?:authenticating|invalid) user (\S*) (\S+) port (\d+) \[preauth\]/.exec(line);
    if (m !== null) {
      const [, user, ip, port] = m as unknown as [string, string, string, string];
      const key = `${ip} ${port}`;
      if (this.counted.delete(key)) return undefined;
      return { instanceId: this.instanceId, at, sourceIp: ip, account: user, method: 'publickey', success: false };
    }
    // a connection that ended otherwise (after a logon, or refused) frees its key
    m = /(?:Connection closed by|Disconnected from|Received disconnect from|Connection reset by)(?: user \S+| authenticating user \S+| invalid user \S+)? (\S+) port (\d+)/.exec(line);
    if (m !== null) this.counted.delete(`${m[1]} ${m[2]}`);
    return undefined;
  }
}

// ---- the listening sockets ------------------------------------------------------------------------

/** An address of /proc/net/{tcp,udp}[6] (hex, the kernel's byte order per 32-bit word) as text. */
function procAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => [w.slice(6, 8), w.slice(4, 6), w.slice(2, 4), w.slice(0, 2)].map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // the longest run of zero groups becomes `::`
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/**
 * The listening sockets of one /proc/net file: TCP in state LISTEN (0A), UDP bound and not
 * connected (state 07 with no remote port).
 */
export function parseProcNet(text: string, proto: 'tcp' | 'udp'): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const [local, remote, state] = [f[1]!, f[2]!, f[3]!];
    const [addr, port] = local.split(':') as [string, string | undefined];
    if (port === undefined) continue;
    if (proto === 'tcp' ? state !== '0A' : state !== '07' || !remote.endsWith(':0000')) continue;
    out.push({ proto, port: parseInt(port, 16), address: procAddress(addr) });
  }
  return out;
}

/**
 * A count that moves when a socket starts or stops listening in the namespace of process `pid`:
 * TCP sockets in use (sockstat, sockstat6) less the established ones (snmp's CurrEstab), and the
 * UDP sockets in use. Connections coming and going leave it alone; a listener that opens as
 * another closes within one reading does not, and the 30 s re-read catches that.
 */
export function socketCounts(pid: number): string | undefined {
  const read = (file: string): string => {
    // a few hundred bytes that procfs answers from counters: synchronous costs less than a promise's round
    try { return readFileSync(`/proc/${pid}/net/${file}`, 'utf8'); } catch { return ''; }
  };
  const stat = read('sockstat');
  if (stat === '') return undefined;
  const text = stat + read('sockstat6');
  const inuse = (proto: string) => Number(new RegExp(`^${proto}: inuse (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const snmp = read('snmp').split('\n').filter((l) => l.startsWith('Tcp:'));
  const names = snmp[0]?.split(/\s+/) ?? [];
  const values = snmp[1]?.split(/\s+/) ?? [];
  const established = Number(values[names.indexOf('CurrEstab')] ?? 0);
  return `tcp=${inuse('TCP') + inuse('TCP6') - established} udp=${inuse('UDP')} udp6=${inuse('UDP6')}`;
}

/** The listening sockets of the network namespace of process `pid`, each once, in a stable order. */
export async function listeningSockets(pid: number): Promise<ListeningSocket[]> {
  const files: Array<['tcp' | 'udp', string]> = [['tcp', 'tcp'], ['tcp', 'tcp6'], ['udp', 'udp'], ['udp', 'udp6']];
  const seen = new Map<string, ListeningSocket>();
  for (const [proto, file] of files) {
    let text: string;
    try { text = await readFile(`/proc/${pid}/net/${file}`, 'utf8'); } catch { continue; } // no IPv6 in the kernel, or the process ended
    for (const s of parseProcNet(text, proto)) seen.set(`${s.proto} ${s.address} ${s.port}`, s);
  }
  return [...seen.values()].sort((a, b) => a.proto.localeCompare(b.proto) || a.port - b.port || a.address.localeCompare(b.address));
}

// ---- the watcher ----------------------------------------------------------------------------------

interface Watched {
  parser: SshdLogParser; pid: () => number | undefined;
  /** the socket counts when the sockets were last read, the sockets then, and when */
  counts?: string; sockets?: ListeningSocket[]; readAt: number;
  sent?: string; sentAt: number; sentRevision: number;
}

export class SecurityWatch {
  private readonly watched = new Map<string, Watched>();
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private revision = -1;
  private sampling = false;

  constructor(private readonly opts: SecurityWatchOptions, private readonly clock: Clock, private readonly log: AgentLog) {}

  /** The instances watched from now on (`pid`: the instance's sandbox init, when it runs), at `revision`. */
  sync(instances: ReadonlyArray<{ instanceId: string; pid: () => number | undefined }>, revision: number): void {
    const keep = new Set(instances.map((i) => i.instanceId));
    for (const id of [...this.watched.keys()]) if (!keep.has(id)) this.watched.delete(id);
    for (const i of instances) {
      const w = this.watched.get(i.instanceId);
      if (w === undefined) this.watched.set(i.instanceId, { parser: new SshdLogParser(i.instanceId), pid: i.pid, readAt: 0, sentAt: 0, sentRevision: -1 });
      else w.pid = i.pid;
    }
    this.revision = revision;
  }

  /** Output of an instance's sshd; ignored unless the instance is watched. */
  sshdOutput(instanceId: string, chunk: string): void {
    const w = this.watched.get(instanceId);
    if (w === undefined) return;
    const events = w.parser.push(chunk, this.clock.now());
    if (events.length > 0) this.send(() => this.opts.logons(events), 'logons', instanceId);
  }

  start(): void {
    this.timer ??= setInterval(() => { void this.sample(); }, this.opts.socketIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** Stops sampling and waits for the reports already queued. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
    await this.queue;
  }

  /** Reads every watched instance's sockets and reports those that need it. Exposed for tests. */
  async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      for (const [instanceId, w] of [...this.watched]) {
        const pid = w.pid();
        if (pid === undefined) continue;
        const now = performance.now();
        const counts = socketCounts(pid);
        if (counts === undefined) continue; // the sandbox ended meanwhile
        if (w.sockets === undefined || counts !== w.counts || now - w.readAt >= RESEND_MS) {
          w.sockets = await listeningSockets(pid);
          w.counts = counts;
          w.readAt = now;
        }
        const sockets = w.sockets;
        const text = JSON.stringify(sockets);
        if (text === w.sent && w.sentRevision === this.revision && now - w.sentAt < RESEND_MS) continue;
        w.sent = text; w.sentRevision = this.revision; w.sentAt = now;
        this.send(() => this.opts.listeners(instanceId, sockets), 'listeners', instanceId);
      }
    } finally {
      this.sampling = false;
    }
  }

  /** Resolves once every report queued so far was sent (tests and the benchmark wait on it). */
  flushed(): Promise<void> { return this.queue; }

  private send(fn: () => Promise<void>, what: string, instanceId: string): void {
    this.queue = this.queue.then(fn).catch((err: unknown) => {
      this.log.error({ instanceId, err: err instanceof Error ? err.stack ?? err.message : String(err) }, `Security Center: reporting ${what} failed`);
    });
  }
}
