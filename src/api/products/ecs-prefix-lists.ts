// ECS 2014-05-26: prefix lists (CreatePrefixList, DescribePrefixLists, DescribePrefixListAttributes,
// ModifyPrefixList, DeletePrefixList, DescribePrefixListAssociations). RAM resources follow the API
// reference: `acs:ecs:{region}:{account}:prefixlist/{id}`, `prefixlist/*` for create and list.
import { z } from 'zod';
import { op } from '../catalog.ts';
import { prefixListArn } from '../../domain/arns.ts';
import { t } from '../params.ts';
import * as pl from '../../domain/prefix-lists.ts';

const entry = z.object({ Cidr: t.str(64).optional(), Description: t.str(1024).optional() });

export const prefixListOperations = [
  op({
    product: 'ecs', action: 'CreatePrefixList', ramAction: 'ecs:CreatePrefixList', idempotent: true,
    params: z.object({
      RegionId: t.str(64), PrefixListName: t.str(1024).optional(), AddressFamily: t.str(16).optional(), MaxEntries: t.int().optional(),
      Description: t.str(1024).optional(), Entry: t.list(entry, 200).optional(), ClientToken: t.str(64).optional(), ResourceGroupId: t.str(64).optional(),
    }),
    resources: (p, account) => [prefixListArn(p.RegionId, account, '*')],
    handler: async (ctx, p) => {
      const id = await pl.createPrefixList(ctx, {
        regionId: p.RegionId, name: p.PrefixListName, addressFamily: p.AddressFamily, maxEntries: p.MaxEntries, description: p.Description, entries: p.Entry ?? [],
      });
      return { PrefixListId: id };
    },
  }),
  op({
    product: 'ecs', action: 'DescribePrefixLists', ramAction: 'ecs:DescribePrefixLists',
    params: z.object({
      RegionId: t.str(64), PrefixListId: t.list(t.str(128), 100).optional(), AddressFamily: t.str(16).optional(), PrefixListName: t.str(1024).optional(),
      NextToken: t.str(256).optional(), MaxResults: t.int().optional(), ResourceGroupId: t.str(64).optional(),
    }),
    resources: (p, account) => [prefixListArn(p.RegionId, account, '*')],
    handler: async (ctx, p) => {
      const page = await pl.describePrefixLists(ctx, {
        regionId: p.RegionId, ids: p.PrefixListId ?? [], addressFamily: p.AddressFamily, name: p.PrefixListName, nextToken: p.NextToken, maxResults: p.MaxResults,
      });
      return {
        NextToken: page.nextToken,
        PrefixLists: {
          PrefixList: page.items.map((l) => ({
            PrefixListId: l.prefixListId, PrefixListName: l.name, Description: l.description, AddressFamily: l.addressFamily, MaxEntries: l.maxEntries,
            AssociationCount: l.associationCount, CreationTime: l.creationTime, ResourceGroupId: '', Tags: { Tag: [] },
          })),
        },
      };
    },
  }),
  op({
    product: 'ecs', action: 'DescribePrefixListAttributes', ramAction: 'ecs:DescribePrefixListAttributes',
    params: z.object({ RegionId: t.str(64), PrefixListId: t.str(128) }),
    resources: (p, account) => [prefixListArn(p.RegionId, account, p.PrefixListId)],
    handler: async (ctx, p) => {
      const l = await pl.describePrefixListAttributes(ctx, { regionId: p.RegionId, prefixListId: p.PrefixListId });
      return {
        PrefixListId: l.prefixListId, PrefixListName: l.name, Description: l.description, AddressFamily: l.addressFamily, MaxEntries: l.maxEntries,
        CreationTime: l.creationTime, Entries: { Entry: l.entries.map((e) => ({ Cidr: e.cidr, Description: e.description })) },
      };
    },
  }),
  op({
    product: 'ecs', action: 'ModifyPrefixList', ramAction: 'ecs:ModifyPrefixList',
    params: z.object({
      RegionId: t.str(64), PrefixListId: t.str(128), PrefixListName: t.str(1024).optional(), Description: t.str(1024).optional(),
      AddEntry: t.list(entry, 200).optional(), RemoveEntry: t.list(z.object({ Cidr: t.str(64).optional() }), 200).optional(),
    }),
    resources: (p, account) => [prefixListArn(p.RegionId, account, p.PrefixListId)],
    handler: async (ctx, p) => {
      await pl.modifyPrefixList(ctx, {
        regionId: p.RegionId, prefixListId: p.PrefixListId, name: p.PrefixListName, description: p.Description, add: p.AddEntry ?? [], remove: p.RemoveEntry ?? [],
      });
      return {};
    },
  }),
  op({
    product: 'ecs', action: 'DeletePrefixList', ramAction: 'ecs:DeletePrefixList',
    params: z.object({ RegionId: t.str(64), PrefixListId: t.str(128) }),
    resources: (p, account) => [prefixListArn(p.RegionId, account, p.PrefixListId)],
    handler: async (ctx, p) => { await pl.deletePrefixList(ctx, { regionId: p.RegionId, prefixListId: p.PrefixListId }); return {}; },
  }),
  op({
    product: 'ecs', action: 'DescribePrefixListAssociations', ramAction: 'ecs:DescribePrefixListAssociations',
    params: z.object({ RegionId: t.str(64), PrefixListId: t.str(128), NextToken: t.str(256).optional(), MaxResults: t.int().optional() }),
    resources: (p, account) => [prefixListArn(p.RegionId, account, p.PrefixListId)],
    handler: async (ctx, p) => {
      const page = await pl.describePrefixListAssociations(ctx, { regionId: p.RegionId, prefixListId: p.PrefixListId, nextToken: p.NextToken, maxResults: p.MaxResults });
      return { NextToken: page.nextToken, PrefixListAssociations: { PrefixListAssociation: page.items.map((a) => ({ ResourceId: a.resourceId, ResourceType: a.resourceType })) } };
    },
  }),
];
