// The data plane's topology: the network namespaces the agent makes and what links them, never
// anything in the host's namespace. One "internet" namespace routes between networks; each network
// (a VPC, or the classic network of a region) gets a namespace with a bridge, the gateways of its
// vSwitches, the metadata and API addresses on lo, a veth to the internet namespace and the base
// nftables (`baseTables`); each instance gets a namespace of its own with one veth per ENI on its
// network's bridge. `Topology` owns the records of what it applied (`AppliedNetwork`,
// `AppliedInstance`), which the firewall sync (firewall-sync.ts) and the instance services
// (instance-services.ts) fill in further; what runs inside a namespace ends when it is removed.
//
//   {prefix}internet ── x<hash> ═ inet0 ── {prefix}{network}: br0 (+ vSwitch gateways),
//                                                   100.100.100.200 / .100 on lo, nftables
//                                                     └─ p<hash> ═ eth0 ── {InstanceId}
import type net from 'node:net';
import type { DesiredInstance, DesiredNetwork } from '../domain/dataplane-state.ts';
import type { NftEniPlan } from '../engine/firewall/nft.ts';
import { parseCidr, formatCidr } from '../engine/cidr.ts';
import { NftTableState } from './nft-state.ts';
import { ipBatch, must, nftApply, run } from './sh.ts';
import {
  API_ADDRESS, BRIDGE, INTERNET_IF, METADATA_ADDRESS, TRANSIT_INTERNET, TRANSIT_NETWORK,
  internetNamespace, networkNamespace, portName, uplinkName,
} from './names.ts';
import { registerNamespace, unregisterNamespace } from './registry.ts';
import type { Sshd } from './sshd.ts';
import { removeNamespaceHosts, writeNamespaceHosts } from './hosts.ts';

/** What this agent applied in one network namespace. */
export interface AppliedNetwork {
  ns: string;
  gateways: Set<string>;
  /** per ENI tag: its address, and the plan its chains hold (sessions are judged by it) with its hash */
  enis: Map<string, { ip: string; port: string; hash: string; plan: NftEniPlan }>;
  /** what `inet parapet` holds: two entry chains per ENI, maps, sets and chains shared by plan */
  table: NftTableState;
  /** private ip -> public ip */
  nat: Map<string, string>;
  /** the metadata and API listeners inside the namespace */
  servers: net.Server[];
}

/** `bootSeq`: the boot its sandbox (sshd) runs, when it runs one */
export interface AppliedInstance { network: string; shape: string; sshd?: Sshd; bootSeq?: number }

const CONNTRACK_TIMEOUT_S = 910;

export class Topology {
  readonly networks = new Map<string, AppliedNetwork>();
  readonly instances = new Map<string, AppliedInstance>();
  private internetReady = false;

  /** `hosts`: each instance's /etc/hosts under `ip netns exec` (hosts.ts) */
  constructor(private readonly stateDir: string, private readonly prefix: string, private readonly hosts?: string) {}

  get internetNs(): string { return internetNamespace(this.prefix); }

  /**
   * Forgets what was removed behind our back (a namespace not in `present`), so that this round
   * builds it again; returns what it forgot.
   */
  async forgetLost(present: ReadonlySet<string>): Promise<string[]> {
    const changes: string[] = [];
    for (const [key, n] of this.networks) if (!present.has(n.ns)) { this.dropNetwork(key); changes.push(`lost ${n.ns}`); }
    for (const [iid, applied] of [...this.instances]) if (!present.has(iid)) { await applied.sshd?.stop(); this.instances.delete(iid); changes.push(`lost ${iid}`); }
    if (this.internetReady && !present.has(this.internetNs)) this.internetReady = false;
    return changes;
  }

  /** Makes the internet namespace unless it is there already; returns whether it made it. */
  async ensureInternet(): Promise<boolean> {
    if (this.internetReady) return false;
    const ns = this.internetNs;
    await run('ip', ['netns', 'del', ns]);
    await this.addNamespace(ns);
    await sysctls(ns, { 'net.ipv4.ip_forward': '1' });
    this.internetReady = true;
    return true;
  }

  /** Makes the network's namespace, its bridge, its link to the internet namespace and its base tables. */
  async createNetwork(n: DesiredNetwork): Promise<AppliedNetwork> {
    const ns = networkNamespace(this.prefix, n.key);
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
    return applied;
  }

  /** Brings the addresses of the network's vSwitch gateways on its bridge to the desired ones. */
  async syncGateways(n: DesiredNetwork): Promise<void> {
    const applied = this.networks.get(n.key)!;
    const want = new Set(n.gateways.map((g) => `${g.address}/${g.prefix}`));
    const lines: string[] = [];
    for (const g of want) if (!applied.gateways.has(g)) lines.push(`addr add ${g} dev ${BRIDGE}`);
    for (const g of applied.gateways) if (!want.has(g)) lines.push(`addr del ${g} dev ${BRIDGE}`);
    await ipBatch(applied.ns, lines);
    applied.gateways = want;
  }

  /** Makes the namespaces of new instances, their ENIs (veths on their network's bridge), addresses and routes. */
  async createInstances(list: readonly DesiredInstance[]): Promise<void> {
    if (list.length === 0) return;
    // namespaces, then the veths of all new instances of a network in one batch, then each instance's addresses
    for (const inst of list) {
      await run('ip', ['netns', 'del', inst.instanceId]);
      await this.addNamespace(inst.instanceId);
      if (this.hosts !== undefined) writeNamespaceHosts(inst.instanceId, this.hosts);
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

  /** Ends the instance's sandbox if it runs, then removes its namespace. */
  async removeInstance(iid: string): Promise<void> {
    const applied = this.instances.get(iid);
    await applied?.sshd?.stop();
    await this.deleteNamespace(iid);
    this.instances.delete(iid);
  }

  /** Closes the network's listeners and removes its namespace. */
  async removeNetwork(key: string): Promise<void> {
    const n = this.networks.get(key);
    if (n === undefined) return;
    this.dropNetwork(key);
    await this.deleteNamespace(n.ns);
  }

  /** Removes every instance, every network and the internet namespace (the agent's stop); a failure is skipped. */
  async removeAll(): Promise<void> {
    for (const iid of [...this.instances.keys()]) await this.removeInstance(iid).catch(() => undefined);
    for (const key of [...this.networks.keys()]) await this.removeNetwork(key).catch(() => undefined);
    if (this.internetReady) await run('ip', ['netns', 'del', this.internetNs]);
    this.internetReady = false;
  }

  /** Closes the network's listeners and forgets it; its namespace is left as it is. */
  private dropNetwork(key: string): void {
    const n = this.networks.get(key);
    if (n === undefined) return;
    for (const s of n.servers) s.close();
    this.networks.delete(key);
  }

  private async addNamespace(ns: string): Promise<void> {
    registerNamespace(this.stateDir, ns);
    const r = await run('ip', ['netns', 'add', ns]);
    if (r.code !== 0 && !/exists/i.test(r.stderr)) throw new Error(`ip netns add ${ns}: ${r.stderr.trim()}`);
    await ipBatch(ns, ['link set lo up']);
  }

  private async deleteNamespace(ns: string): Promise<void> {
    await run('ip', ['netns', 'del', ns]);
    removeNamespaceHosts(ns);
    unregisterNamespace(this.stateDir, ns);
  }
}

/** What makes an instance's namespace: its network and ENIs (addresses, MACs); a change rebuilds it. */
export function shapeOf(inst: DesiredInstance): string {
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
    ip daddr ${API_ADDRESS} tcp dport 443 accept
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
