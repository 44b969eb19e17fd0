// VPC 2016-04-28: IPv6 gateways, IPv6 internet bandwidth and the IPv6 addresses of the VPC API
// (domain/ipv6-gateways.ts). The VPC and vSwitch blocks are vpc.ts's; ENI addresses ecs-enis.ts's.
import { z } from 'zod';
import { op } from '../catalog.ts';
import { t } from '../params.ts';
import { ipv6AddressArn, ipv6GatewayArn, named, vpcArn } from '../../domain/arns.ts';
import * as gw from '../../domain/ipv6-gateways.ts';

const wireGateway = (g: gw.Ipv6Gateway) => ({
  Ipv6GatewayId: g.ipv6GatewayId, VpcId: g.vpcId, RegionId: g.regionId, Name: g.name, Description: g.description, Status: g.status,
  CreationTime: g.creationTime, Spec: 'Small', BusinessStatus: 'Normal', InstanceChargeType: 'PostPaid', ExpiredTime: '', ResourceGroupId: 'rg-default',
});

const wireAddress = (a: gw.Ipv6AddressView) => ({
  Ipv6AddressId: a.ipv6AddressId, Ipv6Address: a.address, Ipv6AddressName: '', VpcId: a.vpcId, VSwitchId: a.vSwitchId, Ipv6GatewayId: a.ipv6GatewayId,
  AssociatedInstanceId: a.associatedInstanceId, AssociatedInstanceType: a.associatedInstanceType, Status: 'Available',
  NetworkType: a.internet === undefined ? 'Private' : 'Public', AllocationTime: a.allocationTime, Ipv6Isp: 'BGP', AddressType: 'IPv6Address',
  Ipv6InternetBandwidth: a.internet === undefined ? undefined : {
    Ipv6InternetBandwidthId: a.internet.id, Bandwidth: a.internet.bandwidth, InternetChargeType: 'PayByBandwidth', InstanceChargeType: 'PostPaid', BusinessStatus: 'Normal',
  },
});

