// Console features of SPEC §1.6-§1.7 as Parapet 2026-11-01 operations, through the official SDK's
// generic client: clone, restore (with its preview), export, import (with its preview).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkConfig, sdkError, ROOT, type TestServer, type EcsClient } from '../helpers/server.ts';
import { ManualClock, isoSeconds } from '../../src/clock.ts';
import { normalizeRule, ruleKey, SYSTEM_PRIORITY } from '../../src/domain/sg-rules.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const R2 = 'cn-shanghai';
const V = '2026-11-01';
const perm = (p: Partial<InstanceType<typeof $.AuthorizeSecurityGroupRequestPermissions>>) => new $.AuthorizeSecurityGroupRequestPermissions(p);
const eperm = (p: Partial<InstanceType<typeof $.AuthorizeSecurityGroupEgressRequestPermissions>>) => new $.AuthorizeSecurityGroupEgressRequestPermissions(p);

type Json = Record<string, unknown>;
interface WirePermission { Direction: string; IpProtocol: string; PortRange: string; SourceCidrIp: string; DestCidrIp: string; SourceGroupId: string; Priority: number; Policy: string; NicType: string; Description: string; SecurityGroupRuleId: string; Ipv6SourceCidrIp: string }
interface WireResult { Index: number; Success: boolean; Code: string; Message: string; Permission?: WirePermission }

