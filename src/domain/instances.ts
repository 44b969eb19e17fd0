// Instances (SPEC §1.4-§1.5, §2): their creation (with the default group of §1.4 for an account's
// first instance in a region), the inventory of a region, the lifecycle (start, stop, reboot,
// delete; a key bound or unbound or a password set meanwhile takes effect at the next start or
// reboot), their attributes (name, description, host name, groups, password) and their public address. ENIs live in
// enis.ts, addresses in addresses.ts.
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { findImage, findInstanceType } from './catalogs.ts';
import { type Tag, validateTags, writeTags, deleteTags, readTags } from './tags.ts';
import { createDefaultGroup, lockGroupQuota } from './security-groups.ts';
import { checkInstanceRole } from './instance-roles.ts';
import { publicKeyOf, refusal } from './keypairs.ts';
import { hashInstancePassword } from './instance-passwords.ts';
import { allocateIp, allocatePublicIp, randomMac } from './addresses.ts';
import { type Eni, checkGroupSet, groupsByEni, setGroups, toEni } from './enis.ts';
import { addressesOf, assignIpv6, releaseIpv6 } from './ipv6.ts';
import { instanceRow, primaryEni } from './instance-rows.ts';
import { isoSeconds } from '../clock.ts';
import { PUBLIC_IP_POOL } from './limits.ts';
import type { InstanceTable } from '../store/schema.ts';


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
  /** whether root (Administrator) may log on with a password now: one is in force since the last start or reboot */
  passwordLogonEnabled: boolean;
  /** whether a password set, or a key bound after one (which turns password logon off), waits for the next start or reboot */
  passwordChangePending: boolean;
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

/**
 * `HostName` (RunInstances, ModifyInstanceAttribute): Linux 2 to 64 characters, letters, digits,
 * `.` and `-`; Windows 2 to 15, no `.`, not digits only; neither starts or ends with `.` or `-`
 * nor holds two of them in a row. Without one, an instance is named `iZ{id}Z` as on the real
 * service.
 */
export function checkHostName(value: string, osType: 'linux' | 'windows'): string {
  const shown = { value: value.slice(0, 64) };
  if (osType === 'windows') {
    if (!/^[A-Za-z0-9-]{2,15}$/.test(value) || /^[0-9]+$/.test(value)) throw apiError('InvalidHostName.Malformed', 'windows', shown);
  } else if (!/^[A-Za-z0-9.-]{2,64}$/.test(value)) {
    throw apiError('InvalidHostName.Malformed', shown);
  }
  if (/^[.-]|[.-]$|[.-]{2}/.test(value)) throw apiError('InvalidHostName.Malformed', 'punctuation', shown);
  return value;
}

export const defaultHostName = (instanceId: string): string => `iZ${instanceId.replace(/^i-/, '')}Z`;

/**
 * AllocatePublicIpAddress: one public address per instance (Running or Stopped); a second call
 * returns the address it has. The instance's public bandwidth must be above 0.
 */
export async function allocatePublicIpAddress(ctx: CallContext, p: { instanceId: string; ipAddress?: string | undefined }): Promise<string> {
  return ctx.write(async (tx) => {
    const row = await instanceRow(tx, ctx, p.instanceId);
    if (row.public_ip !== '') return row.public_ip;
    if (row.status !== 'Running' && row.status !== 'Stopped') throw apiError('IncorrectInstanceStatus', 'runningOrStopped', { id: p.instanceId, status: row.status });
    if (row.bandwidth_out <= 0) throw apiError('InvalidInternetMaxBandwidthOut.ValueNotSupported', { id: p.instanceId });
    const ip = await allocatePublicIp(ctx, tx, ctx.publicIpPool ?? PUBLIC_IP_POOL, p.ipAddress);
    await tx.updateTable('instances').set({ public_ip: ip }).where('id', '=', row.id).execute();
    return ip;
  });
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
  /** root's password (never stored as such: hashed here) */
  password?: string | undefined;
  /** `SecurityEnhancementStrategy`: `Active` installs the Security Center agent, `Deactive` (the default) does not */
  securityEnhancementStrategy?: string | undefined;
  /** `Ipv6AddressCount` / `Ipv6Address.N`: IPv6 addresses of each instance's primary ENI (domain/ipv6.ts) */
  ipv6AddressCount?: number | undefined;
  ipv6Addresses?: string[] | undefined;
}

