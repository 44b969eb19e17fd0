// Quotas per account, and visible: DescribeAccountAttributes through the official ECS SDK; an
// operator's `parapet admin set-quota` and `parapet admin unblock-port25` (the real command, run
// beside a running server on the same store) change what that server enforces at once, for that
// account only; the data plane's desired state carries the port-25 setting per ENI.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, freshSchema, dropSchema, ROOT, TEST_STORE, type TestServer, type EcsClient, type Creds } from '../helpers/server.ts';
import { POSTGRES_URL } from '../helpers/stores.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';
import { readDesiredState } from '../../src/domain/dataplane-state.ts';
import { explain } from '../../src/cli/explain.ts';

const $ = EcsModule;
const R = 'cn-shanghai';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const BIN = fileURLToPath(new URL('../../bin/parapet.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const OTHER = { accountId: '2234567890123456', accessKeyId: 'LTAIquotasother00001', accessKeySecret: 'quotas-other-secret-0001' };

describe('account quotas and the port-25 block', () => {
  let server: TestServer;
  let schema: string | undefined;
  let ecs: EcsClient;
  let other: EcsClient;

  /** `parapet admin …` on the server's store, as an operator runs it (asynchronously: the server runs in this process). */
  const admin = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const env: Record<string, string | undefined> = { ...process.env, PARAPET_DATA_DIR: server.dataDir };
    if (schema !== undefined) Object.assign(env, { PARAPET_DATABASE_URL: POSTGRES_URL, PARAPET_DATABASE_SCHEMA: schema });
    execFile(TSX, [BIN, 'admin', ...args], { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
  const attributes = async (client: EcsClient, extra: Record<string, unknown> = {}) => {
    const r = await client.describeAccountAttributes(new $.DescribeAccountAttributesRequest({ regionId: R, ...extra }));
    return new Map((r.body!.accountAttributeItems!.accountAttributeItem ?? []).map((a) => [a.attributeName!, (a.attributeValues!.valueItem ?? []).map((v) => ({ value: v.value, zoneId: v.zoneId }))]));
  };
  const quota = async (client: EcsClient, name: string) => (await attributes(client, { attributeName: [name] })).get(name)?.[0]?.value;
  const createGroup = (client: EcsClient) => client.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R }));

  before(async () => {
    schema = TEST_STORE === 'postgres' ? freshSchema() : undefined;
    server = await startTestServer({ env: { PARAPET_LIMIT_SECURITY_GROUPS_PER_REGION: '2', PARAPET_LIMIT_RULES_PER_GROUP: '3' }, ...(schema !== undefined ? { schema } : {}) });
    await ensureAccount(server.services, OTHER);
    ecs = ecsClient(server.endpoint);
    other = ecsClient(server.endpoint, OTHER);
  });
  after(async () => {
    await server.stop();
    if (schema !== undefined) await dropSchema(schema);
  });

  test('DescribeAccountAttributes answers the configured quotas, filtered by name, in a zone', async () => {
    const all = await attributes(ecs);
    assert.deepEqual([...all.keys()], [
      'max-security-groups', 'max-security-group-rules', 'max-security-groups-per-eni', 'max-security-group-rules-per-eni',
      'max-private-ips-per-basic-security-group', 'max-private-ips-per-advanced-security-group', 'max-key-pairs', 'max-vpcs',
      'max-vswitches-per-vpc', 'instance-network-type',
    ]);
    assert.deepEqual(all.get('max-security-groups'), [{ value: '2', zoneId: undefined }], 'PARAPET_LIMIT_SECURITY_GROUPS_PER_REGION');
    assert.deepEqual(all.get('max-security-group-rules'), [{ value: '3', zoneId: undefined }]);
    assert.deepEqual(all.get('max-key-pairs'), [{ value: '500', zoneId: undefined }], 'the default of limits.ts');
    assert.deepEqual(all.get('instance-network-type')?.map((v) => v.value), ['vpc', 'classic']);
    const some = await attributes(ecs, { attributeName: ['max-security-groups', 'max-postpaid-instance-vcpu-count'], zoneId: 'cn-shanghai-b' });
    assert.deepEqual([...some.entries()], [['max-security-groups', [{ value: '2', zoneId: 'cn-shanghai-b' }]]], 'a documented name Parapet does not model answers no item');
  });

  test('DescribeAccountAttributes refuses what it can\'t answer', async () => {
    const unknown = await sdkError(attributes(ecs, { attributeName: ['max-security-groups', 'max-bananas'] }));
    assert.equal(unknown.code, 'InvalidParameter');
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.message, /AttributeName\.2.*max-bananas/);
    const many = await sdkError(attributes(ecs, { attributeName: Array.from({ length: 9 }, () => 'max-vpcs') }));
    assert.equal(many.code, 'InvalidParameter');
    const zone = await sdkError(attributes(ecs, { zoneId: 'cn-hangzhou-h' }));
    assert.deepEqual([zone.code, zone.statusCode], ['InvalidZoneId.NotFound', 404]);
    const region = await sdkError(ecs.describeAccountAttributes(new $.DescribeAccountAttributesRequest({ regionId: 'mars-1' })));
    assert.equal(region.code, 'InvalidRegionId.NotFound');
  });

  test('set-quota raises and lowers one account\'s quota in the running server, without a restart', async () => {
    await createGroup(ecs);
    await createGroup(ecs);
    const over = await sdkError(createGroup(ecs));
    assert.deepEqual([over.code, over.statusCode], ['QuotaExceed.SecurityGroup', 403]);

    const set = await admin('set-quota', '--account', ROOT.accountId, '--name', 'max-security-groups', '--value', '3');
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(JSON.parse(set.stdout), { AccountId: ROOT.accountId, AttributeName: 'max-security-groups', Value: 3, Overridden: true });
    assert.equal(await quota(ecs, 'max-security-groups'), '3');
    await createGroup(ecs); // the third group: refused before, made now
    assert.equal((await sdkError(createGroup(ecs))).code, 'QuotaExceed.SecurityGroup', 'the fourth is over the new quota');
    // the other account keeps the configured quota
    assert.equal(await quota(other, 'max-security-groups'), '2');
    await createGroup(other);
    await createGroup(other);
    assert.equal((await sdkError(createGroup(other))).code, 'QuotaExceed.SecurityGroup');

    // lowered: the rules of a group
    const group = (await other.describeSecurityGroups(new $.DescribeSecurityGroupsRequest({ regionId: R }))).body!.securityGroups!.securityGroup![0]!.securityGroupId!;
    assert.equal((await admin('set-quota', '--account', OTHER.accountId, '--name', 'max-security-group-rules', '--value', '1')).code, 0);
    const rule = (port: number) => other.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({
      regionId: R, securityGroupId: group, permissions: [new $.AuthorizeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: `${port}/${port}`, sourceCidrIp: '0.0.0.0/0' })],
    }));
    await rule(80);
    assert.equal((await sdkError(rule(81))).code, 'AuthorizationLimitExceed');
    assert.equal(await quota(ecs, 'max-security-group-rules'), '3', 'the root account is not affected');

    // back to the configured value
    const reset = await admin('set-quota', '--account', ROOT.accountId, '--name', 'max-security-groups', '--value', 'default');
    assert.deepEqual(JSON.parse(reset.stdout), { AccountId: ROOT.accountId, AttributeName: 'max-security-groups', Overridden: false });
    assert.equal(await quota(ecs, 'max-security-groups'), '2');
  });

  test('set-quota refuses a bad name, value or account and changes nothing', async () => {
    for (const [args, pattern] of [
      [['--account', ROOT.accountId, '--name', 'max-bananas', '--value', '3'], /`name` value `max-bananas` is not valid/],
      [['--account', ROOT.accountId, '--name', 'max-vpcs', '--value', '-1'], /`value` value `-1` is not valid/],
      [['--account', ROOT.accountId, '--name', 'max-vpcs', '--value', '2000000'], /whole number from 0 to 1000000/],
      [['--account', '9999999999999999', '--name', 'max-vpcs', '--value', '3'], /account `9999999999999999` does not exist/],
      [['--account', 'abc', '--name', 'max-vpcs', '--value', '3'], /must be 16 digits/],
    ] as const) {
      const r = await admin('set-quota', ...args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, pattern);
    }
    assert.equal(await quota(ecs, 'max-vpcs'), '10');
  });

  test('unblock-port25 lifts the platform rule for one account: CheckNetworkAccess, explain and the desired state follow', async () => {
    const vpc = vpcClient(server.endpoint);
    const vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.30.0.0/16' }))).body!.vpcId!;
    const vsw = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-shanghai-b', cidrBlock: '10.30.1.0/24' }))).body!.vSwitchId!;
    assert.equal((await admin('set-quota', '--account', ROOT.accountId, '--name', 'max-security-groups', '--value', '10')).code, 0);
    const sg = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId }))).body!.securityGroupId!;
    const instanceId = (await ecs.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vsw, securityGroupId: sg }))).body!.instanceIdSets!.instanceIdSet![0]!;
    const check = (port: number, creds: Creds = ROOT) => callRpc(server.endpoint, 'CheckNetworkAccess', '2026-11-01',
      { RegionId: R, InstanceId: instanceId, Direction: 'egress', IpProtocol: 'tcp', Port: String(port), PeerIpAddress: '8.8.8.8' }, creds) as Promise<{ Verdict: string; Reason: string; Port25Blocked: boolean }>;
    const eniBlocked = async () => (await readDesiredState(server.services.store.db, 0)).instances.find((i) => i.instanceId === instanceId)!.enis.map((e) => e.port25Blocked);
    const explained = () => explain({ endpoint: server.endpoint.replace(/^http:\/\//, ''), accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret },
      { regionId: R, instanceId, direction: 'egress', protocol: 'tcp', port: '25', peer: '8.8.8.8' });

    const before = await check(25);
    assert.deepEqual([before.Verdict, before.Reason, before.Port25Blocked], ['Drop', 'Platform', true]);
    assert.deepEqual(await eniBlocked(), [true]);
    assert.match(await explained(), /^DROP: .*\n1\. Platform rule: outbound TCP to port 25/);

    const unblock = await admin('unblock-port25', '--account', ROOT.accountId);
    assert.equal(unblock.code, 0, unblock.stderr);
    assert.deepEqual(JSON.parse(unblock.stdout), { AccountId: ROOT.accountId, Port25Blocked: false });
    const after = await check(25);
    assert.deepEqual([after.Verdict, after.Reason, after.Port25Blocked], ['Accept', 'Default', false], 'a basic group allows egress by default');
    assert.deepEqual(await eniBlocked(), [false]);
    assert.match(await explained(), /^ACCEPT: .*\n1\. Platform rule: port 25 is unblocked for this account/);
    const settings = await callRpc(server.endpoint, 'DescribeAccountSettings', '2026-11-01', {});
    assert.equal(settings['Port25Unblocked'], true);
    // the other account is still blocked
    assert.equal((await callRpc(server.endpoint, 'DescribeAccountSettings', '2026-11-01', {}, OTHER))['Port25Unblocked'], false);

    // put back
    assert.equal((await admin('unblock-port25', '--account', ROOT.accountId, '--block')).code, 0);
    assert.deepEqual([(await check(25)).Reason, await eniBlocked()], ['Platform', [true]]);
    assert.equal((await admin('unblock-port25', '--account', '9999999999999999')).code, 1);
  });
});
