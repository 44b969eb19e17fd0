// Real packets from inside Linux network namespaces, for data-plane tests: a `Prober` (a Node child
// started with `ip netns exec`, driven over the IPC channel), `ping`/`nsExec` for one-shot
// commands in a namespace, and the root/tooling check that decides whether such tests run.
//
// Node cannot switch namespaces itself, so each Prober is a separate process: netns-prober.mjs,
// plain JS so it starts in well under 100 ms without tsx. `ip netns exec` execs node in place
// (same pid), and the IPC fd is inherited through it.
// INVARIANT: everything here is bounded in time. Each request has a parent-side deadline (its own
// timeout plus IPC_MARGIN_MS) on top of the child's own timers; commands are SIGKILLed at their
// timeout; close() SIGKILLs the child. The child exits when the IPC channel closes, and the child
// and its channel are unref'd, so a forgotten Prober neither hangs the test process nor outlives it.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run as shRun, type RunResult } from '../../src/dataplane/sh.ts';

const PROBER_SCRIPT = fileURLToPath(new URL('./netns-prober.mjs', import.meta.url));
/** Slack for the IPC round trip on top of an operation's own timeout. */
const IPC_MARGIN_MS = 2_000;
const START_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 2_000;
const DEFAULT_PROBE_TIMEOUT_MS = 700;
const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
/** Set to 1 in CI: unavailable root/tooling then fails the data-plane tests instead of skipping them. */
export const REQUIRE_ROOT_ENV = 'PARAPET_REQUIRE_ROOT';

export type TcpOutcome = 'open' | 'refused' | 'timeout';
export interface LocalEndpoint { localAddress?: string; localPort?: number }
export interface ConnectRate { connections: number; failures: number; seconds: number }

/** What netns-prober.mjs accepts (it is plain JS, so this is the contract it is written against). */
export type ProberRequest =
  | { op: 'tcpListen'; port: number; host?: string }
  | { op: 'udpListen'; port: number; address?: string }
  | ({ op: 'tcpConnect'; ip: string; port: number; timeoutMs: number } & LocalEndpoint)
  | ({ op: 'udpProbe'; ip: string; port: number; timeoutMs: number } & LocalEndpoint)
  | { op: 'tcpHold'; ip: string; port: number; timeoutMs: number }
  | { op: 'tcpHeldEcho'; heldId: number; timeoutMs: number }
  | { op: 'tcpConnectRate'; ip: string; port: number; ms: number; parallel: number }
  | { op: 'udpFlood'; ip: string; port: number; pps: number; ms: number; size: number; localAddress?: string };

export interface UdpFloodResult { attempted: number; sent: number; errors: number; seconds: number }

type ProberMessage =
  | { ready: true }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

interface Pending { resolve(value: unknown): void; reject(err: Error): void; timer: NodeJS.Timeout }

/** A long-lived helper process inside network namespace `ns` that opens real sockets on request. */
export class Prober {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited: string | undefined;
  private readonly exitedPromise: Promise<void>;

