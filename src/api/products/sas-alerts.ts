// Security Center basic, sas 2018-12-03: the alerts (DescribeSuspEvents, DescribeSuspEventDetail,
// OperationSuspEvents), the anti-brute-force rules (CreateAntiBruteForceRule,
// DescribeAntiBruteForceRules, ModifyAntiBruteForceRule, DeleteAntiBruteForceRule) and the logon
// baselines (ModifyLoginBaseConfig, DescribeLoginBaseConfigs, DeleteLoginBaseConfig). RAM actions
// `yundun-sas:<Action>` on `acs:yundun-sas:*:{account}:*` and each instance a call names. An
// alert's `EventStatus` is the reference's number: 1 pending, 2 ignored, 32 handled. Parapet's
// choices (the block by OperationSuspEvents, the Config values, times) are in docs/API-COVERAGE.md.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { instanceArn, named } from '../../domain/arns.ts';
import { t } from '../params.ts';
import { pageOf } from '../../domain/paging.ts';
import { apiError } from '../../domain/errors.ts';
import { ALERT_KINDS, ALERT_LEVELS, alertById, forbidSources, listAlerts, operateAlerts, type Alert, type AlertLevel, type AlertStatus } from '../../domain/security-center/alerts.ts';
import { FORBIDDEN_TIMES, createAbfRule, deleteAbfRules, listAbfRules, modifyAbfRule } from '../../domain/security-center/brute-force.ts';
import { deleteLoginBase, listLoginBase, modifyLoginBase, type LoginBaseItem } from '../../domain/security-center/login-base.ts';

const sasArn = (account: string) => arn('yundun-sas', '*', account, '*');
const sasResources = (account: string, ...ids: Array<string | readonly string[] | undefined>) => [sasArn(account), ...named((id) => instanceArn('*', account, id), ...ids)];
const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;
const page = { CurrentPage: t.int().optional(), PageSize: t.int().optional(), Lang: t.str(8).optional(), SourceIp: t.str(64).optional(), From: t.str(32).optional() };

const commaList = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

