// Security groups and rules through the official ECS SDK: the control plane of SPEC §1 that does
// not need instances (groups, rules, references, the intra-group policy, limits and error codes).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, sdkError, type TestServer, type EcsClient } from '../helpers/server.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
type Perm = InstanceType<typeof $.AuthorizeSecurityGroupRequestPermissions>;
const perm = (p: Partial<Perm>) => new $.AuthorizeSecurityGroupRequestPermissions(p);
const eperm = (p: Partial<InstanceType<typeof $.AuthorizeSecurityGroupEgressRequestPermissions>>) => new $.AuthorizeSecurityGroupEgressRequestPermissions(p);

describe('security groups end to end', () => {
  let server: TestServer;
  let ecs: EcsClient;
  let vpcId: string;
  let otherVpcId: string;
  const attr = async (id: string, direction = 'all') =>
    (await ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: id, direction }))).body!;
  const create = async (extra: Record<string, unknown> = {}) =>
    (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId, securityGroupName: 'web', ...extra }))).body!.securityGroupId!;

  before(async () => {
    server = await startTestServer();
    ecs = ecsClient(server.endpoint);
    const vpc = vpcClient(server.endpoint);
    vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.0.0.0/16' }))).body!.vpcId!;
    otherVpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.1.0.0/16' }))).body!.vpcId!;
  });
  after(async () => { await server.stop(); });

  test('create, describe (filters, tags, paging, NextToken), modify, policy, delete', async () => {
    const id = await create({ description: 'front end', tag: [new $.CreateSecurityGroupRequestTag({ key: 'env', value: 'dev' })] });
    assert.match(id, /^sg-[a-z0-9]+$/);
    const classic = await create({ vpcId: undefined, securityGroupName: 'classic' });
    const list = await ecs.describeSecurityGroups(new $.DescribeSecurityGroupsRequest({ regionId: R, securityGroupIds: JSON.stringify([id, classic]) }));
    assert.equal(list.body!.totalCount, 2);
    const g = list.body!.securityGroups!.securityGroup!.find((x) => x.securityGroupId === id)!;
    assert.equal(g.securityGroupType, 'normal');
    assert.equal(g.vpcId, vpcId);
    assert.deepEqual(g.tags!.tag!.map((x) => [x.tagKey, x.tagValue]), [['env', 'dev']]);
    const byTag = await ecs.describeSecurityGroups(new $.DescribeSecurityGroupsRequest({ regionId: R, tag: [new $.DescribeSecurityGroupsRequestTag({ key: 'env', value: 'dev' })] }));
    assert.deepEqual(byTag.body!.securityGroups!.securityGroup!.map((x) => x.securityGroupId), [id]);
    const classicOnly = await ecs.describeSecurityGroups(new $.DescribeSecurityGroupsRequest({ regionId: R, networkType: 'classic' }));
    assert.ok(classicOnly.body!.securityGroups!.securityGroup!.every((x) => x.vpcId === ''));
    const page1 = await ecs.describeSecurityGroups(new $.DescribeSecurityGroupsRequest({ regionId: R, maxResults: 1 }));
    assert.ok(page1.body!.nextToken);
    const page2 = await ecs.describeSecurityGroups(new $.DescribeSecurityGroupsRequest({ regionId: R, maxResults: 1, nextToken: page1.body!.nextToken }));
    assert.notEqual(page2.body!.securityGroups!.securityGroup![0]!.securityGroupId, page1.body!.securityGroups!.securityGroup![0]!.securityGroupId);
    await ecs.modifySecurityGroupAttribute(new $.ModifySecurityGroupAttributeRequest({ regionId: R, securityGroupId: id, securityGroupName: 'web2', description: 'changed' }));
    await ecs.modifySecurityGroupPolicy(new $.ModifySecurityGroupPolicyRequest({ regionId: R, securityGroupId: id, innerAccessPolicy: 'Drop' }));
    const a = await attr(id);
    assert.equal(a.securityGroupName, 'web2');
    assert.equal(a.description, 'changed');
    assert.equal(a.innerAccessPolicy, 'Drop');
    await ecs.deleteSecurityGroup(new $.DeleteSecurityGroupRequest({ regionId: R, securityGroupId: classic }));
    const gone = await sdkError(attr(classic));
    assert.equal(gone.code, 'InvalidSecurityGroupId.NotFound');
    assert.equal(gone.statusCode, 404);
    assert.equal((await sdkError(attr('not-a-group'))).code, 'InvalidSecurityGroupId.Malformed');
  });

  test('rules echo exactly as the real service writes them; duplicate authorize is idempotent', async () => {
    const id = await create();
    const other = await create({ securityGroupName: 'db' });
    await ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({
      regionId: R, securityGroupId: id, permissions: [
        perm({ ipProtocol: 'TCP', portRange: '22/22', sourceCidrIp: '10.0.0.0/8', policy: 'Accept', priority: '1', description: 'ssh' }),
        perm({ ipProtocol: 'tcp', portRange: '443/443', sourceGroupId: other }),
        perm({ ipProtocol: 'icmp', portRange: '-1/-1', sourceCidrIp: '0.0.0.0/0', policy: 'drop', priority: '5' }),
      ],
    }));
    // the same rule again, and once more in the deprecated flat form: nothing is added
    await ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: id, permissions: [perm({ ipProtocol: 'TCP', portRange: '22/22', sourceCidrIp: '10.0.0.0/8', description: 'again' })] }));
    await ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: id, ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8' }));
    await ecs.authorizeSecurityGroupEgress(new $.AuthorizeSecurityGroupEgressRequest({ regionId: R, securityGroupId: id, permissions: [eperm({ ipProtocol: 'all', portRange: '-1/-1', destCidrIp: '0.0.0.0/0', policy: 'drop', priority: '2' })] }));
    const a = await attr(id);
    const perms = a.permissions!.permission!;
    assert.equal(perms.length, 4);
    const ssh = perms.find((p) => p.portRange === '22/22')!;
    assert.equal(ssh.ipProtocol, 'TCP');
    assert.equal(ssh.policy, 'Accept');
    assert.equal(ssh.priority, '1');
    assert.equal(ssh.direction, 'ingress');
    assert.equal(ssh.nicType, 'intranet');
    assert.equal(ssh.sourceCidrIp, '10.0.0.0/8');
    assert.equal(ssh.description, 'ssh');
    assert.match(ssh.securityGroupRuleId!, /^sgr-/);
    assert.match(ssh.createTime!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(perms.find((p) => p.portRange === '443/443')!.sourceGroupId, other);
    assert.equal(perms.find((p) => p.ipProtocol === 'ICMP')!.policy, 'Drop');
    const egress = await attr(id, 'egress');
    assert.deepEqual(egress.permissions!.permission!.map((p) => [p.ipProtocol, p.portRange, p.destCidrIp, p.policy, p.priority]), [['ALL', '-1/-1', '0.0.0.0/0', 'Drop', '2']]);
    const list = await ecs.describeSecurityGroups(new $.DescribeSecurityGroupsRequest({ regionId: R, securityGroupId: id }));
    assert.equal(list.body!.securityGroups!.securityGroup![0]!.ruleCount, 4);
    assert.equal(list.body!.securityGroups!.securityGroup![0]!.groupToGroupRuleCount, 1);

    // revoke by tuple and by rule id
    await ecs.revokeSecurityGroup(new $.RevokeSecurityGroupRequest({ regionId: R, securityGroupId: id, permissions: [new $.RevokeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8' })] }));
    const icmp = (await attr(id, 'ingress')).permissions!.permission!.find((p) => p.ipProtocol === 'ICMP')!;
    await ecs.revokeSecurityGroup(new $.RevokeSecurityGroupRequest({ regionId: R, securityGroupId: id, securityGroupRuleId: [icmp.securityGroupRuleId!] }));
    assert.deepEqual((await attr(id, 'ingress')).permissions!.permission!.map((p) => p.portRange), ['443/443']);
    const missing = await sdkError(ecs.revokeSecurityGroup(new $.RevokeSecurityGroupRequest({ regionId: R, securityGroupId: id, permissions: [new $.RevokeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '23/23', sourceCidrIp: '10.0.0.0/8' })] })));
    assert.equal(missing.code, 'InvalidGroupAuthItem.NotFound');
    assert.equal(missing.statusCode, 403);

    // modify: description and priority by rule id
    const https = (await attr(id, 'ingress')).permissions!.permission![0]!;
    await ecs.modifySecurityGroupRule(new $.ModifySecurityGroupRuleRequest({ regionId: R, securityGroupId: id, securityGroupRuleId: https.securityGroupRuleId, description: 'tls', priority: '7' }));
    const changed = (await attr(id, 'ingress')).permissions!.permission![0]!;
    assert.equal(changed.description, 'tls');
    assert.equal(changed.priority, '7');
    assert.equal(changed.securityGroupRuleId, https.securityGroupRuleId);

    // references and the delete precondition
    const refs = await ecs.describeSecurityGroupReferences(new $.DescribeSecurityGroupReferencesRequest({ regionId: R, securityGroupId: [other] }));
    assert.deepEqual(refs.body!.securityGroupReferences!.securityGroupReference![0]!.referencingSecurityGroups!.referencingSecurityGroup!.map((r) => r.securityGroupId), [id]);
    const dep = await sdkError(ecs.deleteSecurityGroup(new $.DeleteSecurityGroupRequest({ regionId: R, securityGroupId: other })));
    assert.equal(dep.code, 'DependencyViolation');
    assert.equal(dep.statusCode, 403);
  });

  test('a batch with one bad rule changes nothing; error codes name the parameter', async () => {
    const id = await create();
    const cases: Array<[Partial<Perm>, string]> = [
      [{ ipProtocol: 'tcp', portRange: '80/70', sourceCidrIp: '1.2.3.4' }, 'InvalidIpPortRange.Malformed'],
      [{ ipProtocol: 'tcp', portRange: '-1/-1', sourceCidrIp: '1.2.3.4' }, 'OperationDenied'],
      [{ ipProtocol: 'icmp', portRange: '22/22', sourceCidrIp: '1.2.3.4' }, 'OperationDenied'],
      [{ ipProtocol: 'sctp', portRange: '1/2', sourceCidrIp: '1.2.3.4' }, 'InvalidIpProtocol.ValueNotSupported'],
      [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '300.1.1.1/8' }, 'InvalidSourceCidrIp.Malformed'],
      [{ ipProtocol: 'tcp', portRange: '22/22' }, 'MissingParameter.Source'],
      [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '1.2.3.4', policy: 'maybe' }, 'InvalidPolicy.Malformed'],
      [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '1.2.3.4', priority: '101' }, 'InvalidPriority.ValueNotSupported'],
      [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '1.2.3.4', priority: 'x' }, 'InvalidPriority.Malformed'],
      [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '1.2.3.4', nicType: 'internet' }, 'InvalidNicType.Mismatch'],
      [{ ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: id }, 'InvalidParamter.Conflict'],
      [{ ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: 'sg-doesnotexist0000' }, 'InvalidSourceGroupId.NotFound'],
    ];
    for (const [bad, code] of cases) {
      const e = await sdkError(ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: id, permissions: [perm({ ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '0.0.0.0/0' }), perm(bad)] })));
      assert.equal(e.code, code, JSON.stringify(bad));
      assert.ok(e.statusCode >= 400 && e.statusCode < 500);
    }
    const named = await sdkError(ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: id, permissions: [perm({ ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '0.0.0.0/0' }), perm({ ipProtocol: 'tcp', portRange: '80/70', sourceCidrIp: '1.2.3.4' })] })));
    assert.match(named.message, /Permissions\.2\.PortRange/);
    assert.equal((await attr(id)).permissions!.permission!.length, 0, 'nothing of a failed batch remains');
  });

  test('group authorization: same VPC for the same account, another account by owner id, classic /32', async () => {
    const id = await create();
    const elsewhere = await create({ vpcId: otherVpcId });
    const e = await sdkError(ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: id, permissions: [perm({ ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: elsewhere })] })));
    assert.equal(e.code, 'InvalidSourceGroupId.Mismatch');
    const other = await ensureAccount(server.services);
    const theirEcs = ecsClient(server.endpoint, { accessKeyId: other.accessKeyId, accessKeySecret: other.accessKeySecret });
    const theirClassic = (await theirEcs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, securityGroupName: 'theirs' }))).body!.securityGroupId!;
    const mineClassic = await create({ vpcId: undefined, securityGroupName: 'mine' });
    await ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: mineClassic, permissions: [perm({ ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: theirClassic, sourceGroupOwnerId: Number(other.accountId), nicType: 'intranet' })] }));
    const rule = (await attr(mineClassic)).permissions!.permission![0]!;
    assert.equal(rule.sourceGroupId, theirClassic);
    const notMine = await sdkError(ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: mineClassic, permissions: [perm({ ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: theirClassic, nicType: 'intranet' })] })));
    assert.equal(notMine.code, 'InvalidSourceGroupId.NotFound', 'without the owner id the group is looked up in the caller\'s account');
    const wide = await sdkError(ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: mineClassic, permissions: [perm({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8', nicType: 'intranet' })] })));
    assert.equal(wide.code, 'InvalidSourceCidrIp.Malformed');
    await ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: mineClassic, permissions: [perm({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.1.2.3/32', nicType: 'intranet' })] }));
    // the other account can't see or touch my groups
    assert.equal((await sdkError(theirEcs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: mineClassic })))).code, 'InvalidSecurityGroupId.NotFound');
  });

  test('advanced groups: VPC only, accept at priority 1, CIDR only, no intra-group policy', async () => {
    const adv = await create({ securityGroupType: 'enterprise' });
    assert.equal((await sdkError(create({ securityGroupType: 'enterprise', vpcId: undefined }))).code, 'InvalidNetworkType.Conflict');
    assert.equal((await attr(adv)).innerAccessPolicy, 'Drop');
    for (const bad of [{ policy: 'drop' }, { priority: '2' }, { sourceGroupId: await create(), sourceCidrIp: undefined }]) {
      const e = await sdkError(ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: adv, permissions: [perm({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '1.2.3.4/32', ...bad })] })));
      assert.equal(e.code, 'OperationDenied', JSON.stringify(bad));
    }
    assert.equal((await sdkError(ecs.modifySecurityGroupPolicy(new $.ModifySecurityGroupPolicyRequest({ regionId: R, securityGroupId: adv, innerAccessPolicy: 'Accept' })))).code, 'OperationDenied');
  });

  test('200 rules per group, ingress and egress together: AuthorizationLimitExceed', async () => {
    const id = await create();
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => perm({ ipProtocol: 'tcp', portRange: `${from + i}/${from + i}`, sourceCidrIp: '0.0.0.0/0' }));
    await ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: id, permissions: batch(1000, 100) }));
    await ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: id, permissions: batch(2000, 99) }));
    await ecs.authorizeSecurityGroupEgress(new $.AuthorizeSecurityGroupEgressRequest({ regionId: R, securityGroupId: id, permissions: [eperm({ ipProtocol: 'tcp', portRange: '80/80', destCidrIp: '0.0.0.0/0' })] }));
    const e = await sdkError(ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: id, permissions: batch(3000, 1) })));
    assert.equal(e.code, 'AuthorizationLimitExceed');
    assert.equal(e.statusCode, 403);
    // a duplicate of an existing rule still succeeds at the limit
    await ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: id, permissions: batch(1000, 1) }));
    assert.equal((await attr(id)).permissions!.permission!.length, 200);
  });

  test('more error codes: names, descriptions, VPC, prefix lists; the classic NicType filter', async () => {
    assert.equal((await sdkError(create({ securityGroupName: '1abc' }))).code, 'InvalidSecurityGroupName.Malformed');
    assert.equal((await sdkError(create({ description: 'http://x' }))).code, 'InvalidDescription.Malformed');
    assert.equal((await sdkError(create({ vpcId: 'vpc-nope00000000000000' }))).code, 'InvalidVpcId.NotFound');
    assert.equal((await sdkError(create({ securityGroupType: 'fancy' }))).code, 'InvalidSecurityGroupType.Malformed');
    const id = await create();
    const pl = await sdkError(ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: id, permissions: [perm({ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: 'pl-nope' })] })));
    assert.equal(pl.code, 'InvalidPrefixListId.NotFound');
    const dest = await sdkError(ecs.authorizeSecurityGroupEgress(new $.AuthorizeSecurityGroupEgressRequest({ regionId: R, securityGroupId: id, permissions: [eperm({ ipProtocol: 'tcp', portRange: '22/22', destCidrIp: '10.0.0.0/33' })] })));
    assert.equal(dest.code, 'InvalidDestCidrIp.Malformed');
    const classic = await create({ vpcId: undefined, securityGroupName: 'nic' });
    await ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: classic, permissions: [perm({ ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '0.0.0.0/0', nicType: 'internet' }), perm({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.1.1.1/32', nicType: 'intranet' })] }));
    const internet = await ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: classic, direction: 'ingress', nicType: 'internet' }));
    assert.deepEqual(internet.body!.permissions!.permission!.map((p) => [p.portRange, p.nicType]), [['80/80', 'internet']]);
    assert.equal((await sdkError(ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: classic, nicType: 'wifi' })))).code, 'InvalidNicType.ValueNotSupported');
  });

  test('a VPC with security groups is not deleted', async () => {
    const vpc = vpcClient(server.endpoint);
    const e = await sdkError(vpc.deleteVpc(new VpcModule.DeleteVpcRequest({ regionId: R, vpcId })));
    assert.equal(e.code, 'DependencyViolation.SecurityGroup');
  });
});
