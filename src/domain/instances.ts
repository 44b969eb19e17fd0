// Instances and elastic network interfaces (ENIs), the things security groups attach to (SPEC
// §1.5): private IPs from the vSwitch (classic: the region's internal range), never twice; an
// instance's groups are its primary ENI's; membership limits (5 groups, 1,000 rules acting on an
// ENI, one group type, the instance's own VPC or classic region), the default group of §1.4, and
// the instance lifecycle.
import type { CallContext } from './context.ts';
import { DomainError, errors } from './errors.ts';
import { requireRegion } from './vpc.ts';
import { findImage, findInstanceType } from './catalogs.ts';
import { type Tag, validateTags, writeTags, deleteTags, readTags } from './tags.ts';
import { groupLock, newGroup, requireRule, writeRules } from './sg-rule-gate.ts';
import { insertGroup, lockGroupQuota } from './security-groups.ts';
import { checkInstanceRole } from './instance-roles.ts';
import { publicKeyOf, refusal } from './keypairs.ts';
import { parseCidr, intToIp, ipToInt, cidrHasIp } from '../engine/cidr.ts';
import { isoSeconds } from '../clock.ts';
import { PUBLIC_IP_POOL } from './limits.ts';
import type { Tx } from '../store/store.ts';
import type { EniTable, InstanceTable, SecurityGroupTable } from '../store/schema.ts';


export interface Eni {
  networkInterfaceId: string;
  instanceId: string;
  type: 'Primary' | 'Secondary';
  vpcId: string;
  vSwitchId: string;
  zoneId: string;
  privateIpAddress: string;
  macAddress: string;
  name: string;
  description: string;
  securityGroupIds: string[];
  creationTime: string;
  status: 'InUse' | 'Available';
}

export interface Instance {
  instanceId: string;
  accountId: string;
  regionId: string;
  zoneId: string;
  vpcId: string;
  vSwitchId: string;
  networkType: 'vpc' | 'classic';
  imageId: string;
  osType: 'linux' | 'windows';
  instanceType: string;
  instanceName: string;
  description: string;
  status: string;
  publicIpAddress: string;
  internetMaxBandwidthOut: number;
  keyPairName: string;
  /** the key in force since the last start or reboot */
  effectiveKeyPairName: string;
  hostName: string;
  /** metadata service: 'enabled' | 'disabled', and 'optional' | 'required' (hardened mode) */
  httpEndpoint: string;
  httpTokens: string;
  creationTime: string;
  privateIpAddress: string;
  securityGroupIds: string[];
  networkInterfaces: Eni[];
  tags: Tag[];
}

const INSTANCE_TAG = 'instance';

const instanceNotFound = (id: string) => new DomainError('InvalidInstanceId.NotFound', 404, `The specified InstanceId \`${id}\` does not exist.`);
const eniNotFound = (id: string) => new DomainError('InvalidEniId.NotFound', 404, `The specified NetworkInterfaceId \`${id}\` does not exist.`);

/**
 * A MAC address in Alibaba's `00:16:3e` block: three random bytes (16.7 million values), drawn
 * again until no ENI of the same network (the VPC, or the region's classic network) has it.
 */
async function randomMac(ctx: CallContext, tx: Tx, network: { regionId: string; vpcId: string }): Promise<string> {
  await ctx.store.lock(tx, `mac:${network.regionId}:${network.vpcId}`);
  for (;;) {
    const mac = '00:16:3e:' + [...Buffer.from(ctx.ids.token(3), 'base64url')].map((b) => b.toString(16).padStart(2, '0')).join(':');
    const taken = await tx.selectFrom('enis').select('id').where('region_id', '=', network.regionId).where('vpc_id', '=', network.vpcId).where('mac', '=', mac).executeTakeFirst();
    if (taken === undefined) return mac;
  }
}

/**
 * `HostName` (RunInstances, ModifyInstanceAttribute): Linux 2 to 64 characters, letters, digits,
 * `.` and `-`; Windows 2 to 15, no `.`, not digits only; neither starts or ends with `.` or `-`
 * nor holds two of them in a row. Without one, an instance is named `iZ{id}Z` as on the real
 * service.
 */
export function checkHostName(value: string, osType: 'linux' | 'windows'): string {
  const bad = (why: string) => new DomainError('InvalidHostName.Malformed', 400, `The specified \`HostName\` \`${value.slice(0, 64)}\` is invalid: ${why}`);
  if (osType === 'windows') {
    if (!/^[A-Za-z0-9-]{2,15}$/.test(value) || /^[0-9]+$/.test(value)) throw bad('a Windows host name has 2 to 15 letters, digits or `-`, and not digits only.');
  } else if (!/^[A-Za-z0-9.-]{2,64}$/.test(value)) {
    throw bad('a host name has 2 to 64 letters, digits, `.` or `-`.');
  }
  if (/^[.-]|[.-]$|[.-]{2}/.test(value)) throw bad('it may not start or end with `.` or `-`, nor hold two of them in a row.');
  return value;
}

