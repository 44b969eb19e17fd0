// Security groups (SPEC §1): create (and the default group of §1.4), describe, modify, delete, the
// intra-group policy and references, every invariant checked inside the one transaction that
// writes. The operations on a group's rules are sg-permissions.ts; a rule's syntax and identity
// sg-rules.ts.
import { prefixListNames } from './prefix-lists.ts';
import type { CallContext } from './context.ts';
import { type DomainError, apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { checkDescription, checkName } from './names.ts';
import { getVpcRow } from './vpc.ts';
import { type Tag, validateTags, writeTags, deleteTags, readTags, matchesTags } from './tags.ts';
import type { Direction, Rule, RuleInput } from './sg-rules.ts';
import { groupLock, newGroup, requireRule, writeRules } from './sg-rule-gate.ts';
import { isoSeconds } from '../clock.ts';
import type { Db, Tx } from '../store/store.ts';
import type { SecurityGroupTable } from '../store/schema.ts';
import { pageOf } from './paging.ts';
import { accountLimits, defaultGroupOpenHttp } from './account-settings.ts';

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
  /** names of the prefix lists its rules authorize, by id (`SourcePrefixListName` / `DestPrefixListName`) */
  prefixListNames: ReadonlyMap<string, string>;
}

const TAG_TYPE = 'securitygroup';

/** SecurityGroupName: 2 to 128 characters (names.ts) */
export const GROUP_NAME = { param: 'SecurityGroupName', code: 'InvalidSecurityGroupName.Malformed', min: 2 } as const;

export function notFound(id: string): DomainError {
  return apiError('InvalidSecurityGroupId.NotFound', { id });
}

/** A security group id has the form `sg-…`; `param` names it in the message. */
export function checkGroupIdForm(id: string, param = 'SecurityGroupId'): void {
  if (!/^sg-[a-z0-9]{1,64}$/.test(id)) {
    throw apiError('InvalidSecurityGroupId.Malformed', { param, id: id.length > 64 ? id.slice(0, 64) + '…' : id });
  }
}

/** A group of the account (in the region, when given), or the API's not-found error. */
export async function groupRow(db: Db | Tx, accountId: string, id: string, regionId?: string): Promise<SecurityGroupTable> {
  checkGroupIdForm(id);
  const row = await db.selectFrom('security_groups').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  if (row === undefined || (regionId !== undefined && row.region_id !== regionId)) throw notFound(id);
  return row;
}

/** A rule a group is created with (a template's, the default group's). */
export interface InitialRule { direction: Direction; input: RuleInput }

export interface NewGroupParams {
  regionId: string; vpcId?: string | undefined; securityGroupType?: string | undefined; securityGroupName?: string | undefined;
  description?: string | undefined; resourceGroupId?: string | undefined; tags?: Tag[] | undefined;
}

/**
 * CreateSecurityGroup; `initialRules` (given the group's network and type) are the rules it starts
 * with, written through the rule gate in the same transaction: the group is made with all of
 * them or not at all.
 */
export async function createSecurityGroup(ctx: CallContext, p: NewGroupParams,
  initialRules?: (g: { networkType: 'vpc' | 'classic'; type: GroupType }) => readonly InitialRule[]): Promise<{ securityGroupId: string; ruleCount: number }> {
  requireRegion(p.regionId);
  const type = (p.securityGroupType ?? 'normal') || 'normal';
  if (type !== 'normal' && type !== 'enterprise') {
    throw apiError('InvalidSecurityGroupType.Malformed', { type });
  }
  checkName(p.securityGroupName, GROUP_NAME);
  checkDescription(p.description, 2);
  const tags = validateTags(p.tags);
  const vpcId = p.vpcId ?? '';
  if (type === 'enterprise' && vpcId === '') {
    throw apiError('InvalidNetworkType.Conflict');
  }
  const accountId = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    if (vpcId !== '') await getVpcRow(tx, accountId, vpcId, p.regionId);
    const id = await insertGroup(ctx, tx, {
      regionId: p.regionId, vpcId, type, name: p.securityGroupName ?? '', description: p.description ?? '', innerAccessPolicy: 'Accept', resourceGroupId: p.resourceGroupId ?? '',
    });
    await writeTags(tx, accountId, TAG_TYPE, id, tags);
    const networkType = vpcId === '' ? 'classic' : 'vpc';
    const rules = initialRules?.({ networkType, type }) ?? [];
    if (rules.length > 0) {
      const group = newGroup({ type, networkType, securityGroupId: id, accountId, regionId: p.regionId, vpcId });
      const checked = [];
      for (const r of rules) checked.push(await requireRule(tx, group.target, r.direction, r.input));
      await writeRules(ctx, tx, group, checked);
    }
    return { securityGroupId: id, ruleCount: rules.length };
  });
}

