// The name rule RAM users and groups share: 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
// Policies and roles have rules of their own (./policies.ts, ./roles.ts).
import { apiError } from '../errors.ts';

const NAME = /^[a-zA-Z0-9._@-]{1,64}$/;

export function checkName(kind: 'UserName' | 'GroupName', value: string): void {
  if (!NAME.test(value)) throw apiError(`InvalidParameter.${kind}.InvalidChars`, { param: kind, value });
}