export const defaultHostName = (instanceId: string): string => `iZ${instanceId.replace(/^i-/, '')}Z`;

/** The lowest free host address of `cidr` in `space` (the first and the last three are reserved), or the requested one. */
async function allocateIp(ctx: CallContext, tx: Tx, space: string, cidrText: string, requested?: string): Promise<string> {
  await ctx.store.lock(tx, `ip:${space}`);
  const cidr = parseCidr(cidrText)!;
  const used = new Set((await tx.selectFrom('enis').select('private_ip').where('address_space', '=', space).execute()).map((r) => r.private_ip));
  const first = cidr.base + 1;
  const last = cidr.base + cidr.size - 4;
  if (requested !== undefined && requested !== '') {
    const ip = ipToInt(requested);
    if (ip === null || !cidrHasIp(cidr, ip) || ip < first || ip > last) {
      throw new DomainError('InvalidPrivateIpAddress.Malformed', 400, `The specified \`PrivateIpAddress\` \`${requested}\` is not a usable address of \`${cidrText}\`.`);
    }
    if (used.has(requested)) throw new DomainError('InvalidPrivateIpAddress.Duplicated', 400, `The specified \`PrivateIpAddress\` \`${requested}\` is already in use.`);
    return requested;
  }
  for (let ip = first; ip <= last; ip++) {
    const text = intToIp(ip);
    if (!used.has(text)) return text;
  }
  throw new DomainError('InvalidVSwitchId.IpNotEnough', 403, `No free private IP address is left in \`${cidrText}\`.`);
}

async function allocatePublicIp(ctx: CallContext, tx: Tx, poolText: string, requested?: string): Promise<string> {
  await ctx.store.lock(tx, `public-ip:${poolText}`);
  const used = new Set((await tx.selectFrom('instances').select('public_ip').where('public_ip', '!=', '').execute()).map((r) => r.public_ip));
  const pool = parseCidr(poolText)!;
  if (requested !== undefined && requested !== '') {
    const ip = ipToInt(requested);
    if (ip === null || !cidrHasIp(pool, ip) || ip === pool.base || ip === pool.base + pool.size - 1) {
      throw new DomainError('InvalidIpAddress.Malformed', 400, `The specified \`IpAddress\` \`${requested}\` is not an address of the public pool \`${poolText}\`.`);
    }
    if (used.has(requested)) throw new DomainError('InvalidIpAddress.AlreadyUsed', 400, `The specified \`IpAddress\` \`${requested}\` is already in use.`);
    return requested;
  }
  for (let ip = pool.base + 1; ip < pool.base + pool.size - 1; ip++) {
    const text = intToIp(ip);
    if (!used.has(text)) return text;
  }
  throw new DomainError('QuotaExceed.PublicIpAddress', 403, `The public address pool \`${poolText}\` is exhausted.`);
}

/**
 * AllocatePublicIpAddress: one public address per instance (Running or Stopped); a second call
 * returns the address it has. The instance's public bandwidth must be above 0.
 */
export async function allocatePublicIpAddress(ctx: CallContext, p: { instanceId: string; ipAddress?: string | undefined }): Promise<string> {
  return ctx.write(async (tx) => {
    const row = await instanceRow(tx, ctx, p.instanceId);
    if (row.public_ip !== '') return row.public_ip;
    if (row.status !== 'Running' && row.status !== 'Stopped') throw new DomainError('IncorrectInstanceStatus', 403, `The instance \`${p.instanceId}\` is ${row.status}; it must be Running or Stopped.`);
    if (row.bandwidth_out <= 0) throw new DomainError('InvalidInternetMaxBandwidthOut.ValueNotSupported', 403, `The instance \`${p.instanceId}\` has no public bandwidth (InternetMaxBandwidthOut is 0); a public address needs some.`);
    const ip = await allocatePublicIp(ctx, tx, ctx.publicIpPool ?? PUBLIC_IP_POOL, p.ipAddress);
    await tx.updateTable('instances').set({ public_ip: ip }).where('id', '=', row.id).execute();
    return ip;
  });
}

