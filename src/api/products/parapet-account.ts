// Parapet 2026-11-01: the account's settings (domain/account-settings.ts).
// - DescribeAccountSettings → `DefaultGroupOpenHttp` (the default group also opens TCP 80 and 443),
//   `Port25Unblocked` (the platform's port-25 block lifted for the account; an operator's
//   `parapet admin unblock-port25`, read-only here).
// - ModifyAccountSettings(`DefaultGroupOpenHttp`) → the settings as they are afterwards.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { t } from '../params.ts';
import { type AccountSettings, describeAccountSettings, modifyAccountSettings } from '../../domain/account-settings.ts';

const wireSettings = (s: AccountSettings) => ({ DefaultGroupOpenHttp: s.defaultGroupOpenHttp, Port25Unblocked: s.port25Unblocked });

export const parapetAccountOperations = [
  op({
    product: 'parapet', action: 'DescribeAccountSettings', ramAction: 'ecs:DescribeAccountSettings',
    params: z.object({}),
    resources: (_p, account) => [arn('ecs', '*', account, '*')],
    handler: async (ctx) => wireSettings(await describeAccountSettings(ctx)),
  }),
  op({
    product: 'parapet', action: 'ModifyAccountSettings', ramAction: 'ecs:ModifyAccountSettings',
    params: z.object({ DefaultGroupOpenHttp: t.bool().optional() }),
    resources: (_p, account) => [arn('ecs', '*', account, '*')],
    handler: async (ctx, p) => wireSettings(await modifyAccountSettings(ctx, { defaultGroupOpenHttp: p.DefaultGroupOpenHttp })),
  }),
];
