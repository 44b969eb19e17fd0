import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NonceCache, checkTimestamp, parseTimestamp } from '../../src/wire/freshness.ts';

test('a nonce is refused again within the window, per AccessKey, and forgotten after two windows', () => {
  const c = new NonceCache(0, 1000);
  c.use('ak1', 'n1', 0);
  assert.throws(() => c.use('ak1', 'n1', 10), { code: 'SignatureNonceUsed' });
  c.use('ak2', 'n1', 20);
  c.use('ak1', 'n2', 1500); // rotation: n1 moves to the previous generation
  assert.throws(() => c.use('ak1', 'n1', 1600), { code: 'SignatureNonceUsed' });
  c.use('ak1', 'n3', 2600); // second rotation: the generation holding n1 is dropped
  c.use('ak1', 'n1', 2700);
  assert.throws(() => c.use('ak1', '', 0), { code: 'MissingSignatureNonce' });
});

test('hundreds of thousands of distinct nonces are all accepted once and refused twice', () => {
  const c = new NonceCache(0);
  for (let i = 0; i < 200000; i++) c.use('ak', 'nonce-' + i, 1);
  for (let i = 0; i < 200000; i += 997) assert.throws(() => c.use('ak', 'nonce-' + i, 2), { code: 'SignatureNonceUsed' });
});

test('timestamps: exact format, 15-minute window both ways', () => {
  const now = Date.UTC(2026, 10, 28, 12, 0, 0);
  assert.equal(parseTimestamp('2026-11-28T12:00:00Z'), now);
  assert.equal(parseTimestamp('2026-11-28T12:00:00.123Z'), now);
  assert.equal(parseTimestamp('2026-02-30T12:00:00Z'), null);
  assert.equal(parseTimestamp('2026-11-28 12:00:00'), null);
  checkTimestamp('2026-11-28T11:45:00Z', now);
  assert.throws(() => checkTimestamp('2026-11-28T11:44:59Z', now), { code: 'InvalidTimeStamp.Expired' });
  assert.throws(() => checkTimestamp('2026-11-28T12:15:01Z', now), { code: 'InvalidTimeStamp.Expired' });
  assert.throws(() => checkTimestamp('nope', now), { code: 'InvalidTimeStamp.Format' });
});
