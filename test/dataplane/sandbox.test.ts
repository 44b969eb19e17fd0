// An instance is not the host (root, real kernel; CI runs it): a logon into a Linux instance over
// real SSH lands in the instance's sandbox (src/dataplane/sandbox.ts). The host's files, processes
// and host name are out of sight, as is every other instance's disk; a file written inside stays
// in the instance across a reboot and a stop, and goes with the instance; the shared image can't
// be changed for others; /proc/sys, mounts and the dangerous capabilities are out of reach.
// Each check here fails where a logon is a root shell on the host.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import EcsModule from '@alicloud/ecs20140526';
import { rootTestOptions, nsExec, type CommandResult } from '../helpers/netns.ts';
import { startDataplaneServer, Tenant, leftovers, type DataplaneServer } from '../helpers/dataplane.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const PREFIX = `pdx${process.pid % 10000}-`;
/** unique names, so that nothing here can match a file some other run or person made */
const MARK = `parapet-sandbox-${process.pid}`;
/** what a logon must not have (Linux capability numbers) */
const FORBIDDEN_CAPS: Record<string, number> = {
  CAP_DAC_READ_SEARCH: 2, CAP_NET_ADMIN: 12, CAP_NET_RAW: 13, CAP_SYS_MODULE: 16, CAP_SYS_RAWIO: 17, CAP_SYS_PTRACE: 19,
  CAP_SYS_ADMIN: 21, CAP_SYS_TIME: 25, CAP_MKNOD: 27, CAP_SYSLOG: 34, CAP_PERFMON: 38, CAP_BPF: 39,
};

