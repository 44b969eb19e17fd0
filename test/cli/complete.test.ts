// Shell completion of the `parapet` command: the candidates `parapet __complete` gives (products,
// operations, parameters, the current region's ids), and the bash script really completing them
// (and zsh's script at least parsing).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWith, PARAPET_BIN } from '../helpers/cli.ts';
import { startTestServer, callRpc, ROOT, type TestServer } from '../helpers/server.ts';

const BIN = PARAPET_BIN;

describe('parapet completion', () => {
  let server: TestServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = (cmd: string, args: string[]) => runWith(cmd, args, env);
  const complete = async (...words: string[]) => (await run(process.execPath, [BIN, '__complete', ...words])).stdout.split('\n').filter((l) => l !== '');

  before(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'parapet-complete-'));
    // `parapet` on the PATH, as `npm link` would put it
    symlinkSync(BIN, join(dir, 'parapet'));
    env = { ...process.env, HOME: dir, PATH: `${dir}:${process.env['PATH'] ?? ''}`, PARAPET_ENDPOINT: server.endpoint, ALIBABA_CLOUD_ACCESS_KEY_ID: ROOT.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ROOT.accessKeySecret };
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('candidates: products and verbs, operations, parameters not given yet, the region\'s ids', async () => {
    assert.deepEqual((await complete()).slice(0, 3), ['ecs', 'vpc', 'ram']);
    assert.ok((await complete()).includes('configure'));
    assert.ok((await complete('ecs')).includes('DescribeSecurityGroups'));
    const params = await complete('ecs', 'AuthorizeSecurityGroup', '--RegionId', 'cn-hangzhou');
    assert.ok(params.includes('--SecurityGroupId') && params.includes('--Permissions.1.IpProtocol') && params.includes('--output'));
    assert.ok(!params.includes('--RegionId'), 'a parameter given is not offered again');
    const sg = String((await callRpc(server.endpoint, 'CreateSecurityGroup', '2014-05-26', { RegionId: 'cn-hangzhou' }))['SecurityGroupId']);
    assert.deepEqual(await complete('ecs', 'DescribeSecurityGroupAttribute', '--SecurityGroupId'), [sg]);
    assert.deepEqual(await complete('nothing'), []);
  });

  test('the bash script completes; the zsh script parses', async () => {
    const script = (await run(process.execPath, [BIN, 'completion', 'bash'])).stdout;
    const bash = (line: string, cword: number) => spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${line}); COMP_CWORD=${cword}; _parapet; printf '%s\\n' "\${COMPREPLY[@]}"`], { env, encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '');
    assert.deepEqual(bash('parapet ecs DescribeSecurityGroupAt', 2), ['DescribeSecurityGroupAttribute']);
    assert.ok(bash('parapet ecs AuthorizeSecurityGroup --Permissions.1.Po', 3).includes('--Permissions.1.PortRange'));
    const zsh = (await run(process.execPath, [BIN, 'completion', 'zsh'])).stdout;
    assert.match(zsh, /^#compdef parapet\n/);
    if (spawnSync('zsh', ['--version']).status === 0) assert.equal(spawnSync('zsh', ['-n', '-c', zsh]).status, 0);
    assert.equal((await run(process.execPath, [BIN, 'completion', 'fish'])).code, 2);
  });
});