/** Holds the account's security-group quota of a region until the transaction ends. */
export async function lockGroupQuota(ctx: CallContext, tx: Tx, regionId: string): Promise<void> {
  await ctx.store.lock(tx, `sg-quota:${ctx.principal.accountId}:${regionId}`);
}

/**
 * The one way a security group comes to exist (CreateSecurityGroup, CloneSecurityGroup, the
 * default group of RunInstances): within the account's quota of the region, checked under its lock.
 */
export async function insertGroup(ctx: CallContext, tx: Tx, g: {
  regionId: string; vpcId: string; type: GroupType; name: string; description: string; innerAccessPolicy: 'Accept' | 'Drop'; resourceGroupId: string;
}): Promise<string> {
  const accountId = ctx.principal.accountId;
  await lockGroupQuota(ctx, tx, g.regionId);
  const count = await tx.selectFrom('security_groups').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId).where('region_id', '=', g.regionId).executeTakeFirstOrThrow();
  const quota = (await accountLimits(ctx, tx)).securityGroupsPerRegion;
  if (Number(count.n) >= quota) {
    throw apiError('QuotaExceed.SecurityGroup', { regionId: g.regionId, quota });
  }
  const id = ctx.ids.resource('sg');
  await tx.insertInto('security_groups').values({
    id, account_id: accountId, region_id: g.regionId, vpc_id: g.vpcId, network_type: g.vpcId === '' ? 'classic' : 'vpc', type: g.type,
    name: g.name, description: g.description, inner_access_policy: g.innerAccessPolicy, resource_group_id: g.resourceGroupId, created_at: isoSeconds(ctx.clock.now()),
  }).execute();
  return id;
}

/**
 * SPEC §1.4: the account's first group in a region, made for an instance created without one;
 * with the account's `DefaultGroupOpenHttp` setting it also opens TCP 80 and 443.
 */
