// Stopping leaves nothing behind (root, real kernel; CI runs it). `PARAPET_DATAPLANE=1 npm start` runs
// as a user runs it, in a process group of its own (npm, sh, tsx's CLI, the server's node, its
// sshds), and gets what a terminal sends that group: Ctrl-C (SIGINT to every process of the group),
// Ctrl-C twice, Ctrl-C again and again, SIGTERM, the terminal closing (SIGHUP). Whichever process relays or dies first, the
// server finishes removing what its agent made: no namespace of the prefix, no instance namespace,
// no process of its state dir. A server killed outright leaves them; the next start removes them.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootTestOptions, run } from '../helpers/netns.ts';
import { Tenant, leftovers } from '../helpers/dataplane.ts';
import { ecsClient, vpcClient } from '../helpers/server.ts';
import { cleanupNamespaces } from '../../src/dataplane/registry.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const creds = { accessKeyId: 'LTAIsignalstest000001', accessKeySecret: 'signals-test-secret-000001' };
/** start (npm, tsx, the first round) and stop are each a few seconds; these bound a variant */
const START_MS = 45_000;
const STOP_MS = 30_000;

interface Proc { pid: number; ppid: number; pgid: number; cmd: string; netns: string }

/** Live processes (zombies left out: nobody may reap an orphan in a container), with their network namespace. */
function processes(): Proc[] {
  const list: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses
      const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const ns = statSync(`/proc/${name}/ns/net`);
      list.push({ pid: Number(name), ppid: Number(ppid), pgid: Number(pgid), cmd, netns: `${ns.dev}:${ns.ino}` });
    } catch { /* it exited while we looked */ }
  }
  return list;
}

/** The processes inside the named network namespaces (as `ip netns pids` finds them). */
function processesInside(names: readonly string[]): Proc[] {
  const ids = new Set<string>();
  for (const n of names) {
    try { const s = statSync(join('/run/netns', n)); ids.add(`${s.dev}:${s.ino}`); } catch { /* not there */ }
  }
  return processes().filter((p) => ids.has(p.netns));
}

/** One `npm start` in a process group of its own, like a terminal's foreground job. */
class Run {
  readonly dataDir: string;
  readonly stateDir: string;
  readonly pgid: number;
  private out = '';
  instanceId = '';

  constructor(readonly prefix: string, dataDir?: string) {
    this.dataDir = dataDir ?? mkdtempSync(join(tmpdir(), 'parapet-signals-'));
    this.stateDir = join(this.dataDir, 'dataplane');
    const child = spawn('npm', ['start'], {
      cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env, PARAPET_DATAPLANE: '1', PARAPET_PORT: '0', PARAPET_DATA_DIR: this.dataDir, PARAPET_DATAPLANE_PREFIX: prefix,
        PARAPET_ACCOUNT_ID: '5555666677779999', PARAPET_ROOT_ACCESS_KEY_ID: creds.accessKeyId, PARAPET_ROOT_ACCESS_KEY_SECRET: creds.accessKeySecret,
        PARAPET_LOG_LEVEL: 'warn',
      },
    });
    child.stdout.on('data', (b: Buffer) => { this.out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { this.out += b.toString(); });
    this.pgid = child.pid!;
  }

  output(): string { return this.out; }

  /** the group's live processes */
  group(): Proc[] { return processes().filter((p) => p.pgid === this.pgid); }

  /** the server: the parapet process none of whose children is one (npm -> sh -> tsx -> node) */
  server(): Proc | undefined {
    const ours = this.group().filter((p) => p.cmd.includes('bin/parapet.ts'));
    return ours.find((p) => !ours.some((c) => c.ppid === p.pid));
  }

  /** the processes that ran inside this run's namespaces (sshd, however it runs), by pid */
  readonly insiders = new Map<number, string>();

  /** live processes that ran inside its namespaces */
  survivors(): Proc[] { return processes().filter((p) => this.insiders.get(p.pid) === p.cmd); }

  /** live processes that ran inside its namespaces or name its state dir */
  ours(): Proc[] { return processes().filter((p) => this.insiders.get(p.pid) === p.cmd || p.cmd.includes(this.stateDir + '/')); }

  /** what is left of the data plane */
  left(): { namespaces: string[]; processes: string[] } {
    return { namespaces: this.namespaces(), processes: this.ours().map((p) => `${p.pid} ${p.cmd}`) };
  }

  namespaces(): string[] { return leftovers(this.prefix, this.instanceId === '' ? [] : [this.instanceId]); }

  /** Waits until the server listens; then a VPC, vSwitch, group and running instance, its namespace and its sshd. */
  async build(): Promise<void> {
    await until('the server to listen', () => /listening on http:\/\/[\d.]+:\d+/.test(this.out), START_MS, () => this.out);
    const port = /listening on http:\/\/[\d.]+:(\d+)/.exec(this.out)![1]!;
    const me = new Tenant(ecsClient(`127.0.0.1:${port}`, creds), vpcClient(`127.0.0.1:${port}`, creds), 'cn-zhangjiakou');
    const net = await me.network('10.9.0.0/16', '10.9.1.0/24', 'cn-zhangjiakou-a');
    this.instanceId = (await me.instance({ vSwitchId: net.vSwitchId, groups: [await me.group(net.vpcId)] })).id;
    await this.running();
  }

