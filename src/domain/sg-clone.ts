// CloneSecurityGroup (SPEC §1.6), the console's clone served as an API operation: a new group in
// the destination region and network type. Every rule that goes into a group is
// re-validated for that group exactly as AuthorizeSecurityGroup would (normalizeRule, then the
// authorized-group checks), and two rules are "the same" when their ruleKey is equal (a
// group-authorized peer compares by group id and owner account; the description is not part of
// it). Previews and their operations share one planning function, so a preview shows exactly
// what the operation then does; every write is one transaction (ctx.write), all or none.
//
// Network-type translation (clone and import; restore stays within one network type): the SPEC
// is silent; ROS's SecurityGroupClone documents "only rules compatible with the network type of
// the new security group are cloned". Decisions:
// - into a VPC group (always): NicType is dropped (VPC groups know only `intranet`, and their
//   rules govern internal and internet traffic alike), so a classic internet rule becomes the VPC
//   rule; classic rules that then coincide (the same rule on both NICs) are written once, the
//   second reported as skipped (`InvalidParameter.Duplicate`).
// - VPC into classic (clone; import when the content names its `NetworkType` or `VpcId`, as an
//   export does, else rules are taken literally): a CIDR rule becomes an `internet` rule (a VPC
//   rule covers internet traffic; on the classic network that is the internet NIC, which also has
//   no `/32` restriction on ingress CIDRs); a group-authorized rule keeps `intranet` and is then
//   checked like any other.
// - rules that still can't exist in the destination are skipped and reported with the code
//   AuthorizeSecurityGroup would answer: a group-authorized rule whose group is not in the
//   destination region / network type / VPC (`InvalidSourceGroupId.NotFound`,
//   `InvalidNetworkType.Mismatch`, `InvalidSourceGroupId.Mismatch`; so a VPC group cloned to
//   classic never keeps its group rules, which name VPC groups), IPv6 and prefix-list rules on
//   classic, drop / priority / group rules in an advanced group.
import type { CallContext } from './context.ts';
import { apiError, itemError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { getVpcRow } from './vpc.ts';
import { readTags, writeTags } from './tags.ts';
import { checkName } from './names.ts';
import type { Rule } from './sg-rules.ts';
import { type NetworkType, type SkippedRule, adaptNicType, inputOf, permissionOf } from './sg-rule-wire.ts';
import { checkRule, newGroup, openGroup, writeRules } from './sg-rule-gate.ts';
import { GROUP_NAME, groupRow, insertGroup, type GroupType } from './security-groups.ts';

const TAG_TYPE = 'securitygroup';

function parseNetworkType(value: string): NetworkType {
  const v = value.toLowerCase();
  if (v === 'vpc' || v === 'classic') return v;
  throw apiError('InvalidParameter', { name: 'NetworkType', value: value.slice(0, 64), why: 'Use `vpc` or `classic`.' });
}

function checkNewName(value: string): void {
  if (value === '') throw apiError('MissingParameter', { name: 'SecurityGroupName' });
  checkName(value, GROUP_NAME);
}

/**
 * A new group in the destination region and network type, under a new name, with the source's
 * type, description, intra-group policy, resource group and tags, and every rule that can exist
 * there (the rest reported in `skipped`; see the module header). Priority-110 rules are copied:
 * a clone is a backup, and only restore (§1.7) leaves them out.
 */
export async function cloneSecurityGroup(ctx: CallContext, p: {
  regionId: string; securityGroupId: string; destinationRegionId: string; networkType: string;
  destinationVpcId?: string | undefined; securityGroupName: string;
}): Promise<{ securityGroupId: string; clonedCount: number; skipped: SkippedRule[] }> {
  requireRegion(p.regionId);
  requireRegion(p.destinationRegionId);
  const networkType = parseNetworkType(p.networkType);
  checkNewName(p.securityGroupName);
  const vpcId = p.destinationVpcId ?? '';
  if (networkType === 'vpc' && vpcId === '') {
    throw apiError('MissingParameter', 'destinationVpcId');
  }
  if (networkType === 'classic' && vpcId !== '') {
    throw apiError('InvalidParameter', { name: 'DestinationVpcId', value: vpcId.slice(0, 64), why: 'It is only for `NetworkType` `vpc`.' });
  }
  const accountId = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    const source = await groupRow(tx, accountId, p.securityGroupId, p.regionId);
    if (source.type === 'enterprise' && networkType === 'classic') {
      throw apiError('InvalidNetworkType.Conflict', 'clone', { groupId: source.id });
    }
    if (networkType === 'vpc') await getVpcRow(tx, accountId, vpcId, p.destinationRegionId);
    const id = await insertGroup(ctx, tx, {
      regionId: p.destinationRegionId, vpcId, type: source.type as GroupType, name: p.securityGroupName, description: source.description,
      innerAccessPolicy: source.inner_access_policy as 'Accept' | 'Drop', resourceGroupId: source.resource_group_id,
    });
    await writeTags(tx, accountId, TAG_TYPE, id, (await readTags(tx, TAG_TYPE, [source.id])).get(source.id) ?? []);

    const dest = newGroup({ type: source.type as GroupType, networkType, securityGroupId: id, accountId, regionId: p.destinationRegionId, vpcId });
    const from = source.network_type as NetworkType;
    const keep: Array<{ rule: Rule; key: string }> = [];
    const keys = new Set<string>();
    const skipped: SkippedRule[] = [];
    for (const r of (await openGroup(ctx, tx, source)).rules) {
      const direction = r.rule.direction;
      const input = inputOf(r.rule);
      const prepared = await checkRule(tx, dest.target, direction, adaptNicType(direction, input, from, networkType), { allowSystemPriority: true });
      if (!prepared.ok) {
        skipped.push({ code: prepared.error.code, message: prepared.error.message, permission: permissionOf(r.rule, r.id, r.createTime) });
      } else if (keys.has(prepared.key)) {
        skipped.push({ ...itemError('InvalidParameter.Duplicate', 'translated'), permission: permissionOf(r.rule, r.id, r.createTime) });
      } else {
        keys.add(prepared.key);
        keep.push(prepared);
      }
    }
    await writeRules(ctx, tx, dest, keep);
    return { securityGroupId: id, clonedCount: keep.length, skipped };
  });
}

