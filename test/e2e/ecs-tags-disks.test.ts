// DescribeTags (the older tag query) and DescribeDisks (each instance's system disk, read-only)
// through the official ECS SDK.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, sdkError, type TestServer, type EcsClient, type VpcClient } from '../helpers/server.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';

describe('DescribeTags and DescribeDisks', () => {
  let server: TestServer;
  let ecs: EcsClient;
  let vpc: VpcClient;
  let sg: string;
  let vsw: string;
  const run = async (tags: Array<[string, string]> = []) => (await ecs.runInstances(new $.RunInstancesRequest({
    regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vsw, securityGroupId: sg,
    tag: tags.map(([key, value]) => new $.RunInstancesRequestTag({ key, value })),
  }))).body!.instanceIdSets!.instanceIdSet![0]!;
  before(async () => {
    server = await startTestServer();
    ecs = ecsClient(server.endpoint);
    vpc = vpcClient(server.endpoint);
    const vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '192.168.0.0/16' }))).body!.vpcId!;
    vsw = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '192.168.1.0/24' }))).body!.vSwitchId!;
    sg = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId, tag: [new $.CreateSecurityGroupRequestTag({ key: 'team', value: 'blue' })] }))).body!.securityGroupId!;
  });
  after(async () => { await server.stop(); });

  test('DescribeTags: distinct tags with ResourceTypeCount, narrowed by type, resource and Tag.N, paged', async () => {
    const a = await run([['team', 'blue'], ['env', 'prod']]);
    await run([['team', 'red']]);
    const all = (await ecs.describeTags(new $.DescribeTagsRequest({ regionId: R }))).body!;
    const shape = (b: typeof all) => b.tags!.tag!.map((x) => [x.tagKey, x.tagValue, x.resourceTypeCount!.instance, x.resourceTypeCount!.securitygroup]);
    assert.deepEqual(shape(all), [['env', 'prod', 1, 0], ['team', 'blue', 1, 1], ['team', 'red', 1, 0]]);
    assert.equal(all.totalCount, 3);
    const groups = (await ecs.describeTags(new $.DescribeTagsRequest({ regionId: R, resourceType: 'securitygroup' }))).body!;
    assert.deepEqual(shape(groups), [['team', 'blue', 0, 1]]);
    const one = (await ecs.describeTags(new $.DescribeTagsRequest({ regionId: R, resourceType: 'instance', resourceId: a }))).body!;
    assert.deepEqual(shape(one), [['env', 'prod', 1, 0], ['team', 'blue', 1, 0]]);
    const byTag = (await ecs.describeTags(new $.DescribeTagsRequest({ regionId: R, tag: [new $.DescribeTagsRequestTag({ key: 'team' })] }))).body!;
    assert.deepEqual(shape(byTag).map((x) => x[1]), ['blue', 'red']);
    const page2 = (await ecs.describeTags(new $.DescribeTagsRequest({ regionId: R, pageNumber: 2, pageSize: 2 }))).body!;
    assert.deepEqual([page2.totalCount, page2.pageNumber, page2.pageSize, shape(page2).length], [3, 2, 2, 1]);
    assert.deepEqual((await ecs.describeTags(new $.DescribeTagsRequest({ regionId: 'cn-beijing' }))).body!.tags!.tag, []);
    assert.equal((await sdkError(ecs.describeTags(new $.DescribeTagsRequest({ regionId: R, resourceType: 'bucket' })))).code, 'InvalidResourceType.NotFound');
    assert.equal((await sdkError(ecs.describeTags(new $.DescribeTagsRequest({ regionId: 'xx-nowhere' })))).statusCode, 404);
  });

  test('DescribeDisks: one system disk per instance, stable ids, status follows the instance, filters and paging', async () => {
    const a = await run();
    const b = await run();
    const disksOf = async (req: Record<string, unknown>) => (await ecs.describeDisks(new $.DescribeDisksRequest({ regionId: R, ...req }))).body!;
    const mine = (await disksOf({ instanceId: a })).disks!.disk!;
    assert.equal(mine.length, 1);
    const d = mine[0]!;
    assert.match(d.diskId!, /^d-/);
    assert.deepEqual([d.instanceId, d.type, d.category, d.size, d.status, d.device, d.imageId, d.zoneId, d.regionId, d.portable, d.encrypted],
      [a, 'system', 'cloud_essd', 40, 'In_use', '/dev/xvda', LINUX, 'cn-hangzhou-h', R, false, false]);
    assert.match(d.creationTime!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal((await disksOf({ instanceId: a })).disks!.disk![0]!.diskId, d.diskId, 'the id is stable');
    const other = (await disksOf({ instanceId: b })).disks!.disk![0]!.diskId;
    assert.notEqual(other, d.diskId);
    assert.deepEqual((await disksOf({ diskIds: JSON.stringify([d.diskId]) })).disks!.disk!.map((x) => x.instanceId), [a]);
    assert.deepEqual((await disksOf({ diskType: 'data' })).disks!.disk, []);
    await ecs.stopInstance(new $.StopInstanceRequest({ instanceId: a }));
    // a stopped instance's system disk stays attached
    assert.equal((await disksOf({ instanceId: a })).disks!.disk![0]!.status, 'In_use');
    const inUse = (await disksOf({ status: 'In_use' })).disks!.disk!.map((x) => x.instanceId);
    assert.ok(inUse.includes(b) && inUse.includes(a));
    assert.deepEqual((await disksOf({ status: 'Available' })).disks!.disk, []);
    // the earlier test's two instances are in the region too
    const paged = await disksOf({ pageSize: 3, pageNumber: 2 });
    assert.deepEqual([paged.totalCount, paged.pageNumber, paged.pageSize, paged.disks!.disk!.length], [4, 2, 3, 1]);
    assert.equal((await sdkError(disksOf({ pageSize: 101 }))).code, 'InvalidParameter');
    // gone with its instance
    await ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: a }));
    assert.equal((await disksOf({ diskIds: JSON.stringify([d.diskId]) })).totalCount, 0);
  });
});