/** Checks a whole set of groups for one ENI (SPEC §1.5, §7) and returns their rows in order. */
async function checkGroupSet(ctx: CallContext, tx: Tx, eni: { regionId: string; vpcId: string; eniId?: string; adding?: number }, ids: readonly string[], param: string): Promise<SecurityGroupTable[]> {
  if (ids.length === 0) throw new DomainError('InstanceLastSecurityGroup', 403, 'An instance or network interface must stay in at least one security group.');
  if (new Set(ids).size !== ids.length) throw errors.invalidParameter(param, ids.join(','), 'A security group is given more than once.');
  if (ids.length > ctx.limits.groupsPerEni) {
    throw new DomainError('InstanceSecurityGroupLimitExceeded', 403, `A network interface may be in at most ${ctx.limits.groupsPerEni} security groups; ${ids.length} were given.`);
  }
  // the member and rule counts below hold only while nobody changes these groups or this ENI
  await ctx.store.lock(tx, ...ids.map(groupLock), ...(eni.eniId !== undefined ? [`eni:${eni.eniId}`] : []));
  const rows: SecurityGroupTable[] = [];
  for (const id of ids) {
    const row = await tx.selectFrom('security_groups').selectAll().where('id', '=', id).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
    if (row === undefined || row.region_id !== eni.regionId) throw new DomainError('InvalidSecurityGroupId.NotFound', 404, `The specified SecurityGroupId \`${id}\` does not exist.`);
    if (row.vpc_id !== eni.vpcId) {
      throw new DomainError('InvalidSecurityGroupId.NotInSameNetwork', 403, eni.vpcId === ''
        ? `The security group \`${id}\` belongs to VPC \`${row.vpc_id}\`; a classic-network instance joins classic groups only.`
        : `The security group \`${id}\` is not in VPC \`${eni.vpcId}\`.`);
    }
    rows.push(row);
  }
  if (new Set(rows.map((r) => r.type)).size > 1) {
    throw new DomainError('InvalidSecurityGroup.TypeMismatch', 403, 'A network interface can\'t be in a basic and an advanced security group at the same time.');
  }
  for (const row of rows) {
    const limit = row.type === 'enterprise' ? ctx.limits.privateIpsPerAdvancedGroup : ctx.limits.privateIpsPerBasicGroup;
    let q = tx.selectFrom('eni_groups').select((eb) => eb.fn.countAll<number>().as('n')).where('security_group_id', '=', row.id);
    if (eni.eniId !== undefined) q = q.where('eni_id', '!=', eni.eniId);
    const members = Number((await q.executeTakeFirstOrThrow()).n);
    if (members + (eni.adding ?? 1) > limit) {
      throw new DomainError('SecurityGroupInstanceLimitExceeded', 403, `The security group \`${row.id}\` already holds ${members} private IP addresses, its limit.`);
    }
  }
  const counts = await tx.selectFrom('sg_rules').select((eb) => ['security_group_id', eb.fn.countAll<number>().as('n')] as const)
    .where('security_group_id', 'in', [...ids]).groupBy('security_group_id').execute();
  const total = counts.reduce((a, c) => a + Number(c.n), 0);
  if (total > ctx.limits.rulesPerEni) {
    throw new DomainError('InvalidSecurityGroup.RuleLimitExceeded', 403, `The security groups would put ${total} rules on one network interface; at most ${ctx.limits.rulesPerEni} are allowed.`);
  }
  return rows;
}

async function setGroups(tx: Tx, eniId: string, ids: readonly string[]): Promise<void> {
  await tx.deleteFrom('eni_groups').where('eni_id', '=', eniId).execute();
  for (let i = 0; i < ids.length; i++) await tx.insertInto('eni_groups').values({ eni_id: eniId, security_group_id: ids[i]!, position: i }).execute();
}

/** SPEC §1.4: the account's first group in a region, made for an instance created without one. */
async function defaultGroup(ctx: CallContext, tx: Tx, regionId: string, vpcId: string): Promise<string> {
  const id = await insertGroup(ctx, tx, {
    regionId, vpcId, type: 'normal', name: 'sg-default', description: 'System created security group.', innerAccessPolicy: 'Accept', resourceGroupId: '',
  });
  const group = newGroup({ type: 'normal', networkType: vpcId === '' ? 'classic' : 'vpc', securityGroupId: id, accountId: ctx.principal.accountId, regionId, vpcId });
  const rules = [];
  for (const input of [{ IpProtocol: 'icmp', PortRange: '-1/-1' }, { IpProtocol: 'tcp', PortRange: '22/22' }, { IpProtocol: 'tcp', PortRange: '3389/3389' }]) {
    rules.push(await requireRule(tx, group.target, 'ingress', { ...input, SourceCidrIp: '0.0.0.0/0', Priority: '100', Policy: 'accept', NicType: vpcId === '' ? 'internet' : 'intranet' }));
  }
  await writeRules(ctx, tx, group, rules);
  return id;
}

