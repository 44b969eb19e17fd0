// The foundation, judged by the official clients over a real socket: v3 (default), v1
// (`signatureAlgorithm: 'v2'`), pop-core GET and POST, and the errors a client must see.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import RPCClient from '@alicloud/pop-core';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, ROOT, type TestServer } from '../helpers/server.ts';
import { buildSigned, send } from '../helpers/sign.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';
import { isoSeconds } from '../../src/clock.ts';

const $ecs = EcsModule;
const $vpc = VpcModule;

describe('foundation end to end', () => {
  let server: TestServer;
  before(async () => { server = await startTestServer(); });
  after(async () => { await server.stop(); });

  test('GET /healthz answers 200', async () => {
    const res = await fetch(server.url + '/healthz');
    assert.equal(res.status, 200);
  });

  test('ECS DescribeRegions and DescribeZones (v3)', async () => {
    const ecs = ecsClient(server.endpoint);
    const regions = await ecs.describeRegions(new $ecs.DescribeRegionsRequest({}));
    const ids = regions.body!.regions!.region!.map((r) => r.regionId);
    for (const id of ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-qingdao', 'cn-shenzhen', 'ap-southeast-1']) assert.ok(ids.includes(id), id);
    assert.match(regions.body!.requestId!, /^[0-9A-F-]{36}$/);
    const zones = await ecs.describeZones(new $ecs.DescribeZonesRequest({ regionId: 'cn-hangzhou' }));
    assert.ok(zones.body!.zones!.zone!.some((z) => z.zoneId === 'cn-hangzhou-h'));
    const e = await sdkError(ecs.describeZones(new $ecs.DescribeZonesRequest({ regionId: 'mars-1' })));
    assert.equal(e.code, 'InvalidRegionId.NotFound');
  });

  test('VPC lifecycle with the VPC SDK (v3)', async () => {
    const vpc = vpcClient(server.endpoint);
    const created = await vpc.createVpc(new $vpc.CreateVpcRequest({ regionId: 'cn-hangzhou', cidrBlock: '10.1.0.0/16', vpcName: 'e2e', description: 'desc with space & (paren)*!', tag: [new $vpc.CreateVpcRequestTag({ key: 'env', value: 'dev' })] }));
    const vpcId = created.body!.vpcId!;
    assert.match(vpcId, /^vpc-[a-z0-9]{20}$/);
    assert.ok(created.body!.VRouterId!.startsWith('vrt-'));
    const sw = await vpc.createVSwitch(new $vpc.CreateVSwitchRequest({ regionId: 'cn-hangzhou', vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '10.1.1.0/24', vSwitchName: 'web' }));
    const vswId = sw.body!.vSwitchId!;
    const described = await vpc.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou', vpcId }));
    assert.equal(described.body!.totalCount, 1);
    const v = described.body!.vpcs!.vpc![0]!;
    assert.equal(v.vpcName, 'e2e');
    assert.equal(v.description, 'desc with space & (paren)*!');
    assert.equal(v.cidrBlock, '10.1.0.0/16');
    assert.equal(v.status, 'Available');
    assert.deepEqual(v.vSwitchIds!.vSwitchId, [vswId]);
    assert.deepEqual(v.tags!.tag!.map((x) => [x.key, x.value]), [['env', 'dev']]);
    assert.equal(String(v.ownerId), ROOT.accountId);
    const byTag = await vpc.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou', tag: [new $vpc.DescribeVpcsRequestTag({ key: 'env', value: 'prod' })] }));
    assert.equal(byTag.body!.totalCount, 0);
    const switches = await vpc.describeVSwitches(new $vpc.DescribeVSwitchesRequest({ regionId: 'cn-hangzhou', vpcId }));
    assert.equal(switches.body!.vSwitches!.vSwitch![0]!.availableIpAddressCount, 252);
    assert.equal(switches.body!.vSwitches!.vSwitch![0]!.zoneId, 'cn-hangzhou-h');
    await vpc.modifyVpcAttribute(new $vpc.ModifyVpcAttributeRequest({ regionId: 'cn-hangzhou', vpcId, vpcName: 'renamed' }));
    const overlap = await sdkError(vpc.createVSwitch(new $vpc.CreateVSwitchRequest({ regionId: 'cn-hangzhou', vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '10.1.1.0/25' })));
    assert.equal(overlap.code, 'InvalidCidrBlock.Overlapped');
    assert.equal(overlap.statusCode, 400);
    const inUse = await sdkError(vpc.deleteVpc(new $vpc.DeleteVpcRequest({ regionId: 'cn-hangzhou', vpcId })));
    assert.equal(inUse.code, 'DependencyViolation.VSwitch');
    await vpc.deleteVSwitch(new $vpc.DeleteVSwitchRequest({ regionId: 'cn-hangzhou', vSwitchId: vswId }));
    await vpc.deleteVpc(new $vpc.DeleteVpcRequest({ regionId: 'cn-hangzhou', vpcId }));
    const gone = await sdkError(vpc.deleteVpc(new $vpc.DeleteVpcRequest({ regionId: 'cn-hangzhou', vpcId })));
    assert.equal(gone.code, 'InvalidVpcId.NotFound');
    assert.equal(gone.statusCode, 404);
  });

  test('paging: PageNumber/PageSize and TotalCount', async () => {
    const vpc = vpcClient(server.endpoint);
    for (let i = 0; i < 5; i++) await vpc.createVpc(new $vpc.CreateVpcRequest({ regionId: 'cn-beijing', vpcName: `p${i}` }));
    const p1 = await vpc.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-beijing', pageSize: 2, pageNumber: 1 }));
    const p3 = await vpc.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-beijing', pageSize: 2, pageNumber: 3 }));
    assert.equal(p1.body!.totalCount, 5);
    assert.equal(p1.body!.vpcs!.vpc!.length, 2);
    assert.equal(p3.body!.vpcs!.vpc!.length, 1);
    assert.equal(p3.body!.pageNumber, 3);
    const bad = await sdkError(vpc.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-beijing', pageSize: 51 })));
    assert.equal(bad.code, 'InvalidParameter');
  });

  test('v1 signatures through the SDK (signatureAlgorithm v2)', async () => {
    const vpc = vpcClient(server.endpoint, ROOT, { signatureAlgorithm: 'v2' });
    const created = await vpc.createVpc(new $vpc.CreateVpcRequest({ regionId: 'cn-shanghai', vpcName: 'v1 vpc (x)*!' }));
    const described = await vpc.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-shanghai', vpcId: created.body!.vpcId! }));
    assert.equal(described.body!.vpcs!.vpc![0]!.vpcName, 'v1 vpc (x)*!');
    const ecs = ecsClient(server.endpoint, ROOT, { signatureAlgorithm: 'v2' });
    const regions = await ecs.describeRegions(new $ecs.DescribeRegionsRequest({}));
    assert.ok(regions.body!.regions!.region!.length >= 6);
  });

  test('pop-core GET and POST', async () => {
    const client = new RPCClient({ accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret, endpoint: server.url, apiVersion: '2016-04-28' });
    const created = await client.request<{ VpcId: string }>('CreateVpc', { RegionId: 'cn-qingdao', VpcName: 'pop vpc', Tag: [{ Key: 'k', Value: 'v w' }] }, { method: 'POST' });
    const got = await client.request<{ Vpcs: { Vpc: Array<{ VpcName: string; Tags: { Tag: Array<{ Key: string; Value: string }> } }> } }>('DescribeVpcs', { RegionId: 'cn-qingdao', VpcId: created.VpcId });
    assert.equal(got.Vpcs.Vpc[0]!.VpcName, 'pop vpc');
    assert.deepEqual(got.Vpcs.Vpc[0]!.Tags.Tag.map((x) => ({ ...x })), [{ Key: 'k', Value: 'v w' }]);
    const ecs = new RPCClient({ accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret, endpoint: server.url, apiVersion: '2014-05-26' });
    const regions = await ecs.request<{ Regions: { Region: unknown[] } }>('DescribeRegions', {}, { method: 'POST' });
    assert.ok(regions.Regions.Region.length >= 6);
    await assert.rejects(client.request('DescribeVpcs', {}), (e: { code?: string }) => e.code === 'MissingParameter');
  });

  test('ClientToken: the same token gives the same VPC', async () => {
    const vpc = vpcClient(server.endpoint);
    const req = () => new $vpc.CreateVpcRequest({ regionId: 'cn-shenzhen', vpcName: 'idem', clientToken: 'token-123' });
    const a = await vpc.createVpc(req());
    const b = await vpc.createVpc(req());
    assert.equal(a.body!.vpcId, b.body!.vpcId);
    assert.notEqual(a.body!.requestId, b.body!.requestId);
    const list = await vpc.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-shenzhen', vpcName: 'idem' }));
    assert.equal(list.body!.totalCount, 1);
    const mismatch = await sdkError(vpc.createVpc(new $vpc.CreateVpcRequest({ regionId: 'cn-shenzhen', vpcName: 'other', clientToken: 'token-123' })));
    assert.equal(mismatch.code, 'IdempotentParameterMismatch');
  });

  test('wrong secret: SignatureDoesNotMatch', async () => {
    const vpc = vpcClient(server.endpoint, { accessKeyId: ROOT.accessKeyId, accessKeySecret: 'not-the-secret' });
    const e = await sdkError(vpc.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou' })));
    assert.equal(e.code, 'SignatureDoesNotMatch');
    assert.equal(e.statusCode, 400);
    assert.match(String(e.data['RequestId']), /^[0-9A-F-]{36}$/);
    const v1 = vpcClient(server.endpoint, { accessKeyId: ROOT.accessKeyId, accessKeySecret: 'not-the-secret' }, { signatureAlgorithm: 'v2' });
    assert.equal((await sdkError(v1.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou' })))).code, 'SignatureDoesNotMatch');
  });

  test('unknown AccessKey: InvalidAccessKeyId.NotFound', async () => {
    const vpc = vpcClient(server.endpoint, { accessKeyId: 'LTAInobodyhasthiskey', accessKeySecret: 'whatever-secret' });
    const e = await sdkError(vpc.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou' })));
    assert.equal(e.code, 'InvalidAccessKeyId.NotFound');
    assert.equal(e.statusCode, 404);
  });

  test('replayed nonce: SignatureNonceUsed (v3 and v1)', async () => {
    for (const style of ['v3', 'v1'] as const) {
      const r = buildSigned({ endpoint: server.endpoint, ...ROOT, version: '2016-04-28', action: 'DescribeVpcs', params: { RegionId: 'cn-hangzhou' }, nonce: `replay-${style}-1`, style });
      assert.equal((await send(server.endpoint, r)).status, 200);
      const again = await send(server.endpoint, r);
      assert.equal(again.status, 400);
      assert.equal(again.json?.['Code'], 'SignatureNonceUsed');
    }
  });

  test('stale or malformed timestamp: InvalidTimeStamp.*', async () => {
    const stale = isoSeconds(Date.now() - 16 * 60 * 1000);
    const future = isoSeconds(Date.now() + 16 * 60 * 1000);
    for (const style of ['v3', 'v1'] as const) {
      for (const date of [stale, future]) {
        const res = await send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...ROOT, version: '2016-04-28', action: 'DescribeVpcs', params: { RegionId: 'cn-hangzhou' }, date, style }));
        assert.equal(res.status, 400);
        assert.equal(res.json?.['Code'], 'InvalidTimeStamp.Expired');
      }
      const bad = await send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...ROOT, version: '2016-04-28', action: 'DescribeVpcs', params: { RegionId: 'cn-hangzhou' }, date: 'yesterday', style }));
      assert.equal(bad.json?.['Code'], 'InvalidTimeStamp.Format');
    }
    const fresh = isoSeconds(Date.now() - 14 * 60 * 1000);
    const ok = await send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...ROOT, version: '2016-04-28', action: 'DescribeVpcs', params: { RegionId: 'cn-hangzhou' }, date: fresh }));
    assert.equal(ok.status, 200);
  });

  test('Format=XML renders success and errors as XML', async () => {
    const parser = new XMLParser({ isArray: (name) => name === 'Region' });
    for (const style of ['v3', 'v1'] as const) {
      const ok = await send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...ROOT, version: '2014-05-26', action: 'DescribeRegions', params: { Format: 'XML' }, style }));
      assert.equal(ok.status, 200);
      assert.match(String(ok.headers['content-type']), /^text\/xml/);
      const doc = parser.parse(ok.body) as { DescribeRegionsResponse: { RequestId: string; Regions: { Region: Array<{ RegionId: string }> } } };
      assert.ok(doc.DescribeRegionsResponse.Regions.Region.some((r) => r.RegionId === 'cn-hangzhou'));
      const err = await send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...ROOT, version: '2016-04-28', action: 'DescribeVpcs', params: { Format: 'XML' }, style }));
      assert.equal(err.status, 400);
      const e = parser.parse(err.body) as { Error: { Code: string; RequestId: string; Message: string } };
      assert.equal(e.Error.Code, 'MissingParameter');
      assert.ok(e.Error.RequestId.length > 0);
    }
  });

  test('unknown action and unknown version: clean 4xx through the generic client', async () => {
    const e = await sdkError(callRpc(server.endpoint, 'LaunchRockets', '2014-05-26', { RegionId: 'cn-hangzhou' }));
    assert.equal(e.code, 'InvalidAction.NotFound');
    assert.equal(e.statusCode, 404);
    const notYet = await sdkError(callRpc(server.endpoint, 'DescribeSnapshots', '2014-05-26', { RegionId: 'cn-hangzhou' }));
    assert.ok(notYet.statusCode >= 400 && notYet.statusCode < 500);
    const v = await sdkError(callRpc(server.endpoint, 'DescribeVpcs', '2099-01-01', { RegionId: 'cn-hangzhou' }));
    assert.equal(v.code, 'InvalidVersion');
    assert.equal(v.statusCode, 400);
  });

  test('missing parameter: MissingParameter naming it', async () => {
    const vpc = vpcClient(server.endpoint);
    const e = await sdkError(vpc.createVSwitch(new $vpc.CreateVSwitchRequest({ regionId: 'cn-hangzhou', zoneId: 'cn-hangzhou-h', cidrBlock: '10.0.0.0/24' })));
    assert.equal(e.code, 'MissingParameter');
    assert.match(e.message, /VpcId/);
    const bad = await sdkError(vpc.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou', isDefault: 'maybe' })));
    assert.equal(bad.code, 'InvalidParameter');
  });

  test('accounts are isolated', async () => {
    const other = await ensureAccount(server.services);
    const mine = await vpcClient(server.endpoint).createVpc(new $vpc.CreateVpcRequest({ regionId: 'ap-southeast-1', vpcName: 'mine' }));
    const theirs = vpcClient(server.endpoint, { accessKeyId: other.accessKeyId, accessKeySecret: other.accessKeySecret });
    const list = await theirs.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'ap-southeast-1' }));
    assert.equal(list.body!.totalCount, 0);
    const e = await sdkError(theirs.deleteVpc(new $vpc.DeleteVpcRequest({ regionId: 'ap-southeast-1', vpcId: mine.body!.vpcId! })));
    assert.equal(e.code, 'InvalidVpcId.NotFound');
  });

  test('DryRun validates and changes nothing', async () => {
    const vpc = vpcClient(server.endpoint);
    const e = await sdkError(vpc.createVpc(new $vpc.CreateVpcRequest({ regionId: 'us-west-1', dryRun: true })));
    assert.equal(e.code, 'DryRunOperation');
    assert.equal((await vpc.describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'us-west-1' }))).body!.totalCount, 0);
  });
});

