// `parapet agent` as its own process beside `parapet serve` (root, real kernel; CI runs it): the
// server writes, the agent (same store variables) builds the instance's namespace from the store,
// serves its metadata and the API inside it, and on SIGTERM removes everything it made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootTestOptions, nsExec, run } from '../helpers/netns.ts';
import { Tenant, leftovers } from '../helpers/dataplane.ts';
import { ecsClient, vpcClient } from '../helpers/server.ts';

const BIN = fileURLToPath(new URL('../../bin/parapet.ts', import.meta.url));
const PREFIX = `pda${process.pid % 10000}-`;
const creds = { accessKeyId: 'LTAIstandaloneagent01', accessKeySecret: 'standalone-agent-secret-01' };

function start(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((f) => setTimeout(f, 100));
  }
}

test('parapet agent beside parapet serve: builds from the store, serves inside, cleans up on SIGTERM', rootTestOptions(), async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-standalone-'));
  const env: Record<string, string> = {
    PARAPET_DATA_DIR: dir, PARAPET_PORT: '0', PARAPET_ACCOUNT_ID: '5555666677778888', PARAPET_ROOT_ACCESS_KEY_ID: creds.accessKeyId,
    PARAPET_ROOT_ACCESS_KEY_SECRET: creds.accessKeySecret, PARAPET_DATAPLANE_PREFIX: PREFIX, PARAPET_LOG_LEVEL: 'warn',
  };
  const serve = start(['serve'], env);
  let agent: ReturnType<typeof start> | undefined;
  let instanceId = '';
  try {
    await until('the server', () => /listening on http:\/\/[\d.]+:\d+/.test(serve.output()));
    const port = /listening on http:\/\/[\d.]+:(\d+)/.exec(serve.output())![1]!;
    env['PARAPET_API_URL'] = `http://127.0.0.1:${port}`;
    agent = start(['agent'], env);
    await until('the agent', () => agent!.output().includes('agent running'));
    const me = new Tenant(ecsClient(`127.0.0.1:${port}`, creds), vpcClient(`127.0.0.1:${port}`, creds), 'cn-zhangjiakou');
    const net = await me.network('10.9.0.0/16', '10.9.1.0/24', 'cn-zhangjiakou-a');
    const i = await me.instance({ vSwitchId: net.vSwitchId, groups: [await me.group(net.vpcId)] });
    instanceId = i.id;
    await until('the instance namespace', () => leftovers(PREFIX, [i.id]).includes(i.id));
    const ask = async (host: string, path: string) => (await nsExec(i.id, ['bash', '-c', `exec 3<>/dev/tcp/${host}/80 && printf 'GET ${path} HTTP/1.0\\r\\n\\r\\n' >&3 && timeout 3 cat <&3`], 5000)).stdout;
    await until('metadata', async () => (await ask('100.100.100.200', '/latest/meta-data/instance-id')).endsWith(i.id));
    assert.match(await ask('100.100.100.100', '/healthz'), /^HTTP\/1\.1 200/, 'the API from inside the instance');
    agent.child.kill('SIGTERM');
    assert.equal(await agent.exited, 0);
    assert.deepEqual(leftovers(PREFIX, [i.id]), [], 'SIGTERM removes everything the agent made');
  } finally {
    agent?.child.kill('SIGKILL');
    serve.child.kill('SIGKILL');
    await serve.exited;
    if (leftovers(PREFIX, instanceId === '' ? [] : [instanceId]).length > 0) await run(process.execPath, ['--import', 'tsx', BIN, 'agent', '--cleanup'], 30_000, env);
    rmSync(dir, { recursive: true, force: true });
  }
});
