// The baseline's results, stored: a scan (StartBaselineSecurityCheck, FixCheckWarnings' check
// afterwards, and the first read of an account never scanned) runs the checks over a snapshot and
// writes what changed in one transaction; the reads answer the last scan. A warning (one check on
// one resource) keeps its CheckWarningId while it fails; one that passes is dropped, unless it is
// ignored: an ignore outlives the scans (the same check on the same resource fails again ignored)
// until IgnoreHcCheckWarnings Type=2 lifts it.
import type { CallContext, Services } from '../context.ts';
import type { Tx } from '../../store/store.ts';
import type { SasWarningTable } from '../../store/schema.ts';
import { apiError } from '../errors.ts';
import { readBaselineSnapshot } from './snapshot.ts';
import { runBaseline } from './checks.ts';
import { findCheck, type Finding } from './model.ts';

export interface Warning {
  id: number;
  checkId: number;
  resource: string;
  regionId: string;
  /** failing as of the last scan */
  failing: boolean;
  ignored: boolean;
  reason: string;
  /** ms: when it was last ignored, un-ignored or fixed; 0 never */
  handledAt: number;
  firstFound: number;
  evidence: Array<Record<string, string>>;
}

export interface ScanInfo { seq: number; scannedAt: number; riskCount: number; previousAt: number; previousCount: number }

const INSERT_CHUNK = 400;

const toWarning = (r: SasWarningTable): Warning => ({
  id: r.id, checkId: r.check_id, resource: r.resource, regionId: r.region_id, failing: r.failing === 1, ignored: r.ignored === 1, reason: r.reason,
  handledAt: r.handled_at, firstFound: r.first_found,
  // the cast: the column holds only what scanBaseline wrote (JSON.stringify of the evidence)
  evidence: JSON.parse(r.evidence) as Array<Record<string, string>>,
});

/**
 * Runs the checks `only` (all when undefined) on the account and stores the result. The write is
 * quiet (Store.write): no watcher acts on baseline results. Answers the scan.
 */
export async function scanBaseline(svc: Services, accountId: string, only?: ReadonlySet<number>): Promise<ScanInfo> {
  const now = svc.clock.now();
  const findings = runBaseline(await readBaselineSnapshot(svc.store.db, accountId, now), only);
  return svc.store.write((tx) => storeScan(svc, tx, accountId, now, findings, only), { quiet: () => true });
}

async function storeScan(svc: Services, tx: Tx, accountId: string, now: number, findings: Finding[], only?: ReadonlySet<number>): Promise<ScanInfo> {
  // INVARIANT: one scan of an account at a time, so CheckWarningIds are allocated once
  await svc.store.lock(tx, `sas:${accountId}`);
  const rows = await tx.selectFrom('sas_warnings').selectAll().where('account_id', '=', accountId).execute();
  const existing = new Map(rows.map((r) => [`${r.check_id}|${r.resource}`, r]));
  let nextId = rows.reduce((m, r) => Math.max(m, r.id), 0);
  const inserts: SasWarningTable[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    const key = `${f.checkId}|${f.resource}`;
    seen.add(key);
    const evidence = JSON.stringify(f.evidence);
    const old = existing.get(key);
    if (old === undefined) {
      inserts.push({ account_id: accountId, check_id: f.checkId, resource: f.resource, id: ++nextId, region_id: f.regionId, failing: 1, ignored: 0, reason: '', handled_at: 0, first_found: now, evidence });
    } else if (old.failing !== 1 || old.evidence !== evidence || old.region_id !== f.regionId) {
      await tx.updateTable('sas_warnings').set({ failing: 1, evidence, region_id: f.regionId, ...(old.failing !== 1 ? { first_found: now } : {}) })
        .where('account_id', '=', accountId).where('check_id', '=', f.checkId).where('resource', '=', f.resource).execute();
    }
  }
  for (let i = 0; i < inserts.length; i += INSERT_CHUNK) await tx.insertInto('sas_warnings').values(inserts.slice(i, i + INSERT_CHUNK)).execute();
  for (const r of rows) {
    if (seen.has(`${r.check_id}|${r.resource}`) || (only !== undefined && !only.has(r.check_id))) continue;
    if (r.ignored === 1) {
      if (r.failing === 1) await tx.updateTable('sas_warnings').set({ failing: 0 }).where('account_id', '=', accountId).where('id', '=', r.id).execute();
    } else {
      await tx.deleteFrom('sas_warnings').where('account_id', '=', accountId).where('id', '=', r.id).execute();
    }
  }
  const after = await tx.selectFrom('sas_warnings').select('check_id').distinct().where('account_id', '=', accountId).where('failing', '=', 1).where('ignored', '=', 0).execute();
  const prev = await tx.selectFrom('sas_scans').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  const scan: ScanInfo = { seq: (prev?.seq ?? 0) + 1, scannedAt: now, riskCount: after.length, previousAt: prev?.scanned_at ?? 0, previousCount: prev?.risk_count ?? 0 };
  const row = { seq: scan.seq, scanned_at: now, risk_count: scan.riskCount, previous_at: scan.previousAt, previous_count: scan.previousCount };
  if (prev === undefined) await tx.insertInto('sas_scans').values({ account_id: accountId, ...row }).execute();
  else await tx.updateTable('sas_scans').set(row).where('account_id', '=', accountId).execute();
  return scan;
}

