// Security groups and their rules (SPEC §1): create, describe, modify, delete, the intra-group
// policy, references, and authorize / revoke / modify of rules, every invariant checked inside
// the one transaction that writes. Rule syntax and identity live in sg-rules.ts.
import type { CallContext } from './context.ts';
import { DomainError, errors } from './errors.ts';
import { requireRegion, getVpcRow } from './vpc.ts';
import { type Tag, validateTags, writeTags, deleteTags, readTags, matchesTags } from './tags.ts';
import {
  type Direction, type Rule, type RuleInput, type RuleGroup, normalizeRule, normalizeTuple, ruleKey, ruleMatchesTuple,
} from './sg-rules.ts';
import { isoSeconds } from '../clock.ts';
import type { Db, Tx } from '../store/store.ts';
import type { SecurityGroupTable } from '../store/schema.ts';
import { pageOf } from './paging.ts';

export type GroupType = 'normal' | 'enterprise';

export interface StoredRule {
  ruleId: string;
  rule: Rule;
  createTime: string;
  seq: number;
}

export interface SecurityGroup {
  securityGroupId: string;
  accountId: string;
  regionId: string;
  vpcId: string;
  networkType: 'vpc' | 'classic';
  type: GroupType;
  name: string;
  description: string;
  innerAccessPolicy: 'Accept' | 'Drop';
  resourceGroupId: string;
  creationTime: string;
  tags: Tag[];
  rules: StoredRule[];
  /** rules that authorize another group */
  groupToGroupRuleCount: number;
  /** instances whose primary or secondary ENIs are members */
  ecsCount: number;
}

const TAG_TYPE = 'securitygroup';

function notFound(id: string): DomainError {
  return new DomainError('InvalidSecurityGroupId.NotFound', 404, `The specified SecurityGroupId \`${id}\` does not exist.`);
}

function checkGroupName(value: string | undefined): void {
  if (value === undefined || value === '') return;
  if (value.length < 2 || value.length > 128 || /^https?:\/\//.test(value) || !/^[\p{L}]/u.test(value)) {
    throw new DomainError('InvalidSecurityGroupName.Malformed', 400, `The specified \`SecurityGroupName\` \`${value}\` is invalid: 2 to 128 characters, starting with a letter, not with \`http://\` or \`https://\`.`);
  }
}

function checkDescription(value: string | undefined): void {
  if (value === undefined || value === '') return;
  if (value.length < 2 || value.length > 256 || /^https?:\/\//.test(value)) {
    throw new DomainError('InvalidDescription.Malformed', 400, 'The specified `Description` is invalid: 2 to 256 characters, not starting with `http://` or `https://`.');
  }
}

function ruleGroupOf(row: SecurityGroupTable): RuleGroup {
  return { type: row.type as GroupType, networkType: row.network_type as 'vpc' | 'classic', securityGroupId: row.id, accountId: row.account_id };
}

async function groupRow(db: Db | Tx, accountId: string, id: string, regionId?: string): Promise<SecurityGroupTable> {
  if (!/^sg-[a-z0-9]{1,64}$/.test(id)) {
    throw new DomainError('InvalidSecurityGroupId.Malformed', 400, `The specified SecurityGroupId \`${id}\` is malformed.`);
  }
  const row = await db.selectFrom('security_groups').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  if (row === undefined || (regionId !== undefined && row.region_id !== regionId)) throw notFound(id);
  return row;
}

