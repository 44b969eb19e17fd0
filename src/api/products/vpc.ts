// VPC 2016-04-28: VPCs and vSwitches.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { t } from '../params.ts';
import * as vpc from '../../domain/vpc.ts';
import * as cen from '../../domain/cen.ts';
import type { Tag } from '../../domain/tags.ts';
import { RawJson, rawJsonOf } from '../../wire/render.ts';

const vpcTags = (tags: Tag[]) => ({ Tag: tags.map((x) => ({ Key: x.key, Value: x.value })) });

// Wire shapes, rendered once per memoized record (the domain's reads are memoized per revision).
const vpcJson = new WeakMap<vpc.Vpc, RawJson>();
const wireVpc = (v: vpc.Vpc) => rawJsonOf(vpcJson, v, () => ({
  VpcId: v.vpcId, RegionId: v.regionId, Status: v.status, VpcName: v.vpcName, CreationTime: v.creationTime,
  CidrBlock: v.cidrBlock, VRouterId: v.vRouterId, Description: v.description, IsDefault: v.isDefault,
  ResourceGroupId: v.resourceGroupId, OwnerId: Number(v.accountId), EnabledIpv6: v.ipv6CidrBlock !== '', Ipv6CidrBlock: v.ipv6CidrBlock,
  Ipv6CidrBlocks: { Ipv6CidrBlock: v.ipv6CidrBlock === '' ? [] : [{ Ipv6CidrBlock: v.ipv6CidrBlock, Ipv6Isp: 'BGP' }] },
  VSwitchIds: { VSwitchId: v.vSwitchIds }, RouterTableIds: { RouterTableIds: [v.routeTableId] },
  UserCidrs: { UserCidr: [] }, NatGatewayIds: { NatGatewayIds: [] }, SecondaryCidrBlocks: { SecondaryCidrBlock: [] },
  Tags: vpcTags(v.tags), CenStatus: v.cenAttached ? 'Attached' : 'Detached', DnsHostnameStatus: 'DISABLED',
}));
const vSwitchJson = new WeakMap<vpc.VSwitch, RawJson>();
const wireVSwitch = (s: vpc.VSwitch) => rawJsonOf(vSwitchJson, s, () => ({
  VSwitchId: s.vSwitchId, VpcId: s.vpcId, Status: s.status, CidrBlock: s.cidrBlock, ZoneId: s.zoneId,
  AvailableIpAddressCount: s.availableIpAddressCount, Description: s.description, VSwitchName: s.vSwitchName,
  CreationTime: s.creationTime, IsDefault: false, ResourceGroupId: 'rg-default', OwnerId: Number(s.accountId),
  NetworkAclId: '', ShareType: 'Sharing', EnabledIpv6: s.ipv6CidrBlock !== '', Ipv6CidrBlock: s.ipv6CidrBlock,
  RouteTable: { RouteTableId: s.routeTableId, RouteTableType: 'System' }, Tags: vpcTags(s.tags),
}));

