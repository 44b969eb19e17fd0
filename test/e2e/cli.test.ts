// `parapet serve` as a user starts it (npm start runs exactly this), and `parapet admin`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import VpcModule from '@alicloud/vpc20160428';
import { vpcClient } from '../helpers/server.ts';

const BIN = fileURLToPath(new URL('../../bin/parapet.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

interface Started { output: () => string; endpoint: string; stop: () => Promise<void> }

async function serve(env: Record<string, string>): Promise<Started> {
  const child = spawn(TSX, [BIN, 'serve'], { env: { ...process.env, PARAPET_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 20000);
    const poll = setInterval(() => {
      const m = /Parapet listening on http:\/\/([0-9.]+:[0-9]+)/.exec(out);
      if (m) { clearInterval(poll); clearTimeout(timer); resolve(m[1]!); }
    }, 50);
    child.once('exit', (code) => { clearInterval(poll); clearTimeout(timer); reject(new Error(`exited ${code}: ${out}`)); });
  });
  return {
    output: () => out,
    endpoint,
    stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
  };
}

test('first start creates an account and prints its key once; secrets never reach the log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-cli-'));
  try {
    const first = await serve({ PARAPET_DATA_DIR: dir });
    const m = /account (\d{16})\.\n\s+root AccessKey ID:\s+(\S+)\n\s+root AccessKey secret:\s+(\S+)/.exec(first.output());
    assert.ok(m, first.output());
    const [, accountId, accessKeyId, secret] = m;
    const vpc = vpcClient(first.endpoint, { accessKeyId: accessKeyId!, accessKeySecret: secret! });
    await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: 'cn-hangzhou', vpcName: 'cli' }));
    const described = await vpc.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' }));
    assert.equal(String(described.body!.vpcs!.vpc![0]!.ownerId), accountId);
    await first.stop();
    const logLines = first.output().split('\n').filter((l) => l.startsWith('{'));
    assert.ok(logLines.length >= 2, 'one structured log line per request');
    assert.ok(logLines.every((l) => !l.includes(secret!)), 'the secret is not in any log line');
    const second = await serve({ PARAPET_DATA_DIR: dir });
    await second.stop();
    assert.ok(!second.output().includes(secret!), 'the secret is printed only on the first start');
    assert.ok(!second.output().includes('created account'));

    const created = JSON.parse(execFileSync(TSX, [BIN, 'admin', 'create-account'], { env: { ...process.env, PARAPET_DATA_DIR: dir } }).toString()) as { AccountId: string; AccessKeyId: string; AccessKeySecret: string };
    assert.match(created.AccountId, /^\d{16}$/);
    assert.notEqual(created.AccountId, accountId);
    const third = await serve({ PARAPET_DATA_DIR: dir });
    try {
      const theirs = vpcClient(third.endpoint, { accessKeyId: created.AccessKeyId, accessKeySecret: created.AccessKeySecret });
      const list = await theirs.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: 'cn-hangzhou' }));
      assert.equal(list.body!.totalCount, 0, 'the new account sees nothing of the first');
    } finally {
      await third.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('preset credentials from the environment are used and not printed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-cli-'));
  try {
    const s = await serve({ PARAPET_DATA_DIR: dir, PARAPET_ACCOUNT_ID: '1000000000000042', PARAPET_ROOT_ACCESS_KEY_ID: 'LTAIpresetkey0001', PARAPET_ROOT_ACCESS_KEY_SECRET: 'preset-secret-value-01' });
    try {
      const vpc = vpcClient(s.endpoint, { accessKeyId: 'LTAIpresetkey0001', accessKeySecret: 'preset-secret-value-01' });
      const r = await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: 'cn-hangzhou' }));
      assert.match(r.body!.vpcId!, /^vpc-/);
    } finally {
      await s.stop();
    }
    assert.ok(!s.output().includes('preset-secret-value-01'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
