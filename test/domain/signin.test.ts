// The RAM sign-in module (src/domain/ram/signin.ts) driven directly, on both store engines: the
// UserPrincipalName by account id and by alias, wrong passwords counted into a lock-out, the
// reset-required flow (a session that can only change its password), MFA required and its codes
// (made here with otpauth from the seed CreateVirtualMFADevice shows, at the injected clock's
// time), replayed codes refused, and `acs:MFAPresent` of the resulting sessions judged by the
// policy engine.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { engines } from '../helpers/stores.ts';
import { testContext, codeOf } from '../helpers/context.ts';
import type { Store } from '../../src/store/store.ts';
import type { CallContext, RequestContext, Services } from '../../src/domain/context.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { ManualClock } from '../../src/clock.ts';
import { randomIds } from '../../src/ids.ts';
import { DEFAULT_LIMITS } from '../../src/domain/limits.ts';
import { judge } from '../../src/domain/authorization.ts';
import * as users from '../../src/domain/ram/users.ts';
import * as profiles from '../../src/domain/ram/login-profiles.ts';
import * as policy from '../../src/domain/ram/password-policy.ts';
import * as alias from '../../src/domain/ram/account-alias.ts';
import * as mfa from '../../src/domain/ram/mfa-devices.ts';
import * as policies from '../../src/domain/ram/policies.ts';
import * as attachments from '../../src/domain/ram/attachments.ts';
import { signIn, sessionPrincipal, changePasswordInSession, LOCKOUT_MS, SESSION_MS, type SignInResult } from '../../src/domain/ram/signin.ts';

const A = '3333444455556666';
const PASSWORD = 'Right-Passw0rd';

const stateOf = (r: SignInResult) => r.state;