export async function runInstances(ctx: CallContext, p: RunParams): Promise<string[]> {
  const region = requireRegion(p.regionId);
  if (findImage(p.imageId) === undefined) throw apiError('InvalidImageId.NotFound', { imageId: p.imageId });
  if (findInstanceType(p.instanceType) === undefined) throw apiError('InvalidInstanceType.ValueNotSupported', { instanceType: p.instanceType });
  const amount = p.amount ?? 1;
  if (!Number.isInteger(amount) || amount < 1 || amount > 100) throw apiError('InvalidParameter', { name: 'Amount', value: String(p.amount), why: 'It must be between 1 and 100.' });
  if (amount > 1 && p.privateIpAddress !== undefined && p.privateIpAddress !== '') throw apiError('InvalidParameter', { name: 'PrivateIpAddress', value: p.privateIpAddress, why: 'One address can\'t be given to several instances.' });
  if (amount > 1 && p.ipv6Addresses !== undefined && p.ipv6Addresses.length > 0) throw apiError('InvalidParameter', { name: 'Ipv6Address', value: p.ipv6Addresses.join(','), why: 'One address can\'t be given to several instances.' });
  const bandwidth = p.internetMaxBandwidthOut ?? 0;
  if (!Number.isInteger(bandwidth) || bandwidth < 0 || bandwidth > 100) throw apiError('InvalidParameter', { name: 'InternetMaxBandwidthOut', value: String(p.internetMaxBandwidthOut), why: 'It must be between 0 and 100.' });
  if (p.instanceName !== undefined && (p.instanceName.length > 128 || /^https?:\/\//.test(p.instanceName))) {
    throw apiError('InvalidInstanceName.Malformed', { name: p.instanceName });
  }
  const tags = validateTags(p.tags);
  const strategy = p.securityEnhancementStrategy;
  if (strategy !== undefined && strategy !== '' && strategy !== 'Active' && strategy !== 'Deactive') {
    throw apiError('InvalidParameter', { name: 'SecurityEnhancementStrategy', value: strategy, why: 'Use `Active` or `Deactive`.' });
  }
  const hostName = p.hostName === undefined || p.hostName === '' ? undefined : checkHostName(p.hostName, findImage(p.imageId)?.osType ?? 'linux');
  // one hash per instance (each its own salt), made before the transaction: hashing is deliberately slow.
  // A key pair given too turns password logon off (SPEC §2): the password is checked, not kept.
  const withPassword = p.password !== undefined && p.password !== '';
  const passwordHashes = withPassword
    ? Array.from({ length: amount }, () => hashInstancePassword(ctx, p.password!, findImage(p.imageId)?.osType ?? 'linux'))
    : [];
  const keepPassword = withPassword && (p.keyPairName === undefined || p.keyPairName === '');
  const accountId = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    let vpcId = '';
    let vSwitchId = '';
    let zoneId = p.zoneId ?? region.zones[0]!;
    let space = `classic:${region.id}`;
    let cidr = region.classicCidr;
    if (p.vSwitchId !== undefined && p.vSwitchId !== '') {
      const vsw = await tx.selectFrom('vswitches').selectAll().where('id', '=', p.vSwitchId).where('account_id', '=', accountId).executeTakeFirst();
      if (vsw === undefined || vsw.region_id !== region.id) throw apiError('InvalidVSwitchId.NotFound', { vSwitchId: p.vSwitchId });
      if (p.zoneId !== undefined && p.zoneId !== '' && p.zoneId !== vsw.zone_id) throw apiError('InvalidParameter.Mismatch', { vSwitchId: vsw.id, vSwitchZone: vsw.zone_id, zoneId: p.zoneId });
      vpcId = vsw.vpc_id;
      vSwitchId = vsw.id;
      zoneId = vsw.zone_id;
      space = vsw.id;
      cidr = vsw.cidr_block;
    } else if (!region.zones.includes(zoneId)) {
      throw apiError('InvalidZoneId.NotFound', { zoneId, regionId: region.id });
    }
    let groups = p.securityGroupIds ?? [];
    if (groups.length === 0) {
      await lockGroupQuota(ctx, tx, region.id);
      const any = await tx.selectFrom('security_groups').select('id').where('account_id', '=', accountId).where('region_id', '=', region.id).executeTakeFirst();
      if (any !== undefined) throw apiError('MissingParameter', { name: 'SecurityGroupId' });
      groups = [await createDefaultGroup(ctx, tx, region.id, vpcId)];
    }
    await checkGroupSet(ctx, tx, { regionId: region.id, vpcId, adding: amount }, groups, 'SecurityGroupIds');
    if (p.ramRoleName !== undefined && p.ramRoleName !== '') {
      if (vpcId === '') throw apiError('InvalidNetworkType.MismatchRamRole');
      await checkInstanceRole(ctx, tx, p.ramRoleName);
    }
    if (p.httpTokens !== undefined && p.httpTokens !== 'optional' && p.httpTokens !== 'required') throw apiError('InvalidParameter', { name: 'HttpTokens', value: p.httpTokens, why: 'Use `optional` or `required`.' });
    let keyBody = '';
    if (p.keyPairName !== undefined && p.keyPairName !== '') {
      // the key can't be deleted outright while it is being bound (keypairs.ts takes the same lock)
      await ctx.store.lock(tx, `kp:${accountId}:${region.id}`);
      const key = await tx.selectFrom('key_pairs').select(['public_key', 'deleted']).where('account_id', '=', accountId).where('region_id', '=', region.id).where('name', '=', p.keyPairName).executeTakeFirst();
      if (key === undefined || key.deleted === 1) throw apiError('InvalidKeyPairName.NotFound', { name: p.keyPairName });
      const no = refusal({ image_id: p.imageId, instance_type: p.instanceType });
      if (no !== undefined) throw no;
      keyBody = key.public_key;
    }
    const now = isoSeconds(ctx.clock.now());
    const ids: string[] = [];
    for (let n = 0; n < amount; n++) {
      const id = ctx.ids.resource('i');
      const passwordHash = keepPassword ? passwordHashes[n]! : '';
      const row: InstanceTable = {
        id, account_id: accountId, region_id: region.id, zone_id: zoneId, vpc_id: vpcId, vswitch_id: vSwitchId, image_id: p.imageId,
        instance_type: p.instanceType, name: p.instanceName ?? id, description: p.description ?? '', status: p.start ? 'Running' : 'Stopped',
        public_ip: bandwidth > 0 && p.start ? await allocatePublicIp(ctx, tx, ctx.publicIpPool ?? PUBLIC_IP_POOL) : '', bandwidth_out: bandwidth, key_pair_name: p.keyPairName ?? '', created_at: now,
        ram_role_name: p.ramRoleName ?? '', http_endpoint: 'enabled', http_tokens: p.httpTokens ?? 'optional',
        effective_key_name: p.keyPairName ?? '', effective_public_key: keyBody,
        host_name: hostName ?? defaultHostName(id), boot_seq: p.start ? 1 : 0,
        password_hash: passwordHash, effective_password_hash: passwordHash,
        security_agent: strategy === 'Active' ? 1 : 0,
      };
      await tx.insertInto('instances').values(row).execute();
      const eniId = ctx.ids.resource('eni');
      await tx.insertInto('enis').values({
        id: eniId, account_id: accountId, region_id: region.id, zone_id: zoneId, vpc_id: vpcId, vswitch_id: vSwitchId, instance_id: id,
        type: 'Primary', private_ip: await allocateIp(ctx, tx, space, cidr, p.privateIpAddress), address_space: space, mac: await randomMac(ctx, tx, { regionId: region.id, vpcId }),
        name: '', description: '', created_at: now, ipv6_addresses: '[]',
      }).execute();
      await setGroups(tx, eniId, groups);
      if (p.ipv6AddressCount !== undefined || (p.ipv6Addresses ?? []).length > 0) {
        if (vSwitchId === '') throw apiError('InvalidVSwitchId.Ipv6NotTurnOn', { vSwitchId: '(classic)' });
        await assignIpv6(ctx, tx, { id: eniId, vswitch_id: vSwitchId }, { count: p.ipv6AddressCount, addresses: p.ipv6Addresses });
      }
      await writeTags(tx, accountId, INSTANCE_TAG, id, tags);
      ids.push(id);
    }
    return ids;
  });
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
        passwordLogonEnabled: r.effective_password_hash !== '', passwordChangePending: r.password_hash !== r.effective_password_hash,
        hostName: r.host_name || defaultHostName(r.id), httpEndpoint: r.http_endpoint, httpTokens: r.http_tokens,
        privateIpAddress: primary?.privateIpAddress ?? '', securityGroupIds: primary?.securityGroupIds ?? [], networkInterfaces: mine, tags: tags.get(r.id) ?? [],
      };
    });
    return { instances, enis };
  });
}

