// Security Center alerts through the API (sas 2018-12-03) with the evidence the data plane's
// watcher reports (recordLogonEvents, recordListeners) on a manual clock, on both store engines:
// brute force at the default threshold (5 within 60 s; 4 or spread out raise nothing), a success
// after it (serious), logon baselines (IP, time, account, location), anti-brute-force rules (CRUD,
// the default rule, the block in the desired state, CheckNetworkAccess and `parapet explain`),
// risky listeners exposed to the internet naming the rule and resolved when it is revoked,
// OperationSuspEvents each way, instances without the agent raising nothing, and RAM's SAS
// read-only policy refused with the action named.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, freshSchema, dropSchema, ROOT, type TestServer, type Creds, type EcsClient } from '../helpers/server.ts';
import { probedEngines } from '../helpers/stores.ts';
import { ManualClock } from '../../src/clock.ts';
import { Tenant, LINUX } from '../helpers/dataplane.ts';
import { readDesiredState } from '../../src/domain/dataplane-state.ts';
import { recordListeners, recordLogonEvents, type LogonEvent } from '../../src/domain/security-center/evidence.ts';
import { explain } from '../../src/cli/explain.ts';
import { startMailSink, startWebhookSink, type MailSink, type WebhookSink } from '../helpers/notify-sinks.ts';
import { webhookSignature } from '../../src/notifier.ts';
import { nextInWindow } from '../../src/domain/security-center/notify.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const SAS = '2018-12-03';
const PARAPET = '2026-11-01';
const RAM = '2015-05-01';

interface AlertWire { Id: number; AlarmEventName: string; Level: string; EventStatus: number; Status: string; Uuid: string; SourceIp: string; Count: number; Details: Array<{ Name: string; Value: string }>; ResolvedTime?: string }
const detail = (a: AlertWire, name: string) => a.Details.find((d) => d.Name === name)?.Value;

