// Cloud Enterprise Network, Cbn 2017-09-12 (HostId `cbn.aliyuncs.com`): CEN instances and the VPCs
// attached to them (docs/CEN.md). RAM actions `cen:<Action>` on the CEN's ARN
// `acs:cen:*:{account}:ceninstance/{CenId}` and on the ARN of the caller's own VPC a call names
// (another account's VPC is its owner's to govern: its grant, GrantInstanceToCen, is checked in the
// domain). The VPC side of cross-account attachment (GrantInstanceToCen, RevokeInstanceFromCen,
// DescribeGrantRulesToCen) is in vpc.ts.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { t } from '../params.ts';
import { vpcArn } from '../../domain/arns.ts';
import * as cen from '../../domain/cen.ts';
import type { CallContext } from '../../domain/context.ts';

export const cenArn = (account: string, cenId: string): string => arn('cen', '*', account, `ceninstance/${cenId}`);

/** The CEN and, when it is the caller's own, the VPC a child-instance call names. */
const childResources = (p: { CenId: string; ChildInstanceId: string; ChildInstanceRegionId: string; ChildInstanceOwnerId?: string | undefined }, account: string): string[] => {
  const owner = p.ChildInstanceOwnerId === undefined ? account : p.ChildInstanceOwnerId;
  return [cenArn(account, p.CenId), ...(owner === account ? [vpcArn(p.ChildInstanceRegionId, account, p.ChildInstanceId)] : [])];
};

/** an account id (16 digits: past what `t.int()` takes) */
const accountIdParam = z.string().regex(/^[0-9]{1,20}$/);

const childParams = z.object({
  CenId: t.str(64), ChildInstanceId: t.str(64), ChildInstanceType: t.str(16), ChildInstanceRegionId: t.str(64),
  ChildInstanceOwnerId: accountIdParam.optional(), CenOwnerId: accountIdParam.optional(),
});

/** DescribeCens' `Filter.N.Key` / `Filter.N.Value.M`: `CenId` and `Name` are read; other keys are refused. */
const filters = t.list(z.object({ Key: t.str(64), Value: t.list(t.str(128), 100).optional() }), 5);

/** Attach and Detach: the same parameters, resources and shape; `fn` is the domain's step. */
const childOp = (action: 'AttachCenChildInstance' | 'DetachCenChildInstance', fn: (ctx: CallContext, p: cen.ChildParams) => Promise<void>) => op({
  product: 'cbn', action, ramAction: `cen:${action}`,
  params: childParams,
  resources: childResources,
  handler: async (ctx, p) => {
    await fn(ctx, {
      cenId: p.CenId, childInstanceId: p.ChildInstanceId, childInstanceType: p.ChildInstanceType, childInstanceRegionId: p.ChildInstanceRegionId,
      childInstanceOwnerId: p.ChildInstanceOwnerId,
    });
    return {};
  },
});

export const cbnOperations = [
  op({
    product: 'cbn', action: 'CreateCen', ramAction: 'cen:CreateCen', idempotent: true,
    params: z.object({
      Name: t.str(256).optional(), Description: t.str(512).optional(), ProtectionLevel: t.str(32).optional(), ClientToken: t.str(64).optional(),
      ResourceGroupId: t.str(64).optional(), Tag: t.tags().optional(),
    }),
    resources: (_p, account) => [arn('cen', '*', account, 'ceninstance/*')],
    handler: async (ctx, p) => {
      const r = await cen.createCen(ctx, { name: p.Name, description: p.Description, protectionLevel: p.ProtectionLevel });
      return { CenId: r.cenId };
    },
  }),
  op({
    product: 'cbn', action: 'DescribeCens', ramAction: 'cen:DescribeCens',
    params: z.object({ PageNumber: t.int().optional(), PageSize: t.int().optional(), Filter: filters.optional(), ResourceGroupId: t.str(64).optional(), Tag: t.tags().optional() }),
    resources: (_p, account) => [arn('cen', '*', account, 'ceninstance/*')],
    handler: async (ctx, p) => {
      const cenIds: string[] = [];
      let name: string | undefined;
      for (const f of p.Filter ?? []) {
        if (f.Key === 'CenId') cenIds.push(...(f.Value ?? []));
        else if (f.Key === 'Name') name = f.Value?.[0];
        else throw cen.badFilter(f.Key);
      }
      const page = await cen.describeCens(ctx, { cenIds: p.Filter?.some((f) => f.Key === 'CenId') === true ? (cenIds.length > 0 ? cenIds : ['']) : undefined, name, pageNumber: p.PageNumber, pageSize: p.PageSize });
      return {
        TotalCount: page.totalCount, PageNumber: page.pageNumber, PageSize: page.pageSize,
        Cens: {
          Cen: page.items.map((c) => ({
            CenId: c.cenId, Name: c.name, Description: c.description, ProtectionLevel: c.protectionLevel, Status: c.status, CreationTime: c.creationTime,
            Ipv6Level: 'DISABLED', ResourceGroupId: 'rg-default', CenBandwidthPackageIds: { CenBandwidthPackageId: [] }, Tags: { Tag: [] },
          })),
        },
      };
    },
  }),
  op({
    product: 'cbn', action: 'DeleteCen', ramAction: 'cen:DeleteCen',
    params: z.object({ CenId: t.str(64) }),
    resources: (p, account) => [cenArn(account, p.CenId)],
    handler: async (ctx, p) => {
      await cen.deleteCen(ctx, { cenId: p.CenId });
      return {};
    },
  }),
  childOp('AttachCenChildInstance', cen.attachChildInstance),
  childOp('DetachCenChildInstance', cen.detachChildInstance),
  op({
    product: 'cbn', action: 'DescribeCenAttachedChildInstances', ramAction: 'cen:DescribeCenAttachedChildInstances',
    params: z.object({ CenId: t.str(64), ChildInstanceRegionId: t.str(64).optional(), ChildInstanceType: t.str(16).optional(), PageNumber: t.int().optional(), PageSize: t.int().optional() }),
    resources: (p, account) => [cenArn(account, p.CenId)],
    handler: async (ctx, p) => {
      const page = await cen.describeAttachedChildInstances(ctx, { cenId: p.CenId, childInstanceRegionId: p.ChildInstanceRegionId, childInstanceType: p.ChildInstanceType, pageNumber: p.PageNumber, pageSize: p.PageSize });
      return {
        TotalCount: page.totalCount, PageNumber: page.pageNumber, PageSize: page.pageSize,
        ChildInstances: {
          ChildInstance: page.items.map((c) => ({
            CenId: c.cenId, ChildInstanceId: c.childInstanceId, ChildInstanceType: c.childInstanceType, ChildInstanceRegionId: c.childInstanceRegionId,
            ChildInstanceOwnerId: Number(c.childInstanceOwnerId), Status: c.status, ChildInstanceAttachTime: c.childInstanceAttachTime, ChildInstanceName: '',
          })),
        },
      };
    },
  }),
];
