// DescribeExposure over IPv6 (Parapet API 2026-11-01), through the wire: an instance's IPv6
// addresses with internet bandwidth get their own rows (`Ipv6Address`), decided by the engine over
// the holding ENI's groups; IPv4 rules never open them, and IPv6 rules never open the IPv4 rows.
// Runs on the store PARAPET_TEST_STORE names (npm test runs it on both).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, callRpc, sdkError, type TestServer } from '../helpers/server.ts';

const R = 'cn-hangzhou';
const Z = 'cn-hangzhou-b';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';

interface Row {
  InstanceId: string; PublicIpAddress: string; Ipv6Address?: string; IpProtocol: string; PortRange: string; SourceCidrIps: { SourceCidrIp: string[] };
  OpenToInternet: boolean; RiskLevel: string; Services: { Service: string[] }; SecurityGroupRules: { SecurityGroupRule: Array<{ SecurityGroupId: string; SecurityGroupRuleId: string }> };
}

describe('DescribeExposure: IPv6 addresses with internet bandwidth', () => {
  let server: TestServer;
  const E = (action: string, q: Record<string, string>) => callRpc(server.endpoint, action, '2014-05-26', { RegionId: R, ...q });
  const V = (action: string, q: Record<string, string>) => callRpc(server.endpoint, action, '2016-04-28', { RegionId: R, ...q });
  const exposure = async (instanceId?: string) =>
    ((await callRpc(server.endpoint, 'DescribeExposure', '2026-11-01', { RegionId: R, ...(instanceId !== undefined ? { InstanceId: instanceId } : {}) })) as { Exposures: { Exposure: Row[] } }).Exposures.Exposure;
  const brief = (rows: Row[]) => rows.map((e) => [e.Ipv6Address ?? '-', e.IpProtocol, e.PortRange, e.SourceCidrIps.SourceCidrIp.join(','), e.OpenToInternet, e.RiskLevel]);
  let vpcId: string;
  let vswId: string;
  let gw: string;
  let prefix: string;
  const addressIdOf = async (address: string) =>
    ((await V('DescribeIpv6Addresses', { Ipv6Address: address }))['Ipv6Addresses'] as { Ipv6Address: Array<{ Ipv6AddressId: string }> }).Ipv6Address[0]!.Ipv6AddressId;
  const ruleIds = async (g: string) =>
    ((await E('DescribeSecurityGroupAttribute', { SecurityGroupId: g, Direction: 'ingress' }))['Permissions'] as { Permission: Array<Record<string, string>> }).Permission;

  before(async () => {
    server = await startTestServer();
    vpcId = (await V('CreateVpc', { CidrBlock: '10.60.0.0/16', EnableIpv6: 'true' }))['VpcId'] as string;
    vswId = (await V('CreateVSwitch', { VpcId: vpcId, ZoneId: Z, CidrBlock: '10.60.1.0/24', Ipv6CidrBlock: '1' }))['VSwitchId'] as string;
    const vsw = ((await V('DescribeVSwitches', { VSwitchId: vswId }))['VSwitches'] as { VSwitch: Array<{ Ipv6CidrBlock: string }> }).VSwitch[0]!;
    prefix = vsw.Ipv6CidrBlock.replace('::/64', '');
    gw = (await V('CreateIpv6Gateway', { VpcId: vpcId }))['Ipv6GatewayId'] as string;
  });
  after(async () => { await server.stop(); });

  test('IPv6 rows per address with internet bandwidth: ::/0 SSH high, a /64 less a stronger /80 drop, ICMPv6; IPv4 rules stay on IPv4 rows', async () => {
    const g = (await E('CreateSecurityGroup', { VpcId: vpcId }))['SecurityGroupId'] as string;
    const perms: Array<Record<string, string>> = [
      { IpProtocol: 'tcp', PortRange: '22/22', Ipv6SourceCidrIp: '::/0', Priority: '5' },
      { IpProtocol: 'tcp', PortRange: '443/443', Ipv6SourceCidrIp: '2001:db8:1:2::/64', Priority: '5' },
      { IpProtocol: 'tcp', PortRange: '443/443', Ipv6SourceCidrIp: '2001:db8:1:2:5::/80', Policy: 'drop', Priority: '1' },
      { IpProtocol: 'icmpv6', PortRange: '-1/-1', Ipv6SourceCidrIp: '::/0' },
      { IpProtocol: 'tcp', PortRange: '80/80', SourceCidrIp: '0.0.0.0/0' },
    ];
    const q: Record<string, string> = { SecurityGroupId: g };
    perms.forEach((p, i) => { for (const [k, v] of Object.entries(p)) q[`Permissions.${i + 1}.${k}`] = v; });
    await E('AuthorizeSecurityGroup', q);
    const run = async (extra: Record<string, string>) =>
      ((await E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vswId, SecurityGroupId: g, Ipv6AddressCount: '1', ...extra }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
    const dual = await run({ InternetMaxBandwidthOut: '10' });
    const only6 = await run({});
    const address = (await E('DescribeNetworkInterfaces', { InstanceId: dual }) as { NetworkInterfaceSets: { NetworkInterfaceSet: Array<{ Ipv6Sets: { Ipv6Set: Array<{ Ipv6Address: string }> } }> } })
      .NetworkInterfaceSets.NetworkInterfaceSet[0]!.Ipv6Sets.Ipv6Set[0]!.Ipv6Address;
    const other = (await E('DescribeNetworkInterfaces', { InstanceId: only6 }) as { NetworkInterfaceSets: { NetworkInterfaceSet: Array<{ Ipv6Sets: { Ipv6Set: Array<{ Ipv6Address: string }> } }> } })
      .NetworkInterfaceSets.NetworkInterfaceSet[0]!.Ipv6Sets.Ipv6Set[0]!.Ipv6Address;
    assert.ok(address.startsWith(prefix) && other.startsWith(prefix));

    // without internet bandwidth an IPv6 address is not exposed: the IPv4 row only, without Ipv6Address
    assert.deepEqual(brief(await exposure(dual)), [['-', 'TCP', '80/80', '0.0.0.0/0', true, 'medium']]);
    assert.deepEqual(await exposure(only6), []);

    await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: await addressIdOf(address), Bandwidth: '5' });
    const rows = await exposure(dual);
    const after80 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((k) => `2001:db8:1:2:${(1 << k).toString(16)}::/${80 - k}`);
    assert.deepEqual(brief(rows), [
      ['-', 'TCP', '80/80', '0.0.0.0/0', true, 'medium'],
      [address, 'TCP', '22/22', '::/0', true, 'high'],
      [address, 'TCP', '443/443', ['2001:db8:1:2::/78', '2001:db8:1:2:4::/80', '2001:db8:1:2:6::/79', ...after80].join(','), false, 'low'],
      [address, 'ICMPv6', '-1/-1', '::/0', true, 'medium'],
    ]);
    assert.ok(rows.every((e) => e.InstanceId === dual && e.PublicIpAddress !== ''), 'IPv6 rows keep the instance\'s public IPv4 address');
    assert.ok(!Object.hasOwn(rows[0]!, 'Ipv6Address'), 'an IPv4 row has no Ipv6Address');
    assert.deepEqual(rows[1]!.Services.Service, ['SSH']);
    // each row names the accept rule that opens it, never the /80 drop
    const stored = await ruleIds(g);
    const idOf = (portRange: string, policy = 'Accept') => stored.find((p) => p['PortRange'] === portRange && p['Policy']!.toLowerCase() === policy.toLowerCase() && p['Ipv6SourceCidrIp'] !== '')!['SecurityGroupRuleId'];
    assert.deepEqual(rows.slice(1).map((e) => e.SecurityGroupRules.SecurityGroupRule.map((x) => `${x.SecurityGroupId}/${x.SecurityGroupRuleId}`)),
      [[`${g}/${idOf('22/22')}`], [`${g}/${idOf('443/443')}`], [`${g}/${idOf('-1/-1')}`]]);

    // an instance without a public IPv4 address is exposed by its IPv6 address alone
    await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: await addressIdOf(other), Bandwidth: '5' });
    const six = await exposure(only6);
    assert.deepEqual(six.map((e) => [e.PublicIpAddress, e.Ipv6Address, e.IpProtocol, e.PortRange]), [['', other, 'TCP', '22/22'], ['', other, 'TCP', '443/443'], ['', other, 'ICMPv6', '-1/-1']]);
    // the region's list has both instances' IPv6 rows
    const all = await exposure();
    assert.deepEqual(new Set(all.filter((e) => e.Ipv6Address !== undefined).map((e) => e.Ipv6Address)), new Set([address, other]));

    // the bandwidth removed, the address is no longer exposed
    await V('DeleteIpv6InternetBandwidth', { Ipv6AddressId: await addressIdOf(other) });
    assert.deepEqual(await exposure(only6), []);
  });

  test('an IPv6 prefix list opens IPv6 rows by its entries and follows ModifyPrefixList; an IPv4 one opens IPv4 rows only', async () => {
    const v6 = (await E('CreatePrefixList', { PrefixListName: 'partners-v6', AddressFamily: 'IPv6', MaxEntries: '5', 'Entry.1.Cidr': '2001:db8:aaaa::/48' }))['PrefixListId'] as string;
    const v4 = (await E('CreatePrefixList', { PrefixListName: 'partners-v4', AddressFamily: 'IPv4', MaxEntries: '5', 'Entry.1.Cidr': '198.51.100.0/24' }))['PrefixListId'] as string;
    const g = (await E('CreateSecurityGroup', { VpcId: vpcId }))['SecurityGroupId'] as string;
    await E('AuthorizeSecurityGroup', {
      SecurityGroupId: g, 'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '8443/8443', 'Permissions.1.SourcePrefixListId': v6,
      'Permissions.2.IpProtocol': 'tcp', 'Permissions.2.PortRange': '8080/8080', 'Permissions.2.SourcePrefixListId': v4,
    });
    const id = ((await E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vswId, SecurityGroupId: g, Ipv6AddressCount: '1', InternetMaxBandwidthOut: '5' }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
    const address = ((await V('DescribeIpv6Addresses', { AssociatedInstanceId: id }))['Ipv6Addresses'] as { Ipv6Address: Array<{ Ipv6Address: string; Ipv6AddressId: string }> }).Ipv6Address[0]!;
    await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: address.Ipv6AddressId, Bandwidth: '5' });
    assert.deepEqual(brief(await exposure(id)), [
      ['-', 'TCP', '8080/8080', '198.51.100.0/24', false, 'low'],
      [address.Ipv6Address, 'TCP', '8443/8443', '2001:db8:aaaa::/48', false, 'low'],
    ]);
    await E('ModifyPrefixList', { PrefixListId: v6, 'AddEntry.1.Cidr': '2001:db8:bbbb::/48' });
    assert.deepEqual(brief(await exposure(id))[1], [address.Ipv6Address, 'TCP', '8443/8443', '2001:db8:aaaa::/48,2001:db8:bbbb::/48', false, 'low']);
  });

  test('an attached ENI\'s IPv6 address is exposed as that ENI\'s groups decide', async () => {
    const primaryGroup = (await E('CreateSecurityGroup', { VpcId: vpcId }))['SecurityGroupId'] as string;
    const eniGroup = (await E('CreateSecurityGroup', { VpcId: vpcId }))['SecurityGroupId'] as string;
    await E('AuthorizeSecurityGroup', { SecurityGroupId: eniGroup, 'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '3306/3306', 'Permissions.1.Ipv6SourceCidrIp': '::/0' });
    const id = ((await E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vswId, SecurityGroupId: primaryGroup }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
    const eni = (await E('CreateNetworkInterface', { VSwitchId: vswId, SecurityGroupId: eniGroup, Ipv6AddressCount: '1' }))['NetworkInterfaceId'] as string;
    await E('AttachNetworkInterface', { NetworkInterfaceId: eni, InstanceId: id });
    const address = ((await V('DescribeIpv6Addresses', { AssociatedInstanceId: eni }))['Ipv6Addresses'] as { Ipv6Address: Array<{ Ipv6Address: string; Ipv6AddressId: string }> }).Ipv6Address[0]!;
    await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: address.Ipv6AddressId, Bandwidth: '5' });
    assert.deepEqual(brief(await exposure(id)), [[address.Ipv6Address, 'TCP', '3306/3306', '::/0', true, 'high']]);
    // a stopped instance is not exposed
    await E('StopInstance', { InstanceId: id });
    assert.deepEqual(await exposure(id), []);
    assert.equal((await sdkError(exposure('i-nothere'))).code, 'InvalidInstanceId.NotFound');
  });
});
