// CreateSecurityGroupFromTemplate (Parapet 2026-11-01) and the default group with
// DefaultGroupOpenHttp (ModifyAccountSettings), through signed requests: each template's rules
// exactly, classic and VPC, an advanced group's egress rule, all or nothing, RAM authorization.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, ROOT, type TestServer } from '../helpers/server.ts';
import { buildSigned, send, type RawResponse } from '../helpers/sign.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';
import { setQuota } from '../../src/domain/account-settings.ts';

const ECS = '2014-05-26';
const VPC = '2016-04-28';
const RAM = '2015-05-01';
const PARAPET = '2026-11-01';
const R = 'cn-qingdao';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const OTHER = { accountId: '3234567890123456', accessKeyId: 'LTAItemplatesother01', accessKeySecret: 'templates-other-secret-01' };

interface Creds { accessKeyId: string; accessKeySecret: string }
type Perm = Record<string, string>;

/** The parts of a rule a template decides, as DescribeSecurityGroupAttribute answers them. */
const shape = (p: Record<string, unknown>) => {
  const out: Perm = {};
  for (const k of ['Direction', 'IpProtocol', 'PortRange', 'SourceCidrIp', 'DestCidrIp', 'Policy', 'Priority', 'NicType']) {
    const v = p[k];
    if (typeof v === 'string' || typeof v === 'number') { if (v !== '') out[k] = String(v); }
  }
  return out;
};
const sorted = (perms: Perm[]) => [...perms].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const inAny = (IpProtocol: string, PortRange: string, Priority: string, NicType: string): Perm =>
  ({ Direction: 'ingress', IpProtocol: IpProtocol.toUpperCase(), PortRange, SourceCidrIp: '0.0.0.0/0', Policy: 'Accept', Priority, NicType });
const outAll = (Policy: string, Priority: string, NicType: string): Perm =>
  ({ Direction: 'egress', IpProtocol: 'ALL', PortRange: '-1/-1', DestCidrIp: '0.0.0.0/0', Policy, Priority, NicType });

