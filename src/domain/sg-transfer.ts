// Moving security-group rules between groups (SPEC §1.6 clone, §1.7 restore / export / import):
// the console features Parapet serves as API operations. Every rule that goes into a group is
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
import { DomainError, errors } from './errors.ts';
import { requireRegion, getVpcRow } from './vpc.ts';
import { readTags, writeTags } from './tags.ts';
import { type Direction, type Permission, type Rule, type RuleInput, toPermission, SYSTEM_PRIORITY } from './sg-rules.ts';
import { type GatedGroup, checkRule, capacity, loadRules, newGroup, openGroup, writeRules } from './sg-rule-gate.ts';
import { insertGroup, type GroupType } from './security-groups.ts';
import { isoSeconds } from '../clock.ts';
import type { Db, Tx } from '../store/store.ts';
import type { SecurityGroupTable } from '../store/schema.ts';

type NetworkType = 'vpc' | 'classic';

/** SPEC §1.7 / §7: rules per import. */
export const RULES_PER_IMPORT = 100;
/** Entries an import content may hold at all (the first RULES_PER_IMPORT importable ones are imported). */
export const MAX_IMPORT_ENTRIES = 1000;

const TAG_TYPE = 'securitygroup';

/** A rule that was not (or would not be) written, with the reason. */
export interface SkippedRule {
  code: string;
  message: string;
  permission: Permission;
}

/** One entry of an import: whether it is (would be) imported, and why not. */
export interface ImportResult {
  /** 1-based position in the content */
  index: number;
  success: boolean;
  /** '' on success */
  code: string;
  message: string;
  /** the rule as it is (would be) written to the group; absent when the entry is not a valid rule for it */
  permission?: Permission;
}

const given = (v: string | undefined): v is string => v !== undefined && v !== '';

function notFound(id: string): DomainError {
  return new DomainError('InvalidSecurityGroupId.NotFound', 404, `The specified SecurityGroupId \`${id}\` does not exist.`);
}

function checkIdForm(id: string, param = 'SecurityGroupId'): void {
  if (!/^sg-[a-z0-9]{1,64}$/.test(id)) {
    throw new DomainError('InvalidSecurityGroupId.Malformed', 400, `The specified ${param} \`${id.length > 64 ? id.slice(0, 64) + '…' : id}\` is malformed.`);
  }
}

async function findGroup(db: Db | Tx, accountId: string, id: string, regionId: string): Promise<SecurityGroupTable> {
  checkIdForm(id);
  const row = await db.selectFrom('security_groups').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  if (row === undefined || row.region_id !== regionId) throw notFound(id);
  return row;
}

/** A rule in the DescribeSecurityGroupAttribute shape; id and time '' for a rule not (yet) written. */
export const permissionOf = (rule: Rule, id = '', createTime = ''): Permission => toPermission(rule, { securityGroupRuleId: id, createTime });

const INPUT_FIELDS = [
  'IpProtocol', 'PortRange', 'SourcePortRange', 'SourceCidrIp', 'DestCidrIp', 'SourceGroupId', 'SourceGroupOwnerId',
  'SourceGroupOwnerAccount', 'DestGroupId', 'DestGroupOwnerId', 'DestGroupOwnerAccount', 'Policy', 'Priority', 'NicType',
  'Description', 'Ipv6SourceCidrIp', 'Ipv6DestCidrIp', 'SourcePrefixListId', 'DestPrefixListId',
] as const satisfies ReadonlyArray<keyof RuleInput>;

/**
 * A Permission-shaped object (DescribeSecurityGroupAttribute, an export, an import entry) → its
 * direction and the wire input AuthorizeSecurityGroup(Egress) would take. Numbers and booleans
 * are taken as their text (`"Priority": 1`); unknown fields are ignored.
 */
