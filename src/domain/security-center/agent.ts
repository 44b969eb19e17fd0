// The Security Center agent of an instance: installed at creation (RunInstances, CreateInstance
// with SecurityEnhancementStrategy=Active) or by InstallSecurityAgent, removed by
// UninstallSecurityAgent (which drops the instance's findings: an instance without the agent shows
// no security data). The asset list (DescribeCloudCenterInstances) is every instance of the caller
// with its agent's state and, for those with the agent, the baseline's counts. The flag reaches
// the data plane through the desired state (DesiredInstance.securityAgent).
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { findImage, findInstanceType } from '../catalogs.ts';
import { findRegion } from '../regions.ts';
import { dropInstanceWarnings } from './warnings.ts';
import { findCheck, type CheckLevel } from './model.ts';
import { isVulnerability } from './alerts.ts';

/** Installs (`on`) or uninstalls the agent on the caller's instances; unknown or another account's: InvalidInstanceId.NotFound, nothing changes. */
export async function setSecurityAgent(ctx: CallContext, instanceIds: readonly string[], on: boolean): Promise<void> {
  const ids = [...new Set(instanceIds)];
  if (ids.length === 0) throw apiError('MissingParameter', { name: 'InstanceId.1' });
  const accountId = ctx.principal.accountId;
  await ctx.write(async (tx) => {
    const found = new Set((await tx.selectFrom('instances').select('id').where('account_id', '=', accountId).where('id', 'in', ids).execute()).map((r) => r.id));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw apiError('InvalidInstanceId.NotFound', { id: missing });
    await tx.updateTable('instances').set({ security_agent: on ? 1 : 0 }).where('account_id', '=', accountId).where('id', 'in', ids).execute();
    if (!on) await dropInstanceWarnings(tx, accountId, ids);
  });
}

/** The agent's state as the reference words it. */
export type ClientStatus = 'online' | 'offline';

export interface Asset {
  instanceId: string;
  instanceName: string;
  regionId: string;
  regionName: string;
  vpcId: string;
  status: string;
  publicIp: string;
  privateIp: string;
  os: 'linux' | 'windows';
  osName: string;
  cores: number;
  memoryMb: number;
  createdAt: number;
  agent: boolean;
  /** online: the agent is installed and the instance runs; offline otherwise */
  clientStatus: ClientStatus;
  /** online, stopped (installed, instance not running), uninstalled */
  clientSubStatus: 'online' | 'stopped' | 'uninstalled';
  /** the failing, not ignored baseline warnings on the instance by level (agent instances only) */
  baseline: Record<CheckLevel, number>;
  /** its pending alerts (alerts.ts), vulnerability-style findings apart */
  alerts: number;
  vulnerabilities: number;
}

/** An instance is at risk with a baseline warning, a pending alert or a vulnerability finding. */
export const atRisk = (a: Asset): boolean => a.baseline.high + a.baseline.medium + a.baseline.low + a.alerts + a.vulnerabilities > 0;

export interface AssetQuery {
  /** `[{"name":…,"value":…}]` */
  criteria?: string | undefined;
  /** AND | OR (default OR, as the reference) */
  logicalExp?: string | undefined;
  machineTypes?: string | undefined;
  regionId?: string | undefined;
}

/** The criteria names DescribeCloudCenterInstances understands, and how each matches an asset. */
const CRITERIA: Readonly<Record<string, (a: Asset, v: string) => boolean>> = {
  instanceId: (a, v) => a.instanceId === v,
  uuid: (a, v) => a.instanceId === v,
  instanceName: (a, v) => a.instanceName.includes(v),
  internetIp: (a, v) => a.publicIp === v,
  intranetIp: (a, v) => a.privateIp === v,
  regionId: (a, v) => a.regionId === v,
  vpcInstanceId: (a, v) => a.vpcId === v,
  clientStatus: (a, v) => a.clientStatus === v,
  os: (a, v) => a.os === v.toLowerCase(),
  riskStatus: (a, v) => (atRisk(a) ? 'YES' : 'NO') === v,
};

