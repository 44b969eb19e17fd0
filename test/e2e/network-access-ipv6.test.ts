// CheckNetworkAccess with IPv6 peers, on both store engines: Ipv6SourceCidrIp rules decide IPv6
// flows and IPv4 rules never do; a group rule reaches a member by its IPv6 address; an IPv6 prefix
// list's entries are matched and ModifyPrefixList changes the verdict without touching the rule;
// icmp/icmpv6 must match the peer's family; an ENI without IPv6 cannot be asked about IPv6.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, callRpc, sdkError, freshSchema, dropSchema, ROOT, type TestServer } from '../helpers/server.ts';
import { probedEngines } from '../helpers/stores.ts';
import { explain } from '../../src/cli/explain.ts';

const R = 'cn-shanghai';
const Z = 'cn-shanghai-b';
const ECS = '2014-05-26';
const VPC = '2016-04-28';
const PARAPET = '2026-11-01';

type Row = Record<string, unknown>;
type Answer = { Verdict: string; Reason: string; DecidingRule?: { SecurityGroupRuleId: string }; MatchedRules: { Permission: Array<{ SecurityGroupRuleId: string }> } };

for (const { engine, skip } of await probedEngines()) {
  describe(`CheckNetworkAccess with IPv6 peers (${engine.name})`, { skip }, () => {
    let server: TestServer;
    let schema: string | undefined;
    const E = (action: string, q: Record<string, string>) => callRpc(server.endpoint, action, ECS, { RegionId: R, ...q }, ROOT);
    const V = (action: string, q: Record<string, string>) => callRpc(server.endpoint, action, VPC, { RegionId: R, ...q }, ROOT);
    const code = async (p: Promise<unknown>) => { const e = await sdkError(p); return [e.statusCode, e.code]; };
    let vsw: string;
    let v4only: string;
    let web: string; // the group of the ENI asked about
    let peers: string; // another group
    let eniA: string;
    let eniB: string;
    let addrB: string;

    const eni = async (vSwitchId: string, groupId: string, q: Record<string, string> = {}) =>
      (await E('CreateNetworkInterface', { VSwitchId: vSwitchId, SecurityGroupId: groupId, ...q }))['NetworkInterfaceId'] as string;
    const v6Of = async (id: string) => (((await E('DescribeNetworkInterfaces', { 'NetworkInterfaceId.1': id }))['NetworkInterfaceSets'] as { NetworkInterfaceSet: Row[] })
      .NetworkInterfaceSet[0]!['Ipv6Sets'] as { Ipv6Set: Array<{ Ipv6Address: string }> }).Ipv6Set.map((s) => s.Ipv6Address);
    const check = (peer: string, q: Record<string, string> = {}) => callRpc(server.endpoint, 'CheckNetworkAccess', PARAPET,
      { RegionId: R, NetworkInterfaceId: eniA, Direction: 'ingress', IpProtocol: 'tcp', Port: '22', PeerIpAddress: peer, ...q }, ROOT) as Promise<Answer>;
    const authorize = async (q: Record<string, string>) => {
      await E('AuthorizeSecurityGroup', { SecurityGroupId: web, 'Permissions.1.IpProtocol': 'TCP', 'Permissions.1.PortRange': '22/22', ...q });
      const rules = ((await E('DescribeSecurityGroupAttribute', { SecurityGroupId: web }))['Permissions'] as { Permission: Array<Row> }).Permission;
      return rules[rules.length - 1]!['SecurityGroupRuleId'] as string;
    };

    before(async () => {
      schema = engine.name === 'postgres' ? freshSchema() : undefined;
      server = await startTestServer({ engine: engine.name, ...(schema !== undefined ? { schema } : {}) });
      const vpcId = (await V('CreateVpc', { CidrBlock: '10.20.0.0/16', EnableIpv6: 'true' }))['VpcId'] as string;
      vsw = (await V('CreateVSwitch', { VpcId: vpcId, ZoneId: Z, CidrBlock: '10.20.1.0/24', Ipv6CidrBlock: '3' }))['VSwitchId'] as string;
      v4only = (await V('CreateVSwitch', { VpcId: vpcId, ZoneId: Z, CidrBlock: '10.20.2.0/24' }))['VSwitchId'] as string;
      web = (await E('CreateSecurityGroup', { VpcId: vpcId }))['SecurityGroupId'] as string;
      peers = (await E('CreateSecurityGroup', { VpcId: vpcId }))['SecurityGroupId'] as string;
      // no intra-group allowance to blur what the rules decide
      await E('ModifySecurityGroupPolicy', { SecurityGroupId: web, InnerAccessPolicy: 'Drop' });
      eniA = await eni(vsw, web, { Ipv6AddressCount: '1' });
      eniB = await eni(vsw, peers, { Ipv6AddressCount: '1' });
      addrB = (await v6Of(eniB))[0]!;
    });
    after(async () => {
      await server.stop();
      if (schema !== undefined) await dropSchema(schema);
    });

    test('an Ipv6SourceCidrIp rule decides IPv6 peers; an IPv4 0.0.0.0/0 rule never does', async () => {
      const v4 = await authorize({ 'Permissions.1.SourceCidrIp': '0.0.0.0/0' });
      assert.deepEqual([(await check('2001:db8::5')).Verdict, (await check('2001:db8::5')).Reason], ['Drop', 'Default']);
      assert.equal((await check('198.51.100.5')).DecidingRule?.SecurityGroupRuleId, v4);
      const v6 = await authorize({ 'Permissions.1.Ipv6SourceCidrIp': '2001:db8::/64' });
      const a = await check('2001:db8::5');
      assert.deepEqual([a.Verdict, a.Reason, a.DecidingRule?.SecurityGroupRuleId], ['Accept', 'Rule', v6]);
      // any spelling of the address; the first address past the /64 is outside
      assert.equal((await check('2001:0DB8:0000:0000:FFFF:FFFF:FFFF:FFFF')).Verdict, 'Accept');
      assert.deepEqual([(await check('2001:db8:0:1::')).Verdict, (await check('2001:db8:0:1::')).Reason], ['Drop', 'Default']);
      assert.equal((await check('2001:db8::5', { Port: '23' })).Verdict, 'Drop');
      // parapet explain asks the same and names the IPv6 object
      const text = await explain({ endpoint: server.endpoint, ...ROOT }, { regionId: R, networkInterfaceId: eniA, direction: 'ingress', protocol: 'tcp', port: '22', peer: '2001:db8::5' });
      assert.match(text, /^ACCEPT: tcp from 2001:db8::5 to eni-/);
      assert.match(text, /Accept TCP 22\/22 from 2001:db8::\/64 at priority 1 → Accept/);
    });

    test('a group rule reaches a member by its IPv6 address; a non-member address of the VPC is not reached', async () => {
      const rule = await authorize({ 'Permissions.1.SourceGroupId': peers, 'Permissions.1.PortRange': '8080/8080' });
      const a = await check(addrB, { Port: '8080' });
      assert.deepEqual([a.Verdict, a.DecidingRule?.SecurityGroupRuleId], ['Accept', rule]);
      const stranger = addrB.replace(/[0-9a-f]+$/, (h) => (parseInt(h, 16) + 0x100).toString(16));
      assert.equal((await check(stranger, { Port: '8080' })).Verdict, 'Drop');
    });

    test('an IPv6 prefix list: its entries are matched, and ModifyPrefixList changes the verdict without touching the rule', async () => {
      const list = (await E('CreatePrefixList', { PrefixListName: 'v6-office', AddressFamily: 'IPv6', MaxEntries: '5', 'Entry.1.Cidr': '2001:db8:aa::/48' }))['PrefixListId'] as string;
      const rule = await authorize({ 'Permissions.1.SourcePrefixListId': list, 'Permissions.1.PortRange': '443/443' });
      assert.equal((await check('2001:db8:aa:1::9', { Port: '443' })).DecidingRule?.SecurityGroupRuleId, rule);
      assert.equal((await check('2001:db8:bb::9', { Port: '443' })).Verdict, 'Drop');
      await E('ModifyPrefixList', { PrefixListId: list, 'AddEntry.1.Cidr': '2001:db8:bb::/48', 'RemoveEntry.1.Cidr': '2001:db8:aa::/48' });
      assert.equal((await check('2001:db8:bb::9', { Port: '443' })).DecidingRule?.SecurityGroupRuleId, rule);
      assert.equal((await check('2001:db8:aa:1::9', { Port: '443' })).Verdict, 'Drop');
    });

    test('icmp needs an IPv4 peer and icmpv6 an IPv6 one; an ICMPv6 rule answers icmpv6', async () => {
      assert.deepEqual(await code(check('2001:db8::5', { IpProtocol: 'icmp' })), [400, 'InvalidIpProtocol.FamilyMismatch']);
      assert.deepEqual(await code(check('198.51.100.5', { IpProtocol: 'icmpv6' })), [400, 'InvalidIpProtocol.FamilyMismatch']);
      assert.equal((await check('2001:db8:99::1', { IpProtocol: 'icmpv6' })).Verdict, 'Drop');
      await E('AuthorizeSecurityGroup', { SecurityGroupId: web, 'Permissions.1.IpProtocol': 'ICMPv6', 'Permissions.1.PortRange': '-1/-1', 'Permissions.1.Ipv6SourceCidrIp': '::/0' });
      assert.equal((await check('2001:db8:99::1', { IpProtocol: 'icmpv6' })).Verdict, 'Accept');
    });

    test('bad peers are clear 400s: malformed, or IPv6 for an ENI without an IPv6 address', async () => {
      const plain = await eni(v4only, web);
      assert.deepEqual(await code(check('2001:db8::5', { NetworkInterfaceId: plain })), [400, 'InvalidPeerIpAddress.NoIpv6']);
      for (const bad of ['2001:db8::/64', '2001:db8:::1', 'fe80::1%eth0', '10.0.0.300']) {
        assert.deepEqual(await code(check(bad)), [400, 'InvalidPeerIpAddress.Malformed'], bad);
      }
    });
  });
}
