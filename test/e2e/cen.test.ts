// Cloud Enterprise Network through the official SDKs' generic client (Cbn 2017-09-12 and VPC
// 2016-04-28), on both store engines: CEN instances, attaching the caller's VPC and another
// account's after its owner's grant, the refusals (no grant, overlapping blocks, twice, delete
// with children), RAM, and what the decision engine answers between instances of two accounts
// once their VPCs share a CEN (SPEC §9 scenarios 2 and 7 in VPCs).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, freshSchema, dropSchema, ROOT, type TestServer, type EcsClient, type Creds } from '../helpers/server.ts';
import { probedEngines } from '../helpers/stores.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';
import { readDesiredState } from '../../src/domain/dataplane-state.ts';
import { ipToInt } from '../../src/engine/cidr.ts';

const $ = EcsModule;
const R = 'cn-shanghai';
const CBN = '2017-09-12';
const VPC = '2016-04-28';
const PARAPET = '2026-11-01';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const OTHER = { accountId: '2234567890123458', accessKeyId: 'LTAIcenother00000001', accessKeySecret: 'cen-other-secret-000001' };

for (const { engine, skip } of await probedEngines()) {
  describe(`Cloud Enterprise Network (${engine.name})`, { skip }, () => {
    let server: TestServer;
    let schema: string | undefined;
    let ecs: EcsClient;
    let theirEcs: EcsClient;
    const C = (action: string, q: Record<string, string>, creds: Creds = ROOT) => callRpc(server.endpoint, action, CBN, q, creds);
    const V = (action: string, q: Record<string, string>, creds: Creds = ROOT) => callRpc(server.endpoint, action, VPC, q, creds);
    const P = (action: string, q: Record<string, string>, creds: Creds = ROOT) => callRpc(server.endpoint, action, PARAPET, q, creds);
    const err = async (p: Promise<unknown>) => { const e = await sdkError(p); return { code: e.code, status: e.statusCode, message: e.message }; };
    /** a VPC with one vSwitch and one group, of the caller (`creds`) */
    const network = async (cidr: string, vsw: string, creds: Creds = ROOT) => {
      const vpc = vpcClient(server.endpoint, creds);
      const vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: cidr }))).body!.vpcId!;
      const vSwitchId = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-shanghai-b', cidrBlock: vsw }))).body!.vSwitchId!;
      const client = creds === ROOT ? ecs : theirEcs;
      const groupId = (await client.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId }))).body!.securityGroupId!;
      return { vpcId, vSwitchId, groupId };
    };
    const run = async (client: EcsClient, groupId: string, vSwitchId: string) => {
      const id = (await client.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId, securityGroupId: groupId }))).body!.instanceIdSets!.instanceIdSet![0]!;
      const inst = (await client.describeInstances(new $.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([id]) }))).body!.instances!.instance![0]!;
      return { id, ip: inst.vpcAttributes!.privateIpAddress!.ipAddress![0]! };
    };
    const child = (cenId: string, vpcId: string, owner?: string) => ({ CenId: cenId, ChildInstanceId: vpcId, ChildInstanceType: 'VPC', ChildInstanceRegionId: R, ...(owner !== undefined ? { ChildInstanceOwnerId: owner } : {}) });
    const attached = async (cenId: string) => ((await C('DescribeCenAttachedChildInstances', { CenId: cenId }))['ChildInstances'] as { ChildInstance: Array<{ ChildInstanceId: string; ChildInstanceOwnerId: number; Status: string; ChildInstanceType: string }> }).ChildInstance;

    before(async () => {
      schema = engine.name === 'postgres' ? freshSchema() : undefined;
      server = await startTestServer({ engine: engine.name, ...(schema !== undefined ? { schema } : {}) });
      await ensureAccount(server.services, OTHER);
      ecs = ecsClient(server.endpoint);
      theirEcs = ecsClient(server.endpoint, OTHER);
    });
    after(async () => {
      await server.stop();
      if (schema !== undefined) await dropSchema(schema);
    });

    test('CreateCen, DescribeCens (paging, CenId filter), DeleteCen; unknown CEN and bad values refused', async () => {
      const a = (await C('CreateCen', { Name: 'corp', Description: 'two accounts', ProtectionLevel: 'REDUCED' }))['CenId'] as string;
      const b = (await C('CreateCen', { ClientToken: 'cen-token-1' }))['CenId'] as string;
      assert.equal((await C('CreateCen', { ClientToken: 'cen-token-1' }))['CenId'], b, 'a ClientToken given again answers the same CEN');
      assert.match(a, /^cen-[a-z0-9]{20}$/);
      const all = await C('DescribeCens', { PageSize: '1' });
      assert.equal(all['TotalCount'], 2);
      assert.equal((all['Cens'] as { Cen: unknown[] }).Cen.length, 1);
      const one = await C('DescribeCens', { 'Filter.1.Key': 'CenId', 'Filter.1.Value.1': a });
      const cen = (one['Cens'] as { Cen: Array<Record<string, unknown>> }).Cen;
      assert.deepEqual(cen.map((c) => [c['CenId'], c['Name'], c['Description'], c['ProtectionLevel'], c['Status']]), [[a, 'corp', 'two accounts', 'REDUCED', 'Active']]);
      // another account sees none of them
      assert.equal((await C('DescribeCens', {}, OTHER))['TotalCount'], 0);
      const foreign = await err(C('DeleteCen', { CenId: a }, OTHER));
      assert.deepEqual([foreign.code, foreign.status], ['ParameterCenInstanceId', 400]);
      assert.equal((await err(C('CreateCen', { ProtectionLevel: 'FULL' }))).code, 'InvalidParameter');
      assert.equal((await err(C('DescribeCens', { 'Filter.1.Key': 'Color', 'Filter.1.Value.1': 'x' }))).code, 'InvalidParameter');
      await C('DeleteCen', { CenId: b });
      assert.equal((await err(C('DeleteCen', { CenId: b }))).code, 'ParameterCenInstanceId');
      await C('DeleteCen', { CenId: a });
      assert.equal((await C('DescribeCens', {}))['TotalCount'], 0);
    });

    test('own VPCs: attach, overlap refused, twice refused, delete refused while attached, detach', async () => {
      const cenId = (await C('CreateCen', {}))['CenId'] as string;
      const x = await network('10.61.0.0/16', '10.61.1.0/24');
      const y = await network('10.62.0.0/16', '10.62.1.0/24');
      const z = await network('10.61.128.0/17', '10.61.129.0/24');
      await C('AttachCenChildInstance', child(cenId, x.vpcId));
      await C('AttachCenChildInstance', child(cenId, y.vpcId));
      const overlap = await err(C('AttachCenChildInstance', child(cenId, z.vpcId)));
      assert.deepEqual([overlap.code, overlap.status], ['InvalidOperation.CidrConflict', 400]);
      assert.match(overlap.message, /10\.61\.128\.0\/17/);
      assert.equal((await err(C('AttachCenChildInstance', child(cenId, x.vpcId)))).code, 'InvalidOperation.ChildInstanceAttached');
      assert.equal((await err(C('AttachCenChildInstance', child(cenId, 'vpc-nothere')))).code, 'ParameterInstanceId');
      assert.equal((await err(C('AttachCenChildInstance', { ...child(cenId, x.vpcId), ChildInstanceType: 'VBR' }))).code, 'ParameterIllegal.ChildInstanceType');
      assert.equal((await err(C('AttachCenChildInstance', child('cen-nothere', y.vpcId)))).code, 'ParameterCenInstanceId');
      const list = await attached(cenId);
      assert.deepEqual(list.map((c) => [c.ChildInstanceId, c.ChildInstanceType, c.ChildInstanceOwnerId, c.Status]).sort(), [[x.vpcId, 'VPC', Number(ROOT.accountId), 'Attached'], [y.vpcId, 'VPC', Number(ROOT.accountId), 'Attached']].sort());
      const vpcBusy = await err(V('DeleteVpc', { RegionId: R, VpcId: y.vpcId }));
      assert.deepEqual([vpcBusy.code, vpcBusy.status], ['DependencyViolation.CenInstance', 400]);
      const busy = await err(C('DeleteCen', { CenId: cenId }));
      assert.deepEqual([busy.code, busy.status], ['OperationFailed.DeleteCenWithChildInstance', 400]);
      await C('DetachCenChildInstance', child(cenId, x.vpcId));
      assert.equal((await err(C('DetachCenChildInstance', child(cenId, x.vpcId)))).code, 'ParameterInstanceId');
      // with x gone, z no longer overlaps anything attached
      await C('AttachCenChildInstance', child(cenId, z.vpcId));
      await C('DetachCenChildInstance', child(cenId, z.vpcId));
      await C('DetachCenChildInstance', child(cenId, y.vpcId));
      assert.deepEqual(await attached(cenId), []);
      await C('DeleteCen', { CenId: cenId });
    });

    test('another account\'s VPC: refused without its grant, attached after GrantInstanceToCen; grants listed and revoked', async () => {
      const cenId = (await C('CreateCen', {}))['CenId'] as string;
      const theirs = await network('10.72.0.0/16', '10.72.1.0/24', OTHER);
      const refused = await err(C('AttachCenChildInstance', child(cenId, theirs.vpcId, OTHER.accountId)));
      assert.deepEqual([refused.code, refused.status], ['Forbidden.ChildInstanceNotGranted', 403]);
      // without the owner id, the VPC is looked for in the caller's account
      assert.equal((await err(C('AttachCenChildInstance', child(cenId, theirs.vpcId)))).code, 'ParameterInstanceId');
      // the grant names the CEN and its owner; a wrong owner or a CEN that is not there is refused
      assert.equal((await err(V('GrantInstanceToCen', { RegionId: R, InstanceId: theirs.vpcId, InstanceType: 'VPC', CenId: cenId, CenOwnerId: OTHER.accountId }, OTHER))).code, 'ParameterCenInstanceId');
      assert.equal((await err(V('GrantInstanceToCen', { RegionId: R, InstanceId: 'vpc-nothere', InstanceType: 'VPC', CenId: cenId, CenOwnerId: ROOT.accountId }, OTHER))).code, 'InvalidVpcId.NotFound');
      // only the VPC's owner grants it
      assert.equal((await err(V('GrantInstanceToCen', { RegionId: R, InstanceId: theirs.vpcId, InstanceType: 'VPC', CenId: cenId, CenOwnerId: ROOT.accountId }))).code, 'InvalidVpcId.NotFound');
      await V('GrantInstanceToCen', { RegionId: R, InstanceId: theirs.vpcId, InstanceType: 'VPC', CenId: cenId, CenOwnerId: ROOT.accountId }, OTHER);
      assert.equal((await err(V('GrantInstanceToCen', { RegionId: R, InstanceId: theirs.vpcId, InstanceType: 'VPC', CenId: cenId, CenOwnerId: ROOT.accountId }, OTHER))).code, 'InvalidOperation.GrantExists');
      const rules = (await V('DescribeGrantRulesToCen', { RegionId: R, InstanceId: theirs.vpcId, InstanceType: 'VPC' }, OTHER))['CenGrantRules'] as { CbnGrantRule: Array<Record<string, unknown>> };
      assert.deepEqual(rules.CbnGrantRule.map((g) => [g['CenInstanceId'], g['CenUid'], g['ChildInstanceId'], g['ChildInstanceOwnerId']]), [[cenId, Number(ROOT.accountId), theirs.vpcId, Number(OTHER.accountId)]]);
      await C('AttachCenChildInstance', child(cenId, theirs.vpcId, OTHER.accountId));
      assert.deepEqual((await attached(cenId)).map((c) => [c.ChildInstanceId, c.ChildInstanceOwnerId]), [[theirs.vpcId, Number(OTHER.accountId)]]);
      const cenStatus = async () => ((await V('DescribeVpcs', { RegionId: R, VpcId: theirs.vpcId }, OTHER))['Vpcs'] as { Vpc: Array<{ CenStatus: string }> }).Vpc[0]!.CenStatus;
      assert.equal(await cenStatus(), 'Attached', 'the owner sees its VPC attached');
      await C('DetachCenChildInstance', child(cenId, theirs.vpcId, OTHER.accountId));
      assert.equal(await cenStatus(), 'Detached');
      await V('RevokeInstanceFromCen', { RegionId: R, InstanceId: theirs.vpcId, InstanceType: 'VPC', CenId: cenId, CenOwnerId: ROOT.accountId }, OTHER);
      assert.equal((await err(V('RevokeInstanceFromCen', { RegionId: R, InstanceId: theirs.vpcId, InstanceType: 'VPC', CenId: cenId, CenOwnerId: ROOT.accountId }, OTHER))).code, 'InvalidOperation.GrantNotFound');
      assert.equal((await err(C('AttachCenChildInstance', child(cenId, theirs.vpcId, OTHER.accountId)))).code, 'Forbidden.ChildInstanceNotGranted');
      await C('DeleteCen', { CenId: cenId });
    });

    test('RAM: the read-only CEN policy lists and is refused a change naming cen:<Action>; a Deny on the VPC refuses attaching it', async () => {
      const RAM = '2015-05-01';
      const user = async (name: string, policy: string, type = 'System'): Promise<Creds> => {
        await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: name });
        await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: type, PolicyName: policy, UserName: name });
        const k = (await callRpc(server.endpoint, 'CreateAccessKey', RAM, { UserName: name }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
        return { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
      };
      const reader = await user('cen-reader', 'AliyunCENReadOnlyAccess');
      const cenId = (await C('CreateCen', {}))['CenId'] as string;
      assert.equal((await C('DescribeCens', {}, reader))['TotalCount'], 1);
      const denied = await err(C('CreateCen', {}, reader));
      assert.deepEqual([denied.code, denied.status], ['Forbidden.RAM', 403]);
      assert.match(denied.message, /cen:CreateCen/);
      const net = await network('10.81.0.0/16', '10.81.1.0/24');
      const doc = JSON.stringify({ Version: '1', Statement: [
        { Effect: 'Allow', Action: 'cen:*', Resource: '*' },
        { Effect: 'Deny', Action: 'cen:*', Resource: `acs:vpc:*:${ROOT.accountId}:vpc/${net.vpcId}` },
      ] });
      await callRpc(server.endpoint, 'CreatePolicy', RAM, { PolicyName: 'cen-not-that-vpc', PolicyDocument: doc });
      const limited = await user('cen-limited', 'cen-not-that-vpc', 'Custom');
      const refused = await err(C('AttachCenChildInstance', child(cenId, net.vpcId), limited));
      assert.deepEqual([refused.code, refused.status], ['Forbidden.RAM', 403]);
      assert.match(refused.message, new RegExp(net.vpcId));
      assert.deepEqual(await attached(cenId), []);
      const full = await user('cen-admin', 'AliyunCENFullAccess');
      await C('AttachCenChildInstance', child(cenId, net.vpcId), full);
      await C('DetachCenChildInstance', child(cenId, net.vpcId), full);
      await C('DeleteCen', { CenId: cenId }, full);
    });

    test('SPEC §9 scenarios 2 and 7 in VPCs: a group of another account resolves only through a shared CEN (CheckNetworkAccess and the desired state)', async () => {
      const a = await network('10.91.0.0/16', '10.91.1.0/24');
      const b = await network('10.92.0.0/16', '10.92.1.0/24', OTHER);
      const mine = await run(ecs, a.groupId, a.vSwitchId);
      const theirs = await run(theirEcs, b.groupId, b.vSwitchId);
      // B's group authorizes A's group (id + account) on TCP 22, and A's instance address on 3389
      await theirEcs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: b.groupId, permissions: [
        new $.AuthorizeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: a.groupId, sourceGroupOwnerId: Number(ROOT.accountId) }),
        new $.AuthorizeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '3389/3389', sourceCidrIp: `${mine.ip}/32` }),
      ] }));
      const check = (port: number) => P('CheckNetworkAccess', { RegionId: R, InstanceId: theirs.id, Direction: 'ingress', IpProtocol: 'tcp', Port: String(port), PeerIpAddress: mine.ip }, OTHER);
      const groupRule = (s: Awaited<ReturnType<typeof readDesiredState>>) => s.networkMembers!.get(b.vpcId)!.get(a.groupId) ?? [];
      // before: the group names nothing reachable; no path is named
      let r = await check(22);
      assert.deepEqual([r['Verdict'], r['Reason'], r['Path']], ['Drop', 'Default', undefined]);
      assert.deepEqual(groupRule(await readDesiredState(server.store.db, 0)), []);
      // both VPCs on one CEN of A (B granted it)
      const cenId = (await C('CreateCen', {}))['CenId'] as string;
      await V('GrantInstanceToCen', { RegionId: R, InstanceId: b.vpcId, InstanceType: 'VPC', CenId: cenId, CenOwnerId: ROOT.accountId }, OTHER);
      await C('AttachCenChildInstance', child(cenId, a.vpcId));
      await C('AttachCenChildInstance', child(cenId, b.vpcId, OTHER.accountId));
      r = await check(22);
      assert.deepEqual([r['Verdict'], r['Reason'], r['Path']], ['Accept', 'Rule', { Type: 'CEN', CenId: cenId, PeerVpcId: a.vpcId }]);
      assert.equal((r['DecidingRule'] as Record<string, unknown>)['SourceGroupId'], a.groupId);
      r = await check(3389);
      assert.deepEqual([r['Verdict'], r['Reason']], ['Accept', 'Rule']);
      r = await check(80);
      assert.deepEqual([r['Verdict'], r['Reason']], ['Drop', 'Default']);
      const desired = await readDesiredState(server.store.db, 0);
      assert.deepEqual(groupRule(desired), [ipToInt(mine.ip)]);
      assert.deepEqual(desired.cens!.find((c) => c.cenId === cenId)!.vpcs.map((v) => v.vpcId).sort(), [a.vpcId, b.vpcId].sort());
      // detached: cut again
      await C('DetachCenChildInstance', child(cenId, b.vpcId, OTHER.accountId));
      r = await check(22);
      assert.deepEqual([r['Verdict'], r['Reason'], r['Path']], ['Drop', 'Default', undefined]);
      assert.deepEqual(groupRule(await readDesiredState(server.store.db, 0)), []);
      await C('DetachCenChildInstance', child(cenId, a.vpcId));
      await C('DeleteCen', { CenId: cenId });
    });
  });
}
