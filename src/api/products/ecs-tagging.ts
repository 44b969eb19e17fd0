// ECS 2014-05-26: TagResources, UntagResources and ListTagResources for the resources Parapet tags
// (security groups and instances), and DescribeTags, the older query of an account's tags.
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
  op({
    product: 'ecs', action: 'DescribeTags', ramAction: 'ecs:DescribeTags',
    params: z.object({
      RegionId: t.str(64), ResourceType: t.str(64).optional(), ResourceId: t.str(128).optional(), Tag: t.tags().optional(),
      PageNumber: t.int().optional(), PageSize: t.int().optional(), Category: t.str(64).optional(),
    }),
    resources: (p, account) => (p.ResourceType !== undefined && p.ResourceType !== ''
      ? [arn('ecs', p.RegionId, account, `${p.ResourceType.toLowerCase()}/${p.ResourceId !== undefined && p.ResourceId !== '' ? p.ResourceId : '*'}`)]
      : [arn('ecs', p.RegionId, account, 'securitygroup/*'), arn('ecs', p.RegionId, account, 'instance/*')]),
    handler: async (ctx, p) => {
      const page = await tagging.describeTags(ctx, { regionId: p.RegionId, resourceType: p.ResourceType, resourceId: p.ResourceId, tags: p.Tag ?? [], pageNumber: p.PageNumber, pageSize: p.PageSize });
      return {
        TotalCount: page.totalCount, PageNumber: page.pageNumber, PageSize: page.pageSize,
        Tags: { Tag: page.items.map((x) => ({
          TagKey: x.key, TagValue: x.value,
          // every type the ECS reference counts; Parapet tags only security groups and instances
          ResourceTypeCount: { Instance: x.counts.instance, Securitygroup: x.counts.securitygroup, Disk: 0, Image: 0, Snapshot: 0, Eni: 0, Ddh: 0, KeyPair: 0, LaunchTemplate: 0, ReservedInstance: 0, SnapshotPolicy: 0, Volume: 0 },
        })) },
      };
    },
  }),
];
