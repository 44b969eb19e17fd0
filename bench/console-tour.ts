// `npm run console:tour [folder]`: a PNG of every console page in English and in 简体中文, for a
// person to look at. Starts a throw-away Parapet server with some demo data (a VPC and vSwitch,
// security groups from a template and with rules between them, a key pair, instances, a RAM user
// with a policy, Anti-DDoS states recorded as the monitor reports them: one address scrubbed with a
// few minutes of traffic, one black-holed, a penalty; Security Center: web-1 with the agent, a
// brute force on it and a Redis it exposes reported as the watcher reports them, an anti-brute-force
// rule, a logon setting, the inbox notifications), signs in with the root AccessKey in Debian's
// chromium, and visits each route of console/src/route-table.ts (a route with parameters at the demo
// data's ids), then the pages' states worth a look of their own (EXTRA: the Anti-DDoS drawer). Writes
// <folder>/<lang>/<nn>-<route>.png (default folder console-tour/, gitignored). Prints every page
// error, console error and failed request it saw, and exits non-zero if there was one.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ROUTES } from '../console/src/route-table.ts';
import { callRpc, startTestServer, ROOT } from '../test/helpers/server.ts';
import { CHROMIUM, CHROMIUM_FLAGS, browserUnavailable, ensureConsoleBuilt } from '../test/helpers/browser.ts';
import { recordDdosReport } from '../src/domain/antiddos/report.ts';
import { recordListeners, recordLogonEvents } from '../src/domain/security-center/evidence.ts';

const ECS = '2014-05-26';
const RAM = '2015-05-01';
const PARAPET = '2026-11-01';
const SAS = '2018-12-03';
const R = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';

const out = resolve(process.argv[2] ?? 'console-tour');
const missing = browserUnavailable();
if (missing !== undefined) {
  process.stderr.write(`console:tour needs a browser: ${missing}\n`);
  process.exit(1);
}
await ensureConsoleBuilt();
const server = await startTestServer({ env: { PARAPET_ANTIDDOS_BLACKHOLE_BPS: '2000000000', PARAPET_PENALTY_OUT_PPS: '50000' } });
const ep = server.endpoint;
const origin = `http://${ep}`;
const userDataDir = mkdtempSync(join(tmpdir(), 'parapet-tour-'));
const problems: string[] = [];