describe('data plane: each Linux instance runs in a sandbox of its own, not on the host', rootTestOptions(), () => {
  let dp: DataplaneServer;
  let me: Tenant;
  let vSwitchId: string;
  let group: string;
  let a: { id: string; ip: string };
  let b: { id: string; ip: string };
  let client: { id: string; ip: string };
  const made: string[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'parapet-sandbox-'));
  const keyFile = join(tmp, 'key.pem');
  // markers on the host, which no instance may see
  const hostMarkers = [join(homedir(), `.${MARK}-home`), join(tmpdir(), `${MARK}-tmp`)];
  // where a write inside would land if an instance were the host (removed after, whatever happens)
  const hostPathsIfNotSandboxed = [`/root/${MARK}-note`, `/root/${MARK}-b`, `/bin/${MARK}`];
  const layerOf = (id: string) => join(dp.server.dataDir, 'dataplane', 'instances', id, 'layer');

  /** Runs `command` with /bin/sh in instance `target` over SSH (from the client instance, with the created key). */
  async function ssh(target: { ip: string }, command: string): Promise<CommandResult> {
    const go = () => nsExec(client.id, ['ssh', '-i', keyFile, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR', `root@${target.ip}`, command], 30_000);
    let r = await go();
    // the round that boots a sandbox waits for its sshd; a few retries only cover a slow machine
    for (let i = 0; r.code === 255 && /refused|reset|closed/.test(r.stderr) && i < 20; i++) { await new Promise((f) => setTimeout(f, 200)); r = await go(); }
    assert.notEqual(r.code, 255, `ssh to ${target.ip}: ${r.stderr}`);
    return r;
  }

  async function describeHostName(id: string): Promise<string> {
    const d = await me.ecs.describeInstances(new $.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([id]) }));
    return d.body!.instances!.instance![0]!.hostName!;
  }

  before(async () => {
    for (const m of hostMarkers) writeFileSync(m, 'the host\n');
    dp = await startDataplaneServer(PREFIX);
    const c = dp.clients();
    me = new Tenant(c.ecs, c.vpc, R);
    const net = await me.network('10.0.0.0/16', '10.0.1.0/24', 'cn-hangzhou-h');
    vSwitchId = net.vSwitchId;
    group = await me.group(net.vpcId);
    const key = (await me.ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'sandbox' }))).body!;
    writeFileSync(keyFile, key.privateKeyBody!, { mode: 0o600 });
    a = await me.instance({ vSwitchId, groups: [group], keyPairName: 'sandbox', hostName: 'web-01' });
    b = await me.instance({ vSwitchId, groups: [group], keyPairName: 'sandbox' });
    client = await me.instance({ vSwitchId, groups: [group] });
    made.push(a.id, b.id, client.id);
    await dp.settle();
  });

  after(async () => {
    try {
      await dp?.stop();
    } finally {
      for (const p of [...hostMarkers, ...hostPathsIfNotSandboxed]) rmSync(p, { force: true });
      rmSync(tmp, { recursive: true, force: true });
    }
    assert.deepEqual(leftovers(PREFIX, made), []);
    assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), /\/layer\/root/, 'no instance root stays mounted in the host\'s mount namespace');
  });

  test('the host\'s files are out of sight, and so is every other instance\'s disk', async () => {
    await ssh(b, `echo b > /root/${MARK}-b`);
    assert.ok(existsSync(join(layerOf(b.id), 'upper', 'root', `${MARK}-b`)), 'B\'s file is in B\'s layer on the host');
    const hostPaths = [dp.server.dataDir, join(dp.server.dataDir, 'parapet.sqlite'), ...hostMarkers, layerOf(b.id), layerOf(a.id), '/work', process.cwd()];
    const r = await ssh(a, `for p in ${hostPaths.map((p) => `'${p}'`).join(' ')}; do test -e "$p" && echo "visible: $p"; done; ` +
      `find / -name '${MARK}*' 2>/dev/null; find / -name sshd.log 2>/dev/null; ` +
      // no process inside holds a file of the host (the host's copy of sshd.log above all)
      'for f in /proc/[0-9]*/fd/*; do t=$(readlink "$f") || continue; case "$t" in /*) test -e "$t" || echo "outside: $t";; esac; done; echo done');
    assert.equal(r.stdout.trim(), 'done', r.stdout + r.stderr);
    // the sshd.log on the host is the agent's copy of sshd's output
    assert.match(readFileSync(join(dp.server.dataDir, 'dataplane', 'instances', a.id, 'sshd.log'), 'utf8'), /Accepted publickey for root from/);
  });

  test('the host\'s processes are out of sight: a PID namespace of its own', async () => {
    // (the quotes keep the marker out of the command line, which the last line prints)
    const r = await ssh(a, `ls /proc | grep -c '^[0-9]*$'; test -e /proc/${process.pid} && echo server""-visible; cat /proc/1/comm; cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '`);
    const [count, ...rest] = r.stdout.trim().split('\n');
    assert.ok(Number(count) > 0 && Number(count) <= 12, `a handful of processes inside, not the host's: ${count}`);
    assert.doesNotMatch(r.stdout, /server-visible/, 'the server\'s pid is not there');
    assert.equal(rest[0], 'bwrap', 'PID 1 is the sandbox\'s init');
    assert.doesNotMatch(rest.slice(1).join('\n'), /\bnode\b|\btsx\b/, 'no process of the server inside');
  });

  test('the host name is the instance\'s: the one given to RunInstances, or the default iZ…Z', async () => {
    assert.equal((await ssh(a, 'hostname')).stdout.trim(), 'web-01');
    const expected = await describeHostName(b.id);
    assert.match(expected, /^iZ[0-9a-z]+Z$/);
    assert.equal((await ssh(b, 'hostname; cat /proc/sys/kernel/hostname')).stdout.trim(), `${expected}\n${expected}`);
  });

  test('the shared image can\'t be changed for others: a write to /bin stays in the writer\'s layer', async () => {
    const w = await ssh(a, `echo x > /bin/${MARK} && cat /bin/${MARK}`);
    assert.equal(w.stdout.trim(), 'x', 'root inside may write its own /bin');
    assert.equal((await ssh(b, `test -e /bin/${MARK} && echo visible; echo done`)).stdout.trim(), 'done', 'another instance never sees it');
    assert.equal(existsSync(join(dp.server.dataDir, 'dataplane', 'image', 'bin', MARK)), false, 'the image on the host is untouched');
    assert.ok(existsSync(join(layerOf(a.id), 'upper', 'bin', MARK)), 'the write is in A\'s layer');
  });

  test('/proc/sys is read-only, the kernel\'s dangerous files are out of reach, no mounts, no dangerous capabilities', async (t) => {
    // each write puts back the value already there: harmless where an instance is the host
    const sysctl = await ssh(a, 'v=$(cat /proc/sys/kernel/core_pattern) && echo "read: $v" && printf \'%s\\n\' "$v" > /proc/sys/kernel/core_pattern && echo wrote');
    assert.match(sysctl.stdout, /^read: /, 'readable');
    assert.doesNotMatch(sysctl.stdout, /wrote/, `kernel.core_pattern was written from inside: ${sysctl.stderr}`);
    if (existsSync('/proc/sysrq-trigger')) {
      // h: the help text (harmless)
      const sysrq = await ssh(a, 'echo h > /proc/sysrq-trigger && echo wrote');
      assert.doesNotMatch(sysrq.stdout, /wrote/, 'sysrq-trigger was written from inside');
    } else {
      t.diagnostic('this kernel has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ off): nothing to write');
      assert.equal((await ssh(a, 'test -e /proc/sysrq-trigger && echo present; echo done')).stdout.trim(), 'done');
    }
    const mount = await ssh(a, 'mount -t tmpfs x /mnt && echo mounted');
    assert.doesNotMatch(mount.stdout, /mounted/);
    assert.match(mount.stderr, /not permitted|denied/i);
    const status = await ssh(a, 'grep -E "^(CapEff|CapPrm|NoNewPrivs)" /proc/self/status; ls /dev; ls /sys | wc -l');
    const field = (name: string) => BigInt(`0x${new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status.stdout)?.[1] ?? 'f'.repeat(16)}`);
    for (const [name, bit] of Object.entries(FORBIDDEN_CAPS)) {
      assert.equal(field('CapEff') & (1n << BigInt(bit)), 0n, `${name} is effective inside`);
      assert.equal(field('CapPrm') & (1n << BigInt(bit)), 0n, `${name} is permitted inside`);
    }
    assert.match(status.stdout, /^NoNewPrivs:\s*1$/m, 'no exec can raise the capabilities again');
    if (existsSync('/bin/ping')) {
      // without raw sockets, iputils' ping (copied into the image) uses ICMP datagram sockets
      const ping = await ssh(a, `ping -c1 -W2 ${b.ip} >/dev/null && echo pong`);
      assert.equal(ping.stdout.trim(), 'pong', `ping from inside: ${ping.stderr}`);
    }
    const dev = status.stdout.trim().split('\n').filter((l) => !/^(CapEff|CapPrm|NoNewPrivs):/.test(l)).slice(0, -1);
    assert.deepEqual(dev.filter((d) => !['core', 'fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero'].includes(d)), [], 'a fresh /dev: none of the host\'s devices');
    assert.equal(status.stdout.trim().split('\n').pop(), '0', 'no /sys');
  });

  test('a file written inside survives a reboot and a stop, not the instance\'s deletion; a reboot ends every process', async () => {
    await ssh(a, `echo kept > /root/${MARK}-note; setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo started`);
    assert.match((await ssh(a, 'pidof sleep')).stdout, /\d/);

    await me.ecs.rebootInstance(new $.RebootInstanceRequest({ instanceId: a.id }));
    await dp.settle();
    const rebooted = await ssh(a, `cat /root/${MARK}-note; pidof sleep || echo 'no sleep'`);
    assert.equal(rebooted.stdout.trim(), 'kept\nno sleep', 'the file stays, the processes end');

    await me.ecs.stopInstance(new $.StopInstanceRequest({ instanceId: a.id }));
    await dp.settle();
    assert.ok(existsSync(join(layerOf(a.id), 'upper', 'root', `${MARK}-note`)), 'a stopped instance keeps its layer');
    await me.ecs.startInstance(new $.StartInstanceRequest({ instanceId: a.id }));
    await dp.settle();
    assert.equal((await ssh(a, `cat /root/${MARK}-note`)).stdout.trim(), 'kept');

    // made first, so that it doesn't take A's address: the client's ARP cache would still name A's MAC
    const fresh = await me.instance({ vSwitchId, groups: [group], keyPairName: 'sandbox' });
    made.push(fresh.id);
    await me.ecs.deleteInstance(new $.DeleteInstanceRequest({ instanceId: a.id, force: true }));
    await dp.settle();
    assert.equal(existsSync(layerOf(a.id)), false, 'the layer goes with the instance');
    assert.equal(existsSync(join(dp.server.dataDir, 'dataplane', 'instances', a.id, 'ssh_host_ed25519_key')), false, 'and so does its host key');
    assert.equal((await ssh(fresh, `cat /root/${MARK}-note 2>/dev/null || echo absent`)).stdout.trim(), 'absent', 'a new instance starts from the image');
  });
});
