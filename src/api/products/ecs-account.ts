// ECS 2014-05-26: DescribeAccountAttributes, the account's quotas in a region
// (domain/account-attributes.ts). Response: `AccountAttributeItems: { AccountAttributeItem:
// [{ AttributeName, AttributeValues: { ValueItem: [{ Value, ZoneId? }] } }] }`.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { t } from '../params.ts';
import { describeAccountAttributes } from '../../domain/account-attributes.ts';

export const accountOperations = [
  op({
    product: 'ecs', action: 'DescribeAccountAttributes', ramAction: 'ecs:DescribeAccountAttributes',
    params: z.object({ RegionId: t.str(64), ZoneId: t.str(64).optional(), AttributeName: t.list(t.str(128), 100).optional() }),
    resources: (p, account) => [arn('ecs', p.RegionId, account, '*')],
    handler: async (ctx, p) => {
      const items = await describeAccountAttributes(ctx, { regionId: p.RegionId, zoneId: p.ZoneId, attributeNames: p.AttributeName });
      return {
        AccountAttributeItems: {
          AccountAttributeItem: items.map((a) => ({
            AttributeName: a.name,
            AttributeValues: { ValueItem: a.values.map((v) => ({ Value: v.value, ...(v.zoneId !== undefined ? { ZoneId: v.zoneId } : {}) })) },
          })),
        },
      };
    },
  }),
];
