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
//
// IPv6 (VPCs whose vSwitches have a /64): the gateway of each /64 is its ::1 on br0, an instance
// gets its ENIs' IPv6 addresses on its interfaces (static, `nodad`: no SLAAC, no router
// advertisements) with a default route via its vSwitch's gateway, the VPC namespace forwards
// IPv6 between its vSwitches and, for addresses with `internet`, to the internet namespace over the
// link's static link-local pair (fe80::1 / fe80::2), where each such address gets a /128 route.
import type net from 'node:net';
import type { DesiredInstance, DesiredNetwork } from '../domain/dataplane-state.ts';
import type { NftEniPlan } from '../engine/firewall/nft.ts';
import { parseCidr, formatCidr, parseCidr6, bigIntToIp6, ip6ToBigInt, cidr6HasIp } from '../engine/cidr.ts';
import { NftTableState } from './nft-state.ts';
import { ipBatch, must, nftApply, run } from './sh.ts';
import {
  API_ADDRESS, BRIDGE, INTERNET_IF, METADATA_ADDRESS, TRANSIT_INTERNET, TRANSIT_NETWORK, TRANSIT6_INTERNET, TRANSIT6_NETWORK,
  internetNamespace, networkNamespace, portName, uplinkName,
} from './names.ts';
import { listNamespaces, registerNamespace, unregisterNamespace } from './registry.ts';
import type { Sshd } from './sshd.ts';
import { removeNamespaceHosts, writeNamespaceHosts } from './hosts.ts';

/** What this agent applied in one network namespace. */
export interface AppliedNetwork {
  ns: string;
  gateways: Set<string>;
  /** per ENI tag: its address, and the plan its chains hold (sessions are judged by it) with its hash */
  enis: Map<string, { ip: string; port: string; hash: string; plan: NftEniPlan; ip6?: string[] }>;
  /** what `inet parapet` holds: two entry chains per ENI, maps, sets and chains shared by plan */
  table: NftTableState;
  /** private ip -> public ip */
  nat: Map<string, string>;
  /** the vSwitch /64s whose gateway (::1) is on the bridge */
  gateways6: Set<string>;
  /** IPv6 addresses with internet access: allowed out of (and routed in from) the internet namespace */
  public6: Set<string>;
  /** per ENI tag: its port, the IPv6 addresses its port may send from (the bridge guard's ports6) and advertise (nd_{tag}), its MAC */
  guard6: Map<string, { port: string; addrs: string[]; mac: string }>;
  /** the metadata and API listeners inside the namespace */
  servers: net.Server[];
}

/** `bootSeq`: the boot its sandbox (sshd) runs, when it runs one */
/** `blocks`: what its anti-brute-force table holds (brute-force-blocks.ts), once written */
export interface AppliedInstance { network: string; shape: string; sshd?: Sshd; bootSeq?: number; blocks?: string }

const CONNTRACK_TIMEOUT_S = 910;

export class Topology {
  readonly networks = new Map<string, AppliedNetwork>();
  readonly instances = new Map<string, AppliedInstance>();
  private internetReady = false;
  /** per network key: its vSwitches' IPv6 /64s (from the last syncGateways) */
  private readonly subnets6 = new Map<string, Array<{ cidr: string; gateway: string }>>();

  /** `hosts`: each instance's /etc/hosts under `ip netns exec` (hosts.ts) */
  constructor(private readonly stateDir: string, private readonly prefix: string, private readonly hosts?: string) {}

  get internetNs(): string { return internetNamespace(this.prefix); }

