// The security group Rules tab in a browser (CONSOLE.md "Security groups", ECS security guide §1.7,
// §1.11): adding `22/23,443/443` × three objects as one batch of six rules, the 0.0.0.0/0 warning
// on SSH, Quick Rule Creation, modify, batch delete, Restore Rules (the preview's green and red rows
// are what the restore then adds and removes), Export Rules (the download's name) imported into
// another group, a read-only RAM user's refusal naming the action, axe on the tab. Every result is
// checked through the API. Also: the console's list of risky services is the engine's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callRpc } from '../helpers/server.ts';
import { chooseOption, expectAccessible, openConsole, signInWithAccessKey, type ConsoleSession } from '../helpers/browser.ts';
import type { Page } from 'playwright-core';
import { RISKY } from '../../src/domain/exposure.ts';
import { RISKY_SERVICES, riskOf } from '../../console/src/pages/security-groups/rules/risk.ts';

const ECS = '2014-05-26';
const RAM = '2015-05-01';
const REGION = 'cn-hangzhou';

interface Perm { SecurityGroupRuleId: string; Direction: string; IpProtocol: string; PortRange: string; Policy: string; Priority: number | string; SourceCidrIp: string; DestCidrIp: string; Description: string }

async function rulesOf(c: ConsoleSession, sg: string): Promise<Perm[]> {
  const r = await callRpc(c.server.endpoint, 'DescribeSecurityGroupAttribute', ECS, { RegionId: REGION, SecurityGroupId: sg });
  return (r['Permissions'] as { Permission: Perm[] }).Permission;
}

/** A rule as the restore and import compare them (no id, no time). */
const key = (p: Perm) => [p.Direction, p.Policy, String(p.Priority), p.IpProtocol, p.PortRange, p.SourceCidrIp, p.DestCidrIp].join(' ');

async function setup(c: ConsoleSession): Promise<{ vpcId: string; group: (name: string) => Promise<string> }> {
  const vpc = await callRpc(c.server.endpoint, 'CreateVpc', ECS, { RegionId: REGION, CidrBlock: '172.16.0.0/16', VpcName: 'rules-vpc' });
  const vpcId = String(vpc['VpcId']);
  return {
    vpcId,
    group: async (name) => String((await callRpc(c.server.endpoint, 'CreateSecurityGroup', ECS, { RegionId: REGION, VpcId: vpcId, SecurityGroupName: name }))['SecurityGroupId']),
  };
}

/** Waits for antd's open/close animations to end (axe would judge the colors of a half-faded dialog). */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('.ant-zoom-appear, .ant-zoom-enter, .ant-zoom-leave, .ant-fade-appear, .ant-fade-enter, .ant-fade-leave') === null);
}

async function openRules(c: ConsoleSession, sg: string): Promise<void> {
  await c.page.goto(c.url(`/security-groups/${sg}?region=${REGION}`));
  await c.page.getByTestId('rules-tab').waitFor();
}

