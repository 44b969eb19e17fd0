// Parapet 2026-11-01: the ECS console's security-group features as API operations (SPEC §1.6
// clone, §1.7 restore / export / import); the work is in domain/sg-clone.ts, sg-restore.ts and sg-export-import.ts. Wire shapes
// (lists wrapped the Alibaba way, so XML repeats the inner element):
// - CloneSecurityGroup → `SecurityGroupId`, `ClonedCount`,
//   `SkippedRules: { SkippedRule: [{ Code, Message, Permission }] }` (rules the destination can't take).
// - PreviewRestoreSecurityGroupRules → `Method`, `RulesToAdd: { Permission: [...] }`,
//   `RulesToRemove: { Permission: [...] }`, `SkippedRules: { SkippedRule: [...] }` (the target's
//   priority-110 rules and rules the group can't take). RestoreSecurityGroupRules → `AddedCount`,
//   `RemovedCount`, `SkippedRules`.
// - ExportSecurityGroupRules → `FileName`, `Content`. `Format` is json | csv (default json). It is
//   also the protocol's response-format parameter: the wire layer keeps `json`/`xml` for itself
//   (so `Format=json` reaches the default here) and hands any other value to the operation.
// - PreviewImportSecurityGroupRules → `TotalCount`, `ImportableCount`,
//   `Results: { Result: [{ Index, Success, Code, Message, Permission? }] }`; ImportSecurityGroupRules
//   → `TotalCount`, `ImportedCount`, `Results` (Permission of an imported rule carries its new
//   SecurityGroupRuleId). `Code`/`Message` are '' on success; `Permission` (the rule as written
//   to the group) is absent when the entry does not validate as a rule for the group.
// - CreateSecurityGroupFromTemplate → `SecurityGroupId`, `RuleCount` (the template's rules written);
//   the parameters of CreateSecurityGroup plus `Template` (domain/sg-templates.ts).
// Every `Permission` has the DescribeSecurityGroupAttribute shape (sg-rule-wire.ts toPermission).
import { z } from 'zod';
import { op } from '../catalog.ts';
import { sgArn, vpcArn, named } from '../../domain/arns.ts';
import { t } from '../params.ts';
import * as clone from '../../domain/sg-clone.ts';
import * as restore from '../../domain/sg-restore.ts';
import * as io from '../../domain/sg-export-import.ts';
import * as wire from '../../domain/sg-rule-wire.ts';
import { createSecurityGroupFromTemplate } from '../../domain/sg-templates.ts';

const wireSkipped = (skipped: wire.SkippedRule[]) => ({
  SkippedRule: skipped.map((s) => ({ Code: s.code, Message: s.message, Permission: s.permission })),
});

const wireResults = (results: io.ImportResult[]) => ({
  Result: results.map((r) => ({
    Index: r.index, Success: r.success, Code: r.code, Message: r.message, ...(r.permission !== undefined ? { Permission: r.permission } : {}),
  })),
});

const restoreParams = z.object({ RegionId: t.str(64), SecurityGroupId: t.str(128), TargetSecurityGroupId: t.str(128), Method: t.str(32) });
const importParams = z.object({ RegionId: t.str(64), SecurityGroupId: t.str(128), Content: t.str(1024 * 1024) });

