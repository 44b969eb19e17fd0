// Security Center basic, sas 2018-12-03 (HostId `tds.aliyuncs.com`): the asset list with the
// agent's state and the baseline (check warnings, and the same checks as the cloud-configuration
// risk check), RAM actions `yundun-sas:<Action>` on `acs:yundun-sas:*:{account}:*` (the reference
// grants them on every resource) and on each instance a call names. A check is a risk item
// (`RiskId`) with one check item (`CheckId`, the same number) and a cloud-configuration item
// (`ItemId`, the same number again); a warning (`CheckWarningId`) is a check failing on one
// resource, named by `Uuid`: an instance id, a group id, a RAM user's ARN, an AccessKey id or the
// account id. Shapes are the reference's; Parapet's additions and choices are in docs/API-COVERAGE.md.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { instanceArn, named } from '../../domain/arns.ts';
import { t } from '../params.ts';
import { pageOf } from '../../domain/paging.ts';
import { apiError } from '../../domain/errors.ts';
import { atRisk, listAssets, type Asset } from '../../domain/security-center/agent.ts';
import { ignoreWarnings, scanBaseline, warningById, warningsOf, type Warning } from '../../domain/security-center/warnings.ts';
import { fixWarnings } from '../../domain/security-center/fix.ts';
import { CHECKS, CHECK_GROUPS, findCheck, type CheckDef } from '../../domain/security-center/model.ts';

const sasArn = (account: string) => arn('yundun-sas', '*', account, '*');
/** The service's resource and every instance the call names (STYLE 13: a Deny on an instance refuses the call). */
const sasResources = (account: string, ...ids: Array<string | readonly string[] | undefined>) => [sasArn(account), ...named((id) => instanceArn('*', account, id), ...ids)];
/** the reference's page size limit (DescribeCloudCenterInstances' example asks 100) */
const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

/** `2019-01-01 12:23:00` (UTC), the reference's LastFoundTime. */
function wireTime(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') : '';
}

/** A comma-separated list (`98146905,98146907`), trimmed, empties dropped. */
const commaList = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

function numbers(name: string, v: string | undefined): number[] {
  return commaList(v).map((s) => {
    if (!/^[0-9]{1,15}$/.test(s)) throw apiError('InvalidParameter', { name, value: s, why: 'It must be a list of numbers separated by commas.' });
    return Number(s);
  });
}

/** The reference's numeric warning states: 1 failed, 3 passed, 6 ignored. */
const warningStatus = (w: Warning): number => (w.ignored ? 6 : 1);

function wireAsset(a: Asset): Record<string, unknown> {
  const base: Record<string, unknown> = {
    InstanceId: a.instanceId, Uuid: a.instanceId, InstanceName: a.instanceName, AssetType: 'ecs', AssetTypeName: 'Elastic Compute Service',
    InternetIp: a.publicIp, IntranetIp: a.privateIp, Ip: a.publicIp !== '' ? a.publicIp : a.privateIp, IpListString: [a.privateIp, a.publicIp].filter((x) => x !== '').join(','),
    Os: a.os === 'windows' ? 'windows' : 'linux', OsName: a.osName, RegionId: a.regionId, Region: a.regionId, RegionName: a.regionName, VpcInstanceId: a.vpcId,
    Status: a.status === 'Running' ? 'Running' : 'notRunning', Cores: a.cores, Mem: a.memoryMb, CreatedTime: a.createdAt,
    Vendor: 0, VendorName: 'ALIYUN', Flag: 0, FlagName: 'ALIYUN', Importance: 1, GroupTrace: 'default',
    ClientStatus: a.clientStatus, ClientSubStatus: a.clientSubStatus, Bind: a.agent,
  };
  if (!a.agent) return base;
  const n = a.baseline.high + a.baseline.medium + a.baseline.low;
  const risk = atRisk(a);
  return {
    ...base, AuthVersion: 1, AuthVersionName: 'Basic edition', HcStatus: n > 0 ? 'YES' : 'NO', HealthCheckCount: n, RiskStatus: risk ? 'YES' : 'NO',
    SafeStatus: risk ? 'risk' : 'safe', AlarmStatus: a.alerts > 0 ? 'YES' : 'NO', VulStatus: a.vulnerabilities > 0 ? 'YES' : 'NO',
    RiskCount: JSON.stringify({ baselineHigh: a.baseline.high, baselineMedium: a.baseline.medium, baselineLow: a.baseline.low, baselineNum: n, suspNum: a.alerts, vulNum: a.vulnerabilities, uuid: a.instanceId }),
  };
}

