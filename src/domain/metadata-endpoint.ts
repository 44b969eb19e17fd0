// Instance metadata without the data plane: `IssueInstanceMetadataEndpoint` (Parapet 2026-11-01)
// hands its caller a capability URL for one instance's metadata tree on the API server. The tree
// holds the instance role's credentials, so the URL is treated as what it is, a way to act as
// that role:
// - issuing it is its own RAM action, `parapet:IssueInstanceMetadataEndpoint`, in a namespace no
//   read-only wildcard (`ecs:Describe*`, `*:Get*`, `*:List*`…) reaches, and it also needs
//   `ram:PassRole` on the instance's role when it has one;
// - the URL expires: after DurationSeconds (default 3600; at most the role's session length, and
//   never after the caller's own session);
// - it works only while the instance runs the boot it was issued in (a stop, reboot or delete
//   ends it) and while its issuer still holds both permissions and its AccessKey or session:
//   every use judges the issuer again, with the using request's context;
// - its tag is an HMAC under the store's key, compared in constant time.
import type { CallContext, Principal, Services } from './context.ts';
import { type DomainError, apiError } from './errors.ts';
import { judge } from './authorization.ts';
import type { RequestContext } from './context.ts';
import { instanceArn, roleArn } from './arns.ts';
import { findAccessKey } from './accounts.ts';
import { sign, verifyTag } from './server-key.ts';
import { isoSeconds } from '../clock.ts';
import type { InstanceTable } from '../store/schema.ts';

export const ENDPOINT_ACTION = 'parapet:IssueInstanceMetadataEndpoint';
export const DEFAULT_ENDPOINT_SECONDS = 3600;
const MIN_ENDPOINT_SECONDS = 900;

/** An issued endpoint: the instance (id, account, boot), its end, and who issued it (to judge them again at each use). */
interface Grant { v: 1; i: string; a: string; b: number; e: number; p: Principal }

/** Whether the principal may (still) open this instance's tree: the endpoint action, and PassRole on its role. */
async function mayOpen(svc: Pick<Services, 'store'>, principal: Principal, inst: InstanceTable, rc: RequestContext): Promise<DomainError | undefined> {
  const own = await judge(svc, principal, ENDPOINT_ACTION, [instanceArn(inst.region_id, inst.account_id, inst.id)], rc);
  if (!own.allowed) {
    return apiError('Forbidden.RAM', { action: ENDPOINT_ACTION, resource: own.resource });
  }
  if (inst.ram_role_name !== '') {
    const pass = await judge(svc, principal, 'ram:PassRole', [roleArn(inst.account_id, inst.ram_role_name)], rc);
    if (!pass.allowed) {
      return apiError('InvalidUser.PassRoleForbidden', 'actAs', { roleName: inst.ram_role_name, instanceId: inst.id });
    }
  }
  return undefined;
}

export async function issueEndpoint(ctx: CallContext, p: { regionId: string; instanceId: string; durationSeconds?: number | undefined }): Promise<{ token: string; expiresAt: number }> {
  const accountId = ctx.principal.accountId;
  const inst = await ctx.store.db.selectFrom('instances').selectAll().where('id', '=', p.instanceId).where('account_id', '=', accountId).executeTakeFirst();
  if (inst === undefined || inst.region_id !== p.regionId) throw apiError('InvalidInstanceId.NotFound', { id: p.instanceId });
  if (inst.status !== 'Running') throw apiError('IncorrectInstanceStatus', 'notRunning', { id: inst.id, status: inst.status });
  const refused = await mayOpen(ctx, ctx.principal, inst, ctx.request);
  if (refused !== undefined) throw refused;
  let longest = DEFAULT_ENDPOINT_SECONDS;
  if (inst.ram_role_name !== '') {
    const role = await ctx.store.db.selectFrom('ram_roles').select('max_session_duration').where('account_id', '=', accountId).where('name', '=', inst.ram_role_name).executeTakeFirst();
    if (role !== undefined) longest = role.max_session_duration;
  }
  const seconds = p.durationSeconds ?? Math.min(DEFAULT_ENDPOINT_SECONDS, longest);
  if (!Number.isInteger(seconds) || seconds < MIN_ENDPOINT_SECONDS || seconds > longest) {
    throw apiError('InvalidParameter.DurationSeconds', 'endpoint', { value: String(p.durationSeconds), min: MIN_ENDPOINT_SECONDS, max: longest, roleName: inst.ram_role_name });
  }
  let expiresAt = Math.floor(ctx.clock.now() / 1000) * 1000 + seconds * 1000;
  // a role session can't hand out more time than it has
  if (ctx.principal.sessionExpiresAt !== undefined) expiresAt = Math.min(expiresAt, ctx.principal.sessionExpiresAt);
  const grant: Grant = { v: 1, i: inst.id, a: accountId, b: inst.boot_seq, e: expiresAt, p: ctx.principal };
  const body = Buffer.from(JSON.stringify(grant)).toString('base64url');
  return { token: `${body}.${await sign(ctx, 'metadata-endpoint:' + body)}`, expiresAt };
}

/**
 * The instance a capability URL opens, when it still may: a valid tag, not expired, the same
 * boot of a running instance, and an issuer who still holds the permissions (judged with the
 * using request's context) and the AccessKey or role session they issued it with.
 */
export async function resolveEndpoint(svc: Services, token: string, rc: RequestContext): Promise<InstanceTable | undefined> {
  const dot = token.lastIndexOf('.');
  if (dot <= 0 || token.length > 8192) return undefined;
  const body = token.slice(0, dot);
  if (!await verifyTag(svc, 'metadata-endpoint:' + body, token.slice(dot + 1))) return undefined;
  // the cast: the body carries our own tag, so it is a grant we wrote
  const grant = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Grant;
  const now = svc.clock.now();
  if (grant.v !== 1 || now >= grant.e) return undefined;
  const inst = await svc.store.db.selectFrom('instances').selectAll().where('id', '=', grant.i).where('account_id', '=', grant.a).executeTakeFirst();
  if (inst === undefined || inst.status !== 'Running' || inst.boot_seq !== grant.b) return undefined;
  const issuer = grant.p;
  if (issuer.accountId !== grant.a) return undefined;
  if (issuer.kind === 'role') {
    if (issuer.sessionExpiresAt === undefined || now >= issuer.sessionExpiresAt) return undefined;
    const role = await svc.store.db.selectFrom('ram_roles').select('id').where('account_id', '=', grant.a).where('name', '=', issuer.roleName ?? '').executeTakeFirst();
    if (role === undefined || role.id !== issuer.roleId) return undefined;
  } else {
    const key = await findAccessKey(svc, issuer.accessKeyId);
    if (key === undefined || key.status !== 'Active' || key.accountId !== grant.a || (key.userName ?? undefined) !== issuer.userName) return undefined;
  }
  if (await mayOpen(svc, issuer, inst, rc) !== undefined) return undefined;
  return inst;
}

export const endpointExpiration = (expiresAt: number): string => isoSeconds(expiresAt);