function parseCriteria(text: string | undefined): Array<{ name: string; value: string }> {
  if (text === undefined || text.trim() === '') return [];
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { throw apiError('InvalidParameter', { name: 'Criteria', value: text, why: 'It must be a JSON array of {"name", "value"} objects.' }); }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.map((c: unknown) => {
    const o = c as { name?: unknown; value?: unknown } | null;
    if (typeof o !== 'object' || o === null || typeof o.name !== 'string' || (typeof o.value !== 'string' && typeof o.value !== 'number')) {
      throw apiError('InvalidParameter', { name: 'Criteria', value: text, why: 'Each criterion is an object with a string `name` and a `value`.' });
    }
    if (!Object.hasOwn(CRITERIA, o.name)) throw apiError('InvalidParameter', { name: 'Criteria', value: o.name, why: `Use one of ${Object.keys(CRITERIA).join(', ')}.` });
    return { name: o.name, value: String(o.value) };
  });
}

/** The caller's instances as Security Center assets, filtered, by creation time (newest first) then id. */
export async function listAssets(ctx: CallContext, q: AssetQuery): Promise<Asset[]> {
  const criteria = parseCriteria(q.criteria);
  const logical = (q.logicalExp ?? 'OR').toUpperCase();
  if (logical !== 'OR' && logical !== 'AND') throw apiError('InvalidParameter', { name: 'LogicalExp', value: q.logicalExp ?? '', why: 'Use `AND` or `OR`.' });
  const types = (q.machineTypes ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (types.length > 0 && !types.includes('ecs')) return [];
  const accountId = ctx.principal.accountId;
  const db = ctx.store.db;
  let query = db.selectFrom('instances').select(['id', 'name', 'region_id', 'vpc_id', 'status', 'public_ip', 'image_id', 'instance_type', 'created_at', 'security_agent']).where('account_id', '=', accountId);
  if (q.regionId !== undefined && q.regionId !== '') query = query.where('region_id', '=', q.regionId);
  const [rows, enis, warnings, pending] = await Promise.all([
    query.orderBy('created_at', 'desc').orderBy('id').execute(),
    db.selectFrom('enis').select(['instance_id', 'private_ip']).where('account_id', '=', accountId).where('type', '=', 'Primary').where('instance_id', '!=', '').execute(),
    db.selectFrom('sas_warnings').select(['check_id', 'resource']).where('account_id', '=', accountId).where('failing', '=', 1).where('ignored', '=', 0).execute(),
    db.selectFrom('sas_alerts').select(['instance_id', 'kind']).where('account_id', '=', accountId).where('status', '=', 'pending').execute(),
  ]);
  const alertsOf = new Map<string, { alerts: number; vulnerabilities: number }>();
  for (const a of pending) {
    let c = alertsOf.get(a.instance_id);
    if (c === undefined) alertsOf.set(a.instance_id, c = { alerts: 0, vulnerabilities: 0 });
    if (isVulnerability(a.kind)) c.vulnerabilities++; else c.alerts++;
  }
  const ipOf = new Map(enis.map((e) => [e.instance_id, e.private_ip]));
  const counts = new Map<string, Record<CheckLevel, number>>();
  for (const w of warnings) {
    const check = findCheck(w.check_id);
    if (check?.kind !== 'instance') continue;
    let c = counts.get(w.resource);
    if (c === undefined) counts.set(w.resource, c = { high: 0, medium: 0, low: 0 });
    c[check.level]++;
  }
  const assets = rows.map((r): Asset => {
    const agent = r.security_agent === 1;
    const image = findImage(r.image_id);
    const type = findInstanceType(r.instance_type);
    return {
      instanceId: r.id, instanceName: r.name, regionId: r.region_id, regionName: findRegion(r.region_id)?.englishName ?? r.region_id, vpcId: r.vpc_id, status: r.status,
      publicIp: r.public_ip, privateIp: ipOf.get(r.id) ?? '', os: image?.osType ?? 'linux', osName: image?.osName ?? '', cores: type?.cpuCoreCount ?? 0,
      memoryMb: Math.round((type?.memorySize ?? 0) * 1024), createdAt: Date.parse(r.created_at), agent,
      clientStatus: agent && r.status === 'Running' ? 'online' : 'offline', clientSubStatus: !agent ? 'uninstalled' : r.status === 'Running' ? 'online' : 'stopped',
      baseline: agent ? counts.get(r.id) ?? { high: 0, medium: 0, low: 0 } : { high: 0, medium: 0, low: 0 },
      ...(agent ? alertsOf.get(r.id) ?? { alerts: 0, vulnerabilities: 0 } : { alerts: 0, vulnerabilities: 0 }),
    };
  });
  if (criteria.length === 0) return assets;
  return assets.filter((a) => (logical === 'AND' ? criteria.every((c) => CRITERIA[c.name]!(a, c.value)) : criteria.some((c) => CRITERIA[c.name]!(a, c.value))));
}
