// The web console's server side on a real server, without a browser (fetch with cookies): sign-in
// by AccessKey (root, RAM user) and by password (the forced change, MFA codes), the cookie, CSRF,
// sign-out, expiry, an AccessKey session ending with its key, sessions surviving a restart, the
// frame's capabilities (the Security Center alerts only for whom may read them), `call`
// answering what the signed API answers (success, error, RAM refusal, an action not in the
// catalog), the built console's files (a file, the SPA fallback, the missing build, path
// traversal), `GET /` from a browser, and the RPC API on `/` as before.
import { describe, test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { startTestServer, callRpc, cleanups, ROOT, type TestServer, type Creds } from '../helpers/server.ts';
import { buildSigned, send } from '../helpers/sign.ts';
import { ManualClock } from '../../src/clock.ts';

const A = ROOT.accountId;
const RAM = '2015-05-01';
const ECS = '2014-05-26';

interface Answer { status: number; headers: Headers; json: Record<string, unknown>; text: string; cookie: string | undefined }

/** A browser's part: a cookie jar of one cookie and the session's CSRF token. */
class Browser {
  cookie: string | undefined;
  csrf = '';
  constructor(private readonly base: string) {}

  async fetch(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie !== undefined) h['cookie'] = this.cookie;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers: h, redirect: 'manual', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* not JSON */ }
    const setCookie = res.headers.get('set-cookie') ?? undefined;
    if (setCookie !== undefined) {
      const value = setCookie.split(';')[0]!;
      this.cookie = value.endsWith('=') ? undefined : value;
    }
    return { status: res.status, headers: res.headers, json, text, cookie: setCookie };
  }

  async signIn(body: Record<string, unknown>): Promise<Answer> {
    const r = await this.fetch('POST', '/console/api/session', body);
    if (r.status === 200 && typeof r.json['csrfToken'] === 'string') this.csrf = r.json['csrfToken'];
    return r;
  }

  /** `csrf` null: the header is left out */
  call(product: string, action: string, params: Record<string, string> = {}, csrf: string | null = this.csrf): Promise<Answer> {
    return this.fetch('POST', '/console/api/call', { product, action, params }, csrf === null ? {} : { 'x-csrf-token': csrf });
  }
}

/** The signed API's answer for the same call: status and JSON body. */
async function signed(server: TestServer, creds: Creds, version: string, action: string, params: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await send(server.endpoint, buildSigned({ endpoint: server.endpoint, accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret, version, action, params }));
  return { status: r.status, json: r.json ?? {} };
}

const withoutRequestId = (j: Record<string, unknown>): Record<string, unknown> => {
  const rest = { ...j };
  delete rest['RequestId'];
  return rest;
};