export interface RunParams {
  regionId: string;
  imageId: string;
  instanceType: string;
  vSwitchId?: string | undefined;
  zoneId?: string | undefined;
  securityGroupIds?: string[] | undefined;
  amount?: number | undefined;
  instanceName?: string | undefined;
  description?: string | undefined;
  keyPairName?: string | undefined;
  internetMaxBandwidthOut?: number | undefined;
  privateIpAddress?: string | undefined;
  tags?: Tag[] | undefined;
  /** RunInstances starts them; CreateInstance leaves them Stopped */
  start: boolean;
  ramRoleName?: string | undefined;
  httpTokens?: string | undefined;
  hostName?: string | undefined;
}

export async function runInstances(ctx: CallContext, p: RunParams): Promise<string[]> {
  const region = requireRegion(p.regionId);
  if (findImage(p.imageId) === undefined) throw new DomainError('InvalidImageId.NotFound', 404, `The specified ImageId \`${p.imageId}\` does not exist.`);
  if (findInstanceType(p.instanceType) === undefined) throw new DomainError('InvalidInstanceType.ValueNotSupported', 400, `The specified InstanceType \`${p.instanceType}\` is not supported.`);
  const amount = p.amount ?? 1;
  if (!Number.isInteger(amount) || amount < 1 || amount > 100) throw errors.invalidParameter('Amount', String(p.amount), 'It must be between 1 and 100.');
  if (amount > 1 && p.privateIpAddress !== undefined && p.privateIpAddress !== '') throw errors.invalidParameter('PrivateIpAddress', p.privateIpAddress, 'One address can\'t be given to several instances.');
  const bandwidth = p.internetMaxBandwidthOut ?? 0;
  if (!Number.isInteger(bandwidth) || bandwidth < 0 || bandwidth > 100) throw errors.invalidParameter('InternetMaxBandwidthOut', String(p.internetMaxBandwidthOut), 'It must be between 0 and 100.');
  if (p.instanceName !== undefined && (p.instanceName.length > 128 || /^https?:\/\//.test(p.instanceName))) {
    throw new DomainError('InvalidInstanceName.Malformed', 400, `The specified \`InstanceName\` \`${p.instanceName}\` is invalid.`);
  }
  const tags = validateTags(p.tags);
  const hostName = p.hostName === undefined || p.hostName === '' ? undefined : checkHostName(p.hostName, findImage(p.imageId)?.osType ?? 'linux');
  const accountId = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    let vpcId = '';
    let vSwitchId = '';
    let zoneId = p.zoneId ?? region.zones[0]!;
    let space = `classic:${region.id}`;
    let cidr = region.classicCidr;
    if (p.vSwitchId !== undefined && p.vSwitchId !== '') {
      const vsw = await tx.selectFrom('vswitches').selectAll().where('id', '=', p.vSwitchId).where('account_id', '=', accountId).executeTakeFirst();
      if (vsw === undefined || vsw.region_id !== region.id) throw new DomainError('InvalidVSwitchId.NotFound', 404, `The specified VSwitchId \`${p.vSwitchId}\` does not exist.`);
      if (p.zoneId !== undefined && p.zoneId !== '' && p.zoneId !== vsw.zone_id) throw new DomainError('InvalidParameter.Mismatch', 400, `The vSwitch \`${vsw.id}\` is in zone \`${vsw.zone_id}\`, not \`${p.zoneId}\`.`);
      vpcId = vsw.vpc_id;
      vSwitchId = vsw.id;
      zoneId = vsw.zone_id;
      space = vsw.id;
      cidr = vsw.cidr_block;
    } else if (!region.zones.includes(zoneId)) {
      throw new DomainError('InvalidZoneId.NotFound', 404, `The specified ZoneId \`${zoneId}\` is not a zone of region \`${region.id}\`.`);
    }
    let groups = p.securityGroupIds ?? [];
    if (groups.length === 0) {
      await lockGroupQuota(ctx, tx, region.id);
      const any = await tx.selectFrom('security_groups').select('id').where('account_id', '=', accountId).where('region_id', '=', region.id).executeTakeFirst();
      if (any !== undefined) throw new DomainError('MissingParameter', 400, 'The input parameter `SecurityGroupId` that is mandatory for processing this request is not supplied.');
      groups = [await defaultGroup(ctx, tx, region.id, vpcId)];
    }
    await checkGroupSet(ctx, tx, { regionId: region.id, vpcId, adding: amount }, groups, 'SecurityGroupIds');
    if (p.ramRoleName !== undefined && p.ramRoleName !== '') {
      if (vpcId === '') throw new DomainError('InvalidNetworkType.MismatchRamRole', 403, 'A classic-network instance can\'t have a RAM role.');
      await checkInstanceRole(ctx, tx, p.ramRoleName);
    }
    if (p.httpTokens !== undefined && p.httpTokens !== 'optional' && p.httpTokens !== 'required') throw errors.invalidParameter('HttpTokens', p.httpTokens, 'Use `optional` or `required`.');
    let keyBody = '';
    if (p.keyPairName !== undefined && p.keyPairName !== '') {
      // the key can't be deleted outright while it is being bound (keypairs.ts takes the same lock)
      await ctx.store.lock(tx, `kp:${accountId}:${region.id}`);
      const key = await tx.selectFrom('key_pairs').select(['public_key', 'deleted']).where('account_id', '=', accountId).where('region_id', '=', region.id).where('name', '=', p.keyPairName).executeTakeFirst();
      if (key === undefined || key.deleted === 1) throw new DomainError('InvalidKeyPairName.NotFound', 404, `The key pair \`${p.keyPairName}\` does not exist.`);
      const no = refusal({ image_id: p.imageId, instance_type: p.instanceType });
      if (no !== undefined) throw new DomainError(no.code, 403, no.message);
      keyBody = key.public_key;
    }
    const now = isoSeconds(ctx.clock.now());
    const ids: string[] = [];
    for (let n = 0; n < amount; n++) {
      const id = ctx.ids.resource('i');
      const row: InstanceTable = {
        id, account_id: accountId, region_id: region.id, zone_id: zoneId, vpc_id: vpcId, vswitch_id: vSwitchId, image_id: p.imageId,
        instance_type: p.instanceType, name: p.instanceName ?? id, description: p.description ?? '', status: p.start ? 'Running' : 'Stopped',
        public_ip: bandwidth > 0 && p.start ? await allocatePublicIp(ctx, tx, ctx.publicIpPool ?? PUBLIC_IP_POOL) : '', bandwidth_out: bandwidth, key_pair_name: p.keyPairName ?? '', created_at: now,
        ram_role_name: p.ramRoleName ?? '', http_endpoint: 'enabled', http_tokens: p.httpTokens ?? 'optional',
        effective_key_name: p.keyPairName ?? '', effective_public_key: keyBody,
        host_name: hostName ?? defaultHostName(id), boot_seq: p.start ? 1 : 0,
      };
      await tx.insertInto('instances').values(row).execute();
      const eniId = ctx.ids.resource('eni');
      await tx.insertInto('enis').values({
        id: eniId, account_id: accountId, region_id: region.id, zone_id: zoneId, vpc_id: vpcId, vswitch_id: vSwitchId, instance_id: id,
        type: 'Primary', private_ip: await allocateIp(ctx, tx, space, cidr, p.privateIpAddress), address_space: space, mac: await randomMac(ctx, tx, { regionId: region.id, vpcId }),
        name: '', description: '', created_at: now,
      }).execute();
      await setGroups(tx, eniId, groups);
      await writeTags(tx, accountId, INSTANCE_TAG, id, tags);
      ids.push(id);
    }
    return ids;
  });
}

