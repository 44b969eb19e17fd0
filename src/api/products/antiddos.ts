// Anti-DDoS Basic, antiddos-public 2017-05-18 (HostId `antiddos.aliyuncs.com`): the 13 operations
// of the reference, RAM actions `yundun-ddos:<Action>` on `acs:yundun-ddos:*:{account}:*` (the
// reference grants them on every resource) and on each instance the call names. Times are milliseconds since the epoch and thresholds Mbit/s and
// packets per second, as in the reference. An address's state on the wire (`IpStatus`, and an open
// event's `DdosStatus`) is `normal` | `defense` (scrubbed) | `blackhole`, the words the reference's
// `DdosStatus` filter and `DdosType` use; the filters also take `mitigating` | `blackholed`. Parapet's additions (named in docs/API-COVERAGE.md): `ScrubbingEnabled`
// and `UnBlackholeTime` per address; per event `EventId`, `InstanceId`, `InternetIp`, `PeakBps`,
// `PeakPps`; DescribeCap's traffic series `Traffic.Point[]` (Parapet captures no packets:
// `CapUrl.Url` is empty).
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { instanceArn, named } from '../../domain/arns.ts';
import { t } from '../params.ts';
import { REGIONS, requireRegion } from '../../domain/regions.ts';
import { type Asset, assetByIp, assetOf, ddosCount, ddosSettings, ipLocation, listAssets, modifyThreshold } from '../../domain/antiddos/assets.ts';
import { describeEvents, type DdosEvent } from '../../domain/antiddos/events.ts';
import { describeTraffic } from '../../domain/antiddos/traffic.ts';
import type { IpStatus } from '../../domain/antiddos/model.ts';
import { pageOf } from '../../domain/paging.ts';
import type { CallContext, Services } from '../../domain/context.ts';

const ddosArn = (account: string) => arn('yundun-ddos', '*', account, '*');
/** The service's resource and every instance the call names (STYLE 13: a Deny on an instance refuses the call). */
const ddosResources = (account: string, region: string, ...ids: Array<string | readonly string[] | undefined>) => [ddosArn(account), ...named((id) => instanceArn(region, account, id), ...ids)];
const WIRE_STATUS: Readonly<Record<IpStatus, string>> = { normal: 'normal', defense: 'defense', blackhole: 'blackhole' };
/** the reference's page size limit for its three paged operations */
const MAX_PAGE = 50;

/** The black-hole threshold in Mbit/s (PARAPET_ANTIDDOS_BLACKHOLE_BPS), also the elastic one: Parapet has no Anti-DDoS Origin. */
const blackholeMbps = (svc: Services) => ddosSettings(svc).blackholeBps / 1_000_000;

function ipConfig(svc: Services, a: Asset): Record<string, unknown> {
  const bh = blackholeMbps(svc);
  return {
    InstanceIp: a.ip, IsBgppack: false, IpVersion: 'v4', IpStatus: WIRE_STATUS[a.state.status], RegionId: a.regionId,
    ElasticThreshold: bh, BlackholeThreshold: bh, DefenseBpsThreshold: a.thresholds.bpsMbps, DefensePpsThreshold: a.thresholds.pps, IsFullProtection: 0,
    ScrubbingEnabled: a.thresholds.scrubbing,
    ...(a.state.status === 'blackhole' ? { UnBlackholeTime: a.state.blackholeUntil } : {}),
  };
}

function threshold(svc: Services, a: Asset, ddosType: 'defense' | 'blackhole'): Record<string, unknown> {
  if (ddosType === 'blackhole') {
    const bh = blackholeMbps(svc);
    return { DdosType: 'blackhole', IsAuto: true, InstanceId: a.instanceId, InternetIp: a.ip, Bps: bh, MaxBps: bh, ElasticBps: bh, MaxPps: a.thresholds.maxPps };
  }
  const th = a.thresholds;
  return { DdosType: 'defense', IsAuto: th.isAuto, InstanceId: a.instanceId, InternetIp: a.ip, Bps: th.bpsMbps, Pps: th.pps, MaxBps: th.maxBpsMbps, MaxPps: th.maxPps };
}

