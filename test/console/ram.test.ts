// The console's RAM pages in a browser: Create User with a console password that must be reset (the
// user then signs in, in a second browser, and must change it first) and programmatic access (the
// AccessKey secret shown once); AccessKeys created, disabled and deleted on the user's page; a
// virtual MFA device bound by reading the key from the page and typing two TOTP codes (the user then
// needs a code at sign-in); a policy with an error shown at the engine's line and column, then
// versions and the default version; groups, roles and the settings (the password policy that
// CreateLoginProfile then enforces, the account alias); a RAM user with read-only RAM access sees the
// lists and gets the RAM error naming the action; axe-core on every RAM page. Every result is
// checked through the API (signed requests) as well as on the page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { callRpc, ROOT, sdkError, type Creds } from '../helpers/server.ts';
import { expectAccessible, openConsole, signInWithAccessKey, submitPassword, type ConsoleSession } from '../helpers/browser.ts';
import { ManualClock } from '../../src/clock.ts';

const RAM = '2015-05-01';
const A = ROOT.accountId;
const CALL = /^\/console\/api\/call$/;

function ram(c: ConsoleSession, action: string, query: Record<string, string> = {}, creds: Creds = ROOT) {
  return callRpc(c.server.endpoint, action, RAM, query, creds);
}

function listed<T>(body: Record<string, unknown>, outer: string, inner: string): T[] {
  const o = body[outer] as Record<string, unknown> | undefined;
  return (o?.[inner] as T[] | undefined) ?? [];
}

/** The dialog with this title. */
function dialog(page: Page, title: string | RegExp) {
  return page.getByRole('dialog').filter({ has: page.getByText(title) });
}

/** Confirms the open Popconfirm by its OK button. */
async function confirmPop(page: Page, ok: string): Promise<void> {
  await page.locator('.ant-popconfirm:visible').getByRole('button', { name: ok, exact: true }).click();
}

/**
 * Chooses the option a search in an antd Select (inside a dialog or drawer `scope`) finds: typed,
 * the option clicked once the list stopped animating, then the list closed by a click on the title.
 */
async function pick(page: Page, scope: ReturnType<Page['locator']>, search: string): Promise<void> {
  await scope.getByRole('combobox').click();
  await page.keyboard.type(search);
  const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: search }).first();
  await option.waitFor();
  await page.waitForTimeout(300);
  await option.click();
  await scope.locator('.ant-modal-title, .ant-drawer-title').first().click();
}

