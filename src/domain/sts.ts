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
import { DomainError, apiError } from './errors.ts';
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
  if (m === null) throw apiError('InvalidParameter.RoleArn', { value: p.roleArn });
  if (!SESSION_NAME.test(p.roleSessionName)) throw apiError('InvalidParameter.RoleSessionName', { value: p.roleSessionName });
  const [, accountId, roleName] = m;
  if (accountId !== ctx.principal.accountId) throw apiError('NoPermission', 'otherAccount');
  if (p.policy !== undefined && p.policy !== '') {
    if (Buffer.byteLength(p.policy) > SESSION_POLICY_MAX_BYTES) throw apiError('InvalidParameter.PolicySize', { max: SESSION_POLICY_MAX_BYTES });
    try { checkPolicyDocument(p.policy, 'session'); } catch (e) {
      throw e instanceof DomainError ? apiError('InvalidParameter.PolicyGrammar', 'checked', { message: e.message }) : apiError('InvalidParameter.PolicyGrammar');
    }
  }
  const role = await roleRow(ctx.store.db, accountId, roleName!).catch(() => {
    throw apiError('EntityNotExist.Role', { name: p.roleArn });
  });
  const duration = p.durationSeconds ?? 3600;
  if (!Number.isInteger(duration) || duration < 900 || duration > role.max_session_duration) {
    throw apiError('InvalidParameter.DurationSeconds', { value: String(p.durationSeconds), max: role.max_session_duration });
  }
  const trust = evaluateTrust(role.trust_policy, { type: 'RAM', id: callerArn(ctx.principal) });
  if (trust !== 'Allow') throw apiError('NoPermission', 'notTrusted', { roleArn: p.roleArn, caller: callerArn(ctx.principal) });
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
  if (token === undefined || token === '') throw apiError('MissingSecurityToken');
  const key = await serverKey(ctx);
  const dot = token.indexOf('.');
  const body = dot < 0 ? '' : token.slice(0, dot);
  const given = Buffer.from(dot < 0 ? '' : token.slice(dot + 1));
  const expected = Buffer.from(mac(key, 'token:' + body));
  if (dot < 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw apiError('InvalidSecurityToken.Malformed');
  }
  // the cast: the body carries our own signature, so it is a payload we wrote
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionPayload;
  if (payload.v !== 2) throw apiError('InvalidSecurityToken.Expired', 'earlierVersion');
  if (payload.k !== accessKeyId) throw apiError('InvalidSecurityToken.MismatchWithAccessKey');
  if (ctx.clock.now() >= payload.e) throw apiError('InvalidSecurityToken.Expired');
  // INVARIANT: a session lives only as long as the very role it was issued for
  const roleId = await ctx.store.memo(`role-id:${payload.a}:${payload.r}`, async () =>
    (await ctx.store.db.selectFrom('ram_roles').select('id').where('account_id', '=', payload.a).where('name', '=', payload.r).executeTakeFirst())?.id ?? '');
  if (roleId !== payload.i) throw apiError('InvalidSecurityToken.Expired', 'roleGone');
  const session: StsSession = { accountId: payload.a, roleName: payload.r, roleId: payload.i, sessionName: payload.s, expiration: payload.e, accessKeyId, secret: mac(key, 'secret:' + body).slice(0, 32) };
  if (payload.p !== undefined) session.sessionPolicy = payload.p;
  return session;
}