export async function createSecurityGroup(ctx: CallContext, p: {
  regionId: string; vpcId?: string | undefined; securityGroupType?: string | undefined; securityGroupName?: string | undefined;
  description?: string | undefined; resourceGroupId?: string | undefined; tags?: Tag[] | undefined;
}): Promise<{ securityGroupId: string }> {
  requireRegion(p.regionId);
  const type = (p.securityGroupType ?? 'normal') || 'normal';
  if (type !== 'normal' && type !== 'enterprise') {
    throw new DomainError('InvalidSecurityGroupType.Malformed', 400, `The specified \`SecurityGroupType\` \`${type}\` is invalid: use \`normal\` or \`enterprise\`.`);
  }
  checkGroupName(p.securityGroupName);
  checkDescription(p.description);
  const tags = validateTags(p.tags);
  const vpcId = p.vpcId ?? '';
  if (type === 'enterprise' && vpcId === '') {
    throw new DomainError('InvalidNetworkType.Conflict', 403, 'An advanced (enterprise) security group belongs to a VPC: `VpcId` is required.');
  }
  const accountId = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    if (vpcId !== '') await getVpcRow(tx, accountId, vpcId, p.regionId);
    const count = await tx.selectFrom('security_groups').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId).where('region_id', '=', p.regionId).executeTakeFirstOrThrow();
    if (Number(count.n) >= ctx.limits.securityGroupsPerRegion) {
      throw new DomainError('QuotaExceed.SecurityGroup', 403, `The number of security groups in region \`${p.regionId}\` has reached the quota of ${ctx.limits.securityGroupsPerRegion}.`);
    }
    const id = ctx.ids.resource('sg');
    await tx.insertInto('security_groups').values({
      id, account_id: accountId, region_id: p.regionId, vpc_id: vpcId, network_type: vpcId === '' ? 'classic' : 'vpc', type,
      name: p.securityGroupName ?? '', description: p.description ?? '', inner_access_policy: 'Accept',
      resource_group_id: p.resourceGroupId ?? '', created_at: isoSeconds(ctx.clock.now()),
    }).execute();
    await writeTags(tx, accountId, TAG_TYPE, id, tags);
    return { securityGroupId: id };
  });
}

/** Every group of an account in a region with its rules, newest first, memoized until the next write. */
export function groupsOf(ctx: CallContext, regionId: string): Promise<SecurityGroup[]> {
  const accountId = ctx.principal.accountId;
  return ctx.store.memo(`sgs:${accountId}:${regionId}`, async () => {
    const db = ctx.store.db;
    const rows = await db.selectFrom('security_groups').selectAll().where('account_id', '=', accountId).where('region_id', '=', regionId)
      .orderBy('created_at', 'desc').orderBy('id').execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const tags = await readTags(db, TAG_TYPE, ids);
    const byGroup = new Map<string, StoredRule[]>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const ruleRows = await db.selectFrom('sg_rules').selectAll().where('security_group_id', 'in', chunk).orderBy('seq').execute();
      for (const r of ruleRows) {
        let list = byGroup.get(r.security_group_id);
        if (list === undefined) { list = []; byGroup.set(r.security_group_id, list); }
        list.push({ ruleId: r.id, rule: JSON.parse(r.body) as Rule, createTime: r.created_at, seq: r.seq });
      }
    }
    const members = await db.selectFrom('eni_groups').innerJoin('enis', 'enis.id', 'eni_groups.eni_id')
      .innerJoin('security_groups', 'security_groups.id', 'eni_groups.security_group_id')
      .select(['eni_groups.security_group_id as sg', 'enis.instance_id as instance'])
      .where('security_groups.account_id', '=', accountId).where('security_groups.region_id', '=', regionId).where('enis.instance_id', '!=', '').execute();
    const ecs = new Map<string, Set<string>>();
    for (const m of members) {
      const set = ecs.get(m.sg) ?? new Set<string>();
      set.add(m.instance);
      ecs.set(m.sg, set);
    }
    return rows.map((r) => {
      const rules = byGroup.get(r.id) ?? [];
      return {
        securityGroupId: r.id, accountId: r.account_id, regionId: r.region_id, vpcId: r.vpc_id,
        networkType: r.network_type as 'vpc' | 'classic', type: r.type as GroupType, name: r.name, description: r.description,
        innerAccessPolicy: r.inner_access_policy as 'Accept' | 'Drop', resourceGroupId: r.resource_group_id, creationTime: r.created_at,
        tags: tags.get(r.id) ?? [], rules, groupToGroupRuleCount: rules.filter((x) => x.rule.peer.kind === 'group').length,
        ecsCount: ecs.get(r.id)?.size ?? 0,
      };
    });
  });
}