/** Replaces the text of the CodeMirror editor in `scope`. */
async function setEditor(page: Page, scope: ReturnType<Page['locator']>, text: string): Promise<void> {
  await scope.getByTestId('policy-editor').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** axe-core once the page is still: success messages (which fade in and out) gone. */
async function accessible(page: Page, label: string): Promise<void> {
  await page.locator('.ant-message-notice').first().waitFor({ state: 'detached' });
  // the pointer off the page: a hovered link's lighter color is not what the page shows
  await page.mouse.move(0, 0);
  // antd's color transitions (0.2 s) over: a button that was just enabled is measured at its end color
  await page.waitForTimeout(400);
  await expectAccessible(page, label);
}

describe('console RAM pages in a browser', () => {
  test('Create User (reset at next logon, AccessKey shown once), AccessKeys, MFA binding; the user must change the password, then needs a code', async (t) => {
    const clock = new ManualClock(Date.now());
    const c = await openConsole(t, { serverOptions: { clock } });
    if (c === undefined) return;
    const { page } = c;
    await signInWithAccessKey(c);

    await page.goto(c.url('/ram/users'));
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByText('No RAM users yet').waitFor();
    await accessible(page, 'RAM users (empty)');

    await page.getByRole('button', { name: 'Create User' }).click();
    const create = dialog(page, 'Create User');
    await create.getByLabel('Logon Name', { exact: true }).fill('carol');
    await create.getByLabel('Display Name').fill('Carol C');
    await create.getByLabel('Custom Logon Password').check();
    await create.getByLabel('Password', { exact: true }).fill('Carol-Passw0rd1');
    await create.getByLabel('Required at Next Logon').check();
    await create.getByLabel('Programmatic Access').check();
    await accessible(page, 'Create User dialog');
    await create.getByRole('button', { name: 'OK' }).click();

    const shown = dialog(page, 'User carol created');
    await shown.waitFor();
    assert.equal(await shown.getByTestId('credential-0').locator('code').textContent(), `carol@${A}.onaliyun.com`);
    const keyId = await shown.getByTestId('credential-1').locator('code').textContent();
    const secret = await shown.getByTestId('credential-2').locator('code').textContent();
    assert.ok(keyId !== null && secret !== null && secret.length >= 20, 'the AccessKey pair is shown');
    await shown.getByRole('button', { name: 'Download CSV File' }).waitFor();
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(secret), 'the secret is not on the page once closed');

    // through the API: the login profile must be reset, the key is carol's and its secret signs
    const profile = (await ram(c, 'GetLoginProfile', { UserName: 'carol' }))['LoginProfile'] as Record<string, unknown>;
    assert.equal(profile['PasswordResetRequired'], true);
    assert.equal(profile['MFABindRequired'], false);
    assert.deepEqual(listed<{ AccessKeyId: string }>(await ram(c, 'ListAccessKeys', { UserName: 'carol' }), 'AccessKeys', 'AccessKey').map((k) => k.AccessKeyId), [keyId]);
    assert.equal((await ram(c, 'GetUser', { UserName: 'carol' }))['User'] !== undefined, true);
    // carol has no policy: her signed call is refused by RAM (so the signature was accepted)
    assert.equal((await sdkError(ram(c, 'GetUser', { UserName: 'carol' }, { accessKeyId: keyId, accessKeySecret: secret }))).code, 'NoPermission');
    await page.getByRole('link', { name: `carol@${A}.onaliyun.com` }).waitFor();
    await accessible(page, 'RAM users');

    // carol, in another browser: the password must be changed first
    const carol = await openConsole(t, { server: c.server });
    assert.ok(carol);
    // carol has no policy: the overview's counts are refused by RAM
    carol.expectFailure({ method: 'POST', path: CALL, status: 403 });
    await submitPassword(carol, `carol@${A}.onaliyun.com`, 'Carol-Passw0rd1');
    await carol.page.getByRole('heading', { name: 'Change your password' }).waitFor();
    await carol.page.getByLabel('New password', { exact: true }).fill('Carol-New-Passw0rd2');
    await carol.page.getByLabel('Confirm the new password').fill('Carol-New-Passw0rd2');
    await carol.page.getByRole('button', { name: 'Change password' }).click();
    await carol.page.getByTestId('identity').getByText(`carol@${A}`).waitFor();
    assert.equal(((await ram(c, 'GetLoginProfile', { UserName: 'carol' }))['LoginProfile'] as Record<string, unknown>)['PasswordResetRequired'], false);

    // the user's page: AccessKeys
    await page.getByRole('link', { name: `carol@${A}.onaliyun.com` }).click();
    await page.getByRole('heading', { level: 1, name: 'User: carol' }).waitFor();
    await page.getByText('Carol C').waitFor();
    await accessible(page, 'RAM user details');
    await page.getByRole('tab', { name: 'AccessKey' }).click();
    await page.getByRole('button', { name: 'Create AccessKey' }).click();
    const newKey = dialog(page, 'AccessKey created');
    const key2 = await newKey.getByTestId('credential-1').locator('code').textContent();
    const secret2 = await newKey.getByTestId('credential-2').locator('code').textContent();
    assert.ok(key2 !== null && secret2 !== null && key2 !== keyId);
    await newKey.getByRole('button', { name: 'Done' }).click();
    // the dialog leaves the page after its closing animation: until then its text is still there
    await newKey.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(secret2), 'the new secret is not on the page once closed');
    const row2 = page.getByRole('row').filter({ hasText: key2 });
    await row2.getByRole('button', { name: 'Disable' }).click();
    await confirmPop(page, 'Disable');
    await row2.getByText('Disabled').waitFor();
    const keys = () => ram(c, 'ListAccessKeys', { UserName: 'carol' }).then((b) => listed<{ AccessKeyId: string; Status: string }>(b, 'AccessKeys', 'AccessKey'));
    assert.equal((await keys()).find((k) => k.AccessKeyId === key2)?.Status, 'Inactive');
    await row2.getByRole('button', { name: 'Delete' }).click();
    await confirmPop(page, 'Delete');
    await row2.waitFor({ state: 'detached' });
    assert.deepEqual((await keys()).map((k) => k.AccessKeyId), [keyId]);

    // the MFA device: the key read from the page, two consecutive codes
    await page.getByRole('tab', { name: 'MFA Device' }).click();
    await page.getByText('No MFA device bound').waitFor();
    await page.getByRole('button', { name: 'Enable the Virtual MFA Device' }).click();
    const bind = dialog(page, 'Bind a virtual MFA device to carol');
    await bind.getByTestId('mfa-qr').waitFor();
    const seed = (await bind.getByTestId('mfa-seed').locator('code').textContent()) ?? '';
    const uri = (await bind.getByTestId('mfa-uri').textContent()) ?? '';
    assert.match(uri, /^otpauth:\/\/totp\//);
    assert.equal(new URL(uri).searchParams.get('secret'), seed, 'the QR code\'s URL carries the key shown');
    await accessible(page, 'MFA binding dialog');
    const totp = new TOTP({ secret: Secret.fromBase32(seed), algorithm: 'SHA1', digits: 6, period: 30 });
    const at = (k: number) => totp.generate({ timestamp: clock.now() + k * 30_000 });
    await bind.getByLabel('Security Code 1').fill(at(-1));
    await bind.getByLabel('Security Code 2 (the next code)').fill(at(0));
    await bind.getByRole('button', { name: 'Bind' }).click();
    await bind.waitFor({ state: 'detached' });
    await page.getByText('Virtual MFA Device').waitFor();
    const devices = listed<{ SerialNumber: string; User?: { UserName: string } }>(await ram(c, 'ListVirtualMFADevices'), 'VirtualMFADevices', 'VirtualMFADevice');
    assert.deepEqual(devices.map((d) => d.User?.UserName), ['carol']);
    assert.equal(((await ram(c, 'GetUserMFAInfo', { UserName: 'carol' }))['MFADevice'] as Record<string, string>)['SerialNumber'], devices[0]?.SerialNumber);

    // carol signs in again: now a code is asked for
    clock.advance(30_000);
    await carol.page.getByRole('button', { name: /Sign out/ }).click();
    await carol.page.waitForURL(/\/console\/signin/);
    await submitPassword(carol, `carol@${A}.onaliyun.com`, 'Carol-New-Passw0rd2');
    await carol.page.getByRole('heading', { name: 'Multi-factor authentication' }).waitFor();
    await carol.page.getByLabel('MFA code').fill(at(0));
    await carol.page.getByRole('button', { name: 'Verify' }).click();
    await carol.page.getByTestId('identity').getByText(`carol@${A}`).waitFor();

    // unbind: the device goes
    await page.getByRole('button', { name: 'Unbind' }).click();
    await confirmPop(page, 'Unbind');
    await page.getByText('No MFA device bound').waitFor();
    assert.deepEqual(listed(await ram(c, 'ListVirtualMFADevices'), 'VirtualMFADevices', 'VirtualMFADevice'), []);
  });

  test('policies: an error at its line and column, then versions and the default version; roles', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    c.expectFailure({ method: 'POST', path: CALL, status: 400 });
    await signInWithAccessKey(c);
    await page.goto(c.url('/ram/policies'));
    await page.getByRole('heading', { level: 1, name: 'Policies' }).waitFor();
    await page.getByRole('link', { name: 'AliyunECSReadOnlyAccess' }).waitFor();
    await accessible(page, 'RAM policies');

    const bad = '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "ecs:DescribeInstances",\n      "Resource": "*",\n      "Condition": { "NoSuchOperator": { "acs:SourceIp": "10.0.0.0/8" } }\n    }\n  ]\n}';
    // what the engine says about it, straight from the API
    const err = await sdkError(ram(c, 'CreatePolicy', { PolicyName: 'probe', PolicyDocument: bad }));
    assert.equal(err.code, 'MalformedPolicyDocument');
    const pos = /line (\d+), column (\d+)/.exec(err.message);
    assert.ok(pos, `the engine names a position: ${err.message}`);
    assert.equal(pos[1], '8', 'the error is on the Condition line');

    await page.getByRole('button', { name: 'Create Policy' }).click();
    const create = dialog(page, 'Create Policy');
    await create.getByLabel('Policy Name').fill('web-readers');
    await create.getByLabel('Note').fill('reads instances');
    await setEditor(page, create, bad);
    await create.getByRole('button', { name: 'OK' }).click();
    const problems = create.getByTestId('policy-problems');
    await problems.waitFor();
    await problems.getByText(`Line ${pos[1]}, column ${pos[2]}:`).waitFor();
    await create.locator('.cm-lintRange-error').first().waitFor();
    await accessible(page, 'Create Policy dialog with an error');
    await assert.rejects(ram(c, 'GetPolicy', { PolicyName: 'web-readers', PolicyType: 'Custom' }), 'nothing was created');

    const good = '{\n  "Version": "1",\n  "Statement": [\n    { "Effect": "Allow", "Action": "ecs:DescribeInstances", "Resource": "*" }\n  ]\n}';
    await setEditor(page, create, good);
    await create.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('heading', { level: 1, name: 'Policy: web-readers' }).waitFor();
    const policy = (await ram(c, 'GetPolicy', { PolicyName: 'web-readers', PolicyType: 'Custom' }))['Policy'] as Record<string, string>;
    assert.equal(policy['Description'], 'reads instances');
    const stored = JSON.parse(policy['PolicyDocument'] ?? '{}') as { Statement: Array<{ Action: string }> };
    assert.equal(stored.Statement[0]?.Action, 'ecs:DescribeInstances');
    await accessible(page, 'policy details');

    // a new version, the default
    await page.getByRole('button', { name: 'Modify Policy Document' }).click();
    const modify = dialog(page, 'Modify policy document of web-readers');
    await setEditor(page, modify, good.replace('ecs:DescribeInstances', 'ecs:Describe*'));
    await modify.getByRole('button', { name: 'OK' }).click();
    await modify.waitFor({ state: 'detached' });
    const versions = async () => listed<{ VersionId: string; IsDefaultVersion: boolean }>(await ram(c, 'ListPolicyVersions', { PolicyName: 'web-readers', PolicyType: 'Custom' }), 'PolicyVersions', 'PolicyVersion')
      .map((v) => `${v.VersionId}${v.IsDefaultVersion ? '*' : ''}`).sort();
    assert.deepEqual(await versions(), ['v1', 'v2*']);
    await page.getByRole('tab', { name: 'Version Management' }).click();
    const v1 = page.getByRole('row').filter({ hasText: 'v1' });
    await v1.getByRole('button', { name: 'Set as Default' }).click();
    await confirmPop(page, 'Set as Default');
    await v1.getByText('Default', { exact: true }).waitFor();
    assert.deepEqual(await versions(), ['v1*', 'v2']);
    const v2 = page.getByRole('row').filter({ hasText: 'v2' });
    await v2.getByRole('button', { name: 'Delete' }).click();
    await confirmPop(page, 'Delete');
    await v2.waitFor({ state: 'detached' });
    assert.deepEqual(await versions(), ['v1*']);
    await accessible(page, 'policy versions');

    // roles: create one trusting ECS with a 2-hour session, attach the policy, delete it
    await page.goto(c.url('/ram/roles'));
    await page.getByRole('heading', { level: 1, name: 'Roles' }).waitFor();
    await accessible(page, 'RAM roles');
    await page.getByRole('button', { name: 'Create RAM Role' }).click();
    const role = dialog(page, 'Create RAM Role');
    await role.getByLabel('RAM Role Name').fill('web-role');
    await role.getByLabel('Maximum Session Duration').fill('7200');
    await role.getByRole('button', { name: 'OK' }).click();
    await role.waitFor({ state: 'detached' });
    const got = (await ram(c, 'GetRole', { RoleName: 'web-role' }))['Role'] as Record<string, unknown>;
    assert.equal(got['MaxSessionDuration'], 7200);
    const trust = JSON.parse(String(got['AssumeRolePolicyDocument'])) as { Statement: Array<{ Principal: unknown }> };
    assert.deepEqual(trust.Statement[0]?.Principal, { Service: ['ecs.aliyuncs.com'] });
    await page.getByRole('button', { name: 'web-role' }).click();
    const drawer = page.locator('.ant-drawer').filter({ hasText: 'RAM Role: web-role' });
    await drawer.getByRole('tab', { name: 'Permissions' }).click();
    await drawer.getByRole('button', { name: 'Add Permissions' }).click();
    const add = dialog(page, 'Add Permissions to web-role');
    await pick(page, add, 'web-readers');
    await add.getByRole('button', { name: 'OK' }).click();
    await drawer.getByRole('link', { name: 'web-readers' }).waitFor();
    assert.deepEqual(listed<{ PolicyName: string }>(await ram(c, 'ListPoliciesForRole', { RoleName: 'web-role' }), 'Policies', 'Policy').map((p) => p.PolicyName), ['web-readers']);
    await accessible(page, 'role drawer');
    await drawer.getByRole('button', { name: 'Close' }).first().click();
    await page.getByRole('row').filter({ hasText: 'web-role' }).getByRole('button', { name: 'Delete' }).click();
    await confirmPop(page, 'Delete');
    await page.getByText('No RAM roles yet').waitFor();
    assert.deepEqual(listed(await ram(c, 'ListRoles'), 'Roles', 'Role'), []);
  });

  test('settings: the password policy CreateLoginProfile enforces, the alias; groups; a read-only RAM user gets the RAM error', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    c.expectFailure({ method: 'POST', path: CALL, status: 400 });
    await signInWithAccessKey(c);
    await page.goto(c.url('/ram/settings'));
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const length = page.getByLabel('Minimum Password Length');
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#password-policy_MinimumPasswordLength')?.value === '8');
    await accessible(page, 'RAM settings');
    await length.fill('14');
    await page.getByLabel('Symbols').check();
    await page.getByRole('button', { name: 'Save Password Policy' }).click();
    await page.getByText('Password policy saved.').waitFor();
    const pp = (await ram(c, 'GetPasswordPolicy'))['PasswordPolicy'] as Record<string, unknown>;
    assert.equal(pp['MinimumPasswordLength'], 14);
    assert.equal(pp['RequireSymbols'], true);

    await page.getByLabel('Account Alias').fill('parapet-ram-test');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('logon-suffix').getByText('@parapet-ram-test.onaliyun.com').waitFor();
    assert.equal((await ram(c, 'GetAccountAlias'))['AccountAlias'], 'parapet-ram-test');
    await page.getByRole('button', { name: 'Clear Alias' }).click();
    await confirmPop(page, 'Clear Alias');
    await page.getByTestId('logon-suffix').getByText(`@${A}.onaliyun.com`).waitFor();
    assert.equal((await ram(c, 'GetAccountAlias'))['AccountAlias'] ?? '', '');

    // a password too short for the policy: refused, and no half-made user is left
    await page.goto(c.url('/ram/users'));
    await page.getByRole('button', { name: 'Create User' }).click();
    const create = dialog(page, 'Create User');
    await create.getByLabel('Logon Name', { exact: true }).fill('dave');
    await create.getByLabel('Custom Logon Password').check();
    await create.getByLabel('Password', { exact: true }).fill('Dave-Passw0rd');
    await create.getByRole('button', { name: 'OK' }).click();
    await create.getByRole('alert').getByText(/InvalidParameter\.Password/).waitFor();
    assert.equal((await sdkError(ram(c, 'GetUser', { UserName: 'dave' }))).code, 'EntityNotExist.User');
    await create.getByLabel('Password', { exact: true }).fill('Dave-Passw0rd-#1');
    await create.getByRole('button', { name: 'OK' }).click();
    await create.waitFor({ state: 'detached' });
    assert.equal(((await ram(c, 'GetLoginProfile', { UserName: 'dave' }))['LoginProfile'] as Record<string, unknown>)['UserName'], 'dave');

    // groups: create, add dave, attach a system policy, delete (members and policies go first)
    await page.goto(c.url('/ram/groups'));
    await page.getByRole('heading', { level: 1, name: 'Groups' }).waitFor();
    await accessible(page, 'RAM groups (empty)');
    await page.getByRole('button', { name: 'Create Group' }).click();
    const g = dialog(page, 'Create Group');
    await g.getByLabel('Group Name').fill('ops');
    await g.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('button', { name: 'ops', exact: true }).click();
    const drawer = page.locator('.ant-drawer').filter({ hasText: 'Group: ops' });
    await pick(page, drawer, 'dave');
    await drawer.getByRole('button', { name: 'Add Group Members' }).click();
    await drawer.getByRole('cell', { name: 'dave', exact: true }).first().waitFor();
    assert.deepEqual(listed<{ UserName: string }>(await ram(c, 'ListUsersForGroup', { GroupName: 'ops' }), 'Users', 'User').map((u) => u.UserName), ['dave']);
    await drawer.getByRole('tab', { name: 'Permissions' }).click();
    await drawer.getByRole('button', { name: 'Add Permissions' }).click();
    const add = dialog(page, 'Add Permissions to ops');
    await pick(page, add, 'AliyunECSReadOnlyAccess');
    await add.getByRole('button', { name: 'OK' }).click();
    await drawer.getByRole('link', { name: 'AliyunECSReadOnlyAccess' }).waitFor();
    assert.deepEqual(listed<{ PolicyName: string }>(await ram(c, 'ListPoliciesForGroup', { GroupName: 'ops' }), 'Policies', 'Policy').map((p) => p.PolicyName), ['AliyunECSReadOnlyAccess']);
    await accessible(page, 'group drawer');
    await drawer.getByRole('button', { name: 'Close' }).first().click();
    await page.getByRole('row').filter({ hasText: 'ops' }).getByRole('button', { name: 'Delete' }).click();
    await confirmPop(page, 'Delete');
    await page.getByText('No groups yet').waitFor();
    assert.deepEqual(listed(await ram(c, 'ListGroups'), 'Groups', 'Group'), []);
    assert.deepEqual(listed(await ram(c, 'ListGroupsForUser', { UserName: 'dave' }), 'Groups', 'Group'), [], 'dave stays, out of the group');

    // a RAM user with read-only RAM access: sees the lists, and creating a group is refused by RAM
    await ram(c, 'CreateUser', { UserName: 'reader' });
    await ram(c, 'AttachPolicyToUser', { UserName: 'reader', PolicyType: 'System', PolicyName: 'AliyunRAMReadOnlyAccess' });
    const k = (await ram(c, 'CreateAccessKey', { UserName: 'reader' }))['AccessKey'] as Record<string, string>;
    const r = await openConsole(t, { server: c.server });
    assert.ok(r);
    r.expectFailure({ method: 'POST', path: CALL, status: 403 });
    await signInWithAccessKey(r, { accessKeyId: k['AccessKeyId']!, accessKeySecret: k['AccessKeySecret']! });
    await r.page.goto(r.url('/ram/users'));
    await r.page.getByRole('link', { name: `dave@${A}.onaliyun.com` }).waitFor();
    await r.page.goto(r.url('/ram/groups'));
    await r.page.getByText('No groups yet').waitFor();
    await r.page.getByRole('button', { name: 'Create Group' }).click();
    const rg = dialog(r.page, 'Create Group');
    await rg.getByLabel('Group Name').fill('sneaky');
    await rg.getByRole('button', { name: 'OK' }).click();
    const alert = rg.getByRole('alert');
    await alert.getByText('You are not authorized to do this (RAM).').waitFor();
    await alert.getByText('Denied action: ram:CreateGroup').waitFor();
    assert.deepEqual(listed(await ram(c, 'ListGroups'), 'Groups', 'Group'), [], 'nothing was created');
  });
});
