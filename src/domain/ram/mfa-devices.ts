// Virtual MFA devices (CreateVirtualMFADevice, BindMFADevice, UnbindMFADevice,
// DeleteVirtualMFADevice, ListVirtualMFADevices, GetUserMFAInfo) and the check of their codes.
// A device is a TOTP seed (RFC 6238: SHA-1, 6 digits, 30-second steps): shown once, when it is
// created, and kept encrypted under a key derived from the server key (../server-key.ts), so the
// store's rows never hold a usable seed. A user has at most one device, a device at most one user.
// A code is accepted for the step before, at or after now; once a code of some step is accepted
// no code of that step or an earlier one is accepted again, so an overheard code can't be replayed.
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { CallContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { isoSeconds } from '../../clock.ts';
import { serverKey } from '../server-key.ts';
import { ramWrite } from './lock.ts';
import { userRow } from './users.ts';
import type { Db, Tx } from '../../store/store.ts';
import type { Services } from '../context.ts';

export interface CreatedMfaDevice { serialNumber: string; base32StringSeed: string; otpauthUri: string }
export interface MfaDevice { serialNumber: string; activateDate?: string; user?: { userName: string; userId: string; displayName: string } }

const PERIOD_MS = 30_000;
const SEED_BYTES = 20;
const NAME = /^[A-Za-z0-9-]{1,64}$/;

export const mfaSerial = (accountId: string, name: string): string => `acs:ram::${accountId}:mfa/${name}`;

/** The device name a serial number of `accountId` names, or undefined (another account's, or not a serial). */
export function deviceNameOf(accountId: string, serialNumber: string): string | undefined {
  const prefix = `acs:ram::${accountId}:mfa/`;
  if (!serialNumber.startsWith(prefix)) return undefined;
  const name = serialNumber.slice(prefix.length);
  return NAME.test(name) ? name : undefined;
}

/** The key seeds are encrypted with: derived from the server key, used for nothing else. */
async function seedKey(svc: Pick<Services, 'store' | 'ids'>): Promise<Buffer> {
  return createHmac('sha256', await serverKey(svc)).update('ram-mfa-seed').digest();
}

// AES-256-GCM; the serial number is the associated data, so a sealed seed opens only as its own device's
function seal(key: Buffer, ivText: string, serial: string, seed: Buffer): string {
  const iv = Buffer.from(ivText, 'base64url').subarray(0, 12);
  const c = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(serial));
  const body = Buffer.concat([c.update(seed), c.final(), c.getAuthTag()]);
  return `v1$${iv.toString('base64url')}$${body.toString('base64url')}`;
}

function open(key: Buffer, serial: string, sealed: string): Buffer {
  const [v, ivText, bodyText] = sealed.split('$');
  if (v !== 'v1' || ivText === undefined || bodyText === undefined) throw new Error('an MFA seed is not sealed as v1');
  const body = Buffer.from(bodyText, 'base64url');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url')).setAAD(Buffer.from(serial));
  d.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
}

const totpOf = (seed: Buffer) => new TOTP({ secret: new Secret({ buffer: new Uint8Array(seed).buffer }), algorithm: 'SHA1', digits: 6, period: PERIOD_MS / 1000 });

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The step (of the one before, at or after `nowMs`) whose code is `code` and is later than `lastStep`. */
function acceptedStep(totp: TOTP, code: string, nowMs: number, lastStep: number): number | undefined {
  const now = Math.floor(nowMs / PERIOD_MS);
  for (const step of [now - 1, now, now + 1]) {
    if (step > lastStep && same(totp.generate({ timestamp: step * PERIOD_MS }), code)) return step;
  }
  return undefined;
}

export async function createVirtualMFADevice(ctx: CallContext, name: string): Promise<CreatedMfaDevice> {
  if (!NAME.test(name)) throw apiError('InvalidParameter.VirtualMFADeviceName', { value: name });
  const account = ctx.principal.accountId;
  const key = await seedKey(ctx);
  const serial = mfaSerial(account, name);
  const seed = Buffer.from(ctx.ids.token(SEED_BYTES), 'base64url');
  await ramWrite(ctx, async (tx) => {
    if (await tx.selectFrom('ram_mfa_devices').select('name').where('account_id', '=', account).where('name', '=', name).executeTakeFirst()) {
      throw apiError('EntityAlreadyExists.VirtualMFADevice', { name });
    }
    await tx.insertInto('ram_mfa_devices').values({
      account_id: account, name, seed: seal(key, ctx.ids.token(12), serial, seed), user_name: '', activated_at: '', last_step: 0, created_at: isoSeconds(ctx.clock.now()),
    }).execute();
  });
  const totp = totpOf(seed);
  totp.label = name;
  totp.issuer = 'Parapet';
  return { serialNumber: serial, base32StringSeed: totp.secret.base32, otpauthUri: totp.toString() };
}