export interface GroupQuery {
  regionId: string;
  securityGroupId?: string | undefined;
  securityGroupIds?: string[] | undefined;
  securityGroupName?: string | undefined;
  vpcId?: string | undefined;
  securityGroupType?: string | undefined;
  networkType?: string | undefined;
  resourceGroupId?: string | undefined;
  tags?: Tag[] | undefined;
  pageNumber?: number | undefined;
  pageSize?: number | undefined;
  maxResults?: number | undefined;
  nextToken?: string | undefined;
}

export async function describeSecurityGroups(ctx: CallContext, q: GroupQuery): Promise<{
  items: SecurityGroup[]; totalCount: number; pageNumber: number; pageSize: number; nextToken: string | undefined;
}> {
  requireRegion(q.regionId);
  if (q.securityGroupIds !== undefined && q.securityGroupIds.length > 100) {
    throw errors.invalidParameter('SecurityGroupIds', `(${q.securityGroupIds.length} ids)`, 'At most 100 ids may be given.');
  }
  const ids = q.securityGroupIds !== undefined ? new Set(q.securityGroupIds) : undefined;
  const filter = validateTags(q.tags);
  const given = (v: string | undefined): v is string => v !== undefined && v !== '';
  const matched = (await groupsOf(ctx, q.regionId)).filter((g) =>
    (!given(q.securityGroupId) || g.securityGroupId === q.securityGroupId) &&
    (ids === undefined || ids.has(g.securityGroupId)) &&
    (!given(q.securityGroupName) || g.name === q.securityGroupName) &&
    (!given(q.vpcId) || g.vpcId === q.vpcId) &&
    (!given(q.securityGroupType) || g.type === q.securityGroupType) &&
    (!given(q.networkType) || g.networkType === q.networkType) &&
    (!given(q.resourceGroupId) || g.resourceGroupId === q.resourceGroupId) &&
    (filter.length === 0 || matchesTags(g.tags, filter)));
  if (q.maxResults !== undefined || q.nextToken !== undefined) {
    const size = q.maxResults ?? 10;
    if (!Number.isInteger(size) || size < 1 || size > 100) throw errors.invalidParameter('MaxResults', String(q.maxResults), 'It must be between 1 and 100.');
    let start = 0;
    if (given(q.nextToken)) {
      start = q.nextToken.startsWith('o') ? Number(q.nextToken.slice(1)) : NaN;
      if (!Number.isInteger(start) || start < 0) throw new DomainError('InvalidNextToken.Malformed', 400, `The specified \`NextToken\` \`${q.nextToken}\` is invalid.`);
    }
    const items = matched.slice(start, start + size);
    const next = start + size < matched.length ? 'o' + (start + size) : undefined;
    return { items, totalCount: matched.length, pageNumber: 1, pageSize: size, nextToken: next };
  }
  return { ...pageOf(matched, q.pageNumber, q.pageSize, 50), nextToken: undefined };
}

export async function describeSecurityGroup(ctx: CallContext, regionId: string, securityGroupId: string): Promise<SecurityGroup> {
  requireRegion(regionId);
  if (!/^sg-[a-z0-9]{1,64}$/.test(securityGroupId)) {
    throw new DomainError('InvalidSecurityGroupId.Malformed', 400, `The specified SecurityGroupId \`${securityGroupId}\` is malformed.`);
  }
  const g = (await groupsOf(ctx, regionId)).find((x) => x.securityGroupId === securityGroupId);
  if (g === undefined) throw notFound(securityGroupId);
  return g;
}

export async function modifySecurityGroupAttribute(ctx: CallContext, p: { regionId: string; securityGroupId: string; securityGroupName?: string | undefined; description?: string | undefined }): Promise<void> {
  requireRegion(p.regionId);
  checkGroupName(p.securityGroupName);
  checkDescription(p.description);
  await ctx.write(async (tx) => {
    const row = await groupRow(tx, ctx.principal.accountId, p.securityGroupId, p.regionId);
    const set: { name?: string; description?: string } = {};
    if (p.securityGroupName !== undefined) set.name = p.securityGroupName;
    if (p.description !== undefined) set.description = p.description;
    if (Object.keys(set).length > 0) await tx.updateTable('security_groups').set(set).where('id', '=', row.id).execute();
  });
}

