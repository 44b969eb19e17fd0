// The console's tools in a browser (CONSOLE.md "Tools no other console has"): Explain a flow on a
// blocked flow (the verdict, the chain of reasoning with both matching rules in decision order, the
// deciding rule) and following its link to the rules page, which opens with that rule's row visible;
// a flow from a peer instance decided by intra-group access; the exposure map's table listing an
// instance whose SSH port is open to 0.0.0.0/0 at high risk, linked to the rule that opens it, and
// its graph; a RAM user with AliyunECSReadOnlyAccess sees the exposure map and gets the RAM error
// naming ecs:CheckNetworkAccess when explaining; axe on both pages; an IPv6 address with internet
// bandwidth gets rows of its own showing that address (not merged with the IPv4 rows of the same
// port). Every result is checked through the API (signed requests).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { callRpc } from '../helpers/server.ts';
import type { Page } from 'playwright-core';
import { expectAccessible, openConsole, signInWithAccessKey } from '../helpers/browser.ts';

const ECS = '2014-05-26';
const PARAPET = '2026-11-01';
const RAM = '2015-05-01';
const REGION = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';

interface Setup { sg: string; web: string; db: string; dbIp: string; sshRule: string; forbidRule: string; allowDbRule: string }

interface Permission { SecurityGroupRuleId: string; PortRange: string; Policy: string; Priority: number | string }

/**
 * One VPC group `web` with SSH open to everyone, MySQL forbidden to everyone at priority 1 and
 * allowed to everyone at priority 50; instance `web` with a public address, `db` without.
 */
