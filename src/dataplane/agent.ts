// The data-plane agent (ARCHITECTURE "data plane"): level-based reconcile of the desired state
// (src/domain/dataplane-state.ts) into the kernel. Each round reads the whole desired state at a
// revision, compares it with what exists (the namespaces on the machine, and what this agent
// applied inside them), and changes only the difference: namespaces, veths, addresses and routes
// through `ip -batch` (topology.ts), security groups and NAT through one `nft -f` transaction per
// network namespace (firewall-sync.ts), the metadata and API listeners and each Linux instance's
// sandboxed sshd (instance-services.ts), the CENs' namespaces and routes between VPCs
// (cen-links.ts), and Anti-DDoS's addresses, thresholds, black holes and
// penalties in the internet namespace (antiddos.ts, which samples the counters on its own timer).
// A namespace that disappeared is rebuilt; a failed round is retried. On stop the agent removes
// everything it made; `cleanup` removes what a dead agent left (its registry file names the
// instance namespaces). This file holds the loop and the order of a round; what each step does
// lives in those four.
import { mkdirSync } from 'node:fs';
import type { DesiredInstance, DesiredState } from '../domain/dataplane-state.ts';
import { cleanupNamespaces, listNamespaces } from './registry.ts';
import { preflight, sshdUsable } from './preflight.ts';
import { Topology, shapeOf } from './topology.ts';
import { FirewallSync } from './firewall-sync.ts';
import { InstanceServices, type MetadataAnswer } from './instance-services.ts';
import type { AgentLog } from './log.ts';
import { instanceHosts } from './hosts.ts';
import { DdosGuard, type DdosOptions } from './antiddos.ts';
import { systemClock, type Clock } from '../clock.ts';
import { SecurityWatch, type SecurityWatchOptions } from './security-watch.ts';
import { syncBlocks } from './brute-force-blocks.ts';
import { CenLinks } from './cen-links.ts';
import { ip6ToBigInt } from '../engine/cidr.ts';

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
  /**
   * Anti-DDoS Basic (antiddos.ts): count, scrub and black-hole the public addresses of
   * `desired.ddos` in the internet namespace, and report samples and transitions (the domain's
   * recordDdosReport). Without it, nothing is counted.
   */
  ddos?: DdosOptions;
  /**
   * Security Center (security-watch.ts): read the sshd log and the listening sockets of each
   * running Linux instance with the agent and report them. Without it nothing is watched; the
   * anti-brute-force blocks of the desired state are enforced either way.
   */
  security?: SecurityWatchOptions;
  /** the time black holes and penalties are measured in (default the system's) */
  clock?: Clock;
  log: AgentLog;
}

const RESYNC_MS = 10_000;

export class Agent {
  /** the namespaces and links this agent made, and the records of what it applied in them */
  private readonly topology: Topology;
  private readonly firewall: FirewallSync;
  /** Cloud Enterprise Network: a namespace per CEN routing between its VPCs' namespaces */
  private readonly cen: CenLinks;
  private readonly services: InstanceServices;
  /** Anti-DDoS Basic, when the agent was given its options */
  readonly ddos: DdosGuard | undefined;
  /** Security Center's watcher, when the agent was given its options */
  readonly security: SecurityWatch | undefined;
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
    this.cen = new CenLinks(opts.stateDir, opts.prefix);
    const clock = opts.clock ?? systemClock;
    this.security = opts.security === undefined ? undefined : new SecurityWatch(opts.security, clock, opts.log);
    const watch = this.security;
    this.services = new InstanceServices({ ...opts, hosts, ...(watch !== undefined ? { sshdOutput: (iid: string, chunk: string) => { watch.sshdOutput(iid, chunk); } } : {}) });
    this.ddos = opts.ddos === undefined ? undefined : new DdosGuard(this.topology.internetNs, opts.ddos, opts.log, clock);
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
    this.ddos?.start();
    this.security?.start();
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
    const present = new Set(listNamespaces());
    changes.push(...await topology.forgetLost(present));
    changes.push(...this.cen.forgetLost(present));

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

    const internetFresh = desired.networks.length > 0 && await topology.ensureInternet();
    if (internetFresh) changes.push('+ internet');
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

