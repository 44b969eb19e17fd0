// ECS 2014-05-26: elastic network interfaces (create, attach, detach, modify, describe, delete) and
// an instance's or ENI's membership of security groups (JoinSecurityGroup, LeaveSecurityGroup).
import { z } from 'zod';
import { op } from '../catalog.ts';
import { instanceArn, eniArn, sgArn, vSwitchArn, named } from '../../domain/arns.ts';
import { t } from '../params.ts';
import * as enis from '../../domain/enis.ts';
import { inventoryOf } from '../../domain/instances.ts';
import { requireRegion } from '../../domain/regions.ts';
import { apiError } from '../../domain/errors.ts';
import { pageOf } from '../../domain/paging.ts';

function wireEni(e: enis.Eni, regionId: string) {
  return {
    NetworkInterfaceId: e.networkInterfaceId, NetworkInterfaceName: e.name, Description: e.description, Status: e.status, Type: e.type,
    InstanceId: e.instanceId, VpcId: e.vpcId, VSwitchId: e.vSwitchId, ZoneId: e.zoneId, MacAddress: e.macAddress,
    PrivateIpAddress: e.privateIpAddress, CreationTime: e.creationTime, SecurityGroupIds: { SecurityGroupId: e.securityGroupIds },
    PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: e.privateIpAddress, Primary: true }] },
    Ipv6Sets: { Ipv6Set: e.ipv6Addresses.map((a) => ({ Ipv6Address: a })) },
    Attachment: e.instanceId === '' ? undefined : { InstanceId: e.instanceId, DeviceIndex: e.type === 'Primary' ? 0 : 1 },
    RegionId: regionId,
  };
}

const membershipOp = (action: 'JoinSecurityGroup' | 'LeaveSecurityGroup') => op({
  product: 'ecs', action, ramAction: `ecs:${action}`,
  params: z.object({ SecurityGroupId: t.str(128), InstanceId: t.str(128).optional(), NetworkInterfaceId: t.str(128).optional(), RegionId: t.str(64).optional() }),
  resources: (p, account) => [sgArn(p.RegionId ?? '*', account, p.SecurityGroupId), p.NetworkInterfaceId !== undefined ? eniArn(p.RegionId ?? '*', account, p.NetworkInterfaceId) : instanceArn(p.RegionId ?? '*', account, p.InstanceId ?? '*')],
  handler: async (ctx, p) => {
    await enis.changeMembership(ctx, { securityGroupId: p.SecurityGroupId, instanceId: p.InstanceId, networkInterfaceId: p.NetworkInterfaceId, join: action === 'JoinSecurityGroup' });
    return {};
  },
});

