// The security-group list and the group detail frame in a browser (CONSOLE.md "Security groups",
// the group-level procedures): create a group from the Web Server Linux template (its rules shown
// before OK, then four ingress rules through the API), search by name, id, VPC id and tag, Modify
// name and description, Clone to another region's VPC, the detail page's Instances and References
// tabs, multi-select Delete whose dialog names the instance and the referencing group that block one
// group and deletes only the other; a RAM user with AliyunECSReadOnlyAccess sees the list and is
// refused a Modify with the action named; axe on the list and the detail page. Every result is
// checked through the API (signed requests).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { callRpc } from '../helpers/server.ts';
import { chooseOption, expectAccessible, openConsole, signInWithAccessKey } from '../helpers/browser.ts';

const ECS = '2014-05-26';
const RAM = '2015-05-01';
const REGION = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';

interface Group { SecurityGroupId: string; SecurityGroupName: string; Description: string; VpcId: string; SecurityGroupType: string; RuleCount: number; Tags: { Tag: Array<{ TagKey: string; TagValue: string }> } }

async function groups(ep: string, region: string, filters: Record<string, string> = {}): Promise<Group[]> {
  const r = await callRpc(ep, 'DescribeSecurityGroups', ECS, { RegionId: region, PageSize: '50', ...filters });
  return (r['SecurityGroups'] as { SecurityGroup: Group[] }).SecurityGroup;
}

async function vpcIn(ep: string, region: string, cidr: string, name: string): Promise<string> {
  return String((await callRpc(ep, 'CreateVpc', ECS, { RegionId: region, CidrBlock: cidr, VpcName: name }))['VpcId']);
}

