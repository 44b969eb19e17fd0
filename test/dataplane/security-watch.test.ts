// Security Center's watcher without root: sshd's log lines as logon attempts (each kind of line
// OpenSSH writes at LogLevel INFO, split anywhere across chunks), /proc/net's listening sockets
// (this process's own sockets, and the kernel's formats for IPv4, IPv6 and mapped addresses), and
// the anti-brute-force table's nft script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dgram from 'node:dgram';
import { SshdLogParser, parseProcNet, listeningSockets, socketCounts } from '../../src/dataplane/security-watch.ts';
import { blockScript, blockSignature } from '../../src/dataplane/brute-force-blocks.ts';

const I = 'i-watch0000000000000';

const LOG = [
  'Server listening on 0.0.0.0 port 22.',
  // a wrong password, twice on one connection
  'Failed password for root from 203.0.113.5 port 40001 ssh2',
  'Failed password for root from 203.0.113.5 port 40001 ssh2',
  'Connection closed by authenticating user root 203.0.113.5 port 40001 [preauth]',
  // an unknown user: the probe with `none` is not an attempt, the password is
  'Invalid user admin from 203.0.113.6 port 40002',
  'Failed none for invalid user admin from 203.0.113.6 port 40002 ssh2',
  'Failed password for invalid user admin from 203.0.113.6 port 40002 ssh2',
  'Connection closed by invalid user admin 203.0.113.6 port 40002 [preauth]',
  // a wrong key: sshd says nothing at INFO until the connection ends before authentication
  'Connection closed by authenticating user root 203.0.113.7 port 40003 [preauth]',
  // a port scan: no user, no attempt
  'Connection closed by 203.0.113.8 port 40004 [preauth]',
  // a key logon, and its end
  'Accepted publickey for root from 198.51.100.9 port 40005 ssh2: ED25519 SHA256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefa',
  'Received disconnect from 198.51.100.9 port 40005:11: disconnected by user',
  'Disconnected from user root 198.51.100.9 port 40005',
  'Accepted password for deploy from 198.51.100.10 port 40006 ssh2',
  'Disconnected from authenticating user root 203.0.113.11 port 40007 [preauth]',
].join('\n') + '\n';

const expected = [
  ['203.0.113.5', 'root', 'password', false],
  ['203.0.113.5', 'root', 'password', false],
  ['203.0.113.6', 'admin', 'password', false],
  ['203.0.113.7', 'root', 'publickey', false],
  ['198.51.100.9', 'root', 'publickey', true],
  ['198.51.100.10', 'deploy', 'password', true],
  ['203.0.113.11', 'root', 'publickey', false],
];

test('sshd lines: each failed or accepted attempt once; a connection ended before authentication without one counts as a failed key', () => {
  const events = new SshdLogParser(I).push(LOG, 1000);
  assert.deepEqual(events.map((e) => [e.sourceIp, e.account, e.method, e.success]), expected);
  assert.ok(events.every((e) => e.instanceId === I && e.at === 1000));
});

test('sshd lines split anywhere across chunks give the same attempts', () => {
  for (let cut = 1; cut < LOG.length; cut += 7) {
    const p = new SshdLogParser(I);
    const events = [...p.push(LOG.slice(0, cut), 1), ...p.push(LOG.slice(cut, cut + 13), 2), ...p.push(LOG.slice(cut + 13), 3)];
    assert.deepEqual(events.map((e) => [e.sourceIp, e.account, e.method, e.success]), expected, `cut at ${cut}`);
  }
  // a line is complete only with its newline
  const p = new SshdLogParser(I);
  assert.deepEqual(p.push('Failed password for root from 203.0.113.5 port 1 ssh2', 1), []);
  assert.equal(p.push('\n', 2).length, 1);
});

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0
   2: 0501A8C0:0016 0A01A8C0:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 100 0 0 10 0
   3: 0501A8C0:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0000000000000000 100 0 0 10 0
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6 1 0000000000000000 100 0 0 10 0
   2: 000080FE00000000FF0250021E0000FE:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1 0000000000000000 100 0 0 10 0
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  1: 00000000:0089 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 8 2 0000000000000000 0
  2: 0501A8C0:D431 08080808:0035 01 00000000:00000000 00:00000000 00000000     0        0 9 2 0000000000000000 0