function wireEvent(e: DdosEvent): Record<string, unknown> {
  return {
    DdosType: e.type, StartTime: e.startTime, ...(e.endTime > 0 ? { EndTime: e.endTime } : {}), ...(e.lastTime > e.startTime ? { DelayTime: e.lastTime } : {}),
    DdosStatus: e.endTime > 0 ? 'normal' : e.type === 'blackhole' ? 'blackhole' : 'defense',
    ...(e.type === 'blackhole' ? { UnBlackholeTime: e.unBlackholeTime } : {}),
    EventId: e.eventId, InstanceId: e.instanceId, InternetIp: e.ip, PeakBps: e.peakBps, PeakPps: e.peakPps, Released: e.status === 'released',
  };
}

const ddosType = z.enum(['defense', 'blackhole']);
const assetQuery = {
  DdosRegionId: t.str(64), InstanceType: t.str(32), InstanceName: t.str(256).optional(), DdosStatus: t.str(32).optional(), InstanceId: t.str(128).optional(),
  InstanceIp: t.str(64).optional(), CurrentPage: t.int().optional(), PageSize: t.int().optional(),
};
/** DescribeInstance's and DescribeInstanceIpAddress's page of the caller's assets. */
async function assetPage(ctx: CallContext, p: z.output<z.ZodObject<typeof assetQuery>>) {
  const all = await listAssets(ctx, { regionId: p.DdosRegionId, instanceType: p.InstanceType, instanceName: p.InstanceName, ddosStatus: p.DdosStatus, instanceId: p.InstanceId, instanceIp: p.InstanceIp });
  return pageOf(all, p.CurrentPage, p.PageSize, MAX_PAGE);
}

const thresholdChange = {
  DdosRegionId: t.str(64), InstanceType: t.str(32), InstanceId: t.str(128), Bps: t.int().optional(), Pps: t.int().optional(), IsAuto: t.bool().optional(), ClientToken: t.str(64).optional(),
};

