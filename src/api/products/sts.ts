// STS 2015-04-01: AssumeRole and GetCallerIdentity.
import { z } from 'zod';
import { op } from '../catalog.ts';
import { t } from '../params.ts';
import { assumeRole, callerArn } from '../../domain/sts.ts';

export const stsOperations = [
  op({
    product: 'sts', action: 'AssumeRole', ramAction: 'sts:AssumeRole',
    params: z.object({ RoleArn: t.str(512), RoleSessionName: t.str(128), DurationSeconds: t.int().optional(), Policy: t.str(8192).optional(), ExternalId: t.str(256).optional(), SourceIdentity: t.str(128).optional() }),
    resources: (p) => [p.RoleArn.includes('::') ? p.RoleArn : '*'],
    handler: async (ctx, p) => {
      const r = await assumeRole(ctx, { roleArn: p.RoleArn, roleSessionName: p.RoleSessionName, durationSeconds: p.DurationSeconds, policy: p.Policy });
      return {
        Credentials: { AccessKeyId: r.credentials.accessKeyId, AccessKeySecret: r.credentials.accessKeySecret, SecurityToken: r.credentials.securityToken, Expiration: r.credentials.expiration },
        AssumedRoleUser: { Arn: r.assumedRoleUser.arn, AssumedRoleId: r.assumedRoleUser.assumedRoleId },
      };
    },
  }),
  op({
    product: 'sts', action: 'GetCallerIdentity', ramAction: 'sts:GetCallerIdentity',
    params: z.object({}),
    resources: () => ['*'],
    handler: async (ctx) => {
      const p = ctx.principal;
      const type = p.kind === 'root' ? 'Account' : p.kind === 'user' ? 'RAMUser' : 'AssumedRoleUser';
      return { AccountId: p.accountId, Arn: callerArn(p), IdentityType: type, PrincipalId: p.kind === 'role' ? `${p.roleName ?? ''}:${p.sessionName ?? ''}` : p.userName ?? p.accountId, UserId: p.userName ?? '', RoleId: p.roleName ?? '' };
    },
  }),
];