function toEni(row: EniTable, groups: string[]): Eni {
  return {
    networkInterfaceId: row.id, instanceId: row.instance_id, type: row.type as 'Primary' | 'Secondary', vpcId: row.vpc_id, vSwitchId: row.vswitch_id,
    zoneId: row.zone_id, privateIpAddress: row.private_ip, macAddress: row.mac, name: row.name, description: row.description,
    securityGroupIds: groups, creationTime: row.created_at, status: row.instance_id === '' ? 'Available' : 'InUse',
  };
}

async function groupsByEni(db: CallContext['store']['db'] | Tx, eniIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < eniIds.length; i += 500) {
    const rows = await db.selectFrom('eni_groups').selectAll().where('eni_id', 'in', eniIds.slice(i, i + 500)).orderBy('position').execute();
    for (const r of rows) {
      const list = out.get(r.eni_id) ?? [];
      list.push(r.security_group_id);
      out.set(r.eni_id, list);
    }
  }
  return out;
}

/** Every instance and ENI of an account in a region, memoized until the next write. */
export function inventoryOf(ctx: CallContext, regionId: string): Promise<{ instances: Instance[]; enis: Eni[] }> {
  const accountId = ctx.principal.accountId;
  return ctx.store.memo(`instances:${accountId}:${regionId}`, async () => {
    const db = ctx.store.db;
    const rows = await db.selectFrom('instances').selectAll().where('account_id', '=', accountId).where('region_id', '=', regionId).orderBy('created_at', 'desc').orderBy('id').execute();
    const eniRows = await db.selectFrom('enis').selectAll().where('account_id', '=', accountId).where('region_id', '=', regionId).orderBy('created_at').orderBy('id').execute();
    const groups = await groupsByEni(db, eniRows.map((e) => e.id));
    const enis = eniRows.map((e) => toEni(e, groups.get(e.id) ?? []));
    const tags = await readTags(db, INSTANCE_TAG, rows.map((r) => r.id));
    const instances = rows.map((r): Instance => {
      const mine = enis.filter((e) => e.instanceId === r.id);
      const primary = mine.find((e) => e.type === 'Primary');
      return {
        instanceId: r.id, accountId: r.account_id, regionId: r.region_id, zoneId: r.zone_id, vpcId: r.vpc_id, vSwitchId: r.vswitch_id,
        networkType: r.vpc_id === '' ? 'classic' : 'vpc', imageId: r.image_id, osType: findImage(r.image_id)?.osType ?? 'linux',
        instanceType: r.instance_type, instanceName: r.name, description: r.description, status: r.status, publicIpAddress: r.public_ip,
        internetMaxBandwidthOut: r.bandwidth_out, keyPairName: r.key_pair_name, effectiveKeyPairName: r.effective_key_name, creationTime: r.created_at,
        hostName: r.host_name || defaultHostName(r.id), httpEndpoint: r.http_endpoint, httpTokens: r.http_tokens,
        privateIpAddress: primary?.privateIpAddress ?? '', securityGroupIds: primary?.securityGroupIds ?? [], networkInterfaces: mine, tags: tags.get(r.id) ?? [],
      };
    });
    return { instances, enis };
  });
}

