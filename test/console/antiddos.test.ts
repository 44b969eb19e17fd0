// The Anti-DDoS page in a browser (issue 15's console part), with the states driven as
// test/e2e/antiddos.test.ts drives them: the monitor's reports recorded straight into the test
// server (recordDdosReport), so no data plane is needed. The assets list shows an address being
// scrubbed and one black-holed with the right tags and the counts, and so does the Instances list;
// the status filter; Change thresholds (checked through the API), the API's refusal above the
// maximum shown in the dialog, Automatic back to the default; Disable scrubbing after a confirmation
// naming the address, and Enable (through the API); the drawer's traffic chart drawn from the
// fetched samples, and the address's events with their peaks; Appeal a penalty (AppealStatus pending
// through the API); a RAM user with AliyunYundunDDosReadOnlyAccess sees the list and gets the RAM
// error naming yundun-ddos:ModifyDefenseThreshold; axe on the page, the drawer and the dialogs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { callRpc, startTestServer, type Creds, type TestServer } from '../helpers/server.ts';
import { browserUnavailable, checkSettled, chooseOption, expectAccessible, openConsole, signInWithAccessKey } from '../helpers/browser.ts';
import { recordDdosReport } from '../../src/domain/antiddos/report.ts';

const ECS = '2014-05-26';
const RAM = '2015-05-01';
const DDOS = '2017-05-18';
const PARAPET = '2026-11-01';
const REGION = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
/** a black hole at 200 Mbit/s, as the API test sets it */
const ENV = { PARAPET_ANTIDDOS_BLACKHOLE_BPS: '200000000', PARAPET_ANTIDDOS_BLACKHOLE_SECONDS: '7200', PARAPET_PENALTY_OUT_PPS: '5000', PARAPET_PENALTY_SECONDS: '3600' };
const CALL = /^\/console\/api\/call$/;

interface Asset { id: string; ip: string }
interface IpConfig { InstanceIp: string; IpStatus: string; DefenseBpsThreshold: number; DefensePpsThreshold: number; ScrubbingEnabled: boolean }
interface Point { Time: number; BpsIn: number; PpsIn: number; BpsOut: number; PpsOut: number }

