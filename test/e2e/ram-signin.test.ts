// RAM sign-in's operations through the official RAM SDK on a real server: the password policy
// (GetPasswordPolicy, SetPasswordPolicy) and its enforcement by CreateLoginProfile,
// UpdateLoginProfile and ChangePassword (weak passwords, reuse); ChangePassword with a RAM user's
// AccessKey; the account alias (unique across accounts); virtual MFA devices (create, bind with
// two consecutive codes, unbind, delete, list, GetUserMFAInfo). Sign-ins go through the sign-in
// module against the same server's store and clock: lock-out, wrong and replayed MFA codes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import RamModule from '@alicloud/ram20150501';
import { Secret, TOTP } from 'otpauth';
import { startTestServer, sdkConfig, sdkError, callRpc, ROOT, type TestServer, type Creds } from '../helpers/server.ts';
import { ManualClock } from '../../src/clock.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';
import { signIn } from '../../src/domain/ram/signin.ts';
import { DomainError } from '../../src/domain/errors.ts';

const $ = RamModule;
const A = ROOT.accountId;
const RamClient = RamModule.default;
type Ram = InstanceType<typeof RamClient>;

describe('RAM sign-in operations end to end', () => {
  let server: TestServer;
  let ram: Ram;
  let clock: ManualClock;
  before(async () => {
    clock = new ManualClock(Date.now());
    server = await startTestServer({ clock });
    ram = new RamClient(sdkConfig(server.endpoint));
  });
  after(async () => { await server.stop(); });

  const signInCode = async (upn: string, password: string, mfaCode?: string): Promise<string> => {
    try {
      return (await signIn(server.services, { userPrincipalName: upn, password, mfaCode })).state;
    } catch (e) {
      if (e instanceof DomainError) return e.code;
      throw e;
    }
  };
  const userWithKey = async (name: string, password: string): Promise<Ram> => {
    await ram.createUser(new $.CreateUserRequest({ userName: name }));
    await ram.createLoginProfile(new $.CreateLoginProfileRequest({ userName: name, password }));
    const k = (await ram.createAccessKey(new $.CreateAccessKeyRequest({ userName: name }))).body!.accessKey!;
    const creds: Creds = { accessKeyId: k.accessKeyId!, accessKeySecret: k.accessKeySecret! };
    return new RamClient(sdkConfig(server.endpoint, creds));
  };

  test('the password policy: defaults, set, ranges, and every password path obeys it', async () => {
    const defaults = (await ram.getPasswordPolicy()).body!.passwordPolicy!;
    assert.deepEqual(
      [defaults.minimumPasswordLength, defaults.requireLowercaseCharacters, defaults.requireUppercaseCharacters, defaults.requireNumbers, defaults.requireSymbols, defaults.hardExpiry, defaults.maxPasswordAge, defaults.passwordReusePrevention, defaults.maxLoginAttemps],
      [8, true, true, true, false, false, 0, 0, 5],
    );
    const set = await ram.setPasswordPolicy(new $.SetPasswordPolicyRequest({ minimumPasswordLength: 12, requireSymbols: true, passwordReusePrevention: 2, maxLoginAttemps: 3 }));
    assert.deepEqual([set.body!.passwordPolicy!.minimumPasswordLength, set.body!.passwordPolicy!.requireSymbols, set.body!.passwordPolicy!.requireNumbers], [12, true, true], 'what is not given is kept');
    for (const bad of [
      new $.SetPasswordPolicyRequest({ minimumPasswordLength: 7 }), new $.SetPasswordPolicyRequest({ minimumPasswordLength: 33 }), new $.SetPasswordPolicyRequest({ maxPasswordAge: 1096 }),
      new $.SetPasswordPolicyRequest({ passwordReusePrevention: 25 }), new $.SetPasswordPolicyRequest({ maxLoginAttemps: 33 }), new $.SetPasswordPolicyRequest({ maxLoginAttemps: -1 }),
    ]) {
      const e = await sdkError(ram.setPasswordPolicy(bad));
      assert.deepEqual([e.code, e.statusCode], ['InvalidParameter', 400], JSON.stringify(bad));
    }
    assert.equal((await ram.getPasswordPolicy()).body!.passwordPolicy!.minimumPasswordLength, 12, 'a refused call changes nothing');

    await ram.createUser(new $.CreateUserRequest({ userName: 'pia' }));
    const create = (password: string) => sdkError(ram.createLoginProfile(new $.CreateLoginProfileRequest({ userName: 'pia', password })));
    assert.equal((await create('Short-Pw0')).code, 'InvalidParameter.Password.Length');
    const noSymbol = await create('LongEnoughPassw0rd');
    assert.deepEqual([noSymbol.code, noSymbol.statusCode], ['InvalidParameter.Password.Characters', 400]);
    assert.match(noSymbol.message, /a symbol/);
    assert.equal((await create('long-enough-passw0rd!')).code, 'InvalidParameter.Password.Characters');
    await ram.createLoginProfile(new $.CreateLoginProfileRequest({ userName: 'pia', password: 'First-Passw0rd!' }));
    const update = (password: string) => ram.updateLoginProfile(new $.UpdateLoginProfileRequest({ userName: 'pia', password }));
    assert.equal((await sdkError(update('First-Passw0rd!'))).code, 'InvalidParameter.Password.Reused', 'the current password');
    await update('Second-Passw0rd!');
    assert.equal((await sdkError(update('First-Passw0rd!'))).code, 'InvalidParameter.Password.Reused', 'the one before');
    await update('Third-Passw0rd!');
    await update('First-Passw0rd!');
    assert.equal((await sdkError(update('short'))).code, 'InvalidParameter.Password.Length');
    await ram.setPasswordPolicy(new $.SetPasswordPolicyRequest({ minimumPasswordLength: 8, requireSymbols: false, passwordReusePrevention: 0, maxLoginAttemps: 3 }));
  });

  test('ChangePassword: a RAM user changes its own password with its AccessKey; root and explicit denials are refused', async () => {
    const quinn = await userWithKey('quinn', 'Quinn-Passw0rd');
    await ram.setPasswordPolicy(new $.SetPasswordPolicyRequest({ passwordReusePrevention: 1 }));
    assert.equal((await sdkError(quinn.changePassword(new $.ChangePasswordRequest({ oldPassword: 'Not-Quinns-Passw0rd', newPassword: 'Quinn-New-Passw0rd' })))).code, 'InvalidParameter.OldPassword');
    assert.equal((await sdkError(quinn.changePassword(new $.ChangePasswordRequest({ oldPassword: 'Quinn-Passw0rd', newPassword: 'weakpassword' })))).code, 'InvalidParameter.Password.Characters');
    assert.equal((await sdkError(quinn.changePassword(new $.ChangePasswordRequest({ oldPassword: 'Quinn-Passw0rd', newPassword: 'Quinn-Passw0rd' })))).code, 'InvalidParameter.Password.Reused');
    await ram.updateLoginProfile(new $.UpdateLoginProfileRequest({ userName: 'quinn', passwordResetRequired: true }));
    await quinn.changePassword(new $.ChangePasswordRequest({ oldPassword: 'Quinn-Passw0rd', newPassword: 'Quinn-New-Passw0rd' }));
    assert.equal((await ram.getLoginProfile(new $.GetLoginProfileRequest({ userName: 'quinn' }))).body!.loginProfile!.passwordResetRequired, false, 'changing it clears the must-reset flag');
    const upn = `quinn@${A}.onaliyun.com`;
    assert.equal(await signInCode(upn, 'Quinn-New-Passw0rd'), 'signedIn');
    assert.equal(await signInCode(upn, 'Quinn-Passw0rd'), 'SignIn.Failed');
    const root = await sdkError(ram.changePassword(new $.ChangePasswordRequest({ oldPassword: 'x', newPassword: 'Root-Passw0rd' })));
    assert.deepEqual([root.code, root.statusCode], ['InvalidUserType', 400]);
    const deny = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: 'ram:ChangePassword', Resource: '*' }] });
    await ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'NoPasswordChange', policyDocument: deny }));
    await ram.attachPolicyToUser(new $.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'NoPasswordChange', userName: 'quinn' }));
    assert.equal((await sdkError(quinn.changePassword(new $.ChangePasswordRequest({ oldPassword: 'Quinn-New-Passw0rd', newPassword: 'Quinn-Third-Passw0rd' })))).code, 'NoPermission');
    // the user's key reaches nothing else without a grant
    assert.equal((await sdkError(quinn.listUsers(new $.ListUsersRequest({})))).code, 'NoPermission');
    await ram.setPasswordPolicy(new $.SetPasswordPolicyRequest({ passwordReusePrevention: 0 }));
  });

  test('lock-out: MaxLoginAttemps wrong passwords lock the user for an hour; a reset by the administrator unlocks', async () => {
    await ram.createUser(new $.CreateUserRequest({ userName: 'ruth' }));
    await ram.createLoginProfile(new $.CreateLoginProfileRequest({ userName: 'ruth', password: 'Ruth-Passw0rd' }));
    const upn = `ruth@${A}.onaliyun.com`;
    for (let i = 0; i < 3; i++) assert.equal(await signInCode(upn, 'Wrong-Passw0rd'), 'SignIn.Failed');
    assert.equal(await signInCode(upn, 'Ruth-Passw0rd'), 'SignIn.Locked');
    clock.advance(3600_000);
    assert.equal(await signInCode(upn, 'Ruth-Passw0rd'), 'signedIn');
    for (let i = 0; i < 3; i++) await signInCode(upn, 'Wrong-Passw0rd');
    assert.equal(await signInCode(upn, 'Ruth-Passw0rd'), 'SignIn.Locked');
    // back to the SDK's time (its requests' timestamps must be fresh); the lock-out still holds
    clock.set(Date.now());
    assert.equal(await signInCode(upn, 'Ruth-Passw0rd'), 'SignIn.Locked');
    await ram.updateLoginProfile(new $.UpdateLoginProfileRequest({ userName: 'ruth', password: 'Ruth-Reset-Passw0rd' }));
    assert.equal(await signInCode(upn, 'Ruth-Reset-Passw0rd'), 'signedIn');
  });

  test('the account alias: set, get, clear, its rules, unique across accounts; users sign in with it', async () => {
    assert.equal((await ram.getAccountAlias()).body!.accountAlias, '');
    for (const bad of ['ab', 'a'.repeat(33), 'Upper', '-lead', 'trail-', 'two--dashes', 'under_score']) {
      const e = await sdkError(ram.setAccountAlias(new $.SetAccountAliasRequest({ accountAlias: bad })));
      assert.deepEqual([e.code, e.statusCode], ['InvalidParameter.AccountAlias', 400], bad);
    }
    await ram.setAccountAlias(new $.SetAccountAliasRequest({ accountAlias: 'acme-prod' }));
    assert.equal((await ram.getAccountAlias()).body!.accountAlias, 'acme-prod');
    await ram.setAccountAlias(new $.SetAccountAliasRequest({ accountAlias: 'acme-prod' }));
    assert.equal(await signInCode('ruth@acme-prod.onaliyun.com', 'Ruth-Reset-Passw0rd'), 'signedIn');

    const other = await ensureAccount(server.services);
    const otherRam = new RamClient(sdkConfig(server.endpoint, { accessKeyId: other.accessKeyId, accessKeySecret: other.accessKeySecret }));
    const taken = await sdkError(otherRam.setAccountAlias(new $.SetAccountAliasRequest({ accountAlias: 'acme-prod' })));
    assert.deepEqual([taken.code, taken.statusCode], ['EntityAlreadyExists.AccountAlias', 409]);
    await ram.setAccountAlias(new $.SetAccountAliasRequest({ accountAlias: 'acme-two' }));
    await otherRam.setAccountAlias(new $.SetAccountAliasRequest({ accountAlias: 'acme-prod' }));
    assert.equal(await signInCode('ruth@acme-prod.onaliyun.com', 'Ruth-Reset-Passw0rd'), 'SignIn.Failed', 'the alias now names the other account');
    await ram.clearAccountAlias();
    assert.equal((await ram.getAccountAlias()).body!.accountAlias, '');
    await ram.clearAccountAlias();
    assert.equal((await otherRam.getAccountAlias()).body!.accountAlias, 'acme-prod');
  });

  test('virtual MFA devices: create (the seed once), bind with two consecutive codes, list, info, unbind, delete; sign-in codes', async () => {
    const created = (await ram.createVirtualMFADevice(new $.CreateVirtualMFADeviceRequest({ virtualMFADeviceName: 'sam-phone' }))).body!.virtualMFADevice!;
    assert.equal(created.serialNumber, `acs:ram::${A}:mfa/sam-phone`);
    assert.match(created.base32StringSeed!, /^[A-Z2-7]{32}$/);
    const raw = await callRpc(server.endpoint, 'CreateVirtualMFADevice', '2015-05-01', { VirtualMFADeviceName: 'spare' });
    assert.match(String((raw['VirtualMFADevice'] as Record<string, unknown>)['OtpauthUri']), /^otpauth:\/\/totp\/.*secret=[A-Z2-7]+/);
    assert.equal((await sdkError(ram.createVirtualMFADevice(new $.CreateVirtualMFADeviceRequest({ virtualMFADeviceName: 'sam-phone' })))).code, 'EntityAlreadyExists.VirtualMFADevice');
    assert.equal((await sdkError(ram.createVirtualMFADevice(new $.CreateVirtualMFADeviceRequest({ virtualMFADeviceName: 'bad name' })))).code, 'InvalidParameter.VirtualMFADeviceName');

    const totp = new TOTP({ secret: Secret.fromBase32(created.base32StringSeed!), algorithm: 'SHA1', digits: 6, period: 30 });
    const at = (k: number) => totp.generate({ timestamp: clock.now() + k * 30_000 });
    await ram.createUser(new $.CreateUserRequest({ userName: 'sam', displayName: 'Sam S' }));
    await ram.createLoginProfile(new $.CreateLoginProfileRequest({ userName: 'sam', password: 'Sam-Passw0rd' }));
    await ram.createUser(new $.CreateUserRequest({ userName: 'tess' }));
    const bind = (userName: string, c1: string, c2: string, serialNumber = created.serialNumber!) =>
      ram.bindMFADevice(new $.BindMFADeviceRequest({ serialNumber, userName, authenticationCode1: c1, authenticationCode2: c2 }));
    const wrong = at(0) === '000000' ? '111111' : '000000';
    assert.equal((await sdkError(bind('sam', at(-1), wrong))).code, 'InvalidParameter.AuthenticationCode');
    assert.equal((await sdkError(bind('sam', at(0), at(-1)))).code, 'InvalidParameter.AuthenticationCode', 'not consecutive');
    assert.equal((await sdkError(bind('sam', at(-8), at(-7)))).code, 'InvalidParameter.AuthenticationCode', 'consecutive but old');
    assert.equal((await sdkError(bind('nobody', at(-1), at(0)))).code, 'EntityNotExist.User');
    assert.equal((await sdkError(bind('sam', at(-1), at(0), `acs:ram::${A}:mfa/none`))).code, 'EntityNotExist.VirtualMFADevice');
    assert.equal((await sdkError(ram.getUserMFAInfo(new $.GetUserMFAInfoRequest({ userName: 'sam' })))).code, 'EntityNotExist.User.MFADevice');
    await bind('sam', at(-1), at(0));
    assert.equal((await sdkError(bind('tess', at(-1), at(0)))).code, 'EntityAlreadyExists.VirtualMFADevice.User');

    const info = (await ram.getUserMFAInfo(new $.GetUserMFAInfoRequest({ userName: 'sam' }))).body!.MFADevice!;
    assert.deepEqual([info.serialNumber, info.type], [created.serialNumber, 'VMFA']);
    const listed = (await ram.listVirtualMFADevices()).body!.virtualMFADevices!.virtualMFADevice!;
    assert.deepEqual(listed.map((d) => [d.serialNumber, d.user?.userName, d.user?.displayName, d.activateDate !== undefined]), [
      [`acs:ram::${A}:mfa/sam-phone`, 'sam', 'Sam S', true],
      [`acs:ram::${A}:mfa/spare`, undefined, undefined, false],
    ]);
    assert.ok(!JSON.stringify(listed).includes(created.base32StringSeed!), 'the seed is shown once');

    // signing in: a code is asked for; wrong and replayed codes are refused
    const upn = `sam@${A}.onaliyun.com`;
    clock.advance(30_000);
    assert.equal(await signInCode(upn, 'Sam-Passw0rd'), 'mfaCodeRequired');
    assert.equal(await signInCode(upn, 'Sam-Passw0rd', wrong === at(0) ? '222222' : wrong), 'SignIn.MFACodeInvalid');
    assert.equal(await signInCode(upn, 'Sam-Passw0rd', at(0)), 'signedIn');
    assert.equal(await signInCode(upn, 'Sam-Passw0rd', at(0)), 'SignIn.MFACodeInvalid', 'replayed');

    assert.equal((await sdkError(ram.deleteVirtualMFADevice(new $.DeleteVirtualMFADeviceRequest({ serialNumber: created.serialNumber })))).code, 'DeleteConflict.VirtualMFADevice.User');
    const unbound = await ram.unbindMFADevice(new $.UnbindMFADeviceRequest({ userName: 'sam' }));
    assert.equal(unbound.body!.MFADevice!.serialNumber, created.serialNumber);
    assert.equal((await sdkError(ram.unbindMFADevice(new $.UnbindMFADeviceRequest({ userName: 'sam' })))).code, 'EntityNotExist.User.MFADevice');
    assert.equal(await signInCode(upn, 'Sam-Passw0rd'), 'signedIn', 'no device: no code asked');
    // codes already used with the device are not accepted again, for another user either
    assert.equal((await sdkError(bind('tess', at(-1), at(0)))).code, 'InvalidParameter.AuthenticationCode');
    await ram.deleteVirtualMFADevice(new $.DeleteVirtualMFADeviceRequest({ serialNumber: created.serialNumber }));
    assert.equal((await sdkError(ram.deleteVirtualMFADevice(new $.DeleteVirtualMFADeviceRequest({ serialNumber: created.serialNumber })))).code, 'EntityNotExist.VirtualMFADevice');
    assert.deepEqual((await ram.listVirtualMFADevices()).body!.virtualMFADevices!.virtualMFADevice!.map((d) => d.serialNumber), [`acs:ram::${A}:mfa/spare`]);
  });

  test('a RAM user needs a grant for the MFA and policy operations', async () => {
    const una = await userWithKey('una', 'Una-Passw0rd');
    assert.equal((await sdkError(una.createVirtualMFADevice(new $.CreateVirtualMFADeviceRequest({ virtualMFADeviceName: 'una' })))).code, 'NoPermission');
    assert.equal((await sdkError(una.setPasswordPolicy(new $.SetPasswordPolicyRequest({ minimumPasswordLength: 8 })))).code, 'NoPermission');
    assert.equal((await sdkError(una.setAccountAlias(new $.SetAccountAliasRequest({ accountAlias: 'una-alias' })))).code, 'NoPermission');
    await ram.attachPolicyToUser(new $.AttachPolicyToUserRequest({ policyType: 'System', policyName: 'AliyunRAMReadOnlyAccess', userName: 'una' }));
    assert.equal((await una.getPasswordPolicy()).body!.passwordPolicy!.minimumPasswordLength, 8);
    assert.equal((await sdkError(una.deleteVirtualMFADevice(new $.DeleteVirtualMFADeviceRequest({ serialNumber: `acs:ram::${A}:mfa/spare` })))).code, 'NoPermission');
  });
});
