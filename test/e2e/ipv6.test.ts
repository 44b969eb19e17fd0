// IPv6 dual stack through the API, on both store engines: VPC blocks (/56 of the pool) and vSwitch
// blocks (/64 by index), ENI addresses (AssignIpv6Addresses, UnassignIpv6Addresses, RunInstances and
// CreateNetworkInterface with Ipv6AddressCount / Ipv6Address.N), IPv6 gateways and internet
// bandwidth, DescribeIpv6Addresses, the refusals (nothing changes), RAM, the domain helpers
// (ipv6OfEnis, eniByIpv6) and the desired state's `ipv6` / `ipv6Gateways`. The official SDKs make
// the CreateVpc, DescribeVpcs and AssignIpv6Addresses calls.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, freshSchema, dropSchema, ROOT, type TestServer, type Creds } from '../helpers/server.ts';
import { probedEngines } from '../helpers/stores.ts';
import { readDesiredState } from '../../src/domain/dataplane-state.ts';
import { eniByIpv6, ipv6OfEnis, vSwitchIpv6Block } from '../../src/domain/ipv6.ts';

const R = 'cn-shanghai';
const Z = 'cn-shanghai-b';
const ECS = '2014-05-26';
const VPC = '2016-04-28';
const RAM = '2015-05-01';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';

type Row = Record<string, unknown>;

