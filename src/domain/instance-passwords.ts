// An instance's root (Administrator) password (SPEC §2): the rule a `Password` must follow
// (RunInstances, CreateInstance, ModifyInstanceAttribute) and the hash kept of it. The store keeps
// only a salted SHA-512 crypt hash (`$6$`), never the password: it is what the instance's
// /etc/shadow holds for root and what its sshd checks a logon against, and no operation of the
// API ever checks an instance password itself, so a second hash (scrypt) would only be one more
// copy to guess at. A new password takes effect at the next start or reboot, like a key pair.
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { sha512Crypt } from '../engine/sha512-crypt.ts';

/** the special characters a password may hold (Alibaba's list); nothing else besides letters and digits */
export const PASSWORD_SPECIALS = '()`~!@#$%^&*-_+=|{}[]:;\'<>,.?/';
const ALLOWED = new RegExp(`^[A-Za-z0-9${PASSWORD_SPECIALS.replace(/[\]\\^-]/g, '\\$&')}]{8,30}$`);

/**
 * 8 to 30 characters, at least three of the four kinds (upper-case letters, lower-case letters,
 * digits, the special characters above), nothing else; a Windows password may not start with `/`.
 * The error never repeats the value.
 */
export function checkInstancePassword(password: string, osType: 'linux' | 'windows'): void {
  if (!ALLOWED.test(password)) throw apiError('InvalidPassword.Malformed');
  const kinds = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (kinds < 3) throw apiError('InvalidPassword.Malformed');
  if (osType === 'windows' && password.startsWith('/')) throw apiError('InvalidPassword.Malformed', 'windowsSlash');
}

/** The checked password's `$6$` hash, with a fresh 16-character salt (96 random bits). */
export function hashInstancePassword(ctx: CallContext, password: string, osType: 'linux' | 'windows'): string {
  checkInstancePassword(password, osType);
  // 12 random bytes are 16 base64url characters; crypt's alphabet has `.` and `/` where base64url has `-` and `_`
  const salt = ctx.ids.token(12).replace(/-/g, '.').replace(/_/g, '/');
  return sha512Crypt(password, salt);
}
