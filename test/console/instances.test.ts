// The Instances pages in a browser (CONSOLE.md "Instances"): create an instance through the Create
// Instance dialog, in a VPC and in the classic network (only classic groups offered, the API's
// refusal of a RAM role shown in the dialog); Replace Security Group for two selected instances at
// once (§1.9); on the details page Add to Security Group (two at once) and Remove, bind a key pair
// (KeyPairChangePending until the restart the page offers), RAM role bind / replace / unbind,
// metadata hardened mode, allocate a public IP; a RAM user with AliyunECSReadOnlyAccess sees the
// list and is refused a stop with the action named; axe on the list, the dialog in both networks and
// the details page. Every result is checked through the API.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { callRpc, ROOT, type Creds } from '../helpers/server.ts';
import { chooseOption, closeDropdown as closeSelect, expectAccessible, openConsole, settled, signInWithAccessKey, type ConsoleSession } from '../helpers/browser.ts';

const ECS = '2014-05-26';
const RAM = '2015-05-01';
const REGION = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';

interface Net { vpc: string; vsw: string; web: string; db: string; ops: string }

async function network(ep: string): Promise<Net> {
  const vpc = String((await callRpc(ep, 'CreateVpc', ECS, { RegionId: REGION, CidrBlock: '172.16.0.0/16', VpcName: 'inst-vpc' }))['VpcId']);
  const vsw = String((await callRpc(ep, 'CreateVSwitch', ECS, { RegionId: REGION, VpcId: vpc, ZoneId: 'cn-hangzhou-h', CidrBlock: '172.16.1.0/24', VSwitchName: 'inst-vsw' }))['VSwitchId']);
  const group = async (name: string) => String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, VpcId: vpc, SecurityGroupName: name }))['SecurityGroupId']);
  return { vpc, vsw, web: await group('web'), db: await group('db'), ops: await group('ops') };
}