// every engine is probed before any test runs, so each suite is declared at once
const skips = await Promise.all(engines.map((e) => e.unavailable()));
for (const [i, engine] of engines.entries()) {
  const skip = skips[i];
  describe(`RAM sign-in: ${engine.name}`, () => {
    if (skip !== undefined) {
      test(`skipped: ${skip}`, { skip });
      return;
    }
    let store: Store;
    let cleanup: () => Promise<void>;
    let ctx: CallContext;
    let svc: Services;
    const clock = new ManualClock(Date.parse('2026-11-30T10:00:00Z'));
    const rc = (): RequestContext => ({ sourceIp: '127.0.0.1', secureTransport: true, currentTime: new Date(clock.now()).toISOString() });
    before(async () => {
      ({ store, cleanup } = await engine.open());
      svc = { store, clock, ids: randomIds, limits: DEFAULT_LIMITS };
      await ensureAccount(svc, { accountId: A, accessKeyId: 'LTAIsignintest000001', accessKeySecret: 'secret-signin-00001' });
      ctx = testContext(store, A, { clock });
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    const userWith = async (name: string, opts: { passwordResetRequired?: boolean; mfaBindRequired?: boolean } = {}) => {
      await users.createUser(ctx, { userName: name });
      await profiles.createLoginProfile(ctx, { userName: name, password: PASSWORD, ...opts });
    };
    const upn = (name: string, domain = A) => `${name}@${domain}.onaliyun.com`;

    test('a user signs in by account id and by alias; anything wrong answers the same refusal', async () => {
      await userWith('alice');
      const byId = await signIn(svc, { userPrincipalName: upn('alice'), password: PASSWORD });
      assert.equal(byId.state, 'signedIn');
      assert.ok(byId.state === 'signedIn');
      assert.deepEqual([byId.session.accountId, byId.session.userName, byId.session.mfaPresent, byId.session.passwordChangeRequired], [A, 'alice', false, false]);
      assert.equal(byId.session.expiresAt - byId.session.issuedAt, SESSION_MS);
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('alice', 'corp-one'), password: PASSWORD })), 'SignIn.Failed', 'no such alias yet');
      await alias.setAccountAlias(ctx, 'corp-one');
      assert.equal(stateOf(await signIn(svc, { userPrincipalName: upn('alice', 'corp-one'), password: PASSWORD })), 'signedIn');
      assert.equal(stateOf(await signIn(svc, { userPrincipalName: 'alice@CORP-ONE.onaliyun.com', password: PASSWORD })), 'signedIn', 'the domain is case-insensitive');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('alice'), password: 'Wrong-Passw0rd' })), 'SignIn.Failed');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('nobody'), password: PASSWORD })), 'SignIn.Failed');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('alice', '9999888877776666'), password: PASSWORD })), 'SignIn.Failed');
      await users.createUser(ctx, { userName: 'keysonly' });
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('keysonly'), password: PASSWORD })), 'SignIn.Failed', 'a user without a login profile');
      for (const bad of ['alice', 'alice@example.com', `@${A}.onaliyun.com`, `alice@${A}.onaliyun.com.evil`]) {
        assert.equal(await codeOf(signIn(svc, { userPrincipalName: bad, password: PASSWORD })), 'SignIn.InvalidPrincipalName', bad);
      }
      await alias.clearAccountAlias(ctx);
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('alice', 'corp-one'), password: PASSWORD })), 'SignIn.Failed', 'a cleared alias names nothing');
    });

    test('MaxLoginAttemps wrong passwords within an hour lock the user out for an hour, the right password too; a reset unlocks', async () => {
      await userWith('bob');
      await policy.setPasswordPolicy(ctx, { maxLoginAttemps: 3 });
      const wrong = () => codeOf(signIn(svc, { userPrincipalName: upn('bob'), password: 'Wrong-Passw0rd' }));
      const right = () => codeOf(signIn(svc, { userPrincipalName: upn('bob'), password: PASSWORD }));
      // two wrong, then the hour passes: the count starts again
      assert.equal(await wrong(), 'SignIn.Failed');
      assert.equal(await wrong(), 'SignIn.Failed');
      clock.advance(LOCKOUT_MS + 1000);
      assert.equal(await wrong(), 'SignIn.Failed');
      assert.equal(await wrong(), 'SignIn.Failed');
      assert.equal(await right(), 'accepted', 'two wrong in this hour: not locked');
      // a success clears the count: three more wrong ones are needed
      assert.equal(await wrong(), 'SignIn.Failed');
      assert.equal(await wrong(), 'SignIn.Failed');
      assert.equal(await wrong(), 'SignIn.Failed');
      assert.equal(await right(), 'SignIn.Locked');
      clock.advance(LOCKOUT_MS - 60_000);
      assert.equal(await right(), 'SignIn.Locked', 'still within the hour');
      clock.advance(61_000);
      assert.equal(await right(), 'accepted', 'the lock-out ends after an hour');
      for (let i = 0; i < 3; i++) await wrong();
      assert.equal(await right(), 'SignIn.Locked');
      await profiles.updateLoginProfile(ctx, { userName: 'bob', password: 'Reset-Passw0rd' });
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('bob'), password: 'Reset-Passw0rd' })), 'accepted', 'setting a password clears the lock-out');
      await policy.setPasswordPolicy(ctx, { maxLoginAttemps: 0 });
      for (let i = 0; i < 8; i++) await wrong();
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('bob'), password: 'Reset-Passw0rd' })), 'accepted', 'MaxLoginAttemps 0 never locks');
      await policy.setPasswordPolicy(ctx, { maxLoginAttemps: 5 });
    });

    test('PasswordResetRequired: the session can do nothing but change the password, then is whole', async () => {
      await userWith('carol', { passwordResetRequired: true });
      await attachments.attachPolicy(ctx, { policyType: 'System', policyName: 'AdministratorAccess', principalType: 'User', principalName: 'carol', attach: true });
      const first = await signIn(svc, { userPrincipalName: upn('carol'), password: PASSWORD });
      assert.equal(first.state, 'passwordChangeRequired');
      assert.ok(first.state === 'passwordChangeRequired');
      const restricted = sessionPrincipal(svc, first.session);
      assert.equal((await judge(svc, restricted, 'ecs:DescribeInstances', ['*'], rc())).allowed, false, 'an administrator, but not before the change');
      assert.equal((await judge(svc, restricted, 'ram:ListUsers', [`acs:ram::${A}:user/*`], rc())).allowed, false);
      assert.equal((await judge(svc, restricted, 'ram:ChangePassword', [`acs:ram::${A}:user/carol`], rc())).allowed, true);
      assert.equal(await codeOf(changePasswordInSession(svc, first.session, rc(), { oldPassword: 'Not-The-Passw0rd', newPassword: 'Brand-New-Passw0rd' })), 'InvalidParameter.OldPassword');
      assert.equal(await codeOf(changePasswordInSession(svc, first.session, rc(), { oldPassword: PASSWORD, newPassword: 'weak' })), 'InvalidParameter.Password.Length');
      const after = await changePasswordInSession(svc, first.session, rc(), { oldPassword: PASSWORD, newPassword: 'Brand-New-Passw0rd' });
      assert.equal(after.passwordChangeRequired, false);
      assert.equal((await judge(svc, sessionPrincipal(svc, after), 'ecs:DescribeInstances', ['*'], rc())).allowed, true);
      assert.equal((await profiles.getLoginProfile(ctx, 'carol')).passwordResetRequired, false);
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('carol'), password: PASSWORD })), 'SignIn.Failed', 'the old password is gone');
      assert.equal(stateOf(await signIn(svc, { userPrincipalName: upn('carol'), password: 'Brand-New-Passw0rd' })), 'signedIn');
      clock.advance(SESSION_MS);
      assert.throws(() => sessionPrincipal(svc, after), (e: unknown) => e instanceof DomainError && e.code === 'SignIn.SessionExpired');
    });

    test('an expired password: changed first (soft), or refused (HardExpiry)', async () => {
      await userWith('erin');
      await policy.setPasswordPolicy(ctx, { maxPasswordAge: 30 });
      clock.advance(31 * 86_400_000);
      assert.equal(stateOf(await signIn(svc, { userPrincipalName: upn('erin'), password: PASSWORD })), 'passwordChangeRequired');
      await policy.setPasswordPolicy(ctx, { hardExpiry: true });
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('erin'), password: PASSWORD })), 'SignIn.PasswordExpired');
      await policy.setPasswordPolicy(ctx, { maxPasswordAge: 0, hardExpiry: false });
      assert.equal(stateOf(await signIn(svc, { userPrincipalName: upn('erin'), password: PASSWORD })), 'signedIn');
    });

    test('MFA: a bound device asks for a current code, a wrong or replayed one is refused, and the session has acs:MFAPresent', async () => {
      await userWith('dave');
      await userWith('frank');
      const mfaOnly = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeInstances', Resource: '*', Condition: { Bool: { 'acs:MFAPresent': 'true' } } }] });
      await policies.createPolicy(ctx, { policyName: 'NeedsMfa', policyDocument: mfaOnly });
      for (const u of ['dave', 'frank']) await attachments.attachPolicy(ctx, { policyType: 'Custom', policyName: 'NeedsMfa', principalType: 'User', principalName: u, attach: true });

      const device = await mfa.createVirtualMFADevice(ctx, 'dave-phone');
      assert.equal(device.serialNumber, `acs:ram::${A}:mfa/dave-phone`);
      assert.match(device.otpauthUri, /^otpauth:\/\/totp\//);
      const totp = new TOTP({ secret: Secret.fromBase32(device.base32StringSeed), algorithm: 'SHA1', digits: 6, period: 30 });
      const at = (offsetSteps: number) => totp.generate({ timestamp: clock.now() + offsetSteps * 30_000 });
      // the seed never rests in the store as given out
      const stored = await store.db.selectFrom('ram_mfa_devices').select('seed').where('name', '=', 'dave-phone').executeTakeFirstOrThrow();
      assert.ok(!stored.seed.includes(device.base32StringSeed) && !stored.seed.includes(Buffer.from(Secret.fromBase32(device.base32StringSeed).bytes).toString('base64url')));

      assert.equal(await codeOf(mfa.bindMFADevice(ctx, { serialNumber: device.serialNumber, userName: 'dave', authenticationCode1: at(0), authenticationCode2: at(-1) })), 'InvalidParameter.AuthenticationCode', 'codes out of order');
      await mfa.bindMFADevice(ctx, { serialNumber: device.serialNumber, userName: 'dave', authenticationCode1: at(-1), authenticationCode2: at(0) });
      clock.advance(30_000);

      assert.equal(stateOf(await signIn(svc, { userPrincipalName: upn('dave'), password: PASSWORD })), 'mfaCodeRequired');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('dave'), password: PASSWORD, mfaCode: '000000' === at(0) ? '111111' : '000000' })), 'SignIn.MFACodeInvalid');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('dave'), password: 'Wrong-Passw0rd', mfaCode: at(0) })), 'SignIn.Failed', 'the password comes first');
      const withMfa = await signIn(svc, { userPrincipalName: upn('dave'), password: PASSWORD, mfaCode: at(0) });
      assert.ok(withMfa.state === 'signedIn');
      assert.equal(withMfa.session.mfaPresent, true);
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('dave'), password: PASSWORD, mfaCode: at(0) })), 'SignIn.MFACodeInvalid', 'a used code is not accepted again');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('dave'), password: PASSWORD, mfaCode: at(-1) })), 'SignIn.MFACodeInvalid', 'nor an earlier one');
      clock.advance(30_000);
      assert.equal(stateOf(await signIn(svc, { userPrincipalName: upn('dave'), password: PASSWORD, mfaCode: at(0) })), 'signedIn', 'the next step\'s code is');

      const without = await signIn(svc, { userPrincipalName: upn('frank'), password: PASSWORD });
      assert.ok(without.state === 'signedIn');
      assert.equal(without.session.mfaPresent, false);
      assert.equal((await judge(svc, sessionPrincipal(svc, withMfa.session), 'ecs:DescribeInstances', ['*'], rc())).allowed, true, 'MFA present: the condition holds');
      assert.equal((await judge(svc, sessionPrincipal(svc, without.session), 'ecs:DescribeInstances', ['*'], rc())).allowed, false, 'no MFA: the condition fails');
    });

    test('MFABindRequired without a device: the sign-in says a device must be bound first', async () => {
      await userWith('gina', { mfaBindRequired: true });
      assert.equal(stateOf(await signIn(svc, { userPrincipalName: upn('gina'), password: PASSWORD })), 'mfaBindRequired');
      const d = await mfa.createVirtualMFADevice(ctx, 'gina-phone');
      const totp = new TOTP({ secret: Secret.fromBase32(d.base32StringSeed), algorithm: 'SHA1', digits: 6, period: 30 });
      const at = (k: number) => totp.generate({ timestamp: clock.now() + k * 30_000 });
      await mfa.bindMFADevice(ctx, { serialNumber: d.serialNumber, userName: 'gina', authenticationCode1: at(-1), authenticationCode2: at(0) });
      assert.equal(stateOf(await signIn(svc, { userPrincipalName: upn('gina'), password: PASSWORD })), 'mfaCodeRequired');
      clock.advance(30_000);
      const s = await signIn(svc, { userPrincipalName: upn('gina'), password: PASSWORD, mfaCode: at(0) });
      assert.ok(s.state === 'signedIn' && s.session.mfaPresent);
    });

    test('MFABindRequired: the sign-in gives a device; two consecutive codes of it bind it and sign in with MFA present', async () => {
      await userWith('ivy', { mfaBindRequired: true });
      await users.createUser(ctx, { userName: 'jon' });
      await profiles.createLoginProfile(ctx, { userName: 'jon', password: PASSWORD, mfaBindRequired: true });
      const first = await signIn(svc, { userPrincipalName: upn('ivy'), password: PASSWORD });
      assert.ok(first.state === 'mfaBindRequired');
      const again = await signIn(svc, { userPrincipalName: upn('ivy'), password: PASSWORD });
      assert.ok(again.state === 'mfaBindRequired');
      assert.equal(again.device.serialNumber, first.device.serialNumber, 'the user has one sign-in device');
      assert.notEqual(again.device.base32StringSeed, first.device.base32StringSeed, 'asking again gives a new seed');
      const totpOf = (seed: string) => new TOTP({ secret: Secret.fromBase32(seed), algorithm: 'SHA1', digits: 6, period: 30 });
      const old = totpOf(first.device.base32StringSeed);
      const cur = totpOf(again.device.base32StringSeed);
      const at = (t: TOTP, k: number) => t.generate({ timestamp: clock.now() + k * 30_000 });
      const bind = (t: TOTP, serialNumber = again.device.serialNumber) => ({ serialNumber, code1: at(t, -1), code2: at(t, 0) });
      // the replaced seed binds nothing; nor two codes that are not consecutive; nor a wrong password
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('ivy'), password: PASSWORD, mfaBind: bind(old) })), 'SignIn.MFACodeInvalid');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('ivy'), password: PASSWORD, mfaBind: { serialNumber: again.device.serialNumber, code1: at(cur, -2), code2: at(cur, 0) } })), 'SignIn.MFACodeInvalid');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('ivy'), password: 'Wrong-Passw0rd', mfaBind: bind(cur) })), 'SignIn.Failed');
      // another user's sign-in device (or any other device) is not ivy's to bind
      const jons = await signIn(svc, { userPrincipalName: upn('jon'), password: PASSWORD });
      assert.ok(jons.state === 'mfaBindRequired');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('ivy'), password: PASSWORD, mfaBind: bind(totpOf(jons.device.base32StringSeed), jons.device.serialNumber) })), 'SignIn.MFACodeInvalid');
      await assert.rejects(mfa.getUserMFAInfo(ctx, 'ivy'), (e: unknown) => e instanceof DomainError && e.code === 'EntityNotExist.User.MFADevice', 'nothing bound by the refusals');

      const s = await signIn(svc, { userPrincipalName: upn('ivy'), password: PASSWORD, mfaBind: bind(cur) });
      assert.ok(s.state === 'signedIn' && s.session.mfaPresent, 'bound and signed in, MFA present');
      assert.equal((await mfa.getUserMFAInfo(ctx, 'ivy')).serialNumber, again.device.serialNumber, 'the device is ivy\'s now (GetUserMFAInfo)');
      // from now on the device's codes are asked for, and the codes just used are spent
      assert.equal(stateOf(await signIn(svc, { userPrincipalName: upn('ivy'), password: PASSWORD })), 'mfaCodeRequired');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('ivy'), password: PASSWORD, mfaCode: at(cur, 0) })), 'SignIn.MFACodeInvalid', 'the binding code is spent');
      clock.advance(30_000);
      assert.equal(stateOf(await signIn(svc, { userPrincipalName: upn('ivy'), password: PASSWORD, mfaCode: at(cur, 0) })), 'signedIn');
      // a bound user's bind request is not a way around its code
      assert.equal(stateOf(await signIn(svc, { userPrincipalName: upn('ivy'), password: PASSWORD, mfaBind: bind(cur) })), 'mfaCodeRequired');
    });

    test('wrong MFA codes count towards the lock-out too', async () => {
      await userWith('hank');
      await policy.setPasswordPolicy(ctx, { maxLoginAttemps: 2 });
      const d = await mfa.createVirtualMFADevice(ctx, 'hank-phone');
      const totp = new TOTP({ secret: Secret.fromBase32(d.base32StringSeed), algorithm: 'SHA1', digits: 6, period: 30 });
      const at = (k: number) => totp.generate({ timestamp: clock.now() + k * 30_000 });
      await mfa.bindMFADevice(ctx, { serialNumber: d.serialNumber, userName: 'hank', authenticationCode1: at(-1), authenticationCode2: at(0) });
      clock.advance(60_000);
      const bad = at(0) === '123456' ? '654321' : '123456';
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('hank'), password: PASSWORD, mfaCode: bad })), 'SignIn.MFACodeInvalid');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('hank'), password: PASSWORD, mfaCode: bad })), 'SignIn.MFACodeInvalid');
      assert.equal(await codeOf(signIn(svc, { userPrincipalName: upn('hank'), password: PASSWORD, mfaCode: at(0) })), 'SignIn.Locked');
      await policy.setPasswordPolicy(ctx, { maxLoginAttemps: 5 });
    });
  });
}