  private constructor(readonly ns: string, private readonly child: ChildProcess) {
    this.exitedPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = `prober in netns ${ns} exited (code ${String(code)}, signal ${String(signal)})`;
        for (const [id, p] of this.pending) { clearTimeout(p.timer); this.pending.delete(id); p.reject(new Error(this.exited)); }
        resolve();
      });
    });
    child.on('message', (raw) => {
      const msg = raw as ProberMessage; // the child only ever sends ProberMessage (netns-prober.mjs)
      if (!('id' in msg)) return;
      const p = this.pending.get(msg.id);
      if (!p) return; // answer to a request that already timed out on this side
      clearTimeout(p.timer);
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`prober in netns ${ns}: ${msg.error}`));
    });
  }

  static async start(ns: string): Promise<Prober> {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, PROBER_SCRIPT], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4096); process.stderr.write(chunk); });
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (why: string) => { cleanup(); reject(new Error(`Prober.start(${ns}): ${why}${stderr ? `: ${stderr.trim()}` : ''}`)); };
        const onMessage = (m: unknown) => { if ((m as { ready?: boolean }).ready === true) { cleanup(); resolve(); } };
        const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited before ready (code ${String(code)}, signal ${String(signal)})`);
        const onError = (err: Error) => fail(err.message);
        const timer = setTimeout(() => fail(`not ready within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
        const cleanup = () => { clearTimeout(timer); child.off('message', onMessage); child.off('exit', onExit); child.off('error', onError); };
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.once('error', onError);
      });
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    // stderr is a pipe socket; without unref it would keep the event loop alive like the child.
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    child.channel?.unref();
    child.unref();
    return new Prober(ns, child);
  }

  /** Listen on TCP `port` on `host` (default 0.0.0.0; '::' for IPv6 only) and echo what each connection sends; resolves once listening. */
  tcpListen(port: number, host?: string): Promise<void> {
    return this.request({ op: 'tcpListen', port, ...(host !== undefined ? { host } : {}) }, 0).then(() => undefined);
  }

  /**
   * Bind UDP `port` on `address` (default 0.0.0.0; an IPv6 address, '::' too, binds IPv6 only) and echo each datagram back to its sender;
   * resolves once bound. A socket on 0.0.0.0 answers from the address the route picks, which is
   * not the one the datagram was sent to on a host with several: bind the address then.
   */
  udpListen(port: number, address?: string): Promise<void> {
    return this.request({ op: 'udpListen', port, ...(address !== undefined ? { address } : {}) }, 0).then(() => undefined);
  }

  /**
   * Try a TCP connection and close it. 'open': connected; 'refused': ECONNREFUSED (an RST came
   * back); 'timeout': no answer within `timeoutMs`, and also EHOSTUNREACH/ENETUNREACH/ETIMEDOUT (an
   * ICMP unreachable or no route is "could not reach", like silence, not a refusal). Other errors
   * (EADDRINUSE for a busy `localPort`, ...) reject: they are mistakes in the test.
   */
  tcpConnect(ip: string, port: number, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS, opts: LocalEndpoint = {}): Promise<TcpOutcome> {
    return this.request({ op: 'tcpConnect', ip, port, timeoutMs, ...pickLocal(opts) }, timeoutMs) as Promise<TcpOutcome>;
  }

  /** Send one datagram to ip:port; true when it is echoed back from ip:port within `timeoutMs`. */
  udpProbe(ip: string, port: number, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS, opts: LocalEndpoint = {}): Promise<boolean> {
    return this.request({ op: 'udpProbe', ip, port, timeoutMs, ...pickLocal(opts) }, timeoutMs) as Promise<boolean>;
  }

  /** Open a TCP connection and keep it; its id for tcpHeldEcho, or undefined if it did not connect. */
  tcpHold(ip: string, port: number, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<number | undefined> {
    return this.request({ op: 'tcpHold', ip, port, timeoutMs }, timeoutMs) as Promise<number | undefined>;
  }

  /** Write a fresh line on held connection `id`; true if it is echoed within `timeoutMs`, false on timeout or reset/close. */
  tcpHeldEcho(id: number, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<boolean> {
    return this.request({ op: 'tcpHeldEcho', heldId: id, timeoutMs }, timeoutMs) as Promise<boolean>;
  }

  /**
   * For benchmarks: `parallel` loops (1..64), starting attempts for `ms`, each attempt a connect to
   * ip:port, one byte echoed, and a close with RST. Each attempt is bounded by 1 s; refusals,
   * timeouts, missing echoes and errors count as failures; `seconds` is the measured span (up to
   * `ms` + 1 s). Closed-loop (the echo) so the client cannot outrun the listener's accept queue;
   * RST so the client's ports do not pile up in TIME_WAIT. See netns-prober.mjs for both. The
   * first run in a fresh prober is slower (JIT warm-up): benchmarks should discard one.
   */
  tcpConnectRate(ip: string, port: number, ms: number, parallel = 4): Promise<ConnectRate> {
    // The run can overrun `ms` by one attempt's bound (1 s).
    return this.request({ op: 'tcpConnectRate', ip, port, ms, parallel }, ms + 1_000) as Promise<ConnectRate>;
  }

  /**
   * A paced UDP flood (Anti-DDoS tests): `pps` datagrams a second of `size` payload bytes to ip:port
   * for `ms` (at most 60 s), from 8 source ports; sends the kernel refuses are counted, not fatal.
   */
  udpFlood(ip: string, port: number, pps: number, ms: number, size = 64, localAddress?: string): Promise<UdpFloodResult> {
    return this.request({ op: 'udpFlood', ip, port, pps, ms, size, ...(localAddress !== undefined ? { localAddress } : {}) }, ms + 1_000) as Promise<UdpFloodResult>;
  }

  /** Kill the child (SIGKILL) and wait for it to go, at most CLOSE_TIMEOUT_MS. Never throws. */
  async close(): Promise<void> {
    if (this.exited === undefined) {
      try { this.child.kill('SIGKILL'); } catch { /* already gone */ }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exitedPromise, new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_TIMEOUT_MS); })]);
    clearTimeout(timer);
  }

  private request(req: ProberRequest, opTimeoutMs: number): Promise<unknown> {
    if (this.exited !== undefined) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const budget = opTimeoutMs + IPC_MARGIN_MS;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`prober in netns ${this.ns}: ${req.op} got no answer within ${budget} ms`));
      }, budget);
      this.pending.set(id, { resolve, reject, timer });
      this.child.send({ id, ...req }, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Error(`prober in netns ${this.ns}: cannot send ${req.op}: ${err.message}`));
      });
    });
  }
}