export async function modifySecurityGroupPolicy(ctx: CallContext, p: { regionId: string; securityGroupId: string; innerAccessPolicy: string }): Promise<void> {
  requireRegion(p.regionId);
  const policy = p.innerAccessPolicy.toLowerCase() === 'accept' ? 'Accept' : p.innerAccessPolicy.toLowerCase() === 'drop' ? 'Drop' : undefined;
  if (policy === undefined) {
    throw new DomainError('InvalidInnerAccessPolicy.Malformed', 400, `The specified \`InnerAccessPolicy\` \`${p.innerAccessPolicy}\` is invalid: use \`Accept\` or \`Drop\`.`);
  }
  await ctx.write(async (tx) => {
    const row = await groupRow(tx, ctx.principal.accountId, p.securityGroupId, p.regionId);
    if (row.type === 'enterprise') {
      throw new DomainError('OperationDenied', 400, 'An advanced (enterprise) security group has no intra-group policy: its members are isolated unless rules allow.');
    }
    await tx.updateTable('security_groups').set({ inner_access_policy: policy }).where('id', '=', row.id).execute();
  });
}

/** Groups (of any account) whose rules authorize `groupId`. */
async function referencing(db: Db | Tx, groupId: string): Promise<Array<{ securityGroupId: string; accountId: string }>> {
  const rows = await db.selectFrom('sg_rules').innerJoin('security_groups', 'security_groups.id', 'sg_rules.security_group_id')
    .select(['security_groups.id as id', 'security_groups.account_id as account']).where('sg_rules.peer_group_id', '=', groupId)
    .where('sg_rules.security_group_id', '!=', groupId).distinct().execute();
  return rows.map((r) => ({ securityGroupId: r.id, accountId: r.account }));
}

export async function describeSecurityGroupReferences(ctx: CallContext, p: { regionId: string; securityGroupIds: string[] }): Promise<Array<{ securityGroupId: string; referencing: Array<{ securityGroupId: string; accountId: string }> }>> {
  requireRegion(p.regionId);
  if (p.securityGroupIds.length === 0 || p.securityGroupIds.length > 10) {
    throw errors.invalidParameter('SecurityGroupId', `(${p.securityGroupIds.length} ids)`, 'Give 1 to 10 security group ids.');
  }
  const out = [];
  for (const id of p.securityGroupIds) {
    await groupRow(ctx.store.db, ctx.principal.accountId, id, p.regionId);
    out.push({ securityGroupId: id, referencing: await referencing(ctx.store.db, id) });
  }
  return out;
}

export async function deleteSecurityGroup(ctx: CallContext, p: { regionId: string; securityGroupId: string }): Promise<void> {
  requireRegion(p.regionId);
  await ctx.write(async (tx) => {
    const row = await groupRow(tx, ctx.principal.accountId, p.securityGroupId, p.regionId);
    // INVARIANT: a group with members is never deleted.
    const member = await tx.selectFrom('eni_groups').innerJoin('enis', 'enis.id', 'eni_groups.eni_id')
      .select(['enis.id as eni', 'enis.instance_id as instance']).where('eni_groups.security_group_id', '=', row.id).executeTakeFirst();
    if (member !== undefined) {
      throw new DomainError('DependencyViolation', 403, `There are still instance(s) in the specified security group \`${row.id}\` (${member.instance !== '' ? member.instance : member.eni}).`);
    }
    const refs = await referencing(tx, row.id);
    if (refs.length > 0) {
      throw new DomainError('DependencyViolation', 403, `The security group \`${row.id}\` has been authorized in another one: ${refs.map((r) => r.securityGroupId).join(', ')}.`);
    }
    await tx.deleteFrom('sg_rules').where('security_group_id', '=', row.id).execute();
    await tx.deleteFrom('security_groups').where('id', '=', row.id).execute();
    await deleteTags(tx, TAG_TYPE, row.id);
  });
}

