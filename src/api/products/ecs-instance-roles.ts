// ECS 2014-05-26: instance RAM roles and metadata options; Parapet 2026-11-01:
// IssueInstanceMetadataEndpoint (an expiring capability URL of an instance's metadata tree).
import { z } from 'zod';
import { op } from '../catalog.ts';
import { instanceArn } from '../../domain/arns.ts';
import { t } from '../params.ts';
import * as roles from '../../domain/instance-roles.ts';
import { ENDPOINT_ACTION, endpointExpiration, issueEndpoint } from '../../domain/metadata-endpoint.ts';


export const instanceRoleOperations = [
  op({
    product: 'ecs', action: 'AttachInstanceRamRole', ramAction: 'ecs:AttachInstanceRamRole',
    params: z.object({ RegionId: t.str(64), InstanceIds: t.jsonList(t.str(128), 100), RamRoleName: t.str(128), Policy: t.str(4096).optional() }),
    resources: (p, account) => p.InstanceIds.map((id) => instanceArn(p.RegionId, account, id)),
    passRole: (p) => p.RamRoleName,
    handler: async (ctx, p) => {
      const results = await roles.attachInstanceRamRole(ctx, { regionId: p.RegionId, instanceIds: p.InstanceIds, roleName: p.RamRoleName });
      return {
        RamRoleName: p.RamRoleName, TotalCount: results.length, FailCount: results.filter((r) => !r.success).length,
        AttachInstanceRamRoleResults: { AttachInstanceRamRoleResult: results.map((r) => ({ InstanceId: r.instanceId, Success: r.success, Code: r.code, Message: r.message })) },
      };
    },
  }),
  op({
    product: 'ecs', action: 'DetachInstanceRamRole', ramAction: 'ecs:DetachInstanceRamRole',
    params: z.object({ RegionId: t.str(64), InstanceIds: t.jsonList(t.str(128), 100), RamRoleName: t.str(128).optional() }),
    resources: (p, account) => p.InstanceIds.map((id) => instanceArn(p.RegionId, account, id)),
    handler: async (ctx, p) => {
      const results = await roles.detachInstanceRamRole(ctx, { regionId: p.RegionId, instanceIds: p.InstanceIds, roleName: p.RamRoleName });
      return {
        RamRoleName: p.RamRoleName ?? '', TotalCount: results.length, FailCount: results.filter((r) => !r.success).length,
        DetachInstanceRamRoleResults: { DetachInstanceRamRoleResult: results.map((r) => ({ InstanceId: r.instanceId, Success: r.success, Code: r.code, Message: r.message, InstanceRamRoleSets: { InstanceRamRoleSet: [{ InstanceId: r.instanceId, RamRoleName: r.roleName }] } })) },
      };
    },
  }),
  op({
    product: 'ecs', action: 'DescribeInstanceRamRole', ramAction: 'ecs:DescribeInstanceRamRole',
    params: z.object({ RegionId: t.str(64), InstanceIds: t.jsonList(t.str(128), 100).optional(), RamRoleName: t.str(128).optional(), PageNumber: t.int().optional(), PageSize: t.int().optional() }),
    resources: (p, account) => [instanceArn(p.RegionId, account, '*')],
    handler: async (ctx, p) => {
      const sets = await roles.describeInstanceRamRoles(ctx, { regionId: p.RegionId, instanceIds: p.InstanceIds, roleName: p.RamRoleName });
      return { RegionId: p.RegionId, TotalCount: sets.length, InstanceRamRoleSets: { InstanceRamRoleSet: sets.map((s) => ({ InstanceId: s.instanceId, RamRoleName: s.roleName })) } };
    },
  }),
  op({
    product: 'ecs', action: 'ModifyInstanceMetadataOptions', ramAction: 'ecs:ModifyInstanceMetadataOptions',
    params: z.object({ RegionId: t.str(64).optional(), InstanceId: t.str(128), HttpEndpoint: t.str(16).optional(), HttpTokens: t.str(16).optional(), HttpPutResponseHopLimit: t.int().optional(), InstanceMetadataTags: t.str(16).optional() }),
    resources: (p, account) => [instanceArn(p.RegionId ?? '*', account, p.InstanceId)],
    handler: async (ctx, p) => { await roles.modifyMetadataOptions(ctx, { instanceId: p.InstanceId, httpEndpoint: p.HttpEndpoint, httpTokens: p.HttpTokens }); return {}; },
  }),
  op({
    // a capability to act as the instance's role: its own action, outside every read-only
    // wildcard, and PassRole on the role (src/domain/metadata-endpoint.ts)
    product: 'parapet', action: 'IssueInstanceMetadataEndpoint', ramAction: ENDPOINT_ACTION,
    params: z.object({ RegionId: t.str(64), InstanceId: t.str(128), DurationSeconds: t.int().optional() }),
    resources: (p, account) => [instanceArn(p.RegionId, account, p.InstanceId)],
    handler: async (ctx, p) => {
      const e = await issueEndpoint(ctx, { regionId: p.RegionId, instanceId: p.InstanceId, durationSeconds: p.DurationSeconds });
      return { InstanceId: p.InstanceId, Endpoint: `${ctx.baseUrl ?? ''}/metadata/${e.token}`, Expiration: endpointExpiration(e.expiresAt) };
    },
  }),
];