/** A raw GET, the path sent as written (fetch would normalize `..` away). */
function rawGet(endpoint: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string; location: string | undefined }> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method: 'GET', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8'), location: res.headers.location }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the web console: sessions and the bridge', () => {
  let server: TestServer;
  let clock: ManualClock;
  let dataDir: string;
  let reader: Creds;
  before(async () => {
    clock = new ManualClock(Date.now());
    dataDir = mkdtempSync(join(tmpdir(), 'parapet-console-'));
    server = await startTestServer({ clock, dataDir });
    await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: 'rita' });
    const k = (await callRpc(server.endpoint, 'CreateAccessKey', RAM, { UserName: 'rita' }))['AccessKey'] as Record<string, string>;
    reader = { accessKeyId: k['AccessKeyId']!, accessKeySecret: k['AccessKeySecret']! };
    await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess', UserName: 'rita' });
  });
  after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('AccessKey sign-in (root): the session, its cookie, and no secret in any answer', async () => {
    const b = new Browser(server.url);
    const r = await b.signIn({ kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json['state'], 'signedIn');
    assert.deepEqual(r.json['identity'], { accountId: A, display: `root@${A}` });
    assert.match(String(r.json['csrfToken']), /^[A-Za-z0-9_-]{40,}$/);
    const expires = Date.parse(String(r.json['expiresAt']));
    assert.ok(Math.abs(expires - (clock.now() + 6 * 3600_000)) < 2000, `expires in 6 hours: ${String(r.json['expiresAt'])}`);
    assert.match(r.cookie!, /^parapet_console=[A-Za-z0-9_-]{40,}; HttpOnly; SameSite=Strict; Path=\/console$/, 'HttpOnly, SameSite=Strict, Path=/console, not Secure over plain HTTP');
    assert.ok(!r.text.includes(ROOT.accessKeySecret), 'the secret is never sent back');
    const again = await b.fetch('GET', '/console/api/session');
    assert.equal(again.status, 200);
    assert.deepEqual(withoutRequestId(again.json), withoutRequestId(r.json));
    // the store keeps a digest of the id, never the id (nor the secret)
    const rows = await server.store.db.selectFrom('console_sessions').selectAll().execute();
    const stored = JSON.stringify(rows);
    assert.ok(!stored.includes(b.cookie!.split('=')[1]!) && !stored.includes(ROOT.accessKeySecret));

    const wrong = await new Browser(server.url).signIn({ kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: 'not-the-secret' });
    assert.deepEqual([wrong.status, wrong.json['Code'], wrong.cookie], [401, 'SignIn.Failed', undefined]);
    assert.equal(typeof wrong.json['RequestId'], 'string');
    const unknown = await new Browser(server.url).signIn({ kind: 'accessKey', accessKeyId: 'LTAInobody', accessKeySecret: 'x' });
    assert.deepEqual([unknown.status, unknown.json['Code']], [401, 'SignIn.Failed'], 'an unknown key answers as a wrong secret');
    const bad = await new Browser(server.url).signIn({ kind: 'accessKey', accessKeyId: ROOT.accessKeyId });
    assert.deepEqual([bad.status, bad.json['Code']], [400, 'MissingParameter']);
    const notJson = await fetch(server.url + '/console/api/session', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret }) });
    assert.equal(notJson.status, 400, 'a form-like body (a cross-site form could send one) is refused');
    assert.equal(notJson.headers.get('set-cookie'), null);
  });

  test('call answers what the signed API answers: a success, an error, and an action not in the catalog', async () => {
    const b = new Browser(server.url);
    await b.signIn({ kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret });
    const regions = await b.call('ecs', 'DescribeRegions');
    const viaApi = await signed(server, ROOT, ECS, 'DescribeRegions', {});
    assert.equal(regions.status, 200);
    assert.deepEqual([regions.status, withoutRequestId(regions.json)], [viaApi.status, withoutRequestId(viaApi.json)]);
    assert.equal(regions.headers.get('x-acs-request-id'), regions.json['RequestId']);

    const params = { RegionId: 'cn-hangzhou', SecurityGroupId: 'sg-doesnotexist0000000' };
    const missing = await b.call('ecs', 'DescribeSecurityGroupAttribute', params);
    const missingApi = await signed(server, ROOT, ECS, 'DescribeSecurityGroupAttribute', params);
    assert.ok(missing.status >= 400, missing.text);
    assert.deepEqual([missing.status, withoutRequestId(missing.json)], [missingApi.status, withoutRequestId(missingApi.json)]);

    // flattened parameters are unflattened as the wire does: a group with a rule of two objects
    const vpc = await b.call('vpc', 'CreateVpc', { RegionId: 'cn-hangzhou', CidrBlock: '10.0.0.0/16' });
    assert.equal(vpc.status, 200, vpc.text);
    const sg = await b.call('ecs', 'CreateSecurityGroup', { RegionId: 'cn-hangzhou', VpcId: String(vpc.json['VpcId']) });
    const sgId = String(sg.json['SecurityGroupId']);
    const rules = await b.call('ecs', 'AuthorizeSecurityGroup', {
      RegionId: 'cn-hangzhou', SecurityGroupId: sgId,
      'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '22/22', 'Permissions.1.SourceCidrIp': '10.1.0.0/16',
      'Permissions.2.IpProtocol': 'tcp', 'Permissions.2.PortRange': '443/443', 'Permissions.2.SourceCidrIp': '0.0.0.0/0',
    });
    assert.equal(rules.status, 200, rules.text);
    const attr = await signed(server, ROOT, ECS, 'DescribeSecurityGroupAttribute', { RegionId: 'cn-hangzhou', SecurityGroupId: sgId });
    const perms = ((attr.json['Permissions'] as Record<string, unknown>)['Permission'] as Array<Record<string, unknown>>).map((p) => p['PortRange']).sort();
    assert.deepEqual(perms, ['22/22', '443/443']);
    const badParam = await b.call('ecs', 'AuthorizeSecurityGroup', { RegionId: 'cn-hangzhou', SecurityGroupId: sgId, 'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '80/70', 'Permissions.1.SourceCidrIp': '0.0.0.0/0' });
    const badParamApi = await signed(server, ROOT, ECS, 'AuthorizeSecurityGroup', { RegionId: 'cn-hangzhou', SecurityGroupId: sgId, 'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '80/70', 'Permissions.1.SourceCidrIp': '0.0.0.0/0' });
    assert.deepEqual([badParam.status, withoutRequestId(badParam.json)], [badParamApi.status, withoutRequestId(badParamApi.json)]);
    assert.equal(badParam.status, 400);

    const notServed = await b.call('ecs', 'DescribeSnapshots', { RegionId: 'cn-hangzhou' });
    assert.deepEqual([notServed.status, notServed.json['Code']], [404, 'InvalidAction.NotFound']);
    const wrongProduct = await b.call('ram', 'DescribeRegions');
    assert.equal(wrongProduct.json['Code'], 'InvalidAction.NotFound', 'only the product\'s own operations');
    const noProduct = await b.call('oss', 'ListBuckets');
    assert.deepEqual([noProduct.status, noProduct.json['Code']], [400, 'InvalidParameter']);
    const wrongVersion = await b.fetch('POST', '/console/api/call', { product: 'ecs', version: '2015-05-01', action: 'DescribeRegions', params: {} }, { 'x-csrf-token': b.csrf });
    assert.equal(wrongVersion.json['Code'], 'InvalidVersion');
    const withVersion = await b.fetch('POST', '/console/api/call', { product: 'ecs', version: ECS, action: 'DescribeRegions', params: {} }, { 'x-csrf-token': b.csrf });
    assert.equal(withVersion.status, 200);
  });

  test('CSRF: a state-changing request without the token, or with a wrong one, is refused; no session: 401', async () => {
    const b = new Browser(server.url);
    await b.signIn({ kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret });
    const none = await b.call('ecs', 'DescribeRegions', {}, null);
    assert.deepEqual([none.status, none.json['Code']], [403, 'ConsoleSession.CsrfTokenInvalid']);
    const wrong = await b.call('ecs', 'DescribeRegions', {}, b.csrf.slice(1) + 'x');
    assert.deepEqual([wrong.status, wrong.json['Code']], [403, 'ConsoleSession.CsrfTokenInvalid']);
    const other = new Browser(server.url);
    await other.signIn({ kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret });
    assert.equal((await b.call('ecs', 'DescribeRegions', {}, other.csrf)).status, 403, 'another session\'s token');
    const signOut = await b.fetch('DELETE', '/console/api/session');
    assert.equal(signOut.status, 403, 'sign-out needs the token too');
    const anonymous = new Browser(server.url);
    const noSession = await anonymous.call('ecs', 'DescribeRegions', {}, 'anything');
    assert.deepEqual([noSession.status, noSession.json['Code']], [401, 'ConsoleSession.Missing']);
    assert.deepEqual((await anonymous.fetch('GET', '/console/api/session')).json['Code'], 'ConsoleSession.Missing');
    anonymous.cookie = 'parapet_console=made-up';
    assert.equal((await anonymous.fetch('GET', '/console/api/session')).status, 401);
  });

  test('sign-out revokes the session server-side: the old cookie is refused', async () => {
    const b = new Browser(server.url);
    await b.signIn({ kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret });
    const oldCookie = b.cookie!;
    const out = await b.fetch('DELETE', '/console/api/session', undefined, { 'x-csrf-token': b.csrf });
    assert.equal(out.status, 204);
    assert.match(out.cookie!, /Max-Age=0/);
    b.cookie = oldCookie;
    const after = await b.call('ecs', 'DescribeRegions');
    assert.deepEqual([after.status, after.json['Code']], [401, 'ConsoleSession.Missing']);
    assert.equal((await b.fetch('GET', '/console/api/session')).status, 401);
  });

  test('a RAM user with AliyunECSReadOnlyAccess (AccessKey sign-in): reads work, a change gets the RAM refusal naming the action', async () => {
    const b = new Browser(server.url);
    const r = await b.signIn({ kind: 'accessKey', ...reader });
    assert.deepEqual(r.json['identity'], { accountId: A, userName: 'rita', display: `rita@${A}` });
    assert.equal((await b.call('ecs', 'DescribeSecurityGroups', { RegionId: 'cn-hangzhou' })).status, 200);
    const create = await b.call('ecs', 'CreateSecurityGroup', { RegionId: 'cn-hangzhou' });
    const createApi = await signed(server, reader, ECS, 'CreateSecurityGroup', { RegionId: 'cn-hangzhou' });
    assert.deepEqual([create.status, create.json['Code']], [403, 'Forbidden.RAM']);
    assert.deepEqual(withoutRequestId(create.json), withoutRequestId(createApi.json));
    const detail = JSON.parse(String(create.json['AccessDeniedDetail'])) as Record<string, string>;
    assert.deepEqual([detail['AuthAction'], detail['AuthPrincipalDisplayName'], detail['NoPermissionType']], ['ecs:CreateSecurityGroup', 'rita', 'ImplicitDeny']);

    // the key disabled: the session ends with it
    await callRpc(server.endpoint, 'UpdateAccessKey', RAM, { UserName: 'rita', UserAccessKeyId: reader.accessKeyId, Status: 'Inactive' });
    const ended = await b.call('ecs', 'DescribeSecurityGroups', { RegionId: 'cn-hangzhou' });
    assert.deepEqual([ended.status, ended.json['Code']], [401, 'ConsoleSession.Expired']);
    assert.equal((await b.fetch('GET', '/console/api/session')).json['Code'], 'ConsoleSession.Missing', 'and it is gone');
    const inactive = await new Browser(server.url).signIn({ kind: 'accessKey', ...reader });
    assert.deepEqual([inactive.status, inactive.json['Code']], [400, 'InvalidAccessKeyId.Inactive']);
    await callRpc(server.endpoint, 'UpdateAccessKey', RAM, { UserName: 'rita', UserAccessKeyId: reader.accessKeyId, Status: 'Active' });
    // deleted: the same
    const c = new Browser(server.url);
    assert.equal((await c.signIn({ kind: 'accessKey', ...reader })).status, 200);
    await callRpc(server.endpoint, 'DeleteAccessKey', RAM, { UserName: 'rita', UserAccessKeyId: reader.accessKeyId });
    assert.equal((await c.fetch('GET', '/console/api/session')).json['Code'], 'ConsoleSession.Expired');
  });

  test('password sign-in: the forced change first (nothing else works until then), then the user\'s own rights', async () => {
    await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: 'paula' });
    await callRpc(server.endpoint, 'CreateLoginProfile', RAM, { UserName: 'paula', Password: 'First-Passw0rd', PasswordResetRequired: 'true' });
    await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess', UserName: 'paula' });
    const b = new Browser(server.url);
    const wrong = await b.signIn({ kind: 'password', principalName: `paula@${A}.onaliyun.com`, password: 'Wrong-Passw0rd' });
    assert.deepEqual([wrong.status, wrong.json['Code'], wrong.cookie], [401, 'SignIn.Failed', undefined]);
    const badName = await b.signIn({ kind: 'password', principalName: 'paula', password: 'x' });
    assert.deepEqual([badName.status, badName.json['Code']], [400, 'SignIn.InvalidPrincipalName']);
    const r = await b.signIn({ kind: 'password', principalName: `paula@${A}.onaliyun.com`, password: 'First-Passw0rd' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json['state'], 'passwordChangeRequired');
    assert.deepEqual(r.json['identity'], { accountId: A, userName: 'paula', display: `paula@${A}` });
    assert.match(r.cookie!, /^parapet_console=/);
    const blocked = await b.call('ecs', 'DescribeSecurityGroups', { RegionId: 'cn-hangzhou' });
    assert.deepEqual([blocked.status, blocked.json['Code']], [403, 'Forbidden.RAM'], 'nothing but the password change');
    const noCsrf = await b.fetch('POST', '/console/api/password', { oldPassword: 'First-Passw0rd', newPassword: 'Second-Passw0rd' });
    assert.equal(noCsrf.status, 403);
    const weak = await b.fetch('POST', '/console/api/password', { oldPassword: 'First-Passw0rd', newPassword: 'short' }, { 'x-csrf-token': b.csrf });
    assert.deepEqual([weak.status, weak.json['Code']], [400, 'InvalidParameter.Password.Length']);
    const changed = await b.fetch('POST', '/console/api/password', { oldPassword: 'First-Passw0rd', newPassword: 'Second-Passw0rd' }, { 'x-csrf-token': b.csrf });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.json['state'], 'signedIn');
    assert.equal((await b.fetch('GET', '/console/api/session')).json['state'], 'signedIn');
    assert.equal((await b.call('ecs', 'DescribeSecurityGroups', { RegionId: 'cn-hangzhou' })).status, 200);
    const refused = await b.call('ecs', 'CreateSecurityGroup', { RegionId: 'cn-hangzhou' });
    assert.deepEqual([refused.status, refused.json['Code']], [403, 'Forbidden.RAM']);
    const again = await new Browser(server.url).signIn({ kind: 'password', principalName: `paula@${A}.onaliyun.com`, password: 'Second-Passw0rd' });
    assert.equal(again.json['state'], 'signedIn');
  });

  test('capabilities: the Security Center alerts for the root and a user who may read them, not for one who may not nor before a password change; no session: 401', async () => {
    const none = await new Browser(server.url).fetch('GET', '/console/api/capabilities');
    assert.deepEqual([none.status, none.json['Code']], [401, 'ConsoleSession.Missing']);
    const root = new Browser(server.url);
    await root.signIn({ kind: 'accessKey', ...ROOT });
    assert.deepEqual((await root.fetch('GET', '/console/api/capabilities')).json['securityAlerts'], true);
    const key = async (user: string, policy: string): Promise<Creds> => {
      await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: user });
      await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: policy, UserName: user });
      const k = (await callRpc(server.endpoint, 'CreateAccessKey', RAM, { UserName: user }))['AccessKey'] as Record<string, string>;
      return { accessKeyId: k['AccessKeyId']!, accessKeySecret: k['AccessKeySecret']! };
    };
    const ecsOnly = new Browser(server.url);
    await ecsOnly.signIn({ kind: 'accessKey', ...await key('cap-ecs', 'AliyunECSReadOnlyAccess') });
    const denied = await ecsOnly.fetch('GET', '/console/api/capabilities');
    assert.deepEqual([denied.status, denied.json['securityAlerts'], denied.json['securityAssets']], [200, false, false]);
    assert.equal((await ecsOnly.call('sas', 'DescribeSuspEvents')).status, 403, 'as the call itself');
    const sas = new Browser(server.url);
    await sas.signIn({ kind: 'accessKey', ...await key('cap-sas', 'AliyunYundunSASReadOnlyAccess') });
    const allowed = (await sas.fetch('GET', '/console/api/capabilities')).json;
    assert.deepEqual([allowed['securityAlerts'], allowed['securityAssets']], [true, true]);
    assert.equal((await sas.call('sas', 'DescribeSuspEvents')).status, 200, 'as the call itself');
    // a password session that must change its password first
    await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunYundunSASReadOnlyAccess', UserName: 'cap-ecs' });
    await callRpc(server.endpoint, 'CreateLoginProfile', RAM, { UserName: 'cap-ecs', Password: 'First-Passw0rd', PasswordResetRequired: 'true' });
    const forced = new Browser(server.url);
    assert.equal((await forced.signIn({ kind: 'password', principalName: `cap-ecs@${A}.onaliyun.com`, password: 'First-Passw0rd' })).json['state'], 'passwordChangeRequired');
    assert.equal((await forced.fetch('GET', '/console/api/capabilities')).json['securityAlerts'], false);
    assert.equal((await ecsOnly.fetch('GET', '/console/api/capabilities')).json['securityAlerts'], true, 'the policy now attached counts at once');
  });

  test('password sign-in with an MFA device: the code is asked for, then gives acs:MFAPresent', async () => {
    await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: 'mona' });
    await callRpc(server.endpoint, 'CreateLoginProfile', RAM, { UserName: 'mona', Password: 'Mona-Passw0rd' });
    // a policy that allows reading security groups only with MFA
    await callRpc(server.endpoint, 'CreatePolicy', RAM, {
      PolicyName: 'read-with-mfa',
      PolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeSecurityGroups', Resource: '*', Condition: { Bool: { 'acs:MFAPresent': 'true' } } }] }),
    });
    await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'Custom', PolicyName: 'read-with-mfa', UserName: 'mona' });
    const device = (await callRpc(server.endpoint, 'CreateVirtualMFADevice', RAM, { VirtualMFADeviceName: 'mona-phone' }))['VirtualMFADevice'] as Record<string, string>;
    const totp = new TOTP({ secret: Secret.fromBase32(device['Base32StringSeed']!), algorithm: 'SHA1', digits: 6, period: 30 });
    const at = (k: number) => totp.generate({ timestamp: clock.now() + k * 30_000 });
    await callRpc(server.endpoint, 'BindMFADevice', RAM, { SerialNumber: device['SerialNumber']!, UserName: 'mona', AuthenticationCode1: at(-1), AuthenticationCode2: at(0) });
    clock.advance(30_000);

    const b = new Browser(server.url);
    const first = await b.signIn({ kind: 'password', principalName: `mona@${A}.onaliyun.com`, password: 'Mona-Passw0rd' });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.json['state'], first.cookie, first.json['csrfToken']], ['mfaRequired', undefined, ''], 'no session before the code');
    assert.equal((await b.fetch('GET', '/console/api/session')).status, 401);
    const wrongCode = await b.signIn({ kind: 'password', principalName: `mona@${A}.onaliyun.com`, password: 'Mona-Passw0rd', mfaCode: at(0) === '000000' ? '111111' : '000000' });
    assert.deepEqual([wrongCode.status, wrongCode.json['Code']], [401, 'SignIn.MFACodeInvalid']);
    const ok = await b.signIn({ kind: 'password', principalName: `mona@${A}.onaliyun.com`, password: 'Mona-Passw0rd', mfaCode: at(0) });
    assert.equal(ok.json['state'], 'signedIn', ok.text);
    assert.equal((await b.call('ecs', 'DescribeSecurityGroups', { RegionId: 'cn-hangzhou' })).status, 200, 'acs:MFAPresent from the session');
    // the same user through an AccessKey has no MFA: the same call is refused
    const k = (await callRpc(server.endpoint, 'CreateAccessKey', RAM, { UserName: 'mona' }))['AccessKey'] as Record<string, string>;
    const viaKey = new Browser(server.url);
    await viaKey.signIn({ kind: 'accessKey', accessKeyId: k['AccessKeyId']!, accessKeySecret: k['AccessKeySecret']! });
    assert.equal((await viaKey.call('ecs', 'DescribeSecurityGroups', { RegionId: 'cn-hangzhou' })).json['Code'], 'Forbidden.RAM');
  });

  test('sessions live in the store: a restarted server knows them', async () => {
    const b = new Browser(server.url);
    await b.signIn({ kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret });
    await server.close();
    server = await startTestServer({ clock, dataDir });
    const moved = new Browser(server.url);
    moved.cookie = b.cookie;
    moved.csrf = b.csrf;
    assert.equal((await moved.fetch('GET', '/console/api/session')).status, 200);
    assert.equal((await moved.call('ecs', 'DescribeRegions')).status, 200);
  });

  test('expiry: six hours after sign-in the session is refused (last: it moves the clock)', async () => {
    const b = new Browser(server.url);
    await b.signIn({ kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret });
    clock.advance(6 * 3600_000 - 5_000);
    assert.equal((await b.fetch('GET', '/console/api/session')).status, 200);
    clock.advance(10_000);
    const expired = await b.call('ecs', 'DescribeRegions');
    assert.deepEqual([expired.status, expired.json['Code']], [401, 'ConsoleSession.Expired']);
    assert.equal((await b.fetch('GET', '/console/api/session')).json['Code'], 'ConsoleSession.Missing', 'an expired session is deleted');
  });
});

