// STS (SPEC §4): AssumeRole hands out temporary credentials (`STS.`-prefixed AccessKeyId, secret,
// SecurityToken, Expiration) and GetCallerIdentity says who is calling. Credentials are stateless:
// the token carries the session (account, role, session name, expiry, session policy) under an
// HMAC of a key kept in the store, and the secret is derived from the same key, so every server
// on the store can verify them and an altered or expired token is refused. A session is bound to
// its role's id, not its name: deleting the role ends its sessions, and a new role of the same
// name never inherits them.
import { timingSafeEqual } from 'node:crypto';
import { mac, serverKey } from './server-key.ts';
import type { CallContext, Principal } from './context.ts';
import { DomainError } from './errors.ts';
import { roleRow } from './ram/roles.ts';
import { checkPolicyDocument, evaluateTrust } from './policy-check.ts';
import { SESSION_POLICY_MAX_BYTES } from '../engine/policy/parse.ts';
import { isoSeconds } from '../clock.ts';

/** The session a token carries: account, role name and id, session name, expiry, key id, session policy. */
interface SessionPayload { v: 2; a: string; r: string; i: string; s: string; e: number; k: string; p?: string }

export interface StsSession { accountId: string; roleName: string; roleId: string; sessionName: string; expiration: number; sessionPolicy?: string; accessKeyId: string; secret: string }

/** A role ARN exactly as Parapet writes it: lower-case prefix, the role name as created. */
const ARN = /^acs:ram::(\d{16}):role\/([a-zA-Z0-9.-]{1,64})$/;
const SESSION_NAME = /^[\w.@-]{2,64}$/;

export function callerArn(p: Principal): string {
  if (p.kind === 'user') return `acs:ram::${p.accountId}:user/${p.userName ?? ''}`;
  if (p.kind === 'role') return `acs:ram::${p.accountId}:assumed-role/${p.roleName ?? ''}/${p.sessionName ?? ''}`;
  return `acs:ram::${p.accountId}:root`;
}

export async function assumeRole(ctx: CallContext, p: { roleArn: string; roleSessionName: string; durationSeconds?: number | undefined; policy?: string | undefined }) {
  const m = ARN.exec(p.roleArn);
  if (m === null) throw new DomainError('InvalidParameter.RoleArn', 400, `The specified \`RoleArn\` \`${p.roleArn}\` is not a role ARN (\`acs:ram::<account>:role/<name>\`).`);
  if (!SESSION_NAME.test(p.roleSessionName)) throw new DomainError('InvalidParameter.RoleSessionName', 400, `The specified \`RoleSessionName\` \`${p.roleSessionName}\` must be 2 to 64 letters, digits, \`.\`, \`@\`, \`-\` or \`_\`.`);
  const [, accountId, roleName] = m;
  if (accountId !== ctx.principal.accountId) throw new DomainError('NoPermission', 403, 'Assuming a role of another account is not supported yet.');
  if (p.policy !== undefined && p.policy !== '') {
    if (Buffer.byteLength(p.policy) > SESSION_POLICY_MAX_BYTES) throw new DomainError('InvalidParameter.PolicySize', 400, `The session policy is longer than ${SESSION_POLICY_MAX_BYTES} bytes.`);
    try { checkPolicyDocument(p.policy, 'session'); } catch (e) {
      throw new DomainError('InvalidParameter.PolicyGrammar', 400, e instanceof DomainError ? e.message : 'The session policy is malformed.');
    }
  }
  const role = await roleRow(ctx.store.db, accountId, roleName!).catch(() => {
    throw new DomainError('EntityNotExist.Role', 404, `The role \`${p.roleArn}\` does not exist.`);
  });
  const duration = p.durationSeconds ?? 3600;
  if (!Number.isInteger(duration) || duration < 900 || duration > role.max_session_duration) {
    throw new DomainError('InvalidParameter.DurationSeconds', 400, `The specified \`DurationSeconds\` \`${String(p.durationSeconds)}\` must be between 900 and the role's maximum, ${role.max_session_duration}.`);
  }
  const trust = evaluateTrust(role.trust_policy, { type: 'RAM', id: callerArn(ctx.principal) });
  if (trust !== 'Allow') throw new DomainError('NoPermission', 403, `You are not authorized to assume role \`${p.roleArn}\`: its trust policy does not name \`${callerArn(ctx.principal)}\`.`);
  return issue(ctx, { accountId, roleName: role.name, roleId: role.id, sessionName: p.roleSessionName, durationSeconds: duration, sessionPolicy: p.policy });
}

