// ExportSecurityGroupRules, ImportSecurityGroupRules and its preview (SPEC §1.7): a group's rules
// as a JSON file (that imports back as it is) or a CSV for people, and rules brought into a group
// from such a file. An import takes each entry through the rule gate as an authorization would,
// never overwrites a rule, and imports at most RULES_PER_IMPORT at once within the room the limits
// leave; the preview and the import share one plan.
import type { CallContext } from './context.ts';
import { DomainError, apiError, itemError } from './errors.ts';
import { requireRegion } from './regions.ts';
import type { Direction, Rule, RuleInput } from './sg-rules.ts';
import { type NetworkType, type Permission, adaptNicType, permissionInput, permissionOf } from './sg-rule-wire.ts';
import { type GatedGroup, checkRule, capacity, loadRules, openGroup, ruleUnits, writeRules } from './sg-rule-gate.ts';
import { groupRow } from './security-groups.ts';
import { isoSeconds } from '../clock.ts';
import type { Db, Tx } from '../store/store.ts';

/** SPEC §1.7 / §7: rules per import. */
export const RULES_PER_IMPORT = 100;
/** Entries an import content may hold at all (the first RULES_PER_IMPORT importable ones are imported). */
export const MAX_IMPORT_ENTRIES = 1000;

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
  throw apiError('InvalidParameter', { name: param, value: value.slice(0, 64), why: 'Use `json` or `csv`.' });
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
  const row = await groupRow(ctx.store.db, ctx.principal.accountId, p.securityGroupId, p.regionId);
  const rules = await loadRules(ctx.store.db, row.id);
  const permissions = rules.map((r) => permissionOf(r.rule, r.id, r.createTime));
  const now = isoSeconds(ctx.clock.now());
  if (p.format === 'csv') {
    const lines = [CSV_COLUMNS.join(','), ...permissions.map((perm) => CSV_COLUMNS.map((c) => csvField(String(perm[c]))).join(','))];
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
  return apiError('InvalidContent.Malformed', { why });
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
    throw apiError('InvalidParameter', { name: 'Content', value: `(${entries.length} rules)`, why: `At most ${MAX_IMPORT_ENTRIES} rules may be given; at most ${RULES_PER_IMPORT} are imported.` });
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
  const row = await groupRow(db, ctx.principal.accountId, p.securityGroupId, p.regionId);
  const { entries, from } = parseContent(p.content);
  const group = await openGroup(ctx, db, row);
  const dest = group.target;
  const existing = new Map(group.rules.map((r) => [r.key, r.id]));
  const room = await capacity(ctx, db, group);
  /** the quota units of the entries taken so far (a prefix-list rule counts as its MaxEntries) */
  let used = 0;
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
    const fail = (e: { code: string; message: string }) => results.push({ index, success: false, code: e.code, message: e.message, permission });
    const same = existing.get(prepared.key);
    const sameEntry = earlier.get(prepared.key);
    const [units = 1] = await ruleUnits(db, [prepared.rule]);
    if (same !== undefined) fail(itemError('InvalidParameter.Duplicate', 'exists', { groupId: dest.securityGroupId, ruleId: same }));
    else if (sameEntry !== undefined) fail(itemError('InvalidParameter.Duplicate', 'inContent', { index: sameEntry }));
    else if (toInsert.length >= RULES_PER_IMPORT) fail(itemError('QuotaExceed.ImportRules', { limit: RULES_PER_IMPORT }));
    else if (used + units > room.free) fail(room.exceeded(used + units));
    else {
      used += units;
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
