// The ClientToken fingerprint (kept in client_tokens, an unsalted SHA-256) never covers a secret:
// an instance password in it could be guessed at hash speed from a copy of the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { paramsFingerprint } from '../../src/domain/idempotency.ts';

test('the fingerprint leaves out the token and the password, and covers every other parameter', () => {
  const base: Array<[string, string]> = [['Action', 'RunInstances'], ['RegionId', 'cn-hangzhou'], ['ImageId', 'ubuntu_22_04_x64_20G_alibase_20240101.vhd']];
  const withSecret = paramsFingerprint([...base, ['Password', 'Secret#2026'], ['ClientToken', 'a']]);
  assert.equal(withSecret, paramsFingerprint([...base, ['ClientToken', 'b']]));
  assert.equal(withSecret, paramsFingerprint([...base, ['Password', 'Other#2026']]));
  assert.notEqual(withSecret, paramsFingerprint([...base, ['InstanceType', 'ecs.g7.large']]));
  // the stored value is not a hash a password guess can be checked against
  const guess = createHash('sha256').update([...base.map(([k, v]) => `${k}=${v}`), 'Password=Secret#2026'].sort().join('\n')).digest('hex');
  assert.notEqual(withSecret, guess);
});
