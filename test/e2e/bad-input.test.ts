// Random and malformed input over every operation in the catalog: no 5xx, and every 4xx carries
// an Alibaba error body with Code and RequestId. The generator reads each operation's schema, so
// operations added later are covered without touching this file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { startTestServer, ROOT, type TestServer } from '../helpers/server.ts';
import { buildSigned, send, type BuiltRequest } from '../helpers/sign.ts';
import { buildCatalog } from '../../src/api/app.ts';
import { VERSIONS } from '../../src/api/catalog.ts';
import { prng } from '../helpers/prng.ts';

const VERSION_OF = Object.fromEntries(Object.entries(VERSIONS).map(([v, p]) => [p, v]));

const SEED = Number(process.env['PARAPET_FUZZ_SEED'] ?? 20261128);
const rand = prng(SEED); // a failure can be replayed from its seed
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const known: string[] = [];
const VALUES = (): string[] => [
  '', ' ', 'cn-hangzhou', 'cn-hangzhou-h', 'mars-1', '10.0.0.0/16', '10.0.1.0/24', '192.168.0.0/33', '0.0.0.0/0', '1.2.3.4',
  '-1', '0', '1', '51', '99999999999999999999', '1e3', 'NaN', 'true', 'false', 'maybe', 'TRUE',
  '["a"]', '[1,2', '{"a":1}', 'null', 'x'.repeat(5000), '名字-测试', 'http://evil', '<a>&amp;</a>', '\u0000', '%zz', '../..',
  'sg-123', 'vpc-nope', 'i-1', 'Accept', 'Drop', 'tcp', '22/22', '80/70', ...known,
];

function randomString(): string {
  const len = Math.floor(rand() * 40);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(rand() * 0x3000));
  return s;
}

/** Plausible values by parameter name, so generated requests get past the first checks. */
function plausible(key: string): string[] | undefined {
  if (key === 'RegionId') return ['cn-hangzhou', 'cn-hangzhou', 'cn-shanghai'];
  if (key.endsWith('ZoneId')) return ['cn-hangzhou-h', 'cn-hangzhou-i'];
  if (key === 'VpcId' || key.endsWith('Id')) return known.length > 0 ? known : undefined;
  if (key.includes('Cidr')) return ['10.0.0.0/16', '10.0.3.0/24', '192.168.7.0/24', '172.16.0.0/12'];
  if (key.startsWith('Page') || key === 'MaxResults') return ['1', '2', '10', '50'];
  if (key.endsWith('Name') || key === 'Description') return ['maybe', 'web-1', 'db'];
  return undefined;
}

function value(key = ''): string {
  const p = plausible(key);
  if (p !== undefined && rand() < 0.6) return pick(p);
  return rand() < 0.85 ? pick(VALUES()) : randomString();
}

function paramsFor(schema: z.ZodType): Record<string, string> {
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
  const out: Record<string, string> = {};
  // sparse requests (few parameters, mostly plausible) reach deep into handlers; dense ones stress parsing
  const keep = rand() < 0.5 ? 0.2 : 0.65;
  for (const key of Object.keys(shape)) {
    if (key === 'RegionId' && rand() < 0.9) { out[key] = value(key); continue; }
    if (rand() >= keep) continue;
    const r = rand();
    if (r < 0.7) out[key] = value(key);
    else if (r < 0.85) { out[`${key}.1`] = value(); if (rand() < 0.5) out[`${key}.2`] = value(); }
    else { out[`${key}.1.${pick(['Key', 'Value', 'IpProtocol', 'PortRange', 'x'])}`] = value(); }
  }
  if (rand() < 0.2) out[pick(['Tag.0.Key', 'Tag.1001.Key', 'A..B', 'Unknown', 'constructor.x', '__proto__', 'X.1', 'X.a.1'])] = value();
  return out;
}