/** A server whose console build is `index.html` and one asset, `assets/index-abc123.js`, in `<top>/dist`; removed after the test. */
async function builtConsole(t: TestContext, indexHtml: string, asset: string): Promise<{ top: string; server: TestServer }> {
  const defer = cleanups(t);
  const top = mkdtempSync(join(tmpdir(), 'parapet-console-dist-'));
  defer(() => rmSync(top, { recursive: true, force: true }));
  const dist = join(top, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), indexHtml);
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), asset);
  const server = await startTestServer({ env: { PARAPET_CONSOLE_DIR: dist } });
  defer(() => server.stop());
  return { top, server };
}

describe('the web console: the built files, GET /, and the RPC API on /', () => {
  test('a built file, the SPA fallback, gzip, path traversal refused, /console/api/ unknowns', async (t) => {
    const { top, server } = await builtConsole(t, '<!doctype html><title>Parapet console</title><div id="root"></div>', 'console.log("parapet");'.repeat(50));
    writeFileSync(join(top, 'secret.txt'), 'not for the web');

    const index = await rawGet(server.endpoint, '/console/');
    assert.deepEqual([index.status, index.type], [200, 'text/html; charset=utf-8']);
    assert.match(index.body, /Parapet console/);
    const js = await fetch(server.url + '/console/assets/index-abc123.js');
    assert.deepEqual([js.status, js.headers.get('content-type'), js.headers.get('content-encoding')], [200, 'text/javascript; charset=utf-8', 'gzip']);
    assert.match(js.headers.get('cache-control')!, /immutable/);
    assert.match(await js.text(), /^console\.log/);
    for (const route of ['/console/security-groups/sg-123', '/console/ram/users', '/console/instances?region=cn-hangzhou', '/console/assets/']) {
      const r = await rawGet(server.endpoint, route);
      assert.deepEqual([r.status, r.body.includes('Parapet console')], [200, true], route);
    }
    assert.equal((await rawGet(server.endpoint, '/console')).location, '/console/');
    for (const evil of ['/console/../secret.txt', '/console/assets/../../secret.txt', '/console/%2e%2e/secret.txt', '/console/..%2fsecret.txt', '/console/assets%2f..%2f..%2fsecret.txt', '/console/%00', '/console/..%5csecret.txt', '/console/%E0%A4%A']) {
      const r = await rawGet(server.endpoint, evil);
      // fastify refuses a path it can't decode (400) before the console sees it; the rest is not found
      assert.equal(r.status, evil.endsWith('%A') ? 400 : 404, evil);
      assert.ok(!r.body.includes('not for the web'), evil);
      if (!evil.endsWith('%A')) assert.match(r.body, /InvalidAction\.NotFound/, evil);
    }
    const api = await rawGet(server.endpoint, '/console/api/nothing');
    assert.deepEqual([api.status, api.type.startsWith('application/json')], [404, true]);
  });

  test('a signed-in browser\'s page carries its session (the answer GET session gives), for it alone and never cached', async (t) => {
    const { server } = await builtConsole(t, '<!doctype html><html><head><title>Parapet console</title></head><body><div id="root"></div></body></html>', 'console.log("parapet");');
    const inPage = (html: string): Record<string, unknown> | undefined => {
      const m = /<script type="application\/json" id="parapet-session">(.*?)<\/script><\/head>/s.exec(html);
      return m === null ? undefined : JSON.parse(m[1]!) as Record<string, unknown>;
    };

    const b = new Browser(server.url);
    const anonymous = await b.fetch('GET', '/console/security-groups?region=cn-hangzhou');
    assert.equal(anonymous.status, 200);
    assert.equal(inPage(anonymous.text), undefined, 'no session, nothing in the page');
    assert.equal(anonymous.headers.get('cache-control'), 'no-cache');

    b.cookie = 'parapet_console=not-a-session';
    assert.equal(inPage((await b.fetch('GET', '/console/')).text), undefined, 'an unknown cookie: nothing');
    b.cookie = undefined;
    assert.equal((await b.signIn({ kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret })).status, 200);
    const answer = (await b.fetch('GET', '/console/api/session')).json;
    delete answer['RequestId'];
    for (const path of ['/console/', '/console/security-groups/sg-123?region=cn-hangzhou', '/console/ram/users']) {
      const page = await b.fetch('GET', path);
      assert.equal(page.status, 200, path);
      assert.deepEqual(inPage(page.text), answer, path);
      assert.equal(inPage(page.text)?.['csrfToken'], b.csrf);
      assert.equal(page.headers.get('cache-control'), 'no-store', path);
      assert.match(page.headers.get('vary') ?? '', /cookie/i);
    }
    // gzip, as browsers ask
    const zipped = await fetch(server.url + '/console/', { headers: { cookie: b.cookie!, 'accept-encoding': 'gzip' } });
    assert.equal(zipped.headers.get('content-encoding'), 'gzip');
    assert.deepEqual(inPage(await zipped.text()), answer);
    // files are files: an asset is never given the session
    assert.equal((await b.fetch('GET', '/console/assets/index-abc123.js')).text, 'console.log("parapet");');

    // markup in what the page carries is escaped: it can't close the script element
    const { jsonInHtml } = await import('../../src/api/console-session.ts');
    const tricky = { display: 'x</script><script>alert(1)</script>&\u2028\u2029<!--' };
    const encoded = jsonInHtml(tricky);
    assert.doesNotMatch(encoded, /[<>&\u2028\u2029]/);
    assert.deepEqual(JSON.parse(encoded), tricky);

    // signed out: the page carries nothing again
    assert.equal((await b.fetch('DELETE', '/console/api/session', undefined, { 'x-csrf-token': b.csrf })).status, 204);
    b.cookie = b.cookie ?? 'parapet_console=revoked';
    assert.equal(inPage((await b.fetch('GET', '/console/')).text), undefined);
  });

  test('the missing build answers a page that says how to build', async (t) => {
    const defer = cleanups(t);
    const server = await startTestServer({ env: { PARAPET_CONSOLE_DIR: join(tmpdir(), 'parapet-no-such-console-dist') } });
    defer(() => server.stop());
    for (const path of ['/console/', '/console/security-groups']) {
      const r = await rawGet(server.endpoint, path);
      assert.deepEqual([r.status, r.type], [503, 'text/html; charset=utf-8'], path);
      assert.match(r.body, /npm run console:build/);
    }
  });

  test('GET / from a browser goes to /console/; the RPC API on / answers as before', async (t) => {
    const defer = cleanups(t);
    const server = await startTestServer();
    defer(() => server.stop());
    const browser = await rawGet(server.endpoint, '/', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    assert.deepEqual([browser.status, browser.location], [302, '/console/']);
    // not a browser, or a query: the RPC API's own answers
    const bare = await rawGet(server.endpoint, '/');
    assert.ok(bare.status >= 400 && bare.type.startsWith('application/json'), `${bare.status} ${bare.body}`);
    const withQuery = await rawGet(server.endpoint, '/?Action=DescribeRegions', { accept: 'text/html' });
    assert.equal(withQuery.location, undefined);
    assert.ok(withQuery.status >= 400);
    for (const style of ['v1', 'v3'] as const) {
      for (const method of ['GET', 'POST'] as const) {
        const r = await send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...ROOT, version: ECS, action: 'DescribeRegions', params: {}, style, method }));
        assert.equal(r.status, 200, `${style} ${method}: ${r.body}`);
        assert.ok(Array.isArray((r.json!['Regions'] as Record<string, unknown>)['Region']));
      }
    }
  });

  test('over TLS the cookie is Secure, and the call sees acs:SecureTransport', async (t) => {
    const defer = cleanups(t);
    const server = await startTestServer({ env: { PARAPET_TLS_PORT: '0' } });
    defer(() => server.stop());
    const ca = readFileSync(server.tls!.caFile, 'utf8');
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) => new Promise<{ status: number; cookie: string; json: Record<string, unknown> }>((resolve, reject) => {
      const text = JSON.stringify(body);
      const req = httpsRequest({ host: 'localhost', port: server.tls!.port, method: 'POST', path, ca, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie']?.[0] ?? ''), json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(text);
    });
    const r = await post('/console/api/session', { kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret });
    assert.equal(r.status, 200);
    assert.match(r.cookie, /; HttpOnly; SameSite=Strict; Path=\/console; Secure$/);
    // a policy that allows only over TLS: the root is not judged by policies, so a RAM user is
    await callRpc(server.endpoint, 'CreateUser', RAM, { UserName: 'tina' });
    const k = (await callRpc(server.endpoint, 'CreateAccessKey', RAM, { UserName: 'tina' }))['AccessKey'] as Record<string, string>;
    await callRpc(server.endpoint, 'CreatePolicy', RAM, {
      PolicyName: 'tls-only',
      PolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeRegions', Resource: '*', Condition: { Bool: { 'acs:SecureTransport': 'true' } } }] }),
    });
    await callRpc(server.endpoint, 'AttachPolicyToUser', RAM, { PolicyType: 'Custom', PolicyName: 'tls-only', UserName: 'tina' });
    const tina = await post('/console/api/session', { kind: 'accessKey', accessKeyId: k['AccessKeyId'], accessKeySecret: k['AccessKeySecret'] });
    const cookie = tina.cookie.split(';')[0]!;
    const overTls = await post('/console/api/call', { product: 'ecs', action: 'DescribeRegions', params: {} }, { cookie, 'x-csrf-token': String(tina.json['csrfToken']) });
    assert.equal(overTls.status, 200);
    const plain = await fetch(server.url + '/console/api/call', { method: 'POST', headers: { cookie, 'x-csrf-token': String(tina.json['csrfToken']), 'content-type': 'application/json' }, body: JSON.stringify({ product: 'ecs', action: 'DescribeRegions', params: {} }) });
    assert.deepEqual([plain.status, ((await plain.json()) as Record<string, unknown>)['Code']], [403, 'Forbidden.RAM'], 'the same session over plain HTTP');
  });
});
