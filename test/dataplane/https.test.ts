// https inside instances (root, real kernel; CI runs it): with the TLS listener on, every instance
// resolves the products' endpoint names (`ecs.aliyuncs.com`, `ecs.cn-hangzhou.aliyuncs.com`, ...)
// to 100.100.100.100, where :443 leads to Parapet's TLS listener: under `ip netns exec` through
// /etc/netns/{InstanceId}/hosts, and in the sandbox where sshd logons run through the image's
// /etc/hosts. Stock SDK code with default https endpoints gets signed answers; the hosts files go
// with the namespaces.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import EcsModule from '@alicloud/ecs20140526';
import { rootTestOptions, nsExec } from '../helpers/netns.ts';
import { startDataplaneServer, Tenant, leftovers, type DataplaneServer } from '../helpers/dataplane.ts';
import { ROOT } from '../helpers/server.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const PREFIX = `pdh${process.pid % 10000}-`;
const IN_INSTANCE = fileURLToPath(new URL('./in-instance-https.mjs', import.meta.url));

describe('data plane: https to the endpoint names from inside instances', rootTestOptions(), () => {
  let dp: DataplaneServer;
  let me: Tenant;
  let vSwitchId: string;
  let group: string;
  const made: string[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'parapet-dph-'));

  before(async () => {
    dp = await startDataplaneServer(PREFIX, { PARAPET_TLS_PORT: '0' });
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
    assert.deepEqual(made.filter((id) => existsSync(`/etc/netns/${id}`)), [], 'the hosts files go with the namespaces');
  });

  test('ip netns exec: the names resolve to 100.100.100.100; the official SDKs with default https endpoints get signed answers', async () => {
    const inst = await me.instance({ vSwitchId, groups: [group] });
    made.push(inst.id);
    await dp.settle();
    assert.ok(existsSync(`/etc/netns/${inst.id}/hosts`));
    for (const name of ['ecs.aliyuncs.com', 'ecs.cn-hangzhou.aliyuncs.com', 'ecs-cn-hangzhou.aliyuncs.com', 'sts.aliyuncs.com', 'vpc-vpc.eu-central-1.aliyuncs.com']) {
      // `ahosts` resolves as programs do (getaddrinfo); `getent hosts` asks for IPv6 first, which the
      // hosts file does not answer, and waits for a DNS server that instances have none of
      const r = await nsExec(inst.id, ['getent', 'ahosts', name]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, /^100\.100\.100\.100\s+STREAM/, name);
      assert.doesNotMatch(r.stdout, /^(?!100\.100\.100\.100\s)\S/m, `${name}: no other address`);
    }
    const r = await nsExec(inst.id, ['env', `NODE_EXTRA_CA_CERTS=${dp.server.tls!.caFile}`, process.execPath, IN_INSTANCE, ROOT.accessKeyId, ROOT.accessKeySecret], 60_000);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { defaultEndpoint: string; regions: number; groups: number; accountId: string };
    assert.equal(out.defaultEndpoint, 'ecs-cn-hangzhou.aliyuncs.com');
    assert.ok(out.regions > 0);
    assert.equal(out.groups, 1);
    assert.equal(out.accountId, ROOT.accountId);
    // curl as well, with the CA: an unsigned request reaches Parapet and gets its Alibaba error
    const curl = await nsExec(inst.id, ['curl', '-sS', '--max-time', '5', '--cacert', dp.server.tls!.caFile, 'https://ecs.aliyuncs.com/?Action=DescribeRegions&Version=2014-05-26']);
    assert.equal(curl.code, 0, curl.stderr);
    assert.match(curl.stdout, /"RequestId"/);
  });

  test('in the sandbox (an sshd logon): the image\'s hosts file names the endpoints, and 100.100.100.100:443 answers', async () => {
    const k = (await me.ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'dph-key' }))).body!;
    const keyFile = join(tmp, 'k.pem');
    writeFileSync(keyFile, k.privateKeyBody!, { mode: 0o600 });
    const server = await me.instance({ vSwitchId, groups: [group], keyPairName: 'dph-key' });
    const client = await me.instance({ vSwitchId, groups: [group] });
    made.push(server.id, client.id);
    await dp.settle();
    // bash inside the sandbox resolves the name (glibc, the image's /etc/hosts) and opens a TCP connection to it
    const script = 'grep -c "^100.100.100.100[[:space:]]" /etc/hosts; exec 3<>/dev/tcp/ecs.cn-hangzhou.aliyuncs.com/443 && echo connected';
    const ssh = () => nsExec(client.id, ['ssh', '-i', keyFile, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR', `root@${server.ip}`, script], 15_000);
    let r = await ssh();
    for (let i = 0; r.code === 255 && /refused/.test(r.stderr) && i < 20; i++) { await new Promise((f) => setTimeout(f, 100)); r = await ssh(); } // sshd may still be starting
    assert.equal(r.code, 0, r.stderr);
    const [count, connected] = r.stdout.trim().split('\n');
    assert.ok(Number(count) > 40, `the endpoint names are in the sandbox's /etc/hosts (${count})`);
    assert.equal(connected, 'connected');
    assert.match(readFileSync(join(dp.server.dataDir, 'dataplane', 'image', 'etc', 'hosts'), 'utf8'), /^100\.100\.100\.100\tsts\.aliyuncs\.com$/m);
  });

  test('a deleted instance\'s hosts file goes with its namespace', async () => {
    const inst = await me.instance({ vSwitchId, groups: [group] });
    made.push(inst.id);
    await dp.settle();
    assert.ok(existsSync(`/etc/netns/${inst.id}/hosts`));
    await me.ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: inst.id, force: true }));
    await dp.settle();
    assert.equal(existsSync(`/etc/netns/${inst.id}`), false);
  });
});
