// Every SPEC §9 scenario as verdicts of CheckNetworkAccess (Parapet API 2026-11-01), configured
// through the official ECS SDK and asked through its generic client.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, ROOT, type TestServer, type EcsClient, type Creds } from '../helpers/server.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';

const $ = EcsModule;
const R = 'cn-beijing';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';

describe('CheckNetworkAccess: SPEC §9 scenarios', () => {
  let server: TestServer;
  let ecs: EcsClient;
  let vpcId: string;
  let vswId: string;
  const group = async (extra: Record<string, unknown> = {}, client = ecs) => (await client.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId, ...extra }))).body!.securityGroupId!;
  const ingress = (g: string, perms: Array<Record<string, unknown>>, client = ecs) => client.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: g, permissions: perms.map((p) => new $.AuthorizeSecurityGroupRequestPermissions(p)) }));
  const egress = (g: string, perms: Array<Record<string, unknown>>) => ecs.authorizeSecurityGroupEgress(new $.AuthorizeSecurityGroupEgressRequest({ regionId: R, securityGroupId: g, permissions: perms.map((p) => new $.AuthorizeSecurityGroupEgressRequestPermissions(p)) }));
  const run = async (g: string, extra: Record<string, unknown> = {}, client = ecs) => {
    const id = (await client.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vswId, securityGroupId: g, ...extra }))).body!.instanceIdSets!.instanceIdSet![0]!;
    const inst = (await client.describeInstances(new $.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([id]) }))).body!.instances!.instance![0]!;
    return { id, ip: inst.vpcAttributes!.privateIpAddress!.ipAddress![0] ?? inst.innerIpAddress!.ipAddress![0]! };
  };
  const check = async (instanceId: string, direction: string, protocol: string, port: number | undefined, peer: string, creds: Creds = ROOT, extra: Record<string, string> = {}) => {
    const q: Record<string, string> = { RegionId: R, InstanceId: instanceId, Direction: direction, IpProtocol: protocol, PeerIpAddress: peer, ...extra };
    if (port !== undefined) q['Port'] = String(port);
    return callRpc(server.endpoint, 'CheckNetworkAccess', '2026-11-01', q, creds) as Promise<{ Verdict: string; Reason: string; DecidingRule?: { SecurityGroupId: string; PortRange: string; Policy: string }; MatchedRules: { Permission: unknown[] } }>;
  };

  before(async () => {
    server = await startTestServer({ env: { PARAPET_LIMIT_SECURITY_GROUPS_PER_REGION: '50' } });
    ecs = ecsClient(server.endpoint);
    const vpc = vpcClient(server.endpoint);
    vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.20.0.0/16' }))).body!.vpcId!;
    vswId = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-beijing-a', cidrBlock: '10.20.1.0/24' }))).body!.vSwitchId!;
  });
  after(async () => { await server.stop(); });

  test('1. one basic group talks inside; two groups talk after authorizing each other', async () => {
    const g = await group();
    const [a, b] = [await run(g), await run(g)];
    const inside = await check(a.id, 'ingress', 'tcp', 5432, b.ip);
    assert.equal(inside.Verdict, 'Accept');
    assert.equal(inside.Reason, 'IntraGroup');
    await ecs.modifySecurityGroupPolicy(new $.ModifySecurityGroupPolicyRequest({ regionId: R, securityGroupId: g, innerAccessPolicy: 'Drop' }));
    assert.equal((await check(a.id, 'ingress', 'tcp', 5432, b.ip)).Verdict, 'Drop', 'intra-group policy Drop isolates members');
    const [g2, g3] = [await group(), await group()];
    const [c, d] = [await run(g2), await run(g3)];
    const before = await check(c.id, 'ingress', 'tcp', 80, d.ip);
    assert.deepEqual([before.Verdict, before.Reason], ['Drop', 'Default']);
    await ingress(g2, [{ ipProtocol: 'all', portRange: '-1/-1', sourceGroupId: g3 }]);
    await ingress(g3, [{ ipProtocol: 'all', portRange: '-1/-1', sourceGroupId: g2 }]);
    const afterRules = await check(c.id, 'ingress', 'tcp', 80, d.ip);
    assert.deepEqual([afterRules.Verdict, afterRules.Reason, afterRules.DecidingRule?.SecurityGroupId], ['Accept', 'Rule', g2]);
    assert.equal((await check(d.id, 'ingress', 'udp', 53, c.ip)).Verdict, 'Accept');
    assert.equal((await check(c.id, 'ingress', 'tcp', 80, '10.20.1.250')).Verdict, 'Drop', 'a group rule does not match an address that is no member');
  });

  test('2 and 7. another account on the classic network: by group and account id, or by a /32', async () => {
    const other = await ensureAccount(server.services);
    const theirs = ecsClient(server.endpoint, { accessKeyId: other.accessKeyId, accessKeySecret: other.accessKeySecret });
    const mine = await group({ vpcId: undefined });
    const their = await group({ vpcId: undefined }, theirs);
    const me = await run(mine, { vSwitchId: undefined });
    const them = await run(their, { vSwitchId: undefined }, theirs);
    assert.equal((await check(me.id, 'ingress', 'tcp', 22, them.ip)).Verdict, 'Drop');
    await ingress(mine, [{ ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: their, sourceGroupOwnerId: Number(other.accountId), nicType: 'intranet' }]);
    assert.equal((await check(me.id, 'ingress', 'tcp', 22, them.ip)).Verdict, 'Accept');
    await ingress(mine, [{ ipProtocol: 'tcp', portRange: '8080/8080', sourceCidrIp: `${them.ip}/32`, nicType: 'intranet' }]);
    assert.equal((await check(me.id, 'ingress', 'tcp', 8080, them.ip)).Verdict, 'Accept');
    assert.equal((await check(me.id, 'ingress', 'tcp', 8081, them.ip)).Verdict, 'Drop');
  });

  test('3, 6 and 8. SSH and RDP from given CIDRs; the internet on 22, 3389 and a custom port; a web server on 80 and 443', async () => {
    const only = await group();
    const s = await run(only);
    await ingress(only, [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '198.51.100.0/24' }, { ipProtocol: 'tcp', portRange: '3389/3389', sourceCidrIp: '198.51.100.0/24' }]);
    assert.equal((await check(s.id, 'ingress', 'tcp', 22, '198.51.100.5')).Verdict, 'Accept');
    assert.equal((await check(s.id, 'ingress', 'tcp', 3389, '198.51.100.200')).Verdict, 'Accept');
    assert.equal((await check(s.id, 'ingress', 'tcp', 22, '203.0.113.9')).Verdict, 'Drop');
    const open = await group();
    const o = await run(open);
    await ingress(open, [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0' }, { ipProtocol: 'tcp', portRange: '3389/3389', sourceCidrIp: '0.0.0.0/0' }, { ipProtocol: 'tcp', portRange: '9000/9100', sourceCidrIp: '0.0.0.0/0' }, { ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '0.0.0.0/0' }, { ipProtocol: 'tcp', portRange: '443/443', sourceCidrIp: '0.0.0.0/0' }]);
    for (const port of [22, 3389, 9050, 80, 443]) assert.equal((await check(o.id, 'ingress', 'tcp', port, '8.8.8.8')).Verdict, 'Accept', String(port));
    assert.equal((await check(o.id, 'ingress', 'tcp', 8080, '8.8.8.8')).Verdict, 'Drop');
    assert.equal((await check(o.id, 'ingress', 'udp', 80, '8.8.8.8')).Verdict, 'Drop');
  });

  test('4 and 5. egress only to given public IPs, or never to one; port 25 is the platform\'s', async () => {
    const only = await group();
    const a = await run(only);
    await egress(only, [{ ipProtocol: 'all', portRange: '-1/-1', destCidrIp: '0.0.0.0/0', policy: 'drop', priority: '2' }, { ipProtocol: 'all', portRange: '-1/-1', destCidrIp: '203.0.113.0/24', policy: 'accept', priority: '1' }]);
    const allowed = await check(a.id, 'egress', 'tcp', 443, '203.0.113.5');
    assert.deepEqual([allowed.Verdict, allowed.Reason], ['Accept', 'Rule']);
    assert.equal(allowed.MatchedRules.Permission.length, 2, 'both rules match; the stronger decides');
    assert.equal((await check(a.id, 'egress', 'tcp', 443, '8.8.8.8')).Verdict, 'Drop');
    const never = await group();
    const b = await run(never);
    await egress(never, [{ ipProtocol: 'all', portRange: '-1/-1', destCidrIp: '192.0.2.0/24', policy: 'drop' }]);
    assert.equal((await check(b.id, 'egress', 'udp', 53, '192.0.2.53')).Verdict, 'Drop');
    const elsewhere = await check(b.id, 'egress', 'udp', 53, '8.8.4.4');
    assert.deepEqual([elsewhere.Verdict, elsewhere.Reason], ['Accept', 'Default']);
    await egress(never, [{ ipProtocol: 'tcp', portRange: '25/25', destCidrIp: '0.0.0.0/0', policy: 'accept' }]);
    const smtp = await check(b.id, 'egress', 'tcp', 25, '8.8.8.8');
    assert.deepEqual([smtp.Verdict, smtp.Reason], ['Drop', 'Platform']);
    assert.equal((await check(b.id, 'egress', 'tcp', 25, '10.20.1.77')).Verdict, 'Accept', 'port 25 inside the private network is not blocked');
  });

  test('advanced groups: no intra-group allowance, egress denied by default', async () => {
    const adv = await group({ securityGroupType: 'enterprise' });
    const [a, b] = [await run(adv), await run(adv)];
    assert.equal((await check(a.id, 'ingress', 'tcp', 22, b.ip)).Verdict, 'Drop');
    const out = await check(a.id, 'egress', 'tcp', 443, '8.8.8.8');
    assert.deepEqual([out.Verdict, out.Reason], ['Drop', 'Default']);
  });

  test('DescribeExposure: what the internet reaches, as the engine decides (a stronger drop hides an accept)', async () => {
    const g = await group();
    await ingress(g, [
      { ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0', priority: '5' },
      { ipProtocol: 'tcp', portRange: '3306/3306', sourceCidrIp: '0.0.0.0/0', priority: '5' },
      { ipProtocol: 'tcp', portRange: '3306/3306', sourceCidrIp: '0.0.0.0/0', policy: 'drop', priority: '1' },
      { ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '198.51.100.0/24' },
      { ipProtocol: 'tcp', portRange: '8000/8001', sourceCidrIp: '0.0.0.0/0' },
    ]);
    const pub = await run(g, { internetMaxBandwidthOut: 10 });
    await run(g); // no public address: not exposed
    const r = await callRpc(server.endpoint, 'DescribeExposure', '2026-11-01', { RegionId: R, InstanceId: pub.id }) as { Exposures: { Exposure: Array<{ InstanceId: string; IpProtocol: string; PortRange: string; SourceCidrIps: { SourceCidrIp: string[] }; OpenToInternet: boolean; RiskLevel: string; Services: { Service: string[] } }> } };
    const rows = r.Exposures.Exposure.map((e) => [e.IpProtocol, e.PortRange, e.SourceCidrIps.SourceCidrIp.join(','), e.OpenToInternet, e.RiskLevel]);
    assert.deepEqual(rows, [
      ['TCP', '22/22', '0.0.0.0/0', true, 'high'],
      ['TCP', '80/80', '198.51.100.0/24', false, 'low'],
      ['TCP', '8000/8001', '0.0.0.0/0', true, 'medium'],
    ]);
    assert.deepEqual(r.Exposures.Exposure[0]!.Services.Service, ['SSH']);
    // each exposure names the accept rules that open it (the web console links them): never the
    // drop that hides 3306, and the 22 and 80 rows their own rule
    const stored = (await ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: g, direction: 'ingress' }))).body!.permissions!.permission!;
    const idOf = (portRange: string, policy = 'Accept') => stored.find((p) => p.portRange === portRange && p.policy?.toLowerCase() === policy.toLowerCase())!.securityGroupRuleId!;
    const opening = (r as unknown as { Exposures: { Exposure: Array<{ SecurityGroupRules: { SecurityGroupRule: Array<{ SecurityGroupId: string; SecurityGroupRuleId: string }> } }> } }).Exposures.Exposure
      .map((e) => e.SecurityGroupRules.SecurityGroupRule.map((x) => `${x.SecurityGroupId}/${x.SecurityGroupRuleId}`));
    assert.deepEqual(opening, [[`${g}/${idOf('22/22')}`], [`${g}/${idOf('80/80')}`], [`${g}/${idOf('8000/8001')}`]]);
    const all = await callRpc(server.endpoint, 'DescribeExposure', '2026-11-01', { RegionId: R }) as { Exposures: { Exposure: Array<{ InstanceId: string }> } };
    assert.ok(all.Exposures.Exposure.every((e) => e.InstanceId !== undefined));
    assert.ok(all.Exposures.Exposure.some((e) => e.InstanceId === pub.id));
  });

  test('parapet explain tells the verdict and the chain of reasoning', async () => {
    const { explain } = await import('../../src/cli/explain.ts');
    const g = await group();
    const a = await run(g);
    await ingress(g, [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0', policy: 'drop', priority: '1' }, { ipProtocol: 'tcp', portRange: '1/1024', sourceCidrIp: '0.0.0.0/0', priority: '2' }]);
    const text = await explain({ endpoint: server.endpoint, ...ROOT }, { regionId: R, instanceId: a.id, direction: 'ingress', protocol: 'tcp', port: '22', peer: '8.8.8.8' });
    assert.match(text, /^DROP: tcp from 8\.8\.8\.8 to i-/);
    assert.match(text, /3\. Rules: 2 rule\(s\)/);
    assert.match(text, /Drop TCP 22\/22 from 0\.0\.0\.0\/0 at priority 1 → Drop/);
    const open = await explain({ endpoint: server.endpoint, ...ROOT }, { regionId: R, instanceId: a.id, direction: 'egress', protocol: 'tcp', port: '25', peer: '8.8.8.8' });
    assert.match(open, /Platform rule: outbound TCP to port 25/);
  });

  test('bad input: clean 4xx', async () => {
    const g = await group();
    const a = await run(g);
    assert.equal((await sdkError(check(a.id, 'sideways', 'tcp', 22, '1.2.3.4'))).code, 'InvalidDirection.Malformed');
    assert.equal((await sdkError(check(a.id, 'ingress', 'sctp', 22, '1.2.3.4'))).code, 'InvalidIpProtocol.ValueNotSupported');
    assert.equal((await sdkError(check(a.id, 'ingress', 'tcp', undefined, '1.2.3.4'))).code, 'MissingParameter');
    assert.equal((await sdkError(check(a.id, 'ingress', 'tcp', 22, '1.2.3'))).code, 'InvalidPeerIpAddress.Malformed');
    assert.equal((await sdkError(check('i-nope', 'ingress', 'tcp', 22, '1.2.3.4'))).code, 'InvalidInstanceId.NotFound');
    assert.equal((await sdkError(check(a.id, 'ingress', 'tcp', 22, '1.2.3.4', ROOT, { NicType: 'internet' }))).code, 'InvalidNicType.Mismatch');
  });
});