async function setUp(ep: string): Promise<Setup> {
  const vpc = String((await callRpc(ep, 'CreateVpc', ECS, { RegionId: REGION, CidrBlock: '172.16.0.0/16', VpcName: 'tools-vpc' }))['VpcId']);
  const vsw = String((await callRpc(ep, 'CreateVSwitch', ECS, { RegionId: REGION, VpcId: vpc, ZoneId: 'cn-hangzhou-h', CidrBlock: '172.16.1.0/24' }))['VSwitchId']);
  const sg = String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, VpcId: vpc, SecurityGroupName: 'tools-web' }))['SecurityGroupId']);
  await callRpc(ep, 'AuthorizeSecurityGroup', ECS, {
    RegionId: REGION, SecurityGroupId: sg,
    'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '22/22', 'Permissions.1.SourceCidrIp': '0.0.0.0/0', 'Permissions.1.Priority': '1',
    'Permissions.2.IpProtocol': 'tcp', 'Permissions.2.PortRange': '3306/3306', 'Permissions.2.SourceCidrIp': '0.0.0.0/0', 'Permissions.2.Priority': '1', 'Permissions.2.Policy': 'drop',
    'Permissions.3.IpProtocol': 'tcp', 'Permissions.3.PortRange': '3306/3306', 'Permissions.3.SourceCidrIp': '0.0.0.0/0', 'Permissions.3.Priority': '50',
  });
  const run = async (name: string, extra: Record<string, string> = {}) => ((await callRpc(ep, 'RunInstances', ECS, {
    RegionId: REGION, ImageId: LINUX, InstanceType: 'ecs.c6.large', VSwitchId: vsw, SecurityGroupId: sg, InstanceName: name, ...extra,
  }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
  const web = await run('web', { InternetMaxBandwidthOut: '10' });
  const db = await run('db');
  const dbAttr = await callRpc(ep, 'DescribeInstanceAttribute', ECS, { RegionId: REGION, InstanceId: db });
  const dbIp = (dbAttr['VpcAttributes'] as { PrivateIpAddress: { IpAddress: string[] } }).PrivateIpAddress.IpAddress[0]!;
  const perms = ((await callRpc(ep, 'DescribeSecurityGroupAttribute', ECS, { RegionId: REGION, SecurityGroupId: sg, Direction: 'ingress' }))['Permissions'] as { Permission: Permission[] }).Permission;
  const find = (range: string, policy: string) => perms.find((p) => p.PortRange === range && p.Policy.toLowerCase() === policy)!.SecurityGroupRuleId;
  return { sg, web, db, dbIp, sshRule: find('22/22', 'accept'), forbidRule: find('3306/3306', 'drop'), allowDbRule: find('3306/3306', 'accept') };
}

/**
 * Picks `option` in the antd Select named `label` (the page's instance pickers have search): types
 * the option's text into its search box and takes the one option left with Enter, so no click has
 * to land on an option while a dropdown animates.
 */
async function chooseOption(page: Page, label: RegExp, option: string): Promise<void> {
  const box = page.getByRole('combobox', { name: label });
  await page.locator('.ant-select', { has: box }).click();
  await box.fill(option);
  await page.locator('.ant-select-dropdown .ant-select-item-option-active:visible', { hasText: option }).waitFor();
  await box.press('Enter');
  await page.locator('.ant-select', { has: box }).locator('.ant-select-selection-item', { hasText: option }).waitFor();
}

describe('console tools in a browser', () => {
  test('Explain a flow: a blocked flow, its chain of reasoning, and the link to the deciding rule on the rules page; a peer instance; axe', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const s = await setUp(ep);
    await signInWithAccessKey(c);

    await page.goto(c.url(`/tools/explain?region=${REGION}`));
    await page.getByRole('heading', { level: 1, name: 'Explain a flow' }).waitFor();
    await page.getByText('Choose an instance and a flow, then click Explain.').waitFor();
    await chooseOption(page, /^Instance$/, s.web);
    await page.getByLabel('Port', { exact: true }).fill('3306');
    await page.getByLabel('Peer address').fill('203.0.113.7');
    await page.getByRole('button', { name: 'Explain' }).click();

    const result = page.getByTestId('explain-result');
    await result.getByTestId('verdict').getByText('Blocked').waitFor();
    await result.getByText(`TCP to port 3306 of ${s.web}, from 203.0.113.7`).waitFor();
    // the chain: both MySQL rules match, the Forbid at priority 1 first and deciding
    await result.getByText('3. Security group rules: 2 matching').waitFor();
    const matched = result.getByTestId('matched-rules');
    const rows = matched.locator('tbody tr.ant-table-row');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).innerText(), new RegExp(`${s.forbidRule}[\\s\\S]*Forbid[\\s\\S]*Deciding rule`));
    assert.match(await rows.nth(1).innerText(), new RegExp(`${s.allowDbRule}[\\s\\S]*Allow[\\s\\S]*Outranked`));
    await result.getByText('Decided here: Drop').waitFor();
    const deciding = result.getByTestId('deciding-rule');
    await deciding.getByText(s.forbidRule, { exact: true }).waitFor();
    await expectAccessible(page, 'explain a flow with a blocked flow');

    // the same through the API
    const api = await callRpc(ep, 'CheckNetworkAccess', PARAPET, { RegionId: REGION, InstanceId: s.web, Direction: 'ingress', IpProtocol: 'tcp', Port: '3306', PeerIpAddress: '203.0.113.7' });
    assert.equal(api['Verdict'], 'Drop');
    assert.equal(api['Reason'], 'Rule');
    assert.equal((api['DecidingRule'] as { SecurityGroupRuleId: string }).SecurityGroupRuleId, s.forbidRule);

    // the question is in the URL: a reload asks it again
    await page.reload();
    await page.getByTestId('explain-result').getByTestId('verdict').getByText('Blocked').waitFor();

    // follow the link: the rules page opens with the deciding rule's row visible
    await page.getByTestId('deciding-rule').getByRole('link', { name: 'View in the rules page' }).click();
    await page.waitForURL((u) => u.pathname === `/console/security-groups/${s.sg}` && u.searchParams.get('rule') === s.forbidRule && u.searchParams.get('region') === REGION);
    const row = page.locator(`tr[data-row-key="${s.forbidRule}"]`);
    // visible (waitFor fails otherwise), and it is the MySQL Forbid
    await row.waitFor({ state: 'visible' });
    assert.match(await row.innerText(), /Forbid[\s\S]*3306/);

    // a peer instance in the same basic group: intra-group access decides (as the API says)
    await page.goto(c.url(`/tools/explain?region=${REGION}`));
    await chooseOption(page, /^Instance$/, s.web);
    await page.getByLabel('Port', { exact: true }).fill('5432');
    await page.locator('label.ant-radio-button-wrapper').filter({ hasText: /^Instance$/ }).click(); // the peer kind
    await chooseOption(page, /^Peer instance$/, s.db);
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByTestId('verdict').getByText('Allowed').waitFor();
    await page.getByTestId('explain-result').getByText(`from ${s.dbIp}`).waitFor();
    await page.getByTestId('explain-result').getByText('Decided here: Accept').waitFor();
    const intra = await callRpc(ep, 'CheckNetworkAccess', PARAPET, { RegionId: REGION, InstanceId: s.web, Direction: 'ingress', IpProtocol: 'tcp', Port: '5432', PeerIpAddress: s.dbIp });
    assert.deepEqual([intra['Verdict'], intra['Reason']], ['Accept', 'IntraGroup']);
    assert.match(await page.getByTestId('explain-result').innerText(), /2\. Intra-group access\s*Decided here: Accept/);
  });

  test('Exposure map: an instance with SSH open to 0.0.0.0/0 at high risk, linked to its rule; the graph; axe', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const s = await setUp(ep);
    await signInWithAccessKey(c);

    const api = (await callRpc(ep, 'DescribeExposure', PARAPET, { RegionId: REGION }))['Exposures'] as { Exposure: Array<{ InstanceId: string; PortRange: string; RiskLevel: string; SecurityGroupRules: { SecurityGroupRule: Array<{ SecurityGroupRuleId: string }> } }> };
    const ssh = api.Exposure.find((e) => e.InstanceId === s.web && e.PortRange === '22/22');
    assert.ok(ssh, 'the API reports the SSH exposure');
    assert.equal(ssh.RiskLevel, 'high');
    assert.deepEqual(ssh.SecurityGroupRules.SecurityGroupRule.map((r) => r.SecurityGroupRuleId), [s.sshRule]);
    assert.ok(!api.Exposure.some((e) => e.PortRange === '3306/3306'), 'the Forbid at priority 1 hides MySQL');
    assert.ok(!api.Exposure.some((e) => e.InstanceId === s.db), 'no public address: not exposed');

    await page.goto(c.url(`/tools/exposure?region=${REGION}`));
    await page.getByRole('heading', { level: 1, name: 'Exposure map' }).waitFor();
    const table = page.getByTestId('exposure-table');
    const row = table.getByRole('row').filter({ hasText: s.web }).filter({ hasText: 'SSH' });
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /High/);
    assert.match(text, /\b22\b/);
    assert.match(text, /Everyone \(0\.0\.0\.0\/0\)/);
    assert.equal(await table.getByRole('row').filter({ hasText: s.web }).count(), api.Exposure.filter((e) => e.InstanceId === s.web).length, 'one row per exposure the API reports');
    assert.equal(await table.getByText(s.db).count(), 0);
    await page.getByTestId('exposure-summary').getByText(/1 high risk/).waitFor();
    // the graph draws (ECharts on a canvas) with its description for screen readers
    const graph = page.getByTestId('exposure-graph');
    await graph.locator('canvas').first().waitFor();
    assert.match(String(await graph.getAttribute('aria-label')), /exposures from the internet/);
    await expectAccessible(page, 'exposure map');

    // the row's rule link opens the rules page at that rule
    await row.getByRole('link', { name: `Rule ${s.sshRule} of ${s.sg}` }).click();
    await page.waitForURL((u) => u.pathname === `/console/security-groups/${s.sg}` && u.searchParams.get('rule') === s.sshRule);
    await page.locator(`tr[data-row-key="${s.sshRule}"]`).waitFor({ state: 'visible' });
  });

  test('Exposure map over IPv6: the IPv6 address with internet bandwidth has its own rows, beside the IPv4 rows of the same port; axe', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const V = (action: string, q: Record<string, string>) => callRpc(ep, action, '2016-04-28', { RegionId: REGION, ...q });
    const vpc = String((await V('CreateVpc', { CidrBlock: '10.62.0.0/16', EnableIpv6: 'true' }))['VpcId']);
    const vsw = String((await V('CreateVSwitch', { VpcId: vpc, ZoneId: 'cn-hangzhou-h', CidrBlock: '10.62.1.0/24', Ipv6CidrBlock: '1' }))['VSwitchId']);
    const gw = String((await V('CreateIpv6Gateway', { VpcId: vpc }))['Ipv6GatewayId']);
    const sg = String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, VpcId: vpc, SecurityGroupName: 'dual' }))['SecurityGroupId']);
    await callRpc(ep, 'AuthorizeSecurityGroup', ECS, {
      RegionId: REGION, SecurityGroupId: sg,
      'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '22/22', 'Permissions.1.SourceCidrIp': '0.0.0.0/0',
      'Permissions.2.IpProtocol': 'tcp', 'Permissions.2.PortRange': '22/22', 'Permissions.2.Ipv6SourceCidrIp': '::/0',
    });
    const id = ((await callRpc(ep, 'RunInstances', ECS, {
      RegionId: REGION, ImageId: LINUX, InstanceType: 'ecs.c6.large', VSwitchId: vsw, SecurityGroupId: sg, InstanceName: 'dual', InternetMaxBandwidthOut: '10', Ipv6AddressCount: '1',
    }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
    const address = ((await V('DescribeIpv6Addresses', { AssociatedInstanceId: id }))['Ipv6Addresses'] as { Ipv6Address: Array<{ Ipv6Address: string; Ipv6AddressId: string }> }).Ipv6Address[0]!;
    await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: address.Ipv6AddressId, Bandwidth: '5' });
    const api = ((await callRpc(ep, 'DescribeExposure', PARAPET, { RegionId: REGION, InstanceId: id }))['Exposures'] as { Exposure: Array<{ PublicIpAddress: string; Ipv6Address?: string; PortRange: string; SourceCidrIps: { SourceCidrIp: string[] } }> }).Exposure;
    assert.deepEqual(api.map((e) => [e.Ipv6Address ?? '-', e.PortRange, e.SourceCidrIps.SourceCidrIp.join(',')]), [['-', '22/22', '0.0.0.0/0'], [address.Ipv6Address, '22/22', '::/0']]);
    const publicIp = api[0]!.PublicIpAddress;
    await signInWithAccessKey(c);

    await page.goto(c.url(`/tools/exposure?region=${REGION}`));
    const table = page.getByTestId('exposure-table');
    const rows = table.getByRole('row').filter({ hasText: id });
    const v6 = rows.filter({ has: page.getByTestId('exposure-ipv6') });
    await v6.waitFor();
    assert.equal(await rows.count(), 2, 'two rows: IPv4 and IPv6 are not merged');
    const v6text = await v6.innerText();
    assert.match(v6text, /IPv6/);
    assert.ok(v6text.includes(address.Ipv6Address), 'the IPv6 row shows its address');
    assert.ok(v6text.includes('Everyone (::/0)'));
    assert.match(v6text, /High/);
    const v4text = await rows.filter({ hasNot: page.getByTestId('exposure-ipv6') }).innerText();
    assert.ok(v4text.includes(publicIp) && v4text.includes('Everyone (0.0.0.0/0)') && !v4text.includes(address.Ipv6Address));
    await page.getByTestId('exposure-summary').getByText(/2 exposed port ranges: 2 high risk/).waitFor();
    await page.getByTestId('exposure-graph').locator('canvas').first().waitFor();
    assert.match(String(await page.getByTestId('exposure-graph').getAttribute('aria-label')), /Graph of 2 exposures/);
    await expectAccessible(page, 'exposure map with an IPv6 row');
  });

  test('a RAM user with AliyunECSReadOnlyAccess sees the exposure map and gets the RAM error naming ecs:CheckNetworkAccess', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const s = await setUp(ep);
    await callRpc(ep, 'CreateUser', RAM, { UserName: 'reader' });
    await callRpc(ep, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess', UserName: 'reader' });
    const k = (await callRpc(ep, 'CreateAccessKey', RAM, { UserName: 'reader' }))['AccessKey'] as Record<string, string>;
    const reader = { accessKeyId: k['AccessKeyId']!, accessKeySecret: k['AccessKeySecret']! };
    c.expectFailure({ method: 'POST', path: /^\/console\/api\/call$/, status: 403 });
    await signInWithAccessKey(c, reader);

    await page.goto(c.url(`/tools/exposure?region=${REGION}`));
    await page.getByTestId('exposure-table').getByRole('row').filter({ hasText: s.web }).first().waitFor();

    await page.goto(c.url(`/tools/explain?region=${REGION}`));
    await chooseOption(page, /^Instance$/, s.web);
    await page.getByLabel('Peer address').fill('203.0.113.7');
    await page.getByRole('button', { name: 'Explain' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'You are not authorized' });
    await alert.getByText('Denied action: ecs:CheckNetworkAccess').waitFor();
    await expectAccessible(page, 'explain a flow with a RAM refusal');
    // the API refuses the same user the same way
    await assert.rejects(callRpc(ep, 'CheckNetworkAccess', PARAPET, { RegionId: REGION, InstanceId: s.web, Direction: 'ingress', IpProtocol: 'tcp', Port: '22', PeerIpAddress: '203.0.113.7' }, reader),
      (e: { code?: string; data?: Record<string, unknown> }) => /Forbidden|NoPermission/.test(String(e.code ?? e.data?.['Code'])));
  });
});