/** Waits (up to 10 s) until the table lists exactly `ids`, in any order: a search shows the last page until its answer comes. */
async function expectListed(page: Page, ids: string[]): Promise<void> {
  const want = [...ids].sort();
  let seen: string[] = [];
  for (let n = 0; n < 50; n++) {
    seen = (await page.getByTestId('sg-table').getByTestId('sg-id').allTextContents()).sort();
    if (JSON.stringify(seen) === JSON.stringify(want)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(seen, want, 'the listed security groups');
}

async function search(page: Page, field: string, text: string): Promise<void> {
  await chooseOption(page, 'Search by', field);
  await page.getByLabel('Search text').fill(text);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
}

describe('security groups in a browser', () => {
  test('create from the Web Server Linux template, search, modify, clone to another region; axe clean', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const vpc = await vpcIn(ep, REGION, '172.16.0.0/16', 'sg-vpc');
    const other = String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, VpcId: vpc, SecurityGroupName: 'other' }))['SecurityGroupId']);
    const shanghaiVpc = await vpcIn(ep, 'cn-shanghai', '10.0.0.0/16', 'sh-vpc');
    await signInWithAccessKey(c);

    await page.goto(c.url(`/security-groups?region=${REGION}`));
    await page.getByRole('heading', { level: 1, name: 'Security Groups' }).waitFor();
    await expectListed(page, [other]);
    await expectAccessible(page, 'security-group list');

    // Create Security Group: the Web Server Linux template's four rules are shown before OK
    await page.getByRole('button', { name: 'Create Security Group' }).click();
    const create = page.getByRole('dialog', { name: 'Create Security Group' });
    await create.getByText('Web Server Windows').click();
    await create.getByTestId('template-rules').getByText('3389/3389').waitFor();
    await create.getByText('Web Server Linux').click();
    const preview = create.getByTestId('template-rules');
    await preview.getByText('22/22').waitFor();
    assert.equal(await preview.locator('tbody tr.ant-table-row').count(), 4, 'a basic VPC group from Web Server Linux: four inbound rules');
    assert.equal(await preview.getByText('3389/3389').count(), 0);
    await create.getByLabel('Security Group Name').fill('web-linux');
    await create.getByLabel('Description').fill('made from a template');
    await chooseOption(page, 'Network', vpc, create);
    await create.getByRole('button', { name: 'Add tag' }).click();
    await create.getByLabel('Tag key 1').fill('env');
    await create.getByLabel('Tag value 1').fill('prod');
    await expectAccessible(page, 'Create Security Group dialog');
    await create.getByRole('button', { name: 'OK' }).click();
    await create.waitFor({ state: 'hidden' });

    const [made] = await groups(ep, REGION, { SecurityGroupName: 'web-linux' });
    assert.ok(made, 'the group exists');
    assert.equal(made.VpcId, vpc);
    assert.equal(made.Description, 'made from a template');
    assert.equal(made.SecurityGroupType, 'normal');
    assert.deepEqual(made.Tags.Tag, [{ TagKey: 'env', TagValue: 'prod' }]);
    const attr = await callRpc(ep, 'DescribeSecurityGroupAttribute', ECS, { RegionId: REGION, SecurityGroupId: made.SecurityGroupId });
    const perms = (attr['Permissions'] as { Permission: Array<Record<string, string>> }).Permission;
    assert.deepEqual(perms.map((p) => `${p['Direction']} ${p['IpProtocol']} ${p['PortRange']} ${p['SourceCidrIp']} ${p['Policy']}`.toLowerCase()).sort(), [
      'ingress icmp -1/-1 0.0.0.0/0 accept', 'ingress tcp 22/22 0.0.0.0/0 accept', 'ingress tcp 443/443 0.0.0.0/0 accept', 'ingress tcp 80/80 0.0.0.0/0 accept',
    ]);
    const row = page.getByRole('row', { name: new RegExp(made.SecurityGroupId) });
    await row.getByText('env: prod').waitFor();
    assert.match(await row.innerText(), /Basic Security Group[\s\S]*VPC[\s\S]*\b4\b/);

    // search: by name, id, VPC id, tag; each through DescribeSecurityGroups' filters
    await search(page, 'Security Group Name', 'web-linux');
    await expectListed(page, [made.SecurityGroupId]);
    await search(page, 'Security Group ID', other);
    await expectListed(page, [other]);
    await search(page, 'VPC ID', vpc);
    await expectListed(page, [made.SecurityGroupId, other]);
    await search(page, 'Tag', 'env=prod');
    await expectListed(page, [made.SecurityGroupId]);
    await search(page, 'Tag', 'env=dev');
    await page.getByText('No security group matches the search').waitFor();
    await search(page, 'Security Group Name', '');

    // Modify: name and description
    await page.getByRole('row', { name: new RegExp(made.SecurityGroupId) }).getByRole('button', { name: `Modify ${made.SecurityGroupId}` }).click();
    const modify = page.getByRole('dialog', { name: `Modify Security Group ${made.SecurityGroupId}` });
    assert.equal(await modify.getByLabel('Security Group Name').inputValue(), 'web-linux');
    await modify.getByLabel('Security Group Name').fill('web-renamed');
    await modify.getByLabel('Description').fill('renamed in the console');
    await modify.getByRole('button', { name: 'OK' }).click();
    await modify.waitFor({ state: 'hidden' });
    const [renamed] = await groups(ep, REGION, { SecurityGroupId: made.SecurityGroupId });
    assert.equal(renamed?.SecurityGroupName, 'web-renamed');
    assert.equal(renamed?.Description, 'renamed in the console');
    await page.getByRole('row', { name: new RegExp(made.SecurityGroupId) }).getByText('web-renamed').waitFor();

    // Clone to cn-shanghai's VPC: the dialog says what is and is not copied
    await page.getByRole('row', { name: new RegExp(made.SecurityGroupId) }).getByRole('button', { name: `Clone ${made.SecurityGroupId}` }).click();
    const clone = page.getByRole('dialog', { name: `Clone Security Group ${made.SecurityGroupId}` });
    await clone.getByText(/^Copied: the security group type/).waitFor();
    await clone.getByText(/^Not copied: the instances/).waitFor();
    await chooseOption(page, 'Destination Region', 'cn-shanghai', clone);
    await clone.getByLabel('Security Group Name').fill('web-shanghai');
    await chooseOption(page, 'VPC ID', shanghaiVpc, clone);
    await expectAccessible(page, 'Clone dialog');
    await clone.getByRole('button', { name: 'OK' }).click();
    await clone.getByText('4 rule(s) copied.').waitFor();
    const [copy] = await groups(ep, 'cn-shanghai', { SecurityGroupName: 'web-shanghai' });
    assert.ok(copy, 'the clone is in cn-shanghai');
    assert.equal(copy.VpcId, shanghaiVpc);
    assert.equal(copy.RuleCount, 4);
    assert.equal(copy.Description, 'renamed in the console', 'the description is copied');
    await clone.getByText(`Security group ${copy.SecurityGroupId} created in cn-shanghai.`).waitFor();
    await clone.getByRole('link', { name: 'Open the new security group' }).click();
    await page.waitForURL(new RegExp(`/console/security-groups/${copy.SecurityGroupId}\\?region=cn-shanghai`));
    await page.getByRole('heading', { level: 1, name: `web-shanghai (${copy.SecurityGroupId})` }).waitFor();
  });

  test('detail tabs (instances, references) and Delete naming the dependencies that block it; axe clean', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const vpc = await vpcIn(ep, REGION, '172.16.0.0/16', 'dep-vpc');
    const vsw = String((await callRpc(ep, 'CreateVSwitch', ECS, { RegionId: REGION, VpcId: vpc, ZoneId: 'cn-hangzhou-h', CidrBlock: '172.16.1.0/24' }))['VSwitchId']);
    const group = async (name: string) => String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, VpcId: vpc, SecurityGroupName: name }))['SecurityGroupId']);
    const web = await group('web');
    const app = await group('app');
    const spare = await group('spare');
    // app's rule authorizes web; an instance is in web
    await callRpc(ep, 'AuthorizeSecurityGroup', ECS, { RegionId: REGION, SecurityGroupId: app, IpProtocol: 'tcp', PortRange: '8080/8080', SourceGroupId: web });
    const run = await callRpc(ep, 'RunInstances', ECS, { RegionId: REGION, ImageId: LINUX, InstanceType: 'ecs.c6.large', VSwitchId: vsw, SecurityGroupId: web, InstanceName: 'web-1' });
    const instance = (run['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
    await signInWithAccessKey(c);

    // the detail page: attributes, Instances tab, References tab
    await page.goto(c.url(`/security-groups/${web}?region=${REGION}`));
    await page.getByRole('heading', { level: 1, name: `web (${web})` }).waitFor();
    await page.getByRole('tab', { name: 'Instances (1)' }).click();
    await page.getByTestId('sg-instances').getByRole('link', { name: instance }).waitFor();
    await page.getByTestId('sg-instances').getByText('web-1').waitFor();
    assert.match(page.url(), /[?&]tab=instances/);
    await page.getByRole('tab', { name: 'References' }).click();
    await page.getByTestId('sg-references').getByRole('link', { name: app }).waitFor();
    await expectAccessible(page, 'security-group detail, References tab');
    await page.getByTestId('sg-references').getByRole('link', { name: app }).click();
    await page.getByRole('heading', { level: 1, name: `app (${app})` }).waitFor();
    await page.getByRole('tab', { name: 'References' }).click();
    await page.getByText('No other security group authorizes this security group.').waitFor();
    await page.getByRole('tab', { name: 'Instances (0)' }).click();
    await page.getByText('No instance is in this security group.').waitFor();
    // an id the region does not have
    await page.goto(c.url(`/security-groups/sg-nosuchgroup000?region=${REGION}`));
    await page.getByText(`Security group sg-nosuchgroup000 was not found in ${REGION}.`).waitFor();

    // Delete web and spare together: web is blocked by its instance and by app's rule, spare goes
    await page.goto(c.url(`/security-groups?region=${REGION}`));
    await page.getByRole('checkbox', { name: `Select ${web}` }).check();
    await page.getByRole('checkbox', { name: `Select ${spare}` }).check();
    await page.getByRole('button', { name: 'Delete (2)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Security Group' });
    const blocked = dialog.getByTestId('delete-blocked');
    await blocked.getByText(web).waitFor();
    await blocked.getByRole('link', { name: instance }).waitFor();
    await blocked.getByText(app).waitFor();
    await dialog.getByText('1 security group(s) can\'t be deleted').waitFor();
    assert.deepEqual(await dialog.getByTestId('delete-free').locator('code').allTextContents(), [spare]);
    await expectAccessible(page, 'Delete Security Group dialog');
    await dialog.getByRole('button', { name: 'Delete 1' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const left = (await groups(ep, REGION)).map((g) => g.SecurityGroupId).sort();
    assert.deepEqual(left, [web, app].sort(), 'spare deleted, web kept');
    await expectListed(page, [web, app]);

    // a group alone that nothing blocks: its dialog names it, OK deletes it
    await page.getByRole('row', { name: new RegExp(app) }).getByRole('button', { name: `Delete ${app}` }).click();
    await dialog.getByTestId('delete-free').getByText(app).waitFor();
    await dialog.getByRole('button', { name: 'Delete 1' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.deepEqual((await groups(ep, REGION)).map((g) => g.SecurityGroupId), [web]);
  });

  test('a RAM user with AliyunECSReadOnlyAccess sees the list and is refused a Modify, with the action named', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const vpc = await vpcIn(ep, REGION, '172.16.0.0/16', 'ro-vpc');
    const id = String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, VpcId: vpc, SecurityGroupName: 'guarded' }))['SecurityGroupId']);
    await callRpc(ep, 'CreateUser', RAM, { UserName: 'reader' });
    await callRpc(ep, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess', UserName: 'reader' });
    const key = (await callRpc(ep, 'CreateAccessKey', RAM, { UserName: 'reader' }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
    // the refusal the test provokes (and the overview's VPC count, which ECS read-only does not cover)
    c.expectFailure({ method: 'POST', path: /^\/console\/api\/call$/, status: 403 });
    await signInWithAccessKey(c, { accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret });

    await page.goto(c.url(`/security-groups?region=${REGION}`));
    const row = page.getByRole('row', { name: new RegExp(id) });
    await row.getByText('guarded').waitFor();
    await row.getByRole('button', { name: `Modify ${id}` }).click();
    const modify = page.getByRole('dialog', { name: `Modify Security Group ${id}` });
    await modify.getByLabel('Security Group Name').fill('taken-over');
    await modify.getByRole('button', { name: 'OK' }).click();
    const alert = modify.getByRole('alert').filter({ hasText: 'You are not authorized' });
    await alert.getByText('Denied action: ecs:ModifySecurityGroupAttribute').waitFor();
    const [g] = await groups(ep, REGION, { SecurityGroupId: id });
    assert.equal(g?.SecurityGroupName, 'guarded', 'nothing changed');
    await expectAccessible(page, 'Modify dialog with a RAM refusal');
  });
});
