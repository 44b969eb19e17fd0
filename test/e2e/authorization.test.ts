// Authorization holes, closed:
// - reading is not a way to credentials: the metadata endpoint is its own action outside every
//   read-only wildcard, needs PassRole on the instance's role, expires, and dies with the
//   issuer's permission, AccessKey, or the instance's run;
// - role identity is exact: ARNs keep the name's case, and a session ends with its role;
// - every resource a call names is authorized, and PassRole is judged with the request's context.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { startTestServer, ROOT, type TestServer } from '../helpers/server.ts';
import { buildSigned, send, type RawResponse } from '../helpers/sign.ts';
import { buildCatalog } from '../../src/api/app.ts';
import { SYSTEM_POLICIES } from '../../src/domain/ram/system-policies.ts';
import { evaluateDocuments } from '../../src/domain/policy-check.ts';
import { ENDPOINT_ACTION } from '../../src/domain/metadata-endpoint.ts';
import { ManualClock, isoSeconds } from '../../src/clock.ts';

const ECS = '2014-05-26';
const VPC = '2016-04-28';
const RAM = '2015-05-01';
const STS = '2015-04-01';
const PARAPET = '2026-11-01';
const R = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const ecsTrust = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } }] });
const rootTrust = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } }] });

interface Creds { accessKeyId: string; accessKeySecret: string; securityToken?: string }