describe('restart on the same data dir', () => {
  test('loses nothing', async () => {
    const first = await startTestServer();
    const dataDir = first.dataDir;
    const created = await vpcClient(first.endpoint).createVpc(new $vpc.CreateVpcRequest({ regionId: 'cn-hangzhou', vpcName: 'durable' }));
    await first.close();
    const second = await startTestServer({ dataDir });
    try {
      const got = await vpcClient(second.endpoint).describeVpcs(new $vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou', vpcId: created.body!.vpcId! }));
      assert.equal(got.body!.vpcs!.vpc![0]!.vpcName, 'durable');
    } finally {
      await second.stop();
      (await import('node:fs')).rmSync(dataDir, { recursive: true, force: true });
    }
  });
  test('DescribeRegions names the regions in the language asked for: Chinese by default, English for en-US', async (t) => {
    const s = await startTestServer();
    t.after(() => s.stop());
    const ecs = ecsClient(s.endpoint);
    const names = async (acceptLanguage?: string): Promise<Record<string, string>> => {
      const r = await ecs.describeRegions(new EcsModule.DescribeRegionsRequest(acceptLanguage !== undefined ? { acceptLanguage } : {}));
      return Object.fromEntries((r.body?.regions?.region ?? []).map((x): [string, string] => [x.regionId ?? '', x.localName ?? '']));
    };
    assert.equal((await names())['cn-hangzhou'], '华东1（杭州）');
    assert.equal((await names('zh-CN'))['cn-hangzhou'], '华东1（杭州）');
    const english = await names('en-US');
    assert.equal(english['cn-hangzhou'], 'China (Hangzhou)');
    assert.equal(english['eu-central-1'], 'Germany (Frankfurt)');
    assert.equal(Object.values(english).filter((n) => /[\u4e00-\u9fff]/.test(String(n))).length, 0, 'no Chinese name in English');
  });
});