/** Requests broken at the wire level, before any operation sees them. */
function wireBreakers(endpoint: string): BuiltRequest[] {
  const good = buildSigned({ endpoint, ...ROOT, version: '2016-04-28', action: 'DescribeVpcs', params: { RegionId: 'cn-hangzhou' } });
  return [
    { ...good, path: '/?RegionId=%E0%A4%A' },
    // paths the router itself can't decode
    { ...good, path: '/%E0%A4%A' },
    { ...good, path: '/console/%E0%A4%A' },
    { ...good, headers: { ...good.headers, authorization: 'ACS3-HMAC-SHA256 garbage' } },
    { ...good, headers: { ...good.headers, authorization: 'ACS3-HMAC-SHA256 Credential=,SignedHeaders=,Signature=' } },
    { ...good, headers: { ...good.headers, authorization: 'Bearer abc' } },
    { ...good, headers: { ...good.headers, 'x-acs-content-sha256': 'abc' } },
    { ...good, headers: { ...good.headers, 'x-acs-version': '' } },
    { ...good, headers: { ...good.headers, 'x-acs-action': '' } },
    { ...good, method: 'PUT' },
    { ...good, method: 'DELETE' },
    { ...good, path: '/nope' },
    { ...good, path: '/?' + 'A=1&'.repeat(3000) },
    { ...good, headers: { ...good.headers, 'content-type': 'application/json' }, body: '{"a":' },
    { ...good, headers: { ...good.headers, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=%%%' },
    { method: 'GET', path: '/?Action=DescribeVpcs&Version=2016-04-28&AccessKeyId=x', headers: { host: endpoint }, body: '' },
    { method: 'GET', path: '/?Action=DescribeVpcs&Signature=x', headers: { host: endpoint }, body: '' },
    { method: 'GET', path: '/?Action=DescribeVpcs&AccessKeyId=' + ROOT.accessKeyId + '&Signature=x&SignatureMethod=MD5', headers: { host: endpoint }, body: '' },
    { method: 'POST', path: '/', headers: { host: endpoint, 'content-type': 'application/x-www-form-urlencoded' }, body: 'Format=XML&Format=JSON&AccessKeyId=a&Signature=b' },
    { method: 'GET', path: '/', headers: { host: endpoint }, body: '' },
  ];
}

let server: TestServer;
before(async () => {
  server = await startTestServer();
  // some real resources, so generated ids sometimes hit something
  for (const cidr of ['10.0.0.0/16', '192.168.0.0/16']) {
    const r = await send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...ROOT, version: '2016-04-28', action: 'CreateVpc', params: { RegionId: 'cn-hangzhou', CidrBlock: cidr } }));
    known.push(String(r.json?.['VpcId']));
  }
});
after(async () => { await server.stop(); });

function check(label: string, res: { status: number; body: string; json: Record<string, unknown> | undefined }): void {
  assert.ok(res.status < 500, `${label}: got ${res.status} ${res.body.slice(0, 300)} (seed ${SEED})`);
  if (res.status >= 400) {
    assert.equal(typeof res.json?.['Code'], 'string', `${label}: error body without Code: ${res.body.slice(0, 200)}`);
    assert.equal(typeof res.json?.['RequestId'], 'string', `${label}: error body without RequestId`);
    assert.equal(typeof res.json?.['Message'], 'string', `${label}: error body without Message`);
  }
}

test(`at least 1,000 generated requests over every operation: no 5xx, clean 4xx bodies (seed ${SEED})`, async () => {
  const ops = buildCatalog().all();
  assert.ok(ops.length > 0);
  const perOp = Math.max(120, Math.ceil(1200 / ops.length));
  let sent = 0;
  const statuses = new Map<number, number>();
  for (const op of ops) {
    for (let i = 0; i < perOp; i++) {
      const params = paramsFor(op.params);
      const style = rand() < 0.5 ? 'v3' : 'v1';
      const res = await send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...ROOT, version: VERSION_OF[op.product]!, action: op.action, params, style }));
      check(`${op.product}:${op.action} ${JSON.stringify(params).slice(0, 300)}`, res);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      sent++;
    }
  }
  for (const r of wireBreakers(server.endpoint)) {
    check(`wire ${r.method} ${r.path.slice(0, 80)}`, await send(server.endpoint, r));
    sent++;
  }
  assert.ok(sent >= 1000, `sent ${sent}`);
  process.stdout.write(`# bad-input: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`);
  assert.ok((statuses.get(200) ?? 0) > 0, 'some generated requests succeed, so the generator reaches the handlers');
  assert.ok([...statuses.keys()].some((s) => s >= 400), 'and some fail');
});