function wireWarning(w: Warning, c: CheckDef): Record<string, unknown> {
  return {
    CheckWarningId: w.id, CheckId: c.id, RiskId: c.id, Item: c.name, Level: c.level, Status: warningStatus(w), Type: c.checkType, Uuid: w.resource,
    FixStatus: c.fixable ? 1 : 0, Reason: w.reason, LastHandleTime: w.handledAt, RegionId: w.regionId, ResourceType: c.kind,
  };
}

/** What each check shows in the cloud-configuration view. */
function riskCheckStatus(c: CheckDef, warnings: Warning[]): { status: 'pass' | 'failed' | 'ignored'; affected: number } {
  const mine = warnings.filter((w) => w.checkId === c.id && w.failing);
  const open = mine.filter((w) => !w.ignored).length;
  return { status: open > 0 ? 'failed' : mine.length > 0 ? 'ignored' : 'pass', affected: open };
}

function groupOf(c: CheckDef) {
  return CHECK_GROUPS.find((g) => g.id === c.group)!;
}

function checkIdsParam(name: string, ids: number[]): Set<number> {
  for (const id of ids) if (findCheck(id) === undefined) throw apiError('InvalidParameter', { name, value: String(id), why: 'There is no check with that id.' });
  return new Set(ids);
}

const page = { CurrentPage: t.int().optional(), PageSize: t.int().optional(), Lang: t.str(8).optional(), SourceIp: t.str(64).optional() };

