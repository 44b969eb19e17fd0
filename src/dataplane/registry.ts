// What the agent made, for whoever comes after it (DATAPLANE.md "Reconcile", "Stopping"): the
// registry file (`namespaces.json` in the state dir) names every namespace the agent adds, written
// before the namespace exists, so that the namespaces of an agent that died are found again;
// `cleanupNamespaces` removes them (at every start, on stop, and for `parapet agent --cleanup`),
// first ending whatever still runs in an instance's namespace (`endProcessesIn`, which a sandbox
// that won't stop also falls back on), and their hosts files in /etc/netns (hosts.ts).
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './sh.ts';
import { internetNamespace } from './names.ts';
import { removeNamespaceHosts } from './hosts.ts';

const REGISTRY = 'namespaces.json';

/** The network namespaces on the machine (`ip netns` names), whoever made them. */
export function listNamespaces(): string[] {
  try { return readdirSync('/run/netns'); } catch { return []; }
}

/** Replaces the registry in one step (a temp file renamed over it): a kill mid-write never leaves cleanup blind. */
function writeRegistry(stateDir: string, list: readonly string[]): void {
  const file = join(stateDir, REGISTRY);
  writeFileSync(`${file}.tmp`, JSON.stringify(list), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

function readRegistry(stateDir: string): string[] {
  const file = join(stateDir, REGISTRY);
  if (!existsSync(file)) return [];
  // the cast: the file is ours (written by register/unregister); unreadable means nothing to clean
  try { return JSON.parse(readFileSync(file, 'utf8')) as string[]; } catch { return []; }
}

/** Names `ns` in the registry of `stateDir` (before it is made). */
export function registerNamespace(stateDir: string, ns: string): void {
  const list = readRegistry(stateDir);
  if (!list.includes(ns)) {
    list.push(ns);
    writeRegistry(stateDir, list);
  }
}

/** Drops `ns` from the registry of `stateDir` (once it is deleted). */
export function unregisterNamespace(stateDir: string, ns: string): void {
  const list = readRegistry(stateDir).filter((n) => n !== ns);
  writeRegistry(stateDir, list);
}

/** Removes every namespace a (possibly dead) agent of `stateDir` made, and every `{prefix}*` namespace. */
export async function cleanupNamespaces(stateDir: string, prefix: string): Promise<string[]> {
  const removed: string[] = [];
  const present = new Set(listNamespaces());
  const registered = readRegistry(stateDir);
  // instances first (their veths go with them), then networks, then the internet
  const order = [...registered.filter((n) => !n.startsWith(prefix)), ...[...present].filter((n) => n.startsWith(prefix) && n !== internetNamespace(prefix)), internetNamespace(prefix)];
  for (const ns of new Set(order)) {
    // an instance's hosts file (hosts.ts) goes with its namespace, and after a namespace that vanished
    removeNamespaceHosts(ns);
    if (!present.has(ns)) continue;
    // a dead agent's sandboxes die with it (bwrap --die-with-parent); anything still running in its
    // instances' namespaces ends here, or an overlay could be mounted twice at the next boot
    if (!ns.startsWith(prefix)) await endProcessesIn(ns);
    await run('ip', ['netns', 'del', ns]);
    removed.push(ns);
  }
  if (existsSync(join(stateDir, REGISTRY))) rmSync(join(stateDir, REGISTRY));
  return removed;
}

/** Ends every process in network namespace `ns` (a sandbox a dead agent left) and waits until they are gone. */
export async function endProcessesIn(ns: string): Promise<number> {
  const r = await run('ip', ['netns', 'pids', ns]);
  if (r.code !== 0) return 0;
  const pids = r.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid);
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((f) => setTimeout(f, 20));
  return pids.length;
}

/** A process that exists and is not a zombie (a zombie has already left its namespaces and mounts). */
function alive(pid: number): boolean {
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}
