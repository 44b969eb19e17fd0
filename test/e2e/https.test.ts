// The TLS listener (PARAPET_TLS_PORT) end to end: its certificate, signed by the local CA made in
// the data dir, verifies for the names clients use; the official ECS SDK over https; the clients
// that speak https only (@alicloud/sts-sdk 1.0, the @alicloud/credentials ram_role_arn provider)
// trusting the CA through NODE_EXTRA_CA_CERTS; `acs:SecureTransport` true over TLS only; the
// certificate kept across restarts; the CA key 0600; plain http beside it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tls from 'node:tls';
import EcsModule from '@alicloud/ecs20140526';
import RamModule from '@alicloud/ram20150501';
import { startTestServer, ecsClient, sdkConfig, sdkError, ROOT, type TestServer } from '../helpers/server.ts';

const CLIENTS = fileURLToPath(new URL('../helpers/https-clients.mjs', import.meta.url));

/** A TLS handshake with `servername` against `port`, trusting `ca` only: the verdict and the certificate's fingerprint. */
function handshake(port: number, servername: string, ca: string): Promise<{ authorized: boolean; error?: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false }, () => {
      const r = { authorized: s.authorized, fingerprint: s.getPeerCertificate().fingerprint256 };
      // the chain verifies; the name is checked by the caller the way https does
      const nameError = tls.checkServerIdentity(servername, s.getPeerCertificate());
      s.end();
      resolve(nameError === undefined ? r : { ...r, authorized: false, error: nameError.message });
    });
    s.on('error', reject);
  });
}

/** Runs test/helpers/https-clients.mjs in a child process that trusts the CA through NODE_EXTRA_CA_CERTS. */
function child(caFile: string, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLIENTS, ...args], { env: { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: caFile }, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err !== null) { reject(new Error(`${err.message}\n${stderr}`)); return; }
      try { resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>); } catch { reject(new Error(`no JSON from the client: ${stdout}\n${stderr}`)); }
    });
  });
}