function permissionInput(entry: unknown): { direction: Direction; input: RuleInput } {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new DomainError('InvalidContent.Malformed', 400, 'The rule is not a JSON object.');
  }
  const obj = entry as Record<string, unknown>;
  const text = (name: string): string | undefined => {
    if (!Object.hasOwn(obj, name)) return undefined;
    const v = obj[name];
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new DomainError('InvalidContent.Malformed', 400, `The field \`${name}\` of the rule is not a string.`);
  };
  const rawDirection = text('Direction');
  const direction = rawDirection?.toLowerCase();
  if (direction !== 'ingress' && direction !== 'egress') {
    throw new DomainError('InvalidDirection.Malformed', 400, rawDirection === undefined || rawDirection === ''
      ? 'The rule has no `Direction`: give `ingress` or `egress`.'
      : `The specified \`Direction\` \`${rawDirection.slice(0, 64)}\` is invalid: use \`ingress\` or \`egress\`.`);
  }
  const input: RuleInput = {};
  for (const f of INPUT_FIELDS) {
    const v = text(f);
    if (v !== undefined) input[f] = v;
  }
  return { direction, input };
}

/** The network-type translation described in the module header. `from` undefined: unknown, taken literally. */
function adaptNicType(direction: Direction, input: RuleInput, from: NetworkType | undefined, to: NetworkType): RuleInput {
  if (to === 'vpc') {
    const out = { ...input };
    delete out.NicType;
    return out;
  }
  if (from === 'vpc') {
    const peerCidr = direction === 'ingress' ? given(input.SourceCidrIp) || given(input.Ipv6SourceCidrIp) : given(input.DestCidrIp) || given(input.Ipv6DestCidrIp);
    const peerGroup = direction === 'ingress' ? given(input.SourceGroupId) : given(input.DestGroupId);
    // a CIDR wins over a group (sg-rules parsePeer): only a group-authorized rule stays intranet
    if (peerCidr || !peerGroup) return { ...input, NicType: 'internet' };
  }
  return input;
}

// ---------------------------------------------------------------------------------------------
// Clone (SPEC §1.6)

function parseNetworkType(value: string): NetworkType {
  const v = value.toLowerCase();
  if (v === 'vpc' || v === 'classic') return v;
  throw errors.invalidParameter('NetworkType', value.slice(0, 64), 'Use `vpc` or `classic`.');
}

function checkNewName(value: string): void {
  if (value === '') throw new DomainError('MissingParameter', 400, 'The input parameter `SecurityGroupName` that is mandatory for processing this request is not supplied.');
  if (value.length < 2 || value.length > 128 || /^https?:\/\//.test(value) || !/^[\p{L}]/u.test(value)) {
    throw new DomainError('InvalidSecurityGroupName.Malformed', 400, `The specified \`SecurityGroupName\` \`${value.slice(0, 128)}\` is invalid: 2 to 128 characters, starting with a letter, not with \`http://\` or \`https://\`.`);
  }
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
    throw new DomainError('MissingParameter', 400, 'The input parameter `DestinationVpcId` that is mandatory for `NetworkType` `vpc` is not supplied: a VPC group belongs to a VPC of the destination region.');
  }
  if (networkType === 'classic' && vpcId !== '') {
    throw errors.invalidParameter('DestinationVpcId', vpcId.slice(0, 64), 'It is only for `NetworkType` `vpc`.');
  }
  const accountId = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    const source = await findGroup(tx, accountId, p.securityGroupId, p.regionId);
    if (source.type === 'enterprise' && networkType === 'classic') {
      throw new DomainError('InvalidNetworkType.Conflict', 403, `The security group \`${source.id}\` is an advanced (enterprise) group, which belongs to a VPC: it can't be cloned to the classic network.`);
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
      const { direction, input } = permissionInput(permissionOf(r.rule));
      const prepared = await checkRule(tx, dest.target, direction, adaptNicType(direction, input, from, networkType), { allowSystemPriority: true });
      if (!prepared.ok) {
        skipped.push({ code: prepared.error.code, message: prepared.error.message, permission: permissionOf(r.rule, r.id, r.createTime) });
      } else if (keys.has(prepared.key)) {
        skipped.push({ code: 'InvalidParameter.Duplicate', message: 'The rule equals an earlier rule of the group once translated to the destination network type.', permission: permissionOf(r.rule, r.id, r.createTime) });
      } else {
        keys.add(prepared.key);
        keep.push(prepared);
      }
    }
    await writeRules(ctx, tx, dest, keep);
    return { securityGroupId: id, clonedCount: keep.length, skipped };
  });
}