/** The instance, locked first: what the caller reads of it holds until the transaction ends. */
async function instanceRow(tx: Tx, ctx: CallContext, id: string, regionId?: string): Promise<InstanceTable> {
  await ctx.store.lock(tx, `instance:${id}`);
  const row = await tx.selectFrom('instances').selectAll().where('id', '=', id).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
  if (row === undefined || (regionId !== undefined && row.region_id !== regionId)) throw instanceNotFound(id);
  return row;
}

async function primaryEni(tx: Tx, instanceId: string): Promise<EniTable> {
  return tx.selectFrom('enis').selectAll().where('instance_id', '=', instanceId).where('type', '=', 'Primary').executeTakeFirstOrThrow();
}

const TRANSITIONS: Record<'start' | 'stop' | 'reboot', { from: string; to: string }> = {
  start: { from: 'Stopped', to: 'Running' },
  stop: { from: 'Running', to: 'Stopped' },
  reboot: { from: 'Running', to: 'Running' },
};

export async function changeState(ctx: CallContext, instanceId: string, action: 'start' | 'stop' | 'reboot'): Promise<void> {
  await ctx.write(async (tx) => {
    const row = await instanceRow(tx, ctx, instanceId);
    const t = TRANSITIONS[action];
    if (row.status !== t.from) throw new DomainError('IncorrectInstanceStatus', 403, `The instance \`${instanceId}\` is ${row.status}; it must be ${t.from} to ${action}.`);
    // SPEC §2: a key bound or unbound meanwhile takes effect now
    const effective = action === 'stop' ? {} : { effective_key_name: row.key_pair_name, effective_public_key: await publicKeyOf(tx, row.account_id, row.region_id, row.key_pair_name) };
    const boot = action === 'stop' ? {} : { boot_seq: row.boot_seq + 1 };
    await tx.updateTable('instances').set({ status: t.to, ...effective, ...boot }).where('id', '=', row.id).execute();
  });
}

export async function deleteInstance(ctx: CallContext, instanceId: string, force: boolean): Promise<void> {
  await ctx.write(async (tx) => {
    const row = await instanceRow(tx, ctx, instanceId);
    if (row.status !== 'Stopped' && !force) throw new DomainError('IncorrectInstanceStatus', 403, `The instance \`${instanceId}\` is ${row.status}; stop it first, or delete with Force.`);
    const enis = await tx.selectFrom('enis').selectAll().where('instance_id', '=', row.id).execute();
    for (const e of enis) {
      if (e.type === 'Primary') {
        await tx.deleteFrom('eni_groups').where('eni_id', '=', e.id).execute();
        await tx.deleteFrom('enis').where('id', '=', e.id).execute();
      } else {
        await tx.updateTable('enis').set({ instance_id: '' }).where('id', '=', e.id).execute();
      }
    }
    await tx.deleteFrom('instances').where('id', '=', row.id).execute();
    await deleteTags(tx, INSTANCE_TAG, row.id);
  });
}