export const vpcOperations = [
  op({
    product: 'vpc', action: 'CreateVpc', ramAction: 'vpc:CreateVpc', idempotent: true,
    params: z.object({
      RegionId: t.str(64), CidrBlock: t.str(64).optional(), VpcName: t.str(512).optional(), Description: t.str(1024).optional(),
      ResourceGroupId: t.str(64).optional(), ClientToken: t.str(64).optional(), DryRun: t.bool().optional(), Tag: t.tags().optional(),
      EnableIpv6: t.bool().optional(), UserCidr: t.str(256).optional(),
    }),
    resources: (p, account) => [arn('vpc', p.RegionId, account, 'vpc/*')],
    handler: async (ctx, p) => {
      const r = await vpc.createVpc(ctx, { regionId: p.RegionId, cidrBlock: p.CidrBlock, vpcName: p.VpcName, description: p.Description, resourceGroupId: p.ResourceGroupId, tags: p.Tag, enableIpv6: p.EnableIpv6 });
      return { VpcId: r.vpcId, VRouterId: r.vRouterId, RouteTableId: r.routeTableId, ResourceGroupId: r.resourceGroupId };
    },
  }),
  op({
    product: 'vpc', action: 'DescribeVpcs', ramAction: 'vpc:DescribeVpcs',
    params: z.object({
      RegionId: t.str(64), VpcId: t.str(2048).optional(), VpcName: t.str(512).optional(), IsDefault: t.bool().optional(),
      ResourceGroupId: t.str(64).optional(), PageNumber: t.int().optional(), PageSize: t.int().optional(), Tag: t.tags().optional(),
      DryRun: t.bool().optional(), VpcOwnerId: t.int().optional(), DhcpOptionsSetId: t.str(64).optional(), EnableIpv6: t.bool().optional(),
    }),
    resources: (p, account) => [arn('vpc', p.RegionId, account, 'vpc/*')],
    handler: async (ctx, p) => {
      const page = await vpc.describeVpcs(ctx, { regionId: p.RegionId, vpcId: p.VpcId, vpcName: p.VpcName, isDefault: p.IsDefault, resourceGroupId: p.ResourceGroupId, pageNumber: p.PageNumber, pageSize: p.PageSize, tags: p.Tag, enableIpv6: p.EnableIpv6 });
      return {
        TotalCount: page.totalCount, PageNumber: page.pageNumber, PageSize: page.pageSize,
        Vpcs: { Vpc: page.items.map(wireVpc) },
      };
    },
  }),
  op({
    product: 'vpc', action: 'ModifyVpcAttribute', ramAction: 'vpc:ModifyVpcAttribute',
    params: z.object({
      RegionId: t.str(64).optional(), VpcId: t.str(64), VpcName: t.str(512).optional(), Description: t.str(1024).optional(),
      CidrBlock: t.str(64).optional(), EnableIPv6: t.bool().optional(), EnableDnsHostname: t.bool().optional(),
    }),
    resources: (p, account) => [arn('vpc', p.RegionId ?? '*', account, `vpc/${p.VpcId}`)],
    handler: async (ctx, p) => {
      await vpc.modifyVpcAttribute(ctx, { regionId: p.RegionId, vpcId: p.VpcId, vpcName: p.VpcName, description: p.Description, cidrBlock: p.CidrBlock, enableIpv6: p.EnableIPv6 });
      return {};
    },
  }),
  op({
    product: 'vpc', action: 'DeleteVpc', ramAction: 'vpc:DeleteVpc',
    params: z.object({ RegionId: t.str(64).optional(), VpcId: t.str(64), ForceDelete: t.bool().optional(), DryRun: t.bool().optional(), ClientToken: t.str(64).optional() }),
    resources: (p, account) => [arn('vpc', p.RegionId ?? '*', account, `vpc/${p.VpcId}`)],
    handler: async (ctx, p) => {
      await vpc.deleteVpc(ctx, { regionId: p.RegionId, vpcId: p.VpcId });
      return {};
    },
  }),
  op({
    product: 'vpc', action: 'CreateVSwitch', ramAction: 'vpc:CreateVSwitch', idempotent: true,
    params: z.object({
      RegionId: t.str(64).optional(), VpcId: t.str(64), ZoneId: t.str(64), CidrBlock: t.str(64), VSwitchName: t.str(512).optional(),
      Description: t.str(1024).optional(), ClientToken: t.str(64).optional(), Tag: t.tags().optional(),
      Ipv6CidrBlock: t.int().optional(), VpcIpv6CidrBlock: t.str(64).optional(),
    }),
    resources: (p, account) => [arn('vpc', p.RegionId ?? '*', account, 'vswitch/*'), arn('vpc', p.RegionId ?? '*', account, `vpc/${p.VpcId}`)],
    handler: async (ctx, p) => {
      const r = await vpc.createVSwitch(ctx, { regionId: p.RegionId, vpcId: p.VpcId, zoneId: p.ZoneId, cidrBlock: p.CidrBlock, vSwitchName: p.VSwitchName, description: p.Description, tags: p.Tag, ipv6Index: p.Ipv6CidrBlock });
      return { VSwitchId: r.vSwitchId };
    },
  }),
  op({
    product: 'vpc', action: 'DescribeVSwitches', ramAction: 'vpc:DescribeVSwitches',
    params: z.object({
      RegionId: t.str(64).optional(), VpcId: t.str(64).optional(), VSwitchId: t.str(2048).optional(), ZoneId: t.str(64).optional(),
      VSwitchName: t.str(512).optional(), IsDefault: t.bool().optional(), PageNumber: t.int().optional(), PageSize: t.int().optional(),
      Tag: t.tags().optional(), ResourceGroupId: t.str(64).optional(), RouteTableId: t.str(64).optional(), DryRun: t.bool().optional(),
      VSwitchOwnerId: t.int().optional(), EnableIpv6: t.bool().optional(),
    }),
    resources: (p, account) => [arn('vpc', p.RegionId ?? '*', account, 'vswitch/*')],
    handler: async (ctx, p) => {
      const page = await vpc.describeVSwitches(ctx, { regionId: p.RegionId, vpcId: p.VpcId, vSwitchId: p.VSwitchId, zoneId: p.ZoneId, vSwitchName: p.VSwitchName, isDefault: p.IsDefault, pageNumber: p.PageNumber, pageSize: p.PageSize, tags: p.Tag, enableIpv6: p.EnableIpv6 });
      return {
        TotalCount: page.totalCount, PageNumber: page.pageNumber, PageSize: page.pageSize,
        VSwitches: { VSwitch: page.items.map(wireVSwitch) },
      };
    },
  }),
  op({
    product: 'vpc', action: 'ModifyVSwitchAttribute', ramAction: 'vpc:ModifyVSwitchAttribute',
    params: z.object({
      RegionId: t.str(64).optional(), VSwitchId: t.str(64), VSwitchName: t.str(512).optional(), Description: t.str(1024).optional(),
      EnableIPv6: t.bool().optional(), Ipv6CidrBlock: t.int().optional(), VpcIpv6CidrBlock: t.str(64).optional(),
    }),
    resources: (p, account) => [arn('vpc', p.RegionId ?? '*', account, `vswitch/${p.VSwitchId}`)],
    handler: async (ctx, p) => {
      await vpc.modifyVSwitchAttribute(ctx, { regionId: p.RegionId, vSwitchId: p.VSwitchId, vSwitchName: p.VSwitchName, description: p.Description, enableIpv6: p.EnableIPv6, ipv6Index: p.Ipv6CidrBlock });
      return {};
    },
  }),
  op({
    product: 'vpc', action: 'DeleteVSwitch', ramAction: 'vpc:DeleteVSwitch',
    params: z.object({ RegionId: t.str(64).optional(), VSwitchId: t.str(64), DryRun: t.bool().optional() }),
    resources: (p, account) => [arn('vpc', p.RegionId ?? '*', account, `vswitch/${p.VSwitchId}`)],
    handler: async (ctx, p) => {
      await vpc.deleteVSwitch(ctx, { regionId: p.RegionId, vSwitchId: p.VSwitchId });
      return {};
    },
  }),
  // Cloud Enterprise Network, the VPC owner's side: grants of a VPC to another account's CEN
  // (RAM: the VPC's ARN; the CEN is the other account's, named by its owner's grant)
  op({
    product: 'vpc', action: 'GrantInstanceToCen', ramAction: 'vpc:GrantInstanceToCen',
    params: z.object({ RegionId: t.str(64), InstanceId: t.str(64), InstanceType: t.str(16), CenId: t.str(64), CenOwnerId: t.str(20).regex(/^[0-9]{1,20}$/), ClientToken: t.str(64).optional() }),
    resources: (p, account) => [arn('vpc', p.RegionId, account, `vpc/${p.InstanceId}`)],
    handler: async (ctx, p) => {
      await cen.grantInstanceToCen(ctx, { regionId: p.RegionId, instanceId: p.InstanceId, instanceType: p.InstanceType, cenId: p.CenId, cenOwnerId: p.CenOwnerId });
      return {};
    },
  }),
  op({
    product: 'vpc', action: 'RevokeInstanceFromCen', ramAction: 'vpc:RevokeInstanceFromCen',
    params: z.object({ RegionId: t.str(64), InstanceId: t.str(64), InstanceType: t.str(16), CenId: t.str(64), CenOwnerId: t.str(20).regex(/^[0-9]{1,20}$/), ClientToken: t.str(64).optional() }),
    resources: (p, account) => [arn('vpc', p.RegionId, account, `vpc/${p.InstanceId}`)],
    handler: async (ctx, p) => {
      await cen.revokeInstanceFromCen(ctx, { regionId: p.RegionId, instanceId: p.InstanceId, instanceType: p.InstanceType, cenId: p.CenId, cenOwnerId: p.CenOwnerId });
      return {};
    },
  }),
  op({
    product: 'vpc', action: 'DescribeGrantRulesToCen', ramAction: 'vpc:DescribeGrantRulesToCen',
    params: z.object({ RegionId: t.str(64), InstanceId: t.str(64).optional(), InstanceType: t.str(16).optional(), PageNumber: t.int().optional(), PageSize: t.int().optional(), MaxResults: t.int().optional(), NextToken: t.str(256).optional() }),
    resources: (p, account) => [arn('vpc', p.RegionId, account, p.InstanceId !== undefined ? `vpc/${p.InstanceId}` : 'vpc/*')],
    handler: async (ctx, p) => {
      const page = await cen.describeGrantRulesToCen(ctx, { regionId: p.RegionId, instanceId: p.InstanceId, instanceType: p.InstanceType, pageNumber: p.PageNumber, pageSize: p.PageSize });
      return {
        TotalCount: page.totalCount, PageNumber: page.pageNumber, PageSize: page.pageSize, Count: page.items.length,
        CenGrantRules: {
          CbnGrantRule: page.items.map((g) => ({
            CenInstanceId: g.cenId, CenUid: Number(g.cenOwnerId), ChildInstanceId: g.childInstanceId, ChildInstanceType: g.childInstanceType,
            ChildInstanceRegionId: g.childInstanceRegionId, ChildInstanceOwnerId: Number(g.childInstanceOwnerId), CreationTime: g.creationTime,
          })),
        },
      };
    },
  }),
];