export const sasOperations = [
  op({
    product: 'sas', action: 'DescribeCloudCenterInstances', ramAction: 'yundun-sas:DescribeCloudCenterInstances',
    params: z.object({
      ...page, Criteria: t.str(8192).optional(), LogicalExp: t.str(8).optional(), MachineTypes: t.str(128).optional(), RegionId: t.str(64).optional(),
      Flags: t.str(64).optional(), Importance: t.int().optional(), NoGroupTrace: t.bool().optional(), NextToken: t.str(128).optional(), UseNextToken: t.bool().optional(),
      ResourceDirectoryAccountId: t.str(32).optional(),
    }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => {
      const all = await listAssets(ctx, { criteria: p.Criteria, logicalExp: p.LogicalExp, machineTypes: p.MachineTypes, regionId: p.RegionId });
      // every Parapet asset is an Alibaba Cloud one (Flags 0) of importance 1 (general)
      const flags = commaList(p.Flags);
      const kept = all.filter(() => (flags.length === 0 || flags.includes('0')) && (p.Importance === undefined || p.Importance === 1));
      const pg = pageOf(kept, p.CurrentPage, p.PageSize ?? DEFAULT_PAGE, MAX_PAGE);
      return { Success: true, Instances: pg.items.map(wireAsset), PageInfo: { Count: pg.items.length, CurrentPage: pg.pageNumber, PageSize: pg.pageSize, TotalCount: pg.totalCount } };
    },
  }),
  op({
    product: 'sas', action: 'StartBaselineSecurityCheck', ramAction: 'yundun-sas:StartBaselineSecurityCheck',
    params: z.object({ Type: z.enum(['check', 'verify']), ItemIds: t.list(t.int(), 100).optional(), Lang: t.str(8).optional(), SourceIp: t.str(64).optional(), ResourceOwnerId: t.str(32).optional() }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => {
      const only = p.ItemIds !== undefined && p.ItemIds.length > 0 ? checkIdsParam('ItemIds', p.ItemIds) : undefined;
      const scan = await scanBaseline(ctx, ctx.principal.accountId, only);
      return { TaskId: scan.seq };
    },
  }),
  op({
    product: 'sas', action: 'DescribeCheckWarningSummary', ramAction: 'yundun-sas:DescribeCheckWarningSummary',
    params: z.object({
      ...page, RiskName: t.str(256).optional(), RiskStatus: t.int().optional(), Status: t.str(32).optional(), TypeName: t.str(64).optional(), Uuids: t.str(65536).optional(),
      StrategyId: t.int().optional(), GroupId: t.int().optional(), TargetType: t.str(32).optional(), ClusterId: t.str(128).optional(), ContainerFieldName: t.str(64).optional(), ContainerFieldValue: t.str(256).optional(),
    }),
    resources: (p, account) => sasResources(account, commaList(p.Uuids).filter((u) => u.startsWith('i-'))),
    handler: async (ctx, p) => {
      if (p.RiskStatus !== undefined && p.RiskStatus !== 1 && p.RiskStatus !== 3) throw apiError('InvalidParameter', { name: 'RiskStatus', value: String(p.RiskStatus), why: 'Use 1 (failed) or 3 (passed).' });
      const statuses = numbers('Status', p.Status);
      for (const s of statuses) if (![1, 3, 6].includes(s)) throw apiError('InvalidParameter', { name: 'Status', value: String(s), why: 'Use 1 (failed), 3 (passed) or 6 (ignored).' });
      const { scan, warnings } = await warningsOf(ctx);
      const uuids = new Set(commaList(p.Uuids));
      const scoped = warnings.filter((w) => w.failing && (uuids.size === 0 || uuids.has(w.resource)));
      // which checks show: failing ones by default (RiskStatus 1, Status 1), passing ones for 3, ignored ones for 6
      const wanted = new Set<number>(p.RiskStatus !== undefined ? [p.RiskStatus] : statuses.length > 0 ? statuses : [1]);
      const rows = CHECKS.filter((c) => (p.RiskName === undefined || c.name.toLowerCase().includes(p.RiskName.toLowerCase())) && (p.TypeName === undefined || c.typeAlias === p.TypeName))
        .flatMap((c) => {
          const mine = scoped.filter((w) => w.checkId === c.id);
          const open = mine.filter((w) => !w.ignored);
          const ignored = mine.length - open.length;
          const shows = (wanted.has(1) && open.length > 0) || (wanted.has(3) && open.length === 0) || (wanted.has(6) && ignored > 0);
          if (!shows) return [];
          return [{
            RiskId: c.id, RiskName: c.name, Level: c.level, TypeAlias: c.typeAlias, SubTypeAlias: c.key, CheckCount: 1,
            HighWarningCount: c.level === 'high' && open.length > 0 ? 1 : 0, MediumWarningCount: c.level === 'medium' && open.length > 0 ? 1 : 0, LowWarningCount: c.level === 'low' && open.length > 0 ? 1 : 0,
            WarningMachineCount: open.length, IgnoredWarningCount: ignored, LastFoundTime: wireTime(scan.scannedAt), CheckExploit: false, ContainerRisk: false, DatabaseRisk: c.typeAlias === 'database',
            FixSupported: c.fixable,
          }];
        });
      const pg = pageOf(rows, p.CurrentPage, p.PageSize ?? DEFAULT_PAGE, MAX_PAGE);
      return { WarningSummarys: pg.items, TotalCount: pg.totalCount, CurrentPage: pg.pageNumber, PageSize: pg.pageSize, Count: pg.items.length };
    },
  }),
  op({
    product: 'sas', action: 'DescribeCheckWarnings', ramAction: 'yundun-sas:DescribeCheckWarnings',
    params: z.object({
      ...page, RiskId: t.int().optional(), Uuid: t.str(256).optional(), CheckId: t.int().optional(), CheckType: t.str(64).optional(), RiskStatus: t.int().optional(),
      ContainerName: t.str(256).optional(), ResourceDirectoryAccountId: t.str(32).optional(),
    }),
    resources: (p, account) => sasResources(account, p.Uuid?.startsWith('i-') === true ? p.Uuid : undefined),
    handler: async (ctx, p) => {
      if (p.RiskStatus !== undefined && ![1, 3, 6].includes(p.RiskStatus)) throw apiError('InvalidParameter', { name: 'RiskStatus', value: String(p.RiskStatus), why: 'Use 1 (failed), 3 (passed) or 6 (ignored).' });
      const { warnings } = await warningsOf(ctx);
      const rows = warnings.filter((w) => w.failing
        && (p.RiskId === undefined || w.checkId === p.RiskId) && (p.CheckId === undefined || w.checkId === p.CheckId)
        && (p.Uuid === undefined || p.Uuid === '' || w.resource === p.Uuid)
        && (p.CheckType === undefined || findCheck(w.checkId)?.checkType === p.CheckType)
        // a warning is failed (1) or ignored (6); nothing passed is kept, so 3 answers none
        && (p.RiskStatus === undefined || warningStatus(w) === p.RiskStatus));
      const pg = pageOf(rows, p.CurrentPage, p.PageSize ?? DEFAULT_PAGE, MAX_PAGE);
      return { CheckWarnings: pg.items.map((w) => wireWarning(w, findCheck(w.checkId)!)), TotalCount: pg.totalCount, CurrentPage: pg.pageNumber, PageSize: pg.pageSize, Count: pg.items.length };
    },
  }),
  op({
    product: 'sas', action: 'DescribeCheckWarningDetail', ramAction: 'yundun-sas:DescribeCheckWarningDetail',
    params: z.object({ CheckWarningId: t.int(), CheckId: t.str(32).optional(), Uuid: t.str(256).optional(), Lang: t.str(8).optional(), SourceIp: t.str(64).optional(), ContainerName: t.str(256).optional(), ResourceDirectoryAccountId: t.str(32).optional() }),
    resources: (p, account) => sasResources(account, p.Uuid?.startsWith('i-') === true ? p.Uuid : undefined),
    handler: async (ctx, p) => {
      const w = await warningById(ctx, p.CheckWarningId);
      if ((p.Uuid !== undefined && p.Uuid !== '' && p.Uuid !== w.resource) || (p.CheckId !== undefined && p.CheckId !== '' && p.CheckId !== String(w.checkId))) {
        throw apiError('InvalidCheckWarningId.NotFound', { id: String(p.CheckWarningId) });
      }
      const c = findCheck(w.checkId)!;
      return {
        CheckId: c.id, CheckWarningId: w.id, Item: c.name, Level: c.level, Type: groupOf(c).title, Description: c.description, Advice: c.advice,
        Prompt: c.fixable ? 'FixCheckWarnings can fix this item.' : '', Uuid: w.resource, Status: warningStatus(w), Reason: w.reason, FixStatus: c.fixable ? 1 : 0,
        CheckDetailColumns: c.columns.map(([key, showName]) => ({ Key: key, ShowName: showName, Type: 'text' })),
        CheckDetailAssetInfo: w.evidence,
      };
    },
  }),
  op({
    product: 'sas', action: 'IgnoreHcCheckWarnings', ramAction: 'yundun-sas:IgnoreHcCheckWarnings',
    params: z.object({ Type: t.int(), CheckWarningIds: t.str(65536).optional(), CheckIds: t.str(4096).optional(), RiskId: t.str(32).optional(), Reason: t.str(1024).optional(), Source: t.str(32).optional(), SourceIp: t.str(64).optional() }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => {
      if (p.Type !== 1 && p.Type !== 2) throw apiError('InvalidParameter', { name: 'Type', value: String(p.Type), why: 'Use 1 (ignore) or 2 (cancel the ignore).' });
      await ignoreWarnings(ctx, {
        warningIds: numbers('CheckWarningIds', p.CheckWarningIds), checkIds: [...numbers('CheckIds', p.CheckIds), ...numbers('RiskId', p.RiskId)],
        ignore: p.Type === 1, reason: p.Reason ?? '',
      });
      return {};
    },
  }),
  op({
    product: 'sas', action: 'FixCheckWarnings', ramAction: 'yundun-sas:FixCheckWarnings',
    params: z.object({ RiskId: t.int().optional(), CheckParams: t.str(65536).optional(), Uuids: t.str(65536).optional(), Lang: t.str(8).optional(), SourceIp: t.str(64).optional(), RetentionDays: t.int().optional(), SnapshotName: t.str(128).optional() }),
    resources: (p, account) => sasResources(account, commaList(p.Uuids).filter((u) => u.startsWith('i-'))),
    handler: async (ctx, p) => {
      const checkIds = new Set<number>(p.RiskId !== undefined ? [p.RiskId] : []);
      if (p.CheckParams !== undefined && p.CheckParams !== '') {
        let parsed: unknown;
        try { parsed = JSON.parse(p.CheckParams); } catch { parsed = undefined; }
        if (!Array.isArray(parsed)) throw apiError('InvalidParameter', { name: 'CheckParams', value: p.CheckParams, why: 'It must be a JSON array of {"checkId", "rules"} objects.' });
        for (const item of parsed as unknown[]) {
          const id = (item as { checkId?: unknown } | null)?.checkId;
          if (typeof id !== 'number' && !(typeof id === 'string' && /^[0-9]{1,9}$/.test(id))) throw apiError('InvalidParameter', { name: 'CheckParams', value: p.CheckParams, why: 'Each item needs a numeric `checkId`.' });
          checkIds.add(Number(id));
        }
      }
      const r = await fixWarnings(ctx, { checkIds: [...checkIds], resources: commaList(p.Uuids) });
      return { BatchId: r.batchId };
    },
  }),
  op({
    product: 'sas', action: 'DescribeRiskCheckSummary', ramAction: 'yundun-sas:DescribeRiskCheckSummary',
    params: z.object({ Lang: t.str(8).optional(), SourceIp: t.str(64).optional(), ResourceOwnerId: t.str(32).optional(), ResourceDirectoryAccountId: t.str(32).optional() }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx) => {
      const { scan, warnings } = await warningsOf(ctx);
      const states = CHECKS.map((c) => ({ c, ...riskCheckStatus(c, warnings) }));
      const failed = states.filter((s) => s.status === 'failed');
      const affected = new Set(warnings.filter((w) => w.failing && !w.ignored).map((w) => w.resource));
      return {
        RiskCheckSummary: {
          ItemCount: CHECKS.length, RiskCount: failed.length, RiskRate: Math.round((failed.length / CHECKS.length) * 100) / 100,
          AffectedAssetCount: affected.size, EnabledRiskCount: CHECKS.length - failed.length, DisabledRiskCount: failed.length,
          PreviousCount: scan.previousCount, PreviousTime: scan.previousAt,
          RiskLevelCount: (['high', 'medium', 'low'] as const).map((level) => ({ Key: level, Count: failed.filter((s) => s.c.level === level).length })),
          Groups: CHECK_GROUPS.map((g) => {
            const mine = states.filter((s) => s.c.group === g.id);
            return {
              Id: g.id, Title: g.title, Sort: g.sort, Status: 'finish', RemainingTime: 0,
              CountByStatus: [{ Status: 'pass', Count: mine.filter((s) => s.status !== 'failed').length }, { Status: 'failed', Count: mine.filter((s) => s.status === 'failed').length }],
            };
          }),
        },
      };
    },
  }),
  op({
    product: 'sas', action: 'DescribeRiskCheckResult', ramAction: 'yundun-sas:DescribeRiskCheckResult',
    params: z.object({
      ...page, GroupId: t.int().optional(), ItemIds: t.list(t.str(16), 100).optional(), Name: t.str(256).optional(), RiskLevel: t.str(16).optional(), Status: t.str(16).optional(),
      AssetType: t.str(32).optional(), QueryFlag: t.str(16).optional(), ResourceOwnerId: t.str(32).optional(),
    }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => {
      if (p.Status !== undefined && !['pass', 'failed', 'ignored', 'running', 'waiting', 'falsePositive'].includes(p.Status)) {
        throw apiError('InvalidParameter', { name: 'Status', value: p.Status, why: 'Use pass, failed, ignored, running, waiting or falsePositive.' });
      }
      if (p.RiskLevel !== undefined && !['high', 'medium', 'low'].includes(p.RiskLevel)) throw apiError('InvalidParameter', { name: 'RiskLevel', value: p.RiskLevel, why: 'Use high, medium or low.' });
      const { scan, warnings } = await warningsOf(ctx);
      const items = p.ItemIds !== undefined && p.ItemIds.length > 0 ? new Set(p.ItemIds.map(Number)) : undefined;
      const rows = CHECKS.map((c) => ({ c, ...riskCheckStatus(c, warnings) })).filter(({ c, status }) =>
        (p.GroupId === undefined || c.group === p.GroupId) && (items === undefined || items.has(c.id)) && (p.Name === undefined || c.key === p.Name || c.name === p.Name)
        && (p.RiskLevel === undefined || c.level === p.RiskLevel) && (p.Status === undefined || status === p.Status)
        && (p.AssetType === undefined || c.assetType.toLowerCase() === p.AssetType.toLowerCase()) && (p.QueryFlag === undefined || p.QueryFlag === 'enabled'));
      const pg = pageOf(rows, p.CurrentPage, p.PageSize ?? DEFAULT_PAGE, MAX_PAGE);
      return {
        List: pg.items.map(({ c, status, affected }) => ({
          ItemId: c.id, Title: c.name, Type: groupOf(c).title, RiskLevel: c.level, Status: status, AffectedCount: affected, CheckTime: scan.scannedAt, RemainingTime: 0,
          RepairStatus: c.fixable ? 'enabled' : 'disabled', RiskAssertType: c.assetType, Sort: c.id, StartStatus: 'enabled', TaskId: scan.seq,
          RiskItemResources: [
            { ResourceName: 'bestPractice', ContentResource: { type: 'text', value: c.description } },
            { ResourceName: 'suggestion', ContentResource: { type: 'text', value: c.advice } },
          ],
        })),
        TotalCount: pg.totalCount, CurrentPage: pg.pageNumber, PageSize: pg.pageSize, Count: pg.items.length, PageCount: Math.ceil(pg.totalCount / pg.pageSize),
      };
    },
  }),
];

