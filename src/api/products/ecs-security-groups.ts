// ECS 2014-05-26: security groups and their rules.
import { z } from 'zod';
import { op } from '../catalog.ts';
import { sgArn, vpcArn, named, peerGroups, peerPrefixLists } from '../../domain/arns.ts';
import { t } from '../params.ts';
import * as sg from '../../domain/security-groups.ts';
import * as rules from '../../domain/sg-permissions.ts';
import type { Direction, RuleInput } from '../../domain/sg-rules.ts';
import { RULE_INPUT_FIELDS, toPermission } from '../../domain/sg-rule-wire.ts';
import { apiError } from '../../domain/errors.ts';
import { RawJson, rawJsonOf } from '../../wire/render.ts';

const RULE_FIELDS = RULE_INPUT_FIELDS;
const ruleShape = Object.fromEntries(RULE_FIELDS.map((f) => [f, t.str(1024).optional()])) as Record<(typeof RULE_FIELDS)[number], z.ZodOptional<z.ZodString>>;
const ruleObject = z.object({ ...ruleShape, PortRangeListId: t.str(64).optional() });

/** `Permissions.N` when given, else the deprecated flat parameters as one rule. */
function permissionsOf(p: Partial<Record<(typeof RULE_FIELDS)[number], string>> & { Permissions?: RuleInput[] | undefined }): Array<{ input: RuleInput; param: string }> {
  if (p.Permissions !== undefined && p.Permissions.length > 0) return p.Permissions.map((input, i) => ({ input, param: `Permissions.${i + 1}.` }));
  const flat: RuleInput = {};
  let any = false;
  for (const f of RULE_FIELDS) {
    const v = p[f];
    if (v !== undefined) { flat[f] = v; any = true; }
  }
  return any ? [{ input: flat, param: '' }] : [];
}

const wireTags = (tags: Array<{ key: string; value: string }>) => ({ Tag: tags.map((x) => ({ TagKey: x.key, TagValue: x.value })) });

const groupJson = new WeakMap<sg.SecurityGroup, RawJson>();
const wireGroup = (g: sg.SecurityGroup) => rawJsonOf(groupJson, g, () => ({
  SecurityGroupId: g.securityGroupId, SecurityGroupName: g.name, Description: g.description, SecurityGroupType: g.type,
  VpcId: g.vpcId, CreationTime: g.creationTime, ResourceGroupId: g.resourceGroupId, ServiceManaged: false,
  RuleCount: g.rules.length, GroupToGroupRuleCount: g.groupToGroupRuleCount, EcsCount: g.ecsCount, AvailableInstanceAmount: g.type === 'enterprise' ? 65536 : 2000,
  Tags: wireTags(g.tags),
}));
const permissionsJson = new WeakMap<sg.SecurityGroup, RawJson>();
const wirePermissions = (g: sg.SecurityGroup) => rawJsonOf(permissionsJson, g, () =>
  g.rules.map((r) => toPermission(r.rule, { securityGroupRuleId: r.ruleId, createTime: r.createTime, prefixListNames: g.prefixListNames })));

const directionOf = (action: string): Direction => (action.includes('Egress') ? 'egress' : 'ingress');

function authorizeOp(action: 'AuthorizeSecurityGroup' | 'AuthorizeSecurityGroupEgress') {
  return op({
    product: 'ecs', action, ramAction: `ecs:${action}`,
    params: z.object({ RegionId: t.str(64), SecurityGroupId: t.str(128), ClientToken: t.str(64).optional(), Permissions: t.list(ruleObject, 100).optional(), ...ruleShape }),
    resources: (p, account) => {
      const inputs = permissionsOf(p).map((x) => x.input as Record<string, string | undefined>);
      return [sgArn(p.RegionId, account, p.SecurityGroupId), ...peerGroups(p.RegionId, account, inputs), ...peerPrefixLists(p.RegionId, account, inputs)];
    },
    handler: async (ctx, p) => {
      await rules.authorize(ctx, { regionId: p.RegionId, securityGroupId: p.SecurityGroupId, direction: directionOf(action), permissions: permissionsOf(p) });
      return {};
    },
  });
}

function revokeOp(action: 'RevokeSecurityGroup' | 'RevokeSecurityGroupEgress') {
  return op({
    product: 'ecs', action, ramAction: `ecs:${action}`,
    params: z.object({
      RegionId: t.str(64), SecurityGroupId: t.str(128), ClientToken: t.str(64).optional(), Permissions: t.list(ruleObject, 100).optional(),
      SecurityGroupRuleId: t.list(t.str(128), 100).optional(), ...ruleShape,
    }),
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId)],
    handler: async (ctx, p) => {
      await rules.revoke(ctx, { regionId: p.RegionId, securityGroupId: p.SecurityGroupId, direction: directionOf(action), permissions: permissionsOf(p), ruleIds: p.SecurityGroupRuleId ?? [] });
      return {};
    },
  });
}

