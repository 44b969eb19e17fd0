// Instance passwords over real SSH (root, real kernel; CI runs it): an instance's sandboxed sshd
// accepts root with exactly the instance's password in force since its last start or reboot; a
// wrong password, another instance's and any password on an instance without one are refused;
// binding a key pair turns password logon off (key logons go on) until the password is reset and
// the instance reboots. Logons are driven by sshpass and OpenSSH's client, from another instance.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EcsModule from '@alicloud/ecs20140526';
import { rootTestOptions, nsExec, type CommandResult } from '../helpers/netns.ts';
import { startDataplaneServer, Tenant, leftovers, type DataplaneServer } from '../helpers/dataplane.ts';
import { callRpc } from '../helpers/server.ts';
import { sha512CryptMatches } from '../../src/engine/sha512-crypt.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const PREFIX = `pwd${process.pid % 10000}-`;
const PA = 'Alpha-Passw0rd';
const PB = 'Bravo#Secret9';
const PA2 = 'Second(Alpha)7';
const PA3 = 'Third:Alpha:55';
const PC = 'Charlie.Pass1';
const COMMON = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR'];

describe('data plane: root logs on to an instance with its own password in force, and only with it', rootTestOptions(), () => {
  let dp: DataplaneServer;
  let me: Tenant;
  let a: { id: string; ip: string };
  let b: { id: string; ip: string };
  let c: { id: string; ip: string };
  let client: { id: string; ip: string };
  const made: string[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'parapet-passwords-'));
  const keyFile = join(tmp, 'key.pem');

  /** `ssh` from the client instance, retried while the target's sandbox is still booting (connection refused or reset) */
  async function fromClient(args: string[]): Promise<CommandResult> {
    let r = await nsExec(client.id, args, 30_000);
    for (let i = 0; r.code !== 0 && /refused|reset|closed/.test(r.stderr) && !/Permission denied/.test(r.stderr) && i < 20; i++) {
      await new Promise((f) => setTimeout(f, 200));
      r = await nsExec(client.id, args, 30_000);
    }
    return r;
  }

  /** A password logon as root (the password from a file, never on a command line); answers what `command` printed, or the refusal */
  async function withPassword(target: { ip: string }, password: string, command = 'echo in-as-$(id -u)'): Promise<CommandResult> {
    const file = join(tmp, 'password');
    writeFileSync(file, password, { mode: 0o600 });
    return fromClient(['sshpass', '-f', file, 'ssh', ...COMMON, '-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no',
      '-o', 'NumberOfPasswordPrompts=1', `root@${target.ip}`, command]);
  }

  async function withKey(target: { ip: string }, command = 'echo in-as-$(id -u)'): Promise<CommandResult> {
    return fromClient(['ssh', '-i', keyFile, ...COMMON, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', `root@${target.ip}`, command]);
  }

  const accepted = (r: CommandResult, what: string) => assert.equal(r.stdout.trim(), 'in-as-0', `${what}: ${r.code} ${r.stderr}`);
  /** refused by the instance's sshd (not a network failure): OpenSSH says so */
  const refused = (r: CommandResult, what: string) => {
    assert.notEqual(r.code, 0, `${what} was accepted`);
    assert.doesNotMatch(r.stdout, /in-as-/, `${what} was accepted`);
    assert.match(r.stderr, /Permission denied/, `${what}: refused by sshd, not unreachable (${r.code}: ${r.stderr})`);
  };

  async function describe1(id: string): Promise<{ PasswordLogonEnabled: boolean; PasswordChangePending: boolean }> {
    // the SDK's model has no field for Parapet's own: the raw answer
    const raw = await callRpc(dp.server.endpoint, 'DescribeInstances', '2014-05-26', { RegionId: R, InstanceIds: JSON.stringify([id]) }) as { Instances: { Instance: Array<Record<string, unknown>> } };
    const i = raw.Instances.Instance[0]!;
    return { PasswordLogonEnabled: i['PasswordLogonEnabled'] as boolean, PasswordChangePending: i['PasswordChangePending'] as boolean };
  }

  const setPassword = (id: string, password: string) => me.ecs.modifyInstanceAttribute(new $.ModifyInstanceAttributeRequest({ instanceId: id, password }));
  const reboot = async (id: string) => { await me.ecs.rebootInstance(new $.RebootInstanceRequest({ instanceId: id })); await dp.settle(); };

  before(async () => {
    try { execFileSync('sshpass', ['-V'], { stdio: 'ignore' }); } catch { throw new Error('this test logs on with sshpass: apt-get install sshpass'); }
    dp = await startDataplaneServer(PREFIX);
    const cl = dp.clients();
    me = new Tenant(cl.ecs, cl.vpc, R);
    const net = await me.network('10.0.0.0/16', '10.0.1.0/24', 'cn-hangzhou-h');
    const group = await me.group(net.vpcId);
    const key = (await me.ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'pw-test' }))).body!;
    writeFileSync(keyFile, key.privateKeyBody!, { mode: 0o600 });
    a = await me.instance({ vSwitchId: net.vSwitchId, groups: [group], password: PA });
    b = await me.instance({ vSwitchId: net.vSwitchId, groups: [group], password: PB });
    c = await me.instance({ vSwitchId: net.vSwitchId, groups: [group] });
    client = await me.instance({ vSwitchId: net.vSwitchId, groups: [group] });
    made.push(a.id, b.id, c.id, client.id);
    await dp.settle();
  });

  after(async () => {
    try {
      await dp?.stop();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    assert.deepEqual(leftovers(PREFIX, made), []);
  });

  test('the instance\'s password logs root on; its /etc/shadow holds its own hash, not the host\'s', async () => {
    accepted(await withPassword(a, PA), 'A with its password');
    accepted(await withPassword(b, PB), 'B with its password');
    assert.deepEqual(await describe1(a.id), { PasswordLogonEnabled: true, PasswordChangePending: false });
    const line = (await withPassword(a, PA, 'grep ^root: /etc/shadow')).stdout.trim();
    const hash = line.split(':')[1]!;
    assert.match(hash, /^\$6\$/, 'a SHA-512 crypt hash');
    assert.ok(sha512CryptMatches(PA, hash), 'it is the hash of A\'s password');
    const hostRoot = readFileSync('/etc/shadow', 'utf8').split('\n').find((l) => l.startsWith('root:')) ?? '';
    assert.notEqual(hostRoot.split(':')[1], hash, 'not the host\'s root entry');
    assert.match(readFileSync(join(dp.server.dataDir, 'dataplane', 'instances', a.id, 'sshd.log'), 'utf8'), /Accepted password for root from/);
  });

  test('a wrong password, another instance\'s password, and any password on an instance without one are refused', async () => {
    refused(await withPassword(a, 'Wrong-Passw0rd'), 'A with a wrong password');
    refused(await withPassword(a, PB), 'A with B\'s password');
    refused(await withPassword(b, PA), 'B with A\'s password');
    refused(await withPassword(c, PA), 'C (no password) with A\'s password');
    refused(await withPassword(c, PB), 'C (no password) with B\'s password');
    assert.deepEqual(await describe1(c.id), { PasswordLogonEnabled: false, PasswordChangePending: false });
    // an instance without a password offers no password logon at all
    assert.match((await withPassword(c, PA)).stderr, /Permission denied \(publickey\)/);
    assert.doesNotMatch(readFileSync(join(dp.server.dataDir, 'dataplane', 'instances', c.id, 'sshd.log'), 'utf8'), /Accepted/);
  });

  test('a new password takes effect at the next reboot (or start); until then the old one stays', async () => {
    await setPassword(a.id, PA2);
    assert.deepEqual(await describe1(a.id), { PasswordLogonEnabled: true, PasswordChangePending: true });
    accepted(await withPassword(a, PA), 'A keeps its password until it reboots');
    refused(await withPassword(a, PA2), 'the new password before the reboot');
    await reboot(a.id);
    accepted(await withPassword(a, PA2), 'the new password after the reboot');
    refused(await withPassword(a, PA), 'the old password after the reboot');
    assert.deepEqual(await describe1(a.id), { PasswordLogonEnabled: true, PasswordChangePending: false });
    // C had none: a password set while it is stopped works from its start
    await setPassword(c.id, PC);
    await me.ecs.stopInstance(new $.StopInstanceRequest({ instanceId: c.id }));
    await dp.settle();
    await me.ecs.startInstance(new $.StartInstanceRequest({ instanceId: c.id }));
    await dp.settle();
    accepted(await withPassword(c, PC), 'C with the password set while stopped');
    refused(await withPassword(c, PA2), 'C with A\'s password');
  });

  test('binding a key pair turns password logon off at the next reboot, until the password is reset', async () => {
    const bound = await me.ecs.attachKeyPair(new $.AttachKeyPairRequest({ regionId: R, keyPairName: 'pw-test', instanceIds: JSON.stringify([a.id]) }));
    assert.equal(bound.body!.failCount, '0');
    assert.deepEqual(await describe1(a.id), { PasswordLogonEnabled: true, PasswordChangePending: true });
    accepted(await withPassword(a, PA2), 'the password until the reboot');
    await reboot(a.id);
    accepted(await withKey(a), 'the key after the reboot');
    refused(await withPassword(a, PA2), 'the password after the bind and reboot');
    assert.match((await withPassword(a, PA2)).stderr, /Permission denied \(publickey\)/, 'no password logon offered');
    assert.deepEqual(await describe1(a.id), { PasswordLogonEnabled: false, PasswordChangePending: false });

    // reset, then log on with the key pair or the new password
    await setPassword(a.id, PA3);
    assert.deepEqual(await describe1(a.id), { PasswordLogonEnabled: false, PasswordChangePending: true });
    refused(await withPassword(a, PA3), 'the reset password before the reboot');
    await reboot(a.id);
    accepted(await withPassword(a, PA3), 'the reset password after the reboot');
    accepted(await withKey(a), 'the key after the reset');
    refused(await withPassword(a, PA2), 'the password before the bind');
    assert.deepEqual(await describe1(a.id), { PasswordLogonEnabled: true, PasswordChangePending: false });
    // B never had the key: neither the key nor A's password opens it
    refused(await withKey(b), 'B with A\'s key');
    refused(await withPassword(b, PA3), 'B with A\'s password');
  });
});
