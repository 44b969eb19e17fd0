// The console's frame in a browser: sign-in by AccessKey (root) and by password (with the forced
// password change, an MFA code, and binding an MFA device for a user who must have one); the
// frame (navigation, identity, overview counts); the region switch (URL and lists); the language
// switch; sign-out ending the session server side; axe-core on the sign-in page and the overview.
// Results are checked through the API (signed requests, the session endpoint) as well as the page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { callRpc, ROOT } from '../helpers/server.ts';
import { chooseOption, expectAccessible, isOverview, openConsole, signInWithAccessKey, submitPassword, type ConsoleSession } from '../helpers/browser.ts';
import { ManualClock } from '../../src/clock.ts';

const ECS = '2014-05-26';
const RAM = '2015-05-01';
const A = ROOT.accountId;

/** Any refusal of a sign-in (wrong password, wrong code) is one of these; the page shows it. */
function expectSignInRefusals(c: ConsoleSession): void {
  for (const status of [400, 401, 403]) c.expectFailure({ method: 'POST', path: /^\/console\/api\/session$/, status });
}

async function sessionAnswer(c: ConsoleSession, cookie: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${c.origin}/console/api/session`, { headers: { cookie, accept: 'application/json' } });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

async function cookieHeader(c: ConsoleSession): Promise<string> {
  const cookies = await c.context.cookies(c.url('/'));
  const mine = cookies.find((k) => k.name === 'parapet_console');
  assert.ok(mine, 'the session cookie is set');
  assert.equal(mine.httpOnly, true, 'HttpOnly');
  assert.equal(mine.sameSite, 'Strict');
  return `${mine.name}=${mine.value}`;
}

describe('console frame in a browser', () => {
  test('AccessKey sign-in (root): frame, overview counts, region switch, language switch, sign-out revokes the session; axe clean', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const vpc = await callRpc(ep, 'CreateVpc', ECS, { RegionId: 'cn-hangzhou', CidrBlock: '172.16.0.0/16', VpcName: 'shell-vpc' });
    for (const name of ['web', 'db']) {
      await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: 'cn-hangzhou', VpcId: String(vpc['VpcId']), SecurityGroupName: name });
    }
    const inHangzhou = Number((await callRpc(ep, 'DescribeSecurityGroups', ECS, { RegionId: 'cn-hangzhou' }))['TotalCount']);
    const inShanghai = Number((await callRpc(ep, 'DescribeSecurityGroups', ECS, { RegionId: 'cn-shanghai' }))['TotalCount']);
    assert.notEqual(inHangzhou, inShanghai, 'the two regions differ, so the switch is visible');

    // a console URL without a session goes to sign-in, keeping where it was going
    await page.goto(c.url('/security-groups?region=cn-hangzhou'));
    await page.waitForURL(/\/console\/signin\?next=/);
    await expectAccessible(page, 'sign-in page');

    await signInWithAccessKey(c);
    assert.equal(new URL(page.url()).pathname, '/console/security-groups', 'back to the page asked for');
    await page.goto(c.url('/?region=cn-hangzhou'));
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByTestId('identity').getByText(`root@${A}`).waitFor();
    for (const item of ['Overview', 'Instances', 'Security Groups', 'Key Pairs', 'Anti-DDoS', 'Users', 'Groups', 'Policies', 'Roles', 'Settings', 'Explain a flow', 'Exposure map']) {
      await page.getByRole('navigation').getByRole('link', { name: item, exact: true }).waitFor();
    }
    const sgCount = page.getByTestId('count-security-groups');
    await sgCount.getByText(String(inHangzhou), { exact: true }).waitFor();
    await page.getByTestId('count-vpcs').getByText('1', { exact: true }).waitFor();
    await expectAccessible(page, 'overview');

    // the region selector: the URL keeps the region and the counts are that region's
    await chooseOption(page, 'Region', /cn-shanghai/);
    await page.waitForURL(/[?&]region=cn-shanghai/);
    await sgCount.getByText(String(inShanghai), { exact: true }).waitFor();
    // navigation keeps it
    await page.getByRole('navigation').getByRole('link', { name: 'Key Pairs' }).click();
    await page.waitForURL(/\/console\/key-pairs\?region=cn-shanghai/);
    await page.getByRole('heading', { level: 1, name: 'Key Pairs' }).waitFor();

    // the language: every string of the frame follows, and the choice survives a reload
    await chooseOption(page, 'Language', '简体中文');
    await page.getByRole('navigation').getByRole('link', { name: '安全组', exact: true }).waitFor();
    await page.getByRole('button', { name: /退出登录/ }).waitFor();
    await page.reload();
    await page.getByRole('navigation').getByRole('link', { name: '概览', exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await chooseOption(page, '语言', 'English');
    await page.getByRole('navigation').getByRole('link', { name: 'Security Groups', exact: true }).waitFor();

    // a page loaded signed in comes with its session: nothing asks for it, and the list's first
    // page is asked once (the route's preload and the page share it); sign-out below then sends
    // the CSRF token the page came with
    const asked: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/console/api/')) asked.push(path === '/console/api/call' ? String((JSON.parse(r.postData() ?? '{}') as { action?: string }).action) : path);
    });
    await page.goto(c.url('/security-groups?region=cn-hangzhou'));
    await page.getByTestId('sg-table').getByTestId('sg-id').first().waitFor();
    assert.ok(!asked.includes('/console/api/session'), `asked: ${asked.join(', ')}`);
    assert.equal(asked.filter((a) => a === 'DescribeSecurityGroups').length, 1, `asked: ${asked.join(', ')}`);

    // sign-out: back to sign-in, and the old cookie is refused by the server
    const cookie = await cookieHeader(c);
    assert.equal((await sessionAnswer(c, cookie)).status, 200);
    await page.getByRole('button', { name: /Sign out/ }).click();
    await page.waitForURL(/\/console\/signin/);
    const after = await sessionAnswer(c, cookie);
    assert.equal(after.status, 401);
    assert.match(String(after.body['Code']), /^ConsoleSession\./);
    await page.goto(c.url('/'));
    await page.waitForURL(/\/console\/signin/);
  });

  test('password sign-in with a forced password change; the page keeps no secret', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    await callRpc(ep, 'CreateUser', RAM, { UserName: 'quinn' });
    await callRpc(ep, 'CreateLoginProfile', RAM, { UserName: 'quinn', Password: 'Quinn-Passw0rd', PasswordResetRequired: 'true' });
    await callRpc(ep, 'AttachPolicyToUser', RAM, { UserName: 'quinn', PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess' });
    const upn = `quinn@${A}.onaliyun.com`;

    await submitPassword(c, upn, 'Quinn-Passw0rd');
    await page.getByRole('heading', { name: 'Change your password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('Quinn-New-Passw0rd');
    await page.getByLabel('Confirm the new password').fill('Quinn-Different-0');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The two passwords are not the same.').waitFor();
    await page.getByLabel('Confirm the new password').fill('Quinn-New-Passw0rd');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(isOverview);
    await page.getByTestId('identity').getByText(`quinn@${A}`).waitFor();
    const html = await page.content();
    assert.ok(!html.includes('Quinn-Passw0rd') && !html.includes('Quinn-New-Passw0rd'), 'no password in the page');

    // through the server: the new password signs in, the old one no more
    const signIn = (password: string) => fetch(`${c.origin}/console/api/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'password', principalName: upn, password }),
    });
    const ok = await signIn('Quinn-New-Passw0rd');
    assert.equal(ok.status, 200);
    assert.equal((await ok.json() as { state: string }).state, 'signedIn');
    assert.ok((await signIn('Quinn-Passw0rd')).status >= 400);
  });

  test('an MFA-bound user needs a code (a wrong one is refused); a user who must bind a device binds one at sign-in', async (t) => {
    const clock = new ManualClock(Date.now());
    const c = await openConsole(t, { serverOptions: { clock } });
    if (c === undefined) return;
    expectSignInRefusals(c);
    c.expectFailure({ method: 'POST', path: /^\/console\/api\/call$/, status: 403 });
    const { page } = c;
    const ep = c.server.endpoint;
    await callRpc(ep, 'CreateUser', RAM, { UserName: 'sam' });
    await callRpc(ep, 'CreateLoginProfile', RAM, { UserName: 'sam', Password: 'Sam-Passw0rd' });
    const device = (await callRpc(ep, 'CreateVirtualMFADevice', RAM, { VirtualMFADeviceName: 'sam-phone' }))['VirtualMFADevice'] as Record<string, string>;
    const totp = new TOTP({ secret: Secret.fromBase32(device['Base32StringSeed']!), algorithm: 'SHA1', digits: 6, period: 30 });
    const at = (k: number) => totp.generate({ timestamp: clock.now() + k * 30_000 });
    await callRpc(ep, 'BindMFADevice', RAM, { UserName: 'sam', SerialNumber: device['SerialNumber']!, AuthenticationCode1: at(-1), AuthenticationCode2: at(0) });
    clock.advance(30_000);

    await submitPassword(c, `sam@${A}.onaliyun.com`, 'Sam-Passw0rd');
    await page.getByRole('heading', { name: 'Multi-factor authentication' }).waitFor();
    const code = page.getByLabel('MFA code');
    await code.fill(at(0) === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/signin', 'still signing in');
    await code.fill(at(0));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(isOverview);
    await page.getByTestId('identity').getByText(`sam@${A}`).waitFor();
    // sam has no policy: the overview's reads are refused, each naming the denied action
    await page.getByTestId('count-instances').getByText('Denied action: ecs:DescribeInstances').waitFor();
    await page.getByTestId('count-vpcs').getByText('Denied action: vpc:DescribeVpcs').waitFor();
    await page.getByRole('button', { name: /Sign out/ }).click();
    await page.waitForURL(/\/console\/signin/);

    await callRpc(ep, 'CreateUser', RAM, { UserName: 'una' });
    await callRpc(ep, 'CreateLoginProfile', RAM, { UserName: 'una', Password: 'Una-Passw0rd', MFABindRequired: 'true' });
    await submitPassword(c, `una@${A}.onaliyun.com`, 'Una-Passw0rd');
    await page.getByRole('heading', { name: 'An MFA device must be bound' }).waitFor();
    await page.getByTestId('signin-mfa-qr').waitFor();
    await expectAccessible(page, 'sign-in: bind an MFA device');
    // the page shows the seed once, as CreateVirtualMFADevice does; its codes bind the device
    const seed = (await page.getByTestId('signin-mfa-seed').innerText()).trim();
    const una = new TOTP({ secret: Secret.fromBase32(seed), algorithm: 'SHA1', digits: 6, period: 30 });
    const unaAt = (k: number) => una.generate({ timestamp: clock.now() + k * 30_000 });
    // two codes that are not consecutive are refused, and nothing is bound
    await page.getByLabel('First code').fill(unaAt(-2));
    await page.getByLabel('Second code (the next one)').fill(unaAt(0));
    await page.getByRole('button', { name: 'Bind and sign in' }).click();
    await page.getByRole('alert').getByText(/MFA code is wrong/).waitFor();
    await assert.rejects(callRpc(ep, 'GetUserMFAInfo', RAM, { UserName: 'una' }), (e: { code?: string }) => e.code === 'EntityNotExist.User.MFADevice', 'nothing bound');
    await page.getByLabel('First code').fill(unaAt(-1));
    await page.getByRole('button', { name: 'Bind and sign in' }).click();
    await page.waitForURL(isOverview);
    await page.getByTestId('identity').getByText(`una@${A}`).waitFor();
    const info = await callRpc(ep, 'GetUserMFAInfo', RAM, { UserName: 'una' });
    assert.match(String((info['MFADevice'] as Record<string, unknown>)['SerialNumber']), new RegExp(`^acs:ram::${A}:mfa/`), 'the device is bound to una (GetUserMFAInfo)');
    // the next sign-in asks for a code of that device
    await page.getByRole('button', { name: /Sign out/ }).click();
    await page.waitForURL(/\/console\/signin/);
    clock.advance(30_000);
    await submitPassword(c, `una@${A}.onaliyun.com`, 'Una-Passw0rd');
    await page.getByRole('heading', { name: 'Multi-factor authentication' }).waitFor();
    await page.getByLabel('MFA code').fill(unaAt(0));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(isOverview);
  });

  test('a visitor who asks for reduced motion gets dialogs without animation; others get antd\'s zoom', async (t) => {
    const seen: Record<string, boolean> = {};
    for (const motion of ['reduce', 'no-preference'] as const) {
      const c = await openConsole(t, { reducedMotion: motion });
      if (c === undefined) return;
      const { page } = c;
      await signInWithAccessKey(c);
      await page.goto(c.url('/key-pairs?region=cn-hangzhou'));
      const open = page.getByRole('button', { name: 'Create SSH Key Pair' });
      await open.waitFor();
      // whether any element zooms: antd's -active motion classes, which come and go within frames
      // (without motion a dialog only passes through the -prepare class on its way in). A string:
      // tsx would name a function's inner helpers with a __name the page lacks
      await page.evaluate(`(() => {
        window.zoomSeen = false;
        const zooming = (n) => n instanceof Element && (/\\bant-zoom-(appear|enter)-active\\b/.test(n.className.toString()) || n.querySelector('.ant-zoom-appear-active, .ant-zoom-enter-active') !== null);
        new MutationObserver((changes) => {
          for (const m of changes) if (zooming(m.target) || [...m.addedNodes].some(zooming)) window.zoomSeen = true;
        }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
      })()`);
      await open.click();
      await page.getByRole('dialog').waitFor();
      // antd's zoom takes 0.3 s
      await page.waitForTimeout(800);
      seen[motion] = await page.evaluate(() => (window as unknown as { zoomSeen: boolean }).zoomSeen);
    }
    assert.deepEqual(seen, { reduce: false, 'no-preference': true });
  });
});