  /** Waits until the instance's namespace exists with its sshd running inside (unless the server said instances get no SSH here). */
  async running(): Promise<void> {
    await until('the instance namespace and its sshd', () => {
      for (const p of processesInside(this.namespaces())) this.insiders.set(p.pid, p.cmd);
      return this.namespaces().includes(this.instanceId) && (processesInside([this.instanceId]).length > 0 || /instances get no SSH/.test(this.out));
    }, START_MS, () => this.out);
  }

  signal(sig: NodeJS.Signals): void { process.kill(-this.pgid, sig); }

  /** The signal to the group if any of it is left (a fast cleanup may have ended it already). */
  signalIfAlive(sig: NodeJS.Signals): void {
    try { process.kill(-this.pgid, sig); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; }
  }

  /** Waits until no process of the group is left (the server may outlive npm and tsx). */
  async gone(): Promise<void> {
    await until('the process group to exit', () => this.group().length === 0, STOP_MS, () => `${this.out}\nstill running:\n${this.group().map((p) => `${p.pid} ${p.cmd}`).join('\n')}`);
  }

  /** Whatever a failed assertion left: the group killed, namespaces and processes of the state dir removed. */
  async dispose(): Promise<void> {
    try { process.kill(-this.pgid, 'SIGKILL'); } catch { /* gone */ }
    for (const p of [...processesInside(this.namespaces()), ...this.ours()]) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
    await cleanupNamespaces(this.stateDir, this.prefix);
    for (const ns of this.namespaces()) await run('ip', ['netns', 'del', ns]);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function until(what: string, check: () => boolean, ms: number, context: () => string): Promise<void> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}:\n${context()}`);
    await new Promise((f) => setTimeout(f, 100));
  }
}

const NOTHING = { namespaces: [], processes: [] };
let variant = 0;
/** a prefix of its own per run: one variant's leftovers never meet another's */
const prefix = () => `psg${process.pid % 1000}${String.fromCharCode(97 + variant++)}-`;

describe('npm start with the data plane: stopping leaves nothing behind', rootTestOptions(), () => {
  const runs: Run[] = [];
  after(async () => { for (const r of runs) await r.dispose(); });

  const stopsClean = (name: string, send: (r: Run) => void | Promise<void>): void => {
    test(name, { timeout: START_MS + STOP_MS + 30_000 }, async () => {
      const r = new Run(prefix());
      runs.push(r);
      await r.build();
      await send(r);
      await r.gone();
      assert.deepEqual(r.left(), NOTHING, `left behind after ${name}; output:\n${r.output()}`);
    });
  };

  stopsClean('Ctrl-C: SIGINT to the group', (r) => { r.signal('SIGINT'); });
  stopsClean('Ctrl-C twice: a second SIGINT to the group during cleanup', async (r) => {
    r.signal('SIGINT');
    // soon enough to land while the agent removes namespaces (which takes longer than this)
    await new Promise((f) => setTimeout(f, 20));
    r.signalIfAlive('SIGINT');
  });
  stopsClean('Ctrl-C again and again: SIGINT to the group every 10 ms until it is gone', async (r) => {
    // lands in every step of the cleanup (each `ip netns del`, each nft transaction), not only the first
    const t0 = performance.now();
    while (r.group().length > 0 && performance.now() - t0 < STOP_MS) {
      r.signalIfAlive('SIGINT');
      await new Promise((f) => setTimeout(f, 10));
    }
  });
  stopsClean('SIGTERM to the group', (r) => { r.signal('SIGTERM'); });
  stopsClean('the terminal closes: SIGHUP to the group', (r) => { r.signal('SIGHUP'); });

  test('the server killed outright: the next start removes what it left, sshd included', { timeout: 2 * START_MS + STOP_MS + 30_000 }, async () => {
    const first = new Run(prefix());
    runs.push(first);
    await first.build();
    const server = first.server();
    assert.ok(server !== undefined, `no server process in the group:\n${first.group().map((p) => `${p.pid} ${p.cmd}`).join('\n')}`);
    process.kill(server.pid, 'SIGKILL');
    await until('npm to exit', () => first.group().every((p) => !p.cmd.includes('bin/parapet.ts') && !p.cmd.startsWith('npm')), STOP_MS, () => first.output());
    assert.notDeepEqual(first.left(), NOTHING, 'a server killed outright cannot clean up');

    const next = new Run(first.prefix, first.dataDir);
    next.instanceId = first.instanceId;
    runs.push(next);
    await until('the server to listen', () => /listening on http/.test(next.output()), START_MS, () => next.output());
    await next.running();
    assert.deepEqual(first.survivors().map((p) => `${p.pid} ${p.cmd}`), [], 'the next start ends what the killed server left running');
    next.signal('SIGINT');
    await next.gone();
    assert.deepEqual(next.left(), NOTHING, `left behind after the next start stopped; output:\n${next.output()}`);
  });
});
