// Security Center basic through the API (sas 2018-12-03 and Parapet's agent operations) with the
// official SDKs' generic client, on both store engines: the agent from SecurityEnhancementStrategy
// and InstallSecurityAgent / UninstallSecurityAgent, the asset list, the baseline's warnings,
// summary and detail, ignores that outlive scans, the fixes (metadata hardening, the password
// policy) and a refused one, the cloud-configuration view over the same checks, instances without
// the agent contributing nothing, and RAM's SAS read-only policy refused with the action named.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, freshSchema, dropSchema, ROOT, type TestServer, type Creds } from '../helpers/server.ts';
import { probedEngines } from '../helpers/stores.ts';
import { Tenant, LINUX } from '../helpers/dataplane.ts';
import { readDesiredState } from '../../src/domain/dataplane-state.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const SAS = '2018-12-03';
const PARAPET = '2026-11-01';
const RAM = '2015-05-01';

type Body = Record<string, unknown>;
interface WarningWire { CheckWarningId: number; CheckId: number; RiskId: number; Item: string; Level: string; Status: number; Type: string; Uuid: string; FixStatus: number; Reason: string; LastHandleTime: number }
interface AssetWire { InstanceId: string; Uuid: string; ClientStatus: string; ClientSubStatus: string; Bind: boolean; HcStatus?: string; HealthCheckCount?: number; RiskCount?: string }

