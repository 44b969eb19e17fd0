// The Security Center pages in a browser, with the evidence recorded as the data plane's watcher
// reports it (recordLogonEvents, recordListeners into the test server's services), so no data plane
// is needed. Two instances with public addresses in a group that opens SSH and Redis to the whole
// internet, one made in the Create Instance dialog with Security Hardening (the agent installed) and
// one without the agent. The overview shows the score and
// its deductions as DescribeSecurityScore answers them, the assets with and without the agent, and
// the top bar's bell counts the pending alerts; the alerts page lists the brute force, with its
// evidence in the drawer, Ignore (after a confirmation naming it) and Reopen through the API, Block
// source with a Forbid rule in a chosen group (the rule through the API); the
// Instances list shows the orange icon linked to the instance's alerts and "agent not installed" for
// the other; the vulnerabilities page names the socket, group and rule; an anti-brute-force rule
// created in the page is seen through the API; a logon setting added in the page too; the inbox
// turned on in the page receives the next alert; the baseline lists the warnings and Fix on the
// metadata check sets HttpTokens required; a RAM user without Security Center access keeps a working
// frame (no bell, no security column) and is never refused by Security Center (GET
// /console/api/capabilities says so first); axe on each page and dialog; the 简体中文 heading.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { callRpc, startTestServer, type Creds, type TestServer } from '../helpers/server.ts';
import { browserUnavailable, chooseOption, expectAccessible, openConsole, signInWithAccessKey } from '../helpers/browser.ts';
import { recordListeners, recordLogonEvents } from '../../src/domain/security-center/evidence.ts';

const ECS = '2014-05-26';
const RAM = '2015-05-01';
const SAS = '2018-12-03';
const PARAPET = '2026-11-01';
const REGION = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const CALL = /^\/console\/api\/call$/;
const ATTACKER = '203.0.113.9';

interface AlertWire { Id: number; AlarmEventName: string; Status: string; Uuid: string; SourceIp: string }