/** Checks an authorized group: it exists (in its owner's account), and in a VPC group of the same account it is in the same VPC. */
async function checkPeerGroup(tx: Tx, group: SecurityGroupTable, rule: Rule, param: string): Promise<void> {
  if (rule.peer.kind === 'prefixList') {
    // Parapet keeps no prefix lists yet, so none can be found
    throw new DomainError('InvalidPrefixListId.NotFound', 404, `The specified prefix list \`${rule.peer.prefixListId}\` does not exist.`);
  }
  if (rule.peer.kind !== 'group') return;
  const peer = rule.peer;
  const row = await tx.selectFrom('security_groups').selectAll().where('id', '=', peer.groupId).executeTakeFirst();
  if (row === undefined || row.account_id !== peer.ownerAccountId || row.region_id !== group.region_id) {
    throw new DomainError('InvalidSourceGroupId.NotFound', 404, `The specified \`${param}\` \`${peer.groupId}\` does not exist in region \`${group.region_id}\` of account \`${peer.ownerAccountId}\`.`);
  }
  if (row.network_type !== group.network_type) {
    throw new DomainError('InvalidNetworkType.Mismatch', 403, `The specified \`${param}\` \`${peer.groupId}\` is a ${row.network_type} group; \`${group.id}\` is a ${group.network_type} group.`);
  }
  if (group.network_type === 'vpc' && row.account_id === group.account_id && row.vpc_id !== group.vpc_id) {
    throw new DomainError('InvalidSourceGroupId.Mismatch', 403, `The specified \`${param}\` \`${peer.groupId}\` is in VPC \`${row.vpc_id}\`, not in \`${group.vpc_id}\`.`);
  }
}

/** SPEC §1.3: the rules of all the groups of one ENI stay within the limit (1,000) after `adding` more in `groupId`. */
async function checkRulesActingOnMembers(tx: Tx, limit: number, groupId: string, adding: number): Promise<void> {
  const members = await tx.selectFrom('eni_groups').select('eni_id').where('security_group_id', '=', groupId).execute();
  if (members.length === 0) return;
  const perEni = await tx.selectFrom('eni_groups').innerJoin('sg_rules', 'sg_rules.security_group_id', 'eni_groups.security_group_id')
    .select((eb) => ['eni_groups.eni_id as eni', eb.fn.countAll<number>().as('n')] as const)
    .where('eni_groups.eni_id', 'in', members.map((m) => m.eni_id)).groupBy('eni_groups.eni_id').execute();
  for (const row of perEni) {
    if (Number(row.n) + adding > limit) {
      throw new DomainError('AuthorizationLimitExceed', 403, `The network interface \`${row.eni}\` would have ${Number(row.n) + adding} rules acting on it; at most ${limit} are allowed.`);
    }
  }
}

const WIRE_GROUP_PARAM: Record<Direction, string> = { ingress: 'SourceGroupId', egress: 'DestGroupId' };

/**
 * Adds rules to a group, all or none. A rule equal (by identity) to an existing one, or to an
 * earlier one of the same batch, adds nothing: the call still succeeds.
 */