test('parameter names that walk into built-ins (`toString.x`, `isPrototypeOf.bind.x`, `toString.caller.x`) never touch the process', async () => {
  const ownKeys = (o: object) => Reflect.ownKeys(o).map(String).sort().join(',');
  // eslint-disable-next-line @typescript-eslint/unbound-method -- built-in functions are watched as objects, never called
  const watched: object[] = [Object.prototype, Object.prototype.toString, Object.prototype.isPrototypeOf, Function.prototype, Function.prototype.bind, Array.prototype];
  const before = watched.map(ownKeys);
  const big = 'x'.repeat(64 * 1024);
  const names = ['toString.x', 'isPrototypeOf.bind.x', 'toString.caller.x', 'valueOf.call.x', 'hasOwnProperty.apply.y', 'constructor.prototype.x', 'Tag.1.toString.x', 'RegionId.toString'];
  for (const name of names) {
    for (const style of ['v3', 'v1'] as const) {
      const res = await send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...ROOT, version: '2016-04-28', action: 'DescribeVpcs', params: { RegionId: 'cn-hangzhou', [name]: big }, style }));
      check(`${style} ${name}`, res);
    }
  }
  assert.deepEqual(watched.map(ownKeys), before, 'no built-in of the server process gained a property');
});

test('the signature covers the operation: v3 must sign x-acs-action and x-acs-version; v1 ignores them as headers', async () => {
  const ep = server.endpoint;
  const { signV3, EMPTY_SHA256 } = await import('../../src/wire/signature.ts');
  const { isoSeconds } = await import('../../src/clock.ts');
  for (const omit of ['x-acs-action', 'x-acs-version']) {
    const headers: Record<string, string> = {
      host: ep, 'x-acs-action': 'DescribeVpcs', 'x-acs-version': '2016-04-28', 'x-acs-date': isoSeconds(Date.now()),
      'x-acs-signature-nonce': `omit-${omit}-${Date.now()}`, 'x-acs-content-sha256': EMPTY_SHA256,
    };
    const signed = Object.keys(headers).filter((h) => h !== omit).sort();
    const query: Array<[string, string]> = [['RegionId', 'cn-hangzhou']];
    const signature = signV3({ method: 'POST', path: '/', query, headers, signedHeaders: signed, payloadHash: EMPTY_SHA256 }, ROOT.accessKeySecret);
    // the unsigned header is then changed to another operation: it must not run
    const sent = { ...headers, [omit]: omit === 'x-acs-action' ? 'CreateVpc' : '2014-05-26', authorization: `ACS3-HMAC-SHA256 Credential=${ROOT.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${signature}` };
    const res = await send(ep, { method: 'POST', path: '/?RegionId=cn-hangzhou', headers: sent, body: '' });
    check(`v3 without ${omit}`, res);
    assert.equal(res.json?.['Code'], 'IncompleteSignature', `v3 with ${omit} unsigned: ${res.body}`);
  }
  // v1: Action and Version are signed parameters; a header never supplies them
  const { signV1 } = await import('../../src/wire/signature.ts');
  const pairs: Array<[string, string]> = [
    ['AccessKeyId', ROOT.accessKeyId], ['Format', 'JSON'], ['SignatureMethod', 'HMAC-SHA1'], ['SignatureNonce', `v1-no-action-${Date.now()}`],
    ['SignatureVersion', '1.0'], ['Timestamp', isoSeconds(Date.now())], ['Version', '2016-04-28'], ['RegionId', 'cn-hangzhou'],
  ];
  pairs.push(['Signature', signV1('GET', pairs, ROOT.accessKeySecret)]);
  const path = '/?' + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const res = await send(ep, { method: 'GET', path, headers: { host: ep, 'x-acs-action': 'DescribeVpcs' }, body: '' });
  check('v1 action from a header', res);
  assert.equal(res.json?.['Code'], 'MissingAction', res.body.slice(0, 200));
  assert.notEqual(res.status, 200, 'a v1 request whose action comes only from a header is refused');
});

test('a NUL in a name or value is refused before anything is stored (PostgreSQL can\'t store one)', async () => {
  const cases: Array<Record<string, string>> = [{ RegionId: 'cn-hangzhou', ClientToken: '\u0000' }, { RegionId: 'cn-hangzhou', VpcName: 'a\u0000b' }, { RegionId: 'cn-hangzhou', 'Tag.1.Key\u0000': 'x' }];
  for (const params of cases) {
    for (const style of ['v3', 'v1'] as const) {
      const res = await send(server.endpoint, buildSigned({ endpoint: server.endpoint, ...ROOT, version: '2016-04-28', action: 'CreateVpc', params, style }));
      check(`${style} ${JSON.stringify(params)}`, res);
      assert.equal(res.json?.['Code'], 'InvalidParameter', res.body);
    }
  }
});