async function deviceRow(db: Db | Tx, account: string, serialNumber: string) {
  const name = deviceNameOf(account, serialNumber);
  const row = name === undefined ? undefined : await db.selectFrom('ram_mfa_devices').selectAll().where('account_id', '=', account).where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw apiError('EntityNotExist.VirtualMFADevice', { serialNumber });
  return row;
}

/** Binds a device to a user, proven by two consecutive codes (the later one current). */
export async function bindMFADevice(ctx: CallContext, p: { serialNumber: string; userName: string; authenticationCode1: string; authenticationCode2: string }): Promise<void> {
  const account = ctx.principal.accountId;
  const key = await seedKey(ctx);
  await ramWrite(ctx, async (tx) => {
    const device = await deviceRow(tx, account, p.serialNumber);
    await userRow(tx, account, p.userName);
    if (device.user_name !== '') throw apiError('EntityAlreadyExists.VirtualMFADevice.User', { serialNumber: p.serialNumber, userName: device.user_name });
    if (await tx.selectFrom('ram_mfa_devices').select('name').where('account_id', '=', account).where('user_name', '=', p.userName).executeTakeFirst()) {
      throw apiError('EntityAlreadyExists.User.MFADevice', { name: p.userName });
    }
    const second = twoCodesStep(key, account, device, p.authenticationCode1, p.authenticationCode2, ctx.clock.now());
    if (second === undefined) throw apiError('InvalidParameter.AuthenticationCode');
    await tx.updateTable('ram_mfa_devices').set({ user_name: p.userName, activated_at: isoSeconds(ctx.clock.now()), last_step: second })
      .where('account_id', '=', account).where('name', '=', device.name).execute();
  });
}

/** The step of `code2` when `code1` and `code2` are two consecutive codes of the device, the later one current. */
function twoCodesStep(key: Buffer, account: string, device: { name: string; seed: string; last_step: number }, code1: string, code2: string, nowMs: number): number | undefined {
  const totp = totpOf(open(key, mfaSerial(account, device.name), device.seed));
  const second = acceptedStep(totp, code2, nowMs, device.last_step);
  if (second === undefined || second - 1 <= device.last_step || !same(totp.generate({ timestamp: (second - 1) * PERIOD_MS }), code1)) return undefined;
  return second;
}

/** The name of the device a user binds while signing in (MFABindRequired): one per user, by its id. */
const signInDeviceName = (userId: string): string => `signin-${userId}`.slice(0, 64);

/**
 * For a user that must bind an MFA device to sign in: a new, unbound virtual device (its seed is
 * shown once, as CreateVirtualMFADevice's is). Asking again replaces the seed of the user's unbound
 * sign-in device, so only the last one shown can be bound. Inside `tx`, which holds the account's
 * RAM lock; `key` is `mfaSeedKey()`.
 */
export async function issueSignInDevice(tx: Tx, key: Buffer, ids: Services['ids'], account: string, userId: string, nowMs: number): Promise<CreatedMfaDevice> {
  let name = signInDeviceName(userId);
  const existing = await tx.selectFrom('ram_mfa_devices').select('user_name').where('account_id', '=', account).where('name', '=', name).executeTakeFirst();
  // an administrator's device that happens to have the name, bound to someone: the user gets its own
  if (existing !== undefined && existing.user_name !== '') name = `${name}-${ids.token(6).replace(/[^A-Za-z0-9]/g, '0')}`.slice(0, 64);
  const serial = mfaSerial(account, name);
  const seed = Buffer.from(ids.token(SEED_BYTES), 'base64url');
  const sealed = seal(key, ids.token(12), serial, seed);
  await tx.deleteFrom('ram_mfa_devices').where('account_id', '=', account).where('name', '=', name).where('user_name', '=', '').execute();
  await tx.insertInto('ram_mfa_devices').values({ account_id: account, name, seed: sealed, user_name: '', activated_at: '', last_step: 0, created_at: isoSeconds(nowMs) }).execute();
  const totp = totpOf(seed);
  totp.label = name;
  totp.issuer = 'Parapet';
  return { serialNumber: serial, base32StringSeed: totp.secret.base32, otpauthUri: totp.toString() };
}

/**
 * Binds the device `issueSignInDevice` made for the user, proven by two consecutive codes; false
 * (nothing changes) when the serial number is not that user's unbound sign-in device or the codes
 * are wrong. Inside `tx`, which holds the account's RAM lock.
 */
