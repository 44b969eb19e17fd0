// The data plane's desired state (ARCHITECTURE "data plane"): every Running instance with its
// ENIs, the networks they sit on (a VPC, or the classic network of a region), each ENI's groups in
// the engine's model and the members of every group, the ids of all instances (whose disks the
// agent keeps), and Anti-DDoS Basic's watched addresses, black holes and penalties
// (src/domain/antiddos/desired.ts), the CENs with their VPCs (members of a group resolve per
// network: its own and its CEN peers'), each ENI's IPv6 addresses (with whether an IPv6 gateway
// gives it internet bandwidth) and each VPC's IPv6 /64s in use, read in one snapshot of the store. The agent (src/dataplane) turns this into
// namespaces, links, nftables and sandboxes; it never reads the store itself.
import type { Db } from '../store/store.ts';
import type { FwGroup } from '../engine/firewall/index.ts';
import { parseCidr, ipToInt, ip6ToBigInt } from '../engine/cidr.ts';
import { findRegion } from './regions.ts';
import { findImage } from './catalogs.ts';
import { loadFwGroups } from './fw-groups.ts';
import { defaultHostName } from './instances.ts';
import { port25UnblockedAccounts } from './account-settings.ts';
import { readDdosDesired } from './antiddos/desired.ts';
import { blocksInForce } from './security-center/brute-force.ts';
import type { DdosDesired } from './antiddos/model.ts';
import { systemClock } from '../clock.ts';
import { addressesOf } from './ipv6.ts';

export interface DesiredEni {
  eniId: string;
  instanceId: string;
  /** 'Primary' first, then secondaries by id */
  primary: boolean;
  ip: number;
  ipText: string;
  /** the prefix length of its vSwitch (classic: the region's range) */
  prefix: number;
  /** the vSwitch gateway: the subnet's last usable address but two (x.x.x.253 in a /24) */
  gateway: string;
  mac: string;
  groups: FwGroup[];
  /** the platform's port-25 block applies (SPEC §1.3 step 1): false when the instance's account had it lifted */
  port25Blocked: boolean;
  /** its IPv6 addresses (domain/ipv6.ts); `internet`: the address has internet bandwidth (an IPv6 gateway's), so it reaches the IPv6 internet */
  ipv6: Array<{ address: string; internet: boolean }>;
}

export interface DesiredInstance {
  instanceId: string;
  accountId: string;
  regionId: string;
  /** the network key: the VPC id, or `classic-{regionId}` */
  network: string;
  publicIp: string;
  osType: 'linux' | 'windows';
  /** the key in force (SPEC §2): authorized_keys; '' when none */
  effectivePublicKey: string;
  /** root's password in force (SPEC §2) as a SHA-512 crypt hash for /etc/shadow; '' when password logon is off */
  effectivePasswordHash: string;
  /** the host name its sandbox gets at each boot */
  hostName: string;
  /** starts and reboots so far: a change restarts the instance's processes (a reboot) */
  bootSeq: number;
  /** the Security Center agent is installed: the data plane watches this instance (src/domain/security-center/agent.ts) */
  securityAgent: boolean;
  enis: DesiredEni[];
}

export interface DesiredNetwork {
  key: string;
  kind: 'vpc' | 'classic';
  regionId: string;
  /** gateway address and prefix of every subnet (vSwitch) that has a running ENI */
  gateways: Array<{ address: string; prefix: number }>;
  /** the IPv6 block (a /64) of every vSwitch with IPv6 that has a running ENI; absent in states built by hand */
  ipv6Gateways?: Array<{ cidr: string }>;
}

export interface DesiredState {
  revision: number;
  networks: DesiredNetwork[];
  instances: DesiredInstance[];
  /** every instance in the store, whatever its status: the agent keeps their writable layers, and removes the others' */
  existingInstanceIds: Set<string>;
  /** private IPs (as integers) of the attached ENIs of each group (any instance state), whatever their network */
  members: Map<string, number[]>;
  /**
   * Per network key: the members of each group that a rule in that network can reach, the ENIs of
   * the network itself and of the VPCs attached to the same CEN (a group of another network
   * resolves to nothing without a shared CEN). The firewall of each network is compiled from these;
   * a state built by hand without them (tests, benchmarks) uses `members` everywhere.
   */
  networkMembers?: Map<string, Map<string, number[]>>;
  /**
   * Per network key: the IPv6 addresses of each group's members that the network reaches, as
   * `networkMembers` for IPv4 (attached ENIs of the network and of its CEN peers). Absent in states
   * built by hand: the data plane then takes them from the running instances' ENIs (agent.ts).
   */
  networkMembers6?: Map<string, Map<string, bigint[]>>;
  /** every CEN with the VPCs attached to it (their CIDR blocks): the data plane routes between those that have a namespace */
  cens?: DesiredCen[];
  /** Anti-DDoS Basic: the public addresses to watch with their thresholds, the black holes and penalties in force */
  ddos: DdosDesired;
  /** Security Center: the sources an anti-brute-force rule (or an alert's block) blocks at an instance, until when (ms) */
  bruteForceBlocks: Array<{ instanceId: string; ip: string; until: number }>;
}

