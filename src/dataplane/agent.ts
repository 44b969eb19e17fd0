// The data-plane agent (ARCHITECTURE "data plane"): level-based reconcile of the desired state
// (src/domain/dataplane-state.ts) into the kernel. Each round reads the whole desired state at a
// revision, compares it with what exists (the namespaces on the machine, and what this agent
// applied inside them), and changes only the difference: namespaces, veths, addresses and routes
// through `ip -batch`, security groups and NAT through one `nft -f` transaction per network
// namespace. A namespace that disappeared is rebuilt; a failed round is retried. On stop the agent
// removes everything it made; `cleanup` removes what a dead agent left (its registry file names
// the instance namespaces). Each Linux instance's sshd runs in a sandbox of its own (sshd.ts,
// sandbox.ts), booted again at each start or reboot (a new bootSeq); the sandbox's writable layer
// stays while the instance exists, stopped or not.
//
// Topology (never anything in the host's namespace):
//   {prefix}internet ── x<hash> ═ inet0 ── {prefix}{network}: br0 (+ vSwitch gateways),
//                                                   100.100.100.200 / .100 on lo, nftables
//                                                     └─ p<hash> ═ eth0 ── {InstanceId}
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { DesiredEni, DesiredInstance, DesiredNetwork, DesiredState } from '../domain/dataplane-state.ts';
import { renderEni, type NftEniPlan } from '../engine/firewall/nft.ts';
import { PlanCache } from './plans.ts';
import { NftTableState, shareRender } from './nft-state.ts';
import { parseCidr, formatCidr } from '../engine/cidr.ts';
import { ipBatch, must, nftApply, run } from './sh.ts';
import {
  API_ADDRESS, BRIDGE, INTERNET_IF, METADATA_ADDRESS, TRANSIT_INTERNET, TRANSIT_NETWORK,
  eniTag, internetNamespace, networkNamespace, portName, uplinkName,
} from './names.ts';
import { listenInNamespace } from './listeners.ts';
import { cutDisallowed } from './conntrack.ts';
import { Sshd } from './sshd.ts';
import { instancesWithStateExcept, removeInstanceState } from './sandbox.ts';
import { cleanupNamespaces, listNamespaces, registerNamespace, unregisterNamespace } from './registry.ts';
import { preflight, sshdUsable } from './preflight.ts';
import { ensureImage } from './image.ts';
import type { AgentLog } from './log.ts';

export interface MetadataAnswer { status: number; body: string; contentType: string }

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
  /** run an sshd in every Linux instance, in a sandbox of its own (default true) */
  sshd?: boolean;
  log: AgentLog;
}

/** What this agent applied in one network namespace. */
interface AppliedNetwork {
  ns: string;
  gateways: Set<string>;
  /** per ENI tag: its address, and the plan its chains hold (sessions are judged by it) with its hash */
  enis: Map<string, { ip: string; port: string; hash: string; plan: NftEniPlan }>;
  /** what `inet parapet` holds: two entry chains per ENI, maps, sets and chains shared by plan */
  table: NftTableState;
  /** private ip -> public ip */
  nat: Map<string, string>;
  servers: net.Server[];
}

/** `bootSeq`: the boot its sandbox (sshd) runs, when it runs one */
interface AppliedInstance { network: string; shape: string; sshd?: Sshd; bootSeq?: number }

const CONNTRACK_TIMEOUT_S = 910;
const RESYNC_MS = 10_000;

export class Agent {
  private readonly networks = new Map<string, AppliedNetwork>();
  private readonly instances = new Map<string, AppliedInstance>();
  private readonly plans = new PlanCache();
  /** network -> private ip -> instance id, for the metadata listener */
  private addressBook = new Map<string, Map<string, string>>();
  private internetReady = false;
  private stopped = false;
  /** rounds so far: each round's log id */
  private rounds = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private sshdEnabled: boolean;
  /** the instances' shared image (image.ts), built at the first boot */
  private image: Promise<string> | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** the revision of the last successful round */
  appliedRevision = -1;
  private readonly appliedWaiters: Array<{ revision: number; resolve: () => void }> = [];