// ---------------------------------------------------------------------------------------------
// Restore (SPEC §1.7)

export type RestoreMethod = 'Complete' | 'Partial';

function parseMethod(value: string): RestoreMethod {
  const v = value.toLowerCase();
  if (v === 'complete') return 'Complete';
  if (v === 'partial') return 'Partial';
  throw errors.invalidParameter('Method', value.slice(0, 64), 'Use `Complete` or `Partial`.');
}

export interface RestorePlan {
  securityGroupId: string;
  targetSecurityGroupId: string;
  method: RestoreMethod;
  /** the group, opened through the rule gate */
  group: GatedGroup;
  /** the target's rules as they are (would be) written to the group */
  toAdd: Array<{ rule: Rule; key: string }>;
  /** the group's rules that are (would be) removed: Complete only */
  toRemove: Array<{ id: string; rule: Rule; createTime: string }>;
  /** the target's rules not copied: priority 110, or rules the group can't take */
  skipped: SkippedRule[];
}

export interface RestoreParams {
  regionId: string;
  securityGroupId: string;
  targetSecurityGroupId: string;
  method: string;
}

/**
 * The one plan both PreviewRestoreSecurityGroupRules and RestoreSecurityGroupRules follow.
 * Same region and network type (checked, in that order, after both groups are found); two rules
 * are the same when their ruleKey is; a target rule already in the group is neither added nor,
 * under Complete, removed, whatever its priority. Every rule passes the rule gate as an
 * authorization would, and the limits (the group's and every member ENI's) are checked here
 * too, so a preview fails exactly when the restore would.
 */
async function planRestore(ctx: CallContext, db: Db | Tx, p: RestoreParams): Promise<RestorePlan> {
  requireRegion(p.regionId);
  const accountId = ctx.principal.accountId;
  const method = parseMethod(p.method);
  const row = await findGroup(db, accountId, p.securityGroupId, p.regionId);
  checkIdForm(p.targetSecurityGroupId, 'TargetSecurityGroupId');
  if (p.targetSecurityGroupId === row.id) {
    throw errors.invalidParameter('TargetSecurityGroupId', p.targetSecurityGroupId, 'It is the security group itself.');
  }
  const target = await db.selectFrom('security_groups').selectAll().where('id', '=', p.targetSecurityGroupId).where('account_id', '=', accountId).executeTakeFirst();
  if (target === undefined) throw notFound(p.targetSecurityGroupId);
  if (target.region_id !== row.region_id) {
    throw new DomainError('InvalidRegionId.Mismatch', 400, `The target security group \`${target.id}\` is in region \`${target.region_id}\`, not in \`${row.region_id}\`: rules are restored within one region.`);
  }
  if (target.network_type !== row.network_type) {
    throw new DomainError('InvalidNetworkType.Mismatch', 403, `The target security group \`${target.id}\` is a ${target.network_type} group; \`${row.id}\` is a ${row.network_type} group: rules are restored within one network type.`);
  }
  const group = await openGroup(ctx, db, row);
  const own = group.rules;
  const theirs = await loadRules(db, target.id);
  const ownKeys = new Set(own.map((r) => r.key));
  const theirKeys = new Set(theirs.map((r) => r.key));
  const toAdd: RestorePlan['toAdd'] = [];
  const skipped: SkippedRule[] = [];
  for (const r of theirs) {
    if (ownKeys.has(r.key)) continue;
    if (r.rule.priority === SYSTEM_PRIORITY) {
      skipped.push({ code: 'OperationDenied.SystemRule', message: `The rule has priority ${SYSTEM_PRIORITY} (a system-level rule): restore never copies it.`, permission: permissionOf(r.rule, r.id, r.createTime) });
      continue;
    }
    const { direction, input } = permissionInput(permissionOf(r.rule));
    const prepared = await checkRule(db, group.target, direction, input);
    if (!prepared.ok) {
      skipped.push({ code: prepared.error.code, message: prepared.error.message, permission: permissionOf(r.rule, r.id, r.createTime) });
    } else if (!ownKeys.has(prepared.key) && !toAdd.some((x) => x.key === prepared.key)) {
      toAdd.push(prepared);
    }
  }
  const toRemove = method === 'Complete' ? own.filter((r) => !theirKeys.has(r.key)).map((r) => ({ id: r.id, rule: r.rule, createTime: r.createTime })) : [];
  if (toAdd.length > 0) {
    const room = await capacity(ctx, db, group, toRemove.length);
    if (toAdd.length > room.free) throw room.exceeded(toAdd.length);
  }
  return { securityGroupId: row.id, targetSecurityGroupId: target.id, method, group, toAdd, toRemove, skipped };
}

