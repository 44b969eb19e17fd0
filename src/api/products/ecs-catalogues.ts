// ECS 2014-05-26: the fixed catalogues: DescribeRegions, DescribeZones, DescribeImages and
// DescribeInstanceTypes.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { t } from '../params.ts';
import { REGIONS, regionName, requireRegion } from '../../domain/regions.ts';
import { IMAGES, INSTANCE_TYPES } from '../../domain/catalogs.ts';
import { pageOf } from '../../domain/paging.ts';

export const ecsCatalogueOperations = [
  op({
    product: 'ecs', action: 'DescribeRegions', ramAction: 'ecs:DescribeRegions',
    params: z.object({ AcceptLanguage: t.str(32).optional(), InstanceChargeType: t.str(64).optional(), ResourceType: t.str(64).optional() }),
    resources: () => ['*'],
    handler: async (_ctx, p) => ({
      Regions: {
        Region: REGIONS.map((r) => ({ RegionId: r.id, LocalName: regionName(r, p.AcceptLanguage), RegionEndpoint: 'ecs.aliyuncs.com', Status: 'available' })),
      },
    }),
  }),
  op({
    product: 'ecs', action: 'DescribeZones', ramAction: 'ecs:DescribeZones',
    params: z.object({ RegionId: t.str(64), AcceptLanguage: t.str(32).optional(), InstanceChargeType: t.str(64).optional(), Verbose: t.bool().optional(), SpotStrategy: t.str(64).optional() }),
    resources: (p, account) => [arn('ecs', p.RegionId, account, '*')],
    handler: async (_ctx, p) => {
      const region = requireRegion(p.RegionId);
      return {
        Zones: {
          Zone: region.zones.map((z) => ({
            ZoneId: z,
            LocalName: `${region.localName} ${z.slice(-1).toUpperCase()}`,
            ZoneType: 'AvailabilityZone',
            AvailableResourceCreation: { ResourceTypes: ['VSwitch', 'IoOptimized', 'Instance', 'Disk'] },
            AvailableDiskCategories: { DiskCategories: ['cloud_efficiency', 'cloud_ssd', 'cloud_essd'] },
          })),
        },
      };
    },
  }),
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
];