export async function authorize(ctx: CallContext, p: { regionId: string; securityGroupId: string; direction: Direction; permissions: Array<{ input: RuleInput; param: string }> }): Promise<{ added: number }> {
  requireRegion(p.regionId);
  if (p.permissions.length === 0) throw new DomainError('MissingParameter', 400, 'The input parameter `Permissions` that is mandatory for processing this request is not supplied.');
  if (p.permissions.length > 100) throw errors.invalidParameter('Permissions', `(${p.permissions.length} rules)`, 'At most 100 rules may be given at once.');
  return ctx.write(async (tx) => {
    const group = await groupRow(tx, ctx.principal.accountId, p.securityGroupId, p.regionId);
    const rg = ruleGroupOf(group);
    const existing = await tx.selectFrom('sg_rules').select(['rule_key', 'seq']).where('security_group_id', '=', group.id).execute();
    const keys = new Set(existing.map((r) => r.rule_key));
    let seq = existing.reduce((m, r) => Math.max(m, r.seq), 0);
    const fresh: Array<{ rule: Rule; key: string }> = [];
    for (const { input, param } of p.permissions) {
      const rule = normalizeRule(p.direction, input, rg, { param });
      await checkPeerGroup(tx, group, rule, param + WIRE_GROUP_PARAM[p.direction]);
      const key = ruleKey(rule);
      if (keys.has(key)) continue;
      keys.add(key);
      fresh.push({ rule, key });
    }
    if (existing.length + fresh.length > ctx.limits.rulesPerGroup) {
      throw new DomainError('AuthorizationLimitExceed', 403, `The security group \`${group.id}\` would have ${existing.length + fresh.length} rules; at most ${ctx.limits.rulesPerGroup} are allowed (ingress and egress together).`);
    }
    if (fresh.length > 0) await checkRulesActingOnMembers(tx, ctx.limits.rulesPerEni, group.id, fresh.length);
    const now = isoSeconds(ctx.clock.now());
    for (const { rule, key } of fresh) {
      await tx.insertInto('sg_rules').values({
        id: ctx.ids.resource('sgr'), security_group_id: group.id, rule_key: key, body: JSON.stringify(rule),
        peer_group_id: rule.peer.kind === 'group' ? rule.peer.groupId : '', created_at: now, seq: ++seq,
      }).execute();
    }
    return { added: fresh.length };
  });
}

/** Removes rules named by tuple or by id, all or none; a tuple or id that names nothing is an error. */
export async function revoke(ctx: CallContext, p: {
  regionId: string; securityGroupId: string; direction: Direction;
  permissions: Array<{ input: RuleInput; param: string }>; ruleIds: string[];
}): Promise<{ removed: number }> {
  requireRegion(p.regionId);
  if (p.permissions.length === 0 && p.ruleIds.length === 0) {
    throw new DomainError('MissingParameter', 400, 'Give the rules to revoke as `Permissions.N` or `SecurityGroupRuleId.N`.');
  }
  return ctx.write(async (tx) => {
    const group = await groupRow(tx, ctx.principal.accountId, p.securityGroupId, p.regionId);
    const rg = ruleGroupOf(group);
    const rows = await tx.selectFrom('sg_rules').select(['id', 'body']).where('security_group_id', '=', group.id).execute();
    const rules = rows.map((r) => ({ id: r.id, rule: JSON.parse(r.body) as Rule }));
    const doomed = new Set<string>();
    for (const { input, param } of p.permissions) {
      const tuple = normalizeTuple(p.direction, input, rg, { param });
      const hits = rules.filter((r) => ruleMatchesTuple(r.rule, tuple));
      if (hits.length === 0) throw new DomainError('InvalidGroupAuthItem.NotFound', 403, `The rule given in \`${param || 'the request'}\` does not exist in security group \`${group.id}\`.`);
      for (const h of hits) doomed.add(h.id);
    }
    p.ruleIds.forEach((id, i) => {
      const hit = rules.find((r) => r.id === id && r.rule.direction === p.direction);
      if (hit === undefined) throw new DomainError('InvalidSecurityGroupRuleId.NotFound', 404, `The specified \`SecurityGroupRuleId.${i + 1}\` \`${id}\` does not exist in security group \`${group.id}\` (${p.direction}).`);
      doomed.add(hit.id);
    });
    if (doomed.size > 0) await tx.deleteFrom('sg_rules').where('id', 'in', [...doomed]).execute();
    return { removed: doomed.size };
  });
}

