// The data-plane agent (ARCHITECTURE "data plane"): level-based reconcile of the desired state
// (src/domain/dataplane-state.ts) into the kernel. Each round reads the whole desired state at a
// revision, compares it with what exists (the namespaces on the machine, and what this agent
// applied inside them), and changes only the difference: namespaces, veths, addresses and routes
// through `ip -batch` (topology.ts), security groups and NAT through one `nft -f` transaction per
// network namespace (firewall-sync.ts), and the metadata and API listeners and each Linux
// instance's sandboxed sshd (instance-services.ts). A namespace that disappeared is rebuilt; a
// failed round is retried. On stop the agent removes everything it made; `cleanup` removes what a
// dead agent left (its registry file names the instance namespaces). This file holds the loop and
// the order of a round; what each step does lives in those three.
import { mkdirSync } from 'node:fs';
import type { DesiredInstance, DesiredState } from '../domain/dataplane-state.ts';
import { cleanupNamespaces, listNamespaces } from './registry.ts';
import { preflight, sshdUsable } from './preflight.ts';
import { Topology, shapeOf } from './topology.ts';
import { FirewallSync } from './firewall-sync.ts';
import { InstanceServices, type MetadataAnswer } from './instance-services.ts';
import type { AgentLog } from './log.ts';
import { instanceHosts } from './hosts.ts';

export type { MetadataAnswer } from './instance-services.ts';

export interface AgentOptions {
  /** the desired state at the current revision */
  readDesired(): Promise<DesiredState>;
  /** resolves with a revision greater than `after`, or the current one after `timeoutMs` */
  waitForRevision(after: number, timeoutMs: number): Promise<number>;
  /** where the agent keeps its registry, sshd keys and logs */
  stateDir: string;
  /** namespace name prefix (default `parapet-`): several agents on one machine (tests) use different ones */
  prefix: string;
  /** the public address pool; refused when it overlaps a route of the host */
  publicPool: string;
  /** answers the metadata tree of an instance (100.100.100.200) */
  metadata?: (instanceId: string, method: string, path: string, headers: Record<string, string | string[] | undefined>) => Promise<MetadataAnswer>;
  /** where 100.100.100.100:80 inside instances leads: the API server */
  api?: { host: string; port: number };
  /** where 100.100.100.100:443 leads: the API server's TLS listener */
  apiTls?: { host: string; port: number };
  /** the names instances resolve to 100.100.100.100 (their hosts file, hosts.ts) */
  apiHostNames?: readonly string[];
  /** run an sshd in every Linux instance, in a sandbox of its own (default true) */
  sshd?: boolean;
  log: AgentLog;
}

const RESYNC_MS = 10_000;

export class Agent {
  /** the namespaces and links this agent made, and the records of what it applied in them */
  private readonly topology: Topology;
  private readonly firewall: FirewallSync;
  private readonly services: InstanceServices;
  private stopped = false;
  /** rounds so far: each round's log id */
  private rounds = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private sshdEnabled: boolean;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** the revision of the last successful round */
  appliedRevision = -1;
  private readonly appliedWaiters: Array<{ revision: number; resolve: () => void }> = [];

  constructor(private readonly opts: AgentOptions) {
    this.sshdEnabled = opts.sshd !== false;
    const hosts = instanceHosts(opts.apiHostNames ?? []);
    this.topology = new Topology(opts.stateDir, opts.prefix, hosts);
    this.firewall = new FirewallSync(this.topology.internetNs, opts.log);
    this.services = new InstanceServices({ ...opts, hosts });
  }

  /** Checks the machine (root, tools, no overlap with the host's routes), then reconciles until stopped. */
  async start(): Promise<void> {
    await preflight(this.opts.publicPool);
    if (this.sshdEnabled && !(await sshdUsable(this.opts.log))) this.sshdEnabled = false;
    mkdirSync(this.opts.stateDir, { recursive: true, mode: 0o700 });
    // a previous agent of this state dir may have left namespaces: start from nothing, rebuild from the store
    await cleanupNamespaces(this.opts.stateDir, this.opts.prefix);
    try {
      await this.reconcile();
    } catch (err) {
      // a start that fails leaves nothing behind
      await this.stop().catch(() => undefined);
      throw err;
    }
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let failures = 0;
    let lastRound = performance.now();
    while (!this.stopped) {
      const next = await Promise.race([
        this.opts.waitForRevision(this.appliedRevision, failures > 0 ? Math.min(2000, 200 * failures) : 1000),
        new Promise<number>((resolve) => { this.wake = () => resolve(-1); }),
      ]);
      if (this.stopped) break;
      // a new revision, a retry, or the periodic look at the kernel (a namespace deleted behind our back comes back)
      if (next === this.appliedRevision && failures === 0 && performance.now() - lastRound < RESYNC_MS) continue;
      lastRound = performance.now();
      try {
        await this.reconcile();
        failures = 0;
      } catch (err) {
        failures++;
        this.opts.log.error({ err: String(err) }, 'reconcile failed; retrying');
      }
    }
  }