export interface DesiredCen {
  cenId: string;
  /** attached VPCs by id, with the CIDR block each was attached with */
  vpcs: Array<{ vpcId: string; cidrBlock: string }>;
}

const CLASSIC_PREFIX = 'classic-';

function subnetOf(cidrText: string): { prefix: number; gateway: string } | undefined {
  const c = parseCidr(cidrText);
  if (c === null) return undefined;
  const gw = c.base + c.size - 3;
  return { prefix: 32 - Math.log2(c.size), gateway: `${(gw >>> 24) & 255}.${(gw >>> 16) & 255}.${(gw >>> 8) & 255}.${gw & 255}` };
}

/**
 * Reads the desired state; `revision` is the store revision the caller saw before reading, `now`
 * the time black holes and penalties are judged in force at (the services' clock).
 */
export async function readDesiredState(db: Db, revision: number, now: number = systemClock.now()): Promise<DesiredState> {
  const [instances, enis, vswitches, { groups }, memberships, existing, unblocked, ddos, bruteForceBlocks, cenChildren, ipv6Internet] = await Promise.all([
    db.selectFrom('instances').select(['id', 'account_id', 'region_id', 'vpc_id', 'public_ip', 'image_id', 'effective_public_key', 'host_name', 'boot_seq', 'effective_password_hash', 'security_agent']).where('status', '=', 'Running').orderBy('id').execute(),
    db.selectFrom('enis').select(['id', 'instance_id', 'vpc_id', 'vswitch_id', 'region_id', 'private_ip', 'type', 'mac', 'ipv6_addresses']).where('instance_id', '!=', '').orderBy('id').execute(),
    db.selectFrom('vswitches').select(['id', 'cidr_block', 'ipv6_cidr']).execute(),
    loadFwGroups(db),
    db.selectFrom('eni_groups').select(['eni_id', 'security_group_id', 'position']).orderBy('eni_id').orderBy('position').execute(),
    db.selectFrom('instances').select('id').execute(),
    port25UnblockedAccounts(db),
    readDdosDesired(db, now),
    blocksInForce(db, now),
    db.selectFrom('cen_children').select(['cen_id', 'vpc_id', 'cidr_block']).orderBy('cen_id').orderBy('vpc_id').execute(),
    db.selectFrom('ipv6_internet').select('address').execute(),
  ]);
  const ipv6Blocks = new Map(vswitches.filter((v) => v.ipv6_cidr !== '').map((v) => [v.id, v.ipv6_cidr]));
  const internet6 = new Set(ipv6Internet.map((r) => r.address));
  const subnets = new Map(vswitches.map((v) => [v.id, subnetOf(v.cidr_block)]));
  const groupsOfEni = new Map<string, FwGroup[]>();
  const members = new Map<string, number[]>();
  const eniIp = new Map(enis.map((e) => [e.id, ipToInt(e.private_ip)]));
  const eniNetwork = new Map(enis.map((e) => [e.id, e.vpc_id === '' ? CLASSIC_PREFIX + e.region_id : e.vpc_id]));
  /** per network, the members of each group among the network's own ENIs (IPv4; IPv6) */
  const ownMembers = new Map<string, Map<string, number[]>>();
  const ownMembers6 = new Map<string, Map<string, bigint[]>>();
  const eniIp6 = new Map(enis.map((e) => [e.id, addressesOf(e.ipv6_addresses).map(ip6ToBigInt).filter((x) => x !== null)]));
  for (const m of memberships) {
    const g = groups.get(m.security_group_id);
    if (g === undefined) continue;
    let list = groupsOfEni.get(m.eni_id);
    if (list === undefined) groupsOfEni.set(m.eni_id, list = []);
    list.push(g);
    const ip = eniIp.get(m.eni_id);
    if (ip === undefined || ip === null) continue; // not attached
    let ms = members.get(g.groupId);
    if (ms === undefined) members.set(g.groupId, ms = []);
    ms.push(ip);
    const key = eniNetwork.get(m.eni_id)!;
    let byGroup = ownMembers.get(key);
    if (byGroup === undefined) ownMembers.set(key, byGroup = new Map<string, number[]>());
    let list2 = byGroup.get(g.groupId);
    if (list2 === undefined) byGroup.set(g.groupId, list2 = []);
    list2.push(ip);
    const ip6s = eniIp6.get(m.eni_id) ?? [];
    if (ip6s.length > 0) {
      let byGroup6 = ownMembers6.get(key);
      if (byGroup6 === undefined) ownMembers6.set(key, byGroup6 = new Map<string, bigint[]>());
      let list6 = byGroup6.get(g.groupId);
      if (list6 === undefined) byGroup6.set(g.groupId, list6 = []);
      list6.push(...ip6s);
    }
  }
  const cens = censOf(cenChildren);
  const enisOf = new Map<string, typeof enis>();
  for (const e of enis) {
    let list = enisOf.get(e.instance_id);
    if (list === undefined) enisOf.set(e.instance_id, list = []);
    list.push(e);
  }
  const networks = new Map<string, DesiredNetwork>();
  const out: DesiredInstance[] = [];
  for (const inst of instances) {
    const network = inst.vpc_id === '' ? CLASSIC_PREFIX + inst.region_id : inst.vpc_id;
    let net = networks.get(network);
    if (net === undefined) networks.set(network, net = { key: network, kind: inst.vpc_id === '' ? 'classic' : 'vpc', regionId: inst.region_id, gateways: [], ...(inst.vpc_id === '' ? {} : { ipv6Gateways: [] }) });
    const own = (enisOf.get(inst.id) ?? []).sort((a, b) => (a.type === 'Primary' ? -1 : b.type === 'Primary' ? 1 : a.id < b.id ? -1 : 1));
    const desiredEnis: DesiredEni[] = [];
    for (const e of own) {
      const subnet = e.vswitch_id === '' ? subnetOf(findRegion(e.region_id)?.classicCidr ?? '') : subnets.get(e.vswitch_id);
      const ip = ipToInt(e.private_ip);
      if (subnet === undefined || ip === null) continue;
      if (!net.gateways.some((g) => g.address === subnet.gateway)) net.gateways.push({ address: subnet.gateway, prefix: subnet.prefix });
      const block6 = ipv6Blocks.get(e.vswitch_id);
      if (block6 !== undefined) {
        const list = net.ipv6Gateways ??= [];
        if (!list.some((g) => g.cidr === block6)) list.push({ cidr: block6 });
      }
      desiredEnis.push({
        eniId: e.id, instanceId: inst.id, primary: e.type === 'Primary', ip, ipText: e.private_ip, prefix: subnet.prefix, gateway: subnet.gateway,
        mac: e.mac, groups: groupsOfEni.get(e.id) ?? [], port25Blocked: !unblocked.has(inst.account_id),
        ipv6: addressesOf(e.ipv6_addresses).map((address) => ({ address, internet: internet6.has(address) })),
      });
    }
    out.push({
      instanceId: inst.id, accountId: inst.account_id, regionId: inst.region_id, network, publicIp: inst.public_ip,
      osType: findImage(inst.image_id)?.osType ?? 'linux', effectivePublicKey: inst.effective_public_key, effectivePasswordHash: inst.effective_password_hash, enis: desiredEnis,
      // rows made before host names were kept have none: the default a new instance gets
      hostName: inst.host_name || defaultHostName(inst.id), bootSeq: inst.boot_seq, securityAgent: inst.security_agent === 1,
    });
  }
  for (const ms of members.values()) ms.sort((a, b) => a - b);
  const networkMembers = new Map<string, Map<string, number[]>>();
  for (const key of networks.keys()) networkMembers.set(key, reachableMembers(key, ownMembers, cens));
  const networkMembers6 = new Map<string, Map<string, bigint[]>>();
  for (const key of networks.keys()) networkMembers6.set(key, reachableMembers(key, ownMembers6, cens));
  return { revision, networks: [...networks.values()], instances: out, existingInstanceIds: new Set(existing.map((i) => i.id)), members, networkMembers, networkMembers6, cens, ddos, bruteForceBlocks };
}

