// Prefix lists through the official ECS SDK, on both store engines: the six operations and their
// errors, rules that authorize a list (echo, revoke, modify, associations, delete refused while in
// use), the rule quota counting such a rule as the list's MaxEntries, RAM, and enforcement that
// follows ModifyPrefixList without touching the rules (CheckNetworkAccess before and after).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, freshSchema, dropSchema, ROOT, type TestServer, type EcsClient, type Creds } from '../helpers/server.ts';
import { probedEngines } from '../helpers/stores.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const OTHER = { accountId: '2234567890123458', accessKeyId: 'LTAIplother000000001', accessKeySecret: 'pl-other-secret-00001' };
const RAM = '2015-05-01';

for (const { engine, skip } of await probedEngines()) {
  describe(`prefix lists (${engine.name})`, { skip }, () => {
    let server: TestServer;
    let ecs: EcsClient;
    let schema: string | undefined;
    let vpcId: string;
    let vswId: string;

    const create = async (p: { name?: string; family?: string; max?: number; entries?: Array<[string, string?]>; description?: string }, client = ecs) =>
      (await client.createPrefixList(new $.CreatePrefixListRequest({
        regionId: R, prefixListName: p.name ?? 'office', addressFamily: p.family ?? 'IPv4', maxEntries: p.max ?? 10, description: p.description,
        entry: (p.entries ?? []).map(([cidr, description]) => new $.CreatePrefixListRequestEntry({ cidr, description })),
      }))).body!.prefixListId!;
    const createError = async (p: Parameters<typeof create>[0]) => (await sdkError(create(p))).code;
    const attrs = async (id: string, client = ecs) => (await client.describePrefixListAttributes(new $.DescribePrefixListAttributesRequest({ regionId: R, prefixListId: id }))).body!;
    const modify = (id: string, p: { add?: Array<[string, string?]>; remove?: string[]; name?: string; description?: string }, client = ecs) =>
      client.modifyPrefixList(new $.ModifyPrefixListRequest({
        regionId: R, prefixListId: id, prefixListName: p.name, description: p.description,
        addEntry: (p.add ?? []).map(([cidr, description]) => new $.ModifyPrefixListRequestAddEntry({ cidr, description })),
        removeEntry: (p.remove ?? []).map((cidr) => new $.ModifyPrefixListRequestRemoveEntry({ cidr })),
      }));
    const group = async (client = ecs) => (await client.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId }))).body!.securityGroupId!;
    const ingress = (g: string, perms: Array<Record<string, unknown>>, client = ecs) =>
      client.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: g, permissions: perms.map((p) => new $.AuthorizeSecurityGroupRequestPermissions(p)) }));
    const egress = (g: string, perms: Array<Record<string, unknown>>) =>
      ecs.authorizeSecurityGroupEgress(new $.AuthorizeSecurityGroupEgressRequest({ regionId: R, securityGroupId: g, permissions: perms.map((p) => new $.AuthorizeSecurityGroupEgressRequestPermissions(p)) }));
    const permissions = async (g: string) => (await ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: g }))).body!.permissions!.permission!;
    const associations = async (id: string) => (await ecs.describePrefixListAssociations(new $.DescribePrefixListAssociationsRequest({ regionId: R, prefixListId: id }))).body!.prefixListAssociations!.prefixListAssociation!.map((a) => [a.resourceId, a.resourceType]);
    const ok = (action: string, params: Record<string, string>) => callRpc(server.endpoint, action, RAM, params);
    let userSeq = 0;
    const user = async (system: string[], custom: object[] = []): Promise<Creds> => {
      const name = `pl${++userSeq}`;
      await ok('CreateUser', { UserName: name });
      for (const p of system) await ok('AttachPolicyToUser', { PolicyType: 'System', PolicyName: p, UserName: name });
      for (const [i, doc] of custom.entries()) {
        await ok('CreatePolicy', { PolicyName: `${name}-p${i}`, PolicyDocument: JSON.stringify(doc) });
        await ok('AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: `${name}-p${i}`, UserName: name });
      }
      const k = (await ok('CreateAccessKey', { UserName: name }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
      return { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
    };

    before(async () => {
      schema = engine.name === 'postgres' ? freshSchema() : undefined;
      server = await startTestServer({ engine: engine.name, ...(schema !== undefined ? { schema } : {}) });
      await ensureAccount(server.services, OTHER);
      ecs = ecsClient(server.endpoint);
      const vpc = vpcClient(server.endpoint);
      vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.40.0.0/16' }))).body!.vpcId!;
      vswId = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '10.40.1.0/24' }))).body!.vSwitchId!;
    });
    after(async () => {
      await server.stop();
      if (schema !== undefined) await dropSchema(schema);
    });

    test('create, describe, attributes, modify, delete', async () => {
      const id = await create({ name: 'office-v4', max: 5, description: 'offices', entries: [['192.0.2.0/24', 'hq'], ['198.51.100.7'], ['10.0.0.0/8', 'vpn']] });
      assert.match(id, /^pl-/);
      const a = await attrs(id);
      assert.deepEqual([a.prefixListId, a.prefixListName, a.description, a.addressFamily, a.maxEntries], [id, 'office-v4', 'offices', 'IPv4', 5]);
      assert.match(a.creationTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(a.entries!.entry!.map((e) => [e.cidr, e.description]), [['192.0.2.0/24', 'hq'], ['198.51.100.7/32', ''], ['10.0.0.0/8', 'vpn']], 'in the order added; a bare address is a /32');
      const v6 = await create({ name: 'office-v6', family: 'IPv6', max: 3, entries: [['2001:0DB8:0000:0000:0000:0000:0000:0000/32']] });
      assert.deepEqual((await attrs(v6)).entries!.entry!.map((e) => e.cidr), ['2001:db8::/32'], 'IPv6 blocks compressed');

      const listed = (await ecs.describePrefixLists(new $.DescribePrefixListsRequest({ regionId: R, prefixListId: [id, v6] }))).body!;
      assert.deepEqual(listed.prefixLists!.prefixList!.map((l) => [l.prefixListId, l.addressFamily, l.maxEntries, l.associationCount]).sort(), [[id, 'IPv4', 5, 0], [v6, 'IPv6', 3, 0]].sort());
      const byFamily = (await ecs.describePrefixLists(new $.DescribePrefixListsRequest({ regionId: R, addressFamily: 'IPv6' }))).body!;
      assert.ok(byFamily.prefixLists!.prefixList!.every((l) => l.addressFamily === 'IPv6'));
      assert.ok(byFamily.prefixLists!.prefixList!.some((l) => l.prefixListId === v6));
      const byName = (await ecs.describePrefixLists(new $.DescribePrefixListsRequest({ regionId: R, prefixListName: 'office-v4' }))).body!;
      assert.deepEqual(byName.prefixLists!.prefixList!.map((l) => l.prefixListId), [id]);

      await modify(id, { name: 'office-renamed', description: 'all offices', add: [['203.0.113.0/24', 'branch'], ['192.0.2.0/24', 'head office']], remove: ['10.0.0.0/8'] });
      const m = await attrs(id);
      assert.deepEqual([m.prefixListName, m.description], ['office-renamed', 'all offices']);
      assert.deepEqual(m.entries!.entry!.map((e) => [e.cidr, e.description]), [['192.0.2.0/24', 'head office'], ['198.51.100.7/32', ''], ['203.0.113.0/24', 'branch']], 'an added CIDR already there takes the new description');

      await ecs.deletePrefixList(new $.DeletePrefixListRequest({ regionId: R, prefixListId: v6 }));
      assert.equal((await sdkError(attrs(v6))).code, 'InvalidPrefixListId.NotFound');

      // ClientToken: the same request again answers the first result; other parameters are refused
      const req = () => new $.CreatePrefixListRequest({ regionId: R, prefixListName: 'tokened', addressFamily: 'IPv4', maxEntries: 3, clientToken: 'pl-token-1' });
      const first = (await ecs.createPrefixList(req())).body!.prefixListId;
      assert.equal((await ecs.createPrefixList(req())).body!.prefixListId, first);
      const changed = req();
      changed.maxEntries = 4;
      assert.equal((await sdkError(ecs.createPrefixList(changed))).code, 'IdempotentParameterMismatch');
    });

    test('paging: MaxResults and NextToken', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await create({ name: `paged-${i}`, max: 1 }));
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = (await ecs.describePrefixLists(new $.DescribePrefixListsRequest({ regionId: R, prefixListId: ids, maxResults: 2, nextToken: token }))).body!;
        assert.ok(page.prefixLists!.prefixList!.length <= 2);
        seen.push(...page.prefixLists!.prefixList!.map((l) => l.prefixListId!));
        token = page.nextToken === '' ? undefined : page.nextToken;
      } while (token !== undefined);
      assert.deepEqual(seen.sort(), [...ids].sort());
      assert.equal((await sdkError(ecs.describePrefixLists(new $.DescribePrefixListsRequest({ regionId: R, nextToken: 'garbage' })))).code, 'InvalidNextToken.Malformed');
      assert.equal((await sdkError(ecs.describePrefixLists(new $.DescribePrefixListsRequest({ regionId: R, maxResults: 101 })))).code, 'InvalidParameter');
    });

    test('bad input: names, family, MaxEntries, CIDRs, duplicates, over MaxEntries, unknown ids', async () => {
      assert.equal(await createError({ name: '1office' }), 'InvalidParameter', 'a name starts with a letter');
      assert.equal(await createError({ name: 'x' }), 'InvalidParameter', 'a name has 2 characters or more');
      assert.equal(await createError({ name: 'com.aliyun.mine' }), 'InvalidParameter');
      assert.equal(await createError({ family: 'IPv5' }), 'InvalidParameter');
      assert.equal(await createError({ max: 0 }), 'InvalidParameter');
      assert.equal(await createError({ max: 201 }), 'InvalidParameter');
      assert.equal(await createError({ entries: [['10.0.0.1/8']] }), 'InvalidParameter', 'a block with host bits set is not in standard form');
      assert.equal(await createError({ entries: [['not-a-cidr']] }), 'InvalidParameter');
      assert.equal(await createError({ entries: [['10.0.0.0/33']] }), 'InvalidParameter');
      assert.equal(await createError({ entries: [['2001:db8::/32']] }), 'InvalidParameter', 'an IPv6 block in an IPv4 list');
      assert.equal(await createError({ family: 'IPv6', entries: [['10.0.0.0/8']] }), 'InvalidParameter', 'an IPv4 block in an IPv6 list');
      assert.equal(await createError({ entries: [['10.0.0.1/32'], ['10.0.0.1']] }), 'InvalidParameter', 'the same block twice');
      assert.equal(await createError({ max: 2, entries: [['10.0.0.0/8'], ['172.16.0.0/12'], ['192.168.0.0/16']] }), 'InvalidParameter', 'more entries than MaxEntries');
      assert.equal(await createError({ entries: [['10.0.0.0/8', 'x']] }), 'InvalidParameter', 'an entry description has 2 characters or more');

      const id = await create({ name: 'small', max: 2, entries: [['10.0.0.0/8']] });
      const modifyError = async (p: Parameters<typeof modify>[1]) => (await sdkError(modify(id, p))).code;
      assert.equal(await modifyError({ add: [['172.16.0.0/12'], ['192.168.0.0/16']] }), 'InvalidParameter', 'entries never above MaxEntries');
      assert.equal(await modifyError({ add: [['2001:db8::/32']] }), 'InvalidParameter', 'another family');
      assert.equal(await modifyError({ add: [['172.16.0.0/12'], ['172.16.0.0/12']] }), 'InvalidParameter', 'duplicates refused');
      assert.equal(await modifyError({ add: [['172.16.0.0/12']], remove: ['172.16.0.0/12'] }), 'InvalidParameter', 'added and removed at once');
      assert.equal(await modifyError({ remove: ['192.168.0.0/16'] }), 'InvalidParameter', 'no such entry');
      assert.equal(await modifyError({ add: [['10.0.0.1/8']] }), 'InvalidParameter');
      assert.deepEqual((await attrs(id)).entries!.entry!.map((e) => e.cidr), ['10.0.0.0/8'], 'a refused modify changes nothing');
      await modify(id, { add: [['172.16.0.0/12']], remove: ['10.0.0.0/8'] });
      await modify(id, { add: [['192.168.0.0/16']] });
      assert.deepEqual((await attrs(id)).entries!.entry!.map((e) => e.cidr), ['172.16.0.0/12', '192.168.0.0/16'], 'a removal makes room in the same call');

      for (const call of [
        () => attrs('pl-doesnotexist'),
        () => modify('pl-doesnotexist', { name: 'abc' }),
        () => ecs.deletePrefixList(new $.DeletePrefixListRequest({ regionId: R, prefixListId: 'pl-doesnotexist' })),
        () => ecs.describePrefixListAssociations(new $.DescribePrefixListAssociationsRequest({ regionId: R, prefixListId: 'pl-doesnotexist' })),
      ]) {
        const e = await sdkError(call());
        assert.deepEqual([e.code, e.statusCode], ['InvalidPrefixListId.NotFound', 404]);
      }
      assert.equal((await sdkError(ecs.describePrefixListAttributes(new $.DescribePrefixListAttributesRequest({ regionId: 'cn-shanghai', prefixListId: id })))).code, 'InvalidPrefixListId.NotFound', 'lists are per region');
    });

    test("another account's list: not found for every operation and for rules", async () => {
      const other = ecsClient(server.endpoint, OTHER);
      const theirs = await create({ name: 'theirs', entries: [['10.9.0.0/16']] }, other);
      const e = await sdkError(attrs(theirs));
      assert.deepEqual([e.code, e.statusCode], ['InvalidPrefixListId.NotFound', 404]);
      assert.equal((await sdkError(modify(theirs, { add: [['10.8.0.0/16']] }))).code, 'InvalidPrefixListId.NotFound');
      assert.equal((await sdkError(ecs.deletePrefixList(new $.DeletePrefixListRequest({ regionId: R, prefixListId: theirs })))).code, 'InvalidPrefixListId.NotFound');
      const listed = (await ecs.describePrefixLists(new $.DescribePrefixListsRequest({ regionId: R, prefixListId: [theirs] }))).body!;
      assert.deepEqual(listed.prefixLists!.prefixList!, []);
      const g = await group();
      assert.equal((await sdkError(ingress(g, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: theirs }]))).code, 'InvalidPrefixListId.NotFound');
      assert.deepEqual((await attrs(theirs, other)).entries!.entry!.map((x) => x.cidr), ['10.9.0.0/16'], 'theirs is untouched');
    });

    test('rules: echo with the name, associations, revoke, modify, delete refused while in use', async () => {
      const id = await create({ name: 'admins', max: 4, entries: [['192.0.2.0/24']] });
      const v6 = await create({ name: 'admins-v6', family: 'IPv6', max: 2, entries: [['2001:db8::/48']] });
      const g = await group();
      await ingress(g, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: id, description: 'ssh from admins' }]);
      await ingress(g, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: id }]);
      await egress(g, [{ ipProtocol: 'tcp', portRange: '443/443', destPrefixListId: id }]);
      await ingress(g, [{ ipProtocol: 'icmpv6', portRange: '-1/-1', sourcePrefixListId: v6 }]);
      const perms = await permissions(g);
      assert.equal(perms.length, 3, 'an identical authorization adds nothing');
      const inRule = perms.find((p) => p.direction === 'ingress' && p.ipProtocol === 'TCP')!;
      assert.deepEqual([inRule.sourcePrefixListId, inRule.sourcePrefixListName, inRule.sourceCidrIp, inRule.description], [id, 'admins', '', 'ssh from admins']);
      const outRule = perms.find((p) => p.direction === 'egress')!;
      assert.deepEqual([outRule.destPrefixListId, outRule.destPrefixListName, outRule.destCidrIp], [id, 'admins', '']);

      assert.deepEqual(await associations(id), [[g, 'securitygroup']]);
      const counted = (await ecs.describePrefixLists(new $.DescribePrefixListsRequest({ regionId: R, prefixListId: [id] }))).body!.prefixLists!.prefixList![0]!;
      assert.equal(counted.associationCount, 1);
      await modify(id, { name: 'admins-renamed' });
      assert.equal((await permissions(g)).find((p) => p.direction === 'egress')!.destPrefixListName, 'admins-renamed', 'the echo follows the list');

      const inUse = await sdkError(ecs.deletePrefixList(new $.DeletePrefixListRequest({ regionId: R, prefixListId: id })));
      assert.deepEqual([inUse.code, inUse.statusCode], ['NotAllowed.AssociationExist', 400]);

      // family of the rule vs the list
      assert.equal((await sdkError(ingress(g, [{ ipProtocol: 'icmp', portRange: '-1/-1', sourcePrefixListId: v6 }]))).code, 'InvalidParam.Ipv4ProtocolConflictWithIpv6Address');
      assert.equal((await sdkError(ingress(g, [{ ipProtocol: 'icmpv6', portRange: '-1/-1', sourcePrefixListId: id }]))).code, 'InvalidParam.Ipv6ProtocolConflictWithIpv4Address');
      assert.equal((await sdkError(ingress(g, [{ ipProtocol: 'tcp', portRange: '80/80', sourcePrefixListId: v6, destCidrIp: '10.40.1.0/24' }]))).code, 'InvalidParameter');

      // modify the ingress rule's port by id; then revoke by tuple
      await ecs.modifySecurityGroupRule(new $.ModifySecurityGroupRuleRequest({ regionId: R, securityGroupId: g, securityGroupRuleId: inRule.securityGroupRuleId, portRange: '2222/2222' }));
      const modified = (await permissions(g)).find((p) => p.securityGroupRuleId === inRule.securityGroupRuleId)!;
      assert.deepEqual([modified.portRange, modified.sourcePrefixListId], ['2222/2222', id]);
      await ecs.revokeSecurityGroup(new $.RevokeSecurityGroupRequest({ regionId: R, securityGroupId: g, permissions: [new $.RevokeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '2222/2222', sourcePrefixListId: id })] }));
      await ecs.revokeSecurityGroupEgress(new $.RevokeSecurityGroupEgressRequest({ regionId: R, securityGroupId: g, permissions: [new $.RevokeSecurityGroupEgressRequestPermissions({ ipProtocol: 'tcp', portRange: '443/443', destPrefixListId: id })] }));
      assert.deepEqual(await associations(id), []);
      await ecs.deletePrefixList(new $.DeletePrefixListRequest({ regionId: R, prefixListId: id }));
      assert.equal((await sdkError(ingress(g, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: id }]))).code, 'InvalidPrefixListId.NotFound', 'a deleted list');
    });

    test('classic groups refuse prefix lists', async () => {
      const id = await create({ name: 'classic-try', entries: [['192.0.2.0/24']] });
      const classic = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R }))).body!.securityGroupId!;
      assert.equal((await sdkError(ingress(classic, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: id }]))).code, 'NotSupported.ClassicNetworkPrefixList');
    });

    test('quota: a rule that authorizes a list counts as its MaxEntries rules', async () => {
      const big = await create({ name: 'big', max: 150, entries: [['192.0.2.0/24']] });
      const g = await group();
      await ingress(g, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: big }]);
      const fill = Array.from({ length: 51 }, (_, i) => ({ ipProtocol: 'tcp', portRange: `${1000 + i}/${1000 + i}`, sourceCidrIp: '10.0.0.0/8' }));
      await ingress(g, fill.slice(0, 25));
      await ingress(g, fill.slice(25, 50));
      const over = await sdkError(ingress(g, [{ ipProtocol: 'tcp', portRange: '2000/2000', sourceCidrIp: '10.0.0.0/8' }]));
      assert.deepEqual([over.code, over.statusCode], ['AuthorizationLimitExceed', 403], '150 + 50 = 200 rule units: full');
      const g2 = await group();
      await ingress(g2, fill);
      const over2 = await sdkError(ingress(g2, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: big }]));
      assert.equal(over2.code, 'AuthorizationLimitExceed', '51 + 150 > 200');
      const small = await create({ name: 'small-quota', max: 2, entries: [['192.0.2.0/24']] });
      await ingress(g2, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: small }]);
      // ModifySecurityGroupRule pointing the rule at the big list: 51 + 150 > 200
      const r = (await permissions(g2)).find((p) => p.sourcePrefixListId === small)!;
      const grown = await sdkError(ecs.modifySecurityGroupRule(new $.ModifySecurityGroupRuleRequest({ regionId: R, securityGroupId: g2, securityGroupRuleId: r.securityGroupRuleId, sourcePrefixListId: big })));
      assert.equal(grown.code, 'AuthorizationLimitExceed');
      assert.equal((await permissions(g2)).find((p) => p.securityGroupRuleId === r.securityGroupRuleId)!.sourcePrefixListId, small, 'the refused modify changed nothing');
      assert.equal((await permissions(g2)).length, 52);
    });

    test('quota per ENI: authorize and join count a list rule as its MaxEntries', async () => {
      const smallSchema = engine.name === 'postgres' ? freshSchema() : undefined;
      const small = await startTestServer({ engine: engine.name, env: { PARAPET_LIMIT_RULES_PER_ENI: '20' }, ...(smallSchema !== undefined ? { schema: smallSchema } : {}) });
      try {
        const c = ecsClient(small.endpoint);
        const v = vpcClient(small.endpoint);
        const vpc = (await v.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.41.0.0/16' }))).body!.vpcId!;
        const vsw = (await v.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId: vpc, zoneId: 'cn-hangzhou-h', cidrBlock: '10.41.1.0/24' }))).body!.vSwitchId!;
        const list = await create({ name: 'fifteen', max: 15, entries: [['192.0.2.0/24']] }, c);
        const mk = async () => (await c.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId: vpc }))).body!.securityGroupId!;
        const [g1, g2, g3] = [await mk(), await mk(), await mk()];
        const cidrRules = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ ipProtocol: 'tcp', portRange: `${from + i}/${from + i}`, sourceCidrIp: '10.0.0.0/8' }));
        await ingress(g1, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: list }], c);
        await ingress(g2, cidrRules(5, 100), c);
        await ingress(g3, cidrRules(6, 200), c);
        const instanceId = (await c.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vsw, securityGroupId: g1 }))).body!.instanceIdSets!.instanceIdSet![0]!;
        await c.joinSecurityGroup(new $.JoinSecurityGroupRequest({ regionId: R, instanceId, securityGroupId: g2 }));
        const over = await sdkError(ingress(g2, cidrRules(1, 300), c));
        assert.equal(over.code, 'AuthorizationLimitExceed', '15 + 5 = 20 rules act on the ENI: full');
        assert.match(over.message, /network interface/);
        const join = await sdkError(c.joinSecurityGroup(new $.JoinSecurityGroupRequest({ regionId: R, instanceId, securityGroupId: g3 })));
        assert.equal(join.code, 'InvalidSecurityGroup.RuleLimitExceeded', '15 + 5 + 6 > 20 (counted as rows it would be 12)');
      } finally {
        await small.stop();
        if (smallSchema !== undefined) await dropSchema(smallSchema);
      }
    });

    test('RAM: read-only users describe and are refused writes; a rule touches the list it names', async () => {
      const id = await create({ name: 'ram-list', entries: [['192.0.2.0/24']] });
      const reader = await user(['AliyunECSReadOnlyAccess']);
      const asReader = ecsClient(server.endpoint, reader);
      assert.equal((await attrs(id, asReader)).prefixListName, 'ram-list');
      assert.ok((await asReader.describePrefixLists(new $.DescribePrefixListsRequest({ regionId: R }))).body!.prefixLists!.prefixList!.length > 0);
      for (const call of [
        () => create({ name: 'nope' }, asReader),
        () => modify(id, { name: 'renamed' }, asReader),
        () => asReader.deletePrefixList(new $.DeletePrefixListRequest({ regionId: R, prefixListId: id })),
      ]) assert.equal((await sdkError(call())).code, 'Forbidden.RAM');
      const nobody = ecsClient(server.endpoint, await user([]));
      assert.equal((await sdkError(attrs(id, nobody))).code, 'Forbidden.RAM');
      const admin = ecsClient(server.endpoint, await user(['AliyunECSFullAccess']));
      const made = await create({ name: 'by-admin' }, admin);
      await modify(made, { add: [['10.1.0.0/16']] }, admin);
      // allowed on groups but denied on this list: authorizing a rule that names it is refused
      const g = await group();
      const scoped = ecsClient(server.endpoint, await user([], [{
        Version: '1', Statement: [
          { Effect: 'Allow', Action: 'ecs:AuthorizeSecurityGroup', Resource: '*' },
          { Effect: 'Deny', Action: 'ecs:AuthorizeSecurityGroup', Resource: `acs:ecs:${R}:${ROOT.accountId}:prefixlist/${id}` },
        ],
      }]));
      assert.equal((await sdkError(ingress(g, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: id }], scoped))).code, 'Forbidden.RAM');
      await ingress(g, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: made }], scoped);
    });

    test('enforcement follows ModifyPrefixList: CheckNetworkAccess before and after', async () => {
      const id = await create({ name: 'ssh-from', max: 5, entries: [['192.0.2.0/24']] });
      const g = await group();
      await ingress(g, [{ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: id }]);
      const ruleId = (await permissions(g))[0]!.securityGroupRuleId!;
      const instanceId = (await ecs.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vswId, securityGroupId: g, internetMaxBandwidthOut: 5 }))).body!.instanceIdSets!.instanceIdSet![0]!;
      const check = async (peer: string, port = 22) => callRpc(server.endpoint, 'CheckNetworkAccess', '2026-11-01', { RegionId: R, InstanceId: instanceId, Direction: 'ingress', IpProtocol: 'tcp', Port: String(port), PeerIpAddress: peer }) as Promise<{ Verdict: string; Reason: string; DecidingRule?: { SecurityGroupRuleId: string; SourcePrefixListId: string }; MatchedRules: { Permission: Array<{ SecurityGroupRuleId: string }> } }>;

      const inList = await check('192.0.2.10');
      assert.deepEqual([inList.Verdict, inList.Reason, inList.DecidingRule?.SecurityGroupRuleId, inList.DecidingRule?.SourcePrefixListId], ['Accept', 'Rule', ruleId, id]);
      assert.deepEqual([(await check('192.0.2.10', 23)).Verdict], ['Drop'], 'the rule keeps its port');
      const outside = await check('198.51.100.9');
      assert.deepEqual([outside.Verdict, outside.Reason], ['Drop', 'Default']);

      await modify(id, { add: [['198.51.100.0/24'], ['198.51.100.0/25']] });
      const added = await check('198.51.100.9');
      assert.deepEqual([added.Verdict, added.Reason, added.DecidingRule?.SecurityGroupRuleId], ['Accept', 'Rule', ruleId], 'the new entry authorizes at once');
      assert.deepEqual(added.MatchedRules.Permission.map((p) => p.SecurityGroupRuleId), [ruleId], 'nested entries: the rule is listed once');
      const exposure = await callRpc(server.endpoint, 'DescribeExposure', '2026-11-01', { RegionId: R, InstanceId: instanceId }) as { Exposures: { Exposure: Array<{ PortRange: string; SourceCidrIps: { SourceCidrIp: string[] }; SecurityGroupRules: { SecurityGroupRule: Array<{ SecurityGroupRuleId: string }> } }> } };
      assert.deepEqual(exposure.Exposures.Exposure.map((e) => [e.PortRange, e.SourceCidrIps.SourceCidrIp, e.SecurityGroupRules.SecurityGroupRule.map((r) => r.SecurityGroupRuleId)]),
        [['22/22', ['192.0.2.0/24', '198.51.100.0/24'], [ruleId]]], 'DescribeExposure: the list\'s blocks, opened by the one rule');

      await modify(id, { remove: ['192.0.2.0/24'] });
      const removed = await check('192.0.2.10');
      assert.deepEqual([removed.Verdict, removed.Reason], ['Drop', 'Default'], 'a removed entry no longer authorizes');
      await modify(id, { remove: ['198.51.100.0/24', '198.51.100.0/25'] });
      assert.equal((await check('198.51.100.9')).Verdict, 'Drop', 'an empty list authorizes nothing');
      // a group with members: the per-ENI count (SQL over every group of the ENI) counts the list's MaxEntries too
      const g2 = await group();
      const big = await create({ name: 'eni-big', max: 200, entries: [['203.0.113.0/24']] });
      await ecs.joinSecurityGroup(new $.JoinSecurityGroupRequest({ regionId: R, instanceId, securityGroupId: g2 }));
      await ingress(g2, [{ ipProtocol: 'tcp', portRange: '80/80', sourcePrefixListId: big }]);
      assert.equal((await check('203.0.113.5', 80)).Verdict, 'Accept', 'a rule of the second group');
    });
  });
}