describe('the Security Center pages in a browser', { skip: browserUnavailable() }, () => {
  let server: TestServer;
  let ep: string;
  let guarded: string; // with the agent
  let bare: string; // without
  let group: string;
  let vpc: string;
  let vsw: string;
  let redisRule: string;
  let bruteId: number;
  let reader: Creds;

  const alerts = async (q: Record<string, string> = {}) => (await callRpc(ep, 'DescribeSuspEvents', SAS, { PageSize: '100', ...q }))['SuspEvents'] as AlertWire[];
  const bruteForce = (sourceIp: string, at = Date.now()) => recordLogonEvents(server.services,
    [0, 1, 2, 3, 4].map((i) => ({ instanceId: guarded, sourceIp, at: at + i * 1000, account: 'root', method: 'password' as const, success: false })));
  const row = (page: Page, testId: string, text: string | RegExp) => page.getByTestId(testId).locator('tbody tr.ant-table-row').filter({ hasText: text });

  before(async () => {
    server = await startTestServer();
    ep = server.endpoint;
    vpc = String((await callRpc(ep, 'CreateVpc', ECS, { RegionId: REGION, CidrBlock: '172.16.0.0/16' }))['VpcId']);
    vsw = String((await callRpc(ep, 'CreateVSwitch', ECS, { RegionId: REGION, VpcId: vpc, ZoneId: 'cn-hangzhou-h', CidrBlock: '172.16.1.0/24' }))['VSwitchId']);
    group = String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, VpcId: vpc, SecurityGroupName: 'open-ssh' }))['SecurityGroupId']);
    await callRpc(ep, 'AuthorizeSecurityGroup', ECS, { RegionId: REGION, SecurityGroupId: group, IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0' });
    await callRpc(ep, 'AuthorizeSecurityGroup', ECS, { RegionId: REGION, SecurityGroupId: group, IpProtocol: 'tcp', PortRange: '6379/6379', SourceCidrIp: '0.0.0.0/0', Description: 'redis' });
    const rules = (await callRpc(ep, 'DescribeSecurityGroupAttribute', ECS, { RegionId: REGION, SecurityGroupId: group }))['Permissions'] as { Permission: Array<{ PortRange: string; SecurityGroupRuleId: string }> };
    redisRule = rules.Permission.find((p) => p.PortRange === '6379/6379')!.SecurityGroupRuleId;
    // without the agent (the other one is made in the first test, through the Create Instance dialog)
    bare = ((await callRpc(ep, 'RunInstances', ECS, {
      RegionId: REGION, ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vsw, SecurityGroupId: group, InstanceName: 'sc-bare', InternetMaxBandwidthOut: '5',
      SecurityEnhancementStrategy: 'Deactive',
    }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;

    await callRpc(ep, 'CreateUser', RAM, { UserName: 'ecs-reader' });
    await callRpc(ep, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess', UserName: 'ecs-reader' });
    const k = (await callRpc(ep, 'CreateAccessKey', RAM, { UserName: 'ecs-reader' }))['AccessKey'] as Record<string, string>;
    reader = { accessKeyId: k['AccessKeyId']!, accessKeySecret: k['AccessKeySecret']! };
  });
  after(async () => { await server.stop(); });

  test('Create Instance with Security Hardening (the default) installs the agent; then the watcher\'s reports', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    await signInWithAccessKey(c);
    await page.goto(c.url(`/instances?region=${REGION}`));
    await page.getByRole('button', { name: 'Create Instance' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Instance' });
    await dialog.getByLabel('Instance name').fill('sc-guarded');
    assert.ok(await dialog.getByLabel('Security Hardening').isChecked(), 'Security Hardening is offered, on by default');
    const pick = (label: string, text: string) => chooseOption(page, label, text, dialog);
    await pick('Image', 'Ubuntu 22.04');
    await pick('Instance type', 'ecs.g5.large');
    await pick('VPC', vpc);
    await pick('vSwitch', vsw);
    await pick('Security groups', group);
    await page.locator('.ant-modal-title').last().click(); // the dropdown closed
    await dialog.getByLabel('Public bandwidth').fill('5');
    await dialog.getByLabel('Set later').check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const made = ((await callRpc(ep, 'DescribeInstances', ECS, { RegionId: REGION, InstanceName: 'sc-guarded' }))['Instances'] as { Instance: Array<{ InstanceId: string }> }).Instance;
    assert.equal(made.length, 1);
    guarded = made[0]!.InstanceId;
    const asset = ((await callRpc(ep, 'DescribeCloudCenterInstances', SAS, { Criteria: JSON.stringify([{ name: 'instanceId', value: guarded }]) }))['Instances'] as Array<{ Bind: boolean }>)[0]!;
    assert.equal(asset.Bind, true, 'the agent is installed');

    // the watcher's reports: five failed logons within a minute from one source (the default
    // threshold), the same at the instance without the agent (dropped), and a Redis on every address
    await bruteForce(ATTACKER);
    await recordLogonEvents(server.services, [0, 1, 2, 3, 4].map((i) => ({ instanceId: bare, sourceIp: ATTACKER, at: Date.now() + i * 1000, account: 'root', method: 'password' as const, success: false })));
    await recordListeners(server.services, guarded, [{ proto: 'tcp', port: 6379, address: '0.0.0.0' }]);
    const found = await alerts({ EventNames: 'brute_force' });
    assert.equal(found.length, 1, 'one brute force, at the instance with the agent');
    bruteId = found[0]!.Id;
  });

  test('the overview: the score and its deductions as the API answers them, the assets, the bell; 简体中文; axe', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    await signInWithAccessKey(c);
    await page.goto(c.url(`/instances?region=${REGION}`));
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Security Center' }).click();
    await page.waitForURL((u) => u.pathname === '/console/security-center' && u.searchParams.get('region') === REGION);
    await page.getByRole('heading', { level: 1, name: 'Security Center' }).waitFor();

    const score = await callRpc(ep, 'DescribeSecurityScore', PARAPET, {}) as { Score: number; Deductions: Array<{ Reason: string; Count: number; Points: number }> };
    assert.ok(score.Score < 100, 'something to deduct');
    await page.getByTestId('sas-score').getByText(String(score.Score), { exact: true }).waitFor();
    const reasons = Object.fromEntries(score.Deductions.map((d) => [d.Reason, d]));
    assert.equal(reasons['alert:suspicious']?.Count, 1);
    assert.equal(reasons['vulnerability:serious']?.Count, 1);
    const deductions = page.getByTestId('sas-deductions');
    await deductions.getByText('Pending alerts, Suspicious × 1').waitFor();
    await deductions.getByText('Vulnerabilities, Urgent × 1').waitFor();
    assert.equal(await deductions.locator('.ant-list-item').count(), score.Deductions.length, 'every deduction listed');
    await deductions.locator('.ant-list-item', { hasText: 'Pending alerts, Suspicious' }).getByText(`−${reasons['alert:suspicious'].Points} points`).waitFor();
    await page.getByTestId('sas-alerts-suspicious').getByText('1', { exact: true }).waitFor();
    await page.getByTestId('sas-with-agent').getByText('1', { exact: true }).waitFor();
    await page.getByTestId('sas-without-agent').getByText('1', { exact: true }).waitFor();
    // the bell: one pending alert, linked to the alerts page
    const bell = page.getByRole('link', { name: 'Security Center: 1 pending alerts' });
    await bell.waitFor();
    await expectAccessible(page, 'the Security Center overview');

    // 简体中文
    await chooseOption(page, 'Language', '简体中文');
    await page.getByRole('heading', { level: 1, name: '云安全中心' }).waitFor();
    await page.getByTestId('sas-deductions').getByText('待处理告警，可疑 × 1').waitFor();
    await expectAccessible(page, 'the Security Center overview in 简体中文');
    await chooseOption(page, '语言', 'English');
    await page.getByRole('heading', { level: 1, name: 'Security Center' }).waitFor();

    await bell.click();
    await page.waitForURL((u) => u.pathname === '/console/security-center/alerts');
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
  });

  test('the alerts: the brute force with its evidence; Ignore after a confirmation naming it, Reopen, both through the API; the vulnerabilities page; axe', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    await signInWithAccessKey(c);
    await page.goto(c.url(`/security-center/alerts?region=${REGION}`));
    const alertRow = row(page, 'sas-events', 'SSH brute-force attack');
    await alertRow.waitFor();
    assert.match(await alertRow.innerText(), new RegExp(`Suspicious[\\s\\S]*Unhandled[\\s\\S]*${guarded}[\\s\\S]*${ATTACKER.replace(/\./g, '\\.')}`));
    assert.equal(await page.getByTestId('sas-events').locator('tbody tr.ant-table-row').count(), 1, 'the risky listener is not an alert here; the instance without the agent raised nothing');
    await expectAccessible(page, 'the alerts page');

    const name = `SSH brute-force attack (${bruteId})`;
    await alertRow.getByRole('button', { name: `Details of ${name}` }).click();
    const drawer = page.getByRole('dialog', { name });
    await drawer.getByTestId('sas-event-detail').getByText('Failures').waitFor();
    await drawer.getByText('Block the source', { exact: false }).first().waitFor();
    await expectAccessible(page, 'the alert drawer');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    await alertRow.getByRole('button', { name: `Ignore ${name}` }).click();
    const confirm = page.getByRole('dialog', { name: `Ignore ${name}?` });
    await confirm.getByText(`The alert ${name} on ${guarded} will no longer count`, { exact: false }).waitFor();
    await expectAccessible(page, 'the ignore confirmation');
    await confirm.getByRole('button', { name: 'Ignore' }).click();
    await confirm.waitFor({ state: 'detached' });
    await alertRow.getByText('Ignored', { exact: true }).waitFor();
    assert.equal((await alerts({ EventNames: 'brute_force' }))[0]!.Status, 'ignored');
    await page.getByRole('link', { name: 'Security Center: 0 pending alerts' }).waitFor(); // the bell follows

    // the status filter asks the API for the ignored ones; Reopen
    await chooseOption(page, 'Statuses', 'Ignored');
    await page.keyboard.press('Escape');
    await alertRow.getByRole('button', { name: `Reopen ${name}` }).click();
    await page.getByText('No alert matches these filters. Clear a filter to see more.').waitFor();
    assert.equal((await alerts({ EventNames: 'brute_force' }))[0]!.Status, 'pending');

    // the vulnerabilities: the Redis, its socket, group and rule
    await page.getByRole('navigation', { name: 'Security Center pages' }).getByRole('link', { name: 'Vulnerabilities' }).click();
    await page.getByRole('heading', { level: 1, name: 'Vulnerabilities' }).waitFor();
    const vul = row(page, 'sas-events', 'Risky service exposed');
    await vul.getByText('Redis · tcp 0.0.0.0:6379').waitFor();
    await vul.getByRole('link', { name: group }).waitFor();
    await vul.getByText(`rule ${redisRule}`).waitFor();
    await vul.getByText('Urgent', { exact: true }).waitFor();
    await expectAccessible(page, 'the vulnerabilities page');
  });

  test('the Instances list: the orange icon linked to the instance\'s alerts, "agent not installed" without the agent; the instance page\'s agent; axe', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    await signInWithAccessKey(c);
    const calls: string[] = [];
    page.on('request', (r) => { if (CALL.test(new URL(r.url()).pathname)) calls.push(r.postData() ?? ''); });
    await page.goto(c.url(`/instances?region=${REGION}`));
    const risk = page.getByTestId(`sas-status-${guarded}`);
    await risk.waitFor();
    assert.equal(await risk.getAttribute('data-status'), 'risk');
    assert.equal(await risk.getAttribute('aria-label'), 'Security Center: 1 pending alerts, 1 vulnerabilities');
    assert.equal(await page.getByTestId(`sas-status-${bare}`).getAttribute('aria-label'), 'Agent not installed');
    assert.equal(await page.getByTestId(`sas-status-${bare}`).getAttribute('data-status'), 'noAgent');
    assert.equal(calls.filter((b) => b.includes('"DescribeCloudCenterInstances"')).length, 1, 'one DescribeCloudCenterInstances for the page');
    await expectAccessible(page, 'the Instances list with the security status');
    await risk.hover();
    await page.getByRole('tooltip').getByText('Security Center: 1 pending alerts, 1 vulnerabilities').waitFor();
    await risk.click();
    await page.waitForURL((u) => u.pathname === '/console/security-center/alerts' && u.searchParams.get('instance') === guarded);
    await row(page, 'sas-events', 'SSH brute-force attack').waitFor();

    // the instance page: the agent installed, its alerts linked; install on the other
    await page.goto(c.url(`/instances/${bare}?region=${REGION}`));
    const cell = page.getByTestId('agent-cell');
    await cell.getByText('Agent not installed').waitFor();
    await cell.getByRole('button', { name: 'Install agent' }).click();
    await cell.getByRole('button', { name: 'Uninstall agent' }).waitFor();
    const asset = ((await callRpc(ep, 'DescribeCloudCenterInstances', SAS, { Criteria: JSON.stringify([{ name: 'instanceId', value: bare }]) }))['Instances'] as Array<{ Bind: boolean }>)[0]!;
    assert.equal(asset.Bind, true);
    await cell.getByRole('button', { name: 'Uninstall agent' }).click();
    const confirm = page.getByRole('dialog', { name: `Uninstall the Security Center agent from ${bare}?` });
    await expectAccessible(page, 'the uninstall confirmation');
    await confirm.getByRole('button', { name: 'Uninstall agent' }).click();
    await cell.getByText('Agent not installed').waitFor();
    const after = ((await callRpc(ep, 'DescribeCloudCenterInstances', SAS, { Criteria: JSON.stringify([{ name: 'instanceId', value: bare }]) }))['Instances'] as Array<{ Bind: boolean }>)[0]!;
    assert.equal(after.Bind, false);
  });

  test('an anti-brute-force rule and a logon setting made in the pages, seen through the API; axe', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    await signInWithAccessKey(c);
    await page.goto(c.url(`/security-center/brute-force?region=${REGION}`));
    await page.getByText('No rules: brute force is alerted on but not blocked.', { exact: false }).waitFor();
    await expectAccessible(page, 'the anti-brute-force page, empty');
    await page.getByRole('button', { name: 'Create rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an anti-brute-force rule' });
    await dialog.getByLabel('Name').fill('strict-ssh');
    await chooseOption(page, 'Failed logons', /^3$/);
    await chooseOption(page, 'Block for', '30 minutes');
    await chooseOption(page, 'Instances', guarded, dialog);
    await page.keyboard.press('Escape');
    await expectAccessible(page, 'the rule dialog');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(page, 'sas-abf-rules', 'strict-ssh').getByText('3 failures within 1 min: blocked for 30 minutes').waitFor();
    const rules = (await callRpc(ep, 'DescribeAntiBruteForceRules', SAS, {}))['Rules'] as Array<{ Name: string; FailCount: number; Span: number; ForbiddenTime: number; DefaultRule: boolean; UuidList: string[] }>;
    assert.deepEqual(rules.map((r) => [r.Name, r.FailCount, r.Span, r.ForbiddenTime, r.DefaultRule, r.UuidList]), [['strict-ssh', 3, 1, 30, false, [guarded]]]);

    await page.getByRole('navigation', { name: 'Security Center pages' }).getByRole('link', { name: 'Logon settings' }).click();
    await page.getByText('No settings of this type', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Add setting' }).click();
    const add = page.getByRole('dialog', { name: 'Add a Common IP address' });
    await add.getByLabel('Common IP address').fill('198.51.100.0/24');
    await add.getByRole('button', { name: 'OK' }).click();
    await add.waitFor({ state: 'detached' });
    await row(page, 'sas-logon-items', '198.51.100.0/24').getByText('Every instance').waitFor();
    const items = (await callRpc(ep, 'DescribeLoginBaseConfigs', SAS, { Type: 'login_common_ip' }))['BaseConfigs'] as Array<{ Ip: string }>;
    assert.deepEqual(items.map((i) => i.Ip), ['198.51.100.0/24']);
    await expectAccessible(page, 'the logon settings page');
  });

  test('the inbox turned on in the page receives the next alert; axe', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    await signInWithAccessKey(c);
    await page.goto(c.url(`/security-center/inbox?region=${REGION}`));
    await page.getByText('No messages. Turn the inbox on in', { exact: false }).waitFor();
    await page.goto(c.url(`/security-center/notifications?region=${REGION}`));
    const inbox = page.getByTestId('nt-inbox');
    await inbox.getByTestId('nt-off-inbox').waitFor();
    await expectAccessible(page, 'the notification settings');
    await inbox.getByLabel('Reminder').uncheck();
    await inbox.getByRole('button', { name: 'Save Inbox' }).click();
    await inbox.getByTestId('nt-on-inbox').waitFor();
    const set = (await callRpc(ep, 'DescribeSecurityNotifications', PARAPET, {}))['Notifications'] as Array<{ Method: string; Levels: string }>;
    assert.deepEqual(set.map((n) => [n.Method, n.Levels]), [['inbox', 'serious,suspicious']]);

    // a brute force from another source: a message in the inbox
    await bruteForce('198.18.0.77');
    await page.getByRole('navigation', { name: 'Security Center pages' }).getByRole('link', { name: 'Inbox' }).click();
    const msg = row(page, 'sas-inbox', 'SSH brute-force attack');
    await msg.waitFor();
    await msg.getByRole('link', { name: guarded }).waitFor();
    await msg.getByText('Suspicious', { exact: true }).waitFor();
    await expectAccessible(page, 'the inbox');
  });

  test('Block source with a Forbid rule in a chosen group: the dialog names the source and the instance; the rule through the API; axe', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    await signInWithAccessKey(c);
    const source = '198.18.0.77'; // the inbox test's brute force
    const target = (await alerts({ EventNames: 'brute_force', Status: 'pending' })).find((a) => a.SourceIp === source)!;
    const name = `SSH brute-force attack (${target.Id})`;
    await page.goto(c.url(`/security-center/alerts?instance=${guarded}&region=${REGION}`));
    await row(page, 'sas-events', source).getByRole('button', { name: `Block source: ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Block ${source}?` });
    await dialog.getByText(`Alert ${target.Id} on ${guarded} came from ${source}.`, { exact: false }).waitFor();
    await dialog.getByLabel('Forbid rule in a security group').check();
    await chooseOption(page, /Security group$/, group, dialog);
    await dialog.getByText(`Adds an inbound Forbid rule for ${source}/32`, { exact: false }).waitFor();
    await page.locator('.ant-modal-title').last().click(); // the dropdown closed
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').waitFor({ state: 'detached' });
    await expectAccessible(page, 'the block dialog');
    await dialog.getByRole('button', { name: 'Block source' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(page, 'sas-events', source).getByText('Handled', { exact: true }).waitFor();
    const perms = ((await callRpc(ep, 'DescribeSecurityGroupAttribute', ECS, { RegionId: REGION, SecurityGroupId: group }))['Permissions'] as { Permission: Array<{ SourceCidrIp: string; Policy: string; Priority: number }> }).Permission;
    assert.deepEqual(perms.filter((p) => p.SourceCidrIp === `${source}/32`).map((p) => [p.Policy, p.Priority]), [['Drop', 1]]);
    assert.equal((await alerts({ EventNames: 'brute_force' })).find((a) => a.Id === target.Id)!.Status, 'handled');
  });

  test('the baseline: the warnings, the detail, Fix on the metadata check sets HttpTokens required; axe', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    await signInWithAccessKey(c);
    await page.goto(c.url(`/security-center/baseline?region=${REGION}`));
    await row(page, 'sas-baseline-checks', 'SSH port open to the internet').waitFor();
    const metadata = row(page, 'sas-baseline-warnings', 'Instance metadata not in hardened mode').filter({ hasText: guarded });
    await metadata.getByText('Failed', { exact: true }).waitFor();
    assert.equal(await row(page, 'sas-baseline-warnings', bare).count(), 0, 'no finding for the instance without the agent');
    await expectAccessible(page, 'the baseline page');

    await row(page, 'sas-baseline-warnings', 'SSH port open to the internet').filter({ hasText: guarded })
      .getByRole('button', { name: `Details of SSH port open to the internet on ${guarded}` }).click();
    const drawer = page.getByTestId('sas-warning-detail');
    await drawer.getByText(group).first().waitFor();
    await expectAccessible(page, 'the warning drawer');
    await page.keyboard.press('Escape');

    await metadata.getByRole('button', { name: `Fix Instance metadata not in hardened mode on ${guarded}` }).click();
    const confirm = page.getByRole('dialog', { name: `Fix Instance metadata not in hardened mode on ${guarded}?` });
    await confirm.getByText('HttpTokens required', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Fix' }).click();
    await confirm.waitFor({ state: 'detached' });
    await metadata.waitFor({ state: 'detached' });
    const attr = await callRpc(ep, 'DescribeInstanceAttribute', ECS, { RegionId: REGION, InstanceId: guarded });
    assert.equal((attr['MetadataOptions'] as { HttpTokens: string }).HttpTokens, 'required');
  });

  test('a RAM user without Security Center access: the frame works without the bell, the Instances list without the status, and Security Center is never asked', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    c.expectFailure({ method: 'POST', path: CALL, status: 403 }); // the Anti-DDoS tags of the Instances list (yundun-ddos)
    const asked: string[] = [];
    page.on('request', (r) => { if (CALL.test(new URL(r.url()).pathname)) asked.push(r.postData() ?? ''); });
    await signInWithAccessKey(c, reader);
    await page.goto(c.url(`/instances?region=${REGION}`));
    await page.getByRole('row', { name: new RegExp(guarded) }).waitFor();
    await page.getByTestId('identity').waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.getByRole('columnheader', { name: 'Security', exact: true }).count(), 0, 'no security column');
    assert.equal(await page.getByTestId('top-alerts').count(), 0, 'no bell');
    assert.deepEqual(asked.filter((b) => b.includes('"product":"sas"')), [], 'no Security Center call, so no refusal');
    await expectAccessible(page, 'the Instances list without Security Center access');

    // the root sees the column and the bell (the same page, the same build)
    const root = await openConsole(t, { server });
    assert.ok(root);
    await signInWithAccessKey(root);
    await root.page.goto(root.url(`/instances?region=${REGION}`));
    await root.page.getByRole('columnheader', { name: 'Security', exact: true }).waitFor();
    await root.page.getByTestId('top-alerts').waitFor();
  });
});
