// The security group Rules tab in a browser (CONSOLE.md "Security groups", ECS security guide §1.7,
// §1.11): adding inline (an editable row at the top of the table) `22/23,443/443` × three objects as
// one batch of six rules, the 0.0.0.0/0 warning on SSH, Cancel changing nothing, Quick Rule
// Creation, modifying a rule in its own row (ModifySecurityGroupRule by its id), batch delete,
// Restore Rules (the preview's green and red rows are what the restore then adds and removes),
// Export Rules (the download's name) imported into another group, a read-only RAM user's refusal
// naming the action, axe on the tab and with a row open. Every result is checked through the API.
// IPv6: one add with an IPv6 and an IPv4 object is two rules (Ipv6SourceCidrIp and SourceCidrIp),
// ::/0 on SSH warns as 0.0.0.0/0 does, ICMPv6 takes IPv6 objects only (and ICMP IPv4 ones), an IPv6
// rule edited to an IPv4 object. Also: the console's list of risky services is the engine's, and
// its checks of authorization objects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callRpc } from '../helpers/server.ts';
import { checkSettled, chooseOption, expectAccessible, openConsole, settled, signInWithAccessKey, type ConsoleSession } from '../helpers/browser.ts';
import type { Locator, Page } from 'playwright-core';
import { RISKY } from '../../src/domain/exposure.ts';
import { RISKY_SERVICES, riskOf } from '../../console/src/pages/security-groups/rules/risk.ts';
import { expand, validIpv6Cidr, validObject } from '../../console/src/pages/security-groups/rules/model.ts';
import { familyProblem, objectsProblem } from '../../console/src/pages/security-groups/rules/form.ts';
import type { SecurityGroupInfo } from '../../console/src/pages/security-groups/types.ts';

const ECS = '2014-05-26';
const RAM = '2015-05-01';
const REGION = 'cn-hangzhou';

interface Perm { SecurityGroupRuleId: string; Direction: string; IpProtocol: string; PortRange: string; Policy: string; Priority: number | string; SourceCidrIp: string; DestCidrIp: string; Ipv6SourceCidrIp?: string; Ipv6DestCidrIp?: string; Description: string }

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

/** The rules table's editable row: the new one (Add Security Group Rule), or a rule's (Edit). */
const editRow = (page: Page, ruleId = 'new-rule') => page.locator(`[data-testid="rules-table"] tr[data-row-key="${ruleId}"]`);