  /** Resolves once a round at `revision` or later has been applied (tests and the benchmark wait on it). */
  whenApplied(revision: number): Promise<void> {
    if (this.appliedRevision >= revision) return Promise.resolve();
    return new Promise((resolve) => { this.appliedWaiters.push({ revision, resolve }); });
  }

  /** One round: desired state -> kernel. Safe to run any number of times; returns what it changed. Rounds never overlap. */
  reconcile(): Promise<string[]> {
    const next = this.queue.then(() => this.round());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async round(): Promise<string[]> {
    const id = `r${++this.rounds}`;
    const started = performance.now();
    const desired = await this.opts.readDesired();
    const topology = this.topology;
    const changes: string[] = [];

    // namespaces removed behind our back are rebuilt
    changes.push(...await topology.forgetLost(new Set(listNamespaces())));

    const wantedNetworks = new Map(desired.networks.map((n) => [n.key, n]));
    const wantedInstances = new Map(desired.instances.map((i) => [i.instanceId, i]));

    // removals first: instances, then networks
    for (const [iid, applied] of [...topology.instances]) {
      const want = wantedInstances.get(iid);
      if (want === undefined || want.network !== applied.network || shapeOf(want) !== applied.shape) {
        await topology.removeInstance(iid);
        changes.push(`- ${iid}`);
      }
    }
    for (const key of [...topology.networks.keys()]) {
      if (!wantedNetworks.has(key)) { await topology.removeNetwork(key); changes.push(`- ${key}`); }
    }
    // the disks (writable layers) of deleted instances; a stopped instance keeps its own
    changes.push(...this.services.removeDisksExcept((iid) => desired.existingInstanceIds.has(iid) || topology.instances.has(iid)));

    if (desired.networks.length > 0 && await topology.ensureInternet()) changes.push('+ internet');
    for (const n of desired.networks) {
      if (!topology.networks.has(n.key)) {
        const applied = await topology.createNetwork(n);
        await this.services.startListeners(n.key, applied);
        changes.push(`+ ${n.key}`);
      }
      await topology.syncGateways(n);
    }
    const created: DesiredInstance[] = [];
    for (const inst of desired.instances) if (!topology.instances.has(inst.instanceId)) created.push(inst);
    await topology.createInstances(created);
    for (const inst of created) changes.push(`+ ${inst.instanceId}`);

    // security groups and NAT, one transaction per network
    const book = new Map<string, Map<string, string>>();
    const failed: string[] = [];
    const byNetwork = new Map<string, DesiredInstance[]>();
    for (const i of desired.instances) {
      let list = byNetwork.get(i.network);
      if (list === undefined) byNetwork.set(i.network, list = []);
      list.push(i);
    }
    for (const n of desired.networks) {
      const members = byNetwork.get(n.key) ?? [];
      const ips = new Map<string, string>();
      for (const i of members) for (const e of i.enis) ips.set(e.ipText, i.instanceId);
      book.set(n.key, ips);
      // reconcile is keyed per network: one network's failed transaction is that network's retry,
      // never a reason to leave every other network (and the sandboxes below) unapplied
      const result = await this.firewall.sync(topology.networks.get(n.key)!, n, members, desired.members);
      if ('error' in result) {
        failed.push(n.key);
        this.opts.log.error({ reconcile: id, network: n.key, err: result.error.stack ?? result.error.message }, 'network rules failed; its tables are reset and rebuilt next round');
      } else if (result.changed > 0) {
        changes.push(`rules ${n.key}: ${result.changed}`);
      }
    }
    this.services.setAddressBook(book);

    if (this.sshdEnabled) changes.push(...await this.services.bootSandboxes(desired.instances, topology.instances));

    // not everything converged: the revision stays unapplied, so the loop comes back for it
    if (failed.length > 0) throw new Error(`the rules of ${failed.join(', ')} were not applied (round ${id}, revision ${desired.revision})`);
    this.appliedRevision = desired.revision;
    for (let i = this.appliedWaiters.length - 1; i >= 0; i--) {
      const w = this.appliedWaiters[i]!;
      if (w.revision <= desired.revision) { this.appliedWaiters.splice(i, 1); w.resolve(); }
    }
    if (changes.length > 0) {
      this.opts.log.info({ reconcile: id, revision: desired.revision, ms: Math.round(performance.now() - started), changes: changes.slice(0, 50) }, 'data plane reconciled');
    }
    return changes;
  }

  /** Stops the loop and removes everything this agent made. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop?.catch(() => undefined);
    await this.topology.removeAll();
    await cleanupNamespaces(this.opts.stateDir, this.opts.prefix);
  }

  /** The instance that owns `ip` in `network` (metadata identity), if it runs. */
  instanceAt(network: string, ip: string): string | undefined {
    return this.services.instanceAt(network, ip);
  }
}
