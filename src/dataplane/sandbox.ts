// A Linux instance's sandbox (DATAPLANE.md "The sandbox"): what the instance's processes run in
// instead of the host. `ip netns exec {InstanceId}` puts it in the instance's network namespace and
// gives it a mount namespace of its own, where the instance's root is mounted: an overlay of the
// shared image (image.ts, read-only) under the instance's writable layer
// (`instances/{InstanceId}/layer`, kept across reboots and stops, removed with the instance).
// bubblewrap then makes that overlay the root of new PID, UTS (the host name), IPC and cgroup
// namespaces, with a fresh /dev and /proc, the kernel's dangerous /proc files read-only or masked,
// and fewer capabilities. The sandbox's output is piped to a log file on the host (the instance
// can append to the pipe, never rewrite the file). Ending the sandbox's init ends every process in
// it; with the last one its mount namespaces and the overlay go, so nothing is ever mounted in the
// host's mount namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { endProcessesIn } from './registry.ts';

export const BWRAP = 'bwrap';

/**
 * What root inside may do: Docker's default set without CAP_MKNOD (no device nodes), CAP_NET_RAW
 * (raw frames could carry another instance's MAC, which the bridge would learn: the port guard
 * checks IPv4 and ARP sender addresses, not MACs) and CAP_SETFCAP (file capabilities would be
 * written to the layer on the host's disk, and no_new_privs makes them useless inside anyway).
 * sshd alone needs SETUID, SETGID, SYS_CHROOT (privilege separation), NET_BIND_SERVICE (port 22),
 * KILL (it signals its unprivileged child), CHOWN (a logon's pty) and AUDIT_WRITE (on a kernel
 * with audit, a pty logon fails when the login record can't be sent); the rest make root inside
 * an ordinary root over its own files. Never: SYS_ADMIN (mount, namespaces), SYS_MODULE,
 * SYS_RAWIO, DAC_READ_SEARCH (open_by_handle_at reaches host files), SYS_PTRACE, SYS_TIME,
 * SYSLOG, BPF, PERFMON, NET_ADMIN (the instance's addresses and routes are the agent's).
 * bubblewrap also sets no_new_privs, so no exec can raise this set again; it leaves the bounding
 * set full when it runs as root without a user namespace.
 */
export const CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_AUDIT_WRITE',
] as const;

/**
 * /proc as container runtimes leave it (runc's defaults): these read-only (sysctls are global or
 * answer for the reader's namespaces, and root may write most of them without any capability)...
 */
const PROC_READ_ONLY = ['sys', 'sysrq-trigger', 'fs', 'irq', 'bus'];
/** ...and these hidden (kernel memory, keys, timers, hardware). Each only where this kernel has it. */
const PROC_MASKED_FILES = ['kcore', 'keys', 'timer_list', 'timer_stats', 'sched_debug', 'latency_stats', 'interrupts'];
const PROC_MASKED_DIRS = ['acpi', 'asound', 'scsi'];

/** PATH inside (none of the agent's environment enters a sandbox) */
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const TAIL_CHARS = 4096;

/**
 * Run by `ip netns exec`, in the instance's network namespace and a mount namespace of its own
 * (ip-netns-exec makes it a slave of the host's: mounts here never reach the host). Ping sockets
 * for every group stand in for the raw sockets the sandbox lacks (busybox ping falls back to them).
 */
const WRAPPER = `set -e
echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range
mount -t overlay parapet -o "lowerdir=$1,upperdir=$2,workdir=$3" "$4"
shift 4
exec ${BWRAP} "$@"`;

/** `{stateDir}/instances/{InstanceId}`: the instance's state on the host (its layer, host key, logon log). */
export function instanceDir(stateDir: string, instanceId: string): string {
  return join(stateDir, 'instances', instanceId);
}

export interface Boot {
  /** the shared image (image.ts) */
  image: string;
  hostName: string;
  /** the sandbox's first process, by its path inside */
  command: string[];
  /** its environment besides PATH */
  env: Record<string, string>;
  /** the line the first process writes (stdout or stderr) once it is ready */
  ready: RegExp;
}

