// Security Center alerts (sas DescribeSuspEvents, DescribeSuspEventDetail, OperationSuspEvents):
// what evidence.ts raises from the data plane's reports. An alert is about one thing (`key`: the
// kind, the instance and the source or socket); evidence about the same thing while its alert is
// open continues it (the count and the last time grow) instead of raising another. Levels are the
// reference's serious | suspicious | remind; statuses pending | handled | ignored. A vulnerability
// finding whose evidence went away (the rule that exposed the socket revoked, the socket closed)
// is resolved: handled, with `resolvedAt`.
import type { CallContext } from '../context.ts';
import type { Db, Tx } from '../../store/store.ts';
import type { SasAlertTable } from '../../store/schema.ts';
import { apiError } from '../errors.ts';
import { blockSource } from './brute-force.ts';
import type { Services } from '../context.ts';
import { judge } from '../authorization.ts';
import { sgArn } from '../arns.ts';
import { authorize as authorizeRules } from '../sg-permissions.ts';

export type AlertLevel = 'serious' | 'suspicious' | 'remind';
export type AlertStatus = 'pending' | 'handled' | 'ignored';
export type AlertKind = 'brute_force' | 'login_after_brute_force' | 'unusual_logon' | 'risky_listener' | 'password_ssh';

/** The vulnerability-style findings (what the instance runs and exposes); the other kinds are alerts (what happened). */
export const isVulnerability = (kind: string): boolean => kind === 'risky_listener' || kind === 'password_ssh';

export const ALERT_LEVELS: readonly AlertLevel[] = ['serious', 'suspicious', 'remind'];
export const ALERT_STATUSES: readonly AlertStatus[] = ['pending', 'handled', 'ignored'];

/** What the API shows of each kind: its name, its type (the reference's AlarmEventType), its description and advice. */
export const ALERT_KINDS: Record<AlertKind, { name: string; type: string; description: string; advice: string }> = {
  brute_force: {
    name: 'SSH brute-force attack', type: 'Unusual logon',
    description: 'One source failed to log on to the instance\'s sshd many times within a short window: someone is guessing passwords.',
    advice: 'Block the source (OperationSuspEvents deal/block_ip, or an anti-brute-force rule), turn password logon off (bind a key pair), and allow SSH only from your own addresses.',
  },
  login_after_brute_force: {
    name: 'Successful logon after a brute-force attack', type: 'Unusual logon',
    description: 'A source that was guessing passwords on the instance then logged on: the account may be compromised.',
    advice: 'Treat the instance as compromised: check the logged-on account\'s sessions, keys and crontabs, change its password, block the source, and restore from a clean snapshot if in doubt.',
  },
  unusual_logon: {
    name: 'Unusual logon', type: 'Unusual logon',
    description: 'A successful logon came from an address, at a time, to an account or from a location outside the instance\'s logon baseline.',
    advice: 'If you don\'t recognise the logon, change the account\'s credentials and block the source; if it is yours, add it to the logon baseline (ModifyLoginBaseConfig).',
  },
  risky_listener: {
    name: 'Risky service exposed to the internet', type: 'Vulnerability',
    description: 'A service listens inside the instance on a port attackers scan for (databases, Redis, Telnet, SMB, the Docker API…), and the instance\'s security groups let the internet reach it.',
    advice: 'Revoke or narrow the security group rule named in the evidence (authorize the port only from the addresses or groups that need it), or bind the service to 127.0.0.1.',
  },
  password_ssh: {
    name: 'SSH accepts passwords from the internet', type: 'Vulnerability',
    description: 'The instance\'s sshd listens, accepts password logons (root has a password in force), and the instance\'s security groups let the whole internet reach it: passwords can be guessed from anywhere.',
    advice: 'Bind a key pair and restart the instance (password logon turns off), or narrow the security group rule named in the evidence to your own addresses; add an anti-brute-force rule meanwhile.',
  },
};

export interface Alert {
  id: number;
  kind: AlertKind;
  level: AlertLevel;
  status: AlertStatus;
  instanceId: string;
  regionId: string;
  sourceIp: string;
  firstAt: number;
  lastAt: number;
  count: number;
  resolvedAt: number;
  handledAt: number;
  evidence: Record<string, string>;
}

const toAlert = (r: SasAlertTable): Alert => ({
  // the casts: the columns hold only what raiseAlert wrote
  id: r.id, kind: r.kind as AlertKind, level: r.level as AlertLevel, status: r.status as AlertStatus, instanceId: r.instance_id, regionId: r.region_id,
  sourceIp: r.source_ip, firstAt: r.first_at, lastAt: r.last_at, count: r.count, resolvedAt: r.resolved_at, handledAt: r.handled_at,
  evidence: JSON.parse(r.evidence) as Record<string, string>,
});

