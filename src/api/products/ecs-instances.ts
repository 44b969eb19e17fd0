// ECS 2014-05-26: images, instance types, instances, network interfaces and group membership.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { instanceArn, eniArn, sgArn, keyPairArn, vSwitchArn, named } from '../../domain/arns.ts';
import { t } from '../params.ts';
import * as inst from '../../domain/instances.ts';
import * as tagging from '../../domain/tagging.ts';
import { IMAGES, INSTANCE_TYPES } from '../../domain/catalogs.ts';
import { requireRegion } from '../../domain/regions.ts';
import { apiError } from '../../domain/errors.ts';
import { pageOf } from '../../domain/paging.ts';

const wireTags = (tags: Array<{ key: string; value: string }>) => ({ Tag: tags.map((x) => ({ TagKey: x.key, TagValue: x.value })) });

function wireEni(e: inst.Eni, regionId: string) {
  return {
    NetworkInterfaceId: e.networkInterfaceId, NetworkInterfaceName: e.name, Description: e.description, Status: e.status, Type: e.type,
    InstanceId: e.instanceId, VpcId: e.vpcId, VSwitchId: e.vSwitchId, ZoneId: e.zoneId, MacAddress: e.macAddress,
    PrivateIpAddress: e.privateIpAddress, CreationTime: e.creationTime, SecurityGroupIds: { SecurityGroupId: e.securityGroupIds },
    PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: e.privateIpAddress, Primary: true }] },
    Attachment: e.instanceId === '' ? undefined : { InstanceId: e.instanceId, DeviceIndex: e.type === 'Primary' ? 0 : 1 },
    RegionId: regionId,
  };
}

function wireInstance(i: inst.Instance) {
  return {
    InstanceId: i.instanceId, InstanceName: i.instanceName, Description: i.description, RegionId: i.regionId, ZoneId: i.zoneId,
    Status: i.status, ImageId: i.imageId, OSType: i.osType, InstanceType: i.instanceType, InstanceTypeFamily: i.instanceType.split('.').slice(0, 2).join('.'),
    InstanceNetworkType: i.networkType, CreationTime: i.creationTime, KeyPairName: i.keyPairName,
    // Parapet's own: the key in force and whether a bind or unbind waits for the next start or reboot (SPEC §2)
    EffectiveKeyPairName: i.effectiveKeyPairName, KeyPairChangePending: i.keyPairName !== i.effectiveKeyPairName,
    // a key pair in force turns root password logon off (SPEC §2)
    PasswordLogonEnabled: i.effectiveKeyPairName === '',
    SecurityGroupIds: { SecurityGroupId: i.securityGroupIds },
    VpcAttributes: { VpcId: i.vpcId, VSwitchId: i.vSwitchId, PrivateIpAddress: { IpAddress: i.networkType === 'vpc' ? [i.privateIpAddress] : [] }, NatIpAddress: '' },
    InnerIpAddress: { IpAddress: i.networkType === 'classic' ? [i.privateIpAddress] : [] },
    PublicIpAddress: { IpAddress: i.publicIpAddress === '' ? [] : [i.publicIpAddress] },
    EipAddress: { IpAddress: '', AllocationId: '', InternetChargeType: '' },
    InternetMaxBandwidthOut: i.internetMaxBandwidthOut, InternetMaxBandwidthIn: i.internetMaxBandwidthOut > 0 ? 200 : 0,
    NetworkInterfaces: { NetworkInterface: i.networkInterfaces.map((e) => ({ NetworkInterfaceId: e.networkInterfaceId, Type: e.type, MacAddress: e.macAddress, PrimaryIpAddress: e.privateIpAddress, PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: e.privateIpAddress, Primary: true }] } })) },
    HostName: i.hostName,
    MetadataOptions: { HttpEndpoint: i.httpEndpoint, HttpTokens: i.httpTokens, HttpPutResponseHopLimit: 1 },
    Tags: wireTags(i.tags),
  };
}

