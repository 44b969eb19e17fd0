// Instance RAM roles and the metadata service: the role must trust ECS, PassRole for RAM users,
// VPC instances only; the metadata tree and hardened mode; and the stock @alicloud/credentials
// `credentials_uri` provider, unmodified, fetching the role's credentials for an SDK call.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import RamModule from '@alicloud/ram20150501';
import CredentialModule, { Config as CredentialConfig } from '@alicloud/credentials';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { startTestServer, ecsClient, vpcClient, sdkConfig, callRpc, sdkError, type TestServer, type EcsClient } from '../helpers/server.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const ecsTrust = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } }] });

describe('instance RAM roles and metadata', () => {
  let server: TestServer;
  let ecs: EcsClient;
  let ram: InstanceType<typeof RamModule.default>;
  let vswId: string;
  let sg: string;
  let instanceId: string;
  before(async () => {
    server = await startTestServer();
    ecs = ecsClient(server.endpoint);
    ram = new RamModule.default(sdkConfig(server.endpoint));
    const vpc = vpcClient(server.endpoint);
    const vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.0.0.0/16' }))).body!.vpcId!;
    vswId = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '10.0.1.0/24' }))).body!.vSwitchId!;
    sg = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId }))).body!.securityGroupId!;
    await ram.createRole(new RamModule.CreateRoleRequest({ roleName: 'EcsRole', assumeRolePolicyDocument: ecsTrust }));
    await ram.attachPolicyToRole(new RamModule.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess', roleName: 'EcsRole' }));
    instanceId = (await ecs.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vswId, securityGroupId: sg, ramRoleName: 'EcsRole' }))).body!.instanceIdSets!.instanceIdSet![0]!;
  });
  after(async () => { await server.stop(); });

  test('attach, describe, detach; the role must trust ECS; classic instances and RAM users without PassRole are refused', async () => {
    const d = await ecs.describeInstanceRamRole(new $.DescribeInstanceRamRoleRequest({ regionId: R, instanceIds: JSON.stringify([instanceId]) }));
    assert.deepEqual(d.body!.instanceRamRoleSets!.instanceRamRoleSet!.map((x) => [x.instanceId, x.ramRoleName]), [[instanceId, 'EcsRole']]);
    await ram.createRole(new RamModule.CreateRoleRequest({ roleName: 'NotEcs', assumeRolePolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['acs:ram::1234567890123456:root'] } }] }) }));
    assert.equal((await sdkError(ecs.attachInstanceRamRole(new $.AttachInstanceRamRoleRequest({ regionId: R, instanceIds: JSON.stringify([instanceId]), ramRoleName: 'NotEcs' })))).code, 'InvalidRamRole.NotEcsRole');
    assert.equal((await sdkError(ecs.attachInstanceRamRole(new $.AttachInstanceRamRoleRequest({ regionId: R, instanceIds: JSON.stringify([instanceId]), ramRoleName: 'Nobody' })))).code, 'InvalidRamRole.NotFound');
    const classicSg = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R }))).body!.securityGroupId!;
    const classic = (await ecs.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', securityGroupId: classicSg }))).body!.instanceIdSets!.instanceIdSet![0]!;
    const mixed = await ecs.attachInstanceRamRole(new $.AttachInstanceRamRoleRequest({ regionId: R, instanceIds: JSON.stringify([classic]), ramRoleName: 'EcsRole' }));
    assert.equal(mixed.body!.failCount, 1);
    assert.equal(mixed.body!.attachInstanceRamRoleResults!.attachInstanceRamRoleResult![0]!.code, 'InvalidNetworkType.MismatchRamRole');
    await ram.createUser(new RamModule.CreateUserRequest({ userName: 'ops' }));
    await ram.attachPolicyToUser(new RamModule.AttachPolicyToUserRequest({ policyType: 'System', policyName: 'AliyunECSFullAccess', userName: 'ops' }));
    const k = (await ram.createAccessKey(new RamModule.CreateAccessKeyRequest({ userName: 'ops' }))).body!.accessKey!;
    const opsEcs = ecsClient(server.endpoint, { accessKeyId: k.accessKeyId!, accessKeySecret: k.accessKeySecret! });
    assert.equal((await sdkError(opsEcs.attachInstanceRamRole(new $.AttachInstanceRamRoleRequest({ regionId: R, instanceIds: JSON.stringify([instanceId]), ramRoleName: 'EcsRole' })))).code, 'InvalidUser.PassRoleForbidden');
    await ram.createPolicy(new RamModule.CreatePolicyRequest({ policyName: 'PassEcsRole', policyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ram:PassRole', Resource: 'acs:ram:*:*:role/EcsRole' }] }) }));
    await ram.attachPolicyToUser(new RamModule.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'PassEcsRole', userName: 'ops' }));
    const ok = await opsEcs.attachInstanceRamRole(new $.AttachInstanceRamRoleRequest({ regionId: R, instanceIds: JSON.stringify([instanceId]), ramRoleName: 'EcsRole' }));
    assert.equal(ok.body!.failCount, 0);
  });

  test('the metadata tree, hardened mode, and the stock credentials_uri provider', async () => {
    const { Endpoint } = await callRpc(server.endpoint, 'IssueInstanceMetadataEndpoint', '2026-11-01', { RegionId: R, InstanceId: instanceId }) as { Endpoint: string };
    assert.match(Endpoint, /^http:\/\/127\.0\.0\.1:\d+\/metadata\/[A-Za-z0-9_-]{40,}\.[A-Za-z0-9_-]{20,}$/);
    const get = (path: string, headers: Record<string, string> = {}) => fetch(Endpoint + path, { headers });
    assert.equal(await (await get('/latest/meta-data/instance-id')).text(), instanceId);
    assert.equal(await (await get('/latest/meta-data/region-id')).text(), R);
    assert.match(await (await get('/latest/meta-data/private-ipv4')).text(), /^10\.0\.1\./);
    assert.equal(await (await get('/latest/meta-data/ram/security-credentials/')).text(), 'EcsRole');
    const guessed = Endpoint.replace(/\.[^.]+$/, '.not-the-tag-000000000000000');
    assert.equal((await fetch(guessed + '/latest/meta-data/instance-id')).status, 404, 'the endpoint is not guessable');
    const creds = JSON.parse(await (await get('/latest/meta-data/ram/security-credentials/EcsRole')).text()) as Record<string, string>;
    assert.equal(creds['Code'], 'Success');
    assert.match(creds['AccessKeyId']!, /^STS\./);
    // the capital-R path answers as the lowercase one does
    assert.equal(await (await get('/latest/meta-data/Ram/security-credentials/')).text(), 'EcsRole');
    const capital = JSON.parse(await (await get('/latest/meta-data/Ram/security-credentials/EcsRole')).text()) as Record<string, string>;
    assert.deepEqual([capital['Code'], capital['AccessKeyId']], ['Success', creds['AccessKeyId']]);
    const hours = (Date.parse(creds['Expiration']!) - Date.now()) / 3600000;
    assert.ok(hours > 0.5 && hours <= 6, `expires in ${hours} h`);
    // hardened mode
    assert.equal((await fetch(Endpoint + '/latest/api/token', { method: 'PUT', headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': '21600', 'x-forwarded-for': '1.2.3.4' } })).status, 403);
    assert.equal((await fetch(Endpoint + '/latest/api/token', { method: 'PUT', headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': '21700' } })).status, 400);
    const token = await (await fetch(Endpoint + '/latest/api/token', { method: 'PUT', headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': '60' } })).text();
    await ecs.modifyInstanceMetadataOptions(new $.ModifyInstanceMetadataOptionsRequest({ regionId: R, instanceId, httpTokens: 'required' }));
    assert.equal((await get('/latest/meta-data/instance-id')).status, 401, 'plain reads are refused in hardened mode');
    assert.equal(await (await get('/latest/meta-data/instance-id', { 'x-aliyun-ecs-metadata-token': token })).text(), instanceId);
    assert.equal((await get('/latest/meta-data/instance-id', { 'x-aliyun-ecs-metadata-token': token + 'x' })).status, 401);
    await ecs.modifyInstanceMetadataOptions(new $.ModifyInstanceMetadataOptionsRequest({ regionId: R, instanceId, httpTokens: 'optional' }));

    // the stock credential provider, unmodified, then an SDK call with the role's credentials
    const credential = new CredentialModule.default(new CredentialConfig({ type: 'credentials_uri', credentialsURI: Endpoint + '/latest/meta-data/ram/security-credentials/EcsRole' }));
    const vpc = new VpcModule.default(new $OpenApiUtil.Config({ credential, endpoint: server.endpoint, protocol: 'http', regionId: R }));
    await vpc.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: R }));
    assert.equal((await sdkError(vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R })))).code, 'Forbidden.RAM');
    // detaching takes the credentials away from the tree
    await ecs.detachInstanceRamRole(new $.DetachInstanceRamRoleRequest({ regionId: R, instanceIds: JSON.stringify([instanceId]), ramRoleName: 'EcsRole' }));
    assert.equal((await get('/latest/meta-data/ram/security-credentials/EcsRole')).status, 404);
  });
});