export function previewRestore(ctx: CallContext, p: RestoreParams): Promise<RestorePlan> {
  return planRestore(ctx, ctx.store.db, p);
}

/** Applies the plan in one transaction: removals (Complete) and additions, all or none. */
export async function restore(ctx: CallContext, p: RestoreParams): Promise<{ added: number; removed: number; skipped: SkippedRule[] }> {
  requireRegion(p.regionId);
  return ctx.write(async (tx) => {
    const plan = await planRestore(ctx, tx, p);
    await writeRules(ctx, tx, plan.group, plan.toAdd, plan.toRemove.map((r) => r.id));
    return { added: plan.toAdd.length, removed: plan.toRemove.length, skipped: plan.skipped };
  });
}

// ---------------------------------------------------------------------------------------------
// Export (SPEC §1.7)

/** CSV columns: every Permission field, in the order DescribeSecurityGroupAttribute writes them. */
const CSV_COLUMNS: ReadonlyArray<keyof Permission> = [
  'SecurityGroupRuleId', 'Direction', 'Policy', 'Priority', 'IpProtocol', 'PortRange', 'SourcePortRange', 'NicType',
  'SourceCidrIp', 'Ipv6SourceCidrIp', 'SourceGroupId', 'SourceGroupName', 'SourceGroupOwnerAccount', 'SourcePrefixListId', 'SourcePrefixListName',
  'DestCidrIp', 'Ipv6DestCidrIp', 'DestGroupId', 'DestGroupName', 'DestGroupOwnerAccount', 'DestPrefixListId', 'DestPrefixListName',
  'PortRangeListId', 'PortRangeListName', 'Description', 'CreateTime',
];

/**
 * RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. A cell a
 * spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return; rule descriptions are anyone's text) is prefixed with `'` so it stays text.
 */