for (const { engine, skip } of await probedEngines()) {
  describe(`IPv6 dual stack (${engine.name})`, { skip }, () => {
    let server: TestServer;
    let schema: string | undefined;
    const E = (action: string, q: Record<string, string>, creds: Creds = ROOT) => callRpc(server.endpoint, action, ECS, { RegionId: R, ...q }, creds);
    const V = (action: string, q: Record<string, string>, creds: Creds = ROOT) => callRpc(server.endpoint, action, VPC, { RegionId: R, ...q }, creds);
    const err = async (p: Promise<unknown>) => { const e = await sdkError(p); return { code: e.code, status: e.statusCode, message: e.message }; };
    const code = async (p: Promise<unknown>) => (await err(p)).code;
    const vpcOf = async (vpcId: string) => ((await V('DescribeVpcs', { VpcId: vpcId }))['Vpcs'] as { Vpc: Row[] }).Vpc[0]!;
    const vswOf = async (id: string) => ((await V('DescribeVSwitches', { VSwitchId: id }))['VSwitches'] as { VSwitch: Row[] }).VSwitch[0]!;
    const eniOf = async (id: string) => ((await E('DescribeNetworkInterfaces', { 'NetworkInterfaceId.1': id }))['NetworkInterfaceSets'] as { NetworkInterfaceSet: Row[] }).NetworkInterfaceSet[0]!;
    const v6Of = async (id: string) => ((await eniOf(id))['Ipv6Sets'] as { Ipv6Set: Array<{ Ipv6Address: string }> }).Ipv6Set.map((s) => s.Ipv6Address);
    /** a dual-stack VPC: a vSwitch with IPv6 (index 1), one without, a group */
    const network = async (cidr: string) => {
      const vpcId = (await V('CreateVpc', { CidrBlock: cidr, EnableIpv6: 'true' }))['VpcId'] as string;
      const v6 = (await vpcOf(vpcId))['Ipv6CidrBlock'] as string;
      const base = cidr.split('.').slice(0, 2).join('.');
      const dual = (await V('CreateVSwitch', { VpcId: vpcId, ZoneId: Z, CidrBlock: `${base}.1.0/24`, Ipv6CidrBlock: '1' }))['VSwitchId'] as string;
      const v4 = (await V('CreateVSwitch', { VpcId: vpcId, ZoneId: Z, CidrBlock: `${base}.2.0/24` }))['VSwitchId'] as string;
      const groupId = (await E('CreateSecurityGroup', { VpcId: vpcId }))['SecurityGroupId'] as string;
      const block = vSwitchIpv6Block(v6, 1);
      return { vpcId, v6, dual, v4, groupId, block, prefix: block.replace('::/64', '') };
    };
    const eni = async (vSwitchId: string, groupId: string, q: Record<string, string> = {}) =>
      (await E('CreateNetworkInterface', { VSwitchId: vSwitchId, SecurityGroupId: groupId, ...q }))['NetworkInterfaceId'] as string;

    before(async () => {
      schema = engine.name === 'postgres' ? freshSchema() : undefined;
      server = await startTestServer({ engine: engine.name, ...(schema !== undefined ? { schema } : {}) });
    });
    after(async () => {
      await server.stop();
      if (schema !== undefined) await dropSchema(schema);
    });

    test('VPCs get a /56 of the pool (official SDK), vSwitches a /64 by index; the refusals change nothing', async () => {
      const vpc = vpcClient(server.endpoint);
      const a = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.10.0.0/16', enableIpv6: true }))).body!.vpcId!;
      // two at once: the pool gives each its own block
      const [b, c] = await Promise.all(['10.11.0.0/16', '10.13.0.0/16'].map(async (cidrBlock) =>
        (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock, enableIpv6: true }))).body!.vpcId!));
      const seen = (await vpc.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: R, vpcId: a }))).body!.vpcs!.vpc![0]!;
      assert.equal(seen.enabledIpv6, true);
      assert.match(seen.ipv6CidrBlock!, /^2408:4[0-9a-f]{3}:[0-9a-f:]*\/56$/);
      assert.equal(seen.ipv6CidrBlocks!.ipv6CidrBlock![0]!.ipv6CidrBlock, seen.ipv6CidrBlock);
      const blocks = new Set([seen.ipv6CidrBlock, (await vpcOf(b!))['Ipv6CidrBlock'], (await vpcOf(c!))['Ipv6CidrBlock']]);
      assert.equal(blocks.size, 3, 'each VPC its own block');
      // the region's quota is 10 VPCs: the file's tests share it
      await V('DeleteVpc', { VpcId: b! });
      await V('DeleteVpc', { VpcId: c! });
      // a VPC without IPv6 answers so, and its vSwitches can't have a block until it is enabled
      const plain = (await V('CreateVpc', { CidrBlock: '10.12.0.0/16' }))['VpcId'] as string;
      assert.deepEqual([(await vpcOf(plain))['EnabledIpv6'], (await vpcOf(plain))['Ipv6CidrBlock'], (await vpcOf(plain))['Ipv6CidrBlocks']], [false, '', { Ipv6CidrBlock: [] }]);
      assert.equal(await code(V('CreateVSwitch', { VpcId: plain, ZoneId: Z, CidrBlock: '10.12.1.0/24', Ipv6CidrBlock: '0' })), 'IncorrectVpcStatus.Ipv6NotEnabled');
      assert.equal(((await V('DescribeVSwitches', { VpcId: plain }))['TotalCount']), 0, 'no vSwitch made');
      await V('ModifyVpcAttribute', { VpcId: plain, EnableIPv6: 'true' });
      const late = (await vpcOf(plain))['Ipv6CidrBlock'] as string;
      assert.match(late, /\/56$/);
      await V('ModifyVpcAttribute', { VpcId: plain, EnableIPv6: 'true' });
      assert.equal((await vpcOf(plain))['Ipv6CidrBlock'], late, 'enabling twice keeps the block');
      assert.equal(await code(V('ModifyVpcAttribute', { VpcId: plain, EnableIPv6: 'false', VpcName: 'renamed' })), 'OperationUnsupported.DisableIpv6');
      assert.equal((await vpcOf(plain))['VpcName'], '', 'the refused call changed nothing');
      // the vSwitch's block is the index's /64 of the VPC's /56
      const s5 = (await V('CreateVSwitch', { VpcId: a, ZoneId: Z, CidrBlock: '10.10.5.0/24', Ipv6CidrBlock: '5' }))['VSwitchId'] as string;
      const sw = await vswOf(s5);
      assert.deepEqual([sw['EnabledIpv6'], sw['Ipv6CidrBlock']], [true, vSwitchIpv6Block(seen.ipv6CidrBlock!, 5)]);
      assert.equal(vSwitchIpv6Block('2408:4000::/56', 5), '2408:4000:0:5::/64');
      assert.deepEqual([(await vswOf((await V('CreateVSwitch', { VpcId: a, ZoneId: Z, CidrBlock: '10.10.7.0/24' }))['VSwitchId'] as string))['Ipv6CidrBlock']], ['']);
      for (const [value, expected] of [['5', 'InvalidIpv6CidrBlock.Overlapped'], ['256', 'InvalidIpv6CidrBlock.Malformed'], ['-1', 'InvalidIpv6CidrBlock.Malformed'], ['x', 'InvalidParameter']] as const) {
        assert.equal(await code(V('CreateVSwitch', { VpcId: a, ZoneId: Z, CidrBlock: '10.10.6.0/24', Ipv6CidrBlock: value })), expected, value);
      }
      assert.equal((await V('DescribeVSwitches', { VpcId: a }))['TotalCount'], 2, 'the refused vSwitches were not made');
      // the EnableIpv6 filters
      const ids = (r: Row, list: string, item: string, key: string) => ((r[list] as Record<string, Row[]>)[item]!).map((x) => x[key]);
      assert.ok(!ids(await V('DescribeVpcs', { EnableIpv6: 'false' }), 'Vpcs', 'Vpc', 'VpcId').includes(a));
      assert.ok(ids(await V('DescribeVpcs', { EnableIpv6: 'true' }), 'Vpcs', 'Vpc', 'VpcId').includes(a));
      assert.deepEqual(ids(await V('DescribeVSwitches', { VpcId: a, EnableIpv6: 'true' }), 'VSwitches', 'VSwitch', 'VSwitchId'), [s5]);
    });

    test('ModifyVSwitchAttribute: IPv6 for a vSwitch that has none (an index, or the lowest free one), never changed after', async () => {
      const vpcId = (await V('CreateVpc', { CidrBlock: '10.15.0.0/16', EnableIpv6: 'true' }))['VpcId'] as string;
      const v6 = (await vpcOf(vpcId))['Ipv6CidrBlock'] as string;
      const s0 = (await V('CreateVSwitch', { VpcId: vpcId, ZoneId: Z, CidrBlock: '10.15.0.0/24', Ipv6CidrBlock: '0' }))['VSwitchId'] as string;
      const s1 = (await V('CreateVSwitch', { VpcId: vpcId, ZoneId: Z, CidrBlock: '10.15.1.0/24' }))['VSwitchId'] as string;
      const s2 = (await V('CreateVSwitch', { VpcId: vpcId, ZoneId: Z, CidrBlock: '10.15.2.0/24' }))['VSwitchId'] as string;
      assert.equal(await code(V('ModifyVSwitchAttribute', { VSwitchId: s1, Ipv6CidrBlock: '0', VSwitchName: 'renamed' })), 'InvalidIpv6CidrBlock.Overlapped');
      assert.deepEqual([(await vswOf(s1))['Ipv6CidrBlock'], (await vswOf(s1))['VSwitchName']], ['', ''], 'the refusal changed nothing');
      await V('ModifyVSwitchAttribute', { VSwitchId: s1, EnableIPv6: 'true', VSwitchName: 'dual' });
      assert.deepEqual([(await vswOf(s1))['Ipv6CidrBlock'], (await vswOf(s1))['VSwitchName']], [vSwitchIpv6Block(v6, 1), 'dual']);
      await V('ModifyVSwitchAttribute', { VSwitchId: s2, Ipv6CidrBlock: '9' });
      assert.equal((await vswOf(s2))['Ipv6CidrBlock'], vSwitchIpv6Block(v6, 9));
      await V('ModifyVSwitchAttribute', { VSwitchId: s2, EnableIPv6: 'true', Ipv6CidrBlock: '9' });
      assert.equal(await code(V('ModifyVSwitchAttribute', { VSwitchId: s2, Ipv6CidrBlock: '10' })), 'OperationUnsupported.VSwitchIpv6Change');
      assert.equal(await code(V('ModifyVSwitchAttribute', { VSwitchId: s0, EnableIPv6: 'false' })), 'OperationUnsupported.VSwitchIpv6Change');
      assert.equal(await code(V('ModifyVSwitchAttribute', { VSwitchId: s0, Ipv6CidrBlock: '300' })), 'InvalidIpv6CidrBlock.Malformed');
      assert.equal(await code(V('ModifyVSwitchAttribute', { VSwitchId: 'vsw-nothere', VSwitchName: 'x' })), 'InvalidVSwitchId.NotFound');
      const plain = (await V('CreateVpc', { CidrBlock: '10.16.0.0/16' }))['VpcId'] as string;
      const p1 = (await V('CreateVSwitch', { VpcId: plain, ZoneId: Z, CidrBlock: '10.16.1.0/24' }))['VSwitchId'] as string;
      assert.equal(await code(V('ModifyVSwitchAttribute', { VSwitchId: p1, EnableIPv6: 'true' })), 'IncorrectVpcStatus.Ipv6NotEnabled');
      // ClientToken: CreateIpv6Gateway once per token
      const first = await V('CreateIpv6Gateway', { VpcId: vpcId, ClientToken: 'gw-token-1' });
      const second = await V('CreateIpv6Gateway', { VpcId: vpcId, ClientToken: 'gw-token-1' });
      assert.equal(second['Ipv6GatewayId'], first['Ipv6GatewayId']);
      await V('DeleteIpv6Gateway', { Ipv6GatewayId: first['Ipv6GatewayId'] as string });
    });

    test('ENI addresses: CreateNetworkInterface, AssignIpv6Addresses (official SDK), UnassignIpv6Addresses, the rule every path obeys', async () => {
      const n = await network('10.20.0.0/16');
      const e1 = await eni(n.dual, n.groupId, { Ipv6AddressCount: '2' });
      assert.deepEqual(await v6Of(e1), [`${n.prefix}::1000`, `${n.prefix}::1001`]);
      const ecs = ecsClient(server.endpoint);
      const got = (await ecs.assignIpv6Addresses(new EcsModule.AssignIpv6AddressesRequest({ regionId: R, networkInterfaceId: e1, ipv6AddressCount: 1 }))).body!;
      assert.deepEqual([got.networkInterfaceId, got.ipv6Sets!.ipv6Address], [e1, [`${n.prefix}::1002`]]);
      // a named address, in any spelling: stored compressed and lower-case
      const named = (await E('AssignIpv6Addresses', { NetworkInterfaceId: e1, 'Ipv6Address.1': `${n.prefix.toUpperCase()}:0:0:0:ABCD` }))['Ipv6Sets'];
      assert.deepEqual(named, { Ipv6Address: [`${n.prefix}::abcd`] });
      const e2 = await eni(n.dual, n.groupId);
      const before = await v6Of(e2);
      const refusals: Array<[Record<string, string>, string]> = [
        [{ 'Ipv6Address.1': `${n.prefix}::abcd` }, 'InvalidIpv6Address.Conflict'],
        [{ 'Ipv6Address.1': `${n.prefix}::1001` }, 'InvalidIpv6Address.Conflict'],
        [{ 'Ipv6Address.1': '2001:db8::1' }, 'InvalidIpv6Address.Malformed'],
        [{ 'Ipv6Address.1': `${n.prefix}::1` }, 'InvalidIpv6Address.Malformed'],
        [{ 'Ipv6Address.1': 'not-an-address' }, 'InvalidIpv6Address.Malformed'],
        [{ 'Ipv6Address.1': `${n.prefix}::2000`, 'Ipv6Address.2': `${n.prefix}::2000` }, 'InvalidIpv6Address.Conflict'],
        [{ Ipv6AddressCount: '1', 'Ipv6Address.1': `${n.prefix}::2001` }, 'InvalidParameter'],
        [{ Ipv6AddressCount: '0' }, 'InvalidParameter'],
        [{ Ipv6AddressCount: '11' }, 'InvalidParameter'],
        [{}, 'MissingParameter'],
      ];
      for (const [q, expected] of refusals) assert.equal(await code(E('AssignIpv6Addresses', { NetworkInterfaceId: e2, ...q })), expected, JSON.stringify(q));
      assert.deepEqual(await v6Of(e2), before, 'the refusals assigned nothing');
      // at most 10 per ENI, all or none
      assert.equal(await code(E('AssignIpv6Addresses', { NetworkInterfaceId: e1, Ipv6AddressCount: '7' })), 'QuotaExceeded.Ipv6Address');
      assert.equal((await v6Of(e1)).length, 4);
      await E('AssignIpv6Addresses', { NetworkInterfaceId: e1, Ipv6AddressCount: '6' });
      assert.equal((await v6Of(e1)).length, 10);
      // the vSwitch must have a block, on every path
      const plain = await eni(n.v4, n.groupId);
      assert.equal(await code(E('AssignIpv6Addresses', { NetworkInterfaceId: plain, Ipv6AddressCount: '1' })), 'InvalidVSwitchId.Ipv6NotTurnOn');
      const enis = (await E('DescribeNetworkInterfaces', {}))['TotalCount'];
      assert.equal(await code(E('CreateNetworkInterface', { VSwitchId: n.v4, SecurityGroupId: n.groupId, Ipv6AddressCount: '1' })), 'InvalidVSwitchId.Ipv6NotTurnOn');
      assert.equal(await code(E('CreateNetworkInterface', { VSwitchId: n.dual, SecurityGroupId: n.groupId, 'Ipv6Address.1': `${n.prefix}::abcd` })), 'InvalidIpv6Address.Conflict');
      assert.equal((await E('DescribeNetworkInterfaces', {}))['TotalCount'], enis, 'no ENI made by a refused create');
      assert.equal(await code(E('AssignIpv6Addresses', { NetworkInterfaceId: 'eni-nothere', Ipv6AddressCount: '1' })), 'InvalidEniId.NotFound');
      // unassign: only the ENI's own; frees the address for another ENI
      assert.equal(await code(E('UnassignIpv6Addresses', { NetworkInterfaceId: e2, 'Ipv6Address.1': `${n.prefix}::abcd` })), 'InvalidIpv6Address.NotFound');
      assert.equal(await code(E('UnassignIpv6Addresses', { NetworkInterfaceId: e1 })), 'MissingParameter');
      await E('UnassignIpv6Addresses', { NetworkInterfaceId: e1, 'Ipv6Address.1': `${n.prefix}::ABCD` });
      assert.ok(!(await v6Of(e1)).includes(`${n.prefix}::abcd`));
      await E('AssignIpv6Addresses', { NetworkInterfaceId: e2, 'Ipv6Address.1': `${n.prefix}::abcd` });
      // the helpers the rest of the engine uses
      const map = await ipv6OfEnis(server.store.db, [e1, e2, plain]);
      assert.deepEqual([map.get(e1)!.length, map.get(e2), map.get(plain)], [9, [`${n.prefix}::abcd`], []]);
      assert.equal(await eniByIpv6(server.store.db, n.vpcId, `${n.prefix}:0::ABCD`), e2);
      assert.equal(await eniByIpv6(server.store.db, n.vpcId, `${n.prefix}::dead`), undefined);
      // DeleteNetworkInterface frees its addresses
      await E('DeleteNetworkInterface', { NetworkInterfaceId: e2 });
      assert.equal(await eniByIpv6(server.store.db, n.vpcId, `${n.prefix}::abcd`), undefined);
      const e3 = await eni(n.dual, n.groupId, { 'Ipv6Address.1': `${n.prefix}::abcd` });
      assert.deepEqual(await v6Of(e3), [`${n.prefix}::abcd`]);
      // assignments at once on several ENIs of one vSwitch: never one address twice
      const many = await Promise.all([1, 2, 3, 4].map(() => eni(n.dual, n.groupId)));
      const got2 = await Promise.all(many.map(async (id) => (await E('AssignIpv6Addresses', { NetworkInterfaceId: id, Ipv6AddressCount: '2' }))['Ipv6Sets'] as { Ipv6Address: string[] }));
      const all = got2.flatMap((x) => x.Ipv6Address);
      assert.equal(new Set([...all, ...(await v6Of(e1)), ...(await v6Of(e3))]).size, all.length + 10);
    });

    test('RunInstances and CreateInstance: Ipv6AddressCount / Ipv6Address.N on the primary ENI, shown by DescribeInstances; deleting the instance frees them', async () => {
      const n = await network('10.30.0.0/16');
      const ids = (await E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: n.dual, SecurityGroupId: n.groupId, Amount: '2', Ipv6AddressCount: '1' }))['InstanceIdSets'] as { InstanceIdSet: string[] };
      const inst = ((await E('DescribeInstances', { InstanceIds: JSON.stringify(ids.InstanceIdSet) }))['Instances'] as { Instance: Row[] }).Instance;
      const v6 = inst.map((i) => (((i['NetworkInterfaces'] as { NetworkInterface: Row[] }).NetworkInterface[0]!['Ipv6Sets']) as { Ipv6Set: Array<{ Ipv6Address: string }> }).Ipv6Set.map((s) => s.Ipv6Address));
      assert.deepEqual(v6.flat().sort(), [`${n.prefix}::1000`, `${n.prefix}::1001`]);
      const one = (await E('CreateInstance', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: n.dual, SecurityGroupId: n.groupId, 'Ipv6Address.1': `${n.prefix}::42` }))['InstanceId'] as string;
      const primary = ((await E('DescribeNetworkInterfaces', { InstanceId: one }))['NetworkInterfaceSets'] as { NetworkInterfaceSet: Row[] }).NetworkInterfaceSet[0]!;
      assert.deepEqual(primary['Ipv6Sets'], { Ipv6Set: [{ Ipv6Address: `${n.prefix}::42` }] });
      // refusals make no instance
      const count = async () => (await E('DescribeInstances', {}))['TotalCount'];
      const had = await count();
      assert.equal(await code(E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: n.v4, SecurityGroupId: n.groupId, Ipv6AddressCount: '1' })), 'InvalidVSwitchId.Ipv6NotTurnOn');
      assert.equal(await code(E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: n.dual, SecurityGroupId: n.groupId, 'Ipv6Address.1': `${n.prefix}::42` })), 'InvalidIpv6Address.Conflict');
      assert.equal(await code(E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: n.dual, SecurityGroupId: n.groupId, Amount: '2', 'Ipv6Address.1': `${n.prefix}::43` })), 'InvalidParameter');
      assert.equal(await count(), had);
      // the instance's deletion frees its primary ENI's addresses
      await E('DeleteInstance', { InstanceId: one, Force: 'true' });
      assert.equal(await eniByIpv6(server.store.db, n.vpcId, `${n.prefix}::42`), undefined);
    });

    test('IPv6 gateways and internet bandwidth, DescribeIpv6Addresses, the desired state, the dependencies', async () => {
      const n = await network('10.40.0.0/16');
      const plainVpc = (await V('CreateVpc', { CidrBlock: '10.41.0.0/16' }))['VpcId'] as string;
      assert.equal(await code(V('CreateIpv6Gateway', { VpcId: plainVpc })), 'IncorrectVpcStatus.Ipv6NotEnabled');
      await V('DeleteVpc', { VpcId: plainVpc });
      assert.equal(await code(V('CreateIpv6Gateway', { VpcId: 'vpc-nothere' })), 'InvalidVpcId.NotFound');
      const gw = (await V('CreateIpv6Gateway', { VpcId: n.vpcId, Name: 'gw6', Description: 'the gateway' }))['Ipv6GatewayId'] as string;
      assert.match(gw, /^ipv6gw-/);
      assert.equal(await code(V('CreateIpv6Gateway', { VpcId: n.vpcId })), 'QuotaExceeded.Ipv6Gateway');
      const attr = await V('DescribeIpv6GatewayAttribute', { Ipv6GatewayId: gw });
      assert.deepEqual([attr['Ipv6GatewayId'], attr['VpcId'], attr['Name'], attr['Description'], attr['Status'], attr['RegionId']], [gw, n.vpcId, 'gw6', 'the gateway', 'Available', R]);
      const list = await V('DescribeIpv6Gateways', { VpcId: n.vpcId });
      assert.deepEqual([list['TotalCount'], (list['Ipv6Gateways'] as { Ipv6Gateway: Row[] }).Ipv6Gateway[0]!['Ipv6GatewayId']], [1, gw]);
      assert.equal(await code(V('DescribeIpv6GatewayAttribute', { Ipv6GatewayId: 'ipv6gw-nothere' })), 'InvalidIpv6GatewayId.NotFound');
      // an instance with one address; the address as the VPC API sees it
      const id = ((await E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: n.dual, SecurityGroupId: n.groupId, Ipv6AddressCount: '1' }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
      const address = `${n.prefix}::1000`;
      const addresses = async (q: Record<string, string> = {}) => ((await V('DescribeIpv6Addresses', { VpcId: n.vpcId, ...q }))['Ipv6Addresses'] as { Ipv6Address: Row[] }).Ipv6Address;
      const row = (await addresses())[0]!;
      assert.deepEqual([row['Ipv6Address'], row['Ipv6GatewayId'], row['AssociatedInstanceId'], row['AssociatedInstanceType'], row['NetworkType'], row['VSwitchId'], row['Ipv6InternetBandwidth']],
        [address, gw, id, 'EcsInstance', 'Private', n.dual, undefined]);
      const addressId = row['Ipv6AddressId'] as string;
      assert.match(addressId, /^ipv6-[0-9a-f]{32}$/);
      let state = await readDesiredState(server.store.db, 0);
      const mine = () => state.instances.find((i) => i.instanceId === id)!.enis[0]!;
      assert.deepEqual(mine().ipv6, [{ address, internet: false }]);
      assert.deepEqual(state.networks.find((x) => x.key === n.vpcId)!.ipv6Gateways, [{ cidr: n.block }]);
      // internet bandwidth
      for (const [q, expected] of [
        [{ Ipv6GatewayId: gw, Ipv6AddressId: addressId, Bandwidth: '0' }, 'InvalidParameter'],
        [{ Ipv6GatewayId: gw, Ipv6AddressId: addressId, Bandwidth: '5001' }, 'InvalidParameter'],
        [{ Ipv6GatewayId: gw, Ipv6AddressId: 'ipv6-nothere', Bandwidth: '5' }, 'InvalidIpv6AddressId.NotFound'],
        [{ Ipv6GatewayId: gw, Ipv6AddressId: `ipv6-${'0'.repeat(31)}1`, Bandwidth: '5' }, 'InvalidIpv6AddressId.NotFound'],
        [{ Ipv6GatewayId: 'ipv6gw-nothere', Ipv6AddressId: addressId, Bandwidth: '5' }, 'InvalidIpv6GatewayId.NotFound'],
      ] as const) assert.equal(await code(V('AllocateIpv6InternetBandwidth', q)), expected, JSON.stringify(q));
      const bw = await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: addressId, Bandwidth: '10' });
      assert.match(bw['InternetBandwidthId'] as string, /^ipv6bw-/);
      assert.equal(bw['Ipv6AddressId'], addressId);
      assert.equal(await code(V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: addressId, Bandwidth: '10' })), 'OperationFailed.Ipv6InternetBandwidthExist');
      const pub = (await addresses({ NetworkType: 'Public' }))[0]!;
      assert.deepEqual([pub['NetworkType'], (pub['Ipv6InternetBandwidth'] as Row)['Bandwidth'], (pub['Ipv6InternetBandwidth'] as Row)['Ipv6InternetBandwidthId']], ['Public', 10, bw['InternetBandwidthId']]);
      assert.equal((await addresses({ NetworkType: 'Private' })).length, 0);
      state = await readDesiredState(server.store.db, 0);
      assert.deepEqual(mine().ipv6, [{ address, internet: true }]);
      // another VPC's gateway does not carry this address
      const m = await network('10.42.0.0/16');
      const gw2 = (await V('CreateIpv6Gateway', { VpcId: m.vpcId }))['Ipv6GatewayId'] as string;
      const e = await eni(n.dual, n.groupId, { Ipv6AddressCount: '1' });
      const otherId = ((await addresses({ AssociatedInstanceId: e }))[0]!)['Ipv6AddressId'] as string;
      assert.equal(await code(V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw2, Ipv6AddressId: otherId, Bandwidth: '5' })), 'InvalidIpv6Gateway.VpcMismatch');
      // dependencies: the gateway with bandwidth, the VPC with a gateway
      assert.equal(await code(V('DeleteIpv6Gateway', { Ipv6GatewayId: gw })), 'DependencyViolation.Ipv6InternetBandwidth');
      assert.equal(await code(V('DeleteVpc', { VpcId: m.vpcId })), 'DependencyViolation.Ipv6Gateway');
      await V('DeleteIpv6Gateway', { Ipv6GatewayId: gw2 });
      assert.equal((await V('DescribeIpv6Gateways', { VpcId: m.vpcId }))['TotalCount'], 0);
      // deleting the bandwidth, by address id or by its own id
      assert.equal(await code(V('DeleteIpv6InternetBandwidth', {})), 'MissingParameter');
      assert.equal(await code(V('DeleteIpv6InternetBandwidth', { Ipv6InternetBandwidthId: 'ipv6bw-nothere' })), 'InvalidIpv6InternetBandwidthId.NotFound');
      await V('DeleteIpv6InternetBandwidth', { Ipv6AddressId: addressId });
      assert.equal((await addresses({ NetworkType: 'Public' })).length, 0);
      const again = await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: addressId, Bandwidth: '1' });
      await V('DeleteIpv6InternetBandwidth', { Ipv6InternetBandwidthId: again['InternetBandwidthId'] as string });
      // unassigning an address, or deleting its instance, ends its bandwidth
      const eAddress = ((await addresses({ AssociatedInstanceId: e }))[0]!)['Ipv6Address'] as string;
      await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: otherId, Bandwidth: '2' });
      await E('UnassignIpv6Addresses', { NetworkInterfaceId: e, 'Ipv6Address.1': eAddress });
      await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: addressId, Bandwidth: '3' });
      await E('DeleteInstance', { InstanceId: id, Force: 'true' });
      assert.equal((await addresses({ NetworkType: 'Public' })).length, 0);
      await V('DeleteIpv6Gateway', { Ipv6GatewayId: gw });
      assert.equal(await code(V('DeleteIpv6Gateway', { Ipv6GatewayId: gw })), 'InvalidIpv6GatewayId.NotFound');
    });

    test('RAM: the new operations authorize the gateway, the address and the ENI they name', async () => {
      const n = await network('10.50.0.0/16');
      const gw = (await V('CreateIpv6Gateway', { VpcId: n.vpcId }))['Ipv6GatewayId'] as string;
      const e = await eni(n.dual, n.groupId, { Ipv6AddressCount: '1' });
      const doc = JSON.stringify({ Version: '1', Statement: [
        { Effect: 'Allow', Action: ['vpc:*', 'ecs:*'], Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: [`acs:vpc:*:*:ipv6gateway/${gw}`, `acs:ecs:*:*:networkinterface/${e}`] },
      ] });
      await callRpc(server.endpoint, 'CreatePolicy', RAM, { PolicyName: 'not-this-gateway', PolicyDocument: doc });
      await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: 'ipv6-limited' });
      await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'Custom', PolicyName: 'not-this-gateway', UserName: 'ipv6-limited' });
      const k = (await callRpc(server.endpoint, 'CreateAccessKey', RAM, { UserName: 'ipv6-limited' }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
      const limited: Creds = { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
      // one call at a time: each refusal is awaited as it is made
      for (const call of [
        () => V('DeleteIpv6Gateway', { Ipv6GatewayId: gw }, limited),
        () => V('DescribeIpv6GatewayAttribute', { Ipv6GatewayId: gw }, limited),
        () => E('AssignIpv6Addresses', { NetworkInterfaceId: e, Ipv6AddressCount: '1' }, limited),
        () => E('UnassignIpv6Addresses', { NetworkInterfaceId: e, 'Ipv6Address.1': `${n.prefix}::1000` }, limited),
      ]) {
        const r = await err(call());
        assert.deepEqual([r.code, r.status], ['Forbidden.RAM', 403], r.message);
      }
      const addressId = ((((await V('DescribeIpv6Addresses', { VpcId: n.vpcId }, limited))['Ipv6Addresses']) as { Ipv6Address: Row[] }).Ipv6Address[0]!)['Ipv6AddressId'] as string;
      const r = await err(V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: addressId, Bandwidth: '1' }, limited));
      assert.equal(r.code, 'Forbidden.RAM');
      assert.equal((await V('DescribeIpv6GatewayAttribute', { Ipv6GatewayId: gw }))['Ipv6GatewayId'], gw, 'root still sees it');
      assert.deepEqual(await v6Of(e), [`${n.prefix}::1000`], 'nothing changed');
    });
  });
}
