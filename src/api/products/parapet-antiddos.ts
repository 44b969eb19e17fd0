// Parapet API 2026-11-01, Anti-DDoS Basic's additions (RAM actions `yundun-ddos:<Action>`, so the
// DDoS system policies govern them; `DescribePenalties` is a `Describe*` a read-only policy allows):
// - DisableDdosScrubbing / EnableDdosScrubbing (`RegionId`, `InstanceId` or `InternetIp`): the
//   seed's "cancel traffic cleaning" (not advised: traffic over the black-hole threshold then goes
//   straight to the black hole) → `InstanceId`, `InternetIp`, `ScrubbingEnabled`;
// - DescribePenalties (`RegionId`, `InstanceId`, `PenaltyId`, `Status` active|ended, `PageNumber`,
//   `PageSize` ≤ 100) → `TotalCount`, `PageNumber`, `PageSize`, `Penalties.Penalty[]` {`PenaltyId`,
//   `InstanceId`, `RegionId`, `InternetIp`, `Status`, `StartTime`, `PlannedEndTime`, `EndTime` ('' while
//   active), `EndedBy` ('' | expired | operator), `PeakOutBps`, `PeakOutPps`, `AppealStatus`
//   (none | pending | accepted), `AppealReason`, `AppealTime`}; times ISO-8601 as ECS prints them;
// - AppealPenalty (`PenaltyId`, `Reason` ≤ 1,024 characters) → `PenaltyId`, `AppealStatus`.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { instanceArn, named } from '../../domain/arns.ts';
import { t } from '../params.ts';
import { setScrubbing } from '../../domain/antiddos/assets.ts';
import { appealPenalty, describePenalties, type Penalty } from '../../domain/antiddos/penalties.ts';
import { isoSeconds } from '../../clock.ts';

const ddosArn = (account: string) => arn('yundun-ddos', '*', account, '*');
/** The service's resource and the instance the call names (STYLE 13). */
const ddosResources = (account: string, region: string | undefined, id: string | undefined) => [ddosArn(account), ...named((x) => instanceArn(region ?? '*', account, x), id)];
const iso = (ms: number) => (ms > 0 ? isoSeconds(ms) : '');

function wirePenalty(p: Penalty): Record<string, unknown> {
  return {
    PenaltyId: p.penaltyId, InstanceId: p.instanceId, RegionId: p.regionId, InternetIp: p.ip, Status: p.status,
    StartTime: iso(p.startTime), PlannedEndTime: iso(p.until), EndTime: iso(p.endTime), EndedBy: p.endedBy,
    PeakOutBps: p.peakBps, PeakOutPps: p.peakPps, AppealStatus: p.appealStatus, AppealReason: p.appealText, AppealTime: iso(p.appealTime),
  };
}

const scrubbing = (action: 'DisableDdosScrubbing' | 'EnableDdosScrubbing', enabled: boolean) => op({
  product: 'parapet', action, ramAction: `yundun-ddos:${action}`,
  params: z.object({ RegionId: t.str(64), InstanceId: t.str(128).optional(), InternetIp: t.str(64).optional() }),
  resources: (p, account) => ddosResources(account, p.RegionId, p.InstanceId),
  handler: async (ctx, p) => {
    const a = await setScrubbing(ctx, { regionId: p.RegionId, instanceId: p.InstanceId, internetIp: p.InternetIp, enabled });
    return { InstanceId: a.instanceId, InternetIp: a.ip, ScrubbingEnabled: enabled };
  },
});

export const parapetAntiddosOperations = [
  scrubbing('DisableDdosScrubbing', false),
  scrubbing('EnableDdosScrubbing', true),
  op({
    product: 'parapet', action: 'DescribePenalties', ramAction: 'yundun-ddos:DescribePenalties',
    params: z.object({
      RegionId: t.str(64).optional(), InstanceId: t.str(128).optional(), PenaltyId: t.str(128).optional(), Status: t.str(16).optional(),
      PageNumber: t.int().optional(), PageSize: t.int().optional(),
    }),
    resources: (p, account) => ddosResources(account, p.RegionId, p.InstanceId),
    handler: async (ctx, p) => {
      const page = await describePenalties(ctx, { regionId: p.RegionId, instanceId: p.InstanceId, penaltyId: p.PenaltyId, status: p.Status, pageNumber: p.PageNumber, pageSize: p.PageSize });
      return { TotalCount: page.totalCount, PageNumber: page.pageNumber, PageSize: page.pageSize, Penalties: { Penalty: page.items.map(wirePenalty) } };
    },
  }),
  op({
    product: 'parapet', action: 'AppealPenalty', ramAction: 'yundun-ddos:AppealPenalty',
    params: z.object({ PenaltyId: t.str(128), Reason: t.str(4096) }),
    resources: (_p, account) => [ddosArn(account)],
    handler: async (ctx, p) => {
      const r = await appealPenalty(ctx, p.PenaltyId, p.Reason);
      return { PenaltyId: r.penaltyId, AppealStatus: r.appealStatus };
    },
  }),
];
