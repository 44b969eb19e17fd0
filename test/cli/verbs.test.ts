// Parapet's own verbs of the `parapet` command, run as a user runs them (a child process against a
// test server): `sg rules` in deciding order, `sg export` to a file and to standard output,
// `exposure` riskiest first, `keypair create` writing the key 0600 and never over a file,
// `status`; and their errors (a missing argument, not found, forbidden) with the server's code.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWith, cleanEnv, PARAPET_BIN } from '../helpers/cli.ts';
import { startTestServer, callRpc, ROOT, type TestServer } from '../helpers/server.ts';

const R = 'cn-hangzhou';
const ECS = '2014-05-26';

describe('the parapet command: its own verbs', () => {
  let server: TestServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const parapet = (args: string[], extra: NodeJS.ProcessEnv = {}) => runWith(process.execPath, [PARAPET_BIN, ...args], { ...env, ...extra }, dir);
  let group: string;

  before(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'parapet-verbs-'));
    env = { ...cleanEnv(), HOME: dir, PARAPET_ENDPOINT: server.endpoint, ALIBABA_CLOUD_ACCESS_KEY_ID: ROOT.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ROOT.accessKeySecret };
    const vpc = await callRpc(server.endpoint, 'CreateVpc', '2016-04-28', { RegionId: R, CidrBlock: '10.0.0.0/16' });
    const vsw = await callRpc(server.endpoint, 'CreateVSwitch', '2016-04-28', { RegionId: R, VpcId: String(vpc['VpcId']), ZoneId: 'cn-hangzhou-h', CidrBlock: '10.0.1.0/24' });
    group = String((await callRpc(server.endpoint, 'CreateSecurityGroup', ECS, { RegionId: R, VpcId: String(vpc['VpcId']), SecurityGroupName: 'web' }))['SecurityGroupId']);
    await callRpc(server.endpoint, 'AuthorizeSecurityGroup', ECS, { RegionId: R, SecurityGroupId: group,
      'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '443/443', 'Permissions.1.SourceCidrIp': '0.0.0.0/0', 'Permissions.1.Priority': '50',
      'Permissions.2.IpProtocol': 'tcp', 'Permissions.2.PortRange': '22/22', 'Permissions.2.SourceCidrIp': '0.0.0.0/0', 'Permissions.2.Priority': '10',
      'Permissions.3.IpProtocol': 'tcp', 'Permissions.3.PortRange': '3389/3389', 'Permissions.3.SourceCidrIp': '198.51.100.0/24', 'Permissions.3.Priority': '10', 'Permissions.3.Policy': 'drop' });
    await callRpc(server.endpoint, 'RunInstances', ECS, { RegionId: R, ImageId: 'ubuntu_22_04_x64_20G_alibase_20240101.vhd', InstanceType: 'ecs.g5.large', VSwitchId: String(vsw['VSwitchId']), SecurityGroupId: group, InternetMaxBandwidthOut: '5' });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('sg rules: a table in deciding order (priority, then drop before accept); --json for scripts', async () => {
    const r = await parapet(['sg', 'rules', group]);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.split('\n').filter((l) => /^\d+ /.test(l));
    assert.deepEqual(rows.map((l) => l.split(/\s+/).slice(1, 6).join(' ')), ['ingress 10 Drop TCP 3389/3389', 'ingress 10 Accept TCP 22/22', 'ingress 50 Accept TCP 443/443']);
    const j = JSON.parse((await parapet(['sg', 'rules', group, '--json'])).stdout) as Array<{ Priority: number; Policy: string }>;
    assert.deepEqual(j.map((p) => `${p.Priority}${p.Policy}`), ['10Drop', '10Accept', '50Accept']);
  });

  test('sg export: to a file and to standard output, JSON or CSV', async () => {
    assert.equal((await parapet(['sg', 'export', group, '-o', 'rules.json'])).code, 0);
    const exported = JSON.parse(readFileSync(join(dir, 'rules.json'), 'utf8')) as unknown;
    assert.ok(JSON.stringify(exported).includes('198.51.100.0/24'));
    const csv = await parapet(['sg', 'export', group, '--format', 'csv']);
    assert.equal(csv.code, 0);
    assert.equal(csv.stdout.trim().split('\n').length, 4, 'a header and three rules');
  });

  test('exposure: riskiest first, naming the rules', async () => {
    const r = await parapet(['exposure']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.split('\n').slice(2).filter((l) => l !== '');
    assert.ok(rows.length >= 2);
    assert.match(rows[0]!, /^high\s+i-\S+\s+\S+\s+TCP\s+22\/22\s+everyone/);
    assert.match(rows.at(-1)!, /443\/443/);
  });

  test('keypair create: the key in <name>.pem, 0600, never over a file; -o - prints it', async () => {
    const r = await parapet(['keypair', 'create', 'ops']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '', 'the key is not printed');
    assert.equal(statSync(join(dir, 'ops.pem')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, 'ops.pem'), 'utf8'), /^-----BEGIN (RSA |OPENSSH )?PRIVATE KEY-----/);
    writeFileSync(join(dir, 'taken.pem'), 'mine');
    const again = await parapet(['keypair', 'create', 'other', '-o', 'taken.pem']);
    assert.equal(again.code, 2);
    assert.equal(readFileSync(join(dir, 'taken.pem'), 'utf8'), 'mine');
    const pairs = await callRpc(server.endpoint, 'DescribeKeyPairs', ECS, { RegionId: R });
    assert.equal(pairs['TotalCount'], 1, 'nothing was created when the file was taken');
    const out = await parapet(['keypair', 'create', 'piped', '-o', '-']);
    assert.match(out.stdout, /PRIVATE KEY-----\n$/);
  });

  test('sg import: the preview first; --yes imports exactly the previewed rules, one by one, with progress', async () => {
    const target = String((await callRpc(server.endpoint, 'CreateSecurityGroup', ECS, { RegionId: R, SecurityGroupName: 'imported' }))['SecurityGroupId']);
    // 100 entries: 96 good ones, two copies of earlier ones, one bad port range, one unknown protocol
    const perms: Array<Record<string, string>> = [];
    for (let i = 0; i < 96; i++) perms.push({ Direction: 'ingress', IpProtocol: 'tcp', PortRange: `${8000 + i}/${8000 + i}`, SourceCidrIp: `10.${i}.0.0/16`, Policy: 'Accept', Priority: '10' });
    perms.push({ ...perms[3]! }, { ...perms[7]! }, { Direction: 'ingress', IpProtocol: 'tcp', PortRange: '9/1', SourceCidrIp: '0.0.0.0/0', Policy: 'Accept', Priority: '1' }, { Direction: 'ingress', IpProtocol: 'sctp', PortRange: '1/1', SourceCidrIp: '0.0.0.0/0', Policy: 'Accept', Priority: '1' });
    writeFileSync(join(dir, 'hundred.json'), JSON.stringify({ Permissions: { Permission: perms } }));
    const preview = await parapet(['sg', 'import', target, 'hundred.json']);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /96 of 100 rules can be imported/);
    assert.match(preview.stdout, /run again with --yes/);
    const describe = async () => ((await callRpc(server.endpoint, 'DescribeSecurityGroupAttribute', ECS, { RegionId: R, SecurityGroupId: target }))['Permissions'] as { Permission: Array<{ PortRange: string; SourceCidrIp: string }> }).Permission;
    assert.equal((await describe()).length, 0, 'the preview changes nothing');
    const applied = await parapet(['sg', 'import', target, 'hundred.json', '--yes']);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /imported 96 of 96 rules/);
    const bars = applied.stderr.split('\n').filter((l) => l.startsWith('importing ['));
    assert.ok(bars.length >= 10, `progress as it goes: ${applied.stderr}`);
    assert.match(bars.at(-1)!, /\] 96\/96$/);
    const rules = await describe();
    assert.deepEqual(rules.map((r) => `${r.PortRange} ${r.SourceCidrIp}`).sort(), perms.slice(0, 96).map((p) => `${p.PortRange} ${p.SourceCidrIp}`).sort(), 'exactly the previewed rules');
  });

  test('sg restore: the preview (+ to add, - to remove), applied with --yes; sg clone', async () => {
    const other = String((await callRpc(server.endpoint, 'CreateSecurityGroup', ECS, { RegionId: R, SecurityGroupName: 'other' }))['SecurityGroupId']);
    await callRpc(server.endpoint, 'AuthorizeSecurityGroup', ECS, { RegionId: R, SecurityGroupId: other, 'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '80/80', 'Permissions.1.SourceCidrIp': '0.0.0.0/0' });
    const classic = String((await callRpc(server.endpoint, 'CreateSecurityGroup', ECS, { RegionId: R, SecurityGroupName: 'restored' }))['SecurityGroupId']);
    await callRpc(server.endpoint, 'AuthorizeSecurityGroup', ECS, { RegionId: R, SecurityGroupId: classic, 'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '21/21', 'Permissions.1.SourceCidrIp': '0.0.0.0/0' });
    const preview = await parapet(['sg', 'restore', classic, '--from', other]);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /^\+ ingress 1 Accept TCP 80\/80 0\.0\.0\.0\/0\n- ingress 1 Accept TCP 21\/21 0\.0\.0\.0\/0 \(sgr-\S+\)\n/);
    assert.match(preview.stdout, /1 to add, 1 to remove/);
    const partial = await parapet(['sg', 'restore', classic, '--from', other, '--partial']);
    assert.match(partial.stdout, /1 to add, 0 to remove/);
    assert.match((await parapet(['sg', 'restore', classic, '--from', other, '--yes'])).stdout, /added 1, removed 1/);
    const cloned = await parapet(['sg', 'clone', other, '--to-region', 'cn-shanghai', '--name', 'copy', '--json']);
    assert.equal(cloned.code, 0, cloned.stderr);
    const c = JSON.parse(cloned.stdout) as { SecurityGroupId: string; ClonedCount: number };
    assert.equal(c.ClonedCount, 1);
    const there = await callRpc(server.endpoint, 'DescribeSecurityGroups', ECS, { RegionId: 'cn-shanghai' });
    assert.deepEqual((there['SecurityGroups'] as { SecurityGroup: Array<{ SecurityGroupId: string }> }).SecurityGroup.map((g) => g.SecurityGroupId), [c.SecurityGroupId]);
  });

  test('status, and errors: a missing argument, not found, forbidden', async () => {
    const s = await parapet(['status']);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /Identity\s+acs:ram::1234567890123456:root/);
    assert.match(s.stdout, /Health\s+ready\n/);
    assert.match(s.stdout, /DataPlane\s+(not on this machine|running on this machine)/);
    assert.match(s.stdout, /SecurityGroups\s+\d+\n/);
    assert.match(s.stdout, /Instances\s+1\n/);
    assert.equal((await parapet(['sg', 'rules'])).code, 2);
    const missing = await parapet(['sg', 'rules', 'sg-nothere0000000000000']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ErrorCode: InvalidSecurityGroupId\.NotFound\nRequestId: \S+\nMessage: /);
    await callRpc(server.endpoint, 'CreateUser', '2015-05-01', { UserName: 'nobody' });
    const k = (await callRpc(server.endpoint, 'CreateAccessKey', '2015-05-01', { UserName: 'nobody' }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
    const nobody = { ALIBABA_CLOUD_ACCESS_KEY_ID: k.AccessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: k.AccessKeySecret };
    writeFileSync(join(dir, 'one.json'), JSON.stringify({ Permissions: [{ Direction: 'ingress', IpProtocol: 'tcp', PortRange: '1/1', SourceCidrIp: '10.0.0.0/8' }] }));
    const ghost = 'sg-nothere0000000000000';
    // each verb: without its argument a usage error (2); on a missing group the server's NotFound; for a user without permission the server's refusal
    const verbs: Array<{ usage: string[]; notFound?: string[]; forbidden: string[] }> = [
      { usage: ['sg', 'rules'], notFound: ['sg', 'rules', ghost], forbidden: ['sg', 'rules', group] },
      { usage: ['sg', 'export'], notFound: ['sg', 'export', ghost], forbidden: ['sg', 'export', group] },
      { usage: ['sg', 'import', group], notFound: ['sg', 'import', ghost, 'one.json'], forbidden: ['sg', 'import', group, 'one.json'] },
      { usage: ['sg', 'restore', group], notFound: ['sg', 'restore', ghost, '--from', group], forbidden: ['sg', 'restore', group, '--from', group] },
      { usage: ['sg', 'clone'], notFound: ['sg', 'clone', ghost], forbidden: ['sg', 'clone', group] },
      { usage: ['keypair', 'create'], forbidden: ['keypair', 'create', 'nope', '-o', '-'] },
      { usage: ['ssh'], forbidden: ['ssh', 'i-nothere'] },
      { usage: ['sg', 'nothing'], forbidden: ['exposure'] },
      { usage: ['sg'], forbidden: ['status'] },
    ];
    for (const v of verbs) {
      const u = await parapet(v.usage);
      assert.equal(u.code, 2, `${v.usage.join(' ')}: ${u.stderr}`);
      assert.match(u.stderr, /^ERROR: /);
      if (v.notFound !== undefined) {
        const n = await parapet(v.notFound);
        assert.equal(n.code, 1, `${v.notFound.join(' ')}: ${n.stderr}`);
        assert.match(n.stderr, /ErrorCode: InvalidSecurityGroupId\.NotFound\nRequestId: \S+\nMessage: \S/, v.notFound.join(' '));
      }
      const f = await parapet(v.forbidden, nobody);
      assert.equal(f.code, 1, `${v.forbidden.join(' ')}: ${f.stderr}`);
      assert.match(f.stderr, /ErrorCode: (Forbidden\.RAM|NoPermission)\nRequestId: \S+\nMessage: \S/, v.forbidden.join(' '));
    }
  });
});