function pickLocal(opts: LocalEndpoint): LocalEndpoint {
  return {
    ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
    ...(opts.localPort !== undefined ? { localPort: opts.localPort } : {}),
  };
}

export type CommandResult = Pick<RunResult, 'code' | 'stdout' | 'stderr' | 'timedOut'>;

/**
 * Run a command and collect its output (src/dataplane/sh.ts): at `timeoutMs` it is SIGKILLed and
 * resolves with code 124 and timedOut: true; a signal death otherwise gives 128 + signal number.
 * Rejects only when the command cannot be started.
 */
export async function run(cmd: string, args: string[], timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS, env?: Record<string, string>): Promise<CommandResult> {
  const r = await shRun(cmd, args, { timeoutMs, ...(env !== undefined ? { env } : {}) });
  if (r.spawnError !== undefined) throw new Error(`cannot run ${cmd}: ${r.spawnError}`);
  return r;
}

/** Run `ip netns exec <ns> ...args`; see run() for the result and the timeout. */
export function nsExec(ns: string, args: string[], timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<CommandResult> {
  return run('ip', ['netns', 'exec', ns, ...args], timeoutMs);
}

/** `ping -c1 -W<timeoutSec>` from inside `ns`: true when a reply came (false also on ping errors). */
export async function ping(ns: string, ip: string, timeoutSec = 1): Promise<boolean> {
  const r = await nsExec(ns, ['ping', '-n', '-q', '-c', '1', '-W', String(timeoutSec), ip], timeoutSec * 1000 + IPC_MARGIN_MS);
  return r.code === 0;
}

const REQUIRED_TOOLS = ['ip', 'nft', 'conntrack', 'ping'];
const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n; // `ip netns add` bind-mounts the namespace under /run/netns

let availability: { ok: true } | { ok: false; reason: string } | undefined;

/** Whether namespace tests can run here: Linux, root with CAP_NET_ADMIN and CAP_SYS_ADMIN, ip/nft/conntrack/ping on PATH. */
export function dataplaneAvailability(): { ok: true } | { ok: false; reason: string } {
  availability ??= checkAvailability();
  return availability;
}

function checkAvailability(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux, this is ${process.platform}` };
  const uid = process.getuid?.();
  if (uid !== 0) return { ok: false, reason: `not running as root (uid ${String(uid)})` };
  const dirs = (process.env['PATH'] ?? '').split(':').filter(Boolean);
  const missing = REQUIRED_TOOLS.filter((tool) => !dirs.some((dir) => isExecutable(join(dir, tool))));
  if (missing.length > 0) return { ok: false, reason: `not on PATH: ${missing.join(', ')}` };
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  if (capEff !== undefined) {
    const caps = BigInt(`0x${capEff}`);
    const lacking = [['CAP_NET_ADMIN', CAP_NET_ADMIN], ['CAP_SYS_ADMIN', CAP_SYS_ADMIN]] as const;
    const absent = lacking.filter(([, bit]) => (caps & (1n << bit)) === 0n).map(([name]) => name);
    if (absent.length > 0) return { ok: false, reason: `root but without ${absent.join(', ')} (an unprivileged container?)` };
  }
  return { ok: true };
}

function isExecutable(path: string): boolean {
  try { accessSync(path, constants.X_OK); return true; } catch { return false; }
}

/**
 * node:test options for a data-plane suite: `{}` when it can run, `{ skip: reason }` when it cannot;
 * with PARAPET_REQUIRE_ROOT=1 it throws instead, so CI fails rather than silently skipping.
 */
export function rootTestOptions(): { skip?: string } {
  const a = dataplaneAvailability();
  if (a.ok) return {};
  const message = `data-plane test needs root, ip/nft/conntrack/ping and network namespaces: ${a.reason}`;
  if (process.env[REQUIRE_ROOT_ENV] === '1') throw new Error(`${message} (${REQUIRE_ROOT_ENV}=1)`);
  return { skip: `${message} (set ${REQUIRE_ROOT_ENV}=1 to fail instead of skipping)` };
}