export const eniOperations = [
  op({
    product: 'ecs', action: 'CreateNetworkInterface', ramAction: 'ecs:CreateNetworkInterface', idempotent: true,
    params: z.object({ RegionId: t.str(64), VSwitchId: t.str(128), SecurityGroupId: t.str(128).optional(), SecurityGroupIds: t.list(t.str(128), 10).optional(), NetworkInterfaceName: t.str(512).optional(), Description: t.str(1024).optional(), PrimaryIpAddress: t.str(64).optional(), ClientToken: t.str(64).optional(), Ipv6AddressCount: t.int().optional(), Ipv6Address: t.list(t.str(64), 10).optional() }),
    resources: (p, account) => [eniArn(p.RegionId, account, '*'), ...named((id) => vSwitchArn(p.RegionId, account, id), p.VSwitchId), ...named((id) => sgArn(p.RegionId, account, id), p.SecurityGroupId, p.SecurityGroupIds)],
    handler: async (ctx, p) => {
      const groups = p.SecurityGroupIds !== undefined && p.SecurityGroupIds.length > 0 ? p.SecurityGroupIds : p.SecurityGroupId !== undefined && p.SecurityGroupId !== '' ? [p.SecurityGroupId] : [];
      if (groups.length === 0) throw apiError('MissingParameter', { name: 'SecurityGroupId' });
      const e = await enis.createNetworkInterface(ctx, { regionId: p.RegionId, vSwitchId: p.VSwitchId, securityGroupIds: groups, name: p.NetworkInterfaceName, description: p.Description, primaryIpAddress: p.PrimaryIpAddress, ipv6AddressCount: p.Ipv6AddressCount, ipv6Addresses: p.Ipv6Address });
      return { ...wireEni(e, p.RegionId), OwnerId: ctx.principal.accountId };
    },
  }),
  op({
    product: 'ecs', action: 'AttachNetworkInterface', ramAction: 'ecs:AttachNetworkInterface',
    params: z.object({ RegionId: t.str(64), NetworkInterfaceId: t.str(128), InstanceId: t.str(128) }),
    resources: (p, account) => [eniArn(p.RegionId, account, p.NetworkInterfaceId), instanceArn(p.RegionId, account, p.InstanceId)],
    handler: async (ctx, p) => { await enis.attachNetworkInterface(ctx, { networkInterfaceId: p.NetworkInterfaceId, instanceId: p.InstanceId }); return {}; },
  }),
  op({
    product: 'ecs', action: 'DetachNetworkInterface', ramAction: 'ecs:DetachNetworkInterface',
    params: z.object({ RegionId: t.str(64), NetworkInterfaceId: t.str(128), InstanceId: t.str(128) }),
    resources: (p, account) => [eniArn(p.RegionId, account, p.NetworkInterfaceId), instanceArn(p.RegionId, account, p.InstanceId)],
    handler: async (ctx, p) => { await enis.detachNetworkInterface(ctx, { networkInterfaceId: p.NetworkInterfaceId, instanceId: p.InstanceId }); return {}; },
  }),
  op({
    product: 'ecs', action: 'ModifyNetworkInterfaceAttribute', ramAction: 'ecs:ModifyNetworkInterfaceAttribute',
    params: z.object({ RegionId: t.str(64), NetworkInterfaceId: t.str(128), SecurityGroupId: t.list(t.str(128), 10).optional(), NetworkInterfaceName: t.str(512).optional(), Description: t.str(1024).optional() }),
    resources: (p, account) => [eniArn(p.RegionId, account, p.NetworkInterfaceId), ...named((id) => sgArn(p.RegionId, account, id), p.SecurityGroupId)],
    handler: async (ctx, p) => {
      await enis.modifyNetworkInterfaceAttribute(ctx, { networkInterfaceId: p.NetworkInterfaceId, securityGroupIds: p.SecurityGroupId, name: p.NetworkInterfaceName, description: p.Description });
      return {};
    },
  }),
  op({
    product: 'ecs', action: 'DescribeNetworkInterfaces', ramAction: 'ecs:DescribeNetworkInterfaces',
    params: z.object({ RegionId: t.str(64), NetworkInterfaceId: t.list(t.str(128), 100).optional(), InstanceId: t.str(128).optional(), VpcId: t.str(128).optional(), VSwitchId: t.str(128).optional(), SecurityGroupId: t.str(128).optional(), Type: t.str(16).optional(), Status: t.str(16).optional(), PageNumber: t.int().optional(), PageSize: t.int().optional(), MaxResults: t.int().optional(), NextToken: t.str(64).optional() }),
    resources: (p, account) => [eniArn(p.RegionId, account, '*')],
    handler: async (ctx, p) => {
      requireRegion(p.RegionId);
      const ids = p.NetworkInterfaceId !== undefined && p.NetworkInterfaceId.length > 0 ? new Set(p.NetworkInterfaceId) : undefined;
      const g = (v: string | undefined): v is string => v !== undefined && v !== '';
      const matched = (await inventoryOf(ctx, p.RegionId)).enis.filter((e) => (ids === undefined || ids.has(e.networkInterfaceId)) &&
        (!g(p.InstanceId) || e.instanceId === p.InstanceId) && (!g(p.VpcId) || e.vpcId === p.VpcId) && (!g(p.VSwitchId) || e.vSwitchId === p.VSwitchId) &&
        (!g(p.SecurityGroupId) || e.securityGroupIds.includes(p.SecurityGroupId)) && (!g(p.Type) || e.type === p.Type) && (!g(p.Status) || e.status === p.Status));
      const pg = pageOf(matched, p.PageNumber, p.PageSize, 1000);
      return { TotalCount: pg.totalCount, PageNumber: pg.pageNumber, PageSize: pg.pageSize, NetworkInterfaceSets: { NetworkInterfaceSet: pg.items.map((e) => wireEni(e, p.RegionId)) } };
    },
  }),
  op({
    product: 'ecs', action: 'DeleteNetworkInterface', ramAction: 'ecs:DeleteNetworkInterface',
    params: z.object({ RegionId: t.str(64), NetworkInterfaceId: t.str(128) }),
    resources: (p, account) => [eniArn(p.RegionId, account, p.NetworkInterfaceId)],
    handler: async (ctx, p) => { await enis.deleteNetworkInterface(ctx, p.NetworkInterfaceId); return {}; },
  }),
  op({
    product: 'ecs', action: 'AssignIpv6Addresses', ramAction: 'ecs:AssignIpv6Addresses',
    params: z.object({ RegionId: t.str(64), NetworkInterfaceId: t.str(128), Ipv6AddressCount: t.int().optional(), Ipv6Address: t.list(t.str(64), 10).optional(), ClientToken: t.str(64).optional() }),
    resources: (p, account) => [eniArn(p.RegionId, account, p.NetworkInterfaceId)],
    handler: async (ctx, p) => {
      const added = await enis.assignIpv6Addresses(ctx, { regionId: p.RegionId, networkInterfaceId: p.NetworkInterfaceId, count: p.Ipv6AddressCount, addresses: p.Ipv6Address });
      return { NetworkInterfaceId: p.NetworkInterfaceId, Ipv6Sets: { Ipv6Address: added } };
    },
  }),
  op({
    product: 'ecs', action: 'UnassignIpv6Addresses', ramAction: 'ecs:UnassignIpv6Addresses',
    params: z.object({ RegionId: t.str(64), NetworkInterfaceId: t.str(128), Ipv6Address: t.list(t.str(64), 10).optional() }),
    resources: (p, account) => [eniArn(p.RegionId, account, p.NetworkInterfaceId)],
    handler: async (ctx, p) => {
      await enis.unassignIpv6Addresses(ctx, { regionId: p.RegionId, networkInterfaceId: p.NetworkInterfaceId, addresses: p.Ipv6Address ?? [] });
      return {};
    },
  }),
  membershipOp('JoinSecurityGroup'),
  membershipOp('LeaveSecurityGroup'),
];
