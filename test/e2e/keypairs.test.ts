// SSH key pairs through the official ECS SDK, judged by OpenSSH's own tools (ssh-keygen): created
// keys, fingerprints, imports of keys and certificates, names, deletes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, type TestServer, type EcsClient } from '../helpers/server.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const haveSshKeygen = (() => { try { execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' }); return true; } catch (e) { return (e as { status?: number }).status !== undefined && (e as { status?: number }).status !== 127 && !String((e as Error).message).includes('ENOENT'); } })();
const skip = haveSshKeygen ? false : (process.env['PARAPET_REQUIRE_ROOT'] === '1' ? false : 'ssh-keygen (OpenSSH) is not installed');

describe('key pairs end to end', { skip }, () => {
  let server: TestServer;
  let ecs: EcsClient;
  let dir: string;
  before(async () => { server = await startTestServer(); ecs = ecsClient(server.endpoint); dir = mkdtempSync(join(tmpdir(), 'parapet-keys-')); });
  after(async () => { await server.stop(); rmSync(dir, { recursive: true, force: true }); });
  const md5 = (file: string) => /MD5:([0-9a-f:]+)/.exec(execFileSync('ssh-keygen', ['-l', '-E', 'md5', '-f', file]).toString())![1]!;

  test('CreateKeyPair: PKCS#8 private key whose public half and fingerprint ssh-keygen agrees with', async () => {
    const r = (await ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'web-key' }))).body!;
    assert.match(r.privateKeyBody!, /^-----BEGIN PRIVATE KEY-----/);
    assert.match(r.keyPairId!, /^kp-/);
    const file = join(dir, 'created');
    writeFileSync(file, r.privateKeyBody!);
    chmodSync(file, 0o600);
    const pub = execFileSync('ssh-keygen', ['-y', '-f', file]).toString().trim();
    const listed = await ecs.describeKeyPairs(new $.DescribeKeyPairsRequest({ regionId: R, keyPairName: 'web-*', includePublicKey: true }));
    const k = listed.body!.keyPairs!.keyPair![0]!;
    assert.equal(k.publicKey, pub.split(' ').slice(0, 2).join(' '));
    writeFileSync(join(dir, 'created.pub'), pub + '\n');
    assert.equal(r.keyPairFingerPrint, md5(join(dir, 'created.pub')));
    assert.equal(k.keyPairFingerPrint, r.keyPairFingerPrint);
    assert.ok(!JSON.stringify(listed.body).includes('PRIVATE KEY'), 'the private key is returned once');
  });

  test('ImportKeyPair: rsa, ecdsa 256/384/521 and an OpenSSH certificate; garbage and private keys refused', async () => {
    for (const [type, bits] of [['rsa', '2048'], ['ecdsa', '256'], ['ecdsa', '384'], ['ecdsa', '521']] as const) {
      const file = join(dir, `${type}${bits}`);
      execFileSync('ssh-keygen', ['-q', '-t', type, '-b', bits, '-N', '', '-C', 'me@host', '-f', file]);
      const body = readFileSync(file + '.pub', 'utf8');
      const r = (await ecs.importKeyPair(new $.ImportKeyPairRequest({ regionId: R, keyPairName: `imp-${type}${bits}`, publicKeyBody: body }))).body!;
      assert.equal(r.keyPairFingerPrint, md5(file + '.pub'), `${type}${bits}`);
    }
    const ca = join(dir, 'ca');
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', ca]);
    execFileSync('ssh-keygen', ['-q', '-s', ca, '-I', 'user-id', '-n', 'root', join(dir, 'rsa2048.pub')]);
    const cert = readFileSync(join(dir, 'rsa2048-cert.pub'), 'utf8');
    const c = (await ecs.importKeyPair(new $.ImportKeyPairRequest({ regionId: R, keyPairName: 'imp-cert', publicKeyBody: cert }))).body!;
    assert.match(c.keyPairFingerPrint!, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    assert.equal((await sdkError(ecs.importKeyPair(new $.ImportKeyPairRequest({ regionId: R, keyPairName: 'bad1', publicKeyBody: 'ssh-rsa AAAAnotakey' })))).code, 'InvalidPublicKeyBody.Malformed');
    assert.equal((await sdkError(ecs.importKeyPair(new $.ImportKeyPairRequest({ regionId: R, keyPairName: 'bad2', publicKeyBody: readFileSync(join(dir, 'rsa2048'), 'utf8') })))).code, 'InvalidPublicKeyBody.Malformed');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'ed')]);
    assert.equal((await sdkError(ecs.importKeyPair(new $.ImportKeyPairRequest({ regionId: R, keyPairName: 'bad3', publicKeyBody: readFileSync(join(dir, 'ed.pub'), 'utf8') })))).code, 'InvalidPublicKeyBody.Malformed', 'ed25519 is not on the accepted list');
  });

  test('names: malformed, taken; delete frees an unbound name; fingerprint filter', async () => {
    assert.equal((await sdkError(ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: '1key' })))).code, 'InvalidKeyPairName.Malformed');
    assert.equal((await sdkError(ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'x' })))).code, 'InvalidKeyPairName.Malformed');
    await ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'temp:key_1' }));
    assert.equal((await sdkError(ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'temp:key_1' })))).code, 'KeyPair.AlreadyExist');
    await ecs.deleteKeyPairs(new $.DeleteKeyPairsRequest({ regionId: R, keyPairNames: JSON.stringify(['temp:key_1']) }));
    await ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'temp:key_1' }));
    const all = await ecs.describeKeyPairs(new $.DescribeKeyPairsRequest({ regionId: R, pageSize: 50 }));
    const one = all.body!.keyPairs!.keyPair![0]!;
    await ecs.importKeyPair(new $.ImportKeyPairRequest({ regionId: R, keyPairName: 'tagged', publicKeyBody: one.keyPairName ? readFileSync(join(dir, 'rsa2048.pub'), 'utf8') : '', tag: [new $.ImportKeyPairRequestTag({ key: 'team', value: 'blue' })] }));
    const tagged = await ecs.describeKeyPairs(new $.DescribeKeyPairsRequest({ regionId: R, tag: [new $.DescribeKeyPairsRequestTag({ key: 'team', value: 'blue' })] }));
    assert.deepEqual(tagged.body!.keyPairs!.keyPair!.map((k) => [k.keyPairName, k.tags!.tag![0]!.tagValue]), [['tagged', 'blue']]);
    const byFp = await ecs.describeKeyPairs(new $.DescribeKeyPairsRequest({ regionId: R, keyPairFingerPrint: one.keyPairFingerPrint }));
    assert.deepEqual(byFp.body!.keyPairs!.keyPair!.map((k) => k.keyPairName), [one.keyPairName]);
  });

  test('500 key pairs per account and region: QuotaExceed.KeyPair', async () => {
    const small = await startTestServer();
    try {
      const e2 = ecsClient(small.endpoint);
      const body = readFileSync(join(dir, 'rsa2048.pub'), 'utf8');
      for (let i = 0; i < 500; i++) await e2.importKeyPair(new $.ImportKeyPairRequest({ regionId: R, keyPairName: `k${i}`, publicKeyBody: body }));
      assert.equal((await sdkError(e2.importKeyPair(new $.ImportKeyPairRequest({ regionId: R, keyPairName: 'k500', publicKeyBody: body })))).code, 'QuotaExceed.KeyPair');
      await e2.importKeyPair(new $.ImportKeyPairRequest({ regionId: 'cn-shanghai', keyPairName: 'k500', publicKeyBody: body }));
    } finally {
      await small.stop();
    }
  });

  test('bind, unbind and the key in force: changes at the next start or reboot; deleted-while-bound names stay taken', async () => {
    const vpc = vpcClient(server.endpoint);
    const vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.0.0.0/16' }))).body!.vpcId!;
    const vsw = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '10.0.1.0/24' }))).body!.vSwitchId!;
    const sg = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId }))).body!.securityGroupId!;
    await ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'first' }));
    await ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'second' }));
    const keys = (await ecs.describeKeyPairs(new $.DescribeKeyPairsRequest({ regionId: R, includePublicKey: true, pageSize: 50 }))).body!.keyPairs!.keyPair!;
    const pub = (n: string) => keys.find((k) => k.keyPairName === n)!.publicKey!;
    const run = async (extra: Record<string, unknown>) => (await ecs.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: 'ubuntu_22_04_x64_20G_alibase_20240101.vhd', instanceType: 'ecs.g5.large', vSwitchId: vsw, securityGroupId: sg, ...extra }))).body!.instanceIdSets!.instanceIdSet![0]!;
    const id = await run({ keyPairName: 'first' });
    // an endpoint lives for one boot of the instance: each read asks for one afresh
    const endpoint = async () => (await callRpc(server.endpoint, 'IssueInstanceMetadataEndpoint', '2026-11-01', { RegionId: R, InstanceId: id }) as { Endpoint: string }).Endpoint;
    const inForce = async () => (await fetch(await endpoint() + '/latest/meta-data/public-keys/0/openssh-key')).text();
    assert.equal(await inForce(), pub('first'));
    const bound = await ecs.attachKeyPair(new $.AttachKeyPairRequest({ regionId: R, keyPairName: 'second', instanceIds: JSON.stringify([id]) }));
    assert.equal(bound.body!.failCount, '0');
    const raw = async () => (await callRpc(server.endpoint, 'DescribeInstances', '2014-05-26', { RegionId: R, InstanceIds: JSON.stringify([id]) }) as { Instances: { Instance: Array<{ KeyPairName: string; KeyPairChangePending: boolean; PasswordLogonEnabled: boolean }> } }).Instances.Instance[0]!;
    assert.equal((await raw()).PasswordLogonEnabled, false, 'a key in force turns password logon off');
    assert.deepEqual([(await raw()).KeyPairName, (await raw()).KeyPairChangePending], ['second', true], 'the name shows at once; the change is pending');
    assert.equal(await inForce(), pub('first'), 'a running instance keeps its old key until it restarts');
    await ecs.rebootInstance(new $.RebootInstanceRequest({ instanceId: id }));
    assert.equal(await inForce(), pub('second'));
    assert.equal((await raw()).KeyPairChangePending, false);
    // deleting a bound key keeps its name taken and the instance keeps showing it
    await ecs.deleteKeyPairs(new $.DeleteKeyPairsRequest({ regionId: R, keyPairNames: JSON.stringify(['second']) }));
    assert.equal((await raw()).KeyPairName, 'second');
    assert.equal((await sdkError(ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'second' })))).code, 'KeyPair.AlreadyExist');
    assert.equal((await sdkError(ecs.attachKeyPair(new $.AttachKeyPairRequest({ regionId: R, keyPairName: 'second', instanceIds: JSON.stringify([id]) })))).code, 'InvalidKeyPairName.NotFound');
    // unbind: after the next reboot no key is in force
    await ecs.detachKeyPair(new $.DetachKeyPairRequest({ regionId: R, keyPairName: 'second', instanceIds: JSON.stringify([id]) }));
    await ecs.rebootInstance(new $.RebootInstanceRequest({ instanceId: id }));
    assert.equal(await inForce(), '');
    // the bind turned password logon off, and no password was set since (SPEC §2: reset it first)
    assert.equal((await raw()).PasswordLogonEnabled, false);
    // Windows instances and phased-out types are refused per instance
    const win = await run({ imageId: 'win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd' });
    const old = await run({ instanceType: 'ecs.s2.large' });
    const mixed = await ecs.attachKeyPair(new $.AttachKeyPairRequest({ regionId: R, keyPairName: 'first', instanceIds: JSON.stringify([win, old, id]) }));
    assert.equal(mixed.body!.failCount, '2');
    assert.deepEqual(mixed.body!.results!.result!.map((r) => r.code), ['DependencyViolation.WindowsInstance', 'DependencyViolation.IoOptimize', '200']);
    assert.equal((await sdkError(run({ keyPairName: 'nope' }))).code, 'InvalidKeyPairName.NotFound');
  });
});