export async function modifyInstanceAttribute(ctx: CallContext, p: { instanceId: string; instanceName?: string | undefined; description?: string | undefined; securityGroupIds?: string[] | undefined; hostName?: string | undefined }): Promise<void> {
  await ctx.write(async (tx) => {
    const row = await instanceRow(tx, ctx, p.instanceId);
    const set: Partial<InstanceTable> = {};
    if (p.instanceName !== undefined) set.name = p.instanceName;
    if (p.description !== undefined) set.description = p.description;
    // a new host name takes effect at the next start or reboot, as on the real service
    if (p.hostName !== undefined && p.hostName !== '') set.host_name = checkHostName(p.hostName, findImage(row.image_id)?.osType ?? 'linux');
    if (Object.keys(set).length > 0) await tx.updateTable('instances').set(set).where('id', '=', row.id).execute();
    if (p.securityGroupIds !== undefined) {
      const eni = await primaryEni(tx, row.id);
      await checkGroupSet(ctx, tx, { regionId: row.region_id, vpcId: row.vpc_id, eniId: eni.id }, p.securityGroupIds, 'SecurityGroupIds');
      await setGroups(tx, eni.id, p.securityGroupIds);
    }
  });
}

async function eniFor(tx: Tx, ctx: CallContext, p: { instanceId?: string | undefined; networkInterfaceId?: string | undefined }): Promise<EniTable> {
  if (p.networkInterfaceId !== undefined && p.networkInterfaceId !== '') {
    const e = await tx.selectFrom('enis').selectAll().where('id', '=', p.networkInterfaceId).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
    if (e === undefined) throw eniNotFound(p.networkInterfaceId);
    return e;
  }
  if (p.instanceId === undefined || p.instanceId === '') throw new DomainError('MissingParameter', 400, 'Give `InstanceId` or `NetworkInterfaceId`.');
  const row = await instanceRow(tx, ctx, p.instanceId);
  return primaryEni(tx, row.id);
}

/** JoinSecurityGroup / LeaveSecurityGroup, for an instance (its primary ENI) or an ENI. */
export async function changeMembership(ctx: CallContext, p: { securityGroupId: string; instanceId?: string | undefined; networkInterfaceId?: string | undefined; join: boolean }): Promise<void> {
  await ctx.write(async (tx) => {
    const eni = await eniFor(tx, ctx, p);
    // locked before its groups are read: two joins of one ENI never both build on the old list
    await ctx.store.lock(tx, `eni:${eni.id}`);
    const current = (await tx.selectFrom('eni_groups').select('security_group_id').where('eni_id', '=', eni.id).orderBy('position').execute()).map((r) => r.security_group_id);
    const who = p.instanceId ?? eni.id;
    if (p.join) {
      if (current.includes(p.securityGroupId)) throw new DomainError('InvalidInstanceId.AlreadyExists', 403, `\`${who}\` is already in security group \`${p.securityGroupId}\`.`);
      const next = [...current, p.securityGroupId];
      await checkGroupSet(ctx, tx, { regionId: eni.region_id, vpcId: eni.vpc_id, eniId: eni.id }, next, 'SecurityGroupId');
      await setGroups(tx, eni.id, next);
    } else {
      if (!current.includes(p.securityGroupId)) {
        const exists = await tx.selectFrom('security_groups').select('id').where('id', '=', p.securityGroupId).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
        if (exists === undefined) throw new DomainError('InvalidSecurityGroupId.NotFound', 404, `The specified SecurityGroupId \`${p.securityGroupId}\` does not exist.`);
        throw new DomainError('InstanceNotInSecurityGroup', 403, `\`${who}\` is not in security group \`${p.securityGroupId}\`.`);
      }
      if (current.length === 1) throw new DomainError('InstanceLastSecurityGroup', 403, `\`${who}\` must stay in at least one security group.`);
      await setGroups(tx, eni.id, current.filter((g) => g !== p.securityGroupId));
    }
  });
}