/** One instance of the account, in whatever region it is (or the one given). */
export async function describeInstance(ctx: CallContext, instanceId: string, regionId?: string): Promise<Instance> {
  const row = await ctx.store.db.selectFrom('instances').select('region_id').where('id', '=', instanceId).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
  const found = row === undefined || (regionId !== undefined && regionId !== '' && row.region_id !== regionId)
    ? undefined : (await inventoryOf(ctx, row.region_id)).instances.find((x) => x.instanceId === instanceId);
  if (found === undefined) throw apiError('InvalidInstanceId.NotFound', { id: instanceId });
  return found;
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
    if (row.status !== t.from) throw apiError('IncorrectInstanceStatus', { id: instanceId, status: row.status, from: t.from, action });
    // SPEC §2: a key bound or unbound, or a password set, meanwhile takes effect now
    const effective = action === 'stop' ? {} : {
      effective_key_name: row.key_pair_name, effective_public_key: await publicKeyOf(tx, row.account_id, row.region_id, row.key_pair_name),
      effective_password_hash: row.password_hash,
    };
    const boot = action === 'stop' ? {} : { boot_seq: row.boot_seq + 1 };
    await tx.updateTable('instances').set({ status: t.to, ...effective, ...boot }).where('id', '=', row.id).execute();
  });
}