/** Mints credentials for a role session (AssumeRole; instance RAM roles reuse it). */
export async function issue(ctx: Pick<CallContext, 'store' | 'ids' | 'clock'>, s: { accountId: string; roleName: string; roleId: string; sessionName: string; durationSeconds: number; sessionPolicy?: string | undefined; expiresAt?: number }) {
  const key = await serverKey(ctx);
  const accessKeyId = 'STS.' + ctx.ids.token(18).replace(/[-_]/g, 'x');
  const expiration = s.expiresAt ?? Math.floor(ctx.clock.now() / 1000) * 1000 + s.durationSeconds * 1000;
  const payload: SessionPayload = { v: 2, a: s.accountId, r: s.roleName, i: s.roleId, s: s.sessionName, e: expiration, k: accessKeyId };
  if (s.sessionPolicy !== undefined && s.sessionPolicy !== '') payload.p = s.sessionPolicy;
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return {
    credentials: { accessKeyId, accessKeySecret: mac(key, 'secret:' + body).slice(0, 32), securityToken: body + '.' + mac(key, 'token:' + body), expiration: isoSeconds(expiration) },
    assumedRoleUser: { arn: `acs:ram::${s.accountId}:assumed-role/${s.roleName}/${s.sessionName}`, assumedRoleId: `${s.roleId}:${s.sessionName}` },
  };
}

/** Verifies a SecurityToken for an `STS.` AccessKeyId; the session, or an Alibaba error. */
export async function verifyToken(ctx: Pick<CallContext, 'store' | 'ids' | 'clock'>, accessKeyId: string, token: string | undefined): Promise<StsSession> {
  if (token === undefined || token === '') throw new DomainError('MissingSecurityToken', 400, 'The input parameter `SecurityToken` that is mandatory for temporary credentials is not supplied.');
  const key = await serverKey(ctx);
  const dot = token.indexOf('.');
  const body = dot < 0 ? '' : token.slice(0, dot);
  const given = Buffer.from(dot < 0 ? '' : token.slice(dot + 1));
  const expected = Buffer.from(mac(key, 'token:' + body));
  if (dot < 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DomainError('InvalidSecurityToken.Malformed', 400, 'Specified SecurityToken is malformed.');
  }
  // the cast: the body carries our own signature, so it is a payload we wrote
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionPayload;
  if (payload.v !== 2) throw new DomainError('InvalidSecurityToken.Expired', 400, 'Specified SecurityToken is expired: it was issued by an earlier version; assume the role again.');
  if (payload.k !== accessKeyId) throw new DomainError('InvalidSecurityToken.MismatchWithAccessKey', 400, 'Specified SecurityToken mismatches the AccessKeyId.');
  if (ctx.clock.now() >= payload.e) throw new DomainError('InvalidSecurityToken.Expired', 400, 'Specified SecurityToken is expired.');
  // INVARIANT: a session lives only as long as the very role it was issued for
  const roleId = await ctx.store.memo(`role-id:${payload.a}:${payload.r}`, async () =>
    (await ctx.store.db.selectFrom('ram_roles').select('id').where('account_id', '=', payload.a).where('name', '=', payload.r).executeTakeFirst())?.id ?? '');
  if (roleId !== payload.i) throw new DomainError('InvalidSecurityToken.Expired', 400, 'Specified SecurityToken is expired: the role of its session no longer exists.');
  const session: StsSession = { accountId: payload.a, roleName: payload.r, roleId: payload.i, sessionName: payload.s, expiration: payload.e, accessKeyId, secret: mac(key, 'secret:' + body).slice(0, 32) };
  if (payload.p !== undefined) session.sessionPolicy = payload.p;
  return session;
}