export const vpcIpv6Operations = [
  op({
    product: 'vpc', action: 'CreateIpv6Gateway', ramAction: 'vpc:CreateIpv6Gateway', idempotent: true,
    params: z.object({
      RegionId: t.str(64), VpcId: t.str(64), Name: t.str(512).optional(), Description: t.str(1024).optional(), Spec: t.str(32).optional(),
      ClientToken: t.str(64).optional(), ResourceGroupId: t.str(64).optional(), Tag: t.tags().optional(),
    }),
    resources: (p, account) => [ipv6GatewayArn(p.RegionId, account, '*'), vpcArn(p.RegionId, account, p.VpcId)],
    handler: async (ctx, p) => {
      const r = await gw.createIpv6Gateway(ctx, { regionId: p.RegionId, vpcId: p.VpcId, name: p.Name, description: p.Description });
      return { Ipv6GatewayId: r.ipv6GatewayId, ResourceGroupId: 'rg-default' };
    },
  }),
  op({
    product: 'vpc', action: 'DescribeIpv6Gateways', ramAction: 'vpc:DescribeIpv6Gateways',
    params: z.object({
      RegionId: t.str(64), Ipv6GatewayId: t.str(64).optional(), VpcId: t.str(64).optional(), Name: t.str(512).optional(),
      PageNumber: t.int().optional(), PageSize: t.int().optional(), ResourceGroupId: t.str(64).optional(), Tag: t.tags().optional(),
    }),
    resources: (p, account) => [ipv6GatewayArn(p.RegionId, account, '*')],
    handler: async (ctx, p) => {
      const page = await gw.describeIpv6Gateways(ctx, { regionId: p.RegionId, ipv6GatewayId: p.Ipv6GatewayId, vpcId: p.VpcId, name: p.Name, pageNumber: p.PageNumber, pageSize: p.PageSize });
      return { TotalCount: page.totalCount, PageNumber: page.pageNumber, PageSize: page.pageSize, Ipv6Gateways: { Ipv6Gateway: page.items.map(wireGateway) } };
    },
  }),
  op({
    product: 'vpc', action: 'DescribeIpv6GatewayAttribute', ramAction: 'vpc:DescribeIpv6GatewayAttribute',
    params: z.object({ RegionId: t.str(64), Ipv6GatewayId: t.str(64) }),
    resources: (p, account) => [ipv6GatewayArn(p.RegionId, account, p.Ipv6GatewayId)],
    handler: async (ctx, p) => wireGateway(await gw.describeIpv6GatewayAttribute(ctx, { regionId: p.RegionId, ipv6GatewayId: p.Ipv6GatewayId })),
  }),
  op({
    product: 'vpc', action: 'DeleteIpv6Gateway', ramAction: 'vpc:DeleteIpv6Gateway',
    params: z.object({ RegionId: t.str(64), Ipv6GatewayId: t.str(64) }),
    resources: (p, account) => [ipv6GatewayArn(p.RegionId, account, p.Ipv6GatewayId)],
    handler: async (ctx, p) => { await gw.deleteIpv6Gateway(ctx, { regionId: p.RegionId, ipv6GatewayId: p.Ipv6GatewayId }); return {}; },
  }),
  op({
    product: 'vpc', action: 'AllocateIpv6InternetBandwidth', ramAction: 'vpc:AllocateIpv6InternetBandwidth', idempotent: true,
    params: z.object({
      RegionId: t.str(64), Ipv6GatewayId: t.str(64), Ipv6AddressId: t.str(64), Bandwidth: t.int(), InternetChargeType: t.str(32).optional(), ClientToken: t.str(64).optional(),
    }),
    resources: (p, account) => [ipv6GatewayArn(p.RegionId, account, p.Ipv6GatewayId), ipv6AddressArn(p.RegionId, account, p.Ipv6AddressId)],
    handler: async (ctx, p) => {
      const r = await gw.allocateIpv6InternetBandwidth(ctx, { regionId: p.RegionId, ipv6GatewayId: p.Ipv6GatewayId, ipv6AddressId: p.Ipv6AddressId, bandwidth: p.Bandwidth });
      return { InternetBandwidthId: r.internetBandwidthId, Ipv6AddressId: r.ipv6AddressId };
    },
  }),
  op({
    product: 'vpc', action: 'DeleteIpv6InternetBandwidth', ramAction: 'vpc:DeleteIpv6InternetBandwidth',
    params: z.object({ RegionId: t.str(64), Ipv6AddressId: t.str(64).optional(), Ipv6InternetBandwidthId: t.str(64).optional() }),
    resources: (p, account) => {
      const arns = named((id) => ipv6AddressArn(p.RegionId, account, id), p.Ipv6AddressId);
      return arns.length > 0 ? arns : [ipv6AddressArn(p.RegionId, account, '*')];
    },
    handler: async (ctx, p) => {
      await gw.deleteIpv6InternetBandwidth(ctx, { regionId: p.RegionId, ipv6AddressId: p.Ipv6AddressId, ipv6InternetBandwidthId: p.Ipv6InternetBandwidthId });
      return {};
    },
  }),
  op({
    product: 'vpc', action: 'DescribeIpv6Addresses', ramAction: 'vpc:DescribeIpv6Addresses',
    params: z.object({
      RegionId: t.str(64), Ipv6AddressId: t.str(2048).optional(), Ipv6Address: t.str(64).optional(), VpcId: t.str(64).optional(), VSwitchId: t.str(64).optional(),
      AssociatedInstanceId: t.str(64).optional(), AssociatedInstanceType: t.str(32).optional(), Ipv6InternetBandwidthId: t.str(64).optional(),
      NetworkType: t.str(16).optional(), Name: t.str(512).optional(), PageNumber: t.int().optional(), PageSize: t.int().optional(),
      IncludeReservationData: t.bool().optional(), ResourceGroupId: t.str(64).optional(), Tag: t.tags().optional(),
    }),
    resources: (p, account) => [ipv6AddressArn(p.RegionId, account, '*')],
    handler: async (ctx, p) => {
      const page = await gw.describeIpv6Addresses(ctx, {
        regionId: p.RegionId, ipv6AddressId: p.Ipv6AddressId, ipv6Address: p.Ipv6Address, vpcId: p.VpcId, vSwitchId: p.VSwitchId,
        associatedInstanceId: p.AssociatedInstanceId, ipv6InternetBandwidthId: p.Ipv6InternetBandwidthId, networkType: p.NetworkType,
        pageNumber: p.PageNumber, pageSize: p.PageSize,
      });
      return { TotalCount: page.totalCount, PageNumber: page.pageNumber, PageSize: page.pageSize, Ipv6Addresses: { Ipv6Address: page.items.map(wireAddress) } };
    },
  }),
];
