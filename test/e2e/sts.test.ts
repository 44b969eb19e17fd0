// Roles and STS through the official RAM and STS SDKs: AssumeRole checks the trust policy and the
// duration; the credentials work in both signature styles with the role's policies narrowed by
// the session policy; altered and expired tokens are refused.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import RamModule from '@alicloud/ram20150501';
import StsModule from '@alicloud/sts20150401';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, sdkConfig, vpcClient, sdkError, ROOT, type TestServer, type Creds } from '../helpers/server.ts';
import { ManualClock } from '../../src/clock.ts';

const $ram = RamModule;
const $sts = StsModule;

describe('roles and STS end to end', () => {
  let server: TestServer;
  let clock: ManualClock;
  let ram: InstanceType<typeof RamModule.default>;
  let sts: InstanceType<typeof StsModule.default>;
  const trust = (principal: string) => JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [principal] } }] });
  const arn = (name: string) => `acs:ram::${ROOT.accountId}:role/${name}`;

  before(async () => {
    clock = new ManualClock(Date.now());
    server = await startTestServer({ clock });
    ram = new RamModule.default(sdkConfig(server.endpoint));
    sts = new StsModule.default(sdkConfig(server.endpoint));
    await ram.createRole(new $ram.CreateRoleRequest({ roleName: 'reader', assumeRolePolicyDocument: trust(`acs:ram::${ROOT.accountId}:root`), maxSessionDuration: 7200 }));
    await ram.attachPolicyToRole(new $ram.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess', roleName: 'reader' }));
  });
  after(async () => { await server.stop(); });

  test('roles: get, list, update, delete conflicts, trust policy grammar', async () => {
    const r = await ram.getRole(new $ram.GetRoleRequest({ roleName: 'reader' }));
    assert.equal(r.body!.role!.arn, arn('reader'));
    assert.equal(r.body!.role!.maxSessionDuration, 7200);
    assert.ok((await ram.listRoles(new $ram.ListRolesRequest({}))).body!.roles!.role!.some((x) => x.roleName === 'reader'));
    assert.equal((await sdkError(ram.createRole(new $ram.CreateRoleRequest({ roleName: 'reader', assumeRolePolicyDocument: trust(`acs:ram::${ROOT.accountId}:root`) })))).code, 'EntityAlreadyExists.Role');
    assert.equal((await sdkError(ram.createRole(new $ram.CreateRoleRequest({ roleName: 'broken', assumeRolePolicyDocument: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}' })))).code, 'MalformedPolicyDocument');
    assert.equal((await sdkError(ram.deleteRole(new $ram.DeleteRoleRequest({ roleName: 'reader' })))).code, 'DeleteConflict.Role.Policy');
    assert.deepEqual((await ram.listPoliciesForRole(new $ram.ListPoliciesForRoleRequest({ roleName: 'reader' }))).body!.policies!.policy!.map((p) => p.policyName), ['AliyunVPCReadOnlyAccess']);
  });

  test('AssumeRole: credentials that act with the role\'s policies, in both signature styles', async () => {
    const r = await sts.assumeRole(new $sts.AssumeRoleRequest({ roleArn: arn('reader'), roleSessionName: 'ci-run', durationSeconds: 3600 }));
    const c = r.body!.credentials!;
    assert.match(c.accessKeyId!, /^STS\./);
    assert.match(c.expiration!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(r.body!.assumedRoleUser!.arn, `acs:ram::${ROOT.accountId}:assumed-role/reader/ci-run`);
    const creds: Creds = { accessKeyId: c.accessKeyId!, accessKeySecret: c.accessKeySecret!, securityToken: c.securityToken! };
    for (const extra of [{}, { signatureAlgorithm: 'v2' }]) {
      const vpc = vpcClient(server.endpoint, creds, extra);
      await vpc.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' }));
      assert.equal((await sdkError(vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: 'cn-hangzhou' })))).code, 'Forbidden.RAM');
    }
    const who = await new StsModule.default(sdkConfig(server.endpoint, creds)).getCallerIdentity();
    assert.equal(who.body!.identityType, 'AssumedRoleUser');
    assert.equal(who.body!.arn, `acs:ram::${ROOT.accountId}:assumed-role/reader/ci-run`);
    // a changed token is refused
    const forged = { ...creds, securityToken: creds.securityToken!.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')) };
    assert.equal((await sdkError(vpcClient(server.endpoint, forged).describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' })))).code, 'InvalidSecurityToken.Malformed');
  });

  test('a session policy narrows the role; duration bounds; the trust policy decides who may assume', async () => {
    const narrow = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'vpc:DescribeVSwitches', Resource: '*' }] });
    const r = await sts.assumeRole(new $sts.AssumeRoleRequest({ roleArn: arn('reader'), roleSessionName: 'narrow', policy: narrow }));
    const c = r.body!.credentials!;
    const vpc = vpcClient(server.endpoint, { accessKeyId: c.accessKeyId!, accessKeySecret: c.accessKeySecret!, securityToken: c.securityToken! });
    await vpc.describeVSwitches(new VpcModule.DescribeVSwitchesRequest({ regionId: 'cn-hangzhou' }));
    assert.equal((await sdkError(vpc.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' })))).code, 'Forbidden.RAM');
    assert.equal((await sdkError(sts.assumeRole(new $sts.AssumeRoleRequest({ roleArn: arn('reader'), roleSessionName: 'long', durationSeconds: 7201 })))).code, 'InvalidParameter.DurationSeconds');
    assert.equal((await sdkError(sts.assumeRole(new $sts.AssumeRoleRequest({ roleArn: arn('reader'), roleSessionName: 'short', durationSeconds: 899 })))).code, 'InvalidParameter.DurationSeconds');
    assert.equal((await sdkError(sts.assumeRole(new $sts.AssumeRoleRequest({ roleArn: arn('nobody'), roleSessionName: 'x1' })))).code, 'EntityNotExist.Role');
    assert.equal((await sdkError(sts.assumeRole(new $sts.AssumeRoleRequest({ roleArn: arn('reader'), roleSessionName: 's1', policy: 'x'.repeat(1100) })))).code, 'InvalidParameter.PolicySize');
    assert.equal((await sdkError(sts.assumeRole(new $sts.AssumeRoleRequest({ roleArn: arn('reader'), roleSessionName: 's1', policy: '{"Version":"1","Statement":[{"Effect":"Maybe"}]}' })))).code, 'InvalidParameter.PolicyGrammar');
    await ram.createRole(new $ram.CreateRoleRequest({ roleName: 'ecsonly', assumeRolePolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } }] }) }));
    assert.equal((await sdkError(sts.assumeRole(new $sts.AssumeRoleRequest({ roleArn: arn('ecsonly'), roleSessionName: 'me' })))).code, 'NoPermission');
    // a RAM user needs sts:AssumeRole, and the role must trust it
    await ram.createUser(new $ram.CreateUserRequest({ userName: 'erin' }));
    const k = (await ram.createAccessKey(new $ram.CreateAccessKeyRequest({ userName: 'erin' }))).body!.accessKey!;
    const erinSts = new StsModule.default(sdkConfig(server.endpoint, { accessKeyId: k.accessKeyId!, accessKeySecret: k.accessKeySecret! }));
    assert.equal((await sdkError(erinSts.assumeRole(new $sts.AssumeRoleRequest({ roleArn: arn('reader'), roleSessionName: 'erin' })))).code, 'NoPermission');
    await ram.attachPolicyToUser(new $ram.AttachPolicyToUserRequest({ policyType: 'System', policyName: 'AliyunSTSAssumeRoleAccess', userName: 'erin' }));
    const ok = await erinSts.assumeRole(new $sts.AssumeRoleRequest({ roleArn: arn('reader'), roleSessionName: 'erin' }));
    assert.match(ok.body!.credentials!.accessKeyId!, /^STS\./, 'the root trust names every identity of the account');
    assert.equal((await erinSts.getCallerIdentity()).body!.identityType, 'RAMUser');
  });

  test('expired credentials are refused', async () => {
    const r = await sts.assumeRole(new $sts.AssumeRoleRequest({ roleArn: arn('reader'), roleSessionName: 'brief', durationSeconds: 900 }));
    const c = r.body!.credentials!;
    clock.advance(901 * 1000);
    try {
      const e = await sdkError(vpcClient(server.endpoint, { accessKeyId: c.accessKeyId!, accessKeySecret: c.accessKeySecret!, securityToken: c.securityToken! }).describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' })));
      assert.equal(e.code, 'InvalidSecurityToken.Expired');
    } finally {
      clock.advance(-901 * 1000);
    }
  });
});