const runShape = {
  RegionId: t.str(64), ImageId: t.str(256), InstanceType: t.str(64), VSwitchId: t.str(128).optional(), ZoneId: t.str(64).optional(),
  SecurityGroupId: t.str(128).optional(), InstanceName: t.str(512).optional(), Description: t.str(1024).optional(), KeyPairName: t.str(256).optional(),
  InternetMaxBandwidthOut: t.int().optional(), InternetMaxBandwidthIn: t.int().optional(), PrivateIpAddress: t.str(64).optional(), ClientToken: t.str(64).optional(),
  Tag: t.tags().optional(), DryRun: t.bool().optional(), Password: t.str(64).optional(), UserData: t.str(65536).optional(),
  SecurityEnhancementStrategy: t.str(32).optional(), RamRoleName: t.str(128).optional(), HostName: t.str(128).optional(), HttpTokens: t.str(16).optional(), HttpEndpoint: t.str(16).optional(),
};

const runParams = (ctxStart: boolean, p: { RegionId: string; ImageId: string; InstanceType: string; VSwitchId?: string | undefined; ZoneId?: string | undefined; SecurityGroupId?: string | undefined; SecurityGroupIds?: string[] | undefined; Amount?: number | undefined; InstanceName?: string | undefined; Description?: string | undefined; KeyPairName?: string | undefined; InternetMaxBandwidthOut?: number | undefined; PrivateIpAddress?: string | undefined; Tag?: Array<{ key: string; value: string }> | undefined; RamRoleName?: string | undefined; HttpTokens?: string | undefined; HostName?: string | undefined }): inst.RunParams => {
  const groups = p.SecurityGroupIds !== undefined && p.SecurityGroupIds.length > 0 ? p.SecurityGroupIds : p.SecurityGroupId !== undefined && p.SecurityGroupId !== '' ? [p.SecurityGroupId] : [];
  return {
    regionId: p.RegionId, imageId: p.ImageId, instanceType: p.InstanceType, vSwitchId: p.VSwitchId, zoneId: p.ZoneId, securityGroupIds: groups,
    amount: p.Amount, instanceName: p.InstanceName, description: p.Description, keyPairName: p.KeyPairName,
    internetMaxBandwidthOut: p.InternetMaxBandwidthOut, privateIpAddress: p.PrivateIpAddress, tags: p.Tag, start: ctxStart,
    ramRoleName: p.RamRoleName, httpTokens: p.HttpTokens, hostName: p.HostName,
  };
};

/** RunInstances and CreateInstance touch the new instances and every group, vSwitch and key pair they name. */
function runResources(p: { RegionId: string; SecurityGroupId?: string | undefined; SecurityGroupIds?: string[] | undefined; VSwitchId?: string | undefined; KeyPairName?: string | undefined }, account: string): string[] {
  return [
    instanceArn(p.RegionId, account, '*'),
    ...named((id) => sgArn(p.RegionId, account, id), p.SecurityGroupId, p.SecurityGroupIds),
    ...named((id) => vSwitchArn(p.RegionId, account, id), p.VSwitchId),
    ...named((name) => keyPairArn(p.RegionId, account, name), p.KeyPairName),
  ];
}


const stateOp = (action: 'StartInstance' | 'StopInstance' | 'RebootInstance', verb: 'start' | 'stop' | 'reboot') => op({
  product: 'ecs', action, ramAction: `ecs:${action}`,
  params: z.object({ InstanceId: t.str(128), ForceStop: t.bool().optional(), DryRun: t.bool().optional(), StoppedMode: t.str(32).optional() }),
  resources: (p, account) => [instanceArn('*', account, p.InstanceId)],
  handler: async (ctx, p) => { await inst.changeState(ctx, p.InstanceId, verb); return {}; },
});

const membershipOp = (action: 'JoinSecurityGroup' | 'LeaveSecurityGroup') => op({
  product: 'ecs', action, ramAction: `ecs:${action}`,
  params: z.object({ SecurityGroupId: t.str(128), InstanceId: t.str(128).optional(), NetworkInterfaceId: t.str(128).optional(), RegionId: t.str(64).optional() }),
  resources: (p, account) => [sgArn(p.RegionId ?? '*', account, p.SecurityGroupId), p.NetworkInterfaceId !== undefined ? eniArn(p.RegionId ?? '*', account, p.NetworkInterfaceId) : instanceArn(p.RegionId ?? '*', account, p.InstanceId ?? '*')],
  handler: async (ctx, p) => {
    await inst.changeMembership(ctx, { securityGroupId: p.SecurityGroupId, instanceId: p.InstanceId, networkInterfaceId: p.NetworkInterfaceId, join: action === 'JoinSecurityGroup' });
    return {};
  },
});

