// Anti-DDoS Basic through the API (antiddos-public 2017-05-18 and Parapet's 2026-11-01 additions)
// with the official SDKs' generic client, on both store engines: assets and thresholds, the
// monitor's reports (recordDdosReport, driven directly) as states, events with peaks, counts and
// the DescribeCap series, black holes that end by time or by `parapet admin release-blackhole`,
// penalties with appeals and `parapet admin end-penalty`, scrubbing switched off, RAM's DDoS system
// policies, and CheckNetworkAccess / `parapet explain` saying what a black hole, a penalty or
// scrubbing does to a flow. Times come from a ManualClock kept near the real one (the SDKs sign
// with the real time).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, freshSchema, dropSchema, ROOT, type TestServer, type EcsClient, type Creds } from '../helpers/server.ts';
import { POSTGRES_URL, probedEngines } from '../helpers/stores.ts';
import { ManualClock } from '../../src/clock.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';
import { readDesiredState } from '../../src/domain/dataplane-state.ts';
import { recordDdosReport } from '../../src/domain/antiddos/report.ts';
import type { DdosTransition, DdosSample } from '../../src/domain/antiddos/model.ts';
import { explain } from '../../src/cli/explain.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const DDOS = '2017-05-18';
const PARAPET = '2026-11-01';
const BIN = fileURLToPath(new URL('../../bin/parapet.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const OTHER = { accountId: '2234567890123457', accessKeyId: 'LTAIddosother0000001', accessKeySecret: 'ddos-other-secret-00001' };
const ENV = { PARAPET_ANTIDDOS_BLACKHOLE_BPS: '200000000', PARAPET_ANTIDDOS_BLACKHOLE_SECONDS: '120', PARAPET_PENALTY_OUT_PPS: '5000', PARAPET_PENALTY_SECONDS: '120' };
const INTERNET_PEER = '198.51.100.7';

type Body = Record<string, unknown>;
interface IpConfig { InstanceIp: string; IpStatus: string; DefenseBpsThreshold: number; DefensePpsThreshold: number; BlackholeThreshold: number; ElasticThreshold: number; ScrubbingEnabled: boolean; UnBlackholeTime?: number; RegionId: string }
interface DdosEventWire { DdosType: string; StartTime: number; EndTime?: number; DelayTime?: number; DdosStatus: string; UnBlackholeTime?: number; EventId: string; InstanceId: string; InternetIp: string; PeakBps: number; PeakPps: number; Released: boolean }
interface PenaltyWire { PenaltyId: string; InstanceId: string; InternetIp: string; Status: string; StartTime: string; PlannedEndTime: string; EndTime: string; EndedBy: string; PeakOutBps: number; PeakOutPps: number; AppealStatus: string; AppealReason: string }

for (const { engine, skip } of await probedEngines()) {
  describe(`Anti-DDoS Basic (${engine.name})`, { skip }, () => {
    let server: TestServer;
    let clock: ManualClock;
    let schema: string | undefined;
    let ecs: EcsClient;
    let web: { id: string; ip: string };
    let small: { id: string; ip: string };
    let privateOnly: string;
    let theirs: { id: string; ip: string };
    let readOnly: Creds;
    let fullAccess: Creds;

    const A = (action: string, q: Record<string, string>, creds: Creds = ROOT) => callRpc(server.endpoint, action, DDOS, q, creds);
    const P = (action: string, q: Record<string, string>, creds: Creds = ROOT) => callRpc(server.endpoint, action, PARAPET, q, creds);
    const err = async (p: Promise<unknown>) => { const e = await sdkError(p); return { code: e.code, status: e.statusCode, message: e.message }; };
    const ipConfigs = async (q: Record<string, string> = {}, creds: Creds = ROOT) => {
      const r = await A('DescribeInstanceIpAddress', { DdosRegionId: R, InstanceType: 'ecs', ...q }, creds);
      return { total: r['Total'] as number, list: r['InstanceList'] as Array<{ InstanceId: string; InstanceStatus: string; InstanceName: string; IpAddressConfig: IpConfig[] }> };
    };
    const ipConfig = async (ip: string) => (await ipConfigs({ InstanceIp: ip })).list[0]!.IpAddressConfig[0]!;
    const events = async (q: Record<string, string> = {}) => {
      const r = await A('DescribeDdosEventList', { DdosRegionId: R, InstanceType: 'ecs', ...q });
      return { total: r['Total'] as number, list: (r['DdosEventList'] as { DdosEvent: DdosEventWire[] }).DdosEvent };
    };
    const penalties = async (q: Record<string, string> = {}, creds: Creds = ROOT) => {
      const r = await P('DescribePenalties', { RegionId: R, ...q }, creds);
      return { total: r['TotalCount'] as number, list: (r['Penalties'] as { Penalty: PenaltyWire[] }).Penalty };
    };
    const check = (instanceId: string, direction: string, peer: string, port = 80) => P('CheckNetworkAccess', { RegionId: R, InstanceId: instanceId, Direction: direction, IpProtocol: 'tcp', Port: String(port), PeerIpAddress: peer }) as Promise<Body & { Verdict: string; Reason: string }>;
    const report = (transitions: DdosTransition[], samples: DdosSample[] = []) => recordDdosReport(server.services, { samples, transitions });
    const desired = () => readDesiredState(server.store.db, 0, clock.now());
    /** `parapet admin …` on the server's store, as an operator runs it. */
    const admin = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env: Record<string, string | undefined> = { ...process.env, PARAPET_DATA_DIR: server.dataDir };
      if (schema !== undefined) Object.assign(env, { PARAPET_DATABASE_URL: POSTGRES_URL, PARAPET_DATABASE_SCHEMA: schema });
      execFile(TSX, [BIN, 'admin', ...args], { env, encoding: 'utf8', timeout: 60_000 }, (e, stdout, stderr) => {
        resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : -1, stdout, stderr });
      });
    });

    before(async () => {
      clock = new ManualClock(Date.now());
      schema = engine.name === 'postgres' ? freshSchema() : undefined;
      server = await startTestServer({ engine: engine.name, clock, env: ENV, ...(schema !== undefined ? { schema } : {}) });
      await ensureAccount(server.services, OTHER);
      ecs = ecsClient(server.endpoint);
      const vpc = vpcClient(server.endpoint);
      const vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.30.0.0/16' }))).body!.vpcId!;
      const vswId = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '10.30.1.0/24' }))).body!.vSwitchId!;
      const sg = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId }))).body!.securityGroupId!;
      await ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: sg, permissions: [new $.AuthorizeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '0.0.0.0/0' })] }));
      const run = async (client: EcsClient, group: string, vsw: string, type: string, name: string, bandwidth: number) => {
        const id = (await client.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: type, vSwitchId: vsw, securityGroupId: group, instanceName: name, internetMaxBandwidthOut: bandwidth }))).body!.instanceIdSets!.instanceIdSet![0]!;
        const inst = (await client.describeInstances(new $.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([id]) }))).body!.instances!.instance![0]!;
        return { id, ip: inst.publicIpAddress?.ipAddress?.[0] ?? '' };
      };
      web = await run(ecs, sg, vswId, 'ecs.g5.large', 'web-frontend', 5);
      small = await run(ecs, sg, vswId, 'ecs.t5-lc1m1.small', 'small-box', 1);
      privateOnly = (await run(ecs, sg, vswId, 'ecs.g5.large', 'no-public', 0)).id;
      const other = ecsClient(server.endpoint, OTHER);
      const ovpc = vpcClient(server.endpoint, OTHER);
      const ovpcId = (await ovpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.40.0.0/16' }))).body!.vpcId!;
      const ovsw = (await ovpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId: ovpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '10.40.1.0/24' }))).body!.vSwitchId!;
      const osg = (await other.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId: ovpcId }))).body!.securityGroupId!;
      theirs = await run(other, osg, ovsw, 'ecs.g5.large', 'theirs', 5);
      assert.ok(web.ip !== '' && small.ip !== '' && theirs.ip !== '', 'public addresses were allocated');

      const RAM = '2015-05-01';
      const user = async (name: string, policy: string): Promise<Creds> => {
        await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: name });
        await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: policy, UserName: name });
        const k = (await callRpc(server.endpoint, 'CreateAccessKey', RAM, { UserName: name }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
        return { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
      };
      readOnly = await user('ddos-reader', 'AliyunYundunDDosReadOnlyAccess');
      fullAccess = await user('ddos-admin', 'AliyunYundunDDosFullAccess');
    });
    after(async () => {
      await server.stop();
      if (schema !== undefined) await dropSchema(schema);
    });

    test('DescribeRegions and DescribeDdosCredit', async () => {
      const regions = (await A('DescribeRegions', {}))['Regions'] as { Region: Array<{ RegionNoAlias: string; RegionEnName: string; RegionName: string; RegionNo: string }> };
      assert.deepEqual(regions.Region.find((r) => r.RegionNoAlias === R), { RegionNoAlias: R, RegionNo: R, RegionEnName: 'China (Hangzhou)', RegionName: '华东1（杭州）' });
      const credit = await A('DescribeDdosCredit', { DdosRegionId: R });
      assert.deepEqual(credit['DdosCredit'], { Score: 1000, ScoreLevel: 'A', BlackholeTime: 2 }, 'PARAPET_ANTIDDOS_BLACKHOLE_SECONDS=120 is 2 minutes');
      assert.equal((await err(A('DescribeDdosCredit', { DdosRegionId: 'mars-1' }))).code, 'InvalidRegionId.NotFound');
    });

    test('assets: the caller\'s instances with a public address, their default thresholds, filters and paging', async () => {
      const all = await ipConfigs();
      assert.equal(all.total, 2, 'the instance without a public address and the other account\'s are not listed');
      assert.deepEqual(all.list.map((i) => i.InstanceId).sort(), [web.id, small.id].sort());
      const w = all.list.find((i) => i.InstanceId === web.id)!;
      assert.equal(w.InstanceStatus, 'normal');
      assert.deepEqual(w.IpAddressConfig[0], {
        InstanceIp: web.ip, IsBgppack: false, IpVersion: 'v4', IpStatus: 'normal', RegionId: R, ElasticThreshold: 200, BlackholeThreshold: 200,
        DefenseBpsThreshold: 1000, DefensePpsThreshold: 300000, IsFullProtection: 0, ScrubbingEnabled: true,
      }, 'ecs.g5.large: 1,000 Mbit/s and 300,000 pps; the black hole at PARAPET_ANTIDDOS_BLACKHOLE_BPS');
      assert.equal((await ipConfig(small.ip)).DefenseBpsThreshold, 100, 'ecs.t5-lc1m1.small: 100 Mbit/s');
      const p1 = await ipConfigs({ PageSize: '1', CurrentPage: '1' });
      const p2 = await ipConfigs({ PageSize: '1', CurrentPage: '2' });
      assert.deepEqual([p1.total, p1.list.length, p2.list.length], [2, 1, 1]);
      assert.notEqual(p1.list[0]!.InstanceId, p2.list[0]!.InstanceId);
      assert.deepEqual((await ipConfigs({ InstanceName: 'frontend' })).list.map((i) => i.InstanceId), [web.id]);
      assert.deepEqual((await ipConfigs({ InstanceId: small.id })).list.map((i) => i.InstanceId), [small.id]);
      assert.equal((await ipConfigs({ DdosStatus: 'blackhole' })).total, 0);
      assert.equal((await ipConfigs({ InstanceType: 'slb' })).total, 0, 'no SLB assets');
      const old = await A('DescribeInstance', { DdosRegionId: R, InstanceType: 'ecs', InstanceIp: web.ip });
      assert.deepEqual(old['Total'], 1);
      const inst = (old['InstanceList'] as { Instance: Body[] }).Instance[0]!;
      assert.deepEqual([inst['InstanceId'], inst['InstanceStatus'], inst['DefenseBpsThreshold'], inst['DefensePpsThreshold'], inst['InstanceType']], [web.id, 'normal', 1000, 300000, 'ecs']);
      for (const [q, code] of [
        [{ InstanceType: 'vm' }, 'InvalidParameter'], [{ PageSize: '51' }, 'InvalidParameter'], [{ DdosStatus: 'burning' }, 'InvalidParameter'], [{ DdosRegionId: 'mars-1' }, 'InvalidRegionId.NotFound'],
      ] as const) assert.equal((await err(ipConfigs(q))).code, code, JSON.stringify(q));
      // another account sees its own
      assert.deepEqual((await ipConfigs({}, OTHER)).list.map((i) => i.InstanceId), [theirs.id]);
    });

    test('thresholds: Bps and Pps together, never above the instance type\'s maximum; IsAuto returns to it', async () => {
      const modify = (q: Record<string, string>, creds: Creds = ROOT) => A('ModifyDefenseThreshold', { DdosRegionId: R, InstanceType: 'ecs', InstanceId: web.id, ...q }, creds);
      const alone = await err(modify({ Bps: '100' }));
      assert.deepEqual([alone.code, alone.status], ['MissingParameter', 400]);
      assert.match(alone.message, /`Pps` must be given together with `Bps`/);
      assert.equal((await err(modify({}))).code, 'MissingParameter');
      const above = await err(modify({ Bps: '1001', Pps: '1000' }));
      assert.deepEqual([above.code, above.status], ['InvalidParameter', 400]);
      assert.match(above.message, /`Bps` value `1001` is above the maximum of instance type `ecs\.g5\.large`: 1000 Mbps/);
      assert.match((await err(modify({ Bps: '10', Pps: '300001' }))).message, /`Pps`.*300000 pps/);
      assert.equal((await err(modify({ Bps: '0', Pps: '10' }))).code, 'InvalidParameter');
      assert.equal((await err(modify({ InstanceId: 'i-nothere', Bps: '10', Pps: '10' }))).code, 'InvalidInstanceId.NotFound');
      assert.equal((await err(modify({ InstanceId: theirs.id, Bps: '10', Pps: '10' }))).code, 'InvalidInstanceId.NotFound', 'another account\'s instance');
      assert.match((await err(modify({ InstanceId: privateOnly, Bps: '10', Pps: '10' }))).message, /has no public IP address/);
      assert.equal((await err(modify({ InternetIp: small.ip, Bps: '10', Pps: '10' }))).code, 'InvalidInternetIp.NotFound');

      await modify({ Bps: '100', Pps: '20000', InternetIp: web.ip });
      const t = (await A('DescribeIpDdosThreshold', { DdosRegionId: R, DdosType: 'defense', InstanceType: 'ecs', InstanceId: web.id, InternetIp: web.ip }))['Threshold'];
      assert.deepEqual(t, { DdosType: 'defense', IsAuto: false, InstanceId: web.id, InternetIp: web.ip, Bps: 100, Pps: 20000, MaxBps: 1000, MaxPps: 300000 });
      const watched = (await desired()).ddos.ips.find((i) => i.ip === web.ip)!;
      assert.deepEqual([watched.defenseBps, watched.defensePps, watched.scrubbing, watched.instanceId], [100_000_000, 20000, true, web.id], 'the data plane gets bits per second');
      const both = (await A('DescribeDdosThreshold', { DdosRegionId: R, DdosType: 'blackhole', InstanceType: 'ecs', 'InstanceIds.1': web.id, 'InstanceIds.2': small.id }))['Thresholds'] as { Threshold: Body[] };
      assert.deepEqual(both.Threshold.map((x) => [x['InstanceId'], x['DdosType'], x['Bps'], x['ElasticBps']]), [[web.id, 'blackhole', 200, 200], [small.id, 'blackhole', 200, 200]]);
      assert.equal((await err(A('DescribeDdosThreshold', { DdosRegionId: R, DdosType: 'both', InstanceType: 'ecs', 'InstanceIds.1': web.id }))).code, 'InvalidParameter');

      await A('ModifyIpDefenseThreshold', { DdosRegionId: R, InstanceType: 'ecs', InstanceId: small.id, InternetIp: small.ip, Bps: '50', Pps: '10000' });
      assert.deepEqual([(await ipConfig(small.ip)).DefenseBpsThreshold, (await ipConfig(small.ip)).DefensePpsThreshold], [50, 10000]);
      await A('ModifyIpDefenseThreshold', { DdosRegionId: R, InstanceType: 'ecs', InstanceId: small.id, InternetIp: small.ip, IsAuto: 'true', Bps: '1' });
      assert.deepEqual([(await ipConfig(small.ip)).DefenseBpsThreshold, (await ipConfig(small.ip)).DefensePpsThreshold], [100, 50000], 'IsAuto=true: the maximum again');
    });

    test('RAM: the read-only DDoS policy reads and is refused a change, naming the action; full access changes', async () => {
      assert.equal((await ipConfigs({}, readOnly)).total, 2);
      const refused = await err(A('ModifyDefenseThreshold', { DdosRegionId: R, InstanceType: 'ecs', InstanceId: small.id, Bps: '10', Pps: '100' }, readOnly));
      assert.deepEqual([refused.code, refused.status], ['Forbidden.RAM', 403]);
      assert.match(refused.message, /yundun-ddos:ModifyDefenseThreshold/);
      assert.match((await err(P('DisableDdosScrubbing', { RegionId: R, InstanceId: small.id }, readOnly))).message, /yundun-ddos:DisableDdosScrubbing/);
      await A('ModifyDefenseThreshold', { DdosRegionId: R, InstanceType: 'ecs', InstanceId: small.id, IsAuto: 'true' }, fullAccess);
      const ecsUser = await err(A('DescribeDdosCount', { DdosRegionId: R, InstanceType: 'ecs' }, { accessKeyId: 'LTAInobody000000000001', accessKeySecret: 'x'.repeat(30) }));
      assert.equal(ecsUser.code, 'InvalidAccessKeyId.NotFound');
    });

    test('a black hole ends early by parapet admin release-blackhole, or by itself at its time', async () => {
      // the operator's command runs on the real clock: keep the test's clock on it here
      clock.set(Math.max(clock.now(), Date.now()));
      const t2 = clock.now();
      await report([{ kind: 'blackholeStart', ip: small.ip, at: t2, until: t2 + 120_000, peakBps: 230e6, peakPps: 9000 }]);
      assert.equal((await ipConfig(small.ip)).IpStatus, 'blackhole');
      const released = await admin('release-blackhole', small.ip);
      assert.equal(released.code, 0, released.stderr);
      const out = JSON.parse(released.stdout) as { InternetIp: string; Released: boolean; EventId: string };
      assert.deepEqual([out.InternetIp, out.Released], [small.ip, true]);
      assert.equal((await ipConfig(small.ip)).IpStatus, 'normal');
      assert.deepEqual((await desired()).ddos.blackholes, []);
      const ev = (await events({ InstanceId: small.id })).list.find((e) => e.EventId === out.EventId)!;
      assert.deepEqual([ev.DdosStatus, ev.Released, ev.PeakBps], ['normal', true, 230e6]);
      // the monitor had not seen the release yet: its late extend does not bring the hole back
      await report([{ kind: 'blackholeExtend', ip: small.ip, at: t2 + 10, until: t2 + 200_000, peakBps: 240e6, peakPps: 9000 }]);
      assert.equal((await ipConfig(small.ip)).IpStatus, 'normal');
      const again = await admin('release-blackhole', small.ip);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /is not black-holed/);

      clock.set(Date.now() + 2000);
      const t = clock.now();
      await report([{ kind: 'blackholeStart', ip: small.ip, at: t, until: t + 120_000, peakBps: 220e6, peakPps: 9000 }]);
      assert.equal((await ipConfig(small.ip)).IpStatus, 'blackhole');
      clock.advance(121_000);
      assert.equal((await ipConfig(small.ip)).IpStatus, 'normal', 'over at its time even if no monitor says so');
      assert.deepEqual((await desired()).ddos.blackholes, []);
      await report([{ kind: 'blackholeEnd', ip: small.ip, at: clock.now(), peakBps: 0, peakPps: 0 }]);
      assert.equal((await events({ InstanceId: small.id })).total, 2);
      // back near the real clock, which the SDKs sign with
      clock.set(Date.now());
    });

    test('the monitor\'s reports: scrubbing, a black hole with peaks and a restarted timer, the events, counts and traffic series', async () => {
      if (clock.now() % 1000 === 0) clock.advance(1); // so that t0's second begins before t0
      const t0 = clock.now();
      const revision = server.store.revision();
      const samples = [0, 1, 2].map((i) => ({ ip: web.ip, at: t0 - 3000 + i * 1000, bpsIn: 1e6 * (i + 1), ppsIn: 1000 * (i + 1), bpsOut: 5e5, ppsOut: 400 }));
      await report([], samples);
      assert.equal(server.store.revision(), revision, 'samples alone leave the revision alone');
      await report([{ kind: 'defenseStart', ip: web.ip, at: t0, peakBps: 150e6, peakPps: 25000 }]);
      assert.equal(server.store.revision(), revision, 'scrubbing is no news to the data plane');
      assert.deepEqual([(await ipConfig(web.ip)).IpStatus, (await ipConfigs({ InstanceId: web.id })).list[0]!.InstanceStatus], ['defense', 'abnormal']);
      assert.deepEqual((await ipConfigs({ DdosStatus: 'defense' })).list.map((i) => i.InstanceId), [web.id]);
      assert.deepEqual((await ipConfigs({ DdosStatus: 'mitigating' })).list.map((i) => i.InstanceId), [web.id]);
      const scrubbed = await check(web.id, 'ingress', INTERNET_PEER);
      assert.deepEqual([scrubbed.Verdict, scrubbed.Reason, scrubbed['Scrubbing']], ['Accept', 'Rule', true], 'the groups decide; scrubbing limits the rate');
      assert.equal((await check(web.id, 'ingress', '10.30.1.9'))['Scrubbing'], undefined, 'the intranet is not scrubbed');
      assert.match(await explain({ endpoint: server.endpoint, accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret }, { regionId: R, instanceId: web.id, direction: 'ingress', protocol: 'tcp', port: '80', peer: INTERNET_PEER }), /being scrubbed/);
      // a repeated start with a higher peak updates the open event
      await report([{ kind: 'defenseStart', ip: web.ip, at: t0 + 500, peakBps: 180e6, peakPps: 24000 }]);
      // samples raise the open event's peaks while the attack goes on (not those from before it started)
      await report([], [
        { ip: web.ip, at: t0 - (t0 % 1000), bpsIn: 999e6, ppsIn: 99_000, bpsOut: 0, ppsOut: 0 }, // t0's second, before t0
        { ip: web.ip, at: t0 + 600, bpsIn: 170e6, ppsIn: 26_000, bpsOut: 1e6, ppsOut: 100 },
      ]);
      const open = (await events({ InstanceId: web.id })).list[0]!;
      assert.deepEqual([open.DdosStatus, open.PeakBps, open.PeakPps], ['defense', 180e6, 26_000], 'the peak packet rate from the sample, the bit rate kept');
      let count = (await A('DescribeDdosCount', { DdosRegionId: R, InstanceType: 'ecs' }))['DdosCount'];
      assert.deepEqual(count, { InstacenCount: 2, DefenseCount: 1, BlackholeCount: 0 });

      clock.advance(2000);
      const until = clock.now() + 120_000;
      await report([{ kind: 'blackholeStart', ip: web.ip, at: clock.now(), until, peakBps: 250e6, peakPps: 40000 }]);
      assert.ok(server.store.revision() > revision, 'a black hole moves the revision: the agents see it');
      let cfg = await ipConfig(web.ip);
      assert.deepEqual([cfg.IpStatus, cfg.UnBlackholeTime], ['blackhole', until]);
      const dropped = await check(web.id, 'ingress', INTERNET_PEER);
      assert.deepEqual([dropped.Verdict, dropped.Reason, dropped['BlackholeUntil']], ['Drop', 'Blackhole', new Date(until).toISOString().replace(/\.\d{3}Z$/, 'Z')]);
      assert.deepEqual([(await check(web.id, 'egress', INTERNET_PEER)).Reason], ['Blackhole'], 'its outbound internet is cut too');
      assert.equal((await check(web.id, 'ingress', '10.30.1.9')).Reason, 'Rule', 'the intranet is not black-holed');
      assert.match(await explain({ endpoint: server.endpoint, accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret }, { regionId: R, instanceId: web.id, direction: 'ingress', protocol: 'tcp', port: '80', peer: INTERNET_PEER }), /^DROP: .*\n0\. Anti-DDoS: the instance's public address is black-holed until /);
      assert.deepEqual((await desired()).ddos.blackholes, [{ ip: web.ip, until }]);
      count = (await A('DescribeDdosCount', { DdosRegionId: R, InstanceType: 'ecs' }))['DdosCount'];
      assert.deepEqual(count, { InstacenCount: 2, DefenseCount: 0, BlackholeCount: 1 });

      clock.advance(1000);
      const later = clock.now() + 120_000;
      await report([{ kind: 'blackholeExtend', ip: web.ip, at: clock.now(), until: later, peakBps: 300e6, peakPps: 38000 }]);
      cfg = await ipConfig(web.ip);
      assert.equal(cfg.UnBlackholeTime, later, 'the timer restarts while the attack goes on');
      clock.advance(1000);
      const end = clock.now();
      await report([{ kind: 'blackholeEnd', ip: web.ip, at: end, peakBps: 0, peakPps: 0 }]);
      await report([{ kind: 'blackholeStart', ip: web.ip, at: end - 500, until: later, peakBps: 1, peakPps: 1 }]);
      assert.equal((await ipConfig(web.ip)).IpStatus, 'normal', 'a late repeat of the start changes nothing');

      const list = await events({ InstanceId: web.id });
      assert.equal(list.total, 2);
      const [hole, scrub] = list.list;
      assert.deepEqual(
        [hole!.DdosType, hole!.DdosStatus, hole!.StartTime, hole!.EndTime, hole!.DelayTime, hole!.UnBlackholeTime, hole!.PeakBps, hole!.PeakPps, hole!.InternetIp, hole!.InstanceId, hole!.Released],
        ['blackhole', 'normal', t0 + 2000, end, t0 + 3000, end, 300e6, 40000, web.ip, web.id, false]);
      assert.deepEqual([scrub!.DdosType, scrub!.DdosStatus, scrub!.StartTime, scrub!.EndTime, scrub!.PeakBps, scrub!.PeakPps, scrub!.DelayTime],
        ['defense', 'normal', t0, t0 + 2000, 180e6, 26_000, t0 + 500], 'the black hole ended the scrubbing event; peaks are maxima');
      const page2 = await events({ InstanceId: web.id, PageSize: '1', CurrentPage: '2' });
      assert.deepEqual([page2.total, page2.list.map((e) => e.EventId)], [2, [scrub!.EventId]]);
      assert.equal((await events({ InternetIp: web.ip, QueryDays: '1' })).total, 2);
      assert.equal((await events()).total, 4, 'the region\'s events: both instances\'');
      assert.equal((await err(events({ QueryDays: '94' }))).code, 'InvalidParameter');

      const cap = await A('DescribeCap', { DdosRegionId: R, InstanceType: 'ecs', InstanceId: web.id, BegTime: String(t0 - 10_000) });
      const points = (cap['Traffic'] as { Point: Array<{ Time: number; BpsIn: number; PpsIn: number; BpsOut: number; PpsOut: number }> }).Point;
      assert.deepEqual([cap['InternetIp'], cap['Interval'], (cap['CapUrl'] as Body)['Url']], [web.ip, 1, '']);
      assert.equal(points.length, Math.floor(clock.now() / 1000) - Math.ceil((t0 - 10_000) / 1000) + 1, 'one point a second');
      const at = (ms: number) => points.find((p) => p.Time === Math.floor(ms / 1000) * 1000);
      assert.deepEqual(at(t0 - 1000), { Time: Math.floor((t0 - 1000) / 1000) * 1000, BpsIn: 3e6, PpsIn: 3000, BpsOut: 5e5, PpsOut: 400 });
      assert.equal(at(t0 + 1900)?.BpsIn, 0, 'a second without a sample had no traffic');
      const hour = await A('DescribeCap', { DdosRegionId: R, InstanceType: 'ecs', InstanceId: web.id });
      assert.equal((hour['Traffic'] as { Point: unknown[] }).Point.length, 3600, 'the last hour at most');
      assert.equal((await err(A('DescribeCap', { DdosRegionId: R, InstanceType: 'ecs', InstanceId: theirs.id }))).code, 'InvalidInstanceId.NotFound');
    });

    test('penalties: outbound cut, appealed by the owner, ended by parapet admin end-penalty', async () => {
      const t = clock.now();
      await report([{ kind: 'penaltyStart', ip: web.ip, at: t, until: t + 120_000, peakBps: 90e6, peakPps: 60000 }]);
      await report([{ kind: 'penaltyStart', ip: web.ip, at: t + 100, until: t + 120_000, peakBps: 95e6, peakPps: 55000 }]);
      let list = await penalties();
      assert.equal(list.total, 1, 'a repeated start updates the penalty in force');
      const p = list.list[0]!;
      assert.deepEqual([p.InstanceId, p.InternetIp, p.Status, p.EndTime, p.PeakOutBps, p.PeakOutPps, p.AppealStatus], [web.id, web.ip, 'active', '', 95e6, 60000, 'none']);
      assert.deepEqual((await desired()).ddos.penalties, [{ ip: web.ip, until: t + 120_000 }]);
      const out = await check(web.id, 'egress', INTERNET_PEER, 443);
      assert.deepEqual([out.Verdict, out.Reason, out['PenaltyId']], ['Drop', 'Penalty', p.PenaltyId]);
      assert.equal((await check(web.id, 'ingress', INTERNET_PEER)).Verdict, 'Accept', 'inbound is not penalized');
      assert.equal((await check(web.id, 'egress', '10.30.1.9', 443)).Reason !== 'Penalty', true, 'the intranet is not penalized');
      assert.match(await explain({ endpoint: server.endpoint, accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret }, { regionId: R, instanceId: web.id, direction: 'egress', protocol: 'tcp', port: '443', peer: INTERNET_PEER }), /penalized for an outbound attack/);

      assert.equal((await penalties({}, readOnly)).total, 1, 'a Describe* the read-only policy allows');
      assert.match((await err(P('AppealPenalty', { PenaltyId: p.PenaltyId, Reason: 'a backup job' }, readOnly))).message, /yundun-ddos:AppealPenalty/);
      assert.equal((await err(P('AppealPenalty', { PenaltyId: p.PenaltyId, Reason: 'mine now' }, OTHER))).code, 'InvalidPenaltyId.NotFound');
      assert.equal((await err(P('AppealPenalty', { PenaltyId: p.PenaltyId, Reason: ' ' }))).code, 'InvalidParameter');
      assert.deepEqual(await P('AppealPenalty', { PenaltyId: p.PenaltyId, Reason: 'a backup job to our own off-site store' }).then((r) => [r['PenaltyId'], r['AppealStatus']]), [p.PenaltyId, 'pending']);
      assert.equal((await penalties({ Status: 'active' })).list[0]!.AppealReason, 'a backup job to our own off-site store');

      const ended = await admin('end-penalty', p.PenaltyId);
      assert.equal(ended.code, 0, ended.stderr);
      assert.deepEqual(JSON.parse(ended.stdout), { PenaltyId: p.PenaltyId, InternetIp: web.ip, Ended: true, AppealAccepted: true });
      list = await penalties({ Status: 'ended' });
      assert.deepEqual([list.total, list.list[0]!.EndedBy, list.list[0]!.AppealStatus, list.list[0]!.EndTime !== ''], [1, 'operator', 'accepted', true]);
      assert.equal((await penalties({ Status: 'active' })).total, 0);
      assert.deepEqual((await desired()).ddos.penalties, []);
      assert.equal((await check(web.id, 'egress', INTERNET_PEER, 443)).Reason !== 'Penalty', true);
      const late = await err(P('AppealPenalty', { PenaltyId: p.PenaltyId, Reason: 'again' }));
      assert.deepEqual([late.code, late.status], ['IncorrectPenaltyStatus', 403]);
      await report([{ kind: 'penaltyEnd', ip: web.ip, at: clock.now() }]);
      assert.equal((await penalties()).list[0]!.EndedBy, 'operator', 'the monitor\'s end after the operator\'s changes nothing');
      assert.equal((await admin('end-penalty', p.PenaltyId)).code, 1);
      assert.equal((await err(penalties({ Status: 'soon' }))).code, 'InvalidParameter');
    });

    test('scrubbing switched off by InternetIp, and on again', async () => {
      const off = await P('DisableDdosScrubbing', { RegionId: R, InternetIp: small.ip });
      assert.deepEqual(off, { ...off, InstanceId: small.id, InternetIp: small.ip, ScrubbingEnabled: false });
      assert.equal((await ipConfig(small.ip)).ScrubbingEnabled, false);
      assert.equal((await desired()).ddos.ips.find((i) => i.ip === small.ip)!.scrubbing, false);
      assert.equal((await ipConfig(small.ip)).DefenseBpsThreshold, 100, 'the thresholds stay');
      await P('EnableDdosScrubbing', { RegionId: R, InstanceId: small.id });
      assert.equal((await ipConfig(small.ip)).ScrubbingEnabled, true);
      assert.equal((await err(P('DisableDdosScrubbing', { RegionId: R }))).code, 'MissingParameter');
      assert.equal((await err(P('DisableDdosScrubbing', { RegionId: R, InternetIp: theirs.ip }))).code, 'InvalidInternetIp.NotFound');
    });

    test('DescribeIpLocationService answers from the pool; DescribeBgpPackByIp knows no protection package', async () => {
      const own = await A('DescribeIpLocationService', { InternetIp: web.ip });
      assert.deepEqual(own['Instance'], { InstanceId: web.id, InstanceName: 'web-frontend', InternetIp: web.ip, InstanceType: 'ecs', Region: R });
      assert.deepEqual((await A('DescribeIpLocationService', { InternetIp: theirs.ip }))['Instance'], { InternetIp: theirs.ip }, 'another account\'s address: only itself');
      assert.equal((await err(A('DescribeIpLocationService', { InternetIp: '8.8.8.8' }))).code, 'InvalidInternetIp.NotFound');
      const bgp = await A('DescribeBgpPackByIp', { DdosRegionId: R, Ip: web.ip });
      assert.deepEqual([bgp['Success'], bgp['DdosbgpInfo']], [true, { Ip: web.ip }]);
      assert.equal((await err(A('DescribeBgpPackByIp', { DdosRegionId: R, Ip: theirs.ip }))).code, 'InvalidInternetIp.NotFound');
    });

    test('a stopped instance keeps its asset but is not watched', async () => {
      await ecs.stopInstance(new $.StopInstanceRequest({ instanceId: small.id }));
      assert.equal((await ipConfigs()).total, 2);
      assert.deepEqual((await desired()).ddos.ips.map((i) => i.ip).sort(), [web.ip, theirs.ip].sort(), 'every account\'s Running instances, not the stopped one');
      await ecs.startInstance(new $.StartInstanceRequest({ instanceId: small.id }));
    });
  });
}