`;

test('/proc/net: listening TCP and bound UDP sockets with their addresses, in every format the kernel writes', () => {
  assert.deepEqual(parseProcNet(TCP, 'tcp'), [
    { proto: 'tcp', port: 6379, address: '0.0.0.0' },
    { proto: 'tcp', port: 3306, address: '127.0.0.1' },
    { proto: 'tcp', port: 22, address: '192.168.1.5' },
  ]);
  assert.deepEqual(parseProcNet(TCP6, 'tcp'), [
    { proto: 'tcp', port: 22, address: '::' },
    { proto: 'tcp', port: 8080, address: '127.0.0.1' },
    { proto: 'tcp', port: 80, address: 'fe80::250:2ff:fe00:1e' },
  ]);
  assert.deepEqual(parseProcNet(UDP, 'udp'), [{ proto: 'udp', port: 137, address: '0.0.0.0' }]);
  assert.deepEqual(parseProcNet('header only\n', 'tcp'), []);
});

test("a process's namespace: its own listening sockets are read from /proc/<pid>/net; its socket counts move when one opens", async () => {
  const before = socketCounts(process.pid);
  assert.match(before ?? '', /^tcp=\d+ udp=\d+ udp6=\d+$/);
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as net.AddressInfo).port;
    const udpPort = udp.address().port;
    const listening = socketCounts(process.pid);
    assert.notEqual(listening, before, 'a new listener and a bound UDP socket move the count');
    // a connection (both of its ends here) leaves it alone
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    const peer = await accepted;
    assert.equal(socketCounts(process.pid), listening, 'an established connection does not move it');
    client.destroy(); peer.destroy();
    const sockets = await listeningSockets(process.pid);
    assert.ok(sockets.some((s) => s.proto === 'tcp' && s.port === port && s.address === '127.0.0.1'), JSON.stringify(sockets));
    assert.ok(sockets.some((s) => s.proto === 'udp' && s.port === udpPort && s.address === '127.0.0.1'));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    assert.equal((await listeningSockets(process.pid)).some((s) => s.proto === 'tcp' && s.port === port), false, 'a closed socket is gone');
  } finally {
    server.close();
    udp.close();
  }
  assert.deepEqual(await listeningSockets(2 ** 22 + 12345), [], 'a process that is gone has none');
  assert.equal(socketCounts(2 ** 22 + 12345), undefined);
});

test('the block table: the sources in force with the time they have left; none in force, no table', () => {
  const now = 1_000_000;
  const script = blockScript([
    { instanceId: I, ip: '203.0.113.5', until: now + 300_000 },
    { instanceId: I, ip: '203.0.113.6', until: now + 1500 },
    { instanceId: I, ip: '203.0.113.7', until: now - 1 },
    { instanceId: I, ip: '2001:db8::7', until: now + 60_000 },
  ], now);
  assert.match(script, /^table inet parapet_sas\ndelete table inet parapet_sas\n/);
  assert.match(script, /set blocked4 \{ type ipv4_addr; flags timeout; elements = \{ 203\.0\.113\.5 timeout 300s, 203\.0\.113\.6 timeout 2s \} \}/);
  assert.match(script, /set blocked6 \{ type ipv6_addr; flags timeout; elements = \{ 2001:db8::7 timeout 60s \} \}/);
  assert.doesNotMatch(script, /203\.0\.113\.7/);
  assert.match(script, /ip saddr @blocked4 meta l4proto tcp reject with tcp reset/);
  assert.equal(blockScript([{ instanceId: I, ip: '203.0.113.7', until: now }], now), 'table inet parapet_sas\ndelete table inet parapet_sas\n');
  assert.equal(blockSignature([{ instanceId: I, ip: 'b', until: 2 }, { instanceId: I, ip: 'a', until: 1 }]), 'a@1,b@2');
});
