// Instance passwords through the official ECS SDK (SPEC §2): `Password` on RunInstances,
// CreateInstance and ModifyInstanceAttribute follows Alibaba's rule (8 to 30 characters, three of
// four kinds, a fixed set of special characters) or answers `InvalidPassword.Malformed` and changes
// nothing; the password is never returned, never logged and never stored as such (a salted `$6$`
// hash, one salt per instance); it takes effect at the next start or reboot, and a key pair bound
// after it turns password logon off until a reset. DescribeInstances shows only Parapet's
// PasswordLogonEnabled and PasswordChangePending.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import { startTestServer, ecsClient, vpcClient, callRpc, sdkError, TEST_STORE, type TestServer, type EcsClient } from '../helpers/server.ts';
import { sha512CryptMatches } from '../../src/engine/sha512-crypt.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const WINDOWS = 'win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd';
const GOOD = 'Good-Passw0rd';

/** refused by Alibaba's rule */
const MALFORMED: ReadonlyArray<[string, string]> = [
  ['7 characters', 'Abcde1!'],
  ['31 characters', 'Abcdefghij1!Abcdefghij1!Abcdef'.padEnd(31, 'x')],
  ['far too long (more than any schema limit)', 'Aa1!'.repeat(40)],
  ['two kinds: lower-case and digits', 'abcdefgh12'],
  ['two kinds: upper-case and specials', 'ABCDEFGH!@'],
  ['a space', 'Abc def12!'],
  ['a double quote', 'Abc"def12'],
  ['a backslash', 'Abc\\def12'],
  ['a non-ASCII letter', 'Pässw0rd-x'],
  ['a newline', 'Abcdef12!\nroot::0'],
  ['a tab', 'Abc\tdef12'],
];
/** accepted: the bounds and each special character */
const WELL_FORMED = ['Abcdef1!', 'Abcdefghij1!Abcdefghij1!Abcdef'.slice(0, 30), 'abcdefg1:', 'ABCDEFG1/', 'Ab1()`~!@#$%^&*-_+=|{}', "Ab1[]:;'<>,.?/", 'abcdEFG9'];

