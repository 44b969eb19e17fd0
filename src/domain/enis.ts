// Elastic network interfaces (SPEC §1.5): what security groups attach to. An instance's groups are
// its primary ENI's; a set of groups for one ENI is checked as a whole (at most 5 groups, one
// group type, the ENI's own VPC or classic region, the members of each group within its limit,
// at most 1,000 rules acting on the ENI), under the locks of every group of the set and of the
// ENI; ENIs are created, attached, detached, changed and deleted here.
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { findInstanceType } from './catalogs.ts';
import { groupLock, groupsRuleUnits } from './sg-rule-gate.ts';
import { allocateIp, randomMac } from './addresses.ts';
import { eniFor, instanceRow } from './instance-rows.ts';
import { isoSeconds } from '../clock.ts';
import type { Tx } from '../store/store.ts';
import type { EniTable, SecurityGroupTable } from '../store/schema.ts';
import { accountLimits } from './account-settings.ts';
import { addressesOf, assignIpv6, releaseIpv6, unassignIpv6 } from './ipv6.ts';

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
  /** its IPv6 addresses (domain/ipv6.ts), in the order assigned */
  ipv6Addresses: string[];
}

/** Checks a whole set of groups for one ENI (SPEC §1.5, §7) and returns their rows in order. */
export async function checkGroupSet(ctx: CallContext, tx: Tx, eni: { regionId: string; vpcId: string; eniId?: string; adding?: number }, ids: readonly string[], param: string): Promise<SecurityGroupTable[]> {
  if (ids.length === 0) throw apiError('InstanceLastSecurityGroup');
  if (new Set(ids).size !== ids.length) throw apiError('InvalidParameter', { name: param, value: ids.join(','), why: 'A security group is given more than once.' });
  const limits = await accountLimits(ctx, tx);
  if (ids.length > limits.groupsPerEni) {
    throw apiError('InstanceSecurityGroupLimitExceeded', { limit: limits.groupsPerEni, given: ids.length });
  }
  // the member and rule counts below hold only while nobody changes these groups or this ENI
  await ctx.store.lock(tx, ...ids.map(groupLock), ...(eni.eniId !== undefined ? [`eni:${eni.eniId}`] : []));
  const rows: SecurityGroupTable[] = [];
  for (const id of ids) {
    const row = await tx.selectFrom('security_groups').selectAll().where('id', '=', id).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
    if (row === undefined || row.region_id !== eni.regionId) throw apiError('InvalidSecurityGroupId.NotFound', { id });
    if (row.vpc_id !== eni.vpcId) {
      throw (eni.vpcId === ''
        ? apiError('InvalidSecurityGroupId.NotInSameNetwork', 'classic', { groupId: id, vpcId: row.vpc_id })
        : apiError('InvalidSecurityGroupId.NotInSameNetwork', { groupId: id, vpcId: eni.vpcId }));
    }
    rows.push(row);
  }
  if (new Set(rows.map((r) => r.type)).size > 1) {
    throw apiError('InvalidSecurityGroup.TypeMismatch');
  }
  for (const row of rows) {
    const limit = row.type === 'enterprise' ? limits.privateIpsPerAdvancedGroup : limits.privateIpsPerBasicGroup;
    let q = tx.selectFrom('eni_groups').select((eb) => eb.fn.countAll<number>().as('n')).where('security_group_id', '=', row.id);
    if (eni.eniId !== undefined) q = q.where('eni_id', '!=', eni.eniId);
    const members = Number((await q.executeTakeFirstOrThrow()).n);
    if (members + (eni.adding ?? 1) > limit) {
      throw apiError('SecurityGroupInstanceLimitExceeded', { groupId: row.id, members });
    }
  }
  // a rule that authorizes a prefix list counts as the list's MaxEntries (sg-rule-gate.ts)
  const total = await groupsRuleUnits(tx, ids);
  if (total > limits.rulesPerEni) {
    throw apiError('InvalidSecurityGroup.RuleLimitExceeded', { total, limit: limits.rulesPerEni });
  }
  return rows;
}

export async function setGroups(tx: Tx, eniId: string, ids: readonly string[]): Promise<void> {
  await tx.deleteFrom('eni_groups').where('eni_id', '=', eniId).execute();
  for (let i = 0; i < ids.length; i++) await tx.insertInto('eni_groups').values({ eni_id: eniId, security_group_id: ids[i]!, position: i }).execute();
}