function censOf(rows: ReadonlyArray<{ cen_id: string; vpc_id: string; cidr_block: string }>): DesiredCen[] {
  const byId = new Map<string, DesiredCen>();
  for (const r of rows) {
    let c = byId.get(r.cen_id);
    if (c === undefined) byId.set(r.cen_id, c = { cenId: r.cen_id, vpcs: [] });
    c.vpcs.push({ vpcId: r.vpc_id, cidrBlock: r.cidr_block });
  }
  return [...byId.values()];
}

/**
 * The members of each group that network `key` reaches: its own ENIs', and those of the VPCs
 * attached to the same CEN (SPEC §9 scenarios 2 and 7 in VPCs). Sorted, each address once.
 */
export function reachableMembers<A extends number | bigint>(key: string, own: ReadonlyMap<string, ReadonlyMap<string, readonly A[]>>, cens: readonly DesiredCen[]): Map<string, A[]> {
  const networks = [key];
  const cen = cens.find((c) => c.vpcs.some((v) => v.vpcId === key));
  if (cen !== undefined) for (const v of cen.vpcs) if (v.vpcId !== key) networks.push(v.vpcId);
  const out = new Map<string, A[]>();
  for (const n of networks) {
    for (const [g, ips] of own.get(n) ?? []) {
      let list = out.get(g);
      if (list === undefined) out.set(g, list = []);
      list.push(...ips);
    }
  }
  for (const [g, ips] of out) out.set(g, [...new Set(ips)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  return out;
}