try {
  // demo data
  const vpcId = String((await callRpc(ep, 'CreateVpc', ECS, { RegionId: R, CidrBlock: '172.16.0.0/16', VpcName: 'demo-vpc' }))['VpcId']);
  const zones = (await callRpc(ep, 'DescribeZones', ECS, { RegionId: R }))['Zones'] as { Zone: Array<{ ZoneId: string }> };
  const zoneId = zones.Zone[0]!.ZoneId;
  const vswId = String((await callRpc(ep, 'CreateVSwitch', ECS, { RegionId: R, VpcId: vpcId, ZoneId: zoneId, CidrBlock: '172.16.1.0/24', VSwitchName: 'demo-vsw' }))['VSwitchId']);
  const web = String((await callRpc(ep, 'CreateSecurityGroupFromTemplate', PARAPET, { RegionId: R, VpcId: vpcId, Template: 'web-server-linux', SecurityGroupName: 'web' }))['SecurityGroupId']);
  const db = String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: R, VpcId: vpcId, SecurityGroupName: 'db', Description: 'MySQL, reachable from web only' }))['SecurityGroupId']);
  await callRpc(ep, 'AuthorizeSecurityGroup', ECS, { RegionId: R, SecurityGroupId: db, IpProtocol: 'tcp', PortRange: '3306/3306', SourceGroupId: web, Priority: '1', Description: 'MySQL from web' });
  await callRpc(ep, 'AuthorizeSecurityGroup', ECS, { RegionId: R, SecurityGroupId: db, IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0', Policy: 'drop', Priority: '100', Description: 'no SSH from anywhere' });
  await callRpc(ep, 'CreateKeyPair', ECS, { RegionId: R, KeyPairName: 'demo-key' });
  const run = await callRpc(ep, 'RunInstances', ECS, { RegionId: R, ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vswId, SecurityGroupId: web, KeyPairName: 'demo-key', InstanceName: 'web-1', InternetMaxBandwidthOut: '5', SecurityEnhancementStrategy: 'Active' });
  const instanceId = (run['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
  await callRpc(ep, 'CreateUser', RAM, { UserName: 'alice', DisplayName: 'Alice' });
  await callRpc(ep, 'CreateLoginProfile', RAM, { UserName: 'alice', Password: 'Alice-Passw0rd', PasswordResetRequired: 'true' });
  await callRpc(ep, 'AttachPolicyToUser', RAM, { UserName: 'alice', PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess' });
  const publicIpOf = async (id: string) => ((await callRpc(ep, 'DescribeInstanceAttribute', ECS, { RegionId: R, InstanceId: id }))['PublicIpAddress'] as { IpAddress: string[] }).IpAddress[0]!;
  const more = async (name: string) => ((await callRpc(ep, 'RunInstances', ECS, { RegionId: R, ImageId: LINUX, InstanceType: 'ecs.c6.large', VSwitchId: vswId, SecurityGroupId: web, InstanceName: name, InternetMaxBandwidthOut: '10' }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
  const webIp = await publicIpOf(instanceId);
  const apiIp = await publicIpOf(await more('api-1'));
  const mailIp = await publicIpOf(await more('mail-1'));
  // Anti-DDoS: web-1 under a flood since two minutes ago (scrubbed), api-1 black-holed, mail-1
  // penalized. web-1's series runs five minutes ahead too, so its chart still shows the flood when
  // the tour reaches it (DescribeCap answers up to now only).
  const now = Date.now();
  await recordDdosReport(server.services, {
    samples: Array.from({ length: 480 }, (_v, i) => {
      const flooding = i >= 60 ? 1 : 0;
      return {
        ip: webIp, at: now - (180 - i) * 1000,
        bpsIn: 4e6 + 3e6 * Math.sin(i / 9) + flooding * (1.1e9 + 0.15e9 * Math.sin(i / 4)), ppsIn: 900 + 300 * Math.sin(i / 7) + flooding * (160_000 + 20_000 * Math.sin(i / 3)),
        bpsOut: 9e6 + 2e6 * Math.cos(i / 11), ppsOut: 1200 + 200 * Math.cos(i / 5),
      };
    }),
    transitions: [
      { kind: 'defenseStart', ip: webIp, at: now - 119_000, peakBps: 1.25e9, peakPps: 180_000 },
      { kind: 'blackholeStart', ip: apiIp, at: now - 600_000, until: now + 8_400_000, peakBps: 6.1e9, peakPps: 910_000 },
      { kind: 'penaltyStart', ip: mailIp, at: now - 300_000, until: now + 3_300_000, peakBps: 310e6, peakPps: 95_000 },
    ],
  });
  // Security Center: the inbox on, a rule and a logon setting, then what web-1's watcher reports (a
  // brute force from one address, a Redis listening on every address that the web group opens)
  await callRpc(ep, 'ModifySecurityNotification', PARAPET, { Method: 'inbox', Levels: 'serious,suspicious' });
  await callRpc(ep, 'CreateAntiBruteForceRule', SAS, { Name: 'ssh-default', FailCount: '10', Span: '5', ForbiddenTime: '60', DefaultRule: 'true' });
  await callRpc(ep, 'ModifyLoginBaseConfig', SAS, { Type: 'login_common_ip', Config: JSON.stringify({ ip: '198.51.100.0/24' }) });
  await callRpc(ep, 'AuthorizeSecurityGroup', ECS, { RegionId: R, SecurityGroupId: web, IpProtocol: 'tcp', PortRange: '6379/6379', SourceCidrIp: '0.0.0.0/0', Description: 'Redis (to be closed)' });
  await recordLogonEvents(server.services, Array.from({ length: 12 }, (_v, i) => ({ instanceId, sourceIp: '203.0.113.66', at: now - 60_000 + i * 2000, account: 'root', method: 'password' as const, success: false })));
  await recordListeners(server.services, instanceId, [{ proto: 'tcp', port: 22, address: '0.0.0.0' }, { proto: 'tcp', port: 6379, address: '0.0.0.0' }]);
  const samples: Record<string, string> = { sg: web, instance: instanceId, user: 'alice' };
  /** pages in a state of their own, after the routes: [file name, path (with its own query)] */
  const EXTRA: Array<[string, string]> = [['anti-ddos-address', `anti-ddos?ip=${webIp}`]];

  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS, '--lang=en-US'], locale: 'en-US', viewport: { width: 1366, height: 860 },
    // no animations (console/src/reduced-motion.ts): nothing is caught mid-motion
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? await context.newPage();
  let where = 'sign-in';
  page.on('pageerror', (e) => problems.push(`${where}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded')) problems.push(`${where}: console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => { if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`${where}: request failed: ${r.method()} ${r.url()}`); });
  page.on('response', (r) => {
    const unauthenticatedCheck = r.status() === 401 && new URL(r.url()).pathname === '/console/api/session';
    if (r.status() >= 400 && !unauthenticatedCheck) problems.push(`${where}: ${r.request().method()} ${r.url()} answered ${r.status()}`);
  });

  const settle = async (p: Page) => {
    await p.waitForLoadState('networkidle').catch(() => undefined);
    await p.locator('.ant-spin-spinning, .ant-skeleton-active').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
    await p.waitForTimeout(300); // antd's enter animations
  };

  let shots = 0;
  const shoot = async (lang: 'en' | 'zh', name: string, fullPage = true) => {
    const dir = join(out, lang);
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, name), fullPage });
    shots++;
  };
  // the sign-in page in both languages, before signing in (signed in, it moves on to the overview)
  for (const lang of ['en', 'zh'] as const) {
    where = `${lang} sign-in`;
    await page.goto(`${origin}/console/signin`);
    await page.evaluate((l) => { localStorage.setItem('parapet.lang', l); }, lang);
    await page.reload();
    await settle(page);
    await shoot(lang, '00-signin.png');
  }
  await page.evaluate(() => { localStorage.setItem('parapet.lang', 'en'); });
  await page.reload();
  await page.getByLabel('AccessKey ID').fill(ROOT.accessKeyId);
  await page.getByLabel('AccessKey secret').fill(ROOT.accessKeySecret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/console/signin'));
  for (const lang of ['en', 'zh'] as const) {
    await page.evaluate((l) => { localStorage.setItem('parapet.lang', l); }, lang);
    for (const [i, route] of ROUTES.entries()) {
      const path = ('sample' in route ? route.sample : route.path).replace(/\{(\w+)\}/g, (_m, k: string) => samples[k] ?? k);
      where = `${lang} /console/${path}`;
      await page.goto(`${origin}/console/${path}?region=${R}`);
      await settle(page);
      await shoot(lang, `${String(i + 1).padStart(2, '0')}-${route.path === '' ? 'overview' : route.path.replace(/[/:]+/g, '-')}.png`);
    }
    for (const [j, [name, path]] of EXTRA.entries()) {
      where = `${lang} /console/${path}`;
      await page.goto(`${origin}/console/${path}${path.includes('?') ? '&' : '?'}region=${R}`);
      await settle(page);
      await page.waitForTimeout(700); // a drawer slides in
      // the viewport: a drawer is fixed to it, a full-page shot would cut it
      await shoot(lang, `${String(ROUTES.length + j + 1).padStart(2, '0')}-${name}.png`, false);
    }
  }
  await context.close();
  process.stdout.write(`console:tour: ${shots} screenshots in ${out}\n`);
} finally {
  await server.stop();
  rmSync(userDataDir, { recursive: true, force: true });
}
if (problems.length > 0) {
  process.stdout.write(`console:tour: ${problems.length} problem(s) in the pages:\n${problems.map((p) => '  ' + p).join('\n')}\n`);
  process.exitCode = 1;
}
