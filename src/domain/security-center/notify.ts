// Alert notifications. Per account and method — `email` (through the operator's SMTP server,
// PARAPET_SMTP_*), `webhook` (HTTP POST of JSON signed with HMAC-SHA256 of the body under the
// method's secret, header `X-Parapet-Signature: sha256=<hex>`; SMS goes through a webhook to the
// user's SMS gateway) and `inbox` (internal messages, DescribeSecurityMessages) — the levels it
// carries and a sending window (`HH:MM-HH:MM` UTC; outside it deliveries wait for its start).
// A new alert writes its deliveries in the transaction that raises it (the outbox, and the inbox
// at once), so no alert acknowledged by the store is lost and raising one never waits on a
// network; the server's sender loop (src/notifier.ts) delivers what is due, retrying failures with
// a doubling backoff (1 s, 2 s, 4 s … at most 5 min; given up after MAX_ATTEMPTS).
import type { CallContext, Services } from '../context.ts';
import type { Db, Tx } from '../../store/store.ts';
import { apiError } from '../errors.ts';
import { ALERT_KINDS, ALERT_LEVELS, raiseAlert, type AlertKind, type AlertLevel, type RaiseInput } from './alerts.ts';

export const NOTIFY_METHODS = ['email', 'webhook', 'inbox'] as const;
export type NotifyMethod = (typeof NOTIFY_METHODS)[number];
export const MAX_ATTEMPTS = 12;
const LEASE_MS = 60_000;

export interface NotifyConfig { method: NotifyMethod; levels: AlertLevel[]; target: string; hasSecret: boolean; window: string }

const HHMM = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

function parseWindow(w: string): [number, number] | undefined {
  if (w === '') return undefined;
  const [a, b] = w.split('-') as [string, string];
  const m = (x: string) => { const r = HHMM.exec(x)!; return Number(r[1]) * 60 + Number(r[2]); };
  return [m(a), m(b)];
}

/** The first time at or after `at` inside the window (ms). */
export function nextInWindow(window: string, at: number): number {
  const w = parseWindow(window);
  if (w === undefined) return at;
  const d = new Date(at);
  const minute = d.getUTCHours() * 60 + d.getUTCMinutes();
  const inside = w[0] <= w[1] ? minute >= w[0] && minute <= w[1] : minute >= w[0] || minute <= w[1];
  if (inside) return at;
  const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const start = dayStart + w[0] * 60_000;
  return start > at ? start : start + 86_400_000;
}

export async function modifyNotification(ctx: CallContext, p: { method: string; levels: string; target?: string | undefined; secret?: string | undefined; window?: string | undefined; enabled: boolean }): Promise<void> {
  const method = NOTIFY_METHODS.find((m) => m === p.method);
  if (method === undefined) throw apiError('InvalidParameter', { name: 'Method', value: p.method, why: 'Use email, webhook or inbox (SMS: a webhook to your SMS gateway).' });
  const levels = p.levels.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const l of levels) if (!(ALERT_LEVELS as readonly string[]).includes(l)) throw apiError('InvalidParameter', { name: 'Levels', value: l, why: 'Use serious, suspicious or remind.' });
  const window = (p.window ?? '').trim();
  if (window !== '' && !/^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$/.test(window)) throw apiError('InvalidParameter', { name: 'Window', value: window, why: 'Give HH:MM-HH:MM (UTC), or nothing for always.' });
  const target = (p.target ?? '').trim();
  if (p.enabled && method === 'email' && !/^[^@\s]+@[^@\s]+$/.test(target)) throw apiError('InvalidParameter', { name: 'Target', value: target, why: 'Give an e-mail address.' });
  if (p.enabled && method === 'webhook') {
    let url: URL | undefined;
    try { url = new URL(target); } catch { url = undefined; }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw apiError('InvalidParameter', { name: 'Target', value: target, why: 'Give an http or https URL.' });
    if ((p.secret ?? '').length < 16) throw apiError('InvalidParameter', { name: 'Secret', value: '(hidden)', why: 'A webhook needs a secret of at least 16 characters to sign with.' });
  }
  const accountId = ctx.principal.accountId;
  await ctx.write(async (tx) => {
    await tx.deleteFrom('sas_notify_configs').where('account_id', '=', accountId).where('method', '=', method).execute();
    if (p.enabled && levels.length > 0) {
      await tx.insertInto('sas_notify_configs').values({ account_id: accountId, method, levels: [...new Set(levels)].join(','), target: method === 'inbox' ? '' : target, secret: p.secret ?? '', window }).execute();
    }
  });
}

export async function listNotifications(db: Db, accountId: string): Promise<NotifyConfig[]> {
  const rows = await db.selectFrom('sas_notify_configs').selectAll().where('account_id', '=', accountId).orderBy('method').execute();
  // the casts: the columns hold only what modifyNotification wrote
  return rows.map((r) => ({ method: r.method as NotifyMethod, levels: r.levels.split(',') as AlertLevel[], target: r.target, hasSecret: r.secret !== '', window: r.window }));
}

/** What a delivery carries. */
export interface AlertMessage { alertId: number; kind: AlertKind; name: string; level: AlertLevel; instanceId: string; regionId: string; sourceIp: string; at: string; evidence: Record<string, string>; advice: string }