/** `2019-01-01 12:23:00` (UTC). */
const wireTime = (ms: number): string => (ms > 0 ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') : '');

const STATUS_NUMBER: Record<AlertStatus, number> = { pending: 1, ignored: 2, handled: 32 };
const STATUS_OF_NUMBER = new Map<string, AlertStatus>([['1', 'pending'], ['2', 'ignored'], ['32', 'handled']]);

function statusesParam(v: string | undefined): AlertStatus[] {
  return commaList(v).map((s) => {
    const st = (['pending', 'handled', 'ignored'] as const).find((x) => x === s) ?? STATUS_OF_NUMBER.get(s);
    if (st === undefined) throw apiError('InvalidParameter', { name: 'Status', value: s, why: 'Use pending, handled or ignored (or 1, 32, 2).' });
    return st;
  });
}

function levelsParam(v: string | undefined): AlertLevel[] {
  return commaList(v).map((s) => {
    const l = ALERT_LEVELS.find((x) => x === s);
    if (l === undefined) throw apiError('InvalidParameter', { name: 'Levels', value: s, why: 'Use serious, suspicious or remind.' });
    return l;
  });
}

/** A time: ms since the epoch, or `yyyy-MM-dd HH:mm:ss` (UTC). */
function timeParam(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (/^[0-9]{1,15}$/.test(v)) return Number(v);
  const ms = Date.parse(v.replace(' ', 'T') + (/[zZ]|[+-][0-9]{2}:?[0-9]{2}$/.test(v) ? '' : 'Z'));
  if (Number.isNaN(ms)) throw apiError('InvalidParameter', { name, value: v, why: 'Give milliseconds since the epoch or yyyy-MM-dd HH:mm:ss (UTC).' });
  return ms;
}

function details(a: Alert): Array<Record<string, string>> {
  return Object.entries(a.evidence).map(([k, v]) => ({ Name: k, NameDisplay: k, Type: 'text', Value: v, ValueDisplay: v, InfoType: 'event' }));
}

function wireAlert(a: Alert): Record<string, unknown> {
  const k = ALERT_KINDS[a.kind];
  return {
    Id: a.id, SecurityEventIds: String(a.id), AlarmEventName: a.kind, AlarmEventNameDisplay: k.name, AlarmEventType: k.type, AlarmEventTypeDisplay: k.type,
    EventSubType: a.kind, Name: k.name, Level: a.level, EventStatus: STATUS_NUMBER[a.status], Status: a.status, Uuid: a.instanceId, InstanceId: a.instanceId, InstanceName: a.instanceId,
    RegionId: a.regionId, SourceIp: a.sourceIp, OccurrenceTime: wireTime(a.firstAt), LastTime: wireTime(a.lastAt), OccurrenceTimestamp: a.firstAt, LastTimestamp: a.lastAt,
    Count: a.count, Desc: k.description, Advice: k.advice, CanBeDealOnLine: a.sourceIp !== '', DataSource: 'parapet', Details: details(a),
    ...(a.resolvedAt > 0 ? { ResolvedTime: wireTime(a.resolvedAt) } : {}),
  };
}

function wireLoginBase(i: LoginBaseItem): Record<string, unknown> {
  const [start, end] = i.type === 'login_common_time' ? i.value.split('-') : ['', ''];
  return {
    Type: i.type, Ip: i.type === 'login_common_ip' ? i.value : '', Account: i.type === 'login_common_account' ? i.value : '', Location: i.type === 'login_common_location' ? i.value : '',
    StartTime: start ?? '', EndTime: end ?? '', TotalCount: i.uuids.length, Target: JSON.stringify(i.uuids.map((u) => ({ target: u, targetType: 'uuid' }))), Uuids: i.uuids,
    CreateTime: wireTime(i.createdAt),
  };
}

const abfParams = {
  Name: t.str(128), FailCount: t.int(), Span: t.int(), ForbiddenTime: t.int(), DefaultRule: t.bool().optional(), UuidList: t.list(t.str(128), 1000).optional(),
  ProtocolType: t.str(256).optional(), SourceIp: t.str(64).optional(), ResourceOwnerId: t.str(32).optional(),
};

export const sasAlertOperations = [
  op({
    product: 'sas', action: 'DescribeSuspEvents', ramAction: 'yundun-sas:DescribeSuspEvents',
    params: z.object({
      ...page, Levels: t.str(64).optional(), Status: t.str(64).optional(), Dealed: t.str(1).optional(), TimeStart: t.str(32).optional(), TimeEnd: t.str(32).optional(),
      Uuids: t.str(65536).optional(), Name: t.str(256).optional(), ParentEventType: t.str(64).optional(), EventNames: t.str(1024).optional(), Remark: t.str(256).optional(),
      AlarmUniqueInfo: t.str(128).optional(), ResourceDirectoryAccountId: t.str(32).optional(),
    }),
    resources: (p, account) => sasResources(account, commaList(p.Uuids).filter((u) => u.startsWith('i-'))),
    handler: async (ctx, p) => {
      let statuses = statusesParam(p.Status);
      // Dealed N: pending; Y: handled or ignored (with Status, what both allow)
      let none = false;
      if (p.Dealed !== undefined && p.Dealed !== '') {
        if (p.Dealed !== 'N' && p.Dealed !== 'Y') throw apiError('InvalidParameter', { name: 'Dealed', value: p.Dealed, why: 'Use N (pending) or Y (handled or ignored).' });
        const dealt: AlertStatus[] = p.Dealed === 'N' ? ['pending'] : ['handled', 'ignored'];
        statuses = statuses.length === 0 ? dealt : statuses.filter((s) => dealt.includes(s));
        none = statuses.length === 0;
      }
      const names = commaList(p.EventNames);
      let rows = none ? [] : await listAlerts(ctx.store.db, ctx.principal.accountId, {
        levels: levelsParam(p.Levels), statuses, from: timeParam('TimeStart', p.TimeStart), to: timeParam('TimeEnd', p.TimeEnd), instanceIds: commaList(p.Uuids),
      });
      if (names.length > 0) rows = rows.filter((a) => names.includes(a.kind));
      if (p.Name !== undefined && p.Name !== '') rows = rows.filter((a) => ALERT_KINDS[a.kind].name.toLowerCase().includes(p.Name!.toLowerCase()) || a.instanceId === p.Name);
      const pg = pageOf(rows, p.CurrentPage, p.PageSize ?? DEFAULT_PAGE, MAX_PAGE);
      return { SuspEvents: pg.items.map(wireAlert), TotalCount: pg.totalCount, CurrentPage: pg.pageNumber, PageSize: pg.pageSize, Count: pg.items.length };
    },
  }),
  op({
    product: 'sas', action: 'DescribeSuspEventDetail', ramAction: 'yundun-sas:DescribeSuspEventDetail',
    params: z.object({ SuspiciousEventId: t.int(), ...page }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => {
      const a = await alertById(ctx, p.SuspiciousEventId);
      const k = ALERT_KINDS[a.kind];
      return {
        Id: a.id, EventName: k.name, EventTypeDesc: k.type, Level: a.level, EventStatus: STATUS_NUMBER[a.status], Status: a.status, Uuid: a.instanceId, InstanceName: a.instanceId,
        SourceIp: a.sourceIp, LastTime: wireTime(a.lastAt), OccurrenceTime: wireTime(a.firstAt), Count: a.count, EventDesc: k.description, Advice: k.advice,
        CanBeDealOnLine: a.sourceIp !== '', DataSource: 'parapet', OperateMsg: a.status === 'pending' ? '' : a.status, Details: details(a),
        ...(a.resolvedAt > 0 ? { ResolvedTime: wireTime(a.resolvedAt) } : {}),
      };
    },
  }),
  op({
    product: 'sas', action: 'OperationSuspEvents', ramAction: 'yundun-sas:OperationSuspEvents',
    params: z.object({
      SuspiciousEventIds: t.str(65536), Operation: t.str(32), SubOperation: t.str(64).optional(), WarnType: t.str(16).optional(), ForbiddenTime: t.int().optional(), SecurityGroupId: t.str(128).optional(),
      From: t.str(32).optional(), SourceIp: t.str(64).optional(),
    }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => {
      // a comma list (`290852,290853`) or a JSON array of ids
      const raw = p.SuspiciousEventIds.trim().startsWith('[') ? p.SuspiciousEventIds.replace(/[[\]"\s]/g, '') : p.SuspiciousEventIds;
      const ids = commaList(raw).map((s) => {
        if (!/^[0-9]{1,15}$/.test(s)) throw apiError('InvalidParameter', { name: 'SuspiciousEventIds', value: s, why: 'Give alert ids separated by commas.' });
        return Number(s);
      });
      switch (p.Operation) {
        case 'ignore': await operateAlerts(ctx, ids, { kind: 'ignore' }); break;
        case 'offline_handled': await operateAlerts(ctx, ids, { kind: 'handled' }); break;
        case 'rm_ignore': await operateAlerts(ctx, ids, { kind: 'reopen' }); break;
        case 'deal': {
          if (p.SubOperation === 'block_ip_security_group') { await forbidSources(ctx, ids, p.SecurityGroupId); break; }
          if (p.SubOperation !== 'block_ip') throw apiError('InvalidParameter', { name: 'SubOperation', value: p.SubOperation ?? '', why: 'Parapet deals with an alert by blocking its source: use block_ip (anti-brute-force block) or block_ip_security_group (a Forbid rule).' });
          const minutes = p.ForbiddenTime ?? 60;
          if (!FORBIDDEN_TIMES.includes(minutes)) throw apiError('InvalidParameter', { name: 'ForbiddenTime', value: String(minutes), why: `Use one of ${FORBIDDEN_TIMES.join(', ')} (minutes).` });
          await operateAlerts(ctx, ids, { kind: 'block', minutes });
          break;
        }
        default: throw apiError('InvalidParameter', { name: 'Operation', value: p.Operation, why: 'Use ignore, offline_handled, rm_ignore or deal.' });
      }
      return { Success: true, AccessCode: 'pass' };
    },
  }),
  op({
    product: 'sas', action: 'CreateAntiBruteForceRule', ramAction: 'yundun-sas:CreateAntiBruteForceRule',
    params: z.object(abfParams),
    resources: (p, account) => sasResources(account, p.UuidList),
    handler: async (ctx, p) => {
      const id = await createAbfRule(ctx, { name: p.Name, failCount: p.FailCount, span: p.Span, forbiddenTime: p.ForbiddenTime, defaultRule: p.DefaultRule ?? false, uuids: p.UuidList ?? [] });
      return { CreateAntiBruteForceRule: { RuleId: id } };
    },
  }),
  op({
    product: 'sas', action: 'ModifyAntiBruteForceRule', ramAction: 'yundun-sas:ModifyAntiBruteForceRule',
    params: z.object({ Id: t.int(), ...abfParams }),
    resources: (p, account) => sasResources(account, p.UuidList),
    handler: async (ctx, p) => {
      await modifyAbfRule(ctx, p.Id, { name: p.Name, failCount: p.FailCount, span: p.Span, forbiddenTime: p.ForbiddenTime, defaultRule: p.DefaultRule ?? false, uuids: p.UuidList ?? [] });
      return {};
    },
  }),
  op({
    product: 'sas', action: 'DeleteAntiBruteForceRule', ramAction: 'yundun-sas:DeleteAntiBruteForceRule',
    params: z.object({ Ids: t.list(t.int(), 100), SourceIp: t.str(64).optional(), ResourceOwnerId: t.str(32).optional() }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => { await deleteAbfRules(ctx, p.Ids); return {}; },
  }),
  op({
    product: 'sas', action: 'DescribeAntiBruteForceRules', ramAction: 'yundun-sas:DescribeAntiBruteForceRules',
    params: z.object({ ...page, Id: t.int().optional(), Name: t.str(128).optional(), ResourceOwnerId: t.str(32).optional() }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => {
      const accountId = ctx.principal.accountId;
      const all = await listAbfRules(ctx.store.db, accountId);
      const named = new Set(all.flatMap((r) => r.uuids));
      // the default rule applies to the instances with the agent no rule names
      const agents = (await ctx.store.db.selectFrom('instances').select('id').where('account_id', '=', accountId).where('security_agent', '=', 1).execute()).map((r) => r.id);
      const rows = all.filter((r) => (p.Id === undefined || r.id === p.Id) && (p.Name === undefined || p.Name === '' || r.name.includes(p.Name)));
      const pg = pageOf(rows, p.CurrentPage, p.PageSize ?? DEFAULT_PAGE, MAX_PAGE);
      return {
        Rules: pg.items.map((r) => {
          const applied = r.defaultRule ? [...new Set([...r.uuids, ...agents.filter((a) => !named.has(a))])].sort() : r.uuids;
          return {
            Id: r.id, Name: r.name, FailCount: r.failCount, Span: r.span, ForbiddenTime: r.forbiddenTime, DefaultRule: r.defaultRule, EnableSmartRule: false,
            MachineCount: applied.length, UuidList: applied, CreateTimestamp: r.createdAt, ProtocolType: { SshProtocol: 'on', RdpProtocol: 'off', SqlServerProtocol: 'off', MySqlProtocol: 'off', FtpProtocol: 'off' },
          };
        }),
        PageInfo: { CurrentPage: pg.pageNumber, PageSize: pg.pageSize, TotalCount: pg.totalCount, Count: pg.items.length },
      };
    },
  }),
  op({
    product: 'sas', action: 'ModifyLoginBaseConfig', ramAction: 'yundun-sas:ModifyLoginBaseConfig',
    params: z.object({ Type: t.str(64), Config: t.str(4096), Target: t.str(65536).optional(), SourceIp: t.str(64).optional() }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => { await modifyLoginBase(ctx, { type: p.Type, config: p.Config, target: p.Target }); return {}; },
  }),
  op({
    product: 'sas', action: 'DeleteLoginBaseConfig', ramAction: 'yundun-sas:DeleteLoginBaseConfig',
    params: z.object({ Type: t.str(64), Config: t.str(4096), Target: t.str(65536).optional(), SourceIp: t.str(64).optional() }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => { await deleteLoginBase(ctx, { type: p.Type, config: p.Config }); return {}; },
  }),
  op({
    product: 'sas', action: 'DescribeLoginBaseConfigs', ramAction: 'yundun-sas:DescribeLoginBaseConfigs',
    params: z.object({ ...page, Type: t.str(64), Target: t.str(128).optional() }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => {
      let rows = await listLoginBase(ctx.store.db, ctx.principal.accountId, p.Type);
      if (p.Target !== undefined && p.Target !== '') rows = rows.filter((i) => i.uuids.length === 0 || i.uuids.includes(p.Target!));
      const pg = pageOf(rows, p.CurrentPage, p.PageSize ?? DEFAULT_PAGE, MAX_PAGE);
      return { BaseConfigs: pg.items.map(wireLoginBase), TotalCount: pg.totalCount, CurrentPage: pg.pageNumber, PageSize: pg.pageSize, Count: pg.items.length };
    },
  }),
];
