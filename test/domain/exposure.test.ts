// The exposure sweep as a pure function (src/domain/exposure.ts): exposureOfGroups6 over IPv6
// (cells cut at cidr6 rules and at PRIVATE6_RANGES, icmpv6, bigint CIDR blocks), and that the two
// families never expose each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exposureOfGroups, exposureOfGroups6 } from '../../src/domain/exposure.ts';
import { parseCidr, parseCidr6, ip6ToBigInt } from '../../src/engine/cidr.ts';
import type { FwGroup, FwRule } from '../../src/engine/firewall/index.ts';

const LOCAL6 = ip6ToBigInt('2408:4000:0:100::1000')!;
const LOCAL4 = parseCidr('10.0.0.5')!.base;

const v6 = (cidr: string): FwRule['peer'] => { const c = parseCidr6(cidr)!; return { kind: 'cidr6', range: { base: c.base, size: c.size } }; };
const v4 = (cidr: string): FwRule['peer'] => { const c = parseCidr(cidr)!; return { kind: 'cidr', range: { base: c.base, size: c.size } }; };

function rule(ruleId: string, p: Partial<FwRule> & { peer: FwRule['peer'] }): FwRule {
  const protocol = p.protocol ?? 'tcp';
  const ports = protocol === 'tcp' || protocol === 'udp';
  return {
    groupId: 'sg-a', ruleId, direction: 'ingress', protocol, portFrom: ports ? 22 : 1, portTo: ports ? 22 : 65535, srcPortFrom: 1, srcPortTo: 65535,
    policy: 'accept', priority: 1, nicType: 'intranet', ...p,
  };
}

const groups = (...rules: FwRule[]): FwGroup[] => [{ groupId: 'sg-a', type: 'normal', innerAccessPolicy: 'Accept', rules }];
const rows = (list: ReturnType<typeof exposureOfGroups6>) => list.map((e) => [e.protocol, `${e.portFrom}/${e.portTo}`, e.cidrs.join(','), e.openToInternet, e.risk]);

test('IPv6: SSH open to ::/0 is high risk, named by its rule', () => {
  const list = exposureOfGroups6(groups(rule('sgr-ssh', { peer: v6('::/0') })), LOCAL6);
  assert.deepEqual(rows(list), [['tcp', '22/22', '::/0', true, 'high']]);
  assert.deepEqual(list[0]!.services, ['SSH']);
  assert.deepEqual(list[0]!.rules, [{ groupId: 'sg-a', ruleId: 'sgr-ssh' }]);
});

test('IPv6: a /64 allowed with a stronger drop of a /80 inside it leaves the minimal blocks around the /80', () => {
  const list = exposureOfGroups6(groups(
    rule('sgr-web', { portFrom: 443, portTo: 443, peer: v6('2001:db8:1:2::/64'), priority: 5 }),
    rule('sgr-hole', { portFrom: 443, portTo: 443, peer: v6('2001:db8:1:2:5::/80'), policy: 'drop', priority: 1 }),
  ), LOCAL6);
  assert.equal(list.length, 1);
  const e = list[0]!;
  assert.deepEqual([e.protocol, e.portFrom, e.portTo, e.openToInternet, e.risk, e.services], ['tcp', 443, 443, false, 'low', []]);
  // after the /80 (fifth group 5): 6-7, then 8-f, 10-1f, … 8000-ffff, each block twice the last
  const after = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((k) => `2001:db8:1:2:${(1 << k).toString(16)}::/${80 - k}`);
  assert.deepEqual(e.cidrs, ['2001:db8:1:2::/78', '2001:db8:1:2:4::/80', '2001:db8:1:2:6::/79', ...after]);
  // the drop hides, it does not open: only the accept is named
  assert.deepEqual(e.rules, [{ groupId: 'sg-a', ruleId: 'sgr-web' }]);
});

