// The data plane's desired state (ARCHITECTURE "data plane"): every Running instance with its
// ENIs, the networks they sit on (a VPC, or the classic network of a region), each ENI's groups in
// the engine's model and the members of every group, and the ids of all instances (whose disks the
// agent keeps), read in one snapshot of the store. The agent (src/dataplane) turns this into
// namespaces, links, nftables and sandboxes; it never reads the store itself.
import type { Db } from '../store/store.ts';
import type { FwGroup } from '../engine/firewall/index.ts';
import { parseCidr, ipToInt } from '../engine/cidr.ts';
import { findRegion } from './regions.ts';
import { findImage } from './catalogs.ts';
import { loadFwGroups } from './fw-groups.ts';
import { defaultHostName } from './instances.ts';
import { port25UnblockedAccounts } from './account-settings.ts';

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
  enis: DesiredEni[];
}

export interface DesiredNetwork {
  key: string;
  kind: 'vpc' | 'classic';
  regionId: string;
  /** gateway address and prefix of every subnet (vSwitch) that has a running ENI */
  gateways: Array<{ address: string; prefix: number }>;
}

export interface DesiredState {
  revision: number;
  networks: DesiredNetwork[];
  instances: DesiredInstance[];
  /** every instance in the store, whatever its status: the agent keeps their writable layers, and removes the others' */
  existingInstanceIds: Set<string>;
  /** private IPs (as integers) of the attached ENIs of each group (any instance state) */
  members: Map<string, number[]>;
}

const CLASSIC_PREFIX = 'classic-';

function subnetOf(cidrText: string): { prefix: number; gateway: string } | undefined {
  const c = parseCidr(cidrText);
  if (c === null) return undefined;
  const gw = c.base + c.size - 3;
  return { prefix: 32 - Math.log2(c.size), gateway: `${(gw >>> 24) & 255}.${(gw >>> 16) & 255}.${(gw >>> 8) & 255}.${gw & 255}` };
}

/** Reads the desired state; `revision` is the store revision the caller saw before reading. */
export async function readDesiredState(db: Db, revision: number): Promise<DesiredState> {
  const [instances, enis, vswitches, { groups }, memberships, existing, unblocked] = await Promise.all([
    db.selectFrom('instances').select(['id', 'account_id', 'region_id', 'vpc_id', 'public_ip', 'image_id', 'effective_public_key', 'host_name', 'boot_seq', 'effective_password_hash']).where('status', '=', 'Running').orderBy('id').execute(),
    db.selectFrom('enis').select(['id', 'instance_id', 'vpc_id', 'vswitch_id', 'region_id', 'private_ip', 'type', 'mac']).where('instance_id', '!=', '').orderBy('id').execute(),
    db.selectFrom('vswitches').select(['id', 'cidr_block']).execute(),
    loadFwGroups(db),
    db.selectFrom('eni_groups').select(['eni_id', 'security_group_id', 'position']).orderBy('eni_id').orderBy('position').execute(),
    db.selectFrom('instances').select('id').execute(),
    port25UnblockedAccounts(db),
  ]);
  const subnets = new Map(vswitches.map((v) => [v.id, subnetOf(v.cidr_block)]));
  const groupsOfEni = new Map<string, FwGroup[]>();
  const members = new Map<string, number[]>();
  const eniIp = new Map(enis.map((e) => [e.id, ipToInt(e.private_ip)]));
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
  }
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
    if (net === undefined) networks.set(network, net = { key: network, kind: inst.vpc_id === '' ? 'classic' : 'vpc', regionId: inst.region_id, gateways: [] });
    const own = (enisOf.get(inst.id) ?? []).sort((a, b) => (a.type === 'Primary' ? -1 : b.type === 'Primary' ? 1 : a.id < b.id ? -1 : 1));
    const desiredEnis: DesiredEni[] = [];
    for (const e of own) {
      const subnet = e.vswitch_id === '' ? subnetOf(findRegion(e.region_id)?.classicCidr ?? '') : subnets.get(e.vswitch_id);
      const ip = ipToInt(e.private_ip);
      if (subnet === undefined || ip === null) continue;
      if (!net.gateways.some((g) => g.address === subnet.gateway)) net.gateways.push({ address: subnet.gateway, prefix: subnet.prefix });
      desiredEnis.push({
        eniId: e.id, instanceId: inst.id, primary: e.type === 'Primary', ip, ipText: e.private_ip, prefix: subnet.prefix, gateway: subnet.gateway,
        mac: e.mac, groups: groupsOfEni.get(e.id) ?? [], port25Blocked: !unblocked.has(inst.account_id),
      });
    }
    out.push({
      instanceId: inst.id, accountId: inst.account_id, regionId: inst.region_id, network, publicIp: inst.public_ip,
      osType: findImage(inst.image_id)?.osType ?? 'linux', effectivePublicKey: inst.effective_public_key, effectivePasswordHash: inst.effective_password_hash, enis: desiredEnis,
      // rows made before host names were kept have none: the default a new instance gets
      hostName: inst.host_name || defaultHostName(inst.id), bootSeq: inst.boot_seq,
    });
  }
  for (const ms of members.values()) ms.sort((a, b) => a - b);
  return { revision, networks: [...networks.values()], instances: out, existingInstanceIds: new Set(existing.map((i) => i.id)), members };
}