/** Every request the page sends to the console's bridge naming an action, as their bodies. */
/** Waits (up to 5 s) until the input labelled `label` in `row` holds `value`: a Select's choice fills it on its next render. */
async function valueOf(row: Locator, label: string, value: string): Promise<void> {
  const input = row.getByLabel(label);
  let seen = '';
  for (let n = 0; n < 50; n++) {
    seen = await input.inputValue();
    if (seen === value) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(seen, value, label);
}

function callsOf(page: Page, action: string): string[] {
  const bodies: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('/console/api/call') && (r.postData() ?? '').includes(`"${action}"`)) bodies.push(r.postData() ?? ''); });
  return bodies;
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
    // ::/0 is everyone too
    assert.equal(riskOf('tcp', '22/22', '::/0').level, 'high');
    assert.equal(riskOf('tcp', '80/80', '::/0').level, 'medium');
    assert.equal(riskOf('tcp', '22/22', '2001:db8::/64').level, 'medium');
    assert.equal(riskOf('icmpv6', '-1/-1', '::/0').level, 'medium');
  });

  test('authorization objects: IPv4 or IPv6; each object its own rule, by family; ICMP and ICMPv6 keep to their family', () => {
    for (const ok of ['::/0', '2001:db8::/64', '2001:DB8:0:0:0:0:0:1', '2001:db8::1', '::ffff:192.0.2.1/128', '1:2:3:4:5:6:7::', 'fe80::1/10']) assert.ok(validIpv6Cidr(ok), ok);
    for (const bad of ['2001:db8::/129', '2001:db8:::1', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '2001:db8::/', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8/01']) assert.ok(!validIpv6Cidr(bad), bad);
    assert.ok(validObject('10.0.0.0/8') && validObject('2001:db8::/64') && !validObject('10.0.0.0/33') && !validObject('2001:db8::/200'));
    const vpc: SecurityGroupInfo = { securityGroupId: 'sg-1', regionId: 'cn-hangzhou', name: '', description: '', networkType: 'vpc', type: 'normal', vpcId: 'vpc-1' };
    const rules = expand({ direction: 'ingress', nicType: 'intranet', policy: 'accept', priority: 1, protocol: 'tcp', ranges: ['22/22'], authType: 'cidr', objects: ['2001:db8::/64', '10.0.0.0/8'], groupOwnerAccount: '', description: '' }, vpc);
    assert.deepEqual(rules.map((r) => [r['Ipv6SourceCidrIp'], r['SourceCidrIp']]), [['2001:db8::/64', undefined], [undefined, '10.0.0.0/8']]);
    const egress = expand({ direction: 'egress', nicType: 'intranet', policy: 'accept', priority: 1, protocol: 'icmpv6', ranges: ['-1/-1'], authType: 'cidr', objects: ['::/0'], groupOwnerAccount: '', description: '' }, vpc);
    assert.deepEqual(egress, [{ IpProtocol: 'icmpv6', PortRange: '-1/-1', Policy: 'accept', Priority: '1', Ipv6DestCidrIp: '::/0' }]);
    assert.deepEqual(familyProblem('icmpv6', ['2001:db8::/64', '10.0.0.0/8']), ['sgRules.icmpv6NeedsIpv6', { value: '10.0.0.0/8' }]);
    assert.deepEqual(familyProblem('icmp', ['10.0.0.0/8', '::/0']), ['sgRules.icmpNeedsIpv4', { value: '::/0' }]);
    assert.equal(familyProblem('tcp', ['10.0.0.0/8', '::/0']), undefined);
    assert.deepEqual(objectsProblem(['2001:db8::/64'], { max: 10, ipv6: false }), ['sgRules.objectIpv6NotHere', { value: '2001:db8::/64' }]);
    assert.deepEqual(objectsProblem(['2001:db8::/64', '10.0.0.0/8'], { max: 10, ipv6: true, protocol: 'icmpv6' }), ['sgRules.icmpv6NeedsIpv6', { value: '10.0.0.0/8' }]);
    assert.deepEqual(objectsProblem(['2001:db8:::1'], { max: 10, ipv6: true }), ['sgRules.objectInvalid', { value: '2001:db8:::1' }]);
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

    // Add, inline: an editable row at the top of the table; two ranges × three objects, one request, six rules
    await page.getByRole('button', { name: 'Add Security Group Rule' }).click();
    let row = editRow(page);
    const notes = page.getByTestId('rule-editor-notes');
    await row.getByLabel('Port Range').fill('22/23,443/443');
    await row.getByLabel('Authorization Object').fill('10.0.0.0/8, 192.168.1.0/24,0.0.0.0/0');
    await row.getByLabel('Description').fill('batch');
    await notes.getByTestId('risk-warning').getByText(/SSH/).waitFor();
    await notes.getByTestId('rule-count').getByText('6 rules will be added in one request.').waitFor();
    assert.equal(await page.getByRole('dialog').count(), 0, 'no dialog: the row is the form');
    assert.ok(await page.getByRole('button', { name: 'Add Security Group Rule' }).isDisabled(), 'one row is edited at a time');
    await expectAccessible(page, 'rules table with a new rule row');
    const authorizeCalls = callsOf(page, 'AuthorizeSecurityGroup');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Inbound (6)' }).waitFor();
    assert.equal(authorizeCalls.length, 1, 'one batch');
    let rules = await rulesOf(c, sg);
    assert.deepEqual(rules.map((r) => `${r.PortRange} ${r.SourceCidrIp}`).sort(), [
      '22/23 0.0.0.0/0', '22/23 10.0.0.0/8', '22/23 192.168.1.0/24', '443/443 0.0.0.0/0', '443/443 10.0.0.0/8', '443/443 192.168.1.0/24',
    ]);
    assert.ok(rules.every((r) => r.Direction === 'ingress' && r.IpProtocol.toLowerCase() === 'tcp' && r.Description === 'batch' && r.Policy === 'Accept'));
    await expectAccessible(page, 'rules tab (six rules)');

    // the named protocol types fill the port range; an object of 0.0.0.0/0 on HTTP is only a note;
    // the new row is the table's first; Cancel sends nothing and the table is as it was
    await page.getByRole('button', { name: 'Add Security Group Rule' }).click();
    row = editRow(page);
    assert.equal(await page.locator('[data-testid="rules-table"] tbody tr').first().getAttribute('data-row-key'), 'new-rule');
    await chooseOption(page, 'Protocol Type', 'HTTP (80)');
    await valueOf(row, 'Port Range', '80/80');
    assert.ok(await row.getByLabel('Port Range').isDisabled());
    await row.getByLabel('Authorization Object').fill('0.0.0.0/0');
    await notes.getByTestId('risk-note').waitFor();
    assert.equal(await notes.getByTestId('risk-warning').count(), 0);
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Inbound (6)' }).waitFor();
    assert.equal(authorizeCalls.length, 1, 'Cancel sends nothing');
    assert.deepEqual((await rulesOf(c, sg)).map((r) => r.SecurityGroupRuleId).sort(), rules.map((r) => r.SecurityGroupRuleId).sort());

    // Quick Rule Creation: two application ports + a custom range, one object, priority 5
    await page.getByRole('button', { name: 'Quick Rule Creation' }).click();
    const dialog = page.getByRole('dialog');
    await checkSettled(dialog.getByLabel('MySQL (3306)'));
    await checkSettled(dialog.getByLabel('Redis (6379)'));
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

    // Modify, inline: the 8080 rule's row becomes editable cells holding its values; it becomes a
    // Forbid rule with a description, through ModifySecurityGroupRule by its id (the same rule)
    const alt = quick.find((r) => r.PortRange === '8080/8081')!;
    await page.getByRole('button', { name: `Edit rule ${alt.SecurityGroupRuleId}` }).click();
    row = editRow(page, alt.SecurityGroupRuleId);
    assert.equal(await row.getByLabel('Port Range').inputValue(), '8080/8081');
    assert.equal(await row.getByLabel('Authorization Object').inputValue(), '172.16.0.0/12');
    assert.equal(await row.getByLabel('Priority').inputValue(), '5');
    assert.equal(await editRow(page).count(), 0, 'no new row while editing');
    await expectAccessible(page, 'rules table with a rule\'s row in edit');
    // a rule has one port range: the cell says so, nothing is sent
    const modifyCalls = callsOf(page, 'ModifySecurityGroupRule');
    await row.getByLabel('Port Range').fill('8080/8081,9000/9000');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByText('A rule has one port range.').waitFor();
    await row.getByLabel('Port Range').fill('8080/8081');
    await chooseOption(page, 'Action', 'Forbid');
    await row.getByLabel('Description').fill('blocked');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByTestId('policy-forbid').waitFor();
    assert.equal(await row.getByLabel('Port Range').count(), 0, 'the row is a row again');
    assert.equal(modifyCalls.length, 1);
    assert.ok(modifyCalls[0]!.includes(alt.SecurityGroupRuleId), 'by SecurityGroupRuleId');
    const modified = (await rulesOf(c, sg)).find((r) => r.SecurityGroupRuleId === alt.SecurityGroupRuleId)!;
    assert.equal(modified.Policy, 'Drop');
    assert.equal(modified.Description, 'blocked');
    assert.equal(modified.PortRange, '8080/8081');
    assert.equal(modified.SourceCidrIp, '172.16.0.0/12');
    assert.equal(Number(modified.Priority), 5);
    assert.equal((await rulesOf(c, sg)).length, 9);

    // Cancel an edit: the row shows the rule as it was, and the API has it unchanged
    const mysql = quick.find((r) => r.PortRange === '3306/3306')!;
    await page.getByRole('button', { name: `Edit rule ${mysql.SecurityGroupRuleId}` }).click();
    row = editRow(page, mysql.SecurityGroupRuleId);
    await row.getByLabel('Authorization Object').fill('10.9.9.9/32');
    await row.getByLabel('Description').fill('not saved');
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.getByRole('cell', { name: '172.16.0.0/12' }).waitFor();
    assert.equal(await row.getByLabel('Authorization Object').count(), 0);
    assert.equal(modifyCalls.length, 1, 'Cancel sends nothing');
    assert.deepEqual((await rulesOf(c, sg)).find((r) => r.SecurityGroupRuleId === mysql.SecurityGroupRuleId), mysql);

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

    // Add, inline, authorizing a security group of the same VPC: the object cell takes the group
    const peer = await group('peer');
    await page.getByRole('button', { name: 'Add Security Group Rule' }).click();
    row = editRow(page);
    await chooseOption(page, 'Protocol Type', 'SSH (22)');
    await chooseOption(page, 'Authorization Type', 'Security Group');
    assert.equal(await row.getByLabel('Authorization Object').count(), 0);
    await row.getByRole('combobox', { name: 'Security group ID' }).fill(peer);
    await notes.getByTestId('rule-count').getByText('One rule will be added.').waitFor();
    await row.getByRole('button', { name: 'Save' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Inbound (7)' }).waitFor();
    const byGroup = (await rulesOf(c, sg)).filter((r) => (r as unknown as { SourceGroupId: string }).SourceGroupId === peer);
    assert.deepEqual(byGroup.map((r) => `${r.IpProtocol.toLowerCase()} ${r.PortRange} ${r.SourceCidrIp}`), ['tcp 22/22 ']);
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

  test('classic groups have four tabs and take only /32 (and no IPv6) for internal inbound by CIDR; advanced groups have no priority, Forbid or group authorization', async (t) => {
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
    let row = editRow(page);
    await row.getByLabel('Port Range').fill('22/22');
    await row.getByLabel('Authorization Object').fill('10.0.0.0/8');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByRole('cell').filter({ has: page.getByLabel('Authorization Object') }).getByText('“10.0.0.0/8”: the subnet mask must be /32 here.').waitFor();
    await expectAccessible(page, 'rules tab (classic) with a new row showing an error');
    // IPv6 is for VPC groups (the API refuses Ipv6SourceCidrIp in a classic group)
    await row.getByLabel('Authorization Object').fill('2001:db8::1/128');
    await row.getByText('“2001:db8::1/128”: IPv6 authorization objects are for VPC security groups only.').waitFor();
    await row.getByLabel('Authorization Object').fill('10.0.0.5/32');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Internal Network Ingress (1)' }).waitFor();
    const [rule] = await rulesOf(c, classic);
    assert.equal(rule?.SourceCidrIp, '10.0.0.5/32');
    assert.equal((rule as unknown as { NicType: string }).NicType, 'intranet');
    await expectAccessible(page, 'rules tab (classic)');

    await openRules(c, advanced);
    await page.getByRole('button', { name: 'Add Security Group Rule' }).click();
    row = editRow(page);
    await row.getByLabel('Port Range').waitFor();
    assert.equal(await row.getByLabel('Priority').count(), 0);
    assert.equal(await page.getByRole('columnheader', { name: 'Priority' }).count(), 0);
    assert.equal(await row.getByLabel('Action').count(), 0, 'no Allow/Forbid choice');
    assert.equal(await page.getByText('Forbid').count(), 0);
    assert.equal(await row.getByLabel('Authorization Type').count(), 0);
    assert.equal(await page.getByText('Authorization Type').count(), 0);
    await row.getByLabel('Port Range').fill('443/443');
    await row.getByLabel('Authorization Object').fill('10.0.0.0/8');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Inbound (1)' }).waitFor();
    assert.equal((await rulesOf(c, advanced))[0]?.Policy, 'Accept');
  });

  test('IPv6 objects: one add with an IPv6 and an IPv4 object is two rules; ::/0 warns; ICMPv6 only with IPv6 objects; an IPv6 rule edited to IPv4; axe', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const { group } = await setup(c);
    const sg = await group('dual');
    await signInWithAccessKey(c);
    await openRules(c, sg);
    await page.getByText('No Inbound rules').waitFor();
    const authorizeCalls = callsOf(page, 'AuthorizeSecurityGroup');
    const notes = page.getByTestId('rule-editor-notes');

    // IPv6 + IPv4 in one entry: one request, one rule per object, each sent in its family's field
    await page.getByRole('button', { name: 'Add Security Group Rule' }).click();
    let row = editRow(page);
    await row.getByLabel('Port Range').fill('8443/8443');
    await row.getByLabel('Authorization Object').fill('2001:db8::/64, 10.0.0.0/8');
    await notes.getByTestId('rule-count').getByText('2 rules will be added in one request.').waitFor();
    await row.getByRole('button', { name: 'Save' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Inbound (2)' }).waitFor();
    assert.equal(authorizeCalls.length, 1, 'one batch');
    assert.match(authorizeCalls[0]!, /"Permissions\.1\.Ipv6SourceCidrIp":"2001:db8::\/64"/);
    assert.match(authorizeCalls[0]!, /"Permissions\.2\.SourceCidrIp":"10\.0\.0\.0\/8"/);
    let rules = await rulesOf(c, sg);
    assert.deepEqual(rules.map((r) => [r.IpProtocol.toLowerCase(), r.PortRange, r.SourceCidrIp, r.Ipv6SourceCidrIp ?? '']).sort(), [
      ['tcp', '8443/8443', '', '2001:db8::/64'], ['tcp', '8443/8443', '10.0.0.0/8', ''],
    ]);
    // the table shows the IPv6 object
    const v6rule = rules.find((r) => r.Ipv6SourceCidrIp === '2001:db8::/64')!;
    await page.locator(`[data-testid="rules-table"] tr[data-row-key="${v6rule.SecurityGroupRuleId}"]`).getByRole('cell', { name: '2001:db8::/64' }).waitFor();
    await expectAccessible(page, 'rules tab with an IPv6 rule');

    // ::/0 on SSH is the same high-risk warning as 0.0.0.0/0
    await page.getByRole('button', { name: 'Add Security Group Rule' }).click();
    row = editRow(page);
    await chooseOption(page, 'Protocol Type', 'SSH (22)');
    await row.getByLabel('Authorization Object').fill('::/0');
    await notes.getByTestId('risk-warning').getByText(/SSH/).waitFor();

    // ICMPv6 with an IPv4 object: refused in the form, nothing sent; IPv6 objects only
    await chooseOption(page, 'Protocol Type', 'All ICMP (IPv6)');
    await valueOf(row, 'Port Range', '-1/-1');
    await row.getByLabel('Authorization Object').fill('2001:db8:1::/48, 192.168.0.0/16');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByText('“192.168.0.0/16” is an IPv4 object, and ICMPv6 is IPv6 only: choose All ICMP (IPv4) for IPv4 objects.').waitFor();
    await expectAccessible(page, 'rules table with an ICMPv6 row refusing an IPv4 object');
    // and ICMP (IPv4) with an IPv6 object, the other way round
    await chooseOption(page, 'Protocol Type', 'All ICMP (IPv4)');
    await row.getByText('“2001:db8:1::/48” is an IPv6 object, and ICMP is IPv4 only: choose All ICMP (IPv6) for IPv6 objects.').waitFor();
    assert.equal(authorizeCalls.length, 1, 'nothing sent while the form refuses');
    await chooseOption(page, 'Protocol Type', 'All ICMP (IPv6)');
    await row.getByLabel('Authorization Object').fill('2001:db8:1::/48');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Inbound (3)' }).waitFor();
    const icmp6 = (await rulesOf(c, sg)).find((r) => r.Ipv6SourceCidrIp === '2001:db8:1::/48')!;
    assert.deepEqual([icmp6.IpProtocol, icmp6.PortRange, icmp6.SourceCidrIp], ['ICMPv6', '-1/-1', '']);
    await page.locator(`[data-testid="rules-table"] tr[data-row-key="${icmp6.SecurityGroupRuleId}"]`).getByRole('cell', { name: 'ICMPv6' }).waitFor();

    // editing the IPv6 rule: its object shows; changed to an IPv4 block, the rule is IPv4 (the IPv6 field cleared)
    await page.getByRole('button', { name: `Edit rule ${v6rule.SecurityGroupRuleId}` }).click();
    row = editRow(page, v6rule.SecurityGroupRuleId);
    assert.equal(await row.getByLabel('Authorization Object').inputValue(), '2001:db8::/64');
    await row.getByLabel('Authorization Object').fill('172.16.0.0/12');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByRole('cell', { name: '172.16.0.0/12' }).waitFor();
    rules = await rulesOf(c, sg);
    const edited = rules.find((r) => r.SecurityGroupRuleId === v6rule.SecurityGroupRuleId)!;
    assert.deepEqual([edited.SourceCidrIp, edited.Ipv6SourceCidrIp ?? ''], ['172.16.0.0/12', '']);
    assert.equal(rules.length, 3);
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
    const row = editRow(page);
    await row.getByLabel('Port Range').fill('80/80');
    await row.getByLabel('Authorization Object').fill('10.0.0.0/8');
    await row.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('rule-editor-notes').getByRole('alert').getByText('Denied action: ecs:AuthorizeSecurityGroup').waitFor();
    await row.waitFor(); // the row stays open with what was typed
    assert.equal(await row.getByLabel('Port Range').inputValue(), '80/80');
    await expectAccessible(page, 'rules table with a refused new row');
    assert.equal((await rulesOf(c, sg)).length, 1, 'nothing was added');
  });
});