export function toEni(row: EniTable, groups: string[]): Eni {
  return {
    networkInterfaceId: row.id, instanceId: row.instance_id, type: row.type as 'Primary' | 'Secondary', vpcId: row.vpc_id, vSwitchId: row.vswitch_id,
    zoneId: row.zone_id, privateIpAddress: row.private_ip, macAddress: row.mac, name: row.name, description: row.description,
    securityGroupIds: groups, creationTime: row.created_at, status: row.instance_id === '' ? 'Available' : 'InUse',
    ipv6Addresses: addressesOf(row.ipv6_addresses),
  };
}

export async function groupsByEni(db: CallContext['store']['db'] | Tx, eniIds: string[]): Promise<Map<string, string[]>> {
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

/** JoinSecurityGroup / LeaveSecurityGroup, for an instance (its primary ENI) or an ENI. */
export async function changeMembership(ctx: CallContext, p: { securityGroupId: string; instanceId?: string | undefined; networkInterfaceId?: string | undefined; join: boolean }): Promise<void> {
  await ctx.write(async (tx) => {
    const eni = await eniFor(tx, ctx, p);
    // locked before its groups are read: two joins of one ENI never both build on the old list
    await ctx.store.lock(tx, `eni:${eni.id}`);
    const current = (await tx.selectFrom('eni_groups').select('security_group_id').where('eni_id', '=', eni.id).orderBy('position').execute()).map((r) => r.security_group_id);
    const who = p.instanceId ?? eni.id;
    if (p.join) {
      if (current.includes(p.securityGroupId)) throw apiError('InvalidInstanceId.AlreadyExists', { who, groupId: p.securityGroupId });
      const next = [...current, p.securityGroupId];
      await checkGroupSet(ctx, tx, { regionId: eni.region_id, vpcId: eni.vpc_id, eniId: eni.id }, next, 'SecurityGroupId');
      await setGroups(tx, eni.id, next);
    } else {
      if (!current.includes(p.securityGroupId)) {
        const exists = await tx.selectFrom('security_groups').select('id').where('id', '=', p.securityGroupId).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
        if (exists === undefined) throw apiError('InvalidSecurityGroupId.NotFound', { id: p.securityGroupId });
        throw apiError('InstanceNotInSecurityGroup', { who, groupId: p.securityGroupId });
      }
      if (current.length === 1) throw apiError('InstanceLastSecurityGroup', 'leaving', { who });
      await setGroups(tx, eni.id, current.filter((g) => g !== p.securityGroupId));
    }
  });
}

export async function createNetworkInterface(ctx: CallContext, p: {
  regionId: string; vSwitchId: string; securityGroupIds: string[]; name?: string | undefined; description?: string | undefined; primaryIpAddress?: string | undefined;
  ipv6AddressCount?: number | undefined; ipv6Addresses?: string[] | undefined;
}): Promise<Eni> {
  requireRegion(p.regionId);
  return ctx.write(async (tx) => {
    const vsw = await tx.selectFrom('vswitches').selectAll().where('id', '=', p.vSwitchId).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
    if (vsw === undefined || vsw.region_id !== p.regionId) throw apiError('InvalidVSwitchId.NotFound', { vSwitchId: p.vSwitchId });
    await checkGroupSet(ctx, tx, { regionId: p.regionId, vpcId: vsw.vpc_id }, p.securityGroupIds, 'SecurityGroupIds');
    const row: EniTable = {
      id: ctx.ids.resource('eni'), account_id: ctx.principal.accountId, region_id: p.regionId, zone_id: vsw.zone_id, vpc_id: vsw.vpc_id, vswitch_id: vsw.id,
      instance_id: '', type: 'Secondary', private_ip: await allocateIp(ctx, tx, vsw.id, vsw.cidr_block, p.primaryIpAddress), address_space: vsw.id,
      mac: await randomMac(ctx, tx, { regionId: p.regionId, vpcId: vsw.vpc_id }), name: p.name ?? '', description: p.description ?? '', created_at: isoSeconds(ctx.clock.now()),
      ipv6_addresses: '[]',
    };
    await tx.insertInto('enis').values(row).execute();
    await setGroups(tx, row.id, p.securityGroupIds);
    const ipv6 = await assignIpv6(ctx, tx, row, { count: p.ipv6AddressCount, addresses: p.ipv6Addresses });
    return toEni({ ...row, ipv6_addresses: JSON.stringify(ipv6) }, p.securityGroupIds);
  });
}

export async function attachNetworkInterface(ctx: CallContext, p: { networkInterfaceId: string; instanceId: string }): Promise<void> {
  await ctx.write(async (tx) => {
    // locked before they are read: the ENI's state and the instance's ENI count hold until commit
    await ctx.store.lock(tx, `instance:${p.instanceId}`, `eni:${p.networkInterfaceId}`);
    const eni = await eniFor(tx, ctx, { networkInterfaceId: p.networkInterfaceId });
    const inst = await instanceRow(tx, ctx, p.instanceId);
    if (eni.instance_id !== '') throw apiError('InvalidOperation.InvalidEniState', { eniId: eni.id, instanceId: eni.instance_id });
    if (inst.vpc_id !== eni.vpc_id || inst.zone_id !== eni.zone_id) throw apiError('InvalidOperation.InvalidEcsState', { eniId: eni.id, instanceId: inst.id });
    const attached = await tx.selectFrom('enis').select('id').where('instance_id', '=', inst.id).execute();
    const max = findInstanceType(inst.instance_type)?.eniQuantity ?? 1;
    if (attached.length >= max) throw apiError('EniPerInstanceLimitExceeded', { instanceType: inst.instance_type, max });
    await tx.updateTable('enis').set({ instance_id: inst.id }).where('id', '=', eni.id).execute();
  });
}

export async function detachNetworkInterface(ctx: CallContext, p: { networkInterfaceId: string; instanceId: string }): Promise<void> {
  await ctx.write(async (tx) => {
    const eni = await eniFor(tx, ctx, { networkInterfaceId: p.networkInterfaceId });
    if (eni.instance_id !== p.instanceId) throw apiError('InvalidOperation.InvalidEniState', 'notAttached', { eniId: eni.id, instanceId: p.instanceId });
    if (eni.type === 'Primary') throw apiError('Operation.Conflict');
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
    if (eni.instance_id !== '') throw apiError('InvalidOperation.InvalidEniState', 'detachFirst', { eniId: eni.id, instanceId: eni.instance_id });
    await releaseIpv6(tx, addressesOf(eni.ipv6_addresses));
    await tx.deleteFrom('eni_groups').where('eni_id', '=', eni.id).execute();
    await tx.deleteFrom('enis').where('id', '=', eni.id).execute();
  });
}

/** AssignIpv6Addresses: new IPv6 addresses on an ENI (domain/ipv6.ts's rule); returns them. */
export async function assignIpv6Addresses(ctx: CallContext, p: { regionId: string; networkInterfaceId: string; count?: number | undefined; addresses?: string[] | undefined }): Promise<string[]> {
  requireRegion(p.regionId);
  if (p.count === undefined && (p.addresses === undefined || p.addresses.length === 0)) throw apiError('MissingParameter', { name: 'Ipv6AddressCount' });
  return ctx.write(async (tx) => {
    const eni = await eniFor(tx, ctx, { networkInterfaceId: p.networkInterfaceId });
    if (eni.region_id !== p.regionId) throw apiError('InvalidEniId.NotFound', { id: p.networkInterfaceId });
    return assignIpv6(ctx, tx, eni, { count: p.count, addresses: p.addresses });
  });
}

/** UnassignIpv6Addresses: takes IPv6 addresses (with their internet bandwidth) off an ENI. */
export async function unassignIpv6Addresses(ctx: CallContext, p: { regionId: string; networkInterfaceId: string; addresses: string[] }): Promise<void> {
  requireRegion(p.regionId);
  if (p.addresses.length === 0) throw apiError('MissingParameter', { name: 'Ipv6Address' });
  await ctx.write(async (tx) => {
    const eni = await eniFor(tx, ctx, { networkInterfaceId: p.networkInterfaceId });
    if (eni.region_id !== p.regionId) throw apiError('InvalidEniId.NotFound', { id: p.networkInterfaceId });
    await unassignIpv6(ctx, tx, eni, p.addresses);
  });
}