describe('CreateSecurityGroupFromTemplate and DefaultGroupOpenHttp', () => {
  let server: TestServer;
  let vpcId: string;
  let userSeq = 0;

  const call = (version: string, action: string, params: Record<string, string>, creds: Creds = ROOT): Promise<RawResponse> =>
    send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...creds, version, action, params }));
  const ok = async (version: string, action: string, params: Record<string, string>, creds: Creds = ROOT) => {
    const r = await call(version, action, params, creds);
    assert.equal(r.status, 200, `${action}: ${r.body}`);
    return r.json!;
  };
  const fails = async (version: string, action: string, params: Record<string, string>, creds: Creds = ROOT) => {
    const r = await call(version, action, params, creds);
    assert.notEqual(r.status, 200, `${action} should fail: ${r.body}`);
    return { status: r.status, code: String(r.json?.['Code']), message: String(r.json?.['Message']) };
  };
  const rulesOf = async (groupId: string, creds: Creds = ROOT, region = R) => {
    const a = await ok(ECS, 'DescribeSecurityGroupAttribute', { RegionId: region, SecurityGroupId: groupId }, creds);
    return sorted((a['Permissions'] as { Permission: Array<Record<string, unknown>> }).Permission.map(shape));
  };
  const groupCount = async (creds: Creds = ROOT) => Number((await ok(ECS, 'DescribeSecurityGroups', { RegionId: R }, creds))['TotalCount']);
  const fromTemplate = async (params: Record<string, string>, creds: Creds = ROOT) => {
    const r = await ok(PARAPET, 'CreateSecurityGroupFromTemplate', { RegionId: R, ...params }, creds);
    return { id: String(r['SecurityGroupId']), count: Number(r['RuleCount']) };
  };

  before(async () => {
    server = await startTestServer();
    await ensureAccount(server.services, OTHER);
    vpcId = String((await ok(VPC, 'CreateVpc', { RegionId: R, CidrBlock: '10.40.0.0/16' }))['VpcId']);
  });
  after(async () => { await server.stop(); });

  test('web-server-linux in a VPC: ingress TCP 80, 443, 22 and ICMP from everyone at priority 100, nothing else', async () => {
    const g = await fromTemplate({ Template: 'web-server-linux', VpcId: vpcId, SecurityGroupName: 'web-linux' });
    assert.equal(g.count, 4);
    assert.deepEqual(await rulesOf(g.id), sorted([
      inAny('tcp', '80/80', '100', 'intranet'), inAny('tcp', '443/443', '100', 'intranet'), inAny('tcp', '22/22', '100', 'intranet'), inAny('icmp', '-1/-1', '100', 'intranet'),
    ]));
    const described = await ok(ECS, 'DescribeSecurityGroups', { RegionId: R, SecurityGroupId: g.id });
    const row = (described['SecurityGroups'] as { SecurityGroup: Array<Record<string, unknown>> }).SecurityGroup[0]!;
    assert.deepEqual([row['SecurityGroupName'], row['SecurityGroupType'], row['VpcId']], ['web-linux', 'normal', vpcId]);
  });

  test('web-server-windows in the classic network: the ports on the internet NIC, internet egress denied, intranet egress allowed', async () => {
    const g = await fromTemplate({ Template: 'web-server-windows' });
    assert.equal(g.count, 6);
    assert.deepEqual(await rulesOf(g.id), sorted([
      inAny('tcp', '80/80', '100', 'internet'), inAny('tcp', '443/443', '100', 'internet'), inAny('tcp', '3389/3389', '100', 'internet'), inAny('icmp', '-1/-1', '100', 'internet'),
      outAll('Drop', '100', 'internet'), outAll('Accept', '100', 'intranet'),
    ]));
  });

  test('custom: no ingress; classic gets its egress rules, a basic VPC group nothing, an advanced group the allow-all egress rule', async () => {
    const classic = await fromTemplate({ Template: 'custom' });
    assert.deepEqual(await rulesOf(classic.id), sorted([outAll('Drop', '100', 'internet'), outAll('Accept', '100', 'intranet')]));
    const basic = await fromTemplate({ Template: 'custom', VpcId: vpcId });
    assert.deepEqual([basic.count, await rulesOf(basic.id)], [0, []]);
    const advanced = await fromTemplate({ Template: 'custom', VpcId: vpcId, SecurityGroupType: 'enterprise' });
    assert.deepEqual(await rulesOf(advanced.id), [outAll('Accept', '1', 'intranet')]);
  });

  test('an advanced group from web-server-linux: the ports at priority 1 (its only priority) and the allow-all egress rule', async () => {
    const g = await fromTemplate({ Template: 'web-server-linux', VpcId: vpcId, SecurityGroupType: 'enterprise' });
    assert.equal(g.count, 5);
    assert.deepEqual(await rulesOf(g.id), sorted([
      inAny('tcp', '80/80', '1', 'intranet'), inAny('tcp', '443/443', '1', 'intranet'), inAny('tcp', '22/22', '1', 'intranet'), inAny('icmp', '-1/-1', '1', 'intranet'),
      outAll('Accept', '1', 'intranet'),
    ]));
  });

  test('all or nothing: a bad parameter, or a template the group\'s quota can\'t take, creates nothing', async () => {
    const before = await groupCount();
    for (const [params, code] of [
      [{ Template: 'web-server-bsd' }, 'InvalidParameter'],
      [{ Template: 'web-server-linux', SecurityGroupType: 'enterprise' }, 'InvalidNetworkType.Conflict'],
      [{ Template: 'web-server-linux', VpcId: 'vpc-doesnotexist' }, 'InvalidVpcId.NotFound'],
      [{ Template: 'web-server-linux', SecurityGroupName: 'x' }, 'InvalidSecurityGroupName.Malformed'],
      [{}, 'MissingParameter'],
    ] as const) {
      const e = await fails(PARAPET, 'CreateSecurityGroupFromTemplate', { RegionId: R, ...params });
      assert.equal(e.code, code, JSON.stringify(params));
      assert.ok(e.status >= 400 && e.status < 500);
    }
    assert.match((await fails(PARAPET, 'CreateSecurityGroupFromTemplate', { RegionId: R, Template: 'web-server-bsd' })).message, /`Template` value `web-server-bsd`.*web-server-linux, web-server-windows, custom/);
    assert.equal(await groupCount(), before);

    // the group is inserted before its rules: when the rules can't be written, the group goes too
    await setQuota(server.services, OTHER.accountId, 'max-security-group-rules', '3');
    const e = await fails(PARAPET, 'CreateSecurityGroupFromTemplate', { RegionId: R, Template: 'web-server-linux' }, OTHER);
    assert.equal(e.code, 'AuthorizationLimitExceed');
    assert.equal(await groupCount(OTHER), 0);
  });

  test('RAM: the action is ecs:CreateSecurityGroup', async () => {
    const user = async (actions: string[]): Promise<Creds> => {
      const name = `tpl${++userSeq}`;
      await ok(RAM, 'CreateUser', { UserName: name });
      await ok(RAM, 'CreatePolicy', { PolicyName: `${name}-p`, PolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }) });
      await ok(RAM, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: `${name}-p`, UserName: name });
      const k = (await ok(RAM, 'CreateAccessKey', { UserName: name }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
      return { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
    };
    const before = await groupCount();
    const reader = await user(['ecs:Describe*', 'ecs:AuthorizeSecurityGroup']);
    const refused = await fails(PARAPET, 'CreateSecurityGroupFromTemplate', { RegionId: R, Template: 'web-server-linux' }, reader);
    assert.deepEqual([refused.status, refused.code], [403, 'Forbidden.RAM']);
    assert.match(refused.message, /ecs:CreateSecurityGroup/);
    assert.equal(await groupCount(), before);
    const creator = await user(['ecs:CreateSecurityGroup']);
    await fromTemplate({ Template: 'web-server-linux' }, creator);
    assert.equal(await groupCount(), before + 1);
  });

  test('the default group opens 80 and 443 when the account says DefaultGroupOpenHttp', async () => {
    const defaultGroupRules = async (region: string, zone: string) => {
      const run = await ok(ECS, 'RunInstances', { RegionId: region, ZoneId: zone, ImageId: LINUX, InstanceType: 'ecs.g5.large' });
      const id = (run['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
      const inst = (await ok(ECS, 'DescribeInstances', { RegionId: region, InstanceIds: JSON.stringify([id]) }))['Instances'] as { Instance: Array<{ SecurityGroupIds: { SecurityGroupId: string[] } }> };
      return rulesOf(inst.Instance[0]!.SecurityGroupIds.SecurityGroupId[0]!, ROOT, region);
    };
    const standard = [inAny('icmp', '-1/-1', '100', 'internet'), inAny('tcp', '22/22', '100', 'internet'), inAny('tcp', '3389/3389', '100', 'internet')];
    const initial = await ok(PARAPET, 'DescribeAccountSettings', {});
    assert.deepEqual([initial['DefaultGroupOpenHttp'], initial['Port25Unblocked']], [false, false]);
    assert.deepEqual(await defaultGroupRules('cn-shenzhen', 'cn-shenzhen-a'), sorted(standard));

    const modified = await ok(PARAPET, 'ModifyAccountSettings', { DefaultGroupOpenHttp: 'true' });
    assert.deepEqual([modified['DefaultGroupOpenHttp'], modified['Port25Unblocked']], [true, false]);
    assert.equal((await ok(PARAPET, 'DescribeAccountSettings', {}))['DefaultGroupOpenHttp'], true);
    assert.equal((await ok(PARAPET, 'DescribeAccountSettings', {}, OTHER))['DefaultGroupOpenHttp'], false, 'one account\'s setting');
    assert.deepEqual(await defaultGroupRules('cn-hongkong', 'cn-hongkong-b'), sorted([...standard, inAny('tcp', '80/80', '100', 'internet'), inAny('tcp', '443/443', '100', 'internet')]));

    assert.equal((await fails(PARAPET, 'ModifyAccountSettings', { DefaultGroupOpenHttp: 'maybe' })).code, 'InvalidParameter');
    assert.equal((await ok(PARAPET, 'ModifyAccountSettings', { DefaultGroupOpenHttp: 'false' }))['DefaultGroupOpenHttp'], false);
  });
});