export async function createNetworkInterface(ctx: CallContext, p: { regionId: string; vSwitchId: string; securityGroupIds: string[]; name?: string | undefined; description?: string | undefined; primaryIpAddress?: string | undefined }): Promise<Eni> {
  requireRegion(p.regionId);
  return ctx.write(async (tx) => {
    const vsw = await tx.selectFrom('vswitches').selectAll().where('id', '=', p.vSwitchId).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
    if (vsw === undefined || vsw.region_id !== p.regionId) throw new DomainError('InvalidVSwitchId.NotFound', 404, `The specified VSwitchId \`${p.vSwitchId}\` does not exist.`);
    await checkGroupSet(ctx, tx, { regionId: p.regionId, vpcId: vsw.vpc_id }, p.securityGroupIds, 'SecurityGroupIds');
    const row: EniTable = {
      id: ctx.ids.resource('eni'), account_id: ctx.principal.accountId, region_id: p.regionId, zone_id: vsw.zone_id, vpc_id: vsw.vpc_id, vswitch_id: vsw.id,
      instance_id: '', type: 'Secondary', private_ip: await allocateIp(ctx, tx, vsw.id, vsw.cidr_block, p.primaryIpAddress), address_space: vsw.id,
      mac: await randomMac(ctx, tx, { regionId: p.regionId, vpcId: vsw.vpc_id }), name: p.name ?? '', description: p.description ?? '', created_at: isoSeconds(ctx.clock.now()),
    };
    await tx.insertInto('enis').values(row).execute();
    await setGroups(tx, row.id, p.securityGroupIds);
    return toEni(row, p.securityGroupIds);
  });
}

export async function attachNetworkInterface(ctx: CallContext, p: { networkInterfaceId: string; instanceId: string }): Promise<void> {
  await ctx.write(async (tx) => {
    // locked before they are read: the ENI's state and the instance's ENI count hold until commit
    await ctx.store.lock(tx, `instance:${p.instanceId}`, `eni:${p.networkInterfaceId}`);
    const eni = await eniFor(tx, ctx, { networkInterfaceId: p.networkInterfaceId });
    const inst = await instanceRow(tx, ctx, p.instanceId);
    if (eni.instance_id !== '') throw new DomainError('InvalidOperation.InvalidEniState', 403, `The network interface \`${eni.id}\` is already attached to \`${eni.instance_id}\`.`);
    if (inst.vpc_id !== eni.vpc_id || inst.zone_id !== eni.zone_id) throw new DomainError('InvalidOperation.InvalidEcsState', 403, `The network interface \`${eni.id}\` and instance \`${inst.id}\` must be in the same VPC and zone.`);
    const attached = await tx.selectFrom('enis').select('id').where('instance_id', '=', inst.id).execute();
    const max = findInstanceType(inst.instance_type)?.eniQuantity ?? 1;
    if (attached.length >= max) throw new DomainError('EniPerInstanceLimitExceeded', 403, `The instance type \`${inst.instance_type}\` takes at most ${max} network interfaces.`);
    await tx.updateTable('enis').set({ instance_id: inst.id }).where('id', '=', eni.id).execute();
  });
}

export async function detachNetworkInterface(ctx: CallContext, p: { networkInterfaceId: string; instanceId: string }): Promise<void> {
  await ctx.write(async (tx) => {
    const eni = await eniFor(tx, ctx, { networkInterfaceId: p.networkInterfaceId });
    if (eni.instance_id !== p.instanceId) throw new DomainError('InvalidOperation.InvalidEniState', 403, `The network interface \`${eni.id}\` is not attached to \`${p.instanceId}\`.`);
    if (eni.type === 'Primary') throw new DomainError('Operation.Conflict', 403, 'The primary network interface of an instance can\'t be detached.');
    await tx.updateTable('enis').set({ instance_id: '' }).where('id', '=', eni.id).execute();
  });
}

export async function modifyNetworkInterfaceAttribute(ctx: CallContext, p: { networkInterfaceId: string; securityGroupIds?: string[] | undefined; name?: string | undefined; description?: string | undefined }): Promise<void> {
  await ctx.write(async (tx) => {
    const eni = await eniFor(tx, ctx, { networkInterfaceId: p.networkInterfaceId });
    const set: Partial<EniTable> = {};
    if (p.name !== undefined) set.name = p.name;
    if (p.description !== undefined) set.description = p.description;
    if (Object.keys(set).length > 0) await tx.updateTable('enis').set(set).where('id', '=', eni.id).execute();
    if (p.securityGroupIds !== undefined && p.securityGroupIds.length > 0) {
      await checkGroupSet(ctx, tx, { regionId: eni.region_id, vpcId: eni.vpc_id, eniId: eni.id }, p.securityGroupIds, 'SecurityGroupId');
      await setGroups(tx, eni.id, p.securityGroupIds);
    }
  });
}

export async function deleteNetworkInterface(ctx: CallContext, networkInterfaceId: string): Promise<void> {
  await ctx.write(async (tx) => {
    const eni = await eniFor(tx, ctx, { networkInterfaceId });
    if (eni.instance_id !== '') throw new DomainError('InvalidOperation.InvalidEniState', 403, `The network interface \`${eni.id}\` is attached to \`${eni.instance_id}\`; detach it first.`);
    await tx.deleteFrom('eni_groups').where('eni_id', '=', eni.id).execute();
    await tx.deleteFrom('enis').where('id', '=', eni.id).execute();
  });
}