describe('instance passwords end to end', () => {
  let server: TestServer;
  let ecs: EcsClient;
  let vsw: string;
  let sg: string;
  const logLines: string[] = [];

  before(async () => {
    // every log line the server writes, at the most detailed level, to look for the password in
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(chunk.toString()); done(); } });
    server = await startTestServer({ logger: pino({ level: 'trace' }, sink) });
    ecs = ecsClient(server.endpoint);
    const vpc = vpcClient(server.endpoint);
    const vpcId = (await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: R, cidrBlock: '10.0.0.0/16' }))).body!.vpcId!;
    vsw = (await vpc.createVSwitch(new VpcModule.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '10.0.1.0/24' }))).body!.vSwitchId!;
    sg = (await ecs.createSecurityGroup(new $.CreateSecurityGroupRequest({ regionId: R, vpcId }))).body!.securityGroupId!;
  });
  after(async () => { await server.stop(); });

  const run = async (extra: Record<string, unknown>) => (await ecs.runInstances(new $.RunInstancesRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vsw, securityGroupId: sg, ...extra }))).body!.instanceIdSets!.instanceIdSet!;
  const create = async (extra: Record<string, unknown>) => (await ecs.createInstance(new $.CreateInstanceRequest({ regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId: vsw, securityGroupId: sg, ...extra }))).body!.instanceId!;
  const modify = (instanceId: string, password: string) => ecs.modifyInstanceAttribute(new $.ModifyInstanceAttributeRequest({ instanceId, password }));
  const raw = async (id: string) => (await callRpc(server.endpoint, 'DescribeInstances', '2014-05-26', { RegionId: R, InstanceIds: JSON.stringify([id]) }) as { Instances: { Instance: Array<Record<string, unknown>> } }).Instances.Instance[0]!;
  const state = async (id: string) => { const i = await raw(id); return { enabled: i['PasswordLogonEnabled'], pending: i['PasswordChangePending'] }; };
  const hashOf = async (id: string) => (await server.store.db.selectFrom('instances').select(['password_hash', 'effective_password_hash']).where('id', '=', id).executeTakeFirstOrThrow());
  const count = async () => Number((await server.store.db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  test('Password rules: malformed passwords answer InvalidPassword.Malformed (400) on every operation, never quote the value, and change nothing', async () => {
    const target = (await run({ password: GOOD }))[0]!;
    const before = await hashOf(target);
    const instances = await count();
    for (const [why, password] of MALFORMED) {
      for (const [op, call] of [['RunInstances', () => run({ password })], ['CreateInstance', () => create({ password })], ['ModifyInstanceAttribute', () => modify(target, password)]] as const) {
        const e = await sdkError(call());
        assert.equal(e.code, 'InvalidPassword.Malformed', `${op}, ${why}: ${e.code} ${e.message}`);
        assert.equal(e.statusCode, 400, `${op}, ${why}`);
        assert.ok(!e.message.includes(password) && !JSON.stringify(e.data).includes(password), `${op}, ${why}: the error repeats the password`);
      }
    }
    assert.equal(await count(), instances, 'no instance was made');
    assert.deepEqual(await hashOf(target), before, 'the password is unchanged');
    // a Windows password may not start with `/` (a Linux one may)
    const e = await sdkError(run({ imageId: WINDOWS, password: '/Abcdef12' }));
    assert.equal(e.code, 'InvalidPassword.Malformed');
    assert.match(e.message, /Windows/);
    await modify(target, '/Abcdef12');
    for (const password of WELL_FORMED) {
      await modify(target, password);
      assert.ok(sha512CryptMatches(password, (await hashOf(target)).password_hash), `${JSON.stringify(password)} is accepted and kept`);
    }
    await run({ imageId: WINDOWS, password: 'Abcdef12/' });
  });

  test('never returned, never logged, never stored as such: a salted $6$ hash, one salt per instance', async () => {
    const secret = 'Never-Sh0wn-Anywhere';
    const ids = await run({ password: secret, amount: 2 });
    const [h1, h2] = [await hashOf(ids[0]!), await hashOf(ids[1]!)];
    for (const h of [h1, h2]) {
      assert.match(h.password_hash, /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
      assert.ok(sha512CryptMatches(secret, h.password_hash));
      assert.equal(h.effective_password_hash, h.password_hash, 'in force from the first start');
    }
    assert.notEqual(h1.password_hash, h2.password_hash, 'each instance has its own salt');
    await modify(ids[0]!, 'Another-Secr3t');
    const described = JSON.stringify(await callRpc(server.endpoint, 'DescribeInstances', '2014-05-26', { RegionId: R }));
    const attribute = JSON.stringify(await callRpc(server.endpoint, 'DescribeInstanceAttribute', '2014-05-26', { InstanceId: ids[0]! }));
    for (const text of [described, attribute]) {
      assert.ok(!text.includes(secret) && !text.includes('Another-Secr3t'), 'the password is never returned');
      assert.ok(!text.includes('$6$') && !/"Password"/.test(text), 'nor its hash');
    }
    assert.ok(logLines.length > 0, 'the server logged its requests');
    assert.ok(!logLines.some((l) => l.includes(secret) || l.includes('Another-Secr3t') || l.includes('$6$')), 'the log never holds a password or its hash');
    if (TEST_STORE === 'sqlite') {
      // every file of the store, the write-ahead log included, holds no password in plain
      for (const f of readdirSync(server.dataDir)) {
        const file = join(server.dataDir, f);
        if (statSync(file).isFile()) assert.ok(!readFileSync(file).includes(secret), `${f} holds the password`);
      }
    }
  });

  test('a password takes effect at the next start or reboot; DescribeInstances says whether it is in force and whether a change waits', async () => {
    const none = (await run({}))[0]!;
    assert.deepEqual(await state(none), { enabled: false, pending: false }, 'no password, no password logon');
    const withOne = (await run({ password: GOOD }))[0]!;
    assert.deepEqual(await state(withOne), { enabled: true, pending: false });

    // a reset waits for a reboot
    await modify(withOne, 'Reset-Passw0rd');
    assert.deepEqual(await state(withOne), { enabled: true, pending: true });
    const pending = await hashOf(withOne);
    assert.ok(sha512CryptMatches(GOOD, pending.effective_password_hash), 'the old password stays in force');
    await ecs.rebootInstance(new $.RebootInstanceRequest({ instanceId: withOne }));
    assert.deepEqual(await state(withOne), { enabled: true, pending: false });
    assert.ok(sha512CryptMatches('Reset-Passw0rd', (await hashOf(withOne)).effective_password_hash));

    // a password set on an instance that had none: a stop changes nothing, the start brings it in
    await modify(none, GOOD);
    assert.deepEqual(await state(none), { enabled: false, pending: true });
    await ecs.stopInstance(new $.StopInstanceRequest({ instanceId: none }));
    assert.deepEqual(await state(none), { enabled: false, pending: true });
    await ecs.startInstance(new $.StartInstanceRequest({ instanceId: none }));
    assert.deepEqual(await state(none), { enabled: true, pending: false });

    // CreateInstance: kept for the instance's first start
    const stopped = await create({ password: GOOD });
    assert.ok(sha512CryptMatches(GOOD, (await hashOf(stopped)).password_hash));
    await ecs.startInstance(new $.StartInstanceRequest({ instanceId: stopped }));
    assert.deepEqual(await state(stopped), { enabled: true, pending: false });
  });

  test('a key pair bound after the password turns password logon off at the next reboot, until the password is reset', async () => {
    await ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'pw-key' }));
    const id = (await run({ password: GOOD }))[0]!;
    const bound = await ecs.attachKeyPair(new $.AttachKeyPairRequest({ regionId: R, keyPairName: 'pw-key', instanceIds: JSON.stringify([id]) }));
    assert.equal(bound.body!.failCount, '0');
    assert.deepEqual(await state(id), { enabled: true, pending: true }, 'the password stays in force until the reboot');
    await ecs.rebootInstance(new $.RebootInstanceRequest({ instanceId: id }));
    assert.deepEqual(await state(id), { enabled: false, pending: false });
    // an unbind alone does not bring the old password back (SPEC §2: reset it first)
    await ecs.detachKeyPair(new $.DetachKeyPairRequest({ regionId: R, keyPairName: 'pw-key', instanceIds: JSON.stringify([id]) }));
    await ecs.rebootInstance(new $.RebootInstanceRequest({ instanceId: id }));
    assert.deepEqual(await state(id), { enabled: false, pending: false });
    // bind again, then reset: the key and the new password both work after the reboot
    await ecs.attachKeyPair(new $.AttachKeyPairRequest({ regionId: R, keyPairName: 'pw-key', instanceIds: JSON.stringify([id]) }));
    await modify(id, 'After-The-B1nd');
    await ecs.rebootInstance(new $.RebootInstanceRequest({ instanceId: id }));
    assert.deepEqual(await state(id), { enabled: true, pending: false });
    assert.equal((await raw(id))['EffectiveKeyPairName'], 'pw-key');

    // a key pair given to RunInstances with a password: the key wins, password logon is off
    const both = (await run({ password: GOOD, keyPairName: 'pw-key' }))[0]!;
    assert.deepEqual(await state(both), { enabled: false, pending: false });
    assert.equal((await hashOf(both)).password_hash, '', 'the password is checked, not kept');
    assert.equal((await sdkError(run({ password: 'short', keyPairName: 'pw-key' }))).code, 'InvalidPassword.Malformed', 'but still checked');
  });
});