/** Writes the deliveries of a new alert (inside the transaction that raised it). */
export async function enqueueNotifications(svc: Pick<Services, 'ids'>, tx: Tx, accountId: string, a: Omit<AlertMessage, 'name' | 'advice' | 'at'> & { atMs: number }): Promise<void> {
  const configs = await tx.selectFrom('sas_notify_configs').selectAll().where('account_id', '=', accountId).execute();
  const { atMs, ...rest } = a;
  const msg: AlertMessage = { ...rest, name: ALERT_KINDS[a.kind].name, advice: ALERT_KINDS[a.kind].advice, at: new Date(atMs).toISOString() };
  for (const c of configs) {
    if (!c.levels.split(',').includes(a.level)) continue;
    if (c.method === 'inbox') {
      const max = await tx.selectFrom('sas_inbox').select((eb) => eb.fn.max('id').as('m')).where('account_id', '=', accountId).executeTakeFirst();
      await tx.insertInto('sas_inbox').values({
        account_id: accountId, id: Number(max?.m ?? 0) + 1, alert_id: a.alertId, level: a.level, title: `[${a.level}] ${msg.name} on ${a.instanceId}`,
        body: JSON.stringify(msg), created_at: atMs,
      }).execute();
      continue;
    }
    await tx.insertInto('sas_outbox').values({
      id: svc.ids.token(12), account_id: accountId, alert_id: a.alertId, method: c.method, target: c.target, secret: c.secret, payload: JSON.stringify(msg),
      attempts: 0, next_at: nextInWindow(c.window, atMs), sent_at: 0, last_error: '',
    }).execute();
  }
}

/** Raises (or continues) an alert, and writes the deliveries of a new one, in the same transaction. */
export async function raiseAndNotify(svc: Pick<Services, 'store' | 'ids'>, tx: Tx, a: RaiseInput): Promise<{ id: number; created: boolean }> {
  const r = await raiseAlert(svc, tx, a);
  if (r.created) {
    await enqueueNotifications(svc, tx, a.accountId, { alertId: r.id, kind: a.kind, level: a.level, instanceId: a.instanceId, regionId: a.regionId, sourceIp: a.sourceIp, atMs: a.at, evidence: a.evidence });
  }
  return r;
}

export async function listInbox(db: Db, accountId: string): Promise<Array<{ id: number; alertId: number; level: string; title: string; body: string; createdAt: number }>> {
  const rows = await db.selectFrom('sas_inbox').selectAll().where('account_id', '=', accountId).orderBy('id', 'desc').execute();
  return rows.map((r) => ({ id: r.id, alertId: r.alert_id, level: r.level, title: r.title, body: r.body, createdAt: r.created_at }));
}

/** How the sender loop delivers (src/notifier.ts gives nodemailer and fetch). */
export interface Senders {
  email(to: string, subject: string, text: string): Promise<void>;
  webhook(url: string, secret: string, body: string): Promise<void>;
}

export const backoffMs = (attempts: number): number => Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));

/**
 * Delivers the due deliveries (at most `limit`): each is leased first (its `next_at` moved a
 * minute on, so another server's loop skips it), then sent, then marked sent or rescheduled.
 * Answers how many were sent.
 */
export async function deliverDue(svc: Services, senders: Senders, limit = 20): Promise<number> {
  const now = svc.clock.now();
  // a read first: an empty round writes nothing (a write drops this process's cached reads)
  const any = await svc.store.db.selectFrom('sas_outbox').select('id').where('sent_at', '=', 0).where('next_at', '<=', now).where('attempts', '<', MAX_ATTEMPTS).limit(1).executeTakeFirst();
  if (any === undefined) return 0;
  const due = await svc.store.write(async (tx) => {
    const rows = await tx.selectFrom('sas_outbox').selectAll().where('sent_at', '=', 0).where('next_at', '<=', now).where('attempts', '<', MAX_ATTEMPTS).orderBy('next_at').limit(limit).execute();
    if (rows.length > 0) await tx.updateTable('sas_outbox').set({ next_at: now + LEASE_MS }).where('id', 'in', rows.map((r) => r.id)).execute();
    return rows;
  }, { quiet: () => true });
  let sent = 0;
  for (const r of due) {
    let error = '';
    try {
      if (r.method === 'email') {
        // the cast: the column holds only what enqueueNotifications wrote
        const m = JSON.parse(r.payload) as AlertMessage;
        const lines = [`${m.name} (${m.level}) on ${m.instanceId} (${m.regionId}) at ${m.at}.`, '', ...Object.entries(m.evidence).map(([k, v]) => `${k}: ${v}`), '', `Advice: ${m.advice}`];
        await senders.email(r.target, `[Parapet Security Center] ${m.level}: ${m.name} on ${m.instanceId}`, lines.join('\n'));
      } else {
        await senders.webhook(r.target, r.secret, r.payload);
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const at = svc.clock.now();
    await svc.store.write(async (tx) => {
      if (error === '') await tx.updateTable('sas_outbox').set({ sent_at: at, attempts: r.attempts + 1, last_error: '' }).where('id', '=', r.id).execute();
      else await tx.updateTable('sas_outbox').set({ attempts: r.attempts + 1, next_at: at + backoffMs(r.attempts + 1), last_error: error.slice(0, 500) }).where('id', '=', r.id).execute();
    }, { quiet: () => true });
    if (error === '') sent++;
  }
  return sent;
}