    const failed: string[] = [];
    // Cloud Enterprise Network: the paths between attached VPCs (a failure is the CENs' alone: retried next round)
    try {
      changes.push(...await this.cen.sync(desired.cens ?? [], topology.networks));
    } catch (err) {
      failed.push('cen');
      this.opts.log.error({ reconcile: id, err: err instanceof Error ? err.stack ?? err.message : String(err) }, 'CEN links failed; made again next round');
    }

    // security groups and NAT, one transaction per network
    const book = new Map<string, Map<string, string>>();
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
      // a group's members as this network reaches them (its own, its CEN peers'); a hand-built state has only `members`
      const groupMembers = desired.networkMembers === undefined ? desired.members : desired.networkMembers.get(n.key) ?? new Map<string, number[]>();
      const result = await this.firewall.sync(topology.networks.get(n.key)!, n, members, groupMembers, groupMembers6(desired, n.key));
      if ('error' in result) {
        failed.push(n.key);
        this.opts.log.error({ reconcile: id, network: n.key, err: result.error.stack ?? result.error.message }, 'network rules failed; its tables are reset and rebuilt next round');
      } else if (result.changed > 0) {
        changes.push(`rules ${n.key}: ${result.changed}`);
      }
    }
    this.services.setAddressBook(book);

    if (this.sshdEnabled) changes.push(...await this.services.bootSandboxes(desired.instances, topology.instances));

    // Security Center: the instances with the agent are watched; blocks are enforced at each instance
    this.security?.sync(desired.instances.filter((i) => i.securityAgent && i.osType === 'linux')
      .map((i) => ({ instanceId: i.instanceId, pid: () => topology.instances.get(i.instanceId)?.sshd?.pid })), desired.revision);
    try {
      const tables = new Map([...topology.instances].map(([iid, a]) => [iid, a.blocks]));
      const r = await syncBlocks(tables, desired.bruteForceBlocks, (this.opts.clock ?? systemClock).now());
      for (const [iid, sig] of r.written) topology.instances.get(iid)!.blocks = sig;
      changes.push(...r.changes);
    } catch (err) {
      failed.push('brute-force blocks');
      this.opts.log.error({ reconcile: id, err: err instanceof Error ? err.stack ?? err.message : String(err) }, 'anti-brute-force blocks failed; written again next round');
    }

    // Anti-DDoS: the watched addresses, thresholds, black holes and penalties (its table lives in the internet namespace)
    if (this.ddos !== undefined) {
      try {
        await this.ddos.sync(desired.ddos, topology.hasInternet, internetFresh);
      } catch (err) {
        failed.push('anti-ddos');
        this.opts.log.error({ reconcile: id, err: err instanceof Error ? err.stack ?? err.message : String(err) }, 'anti-ddos rules failed; made again next round');
      }
    }

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
    await this.ddos?.stop().catch(() => undefined);
    await this.security?.stop().catch(() => undefined);
    await this.cen.removeAll();
    await this.topology.removeAll();
    await cleanupNamespaces(this.opts.stateDir, this.opts.prefix);
  }

  /** The instance that owns `ip` in `network` (metadata identity), if it runs. */
  instanceAt(network: string, ip: string): string | undefined {
    return this.services.instanceAt(network, ip);
  }
}

/**
 * The IPv6 addresses of each group's members as network `key` reaches them: the desired state's
 * `networkMembers6` when it has them, else those of the running instances' ENIs of the network and
 * of the VPCs attached to the same CEN (as `networkMembers` resolves IPv4 members). Sorted, each once.
 */
export function groupMembers6(desired: DesiredState, key: string): Map<string, bigint[]> {
  const given = desired.networkMembers6?.get(key);
  if (given !== undefined) return given;
  const networks = new Set([key]);
  const cen = (desired.cens ?? []).find((c) => c.vpcs.some((v) => v.vpcId === key));
  for (const v of cen?.vpcs ?? []) networks.add(v.vpcId);
  const out = new Map<string, bigint[]>();
  for (const inst of desired.instances) {
    if (!networks.has(inst.network)) continue;
    for (const e of inst.enis) {
      const addrs = (e.ipv6 ?? []).map((a) => ip6ToBigInt(a.address)).filter((x) => x !== null);
      if (addrs.length === 0) continue;
      for (const g of e.groups) {
        let list = out.get(g.groupId);
        if (list === undefined) out.set(g.groupId, list = []);
        list.push(...addrs);
      }
    }
  }
  for (const [g, list] of out) out.set(g, [...new Set(list)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  return out;
}