export async function bindSignInDevice(tx: Tx, key: Buffer, account: string, user: { name: string; id: string }, p: { serialNumber: string; code1: string; code2: string }, nowMs: number): Promise<boolean> {
  const name = deviceNameOf(account, p.serialNumber);
  const own = signInDeviceName(user.id);
  if (name === undefined || (name !== own && !name.startsWith(`${own}-`))) return false;
  const device = await tx.selectFrom('ram_mfa_devices').selectAll().where('account_id', '=', account).where('name', '=', name).executeTakeFirst();
  if (device === undefined || device.user_name !== '') return false;
  const second = twoCodesStep(key, account, device, p.code1, p.code2, nowMs);
  if (second === undefined) return false;
  await tx.updateTable('ram_mfa_devices').set({ user_name: user.name, activated_at: isoSeconds(nowMs), last_step: second })
    .where('account_id', '=', account).where('name', '=', name).execute();
  return true;
}

/** Unbinds the user's device (which stays, unbound, until deleted); answers its serial number. */
export async function unbindMFADevice(ctx: CallContext, userName: string): Promise<string> {
  const account = ctx.principal.accountId;
  return ramWrite(ctx, async (tx) => {
    await userRow(tx, account, userName);
    const device = await tx.selectFrom('ram_mfa_devices').select('name').where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst();
    if (device === undefined) throw apiError('EntityNotExist.User.MFADevice', { name: userName });
    await tx.updateTable('ram_mfa_devices').set({ user_name: '', activated_at: '' }).where('account_id', '=', account).where('name', '=', device.name).execute();
    return mfaSerial(account, device.name);
  });
}

export async function deleteVirtualMFADevice(ctx: CallContext, serialNumber: string): Promise<void> {
  const account = ctx.principal.accountId;
  await ramWrite(ctx, async (tx) => {
    const device = await deviceRow(tx, account, serialNumber);
    if (device.user_name !== '') throw apiError('DeleteConflict.VirtualMFADevice.User', { serialNumber, userName: device.user_name });
    await tx.deleteFrom('ram_mfa_devices').where('account_id', '=', account).where('name', '=', device.name).execute();
  });
}

export async function listVirtualMFADevices(ctx: CallContext): Promise<MfaDevice[]> {
  const account = ctx.principal.accountId;
  const rows = await ctx.store.db.selectFrom('ram_mfa_devices')
    .leftJoin('ram_users', (j) => j.onRef('ram_users.account_id', '=', 'ram_mfa_devices.account_id').onRef('ram_users.name', '=', 'ram_mfa_devices.user_name'))
    .select(['ram_mfa_devices.name', 'ram_mfa_devices.user_name', 'ram_mfa_devices.activated_at', 'ram_users.id', 'ram_users.display_name'])
    .where('ram_mfa_devices.account_id', '=', account).orderBy('ram_mfa_devices.name').execute();
  return rows.map((r) => {
    const d: MfaDevice = { serialNumber: mfaSerial(account, r.name) };
    if (r.user_name !== '') {
      d.activateDate = r.activated_at;
      d.user = { userName: r.user_name, userId: r.id ?? '', displayName: r.display_name ?? '' };
    }
    return d;
  });
}

/** The user's device: its serial number and type (`VMFA`, a virtual MFA device). */
export async function getUserMFAInfo(ctx: CallContext, userName: string): Promise<{ serialNumber: string; type: string }> {
  const account = ctx.principal.accountId;
  await userRow(ctx.store.db, account, userName);
  const device = await ctx.store.db.selectFrom('ram_mfa_devices').select('name').where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst();
  if (device === undefined) throw apiError('EntityNotExist.User.MFADevice', { name: userName });
  return { serialNumber: mfaSerial(account, device.name), type: 'VMFA' };
}

/** Whether the user has a device bound (sign-in then asks for a code). */
export async function hasMfaDevice(db: Db | Tx, account: string, userName: string): Promise<boolean> {
  return (await db.selectFrom('ram_mfa_devices').select('name').where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst()) !== undefined;
}

/**
 * Checks a code of the user's device inside `tx` (which holds the account's RAM lock) and, when
 * it is accepted, marks its step used. `key` is `mfaSeedKey()`, read before the transaction.
 */
export async function acceptUserCode(tx: Tx, key: Buffer, account: string, userName: string, code: string, nowMs: number): Promise<boolean> {
  const device = await tx.selectFrom('ram_mfa_devices').selectAll().where('account_id', '=', account).where('user_name', '=', userName).executeTakeFirst();
  if (device === undefined) return false;
  const step = acceptedStep(totpOf(open(key, mfaSerial(account, device.name), device.seed)), code, nowMs, device.last_step);
  if (step === undefined) return false;
  await tx.updateTable('ram_mfa_devices').set({ last_step: step }).where('account_id', '=', account).where('name', '=', device.name).execute();
  return true;
}

/** The seed key, for `acceptUserCode` (read outside a transaction: making it may write). */
export const mfaSeedKey = seedKey;