export async function deleteInstance(ctx: CallContext, instanceId: string, force: boolean): Promise<void> {
  await ctx.write(async (tx) => {
    const row = await instanceRow(tx, ctx, instanceId);
    if (row.status !== 'Stopped' && !force) throw apiError('IncorrectInstanceStatus', 'stopFirst', { id: instanceId, status: row.status });
    const enis = await tx.selectFrom('enis').selectAll().where('instance_id', '=', row.id).execute();
    for (const e of enis) {
      if (e.type === 'Primary') {
        await releaseIpv6(tx, addressesOf(e.ipv6_addresses));
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

export async function modifyInstanceAttribute(ctx: CallContext, p: { instanceId: string; instanceName?: string | undefined; description?: string | undefined; securityGroupIds?: string[] | undefined; hostName?: string | undefined; password?: string | undefined }): Promise<void> {
  await ctx.write(async (tx) => {
    const row = await instanceRow(tx, ctx, p.instanceId);
    const set: Partial<InstanceTable> = {};
    if (p.instanceName !== undefined) set.name = p.instanceName;
    if (p.description !== undefined) set.description = p.description;
    // a new host name takes effect at the next start or reboot, as on the real service
    if (p.hostName !== undefined && p.hostName !== '') set.host_name = checkHostName(p.hostName, findImage(row.image_id)?.osType ?? 'linux');
    // a reset password takes effect at the next start or reboot, and turns password logon on again even with a key pair bound (SPEC §2)
    if (p.password !== undefined && p.password !== '') set.password_hash = hashInstancePassword(ctx, p.password, findImage(row.image_id)?.osType ?? 'linux');
    if (Object.keys(set).length > 0) await tx.updateTable('instances').set(set).where('id', '=', row.id).execute();
    if (p.securityGroupIds !== undefined) {
      const eni = await primaryEni(tx, row.id);
      await checkGroupSet(ctx, tx, { regionId: row.region_id, vpcId: row.vpc_id, eniId: eni.id }, p.securityGroupIds, 'SecurityGroupIds');
      await setGroups(tx, eni.id, p.securityGroupIds);
    }
  });
}
