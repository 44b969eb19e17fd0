// An instance's scrubbing thresholds (SPEC §5): the instance type's maximum (bandwidth and packet
// rate, src/domain/catalogs.ts) unless the owner set lower ones (ModifyDefenseThreshold; `IsAuto`
// returns to the maximum), and whether scrubbing is on (DisableDdosScrubbing). The one rule every
// reader (the API, the data plane's desired state) and every writer uses.
// INVARIANT: thresholds in force never exceed the instance type's maximum; both are set together.
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { findInstanceType } from '../catalogs.ts';
import { isoSeconds } from '../../clock.ts';
import type { Db, Tx } from '../../store/store.ts';
import type { AntiddosSettingsTable } from '../../store/schema.ts';

/** The maximum of an instance type: Mbit/s and packets per second (an unknown type: the smallest of the catalogue's, never 0). */
export function maxThresholds(instanceType: string): { bpsMbps: number; pps: number } {
  const t = findInstanceType(instanceType);
  return t === undefined ? { bpsMbps: 100, pps: 50000 } : { bpsMbps: t.bandwidth, pps: t.pps };
}

export interface Thresholds {
  /** in force: Mbit/s and packets per second */
  bpsMbps: number;
  pps: number;
  maxBpsMbps: number;
  maxPps: number;
  /** no custom thresholds: the maximum applies */
  isAuto: boolean;
  scrubbing: boolean;
}

/** What an instance's settings row (or none) means for an instance of `instanceType`. */
export function thresholdsOf(instanceType: string, row: Pick<AntiddosSettingsTable, 'bps_mbps' | 'pps' | 'scrubbing'> | undefined): Thresholds {
  const max = maxThresholds(instanceType);
  const custom = row !== undefined && row.bps_mbps > 0 && row.pps > 0;
  return {
    // a custom value above a maximum that changed since (a catalogue change) is held at the maximum
    bpsMbps: custom ? Math.min(row.bps_mbps, max.bpsMbps) : max.bpsMbps,
    pps: custom ? Math.min(row.pps, max.pps) : max.pps,
    maxBpsMbps: max.bpsMbps, maxPps: max.pps, isAuto: !custom, scrubbing: row === undefined || row.scrubbing === 1,
  };
}

/** The settings rows of these instances (all when `ids` is undefined). */
export async function settingsRows(db: Db | Tx, ids?: readonly string[]): Promise<Map<string, AntiddosSettingsTable>> {
  if (ids !== undefined && ids.length === 0) return new Map();
  let q = db.selectFrom('antiddos_settings').selectAll();
  if (ids !== undefined) q = q.where('instance_id', 'in', [...ids]);
  return new Map((await q.execute()).map((r) => [r.instance_id, r]));
}

export interface ThresholdChange { isAuto: boolean; bps?: number | undefined; pps?: number | undefined }

/**
 * Checks a change of an instance's thresholds (ModifyDefenseThreshold, ModifyIpDefenseThreshold):
 * `IsAuto=true` returns to the maximum whatever else is given; otherwise `Bps` (Mbit/s) and `Pps`
 * come together, whole and positive, neither above the instance type's maximum.
 */
export function checkThresholdChange(instanceType: string, c: ThresholdChange): { bpsMbps: number; pps: number } {
  if (c.isAuto) return { bpsMbps: 0, pps: 0 };
  if (c.bps === undefined && c.pps === undefined) throw apiError('MissingParameter', { name: 'Bps' });
  if (c.bps === undefined) throw apiError('MissingParameter', 'together', { name: 'Bps', other: 'Pps' });
  if (c.pps === undefined) throw apiError('MissingParameter', 'together', { name: 'Pps', other: 'Bps' });
  const max = maxThresholds(instanceType);
  for (const [name, value, limit, unit] of [['Bps', c.bps, max.bpsMbps, 'Mbps'], ['Pps', c.pps, max.pps, 'pps']] as const) {
    if (!Number.isInteger(value) || value < 1) throw apiError('InvalidParameter', { name, value: String(value), why: 'It must be a positive integer.' });
    if (value > limit) throw apiError('InvalidParameter', 'aboveMaximum', { name, value, maximum: limit, unit, instanceType });
  }
  return { bpsMbps: c.bps, pps: c.pps };
}

/** Writes an instance's settings row inside `tx` (thresholds and/or the scrubbing flag, the rest kept). */
export async function putSettings(tx: Tx, ctx: CallContext, instanceId: string, change: { bpsMbps?: number; pps?: number; scrubbing?: boolean }): Promise<void> {
  const now = isoSeconds(ctx.clock.now());
  const old = await tx.selectFrom('antiddos_settings').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
  const row: AntiddosSettingsTable = {
    instance_id: instanceId, account_id: ctx.principal.accountId,
    bps_mbps: change.bpsMbps ?? old?.bps_mbps ?? 0, pps: change.pps ?? old?.pps ?? 0,
    scrubbing: change.scrubbing === undefined ? old?.scrubbing ?? 1 : change.scrubbing ? 1 : 0, updated_at: now,
  };
  if (old === undefined) await tx.insertInto('antiddos_settings').values(row).execute();
  else await tx.updateTable('antiddos_settings').set(row).where('instance_id', '=', instanceId).execute();
}