export class Sandbox {
  private child: ChildProcess | undefined;
  /** the sandbox's init (PID 1 inside) as the host sees it, from bwrap's --info-fd */
  private initPid: number | undefined;
  private closed: Promise<void> = Promise.resolve();
  private live = false;
  /** an end while starting or stopping is reported by boot() or expected by stop(), not to onEnd */
  private quiet = false;

  /** `onEnd` hears of an end the agent did not ask for; `onOutput` reads the output as it is written to the log */
  constructor(readonly stateDir: string, readonly instanceId: string, private readonly logFile: string,
    private readonly onEnd: (code: number | null, tail: string) => void, private readonly onOutput?: (chunk: string) => void) {}

  get layer(): string { return join(instanceDir(this.stateDir, this.instanceId), 'layer'); }

  /** Whether the sandbox still runs (it ends when its first process exits). */
  get running(): boolean { return this.live; }

  /** The sandbox's init as the host sees it, while it runs: a process inside the instance's network namespace. */
  get pid(): number | undefined { return this.live ? this.initPid : undefined; }

  /** Starts the sandbox; resolves once its first process says it is ready, rejects (leaving nothing running) otherwise. */
  async boot(b: Boot): Promise<void> {
    if (this.live) throw new Error(`the sandbox of ${this.instanceId} already runs`);
    const dir = instanceDir(this.stateDir, this.instanceId);
    const upper = join(this.layer, 'upper');
    const work = join(this.layer, 'work');
    const root = join(this.layer, 'root');
    for (const p of [b.image, upper, work, root]) {
      // overlayfs options are split at commas and lower layers at colons
      if (/[,:\\]/.test(p)) throw new Error(`the data-plane directory \`${p}\` can't hold an instance layer: its path has a comma, colon or backslash`);
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    mkdirSync(this.layer, { recursive: true, mode: 0o700 });
    for (const [p, mode] of [[upper, 0o755], [work, 0o700], [root, 0o755]] as const) {
      mkdirSync(p, { recursive: true, mode });
      // the upper directory is the instance's `/`
      chmodSync(p, mode);
    }
    clearMountPoints(upper);

    const args = ['--bind', root, '/', '--dev', '/dev', '--proc', '/proc'];
    // the sources are the host's /proc and /dev/null: /proc/sys answers for the reader's namespaces,
    // the rest is global; the same kernel backs both procfs, so the host's has what the new one has
    for (const p of PROC_READ_ONLY) if (existsSync(`/proc/${p}`)) args.push('--ro-bind', `/proc/${p}`, `/proc/${p}`);
    for (const p of PROC_MASKED_FILES) if (existsSync(`/proc/${p}`)) args.push('--ro-bind', '/dev/null', `/proc/${p}`);
    for (const p of PROC_MASKED_DIRS) if (existsSync(`/proc/${p}`)) args.push('--tmpfs', `/proc/${p}`, '--remount-ro', `/proc/${p}`);
    args.push(
      '--unshare-pid', '--unshare-uts', '--unshare-ipc', '--unshare-cgroup', '--hostname', b.hostName,
      // its own session: no TIOCSTI into a terminal the agent was started from
      '--new-session',
      // the sandbox ends with bwrap, and bwrap with the agent, even an agent killed with SIGKILL
      '--die-with-parent',
      '--chdir', '/', '--setenv', 'PATH', PATH,
      '--cap-drop', 'ALL', ...CAPABILITIES.flatMap((c) => ['--cap-add', c]),
      '--info-fd', '3', '--', ...b.command,
    );

    this.quiet = true;
    const child = spawn('ip', ['netns', 'exec', this.instanceId, 'sh', '-c', WRAPPER, 'sh', b.image, upper, work, root, ...args], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      // nothing of the agent's environment (credentials, database URLs) enters the sandbox
      env: { PATH: process.env['PATH'] ?? PATH, ...b.env },
    });
    this.child = child;
    this.initPid = undefined;
    this.live = true;
    const log = createWriteStream(this.logFile, { flags: 'a', mode: 0o600 });
    log.on('error', () => { /* a full or missing disk loses log lines, never the sandbox */ });
    let tail = '';
    let onOutput: (() => void) | undefined;
    for (const out of [child.stdout!, child.stderr!]) {
      out.on('data', (chunk: Buffer) => {
        log.write(chunk);
        const text = chunk.toString();
        tail = (tail + text).slice(-TAIL_CHARS);
        this.onOutput?.(text);
        onOutput?.();
      });
    }
    let info = '';
    // the cast: stdio[3] is the 'pipe' asked for above
    (child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
      info += chunk.toString();
      const m = /"child-pid":\s*(\d+)/.exec(info);
      if (m !== null) this.initPid = Number(m[1]);
    });
    let spawnError: Error | undefined;
    this.closed = new Promise<void>((resolve) => {
      // 'close': bwrap exited and every process that held the output pipes is gone
      child.on('close', (code) => {
        this.live = false;
        log.end();
        if (!this.quiet) this.onEnd(code, tail);
        resolve();
      });
      // a start that failed (no `ip`) has no 'close' to wait for
      child.on('error', (err) => {
        spawnError = err;
        this.live = false;
        log.end();
        resolve();
      });
    });
    child.on('exit', () => { this.live = false; });

    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the sandbox of ${this.instanceId} was not ready within ${READY_TIMEOUT_MS} ms: ${tail.trim().slice(-500)}`)), READY_TIMEOUT_MS);
        const done = (err?: Error) => { clearTimeout(timer); onOutput = undefined; if (err === undefined) resolve(); else reject(err); };
        onOutput = () => { if (b.ready.test(tail)) done(); };
        void this.closed.then(() => done(spawnError ?? new Error(`the sandbox of ${this.instanceId} ended while starting (${String(child.exitCode)}): ${tail.trim().slice(-500)}`)));
        onOutput();
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.quiet = false;
  }

  /** Ends every process of the sandbox and waits until they are gone (the layer is then free for the next boot). */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.quiet = true;
    if (this.live) {
      if (this.initPid !== undefined) {
        // the init's pid is still its own: bwrap, its parent, has not exited, so has not reaped it.
        // The kernel ends the rest of the PID namespace with it, then bwrap exits.
        try { process.kill(this.initPid, 'SIGKILL'); } catch { /* already gone */ }
      } else {
        // stopped before bwrap said who the init is: bwrap's end takes the init with it (--die-with-parent)
        child.kill('SIGKILL');
      }
    }
    if (!(await within(this.closed, STOP_TIMEOUT_MS))) {
      // a process of the sandbox still holds the output pipes: end whatever is left in the namespace
      await endProcessesIn(this.instanceId);
      if (!(await within(this.closed, STOP_TIMEOUT_MS))) throw new Error(`the sandbox of ${this.instanceId} did not end`);
    }
    this.child = undefined;
  }
}

/** Whether `p` settles within `ms`. */
async function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([p.then(() => true), new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); })]);
  clearTimeout(timer);
  return settled;
}

/**
 * bubblewrap mounts /dev and /proc on the layer's own entries and follows a symlink there on the
 * host side, so before each boot (nothing of the instance runs then) whatever the instance left
 * there that is not a directory is removed: the image's directory shows again.
 */
function clearMountPoints(upper: string): void {
  for (const name of ['dev', 'proc']) {
    const p = join(upper, name);
    let isDir = true;
    try { isDir = lstatSync(p).isDirectory(); } catch { continue; }
    if (!isDir) rmSync(p, { force: true });
  }
}

/** Deletion: the instance's layer and host key go; its logs (`*.log`) stay with the host's records. */
export function removeInstanceState(stateDir: string, instanceId: string): void {
  const dir = instanceDir(stateDir, instanceId);
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return; }
  for (const e of entries) if (!e.endsWith('.log')) rmSync(join(dir, e), { recursive: true, force: true });
}

/** The instances other than `keep` that have state under `stateDir` besides logs (a layer, a host key). */
export function instancesWithStateExcept(stateDir: string, keep: (instanceId: string) => boolean): string[] {
  let ids: string[];
  try { ids = readdirSync(join(stateDir, 'instances')); } catch { return []; }
  return ids.filter((id) => {
    if (keep(id)) return false;
    try { return readdirSync(instanceDir(stateDir, id)).some((e) => !e.endsWith('.log')); } catch { return false; }
  });
}