for (const { engine, skip } of await probedEngines()) {
  describe(`Security Center alerts (${engine.name})`, { skip }, () => {
    let server: TestServer;
    let clock: ManualClock;
    let schema: string | undefined;
    let ecs: EcsClient;
    let guarded: string;
    let ruled: string;
    let closedOne: string;
    let bare: string;
    let openGroup: string;
    let closedGroup: string;
    let reader: Creds;
    let t0: number;
    let baseScore = 0;
    let mail: MailSink;
    let hook: WebhookSink;
    const SECRET = 'webhook-secret-0123456789';

    const S = (action: string, q: Record<string, string> = {}, creds: Creds = ROOT) => callRpc(server.endpoint, action, SAS, q, creds);
    const P = (action: string, q: Record<string, string>, creds: Creds = ROOT) => callRpc(server.endpoint, action, PARAPET, q, creds);
    const err = async (p: Promise<unknown>) => { const e = await sdkError(p); return { code: e.code, status: e.statusCode, message: e.message }; };
    const alerts = async (q: Record<string, string> = {}) => (await S('DescribeSuspEvents', { PageSize: '100', ...q }))['SuspEvents'] as AlertWire[];
    const logons = (instanceId: string, sourceIp: string, times: number[], o: Partial<LogonEvent> = {}) => recordLogonEvents(server.services,
      times.map((at) => ({ instanceId, sourceIp, at, account: 'root', method: 'password', success: false, ...o })));

    before(async () => {
      clock = new ManualClock(Date.now());
      t0 = clock.now();
      schema = engine.name === 'postgres' ? freshSchema() : undefined;
      mail = await startMailSink();
      hook = await startWebhookSink(1);
      server = await startTestServer({ engine: engine.name, clock, env: { PARAPET_SMTP_HOST: '127.0.0.1', PARAPET_SMTP_PORT: String(mail.port), PARAPET_SMTP_FROM: 'sas@parapet.test' }, ...(schema !== undefined ? { schema } : {}) });
      ecs = ecsClient(server.endpoint);
      const vpc = vpcClient(server.endpoint);
      const tenant = new Tenant(ecs, vpc, R);
      const { vpcId, vSwitchId: vswId } = await tenant.network('10.60.0.0/16', '10.60.1.0/24', 'cn-hangzhou-h');
      openGroup = await tenant.group(vpcId);
      await tenant.ingress(openGroup, [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0' }, { ipProtocol: 'tcp', portRange: '6379/6379', sourceCidrIp: '0.0.0.0/0' }]);
      closedGroup = await tenant.group(vpcId);
      await tenant.ingress(closedGroup, [{ ipProtocol: 'tcp', portRange: '6379/6379', sourceCidrIp: '10.0.0.0/8' }]);
      const run = async (group: string, name: string, agent: boolean) => (await ecs.runInstances(new $.RunInstancesRequest({
        regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vswId, securityGroupId: group, instanceName: name, internetMaxBandwidthOut: 5,
        ...(agent ? { securityEnhancementStrategy: 'Active' } : {}),
      }))).body!.instanceIdSets!.instanceIdSet![0]!;
      guarded = await run(openGroup, 'guarded', true);
      ruled = await run(openGroup, 'ruled', true);
      closedOne = await run(closedGroup, 'closed', true);
      bare = await run(openGroup, 'bare', false);
      await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: 'sas-reader' });
      await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunYundunSASReadOnlyAccess', UserName: 'sas-reader' });
      const k = (await callRpc(server.endpoint, 'CreateAccessKey', RAM, { UserName: 'sas-reader' }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
      reader = { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
    });
    after(async () => {
      await server.stop();
      await mail.close();
      hook.close();
      if (schema !== undefined) await dropSchema(schema);
    });

    const score = async () => (await P('DescribeSecurityScore', {})) as { Score: number; Deductions: Array<{ Reason: string; Count: number; Points: number }> };
    const asset = async (id: string) => ((await S('DescribeCloudCenterInstances', { PageSize: '100' }))['Instances'] as Array<{ Uuid: string; RiskStatus?: string; SafeStatus?: string; RiskCount?: string }>).find((a) => a.Uuid === id)!;

    test('the score and the instance status before any alert', async () => {
      const s = await score();
      assert.ok(s.Score > 0 && s.Score <= 100);
      assert.equal(s.Deductions.some((d) => d.Reason.startsWith('alert:')), false);
      assert.equal((JSON.parse((await asset(ruled)).RiskCount!) as { suspNum: number }).suspNum, 0);
      baseScore = s.Score;
    });

    test('brute force at the default threshold: 4 raise nothing, the 5th within 60 s does; spread out none; no agent nothing', async () => {
      await logons(guarded, '198.51.100.1', [0, 5, 10, 15].map((s) => t0 + s * 1000));
      assert.deepEqual(await alerts(), []);
      await logons(guarded, '198.51.100.1', [t0 + 20_000]);
      let list = await alerts();
      assert.equal(list.length, 1);
      assert.deepEqual([list[0]!.AlarmEventName, list[0]!.Level, list[0]!.EventStatus, list[0]!.Uuid, list[0]!.SourceIp], ['brute_force', 'suspicious', 1, guarded, '198.51.100.1']);
      assert.equal(detail(list[0]!, 'Failures'), '5');
      // more failures continue the same alert
      await logons(guarded, '198.51.100.1', [t0 + 21_000]);
      list = await alerts();
      assert.deepEqual([list.length, list[0]!.Count], [1, 2]);
      // 5 failures 20 s apart: never 5 within 60 s
      await logons(guarded, '198.51.100.2', [0, 20, 40, 60, 80].map((s) => t0 + s * 1000));
      assert.equal((await alerts()).length, 1);
      // no agent: nothing, however many
      await logons(bare, '198.51.100.3', Array.from({ length: 10 }, (_, i) => t0 + i * 1000));
      assert.equal((await alerts({ Uuids: bare })).length, 0);
      // no rule: an alert, no block
      assert.deepEqual((await readDesiredState(server.store.db, 0, clock.now())).bruteForceBlocks, []);
    });

    test('a successful logon after the brute force from the same source is serious', async () => {
      await logons(guarded, '198.51.100.1', [t0 + 30_000], { success: true, method: 'password' });
      const serious = await alerts({ Levels: 'serious' });
      assert.equal(serious.length, 1);
      assert.deepEqual([serious[0]!.AlarmEventName, serious[0]!.SourceIp, detail(serious[0]!, 'Account')], ['login_after_brute_force', '198.51.100.1', 'root']);
      const d = await S('DescribeSuspEventDetail', { SuspiciousEventId: String(serious[0]!.Id) });
      assert.equal(d['Level'], 'serious');
      assert.match(String(d['Advice']), /compromised/);
      // a success from a source that never guessed: nothing (no baseline configured)
      await logons(guarded, '198.51.100.9', [t0 + 31_000], { success: true, method: 'publickey' });
      assert.equal((await alerts()).length, 2);
    });

    test('logon baselines: common IPs, times, accounts and locations', async () => {
      const target = JSON.stringify([{ target: closedOne, targetType: 'uuid' }]);
      await S('ModifyLoginBaseConfig', { Type: 'login_common_ip', Config: JSON.stringify({ ip: '203.0.113.0/24' }), Target: target });
      await S('ModifyLoginBaseConfig', { Type: 'login_common_account', Config: JSON.stringify({ account: 'deploy' }), Target: target });
      const ips = (await S('DescribeLoginBaseConfigs', { Type: 'login_common_ip' }))['BaseConfigs'] as Array<{ Ip: string; TotalCount: number }>;
      assert.deepEqual(ips.map((i) => [i.Ip, i.TotalCount]), [['203.0.113.0/24', 1]]);
      const ok = { success: true, account: 'deploy', method: 'publickey' as const };
      await logons(closedOne, '203.0.113.5', [t0 + 40_000], ok);
      assert.equal((await alerts({ Uuids: closedOne })).length, 0, 'usual IP and account: nothing');
      await logons(closedOne, '192.0.2.50', [t0 + 41_000], ok);
      let mine = await alerts({ Uuids: closedOne });
      assert.deepEqual(mine.map((a) => [a.AlarmEventName, detail(a, 'Unusual'), detail(a, 'Location')]), [['unusual_logon', 'login_common_ip', '192.0.0.0/16']]);
      await logons(closedOne, '203.0.113.5', [t0 + 42_000], { ...ok, account: 'admin' });
      mine = await alerts({ Uuids: closedOne });
      assert.equal(detail(mine[0]!, 'Unusual'), 'login_common_account');
      // times (UTC): a window that excludes the logon's time
      const hour = new Date(t0 + 43_000).getUTCHours();
      const away = (h: number) => `${String((hour + h) % 24).padStart(2, '0')}:00`;
      await S('ModifyLoginBaseConfig', { Type: 'login_common_time', Config: JSON.stringify({ startTime: away(2), endTime: away(3) }), Target: target });
      await logons(closedOne, '203.0.113.5', [t0 + 43_000], ok);
      mine = await alerts({ Uuids: closedOne });
      assert.equal(detail(mine[0]!, 'Unusual'), 'login_common_time');
      await S('DeleteLoginBaseConfig', { Type: 'login_common_time', Config: JSON.stringify({ startTime: away(2), endTime: away(3) }) });
      // locations: the address's /16 class
      await S('ModifyLoginBaseConfig', { Type: 'login_common_location', Config: JSON.stringify({ location: '203.0.0.0/16' }), Target: target });
      const before = (await alerts({ Uuids: closedOne })).length;
      await logons(closedOne, '203.0.113.5', [t0 + 44_000], ok);
      assert.equal((await alerts({ Uuids: closedOne })).length, before, 'usual everything: nothing');
      assert.equal((await err(S('ModifyLoginBaseConfig', { Type: 'login_common_color', Config: '{}' }))).code, 'InvalidParameter');
      assert.equal((await err(S('ModifyLoginBaseConfig', { Type: 'login_common_ip', Config: '{"ip":"nope"}' }))).code, 'InvalidParameter');
      assert.equal((await err(S('DeleteLoginBaseConfig', { Type: 'login_common_ip', Config: '{"ip":"1.2.3.4"}' }))).code, 'InvalidParameter');
    });

    test('anti-brute-force rules: CRUD, the default rule, the block in the desired state, CheckNetworkAccess and explain', async () => {
      const id = ((await S('CreateAntiBruteForceRule', { Name: 'strict', FailCount: '3', Span: '1', ForbiddenTime: '5', 'UuidList.1': ruled }))['CreateAntiBruteForceRule'] as { RuleId: number }).RuleId;
      const def = ((await S('CreateAntiBruteForceRule', { Name: 'default', FailCount: '10', Span: '5', ForbiddenTime: '60', DefaultRule: 'true' }))['CreateAntiBruteForceRule'] as { RuleId: number }).RuleId;
      type RuleWire = { Id: number; Name: string; FailCount: number; Span: number; ForbiddenTime: number; DefaultRule: boolean; MachineCount: number; UuidList: string[] };
      const rules = async () => (await S('DescribeAntiBruteForceRules', {}))['Rules'] as RuleWire[];
      let list = await rules();
      assert.deepEqual(list.map((r) => [r.Id, r.Name, r.FailCount, r.Span, r.ForbiddenTime, r.DefaultRule]), [[id, 'strict', 3, 1, 5, false], [def, 'default', 10, 5, 60, true]]);
      assert.deepEqual(list[0]!.UuidList, [ruled]);
      assert.deepEqual(list[1]!.UuidList, [guarded, closedOne].sort(), 'the default rule applies to the agent instances no rule names');
      for (const bad of <Array<Record<string, string>>>[{ FailCount: '7' }, { Span: '3' }, { ForbiddenTime: '9' }, { 'UuidList.1': 'i-nope' }]) {
        assert.equal((await err(S('CreateAntiBruteForceRule', { Name: 'x', FailCount: '3', Span: '1', ForbiddenTime: '5', ...bad }))).code.startsWith('Invalid'), true, JSON.stringify(bad));
      }

      const attacker = '192.0.2.77';
      const at = clock.now();
      await logons(ruled, attacker, [at - 2000, at - 1000]);
      assert.deepEqual((await readDesiredState(server.store.db, 0, clock.now())).bruteForceBlocks, []);
      await logons(ruled, attacker, [at]);
      const blocks = (await readDesiredState(server.store.db, 0, clock.now())).bruteForceBlocks;
      assert.deepEqual(blocks, [{ instanceId: ruled, ip: attacker, until: at + 5 * 60_000 }]);
      assert.deepEqual((await readDesiredState(server.store.db, 0, at + 5 * 60_000 + 1)).bruteForceBlocks, [], 'the block ends after ForbiddenTime');
      const a = (await alerts({ Uuids: ruled }))[0]!;
      assert.deepEqual([a.AlarmEventName, detail(a, 'RuleId'), detail(a, 'Failures')], ['brute_force', String(id), '3']);

      const access = await P('CheckNetworkAccess', { RegionId: R, InstanceId: ruled, Direction: 'ingress', IpProtocol: 'tcp', Port: '22', PeerIpAddress: attacker });
      assert.deepEqual([access['Verdict'], access['Reason'], access['BlockedUntil']], ['Drop', 'AntiBruteForce', new Date(at + 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z')]);
      const other = await P('CheckNetworkAccess', { RegionId: R, InstanceId: ruled, Direction: 'ingress', IpProtocol: 'tcp', Port: '22', PeerIpAddress: '192.0.2.78' });
      assert.deepEqual([other['Verdict'], other['Reason']], ['Accept', 'Rule']);
      assert.match(await explain({ endpoint: server.endpoint, accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret }, { regionId: R, instanceId: ruled, direction: 'ingress', protocol: 'tcp', port: '22', peer: attacker }),
        /^DROP: .*\n0\. Security Center: the source is blocked at the instance by an anti-brute-force rule until /);

      await S('ModifyAntiBruteForceRule', { Id: String(id), Name: 'strict', FailCount: '5', Span: '2', ForbiddenTime: '15', 'UuidList.1': ruled });
      list = await rules();
      assert.deepEqual([list[0]!.FailCount, list[0]!.Span, list[0]!.ForbiddenTime], [5, 2, 15]);
      await S('DeleteAntiBruteForceRule', { 'Ids.1': String(id), 'Ids.2': String(def) });
      assert.deepEqual(await rules(), []);
      assert.equal((await err(S('DeleteAntiBruteForceRule', { 'Ids.1': String(id) }))).code, 'InvalidParameter');
    });

    test('a risky listener exposed to the internet names the rule; revoking the rule resolves it; not exposed or loopback: none', async () => {
      await recordListeners(server.services, guarded, [{ proto: 'tcp', port: 6379, address: '0.0.0.0' }, { proto: 'tcp', port: 5432, address: '127.0.0.1' }, { proto: 'tcp', port: 8080, address: '0.0.0.0' }]);
      await recordListeners(server.services, closedOne, [{ proto: 'tcp', port: 6379, address: '0.0.0.0' }]);
      await recordListeners(server.services, bare, [{ proto: 'tcp', port: 6379, address: '0.0.0.0' }]);
      const findings = await alerts({ EventNames: 'risky_listener' });
      assert.equal(findings.length, 1);
      const f = findings[0]!;
      const perms = (await ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: openGroup }))).body!.permissions!.permission!;
      const ruleId = perms.find((p) => p.portRange === '6379/6379')!.securityGroupRuleId!;
      assert.deepEqual([f.Uuid, f.Level, detail(f, 'Service'), detail(f, 'Port'), detail(f, 'SecurityGroupId'), detail(f, 'SecurityGroupRuleId')], [guarded, 'serious', 'Redis', '6379', openGroup, ruleId]);
      // the same report again continues it
      await recordListeners(server.services, guarded, [{ proto: 'tcp', port: 6379, address: '0.0.0.0' }]);
      assert.equal((await alerts({ EventNames: 'risky_listener' })).length, 1);
      await ecs.revokeSecurityGroup(new $.RevokeSecurityGroupRequest({ regionId: R, securityGroupId: openGroup, permissions: [new $.RevokeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '6379/6379', sourceCidrIp: '0.0.0.0/0' })] }));
      await recordListeners(server.services, guarded, [{ proto: 'tcp', port: 6379, address: '0.0.0.0' }]);
      const after = (await alerts({ EventNames: 'risky_listener' }))[0]!;
      assert.deepEqual([after.Id, after.Status, after.EventStatus, typeof after.ResolvedTime], [f.Id, 'handled', 32, 'string']);
      assert.equal((await alerts({ EventNames: 'risky_listener', Status: 'pending' })).length, 0);
    });

    test('sshd taking passwords with 22 open to the internet is a finding; without a password, or 22 not listening, none', async () => {
      const vswId = (await ecs.describeInstances(new $.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([guarded]) }))).body!.instances!.instance![0]!.vpcAttributes!.vSwitchId!;
      const withPassword = (await ecs.runInstances(new $.RunInstancesRequest({
        regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vswId, securityGroupId: openGroup, instanceName: 'pw', internetMaxBandwidthOut: 5,
        password: 'Parapet-Pw-2026!', securityEnhancementStrategy: 'Active',
      }))).body!.instanceIdSets!.instanceIdSet![0]!;
      const sshd = [{ proto: 'tcp' as const, port: 22, address: '0.0.0.0' }];
      await recordListeners(server.services, withPassword, sshd);
      await recordListeners(server.services, guarded, sshd);
      const findings = await alerts({ EventNames: 'password_ssh' });
      assert.deepEqual(findings.map((f) => [f.Uuid, f.Level, f.Status]), [[withPassword, 'suspicious', 'pending']]);
      assert.equal(detail(findings[0]!, 'SecurityGroupId'), openGroup);
      // sshd no longer listening: resolved
      await recordListeners(server.services, withPassword, []);
      assert.deepEqual((await alerts({ EventNames: 'password_ssh' })).map((f) => f.Status), ['handled']);
      await ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: withPassword, force: true }));
    });

    test('the score falls with pending alerts and rises when they are handled; the instance shows the risk', async () => {
      const s = await score();
      assert.ok(s.Score < baseScore, `${s.Score} < ${baseScore}`);
      assert.deepEqual(s.Deductions.find((d) => d.Reason === 'alert:serious'), { Reason: 'alert:serious', Count: 1, Points: 10 });
      const a = await asset(ruled);
      assert.deepEqual([a.RiskStatus, a.SafeStatus, (JSON.parse(a.RiskCount!) as { suspNum: number }).suspNum], ['YES', 'risk', 1]);
      const serious = (await alerts({ Levels: 'serious', Status: 'pending' })).filter((x) => x.AlarmEventName === 'login_after_brute_force');
      await S('OperationSuspEvents', { SuspiciousEventIds: serious.map((x) => x.Id).join(','), Operation: 'offline_handled' });
      assert.equal((await score()).Score, s.Score + 10);
      assert.equal((await asset(bare)).RiskStatus, undefined, 'no security data without the agent');
    });

    test('OperationSuspEvents: ignore, mark handled, reopen, block the source; filters and paging', async () => {
      const brute = (await alerts({ EventNames: 'brute_force', Uuids: guarded }))[0]!;
      await S('OperationSuspEvents', { SuspiciousEventIds: String(brute.Id), Operation: 'ignore' });
      assert.deepEqual((await alerts({ Status: 'ignored' })).map((a) => [a.Id, a.EventStatus]), [[brute.Id, 2]]);
      await S('OperationSuspEvents', { SuspiciousEventIds: String(brute.Id), Operation: 'rm_ignore' });
      await S('OperationSuspEvents', { SuspiciousEventIds: JSON.stringify([brute.Id]), Operation: 'offline_handled' });
      assert.equal((await alerts({ Dealed: 'Y' })).some((a) => a.Id === brute.Id), true);
      assert.equal((await alerts({ Dealed: 'N' })).some((a) => a.Id === brute.Id), false);
      const before = clock.now();
      await S('OperationSuspEvents', { SuspiciousEventIds: String(brute.Id), Operation: 'deal', SubOperation: 'block_ip', ForbiddenTime: '30' });
      assert.deepEqual((await readDesiredState(server.store.db, 0, clock.now())).bruteForceBlocks.filter((b) => b.instanceId === guarded), [{ instanceId: guarded, ip: brute.SourceIp, until: before + 30 * 60_000 }]);
      const risky = (await alerts({ EventNames: 'risky_listener' }))[0]!;
      assert.equal((await err(S('OperationSuspEvents', { SuspiciousEventIds: String(risky.Id), Operation: 'deal', SubOperation: 'block_ip' }))).code, 'InvalidParameter', 'no source to block');
      assert.equal((await err(S('OperationSuspEvents', { SuspiciousEventIds: '999999', Operation: 'ignore' }))).code, 'InvalidParameter');
      assert.equal((await err(S('OperationSuspEvents', { SuspiciousEventIds: String(brute.Id), Operation: 'explode' }))).code, 'InvalidParameter');

      // a security-group Forbid rule, authorized as the caller: ecs:AuthorizeSecurityGroup on the group
      const unusual = (await alerts({ EventNames: 'unusual_logon', Uuids: closedOne })).find((x) => x.SourceIp === '192.0.2.50')!;
      await callRpc(server.endpoint, 'CreatePolicy', RAM, { PolicyName: 'sas-ops-only', PolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['yundun-sas:*'], Resource: '*' }] }) });
      await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: 'sas-operator' });
      await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'Custom', PolicyName: 'sas-ops-only', UserName: 'sas-operator' });
      const ok = (await callRpc(server.endpoint, 'CreateAccessKey', RAM, { UserName: 'sas-operator' }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
      const operator = { accessKeyId: ok.AccessKeyId, accessKeySecret: ok.AccessKeySecret };
      const refused = await err(S('OperationSuspEvents', { SuspiciousEventIds: String(unusual.Id), Operation: 'deal', SubOperation: 'block_ip_security_group' }, operator));
      assert.equal(refused.status, 403);
      assert.match(refused.message, /ecs:AuthorizeSecurityGroup/);
      await S('OperationSuspEvents', { SuspiciousEventIds: String(unusual.Id), Operation: 'deal', SubOperation: 'block_ip_security_group' });
      const perms = (await ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: closedGroup }))).body!.permissions!.permission!;
      const forbid = perms.find((p) => p.sourceCidrIp === '192.0.2.50/32')!;
      assert.deepEqual([forbid.policy, forbid.ipProtocol, forbid.priority, forbid.direction], ['Drop', 'ALL', '1', 'ingress']);
      assert.equal((await alerts({ Uuids: closedOne })).find((x) => x.Id === unusual.Id)!.Status, 'handled');
      const access = await P('CheckNetworkAccess', { RegionId: R, InstanceId: closedOne, Direction: 'ingress', IpProtocol: 'tcp', Port: '22', PeerIpAddress: '192.0.2.50' });
      assert.deepEqual([access['Verdict'], access['Reason']], ['Drop', 'Rule']);

      const all = await alerts();
      const page2 = await S('DescribeSuspEvents', { PageSize: '2', CurrentPage: '2' });
      assert.deepEqual([page2['TotalCount'], page2['Count'], page2['CurrentPage']], [all.length, Math.min(2, all.length - 2), 2]);
      assert.equal((await alerts({ TimeEnd: String(t0 - 1) })).length, 0);
      assert.equal((await alerts({ TimeStart: String(t0) })).length, all.length);
      assert.equal((await err(alerts({ Levels: 'critical' }))).code, 'InvalidParameter');
      assert.equal((await err(alerts({ Status: 'nope' }))).code, 'InvalidParameter');
    });

    test('notifications: e-mail at the SMTP server, a signed webhook retried after a 500, the inbox; per level; windows', async () => {
      assert.equal(nextInWindow('08:00-09:00', Date.UTC(2026, 0, 1, 12)), Date.UTC(2026, 0, 2, 8));
      assert.equal(nextInWindow('08:00-09:00', Date.UTC(2026, 0, 1, 8, 30)), Date.UTC(2026, 0, 1, 8, 30));
      assert.equal(nextInWindow('22:00-02:00', Date.UTC(2026, 0, 1, 1)), Date.UTC(2026, 0, 1, 1));
      const hookUrl = hook.url;
      await P('ModifySecurityNotification', { Method: 'email', Levels: 'serious', Target: 'ops@example.test' });
      await P('ModifySecurityNotification', { Method: 'webhook', Levels: 'serious,suspicious', Target: hookUrl, Secret: SECRET });
      await P('ModifySecurityNotification', { Method: 'inbox', Levels: 'serious,suspicious,remind' });
      assert.equal((await err(P('ModifySecurityNotification', { Method: 'webhook', Target: hookUrl, Secret: 'short' }))).code, 'InvalidParameter');
      assert.equal((await err(P('ModifySecurityNotification', { Method: 'pager' }))).code, 'InvalidParameter');
      const configs = (await P('DescribeSecurityNotifications', {}))['Notifications'] as Array<{ Method: string; Levels: string; HasSecret: boolean }>;
      assert.deepEqual(configs.map((c) => [c.Method, c.Levels, c.HasSecret]), [['email', 'serious', false], ['inbox', 'serious,suspicious,remind', false], ['webhook', 'serious,suspicious', true]]);

      const src = '192.0.2.200';
      const at = clock.now() - 10_000;
      await logons(guarded, src, [0, 1, 2, 3, 4].map((s) => at + s * 1000));
      await logons(guarded, src, [at + 6000], { success: true });
      await server.notifier.runOnce();
      // the first webhook got a 500: retried after its backoff
      clock.advance(2000);
      await server.notifier.runOnce();
      assert.equal(mail.mails.length, 1, 'the serious alert only, by e-mail');
      assert.equal(mail.mails[0]!.to, 'ops@example.test');
      assert.match(mail.mails[0]!.data.replace(/\r\n\s+/g, ' '), /Subject: \[Parapet Security Center\] serious: Successful logon after a brute-force attack on i-/);
      assert.match(mail.mails[0]!.data, /192\.0\.2\.200/);
      const ok = hook.hooks.filter((h) => h.status === 200);
      assert.equal(hook.hooks.filter((h) => h.status === 500).length, 1);
      assert.equal(ok.length, 2, 'both alerts by webhook, one of them after a retry');
      for (const h of ok) assert.equal(h.signature, webhookSignature(SECRET, h.body));
      assert.deepEqual(ok.map((h) => (JSON.parse(h.body) as { kind: string }).kind).sort(), ['brute_force', 'login_after_brute_force']);
      const inbox = (await P('DescribeSecurityMessages', {}))['Messages'] as Array<{ Level: string; Title: string }>;
      assert.deepEqual(inbox.map((m) => m.Level), ['serious', 'suspicious']);
      // a sending window elsewhere in the day: the e-mail waits
      const hour = new Date(clock.now()).getUTCHours();
      const h = (d: number) => `${String((hour + d) % 24).padStart(2, '0')}:00`;
      await P('ModifySecurityNotification', { Method: 'email', Levels: 'serious', Target: 'ops@example.test', Window: `${h(3)}-${h(4)}` });
      await logons(guarded, src, [clock.now()], { success: true, account: 'admin' });
      await server.notifier.runOnce();
      assert.equal(mail.mails.length, 1, 'outside the window: not yet');
    });

    test('RAM: the SAS read-only policy reads alerts and rules and is refused the writes, with the action named', async () => {
      assert.ok(Array.isArray((await S('DescribeSuspEvents', {}, reader))['SuspEvents']));
      await S('DescribeAntiBruteForceRules', {}, reader);
      await S('DescribeLoginBaseConfigs', { Type: 'login_common_ip' }, reader);
      for (const [action, q] of <Array<[string, Record<string, string>]>>[
        ['OperationSuspEvents', { SuspiciousEventIds: '1', Operation: 'ignore' }],
        ['CreateAntiBruteForceRule', { Name: 'x', FailCount: '3', Span: '1', ForbiddenTime: '5' }],
        ['ModifyLoginBaseConfig', { Type: 'login_common_ip', Config: '{"ip":"1.2.3.4"}' }],
      ]) {
        const e = await err(S(action, q, reader));
        assert.equal(e.status, 403, action);
        assert.match(e.message, new RegExp(`yundun-sas:${action}`), action);
      }
    });
  });
}
