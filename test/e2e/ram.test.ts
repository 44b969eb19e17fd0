// RAM through the official RAM SDK: users, AccessKeys, groups, policies and their versions,
// attachments, quotas and the real error codes; and RAM users' requests judged by their policies.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import RamModule from '@alicloud/ram20150501';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, sdkConfig, ecsClient, vpcClient, sdkError, type TestServer, type Creds } from '../helpers/server.ts';

const $ = RamModule;
const RamClient = RamModule.default;

describe('RAM end to end', () => {
  let server: TestServer;
  let ram: InstanceType<typeof RamClient>;
  before(async () => {
    server = await startTestServer();
    ram = new RamClient(sdkConfig(server.endpoint));
  });
  after(async () => { await server.stop(); });

  test('users and AccessKeys: create, get, update, list, at most 2 keys, delete conflicts', async () => {
    const u = await ram.createUser(new $.CreateUserRequest({ userName: 'alice', displayName: 'Alice', email: 'a@example.com' }));
    assert.equal(u.body!.user!.userName, 'alice');
    assert.match(u.body!.user!.userId!, /^\d{16}$/);
    assert.equal((await sdkError(ram.createUser(new $.CreateUserRequest({ userName: 'alice' })))).code, 'EntityAlreadyExists.User');
    assert.equal((await sdkError(ram.createUser(new $.CreateUserRequest({ userName: 'bad name!' })))).code, 'InvalidParameter.UserName.InvalidChars');
    assert.equal((await ram.getUser(new $.GetUserRequest({ userName: 'alice' }))).body!.user!.email, 'a@example.com');
    await ram.updateUser(new $.UpdateUserRequest({ userName: 'alice', newDisplayName: 'Alice B' }));
    assert.equal((await ram.getUser(new $.GetUserRequest({ userName: 'alice' }))).body!.user!.displayName, 'Alice B');
    const k1 = await ram.createAccessKey(new $.CreateAccessKeyRequest({ userName: 'alice' }));
    assert.match(k1.body!.accessKey!.accessKeyId!, /^LTAI/);
    assert.ok(k1.body!.accessKey!.accessKeySecret!.length >= 16);
    await ram.createAccessKey(new $.CreateAccessKeyRequest({ userName: 'alice' }));
    assert.equal((await sdkError(ram.createAccessKey(new $.CreateAccessKeyRequest({ userName: 'alice' })))).code, 'LimitExceeded.User.AccessKey');
    const keys = await ram.listAccessKeys(new $.ListAccessKeysRequest({ userName: 'alice' }));
    assert.equal(keys.body!.accessKeys!.accessKey!.length, 2);
    assert.ok(keys.body!.accessKeys!.accessKey!.every((k) => !('accessKeySecret' in k) || k.accessKeySecret === undefined), 'the secret is shown once');
    assert.equal((await sdkError(ram.deleteUser(new $.DeleteUserRequest({ userName: 'alice' })))).code, 'DeleteConflict.User.AccessKey');
    for (const k of keys.body!.accessKeys!.accessKey!) await ram.deleteAccessKey(new $.DeleteAccessKeyRequest({ userName: 'alice', userAccessKeyId: k.accessKeyId }));
    await ram.deleteUser(new $.DeleteUserRequest({ userName: 'alice' }));
    assert.equal((await sdkError(ram.getUser(new $.GetUserRequest({ userName: 'alice' })))).code, 'EntityNotExist.User');
  });

  test('login profiles: console password (never returned), must-reset and MFA flags', async () => {
    await ram.createUser(new $.CreateUserRequest({ userName: 'frank' }));
    assert.equal((await sdkError(ram.createLoginProfile(new $.CreateLoginProfileRequest({ userName: 'frank', password: 'short' })))).code, 'InvalidParameter.Password.Length');
    const lp = await ram.createLoginProfile(new $.CreateLoginProfileRequest({ userName: 'frank', password: 'Secret-Passw0rd', passwordResetRequired: true, MFABindRequired: false }));
    assert.equal(lp.body!.loginProfile!.passwordResetRequired, true);
    assert.equal((await sdkError(ram.createLoginProfile(new $.CreateLoginProfileRequest({ userName: 'frank', password: 'Secret-Passw0rd' })))).code, 'EntityAlreadyExists.User.LoginProfile');
    await ram.updateLoginProfile(new $.UpdateLoginProfileRequest({ userName: 'frank', passwordResetRequired: false, MFABindRequired: true }));
    const got = await ram.getLoginProfile(new $.GetLoginProfileRequest({ userName: 'frank' }));
    assert.deepEqual([got.body!.loginProfile!.passwordResetRequired, got.body!.loginProfile!.MFABindRequired], [false, true]);
    assert.ok(!JSON.stringify(got.body).includes('Secret-Passw0rd'));
    await ram.deleteLoginProfile(new $.DeleteLoginProfileRequest({ userName: 'frank' }));
    assert.equal((await sdkError(ram.getLoginProfile(new $.GetLoginProfileRequest({ userName: 'frank' })))).code, 'EntityNotExist.User.LoginProfile');
  });

  test('groups, custom policies with versions, attachments', async () => {
    await ram.createUser(new $.CreateUserRequest({ userName: 'bob' }));
    await ram.createGroup(new $.CreateGroupRequest({ groupName: 'Developers', comments: 'devs' }));
    await ram.addUserToGroup(new $.AddUserToGroupRequest({ userName: 'bob', groupName: 'Developers' }));
    assert.equal((await sdkError(ram.addUserToGroup(new $.AddUserToGroupRequest({ userName: 'bob', groupName: 'Developers' })))).code, 'EntityAlreadyExists.User.Group');
    assert.deepEqual((await ram.listGroupsForUser(new $.ListGroupsForUserRequest({ userName: 'bob' }))).body!.groups!.group!.map((g) => g.groupName), ['Developers']);
    const doc = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['ecs:DescribeInstances', 'ecs:StartInstance'], Resource: '*' }] });
    const p = await ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'DevPolicy', policyDocument: doc, description: 'dev' }));
    assert.equal(p.body!.policy!.defaultVersion, 'v1');
    assert.equal((await sdkError(ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'Broken', policyDocument: '{"Version":' })))).statusCode, 400);
    await ram.createPolicyVersion(new $.CreatePolicyVersionRequest({ policyName: 'DevPolicy', policyDocument: doc, setAsDefault: true }));
    const versions = await ram.listPolicyVersions(new $.ListPolicyVersionsRequest({ policyName: 'DevPolicy', policyType: 'Custom' }));
    assert.deepEqual(versions.body!.policyVersions!.policyVersion!.map((v) => [v.versionId, v.isDefaultVersion]), [['v1', false], ['v2', true]]);
    assert.equal((await sdkError(ram.deletePolicyVersion(new $.DeletePolicyVersionRequest({ policyName: 'DevPolicy', versionId: 'v2' })))).code, 'DeleteConflict.Policy.Version.Default');
    await ram.attachPolicyToGroup(new $.AttachPolicyToGroupRequest({ policyType: 'Custom', policyName: 'DevPolicy', groupName: 'Developers' }));
    await ram.attachPolicyToUser(new $.AttachPolicyToUserRequest({ policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess', userName: 'bob' }));
    assert.equal((await sdkError(ram.attachPolicyToUser(new $.AttachPolicyToUserRequest({ policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess', userName: 'bob' })))).code, 'EntityAlreadyExists.User.Policy');
    assert.equal((await sdkError(ram.attachPolicyToUser(new $.AttachPolicyToUserRequest({ policyType: 'System', policyName: 'NoSuchPolicy', userName: 'bob' })))).code, 'EntityNotExist.Policy');
    assert.deepEqual((await ram.listPoliciesForUser(new $.ListPoliciesForUserRequest({ userName: 'bob' }))).body!.policies!.policy!.map((x) => x.policyName), ['AliyunVPCReadOnlyAccess']);
    assert.equal((await sdkError(ram.deletePolicy(new $.DeletePolicyRequest({ policyName: 'DevPolicy' })))).code, 'DeleteConflict.Policy.Group');
    assert.equal((await sdkError(ram.deleteGroup(new $.DeleteGroupRequest({ groupName: 'Developers' })))).code, 'DeleteConflict.Group.User');
    const entities = await ram.listEntitiesForPolicy(new $.ListEntitiesForPolicyRequest({ policyName: 'DevPolicy', policyType: 'Custom' }));
    assert.deepEqual(entities.body!.groups!.group!.map((g) => g.groupName), ['Developers']);
    assert.equal(entities.body!.users!.user!.length, 0);
    const system = await ram.getPolicy(new $.GetPolicyRequest({ policyName: 'AliyunECSFullAccess', policyType: 'System' }));
    assert.match(system.body!.defaultPolicyVersion!.policyDocument!, /ecs:\*/);
    const list = await ram.listPolicies(new $.ListPoliciesRequest({ policyType: 'System' }));
    for (const name of ['AdministratorAccess', 'ReadOnlyAccess', 'AliyunECSFullAccess', 'AliyunECSReadOnlyAccess', 'AliyunECSNetworkInterfaceManagementAccess', 'AliyunVPCFullAccess', 'AliyunVPCReadOnlyAccess', 'AliyunRAMFullAccess', 'AliyunRAMReadOnlyAccess', 'AliyunSTSAssumeRoleAccess', 'AliyunBSSOrderAccess']) {
      assert.ok(list.body!.policies!.policy!.some((x) => x.policyName === name), name);
    }
  });

  test('a RAM user acts by its own and its groups\' policies: system and custom, conditions, resource ARNs, explicit deny, detach at once', async () => {
    await ram.createUser(new $.CreateUserRequest({ userName: 'dave' }));
    const k = (await ram.createAccessKey(new $.CreateAccessKeyRequest({ userName: 'dave' }))).body!.accessKey!;
    const creds: Creds = { accessKeyId: k.accessKeyId!, accessKeySecret: k.accessKeySecret! };
    const vpc = vpcClient(server.endpoint, creds);
    const ecs = ecsClient(server.endpoint, creds);
    const rootEcs = ecsClient(server.endpoint);
    await ram.createGroup(new $.CreateGroupRequest({ groupName: 'Readers' }));
    await ram.addUserToGroup(new $.AddUserToGroupRequest({ userName: 'dave', groupName: 'Readers' }));
    await ram.attachPolicyToGroup(new $.AttachPolicyToGroupRequest({ policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess', groupName: 'Readers' }));
    await vpc.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' }));
    assert.equal((await sdkError(vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: 'cn-hangzhou' })))).code, 'Forbidden.RAM');

    // resource-level permission on one security group
    const rootVpc = (await vpcClient(server.endpoint).createVpc(new VpcModule.CreateVpcRequest({ regionId: 'cn-hangzhou' }))).body!.vpcId!;
    const sgA = (await rootEcs.createSecurityGroup(new EcsModule.CreateSecurityGroupRequest({ regionId: 'cn-hangzhou', vpcId: rootVpc }))).body!.securityGroupId!;
    const sgB = (await rootEcs.createSecurityGroup(new EcsModule.CreateSecurityGroupRequest({ regionId: 'cn-hangzhou', vpcId: rootVpc }))).body!.securityGroupId!;
    const onlyA = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeSecurityGroupAttribute', Resource: `acs:ecs:*:*:securitygroup/${sgA}` }] });
    await ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'OnlyA', policyDocument: onlyA }));
    await ram.attachPolicyToUser(new $.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'OnlyA', userName: 'dave' }));
    await ecs.describeSecurityGroupAttribute(new EcsModule.DescribeSecurityGroupAttributeRequest({ regionId: 'cn-hangzhou', securityGroupId: sgA }));
    assert.equal((await sdkError(ecs.describeSecurityGroupAttribute(new EcsModule.DescribeSecurityGroupAttributeRequest({ regionId: 'cn-hangzhou', securityGroupId: sgB })))).code, 'Forbidden.RAM');

    // a condition on the source address: the tests connect from 127.0.0.1
    const fromOffice = (cidr: string) => JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeRegions', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': [cidr] } } }] });
    await ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'Office', policyDocument: fromOffice('10.0.0.0/8') }));
    await ram.attachPolicyToUser(new $.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'Office', userName: 'dave' }));
    assert.equal((await sdkError(ecs.describeRegions(new EcsModule.DescribeRegionsRequest({})))).code, 'Forbidden.RAM');
    await ram.createPolicyVersion(new $.CreatePolicyVersionRequest({ policyName: 'Office', policyDocument: fromOffice('127.0.0.0/8'), setAsDefault: true }));
    await ecs.describeRegions(new EcsModule.DescribeRegionsRequest({}));

    // an explicit deny wins over the group's allow; detaching takes effect on the next call
    await ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'NoVpcs', policyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: 'vpc:Describe*', Resource: '*' }] }) }));
    await ram.attachPolicyToUser(new $.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'NoVpcs', userName: 'dave' }));
    const deny = await sdkError(vpc.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' })));
    assert.equal(deny.code, 'Forbidden.RAM');
    assert.match(String(deny.data['AccessDeniedDetail']), /ExplicitDeny/);
    await ram.detachPolicyFromUser(new $.DetachPolicyFromUserRequest({ policyType: 'Custom', policyName: 'NoVpcs', userName: 'dave' }));
    await vpc.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' }));
    await ram.removeUserFromGroup(new $.RemoveUserFromGroupRequest({ userName: 'dave', groupName: 'Readers' }));
    assert.equal((await sdkError(vpc.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' })))).code, 'Forbidden.RAM', 'leaving the group takes its policies away');
    // ecs:tag/<key>: only groups tagged env=dev may be modified
    await ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'DevGroupsOnly', policyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:ModifySecurityGroupAttribute', Resource: '*', Condition: { StringEquals: { 'ecs:tag/env': 'dev' } } }] }) }));
    await ram.attachPolicyToUser(new $.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'DevGroupsOnly', userName: 'dave' }));
    await rootEcs.tagResources(new EcsModule.TagResourcesRequest({ regionId: 'cn-hangzhou', resourceType: 'securitygroup', resourceId: [sgA], tag: [new EcsModule.TagResourcesRequestTag({ key: 'env', value: 'dev' })] }));
    await ecs.modifySecurityGroupAttribute(new EcsModule.ModifySecurityGroupAttributeRequest({ regionId: 'cn-hangzhou', securityGroupId: sgA, description: 'tagged dev' }));
    assert.equal((await sdkError(ecs.modifySecurityGroupAttribute(new EcsModule.ModifySecurityGroupAttributeRequest({ regionId: 'cn-hangzhou', securityGroupId: sgB, description: 'untagged' })))).code, 'Forbidden.RAM');
    const malformed = await sdkError(ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'Bad', policyDocument: '{"Version":"1","Statement":[{"Effect":"Maybe","Action":"ecs:*","Resource":"*"}]}' })));
    assert.equal(malformed.code, 'MalformedPolicyDocument');
    assert.match(malformed.message, /line 1/);
  });

  test('a RAM user without policies is refused: Forbidden.RAM with an AccessDeniedDetail; inactive keys are refused', async () => {
    await ram.createUser(new $.CreateUserRequest({ userName: 'carol' }));
    const k = (await ram.createAccessKey(new $.CreateAccessKeyRequest({ userName: 'carol' }))).body!.accessKey!;
    const creds: Creds = { accessKeyId: k.accessKeyId!, accessKeySecret: k.accessKeySecret! };
    const e = await sdkError(vpcClient(server.endpoint, creds).describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' })));
    assert.equal(e.code, 'Forbidden.RAM');
    assert.equal(e.statusCode, 403);
    assert.match(String(e.data['AccessDeniedDetail']), /vpc:DescribeVpcs/);
    const r = await sdkError(new RamClient(sdkConfig(server.endpoint, creds)).listUsers(new $.ListUsersRequest({})));
    assert.equal(r.code, 'NoPermission');
    await ram.updateAccessKey(new $.UpdateAccessKeyRequest({ userName: 'carol', userAccessKeyId: k.accessKeyId, status: 'Inactive' }));
    const inactive = await sdkError(ecsClient(server.endpoint, creds).describeRegions(new EcsModule.DescribeRegionsRequest({})));
    assert.equal(inactive.code, 'InvalidAccessKeyId.Inactive');
  });
});
