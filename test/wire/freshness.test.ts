import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FRESHNESS_WINDOW_MS, checkTimestamp, nonceClaim, parseTimestamp } from '../../src/wire/freshness.ts';

test('a nonce claim: a fixed-size digest per AccessKey and nonce, kept until its request is no longer fresh', () => {
  const t = Date.UTC(2026, 10, 28, 12, 0, 0);
  const a = nonceClaim('ak1', 'n1', t);
  assert.equal(a.key.length, 32);
  assert.equal(a.expiresAt, t + FRESHNESS_WINDOW_MS, 'a request dated t is fresh until t + 15 min, whenever it arrives');
  assert.notEqual(nonceClaim('ak2', 'n1', t).key, a.key, 'nonces are per AccessKey');
  assert.notEqual(nonceClaim('ak1n', '1', t).key, a.key, 'key and nonce are not merely concatenated');
  assert.equal(nonceClaim('ak1', 'n1', t + 5000).key, a.key);
  assert.throws(() => nonceClaim('ak1', '', t), { code: 'MissingSignatureNonce' });
  assert.throws(() => nonceClaim('ak1', 'x'.repeat(257), t), { code: 'InvalidParameter' });
  assert.equal(nonceClaim('ak1', 'x'.repeat(256), t).key.length, 32);
});

test('timestamps: exact format, 15-minute window both ways', () => {
  const now = Date.UTC(2026, 10, 28, 12, 0, 0);
  assert.equal(parseTimestamp('2026-11-28T12:00:00Z'), now);
  assert.equal(parseTimestamp('2026-11-28T12:00:00.123Z'), now);
  assert.equal(parseTimestamp('2026-02-30T12:00:00Z'), null);
  assert.equal(parseTimestamp('2026-11-28 12:00:00'), null);
  assert.equal(checkTimestamp('2026-11-28T11:45:00Z', now), now - FRESHNESS_WINDOW_MS);
  assert.throws(() => checkTimestamp('2026-11-28T11:44:59Z', now), { code: 'InvalidTimeStamp.Expired' });
  assert.throws(() => checkTimestamp('2026-11-28T12:15:01Z', now), { code: 'InvalidTimeStamp.Expired' });
  assert.throws(() => checkTimestamp('nope', now), { code: 'InvalidTimeStamp.Format' });
});
