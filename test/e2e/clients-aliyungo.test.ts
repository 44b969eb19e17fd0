// denverdino/aliyungo, a Go SDK nobody here wrote, against a real Parapet: test/clients/aliyungo
// is built against Debian's package (GOPATH layout, no modules, offline) and run per call; what it
// prints is what aliyungo's own types decoded. Skips when go or the package is missing, unless
// PARAPET_REQUIRE_CLIENTS=1.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, ROOT, type TestServer, type EcsClient, type VpcClient } from '../helpers/server.ts';
import { aliyungoSkip, DEBIAN_GOPATH } from '../helpers/clients.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const SOURCE = fileURLToPath(new URL('../clients/aliyungo/main.go', import.meta.url));

describe('aliyungo end to end', { skip: aliyungoSkip() }, () => {
  let server: TestServer;
  let ecs: EcsClient;
  let vpc: VpcClient;
  let dir: string;
  let bin: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parapet-aliyungo-'));
    bin = join(dir, 'client');
    execFileSync('go', ['build', '-o', bin, SOURCE], {
      env: { ...process.env, GO111MODULE: 'off', GOPATH: DEBIAN_GOPATH, GOCACHE: join(dir, 'cache'), GOFLAGS: '', CGO_ENABLED: '0' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    server = await startTestServer();
    ecs = ecsClient(server.endpoint);
    vpc = vpcClient(server.endpoint);
  });
  after(async () => { await server?.stop(); rmSync(dir, { recursive: true, force: true }); });

  // asynchronous: the server answering it runs in this process
  const go = async (...args: string[]): Promise<Record<string, unknown>> => JSON.parse((await promisify(execFile)(bin, args, {
    env: { ...process.env, PARAPET_ENDPOINT: `http://${server.endpoint}/`, PARAPET_AK: ROOT.accessKeyId, PARAPET_SK: ROOT.accessKeySecret },
  })).stdout) as Record<string, unknown>;

  const newVpc = async () => {
    const vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '192.168.0.0/16' }))).body!.vpcId!;
    const vswId = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '192.168.1.0/24' }))).body!.vSwitchId!;
    const sgId = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId }))).body!.securityGroupId!;
    return { vpcId, vswId, sgId };
  };

  test('DescribeSecurityGroupAttribute of a group with rules decodes: Priority is an int', async () => {
    const { vpcId } = await newVpc();
    const sg = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId }))).body!.securityGroupId!;
    await ecs.authorizeSecurityGroup(new $.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: sg, permissions: [
      new $.AuthorizeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8', priority: '7' }),
      new $.AuthorizeSecurityGroupRequestPermissions({ ipProtocol: 'udp', portRange: '53/53', sourceCidrIp: '0.0.0.0/0', policy: 'drop' }),
    ] }));
    const attr = await go('sg', sg) as { SecurityGroupId: string; VpcId: string; Permissions: { Permission: Array<{ IpProtocol: string; PortRange: string; Priority: number; Policy: string; SourceCidrIp: string }> } };
    assert.equal(attr.SecurityGroupId, sg);
    assert.equal(attr.VpcId, vpcId);
    const got = attr.Permissions.Permission.map((p) => [p.IpProtocol, p.PortRange, p.SourceCidrIp, p.Policy, p.Priority]).sort();
    assert.deepEqual(got, [['TCP', '22/22', '10.0.0.0/8', 'Accept', 7], ['UDP', '53/53', '0.0.0.0/0', 'Drop', 1]]);
  });

  test('the VPC operations under the ECS version: create, modify, describe, delete a VPC and a vSwitch', async () => {
    const r = await go('vpc', 'cn-hangzhou-h') as {
      created: { VpcId: string; VRouterId: string; RouteTableId: string }; vswitchId: string;
      vpcs: Array<{ VpcId: string; VpcName: string; Description: string; CidrBlock: string; Status: string; VSwitchIds: { VSwitchId: string[] }; VRouterId: string }>;
      vswitches: Array<{ VSwitchId: string; VpcId: string; CidrBlock: string; ZoneId: string; VSwitchName: string; AvailableIpAddressCount: number }>;
      after: unknown[] | null;
    };
    assert.match(r.created.VpcId, /^vpc-/);
    assert.match(r.created.VRouterId, /^vrt-/);
    assert.match(r.vswitchId, /^vsw-/);
    assert.equal(r.vpcs.length, 1);
    assert.deepEqual([r.vpcs[0]!.VpcId, r.vpcs[0]!.VpcName, r.vpcs[0]!.Description, r.vpcs[0]!.CidrBlock, r.vpcs[0]!.VSwitchIds.VSwitchId, r.vpcs[0]!.VRouterId],
      [r.created.VpcId, 'renamed-by-aliyungo', 'old form', '10.20.0.0/16', [r.vswitchId], r.created.VRouterId]);
    assert.deepEqual(r.vswitches.map((s) => [s.VSwitchId, s.VpcId, s.CidrBlock, s.ZoneId, s.VSwitchName]), [[r.vswitchId, r.created.VpcId, '10.20.1.0/24', 'cn-hangzhou-h', 'vsw-aliyungo']]);
    assert.ok(r.vswitches[0]!.AvailableIpAddressCount > 200);
    assert.deepEqual(r.after ?? [], [], 'gone after DeleteVpc');
  });

  test('DescribeDisks: the system disk of an instance', async () => {
    const { vswId, sgId } = await newVpc();
    const [id] = (await ecs.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vswId, securityGroupId: sgId }))).body!.instanceIdSets!.instanceIdSet!;
    const r = await go('disks', id!) as { disks: Array<{ DiskId: string; InstanceId: string; Type: string; Category: string; Size: number; Status: string; Device: string; ImageId: string; ZoneId: string }>; page: { TotalCount: number } };
    assert.equal(r.disks.length, 1);
    const d = r.disks[0]!;
    assert.match(d.DiskId, /^d-/);
    assert.deepEqual([d.InstanceId, d.Type, d.Category, d.Size, d.Status, d.Device, d.ImageId, d.ZoneId], [id, 'system', 'cloud_essd', 40, 'In_use', '/dev/xvda', LINUX, 'cn-hangzhou-h']);
    assert.equal(r.page.TotalCount, 1);
  });

  test('DescribeTags: the tags of one instance', async () => {
    const { vswId, sgId } = await newVpc();
    const [id] = (await ecs.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vswId, securityGroupId: sgId, tag: [new $.RunInstancesRequestTag({ key: 'team', value: 'blue' })] }))).body!.instanceIdSets!.instanceIdSet!;
    const r = await go('tags', 'instance', id!) as { tags: Array<{ TagKey: string; TagValue: string }>; page: { TotalCount: number } };
    assert.deepEqual(r.tags, [{ TagKey: 'team', TagValue: 'blue' }]);
  });
});
