// Public addresses through the official SDK: RunInstances with bandwidth gets one at once,
// CreateInstance gets one through AllocatePublicIpAddress (once; a second call returns it), a
// chosen `IpAddress` must be a free address of the pool, and the pool (PARAPET_PUBLIC_IP_POOL, a
// /30 here) runs out with QuotaExceed.PublicIpAddress.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import { startTestServer, ecsClient, sdkError, type TestServer, type EcsClient } from '../helpers/server.ts';

const $ = EcsModule;
const R = 'cn-hongkong';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';

describe('public IP addresses', () => {
  let server: TestServer;
  let ecs: EcsClient;
  let sg: string;
  const publicIpOf = async (id: string) => (await ecs.describeInstances(new $.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([id]) }))).body!.instances!.instance![0]!.publicIpAddress!.ipAddress!;
  const create = async (bandwidth: number) => (await ecs.createInstance(new $.CreateInstanceRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', internetMaxBandwidthOut: bandwidth, securityGroupId: sg }))).body!.instanceId!;

  before(async () => {
    server = await startTestServer({ env: { PARAPET_PUBLIC_IP_POOL: '198.18.0.0/30' } });
    ecs = ecsClient(server.endpoint);
    sg = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R }))).body!.securityGroupId!;
  });
  after(async () => { await server.stop(); });

  test('RunInstances with bandwidth has an address; CreateInstance waits for AllocatePublicIpAddress', async () => {
    const ran = (await ecs.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', internetMaxBandwidthOut: 5, securityGroupId: sg }))).body!.instanceIdSets!.instanceIdSet![0]!;
    assert.deepEqual(await publicIpOf(ran), ['198.18.0.1']);
    const created = await create(5);
    assert.deepEqual(await publicIpOf(created), [], 'none until allocated');
    assert.equal((await sdkError(ecs.allocatePublicIpAddress(new $.AllocatePublicIpAddressRequest({ instanceId: created, ipAddress: '198.18.0.1' })))).code, 'InvalidIpAddress.AlreadyUsed');
    assert.equal((await sdkError(ecs.allocatePublicIpAddress(new $.AllocatePublicIpAddressRequest({ instanceId: created, ipAddress: '203.0.113.9' })))).code, 'InvalidIpAddress.Malformed');
    assert.equal((await sdkError(ecs.allocatePublicIpAddress(new $.AllocatePublicIpAddressRequest({ instanceId: created, ipAddress: '198.18.0.3' })))).code, 'InvalidIpAddress.Malformed', 'the broadcast address of the pool');
    const ip = (await ecs.allocatePublicIpAddress(new $.AllocatePublicIpAddressRequest({ instanceId: created }))).body!.ipAddress;
    assert.equal(ip, '198.18.0.2');
    assert.deepEqual(await publicIpOf(created), ['198.18.0.2']);
    assert.equal((await ecs.allocatePublicIpAddress(new $.AllocatePublicIpAddressRequest({ instanceId: created }))).body!.ipAddress, '198.18.0.2', 'once per instance');
  });

  test('no bandwidth, unknown instance, an exhausted pool', async () => {
    const noBandwidth = await create(0);
    const e = await sdkError(ecs.allocatePublicIpAddress(new $.AllocatePublicIpAddressRequest({ instanceId: noBandwidth })));
    assert.equal(e.code, 'InvalidInternetMaxBandwidthOut.ValueNotSupported');
    assert.equal(e.statusCode, 403);
    assert.equal((await sdkError(ecs.allocatePublicIpAddress(new $.AllocatePublicIpAddressRequest({ instanceId: 'i-nothere' })))).code, 'InvalidInstanceId.NotFound');
    const third = await create(5);
    const full = await sdkError(ecs.allocatePublicIpAddress(new $.AllocatePublicIpAddressRequest({ instanceId: third })));
    assert.equal(full.code, 'QuotaExceed.PublicIpAddress');
    assert.deepEqual(await publicIpOf(third), [], 'a refused call changes nothing');
  });
});
