// An account's password policy for its RAM users (GetPasswordPolicy, SetPasswordPolicy) and the one
// check every path that sets a console password passes: CreateLoginProfile, UpdateLoginProfile and
// ChangePassword (./login-profiles.ts). The policy also says how old a password may get and how
// many wrong passwords lock a user out (./signin.ts reads those).
import { scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { ramWrite } from './lock.ts';
import type { Db, Tx } from '../../store/store.ts';
import type { RamPasswordPolicyTable } from '../../store/schema.ts';

export interface PasswordPolicy {
  minimumPasswordLength: number;
  requireLowercaseCharacters: boolean;
  requireUppercaseCharacters: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
  /** an expired password can't sign in at all (else it signs in to change the password) */
  hardExpiry: boolean;
  /** days a password lives; 0: forever */
  maxPasswordAge: number;
  /** a new password may not be one of the user's last N; 0: no check */
  passwordReusePrevention: number;
  /** wrong passwords within an hour that lock the user out for an hour; 0: never locked */
  maxLoginAttemps: number;
}

/**
 * The policy of an account that never set one. Parapet's choice (the reference gives only the
 * minimum length's default, 8): upper- and lower-case letters and digits, as CreateLoginProfile
 * always required, and 5 wrong passwords an hour, the value the reference's examples show.
 */
export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = {
  minimumPasswordLength: 8, requireLowercaseCharacters: true, requireUppercaseCharacters: true, requireNumbers: true, requireSymbols: false,
  hardExpiry: false, maxPasswordAge: 0, passwordReusePrevention: 0, maxLoginAttemps: 5,
};

/** The longest password any policy accepts. */
export const MAX_PASSWORD_LENGTH = 32;

/** The ranges SetPasswordPolicy accepts (the RAM reference). */
const RANGES = {
  MinimumPasswordLength: [8, 32],
  MaxPasswordAge: [0, 1095],
  PasswordReusePrevention: [0, 24],
  MaxLoginAttemps: [0, 32],
} as const;

const toPolicy = (r: RamPasswordPolicyTable): PasswordPolicy => ({
  minimumPasswordLength: r.minimum_length, requireLowercaseCharacters: r.require_lowercase === 1, requireUppercaseCharacters: r.require_uppercase === 1,
  requireNumbers: r.require_numbers === 1, requireSymbols: r.require_symbols === 1, hardExpiry: r.hard_expiry === 1,
  maxPasswordAge: r.max_password_age, passwordReusePrevention: r.reuse_prevention, maxLoginAttemps: r.max_login_attempts,
});

/** The account's policy (the defaults when it never set one). */
export async function policyOf(db: Db | Tx, accountId: string): Promise<PasswordPolicy> {
  const row = await db.selectFrom('ram_password_policies').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  return row === undefined ? { ...DEFAULT_PASSWORD_POLICY } : toPolicy(row);
}

export async function getPasswordPolicy(ctx: CallContext): Promise<PasswordPolicy> {
  return policyOf(ctx.store.db, ctx.principal.accountId);
}

export type PasswordPolicyInput = { [K in keyof PasswordPolicy]?: PasswordPolicy[K] | undefined };

/** Sets the parameters given; the others keep their current values (Parapet's choice, the reference is silent). */
export async function setPasswordPolicy(ctx: CallContext, p: PasswordPolicyInput): Promise<PasswordPolicy> {
  const ranged: Array<[keyof typeof RANGES, number | undefined]> = [
    ['MinimumPasswordLength', p.minimumPasswordLength], ['MaxPasswordAge', p.maxPasswordAge],
    ['PasswordReusePrevention', p.passwordReusePrevention], ['MaxLoginAttemps', p.maxLoginAttemps],
  ];
  for (const [name, value] of ranged) {
    const [min, max] = RANGES[name];
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      throw apiError('InvalidParameter', { name, value: String(value), why: `It must be an integer from ${min} to ${max}.` });
    }
  }
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    const current = await policyOf(tx, account);
    const next: PasswordPolicy = { ...current };
    for (const key of Object.keys(current) as Array<keyof PasswordPolicy>) {
      const value = p[key];
      if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
    }
    const row: RamPasswordPolicyTable = {
      account_id: account, minimum_length: next.minimumPasswordLength, require_lowercase: next.requireLowercaseCharacters ? 1 : 0,
      require_uppercase: next.requireUppercaseCharacters ? 1 : 0, require_numbers: next.requireNumbers ? 1 : 0, require_symbols: next.requireSymbols ? 1 : 0,
      hard_expiry: next.hardExpiry ? 1 : 0, max_password_age: next.maxPasswordAge, reuse_prevention: next.passwordReusePrevention, max_login_attempts: next.maxLoginAttemps,
    };
    await tx.deleteFrom('ram_password_policies').where('account_id', '=', account).execute();
    await tx.insertInto('ram_password_policies').values(row).execute();
    return next;
  });
}

/** Refuses `password` unless it meets the policy's length and character rules. */
export function checkPasswordStrength(policy: PasswordPolicy, password: string): void {
  if (password.length < policy.minimumPasswordLength || password.length > MAX_PASSWORD_LENGTH) {
    throw apiError('InvalidParameter.Password.Length', { min: policy.minimumPasswordLength, max: MAX_PASSWORD_LENGTH });
  }
  const missing: string[] = [];
  if (policy.requireLowercaseCharacters && !/[a-z]/.test(password)) missing.push('a lower-case letter');
  if (policy.requireUppercaseCharacters && !/[A-Z]/.test(password)) missing.push('an upper-case letter');
  if (policy.requireNumbers && !/[0-9]/.test(password)) missing.push('a digit');
  if (policy.requireSymbols && !/[^A-Za-z0-9]/.test(password)) missing.push('a symbol');
  if (missing.length > 0) throw apiError('InvalidParameter.Password.Characters', { missing: missing.join(', ') });
}

// scrypt runs on libuv's thread pool: a sign-in or a password change never stalls the event loop
const scrypt = promisify(scryptCallback) as (password: string, salt: string, length: number) => Promise<Buffer>;

/** A salted scrypt hash of a password: `scrypt$<salt>$<hash>`. */
export async function hashPassword(ctx: Pick<CallContext, 'ids'>, password: string): Promise<string> {
  const salt = ctx.ids.token(16);
  return `scrypt$${salt}$${(await scrypt(password, salt, 32)).toString('base64url')}`;
}

/** Whether `password` is the one `stored` hashes, compared in constant time. */
export async function passwordMatches(stored: string, password: string): Promise<boolean> {
  const [kind, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const given = await scrypt(password, salt, 32);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Earlier hashes kept per user: enough for the largest PasswordReusePrevention. */
export const HISTORY_KEPT = RANGES.PasswordReusePrevention[1];

/**
 * Refuses `password` when it is one of the user's last `policy.passwordReusePrevention`
 * passwords: the current one (`currentHash`) and the earlier ones, newest first.
 */
export async function checkReuse(policy: PasswordPolicy, password: string, currentHash: string | undefined, history: readonly string[]): Promise<void> {
  const n = policy.passwordReusePrevention;
  if (n === 0) return;
  const recent = [...(currentHash !== undefined ? [currentHash] : []), ...history].slice(0, n);
  const matches = await Promise.all(recent.map((h) => passwordMatches(h, password)));
  if (matches.includes(true)) throw apiError('InvalidParameter.Password.Reused', { count: n });
}