/** The caller's last scan, scanning first when the account never was. */
export async function lastScan(ctx: CallContext): Promise<ScanInfo> {
  const accountId = ctx.principal.accountId;
  const row = await ctx.store.db.selectFrom('sas_scans').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  if (row === undefined) return scanBaseline(ctx, accountId);
  return { seq: row.seq, scannedAt: row.scanned_at, riskCount: row.risk_count, previousAt: row.previous_at, previousCount: row.previous_count };
}

/** The caller's warnings as of the last scan (scanning first when never scanned), by check then id. */
export async function warningsOf(ctx: CallContext): Promise<{ scan: ScanInfo; warnings: Warning[] }> {
  const scan = await lastScan(ctx);
  const rows = await ctx.store.db.selectFrom('sas_warnings').selectAll().where('account_id', '=', ctx.principal.accountId).orderBy('check_id').orderBy('id').execute();
  return { scan, warnings: rows.map(toWarning) };
}

/** One warning of the caller's by its CheckWarningId, failing or ignored. */
export async function warningById(ctx: CallContext, id: number): Promise<Warning> {
  await lastScan(ctx);
  const row = await ctx.store.db.selectFrom('sas_warnings').selectAll().where('account_id', '=', ctx.principal.accountId).where('id', '=', id).executeTakeFirst();
  if (row === undefined || row.failing !== 1) throw apiError('InvalidCheckWarningId.NotFound', { id: String(id) });
  return toWarning(row);
}

/**
 * IgnoreHcCheckWarnings: `ignore` true (Type 1) or false (Type 2) for the warnings named by id,
 * and for every current warning of the checks named (CheckIds, RiskId). Lifting the ignore of a
 * warning that passes drops it. Answers how many changed.
 */
export async function ignoreWarnings(ctx: CallContext, p: { warningIds: number[]; checkIds: number[]; ignore: boolean; reason: string }): Promise<number> {
  for (const c of p.checkIds) if (findCheck(c) === undefined) throw apiError('InvalidParameter', { name: 'CheckIds', value: String(c), why: 'There is no check with that id.' });
  if (p.warningIds.length === 0 && p.checkIds.length === 0) throw apiError('MissingParameter', { name: 'CheckWarningIds' });
  await lastScan(ctx);
  const accountId = ctx.principal.accountId;
  const now = ctx.clock.now();
  return ctx.store.write(async (tx) => {
    await ctx.store.lock(tx, `sas:${accountId}`);
    const rows = await tx.selectFrom('sas_warnings').selectAll().where('account_id', '=', accountId).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const targets = new Map<number, SasWarningTable>();
    for (const id of p.warningIds) {
      const r = byId.get(id);
      if (r === undefined || (r.failing !== 1 && r.ignored !== 1)) throw apiError('InvalidCheckWarningId.NotFound', { id: String(id) });
      targets.set(r.id, r);
    }
    const checks = new Set(p.checkIds);
    for (const r of rows) if (checks.has(r.check_id)) targets.set(r.id, r);
    let changed = 0;
    for (const r of targets.values()) {
      if (!p.ignore && r.failing !== 1) {
        await tx.deleteFrom('sas_warnings').where('account_id', '=', accountId).where('id', '=', r.id).execute();
      } else {
        await tx.updateTable('sas_warnings').set({ ignored: p.ignore ? 1 : 0, reason: p.ignore ? p.reason : '', handled_at: now }).where('account_id', '=', accountId).where('id', '=', r.id).execute();
      }
      changed++;
    }
    const failing = await tx.selectFrom('sas_warnings').select('check_id').distinct().where('account_id', '=', accountId).where('failing', '=', 1).where('ignored', '=', 0).execute();
    await tx.updateTable('sas_scans').set({ risk_count: failing.length }).where('account_id', '=', accountId).execute();
    return changed;
  }, { quiet: () => true });
}

/** Drops an instance's findings (its agent was uninstalled: it shows no security data). */
export async function dropInstanceWarnings(tx: Tx, accountId: string, instanceIds: readonly string[]): Promise<void> {
  if (instanceIds.length === 0) return;
  await tx.deleteFrom('sas_warnings').where('account_id', '=', accountId).where('resource', 'in', [...instanceIds]).execute();
}