function modifyRuleOp(action: 'ModifySecurityGroupRule' | 'ModifySecurityGroupEgressRule') {
  return op({
    product: 'ecs', action, ramAction: `ecs:${action}`,
    params: z.object({ RegionId: t.str(64), SecurityGroupId: t.str(128), SecurityGroupRuleId: t.str(128).optional(), ClientToken: t.str(64).optional(), ...ruleShape }),
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId), ...peerGroups(p.RegionId, account, [p]), ...peerPrefixLists(p.RegionId, account, [p])],
    handler: async (ctx, p) => {
      const input: RuleInput = {};
      for (const f of RULE_FIELDS) if (p[f] !== undefined) input[f] = p[f];
      await rules.modifyRule(ctx, { regionId: p.RegionId, securityGroupId: p.SecurityGroupId, direction: directionOf(action), ruleId: p.SecurityGroupRuleId, input });
      return {};
    },
  });
}

export const securityGroupOperations = [
  op({
    product: 'ecs', action: 'CreateSecurityGroup', ramAction: 'ecs:CreateSecurityGroup', idempotent: true,
    params: z.object({
      RegionId: t.str(64), VpcId: t.str(128).optional(), SecurityGroupType: t.str(32).optional(), SecurityGroupName: t.str(512).optional(),
      Description: t.str(1024).optional(), ResourceGroupId: t.str(64).optional(), ClientToken: t.str(64).optional(), Tag: t.tags().optional(),
      ServiceManaged: t.bool().optional(), DryRun: t.bool().optional(),
    }),
    resources: (p, account) => [sgArn(p.RegionId, account, '*'), ...named((id) => vpcArn(p.RegionId, account, id), p.VpcId)],
    handler: async (ctx, p) => {
      const r = await sg.createSecurityGroup(ctx, { regionId: p.RegionId, vpcId: p.VpcId, securityGroupType: p.SecurityGroupType, securityGroupName: p.SecurityGroupName, description: p.Description, resourceGroupId: p.ResourceGroupId, tags: p.Tag });
      return { SecurityGroupId: r.securityGroupId };
    },
  }),
  op({
    product: 'ecs', action: 'DescribeSecurityGroups', ramAction: 'ecs:DescribeSecurityGroups',
    params: z.object({
      RegionId: t.str(64), SecurityGroupId: t.str(128).optional(), SecurityGroupIds: t.jsonList(t.str(128), 1000).optional(),
      SecurityGroupName: t.str(512).optional(), VpcId: t.str(128).optional(), SecurityGroupType: t.str(32).optional(),
      NetworkType: t.str(32).optional(), ResourceGroupId: t.str(64).optional(), Tag: t.tags().optional(), PageNumber: t.int().optional(),
      PageSize: t.int().optional(), MaxResults: t.int().optional(), NextToken: t.str(256).optional(), DryRun: t.bool().optional(),
      FuzzyQuery: t.bool().optional(), IsQueryEcsCount: t.bool().optional(), ServiceManaged: t.bool().optional(),
    }),
    resources: (p, account) => [sgArn(p.RegionId, account, '*')],
    handler: async (ctx, p) => {
      const r = await sg.describeSecurityGroups(ctx, {
        regionId: p.RegionId, securityGroupId: p.SecurityGroupId, securityGroupIds: p.SecurityGroupIds, securityGroupName: p.SecurityGroupName,
        vpcId: p.VpcId, securityGroupType: p.SecurityGroupType, networkType: p.NetworkType, resourceGroupId: p.ResourceGroupId,
        tags: p.Tag, pageNumber: p.PageNumber, pageSize: p.PageSize, maxResults: p.MaxResults, nextToken: p.NextToken,
      });
      return {
        RegionId: p.RegionId, TotalCount: r.totalCount, PageNumber: r.pageNumber, PageSize: r.pageSize,
        ...(r.nextToken !== undefined ? { NextToken: r.nextToken } : {}),
        SecurityGroups: { SecurityGroup: r.items.map(wireGroup) },
      };
    },
  }),
  op({
    product: 'ecs', action: 'DescribeSecurityGroupAttribute', ramAction: 'ecs:DescribeSecurityGroupAttribute',
    params: z.object({
      RegionId: t.str(64), SecurityGroupId: t.str(128), Direction: t.str(16).optional(), NicType: t.str(16).optional(),
      MaxResults: t.int().optional(), NextToken: t.str(256).optional(), Attribute: t.str(64).optional(),
    }),
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId)],
    handler: async (ctx, p) => {
      const direction = p.Direction ?? 'all';
      if (direction !== 'all' && direction !== 'ingress' && direction !== 'egress') {
        throw apiError('InvalidDirection.Malformed', 'orAll', { value: direction });
      }
      if (p.NicType !== undefined && p.NicType !== 'intranet' && p.NicType !== 'internet') {
        throw apiError('InvalidNicType.ValueNotSupported', 'describe', { value: p.NicType });
      }
      const g = await sg.describeSecurityGroup(ctx, p.RegionId, p.SecurityGroupId);
      const nicType = p.NicType ?? 'intranet';
      const all = direction === 'all' && (g.networkType === 'vpc' || p.NicType === undefined);
      const permissions = all ? wirePermissions(g)
        : g.rules.filter((r) => (direction === 'all' || r.rule.direction === direction) && (g.networkType === 'vpc' || r.rule.nicType === nicType))
          .map((r) => toPermission(r.rule, { securityGroupRuleId: r.ruleId, createTime: r.createTime, prefixListNames: g.prefixListNames }));
      return {
        RegionId: g.regionId, SecurityGroupId: g.securityGroupId, SecurityGroupName: g.name, Description: g.description, VpcId: g.vpcId,
        InnerAccessPolicy: g.type === 'enterprise' ? 'Drop' : g.innerAccessPolicy,
        Permissions: { Permission: permissions },
      };
    },
  }),
  op({
    product: 'ecs', action: 'ModifySecurityGroupAttribute', ramAction: 'ecs:ModifySecurityGroupAttribute',
    params: z.object({ RegionId: t.str(64), SecurityGroupId: t.str(128), SecurityGroupName: t.str(512).optional(), Description: t.str(1024).optional() }),
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId)],
    handler: async (ctx, p) => {
      await sg.modifySecurityGroupAttribute(ctx, { regionId: p.RegionId, securityGroupId: p.SecurityGroupId, securityGroupName: p.SecurityGroupName, description: p.Description });
      return {};
    },
  }),
  op({
    product: 'ecs', action: 'ModifySecurityGroupPolicy', ramAction: 'ecs:ModifySecurityGroupPolicy',
    params: z.object({ RegionId: t.str(64), SecurityGroupId: t.str(128), InnerAccessPolicy: t.str(16), ClientToken: t.str(64).optional() }),
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId)],
    handler: async (ctx, p) => {
      await sg.modifySecurityGroupPolicy(ctx, { regionId: p.RegionId, securityGroupId: p.SecurityGroupId, innerAccessPolicy: p.InnerAccessPolicy });
      return {};
    },
  }),
  op({
    product: 'ecs', action: 'DeleteSecurityGroup', ramAction: 'ecs:DeleteSecurityGroup',
    params: z.object({ RegionId: t.str(64), SecurityGroupId: t.str(128) }),
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId)],
    handler: async (ctx, p) => {
      await sg.deleteSecurityGroup(ctx, { regionId: p.RegionId, securityGroupId: p.SecurityGroupId });
      return {};
    },
  }),
  op({
    product: 'ecs', action: 'DescribeSecurityGroupReferences', ramAction: 'ecs:DescribeSecurityGroupReferences',
    params: z.object({ RegionId: t.str(64), SecurityGroupId: t.list(t.str(128), 100) }),
    resources: (p, account) => p.SecurityGroupId.map((id) => sgArn(p.RegionId, account, id)),
    handler: async (ctx, p) => {
      const refs = await sg.describeSecurityGroupReferences(ctx, { regionId: p.RegionId, securityGroupIds: p.SecurityGroupId });
      return {
        SecurityGroupReferences: {
          SecurityGroupReference: refs.map((r) => ({
            SecurityGroupId: r.securityGroupId,
            ReferencingSecurityGroups: { ReferencingSecurityGroup: r.referencing.map((x) => ({ SecurityGroupId: x.securityGroupId, AliUid: x.accountId })) },
          })),
        },
      };
    },
  }),
  authorizeOp('AuthorizeSecurityGroup'),
  authorizeOp('AuthorizeSecurityGroupEgress'),
  revokeOp('RevokeSecurityGroup'),
  revokeOp('RevokeSecurityGroupEgress'),
  modifyRuleOp('ModifySecurityGroupRule'),
  modifyRuleOp('ModifySecurityGroupEgressRule'),
];
