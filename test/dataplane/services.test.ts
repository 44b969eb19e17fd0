// What runs inside instances once the data plane is on (root, real kernel; CI runs it): the
// metadata service at 100.100.100.200 knowing each instance by its source address, hardened mode,
// the stock `ecs_ram_role` credential provider whose credentials then call the API at
// 100.100.100.100; a real sshd accepting exactly the key in force (SPEC §2: a new key takes
// effect at the reboot) and logging logons; an SSH logon over IPv6 from the internet, let in only
// by an Ipv6SourceCidrIp rule; `parapet agent --cleanup`.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import EcsModule from '@alicloud/ecs20140526';
import RamModule from '@alicloud/ram20150501';
import { rootTestOptions, nsExec, run } from '../helpers/netns.ts';
import { startDataplaneServer, Tenant, leftovers, sshFrom, LINUX, type DataplaneServer } from '../helpers/dataplane.ts';
import { sdkConfig, callRpc } from '../helpers/server.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const PREFIX = `pdv${process.pid % 10000}-`;
const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));
const IN_INSTANCE = fileURLToPath(new URL('./in-instance.mts', import.meta.url));
const ecsTrust = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } }] });

/** An HTTP/1.0 request from inside `ns` over bash's /dev/tcp (no curl needed); returns the raw answer. */
async function httpInside(ns: string, host: string, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const lines = [`${method} ${path} HTTP/1.0`, `Host: ${host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  const r = await nsExec(ns, ['bash', '-c', `exec 3<>/dev/tcp/${host}/80 && printf '%s' "$1" >&3 && timeout 3 cat <&3`, 'x', lines], 5000);
  const m = /^HTTP\/1\.[01] (\d+)/.exec(r.stdout);
  return { status: m === null ? 0 : Number(m[1]), body: r.stdout.split('\r\n\r\n').slice(1).join('\r\n\r\n') };
}

describe('data plane: metadata, role credentials, the API and sshd inside instances', rootTestOptions(), () => {
  let dp: DataplaneServer;
  let me: Tenant;
  let vSwitchId: string;
  let group: string;
  const made: string[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'parapet-dp-'));

  before(async () => {
    dp = await startDataplaneServer(PREFIX);
    const c = dp.clients();
    me = new Tenant(c.ecs, c.vpc, R);
    const net = await me.network('10.0.0.0/16', '10.0.1.0/24', 'cn-hangzhou-h');
    vSwitchId = net.vSwitchId;
    group = await me.group(net.vpcId);
  });
  after(async () => {
    await dp?.stop();
    rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(leftovers(PREFIX, made), []);
  });

  test('metadata at 100.100.100.200 knows each instance by its address; the stock ecs_ram_role provider; the API at 100.100.100.100', async () => {
    const ram = new RamModule.default(sdkConfig(dp.server.endpoint));
    await ram.createRole(new RamModule.CreateRoleRequest({ roleName: 'EcsRole', assumeRolePolicyDocument: ecsTrust }));
    await ram.attachPolicyToRole(new RamModule.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess', roleName: 'EcsRole' }));
    const withRole = await me.instance({ vSwitchId, groups: [group], ramRoleName: 'EcsRole' });
    const plain = await me.instance({ vSwitchId, groups: [group] });
    made.push(withRole.id, plain.id);
    await dp.settle();

    const own = await httpInside(withRole.id, '100.100.100.200', 'GET', '/latest/meta-data/instance-id');
    assert.deepEqual(own, { status: 200, body: withRole.id });
    assert.equal((await httpInside(plain.id, '100.100.100.200', 'GET', '/latest/meta-data/instance-id')).body, plain.id, 'identity by source address');
    assert.equal((await httpInside(withRole.id, '100.100.100.200', 'GET', '/latest/meta-data/private-ipv4')).body, withRole.ip);
    assert.equal((await httpInside(plain.id, '100.100.100.200', 'GET', '/latest/meta-data/ram/security-credentials/')).status, 404, 'no role, no credentials');

    // hardened mode: a token first, reads with it; plain reads refused once tokens are required
    await me.ecs.modifyInstanceMetadataOptions(new $.ModifyInstanceMetadataOptionsRequest({ regionId: R, instanceId: withRole.id, httpTokens: 'required' }));
    assert.equal((await httpInside(withRole.id, '100.100.100.200', 'GET', '/latest/meta-data/instance-id')).status, 401);
    const token = await httpInside(withRole.id, '100.100.100.200', 'PUT', '/latest/api/token', { 'X-aliyun-ecs-metadata-token-ttl-seconds': '300' });
    assert.equal(token.status, 200);
    assert.equal((await httpInside(withRole.id, '100.100.100.200', 'GET', '/latest/meta-data/instance-id', { 'X-aliyun-ecs-metadata-token': token.body })).body, withRole.id);

    // the stock provider (it asks for a token itself), then the VPC SDK against 100.100.100.100
    const r = await nsExec(withRole.id, [process.execPath, '--import', 'tsx', IN_INSTANCE, R, 'EcsRole'], 60_000);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { accessKeyId: string; hasToken: boolean; vpcs: number; denied: string };
    assert.match(out.accessKeyId, /^STS\./);
    assert.equal(out.hasToken, true);
    assert.equal(out.vpcs, 1, 'the role reads VPCs through 100.100.100.100');
    assert.equal(out.denied, 'Forbidden.RAM', 'and is refused what its policy does not allow');
  });

  test('sshd in each Linux instance: the key in force logs on, another key does not; a new key takes effect at the reboot', async () => {
    const k1 = (await me.ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'dp-first' }))).body!;
    const k2 = (await me.ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'dp-second' }))).body!;
    const k1File = join(tmp, 'k1.pem');
    const k2File = join(tmp, 'k2.pem');
    writeFileSync(k1File, k1.privateKeyBody!, { mode: 0o600 });
    writeFileSync(k2File, k2.privateKeyBody!, { mode: 0o600 });
    const stranger = join(tmp, 'stranger');
    assert.equal((await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger])).code, 0);
    const server = await me.instance({ vSwitchId, groups: [group], keyPairName: 'dp-first' });
    const client = await me.instance({ vSwitchId, groups: [group] });
    made.push(server.id, client.id);
    await dp.settle();
    const ssh = (key: string) => sshFrom(client.id, key, server.ip, 'cat /proc/self/net/dev | grep -c eth0; echo logged-on');
    const r = await ssh(k1File);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /logged-on/);
    const refused = await ssh(stranger);
    assert.equal(refused.code, 255);
    assert.match(refused.stderr, /Permission denied/);
    // a password is never accepted
    const pw = await nsExec(client.id, ['ssh', '-o', 'BatchMode=yes', '-o', 'PubkeyAuthentication=no', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=5', `root@${server.ip}`, 'true'], 15_000);
    assert.match(pw.stderr, /Permission denied \(publickey\)/);

    // SPEC §2: bound while running, the new key waits for the reboot
    await me.ecs.attachKeyPair(new $.AttachKeyPairRequest({ regionId: R, keyPairName: 'dp-second', instanceIds: JSON.stringify([server.id]) }));
    await dp.settle();
    assert.equal((await ssh(k1File)).code, 0, 'the old key until the reboot');
    assert.equal((await ssh(k2File)).code, 255);
    await me.ecs.rebootInstance(new $.RebootInstanceRequest({ instanceId: server.id }));
    await dp.settle();
    assert.equal((await ssh(k2File)).code, 0, 'the new key after the reboot');
    assert.equal((await ssh(k1File)).code, 255, 'the old key no more');

    const log = readFileSync(join(dp.server.dataDir, 'dataplane', 'instances', server.id, 'sshd.log'), 'utf8');
    assert.match(log, /Accepted publickey for root from/);
    assert.match(log, /Failed publickey|Connection closed by authenticating user root/);
  });

  test('IPv6 SSH from the internet namespace: only an Ipv6SourceCidrIp rule lets it in (an IPv4 0.0.0.0/0 rule does not)', async () => {    const V = (action: string, q: Record<string, string>) => callRpc(dp.server.endpoint, action, '2016-04-28', { RegionId: R, ...q });
    const E = (action: string, q: Record<string, string>) => callRpc(dp.server.endpoint, action, '2014-05-26', { RegionId: R, ...q });
    const vpcId = (await V('CreateVpc', { CidrBlock: '10.6.0.0/16', EnableIpv6: 'true' }))['VpcId'] as string;
    const vsw = (await V('CreateVSwitch', { VpcId: vpcId, ZoneId: 'cn-hangzhou-h', CidrBlock: '10.6.1.0/24', Ipv6CidrBlock: '1' }))['VSwitchId'] as string;
    const gw = (await V('CreateIpv6Gateway', { VpcId: vpcId }))['Ipv6GatewayId'] as string;
    const g = await me.group(vpcId);
    await me.ingress(g, [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0' }]);
    const key = (await me.ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'dp-v6' }))).body!;
    const keyFile = join(tmp, 'v6.pem');
    writeFileSync(keyFile, key.privateKeyBody!, { mode: 0o600 });
    const id = ((await E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vsw, SecurityGroupId: g, Ipv6AddressCount: '1', KeyPairName: 'dp-v6' }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
    made.push(id);
    const row = ((await V('DescribeIpv6Addresses', { VpcId: vpcId, AssociatedInstanceId: id }))['Ipv6Addresses'] as { Ipv6Address: Array<Record<string, unknown>> }).Ipv6Address[0]!;
    const ip6 = row['Ipv6Address'] as string;
    await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: row['Ipv6AddressId'] as string, Bandwidth: '10' });
    await dp.settle();
    const add = await nsExec(dp.internetNs, ['ip', 'addr', 'replace', '2001:db8::22/128', 'dev', 'lo']);
    assert.equal(add.code, 0, add.stderr);
    // the instance's own sshd (it listens on 0.0.0.0 and ::), a real logon with the key pair's key
    const ssh = () => nsExec(dp.internetNs, ['ssh', '-i', keyFile, '-b', '2001:db8::22', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=3', '-o', 'LogLevel=ERROR', `root@${ip6}`, 'echo logged-on-over-ipv6'], 15_000);
    const blocked = await ssh();
    assert.equal(blocked.code, 255, 'an IPv4 rule opens no IPv6');
    assert.match(blocked.stderr, /timed out/);
    await me.ingress(g, [{ ipProtocol: 'tcp', portRange: '22/22', ipv6SourceCidrIp: '2001:db8::/32' }]);
    await dp.settle();
    let open = await ssh();
    for (let i = 0; open.code === 255 && /refused/.test(open.stderr) && i < 20; i++) { await new Promise((f) => setTimeout(f, 100)); open = await ssh(); }
    assert.equal(open.code, 0, open.stderr);
    assert.equal(open.stdout.trim(), 'logged-on-over-ipv6', 'the Ipv6SourceCidrIp rule lets the SSH logon in');
    await me.revokeIngress(g, [{ ipProtocol: 'tcp', portRange: '22/22', ipv6SourceCidrIp: '2001:db8::/32' }]);
    await dp.settle();
    const closed = await ssh();
    assert.equal(closed.code, 255, 'and its revocation closes it again');
    assert.match(closed.stderr, /timed out/);
  });

  test('parapet agent --cleanup removes what a dead agent left', async () => {
    const state = join(tmp, 'state');
    mkdirSync(state, { recursive: true });
    const prefix = `pdc${process.pid % 10000}-`;
    const orphan = `i-orphan${process.pid}`;
    for (const ns of [`${prefix}vpc-x`, `${prefix}internet`, orphan]) assert.equal((await run('ip', ['netns', 'add', ns])).code, 0);
    writeFileSync(join(state, 'namespaces.json'), JSON.stringify([orphan]));
    try {
      const r = await run(process.execPath, ['--import', 'tsx', join(ROOT_DIR, 'bin/parapet.ts'), 'agent', '--cleanup'], 30_000, { PARAPET_DATAPLANE_DIR: state, PARAPET_DATAPLANE_PREFIX: prefix });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /removed 3 namespaces/);
      assert.deepEqual(leftovers(prefix, [orphan]), []);
    } finally {
      for (const ns of [`${prefix}vpc-x`, `${prefix}internet`, orphan]) await run('ip', ['netns', 'del', ns]);
    }
  });
});