  constructor(private readonly opts: AgentOptions) {
    this.sshdEnabled = opts.sshd !== false;
  }

  private get internetNs(): string { return internetNamespace(this.opts.prefix); }

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
    const present = new Set(listNamespaces());
    const changes: string[] = [];

    // namespaces removed behind our back are rebuilt
    for (const [key, n] of this.networks) if (!present.has(n.ns)) { this.dropNetwork(key); changes.push(`lost ${n.ns}`); }
    for (const [iid, applied] of [...this.instances]) if (!present.has(iid)) { await applied.sshd?.stop(); this.instances.delete(iid); changes.push(`lost ${iid}`); }
    if (this.internetReady && !present.has(this.internetNs)) this.internetReady = false;

    const wantedNetworks = new Map(desired.networks.map((n) => [n.key, n]));
    const wantedInstances = new Map(desired.instances.map((i) => [i.instanceId, i]));

    // removals first: instances, then networks
    for (const [iid, applied] of [...this.instances]) {
      const want = wantedInstances.get(iid);
      if (want === undefined || want.network !== applied.network || shapeOf(want) !== applied.shape) {
        await this.removeInstance(iid);
        changes.push(`- ${iid}`);
      }
    }
    for (const key of [...this.networks.keys()]) {
      if (!wantedNetworks.has(key)) { await this.removeNetwork(key); changes.push(`- ${key}`); }
    }
    // the disks (writable layers) of deleted instances; a stopped instance keeps its own
    for (const iid of instancesWithStateExcept(this.opts.stateDir, (id) => desired.existingInstanceIds.has(id) || this.instances.has(id))) {
      removeInstanceState(this.opts.stateDir, iid);
      changes.push(`disk - ${iid}`);
    }

