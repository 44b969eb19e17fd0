// SPEC §9's scenarios, configured through the official ECS SDK as a user would, and read back as
// the real service echoes them. Only the configuration and its echo are checked here: the
// verdicts on these scenarios are in check-network-access.test.ts (the engine) and
// test/dataplane/scenarios.test.ts (real packets).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, ROOT, type TestServer, type EcsClient } from '../helpers/server.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';

const $ = EcsModule;
const R = 'cn-qingdao';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
type Row = [string, string, string, string, string, string];

describe('SPEC §9 scenarios at the control plane: configured through the SDK and echoed back as the real service does', () => {
  let server: TestServer;
  let ecs: EcsClient;
  let vpcId: string;
  let vswId: string;
  const group = async (extra: Record<string, unknown> = {}) => (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId, ...extra }))).body!.securityGroupId!;
  const ingress = (g: string, perms: Array<Record<string, unknown>>, client = ecs) => client.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: g, permissions: perms.map((p) => new $.AuthorizeSecurityGroupRequestPermissions(p)) }));
  const egress = (g: string, perms: Array<Record<string, unknown>>) => ecs.authorizeSecurityGroupEgress(new $.AuthorizeSecurityGroupEgressRequest({ regionId: R, securityGroupId: g, permissions: perms.map((p) => new $.AuthorizeSecurityGroupEgressRequestPermissions(p)) }));
  const rows = async (g: string, direction: string, client = ecs): Promise<Row[]> =>
    (await client.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: g, direction }))).body!.permissions!.permission!
      .map((p): Row => [p.ipProtocol!, p.portRange!, p.sourceCidrIp || p.destCidrIp || p.sourceGroupId || p.destGroupId || '', p.policy!, p.priority!, p.nicType!]).sort();
  const run = async (g: string) => (await ecs.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vswId, securityGroupId: g }))).body!.instanceIdSets!.instanceIdSet![0]!;

  before(async () => {
    server = await startTestServer();
    ecs = ecsClient(server.endpoint);
    const vpc = vpcClient(server.endpoint);
    vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '172.16.0.0/16' }))).body!.vpcId!;
    vswId = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-qingdao-b', cidrBlock: '172.16.1.0/24' }))).body!.vSwitchId!;
  });
  after(async () => { await server.stop(); });

  test('1. members of one basic group share it (intra-group accept); two groups authorize each other', async () => {
    const a = await group();
    const b = await group();
    const [i1, i2] = [await run(a), await run(a)];
    await run(b);
    const attr = await ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: a }));
    assert.equal(attr.body!.innerAccessPolicy, 'Accept');
    const members = await ecs.describeInstances(new $.DescribeInstancesRequest({ regionId: R, securityGroupId: a }));
    assert.deepEqual(members.body!.instances!.instance!.map((x) => x.instanceId).sort(), [i1, i2].sort());
    await ingress(a, [{ ipProtocol: 'all', portRange: '-1/-1', sourceGroupId: b }]);
    await ingress(b, [{ ipProtocol: 'all', portRange: '-1/-1', sourceGroupId: a }]);
    assert.deepEqual(await rows(a, 'ingress'), [['ALL', '-1/-1', b, 'Accept', '1', 'intranet']]);
    assert.deepEqual(await rows(b, 'ingress'), [['ALL', '-1/-1', a, 'Accept', '1', 'intranet']]);
  });

  test('2 and 7. another account, classic network: each group authorizes the other by group id and account id; a single /32', async () => {
    const other = await ensureAccount(server.services);
    const theirs = ecsClient(server.endpoint, { accessKeyId: other.accessKeyId, accessKeySecret: other.accessKeySecret });
    const mine = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R }))).body!.securityGroupId!;
    const their = (await theirs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R }))).body!.securityGroupId!;
    await ingress(mine, [{ ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: their, sourceGroupOwnerId: Number(other.accountId), nicType: 'intranet' }]);
    await ingress(their, [{ ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: mine, sourceGroupOwnerId: Number(ROOT.accountId), nicType: 'intranet' }], theirs);
    assert.deepEqual(await rows(mine, 'ingress'), [['TCP', '22/22', their, 'Accept', '1', 'intranet']]);
    assert.deepEqual(await rows(their, 'ingress', theirs), [['TCP', '22/22', mine, 'Accept', '1', 'intranet']]);
    await ingress(mine, [{ ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '10.116.0.7/32', nicType: 'intranet' }]);
    assert.ok((await rows(mine, 'ingress')).some((r) => r[2] === '10.116.0.7/32'));
  });

  test('3, 6 and 8. only given CIDRs reach SSH and RDP; the internet reaches 22, 3389 and a custom port; web 80 and 443', async () => {
    const g = await group();
    await ingress(g, [
      { ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '198.51.100.0/24' },
      { ipProtocol: 'tcp', portRange: '3389/3389', sourceCidrIp: '198.51.100.7' },
      { ipProtocol: 'tcp', portRange: '8000/8080', sourceCidrIp: '0.0.0.0/0' },
      { ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '0.0.0.0/0' },
      { ipProtocol: 'tcp', portRange: '443/443', sourceCidrIp: '0.0.0.0/0' },
    ]);
    assert.deepEqual(await rows(g, 'ingress'), [
      ['TCP', '22/22', '198.51.100.0/24', 'Accept', '1', 'intranet'],
      ['TCP', '3389/3389', '198.51.100.7/32', 'Accept', '1', 'intranet'],
      ['TCP', '443/443', '0.0.0.0/0', 'Accept', '1', 'intranet'],
      ['TCP', '80/80', '0.0.0.0/0', 'Accept', '1', 'intranet'],
      ['TCP', '8000/8080', '0.0.0.0/0', 'Accept', '1', 'intranet'],
    ]);
  });

  test('4 and 5. egress: reach only given public IPs (drop all at 2, accept at 1); or never reach one', async () => {
    const only = await group();
    await egress(only, [
      { ipProtocol: 'all', portRange: '-1/-1', destCidrIp: '0.0.0.0/0', policy: 'drop', priority: '2' },
      { ipProtocol: 'all', portRange: '-1/-1', destCidrIp: '203.0.113.0/24', policy: 'accept', priority: '1' },
    ]);
    assert.deepEqual(await rows(only, 'egress'), [['ALL', '-1/-1', '0.0.0.0/0', 'Drop', '2', 'intranet'], ['ALL', '-1/-1', '203.0.113.0/24', 'Accept', '1', 'intranet']]);
    const never = await group();
    await egress(never, [{ ipProtocol: 'all', portRange: '-1/-1', destCidrIp: '192.0.2.0/24', policy: 'drop' }]);
    assert.deepEqual(await rows(never, 'egress'), [['ALL', '-1/-1', '192.0.2.0/24', 'Drop', '1', 'intranet']]);
  });
});