export const instanceOperations = [
  op({
    product: 'ecs', action: 'DescribeImages', ramAction: 'ecs:DescribeImages',
    params: z.object({ RegionId: t.str(64), ImageId: t.str(2048).optional(), ImageName: t.str(256).optional(), OSType: t.str(16).optional(), ImageOwnerAlias: t.str(32).optional(), PageNumber: t.int().optional(), PageSize: t.int().optional(), Architecture: t.str(32).optional(), Status: t.str(64).optional() }),
    resources: (p, account) => [arn('ecs', p.RegionId, account, 'image/*')],
    handler: async (_ctx, p) => {
      requireRegion(p.RegionId);
      const ids = p.ImageId === undefined || p.ImageId === '' ? undefined : new Set(p.ImageId.split(','));
      const matched = IMAGES.filter((i) => (ids === undefined || ids.has(i.imageId)) && (p.OSType === undefined || p.OSType === '' || i.osType === p.OSType.toLowerCase()) && (p.ImageName === undefined || p.ImageName === '' || i.imageName === p.ImageName));
      const pg = pageOf(matched, p.PageNumber, p.PageSize, 100);
      return {
        RegionId: p.RegionId, TotalCount: pg.totalCount, PageNumber: pg.pageNumber, PageSize: pg.pageSize,
        Images: { Image: pg.items.map((i) => ({ ImageId: i.imageId, ImageName: i.imageName, OSType: i.osType, OSName: i.osName, OSNameEn: i.osName, Platform: i.platform, Architecture: i.architecture, Size: i.size, Status: 'Available', ImageOwnerAlias: 'system', IsPublic: true, Usage: 'instance', CreationTime: '2024-01-01T00:00:00Z' })) },
      };
    },
  }),
  op({
    product: 'ecs', action: 'DescribeInstanceTypes', ramAction: 'ecs:DescribeInstanceTypes',
    params: z.object({ InstanceTypes: t.list(t.str(64), 100).optional(), InstanceTypeFamily: t.str(64).optional(), MaxResults: t.int().optional(), NextToken: t.str(64).optional() }),
    resources: (_p, account) => [arn('ecs', '*', account, 'instancetype/*')],
    handler: async (_ctx, p) => {
      const wanted = p.InstanceTypes !== undefined && p.InstanceTypes.length > 0 ? new Set(p.InstanceTypes) : undefined;
      const matched = INSTANCE_TYPES.filter((x) => (wanted === undefined || wanted.has(x.instanceTypeId)) && (p.InstanceTypeFamily === undefined || p.InstanceTypeFamily === '' || x.family === p.InstanceTypeFamily));
      return {
        InstanceTypes: {
          InstanceType: matched.map((x) => ({
            InstanceTypeId: x.instanceTypeId, InstanceTypeFamily: x.family, CpuCoreCount: x.cpuCoreCount, MemorySize: x.memorySize,
            InstanceBandwidthRx: x.bandwidth * 1024, InstanceBandwidthTx: x.bandwidth * 1024, InstancePpsRx: x.pps, InstancePpsTx: x.pps,
            EniQuantity: x.eniQuantity, InstanceFamilyLevel: x.phasedOut ? 'EntryLevel' : 'EnterpriseLevel',
            Attributes: { Attribute: x.phasedOut ? [{ Name: 'PhasedOut', Value: 'true' }] : [] },
          })),
        },
      };
    },
  }),
  op({
    product: 'ecs', action: 'RunInstances', ramAction: 'ecs:RunInstances', idempotent: true,
    params: z.object({ ...runShape, Amount: t.int().optional(), MinAmount: t.int().optional(), SecurityGroupIds: t.list(t.str(128), 10).optional() }),
    resources: (p, account) => runResources(p, account),
    passRole: (p) => p.RamRoleName,
    handler: async (ctx, p) => {
      const ids = await inst.runInstances(ctx, runParams(true, p));
      return { InstanceIdSets: { InstanceIdSet: ids }, TradePrice: 0, OrderId: '' };
    },
  }),
  op({
    product: 'ecs', action: 'AllocatePublicIpAddress', ramAction: 'ecs:AllocatePublicIpAddress',
    params: z.object({ InstanceId: t.str(128), IpAddress: t.str(64).optional(), VlanId: t.str(64).optional() }),
    resources: (p, account) => [instanceArn('*', account, p.InstanceId)],
    handler: async (ctx, p) => ({ IpAddress: await inst.allocatePublicIpAddress(ctx, { instanceId: p.InstanceId, ipAddress: p.IpAddress }) }),
  }),
  op({
    product: 'ecs', action: 'CreateInstance', ramAction: 'ecs:CreateInstance', idempotent: true,
    params: z.object(runShape),
    resources: (p, account) => runResources(p, account),
    passRole: (p) => p.RamRoleName,
    handler: async (ctx, p) => {
      const ids = await inst.runInstances(ctx, runParams(false, p));
      return { InstanceId: ids[0]!, TradePrice: 0, OrderId: '' };
    },
  }),
  stateOp('StartInstance', 'start'),
  stateOp('StopInstance', 'stop'),
  stateOp('RebootInstance', 'reboot'),
  op({
    product: 'ecs', action: 'DeleteInstance', ramAction: 'ecs:DeleteInstance',
    params: z.object({ InstanceId: t.str(128), Force: t.bool().optional(), TerminateSubscription: t.bool().optional(), DryRun: t.bool().optional() }),
    resources: (p, account) => [instanceArn('*', account, p.InstanceId)],
    handler: async (ctx, p) => { await inst.deleteInstance(ctx, p.InstanceId, p.Force === true); return {}; },
  }),
  op({
    product: 'ecs', action: 'DescribeInstances', ramAction: 'ecs:DescribeInstances',
    params: z.object({
      RegionId: t.str(64), InstanceIds: t.jsonList(t.str(128), 100).optional(), VpcId: t.str(128).optional(), VSwitchId: t.str(128).optional(),
      ZoneId: t.str(64).optional(), SecurityGroupId: t.str(128).optional(), Status: t.str(32).optional(), InstanceName: t.str(512).optional(),
      InstanceNetworkType: t.str(16).optional(), KeyPairName: t.str(256).optional(), ImageId: t.str(256).optional(), InstanceType: t.str(64).optional(),
      PageNumber: t.int().optional(), PageSize: t.int().optional(), MaxResults: t.int().optional(), NextToken: t.str(64).optional(), Tag: t.tags().optional(), DryRun: t.bool().optional(),
    }),
    resources: (p, account) => [instanceArn(p.RegionId, account, '*')],
    handler: async (ctx, p) => {
      requireRegion(p.RegionId);
      const ids = p.InstanceIds !== undefined ? new Set(p.InstanceIds) : undefined;
      const g = (v: string | undefined): v is string => v !== undefined && v !== '';
      const matched = (await inst.inventoryOf(ctx, p.RegionId)).instances.filter((i) =>
        (ids === undefined || ids.has(i.instanceId)) && (!g(p.VpcId) || i.vpcId === p.VpcId) && (!g(p.VSwitchId) || i.vSwitchId === p.VSwitchId) &&
        (!g(p.ZoneId) || i.zoneId === p.ZoneId) && (!g(p.SecurityGroupId) || i.securityGroupIds.includes(p.SecurityGroupId)) &&
        (!g(p.Status) || i.status === p.Status) && (!g(p.InstanceName) || i.instanceName === p.InstanceName) &&
        (!g(p.InstanceNetworkType) || i.networkType === p.InstanceNetworkType) && (!g(p.KeyPairName) || i.keyPairName === p.KeyPairName) &&
        (!g(p.ImageId) || i.imageId === p.ImageId) && (!g(p.InstanceType) || i.instanceType === p.InstanceType) &&
        (p.Tag === undefined || p.Tag.every((f) => i.tags.some((x) => x.key === f.key && (f.value === '' || x.value === f.value)))));
      const pg = pageOf(matched, p.PageNumber, p.PageSize, 100);
      return { TotalCount: pg.totalCount, PageNumber: pg.pageNumber, PageSize: pg.pageSize, Instances: { Instance: pg.items.map(wireInstance) } };
    },
  }),
  op({
    product: 'ecs', action: 'DescribeInstanceAttribute', ramAction: 'ecs:DescribeInstanceAttribute',
    params: z.object({ InstanceId: t.str(128), RegionId: t.str(64).optional() }),
    resources: (p, account) => [instanceArn(p.RegionId ?? '*', account, p.InstanceId)],
    handler: async (ctx, p) => wireInstance(await inst.describeInstance(ctx, p.InstanceId, p.RegionId)),
  }),
  op({
    product: 'ecs', action: 'ModifyInstanceAttribute', ramAction: 'ecs:ModifyInstanceAttribute',
    params: z.object({ InstanceId: t.str(128), InstanceName: t.str(512).optional(), Description: t.str(1024).optional(), SecurityGroupIds: t.list(t.str(128), 20).optional(), HostName: t.str(128).optional(), Password: t.str(64).optional(), UserData: t.str(65536).optional() }),
    resources: (p, account) => [instanceArn('*', account, p.InstanceId), ...named((id) => sgArn('*', account, id), p.SecurityGroupIds)],
    handler: async (ctx, p) => {
      await inst.modifyInstanceAttribute(ctx, { instanceId: p.InstanceId, instanceName: p.InstanceName, description: p.Description, securityGroupIds: p.SecurityGroupIds, hostName: p.HostName });
      return {};
    },
  }),
  membershipOp('JoinSecurityGroup'),
  membershipOp('LeaveSecurityGroup'),
  op({
    product: 'ecs', action: 'CreateNetworkInterface', ramAction: 'ecs:CreateNetworkInterface', idempotent: true,
    params: z.object({ RegionId: t.str(64), VSwitchId: t.str(128), SecurityGroupId: t.str(128).optional(), SecurityGroupIds: t.list(t.str(128), 10).optional(), NetworkInterfaceName: t.str(512).optional(), Description: t.str(1024).optional(), PrimaryIpAddress: t.str(64).optional(), ClientToken: t.str(64).optional() }),
    resources: (p, account) => [eniArn(p.RegionId, account, '*'), ...named((id) => vSwitchArn(p.RegionId, account, id), p.VSwitchId), ...named((id) => sgArn(p.RegionId, account, id), p.SecurityGroupId, p.SecurityGroupIds)],
    handler: async (ctx, p) => {
      const groups = p.SecurityGroupIds !== undefined && p.SecurityGroupIds.length > 0 ? p.SecurityGroupIds : p.SecurityGroupId !== undefined && p.SecurityGroupId !== '' ? [p.SecurityGroupId] : [];
      if (groups.length === 0) throw apiError('MissingParameter', { name: 'SecurityGroupId' });
      const e = await inst.createNetworkInterface(ctx, { regionId: p.RegionId, vSwitchId: p.VSwitchId, securityGroupIds: groups, name: p.NetworkInterfaceName, description: p.Description, primaryIpAddress: p.PrimaryIpAddress });
      return { ...wireEni(e, p.RegionId), OwnerId: ctx.principal.accountId };
    },
  }),
  op({
    product: 'ecs', action: 'AttachNetworkInterface', ramAction: 'ecs:AttachNetworkInterface',
    params: z.object({ RegionId: t.str(64), NetworkInterfaceId: t.str(128), InstanceId: t.str(128) }),
    resources: (p, account) => [eniArn(p.RegionId, account, p.NetworkInterfaceId), instanceArn(p.RegionId, account, p.InstanceId)],
    handler: async (ctx, p) => { await inst.attachNetworkInterface(ctx, { networkInterfaceId: p.NetworkInterfaceId, instanceId: p.InstanceId }); return {}; },
  }),
  op({
    product: 'ecs', action: 'DetachNetworkInterface', ramAction: 'ecs:DetachNetworkInterface',
    params: z.object({ RegionId: t.str(64), NetworkInterfaceId: t.str(128), InstanceId: t.str(128) }),
    resources: (p, account) => [eniArn(p.RegionId, account, p.NetworkInterfaceId), instanceArn(p.RegionId, account, p.InstanceId)],
    handler: async (ctx, p) => { await inst.detachNetworkInterface(ctx, { networkInterfaceId: p.NetworkInterfaceId, instanceId: p.InstanceId }); return {}; },
  }),
  op({
    product: 'ecs', action: 'ModifyNetworkInterfaceAttribute', ramAction: 'ecs:ModifyNetworkInterfaceAttribute',
    params: z.object({ RegionId: t.str(64), NetworkInterfaceId: t.str(128), SecurityGroupId: t.list(t.str(128), 10).optional(), NetworkInterfaceName: t.str(512).optional(), Description: t.str(1024).optional() }),
    resources: (p, account) => [eniArn(p.RegionId, account, p.NetworkInterfaceId), ...named((id) => sgArn(p.RegionId, account, id), p.SecurityGroupId)],
    handler: async (ctx, p) => {
      await inst.modifyNetworkInterfaceAttribute(ctx, { networkInterfaceId: p.NetworkInterfaceId, securityGroupIds: p.SecurityGroupId, name: p.NetworkInterfaceName, description: p.Description });
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
      const matched = (await inst.inventoryOf(ctx, p.RegionId)).enis.filter((e) => (ids === undefined || ids.has(e.networkInterfaceId)) &&
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
    handler: async (ctx, p) => { await inst.deleteNetworkInterface(ctx, p.NetworkInterfaceId); return {}; },
  }),
];

export const taggingOperations = [
  op({
    product: 'ecs', action: 'TagResources', ramAction: 'ecs:TagResources',
    params: z.object({ RegionId: t.str(64), ResourceType: t.str(64), ResourceId: t.list(t.str(128), 100), Tag: t.tags() }),
    resources: (p, account) => p.ResourceId.map((id) => arn('ecs', p.RegionId, account, `${p.ResourceType.toLowerCase()}/${id}`)),
    handler: async (ctx, p) => { await tagging.tagResources(ctx, { regionId: p.RegionId, resourceType: p.ResourceType, resourceIds: p.ResourceId, tags: p.Tag }); return {}; },
  }),
  op({
    product: 'ecs', action: 'UntagResources', ramAction: 'ecs:UntagResources',
    params: z.object({ RegionId: t.str(64), ResourceType: t.str(64), ResourceId: t.list(t.str(128), 100), TagKey: t.list(t.str(128), 100).optional(), All: t.bool().optional() }),
    resources: (p, account) => p.ResourceId.map((id) => arn('ecs', p.RegionId, account, `${p.ResourceType.toLowerCase()}/${id}`)),
    handler: async (ctx, p) => { await tagging.untagResources(ctx, { regionId: p.RegionId, resourceType: p.ResourceType, resourceIds: p.ResourceId, tagKeys: p.TagKey ?? [], all: p.All === true }); return {}; },
  }),
  op({
    product: 'ecs', action: 'ListTagResources', ramAction: 'ecs:ListTagResources',
    params: z.object({ RegionId: t.str(64), ResourceType: t.str(64), ResourceId: t.list(t.str(128), 100).optional(), Tag: t.tags().optional(), NextToken: t.str(64).optional() }),
    resources: (p, account) => [arn('ecs', p.RegionId, account, `${p.ResourceType.toLowerCase()}/*`)],
    handler: async (ctx, p) => {
      const r = await tagging.listTagResources(ctx, { regionId: p.RegionId, resourceType: p.ResourceType, resourceIds: p.ResourceId ?? [], tags: p.Tag ?? [], nextToken: p.NextToken });
      return {
        ...(r.nextToken !== undefined ? { NextToken: r.nextToken } : {}),
        TagResources: { TagResource: r.items.map((x) => ({ ResourceId: x.resourceId, ResourceType: x.resourceType, TagKey: x.key, TagValue: x.value })) },
      };
    },
  }),
];
