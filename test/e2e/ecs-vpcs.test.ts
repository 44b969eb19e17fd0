// The VPC operations under the ECS version (2014-05-26), through the official ECS SDK and through
// npm aliyun-sdk 1.x, an older client that only knows this form: the same VPCs and vSwitches the
// VPC API (2016-04-28) sees, with the VPC API's RAM actions.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ALY from 'aliyun-sdk';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, ROOT, type TestServer, type EcsClient, type VpcClient, type Creds } from '../helpers/server.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const RAM = '2015-05-01';

describe('VPC operations under the ECS version', () => {
  let server: TestServer;
  let ecs: EcsClient;
  let vpc: VpcClient;
  before(async () => { server = await startTestServer(); ecs = ecsClient(server.endpoint); vpc = vpcClient(server.endpoint); });
  after(async () => { await server.stop(); });

  test('official ECS SDK: CreateVpc, ModifyVpcAttribute, CreateVSwitch, DescribeVpcs, DescribeVSwitches, DeleteVSwitch, DeleteVpc', async () => {
    const created = (await ecs.createVpc(new $.CreateVpcRequest({ regionId: R, cidrBlock: '172.16.0.0/16', vpcName: 'ecs-form' }))).body!;
    assert.match(created.vpcId!, /^vpc-/);
    assert.match(created.VRouterId!, /^vrt-/);
    assert.match(created.routeTableId!, /^vtb-/);
    await ecs.modifyVpcAttribute(new $.ModifyVpcAttributeRequest({ regionId: R, vpcId: created.vpcId, description: 'set through ECS' }));
    const vswId = (await ecs.createVSwitch(new $.CreateVSwitchRequest({ regionId: R, vpcId: created.vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '172.16.3.0/24', vSwitchName: 'ecs-vsw' }))).body!.vSwitchId!;
    assert.match(vswId, /^vsw-/);
    const vpcs = (await ecs.describeVpcs(new $.DescribeVpcsRequest({ regionId: R, vpcId: created.vpcId }))).body!;
    assert.equal(vpcs.totalCount, 1);
    const v = vpcs.vpcs!.vpc![0]!;
    assert.deepEqual([v.vpcId, v.vpcName, v.description, v.cidrBlock, v.status, v.VRouterId, v.vSwitchIds!.vSwitchId, v.regionId, v.isDefault],
      [created.vpcId, 'ecs-form', 'set through ECS', '172.16.0.0/16', 'Available', created.VRouterId, [vswId], R, false]);
    const vsws = (await ecs.describeVSwitches(new $.DescribeVSwitchesRequest({ regionId: R, vpcId: created.vpcId }))).body!;
    assert.deepEqual(vsws.vSwitches!.vSwitch!.map((s) => [s.vSwitchId, s.vpcId, s.zoneId, s.cidrBlock, s.vSwitchName, s.status]),
      [[vswId, created.vpcId, 'cn-hangzhou-h', '172.16.3.0/24', 'ecs-vsw', 'Available']]);
    // one state: the VPC API sees what the ECS form made
    const seen = (await vpc.describeVSwitches(new VpcModule.DescribeVSwitchesRequest({ regionId: R, vSwitchId: vswId }))).body!;
    assert.equal(seen.totalCount, 1);
    // the VPC's rules hold whichever version asks: a VPC with a vSwitch is not deleted
    assert.equal((await sdkError(ecs.deleteVpc(new $.DeleteVpcRequest({ regionId: R, vpcId: created.vpcId })))).code, 'DependencyViolation.VSwitch');
    await ecs.deleteVSwitch(new $.DeleteVSwitchRequest({ regionId: R, vSwitchId: vswId }));
    await ecs.deleteVpc(new $.DeleteVpcRequest({ regionId: R, vpcId: created.vpcId }));
    const gone = (await vpc.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: R, vpcId: created.vpcId }))).body!;
    assert.equal(gone.totalCount, 0);
  });

  test('aliyun-sdk 1.x (ALY.ECS, 2014-05-26): a VPC and a vSwitch made and listed, errors as Alibaba words them', async () => {
    const aly = new ALY.ECS({ accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.accessKeySecret, endpoint: `http://${server.endpoint}`, apiVersion: '2014-05-26' });
    const call = (action: string, params: Record<string, unknown>) => new Promise<Record<string, unknown>>((resolve, reject) => {
      aly[action]!(params, (err, data) => { if (err) reject(err); else resolve(data); });
    });
    const created = await call('createVpc', { RegionId: R, CidrBlock: '10.30.0.0/16', VpcName: 'from-aliyun-sdk' });
    const vpcId = String(created['VpcId']);
    assert.match(vpcId, /^vpc-/);
    const vswId = String((await call('createVSwitch', { VpcId: vpcId, ZoneId: 'cn-hangzhou-i', CidrBlock: '10.30.8.0/24' }))['VSwitchId']);
    assert.match(vswId, /^vsw-/);
    const listed = await call('describeVpcs', { RegionId: R, VpcId: vpcId }) as { Vpcs: { Vpc: Array<{ VpcName: string; VSwitchIds: { VSwitchId: string[] } }> } };
    assert.deepEqual(listed.Vpcs.Vpc.map((x) => [x.VpcName, x.VSwitchIds.VSwitchId]), [['from-aliyun-sdk', [vswId]]]);
    const vsws = await call('describeVSwitches', { VpcId: vpcId }) as { TotalCount: number };
    assert.equal(vsws.TotalCount, 1);
    const bad = await call('createVSwitch', { VpcId: vpcId, ZoneId: 'cn-hangzhou-i', CidrBlock: '10.31.0.0/24' }).then(() => undefined, (e: unknown) => e as { code?: string });
    assert.ok(bad !== undefined, 'a vSwitch outside its VPC is refused');
    await call('deleteVSwitch', { VSwitchId: vswId });
    await call('deleteVpc', { VpcId: vpcId });
    assert.equal((await call('describeVpcs', { RegionId: R, VpcId: vpcId }))['TotalCount'], 0);
  });

  test('RAM: the ECS form is authorized with the VPC actions (vpc:DescribeVpcs reads, vpc:CreateVpc is needed to create)', async () => {
    await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: 'netreader' });
    await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunVPCReadOnlyAccess', UserName: 'netreader' });
    const k = (await callRpc(server.endpoint, 'CreateAccessKey', RAM, { UserName: 'netreader' }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
    const creds: Creds = { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
    const reader = ecsClient(server.endpoint, creds);
    assert.equal((await reader.describeVpcs(new $.DescribeVpcsRequest({ regionId: R }))).statusCode, 200);
    const denied = await sdkError(reader.createVpc(new $.CreateVpcRequest({ regionId: R, cidrBlock: '10.0.0.0/16' })));
    assert.equal(denied.code, 'Forbidden.RAM');
    assert.equal(denied.statusCode, 403);
    assert.match(JSON.stringify(denied.data), /vpc:CreateVpc/);
  });
});