export const parapetSecurityGroupOperations = [
  op({
    product: 'parapet', action: 'CloneSecurityGroup', ramAction: 'ecs:CloneSecurityGroup', idempotent: true,
    params: z.object({
      RegionId: t.str(64), SecurityGroupId: t.str(128), DestinationRegionId: t.str(64), NetworkType: t.str(32),
      DestinationVpcId: t.str(128).optional(), SecurityGroupName: t.str(512), ClientToken: t.str(64).optional(),
    }),
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId), sgArn(p.DestinationRegionId, account, '*'), ...named((id) => vpcArn(p.DestinationRegionId, account, id), p.DestinationVpcId)],
    handler: async (ctx, p) => {
      const r = await clone.cloneSecurityGroup(ctx, {
        regionId: p.RegionId, securityGroupId: p.SecurityGroupId, destinationRegionId: p.DestinationRegionId,
        networkType: p.NetworkType, destinationVpcId: p.DestinationVpcId, securityGroupName: p.SecurityGroupName,
      });
      return { SecurityGroupId: r.securityGroupId, ClonedCount: r.clonedCount, SkippedRules: wireSkipped(r.skipped) };
    },
  }),
  op({
    product: 'parapet', action: 'PreviewRestoreSecurityGroupRules', ramAction: 'ecs:PreviewRestoreSecurityGroupRules',
    params: restoreParams,
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId), sgArn(p.RegionId, account, p.TargetSecurityGroupId)],
    handler: async (ctx, p) => {
      const plan = await restore.previewRestore(ctx, { regionId: p.RegionId, securityGroupId: p.SecurityGroupId, targetSecurityGroupId: p.TargetSecurityGroupId, method: p.Method });
      return {
        SecurityGroupId: plan.securityGroupId, TargetSecurityGroupId: plan.targetSecurityGroupId, Method: plan.method,
        RulesToAdd: { Permission: plan.toAdd.map((x) => wire.permissionOf(x.rule)) },
        RulesToRemove: { Permission: plan.toRemove.map((x) => wire.permissionOf(x.rule, x.id, x.createTime)) },
        SkippedRules: wireSkipped(plan.skipped),
      };
    },
  }),
  op({
    product: 'parapet', action: 'RestoreSecurityGroupRules', ramAction: 'ecs:RestoreSecurityGroupRules',
    params: restoreParams,
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId), sgArn(p.RegionId, account, p.TargetSecurityGroupId)],
    handler: async (ctx, p) => {
      const r = await restore.restore(ctx, { regionId: p.RegionId, securityGroupId: p.SecurityGroupId, targetSecurityGroupId: p.TargetSecurityGroupId, method: p.Method });
      return { AddedCount: r.added, RemovedCount: r.removed, SkippedRules: wireSkipped(r.skipped) };
    },
  }),
  op({
    product: 'parapet', action: 'ExportSecurityGroupRules', ramAction: 'ecs:ExportSecurityGroupRules',
    params: z.object({ RegionId: t.str(64), SecurityGroupId: t.str(128), Format: t.str(16).optional() }),
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId)],
    handler: async (ctx, p) => {
      const format = io.parseExportFormat(p.Format, 'Format');
      const r = await io.exportRules(ctx, { regionId: p.RegionId, securityGroupId: p.SecurityGroupId, format });
      return { FileName: r.fileName, Content: r.content };
    },
  }),
  op({
    product: 'parapet', action: 'PreviewImportSecurityGroupRules', ramAction: 'ecs:PreviewImportSecurityGroupRules',
    params: importParams,
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId)],
    handler: async (ctx, p) => {
      const r = await io.previewImport(ctx, { regionId: p.RegionId, securityGroupId: p.SecurityGroupId, content: p.Content });
      return { SecurityGroupId: p.SecurityGroupId, TotalCount: r.totalCount, ImportableCount: r.importableCount, Results: wireResults(r.results) };
    },
  }),
  op({
    product: 'parapet', action: 'ImportSecurityGroupRules', ramAction: 'ecs:ImportSecurityGroupRules',
    params: importParams,
    resources: (p, account) => [sgArn(p.RegionId, account, p.SecurityGroupId)],
    handler: async (ctx, p) => {
      const r = await io.importRules(ctx, { regionId: p.RegionId, securityGroupId: p.SecurityGroupId, content: p.Content });
      return { SecurityGroupId: p.SecurityGroupId, TotalCount: r.totalCount, ImportedCount: r.importedCount, Results: wireResults(r.results) };
    },
  }),
  op({
    product: 'parapet', action: 'CreateSecurityGroupFromTemplate', ramAction: 'ecs:CreateSecurityGroup', idempotent: true,
    params: z.object({
      RegionId: t.str(64), Template: t.str(64), VpcId: t.str(128).optional(), SecurityGroupType: t.str(32).optional(), SecurityGroupName: t.str(512).optional(),
      Description: t.str(1024).optional(), ResourceGroupId: t.str(64).optional(), ClientToken: t.str(64).optional(), Tag: t.tags().optional(),
    }),
    resources: (p, account) => [sgArn(p.RegionId, account, '*'), ...named((id) => vpcArn(p.RegionId, account, id), p.VpcId)],
    handler: async (ctx, p) => {
      const r = await createSecurityGroupFromTemplate(ctx, {
        regionId: p.RegionId, template: p.Template, vpcId: p.VpcId, securityGroupType: p.SecurityGroupType, securityGroupName: p.SecurityGroupName,
        description: p.Description, resourceGroupId: p.ResourceGroupId, tags: p.Tag,
      });
      return { SecurityGroupId: r.securityGroupId, RuleCount: r.ruleCount };
    },
  }),
];
