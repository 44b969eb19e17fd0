// Instances, ENIs and group membership through the official ECS SDK (SPEC §1.4-§1.5).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, sdkError, type TestServer, type EcsClient } from '../helpers/server.ts';

const $ = EcsModule;
const R = 'cn-shanghai';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';

describe('instances and membership end to end', () => {
  let server: TestServer;
  let ecs: EcsClient;
  let vpcId: string;
  let vswId: string;
  const run = async (extra: Record<string, unknown> = {}) =>
    (await ecs.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vswId, ...extra }))).body!.instanceIdSets!.instanceIdSet!;
  const describeOne = async (id: string) =>
    (await ecs.describeInstances(new $.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([id]) }))).body!.instances!.instance![0]!;
  const group = async (extra: Record<string, unknown> = {}) =>
    (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId, ...extra }))).body!.securityGroupId!;

  before(async () => {
    server = await startTestServer();
    ecs = ecsClient(server.endpoint);
    const vpc = vpcClient(server.endpoint);
    vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '192.168.0.0/16' }))).body!.vpcId!;
    vswId = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-shanghai-b', cidrBlock: '192.168.1.0/29' }))).body!.vSwitchId!;
  });
  after(async () => { await server.stop(); });

  test('catalogues: images with OSType, instance types with bandwidth and packet rate', async () => {
    const images = await ecs.describeImages(new $.DescribeImagesRequest({ regionId: R, OSType: 'windows' }));
    assert.ok(images.body!.images!.image!.length > 0 && images.body!.images!.image!.every((i) => i.OSType === 'windows'));
    const types = await ecs.describeInstanceTypes(new $.DescribeInstanceTypesRequest({ instanceTypes: ['ecs.g5.16xlarge', 'ecs.c6.large'] }));
    const big = types.body!.instanceTypes!.instanceType!.find((x) => x.instanceTypeId === 'ecs.g5.16xlarge')!;
    assert.equal(big.instancePpsRx, 4000000);
    assert.equal(big.instanceBandwidthRx, 20000 * 1024);
  });

  test('HostName: iZ…Z by default, a given one kept, a bad one refused; MetadataOptions as set', async () => {
    const sg = await group();
    const [a] = await run({ securityGroupId: sg });
    const [b] = await run({ securityGroupId: sg, hostName: 'web-01.internal', httpTokens: 'required' });
    const ia = await describeOne(a!);
    assert.equal(ia.hostName, `iZ${a!.slice(2)}Z`);
    assert.equal(ia.metadataOptions!.httpTokens, 'optional');
    const ib = await describeOne(b!);
    assert.equal(ib.hostName, 'web-01.internal');
    assert.equal(ib.metadataOptions!.httpTokens, 'required', 'DescribeInstances reports the HttpTokens in force');
    for (const bad of ['-web', 'web..1', 'x', 'a'.repeat(65), 'web_1']) {
      const e = await sdkError(run({ securityGroupId: sg, hostName: bad }));
      assert.equal(e.code, 'InvalidHostName.Malformed', bad);
    }
    await ecs.modifyInstanceAttribute(new $.ModifyInstanceAttributeRequest({ instanceId: a!, hostName: 'renamed' }));
    assert.equal((await describeOne(a!)).hostName, 'renamed');
    const e = await sdkError(ecs.modifyInstanceAttribute(new $.ModifyInstanceAttributeRequest({ instanceId: a!, hostName: 'bad..name' })));
    assert.equal(e.code, 'InvalidHostName.Malformed');
    for (const id of [a!, b!]) await ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: id, force: true }));
    await ecs.deleteSecurityGroup(new $.DeleteSecurityGroupRequest({ regionId: R, securityGroupId: sg }));
  });

  test('the first instance of a region gets the default group; IPs come from the vSwitch, never twice', async () => {
    const [a] = await run();
    const inst = await describeOne(a!);
    assert.equal(inst.status, 'Running');
    assert.equal(inst.securityGroupIds!.securityGroupId!.length, 1);
    const sg = inst.securityGroupIds!.securityGroupId![0]!;
    const rules = (await ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: sg }))).body!.permissions!.permission!;
    assert.deepEqual(rules.map((r) => [r.ipProtocol, r.portRange, r.sourceCidrIp, r.priority]).sort(), [['ICMP', '-1/-1', '0.0.0.0/0', '100'], ['TCP', '22/22', '0.0.0.0/0', '100'], ['TCP', '3389/3389', '0.0.0.0/0', '100']]);
    assert.equal(inst.vpcAttributes!.privateIpAddress!.ipAddress![0], '192.168.1.1');
    const more = await run({ securityGroupId: sg, amount: 3 });
    const ips = await Promise.all(more.map(async (id) => (await describeOne(id)).vpcAttributes!.privateIpAddress!.ipAddress![0]));
    assert.deepEqual(ips.sort(), ['192.168.1.2', '192.168.1.3', '192.168.1.4']);
    const full = await sdkError(run({ securityGroupId: sg }));
    assert.equal(full.code, 'InvalidVSwitchId.IpNotEnough', 'a /29 has four usable addresses');
    const noGroup = await sdkError(run());
    assert.equal(noGroup.code, 'MissingParameter', 'the default group is made only when the account has none in the region');
    for (const id of [a!, ...more]) await ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: id, force: true }));
  });

  test('lifecycle: stop, start, reboot, delete with the real status codes', async () => {
    const sg = await group();
    const [id] = await run({ securityGroupId: sg });
    assert.equal((await sdkError(ecs.startInstance(new $.StartInstanceRequest({ instanceId: id })))).code, 'IncorrectInstanceStatus');
    assert.equal((await sdkError(ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: id })))).code, 'IncorrectInstanceStatus');
    await ecs.stopInstance(new $.StopInstanceRequest({ instanceId: id }));
    assert.equal((await describeOne(id!)).status, 'Stopped');
    await ecs.startInstance(new $.StartInstanceRequest({ instanceId: id }));
    await ecs.rebootInstance(new $.RebootInstanceRequest({ instanceId: id }));
    assert.equal((await describeOne(id!)).status, 'Running');
    const dep = await sdkError(ecs.deleteSecurityGroup(new $.DeleteSecurityGroupRequest({ regionId: R, securityGroupId: sg })));
    assert.equal(dep.code, 'DependencyViolation');
    const inUse = await sdkError(vpcClient(server.endpoint).deleteVSwitch(new VpcModule.DeleteVSwitchRequest({ regionId: R, vSwitchId: vswId })));
    assert.equal(inUse.code, 'DependencyViolation.Instance');
    await ecs.stopInstance(new $.StopInstanceRequest({ instanceId: id }));
    await ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: id }));
    assert.equal((await sdkError(ecs.describeInstanceAttribute(new $.DescribeInstanceAttributeRequest({ instanceId: id })))).code, 'InvalidInstanceId.NotFound');
    await ecs.deleteSecurityGroup(new $.DeleteSecurityGroupRequest({ regionId: R, securityGroupId: sg }));
  });

  test('join, leave, replace: limits, type mixing, other VPC, last group', async () => {
    const groups = await Promise.all([1, 2, 3, 4, 5, 6].map(() => group()));
    const [id] = await run({ securityGroupId: groups[0] });
    for (const g of groups.slice(1, 5)) await ecs.joinSecurityGroup(new $.JoinSecurityGroupRequest({ regionId: R, instanceId: id, securityGroupId: g }));
    assert.equal((await describeOne(id!)).securityGroupIds!.securityGroupId!.length, 5);
    assert.equal((await sdkError(ecs.joinSecurityGroup(new $.JoinSecurityGroupRequest({ regionId: R, instanceId: id, securityGroupId: groups[5] })))).code, 'InstanceSecurityGroupLimitExceeded');
    assert.equal((await sdkError(ecs.joinSecurityGroup(new $.JoinSecurityGroupRequest({ regionId: R, instanceId: id, securityGroupId: groups[1] })))).code, 'InvalidInstanceId.AlreadyExists');
    const adv = await group({ securityGroupType: 'enterprise' });
    await ecs.leaveSecurityGroup(new $.LeaveSecurityGroupRequest({ regionId: R, instanceId: id, securityGroupId: groups[4] }));
    assert.equal((await sdkError(ecs.joinSecurityGroup(new $.JoinSecurityGroupRequest({ regionId: R, instanceId: id, securityGroupId: adv })))).code, 'InvalidSecurityGroup.TypeMismatch');
    assert.equal((await sdkError(ecs.leaveSecurityGroup(new $.LeaveSecurityGroupRequest({ regionId: R, instanceId: id, securityGroupId: groups[5] })))).code, 'InstanceNotInSecurityGroup');
    // moving to an advanced group: replace the whole set at once
    await ecs.modifyInstanceAttribute(new $.ModifyInstanceAttributeRequest({ instanceId: id, securityGroupIds: [adv] }));
    assert.deepEqual((await describeOne(id!)).securityGroupIds!.securityGroupId, [adv]);
    assert.equal((await sdkError(ecs.leaveSecurityGroup(new $.LeaveSecurityGroupRequest({ regionId: R, instanceId: id, securityGroupId: adv })))).code, 'InstanceLastSecurityGroup');
    const otherVpc = (await vpcClient(server.endpoint).createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.9.0.0/16' }))).body!.vpcId!;
    const foreign = await group({ vpcId: otherVpc });
    assert.equal((await sdkError(ecs.modifyInstanceAttribute(new $.ModifyInstanceAttributeRequest({ instanceId: id, securityGroupIds: [foreign] })))).code, 'InvalidSecurityGroupId.NotInSameNetwork');
    await ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: id, force: true }));
  });

  test('private IPs per group (a low limit by configuration): SecurityGroupInstanceLimitExceeded', async () => {
    const small = await startTestServer({ env: { PARAPET_LIMIT_PRIVATE_IPS_PER_BASIC_GROUP: '2', PARAPET_LIMIT_RULES_PER_ENI: '3', PARAPET_LIMIT_SECURITY_GROUPS_PER_REGION: '3' } });
    try {
      const e2 = ecsClient(small.endpoint);
      const v = vpcClient(small.endpoint);
      const vpc = (await v.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.0.0.0/16' }))).body!.vpcId!;
      const vsw = (await v.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId: vpc, zoneId: 'cn-shanghai-b', cidrBlock: '10.0.1.0/24' }))).body!.vSwitchId!;
      const sg = (await e2.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId: vpc }))).body!.securityGroupId!;
      const other = (await e2.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId: vpc }))).body!.securityGroupId!;
      const req = (extra: Record<string, unknown>) => new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vsw, ...extra });
      assert.equal((await sdkError(e2.runInstances(req({ securityGroupId: sg, amount: 3 })))).code, 'SecurityGroupInstanceLimitExceeded');
      await e2.runInstances(req({ securityGroupId: sg, amount: 2 }));
      const [third] = (await e2.runInstances(req({ securityGroupId: other }))).body!.instanceIdSets!.instanceIdSet!;
      assert.equal((await sdkError(e2.joinSecurityGroup(new $.JoinSecurityGroupRequest({ regionId: R, instanceId: third, securityGroupId: sg })))).code, 'SecurityGroupInstanceLimitExceeded');
      // rules acting on one ENI (limit 3 here): the instance is in `other` (2 rules) and `third` (1); one more is refused
      const rule = (port: number) => new $.AuthorizeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: `${port}/${port}`, sourceCidrIp: '0.0.0.0/0' });
      await e2.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: other, permissions: [rule(1), rule(2)] }));
      const thirdGroup = (await e2.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId: vpc }))).body!.securityGroupId!;
      await e2.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: thirdGroup, permissions: [rule(3), rule(4)] }));
      assert.equal((await sdkError(e2.joinSecurityGroup(new $.JoinSecurityGroupRequest({ regionId: R, instanceId: third, securityGroupId: thirdGroup })))).code, 'InvalidSecurityGroup.RuleLimitExceeded');
      await e2.revokeSecurityGroup(new $.RevokeSecurityGroupRequest({ regionId: R, securityGroupId: thirdGroup, permissions: [new $.RevokeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '4/4', sourceCidrIp: '0.0.0.0/0' })] }));
      await e2.joinSecurityGroup(new $.JoinSecurityGroupRequest({ regionId: R, instanceId: third, securityGroupId: thirdGroup }));
      assert.equal((await sdkError(e2.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: thirdGroup, permissions: [rule(5)] })))).code, 'AuthorizationLimitExceed');
      // three groups in the region, the quota here
      assert.equal((await sdkError(e2.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId: vpc })))).code, 'QuotaExceed.SecurityGroup');
    } finally {
      await small.stop();
    }
  });

  test('classic instances get an intranet address from the region range and a public IP when asked', async () => {
    const classicSg = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R }))).body!.securityGroupId!;
    const [id] = await run({ vSwitchId: undefined, securityGroupId: classicSg, internetMaxBandwidthOut: 5 });
    const inst = await describeOne(id!);
    assert.equal(inst.instanceNetworkType, 'classic');
    assert.match(inst.innerIpAddress!.ipAddress![0]!, /^10\.112\./);
    assert.match(inst.publicIpAddress!.ipAddress![0]!, /^203\.0\.113\./);
    const vpcSg = await group();
    assert.equal((await sdkError(run({ vSwitchId: undefined, securityGroupId: vpcSg }))).code, 'InvalidSecurityGroupId.NotInSameNetwork');
    await ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: id, force: true }));
  });

  test('tags on security groups and instances; EcsCount counts member instances', async () => {
    const sg = await group();
    const [id] = await run({ securityGroupId: sg });
    await ecs.tagResources(new $.TagResourcesRequest({ regionId: R, resourceType: 'securitygroup', resourceId: [sg], tag: [new $.TagResourcesRequestTag({ key: 'team', value: 'red' })] }));
    await ecs.tagResources(new $.TagResourcesRequest({ regionId: R, resourceType: 'instance', resourceId: [id!], tag: [new $.TagResourcesRequestTag({ key: 'team', value: 'red' })] }));
    const listed = await ecs.listTagResources(new $.ListTagResourcesRequest({ regionId: R, resourceType: 'securitygroup', resourceId: [sg] }));
    assert.deepEqual(listed.body!.tagResources!.tagResource!.map((x) => [x.resourceId, x.tagKey, x.tagValue]), [[sg, 'team', 'red']]);
    const byTag = await ecs.describeSecurityGroups(new $.DescribeSecurityGroupsRequest({ regionId: R, tag: [new $.DescribeSecurityGroupsRequestTag({ key: 'team', value: 'red' })] }));
    assert.deepEqual(byTag.body!.securityGroups!.securityGroup!.map((g) => [g.securityGroupId, g.ecsCount]), [[sg, 1]]);
    assert.deepEqual((await describeOne(id!)).tags!.tag!.map((x) => [x.tagKey, x.tagValue]), [['team', 'red']]);
    await ecs.untagResources(new $.UntagResourcesRequest({ regionId: R, resourceType: 'securitygroup', resourceId: [sg], tagKey: ['team'] }));
    assert.equal((await ecs.listTagResources(new $.ListTagResourcesRequest({ regionId: R, resourceType: 'securitygroup', resourceId: [sg] }))).body!.tagResources!.tagResource!.length, 0);
    assert.equal((await sdkError(ecs.tagResources(new $.TagResourcesRequest({ regionId: R, resourceType: 'securitygroup', resourceId: ['sg-nope0000000000'], tag: [new $.TagResourcesRequestTag({ key: 'a', value: 'b' })] })))).code, 'InvalidSecurityGroupId.NotFound');
    await ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: id, force: true }));
  });

  test('ENIs: create, attach, change groups, detach, delete', async () => {
    const sg1 = await group();
    const sg2 = await group();
    const [id] = await run({ securityGroupId: sg1, instanceType: 'ecs.g5.xlarge' });
    const eni = (await ecs.createNetworkInterface(new $.CreateNetworkInterfaceRequest({ regionId: R, vSwitchId: vswId, securityGroupId: sg1 }))).body!;
    assert.match(eni.networkInterfaceId!, /^eni-/);
    await ecs.attachNetworkInterface(new $.AttachNetworkInterfaceRequest({ regionId: R, networkInterfaceId: eni.networkInterfaceId, instanceId: id }));
    await ecs.modifyNetworkInterfaceAttribute(new $.ModifyNetworkInterfaceAttributeRequest({ regionId: R, networkInterfaceId: eni.networkInterfaceId, securityGroupId: [sg2] }));
    const list = await ecs.describeNetworkInterfaces(new $.DescribeNetworkInterfacesRequest({ regionId: R, instanceId: id }));
    const sets = list.body!.networkInterfaceSets!.networkInterfaceSet!;
    assert.equal(sets.length, 2);
    assert.deepEqual(sets.find((s) => s.networkInterfaceId === eni.networkInterfaceId)!.securityGroupIds!.securityGroupId, [sg2]);
    assert.deepEqual((await describeOne(id!)).securityGroupIds!.securityGroupId, [sg1], 'the instance\'s groups are its primary ENI\'s');
    assert.equal((await sdkError(ecs.deleteNetworkInterface(new $.DeleteNetworkInterfaceRequest({ regionId: R, networkInterfaceId: eni.networkInterfaceId })))).code, 'InvalidOperation.InvalidEniState');
    await ecs.detachNetworkInterface(new $.DetachNetworkInterfaceRequest({ regionId: R, networkInterfaceId: eni.networkInterfaceId, instanceId: id }));
    await ecs.deleteNetworkInterface(new $.DeleteNetworkInterfaceRequest({ regionId: R, networkInterfaceId: eni.networkInterfaceId }));
    await ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: id, force: true }));
  });
});