describe('https: the TLS listener', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parapet-https-'));
  let server: TestServer;
  let ca: string;
  const trust = (principal: string) => JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [principal] } }] });
  const roleArn = `acs:ram::${ROOT.accountId}:role/https-reader`;

  before(async () => {
    server = await startTestServer({ dataDir, env: { PARAPET_TLS_PORT: '0' } });
    ca = readFileSync(server.tls!.caFile, 'utf8');
    const ram = new RamModule.default(sdkConfig(server.endpoint));
    await ram.createRole(new RamModule.CreateRoleRequest({ roleName: 'https-reader', assumeRolePolicyDocument: trust(`acs:ram::${ROOT.accountId}:root`) }));
    await ram.attachPolicyToRole(new RamModule.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: 'https-reader' }));
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the CA and the server certificate live in the data dir: keys 0600, the folder 0700', () => {
    assert.equal(server.tls!.caFile, join(dataDir, 'tls', 'ca.crt'));
    assert.deepEqual(server.tls!.made, { ca: true, server: true });
    assert.equal(statSync(join(dataDir, 'tls', 'ca.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dataDir, 'tls', 'server.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dataDir, 'tls')).mode & 0o777, 0o700);
    assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
  });

  test('the certificate verifies against the CA for the names clients use, and for no other', async () => {
    const port = server.tls!.port;
    for (const name of ['localhost', 'ecs.aliyuncs.com', 'ecs-cn-hangzhou.aliyuncs.com', 'ecs.cn-hangzhou.aliyuncs.com', 'sts.aliyuncs.com', 'ram.aliyuncs.com',
      'vpc.aliyuncs.com', 'vpc.eu-central-1.aliyuncs.com', 'sts-vpc.ap-southeast-1.aliyuncs.com']) {
      const r = await handshake(port, name, ca);
      assert.ok(r.authorized, `${name}: ${r.error ?? 'refused'}`);
    }
    // a wildcard covers one label; a region Parapet does not serve, or another domain, is not named
    for (const name of ['ecs.cn-nowhere-9.aliyuncs.com', 'example.com']) {
      assert.equal((await handshake(port, name, ca)).authorized, false, name);
    }
  });

  test('the official ECS SDK over https with the CA; refused without it; http still answers beside it', async () => {
    const https = ecsClient(server.tls!.endpoint, ROOT, { protocol: 'https', ca });
    const regions = await https.describeRegions(new EcsModule.DescribeRegionsRequest({}));
    assert.ok(regions.body!.regions!.region!.some((r) => r.regionId === 'cn-hangzhou'));
    const vpcs = await https.describeSecurityGroups(new EcsModule.DescribeSecurityGroupsRequest({ regionId: 'cn-hangzhou' }));
    assert.equal(vpcs.statusCode, 200);
    // an error over https is the same Alibaba error
    assert.equal((await sdkError(https.describeSecurityGroups(new EcsModule.DescribeSecurityGroupsRequest({ regionId: 'cn-nowhere' })))).code, 'InvalidRegionId.NotFound');
    // the certificate is really checked: without the CA the handshake fails
    const untrusted = await sdkError(ecsClient(server.tls!.endpoint, ROOT, { protocol: 'https' }).describeRegions(new EcsModule.DescribeRegionsRequest({})));
    assert.match(String(untrusted.message ?? untrusted), /certificate|self.signed|issuer/i);
    const plain = await ecsClient(server.endpoint).describeRegions(new EcsModule.DescribeRegionsRequest({}));
    assert.equal(plain.body!.regions!.region!.length, regions.body!.regions!.region!.length);
  });

  test('@alicloud/sts-sdk 1.0 (https only): GetCallerIdentity and AssumeRole', async () => {
    const r = await child(server.tls!.caFile, ['sts-sdk', `localhost:${server.tls!.port}`, ROOT.accessKeyId, ROOT.accessKeySecret, roleArn]);
    assert.equal(r['error'], undefined, JSON.stringify(r));
    const who = r['who'] as Record<string, string>;
    assert.equal(who['AccountId'], ROOT.accountId);
    assert.equal(who['Arn'], `acs:ram::${ROOT.accountId}:root`);
    const assumed = r['assumed'] as { Credentials: Record<string, string>; AssumedRoleUser: Record<string, string> };
    assert.match(assumed.Credentials['AccessKeyId']!, /^STS\./);
    assert.equal(assumed.AssumedRoleUser['Arn'], `acs:ram::${ROOT.accountId}:assumed-role/https-reader/sts-sdk-session`);
  });

  test('the @alicloud/credentials ram_role_arn provider fetches credentials from Parapet\'s STS over https', async () => {
    const endpoint = `localhost:${server.tls!.port}`;
    const r = await child(server.tls!.caFile, ['ram-role-arn', endpoint, endpoint, ROOT.accessKeyId, ROOT.accessKeySecret, roleArn]);
    assert.equal(r['error'], undefined, JSON.stringify(r));
    assert.match(String(r['accessKeyId']), /^STS\./);
    assert.equal(r['hasToken'], true);
    assert.ok(Number(r['regions']) > 0);
  });

  test('acs:SecureTransport is true over TLS only', async () => {
    const ram = new RamModule.default(sdkConfig(server.endpoint));
    await ram.createUser(new RamModule.CreateUserRequest({ userName: 'tls-only' }));
    const doc = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeSecurityGroups', Resource: '*', Condition: { Bool: { 'acs:SecureTransport': 'true' } } }] });
    await ram.createPolicy(new RamModule.CreatePolicyRequest({ policyName: 'tls-only', policyDocument: doc }));
    await ram.attachPolicyToUser(new RamModule.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'tls-only', userName: 'tls-only' }));
    const k = (await ram.createAccessKey(new RamModule.CreateAccessKeyRequest({ userName: 'tls-only' }))).body!.accessKey!;
    const creds = { accessKeyId: k.accessKeyId!, accessKeySecret: k.accessKeySecret! };
    const req = () => new EcsModule.DescribeSecurityGroupsRequest({ regionId: 'cn-hangzhou' });
    assert.equal((await ecsClient(server.tls!.endpoint, creds, { protocol: 'https', ca }).describeSecurityGroups(req())).statusCode, 200);
    assert.equal((await sdkError(ecsClient(server.endpoint, creds).describeSecurityGroups(req()))).code, 'Forbidden.RAM');
  });

  test('a restart on the same data dir keeps the CA and the certificate', async () => {
    const before = await handshake(server.tls!.port, 'ecs.aliyuncs.com', ca);
    const caKey = readFileSync(join(dataDir, 'tls', 'ca.key'), 'utf8');
    await server.stop();
    server = await startTestServer({ dataDir, env: { PARAPET_TLS_PORT: '0' } });
    assert.deepEqual(server.tls!.made, { ca: false, server: false });
    assert.equal(readFileSync(join(dataDir, 'tls', 'ca.key'), 'utf8'), caKey);
    const after = await handshake(server.tls!.port, 'ecs.aliyuncs.com', ca);
    assert.ok(after.authorized);
    assert.equal(after.fingerprint, before.fingerprint);
  });
});

describe('https: off unless PARAPET_TLS_PORT is set', () => {
  test('no TLS listener and no tls folder by default', async () => {
    const server = await startTestServer();
    try {
      assert.equal(server.tls, undefined);
      assert.throws(() => statSync(join(server.dataDir, 'tls')), /ENOENT/);
    } finally {
      await server.stop();
    }
  });
});
