// One gate for every write of rules: each path that writes rules (authorize, modify, import,
// restore, clone) refuses the same inputs with the same code, and the per-group and per-ENI
// limits hold on every path that adds rules. Rules that an older version may have stored without
// passing today's checks are planted straight into the store, so restore and clone meet them too.
// Runs on both store engines.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { probedEngines } from '../helpers/stores.ts';
import { testContext, codeOf } from '../helpers/context.ts';
import type { Store } from '../../src/store/store.ts';
import type { CallContext } from '../../src/domain/context.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';
import * as vpc from '../../src/domain/vpc.ts';
import * as sg from '../../src/domain/security-groups.ts';
import * as rules from '../../src/domain/sg-permissions.ts';
import * as clone from '../../src/domain/sg-clone.ts';
import * as restore from '../../src/domain/sg-restore.ts';
import * as io from '../../src/domain/sg-export-import.ts';
import * as wire from '../../src/domain/sg-rule-wire.ts';
import * as inst from '../../src/domain/instances.ts';
import * as enis from '../../src/domain/enis.ts';
import { type RuleInput, type Rule, normalizeRule, ruleKey } from '../../src/domain/sg-rules.ts';
import { systemClock } from '../../src/clock.ts';
import { randomIds } from '../../src/ids.ts';
import { DEFAULT_LIMITS } from '../../src/domain/limits.ts';

const A = '2222333344445555';
const R = 'cn-hangzhou';