  /** whether the internet namespace is there (made by this agent and not lost) */
  get hasInternet(): boolean { return this.internetReady; }

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
    await sysctls(ns, { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' });
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
      // IPv6 forwarding (the namespace is a router: no router advertisements are taken)
      'net.ipv6.conf.all.forwarding': '1',
      'net.ipv6.conf.default.accept_ra': '0',
      'net.ipv6.conf.default.accept_dad': '0',
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
      `addr add ${TRANSIT6_NETWORK}/64 dev ${INTERNET_IF} nodad`,
      `link set ${INTERNET_IF} up`,
      `route add default via ${TRANSIT_INTERNET} dev ${INTERNET_IF} onlink`,
      `route add default via ${TRANSIT6_INTERNET} dev ${INTERNET_IF}`,
    ]);
    await must('ip', ['netns', 'exec', ns, 'modprobe', '-q', 'br_netfilter']).catch(() => undefined);
    // bridged frames pass the inet hooks too: IPv4 and IPv6 are judged there (baseTables)
    await sysctls(ns, { 'net.bridge.bridge-nf-call-iptables': '1', 'net.bridge.bridge-nf-call-ip6tables': '1' });
    await ipBatch(this.internetNs, [
      `addr add ${TRANSIT_INTERNET}/32 dev ${uplinkName(n.key)}`,
      `addr add ${TRANSIT6_INTERNET}/64 dev ${uplinkName(n.key)} nodad`,
      `link set ${uplinkName(n.key)} up`,
    ]);
    await nftApply(ns, baseTables());
    const applied: AppliedNetwork = {
      ns, gateways: new Set(), enis: new Map(), table: new NftTableState(), nat: new Map(), servers: [], gateways6: new Set(), public6: new Set(), guard6: new Map(),
    };
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
    // IPv6: each vSwitch /64's ::1
    const subnets = (n.ipv6Gateways ?? []).map((g) => subnet6(g.cidr)).filter((g) => g !== undefined);
    this.subnets6.set(n.key, subnets);
    const want6 = new Set(subnets.map((g) => `${g.gateway}/64`));
    for (const g of want6) if (!applied.gateways6.has(g)) lines.push(`addr add ${g} dev ${BRIDGE} nodad`);
    for (const g of applied.gateways6) if (!want6.has(g)) lines.push(`addr del ${g} dev ${BRIDGE}`);
    await ipBatch(applied.ns, lines);
    applied.gateways = want;
    applied.gateways6 = want6;
  }

  /** Makes the namespaces of new instances, their ENIs (veths on their network's bridge), addresses and routes. */
  async createInstances(list: readonly DesiredInstance[]): Promise<void> {
    if (list.length === 0) return;
    // namespaces, then the veths of all new instances of a network in one batch, then each instance's addresses
    for (const inst of list) {
      await run('ip', ['netns', 'del', inst.instanceId]);
      await this.addNamespace(inst.instanceId);
      // IPv6 addresses are static: no router advertisements, no SLAAC (set before the veths come)
      await sysctls(inst.instanceId, { 'net.ipv6.conf.default.accept_ra': '0', 'net.ipv6.conf.all.accept_ra': '0', 'net.ipv6.conf.default.autoconf': '0', 'net.ipv6.conf.default.accept_dad': '0' });
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
      // an address outside its network's /64s (none known) gets no interface address nor route
      const subnets6 = this.subnets6.get(inst.network) ?? [];
      const v6Lines: string[] = [];
      inst.enis.forEach((e, i) => {
        lines.push(`link set eth${i} address ${e.mac}`, `addr add ${e.ipText}/${e.prefix} dev eth${i}`);
        for (const a of e.ipv6 ?? []) {
          const s6 = subnetOf6(subnets6, a.address);
          if (s6 !== undefined) lines.push(`addr add ${a.address}/64 dev eth${i} nodad`);
        }
        lines.push(`link set eth${i} up`);
      });
      const primary = inst.enis[0];
      if (primary !== undefined) lines.push(`route add default via ${primary.gateway} dev eth0`);
      // IPv6: the default route via the gateway of the primary ENI's (first) /64, a table per secondary ENI as for IPv4
      inst.enis.forEach((e, i) => {
        const first = (e.ipv6 ?? []).map((a) => subnetOf6(subnets6, a.address)).find((x) => x !== undefined);
        if (first === undefined) return;
        if (i === 0) v6Lines.push(`route add default via ${first.gateway} dev eth0`);
        else {
          v6Lines.push(`route add ${first.cidr} dev eth${i} table ${100 + i}`, `route add default via ${first.gateway} dev eth${i} table ${100 + i}`);
          for (const a of e.ipv6 ?? []) v6Lines.push(`rule add from ${a.address} table ${100 + i}`);
        }
      });
      // secondary ENIs answer from their own interface (as the images' multi-NIC tooling sets up):
      // a table per ENI chosen by source address; the bridge drops what leaves by another port
      inst.enis.forEach((e, i) => {
        if (i === 0) return;
        const table = 100 + i;
        lines.push(`route add ${formatCidr(parseCidr(`${e.ipText}/${e.prefix}`)!)} dev eth${i} table ${table}`, `route add default via ${e.gateway} dev eth${i} table ${table}`, `rule add from ${e.ipText} table ${table}`);
      });
      await ipBatch(inst.instanceId, lines);
      if (v6Lines.length > 0) await ipBatch(inst.instanceId, v6Lines);
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

  /** Removes the namespace; one that is still there stays registered, so the cleanup after stop finds it. */
  private async deleteNamespace(ns: string): Promise<void> {
    const r = await run('ip', ['netns', 'del', ns]);
    removeNamespaceHosts(ns);
    if (r.code === 0 || !listNamespaces().includes(ns)) unregisterNamespace(this.stateDir, ns);
  }
}

/** What makes an instance's namespace: its network and ENIs (addresses, MACs); a change rebuilds it. */
export function shapeOf(inst: DesiredInstance): string {
  return inst.network + '|' + inst.enis.map((e) => `${e.eniId}/${e.ipText}/${e.prefix}/${e.gateway}/${e.mac}${(e.ipv6 ?? []).map((a) => `/${a.address}`).join('')}`).join(',');
}

/** A vSwitch's IPv6 /64 (normalized) and its gateway, the /64's ::1; undefined when the text is not a /64. */
function subnet6(cidr: string): { cidr: string; gateway: string; base: bigint } | undefined {
  const c = parseCidr6(cidr, true);
  if (c === null || c.prefix !== 64) return undefined;
  return { cidr: `${bigIntToIp6(c.base)}/64`, gateway: bigIntToIp6(c.base + 1n), base: c.base };
}

/** The /64 of `subnets` that holds `address`. */
function subnetOf6(subnets: ReadonlyArray<{ cidr: string; gateway: string }>, address: string): { cidr: string; gateway: string } | undefined {
  const a = ip6ToBigInt(address);
  if (a === null) return undefined;
  return subnets.find((s) => cidr6HasIp(parseCidr6(s.cidr)!, a));
}

/** Neighbour discovery (RFC 4861): solicitations and advertisements, which must come with hop limit 255. */
const ND = 'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } ip6 hoplimit 255';

/**
 * The tables of a network namespace, without any ENI: dispatch by address (IPv4 and IPv6), NAT, the
 * router's own input, the bridge's port guard.
 *
 * IPv6 (docs/DATAPLANE.md): neighbour discovery alone is accepted as such; every other IPv6 packet
 * between an ENI's address and anything is judged by the ENI's groups (the in6/eg6 dispatch), and
 * what no dispatch judged is dropped unless it leaves for the internet after the sender's egress
 * accepted it. So link-local unicast between instances (fe80::/10 is no ENI's address) is dropped,
 * and so is anything else not modelled (multicast other than ND, traffic to addresses no ENI has).
 */
export function baseTables(): string {
  return `table inet parapet {
  set public_src { type ipv4_addr; }
  set public6_src { type ipv6_addr; }
  map eg_dispatch { type ipv4_addr : verdict; }
  map in_dispatch { type ipv4_addr : verdict; }
  map eg6_dispatch { type ipv6_addr : verdict; }
  map in6_dispatch { type ipv6_addr : verdict; }
  chain forward {
    type filter hook forward priority 0; policy accept;
    ${ND} accept
    ct state established,related accept
    ct state invalid drop
    oifname "${INTERNET_IF}" ip saddr != @public_src drop
    oifname "${INTERNET_IF}" meta nfproto ipv6 ip6 saddr != @public6_src drop
    iifname "${INTERNET_IF}" meta nfproto ipv6 ip6 daddr != @public6_src drop
    ip saddr vmap @eg_dispatch
    ip daddr vmap @in_dispatch
    ip6 saddr vmap @eg6_dispatch
    ip6 daddr vmap @in6_dispatch
    meta nfproto ipv6 oifname != "${INTERNET_IF}" drop
  }
  chain input {
    type filter hook input priority 0; policy drop;
    ${ND} accept
    ct state established,related accept
    iifname "lo" accept
    ip daddr { ${METADATA_ADDRESS}, ${API_ADDRESS} } tcp dport 80 accept
    ip daddr ${API_ADDRESS} tcp dport 443 accept
    icmp type echo-request accept
    icmpv6 type echo-request accept
  }
}
table bridge parapet_guard {
  # each ENI's port sends from the ENI's addresses only (no spoofing of another ENI, of its groups' rights, or of its metadata);
  # IPv6 link-local sources pass here (neighbour discovery) and are judged in inet parapet
  set ports { type ifname . ipv4_addr; }
  set ports6 { type ifname . ipv6_addr; }
  map nd6 { type ifname : verdict; }
  chain prerouting {
    type filter hook prerouting priority -200; policy accept;
    iifname "p*" ether type ip iifname . ip saddr != @ports drop
    iifname "p*" ether type arp iifname . arp saddr ip != @ports drop
    iifname "p*" ether type ip6 ip6 saddr != { ::, fe80::/10 } iifname . ip6 saddr != @ports6 drop
    # a neighbour advertisement may name only the port's own addresses as its target (per port: nd_{tag},
    # which accepts or drops; these two rules stay last)
    iifname "p*" ether type ip6 icmpv6 type nd-neighbor-advert iifname vmap @nd6
    iifname "p*" ether type ip6 icmpv6 type nd-neighbor-advert drop
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
