// ECS DescribeRegions and DescribeZones: the fixed catalogue.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { t } from '../params.ts';
import { REGIONS } from '../../domain/regions.ts';
import { requireRegion } from '../../domain/regions.ts';

export const ecsRegionOperations = [
  op({
    product: 'ecs', action: 'DescribeRegions', ramAction: 'ecs:DescribeRegions',
    params: z.object({ AcceptLanguage: t.str(32).optional(), InstanceChargeType: t.str(64).optional(), ResourceType: t.str(64).optional() }),
    resources: () => ['*'],
    handler: async () => ({
      Regions: {
        Region: REGIONS.map((r) => ({ RegionId: r.id, LocalName: r.localName, RegionEndpoint: 'ecs.aliyuncs.com', Status: 'available' })),
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
];