describe('security-group transfer: clone, restore, export, import', () => {
  let server: TestServer;
  let ecs: EcsClient;
  let vpcId: string;
  let otherVpcId: string;
  let shanghaiVpcId: string;
  const clock = new ManualClock(Date.now());

  const rpc = (action: string, query: Record<string, string>) => callRpc(server.endpoint, action, V, query);
  /** the same generic client, parameters in a form body (an import content is too large for a URL) */
  const rpcForm = async (action: string, body: Record<string, string>): Promise<Json> => {
    const client = new OpenApiModule.default(sdkConfig(server.endpoint));
    const params = new $OpenApiUtil.Params({ action, version: V, protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
    const res = await client.callApi(params, new $OpenApiUtil.OpenApiRequest({ body }), new $dara.RuntimeOptions({}));
    return res['body'] as Json;
  };
  const create = async (extra: Record<string, unknown> = {}, region = R) =>
    (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: region, vpcId, securityGroupName: 'web', ...extra }))).body!.securityGroupId!;
  const rules = async (id: string, region = R) =>
    (await ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: region, securityGroupId: id }))).body!.permissions!.permission!;
  /** a rule without its id and time, for comparing rule sets across groups */
  const shape = (p: { direction?: string; ipProtocol?: string; portRange?: string; sourceCidrIp?: string; destCidrIp?: string; sourceGroupId?: string; destGroupId?: string; policy?: string; priority?: string; nicType?: string }) =>
    [p.direction, p.ipProtocol, p.portRange, p.sourceCidrIp, p.destCidrIp, p.sourceGroupId, p.destGroupId, p.policy, p.priority, p.nicType].join(' ');
  const wireShape = (p: WirePermission & { DestGroupId?: string }) =>
    [p.Direction, p.IpProtocol, p.PortRange, p.SourceCidrIp, p.DestCidrIp, p.SourceGroupId, p.DestGroupId ?? '', p.Policy, p.Priority, p.NicType].join(' ');
  const shapes = async (id: string, region = R) => (await rules(id, region)).map(shape).sort();
  const allow = (id: string, ps: Array<Partial<InstanceType<typeof $.AuthorizeSecurityGroupRequestPermissions>>>, region = R) =>
    ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: region, securityGroupId: id, permissions: ps.map(perm) }));
  /** a priority-110 (legacy system) rule: no API writes one, so straight through the store */
  const insertSystemRule = async (groupId: string, port: number) => {
    const rule = normalizeRule('ingress', { IpProtocol: 'tcp', PortRange: `${port}/${port}`, SourceCidrIp: '0.0.0.0/0', Priority: String(SYSTEM_PRIORITY) },
      { type: 'normal', networkType: 'vpc', securityGroupId: groupId, accountId: ROOT.accountId }, { allowSystemPriority: true });
    await server.store.write(async (tx) => {
      await tx.insertInto('sg_rules').values({
        id: 'sgr-system' + String(port), security_group_id: groupId, rule_key: ruleKey(rule), body: JSON.stringify(rule),
        peer_group_id: '', created_at: isoSeconds(clock.now()), seq: 1000 + port,
      }).execute();
    });
  };

  before(async () => {
    server = await startTestServer({ clock });
    ecs = ecsClient(server.endpoint);
    const vpc = vpcClient(server.endpoint);
    const mk = async (regionId: string, cidrBlock: string) => (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId, cidrBlock }))).body!.vpcId!;
    vpcId = await mk(R, '10.0.0.0/16');
    otherVpcId = await mk(R, '10.1.0.0/16');
    shanghaiVpcId = await mk(R2, '10.2.0.0/16');
  });
  after(async () => { await server.stop(); });

  /** web: ssh from a CIDR, https from the db group, IPv6 http, drop-all egress at priority 2 */
  async function webGroup(): Promise<{ web: string; db: string }> {
    const db = await create({ securityGroupName: 'db' });
    const web = await create({ description: 'front end', tag: [new $.CreateSecurityGroupRequestTag({ key: 'env', value: 'dev' })] });
    await allow(web, [
      { ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8', description: 'ssh' },
      { ipProtocol: 'tcp', portRange: '443/443', sourceGroupId: db },
      { ipProtocol: 'tcp', portRange: '80/80', ipv6SourceCidrIp: '::/0' },
    ]);
    await ecs.authorizeSecurityGroupEgress(new $.AuthorizeSecurityGroupEgressRequest({ regionId: R, securityGroupId: web, permissions: [eperm({ ipProtocol: 'all', portRange: '-1/-1', destCidrIp: '0.0.0.0/0', policy: 'drop', priority: '2' })] }));
    return { web, db };
  }

  test('clone within the region and VPC: every rule, the metadata, a new name', async () => {
    const { web } = await webGroup();
    const r = await rpc('CloneSecurityGroup', { RegionId: R, SecurityGroupId: web, DestinationRegionId: R, NetworkType: 'vpc', DestinationVpcId: vpcId, SecurityGroupName: 'web-backup' });
    const clone = r['SecurityGroupId'] as string;
    assert.match(clone, /^sg-[a-z0-9]+$/);
    assert.notEqual(clone, web);
    assert.equal(r['ClonedCount'], 4);
    assert.deepEqual((r['SkippedRules'] as Json)['SkippedRule'], []);
    assert.deepEqual(await shapes(clone), await shapes(web));
    const g = (await ecs.describeSecurityGroups(new $.DescribeSecurityGroupsRequest({ regionId: R, securityGroupId: clone }))).body!.securityGroups!.securityGroup![0]!;
    assert.equal(g.securityGroupName, 'web-backup');
    assert.equal(g.description, 'front end');
    assert.equal(g.vpcId, vpcId);
    assert.deepEqual(g.tags!.tag!.map((x) => [x.tagKey, x.tagValue]), [['env', 'dev']]);

    // into another VPC of the region: the group rule names a group of the first VPC, so it stays behind
    const r2 = await rpc('CloneSecurityGroup', { RegionId: R, SecurityGroupId: web, DestinationRegionId: R, NetworkType: 'vpc', DestinationVpcId: otherVpcId, SecurityGroupName: 'web-elsewhere' });
    assert.equal(r2['ClonedCount'], 3);
    const skipped = (r2['SkippedRules'] as { SkippedRule: Array<{ Code: string; Permission: WirePermission }> }).SkippedRule;
    assert.deepEqual(skipped.map((s) => [s.Code, s.Permission.PortRange]), [['InvalidSourceGroupId.Mismatch', '443/443']]);
  });

  test('clone to another region needs a VPC there; group rules stay behind', async () => {
    const { web } = await webGroup();
    const base = { RegionId: R, SecurityGroupId: web, DestinationRegionId: R2, NetworkType: 'vpc', SecurityGroupName: 'web-sh' };
    const missing = await sdkError(rpc('CloneSecurityGroup', base));
    assert.equal(missing.code, 'MissingParameter');
    assert.equal(missing.statusCode, 400);
    const wrongRegion = await sdkError(rpc('CloneSecurityGroup', { ...base, DestinationVpcId: vpcId }));
    assert.equal(wrongRegion.code, 'InvalidVpcId.NotFound');
    assert.equal(wrongRegion.statusCode, 404);
    const r = await rpc('CloneSecurityGroup', { ...base, DestinationVpcId: shanghaiVpcId });
    const clone = r['SecurityGroupId'] as string;
    assert.equal(r['ClonedCount'], 3);
    const skipped = (r['SkippedRules'] as { SkippedRule: Array<{ Code: string }> }).SkippedRule;
    assert.deepEqual(skipped.map((s) => s.Code), ['InvalidSourceGroupId.NotFound']);
    assert.deepEqual(await shapes(clone, R2), (await rules(web)).filter((p) => p.sourceGroupId === '').map(shape).sort());
    // nothing of a refused clone remains: the group count in the region is the one clone
    const list = await ecs.describeSecurityGroups(new $.DescribeSecurityGroupsRequest({ regionId: R2 }));
    assert.equal(list.body!.totalCount, 1);
    assert.equal((await sdkError(rpc('CloneSecurityGroup', { ...base, DestinationVpcId: shanghaiVpcId, DestinationRegionId: 'mars-1' }))).code, 'InvalidRegionId.NotFound');
    assert.equal((await sdkError(rpc('CloneSecurityGroup', { ...base, DestinationVpcId: shanghaiVpcId, NetworkType: 'ipx' }))).code, 'InvalidParameter');
    assert.equal((await sdkError(rpc('CloneSecurityGroup', { ...base, DestinationVpcId: shanghaiVpcId, SecurityGroupId: 'sg-nothere0' }))).code, 'InvalidSecurityGroupId.NotFound');
  });

  test('clone to classic: CIDR rules become internet rules; group, IPv6 rules stay behind; and back to VPC', async () => {
    const { web } = await webGroup();
    const refused = await sdkError(rpc('CloneSecurityGroup', { RegionId: R, SecurityGroupId: web, DestinationRegionId: R, NetworkType: 'classic', DestinationVpcId: vpcId, SecurityGroupName: 'web-classic' }));
    assert.equal(refused.code, 'InvalidParameter');
    const r = await rpc('CloneSecurityGroup', { RegionId: R, SecurityGroupId: web, DestinationRegionId: R, NetworkType: 'classic', SecurityGroupName: 'web-classic' });
    const classic = r['SecurityGroupId'] as string;
    assert.equal(r['ClonedCount'], 2);
    const skipped = (r['SkippedRules'] as { SkippedRule: Array<{ Code: string; Permission: WirePermission }> }).SkippedRule;
    assert.deepEqual(skipped.map((s) => [s.Code, s.Permission.PortRange]).sort(), [['InvalidNetworkType.Mismatch', '443/443'], ['InvalidParam.Ipv6SourceCidrIp', '80/80']]);
    const got = await rules(classic);
    assert.deepEqual(got.map((p) => [p.direction, p.portRange, p.nicType, p.policy, p.priority]).sort(),
      [['egress', '-1/-1', 'internet', 'Drop', '2'], ['ingress', '22/22', 'internet', 'Accept', '1']]);
    const g = (await ecs.describeSecurityGroups(new $.DescribeSecurityGroupsRequest({ regionId: R, securityGroupId: classic }))).body!.securityGroups!.securityGroup![0]!;
    assert.equal(g.vpcId, '');

    // classic → VPC: NicType goes (VPC rules cover both); the same rule on both NICs is copied once
    await allow(classic, [{ ipProtocol: 'tcp', portRange: '8080/8080', sourceCidrIp: '10.9.9.9/32', nicType: 'intranet' }, { ipProtocol: 'tcp', portRange: '8080/8080', sourceCidrIp: '10.9.9.9/32', nicType: 'internet' }]);
    const back = await rpc('CloneSecurityGroup', { RegionId: R, SecurityGroupId: classic, DestinationRegionId: R, NetworkType: 'VPC', DestinationVpcId: vpcId, SecurityGroupName: 'web-again' });
    assert.equal(back['ClonedCount'], 3);
    assert.deepEqual((back['SkippedRules'] as { SkippedRule: Array<{ Code: string }> }).SkippedRule.map((s) => s.Code), ['InvalidParameter.Duplicate']);
    assert.ok((await rules(back['SecurityGroupId'] as string)).every((p) => p.nicType === 'intranet'));

    const adv = await create({ securityGroupType: 'enterprise' });
    assert.equal((await sdkError(rpc('CloneSecurityGroup', { RegionId: R, SecurityGroupId: adv, DestinationRegionId: R, NetworkType: 'classic', SecurityGroupName: 'adv' }))).code, 'InvalidNetworkType.Conflict');
  });

  test('restore: the preview shows exactly what Partial and Complete then do; priority-110 target rules are never copied', async () => {
    const target = await create({ securityGroupName: 'good' });
    const a = { ipProtocol: 'tcp', portRange: '21/21', sourceCidrIp: '0.0.0.0/0' };
    const b = { ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8' };
    const c = { ipProtocol: 'tcp', portRange: '443/443', sourceCidrIp: '0.0.0.0/0', priority: '5' };
    const mkLive = async () => {
      const id = await create({ securityGroupName: 'live' });
      await allow(id, [a, { ...b, description: 'kept as it is' }]);
      return id;
    };
    await allow(target, [b, c]);
    await insertSystemRule(target, 3389);
    const partial = await mkLive();
    const complete = await mkLive();
    // a target rule authorizing the live group can't be copied into it (a group can't authorize itself)
    await allow(target, [{ ipProtocol: 'tcp', portRange: '6379/6379', sourceGroupId: partial }]);
    const before = await shapes(partial);

    const q = (id: string, method: string) => ({ RegionId: R, SecurityGroupId: id, TargetSecurityGroupId: target, Method: method });
    const previewP = await rpc('PreviewRestoreSecurityGroupRules', q(partial, 'Partial'));
    const toAdd = (previewP['RulesToAdd'] as { Permission: WirePermission[] }).Permission;
    assert.deepEqual(toAdd.map((p) => p.PortRange), ['443/443']);
    assert.equal(toAdd[0]!.Priority, 5);
    assert.deepEqual((previewP['RulesToRemove'] as { Permission: WirePermission[] }).Permission, []);
    const skippedP = (previewP['SkippedRules'] as { SkippedRule: Array<{ Code: string; Permission: WirePermission }> }).SkippedRule;
    assert.deepEqual(skippedP.map((s) => [s.Code, s.Permission.PortRange, s.Permission.Priority]),
      [['OperationDenied.SystemRule', '3389/3389', 110], ['InvalidParamter.Conflict', '6379/6379', 1]]);
    const doneP = await rpc('RestoreSecurityGroupRules', q(partial, 'Partial'));
    assert.equal(doneP['AddedCount'], 1);
    assert.equal(doneP['RemovedCount'], 0);
    const afterP = await shapes(partial);
    assert.deepEqual(afterP, [...before, ...toAdd.map((p) => wireShape(p))].sort());
    assert.equal((await rules(partial)).find((p) => p.portRange === '22/22')!.description, 'kept as it is');

    const previewC = await rpc('PreviewRestoreSecurityGroupRules', q(complete, 'complete'));
    assert.equal(previewC['Method'], 'Complete');
    const addC = (previewC['RulesToAdd'] as { Permission: WirePermission[] }).Permission;
    const removeC = (previewC['RulesToRemove'] as { Permission: WirePermission[] }).Permission;
    assert.deepEqual(addC.map((p) => p.PortRange).sort(), ['443/443', '6379/6379']);
    assert.deepEqual(removeC.map((p) => p.PortRange), ['21/21']);
    assert.match(removeC[0]!.SecurityGroupRuleId, /^sgr-/);
    const doneC = await rpc('RestoreSecurityGroupRules', q(complete, 'Complete'));
    assert.equal(doneC['AddedCount'], 2);
    assert.equal(doneC['RemovedCount'], 1);
    const liveRules = await rules(complete);
    assert.ok(!liveRules.some((p) => p.priority === '110'), 'the system rule was not copied');
    // afterwards the group's rules equal the target's, the priority-110 rule aside
    assert.deepEqual(liveRules.map(shape).sort(), (await rules(target)).filter((p) => p.priority !== '110').map(shape).sort());
    // a second restore has nothing left to do
    const again = await rpc('PreviewRestoreSecurityGroupRules', q(complete, 'Complete'));
    assert.deepEqual([(again['RulesToAdd'] as { Permission: unknown[] }).Permission.length, (again['RulesToRemove'] as { Permission: unknown[] }).Permission.length], [0, 0]);
  });

  test('restore is refused across regions and network types, from itself, with an unknown method', async () => {
    const live = await create();
    const classic = await create({ vpcId: undefined, securityGroupName: 'classic' });
    const far = await create({ vpcId: shanghaiVpcId, securityGroupName: 'far' }, R2);
    const q = (target: string, method = 'Complete') => ({ RegionId: R, SecurityGroupId: live, TargetSecurityGroupId: target, Method: method });
    for (const action of ['PreviewRestoreSecurityGroupRules', 'RestoreSecurityGroupRules']) {
      const region = await sdkError(rpc(action, q(far)));
      assert.deepEqual([region.code, region.statusCode], ['InvalidRegionId.Mismatch', 400]);
      const network = await sdkError(rpc(action, q(classic)));
      assert.deepEqual([network.code, network.statusCode], ['InvalidNetworkType.Mismatch', 403]);
      const none = await sdkError(rpc(action, q('sg-nothere0')));
      assert.deepEqual([none.code, none.statusCode], ['InvalidSecurityGroupId.NotFound', 404]);
      assert.equal((await sdkError(rpc(action, q(live)))).code, 'InvalidParameter');
      assert.equal((await sdkError(rpc(action, q(classic, 'Sometimes')))).code, 'InvalidParameter');
    }
  });

  test('export: JSON and CSV file names and contents', async () => {
    const { web, db } = await webGroup();
    await allow(web, [{ ipProtocol: 'tcp', portRange: '25/25', sourceCidrIp: '1.2.3.4', description: 'mail, "legacy"' }]);
    const json = await rpc('ExportSecurityGroupRules', { RegionId: R, SecurityGroupId: web, Format: 'json' });
    assert.equal(json['FileName'], `ecs_${R}_${web}.json`);
    const doc = JSON.parse(json['Content'] as string) as Json & { Permissions: { Permission: WirePermission[] } };
    assert.equal(doc['SecurityGroupId'], web);
    assert.equal(doc['RegionId'], R);
    assert.equal(doc['VpcId'], vpcId);
    assert.equal(doc['NetworkType'], 'vpc');
    assert.equal(doc['SecurityGroupName'], 'web');
    assert.deepEqual(doc.Permissions.Permission.map((p) => wireShape(p)).sort(), (await shapes(web)));
    assert.equal(doc.Permissions.Permission.find((p) => p.PortRange === '443/443')!.SourceGroupId, db);
    // the default format is JSON
    assert.equal((await rpc('ExportSecurityGroupRules', { RegionId: R, SecurityGroupId: web }))['FileName'], `ecs_${R}_${web}.json`);

    const csv = await rpc('ExportSecurityGroupRules', { RegionId: R, SecurityGroupId: web, Format: 'csv' });
    const date = new Date(clock.now()).toISOString().slice(0, 10);
    assert.equal(csv['FileName'], `ecs_sgRule_${web}_${R}_${date}.csv`);
    const lines = (csv['Content'] as string).split('\r\n');
    assert.equal(lines.pop(), '', 'every row ends with CRLF');
    assert.equal(lines.length, 1 + 5);
    const header = lines[0]!.split(',');
    assert.ok(['SecurityGroupRuleId', 'Direction', 'Policy', 'Priority', 'IpProtocol', 'PortRange', 'SourceCidrIp', 'DestCidrIp', 'SourceGroupId', 'NicType', 'Description'].every((h) => header.includes(h)));
    const mail = lines.find((l) => l.includes('25/25'))!;
    assert.ok(mail.endsWith('"mail, ""legacy""",' + (await rules(web)).find((p) => p.portRange === '25/25')!.createTime), mail);
    const ssh = lines.find((l) => l.includes('22/22'))!.split(',');
    assert.equal(ssh[header.indexOf('SourceCidrIp')], '10.0.0.0/8');
    assert.equal(ssh[header.indexOf('Direction')], 'ingress');
    assert.equal(ssh[header.indexOf('IpProtocol')], 'TCP');
    assert.equal((await sdkError(rpc('ExportSecurityGroupRules', { RegionId: R, SecurityGroupId: web, Format: 'xlsx' }))).code, 'InvalidParameter');
  });

  test('export: a CSV cell a spreadsheet would run as a formula stays text', async () => {
    const { web } = await webGroup();
    const evil = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB'];
    await allow(web, evil.map((d, i) => ({ ipProtocol: 'udp', portRange: `${600 + i}/${600 + i}`, sourceCidrIp: '10.1.0.0/16', description: d })));
    const csv = await rpc('ExportSecurityGroupRules', { RegionId: R, SecurityGroupId: web, Format: 'csv' });
    const lines = (csv['Content'] as string).split('\r\n').filter((l) => l !== '');
    const header = lines[0]!.split(',');
    const cells = lines.slice(1).flatMap((l) => l.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"')));
    for (const c of cells) assert.ok(!/^[=+\-@\t\r]/.test(c), `a cell starts with a formula character: ${JSON.stringify(c)}`);
    for (const d of evil) assert.ok(cells.includes("'" + d), `the description ${JSON.stringify(d)} is kept as text`);
    assert.ok(header.includes('PortRange'));
    // `-1/-1` is a port range of ICMP rules: it is neutralized as well, and JSON export keeps it as is
    const json = JSON.parse((await rpc('ExportSecurityGroupRules', { RegionId: R, SecurityGroupId: web }))['Content'] as string) as { Permissions: { Permission: WirePermission[] } };
    assert.ok(json.Permissions.Permission.some((p) => p.Description === evil[0]));
  });

  test('import: a JSON export of another region into another group, preview first', async () => {
    const far = await create({ vpcId: shanghaiVpcId, securityGroupName: 'far' }, R2);
    await allow(far, [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8' }, { ipProtocol: 'icmp', portRange: '-1/-1', sourceCidrIp: '0.0.0.0/0', policy: 'drop', priority: '9' }], R2);
    const farPeer = await create({ vpcId: shanghaiVpcId, securityGroupName: 'peer' }, R2);
    await allow(far, [{ ipProtocol: 'tcp', portRange: '5432/5432', sourceGroupId: farPeer }], R2);
    await ecs.authorizeSecurityGroupEgress(new $.AuthorizeSecurityGroupEgressRequest({ regionId: R2, securityGroupId: far, permissions: [eperm({ ipProtocol: 'udp', portRange: '53/53', destCidrIp: '8.8.8.8/32' })] }));
    const exported = await rpc('ExportSecurityGroupRules', { RegionId: R2, SecurityGroupId: far });
    const into = await create({ securityGroupName: 'here' });
    const q = { RegionId: R, SecurityGroupId: into, Content: exported['Content'] as string };

    const preview = await rpcForm('PreviewImportSecurityGroupRules', q);
    assert.equal(preview['TotalCount'], 4);
    assert.equal(preview['ImportableCount'], 3);
    const checks = (preview['Results'] as { Result: WireResult[] }).Result;
    assert.deepEqual(checks.map((r) => r.Index), [1, 2, 3, 4]);
    const failed = checks.filter((r) => !r.Success);
    assert.deepEqual(failed.map((r) => [r.Permission!.PortRange, r.Code]), [['5432/5432', 'InvalidSourceGroupId.NotFound']]);
    assert.match(failed[0]!.Message, new RegExp(farPeer));
    assert.deepEqual(await rules(into), [], 'a preview changes nothing');

    const done = await rpcForm('ImportSecurityGroupRules', q);
    assert.equal(done['ImportedCount'], 3);
    const results = (done['Results'] as { Result: WireResult[] }).Result;
    assert.deepEqual(results.map((r) => [r.Index, r.Success, r.Code]), checks.map((r) => [r.Index, r.Success, r.Code]));
    const got = await rules(into);
    assert.deepEqual(got.map((p) => p.securityGroupRuleId).sort(), results.filter((r) => r.Success).map((r) => r.Permission!.SecurityGroupRuleId).sort());
    assert.deepEqual(got.map(shape).sort(), (await rules(far, R2)).filter((p) => p.sourceGroupId === '').map(shape).sort());
  });

  test('import never overwrites: an existing rule is reported, not imported; entries are checked one by one', async () => {
    const into = await create();
    await allow(into, [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8', description: 'mine' }]);
    const content = JSON.stringify({ Permissions: { Permission: [
      { Direction: 'ingress', IpProtocol: 'TCP', PortRange: '22/22', SourceCidrIp: '10.0.0.0/8', Policy: 'Accept', Priority: '1', Description: 'theirs' },
      { Direction: 'ingress', IpProtocol: 'TCP', PortRange: '80/80', SourceCidrIp: '0.0.0.0/0', Priority: 1 },
      { Direction: 'ingress', IpProtocol: 'TCP', PortRange: '80/80', SourceCidrIp: '0.0.0.0/0' },
      { Direction: 'ingress', IpProtocol: 'TCP', PortRange: '90/80', SourceCidrIp: '0.0.0.0/0' },
      { Direction: 'sideways', IpProtocol: 'TCP', PortRange: '90/90', SourceCidrIp: '0.0.0.0/0' },
      'not a rule',
    ] } });
    const r = await rpcForm('ImportSecurityGroupRules', { RegionId: R, SecurityGroupId: into, Content: content });
    assert.equal(r['TotalCount'], 6);
    assert.equal(r['ImportedCount'], 1);
    const results = (r['Results'] as { Result: WireResult[] }).Result;
    assert.deepEqual(results.map((x) => [x.Index, x.Success, x.Code]), [
      [1, false, 'InvalidParameter.Duplicate'], [2, true, ''], [3, false, 'InvalidParameter.Duplicate'],
      [4, false, 'InvalidIpPortRange.Malformed'], [5, false, 'InvalidDirection.Malformed'], [6, false, 'InvalidContent.Malformed'],
    ]);
    const got = await rules(into);
    assert.equal(got.length, 2);
    assert.equal(got.find((p) => p.portRange === '22/22')!.description, 'mine');
    // importing the same content again adds nothing
    const again = await rpcForm('ImportSecurityGroupRules', { RegionId: R, SecurityGroupId: into, Content: content });
    assert.equal(again['ImportedCount'], 0);
  });

  test('import: at most 100 of 120 rules are imported; the rest are reported', async () => {
    const into = await create();
    const list = Array.from({ length: 120 }, (_, i) => ({ Direction: 'ingress', IpProtocol: 'TCP', PortRange: `${1000 + i}/${1000 + i}`, SourceCidrIp: '0.0.0.0/0' }));
    const q = { RegionId: R, SecurityGroupId: into, Content: JSON.stringify(list) };
    const preview = await rpcForm('PreviewImportSecurityGroupRules', q);
    assert.deepEqual([preview['TotalCount'], preview['ImportableCount']], [120, 100]);
    const r = await rpcForm('ImportSecurityGroupRules', q);
    assert.deepEqual([r['TotalCount'], r['ImportedCount']], [120, 100]);
    const results = (r['Results'] as { Result: WireResult[] }).Result;
    assert.ok(results.slice(0, 100).every((x) => x.Success));
    assert.ok(results.slice(100).every((x) => !x.Success && x.Code === 'QuotaExceed.ImportRules'));
    assert.equal((await rules(into)).length, 100);
    assert.equal((await rules(into)).at(-1)!.portRange, '1099/1099');
  });

  test('import: malformed content is a clean 400', async () => {
    const into = await create();
    for (const content of ['', 'not json', '{"a":1}', 'null', '{"Permissions":{"Permission":"x"}}', '[1,2'.repeat(3)]) {
      for (const action of ['PreviewImportSecurityGroupRules', 'ImportSecurityGroupRules']) {
        const e = await sdkError(rpc(action, { RegionId: R, SecurityGroupId: into, Content: content }));
        assert.deepEqual([e.code, e.statusCode], ['InvalidContent.Malformed', 400], `${action} ${JSON.stringify(content)}`);
      }
    }
    assert.equal((await sdkError(rpc('ImportSecurityGroupRules', { RegionId: R, SecurityGroupId: 'sg-nothere0', Content: '[]' }))).code, 'InvalidSecurityGroupId.NotFound');
    const empty = await rpc('ImportSecurityGroupRules', { RegionId: R, SecurityGroupId: into, Content: '[]' });
    assert.deepEqual([empty['TotalCount'], empty['ImportedCount']], [0, 0]);
  });
});