for (const { engine, skip } of await probedEngines()) {
  describe(`Security Center basic (${engine.name})`, { skip }, () => {
    let server: TestServer;
    let schema: string | undefined;
    let withAgent: string;
    let bare: string;
    let openGroup: string;
    let reader: Creds;

    const S = (action: string, q: Record<string, string> = {}, creds: Creds = ROOT) => callRpc(server.endpoint, action, SAS, q, creds);
    const P = (action: string, q: Record<string, string>, creds: Creds = ROOT) => callRpc(server.endpoint, action, PARAPET, q, creds);
    const err = async (p: Promise<unknown>) => { const e = await sdkError(p); return { code: e.code, status: e.statusCode, message: e.message }; };
    const warnings = async (q: Record<string, string> = {}) => ((await S('DescribeCheckWarnings', { PageSize: '100', ...q }))['CheckWarnings'] as WarningWire[]);
    const assets = async (q: Record<string, string> = {}, creds: Creds = ROOT) => {
      const r = await S('DescribeCloudCenterInstances', q, creds);
      return { list: r['Instances'] as AssetWire[], page: r['PageInfo'] as { TotalCount: number; Count: number; CurrentPage: number; PageSize: number } };
    };
    const scan = () => S('StartBaselineSecurityCheck', { Type: 'check' });

    before(async () => {
      schema = engine.name === 'postgres' ? freshSchema() : undefined;
      server = await startTestServer({ engine: engine.name, ...(schema !== undefined ? { schema } : {}) });
      const ecs = ecsClient(server.endpoint);
      const vpc = vpcClient(server.endpoint);
      const tenant = new Tenant(ecs, vpc, R);
      const { vpcId, vSwitchId: vswId } = await tenant.network('10.50.0.0/16', '10.50.1.0/24', 'cn-hangzhou-h');
      openGroup = await tenant.group(vpcId);
      await tenant.ingress(openGroup, [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0' }, { ipProtocol: 'tcp', portRange: '3306/3306', sourceCidrIp: '0.0.0.0/0' }]);
      const run = async (strategy: string | undefined, name: string) => (await ecs.runInstances(new $.RunInstancesRequest({
        regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vswId, securityGroupId: openGroup, instanceName: name, internetMaxBandwidthOut: 5,
        ...(strategy !== undefined ? { securityEnhancementStrategy: strategy } : {}),
      }))).body!.instanceIdSets!.instanceIdSet![0]!;
      withAgent = await run('Active', 'guarded');
      bare = await run(undefined, 'bare');
      assert.equal((await err(run('Sometimes', 'x'))).code, 'InvalidParameter');

      await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: 'console-bob' });
      await callRpc(server.endpoint, 'CreateLoginProfile', RAM, { UserName: 'console-bob', Password: 'Str0ng-Passw0rd!' });
      await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: 'sas-reader' });
      await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunYundunSASReadOnlyAccess', UserName: 'sas-reader' });
      const k = (await callRpc(server.endpoint, 'CreateAccessKey', RAM, { UserName: 'sas-reader' }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
      reader = { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
    });
    after(async () => {
      await server.stop();
      if (schema !== undefined) await dropSchema(schema);
    });

    test('the agent: SecurityEnhancementStrategy=Active, the asset list, the desired state', async () => {
      const all = await assets();
      assert.equal(all.page.TotalCount, 2);
      const a = all.list.find((x) => x.InstanceId === withAgent)!;
      const b = all.list.find((x) => x.InstanceId === bare)!;
      assert.deepEqual([a.Uuid, a.ClientStatus, a.ClientSubStatus, a.Bind], [withAgent, 'online', 'online', true]);
      assert.deepEqual([b.ClientStatus, b.ClientSubStatus, b.Bind, b.HcStatus, b.HealthCheckCount], ['offline', 'uninstalled', false, undefined, undefined], 'no security data without the agent');
      assert.deepEqual((await assets({ Criteria: JSON.stringify([{ name: 'instanceId', value: bare }]) })).list.map((x) => x.InstanceId), [bare]);
      assert.deepEqual((await assets({ Criteria: JSON.stringify([{ name: 'clientStatus', value: 'online' }, { name: 'instanceName', value: 'guard' }]), LogicalExp: 'AND' })).list.map((x) => x.InstanceId), [withAgent]);
      const p2 = await assets({ PageSize: '1', CurrentPage: '2' });
      assert.deepEqual([p2.list.length, p2.page.TotalCount, p2.page.CurrentPage], [1, 2, 2]);
      assert.equal((await assets({ MachineTypes: 'cloud_product' })).page.TotalCount, 0);
      for (const q of <Array<Record<string, string>>>[{ Criteria: 'nope' }, { Criteria: '[{"name":"color","value":"red"}]' }, { LogicalExp: 'XOR' }, { PageSize: '101' }]) {
        assert.equal((await err(assets(q))).code, 'InvalidParameter', JSON.stringify(q));
      }
      const desired = await readDesiredState(server.store.db, 0);
      assert.deepEqual(desired.instances.filter((i) => [withAgent, bare].includes(i.instanceId)).map((i) => [i.instanceId, i.securityAgent]).sort(), [[withAgent, true], [bare, false]].sort());
    });

    test('warnings: instance findings only for the agent\'s instance; account-wide configuration findings', async () => {
      await scan();
      const all = await warnings();
      const of = (risk: number) => all.filter((w) => w.RiskId === risk).map((w) => w.Uuid);
      assert.deepEqual(of(1), [withAgent], 'SSH open to everyone; the bare instance contributes nothing');
      assert.deepEqual(of(3), [withAgent], 'MySQL open to everyone');
      assert.deepEqual(of(11), [withAgent], 'metadata not hardened');
      assert.ok(!all.some((w) => w.Uuid === bare));
      assert.deepEqual(of(5), [`acs:ram::${ROOT.accountId}:user/console-bob`], 'a console password without MFA');
      assert.deepEqual(of(6), [ROOT.accessKeyId], 'the account\'s own AccessKey is in use');
      const ssh = all.find((w) => w.RiskId === 1)!;
      assert.deepEqual([ssh.CheckId, ssh.Level, ssh.Status, ssh.Type, ssh.FixStatus, ssh.Item], [1, 'high', 1, 'hc.check.type.access_control', 0, 'SSH port open to the internet']);
      assert.equal(all.find((w) => w.RiskId === 11)!.FixStatus, 1);

      const detail = await S('DescribeCheckWarningDetail', { CheckWarningId: String(ssh.CheckWarningId) });
      assert.equal(detail['Level'], 'high');
      assert.match(String(detail['Advice']), /revoke the rule/);
      const rows = detail['CheckDetailAssetInfo'] as Array<Record<string, string>>;
      assert.deepEqual([rows[0]!['PortRange'], rows[0]!['SourceCidrIp'], rows[0]!['SecurityGroupId']], ['22/22', '0.0.0.0/0', openGroup]);
      assert.ok((detail['CheckDetailColumns'] as Array<{ Key: string }>).some((c) => c.Key === 'SecurityGroupRuleId'));
      const missing = await err(S('DescribeCheckWarningDetail', { CheckWarningId: '999999' }));
      assert.deepEqual([missing.code, missing.status], ['InvalidCheckWarningId.NotFound', 404]);

      const summary = (await S('DescribeCheckWarningSummary', {}))['WarningSummarys'] as Array<Body & { RiskId: number; WarningMachineCount: number; HighWarningCount: number; LastFoundTime: string }>;
      const s1 = summary.find((x) => x.RiskId === 1)!;
      assert.deepEqual([s1['RiskName'], s1['Level'], s1.WarningMachineCount, s1.HighWarningCount], ['SSH port open to the internet', 'high', 1, 1]);
      assert.match(s1.LastFoundTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.ok(!summary.some((x) => x.RiskId === 2), 'RDP is closed: not a failing item');
      const passed = (await S('DescribeCheckWarningSummary', { RiskStatus: '3' }))['WarningSummarys'] as Array<{ RiskId: number }>;
      assert.ok(passed.some((x) => x.RiskId === 2));
      const scoped = (await S('DescribeCheckWarningSummary', { Uuids: bare }))['WarningSummarys'] as unknown[];
      assert.equal(scoped.length, 0, 'nothing on the bare instance');
      const asset = (await assets({ Criteria: JSON.stringify([{ name: 'instanceId', value: withAgent }]) })).list[0]!;
      assert.deepEqual([asset.HcStatus, asset.HealthCheckCount], ['YES', 3]);
    });

    test('ignore: an ignored warning stays ignored across scans, and can be un-ignored', async () => {
      await scan();
      const ssh = (await warnings({ RiskId: '1' }))[0]!;
      await S('IgnoreHcCheckWarnings', { Type: '1', CheckWarningIds: String(ssh.CheckWarningId), Reason: 'bastion planned' });
      const after1 = (await warnings({ RiskId: '1' }))[0]!;
      assert.deepEqual([after1.CheckWarningId, after1.Status, after1.Reason], [ssh.CheckWarningId, 6, 'bastion planned']);
      assert.ok(after1.LastHandleTime > 0);
      await scan();
      const after2 = (await warnings({ RiskId: '1' }))[0]!;
      assert.deepEqual([after2.CheckWarningId, after2.Status], [ssh.CheckWarningId, 6], 'the same warning, still ignored');
      assert.equal((await warnings({ RiskId: '1', RiskStatus: '1' })).length, 0);
      const summary = (await S('DescribeCheckWarningSummary', {}))['WarningSummarys'] as Array<{ RiskId: number }>;
      assert.ok(!summary.some((x) => x.RiskId === 1), 'an ignored item is not failing');
      const result = (await S('DescribeRiskCheckResult', { 'ItemIds.1': '1' }))['List'] as Array<{ Status: string }>;
      assert.equal(result[0]!.Status, 'ignored');
      await S('IgnoreHcCheckWarnings', { Type: '2', RiskId: '1' });
      assert.deepEqual((await warnings({ RiskId: '1' })).map((w) => [w.CheckWarningId, w.Status]), [[ssh.CheckWarningId, 1]]);
      assert.equal((await err(S('IgnoreHcCheckWarnings', { Type: '3', CheckWarningIds: String(ssh.CheckWarningId) }))).code, 'InvalidParameter');
      assert.equal((await err(S('IgnoreHcCheckWarnings', { Type: '1' }))).code, 'MissingParameter');
      assert.equal((await err(S('IgnoreHcCheckWarnings', { Type: '1', CheckWarningIds: '424242' }))).code, 'InvalidCheckWarningId.NotFound');
    });

    test('fix: metadata hardening and the password policy; checks without a safe fix are refused', async () => {
      await scan();
      const meta = (await warnings({ RiskId: '11' }))[0]!;
      const fixed = await S('FixCheckWarnings', { RiskId: '11', Uuids: withAgent });
      assert.equal(typeof fixed['BatchId'], 'number');
      assert.equal((await warnings({ RiskId: '11' })).length, 0, 'scanned again after the fix');
      const row = await server.store.db.selectFrom('instances').select('http_tokens').where('id', '=', withAgent).executeTakeFirstOrThrow();
      assert.equal(row.http_tokens, 'required');
      assert.equal((await err(S('DescribeCheckWarningDetail', { CheckWarningId: String(meta.CheckWarningId) }))).code, 'InvalidCheckWarningId.NotFound');

      await callRpc(server.endpoint, 'SetPasswordPolicy', RAM, { MinimumPasswordLength: '8', RequireUppercaseCharacters: 'false', RequireSymbols: 'false', MaxLoginAttemps: '0' });
      await scan();
      const weak = await warnings({ RiskId: '9' });
      assert.equal(weak.length, 1);
      await S('FixCheckWarnings', { CheckParams: JSON.stringify([{ checkId: 9, rules: [] }]) });
      assert.equal((await warnings({ RiskId: '9' })).length, 0);
      const policy = (await callRpc(server.endpoint, 'GetPasswordPolicy', RAM, {}))['PasswordPolicy'] as Body;
      assert.deepEqual([policy['RequireUppercaseCharacters'], policy['RequireLowercaseCharacters'], policy['RequireNumbers'], policy['MaxLoginAttemps']], [true, true, true, 5]);

      const refused = await err(S('FixCheckWarnings', { RiskId: '1', Uuids: withAgent }));
      assert.deepEqual([refused.code, refused.status], ['BaselineFix.NotSupported', 400]);
      assert.equal((await err(S('FixCheckWarnings', { RiskId: '11', Uuids: bare }))).code, 'InvalidParameter', 'no warning on the bare instance');
    });

    test('revoking the rule resolves the finding; installing and uninstalling the agent', async () => {
      const ecs = ecsClient(server.endpoint);
      await ecs.revokeSecurityGroup(new $.RevokeSecurityGroupRequest({ regionId: R, securityGroupId: openGroup, permissions: [new $.RevokeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0' })] }));
      await scan();
      assert.equal((await warnings({ RiskId: '1' })).length, 0);
      assert.equal((await warnings({ RiskId: '3' })).length, 1, 'MySQL is still open');

      await P('InstallSecurityAgent', { 'InstanceId.1': bare });
      await scan();
      assert.deepEqual((await warnings({ RiskId: '3' })).map((w) => w.Uuid).sort(), [withAgent, bare].sort());
      const installed = (await assets({ Criteria: JSON.stringify([{ name: 'instanceId', value: bare }]) })).list[0]!;
      assert.deepEqual([installed.ClientStatus, installed.Bind], ['online', true]);
      await P('UninstallSecurityAgent', { 'InstanceId.1': bare });
      assert.ok(!(await warnings()).some((w) => w.Uuid === bare), 'uninstalled: its findings are gone at once');
      assert.equal((await err(P('InstallSecurityAgent', { 'InstanceId.1': 'i-nothere' }))).code, 'InvalidInstanceId.NotFound');
      assert.equal((await err(S('StartBaselineSecurityCheck', { Type: 'check', 'ItemIds.1': '77' }))).code, 'InvalidParameter');
    });

    test('the cloud-configuration view shares the engine', async () => {
      await scan();
      const summary = (await S('DescribeRiskCheckSummary'))['RiskCheckSummary'] as Body & { ItemCount: number; RiskCount: number; Groups: Array<{ Id: number; CountByStatus: Array<{ Status: string; Count: number }> }>; RiskLevelCount: Array<{ Key: string; Count: number }> };
      assert.equal(summary.ItemCount, 12);
      const failing = new Set((await warnings({ RiskStatus: '1' })).map((w) => w.RiskId));
      assert.equal(summary.RiskCount, failing.size);
      assert.deepEqual(summary.Groups.map((g) => g.Id), [1, 2, 6]);
      assert.equal(summary.Groups.reduce((n, g) => n + g.CountByStatus.reduce((m, c) => m + c.Count, 0), 0), 12);
      const result = await S('DescribeRiskCheckResult', { Status: 'failed', PageSize: '50' });
      const list = result['List'] as Array<{ ItemId: number; Status: string; AffectedCount: number; RepairStatus: string; RiskItemResources: unknown[] }>;
      assert.deepEqual(new Set(list.map((x) => x.ItemId)), failing);
      assert.ok(list.every((x) => x.Status === 'failed' && x.AffectedCount > 0 && x.RiskItemResources.length === 2));
      const net = (await S('DescribeRiskCheckResult', { GroupId: '2' }))['List'] as Array<{ ItemId: number }>;
      assert.deepEqual(net.map((x) => x.ItemId), [1, 2, 3, 4]);
      assert.equal((await err(S('DescribeRiskCheckResult', { Status: 'bad' }))).code, 'InvalidParameter');
    });

    test('RAM: the SAS read-only policy reads and is refused a change, naming the action', async () => {
      assert.equal((await assets({}, reader)).page.TotalCount, 2);
      assert.ok(Array.isArray((await S('DescribeCheckWarnings', {}, reader))['CheckWarnings']));
      for (const [call, action] of [
        [S('StartBaselineSecurityCheck', { Type: 'check' }, reader), 'yundun-sas:StartBaselineSecurityCheck'],
        [S('IgnoreHcCheckWarnings', { Type: '1', RiskId: '3' }, reader), 'yundun-sas:IgnoreHcCheckWarnings'],
        [S('FixCheckWarnings', { RiskId: '11' }, reader), 'yundun-sas:FixCheckWarnings'],
        [P('InstallSecurityAgent', { 'InstanceId.1': bare }, reader), 'yundun-sas:InstallSecurityAgent'],
      ] as const) {
        const e = await err(call);
        assert.deepEqual([e.code, e.status], ['Forbidden.RAM', 403]);
        assert.match(e.message, new RegExp(action));
      }
    });
  });
}