async function runInstance(ep: string, net: Net, name: string, extra: Record<string, string> = {}): Promise<string> {
  const r = await callRpc(ep, 'RunInstances', ECS, { RegionId: REGION, ImageId: LINUX, InstanceType: 'ecs.c6.large', VSwitchId: net.vsw, SecurityGroupId: net.web, InstanceName: name, ...extra });
  return ((r['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet)[0]!;
}

async function describe1(ep: string, id: string, creds: Creds = ROOT): Promise<Record<string, unknown>> {
  return callRpc(ep, 'DescribeInstanceAttribute', ECS, { InstanceId: id, RegionId: REGION }, creds);
}

const groupsOf = (i: Record<string, unknown>) => [...(i['SecurityGroupIds'] as { SecurityGroupId: string[] }).SecurityGroupId].sort();

/** Closes an open Select dropdown and waits until it is gone, and the dialog's own animations before axe judges colours. */
async function closeDropdown(page: Page): Promise<void> {
  await closeSelect(page);
  await page.locator('.ant-zoom-appear, .ant-zoom-enter, .ant-select-dropdown-slide-up-leave').waitFor({ state: 'detached' });
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let n = 0; n < 50; n++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting: ${what}`);
}

async function rootConsole(t: Parameters<typeof openConsole>[0]): Promise<ConsoleSession | undefined> {
  const c = await openConsole(t);
  if (c === undefined) return undefined;
  await signInWithAccessKey(c);
  return c;
}

describe('console: instances', () => {
  test('Create Instance through the dialog; the instance is there through the API; axe on the list', async (t) => {
    const c = await rootConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const net = await network(ep);
    await callRpc(ep, 'CreateKeyPair', ECS, { RegionId: REGION, KeyPairName: 'deploy' });

    await page.goto(c.url(`/instances?region=${REGION}`));
    await page.getByRole('heading', { level: 1, name: 'Instances' }).waitFor();
    await page.getByText(`No instances in ${REGION}`).waitFor();
    await settled(page);
    await expectAccessible(page, 'instances list (empty)');

    await page.getByRole('button', { name: 'Create Instance' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Instance' });
    await dialog.getByLabel('Instance name').fill('ui-web');
    await chooseOption(page, 'Image', 'Ubuntu 22.04', dialog);
    await chooseOption(page, 'Instance type', 'ecs.c6.large', dialog);
    await chooseOption(page, 'VPC', net.vpc, dialog);
    await chooseOption(page, 'vSwitch', 'inst-vsw', dialog);
    await chooseOption(page, 'Security groups', net.web, dialog);
    await chooseOption(page, 'Security groups', net.db, dialog);
    await closeDropdown(page);
    await dialog.getByLabel('Public bandwidth').fill('5');
    await chooseOption(page, 'Key pair', 'deploy', dialog);
    await closeDropdown(page);
    await settled(page);
    await expectAccessible(page, 'Create Instance dialog');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const list = await callRpc(ep, 'DescribeInstances', ECS, { RegionId: REGION });
    const made = (list['Instances'] as { Instance: Array<Record<string, unknown>> }).Instance;
    assert.equal(made.length, 1);
    const i = made[0]!;
    assert.equal(i['InstanceName'], 'ui-web');
    assert.equal(i['Status'], 'Running');
    assert.equal(i['ImageId'], LINUX);
    assert.equal(i['KeyPairName'], 'deploy');
    assert.equal(i['InternetMaxBandwidthOut'], 5);
    assert.deepEqual(groupsOf(i), [net.web, net.db].sort());
    assert.equal((i['VpcAttributes'] as { VSwitchId: string }).VSwitchId, net.vsw);
    assert.equal((i['PublicIpAddress'] as { IpAddress: string[] }).IpAddress.length, 1, 'a public IP with bandwidth > 0');

    const row = page.getByRole('row', { name: new RegExp(String(i['InstanceId'])) });
    await row.getByText('ui-web').waitFor();
    await row.getByText('Running').waitFor();
    await row.getByText('deploy').waitFor();
    await settled(page);
    await expectAccessible(page, 'instances list');

    // stop from the row, confirmed, and seen through the API
    await row.getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
    await row.getByText('Stopped').waitFor();
    assert.equal((await describe1(ep, String(i['InstanceId'])))['Status'], 'Stopped');
  });

  test('Create Instance in the classic network: no vSwitch, only classic groups; the API\'s refusal shown; axe in classic mode', async (t) => {
    const c = await rootConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    await network(ep); // a VPC with three groups, none of which a classic instance may join
    const classicGroup = async (name: string) => String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, SecurityGroupName: name }))['SecurityGroupId']);
    const legacy = await classicGroup('legacy-web');
    const other = await classicGroup('legacy-db');
    const trust = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } }] });
    await callRpc(ep, 'CreateRole', RAM, { RoleName: 'EcsReader', AssumeRolePolicyDocument: trust });
    // RunInstances refuses a RAM role on a classic instance (InvalidNetworkType.MismatchRamRole, 403)
    c.expectFailure({ method: 'POST', path: /^\/console\/api\/call$/, status: 403 });

    await page.goto(c.url(`/instances?region=${REGION}`));
    await page.getByText(`No instances in ${REGION}`).waitFor();
    await page.getByRole('button', { name: 'Create Instance' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Instance' });
    await dialog.getByLabel('Instance name').fill('ui-classic');
    await chooseOption(page, 'Image', 'Ubuntu 22.04', dialog);
    await chooseOption(page, 'Instance type', 'ecs.c6.large', dialog);
    await dialog.getByRole('radio', { name: 'Classic network' }).check();
    await dialog.getByText('No VPC or vSwitch').waitFor();
    assert.equal(await dialog.getByRole('combobox', { name: /^(\* )?(VPC|vSwitch)$/ }).count(), 0, 'no VPC or vSwitch in classic mode');
    await chooseOption(page, 'Zone', 'cn-hangzhou-i', dialog);
    await closeDropdown(page);
    // only the region's classic groups are offered, none of the VPC's
    await dialog.getByRole('combobox', { name: /^(\* )?Security groups$/ }).click();
    const options = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option');
    await options.filter({ hasText: legacy }).waitFor();
    assert.deepEqual((await options.allTextContents()).sort(), [`legacy-db (${other})`, `legacy-web (${legacy})`]);
    await options.filter({ hasText: legacy }).click();
    await closeDropdown(page);
    await dialog.getByRole('radio', { name: 'Set later' }).check();
    await settled(page);
    await expectAccessible(page, 'Create Instance dialog, classic network');

    // a RAM role: the API refuses it for a classic instance, and the dialog shows its error
    await chooseOption(page, 'RAM role', 'EcsReader', dialog);
    await closeDropdown(page);
    await dialog.getByRole('button', { name: 'Create' }).click();
    const alert = dialog.getByRole('alert').filter({ hasText: 'InvalidNetworkType.MismatchRamRole' });
    await alert.getByText('A classic-network instance can\'t have a RAM role.').waitFor();
    assert.equal(((await callRpc(ep, 'DescribeInstances', ECS, { RegionId: REGION }))['Instances'] as { Instance: unknown[] }).Instance.length, 0, 'nothing created');
    await settled(page);
    await expectAccessible(page, 'Create Instance dialog, classic network, with the API\'s refusal');

    // without the role it is created
    const roleBox = dialog.locator('.ant-select', { has: page.getByRole('combobox', { name: /^RAM role$/ }) });
    await roleBox.hover();
    await roleBox.locator('.ant-select-clear').click();
    // three of them at once (Quantity: RunInstances' Amount)
    await dialog.getByLabel('Quantity').fill('3');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const list = await callRpc(ep, 'DescribeInstances', ECS, { RegionId: REGION, InstanceNetworkType: 'classic' });
    const made = (list['Instances'] as { Instance: Array<Record<string, unknown>> }).Instance;
    assert.equal(made.length, 3, 'Quantity 3: three instances');
    await page.getByText(/Created 3 instance\(s\): i-/).waitFor();
    for (const x of made) assert.deepEqual([x['InstanceName'], x['InstanceNetworkType'], groupsOf(x)], ['ui-classic', 'classic', [legacy]]);
    const i = made[0]!;
    assert.equal(i['InstanceName'], 'ui-classic');
    assert.equal(i['InstanceNetworkType'], 'classic');
    assert.equal(i['ZoneId'], 'cn-hangzhou-i');
    assert.deepEqual(groupsOf(i), [legacy]);
    assert.deepEqual(i['VpcAttributes'], { VpcId: '', VSwitchId: '', PrivateIpAddress: { IpAddress: [] }, NatIpAddress: '' });
    const inner = (i['InnerIpAddress'] as { IpAddress: string[] }).IpAddress;
    assert.equal(inner.length, 1);
    assert.match(inner[0]!, /^10\.111\./, 'an address of cn-hangzhou\'s classic network');
    const row = page.getByRole('row', { name: new RegExp(String(i['InstanceId'])) });
    await row.getByText('Classic network').waitFor();
    await row.getByText(legacy).waitFor();
  });

  test('Replace Security Group for two selected instances at once', async (t) => {
    const c = await rootConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const net = await network(ep);
    const a = await runInstance(ep, net, 'a');
    const b = await runInstance(ep, net, 'b');
    const other = await runInstance(ep, net, 'other');

    await page.goto(c.url(`/instances?region=${REGION}`));
    for (const id of [a, b]) await page.getByRole('row', { name: new RegExp(id) }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Replace Security Group (2)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replace Security Group for Instances' });
    for (const id of [a, b]) await dialog.getByText(id, { exact: false }).waitFor();
    await chooseOption(page, 'Select security groups', net.db, dialog);
    await chooseOption(page, 'Select security groups', net.ops, dialog);
    await closeDropdown(page);
    await settled(page);
    await expectAccessible(page, 'Replace Security Group dialog');
    await dialog.getByRole('button', { name: 'Replace Security Group' }).click();
    await dialog.waitFor({ state: 'hidden' });

    for (const id of [a, b]) assert.deepEqual(groupsOf(await describe1(ep, id)), [net.db, net.ops].sort(), id);
    assert.deepEqual(groupsOf(await describe1(ep, other)), [net.web], 'the instance not selected keeps its group');
    await page.getByRole('row', { name: new RegExp(a) }).getByText(net.ops).waitFor();
  });

  test('details: groups add/remove, key pair bind pending until restart, RAM role, metadata, public IP; axe', async (t) => {
    const c = await rootConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const net = await network(ep);
    // created, not started, with public bandwidth: no public IP yet
    const id = String((await callRpc(ep, 'CreateInstance', ECS, { RegionId: REGION, ImageId: LINUX, InstanceType: 'ecs.c6.large', VSwitchId: net.vsw, SecurityGroupId: net.web, InstanceName: 'detail', InternetMaxBandwidthOut: '10' }))['InstanceId']);
    await callRpc(ep, 'CreateKeyPair', ECS, { RegionId: REGION, KeyPairName: 'ops-key' });
    const trust = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } }] });
    for (const role of ['EcsReader', 'EcsWriter']) await callRpc(ep, 'CreateRole', RAM, { RoleName: role, AssumeRolePolicyDocument: trust });

    await page.goto(c.url(`/instances/${id}?region=${REGION}`));
    await page.getByRole('heading', { level: 1, name: /Instance details: detail/ }).waitFor();
    await page.getByRole('cell', { name: 'web', exact: true }).waitFor();
    await settled(page);
    await expectAccessible(page, 'instance details');

    // public IP, then start
    await page.getByRole('button', { name: 'Allocate Public IP Address' }).click();
    await until(async () => ((await describe1(ep, id))['PublicIpAddress'] as { IpAddress: string[] }).IpAddress.length === 1, 'a public IP');
    const ip = ((await describe1(ep, id))['PublicIpAddress'] as { IpAddress: string[] }).IpAddress[0]!;
    await page.getByTestId('public-ip').getByText(ip).waitFor();
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByRole('dialog').filter({ hasText: 'Start instances' }).getByRole('button', { name: 'Start' }).click();
    await page.getByText('Running', { exact: true }).first().waitFor();
    assert.equal((await describe1(ep, id))['Status'], 'Running');

    // Add to Security Group: two at once
    await page.getByRole('button', { name: 'Add to Security Group' }).click();
    let dialog = page.getByRole('dialog', { name: 'Add to Security Group' });
    await chooseOption(page, 'Select security groups', net.db, dialog);
    await chooseOption(page, 'Select security groups', net.ops, dialog);
    await closeDropdown(page);
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.deepEqual(groupsOf(await describe1(ep, id)), [net.web, net.db, net.ops].sort());

    // Remove, confirmed with the group named
    await page.getByRole('button', { name: `Remove from ${net.web}` }).click();
    const confirm = page.getByRole('dialog').filter({ hasText: 'Remove from Security Group' });
    await confirm.getByText(net.web).waitFor();
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('button', { name: `Remove from ${net.web}` }).waitFor({ state: 'detached' });
    assert.deepEqual(groupsOf(await describe1(ep, id)), [net.db, net.ops].sort());

    // key pair: bound, pending until the restart the page offers
    await page.getByRole('button', { name: 'Bind/Unbind Key Pair' }).click();
    dialog = page.getByRole('dialog', { name: 'Bind/Unbind SSH Key Pair' });
    await chooseOption(page, 'Key pair', 'ops-key', dialog);
    await dialog.getByRole('button', { name: 'Bind', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    let i = await describe1(ep, id);
    assert.equal(i['KeyPairName'], 'ops-key');
    assert.equal(i['KeyPairChangePending'], true);
    assert.equal(i['EffectiveKeyPairName'], '');
    const pending = page.getByTestId('key-pending-alert');
    await pending.getByText('Key pair ops-key is bound but not in force yet.').waitFor();
    await pending.getByRole('button', { name: 'Restart now' }).click();
    const restart = page.getByRole('dialog').filter({ hasText: 'Restart instances' });
    await restart.getByRole('button', { name: 'Restart' }).click();
    // the confirmation closes once the restart answered; then the instance and the page agree
    await restart.waitFor({ state: 'detached' });
    i = await describe1(ep, id);
    assert.equal(i['KeyPairChangePending'], false, `after the restart: ${JSON.stringify(i)}`);
    assert.equal(i['EffectiveKeyPairName'], 'ops-key');
    await pending.waitFor({ state: 'detached' });

    // RAM role: bind, replace, unbind
    const roleNow = async () => {
      const r = await callRpc(ep, 'DescribeInstanceRamRole', ECS, { RegionId: REGION, InstanceIds: JSON.stringify([id]) });
      return (r['InstanceRamRoleSets'] as { InstanceRamRoleSet: Array<{ RamRoleName: string }> }).InstanceRamRoleSet[0]?.RamRoleName ?? '';
    };
    for (const role of ['EcsReader', 'EcsWriter']) {
      await page.getByRole('button', { name: 'Bind/Unbind RAM Role' }).click();
      dialog = page.getByRole('dialog', { name: 'Bind/Unbind RAM Role' });
      await chooseOption(page, 'RAM role', role, dialog);
      await dialog.getByRole('button', { name: 'OK' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await roleNow(), role);
      await page.getByTestId('ram-role').getByText(role).waitFor();
    }
    await page.getByRole('button', { name: 'Bind/Unbind RAM Role' }).click();
    dialog = page.getByRole('dialog', { name: 'Bind/Unbind RAM Role' });
    await dialog.getByRole('radio', { name: 'Unbind' }).check();
    await dialog.getByText('RAM role EcsWriter will be unbound').waitFor();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await roleNow(), '');

    // metadata: hardened mode
    await page.getByRole('button', { name: 'Modify' }).click();
    dialog = page.getByRole('dialog', { name: 'Modify Instance Metadata Access Mode' });
    await dialog.getByText('Hardened mode').click();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(((await describe1(ep, id))['MetadataOptions'] as { HttpTokens: string }).HttpTokens, 'required');
    await page.getByTestId('metadata-mode').getByText('Hardened mode').waitFor();
    await settled(page);
    await expectAccessible(page, 'instance details after the changes');
  });

  test('a RAM user with AliyunECSReadOnlyAccess sees the list and is refused a stop, with the action named', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const net = await network(ep);
    const id = await runInstance(ep, net, 'guarded');
    await callRpc(ep, 'CreateUser', RAM, { UserName: 'rita' });
    await callRpc(ep, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess', UserName: 'rita' });
    const k = (await callRpc(ep, 'CreateAccessKey', RAM, { UserName: 'rita' }))['AccessKey'] as Record<string, string>;
    c.expectFailure({ method: 'POST', path: /^\/console\/api\/call$/, status: 403 });
    await signInWithAccessKey(c, { accessKeyId: k['AccessKeyId']!, accessKeySecret: k['AccessKeySecret']! });

    await page.goto(c.url(`/instances?region=${REGION}`));
    const row = page.getByRole('row', { name: new RegExp(id) });
    await row.getByText('guarded').waitFor();
    await settled(page);
    await row.getByRole('button', { name: 'Stop' }).click();
    // the confirmation has finished opening before its button is pressed, and is gone once the call is made
    const confirm = page.getByRole('dialog');
    await confirm.waitFor();
    await settled(page);
    await confirm.getByRole('button', { name: 'Stop' }).click();
    await confirm.waitFor({ state: 'detached' });
    const alert = page.getByRole('alert').filter({ hasText: 'You are not authorized' });
    await alert.getByText('Denied action: ecs:StopInstance').waitFor();
    assert.equal((await describe1(ep, id))['Status'], 'Running', 'nothing changed');
    await settled(page);
    await expectAccessible(page, 'instances list with a RAM refusal');
  });
});
