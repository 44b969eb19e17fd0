// Who may do what to which resources. One builder makes every authorization request Parapet
// judges: the API's check of each call (every ARN the call touches), `ram:PassRole` on a role a
// call hands to an instance, and the metadata endpoint's check at each use. A request is the
// action, the resource ARNs, and the request's context (source address, transport, time, MFA,
// and the `ecs:tag/<key>` values of the security groups and instances it names), so a condition
// on any of them means the same thing on every path.
// Principals: an account's root key may do everything in its own account and nothing in
// another; a RAM user is judged by the policies attached to it and its groups; a role session by
// its role's policies narrowed by the session policy. Any Deny wins, then any Allow (covering
// every resource), else denied. A RAM user's sign-in session carries `acs:MFAPresent` (true when it
// gave an MFA code) and, while its password must be changed, may do nothing but ChangePassword.
import type { Principal, RequestContext, Services } from './context.ts';
import { documentsForRole, documentsForUser } from './ram/documents.ts';
import { readTags } from './tags.ts';
import { evaluateDocuments, evaluateWithSessionPolicy } from './policy-check.ts';
import type { PolicyRequest } from '../engine/policy/evaluate.ts';
import type { Db, Tx } from '../store/store.ts';

/** What the transport says about a request, for conditions. */
export type Judgement =
  | { allowed: true }
  | { allowed: false; explicit: boolean; resource: string };

const TAGGED = /^acs:ecs:[^:]*:[^:]*:(securitygroup|instance)\/([a-z0-9-]+)$/;

/** `ecs:tag/<key>` condition keys: the tags of the security groups and instances among `resources`. */
async function tagContext(db: Db | Tx, resources: readonly string[]): Promise<Record<string, string[]>> {
  const byType = new Map<string, string[]>();
  for (const r of resources) {
    const m = TAGGED.exec(r);
    if (m === null) continue;
    byType.set(m[1]!, [...(byType.get(m[1]!) ?? []), m[2]!]);
  }
  // tag keys are anyone's text: they never become keys of an ordinary object
  const out = Object.create(null) as Record<string, string[]>;
  for (const [type, ids] of byType) {
    const tags = await readTags(db, type, ids);
    for (const list of tags.values()) {
      for (const t of list) {
        const key = `ecs:tag/${t.key}`;
        (Object.hasOwn(out, key) ? out[key]! : (out[key] = [])).push(t.value);
      }
    }
  }
  return out;
}

/**
 * The one builder of authorization requests. `reader` is the handle to read tags with: the
 * store outside a transaction, the transaction inside one (SQLite has a single connection).
 */
export async function authorizationRequest(reader: Db | Tx, action: string, resources: readonly string[], rc: RequestContext, mfaPresent = false): Promise<PolicyRequest> {
  const context: PolicyRequest['context'] = {
    'acs:SourceIp': rc.sourceIp, 'acs:SecureTransport': rc.secureTransport, 'acs:CurrentTime': rc.currentTime, 'acs:MFAPresent': mfaPresent,
  };
  if (action.startsWith('ecs:')) Object.assign(context, await tagContext(reader, resources));
  return { action, resources: [...resources], context };
}

const CHANGE_PASSWORD = 'ram:ChangePassword';

/**
 * A RAM user changes its own password without a grant (RAM's default security preference lets
 * users manage their passwords); an explicit Deny still refuses it.
 */
function ownPasswordChange(principal: Principal, action: string, resources: readonly string[]): boolean {
  return action === CHANGE_PASSWORD && principal.kind === 'user' && principal.userName !== undefined
    && resources.length === 1 && resources[0] === `acs:ram::${principal.accountId}:user/${principal.userName}`;
}

function accountOf(arn: string): string | undefined {
  return arn.split(':')[3];
}

/**
 * Judges `principal` for `action` on every one of `resources`. Outside a transaction the
 * principal's policies are read through the store's cache; inside one, pass the transaction.
 */
export async function judge(svc: Pick<Services, 'store'>, principal: Principal, action: string, resources: readonly string[], rc: RequestContext, tx?: Tx): Promise<Judgement> {
  for (const resource of resources) {
    if (resource === '*') continue;
    const account = accountOf(resource);
    if (account !== undefined && account !== '' && account !== '*' && account !== principal.accountId) {
      return { allowed: false, explicit: false, resource };
    }
  }
  // INVARIANT: a session that must change its password first does nothing else, whoever it is
  if (principal.passwordChangeOnly === true && action !== CHANGE_PASSWORD) return { allowed: false, explicit: false, resource: resources.join(',') };
  if (principal.kind === 'root') return { allowed: true };
  const reader: Db | Tx = tx ?? svc.store.db;
  const request = await authorizationRequest(reader, action, resources, rc, principal.mfaPresent === true);
  let decision;
  if (principal.kind === 'role') {
    const roleName = principal.roleName ?? '';
    const load = () => documentsForRole(reader, principal.accountId, roleName);
    const documents = tx !== undefined ? await load() : await svc.store.memo(`role-policies:${principal.accountId}:${roleName}`, load);
    decision = evaluateWithSessionPolicy(documents, principal.sessionPolicy, request);
  } else {
    const userName = principal.userName ?? '';
    const load = () => documentsForUser(reader, principal.accountId, userName);
    const documents = tx !== undefined ? await load() : await svc.store.memo(`policies:${principal.accountId}:${userName}`, load);
    decision = evaluateDocuments(documents, request);
  }
  if (decision.decision === 'Allow') return { allowed: true };
  if (decision.decision !== 'ExplicitDeny' && ownPasswordChange(principal, action, resources)) return { allowed: true };
  return { allowed: false, explicit: decision.decision === 'ExplicitDeny', resource: resources.join(',') };
}
