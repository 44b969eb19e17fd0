// Authorization of every call, before dispatch. Every operation declares its RAM action and the
// resource ARNs it acts on; nothing skips this stage. An account's root key may do everything in
// its own account and nothing in another. A RAM user's request is judged by the policies attached
// to the user and its groups (the policy engine): any Deny wins, then any Allow, else denied.
import { DomainError } from '../domain/errors.ts';
import type { Principal, Services } from '../domain/context.ts';
import { documentsForRole, documentsForUser } from '../domain/ram.ts';
import { readTags } from '../domain/tags.ts';
import { evaluateDocuments, evaluateWithSessionPolicy } from '../domain/policy-check.ts';
import type { Operation } from './catalog.ts';

export interface RequestContext {
  sourceIp: string;
  secureTransport: boolean;
  currentTime: string;
}


function denied(principal: Principal, operation: Operation, resource: string, noPermissionType: string): DomainError {
  const code = operation.product === 'ram' || operation.product === 'sts' ? 'NoPermission' : 'Forbidden.RAM';
  const detail = JSON.stringify({
    AuthAction: operation.ramAction, AuthResource: resource, AuthPrincipalType: principal.kind === 'root' ? 'Root' : principal.kind === 'user' ? 'SubUser' : 'AssumedRoleUser',
    AuthPrincipalOwnerId: principal.accountId, AuthPrincipalDisplayName: principal.userName ?? (principal.roleName !== undefined ? `${principal.roleName}:${principal.sessionName ?? ''}` : principal.accountId),
    NoPermissionType: noPermissionType, PolicyType: 'AccountLevelIdentityBasedPolicy', EncodedDiagnosticMessage: '',
  });
  return new DomainError(code, 403, `User not authorized to operate on the specified resource: \`${operation.ramAction}\` on \`${resource}\`.`, detail);
}

const TAGGED = /^acs:ecs:[^:]*:[^:]*:(securitygroup|instance)\/([a-z0-9-]+)$/;

/** `ecs:tag/<key>` condition keys: the tags of the security groups and instances the call names. */
async function tagContext(svc: Services, resources: readonly string[]): Promise<Record<string, string[]>> {
  const byType = new Map<string, string[]>();
  for (const r of resources) {
    const m = TAGGED.exec(r);
    if (m === null) continue;
    byType.set(m[1]!, [...(byType.get(m[1]!) ?? []), m[2]!]);
  }
  const out: Record<string, string[]> = {};
  for (const [type, ids] of byType) {
    const tags = await readTags(svc.store.db, type, ids);
    for (const list of tags.values()) for (const t of list) (out[`ecs:tag/${t.key}`] ??= []).push(t.value);
  }
  return out;
}

export async function authorize(svc: Services, principal: Principal, operation: Operation, resources: readonly string[], context: RequestContext): Promise<void> {
  for (const resource of resources) {
    if (resource === '*') continue;
    const account = resource.split(':')[3];
    if (account !== undefined && account !== '' && account !== '*' && account !== principal.accountId) {
      throw denied(principal, operation, resource, 'ImplicitDeny');
    }
  }
  if (principal.kind === 'root') return;
  // Saying who is calling needs no permission (as STS GetCallerIdentity on the real service).
  if (operation.ramAction === 'sts:GetCallerIdentity') return;
  const request = {
    action: operation.ramAction, resources: [...resources],
    context: {
      'acs:SourceIp': context.sourceIp, 'acs:SecureTransport': context.secureTransport, 'acs:CurrentTime': context.currentTime, 'acs:MFAPresent': false,
      ...(operation.product === 'ecs' ? await tagContext(svc, resources) : {}),
    } as Record<string, string | boolean | string[]>,
  };
  let result;
  if (principal.kind === 'role') {
    const roleName = principal.roleName ?? '';
    const documents = await svc.store.memo(`role-policies:${principal.accountId}:${roleName}`, () => documentsForRole(svc.store.db, principal.accountId, roleName));
    result = evaluateWithSessionPolicy(documents, principal.sessionPolicy, request);
  } else {
    const documents = await svc.store.memo(`policies:${principal.accountId}:${principal.userName ?? ''}`,
      () => documentsForUser(svc.store.db, principal.accountId, principal.userName ?? ''));
    result = evaluateDocuments(documents, request);
  }
  if (result.decision !== 'Allow') throw denied(principal, operation, resources.join(','), result.decision === 'ExplicitDeny' ? 'ExplicitDeny' : 'ImplicitDeny');
}
