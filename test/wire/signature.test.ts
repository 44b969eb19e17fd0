// Every request the official clients were seen to send (test/fixtures/sdk-captures.json, a copy of
// shared/fixtures; secret `testsecret`) decodes and verifies; one changed byte anywhere signed makes it fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeRequest, type RawRequest } from '../../src/wire/decode.ts';
import { verifyV1, verifyV3, sha256Hex, EMPTY_SHA256 } from '../../src/wire/signature.ts';
import { percentEncode } from '../../src/wire/encode.ts';

interface Capture { label: string; requests: Array<{ method: string; url: string; headers: Record<string, string>; body: string }> }
const captures = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/sdk-captures.json', import.meta.url)), 'utf8')) as Capture[];

function verify(raw: RawRequest, secret: string): boolean {
  const req = decodeRequest(raw);
  if (req.auth.kind === 'v3') {
    const payloadHash = raw.body.length === 0 ? EMPTY_SHA256 : sha256Hex(raw.body);
    if (raw.headers['x-acs-content-sha256'] !== payloadHash) return false;
    return verifyV3({ method: req.method, path: req.path, query: req.query, headers: raw.headers, signedHeaders: req.auth.signedHeaders, payloadHash }, secret, req.auth.signature);
  }
  return verifyV1(req.method, req.allParams, secret, req.auth.signature);
}

const all = captures.flatMap((c) => c.requests.map((r, i) => ({ label: `${c.label} #${i + 1}`, r })));

test('there are captured requests of both signature styles', () => {
  assert.ok(all.length >= 20);
  assert.ok(all.some(({ r }) => 'authorization' in r.headers));
  assert.ok(all.some(({ r }) => !('authorization' in r.headers)));
});

for (const { label, r } of all) {
  test(`verifies: ${label}`, () => {
    const raw: RawRequest = { method: r.method, url: r.url, headers: r.headers, body: Buffer.from(r.body) };
    assert.equal(verify(raw, 'testsecret'), true);
    assert.equal(verify(raw, 'testsecreT'), false, 'a wrong secret must fail');
  });
}

test('changing any one signed parameter, form field or signed header breaks the signature (v3 and v1)', () => {
  let tried = 0;
  const safe = (raw: RawRequest) => { try { return verify(raw, 'testsecret'); } catch { return false; } };
  for (const { label, r } of all) {
    const [path, query = ''] = r.url.split('?');
    const pairs = query === '' ? [] : query.split('&');
    // every query pair but the signature itself, its value changed
    pairs.forEach((pair, i) => {
      if (pair.startsWith('Signature=')) return;
      const changed = pairs.map((x, j) => (j === i ? x + 'x' : x)).join('&');
      assert.equal(safe({ method: r.method, url: `${path}?${changed}`, headers: r.headers, body: Buffer.from(r.body) }), false, `${label}: query pair ${pair}`);
      tried++;
    });
    // every form field of a form body
    const fields = r.body === '' || !String(r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? [] : r.body.split('&');
    fields.forEach((field, i) => {
      if (field.startsWith('Signature=')) return;
      const body = fields.map((x, j) => (j === i ? x + 'x' : x)).join('&');
      assert.equal(safe({ method: r.method, url: r.url, headers: r.headers, body: Buffer.from(body) }), false, `${label}: form field ${field}`);
      tried++;
    });
    // every header a v3 signature names
    const auth = r.headers['authorization'];
    const signed = auth === undefined ? [] : /SignedHeaders=([^,\s]+)/.exec(auth)?.[1]?.split(';') ?? [];
    for (const h of signed) {
      if (r.headers[h] === undefined) continue;
      assert.equal(safe({ method: r.method, url: r.url, headers: { ...r.headers, [h]: r.headers[h] + 'x' }, body: Buffer.from(r.body) }), false, `${label}: header ${h}`);
      tried++;
    }
  }
  assert.ok(tried > 100, `tried ${tried} changes`);
});

test('decoding exposes action, version and API parameters without system parameters', () => {
  const v1 = all.find(({ label }) => label.startsWith('pop-core GET'))!.r;
  const req = decodeRequest({ method: v1.method, url: v1.url, headers: v1.headers, body: Buffer.alloc(0) });
  assert.equal(req.action, 'DescribeSecurityGroups');
  assert.equal(req.version, '2014-05-26');
  assert.equal(req.auth.kind, 'v1');
  const names = req.params.map(([k]) => k);
  assert.ok(names.includes('RegionId'));
  for (const system of ['Signature', 'AccessKeyId', 'Timestamp', 'SignatureNonce', 'Format', 'Version', 'Action']) assert.ok(!names.includes(system));
  const form = all.find(({ label }) => label.startsWith('pop-core POST'))!.r;
  const f = decodeRequest({ method: form.method, url: form.url, headers: form.headers, body: Buffer.from(form.body) });
  assert.equal(f.action, 'AuthorizeSecurityGroup');
  assert.ok(f.params.some(([k]) => k === 'SecurityGroupId'));
});

test('percentEncode escapes the characters querystring leaves alone', () => {
  assert.equal(percentEncode("desc with space & (paren)*!'~"), 'desc%20with%20space%20%26%20%28paren%29%2A%21%27~');
  assert.equal(percentEncode('22/22'), '22%2F22');
});
