// Authorization of every call, before dispatch: the operation's RAM action on every resource ARN
// it touches (the catalog declares them), judged by the domain's one authorization builder; and
// `ram:PassRole` on a role the call hands to an instance. Nothing skips this stage.
import { type DomainError, apiError, withAccessDeniedDetail } from '../domain/errors.ts';
import type { Principal, Services } from '../domain/context.ts';
import { judge } from '../domain/authorization.ts';
import type { RequestContext } from '../domain/context.ts';
import { roleArn } from '../domain/arns.ts';
import type { Operation } from './catalog.ts';

export type { RequestContext };

function denied(principal: Principal, operation: Operation, action: string, resource: string, noPermissionType: string): DomainError {
  const code = operation.product === 'ram' || operation.product === 'sts' ? 'NoPermission' : 'Forbidden.RAM';
  const detail = JSON.stringify({
    AuthAction: action, AuthResource: resource, AuthPrincipalType: principal.kind === 'root' ? 'Root' : principal.kind === 'user' ? 'SubUser' : 'AssumedRoleUser',
    AuthPrincipalOwnerId: principal.accountId, AuthPrincipalDisplayName: principal.userName ?? (principal.roleName !== undefined ? `${principal.roleName}:${principal.sessionName ?? ''}` : principal.accountId),
    NoPermissionType: noPermissionType, PolicyType: 'AccountLevelIdentityBasedPolicy', EncodedDiagnosticMessage: '',
  });
  return withAccessDeniedDetail(apiError(code, { action, resource }), detail);
}

export async function authorize(svc: Services, principal: Principal, operation: Operation, resources: readonly string[], context: RequestContext): Promise<void> {
  // Saying who is calling needs no permission (as STS GetCallerIdentity on the real service).
  if (operation.ramAction === 'sts:GetCallerIdentity' && principal.kind !== 'root') return;
  const verdict = await judge(svc, principal, operation.ramAction, resources, context);
  if (!verdict.allowed) throw denied(principal, operation, operation.ramAction, verdict.resource, verdict.explicit ? 'ExplicitDeny' : 'ImplicitDeny');
}

/** A call that gives an instance a role needs `ram:PassRole` on it, judged like any call. */
export async function authorizePassRole(svc: Services, principal: Principal, roleName: string, context: RequestContext): Promise<void> {
  const verdict = await judge(svc, principal, 'ram:PassRole', [roleArn(principal.accountId, roleName)], context);
  if (!verdict.allowed) {
    throw apiError('InvalidUser.PassRoleForbidden', { roleName });
  }
}
