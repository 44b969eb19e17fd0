// Authorization of every call, before dispatch. Every operation declares its RAM action and the
// resource ARNs it acts on; nothing skips this stage. An account's root key may do everything in
// its own account and nothing in another.
import { DomainError } from '../domain/errors.ts';
import type { Principal } from '../domain/context.ts';
import type { Operation } from './catalog.ts';

export function authorize(principal: Principal, operation: Operation, resources: readonly string[]): void {
  for (const resource of resources) {
    if (resource === '*') continue;
    const account = resource.split(':')[3];
    if (account !== undefined && account !== '' && account !== '*' && account !== principal.accountId) {
      throw new DomainError('Forbidden.RAM', 403, `User not authorized to operate on the specified resource: \`${operation.ramAction}\` on \`${resource}\`.`,
        JSON.stringify({ AuthAction: operation.ramAction, AuthPrincipalType: 'Root', AuthPrincipalOwnerId: principal.accountId, EncodedDiagnosticMessage: '', NoPermissionType: 'ImplicitDeny', PolicyType: 'AccountLevelIdentityBasedPolicy' }));
    }
  }
}
