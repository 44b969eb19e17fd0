// ECS 2014-05-26: TagResources, UntagResources and ListTagResources for the resources Parapet tags
// (security groups and instances).
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { t } from '../params.ts';
import * as tagging from '../../domain/tagging.ts';

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
