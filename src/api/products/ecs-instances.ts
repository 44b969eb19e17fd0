// ECS 2014-05-26: instances: run, create, describe, modify, start, stop, reboot, delete, and their
// public address. Network interfaces and group membership are ecs-enis.ts; images and instance types
// ecs-catalogues.ts; tags ecs-tagging.ts.
import { z } from 'zod';
import { op } from '../catalog.ts';
import { instanceArn, sgArn, keyPairArn, vSwitchArn, named } from '../../domain/arns.ts';
import { t } from '../params.ts';
import * as inst from '../../domain/instances.ts';
import { requireRegion } from '../../domain/regions.ts';
import { pageOf } from '../../domain/paging.ts';

const wireTags = (tags: Array<{ key: string; value: string }>) => ({ Tag: tags.map((x) => ({ TagKey: x.key, TagValue: x.value })) });

function wireInstance(i: inst.Instance) {
  return {
    InstanceId: i.instanceId, InstanceName: i.instanceName, Description: i.description, RegionId: i.regionId, ZoneId: i.zoneId,
    Status: i.status, ImageId: i.imageId, OSType: i.osType, InstanceType: i.instanceType, InstanceTypeFamily: i.instanceType.split('.').slice(0, 2).join('.'),
    InstanceNetworkType: i.networkType, CreationTime: i.creationTime, KeyPairName: i.keyPairName,
    // Parapet's own: the key in force and whether a bind or unbind waits for the next start or reboot (SPEC §2)
    EffectiveKeyPairName: i.effectiveKeyPairName, KeyPairChangePending: i.keyPairName !== i.effectiveKeyPairName,
    // Parapet's own: whether root may log on with a password now (one is in force: set, and not followed by a key
    // pair's bind without a reset, SPEC §2), and whether a change of it waits for the next start or reboot.
    // The password itself, or its hash, is never returned.
    PasswordLogonEnabled: i.passwordLogonEnabled, PasswordChangePending: i.passwordChangePending,
    SecurityGroupIds: { SecurityGroupId: i.securityGroupIds },
    VpcAttributes: { VpcId: i.vpcId, VSwitchId: i.vSwitchId, PrivateIpAddress: { IpAddress: i.networkType === 'vpc' ? [i.privateIpAddress] : [] }, NatIpAddress: '' },
    InnerIpAddress: { IpAddress: i.networkType === 'classic' ? [i.privateIpAddress] : [] },
    PublicIpAddress: { IpAddress: i.publicIpAddress === '' ? [] : [i.publicIpAddress] },
    EipAddress: { IpAddress: '', AllocationId: '', InternetChargeType: '' },
    InternetMaxBandwidthOut: i.internetMaxBandwidthOut, InternetMaxBandwidthIn: i.internetMaxBandwidthOut > 0 ? 200 : 0,
    NetworkInterfaces: { NetworkInterface: i.networkInterfaces.map((e) => ({ NetworkInterfaceId: e.networkInterfaceId, Type: e.type, MacAddress: e.macAddress, PrimaryIpAddress: e.privateIpAddress, PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: e.privateIpAddress, Primary: true }] }, Ipv6Sets: { Ipv6Set: e.ipv6Addresses.map((a) => ({ Ipv6Address: a })) } })) },
    HostName: i.hostName,
    MetadataOptions: { HttpEndpoint: i.httpEndpoint, HttpTokens: i.httpTokens, HttpPutResponseHopLimit: 1 },
    Tags: wireTags(i.tags),
  };
}

/**
 * `Password`: any string here, so that no schema error ever repeats it (a too-long value would be
 * quoted); domain/instance-passwords.ts checks it and answers `InvalidPassword.Malformed`.
 */
const PASSWORD = z.string().optional();

const runShape = {
  RegionId: t.str(64), ImageId: t.str(256), InstanceType: t.str(64), VSwitchId: t.str(128).optional(), ZoneId: t.str(64).optional(),
  SecurityGroupId: t.str(128).optional(), InstanceName: t.str(512).optional(), Description: t.str(1024).optional(), KeyPairName: t.str(256).optional(),
  InternetMaxBandwidthOut: t.int().optional(), InternetMaxBandwidthIn: t.int().optional(), PrivateIpAddress: t.str(64).optional(), ClientToken: t.str(64).optional(),
  Tag: t.tags().optional(), DryRun: t.bool().optional(), Password: PASSWORD, UserData: t.str(65536).optional(),
  Ipv6AddressCount: t.int().optional(), Ipv6Address: t.list(t.str(64), 10).optional(),
  SecurityEnhancementStrategy: t.str(32).optional(), RamRoleName: t.str(128).optional(), HostName: t.str(128).optional(), HttpTokens: t.str(16).optional(), HttpEndpoint: t.str(16).optional(),
};

const runParams = (ctxStart: boolean, p: { RegionId: string; ImageId: string; InstanceType: string; VSwitchId?: string | undefined; ZoneId?: string | undefined; SecurityGroupId?: string | undefined; SecurityGroupIds?: string[] | undefined; Amount?: number | undefined; InstanceName?: string | undefined; Description?: string | undefined; KeyPairName?: string | undefined; InternetMaxBandwidthOut?: number | undefined; PrivateIpAddress?: string | undefined; Tag?: Array<{ key: string; value: string }> | undefined; RamRoleName?: string | undefined; HttpTokens?: string | undefined; HostName?: string | undefined; Password?: string | undefined; SecurityEnhancementStrategy?: string | undefined; Ipv6AddressCount?: number | undefined; Ipv6Address?: string[] | undefined }): inst.RunParams => {
  const groups = p.SecurityGroupIds !== undefined && p.SecurityGroupIds.length > 0 ? p.SecurityGroupIds : p.SecurityGroupId !== undefined && p.SecurityGroupId !== '' ? [p.SecurityGroupId] : [];
  return {
    regionId: p.RegionId, imageId: p.ImageId, instanceType: p.InstanceType, vSwitchId: p.VSwitchId, zoneId: p.ZoneId, securityGroupIds: groups,
    amount: p.Amount, instanceName: p.InstanceName, description: p.Description, keyPairName: p.KeyPairName,
    internetMaxBandwidthOut: p.InternetMaxBandwidthOut, privateIpAddress: p.PrivateIpAddress, tags: p.Tag, start: ctxStart,
    ramRoleName: p.RamRoleName, httpTokens: p.HttpTokens, hostName: p.HostName, password: p.Password,
    securityEnhancementStrategy: p.SecurityEnhancementStrategy, ipv6AddressCount: p.Ipv6AddressCount, ipv6Addresses: p.Ipv6Address,
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

export const instanceOperations = [
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
    params: z.object({ InstanceId: t.str(128), InstanceName: t.str(512).optional(), Description: t.str(1024).optional(), SecurityGroupIds: t.list(t.str(128), 20).optional(), HostName: t.str(128).optional(), Password: PASSWORD, UserData: t.str(65536).optional() }),
    resources: (p, account) => [instanceArn('*', account, p.InstanceId), ...named((id) => sgArn('*', account, id), p.SecurityGroupIds)],
    handler: async (ctx, p) => {
      await inst.modifyInstanceAttribute(ctx, { instanceId: p.InstanceId, instanceName: p.InstanceName, description: p.Description, securityGroupIds: p.SecurityGroupIds, hostName: p.HostName, password: p.Password });
      return {};
    },
  }),
];
