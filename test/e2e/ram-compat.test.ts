// RAM and STS as older and official clients read them: ListPolicies' AttachmentCount,
// GetPolicyVersion (official @alicloud/ram20150501 and the older @alicloud/ram 1.0 on pop-core),
// and the HostId each product's errors carry (the product the version names, even for errors
// raised before the operation is known: a bad signature, an unknown action).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import RamModule from '@alicloud/ram20150501';
import StsModule from '@alicloud/sts20150401';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import OldRam from '@alicloud/ram';
import { startTestServer, sdkConfig, ecsClient, vpcClient, callRpc, sdkError, ROOT, type TestServer } from '../helpers/server.ts';

const $ = RamModule;
const DOC1 = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }] });
const DOC2 = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['ecs:Describe*', 'vpc:Describe*'], Resource: '*' }] });
const BAD_KEY = { accessKeyId: ROOT.accessKeyId, accessKeySecret: 'not-the-secret' };

describe('RAM and STS compatibility', () => {
  let server: TestServer;
  let ram: InstanceType<typeof RamModule.default>;
  before(async () => { server = await startTestServer(); ram = new RamModule.default(sdkConfig(server.endpoint)); });
  after(async () => { await server.stop(); });

  test('ListPolicies reports each policy\'s AttachmentCount (users, groups and roles)', async () => {
    await ram.createUser(new $.CreateUserRequest({ userName: 'counted' }));
    await ram.createGroup(new $.CreateGroupRequest({ groupName: 'counters' }));
    await ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'mine', policyDocument: DOC1 }));
    await ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'unused', policyDocument: DOC1 }));
    await ram.attachPolicyToUser(new $.AttachPolicyToUserRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', userName: 'counted' }));
    await ram.attachPolicyToGroup(new $.AttachPolicyToGroupRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', groupName: 'counters' }));
    await ram.attachPolicyToUser(new $.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'mine', userName: 'counted' }));
    const listed = (await ram.listPolicies(new $.ListPoliciesRequest({ maxItems: 1000 }))).body!.policies!.policy!;
    const count = (type: string, name: string) => listed.find((p) => p.policyType === type && p.policyName === name)?.attachmentCount;
    assert.deepEqual([count('System', 'AliyunECSReadOnlyAccess'), count('Custom', 'mine'), count('Custom', 'unused'), count('System', 'AdministratorAccess')], [2, 1, 0, 0]);
    // the same count GetPolicy reports
    assert.equal((await ram.getPolicy(new $.GetPolicyRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess' }))).body!.policy!.attachmentCount, 2);
    const custom = (await ram.listPolicies(new $.ListPoliciesRequest({ policyType: 'Custom' }))).body!.policies!.policy!;
    assert.deepEqual(custom.map((p) => [p.policyName, p.attachmentCount]), [['mine', 1], ['unused', 0]]);
  });

  test('GetPolicyVersion: a custom policy\'s versions, a system policy\'s v1, unknown versions and policies refused', async () => {
    await ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'versioned', policyDocument: DOC1 }));
    await ram.createPolicyVersion(new $.CreatePolicyVersionRequest({ policyName: 'versioned', policyDocument: DOC2, setAsDefault: true }));
    const get = async (policyType: string, policyName: string, versionId: string) =>
      (await ram.getPolicyVersion(new $.GetPolicyVersionRequest({ policyType, policyName, versionId }))).body!.policyVersion!;
    const v1 = await get('Custom', 'versioned', 'v1');
    assert.deepEqual([v1.versionId, v1.isDefaultVersion, v1.policyDocument], ['v1', false, DOC1]);
    assert.match(v1.createDate!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const v2 = await get('Custom', 'versioned', 'v2');
    assert.deepEqual([v2.versionId, v2.isDefaultVersion, v2.policyDocument], ['v2', true, DOC2]);
    const sys = await get('System', 'AliyunECSReadOnlyAccess', 'v1');
    const sysPolicy = (await ram.getPolicy(new $.GetPolicyRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess' }))).body!;
    assert.deepEqual([sys.isDefaultVersion, sys.policyDocument], [true, sysPolicy.defaultPolicyVersion!.policyDocument]);
    const noVersion = await sdkError(get('Custom', 'versioned', 'v7'));
    assert.deepEqual([noVersion.code, noVersion.statusCode], ['EntityNotExist.Policy.Version', 404]);
    assert.equal((await sdkError(get('System', 'AliyunECSReadOnlyAccess', 'v2'))).code, 'EntityNotExist.Policy.Version');
    assert.equal((await sdkError(get('Custom', 'nothing-here', 'v1'))).code, 'EntityNotExist.Policy');
    assert.equal((await sdkError(get('Managed', 'versioned', 'v1'))).code, 'InvalidParameter.PolicyType');
  });

  test('the ECS service roles\' system policies exist, with documents the policy engine takes', async () => {
    const expected: Array<[string, string]> = [
      ['AliyunECSImageImportDefaultRolePolicy', 'oss:GetObject'],
      ['AliyunECSImageExportDefaultRolePolicy', 'oss:PutObject'],
      ['AliyunECSDiskEncryptDefaultRolePolicy', 'kms:GenerateDataKey'],
    ];
    const listed = (await ram.listPolicies(new $.ListPoliciesRequest({ policyType: 'System', maxItems: 1000 }))).body!.policies!.policy!.map((p) => p.policyName);
    for (const [name, action] of expected) {
      assert.ok(listed.includes(name), `${name} is listed`);
      const got = (await ram.getPolicy(new $.GetPolicyRequest({ policyType: 'System', policyName: name }))).body!;
      const doc = JSON.parse(got.defaultPolicyVersion!.policyDocument!) as { Version: string; Statement: Array<{ Action: string[] }> };
      assert.equal(doc.Version, '1');
      assert.ok(doc.Statement.some((st) => st.Action.includes(action)), `${name} grants ${action}`);
      // a role can be given it
      await ram.createRole(new $.CreateRoleRequest({ roleName: name.replace('Policy', ''), assumeRolePolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['ecs.aliyuncs.com'] } }] }) }));
      await ram.attachPolicyToRole(new $.AttachPolicyToRoleRequest({ policyType: 'System', policyName: name, roleName: name.replace('Policy', '') }));
    }
  });

  test('@alicloud/ram 1.0 (pop-core) reads GetPolicyVersion and ListPolicies', async () => {
    const old = new OldRam({ accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret, endpoint: `http://${server.endpoint}` });
    await ram.createPolicy(new $.CreatePolicyRequest({ policyName: 'for-old-client', policyDocument: DOC1 }));
    const r = await old.getPolicyVersion({ PolicyType: 'Custom', PolicyName: 'for-old-client', VersionId: 'v1' }) as { PolicyVersion: { VersionId: string; IsDefaultVersion: boolean; PolicyDocument: string } };
    assert.deepEqual([r.PolicyVersion.VersionId, r.PolicyVersion.IsDefaultVersion, r.PolicyVersion.PolicyDocument], ['v1', true, DOC1]);
    const l = await old.listPolicies({ PolicyType: 'System' }) as { Policies: { Policy: Array<{ PolicyName: string; AttachmentCount: number }> } };
    assert.ok(l.Policies.Policy.every((p) => typeof p.AttachmentCount === 'number'));
  });

  test('every error names its own product\'s HostId, authentication errors included', async () => {
    const hostOf = async (p: Promise<unknown>) => (await sdkError(p)).data['HostId'];
    // refused before the operation is resolved: a bad signature, through each product's official SDK
    const sts = new StsModule.default(sdkConfig(server.endpoint, BAD_KEY));
    assert.equal(await hostOf(sts.getCallerIdentity()), 'sts.aliyuncs.com');
    assert.equal(await hostOf(new RamModule.default(sdkConfig(server.endpoint, BAD_KEY)).listUsers(new $.ListUsersRequest({}))), 'ram.aliyuncs.com');
    assert.equal(await hostOf(vpcClient(server.endpoint, BAD_KEY).describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' }))), 'vpc.aliyuncs.com');
    assert.equal(await hostOf(ecsClient(server.endpoint, BAD_KEY).describeRegions(new EcsModule.DescribeRegionsRequest({}))), 'ecs.aliyuncs.com');
    // refused by the operation
    const stsRoot = new StsModule.default(sdkConfig(server.endpoint));
    assert.equal(await hostOf(stsRoot.assumeRole(new StsModule.AssumeRoleRequest({ roleArn: `acs:ram::${ROOT.accountId}:role/nobody`, roleSessionName: 's1' }))), 'sts.aliyuncs.com');
    assert.equal(await hostOf(ram.getUser(new $.GetUserRequest({ userName: 'nobody' }))), 'ram.aliyuncs.com');
    // an action the product does not have
    assert.equal(await hostOf(callRpc(server.endpoint, 'NoSuchAction', '2015-04-01', {})), 'sts.aliyuncs.com');
    assert.equal(await hostOf(callRpc(server.endpoint, 'NoSuchAction', '2015-05-01', {})), 'ram.aliyuncs.com');
  });
});