    if (desired.networks.length > 0 && !this.internetReady) { await this.createInternet(); changes.push('+ internet'); }
    for (const n of desired.networks) {
      if (!this.networks.has(n.key)) { await this.createNetwork(n); changes.push(`+ ${n.key}`); }
      await this.syncGateways(n);
    }
    const created: DesiredInstance[] = [];
    for (const inst of desired.instances) if (!this.instances.has(inst.instanceId)) created.push(inst);
    await this.createInstances(created);
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
      try {
        const changed = await this.syncRules(n, members, desired);
        if (changed > 0) changes.push(`rules ${n.key}: ${changed}`);
      } catch (err) {
        failed.push(n.key);
        this.opts.log.error({ reconcile: id, network: n.key, err: err instanceof Error ? err.stack ?? err.message : String(err) }, 'network rules failed; its tables are reset and rebuilt next round');
      }
    }
    this.addressBook = book;

    // each Linux instance's sandbox runs its current boot: a start or reboot (a new bootSeq) boots
    // it again, with the key in force and the host name of that moment; one that ended boots again
    if (this.sshdEnabled) {
      const boots: Array<Promise<void>> = [];
      for (const inst of desired.instances) {
        const applied = this.instances.get(inst.instanceId)!;
        if (inst.osType !== 'linux') continue;
        if (applied.sshd?.running === true && applied.bootSeq === inst.bootSeq) continue;
        if (applied.sshd !== undefined) changes.push(`${applied.bootSeq === inst.bootSeq ? 'boot again' : 'reboot'} ${inst.instanceId}`);
        boots.push(this.boot(inst, applied));
      }
      await Promise.all(boots);
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
    for (const iid of [...this.instances.keys()]) await this.removeInstance(iid).catch(() => undefined);
    for (const key of [...this.networks.keys()]) await this.removeNetwork(key).catch(() => undefined);
    if (this.internetReady) await run('ip', ['netns', 'del', this.internetNs]);
    this.internetReady = false;
    await cleanupNamespaces(this.opts.stateDir, this.opts.prefix);
  }

  /** The instance that owns `ip` in `network` (metadata identity), if it runs. */
  instanceAt(network: string, ip: string): string | undefined {
    return this.addressBook.get(network)?.get(ip);
  }

  // ---------------------------------------------------------------------------------------------

  private async addNamespace(ns: string): Promise<void> {
    registerNamespace(this.opts.stateDir, ns);
    const r = await run('ip', ['netns', 'add', ns]);
    if (r.code !== 0 && !/exists/i.test(r.stderr)) throw new Error(`ip netns add ${ns}: ${r.stderr.trim()}`);
    await ipBatch(ns, ['link set lo up']);
  }

  private async deleteNamespace(ns: string): Promise<void> {
    await run('ip', ['netns', 'del', ns]);
    unregisterNamespace(this.opts.stateDir, ns);
  }

  private async createInternet(): Promise<void> {
    const ns = this.internetNs;
    await run('ip', ['netns', 'del', ns]);
    await this.addNamespace(ns);
    await sysctls(ns, { 'net.ipv4.ip_forward': '1' });
    this.internetReady = true;
  }

  private async createNetwork(n: DesiredNetwork): Promise<void> {
    const ns = networkNamespace(this.opts.prefix, n.key);
    await run('ip', ['netns', 'del', ns]);
    await this.addNamespace(ns);
    await sysctls(ns, {
      'net.ipv4.ip_forward': '1',
      'net.netfilter.nf_conntrack_tcp_timeout_established': String(CONNTRACK_TIMEOUT_S),
    });
    // the old uplink of a namespace just deleted may outlive it for a moment (teardown is asynchronous)
    await run('ip', ['-n', this.internetNs, 'link', 'del', uplinkName(n.key)]);
    // the bridge first: bridge-nf-call-iptables exists once br_netfilter knows the namespace
    await ipBatch(ns, [
      `link add ${BRIDGE} type bridge`,
      `link set ${BRIDGE} up`,
      `addr add ${METADATA_ADDRESS}/32 dev lo`,
      `addr add ${API_ADDRESS}/32 dev lo`,
      `link add ${INTERNET_IF} type veth peer name ${uplinkName(n.key)} netns ${this.internetNs}`,
      `addr add ${TRANSIT_NETWORK}/32 dev ${INTERNET_IF}`,
      `link set ${INTERNET_IF} up`,
      `route add default via ${TRANSIT_INTERNET} dev ${INTERNET_IF} onlink`,
    ]);
    await must('ip', ['netns', 'exec', ns, 'modprobe', '-q', 'br_netfilter']).catch(() => undefined);
    // bridged frames pass the inet hooks too: IPv4 is judged there, IPv6 (not modelled) dropped
    await sysctls(ns, { 'net.bridge.bridge-nf-call-iptables': '1', 'net.bridge.bridge-nf-call-ip6tables': '1' });
    await ipBatch(this.internetNs, [
      `addr add ${TRANSIT_INTERNET}/32 dev ${uplinkName(n.key)}`,
      `link set ${uplinkName(n.key)} up`,
    ]);
    await nftApply(ns, baseTables());
    const applied: AppliedNetwork = { ns, gateways: new Set(), enis: new Map(), table: new NftTableState(), nat: new Map(), servers: [] };
    this.networks.set(n.key, applied);
    await this.startListeners(n.key, applied);
  }

  private async startListeners(network: string, applied: AppliedNetwork): Promise<void> {
    const addrs = [{ host: METADATA_ADDRESS, port: 80 }, { host: API_ADDRESS, port: 80 }];
    const [metaServer, apiServer] = await listenInNamespace(applied.ns, addrs);
    const metadata = this.opts.metadata;
    const httpServer = http.createServer((req, res) => {
      const source = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      const instanceId = this.instanceAt(network, source);
      if (instanceId === undefined || metadata === undefined) { res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found'); return; }
      metadata(instanceId, req.method ?? 'GET', (req.url ?? '/').split('?')[0]!, req.headers)
        .then((a) => { res.writeHead(a.status, { 'content-type': a.contentType }).end(a.body); })
        .catch((err: unknown) => { this.opts.log.error({ err: String(err) }, 'metadata failed'); res.writeHead(500).end('Internal Error'); });
    });
    metaServer!.on('connection', (sock: net.Socket) => { httpServer.emit('connection', sock); sock.resume(); });
    const api = this.opts.api;
    apiServer!.on('connection', (sock: net.Socket) => {
      if (api === undefined) { sock.destroy(); return; }
      const upstream = net.connect(api.port, api.host);
      sock.pipe(upstream).pipe(sock);
      const end = () => { sock.destroy(); upstream.destroy(); };
      sock.on('error', end); upstream.on('error', end);
      sock.resume();
    });
    applied.servers.push(metaServer!, apiServer!);
  }

  private async syncGateways(n: DesiredNetwork): Promise<void> {
    const applied = this.networks.get(n.key)!;
    const want = new Set(n.gateways.map((g) => `${g.address}/${g.prefix}`));
    const lines: string[] = [];
    for (const g of want) if (!applied.gateways.has(g)) lines.push(`addr add ${g} dev ${BRIDGE}`);
    for (const g of applied.gateways) if (!want.has(g)) lines.push(`addr del ${g} dev ${BRIDGE}`);
    await ipBatch(applied.ns, lines);
    applied.gateways = want;
  }

  private async createInstances(list: readonly DesiredInstance[]): Promise<void> {
    if (list.length === 0) return;
    // namespaces, then the veths of all new instances of a network in one batch, then each instance's addresses
    for (const inst of list) {
      await run('ip', ['netns', 'del', inst.instanceId]);
      await this.addNamespace(inst.instanceId);
    }
    const byNetwork = new Map<string, string[]>();
    const stale = new Map<string, string[]>();
    for (const inst of list) {
      const ns = this.networks.get(inst.network)!.ns;
      let lines = byNetwork.get(ns);
      if (lines === undefined) byNetwork.set(ns, lines = []);
      let dels = stale.get(ns);
      if (dels === undefined) stale.set(ns, dels = []);
      for (const e of inst.enis) dels.push(`link del ${portName(e.eniId)}`);
      inst.enis.forEach((e, i) => {
        lines.push(`link add ${portName(e.eniId)} type veth peer name eth${i} netns ${inst.instanceId}`);
        lines.push(`link set ${portName(e.eniId)} master ${BRIDGE} up`);
      });
    }
    // a namespace is torn down asynchronously: the old end of a veth may still be on the bridge
    // (-force: most of them don't exist, and each failed line is fine)
    for (const [ns, dels] of stale) await run('ip', ['-n', ns, '-force', '-batch', '-'], { input: dels.join('\n') + '\n' });
    for (const [ns, lines] of byNetwork) await ipBatch(ns, lines);
    for (const inst of list) {
      const lines: string[] = [];
      inst.enis.forEach((e, i) => {
        lines.push(`link set eth${i} address ${e.mac}`, `addr add ${e.ipText}/${e.prefix} dev eth${i}`, `link set eth${i} up`);
      });
      const primary = inst.enis[0];
      if (primary !== undefined) lines.push(`route add default via ${primary.gateway} dev eth0`);
      // secondary ENIs answer from their own interface (as the images' multi-NIC tooling sets up):
      // a table per ENI chosen by source address; the bridge drops what leaves by another port
      inst.enis.forEach((e, i) => {
        if (i === 0) return;
        const table = 100 + i;
        lines.push(`route add ${formatCidr(parseCidr(`${e.ipText}/${e.prefix}`)!)} dev eth${i} table ${table}`, `route add default via ${e.gateway} dev eth${i} table ${table}`, `rule add from ${e.ipText} table ${table}`);
      });
      await ipBatch(inst.instanceId, lines);
      if (inst.enis.length > 1) {
        // ARP from each interface with its own address only
        await sysctls(inst.instanceId, { 'net.ipv4.conf.all.arp_ignore': '1', 'net.ipv4.conf.all.arp_announce': '2' });
      }
      this.instances.set(inst.instanceId, { network: inst.network, shape: shapeOf(inst) });
    }
  }

  /** Ends the instance's sandbox if it runs, and boots it again. A failure is this instance's: the next round retries. */
  private async boot(inst: DesiredInstance, applied: AppliedInstance): Promise<void> {
    await applied.sshd?.stop();
    applied.sshd ??= new Sshd(this.opts.stateDir, inst.instanceId, this.opts.log);
    applied.bootSeq = inst.bootSeq;
    try {
      this.image ??= ensureImage(this.opts.stateDir);
      const image = await this.image.catch((err: unknown) => { this.image = undefined; throw err; });
      await applied.sshd.start({ image, hostName: inst.hostName, publicKey: inst.effectivePublicKey });
    } catch (err) {
      this.opts.log.error({ instanceId: inst.instanceId, err: err instanceof Error ? err.stack : String(err) }, 'the sandbox (sshd) of an instance did not start');
    }
  }

  private async removeInstance(iid: string): Promise<void> {
    const applied = this.instances.get(iid);
    await applied?.sshd?.stop();
    await this.deleteNamespace(iid);
    this.instances.delete(iid);
  }

  private dropNetwork(key: string): void {
    const n = this.networks.get(key);
    if (n === undefined) return;
    for (const s of n.servers) s.close();
    this.networks.delete(key);
  }

  private async removeNetwork(key: string): Promise<void> {
    const n = this.networks.get(key);
    if (n === undefined) return;
    this.dropNetwork(key);
    await this.deleteNamespace(n.ns);
  }

  /** Brings the network's nftables (groups of every ENI, NAT) to the desired state; returns how many ENIs changed. */
  private async syncRules(n: DesiredNetwork, members: readonly DesiredInstance[], desired: DesiredState): Promise<number> {
    const applied = this.networks.get(n.key)!;
    const wantEnis = new Map<string, { eni: DesiredEni; inst: DesiredInstance }>();
    for (const inst of members) for (const eni of inst.enis) wantEnis.set(eniTag(eni.eniId), { eni, inst });
    const script: string[] = [];
    let changed = 0;
    // ENIs gone
    for (const tag of [...applied.enis.keys()]) {
      if (wantEnis.has(tag)) continue;
      const old = applied.enis.get(tag)!;
      applied.table.remove(tag, script);
      script.push(`delete element bridge parapet_guard ports { "${old.port}" . ${old.ip} }`);
      applied.enis.delete(tag);
      changed++;
    }
    // ENIs new or changed
    const internetIf = n.kind === 'classic' ? INTERNET_IF : undefined;
    for (const [tag, { eni }] of wantEnis) {
      const { hash, plan } = this.plans.get(eni, n.kind, desired.members);
      const old = applied.enis.get(tag);
      if (old !== undefined && old.hash === hash && old.ip === eni.ipText) continue;
      applied.table.upsert(tag, eni.ipText, shareRender(renderEni(tag, plan, internetIf === undefined ? {} : { internetIf })), script);
      const port = portName(eni.eniId);
      if (old === undefined || old.ip !== eni.ipText) {
        // the ENI's port on the bridge may send from its own address only
        if (old !== undefined) script.push(`delete element bridge parapet_guard ports { "${old.port}" . ${old.ip} }`);
        script.push(`add element bridge parapet_guard ports { "${port}" . ${eni.ipText} }`);
      }
      applied.enis.set(tag, { ip: eni.ipText, port, hash, plan });
      changed++;
    }
    applied.table.collect(script);
    // 1:1 NAT of public addresses (the primary ENI's address)
    const wantNat = new Map<string, string>();
    for (const inst of members) if (inst.publicIp !== '' && inst.enis[0] !== undefined) wantNat.set(inst.enis[0].ipText, inst.publicIp);
    const routeLines: string[] = [];
    const uplink = uplinkName(n.key);
    for (const [priv, pub] of applied.nat) {
      if (wantNat.get(priv) === pub) continue;
      script.push(`delete element ip parapet_nat dnat_map { ${pub} }`, `delete element ip parapet_nat snat_map { ${priv} }`, `delete element inet parapet public_src { ${priv} }`);
      routeLines.push(`route del ${pub}/32 dev ${uplink}`);
      applied.nat.delete(priv);
    }
    for (const [priv, pub] of wantNat) {
      if (applied.nat.get(priv) === pub) continue;
      script.push(`add element ip parapet_nat dnat_map { ${pub} : ${priv} }`, `add element ip parapet_nat snat_map { ${priv} : ${pub} }`, `add element inet parapet public_src { ${priv} }`);
      routeLines.push(`route replace ${pub}/32 via ${TRANSIT_NETWORK} dev ${uplink} onlink`);
      applied.nat.set(priv, pub);
      changed++;
    }
    if (script.length > 0) {
      try {
        await nftApply(applied.ns, script.join('\n') + '\n');
      } catch (err) {
        // what the kernel holds is now unknown: rebuild this network's tables from nothing next round
        await nftApply(applied.ns, 'delete table inet parapet\ndelete table ip parapet_nat\ndelete table bridge parapet_guard\n' + baseTables()).catch(() => undefined);
        applied.enis.clear();
        applied.table.clear();
        applied.nat.clear();
        throw err;
      }
    }
    for (const line of routeLines) await run('ip', ['-n', this.internetNs, ...line.split(' ')]);
    if (changed > 0) {
      // sessions the new rules no longer allow are cut (SPEC §1.3)
      const plans = new Map<string, NftEniPlan>();
      for (const e of applied.enis.values()) plans.set(e.ip, e.plan);
      await cutDisallowed(applied.ns, plans, n.kind === 'classic', this.opts.log);
    }
    return changed;
  }
}

