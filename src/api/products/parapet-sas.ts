// Parapet API 2026-11-01, Security Center's agent (the reference installs it through Cloud
// Assistant or a script, with no operation of its own): InstallSecurityAgent and
// UninstallSecurityAgent (`InstanceId.N`, up to 100 of the caller's instances, any region) → `{}`.
// RAM actions `yundun-sas:InstallSecurityAgent` / `yundun-sas:UninstallSecurityAgent` on the
// service's resource and each instance named. Installing twice, or uninstalling an instance
// without the agent, is harmless; an unknown instance refuses the whole call.
// DescribeSecurityScore → `Score` (0–100) and `Deductions[]` {`Reason` (alert:<level>,
// vulnerability:<level>, baseline:<level>), `Count`, `Points`} (security-center/score.ts); RAM
// action `yundun-sas:DescribeSecurityScore` on the service's resource.
// Notifications (security-center/notify.ts): ModifySecurityNotification (`Method` email | webhook |
// inbox, `Levels` comma list, `Target` the address or URL, `Secret` the webhook's HMAC key,
// `Window` HH:MM-HH:MM UTC, `Enabled` false removes it) → `{}`; DescribeSecurityNotifications →
// `Notifications[]` {`Method`, `Levels`, `Target`, `HasSecret`, `Window`}; DescribeSecurityMessages
// (the inbox, newest first, paging) → `Messages[]` {`Id`, `AlertId`, `Level`, `Title`, `Body`,
// `CreateTime`}, `TotalCount`.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { instanceArn, named } from '../../domain/arns.ts';
import { t } from '../params.ts';
import { setSecurityAgent } from '../../domain/security-center/agent.ts';
import { securityScore } from '../../domain/security-center/score.ts';
import { listInbox, listNotifications, modifyNotification } from '../../domain/security-center/notify.ts';
import { pageOf } from '../../domain/paging.ts';
import { isoSeconds } from '../../clock.ts';

const sasArn = (account: string) => arn('yundun-sas', '*', account, '*');

const agentOp = (action: 'InstallSecurityAgent' | 'UninstallSecurityAgent', on: boolean) => op({
  product: 'parapet', action, ramAction: `yundun-sas:${action}`,
  params: z.object({ InstanceId: t.list(t.str(128), 100), RegionId: t.str(64).optional() }),
  resources: (p, account) => [arn('yundun-sas', '*', account, '*'), ...named((id) => instanceArn(p.RegionId ?? '*', account, id), p.InstanceId)],
  handler: async (ctx, p) => { await setSecurityAgent(ctx, p.InstanceId, on); return {}; },
});

export const parapetSasOperations = [
  agentOp('InstallSecurityAgent', true), agentOp('UninstallSecurityAgent', false),
  op({
    product: 'parapet', action: 'DescribeSecurityScore', ramAction: 'yundun-sas:DescribeSecurityScore',
    params: z.object({ RegionId: t.str(64).optional() }),
    resources: (_p, account) => [arn('yundun-sas', '*', account, '*')],
    handler: async (ctx) => {
      const s = await securityScore(ctx);
      return { Score: s.score, Deductions: s.deductions.map((d) => ({ Reason: d.reason, Count: d.count, Points: d.points })) };
    },
  }),
  op({
    product: 'parapet', action: 'ModifySecurityNotification', ramAction: 'yundun-sas:ModifySecurityNotification',
    params: z.object({ Method: t.str(16), Levels: t.str(64).optional(), Target: t.str(2048).optional(), Secret: t.str(256).optional(), Window: t.str(16).optional(), Enabled: t.bool().optional() }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => {
      await modifyNotification(ctx, { method: p.Method, levels: p.Levels ?? 'serious,suspicious,remind', target: p.Target, secret: p.Secret, window: p.Window, enabled: p.Enabled ?? true });
      return {};
    },
  }),
  op({
    product: 'parapet', action: 'DescribeSecurityNotifications', ramAction: 'yundun-sas:DescribeSecurityNotifications',
    params: z.object({ RegionId: t.str(64).optional() }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx) => ({
      Notifications: (await listNotifications(ctx.store.db, ctx.principal.accountId)).map((n) => ({ Method: n.method, Levels: n.levels.join(','), Target: n.target, HasSecret: n.hasSecret, Window: n.window })),
    }),
  }),
  op({
    product: 'parapet', action: 'DescribeSecurityMessages', ramAction: 'yundun-sas:DescribeSecurityMessages',
    params: z.object({ PageNumber: t.int().optional(), PageSize: t.int().optional(), RegionId: t.str(64).optional() }),
    resources: (_p, account) => [sasArn(account)],
    handler: async (ctx, p) => {
      const pg = pageOf(await listInbox(ctx.store.db, ctx.principal.accountId), p.PageNumber, p.PageSize ?? 20, 100);
      return {
        Messages: pg.items.map((m) => ({ Id: m.id, AlertId: m.alertId, Level: m.level, Title: m.title, Body: m.body, CreateTime: isoSeconds(m.createdAt) })),
        TotalCount: pg.totalCount, PageNumber: pg.pageNumber, PageSize: pg.pageSize,
      };
    },
  }),
];
