// SHA-512 crypt (`$6$`) against the reference vectors of Drepper's specification and against
// OpenSSL's `openssl passwd -6` (the same scheme as glibc's crypt(3)), where this machine has it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { sha512Crypt, sha512CryptMatches, SHA512_CRYPT_HASH } from '../../src/engine/sha512-crypt.ts';

test('the specification\'s test vectors (default and explicit rounds)', () => {
  assert.equal(sha512Crypt('Hello world!', 'saltstring'),
    '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1');
  // the specification's salt is "saltstringsaltstring": crypt(3) reads its first 16 characters
  assert.equal(sha512Crypt('Hello world!', 'saltstringsaltst', 10000),
    '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.');
  assert.equal(sha512Crypt('we have a short salt string but not a short password', 'short', 77777),
    '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0');
  assert.equal(sha512Crypt('a very much longer text to encrypt.  This one even stretches over morethan one line.', 'anotherlongsalts', 1400),
    '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1');
});

test('agrees with openssl passwd -6 on passwords of every length up to 30, specials and UTF-8 included', (t) => {
  try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); } catch { t.skip('no openssl on this machine'); return; }
  const passwords = ['Abcdef1!', "Ab1()`~!@#$%^&*-_+=|{}[]:;'<>,", 'Pässw0rd-ü', 'x'.repeat(30), 'Zz9-'.repeat(7)];
  for (let n = 1; n <= 30; n++) passwords.push('Aa1!Bb2@Cc3#Dd4$Ee5%Ff6^Gg7&Hh'.slice(0, n));
  for (const [i, p] of passwords.entries()) {
    const salt = ['a', 'ab./', 'ABCDEFGHIJKLMNOP', 'q1w2e3'][i % 4]!;
    const theirs = execFileSync('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: p + '\n' }).toString().trim();
    assert.equal(sha512Crypt(p, salt), theirs, JSON.stringify(p));
  }
});

test('matching: the right password only; hashes written are well-formed; a bad salt or rounds are refused', () => {
  const h = sha512Crypt('Right-Passw0rd', 'abcdefghijklmnop');
  assert.match(h, SHA512_CRYPT_HASH);
  assert.match(sha512Crypt('x', 'a', 5001), SHA512_CRYPT_HASH);
  assert.ok(sha512CryptMatches('Right-Passw0rd', h));
  assert.ok(!sha512CryptMatches('Wrong-Passw0rd', h));
  assert.ok(!sha512CryptMatches('Right-Passw0rd', h.replace('$6$', '$5$')));
  assert.ok(!sha512CryptMatches('Right-Passw0rd', h + ':0:0'));
  assert.throws(() => sha512Crypt('x', 'seventeen-chars17'));
  assert.throws(() => sha512Crypt('x', 'bad:salt'));
  assert.throws(() => sha512Crypt('x', ''));
  assert.throws(() => sha512Crypt('x', 'abc', 999));
});
