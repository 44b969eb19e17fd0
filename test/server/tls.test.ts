// src/tls.ts: the local CA and the server certificate are made once and kept; the server
// certificate is made again when the names it must carry change or when it nears its end (the CA
// is kept then), and both when the CA nears its end; a key found readable by others is made 0600.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTlsMaterial, listenerNames, type TlsNames } from '../../src/tls.ts';
import { ManualClock } from '../../src/clock.ts';
import { randomIds } from '../../src/ids.ts';

const DAY = 86_400_000;
const names = (extra: string[] = []): TlsNames => ({ dns: ['localhost', '*.aliyuncs.com', ...extra], ips: ['127.0.0.1', '::1'] });

test('made once, kept; renewed on a change of names or near the end; the CA near its own end', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
  const serverCert = () => new X509Certificate(readFileSync(join(dir, 'tls', 'server.crt')));
  const caCert = () => readFileSync(join(dir, 'tls', 'ca.crt'), 'utf8');

  assert.deepEqual((await ensureTlsMaterial(dir, names(), clock, randomIds)).made, { ca: true, server: true });
  const ca1 = caCert();
  const first = serverCert();
  assert.ok(first.verify(new X509Certificate(ca1).publicKey));
  assert.match(first.subjectAltName ?? '', /DNS:\*\.aliyuncs\.com/);
  assert.deepEqual((await ensureTlsMaterial(dir, names(), clock, randomIds)).made, { ca: false, server: false });
  assert.equal(serverCert().fingerprint256, first.fingerprint256);

  // a name more: a new server certificate from the same CA
  assert.deepEqual((await ensureTlsMaterial(dir, names(['*.cn-hangzhou.aliyuncs.com']), clock, randomIds)).made, { ca: false, server: true });
  assert.match(serverCert().subjectAltName ?? '', /DNS:\*\.cn-hangzhou\.aliyuncs\.com/);
  assert.equal(caCert(), ca1);

  // 380 days on, the server certificate (397 days) is within 30 days of its end
  clock.advance(380 * DAY);
  assert.deepEqual((await ensureTlsMaterial(dir, names(['*.cn-hangzhou.aliyuncs.com']), clock, randomIds)).made, { ca: false, server: true });
  assert.ok(Date.parse(serverCert().validTo) > clock.now() + 300 * DAY);
  assert.equal(caCert(), ca1);

  // near the CA's own end (ten years): both again
  clock.advance(3600 * DAY);
  assert.deepEqual((await ensureTlsMaterial(dir, names(['*.cn-hangzhou.aliyuncs.com']), clock, randomIds)).made, { ca: true, server: true });
  assert.notEqual(caCert(), ca1);
  assert.ok(serverCert().verify(new X509Certificate(caCert()).publicKey));

  // a key made readable by others is put back to 0600
  chmodSync(join(dir, 'tls', 'ca.key'), 0o644);
  await ensureTlsMaterial(dir, names(['*.cn-hangzhou.aliyuncs.com']), clock, randomIds);
  assert.equal(statSync(join(dir, 'tls', 'ca.key')).mode & 0o777, 0o600);
});

test('the listener names: loopback, the extra addresses, the wildcards and PARAPET_HOST when it names one', () => {
  assert.deepEqual(listenerNames('127.0.0.1', ['*.aliyuncs.com'], ['100.100.100.100']), { dns: ['localhost', '*.aliyuncs.com'], ips: ['127.0.0.1', '::1', '100.100.100.100'] });
  assert.deepEqual(listenerNames('0.0.0.0', [], []).ips, ['127.0.0.1', '::1']);
  assert.deepEqual(listenerNames('10.1.2.3', [], []).ips, ['127.0.0.1', '::1', '10.1.2.3']);
  assert.deepEqual(listenerNames('Parapet.Example.Internal', [], []).dns, ['localhost', 'parapet.example.internal']);
});