/** What makes an instance's namespace: its network and ENIs (addresses, MACs); a change rebuilds it. */
function shapeOf(inst: DesiredInstance): string {
  return inst.network + '|' + inst.enis.map((e) => `${e.eniId}/${e.ipText}/${e.prefix}/${e.gateway}/${e.mac}`).join(',');
}

/** The tables of a network namespace, without any ENI: dispatch by address, NAT, the router's own input. */
export function baseTables(): string {
  return `table inet parapet {
  set public_src { type ipv4_addr; }
  map eg_dispatch { type ipv4_addr : verdict; }
  map in_dispatch { type ipv4_addr : verdict; }
  chain forward {
    type filter hook forward priority 0; policy accept;
    meta nfproto ipv6 drop
    ct state established,related accept
    ct state invalid drop
    oifname "${INTERNET_IF}" ip saddr != @public_src drop
    ip saddr vmap @eg_dispatch
    ip daddr vmap @in_dispatch
  }
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established,related accept
    iifname "lo" accept
    ip daddr { ${METADATA_ADDRESS}, ${API_ADDRESS} } tcp dport 80 accept
    icmp type echo-request accept
  }
}
table bridge parapet_guard {
  # each ENI's port sends from the ENI's address only (no spoofing of another ENI, of its groups' rights, or of its metadata)
  set ports { type ifname . ipv4_addr; }
  chain prerouting {
    type filter hook prerouting priority -200; policy accept;
    iifname "p*" ether type ip iifname . ip saddr != @ports drop
    iifname "p*" ether type arp iifname . arp saddr ip != @ports drop
  }
}
table ip parapet_nat {
  map dnat_map { type ipv4_addr : ipv4_addr; }
  map snat_map { type ipv4_addr : ipv4_addr; }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "${INTERNET_IF}" dnat to ip daddr map @dnat_map
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${INTERNET_IF}" snat to ip saddr map @snat_map
  }
}
`;
}

async function sysctls(ns: string, values: Record<string, string>): Promise<void> {
  await must('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...Object.entries(values).map(([k, v]) => `${k}=${v}`)]);
}
