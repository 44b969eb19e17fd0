// The `parapet` command run as a user runs it (a child process, against a test server): every
// product answers through the generated commands in both signature styles; profiles written by
// `parapet configure` in the aliyun CLI's file are read back and used (AK, StsToken, RamRoleArn);
// `--output cols/rows` prints the aliyun CLI's table, `--pager` merges every page, `--waiter`
// polls; parameters are checked before sending with the server's own messages; the server's
// errors show their code, message and request id.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWith, cleanEnv, PARAPET_BIN, type Ran } from '../helpers/cli.ts';
import { startTestServer, callRpc, sdkError, ROOT, type TestServer } from '../helpers/server.ts';

const R = 'cn-hangzhou';

describe('the parapet command: every operation with the aliyun CLI syntax', () => {
  let server: TestServer;
  let home: string;
  let env: NodeJS.ProcessEnv;

  /** `parapet …` with the test's HOME (its own ~/.aliyun/config.json) and nothing of this process's credentials */
  const parapet = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Ran> => runWith(process.execPath, [PARAPET_BIN, ...args], { ...env, ...extra });
  const withRoot = { ALIBABA_CLOUD_ACCESS_KEY_ID: ROOT.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ROOT.accessKeySecret };
  const json = (r: Ran) => { assert.equal(r.code, 0, r.stderr); return JSON.parse(r.stdout) as Record<string, unknown>; };

  before(async () => {
    server = await startTestServer();
    home = mkdtempSync(join(tmpdir(), 'parapet-cli-'));
    env = { ...cleanEnv(), HOME: home, PARAPET_ENDPOINT: server.endpoint };
  });
  after(async () => {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('every product answers an operation, signed v3 and v1; --help lists products, operations and typed parameters', async () => {
    const calls: Array<[string, string, string[], (b: Record<string, unknown>) => unknown]> = [
      ['ecs', 'DescribeRegions', [], (b) => (b['Regions'] as { Region: unknown[] }).Region.length > 0],
      ['vpc', 'DescribeVpcs', [], (b) => b['TotalCount'] === 0],
      ['ram', 'ListUsers', [], (b) => Array.isArray((b['Users'] as { User: unknown[] }).User)],
      ['sts', 'GetCallerIdentity', [], (b) => b['AccountId'] === ROOT.accountId],
      ['antiddos-public', 'DescribeRegions', [], (b) => (b['Regions'] as { Region: unknown[] }).Region.length > 0],
      ['sas', 'DescribeCloudCenterInstances', [], (b) => Array.isArray(b['Instances'])],
      ['cbn', 'DescribeCens', [], (b) => b['TotalCount'] === 0],
      ['parapet', 'DescribeSecurityScore', [], (b) => typeof b['Score'] === 'number'],
    ];
    const runs = await Promise.all(calls.flatMap(([p, a, args]) => ['v3', 'v1'].map((sig) => parapet([p, a, ...args, '--signature', sig], withRoot))));
    runs.forEach((r, i) => {
      const [p, a, , check] = calls[Math.floor(i / 2)]!;
      assert.ok(check(json(r)), `${p} ${a} (${i % 2 === 0 ? 'v3' : 'v1'}): ${r.stdout.slice(0, 300)}`);
    });
    assert.match(runs[0]!.stdout, /^\{\n\t"/, 'JSON indented with tabs, as the aliyun CLI prints it');

    const [top, product, op] = await Promise.all([parapet(['--help']), parapet(['ecs']), parapet(['ecs', 'AuthorizeSecurityGroup', '--help'])]);
    assert.match(top.stdout, /products: ecs, vpc, ram, sts, antiddos-public/);
    assert.match(product.stdout, /Available operations:[\s\S]*\n {2}DescribeSecurityGroups\n/);
    assert.match(op.stdout, /--SecurityGroupId\s+String\s+Required/);
    assert.match(op.stdout, /--Permissions\.n\.IpProtocol\s+String\s+Optional/);
    assert.match(op.stdout, /--Permissions\.n\.Priority\s+String|--Permissions\.n\.Priority\s+Integer/);
  });

  test('parameters are checked before sending, with the messages the server gives; server errors show code, message and request id', async () => {
    const missing = await parapet(['ecs', 'AuthorizeSecurityGroup', '--RegionId', R, '--Permissions.1.IpProtocol', 'tcp'], withRoot);
    assert.equal(missing.code, 1);
    const server = await sdkError(callRpc(serverEndpoint(), 'AuthorizeSecurityGroup', '2014-05-26', { RegionId: R, 'Permissions.1.IpProtocol': 'tcp' }));
    assert.equal(server.code, 'MissingParameter');
    assert.match(missing.stderr, /^ERROR: MissingParameter \(checked before sending\)\nMessage: /);
    assert.ok(missing.stderr.includes(server.data['Message'] as string), `${missing.stderr} vs ${String(server.data['Message'])}`);

    const tooLong = await parapet(['ecs', 'CreateSecurityGroup', '--RegionId', R, '--Description', 'x'.repeat(70000)], withRoot);
    assert.match(tooLong.stderr, /InvalidParameter[\s\S]*Description/);
    const notInt = await parapet(['ecs', 'DescribeSecurityGroups', '--PageSize', 'ten'], withRoot);
    assert.match(notInt.stderr, /^ERROR: InvalidParameter \(checked before sending\)\nMessage: .*PageSize/);

    const unknown = await parapet(['ecs', 'DescribeSecurityGroups', '--Colour', 'red'], withRoot);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /'--Colour' is not a parameter of DescribeSecurityGroups/);

    const notFound = await parapet(['ecs', 'DescribeSecurityGroupAttribute', '--SecurityGroupId', 'sg-nothere000000000000'], withRoot);
    assert.equal(notFound.code, 1);
    assert.match(notFound.stderr, /^ERROR: SDK\.ServerError\nErrorCode: InvalidSecurityGroupId\.NotFound\nRequestId: [0-9A-F-]{36}\nMessage: .+/);

    const noCreds = await parapet(['ecs', 'DescribeRegions']);
    assert.equal(noCreds.code, 2);
    assert.match(noCreds.stderr, /no credentials: run `parapet configure`/);

    const away = await parapet(['ecs', 'DescribeRegions'], { ...withRoot, PARAPET_ENDPOINT: '127.0.0.1:1' });
    assert.equal(away.code, 1);
    assert.match(away.stderr, /^ERROR: the Parapet API does not answer \(connect ECONNREFUSED 127\.0\.0\.1:1\): is `parapet serve` running\?/);
  });

  test('profiles: configure writes the aliyun CLI file (0600), get reads it back, calls use it; StsToken and RamRoleArn profiles too', async () => {
    const set = await parapet(['configure', '--profile', 'dev', '--mode', 'AK', '--access-key-id', ROOT.accessKeyId, '--access-key-secret', ROOT.accessKeySecret, '--region', 'cn-shanghai']);
    assert.equal(set.code, 0, set.stderr);
    const file = join(home, '.aliyun', 'config.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const config = JSON.parse(readFileSync(file, 'utf8')) as { current: string; profiles: Array<Record<string, unknown>> };
    assert.equal(config.current, 'dev');
    assert.deepEqual([config.profiles[0]!['name'], config.profiles[0]!['mode'], config.profiles[0]!['access_key_id'], config.profiles[0]!['region_id'], config.profiles[0]!['output_format']], ['dev', 'AK', ROOT.accessKeyId, 'cn-shanghai', 'json']);
    const got = json(await parapet(['configure', 'get', '--profile', 'dev']));
    assert.deepEqual([got['access_key_id'], got['access_key_secret']], [ROOT.accessKeyId, '******']);
    // the current profile and its region: the VPC lands in cn-shanghai
    const vpc = json(await parapet(['vpc', 'CreateVpc', '--CidrBlock', '10.9.0.0/16']));
    const listed = json(await parapet(['vpc', 'DescribeVpcs', '--RegionId', 'cn-shanghai']));
    assert.deepEqual((listed['Vpcs'] as { Vpc: Array<{ VpcId: string }> }).Vpc.map((v) => v.VpcId), [vpc['VpcId']]);
    // `parapet explain` signs with the profile too: the server answers (here, that the instance does not exist)
    const explained = await parapet(['explain', '--profile', 'dev', '--region', R, '--instance', 'i-nothere000000000000', '--direction', 'ingress', '--protocol', 'tcp', '--port', '22', '--peer', '198.51.100.1']);
    assert.equal(explained.code, 1);
    assert.match(explained.stderr, /InvalidInstanceId\.NotFound/);
    // a profile named by ALIBABA_CLOUD_PROFILE that does not exist is an error, not a fallback
    assert.match((await parapet(['ecs', 'DescribeRegions'], { ALIBABA_CLOUD_PROFILE: 'nope' })).stderr, /the profile "nope" is not in/);

    // RamRoleArn: the role is assumed through Parapet's STS, and the call is the role's
    const trust = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } }] });
    await callRpc(serverEndpoint(), 'CreateRole', '2015-05-01', { RoleName: 'cli-role', AssumeRolePolicyDocument: trust });
    await callRpc(serverEndpoint(), 'AttachPolicyToRole', '2015-05-01', { PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess', RoleName: 'cli-role' });
    assert.equal((await parapet(['configure', '--profile', 'role', '--mode', 'RamRoleArn', '--access-key-id', ROOT.accessKeyId, '--access-key-secret', ROOT.accessKeySecret,
      '--ram-role-arn', `acs:ram::${ROOT.accountId}:role/cli-role`, '--role-session-name', 'cli'])).code, 0);
    const who = json(await parapet(['sts', 'GetCallerIdentity', '--profile', 'role']));
    assert.match(String(who['Arn']), /assumed-role\/cli-role\/cli$/);
    const denied = await parapet(['vpc', 'CreateVpc', '--CidrBlock', '10.8.0.0/16', '--profile', 'role']);
    assert.match(denied.stderr, /ErrorCode: Forbidden\.RAM|ErrorCode: NoPermission/);

    // StsToken: a session's keys and token, stored
    const s = await callRpc(serverEndpoint(), 'AssumeRole', '2015-04-01', { RoleArn: `acs:ram::${ROOT.accountId}:role/cli-role`, RoleSessionName: 'tok' });
    const c = s['Credentials'] as { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string };
    assert.equal((await parapet(['configure', '--profile', 'tok', '--mode', 'StsToken', '--access-key-id', c.AccessKeyId, '--access-key-secret', c.AccessKeySecret, '--sts-token', c.SecurityToken])).code, 0);
    for (const sig of ['v3', 'v1']) assert.match(String(json(await parapet(['sts', 'GetCallerIdentity', '--profile', 'tok', '--signature', sig]))['Arn']), /assumed-role\/cli-role\/tok$/);
    const list = await parapet(['configure', 'list']);
    assert.match(list.stdout, /^Profile\s+Credential/);
    assert.match(list.stdout, /\ntok \*\s+StsToken:\*\*\*/);
  });

  test('--output cols/rows is a table; --pager merges every page; --waiter polls until the value', async () => {
    for (let i = 0; i < 23; i++) await callRpc(serverEndpoint(), 'CreateSecurityGroup', '2014-05-26', { RegionId: R, SecurityGroupName: `g-${String(i).padStart(2, '0')}` });
    const t = await parapet(['ecs', 'DescribeSecurityGroups', '--RegionId', R, '--PageSize', '5', '--output', 'cols=SecurityGroupId,SecurityGroupName', 'rows=SecurityGroups.SecurityGroup[]'], withRoot);
    assert.equal(t.code, 0, t.stderr);
    const lines = t.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^SecurityGroupId\s+\| SecurityGroupName$/);
    assert.match(lines[1]!, /^-+ \| -+$/);
    assert.equal(lines.length, 2 + 5);
    assert.match(lines[2]!, /^sg-\S+\s+\| g-\d\d$/);

    const merged = json(await parapet(['ecs', 'DescribeSecurityGroups', '--RegionId', R, '--PageSize', '5', '--pager'], withRoot));
    const all = (merged['SecurityGroups'] as { SecurityGroup: Array<{ SecurityGroupName: string }> }).SecurityGroup;
    assert.equal(all.length, 23);
    assert.deepEqual(new Set(all.map((g) => g.SecurityGroupName)).size, 23, 'each group once');

    const vpcs = json(await parapet(['vpc', 'CreateVpc', '--RegionId', R, '--CidrBlock', '10.7.0.0/16'], withRoot));
    const waited = json(await parapet(['vpc', 'DescribeVpcs', '--RegionId', R, '--VpcId', String(vpcs['VpcId']), '--waiter', 'expr=Vpcs.Vpc[0].Status', 'to=Available', 'interval=1'], withRoot));
    assert.equal((waited['Vpcs'] as { Vpc: Array<{ Status: string }> }).Vpc[0]!.Status, 'Available');
    const never = await parapet(['vpc', 'DescribeVpcs', '--RegionId', R, '--VpcId', String(vpcs['VpcId']), '--waiter', 'expr=Vpcs.Vpc[0].Status', 'to=Gone', 'timeout=2', 'interval=1'], withRoot);
    assert.equal(never.code, 2);
    assert.match(never.stderr, /--waiter: Vpcs\.Vpc\[0\]\.Status is "Available", not Gone/);
  });

  const serverEndpoint = () => server.endpoint;
});