/** Changes one rule, named by id or by tuple: the new fields replace the old, identity re-checked. */
export async function modifyRule(ctx: CallContext, p: {
  regionId: string; securityGroupId: string; direction: Direction; ruleId?: string | undefined; input: RuleInput;
}): Promise<void> {
  requireRegion(p.regionId);
  await ctx.write(async (tx) => {
    const group = await groupRow(tx, ctx.principal.accountId, p.securityGroupId, p.regionId);
    const rg = ruleGroupOf(group);
    const rows = await tx.selectFrom('sg_rules').selectAll().where('security_group_id', '=', group.id).execute();
    const rules = rows.map((r) => ({ row: r, rule: JSON.parse(r.body) as Rule }));
    let target: (typeof rules)[number] | undefined;
    if (p.ruleId !== undefined && p.ruleId !== '') {
      target = rules.find((r) => r.row.id === p.ruleId && r.rule.direction === p.direction);
      if (target === undefined) throw new DomainError('InvalidSecurityGroupRuleId.NotFound', 404, `The specified \`SecurityGroupRuleId\` \`${p.ruleId}\` does not exist in security group \`${group.id}\`.`);
    } else {
      const tuple = normalizeTuple(p.direction, p.input, rg);
      target = rules.find((r) => ruleMatchesTuple(r.rule, { ...tuple, priority: undefined, policy: undefined }));
      if (target === undefined) throw new DomainError('InvalidGroupAuthItem.NotFound', 403, `The rule given does not exist in security group \`${group.id}\`.`);
    }
    // fields not given keep their old values
    const merged: RuleInput = { ...inputOf(target.rule), ...Object.fromEntries(Object.entries(p.input).filter(([, v]) => v !== undefined)) };
    const rule = normalizeRule(p.direction, merged, rg);
    await checkPeerGroup(tx, group, rule, WIRE_GROUP_PARAM[p.direction]);
    const key = ruleKey(rule);
    if (key !== target.row.rule_key && rules.some((r) => r.row.rule_key === key)) {
      throw new DomainError('InvalidParameter.Duplicate', 400, 'The modified rule would equal another rule of the group.');
    }
    await tx.updateTable('sg_rules').set({ rule_key: key, body: JSON.stringify(rule), peer_group_id: rule.peer.kind === 'group' ? rule.peer.groupId : '' })
      .where('id', '=', target.row.id).execute();
  });
}

/** The wire input that normalizes back to `rule` (for modify: fields not given keep their values). */
function inputOf(rule: Rule): RuleInput {
  const ingress = rule.direction === 'ingress';
  const input: RuleInput = {
    IpProtocol: rule.ipProtocol, PortRange: rule.portRange, Policy: rule.policy, Priority: String(rule.priority),
    NicType: rule.nicType, Description: rule.description,
  };
  if (rule.sourcePortRange !== '') input.SourcePortRange = rule.sourcePortRange;
  const v6 = (c: string) => c.includes(':');
  if (rule.peer.kind === 'cidr') {
    if (ingress) { if (v6(rule.peer.cidr)) input.Ipv6SourceCidrIp = rule.peer.cidr; else input.SourceCidrIp = rule.peer.cidr; }
    else if (v6(rule.peer.cidr)) input.Ipv6DestCidrIp = rule.peer.cidr; else input.DestCidrIp = rule.peer.cidr;
  } else if (rule.peer.kind === 'group') {
    if (ingress) { input.SourceGroupId = rule.peer.groupId; if (rule.peer.ownerAccountShown !== '') input.SourceGroupOwnerAccount = rule.peer.ownerAccountShown; }
    else { input.DestGroupId = rule.peer.groupId; if (rule.peer.ownerAccountShown !== '') input.DestGroupOwnerAccount = rule.peer.ownerAccountShown; }
  } else if (ingress) input.SourcePrefixListId = rule.peer.prefixListId;
  else input.DestPrefixListId = rule.peer.prefixListId;
  if (rule.otherCidr !== '') {
    if (ingress) { if (v6(rule.otherCidr)) input.Ipv6DestCidrIp = rule.otherCidr; else input.DestCidrIp = rule.otherCidr; }
    else if (v6(rule.otherCidr)) input.Ipv6SourceCidrIp = rule.otherCidr; else input.SourceCidrIp = rule.otherCidr;
  }
  return input;
}
