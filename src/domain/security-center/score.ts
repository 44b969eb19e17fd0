// The account's security score (Parapet DescribeSecurityScore): 100 less the deductions, never
// below 0. Each deduction names its reason, how many findings it counts and the points it takes:
// - pending alerts: serious 10 each, suspicious 5, remind 1 (at most 40 together);
// - vulnerability-style findings (risky services exposed): serious 8 each, other levels 4 (at most 30);
// - failing, not ignored baseline warnings: high 3 each, medium 2, low 1 (at most 30).
// Ignored or handled alerts and ignored warnings take nothing.
import type { CallContext } from '../context.ts';
import { isVulnerability, listAlerts } from './alerts.ts';
import { warningsOf } from './warnings.ts';
import { findCheck, type CheckLevel } from './model.ts';

export interface Deduction { reason: string; count: number; points: number }
export interface SecurityScore { score: number; deductions: Deduction[] }

const ALERT_POINTS = { serious: 10, suspicious: 5, remind: 1 } as const;
const VUL_POINTS = { serious: 8, suspicious: 4, remind: 4 } as const;
const BASELINE_POINTS: Record<CheckLevel, number> = { high: 3, medium: 2, low: 1 };
const CAPS = { alerts: 40, vulnerabilities: 30, baseline: 30 } as const;

export async function securityScore(ctx: CallContext): Promise<SecurityScore> {
  const [pending, { warnings }] = await Promise.all([listAlerts(ctx.store.db, ctx.principal.accountId, { statuses: ['pending'] }), warningsOf(ctx)]);
  const deductions: Deduction[] = [];
  const group = (cap: number, items: Array<{ reason: string; points: number }>) => {
    const by = new Map<string, Deduction>();
    for (const i of items) {
      let d = by.get(i.reason);
      if (d === undefined) by.set(i.reason, d = { reason: i.reason, count: 0, points: 0 });
      d.count++;
      d.points += i.points;
    }
    // the cap is taken from the largest deductions last, so each listed one keeps its own points until the cap
    let left = cap;
    for (const d of [...by.values()].sort((a, b) => b.points - a.points || (a.reason < b.reason ? -1 : 1))) {
      d.points = Math.min(d.points, left);
      left -= d.points;
      if (d.points > 0) deductions.push(d);
    }
  };
  group(CAPS.alerts, pending.filter((a) => !isVulnerability(a.kind)).map((a) => ({ reason: `alert:${a.level}`, points: ALERT_POINTS[a.level] })));
  group(CAPS.vulnerabilities, pending.filter((a) => isVulnerability(a.kind)).map((a) => ({ reason: `vulnerability:${a.level}`, points: VUL_POINTS[a.level] })));
  group(CAPS.baseline, warnings.filter((w) => w.failing && !w.ignored).flatMap((w) => {
    const c = findCheck(w.checkId);
    return c === undefined ? [] : [{ reason: `baseline:${c.level}`, points: BASELINE_POINTS[c.level] }];
  }));
  const total = deductions.reduce((s, d) => s + d.points, 0);
  return { score: Math.max(0, 100 - total), deductions };
}