// every engine probed before any suite is declared (test/helpers/stores.ts says why)
const probed = await probedEngines();
for (const { engine, skip } of probed) {
  describe(`one gate for every write of rules: ${engine.name}`, () => {
    if (skip !== undefined) {
      test(`skipped: ${skip}`, { skip });
      return;
    }
    let store: Store;
    let cleanup: () => Promise<void>;
    let ctx: CallContext;
    let v1: string;
    let v2: string;
    let vsw: string;
    let otherVpcGroup: string;
    before(async () => {
      ({ store, cleanup } = await engine.open());
      await ensureAccount({ store, clock: systemClock, ids: randomIds, limits: DEFAULT_LIMITS }, { accountId: A, accessKeyId: 'LTAIgatetest0000001', accessKeySecret: 'secret-gate-00001' });
      ctx = testContext(store, A, { limits: { rulesPerGroup: 5, rulesPerEni: 3 } });
      v1 = (await vpc.createVpc(ctx, { regionId: R, cidrBlock: '10.0.0.0/16' })).vpcId;
      v2 = (await vpc.createVpc(ctx, { regionId: R, cidrBlock: '10.1.0.0/16' })).vpcId;
      vsw = (await vpc.createVSwitch(ctx, { regionId: R, vpcId: v1, zoneId: 'cn-hangzhou-h', cidrBlock: '10.0.1.0/24' })).vSwitchId;
      otherVpcGroup = (await sg.createSecurityGroup(ctx, { regionId: R, vpcId: v2 })).securityGroupId;
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    const newGroup = async (vpcId = v1) => (await sg.createSecurityGroup(ctx, { regionId: R, vpcId })).securityGroupId;
    const ruleCount = async (groupId: string) => (await store.db.selectFrom('sg_rules').select('id').where('security_group_id', '=', groupId).execute()).length;
    /** Stores a rule as an older version might have: straight into the table, no checks. */
    const plant = async (groupId: string, rule: Rule) => {
      await store.write(async (tx) => {
        await tx.insertInto('sg_rules').values({
          id: randomIds.resource('sgr'), security_group_id: groupId, rule_key: JSON.stringify(rule), body: JSON.stringify(rule),
          peer_group_id: rule.peer.kind === 'group' ? rule.peer.groupId : '', created_at: '2026-01-01T00:00:00Z', seq: 1000 + Math.floor(Math.random() * 1000),
        }).execute();
      });
    };
    const rawRule = (over: Partial<Rule>): Rule => ({
      direction: 'ingress', ipProtocol: 'tcp', portRange: '22/22', sourcePortRange: '', policy: 'accept', priority: 1, nicType: 'intranet',
      peer: { kind: 'cidr', cidr: '192.168.0.0/16' }, otherCidr: '', description: 'planted', ...over,
    });

    /** The same bad rule, as the wire gives it and as a store might hold it. */
    interface BadCase { name: string; code: string; input: (self: string) => RuleInput; stored: (self: string) => Rule; modify: boolean; clone: boolean }
    const cases: BadCase[] = [
      {
        name: 'a prefix list that does not exist', code: 'InvalidPrefixListId.NotFound', modify: false, clone: true,
        input: () => ({ IpProtocol: 'tcp', PortRange: '22/22', SourcePrefixListId: 'pl-nope123' }),
        stored: () => rawRule({ peer: { kind: 'prefixList', prefixListId: 'pl-nope123' } }),
      },
      {
        name: 'a group of another VPC', code: 'InvalidSourceGroupId.Mismatch', modify: true, clone: true,
        input: () => ({ IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: otherVpcGroup }),
        stored: () => rawRule({ peer: { kind: 'group', groupId: otherVpcGroup, ownerAccountId: A, ownerAccountShown: '' } }),
      },
      {
        name: 'a group that does not exist', code: 'InvalidSourceGroupId.NotFound', modify: true, clone: true,
        input: () => ({ IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: 'sg-doesnotexist000001' }),
        stored: () => rawRule({ peer: { kind: 'group', groupId: 'sg-doesnotexist000001', ownerAccountId: A, ownerAccountShown: '' } }),
      },
      {
        name: 'a port range backwards', code: 'InvalidIpPortRange.Malformed', modify: true, clone: true,
        input: () => ({ IpProtocol: 'tcp', PortRange: '80/70', SourceCidrIp: '10.9.0.0/16' }),
        stored: () => rawRule({ portRange: '80/70' }),
      },
      {
        name: 'the group itself', code: 'InvalidParamter.Conflict', modify: true, clone: false,
        input: (self) => ({ IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: self }),
        stored: (self) => rawRule({ peer: { kind: 'group', groupId: self, ownerAccountId: A, ownerAccountShown: '' } }),
      },
    ];

    for (const c of cases) {
      test(`${c.name}: refused by authorize, modify, import, restore and clone alike (${c.code})`, async () => {
        const g = await newGroup();
        const peer = await newGroup();
        await rules.authorize(ctx, { regionId: R, securityGroupId: g, direction: 'ingress', permissions: [{ input: { IpProtocol: 'tcp', PortRange: '443/443', SourceGroupId: peer }, param: 'Permissions.1.' }] });
        const before = await ruleCount(g);
        const got: Record<string, string> = {};
        got['authorize'] = await codeOf(rules.authorize(ctx, { regionId: R, securityGroupId: g, direction: 'ingress', permissions: [{ input: c.input(g), param: 'Permissions.1.' }] }));
        if (c.modify) {
          const ruleId = (await store.db.selectFrom('sg_rules').select('id').where('security_group_id', '=', g).executeTakeFirstOrThrow()).id;
          got['modify'] = await codeOf(rules.modifyRule(ctx, { regionId: R, securityGroupId: g, direction: 'ingress', ruleId, input: c.input(g) }));
        }
        const imported = await io.importRules(ctx, { regionId: R, securityGroupId: g, content: JSON.stringify([{ Direction: 'ingress', ...c.input(g) }]) });
        got['import'] = imported.results[0]!.success ? 'accepted' : imported.results[0]!.code;
        // restore and clone meet the rule already stored in their source
        const source = await newGroup();
        await plant(source, c.stored(g));
        const restored = await restore.restore(ctx, { regionId: R, securityGroupId: g, targetSecurityGroupId: source, method: 'Partial' });
        got['restore'] = restored.added > 0 ? 'accepted' : restored.skipped[0]?.code ?? 'nothing';
        if (c.clone) {
          const cloned = await clone.cloneSecurityGroup(ctx, { regionId: R, securityGroupId: source, destinationRegionId: R, networkType: 'vpc', destinationVpcId: v1, securityGroupName: 'clone' });
          got['clone'] = cloned.clonedCount > 0 ? 'accepted' : cloned.skipped[0]?.code ?? 'nothing';
        }
        for (const [path, code] of Object.entries(got)) assert.equal(code, c.code, `${path} answered ${code}`);
        assert.equal(await ruleCount(g), before, 'nothing was written to the group');
      });
    }

    test('the limit of rules acting on one ENI holds on authorize, import and restore (limit 3)', async () => {
      const g = await newGroup();
      const h = await newGroup();
      await rules.authorize(ctx, { regionId: R, securityGroupId: h, direction: 'ingress', permissions: [1, 2].map((i) => ({ input: { IpProtocol: 'tcp', PortRange: `${i}/${i}`, SourceCidrIp: '10.0.0.0/8' }, param: `Permissions.${i}.` })) });
      const eni = await enis.createNetworkInterface(ctx, { regionId: R, vSwitchId: vsw, securityGroupIds: [g, h] });
      const two = [7, 8].map((p) => ({ IpProtocol: 'tcp', PortRange: `${p}/${p}`, SourceCidrIp: '10.0.0.0/8' }));
      assert.equal(await codeOf(rules.authorize(ctx, { regionId: R, securityGroupId: g, direction: 'ingress', permissions: two.map((input, i) => ({ input, param: `Permissions.${i + 1}.` })) })), 'AuthorizationLimitExceed');
      const preview = await io.previewImport(ctx, { regionId: R, securityGroupId: g, content: JSON.stringify(two.map((x) => ({ Direction: 'ingress', ...x }))) });
      assert.equal(preview.importableCount, 1, 'the preview counts the ENI limit too');
      const source = await newGroup();
      for (const p of [20, 21]) await plant(source, rawRule({ portRange: `${p}/${p}` }));
      assert.equal(await codeOf(restore.previewRestore(ctx, { regionId: R, securityGroupId: g, targetSecurityGroupId: source, method: 'Partial' })), 'AuthorizationLimitExceed');
      assert.equal(await codeOf(restore.restore(ctx, { regionId: R, securityGroupId: g, targetSecurityGroupId: source, method: 'Partial' })), 'AuthorizationLimitExceed');
      const imported = await io.importRules(ctx, { regionId: R, securityGroupId: g, content: JSON.stringify(two.map((x) => ({ Direction: 'ingress', ...x }))) });
      assert.deepEqual(imported.results.map((r) => r.success ? 'ok' : r.code), ['ok', 'AuthorizationLimitExceed']);
      const acting = (await ruleCount(g)) + (await ruleCount(h));
      assert.equal(acting, 3, `ENI ${eni.networkInterfaceId} has exactly its limit of rules acting on it`);
    });

    test('the limit of rules per group holds on authorize, import, restore and clone (limit 5)', async () => {
      const g = await newGroup();
      const four = [1, 2, 3, 4].map((p) => ({ input: { IpProtocol: 'udp', PortRange: `${p}/${p}`, SourceCidrIp: '10.0.0.0/8' }, param: `Permissions.${p}.` }));
      await rules.authorize(ctx, { regionId: R, securityGroupId: g, direction: 'ingress', permissions: four });
      const more = [30, 31].map((p) => ({ IpProtocol: 'udp', PortRange: `${p}/${p}`, SourceCidrIp: '10.0.0.0/8' }));
      assert.equal(await codeOf(rules.authorize(ctx, { regionId: R, securityGroupId: g, direction: 'ingress', permissions: more.map((input, i) => ({ input, param: `Permissions.${i + 1}.` })) })), 'AuthorizationLimitExceed');
      const source = await newGroup();
      for (const p of [40, 41]) await plant(source, rawRule({ ipProtocol: 'udp', portRange: `${p}/${p}` }));
      assert.equal(await codeOf(restore.restore(ctx, { regionId: R, securityGroupId: g, targetSecurityGroupId: source, method: 'Partial' })), 'AuthorizationLimitExceed');
      const imported = await io.importRules(ctx, { regionId: R, securityGroupId: g, content: JSON.stringify(more.map((x) => ({ Direction: 'ingress', ...x }))) });
      assert.deepEqual(imported.results.map((r) => r.success ? 'ok' : r.code), ['ok', 'AuthorizationLimitExceed']);
      assert.equal(await ruleCount(g), 5);
      // a clone of a full group fits (same limit); the clone's rules pass the same gate
      const cloned = await clone.cloneSecurityGroup(ctx, { regionId: R, securityGroupId: g, destinationRegionId: R, networkType: 'vpc', destinationVpcId: v1, securityGroupName: 'full clone' });
      assert.equal(cloned.clonedCount, 5);
      // and the default group of RunInstances is written through the gate: its rules are what authorize would store
      const region = 'cn-qingdao';
      const rctx = testContext(store, A);
      const [id] = await inst.runInstances(rctx, { regionId: region, imageId: 'ubuntu_22_04_x64_20G_alibase_20240101.vhd', instanceType: 'ecs.g5.large', start: true });
      const dflt = (await inst.inventoryOf(rctx, region)).instances.find((i) => i.instanceId === id)!.securityGroupIds[0]!;
      const stored = await store.db.selectFrom('sg_rules').select(['rule_key', 'body']).where('security_group_id', '=', dflt).execute();
      assert.equal(stored.length, 3);
      const target = { type: 'normal' as const, networkType: 'classic' as const, securityGroupId: dflt, accountId: A };
      for (const r of stored) assert.equal(r.rule_key, ruleKey(normalizeRule('ingress', wire.permissionInput(wire.permissionOf(JSON.parse(r.body) as Rule)).input, target, { allowSystemPriority: true })));
    });
  });
}