export const antiddosOperations = [
  op({
    product: 'antiddos', action: 'DescribeRegions', ramAction: 'yundun-ddos:DescribeRegions',
    params: z.object({}),
    resources: (_p, account) => [ddosArn(account)],
    handler: () => Promise.resolve({
      Regions: { Region: REGIONS.map((r) => ({ RegionEnName: r.englishName, RegionName: r.localName, RegionNoAlias: r.id, RegionNo: r.id })) },
    }),
  }),
  op({
    product: 'antiddos', action: 'DescribeDdosCredit', ramAction: 'yundun-ddos:DescribeDdosCredit',
    params: z.object({ DdosRegionId: t.str(64) }),
    resources: (_p, account) => [ddosArn(account)],
    handler: (ctx, p) => {
      requireRegion(p.DdosRegionId);
      // no security-reputation model: every account has the best score, and the black hole lasts what the operator set
      return Promise.resolve({ Success: true, DdosCredit: { Score: 1000, ScoreLevel: 'A', BlackholeTime: Math.ceil(ddosSettings(ctx).blackholeSeconds / 60) } });
    },
  }),
  op({
    product: 'antiddos', action: 'DescribeInstance', ramAction: 'yundun-ddos:DescribeInstance',
    params: z.object(assetQuery),
    resources: (p, account) => ddosResources(account, p.DdosRegionId, p.InstanceId),
    handler: async (ctx, p) => {
      const page = await assetPage(ctx, p);
      const bh = blackholeMbps(ctx);
      return {
        Total: page.totalCount,
        InstanceList: {
          Instance: page.items.map((a) => ({
            InstanceId: a.instanceId, InstanceType: 'ecs', InstanceName: a.instanceName, InstanceStatus: WIRE_STATUS[a.state.status], InstanceIp: a.ip,
            IsBgppack: false, IpVersion: 'v4', ElasticThreshold: bh, BlackholeThreshold: bh, DefenseBpsThreshold: a.thresholds.bpsMbps, DefensePpsThreshold: a.thresholds.pps,
          })),
        },
      };
    },
  }),
  op({
    product: 'antiddos', action: 'DescribeInstanceIpAddress', ramAction: 'yundun-ddos:DescribeInstanceIpAddress',
    params: z.object(assetQuery),
    resources: (p, account) => ddosResources(account, p.DdosRegionId, p.InstanceId),
    handler: async (ctx, p) => {
      const page = await assetPage(ctx, p);
      return {
        Total: page.totalCount,
        InstanceList: page.items.map((a) => ({
          InstanceId: a.instanceId, InstanceType: 'ecs', InstanceName: a.instanceName, InstanceStatus: a.state.status === 'normal' ? 'normal' : 'abnormal',
          IpAddressConfig: [ipConfig(ctx, a)],
        })),
      };
    },
  }),
  op({
    product: 'antiddos', action: 'DescribeDdosThreshold', ramAction: 'yundun-ddos:DescribeDdosThreshold',
    params: z.object({
      DdosRegionId: t.str(64), DdosType: ddosType, InstanceType: t.str(32),
      // a repeated list (`InstanceIds.1`), or one JSON array
      InstanceIds: z.union([t.list(t.str(128), 50), t.jsonList(t.str(128), 50)]),
    }),
    resources: (p, account) => ddosResources(account, p.DdosRegionId, p.InstanceIds),
    handler: async (ctx, p) => {
      const assets: Asset[] = [];
      for (const id of new Set(p.InstanceIds)) assets.push(await assetOf(ctx, { regionId: p.DdosRegionId, instanceType: p.InstanceType, instanceId: id }));
      return { Thresholds: { Threshold: assets.map((a) => threshold(ctx, a, p.DdosType)) } };
    },
  }),
  op({
    product: 'antiddos', action: 'DescribeIpDdosThreshold', ramAction: 'yundun-ddos:DescribeIpDdosThreshold',
    params: z.object({ DdosRegionId: t.str(64), DdosType: ddosType, InstanceType: t.str(32), InstanceId: t.str(128), InternetIp: t.str(64) }),
    resources: (p, account) => ddosResources(account, p.DdosRegionId, p.InstanceId),
    handler: async (ctx, p) => {
      const a = await assetOf(ctx, { regionId: p.DdosRegionId, instanceType: p.InstanceType, instanceId: p.InstanceId, internetIp: p.InternetIp });
      return { Threshold: threshold(ctx, a, p.DdosType) };
    },
  }),
  op({
    product: 'antiddos', action: 'DescribeBgpPackByIp', ramAction: 'yundun-ddos:DescribeBgpPackByIp',
    params: z.object({ DdosRegionId: t.str(64), Ip: t.str(64) }),
    resources: (_p, account) => [ddosArn(account)],
    handler: async (ctx, p) => {
      requireRegion(p.DdosRegionId);
      const a = await assetByIp(ctx, p.Ip);
      // Parapet has no Anti-DDoS Origin: no address is bound to a protection package
      return { Code: 200, Success: true, DdosbgpInfo: { Ip: a.ip } };
    },
  }),
  op({
    product: 'antiddos', action: 'DescribeIpLocationService', ramAction: 'yundun-ddos:DescribeIpLocationService',
    params: z.object({ InternetIp: t.str(64) }),
    resources: (_p, account) => [ddosArn(account)],
    handler: async (ctx, p) => {
      const { ip, asset } = await ipLocation(ctx, p.InternetIp);
      return { Instance: asset === undefined ? { InternetIp: ip } : { InstanceId: asset.instanceId, InstanceName: asset.instanceName, InternetIp: ip, InstanceType: 'ecs', Region: asset.regionId } };
    },
  }),
  op({
    product: 'antiddos', action: 'ModifyDefenseThreshold', ramAction: 'yundun-ddos:ModifyDefenseThreshold', idempotent: true,
    params: z.object({ ...thresholdChange, InternetIp: t.str(64).optional() }),
    resources: (p, account) => ddosResources(account, p.DdosRegionId, p.InstanceId),
    handler: async (ctx, p) => {
      await modifyThreshold(ctx, { regionId: p.DdosRegionId, instanceType: p.InstanceType, instanceId: p.InstanceId, internetIp: p.InternetIp, isAuto: p.IsAuto === true, bps: p.Bps, pps: p.Pps });
      return {};
    },
  }),
  op({
    product: 'antiddos', action: 'ModifyIpDefenseThreshold', ramAction: 'yundun-ddos:ModifyIpDefenseThreshold', idempotent: true,
    params: z.object({ ...thresholdChange, InternetIp: t.str(64) }),
    resources: (p, account) => ddosResources(account, p.DdosRegionId, p.InstanceId),
    handler: async (ctx, p) => {
      await modifyThreshold(ctx, { regionId: p.DdosRegionId, instanceType: p.InstanceType, instanceId: p.InstanceId, internetIp: p.InternetIp, isAuto: p.IsAuto === true, bps: p.Bps, pps: p.Pps });
      return {};
    },
  }),
  op({
    product: 'antiddos', action: 'DescribeDdosEventList', ramAction: 'yundun-ddos:DescribeDdosEventList',
    params: z.object({
      DdosRegionId: t.str(64), InstanceType: t.str(32), InstanceId: t.str(128).optional(), InternetIp: t.str(64).optional(),
      CurrentPage: t.int().optional(), PageSize: t.int().optional(), QueryDays: t.int().optional(),
    }),
    resources: (p, account) => ddosResources(account, p.DdosRegionId, p.InstanceId),
    handler: async (ctx, p) => {
      const page = await describeEvents(ctx, {
        regionId: p.DdosRegionId, instanceType: p.InstanceType, instanceId: p.InstanceId, internetIp: p.InternetIp, queryDays: p.QueryDays, currentPage: p.CurrentPage, pageSize: p.PageSize,
      });
      return { Total: page.totalCount, DdosEventList: { DdosEvent: page.items.map(wireEvent) } };
    },
  }),
  op({
    product: 'antiddos', action: 'DescribeDdosCount', ramAction: 'yundun-ddos:DescribeDdosCount',
    params: z.object({ DdosRegionId: t.str(64), InstanceType: t.str(32) }),
    resources: (_p, account) => [ddosArn(account)],
    handler: async (ctx, p) => {
      const c = await ddosCount(ctx, p.DdosRegionId, p.InstanceType);
      // `InstacenCount`: the reference's spelling
      return { DdosCount: { InstacenCount: c.instances, DefenseCount: c.defense, BlackholeCount: c.blackhole } };
    },
  }),
  op({
    product: 'antiddos', action: 'DescribeCap', ramAction: 'yundun-ddos:DescribeCap',
    params: z.object({ DdosRegionId: t.str(64), InstanceType: t.str(32), InstanceId: t.str(128), BegTime: t.int().optional(), InternetIp: t.str(64).optional() }),
    resources: (p, account) => ddosResources(account, p.DdosRegionId, p.InstanceId),
    handler: async (ctx, p) => {
      const s = await describeTraffic(ctx, { regionId: p.DdosRegionId, instanceType: p.InstanceType, instanceId: p.InstanceId, internetIp: p.InternetIp, begTime: p.BegTime });
      return {
        CapUrl: { Url: '' }, InternetIp: s.ip, BegTime: s.begTime, EndTime: s.endTime, Interval: 1,
        Traffic: { Point: s.points.map((x) => ({ Time: x.time, BpsIn: x.bpsIn, PpsIn: x.ppsIn, BpsOut: x.bpsOut, PpsOut: x.ppsOut })) },
      };
    },
  }),
];