test('IPv6: the internet is outside PRIVATE6_RANGES (a drop of them leaves ::/0 open; an accept of them exposes nothing)', () => {
  const open = exposureOfGroups6(groups(
    rule('sgr-all', { peer: v6('::/0'), priority: 2 }),
    rule('sgr-ula', { peer: v6('fc00::/7'), policy: 'drop' }), rule('sgr-ll', { peer: v6('fe80::/10'), policy: 'drop' }), rule('sgr-pool', { peer: v6('2408:4000::/20'), policy: 'drop' }),
  ), LOCAL6);
  assert.deepEqual(rows(open), [['tcp', '22/22', '::/0', true, 'high']]);
  assert.deepEqual(exposureOfGroups6(groups(rule('sgr-ula', { peer: v6('fc00::/7') }), rule('sgr-vpc', { peer: v6('2408:4000:0:100::/56') })), LOCAL6), []);
  // global unicast is not everything: 2000::/3 is answered as blocks, around the VPC pool
  const gua = exposureOfGroups6(groups(rule('sgr-gua', { peer: v6('2000::/3') })), LOCAL6)[0]!;
  assert.equal(gua.openToInternet, false);
  assert.equal(gua.risk, 'medium');
  assert.equal(gua.cidrs[0], '2000::/6');
  assert.ok(gua.cidrs.includes('2408::/18') && gua.cidrs.includes('2408:5000::/20') && !gua.cidrs.some((c) => c.startsWith('2408:4000:')));
});

test('IPv4 rules do not expose IPv6 and IPv6 rules do not expose IPv4; group rules expose neither', () => {
  const ipv4Only = groups(rule('sgr-4', { peer: v4('0.0.0.0/0') }), rule('sgr-4all', { protocol: 'all', peer: v4('0.0.0.0/0') }));
  assert.deepEqual(exposureOfGroups6(ipv4Only, LOCAL6), []);
  assert.equal(exposureOfGroups(ipv4Only, 'vpc', LOCAL4).length > 0, true);
  const ipv6Only = groups(rule('sgr-6', { peer: v6('::/0') }), rule('sgr-6all', { protocol: 'all', peer: v6('::/0') }));
  assert.deepEqual(exposureOfGroups(ipv6Only, 'vpc', LOCAL4), []);
  assert.deepEqual(exposureOfGroups(ipv6Only, 'classic', LOCAL4), []);
  const byGroup = groups(rule('sgr-g', { protocol: 'all', peer: { kind: 'group', groupId: 'sg-b' } }));
  assert.deepEqual(exposureOfGroups6(byGroup, LOCAL6), []);
  assert.deepEqual(exposureOfGroups(byGroup, 'vpc', LOCAL4), []);
});

test('IPv6: icmpv6 rows carry -1/-1; an IPv6 `all` rule opens tcp, udp and icmpv6; an IPv4 icmp rule opens no icmpv6', () => {
  assert.deepEqual(rows(exposureOfGroups6(groups(rule('sgr-ping', { protocol: 'icmpv6', peer: v6('::/0') }), rule('sgr-ping4', { protocol: 'icmp', peer: v4('0.0.0.0/0') })), LOCAL6)),
    [['icmpv6', '-1/-1', '::/0', true, 'medium']]);
  const all = exposureOfGroups6(groups(rule('sgr-any', { protocol: 'all', peer: v6('2001:db8::/32') })), LOCAL6);
  assert.deepEqual(rows(all), [
    ['tcp', '1/65535', '2001:db8::/32', false, 'medium'],
    ['udp', '1/65535', '2001:db8::/32', false, 'medium'],
    ['icmpv6', '-1/-1', '2001:db8::/32', false, 'low'],
  ]);
  assert.ok(all[0]!.services.includes('SSH') && all[1]!.services.includes('NetBIOS'));
});

test('IPv6: a rule restricted to another local address (Ipv6DestCidrIp) does not expose this one', () => {
  const g = groups(rule('sgr-other', { peer: v6('::/0'), local6: { base: parseCidr6('2408:4000:0:200::/64')!.base, size: 1n << 64n } }));
  assert.deepEqual(exposureOfGroups6(g, LOCAL6), []);
  assert.deepEqual(rows(exposureOfGroups6(g, ip6ToBigInt('2408:4000:0:200::7')!)), [['tcp', '22/22', '::/0', true, 'high']]);
});

test('IPv6: ports merge as in IPv4, and a stronger drop of ::/0 hides a port entirely', () => {
  const list = exposureOfGroups6(groups(
    rule('sgr-range', { portFrom: 8000, portTo: 8100, peer: v6('::/0'), priority: 10 }),
    rule('sgr-block', { portFrom: 8050, portTo: 8050, peer: v6('::/0'), policy: 'drop', priority: 1 }),
    rule('sgr-udp', { protocol: 'udp', portFrom: 53, portTo: 53, peer: v6('2001:db8::1') }),
  ), LOCAL6);
  assert.deepEqual(rows(list), [
    ['tcp', '8000/8049', '::/0', true, 'medium'],
    ['tcp', '8051/8100', '::/0', true, 'medium'],
    ['udp', '53/53', '2001:db8::1/128', false, 'low'],
  ]);
});
