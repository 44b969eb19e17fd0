// Security Center's checks 1-3 over IPv6 through the wire (sas 2018-12-03), on both store engines:
// an instance with the agent and an IPv6 address opened to ::/0 on SSH fails check 1 once that
// address has internet bandwidth (an IPv6 gateway's), not before; the detail's evidence names the
// address; an IPv4 0.0.0.0/0 rule does not open the IPv6 address, and revoking the ::/0 rule clears it.
// Runs on the store PARAPET_TEST_STORE names (npm test runs it on both).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, callRpc, type TestServer } from '../helpers/server.ts';

const R = 'cn-hangzhou';
const Z = 'cn-hangzhou-b';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';

interface WarningWire { CheckWarningId: number; RiskId: number; Uuid: string }

describe('Security Center checks over IPv6', () => {
  let server: TestServer;
  const E = (action: string, q: Record<string, string>) => callRpc(server.endpoint, action, '2014-05-26', { RegionId: R, ...q });
  const V = (action: string, q: Record<string, string>) => callRpc(server.endpoint, action, '2016-04-28', { RegionId: R, ...q });
  const S = (action: string, q: Record<string, string> = {}) => callRpc(server.endpoint, action, '2018-12-03', q);
  const warningsOf = async (instanceId: string) => {
    await S('StartBaselineSecurityCheck', { Type: 'check' });
    return ((await S('DescribeCheckWarnings', { PageSize: '100' }))['CheckWarnings'] as WarningWire[]).filter((w) => w.Uuid === instanceId);
  };

  before(async () => { server = await startTestServer(); });
  after(async () => { await server.stop(); });

  test('::/0 on SSH fails check 1 for an IPv6 address with internet bandwidth; the evidence names it', async () => {
    const vpcId = (await V('CreateVpc', { CidrBlock: '10.61.0.0/16', EnableIpv6: 'true' }))['VpcId'] as string;
    const vswId = (await V('CreateVSwitch', { VpcId: vpcId, ZoneId: Z, CidrBlock: '10.61.1.0/24', Ipv6CidrBlock: '1' }))['VSwitchId'] as string;
    const gw = (await V('CreateIpv6Gateway', { VpcId: vpcId }))['Ipv6GatewayId'] as string;
    const g = (await E('CreateSecurityGroup', { VpcId: vpcId }))['SecurityGroupId'] as string;
    await E('AuthorizeSecurityGroup', {
      SecurityGroupId: g,
      'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '22/22', 'Permissions.1.Ipv6SourceCidrIp': '::/0',
      'Permissions.2.IpProtocol': 'tcp', 'Permissions.2.PortRange': '3306/3306', 'Permissions.2.SourceCidrIp': '0.0.0.0/0',
    });
    // no public IPv4 address: only the IPv6 address can expose it
    const id = ((await E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vswId, SecurityGroupId: g, Ipv6AddressCount: '1', SecurityEnhancementStrategy: 'Active' }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
    const address = ((await V('DescribeIpv6Addresses', { AssociatedInstanceId: id }))['Ipv6Addresses'] as { Ipv6Address: Array<{ Ipv6Address: string; Ipv6AddressId: string }> }).Ipv6Address[0]!;

    assert.deepEqual((await warningsOf(id)).filter((w) => w.RiskId <= 3), [], 'without internet bandwidth the address is not exposed');

    await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: address.Ipv6AddressId, Bandwidth: '5' });
    const found = (await warningsOf(id)).filter((w) => w.RiskId <= 3);
    assert.deepEqual(found.map((w) => w.RiskId), [1], 'SSH by ::/0; the IPv4 0.0.0.0/0 MySQL rule does not open the IPv6 address (and there is no public IPv4 address)');
    const detail = await S('DescribeCheckWarningDetail', { CheckWarningId: String(found[0]!.CheckWarningId) });
    const rows = detail['CheckDetailAssetInfo'] as Array<Record<string, string>>;
    assert.deepEqual(rows.map((r) => [r['Protocol'], r['PortRange'], r['Service'], r['SourceCidrIp'], r['Ipv6Address'], r['SecurityGroupId']]),
      [['TCP', '22/22', 'SSH', '::/0', address.Ipv6Address, g]]);
    assert.ok((detail['CheckDetailColumns'] as Array<{ Key: string }>).some((c) => c.Key === 'Ipv6Address'));

    // revoking the ::/0 rule clears the finding at the next scan
    await E('RevokeSecurityGroup', { SecurityGroupId: g, IpProtocol: 'tcp', PortRange: '22/22', Ipv6SourceCidrIp: '::/0' });
    assert.deepEqual((await warningsOf(id)).filter((w) => w.RiskId <= 3), []);
  });
});