export async function createDefaultGroup(ctx: CallContext, tx: Tx, regionId: string, vpcId: string): Promise<string> {
  const id = await insertGroup(ctx, tx, {
    regionId, vpcId, type: 'normal', name: 'sg-default', description: 'System created security group.', innerAccessPolicy: 'Accept', resourceGroupId: '',
  });
  const group = newGroup({ type: 'normal', networkType: vpcId === '' ? 'classic' : 'vpc', securityGroupId: id, accountId: ctx.principal.accountId, regionId, vpcId });
  const rules = [];
  const open = [{ IpProtocol: 'icmp', PortRange: '-1/-1' }, { IpProtocol: 'tcp', PortRange: '22/22' }, { IpProtocol: 'tcp', PortRange: '3389/3389' }];
  if (await defaultGroupOpenHttp(tx, ctx.principal.accountId)) open.push({ IpProtocol: 'tcp', PortRange: '80/80' }, { IpProtocol: 'tcp', PortRange: '443/443' });
  for (const input of open) {
    rules.push(await requireRule(tx, group.target, 'ingress', { ...input, SourceCidrIp: '0.0.0.0/0', Priority: '100', Policy: 'accept', NicType: vpcId === '' ? 'internet' : 'intranet' }));
  }
  await writeRules(ctx, tx, group, rules);
  return id;
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
    const listIds = [...byGroup.values()].flat().flatMap((x) => (x.rule.peer.kind === 'prefixList' ? [x.rule.peer.prefixListId] : []));
    const listNames = await prefixListNames(db, listIds);
    return rows.map((r) => {
      const rules = byGroup.get(r.id) ?? [];
      return {
        securityGroupId: r.id, accountId: r.account_id, regionId: r.region_id, vpcId: r.vpc_id,
        networkType: r.network_type as 'vpc' | 'classic', type: r.type as GroupType, name: r.name, description: r.description,
        innerAccessPolicy: r.inner_access_policy as 'Accept' | 'Drop', resourceGroupId: r.resource_group_id, creationTime: r.created_at,
        tags: tags.get(r.id) ?? [], rules, groupToGroupRuleCount: rules.filter((x) => x.rule.peer.kind === 'group').length,
        ecsCount: ecs.get(r.id)?.size ?? 0, prefixListNames: listNames,
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
    throw apiError('InvalidParameter', { name: 'SecurityGroupIds', value: `(${q.securityGroupIds.length} ids)`, why: 'At most 100 ids may be given.' });
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
    if (!Number.isInteger(size) || size < 1 || size > 100) throw apiError('InvalidParameter', { name: 'MaxResults', value: String(q.maxResults), why: 'It must be between 1 and 100.' });
    let start = 0;
    if (given(q.nextToken)) {
      start = q.nextToken.startsWith('o') ? Number(q.nextToken.slice(1)) : NaN;
      if (!Number.isInteger(start) || start < 0) throw apiError('InvalidNextToken.Malformed', { token: q.nextToken });
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
    throw apiError('InvalidSecurityGroupId.Malformed', { param: 'SecurityGroupId', id: securityGroupId });
  }
  const g = (await groupsOf(ctx, regionId)).find((x) => x.securityGroupId === securityGroupId);
  if (g === undefined) throw notFound(securityGroupId);
  return g;
}

export async function modifySecurityGroupAttribute(ctx: CallContext, p: { regionId: string; securityGroupId: string; securityGroupName?: string | undefined; description?: string | undefined }): Promise<void> {
  requireRegion(p.regionId);
  checkName(p.securityGroupName, GROUP_NAME);
  checkDescription(p.description, 2);
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
    throw apiError('InvalidInnerAccessPolicy.Malformed', { value: p.innerAccessPolicy });
  }
  await ctx.write(async (tx) => {
    const row = await groupRow(tx, ctx.principal.accountId, p.securityGroupId, p.regionId);
    if (row.type === 'enterprise') {
      throw apiError('OperationDenied', 'innerAccessPolicy');
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
    throw apiError('InvalidParameter', { name: 'SecurityGroupId', value: `(${p.securityGroupIds.length} ids)`, why: 'Give 1 to 10 security group ids.' });
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
    await ctx.store.lock(tx, groupLock(row.id));
    // INVARIANT: a group with members is never deleted.
    const member = await tx.selectFrom('eni_groups').innerJoin('enis', 'enis.id', 'eni_groups.eni_id')
      .select(['enis.id as eni', 'enis.instance_id as instance']).where('eni_groups.security_group_id', '=', row.id).executeTakeFirst();
    if (member !== undefined) {
      throw apiError('DependencyViolation', { groupId: row.id, member: member.instance !== '' ? member.instance : member.eni });
    }
    const refs = await referencing(tx, row.id);
    if (refs.length > 0) {
      throw apiError('DependencyViolation', 'referenced', { groupId: row.id, referrers: refs.map((r) => r.securityGroupId).join(', ') });
    }
    await tx.deleteFrom('sg_rules').where('security_group_id', '=', row.id).execute();
    await tx.deleteFrom('security_groups').where('id', '=', row.id).execute();
    await deleteTags(tx, TAG_TYPE, row.id);
  });
}