describe('authorization end to end', () => {
  let server: TestServer;
  let clock: ManualClock;
  let vpcId: string;
  let vsw: string;
  let sgOpen: string;
  let sgDenied: string;
  let vswDenied: string;
  let instanceId: string;
  let userSeq = 0;

  const call = async (version: string, action: string, params: Record<string, string>, creds: Creds = ROOT): Promise<RawResponse> =>
    // signed at the server's (manual) time
    send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...creds, version, action, params, date: isoSeconds(clock.now()), ...(creds.securityToken !== undefined ? { securityToken: creds.securityToken } : {}) }));
  const ok = async (version: string, action: string, params: Record<string, string>, creds: Creds = ROOT) => {
    const r = await call(version, action, params, creds);
    assert.equal(r.status, 200, `${action}: ${r.body}`);
    return r.json!;
  };
  const code = async (version: string, action: string, params: Record<string, string>, creds: Creds = ROOT) => {
    const r = await call(version, action, params, creds);
    return r.status === 200 ? 'ok' : String(r.json?.['Code']);
  };
  /** A RAM user with these system and custom policies; returns its AccessKey. */
  const user = async (system: string[], custom: object[] = []): Promise<Creds & { name: string }> => {
    const name = `u${++userSeq}`;
    await ok(RAM, 'CreateUser', { UserName: name });
    for (const p of system) await ok(RAM, 'AttachPolicyToUser', { PolicyType: 'System', PolicyName: p, UserName: name });
    for (const [i, doc] of custom.entries()) {
      await ok(RAM, 'CreatePolicy', { PolicyName: `${name}-p${i}`, PolicyDocument: JSON.stringify(doc) });
      await ok(RAM, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: `${name}-p${i}`, UserName: name });
    }
    const k = (await ok(RAM, 'CreateAccessKey', { UserName: name }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
    return { name, accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
  };
  const allow = (action: string | string[], resource: string | string[] = '*', condition?: object) => ({ Version: '1', Statement: [{ Effect: 'Allow', Action: action, Resource: resource, ...(condition !== undefined ? { Condition: condition } : {}) }] });
  const deny = (action: string | string[], resource: string | string[]) => ({ Version: '1', Statement: [{ Effect: 'Deny', Action: action, Resource: resource }] });
  const fetchTree = async (endpoint: string, path = '/latest/meta-data/instance-id') => fetch(endpoint + path);

  before(async () => {
    clock = new ManualClock(Date.now());
    server = await startTestServer({ clock });
    vpcId = String((await ok(VPC, 'CreateVpc', { RegionId: R, CidrBlock: '10.0.0.0/16' }))['VpcId']);
    vsw = String((await ok(VPC, 'CreateVSwitch', { RegionId: R, VpcId: vpcId, ZoneId: 'cn-hangzhou-h', CidrBlock: '10.0.1.0/24' }))['VSwitchId']);
    vswDenied = String((await ok(VPC, 'CreateVSwitch', { RegionId: R, VpcId: vpcId, ZoneId: 'cn-hangzhou-h', CidrBlock: '10.0.2.0/24' }))['VSwitchId']);
    sgOpen = String((await ok(ECS, 'CreateSecurityGroup', { RegionId: R, VpcId: vpcId }))['SecurityGroupId']);
    sgDenied = String((await ok(ECS, 'CreateSecurityGroup', { RegionId: R, VpcId: vpcId }))['SecurityGroupId']);
    await ok(RAM, 'CreateRole', { RoleName: 'EcsAdmin', AssumeRolePolicyDocument: ecsTrust, MaxSessionDuration: '7200' });
    await ok(RAM, 'AttachPolicyToRole', { PolicyType: 'System', PolicyName: 'AdministratorAccess', RoleName: 'EcsAdmin' });
    instanceId = String(((await ok(ECS, 'RunInstances', { RegionId: R, ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vsw, SecurityGroupId: sgOpen, RamRoleName: 'EcsAdmin' }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!);
  });
  after(async () => { await server.stop(); });

  // ---- 1. reading is not a way to credentials

  test('no read-only policy, system or wildcard, reaches the metadata endpoint action', () => {
    const readOnly = SYSTEM_POLICIES.filter((p) => /ReadOnly/.test(p.name));
    assert.ok(readOnly.length >= 3);
    const wildcards = ['*:Describe*', '*:Get*', '*:List*', '*:Query*', '*:BatchGet*', '*:BatchQuery*', 'ecs:Describe*', 'ecs:*', 'parapet:Describe*', 'parapet:Get*', 'parapet:List*', 'parapet:Query*'];
    const docs = [...readOnly.map((p) => ({ name: p.name, type: 'System', document: p.document })),
      ...wildcards.map((w) => ({ name: w, type: 'Custom', document: JSON.stringify(allow(w)) }))];
    for (const d of docs) {
      const r = evaluateDocuments([d], { action: ENDPOINT_ACTION, resources: [`acs:ecs:${R}:${ROOT.accountId}:instance/i-x`], context: {} });
      assert.notEqual(r.decision, 'Allow', `${d.name} must not allow ${ENDPOINT_ACTION}`);
    }
  });

  test('a read-only user can\'t obtain the endpoint; PassRole on the instance role is needed too', async () => {
    for (const p of ['ReadOnlyAccess', 'AliyunECSReadOnlyAccess', 'AliyunECSFullAccess']) {
      const u = await user([p]);
      assert.equal(await code(PARAPET, 'IssueInstanceMetadataEndpoint', { RegionId: R, InstanceId: instanceId }, u), 'Forbidden.RAM', p);
    }
    assert.equal(await code(PARAPET, 'DescribeInstanceMetadataEndpoint', { RegionId: R, InstanceId: instanceId }), 'InvalidAction.NotFound', 'the old read-like name is gone');
    const noPass = await user([], [allow(ENDPOINT_ACTION)]);
    assert.equal(await code(PARAPET, 'IssueInstanceMetadataEndpoint', { RegionId: R, InstanceId: instanceId }, noPass), 'InvalidUser.PassRoleForbidden');
    const withPass = await user([], [allow([ENDPOINT_ACTION, 'ram:PassRole'])]);
    const e = await ok(PARAPET, 'IssueInstanceMetadataEndpoint', { RegionId: R, InstanceId: instanceId }, withPass);
    const creds = await fetchTree(String(e['Endpoint']), '/latest/meta-data/ram/security-credentials/EcsAdmin');
    assert.equal(creds.status, 200);
    assert.equal(((await creds.json()) as { Code: string }).Code, 'Success');
  });

  test('the endpoint expires (default 1 h, at most the role\'s session length) and dies with the issuer\'s permission or AccessKey', async () => {
    const u = await user([], [allow([ENDPOINT_ACTION, 'ram:PassRole'])]);
    const issue = async (extra: Record<string, string> = {}) => String((await ok(PARAPET, 'IssueInstanceMetadataEndpoint', { RegionId: R, InstanceId: instanceId, ...extra }, u))['Endpoint']);
    assert.equal(await code(PARAPET, 'IssueInstanceMetadataEndpoint', { RegionId: R, InstanceId: instanceId, DurationSeconds: '7201' }, u), 'InvalidParameter.DurationSeconds');
    const longest = await issue({ DurationSeconds: '7200' });
    const short = await issue({ DurationSeconds: '900' });
    const dflt = await ok(PARAPET, 'IssueInstanceMetadataEndpoint', { RegionId: R, InstanceId: instanceId }, u);
    assert.equal(Date.parse(String(dflt['Expiration'])) - Math.floor(clock.now() / 1000) * 1000, 3600_000);
    assert.equal((await fetchTree(short)).status, 200);
    clock.advance(901_000);
    assert.equal((await fetchTree(short)).status, 404, 'expired after DurationSeconds');
    assert.equal((await fetchTree(longest)).status, 200);
    // the issuer loses the permission: the URL stops working at once
    await ok(RAM, 'DetachPolicyFromUser', { PolicyType: 'Custom', PolicyName: `${u.name}-p0`, UserName: u.name });
    assert.equal((await fetchTree(longest)).status, 404, 'the issuer no longer may');
    await ok(RAM, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: `${u.name}-p0`, UserName: u.name });
    assert.equal((await fetchTree(longest)).status, 200);
    // PassRole alone taken away is enough
    await ok(RAM, 'CreatePolicy', { PolicyName: `${u.name}-nopass`, PolicyDocument: JSON.stringify(deny('ram:PassRole', '*')) });
    await ok(RAM, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: `${u.name}-nopass`, UserName: u.name });
    assert.equal((await fetchTree(longest)).status, 404, 'PassRole denied');
    await ok(RAM, 'DetachPolicyFromUser', { PolicyType: 'Custom', PolicyName: `${u.name}-nopass`, UserName: u.name });
    assert.equal((await fetchTree(longest)).status, 200);
    // its AccessKey deleted
    await ok(RAM, 'DeleteAccessKey', { UserName: u.name, UserAccessKeyId: u.accessKeyId });
    assert.equal((await fetchTree(longest)).status, 404, 'the issuing AccessKey is gone');
  });

  test('the endpoint ends with the instance\'s run: stopped, started again, deleted', async () => {
    const id = String(((await ok(ECS, 'RunInstances', { RegionId: R, ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vsw, SecurityGroupId: sgOpen }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!);
    const endpoint = String((await ok(PARAPET, 'IssueInstanceMetadataEndpoint', { RegionId: R, InstanceId: id }))['Endpoint']);
    assert.equal(await (await fetchTree(endpoint)).text(), id);
    await ok(ECS, 'StopInstance', { InstanceId: id });
    assert.equal((await fetchTree(endpoint)).status, 404);
    assert.equal(await code(PARAPET, 'IssueInstanceMetadataEndpoint', { RegionId: R, InstanceId: id }), 'IncorrectInstanceStatus');
    await ok(ECS, 'StartInstance', { InstanceId: id });
    assert.equal((await fetchTree(endpoint)).status, 404, 'an endpoint of an earlier run stays dead');
    const again = String((await ok(PARAPET, 'IssueInstanceMetadataEndpoint', { RegionId: R, InstanceId: id }))['Endpoint']);
    assert.equal((await fetchTree(again)).status, 200);
    await ok(ECS, 'DeleteInstance', { InstanceId: id, Force: 'true' });
    assert.equal((await fetchTree(again)).status, 404);
    // a forged or altered grant is refused
    const [body, tag] = again.slice(again.lastIndexOf('/') + 1).split('.');
    assert.equal((await fetchTree(again.replace(tag!, 'A'.repeat(tag!.length)))).status, 404);
    assert.equal((await fetchTree(again.replace(body!, body!.slice(0, -2) + 'QQ'))).status, 404);
  });

  // ---- 7. role identity is exact

  test('role ARNs keep the name\'s case; one spelling, one role; a Deny can\'t be dodged by another spelling', async () => {
    await ok(RAM, 'CreateRole', { RoleName: 'Deployer', AssumeRolePolicyDocument: rootTrust });
    await ok(RAM, 'CreateRole', { RoleName: 'deployer', AssumeRolePolicyDocument: rootTrust });
    const upper = (await ok(RAM, 'GetRole', { RoleName: 'Deployer' }))['Role'] as { Arn: string; RoleId: string };
    const lower = (await ok(RAM, 'GetRole', { RoleName: 'deployer' }))['Role'] as { Arn: string; RoleId: string };
    assert.equal(upper.Arn, `acs:ram::${ROOT.accountId}:role/Deployer`);
    assert.notEqual(upper.Arn, lower.Arn, 'two roles never share an ARN');
    // the printed ARN can be assumed, and the session's ARN keeps the case
    const s = await ok(STS, 'AssumeRole', { RoleArn: upper.Arn, RoleSessionName: 'ci' });
    assert.equal((s['AssumedRoleUser'] as { Arn: string }).Arn, `acs:ram::${ROOT.accountId}:assumed-role/Deployer/ci`);
    assert.equal((s['AssumedRoleUser'] as { AssumedRoleId: string }).AssumedRoleId, `${upper.RoleId}:ci`);
    // a user allowed to assume roles but denied this one
    const u = await user([], [allow('sts:AssumeRole'), deny('sts:AssumeRole', upper.Arn)]);
    await ok(RAM, 'UpdateRole', { RoleName: 'Deployer', NewAssumeRolePolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`, `acs:ram::${ROOT.accountId}:user/${u.name}`] } }] }) });
    assert.equal(await code(STS, 'AssumeRole', { RoleArn: upper.Arn, RoleSessionName: 'x1' }, u), 'NoPermission');
    for (const spelling of [upper.Arn.toUpperCase(), `ACS:RAM::${ROOT.accountId}:role/Deployer`, `acs:ram::${ROOT.accountId}:ROLE/Deployer`, `acs:ram::${ROOT.accountId}:role/DEPLOYER`]) {
      const c = await code(STS, 'AssumeRole', { RoleArn: spelling, RoleSessionName: 'x2' }, u);
      assert.notEqual(c, 'ok', `${spelling} must not assume Deployer`);
    }
  });

  test('a session is bound to its role\'s id: deleting the role ends it; a new role of the same name never inherits it', async () => {
    await ok(RAM, 'CreateRole', { RoleName: 'Temp', AssumeRolePolicyDocument: rootTrust });
    await ok(RAM, 'AttachPolicyToRole', { PolicyType: 'System', PolicyName: 'AliyunVPCReadOnlyAccess', RoleName: 'Temp' });
    const c = (await ok(STS, 'AssumeRole', { RoleArn: `acs:ram::${ROOT.accountId}:role/Temp`, RoleSessionName: 'old' }))['Credentials'] as { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string };
    const session: Creds = { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken };
    assert.equal(await code(VPC, 'DescribeVpcs', { RegionId: R }, session), 'ok');
    await ok(RAM, 'DetachPolicyFromRole', { PolicyType: 'System', PolicyName: 'AliyunVPCReadOnlyAccess', RoleName: 'Temp' });
    await ok(RAM, 'DeleteRole', { RoleName: 'Temp' });
    assert.equal(await code(STS, 'GetCallerIdentity', {}, session), 'InvalidSecurityToken.Expired', 'the session ended with its role');
    await ok(RAM, 'CreateRole', { RoleName: 'Temp', AssumeRolePolicyDocument: rootTrust });
    await ok(RAM, 'AttachPolicyToRole', { PolicyType: 'System', PolicyName: 'AliyunVPCReadOnlyAccess', RoleName: 'Temp' });
    assert.equal(await code(VPC, 'DescribeVpcs', { RegionId: R }, session), 'InvalidSecurityToken.Expired', 'a new role of the same name never inherits the old sessions');
  });

  // ---- 8. every resource a call touches is authorized

  test('a Deny on a security group, vSwitch or key pair holds on every call that names it', async () => {
    await ok(ECS, 'ImportKeyPair', { RegionId: R, KeyPairName: 'denied-key', PublicKeyBody: 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=' });
    const u = await user(['AliyunECSFullAccess', 'AliyunVPCFullAccess'], [
      deny('ecs:*', [`acs:ecs:*:*:securitygroup/${sgDenied}`, 'acs:ecs:*:*:keypair/denied-key']),
      deny('ecs:*', `acs:vpc:*:*:vswitch/${vswDenied}`),
    ]);
    const eni = String((await ok(ECS, 'CreateNetworkInterface', { RegionId: R, VSwitchId: vsw, 'SecurityGroupIds.1': sgOpen }, u))['NetworkInterfaceId']);
    const run = { RegionId: R, ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vsw, SecurityGroupId: sgOpen };
    const mine = String(((await ok(ECS, 'RunInstances', run, u))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!);
    const refused: Array<[string, string, Record<string, string>]> = [
      [ECS, 'RunInstances', { ...run, SecurityGroupId: sgDenied }],
      [ECS, 'RunInstances', { ...run, 'SecurityGroupIds.1': sgOpen, 'SecurityGroupIds.2': sgDenied, SecurityGroupId: '' }],
      [ECS, 'RunInstances', { ...run, VSwitchId: vswDenied }],
      [ECS, 'RunInstances', { ...run, KeyPairName: 'denied-key' }],
      [ECS, 'CreateInstance', { ...run, SecurityGroupId: sgDenied }],
      [ECS, 'CreateInstance', { ...run, VSwitchId: vswDenied }],
      [ECS, 'ModifyInstanceAttribute', { InstanceId: mine, 'SecurityGroupIds.1': sgDenied }],
      [ECS, 'JoinSecurityGroup', { InstanceId: mine, SecurityGroupId: sgDenied }],
      [ECS, 'CreateNetworkInterface', { RegionId: R, VSwitchId: vsw, 'SecurityGroupIds.1': sgDenied }],
      [ECS, 'CreateNetworkInterface', { RegionId: R, VSwitchId: vswDenied, 'SecurityGroupIds.1': sgOpen }],
      [ECS, 'ModifyNetworkInterfaceAttribute', { RegionId: R, NetworkInterfaceId: eni, 'SecurityGroupId.1': sgDenied }],
      [ECS, 'AuthorizeSecurityGroup', { RegionId: R, SecurityGroupId: sgOpen, 'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '22/22', 'Permissions.1.SourceGroupId': sgDenied }],
      [ECS, 'AttachKeyPair', { RegionId: R, KeyPairName: 'denied-key', InstanceIds: JSON.stringify([mine]) }],
    ];
    for (const [version, action, params] of refused) {
      const c = await code(version, action, params, u);
      assert.equal(c, 'Forbidden.RAM', `${action} ${JSON.stringify(params)} answered ${c}`);
    }
    // and the same calls on what is allowed go through (the denials are about the named resources)
    assert.equal(await code(ECS, 'ModifyInstanceAttribute', { InstanceId: mine, 'SecurityGroupIds.1': sgOpen }, u), 'ok');
    assert.equal(await code(ECS, 'AuthorizeSecurityGroup', { RegionId: R, SecurityGroupId: sgDenied === sgOpen ? '' : sgOpen, 'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '22/22', 'Permissions.1.SourceCidrIp': '10.0.0.0/8' }, u), 'ok');
  });

  test('PassRole is judged with the request\'s context: allowed from the caller\'s address, refused from another', async () => {
    const rolePolicy = (cidr: string) => allow('ram:PassRole', `acs:ram::${ROOT.accountId}:role/EcsAdmin`, { IpAddress: { 'acs:SourceIp': [cidr] } });
    const near = await user(['AliyunECSFullAccess'], [rolePolicy('127.0.0.0/8')]);
    const far = await user(['AliyunECSFullAccess'], [rolePolicy('10.0.0.0/8')]);
    const run = { RegionId: R, ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vsw, SecurityGroupId: sgOpen, RamRoleName: 'EcsAdmin' };
    assert.equal(await code(ECS, 'RunInstances', run, near), 'ok');
    assert.equal(await code(ECS, 'RunInstances', run, far), 'InvalidUser.PassRoleForbidden');
    assert.equal(await code(ECS, 'AttachInstanceRamRole', { RegionId: R, InstanceIds: JSON.stringify([instanceId]), RamRoleName: 'EcsAdmin' }, far), 'InvalidUser.PassRoleForbidden');
    assert.equal(await code(ECS, 'AttachInstanceRamRole', { RegionId: R, InstanceIds: JSON.stringify([instanceId]), RamRoleName: 'EcsAdmin' }, near), 'ok');
  });

  test('the catalog: every operation that names a group, vSwitch, VPC, key pair or instance authorizes its ARN, and every one that gives a role asks PassRole', () => {
    const sample: Record<string, string> = {
      SecurityGroupId: 'sg-a1', TargetSecurityGroupId: 'sg-t1', VSwitchId: 'vsw-a1', VpcId: 'vpc-a1', DestinationVpcId: 'vpc-d1', KeyPairName: 'kp-a1',
      InstanceId: 'i-a1', NetworkInterfaceId: 'eni-a1', RamRoleName: 'Role1',
    };
    const reads = /^(Describe|List|Get|Check|Export|Preview)/;
    let checked = 0;
    for (const op of buildCatalog().all()) {
      if (reads.test(op.action) || !(op.params instanceof z.ZodObject)) continue;
      const shape = op.params.shape as Record<string, z.ZodType>;
      const input: Record<string, unknown> = { RegionId: R, DestinationRegionId: R };
      for (const [k, schema] of Object.entries(shape)) {
        if (Object.hasOwn(sample, k)) input[k] = schema.safeParse(sample[k]).success ? sample[k] : [sample[k]];
      }
      const parsed = op.params.safeParse(input);
      if (!parsed.success) continue;
      const resources = op.resources(parsed.data, ROOT.accountId).join(' ');
      for (const k of Object.keys(sample)) {
        if (!Object.hasOwn(shape, k) || k === 'RamRoleName') continue;
        if (k === 'VpcId' && op.action === 'DeleteVpc') continue;
        assert.ok(resources.includes(sample[k]!.toString()), `${op.product}:${op.action} names ${k} but does not authorize it: ${resources}`);
        checked++;
      }
      if (Object.hasOwn(shape, 'RamRoleName') && !/^Detach/.test(op.action)) {
        assert.equal(op.passRole?.(parsed.data), 'Role1', `${op.product}:${op.action} gives a role without asking PassRole`);
        checked++;
      }
    }
    assert.ok(checked > 25, `checked ${checked}`);
  });
});