export interface RaiseInput {
  accountId: string; kind: AlertKind; level: AlertLevel; key: string; instanceId: string; regionId: string; sourceIp: string; at: number;
  evidence: Record<string, string>;
  /** evidence this old or newer continues a pending alert of the same key (ms before `at`); undefined: any pending one */
  continueWithin?: number;
  /** how many occurrences this evidence adds (default 1) */
  count?: number;
}

/** Raises an alert, or continues the pending one of the same key. Answers its id and whether it is new. */
export async function raiseAlert(svc: Pick<Services, 'store'>, tx: Tx, a: RaiseInput): Promise<{ id: number; created: boolean }> {
  await svc.store.lock(tx, `sas-alerts:${a.accountId}`);
  let q = tx.selectFrom('sas_alerts').selectAll().where('account_id', '=', a.accountId).where('key', '=', a.key).where('status', '=', 'pending');
  if (a.continueWithin !== undefined) q = q.where('last_at', '>=', a.at - a.continueWithin);
  const open = await q.orderBy('id', 'desc').executeTakeFirst();
  if (open !== undefined) {
    await tx.updateTable('sas_alerts').set({
      last_at: Math.max(open.last_at, a.at), count: open.count + (a.count ?? 1), evidence: JSON.stringify(a.evidence), level: a.level, resolved_at: 0,
    }).where('account_id', '=', a.accountId).where('id', '=', open.id).execute();
    return { id: open.id, created: false };
  }
  const max = await tx.selectFrom('sas_alerts').select((eb) => eb.fn.max('id').as('m')).where('account_id', '=', a.accountId).executeTakeFirst();
  const id = Number(max?.m ?? 0) + 1;
  await tx.insertInto('sas_alerts').values({
    account_id: a.accountId, id, key: a.key, kind: a.kind, level: a.level, status: 'pending', instance_id: a.instanceId, region_id: a.regionId, source_ip: a.sourceIp,
    first_at: a.at, last_at: a.at, count: Math.max(1, a.count ?? 1), resolved_at: 0, handled_at: 0, evidence: JSON.stringify(a.evidence),
  }).execute();
  return { id, created: true };
}

/** Resolves the pending alerts of `kind` at the instance whose keys are not in `keep`. */
export async function resolveAlerts(tx: Tx, accountId: string, instanceId: string, kind: AlertKind, keep: ReadonlySet<string>, now: number): Promise<number> {
  const open = await tx.selectFrom('sas_alerts').select(['id', 'key']).where('account_id', '=', accountId).where('instance_id', '=', instanceId)
    .where('kind', '=', kind).where('status', '=', 'pending').execute();
  const gone = open.filter((r) => !keep.has(r.key)).map((r) => r.id);
  if (gone.length > 0) {
    await tx.updateTable('sas_alerts').set({ status: 'handled', resolved_at: now, handled_at: now }).where('account_id', '=', accountId).where('id', 'in', gone).execute();
  }
  return gone.length;
}

export interface AlertQuery {
  levels?: readonly AlertLevel[] | undefined;
  statuses?: readonly AlertStatus[] | undefined;
  /** ms, inclusive: the alert's last occurrence */
  from?: number | undefined;
  to?: number | undefined;
  instanceIds?: readonly string[] | undefined;
  kinds?: readonly AlertKind[] | undefined;
}

/** The account's alerts, newest first. */
export async function listAlerts(db: Db, accountId: string, q: AlertQuery = {}): Promise<Alert[]> {
  let s = db.selectFrom('sas_alerts').selectAll().where('account_id', '=', accountId);
  if (q.levels !== undefined && q.levels.length > 0) s = s.where('level', 'in', [...q.levels]);
  if (q.statuses !== undefined && q.statuses.length > 0) s = s.where('status', 'in', [...q.statuses]);
  if (q.kinds !== undefined && q.kinds.length > 0) s = s.where('kind', 'in', [...q.kinds]);
  if (q.instanceIds !== undefined && q.instanceIds.length > 0) s = s.where('instance_id', 'in', [...q.instanceIds]);
  if (q.from !== undefined) s = s.where('last_at', '>=', q.from);
  if (q.to !== undefined) s = s.where('last_at', '<=', q.to);
  return (await s.orderBy('last_at', 'desc').orderBy('id', 'desc').execute()).map(toAlert);
}

export async function alertById(ctx: CallContext, id: number): Promise<Alert> {
  const r = await ctx.store.db.selectFrom('sas_alerts').selectAll().where('account_id', '=', ctx.principal.accountId).where('id', '=', id).executeTakeFirst();
  if (r === undefined) throw apiError('InvalidParameter', { name: 'SuspiciousEventId', value: String(id), why: 'No alert of the account has this id.' });
  return toAlert(r);
}