export function csvField(v: string): string {
  const text = /^[=+\-@\t\r]/.test(v) ? "'" + v : v;
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

export type ExportFormat = 'json' | 'csv';

export function parseExportFormat(value: string | undefined, param: string): ExportFormat {
  if (value === undefined || value === '') return 'json';
  const v = value.toLowerCase();
  if (v === 'json' || v === 'csv') return v;
  throw errors.invalidParameter(param, value.slice(0, 64), 'Use `json` or `csv`.');
}

/**
 * JSON: `ecs_{regionId}_{groupId}.json`, an object shaped like the DescribeSecurityGroupAttribute
 * response (the group's metadata, `Permissions.Permission[]`) plus `SecurityGroupType`,
 * `NetworkType` and `ExportTime`; it imports back as it is. CSV:
 * `ecs_sgRule_{groupId}_{regionId}_{YYYY-MM-DD}.csv` (UTC date of the injected clock), a header
 * row of Permission field names and one CRLF-terminated row per rule.
 */
export async function exportRules(ctx: CallContext, p: { regionId: string; securityGroupId: string; format: ExportFormat }): Promise<{ fileName: string; content: string }> {
  requireRegion(p.regionId);
  const row = await findGroup(ctx.store.db, ctx.principal.accountId, p.securityGroupId, p.regionId);
  const rules = await loadRules(ctx.store.db, row.id);
  const permissions = rules.map((r) => permissionOf(r.rule, r.id, r.createTime));
  const now = isoSeconds(ctx.clock.now());
  if (p.format === 'csv') {
    const lines = [CSV_COLUMNS.join(','), ...permissions.map((perm) => CSV_COLUMNS.map((c) => csvField(perm[c])).join(','))];
    return { fileName: `ecs_sgRule_${row.id}_${row.region_id}_${now.slice(0, 10)}.csv`, content: lines.map((l) => l + '\r\n').join('') };
  }
  const doc = {
    RegionId: row.region_id, SecurityGroupId: row.id, SecurityGroupName: row.name, Description: row.description,
    SecurityGroupType: row.type, NetworkType: row.network_type, VpcId: row.vpc_id,
    InnerAccessPolicy: row.type === 'enterprise' ? 'Drop' : row.inner_access_policy, ExportTime: now,
    Permissions: { Permission: permissions },
  };
  return { fileName: `ecs_${row.region_id}_${row.id}.json`, content: JSON.stringify(doc) };
}

// ---------------------------------------------------------------------------------------------
// Import (SPEC §1.7)

function malformed(why: string): DomainError {
  return new DomainError('InvalidContent.Malformed', 400, `The specified \`Content\` is not a security group rule export: ${why}`);
}

/**
 * The entries of an import content and the network type it was exported from (when it says).
 * Accepted: an export (`{..., Permissions: {Permission: [...]}}`, i.e. also a saved
 * DescribeSecurityGroupAttribute response), `{Permissions: [...]}`, or a bare array of rules.
 */
function parseContent(content: string): { entries: unknown[]; from: NetworkType | undefined } {
  if (content.trim() === '') throw malformed('it is empty.');
  let doc: unknown;
  try {
    doc = JSON.parse(content) as unknown;
  } catch {
    throw malformed('it is not JSON.');
  }
  let entries: unknown;
  let from: NetworkType | undefined;
  if (Array.isArray(doc)) {
    entries = doc;
  } else if (doc !== null && typeof doc === 'object') {
    const obj = doc as Record<string, unknown>;
    const perms = Object.hasOwn(obj, 'Permissions') ? obj['Permissions'] : undefined;
    if (Array.isArray(perms)) entries = perms;
    else if (perms !== null && typeof perms === 'object' && Object.hasOwn(perms, 'Permission')) entries = (perms as Record<string, unknown>)['Permission'];
    const nt = Object.hasOwn(obj, 'NetworkType') ? obj['NetworkType'] : undefined;
    const vpc = Object.hasOwn(obj, 'VpcId') ? obj['VpcId'] : undefined;
    if (nt === 'vpc' || nt === 'classic') from = nt;
    else if (typeof vpc === 'string') from = vpc === '' ? 'classic' : 'vpc';
  }
  if (!Array.isArray(entries)) throw malformed('give the JSON of an export, with its rules in `Permissions.Permission`.');
  if (entries.length > MAX_IMPORT_ENTRIES) {
    throw errors.invalidParameter('Content', `(${entries.length} rules)`, `At most ${MAX_IMPORT_ENTRIES} rules may be given; at most ${RULES_PER_IMPORT} are imported.`);
  }
  return { entries, from };
}

export interface ImportPlan {
  group: GatedGroup;
  results: ImportResult[];
  toInsert: Array<{ rule: Rule; key: string; index: number }>;
}

/**
 * The one plan both PreviewImportSecurityGroupRules and ImportSecurityGroupRules follow. Each
 * entry in order: parsed and validated for the group through the rule gate (a failure is its
 * result), compared with the group's rules and the earlier entries (equal → not imported: never
 * overwritten), then counted against RULES_PER_IMPORT and the room the limits leave (the group's
 * and every member ENI's; the entries past either are not imported). Priority-110 rules are
 * accepted (the gate allows them for imports).
 */
async function planImport(ctx: CallContext, db: Db | Tx, p: { regionId: string; securityGroupId: string; content: string }): Promise<ImportPlan> {
  requireRegion(p.regionId);
  const row = await findGroup(db, ctx.principal.accountId, p.securityGroupId, p.regionId);
  const { entries, from } = parseContent(p.content);
  const group = await openGroup(ctx, db, row);
  const dest = group.target;
  const existing = new Map(group.rules.map((r) => [r.key, r.id]));
  const room = await capacity(ctx, db, group);
  const earlier = new Map<string, number>();
  const results: ImportResult[] = [];
  const toInsert: ImportPlan['toInsert'] = [];
  for (let i = 0; i < entries.length; i++) {
    const index = i + 1;
    let parsed: { direction: Direction; input: RuleInput };
    try {
      parsed = permissionInput(entries[i]);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      results.push({ index, success: false, code: e.code, message: e.message });
      continue;
    }
    const prepared = await checkRule(db, dest, parsed.direction, adaptNicType(parsed.direction, parsed.input, from, dest.networkType), { allowSystemPriority: true });
    if (!prepared.ok) {
      const failed: ImportResult = { index, success: false, code: prepared.error.code, message: prepared.error.message };
      if (prepared.rule !== undefined) failed.permission = permissionOf(prepared.rule);
      results.push(failed);
      continue;
    }
    const permission = permissionOf(prepared.rule);
    const fail = (code: string, message: string) => results.push({ index, success: false, code, message, permission });
    const same = existing.get(prepared.key);
    const sameEntry = earlier.get(prepared.key);
    if (same !== undefined) fail('InvalidParameter.Duplicate', `The rule already exists in security group \`${dest.securityGroupId}\` as \`${same}\`; an import never overwrites a rule.`);
    else if (sameEntry !== undefined) fail('InvalidParameter.Duplicate', `The rule equals rule ${sameEntry} of the content.`);
    else if (toInsert.length >= RULES_PER_IMPORT) fail('QuotaExceed.ImportRules', `At most ${RULES_PER_IMPORT} rules are imported at once; this one is not.`);
    else if (toInsert.length >= room.free) {
      const e = room.exceeded(toInsert.length + 1);
      fail(e.code, e.message);
    } else {
      earlier.set(prepared.key, index);
      toInsert.push({ rule: prepared.rule, key: prepared.key, index });
      results.push({ index, success: true, code: '', message: '', permission });
    }
  }
  return { group, results, toInsert };
}

export async function previewImport(ctx: CallContext, p: { regionId: string; securityGroupId: string; content: string }): Promise<{ totalCount: number; importableCount: number; results: ImportResult[] }> {
  const plan = await planImport(ctx, ctx.store.db, p);
  return { totalCount: plan.results.length, importableCount: plan.toInsert.length, results: plan.results };
}

/** Imports what the plan allows in one transaction; the results carry the new rule ids. */
export async function importRules(ctx: CallContext, p: { regionId: string; securityGroupId: string; content: string }): Promise<{ totalCount: number; importedCount: number; results: ImportResult[] }> {
  requireRegion(p.regionId);
  return ctx.write(async (tx) => {
    const plan = await planImport(ctx, tx, p);
    const ids = await writeRules(ctx, tx, plan.group, plan.toInsert);
    const now = isoSeconds(ctx.clock.now());
    plan.toInsert.forEach((x, i) => {
      const result = plan.results[x.index - 1]!;
      result.permission = permissionOf(x.rule, ids[i], now);
    });
    return { totalCount: plan.results.length, importedCount: plan.toInsert.length, results: plan.results };
  });
}