describe('the Anti-DDoS page in a browser', { skip: browserUnavailable() }, () => {
  let server: TestServer;
  let ep: string;
  let web: Asset; // being scrubbed, with traffic
  let box: Asset; // black-holed
  let calm: Asset; // normal, penalized for an outbound flood
  let penaltyId: string;
  let reader: Creds;
  let sampleAt: number;

  const ipConfig = async (ip: string): Promise<IpConfig> => {
    const r = await callRpc(ep, 'DescribeInstanceIpAddress', DDOS, { DdosRegionId: REGION, InstanceType: 'ecs', InstanceIp: ip });
    return (r['InstanceList'] as Array<{ IpAddressConfig: IpConfig[] }>)[0]!.IpAddressConfig[0]!;
  };
  const threshold = async (a: Asset) => (await callRpc(ep, 'DescribeIpDdosThreshold', DDOS, { DdosRegionId: REGION, DdosType: 'defense', InstanceType: 'ecs', InstanceId: a.id, InternetIp: a.ip }))['Threshold'] as Record<string, unknown>;
  const assetRow = (page: Page, ip: string) => page.getByTestId('ddos-assets').getByRole('row').filter({ hasText: ip });

  before(async () => {
    server = await startTestServer({ env: ENV });
    ep = server.endpoint;
    const vpc = String((await callRpc(ep, 'CreateVpc', ECS, { RegionId: REGION, CidrBlock: '172.16.0.0/16' }))['VpcId']);
    const vsw = String((await callRpc(ep, 'CreateVSwitch', ECS, { RegionId: REGION, VpcId: vpc, ZoneId: 'cn-hangzhou-h', CidrBlock: '172.16.1.0/24' }))['VSwitchId']);
    const sg = String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, VpcId: vpc, SecurityGroupName: 'ddos-web' }))['SecurityGroupId']);
    const run = async (name: string): Promise<Asset> => {
      const r = await callRpc(ep, 'RunInstances', ECS, { RegionId: REGION, ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vsw, SecurityGroupId: sg, InstanceName: name, InternetMaxBandwidthOut: '5' });
      const id = (r['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
      const a = await callRpc(ep, 'DescribeInstanceAttribute', ECS, { RegionId: REGION, InstanceId: id });
      return { id, ip: (a['PublicIpAddress'] as { IpAddress: string[] }).IpAddress[0]! };
    };
    web = await run('ddos-web');
    box = await run('ddos-box');
    calm = await run('ddos-calm');

    // the monitor's reports: web scrubbed with a few seconds of traffic, box black-holed for 2 h, calm penalized
    const now = Date.now();
    sampleAt = now - 3000;
    const samples = [0, 1, 2].map((i) => ({ ip: web.ip, at: sampleAt + i * 1000, bpsIn: 1e6 * (i + 1), ppsIn: 1000 * (i + 1), bpsOut: 5e5, ppsOut: 400 }));
    await recordDdosReport(server.services, { samples, transitions: [] });
    await recordDdosReport(server.services, {
      samples: [],
      transitions: [
        { kind: 'defenseStart', ip: web.ip, at: now, peakBps: 150e6, peakPps: 25000 },
        { kind: 'blackholeStart', ip: box.ip, at: now, until: now + 7_200_000, peakBps: 250e6, peakPps: 40000 },
        { kind: 'penaltyStart', ip: calm.ip, at: now, until: now + 3_600_000, peakBps: 95e6, peakPps: 60000 },
      ],
    });
    const pens = (await callRpc(ep, 'DescribePenalties', PARAPET, { RegionId: REGION }))['Penalties'] as { Penalty: Array<{ PenaltyId: string; InternetIp: string }> };
    penaltyId = pens.Penalty.find((p) => p.InternetIp === calm.ip)!.PenaltyId;

    await callRpc(ep, 'CreateUser', RAM, { UserName: 'ddos-reader' });
    await callRpc(ep, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunYundunDDosReadOnlyAccess', UserName: 'ddos-reader' });
    const k = (await callRpc(ep, 'CreateAccessKey', RAM, { UserName: 'ddos-reader' }))['AccessKey'] as Record<string, string>;
    reader = { accessKeyId: k['AccessKeyId']!, accessKeySecret: k['AccessKeySecret']! };
  });
  after(async () => { await server.stop(); });

  test('the assets: a scrubbed and a black-holed address with their tags, the counts, the status filter; the Instances list tags them too; axe', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    await signInWithAccessKey(c);

    // reached from the left navigation
    await page.goto(c.url(`/instances?region=${REGION}`));
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Anti-DDoS' }).click();
    await page.waitForURL((u) => u.pathname === '/console/anti-ddos' && u.searchParams.get('region') === REGION);
    await page.getByRole('heading', { level: 1, name: 'Anti-DDoS Basic' }).waitFor();

    await assetRow(page, web.ip).getByText('Scrubbing', { exact: true }).waitFor();
    assert.match(await assetRow(page, box.ip).getByTestId('ddos-status-blackhole').innerText(), /^Black hole · 1:5\d:\d\d left$/, 'the black hole\'s time left');
    await assetRow(page, calm.ip).getByText('Normal', { exact: true }).waitFor();
    const webRow = await assetRow(page, web.ip).innerText();
    assert.match(webRow, new RegExp(`${web.id}[\\s\\S]*ddos-web[\\s\\S]*1,000 Mbit/s[\\s\\S]*300,000 pps[\\s\\S]*200 Mbit/s[\\s\\S]*On`), 'the instance type\'s maximum, the black-hole threshold, scrubbing on');
    assert.equal((await ipConfig(web.ip)).IpStatus, 'defense');
    assert.equal((await ipConfig(box.ip)).IpStatus, 'blackhole');
    for (const [id, n] of [['assets', 3], ['defense', 1], ['blackhole', 1]] as const) {
      await page.getByTestId(`ddos-count-${id}`).locator('.ant-statistic-content-value', { hasText: String(n) }).waitFor();
    }
    await page.getByText('Total 3', { exact: true }).waitFor();
    await expectAccessible(page, 'the Anti-DDoS page');

    // the status filter asks the API (DdosStatus) for the black-holed only
    await chooseOption(page, 'Status', 'Black hole');
    await page.getByText('Total 1', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('ddos-assets').locator('tbody tr.ant-table-row').count(), 1);
    await assetRow(page, box.ip).waitFor();

    // the Instances list: a tag beside the address when it is not normal, linked to it on the Anti-DDoS page
    await page.goto(c.url(`/instances?region=${REGION}`));
    const inst = (id: string) => page.getByRole('row', { name: new RegExp(id) });
    await inst(web.id).getByText('Scrubbing', { exact: true }).waitFor();
    await inst(box.id).getByText('Black hole', { exact: true }).waitFor();
    await inst(calm.id).getByText('ddos-calm').waitFor();
    assert.equal(await inst(calm.id).locator('[data-testid^="ddos-status-"]').count(), 0, 'a normal address has no tag');
    await expectAccessible(page, 'instances with Anti-DDoS tags');
    await inst(box.id).getByRole('link', { name: 'Black hole' }).click();
    await page.waitForURL((u) => u.pathname === '/console/anti-ddos' && u.searchParams.get('ip') === box.ip);
    await page.getByTestId('address-drawer').getByText('Black hole', { exact: false }).first().waitFor();
  });

  test('thresholds changed, refused above the maximum, back to Automatic; scrubbing off and on; the drawer\'s chart and events; a penalty appealed; axe on each', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    c.expectFailure({ method: 'POST', path: CALL, status: 400 }); // the refusal above the maximum
    await signInWithAccessKey(c);
    await page.goto(c.url(`/anti-ddos?region=${REGION}`));
    await assetRow(page, web.ip).waitFor();

    // Change thresholds: the maximum shown, Bps and Pps together
    await assetRow(page, web.ip).getByRole('button', { name: `Change thresholds of ${web.ip}` }).click();
    const dialog = page.getByRole('dialog', { name: `Change the scrubbing thresholds of ${web.ip}` });
    await dialog.getByTestId('threshold-max').getByText('Maximum for this instance type: 1,000 Mbit/s and 300,000 packets/s.').waitFor();
    assert.ok(await dialog.getByLabel('Automatic (default)').isChecked(), 'the default is in force');
    await checkSettled(dialog.getByLabel('Custom'));
    await dialog.getByLabel('Bit rate (Mbit/s)').fill('100');
    await dialog.getByLabel('Packet rate (packets/s)').fill('');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.getByText('Enter the Packet rate (packets/s): both thresholds are set together.').waitFor();
    await dialog.getByLabel('Packet rate (packets/s)').fill('20000');
    await expectAccessible(page, 'the thresholds dialog');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(await threshold(web), { DdosType: 'defense', IsAuto: false, InstanceId: web.id, InternetIp: web.ip, Bps: 100, Pps: 20000, MaxBps: 1000, MaxPps: 300000 });
    await assetRow(page, web.ip).getByTestId('thresholds').getByText('20,000 pps').waitFor();

    // above the maximum: the API's refusal, in the dialog
    await assetRow(page, web.ip).getByRole('button', { name: `Change thresholds of ${web.ip}` }).click();
    await dialog.getByLabel('Bit rate (Mbit/s)').fill('5000');
    await dialog.getByRole('button', { name: 'OK' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.getByText(/`Bps` value `5000` is above the maximum of instance type `ecs\.g5\.large`: 1000 Mbps/).waitFor();
    await expectAccessible(page, 'the thresholds dialog with the API\'s refusal');
    assert.equal((await threshold(web))['Bps'], 100, 'nothing changed');

    // Automatic (default): back to the maximum
    await dialog.getByLabel('Automatic (default)').check();
    await dialog.getByText('The instance type\'s maximum: 1,000 Mbit/s and 300,000 packets/s.').waitFor();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'detached' });
    const auto = await threshold(web);
    assert.deepEqual([auto['IsAuto'], auto['Bps'], auto['Pps']], [true, 1000, 300000]);
    await assetRow(page, web.ip).getByTestId('thresholds').getByText('300,000 pps').waitFor();

    // Disable scrubbing: a confirmation naming the address, saying it is not advised
    await assetRow(page, calm.ip).getByRole('button', { name: `Disable scrubbing for ${calm.ip}` }).click();
    const confirm = page.getByRole('dialog').filter({ hasText: `Disable scrubbing for ${calm.ip}?` });
    await confirm.getByText('This is not advised.').waitFor();
    await confirm.getByText(new RegExp(`Traffic to ${calm.ip.replace(/\./g, '\\.')} over its scrubbing thresholds will no longer be scrubbed`)).waitFor();
    await expectAccessible(page, 'the Disable scrubbing confirmation');
    await confirm.getByRole('button', { name: 'Disable scrubbing' }).click();
    await assetRow(page, calm.ip).getByTestId('scrubbing').getByText('Off').waitFor();
    assert.equal((await ipConfig(calm.ip)).ScrubbingEnabled, false);
    await assetRow(page, calm.ip).getByRole('button', { name: `Enable scrubbing for ${calm.ip}` }).click();
    await assetRow(page, calm.ip).getByTestId('scrubbing').getByText('On').waitFor();
    assert.equal((await ipConfig(calm.ip)).ScrubbingEnabled, true);

    // the drawer: the traffic chart from DescribeCap's samples, and the events with their peaks
    const cap = page.waitForResponse((r) => new URL(r.url()).pathname === '/console/api/call' && (r.request().postData() ?? '').includes('"DescribeCap"'));
    await assetRow(page, web.ip).getByRole('button', { name: `Traffic and events of ${web.ip}` }).click();
    const drawer = page.getByTestId('address-drawer');
    const points = ((await (await cap).json()) as { Traffic: { Point: Point[] } }).Traffic.Point;
    assert.ok(points.length >= 290 && points.length <= 301, `the last 5 minutes, one point a second (${points.length})`);
    const at = (ms: number) => points.find((p) => p.Time === Math.floor(ms / 1000) * 1000);
    assert.deepEqual(at(sampleAt + 2000), { Time: Math.floor((sampleAt + 2000) / 1000) * 1000, BpsIn: 3e6, PpsIn: 3000, BpsOut: 5e5, PpsOut: 400 }, 'the samples were fetched');
    const chart = drawer.getByTestId('traffic-chart');
    await chart.locator('canvas').first().waitFor();
    assert.match(String(await chart.getAttribute('aria-label')), /^Traffic chart of \d+ seconds; highest inbound rate 3 Mbit\/s\.$/);
    const endTime = ((await (await cap).json()) as { EndTime: number }).EndTime;
    assert.equal(Number(await chart.getAttribute('data-points')), points.filter((p) => p.Time <= endTime - 2000).length, 'the chart draws the points fetched but the newest two seconds, not reported yet');
    const event = drawer.getByTestId('ddos-events').locator('tbody tr.ant-table-row');
    await event.first().waitFor();
    assert.equal(await event.count(), 1);
    assert.match(await event.first().innerText(), /Scrubbing[\s\S]*—[\s\S]*150 Mbit\/s[\s\S]*25,000[\s\S]*Ongoing/);
    // it is fetched again every few seconds
    await page.waitForResponse((r) => (r.request().postData() ?? '').includes('"DescribeCap"'), { timeout: 10_000 });
    await expectAccessible(page, 'the address drawer');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });

    // a penalty appealed
    const penalty = page.getByTestId('penalties').getByRole('row').filter({ hasText: penaltyId });
    assert.match(await penalty.innerText(), new RegExp(`${calm.id}[\\s\\S]*In force[\\s\\S]*95 Mbit/s · 60,000 pps[\\s\\S]*Not appealed`));
    await penalty.getByRole('button', { name: `Appeal penalty ${penaltyId}` }).click();
    const appeal = page.getByRole('dialog', { name: `Appeal penalty ${penaltyId}` });
    await appeal.getByRole('button', { name: 'Appeal' }).click();
    await appeal.getByText('Enter a reason.').waitFor();
    await appeal.getByLabel('Reason').fill('a nightly backup to our own off-site store');
    await expectAccessible(page, 'the appeal dialog');
    await appeal.getByRole('button', { name: 'Appeal' }).click();
    await appeal.waitFor({ state: 'detached' });
    await penalty.getByText('Pending review').waitFor();
    const api = ((await callRpc(ep, 'DescribePenalties', PARAPET, { RegionId: REGION, PenaltyId: penaltyId }))['Penalties'] as { Penalty: Array<Record<string, unknown>> }).Penalty[0]!;
    assert.deepEqual([api['AppealStatus'], api['AppealReason']], ['pending', 'a nightly backup to our own off-site store']);
    assert.equal(await penalty.getByRole('button', { name: `Appeal penalty ${penaltyId}` }).count(), 0, 'appealed once');
  });

  test('a RAM user with AliyunYundunDDosReadOnlyAccess sees the list and gets the RAM error naming yundun-ddos:ModifyDefenseThreshold', async (t) => {
    const c = await openConsole(t, { server });
    if (c === undefined) return;
    const { page } = c;
    c.expectFailure({ method: 'POST', path: CALL, status: 403 });
    await signInWithAccessKey(c, reader);
    await page.goto(c.url(`/anti-ddos?region=${REGION}`));
    await assetRow(page, web.ip).getByText('Scrubbing', { exact: true }).waitFor();
    await page.getByTestId('penalties').getByRole('row').filter({ hasText: penaltyId }).waitFor();

    await assetRow(page, box.ip).getByRole('button', { name: `Change thresholds of ${box.ip}` }).click();
    const dialog = page.getByRole('dialog', { name: `Change the scrubbing thresholds of ${box.ip}` });
    await dialog.getByTestId('threshold-max').waitFor();
    await checkSettled(dialog.getByLabel('Custom'));
    await dialog.getByLabel('Bit rate (Mbit/s)').fill('10');
    await dialog.getByLabel('Packet rate (packets/s)').fill('100');
    await dialog.getByRole('button', { name: 'OK' }).click();
    const alert = dialog.getByRole('alert').filter({ hasText: 'You are not authorized' });
    await alert.getByText('Denied action: yundun-ddos:ModifyDefenseThreshold').waitFor();
    await expectAccessible(page, 'the thresholds dialog with a RAM refusal');
    const th = await threshold(box);
    assert.deepEqual([th['IsAuto'], th['Bps']], [true, 1000], 'nothing changed');
  });
});