export type AlertOperation =
  | { kind: 'ignore' }
  | { kind: 'handled' }
  /** undo an ignore or a mark: pending again */
  | { kind: 'reopen' }
  /** block each alert's source at its instance for `minutes` (an anti-brute-force block) */
  | { kind: 'block'; minutes: number };

/** Applies the operation to the alerts (all of the account's, or InvalidParameter naming the first unknown). */
export async function operateAlerts(ctx: CallContext, ids: readonly number[], op: AlertOperation): Promise<void> {
  if (ids.length === 0) throw apiError('MissingParameter', { name: 'SuspiciousEventIds' });
  const accountId = ctx.principal.accountId;
  const now = ctx.clock.now();
  await ctx.write(async (tx) => {
    const rows = (await tx.selectFrom('sas_alerts').selectAll().where('account_id', '=', accountId).where('id', 'in', [...ids]).execute()).map(toAlert);
    const missing = ids.find((i) => !rows.some((r) => r.id === i));
    if (missing !== undefined) throw apiError('InvalidParameter', { name: 'SuspiciousEventIds', value: String(missing), why: 'No alert of the account has this id.' });
    if (op.kind === 'block') {
      const noSource = rows.find((r) => r.sourceIp === '');
      if (noSource !== undefined) throw apiError('InvalidParameter', { name: 'SuspiciousEventIds', value: String(noSource.id), why: 'This alert has no source address to block.' });
      for (const r of rows) await blockSource(tx, { accountId, instanceId: r.instanceId, ip: r.sourceIp, until: now + op.minutes * 60_000, ruleId: 0 });
    }
    const status: AlertStatus = op.kind === 'ignore' ? 'ignored' : op.kind === 'reopen' ? 'pending' : 'handled';
    await tx.updateTable('sas_alerts').set({ status, handled_at: op.kind === 'reopen' ? 0 : now }).where('account_id', '=', accountId).where('id', 'in', [...ids]).execute();
  });
}

/**
 * Blocks each alert's source by a security-group Forbid rule (inbound, every protocol and port,
 * priority 1) in `securityGroupId`, or the first group of the alert's instance, through the rules'
 * own path; the caller needs `ecs:AuthorizeSecurityGroup` on each group (NoPermission naming it).
 * Then marks the alerts handled.
 */
export async function forbidSources(ctx: CallContext, ids: readonly number[], securityGroupId?: string): Promise<void> {
  if (ids.length === 0) throw apiError('MissingParameter', { name: 'SuspiciousEventIds' });
  const accountId = ctx.principal.accountId;
  const db = ctx.store.db;
  const rows = (await db.selectFrom('sas_alerts').selectAll().where('account_id', '=', accountId).where('id', 'in', [...ids]).execute()).map(toAlert);
  const missing = ids.find((i) => !rows.some((r) => r.id === i));
  if (missing !== undefined) throw apiError('InvalidParameter', { name: 'SuspiciousEventIds', value: String(missing), why: 'No alert of the account has this id.' });
  const noSource = rows.find((r) => r.sourceIp === '');
  if (noSource !== undefined) throw apiError('InvalidParameter', { name: 'SuspiciousEventIds', value: String(noSource.id), why: 'This alert has no source address to block.' });
  const plan: Array<{ alert: Alert; groupId: string }> = [];
  for (const a of rows) {
    let groupId = securityGroupId ?? '';
    if (groupId === '') {
      const g = await db.selectFrom('enis').innerJoin('eni_groups', 'eni_groups.eni_id', 'enis.id').select('eni_groups.security_group_id')
        .where('enis.instance_id', '=', a.instanceId).where('enis.type', '=', 'Primary').orderBy('eni_groups.position').executeTakeFirst();
      if (g === undefined) throw apiError('InvalidParameter', { name: 'SecurityGroupId', value: '', why: `The alert's instance ${a.instanceId} has no security group: name one.` });
      groupId = g.security_group_id;
    }
    const resource = sgArn(a.regionId, accountId, groupId);
    if (!(await judge(ctx, ctx.principal, 'ecs:AuthorizeSecurityGroup', [resource], ctx.request)).allowed) throw apiError('NoPermission', { action: 'ecs:AuthorizeSecurityGroup', resource });
    plan.push({ alert: a, groupId });
  }
  for (const { alert, groupId } of plan) {
    await authorizeRules(ctx, {
      regionId: alert.regionId, securityGroupId: groupId, direction: 'ingress',
      permissions: [{ param: 'SecurityGroupId', input: { IpProtocol: 'all', PortRange: '-1/-1', SourceCidrIp: `${alert.sourceIp}/32`, Policy: 'drop', Priority: '1', Description: `Security Center: blocks ${alert.sourceIp} (alert ${alert.id})` } }],
    });
  }
  await operateAlerts(ctx, ids, { kind: 'handled' });
}
