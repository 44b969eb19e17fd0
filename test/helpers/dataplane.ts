// A Parapet server with the data plane on (the agent inside the server), and the calls that
// data-plane tests and the benchmark make through the official SDKs: networks, groups, rules,
// instances, and "wait until the kernel holds the last write"; ssh from one instance into another.
import { readdirSync } from 'node:fs';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, type TestServer, type EcsClient, type VpcClient, type Creds, ROOT } from './server.ts';
import { Prober, nsExec, type CommandResult } from './netns.ts';

export const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const $ = EcsModule;

export type Perm = Record<string, unknown>;

export interface DataplaneServer {
  server: TestServer;
  prefix: string;
  internetNs: string;
  /** waits until the agent has applied every write made so far; with a timeout, fails after it instead of waiting on */
  settle: (timeoutMs?: number) => Promise<void>;
  clients(creds?: Creds): { ecs: EcsClient; vpc: VpcClient };
  stop(): Promise<void>;
}

export async function startDataplaneServer(prefix: string, env: Record<string, string> = {}): Promise<DataplaneServer> {
  const server = await startTestServer({ env: { PARAPET_DATAPLANE: '1', PARAPET_DATAPLANE_PREFIX: prefix, ...env } });
  const agent = server.agent;
  if (agent === undefined) throw new Error('the server started without its agent');
  return {
    server, prefix, internetNs: `${prefix}internet`,
    settle: (timeoutMs) => {
      const revision = server.store.revision();
      const applied = agent.whenApplied(revision);
      if (timeoutMs === undefined) return applied;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`the agent did not apply revision ${revision} within ${timeoutMs} ms`)), timeoutMs); });
      return Promise.race([applied, late]).finally(() => clearTimeout(timer));
    },
    clients: (creds: Creds = ROOT) => ({ ecs: ecsClient(server.endpoint, creds), vpc: vpcClient(server.endpoint, creds) }),
    stop: () => server.stop(),
  };
}

/** One account's view of one region: make networks, groups and instances in a line each. */
export class Tenant {
  constructor(readonly ecs: EcsClient, readonly vpc: VpcClient, readonly region: string) {}

  async network(cidr: string, vswCidr: string, zone: string): Promise<{ vpcId: string; vSwitchId: string }> {
    const vpcId = (await this.vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: this.region, cidrBlock: cidr }))).body!.vpcId!;
    const vSwitchId = (await this.vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: this.region, vpcId, zoneId: zone, cidrBlock: vswCidr }))).body!.vSwitchId!;
    return { vpcId, vSwitchId };
  }

  async group(vpcId: string | undefined, extra: Record<string, unknown> = {}): Promise<string> {
    return (await this.ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: this.region, ...(vpcId !== undefined ? { vpcId } : {}), ...extra }))).body!.securityGroupId!;
  }

  async ingress(groupId: string, perms: Perm[]): Promise<void> {
    await this.ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: this.region, securityGroupId: groupId, permissions: perms.map((p) => new $.AuthorizeSecurityGroupRequestPermissions(p)) }));
  }

  async egress(groupId: string, perms: Perm[]): Promise<void> {
    await this.ecs.authorizeSecurityGroupEgress(new $.AuthorizeSecurityGroupEgressRequest({ regionId: this.region, securityGroupId: groupId, permissions: perms.map((p) => new $.AuthorizeSecurityGroupEgressRequestPermissions(p)) }));
  }

  async revokeIngress(groupId: string, perms: Perm[]): Promise<void> {
    await this.ecs.revokeSecurityGroup(new $.RevokeSecurityGroupRequest({ regionId: this.region, securityGroupId: groupId, permissions: perms.map((p) => new $.RevokeSecurityGroupRequestPermissions(p)) }));
  }

  /** A running instance; returns its id, private and public address. */
  async instance(p: { vSwitchId?: string; groups: string[]; publicIp?: boolean; keyPairName?: string; ramRoleName?: string; hostName?: string; password?: string }): Promise<{ id: string; ip: string; publicIp: string }> {
    const id = (await this.ecs.runInstances(new $.RunInstancesRequest({
      regionId: this.region, imageId: LINUX, instanceType: 'ecs.g5.large', securityGroupIds: p.groups,
      ...(p.vSwitchId !== undefined ? { vSwitchId: p.vSwitchId } : {}), ...(p.publicIp === true ? { internetMaxBandwidthOut: 5 } : {}),
      ...(p.keyPairName !== undefined ? { keyPairName: p.keyPairName } : {}), ...(p.ramRoleName !== undefined ? { ramRoleName: p.ramRoleName } : {}),
      ...(p.hostName !== undefined ? { hostName: p.hostName } : {}), ...(p.password !== undefined ? { password: p.password } : {}),
    }))).body!.instanceIdSets!.instanceIdSet![0]!;
    const d = (await this.ecs.describeInstances(new $.DescribeInstancesRequest({ regionId: this.region, instanceIds: JSON.stringify([id]) }))).body!.instances!.instance![0]!;
    const ip = d.vpcAttributes?.privateIpAddress?.ipAddress?.[0] || d.innerIpAddress?.ipAddress?.[0] || '';
    return { id, ip, publicIp: d.publicIpAddress?.ipAddress?.[0] ?? '' };
  }
}

/** Probers by namespace, all closed by `closeAll` (tests call it in `after`). */
export class Probers {
  private readonly open = new Map<string, Prober>();
  async in(ns: string): Promise<Prober> {
    let p = this.open.get(ns);
    if (p === undefined) { p = await Prober.start(ns); this.open.set(ns, p); }
    return p;
  }
  async closeAll(): Promise<void> {
    for (const p of this.open.values()) await p.close();
    this.open.clear();
  }
}

/** Adds internet source addresses inside the internet namespace (nothing in the host's). */
export async function addInternetAddresses(internetNs: string, addresses: readonly string[]): Promise<void> {
  for (const a of addresses) {
    const r = await nsExec(internetNs, ['ip', 'addr', 'replace', `${a}/32`, 'dev', 'lo']);
    if (r.code !== 0) throw new Error(`adding ${a} in ${internetNs}: ${r.stderr}`);
  }
}

/**
 * `ssh -i key root@ip command` from inside namespace `from` (a client instance), non-interactive:
 * no password prompt, no known-hosts file, 5 s to connect, 15 s in all. An sshd the agent has just
 * (re)started may not listen yet: a refused connection is retried for up to 2 s.
 */
export async function sshFrom(from: string, key: string, ip: string, command: string): Promise<CommandResult> {
  const ssh = () => nsExec(from, ['ssh', '-i', key, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR', `root@${ip}`, command], 15_000);
  let r = await ssh();
  for (let i = 0; r.code === 255 && /refused/.test(r.stderr) && i < 20; i++) { await new Promise((f) => setTimeout(f, 100)); r = await ssh(); }
  return r;
}

/** Namespaces on the machine that a test left behind: those with the prefix, and the given ids. */
export function leftovers(prefix: string, ids: readonly string[]): string[] {
  let present: string[];
  try { present = readdirSync('/run/netns'); } catch { present = []; }
  return present.filter((n) => n.startsWith(prefix) || ids.includes(n));
}