describe('security group rules in a browser', () => {
  test('the console lists the same risky services as the engine, and rates 0.0.0.0/0 on SSH high', () => {
    assert.deepEqual(RISKY_SERVICES.map((s) => ({ ...s })), RISKY.map((s) => ({ ...s })));
    assert.equal(riskOf('tcp', '22/22', '0.0.0.0/0').level, 'high');
    assert.equal(riskOf('tcp', '20/30', '0.0.0.0/0').level, 'high');
    assert.equal(riskOf('tcp', '80/80', '0.0.0.0/0').level, 'medium');
    assert.equal(riskOf('tcp', '22/22', '10.0.0.0/8').level, 'medium');
    assert.equal(riskOf('icmp', '-1/-1', '10.0.0.0/8').level, 'low');
    assert.equal(riskOf('all', '-1/-1', '0.0.0.0/0').level, 'high');
  });

  test('add a batch, the 0.0.0.0/0 warning, quick creation, modify, batch delete; axe clean', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const { group } = await setup(c);
    const sg = await group('web');
    await signInWithAccessKey(c);
    await openRules(c, sg);
    await page.getByRole('tab', { name: /^Inbound/ }).waitFor();
    await page.getByRole('tab', { name: /^Outbound/ }).waitFor();
    await page.getByText('No Inbound rules').waitFor();
    await expectAccessible(page, 'rules tab (empty)');

    // Add: two ranges × three objects, one request, six rules
    await page.getByRole('button', { name: 'Add Security Group Rule' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('Port Range').fill('22/23,443/443');
    await dialog.getByLabel('Authorization Object').fill('10.0.0.0/8, 192.168.1.0/24,0.0.0.0/0');
    await dialog.getByLabel('Description').fill('batch');
    await dialog.getByTestId('risk-warning').getByText(/SSH/).waitFor();
    await dialog.getByTestId('rule-count').getByText('6 rules will be added in one request.').waitFor();
    await settled(page);
    await expectAccessible(page, 'add rule dialog');
    const authorizeCalls: string[] = [];
    page.on('request', (r) => { if (r.url().endsWith('/console/api/call') && (r.postData() ?? '').includes('"AuthorizeSecurityGroup"')) authorizeCalls.push(r.postData() ?? ''); });
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: 'Inbound (6)' }).waitFor();
    assert.equal(authorizeCalls.length, 1, 'one batch');
    let rules = await rulesOf(c, sg);
    assert.deepEqual(rules.map((r) => `${r.PortRange} ${r.SourceCidrIp}`).sort(), [
      '22/23 0.0.0.0/0', '22/23 10.0.0.0/8', '22/23 192.168.1.0/24', '443/443 0.0.0.0/0', '443/443 10.0.0.0/8', '443/443 192.168.1.0/24',
    ]);
    assert.ok(rules.every((r) => r.Direction === 'ingress' && r.IpProtocol.toLowerCase() === 'tcp' && r.Description === 'batch' && r.Policy === 'Accept'));
    await expectAccessible(page, 'rules tab (six rules)');

    // the named protocol types fill the port range; an object of 0.0.0.0/0 on HTTP is only a note
    await page.getByRole('button', { name: 'Add Security Group Rule' }).click();
    dialog = page.getByRole('dialog');
    await chooseOption(page, 'Protocol Type', 'HTTP (80)');
    assert.equal(await dialog.getByLabel('Port Range').inputValue(), '80/80');
    await dialog.getByLabel('Authorization Object').fill('0.0.0.0/0');
    await dialog.getByTestId('risk-note').waitFor();
    assert.equal(await dialog.getByTestId('risk-warning').count(), 0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Quick Rule Creation: two application ports + a custom range, one object, priority 5
    await page.getByRole('button', { name: 'Quick Rule Creation' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('MySQL (3306)').check();
    await dialog.getByLabel('Redis (6379)').check();
    await dialog.getByLabel('Custom Port Range (TCP)').fill('8080/8081');
    await dialog.getByLabel('Authorization Object').fill('172.16.0.0/12');
    await dialog.getByLabel('Priority').fill('5');
    await dialog.getByTestId('quick-rule-count').getByText('3 rules will be added').waitFor();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: 'Inbound (9)' }).waitFor();
    rules = await rulesOf(c, sg);
    const quick = rules.filter((r) => r.SourceCidrIp === '172.16.0.0/12');
    assert.deepEqual(quick.map((r) => r.PortRange).sort(), ['3306/3306', '6379/6379', '8080/8081']);
    assert.ok(quick.every((r) => Number(r.Priority) === 5));
    assert.equal(authorizeCalls.length, 2, 'quick creation is one batch too');

    // Modify: the 8080 rule becomes a Forbid rule with a description
    const alt = quick.find((r) => r.PortRange === '8080/8081')!;
    await page.getByRole('button', { name: `Modify rule ${alt.SecurityGroupRuleId}` }).click();
    dialog = page.getByRole('dialog');
    assert.equal(await dialog.getByLabel('Port Range').inputValue(), '8080/8081');
    await dialog.locator('label', { hasText: 'Forbid' }).click();
    assert.ok(await dialog.getByRole('radio', { name: 'Forbid' }).isChecked());
    await dialog.getByLabel('Description').fill('blocked');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('policy-forbid').waitFor();
    const modified = (await rulesOf(c, sg)).find((r) => r.SecurityGroupRuleId === alt.SecurityGroupRuleId)!;
    assert.equal(modified.Policy, 'Drop');
    assert.equal(modified.Description, 'blocked');
    assert.equal(modified.PortRange, '8080/8081');

    // batch delete: two rules, the dialog names them
    const victims = rules.filter((r) => r.SourceCidrIp === '192.168.1.0/24');
    for (const v of victims) await page.getByLabel(`Select rule ${v.SecurityGroupRuleId}`).check();
    await page.getByRole('button', { name: 'Delete (2)' }).click();
    const confirm = page.getByRole('dialog').filter({ hasText: 'Delete 2 security group rules?' });
    for (const v of victims) await confirm.getByText(v.SecurityGroupRuleId).waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('tab', { name: 'Inbound (7)' }).waitFor();
    const left = (await rulesOf(c, sg)).map((r) => r.SecurityGroupRuleId);
    assert.equal(left.length, 7);
    assert.ok(victims.every((v) => !left.includes(v.SecurityGroupRuleId)));

    // one rule's own delete asks first and names it
    const one = (await rulesOf(c, sg)).find((r) => r.PortRange === '6379/6379')!;
    await page.getByRole('button', { name: `Delete rule ${one.SecurityGroupRuleId}` }).click();
    await page.getByRole('tooltip').getByText(one.SecurityGroupRuleId).waitFor();
    await page.getByRole('tooltip').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('tab', { name: 'Inbound (6)' }).waitFor();
    assert.ok(!(await rulesOf(c, sg)).some((r) => r.SecurityGroupRuleId === one.SecurityGroupRuleId));
  });

  test('restore: the green and red rows are what the restore adds and removes; export downloads ecs_<region>_<group>.json that imports into another group', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const { group } = await setup(c);
    const source = await group('source');
    const target = await group('target');
    const other = await group('other');
    const perm = (i: number, proto: string, ports: string, cidr: string) => ({
      [`Permissions.${i}.IpProtocol`]: proto, [`Permissions.${i}.PortRange`]: ports, [`Permissions.${i}.SourceCidrIp`]: cidr, [`Permissions.${i}.Priority`]: '1',
    });
    // shared: tcp 22 from 10/8; only in source: tcp 80 and 443; only in target: udp 53
    await callRpc(ep, 'AuthorizeSecurityGroup', ECS, { RegionId: REGION, SecurityGroupId: source, ...perm(1, 'tcp', '22/22', '10.0.0.0/8'), ...perm(2, 'tcp', '80/80', '0.0.0.0/0'), ...perm(3, 'tcp', '443/443', '0.0.0.0/0') });
    await callRpc(ep, 'AuthorizeSecurityGroup', ECS, { RegionId: REGION, SecurityGroupId: target, ...perm(1, 'tcp', '22/22', '10.0.0.0/8'), ...perm(2, 'udp', '53/53', '0.0.0.0/0') });
    const before = await rulesOf(c, source);

    await signInWithAccessKey(c);
    await openRules(c, source);
    await page.getByRole('tab', { name: 'Inbound (3)' }).waitFor();
    await page.getByRole('button', { name: 'Restore Rules' }).click();
    const dialog = page.getByRole('dialog');
    await chooseOption(page, 'Target Security Group', new RegExp(target));
    const preview = dialog.getByTestId('restore-preview');
    await preview.locator('tr[data-kind="add"]').first().waitFor();
    const rowsOf = async (kind: string) => preview.locator(`tr[data-kind="${kind}"]`).evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')));
    const green = await rowsOf('add');
    const red = await rowsOf('remove');
    assert.deepEqual(green.map((r) => r.slice(4).join(' ')), ['UDP 53/53 0.0.0.0/0']);
    assert.deepEqual(red.map((r) => r.slice(4).join(' ')).sort(), ['TCP 443/443 0.0.0.0/0', 'TCP 80/80 0.0.0.0/0']);
    assert.ok(red.every((r) => r[0] === 'Will be removed'));
    // partial keeps the red rules
    await dialog.getByRole('radio', { name: 'Partially Restore' }).check({ force: true });
    assert.deepEqual((await rowsOf('remove')).map((r) => r[0]), ['Retained', 'Retained']);
    await dialog.getByRole('radio', { name: 'Completely Restore' }).check({ force: true });
    await settled(page);
    await expectAccessible(page, 'restore dialog');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: 'Inbound (2)' }).waitFor();
    const after = await rulesOf(c, source);
    assert.deepEqual(after.map(key).sort(), (await rulesOf(c, target)).map(key).sort(), 'the group now has the target\'s rules');
    const added = after.filter((r) => !before.some((b) => key(b) === key(r)));
    const removed = before.filter((b) => !after.some((r) => key(r) === key(b)));
    assert.deepEqual(added.map((r) => `${r.IpProtocol} ${r.PortRange} ${r.SourceCidrIp}`), green.map((r) => r.slice(4).join(' ')));
    assert.deepEqual(removed.map((r) => `${r.IpProtocol} ${r.PortRange} ${r.SourceCidrIp}`).sort(), red.map((r) => r.slice(4).join(' ')).sort());

    // export: the browser downloads ecs_<region>_<group>.json
    const dir = mkdtempSync(join(tmpdir(), 'parapet-export-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export Rules' }).hover();
    await page.getByRole('menuitem', { name: 'JSON Format' }).click();
    const download = await downloading;
    assert.equal(download.suggestedFilename(), `ecs_${REGION}_${source}.json`);
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { SecurityGroupId: string; Permissions: { Permission: Perm[] } };
    assert.equal(exported.SecurityGroupId, source);
    assert.equal(exported.Permissions.Permission.length, 2);

    const csvDownloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export Rules' }).hover();
    await page.getByRole('menuitem', { name: 'CSV Format' }).click();
    assert.match((await csvDownloading).suggestedFilename(), new RegExp(`^ecs_sgRule_${source}_${REGION}_\\d{4}-\\d{2}-\\d{2}\\.csv$`));

    // import it into another group: preview, Start, result, Finish and close
    await openRules(c, other);
    await page.getByRole('tab', { name: 'Inbound (0)' }).waitFor();
    await page.getByRole('button', { name: 'Import Rules' }).click();
    const imp = page.getByRole('dialog');
    await imp.locator('input[type=file]').setInputFiles(file);
    await imp.getByTestId('import-count').getByText('2 rules in the file; 2 pass the import check.').waitFor();
    await settled(page);
    await expectAccessible(page, 'import dialog');
    await imp.getByRole('button', { name: 'Start' }).click();
    await imp.getByText('2 of 2 rules imported.').waitFor();
    await imp.getByRole('button', { name: 'Finish and close' }).click();
    await imp.waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: 'Inbound (2)' }).waitFor();
    assert.deepEqual((await rulesOf(c, other)).map(key).sort(), after.map(key).sort());

    // importing the same file again overwrites nothing: every rule fails the check, with the reason on hover
    await page.getByRole('button', { name: 'Import Rules' }).click();
    await imp.locator('input[type=file]').setInputFiles(file);
    await imp.getByTestId('import-count').getByText('2 rules in the file; 0 pass the import check.').waitFor();
    await imp.getByTestId('import-warning').first().hover();
    await page.getByRole('tooltip').waitFor();
    assert.ok(await imp.getByRole('button', { name: 'Start' }).isDisabled());
    await imp.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await rulesOf(c, other)).length, 2);
  });

  test('classic groups have four tabs and take only /32 for internal inbound by CIDR; advanced groups have no priority, Forbid or group authorization', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const classic = String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, SecurityGroupName: 'classic' }))['SecurityGroupId']);
    const { vpcId } = await setup(c);
    const advanced = String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, VpcId: vpcId, SecurityGroupType: 'enterprise', SecurityGroupName: 'adv' }))['SecurityGroupId']);
    await signInWithAccessKey(c);

    await openRules(c, classic);
    for (const name of ['Internal Network Ingress', 'Internal Network Egress', 'Internet Ingress', 'Internet Egress']) await page.getByRole('tab', { name: new RegExp(`^${name}`) }).waitFor();
    await page.getByRole('button', { name: 'Add Security Group Rule' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('Port Range').fill('22/22');
    await dialog.getByLabel('Authorization Object').fill('10.0.0.0/8');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.getByText('“10.0.0.0/8”: the subnet mask must be /32 here.').waitFor();
    await dialog.getByLabel('Authorization Object').fill('10.0.0.5/32');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: 'Internal Network Ingress (1)' }).waitFor();
    const [rule] = await rulesOf(c, classic);
    assert.equal(rule?.SourceCidrIp, '10.0.0.5/32');
    assert.equal((rule as unknown as { NicType: string }).NicType, 'intranet');
    await expectAccessible(page, 'rules tab (classic)');

    await openRules(c, advanced);
    await page.getByRole('button', { name: 'Add Security Group Rule' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Port Range').waitFor();
    assert.equal(await dialog.getByLabel('Priority').count(), 0);
    assert.equal(await dialog.getByText('Forbid').count(), 0);
    assert.equal(await dialog.getByText('Authorization Type').count(), 0);
    await dialog.getByLabel('Port Range').fill('443/443');
    await dialog.getByLabel('Authorization Object').fill('10.0.0.0/8');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: 'Inbound (1)' }).waitFor();
    assert.equal((await rulesOf(c, advanced))[0]?.Policy, 'Accept');
  });

  test('a RAM user with AliyunECSReadOnlyAccess sees the rules and gets the RAM error naming the action when adding one', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const { group } = await setup(c);
    const sg = await group('ro');
    await callRpc(ep, 'AuthorizeSecurityGroup', ECS, { RegionId: REGION, SecurityGroupId: sg, 'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '22/22', 'Permissions.1.SourceCidrIp': '10.0.0.0/8' });
    await callRpc(ep, 'CreateUser', RAM, { UserName: 'reader' });
    await callRpc(ep, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess', UserName: 'reader' });
    const key = (await callRpc(ep, 'CreateAccessKey', RAM, { UserName: 'reader' }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
    c.expectFailure({ method: 'POST', path: /^\/console\/api\/call$/, status: 403 });

    await signInWithAccessKey(c, { accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret });
    await openRules(c, sg);
    await page.getByRole('tab', { name: 'Inbound (1)' }).waitFor();
    await page.getByRole('cell', { name: '10.0.0.0/8' }).waitFor();
    await page.getByRole('button', { name: 'Add Security Group Rule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Port Range').fill('80/80');
    await dialog.getByLabel('Authorization Object').fill('10.0.0.0/8');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.getByRole('alert').getByText('Denied action: ecs:AuthorizeSecurityGroup').waitFor();
    assert.equal((await rulesOf(c, sg)).length, 1, 'nothing was added');
  });
});
