// The firewall decision engine (src/engine/firewall): hand-written cases for each step of SPEC
// §1.3, then property tests holding the compiled engine (decide, explain) to the reference
// evaluator on random rule sets built from small universes so that overlaps and ties are frequent.
// Some random rules authorize a prefix list: they become one engine rule per disjoint block of the
// list's entries, all with the rule's id, through the loader's own expansion (src/domain/fw-groups.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { prng } from '../helpers/prng.ts';
import { ip, ip6, ip6w, cidr, cidr6, group, ruleFromShape, type RuleShape } from '../helpers/fw.ts';
import { ip6Words } from '../../src/engine/cidr.ts';
import { disjointBlocks } from '../../src/domain/fw-groups.ts';
import { formatCidr } from '../../src/engine/cidr.ts';
import {
  compileEni, decide, explain, decideReference,
  type AddressRange, type Address6Range, type Decision, type Flow, type FlowProtocol, type FwGroup, type FwRule,
} from '../../src/engine/firewall/index.ts';

// ---------------------------------------------------------------------------------------------
// Builders

function flow(spec: Partial<Omit<Flow, 'localIp' | 'remoteIp'>> & { local?: string; remote?: string }): Flow {
  const { local, remote, ...rest } = spec;
  const protocol = rest.protocol ?? 'tcp';
  const ported = protocol === 'tcp' || protocol === 'udp';
  return {
    direction: 'ingress', protocol, localIp: ip(local ?? '10.0.0.5'), localPort: ported ? 22 : 0,
    remoteIp: ip(remote ?? '198.51.100.7'), remotePort: ported ? 40000 : 0, nicType: 'intranet', peerGroups: [], ...rest,
  };
}

interface Expected { verdict: Decision['verdict']; reason: Decision['reason']; rule?: FwRule | undefined }

/** All three evaluators give `expected`; returns explain's decision for further checks. */
function expectDecision(groups: FwGroup[], f: Flow, expected: Expected): Decision {
  const ref = decideReference(groups, f);
  const compiled = compileEni(groups);
  const fast = decide(compiled, f);
  const full = explain(compiled, f);
  for (const [name, d] of [['reference', ref], ['decide', fast], ['explain', full]] as const) {
    assert.equal(d.verdict, expected.verdict, `${name}: verdict`);
    assert.equal(d.reason, expected.reason, `${name}: reason`);
    assert.equal(d.decidingRule, expected.rule, `${name}: deciding rule ${d.decidingRule?.ruleId} vs ${expected.rule?.ruleId}`);
  }
  assert.deepEqual(full.matchedRules, ref.matchedRules, 'explain lists the matches the reference lists');
  assert.deepEqual(fast.matchedRules, [], 'decide lists no matches');
  return full;
}

/** An IPv6 flow (ingress tcp to port 22 from a documentation address unless told). */
function flow6(spec: Partial<Omit<Flow, 'localIp' | 'remoteIp' | 'ip6'>> & { local?: string; remote?: string }): Flow {
  const { local, remote, ...rest } = spec;
  return { ...flow(rest), localIp: 0, remoteIp: 0, ip6: { local: ip6w(local ?? '2408:4000:0:100::10'), remote: ip6w(remote ?? '2001:db8::7') } };
}

// ---------------------------------------------------------------------------------------------
// Step 1: platform

test('platform: tcp 25 to a public address is dropped even with an accept-all egress rule', () => {
  const g = [group('sg-a', [{ direction: 'egress', protocol: 'all', priority: 1 }])];
  const d = expectDecision(g, flow({ direction: 'egress', remote: '8.8.8.8', remotePort: 25, localPort: 40000 }), { verdict: 'drop', reason: 'Platform' });
  assert.deepEqual(d.matchedRules, []);
  // also with a rule naming port 25 exactly
  const g25 = [group('sg-a', [{ direction: 'egress', protocol: 'tcp', portFrom: 25, portTo: 25 }])];
  expectDecision(g25, flow({ direction: 'egress', remote: '203.0.113.9', remotePort: 25 }), { verdict: 'drop', reason: 'Platform' });
});

test('platform: tcp 25 to private addresses and other protocols/ports is left to the groups', () => {
  const g = [group('sg-a', [{ direction: 'egress', protocol: 'all' }])];
  for (const remote of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.4.4']) {
    expectDecision(g, flow({ direction: 'egress', remote, remotePort: 25 }), { verdict: 'accept', reason: 'Rule', rule: g[0]!.rules[0] });
  }
  // 172.32.0.1 is not RFC 1918
  expectDecision(g, flow({ direction: 'egress', remote: '172.32.0.1', remotePort: 25 }), { verdict: 'drop', reason: 'Platform' });
  expectDecision(g, flow({ direction: 'egress', protocol: 'udp', remote: '8.8.8.8', remotePort: 25 }), { verdict: 'accept', reason: 'Rule', rule: g[0]!.rules[0] });
  expectDecision(g, flow({ direction: 'egress', remote: '8.8.8.8', remotePort: 587 }), { verdict: 'accept', reason: 'Rule', rule: g[0]!.rules[0] });
  // ingress to local port 25 is not the platform's business
  expectDecision([group('sg-a', [])], flow({ localPort: 25, remote: '8.8.8.8', remotePort: 25 }), { verdict: 'drop', reason: 'Default' });
  // no groups at all: egress allowed by default, but still no SMTP to the internet
  expectDecision([], flow({ direction: 'egress', remote: '10.0.0.9', remotePort: 25 }), { verdict: 'accept', reason: 'Default' });
  expectDecision([], flow({ direction: 'egress', remote: '8.8.4.4', remotePort: 25 }), { verdict: 'drop', reason: 'Platform' });
});

test('platform: an account whose port 25 is unblocked has tcp 25 egress decided by its groups', () => {
  const open = { port25Blocked: false };
  const g = [group('sg-a', [{ direction: 'egress', protocol: 'all' }])];
  const f = flow({ direction: 'egress', remote: '8.8.8.8', remotePort: 25 });
  for (const d of [decideReference(g, f, open), decide(compileEni(g, open), f), explain(compileEni(g, open), f)]) {
    assert.deepEqual([d.verdict, d.reason, d.decidingRule], ['accept', 'Rule', g[0]!.rules[0]]);
  }
  // a drop rule still drops it, and with no rules the default decides
  const dropping = [group('sg-a', [{ direction: 'egress', protocol: 'tcp', portFrom: 25, portTo: 25, policy: 'drop' }])];
  assert.deepEqual([decide(compileEni(dropping, open), f).verdict, decide(compileEni(dropping, open), f).reason], ['drop', 'Rule']);
  assert.deepEqual([decideReference([], f, open).verdict, decideReference([], f, open).reason], ['accept', 'Default']);
  // the default platform (and an explicit blocked one) still drops it
  assert.equal(decide(compileEni(g, { port25Blocked: true }), f).reason, 'Platform');
  assert.equal(decideReference(g, f).reason, 'Platform');
});

test('platform: tcp 25 over IPv6 is blocked outside the unique-local, link-local and VPC ranges', () => {
  const g = [group('sg-a', [{ direction: 'egress', protocol: 'all', from: '::/0' }])];
  expectDecision(g, flow6({ direction: 'egress', remote: '2001:db8::25', remotePort: 25 }), { verdict: 'drop', reason: 'Platform' });
  for (const remote of ['fd00::1', 'fe80::1', '2408:4000:12:3400::9']) {
    expectDecision(g, flow6({ direction: 'egress', remote, remotePort: 25 }), { verdict: 'accept', reason: 'Rule', rule: g[0]!.rules[0] });
  }
});

// ---------------------------------------------------------------------------------------------
// Step 2: intra-group

test('intra-group: a shared basic group with policy Accept beats a drop rule', () => {
  const g = [group('sg-a', [{ protocol: 'all', policy: 'drop', priority: 1 }])];
  const d = expectDecision(g, flow({ peerGroups: ['sg-a'], remote: '10.0.0.6' }), { verdict: 'accept', reason: 'IntraGroup' });
  assert.deepEqual(d.matchedRules, g[0]!.rules, 'the drop rule still shows up in the explanation');
  // the same peer without the membership is dropped by the rule
  expectDecision(g, flow({ peerGroups: ['sg-b'], remote: '10.0.0.6' }), { verdict: 'drop', reason: 'Rule', rule: g[0]!.rules[0] });
  // egress too
  const ge = [group('sg-a', [{ direction: 'egress', protocol: 'all', policy: 'drop' }])];
  expectDecision(ge, flow({ direction: 'egress', peerGroups: ['sg-x', 'sg-a'] }), { verdict: 'accept', reason: 'IntraGroup' });
});

test('intra-group: policy Drop gives no allowance', () => {
  const g = [group('sg-a', [], { innerAccessPolicy: 'Drop' })];
  expectDecision(g, flow({ peerGroups: ['sg-a'] }), { verdict: 'drop', reason: 'Default' });
  const withRule = [group('sg-a', [{ fromGroup: 'sg-a', portFrom: 22, portTo: 22 }], { innerAccessPolicy: 'Drop' })];
  expectDecision(withRule, flow({ peerGroups: ['sg-a'] }), { verdict: 'accept', reason: 'Rule', rule: withRule[0]!.rules[0] });
  // a second basic group with Accept that the peer shares does give it
  const two = [group('sg-a', [], { innerAccessPolicy: 'Drop' }), group('sg-b', [])];
  expectDecision(two, flow({ peerGroups: ['sg-a', 'sg-b'] }), { verdict: 'accept', reason: 'IntraGroup' });
  expectDecision(two, flow({ peerGroups: ['sg-a'] }), { verdict: 'drop', reason: 'Default' });
});

test('advanced groups: no intra-group allowance and default-deny egress', () => {
  const g = [group('sg-e', [], { type: 'enterprise' })];
  expectDecision(g, flow({ peerGroups: ['sg-e'] }), { verdict: 'drop', reason: 'Default' });
  expectDecision(g, flow({ direction: 'egress', peerGroups: ['sg-e'] }), { verdict: 'drop', reason: 'Default' });
  expectDecision(g, flow({ direction: 'egress', remote: '10.0.0.8', remotePort: 443 }), { verdict: 'drop', reason: 'Default' });
  const open = [group('sg-e', [{ direction: 'egress', protocol: 'all' }], { type: 'enterprise' })];
  expectDecision(open, flow({ direction: 'egress', remotePort: 443 }), { verdict: 'accept', reason: 'Rule', rule: open[0]!.rules[0] });
  // basic groups: outbound allowed by default
  expectDecision([group('sg-a', [])], flow({ direction: 'egress', remotePort: 443 }), { verdict: 'accept', reason: 'Default' });
  // the engine does not insist on one type per ENI: one advanced group makes egress default-deny
  expectDecision([group('sg-a', []), group('sg-e', [], { type: 'enterprise' })], flow({ direction: 'egress' }), { verdict: 'drop', reason: 'Default' });
});

// ---------------------------------------------------------------------------------------------
// Step 3: rules

test('rules: the smallest priority number wins; at equal priority drop wins', () => {
  const g = [group('sg-a', [
    { portFrom: 22, portTo: 22, policy: 'accept', priority: 1 },
    { portFrom: 1, portTo: 1024, policy: 'drop', priority: 2 },
  ])];
  expectDecision(g, flow({ localPort: 22 }), { verdict: 'accept', reason: 'Rule', rule: g[0]!.rules[0] });
  expectDecision(g, flow({ localPort: 80 }), { verdict: 'drop', reason: 'Rule', rule: g[0]!.rules[1] });
  expectDecision(g, flow({ localPort: 8080 }), { verdict: 'drop', reason: 'Default' });

  // a tie across groups: the drop of sg-b beats the accept of sg-a whatever the order of groups and ids
  const a = group('sg-a', [{ portFrom: 22, portTo: 22, policy: 'accept', priority: 5 }]);
  const b = group('sg-b', [{ portFrom: 1, portTo: 100, policy: 'drop', priority: 5, from: '198.51.100.0/24' }]);
  for (const gs of [[a, b], [b, a]]) {
    const d = expectDecision(gs, flow({ localPort: 22 }), { verdict: 'drop', reason: 'Rule', rule: b.rules[0] });
    assert.deepEqual(d.matchedRules, [b.rules[0], a.rules[0]]);
  }
  // equal priority and policy: groupId then ruleId order the list; the first decides
  const c = group('sg-c', [{ priority: 3, ruleId: 'sgr-b' }, { priority: 3, ruleId: 'sgr-a' }]);
  const d = expectDecision([c], flow({}), { verdict: 'accept', reason: 'Rule', rule: c.rules[1] });
  assert.deepEqual(d.matchedRules.map((r) => r.ruleId), ['sgr-a', 'sgr-b']);
});

test('rules: port bounds and protocols', () => {
  const g = [group('sg-a', [{ portFrom: 80, portTo: 443 }, { protocol: 'icmp' }, { protocol: 'udp', portFrom: 53, portTo: 53 }])];
  const [web, icmp, dns] = g[0]!.rules;
  expectDecision(g, flow({ localPort: 79 }), { verdict: 'drop', reason: 'Default' });
  expectDecision(g, flow({ localPort: 80 }), { verdict: 'accept', reason: 'Rule', rule: web });
  expectDecision(g, flow({ localPort: 443 }), { verdict: 'accept', reason: 'Rule', rule: web });
  expectDecision(g, flow({ localPort: 444 }), { verdict: 'drop', reason: 'Default' });
  expectDecision(g, flow({ protocol: 'icmp' }), { verdict: 'accept', reason: 'Rule', rule: icmp });
  expectDecision(g, flow({ protocol: 'gre' }), { verdict: 'drop', reason: 'Default' });
  expectDecision(g, flow({ protocol: 'udp', localPort: 53 }), { verdict: 'accept', reason: 'Rule', rule: dns });
  expectDecision(g, flow({ protocol: 'udp', localPort: 80 }), { verdict: 'drop', reason: 'Default' });
  // egress rules look at the remote port
  const e = [group('sg-e', [{ direction: 'egress', portFrom: 443, portTo: 443, policy: 'drop' }], { type: 'normal' })];
  expectDecision(e, flow({ direction: 'egress', localPort: 443, remotePort: 8443 }), { verdict: 'accept', reason: 'Default' });
  expectDecision(e, flow({ direction: 'egress', localPort: 50000, remotePort: 443 }), { verdict: 'drop', reason: 'Rule', rule: e[0]!.rules[0] });
});

test('rules: a group-authorized rule matches a member peer, not the same address without membership', () => {
  const g = [group('sg-a', [{ fromGroup: 'sg-peer', portFrom: 22, portTo: 22 }])];
  const member = flow({ remote: '10.0.0.9', peerGroups: ['sg-other', 'sg-peer'] });
  expectDecision(g, member, { verdict: 'accept', reason: 'Rule', rule: g[0]!.rules[0] });
  expectDecision(g, { ...member, peerGroups: [] }, { verdict: 'drop', reason: 'Default' });
  expectDecision(g, { ...member, peerGroups: ['sg-other'] }, { verdict: 'drop', reason: 'Default' });
  // a group drop at a stronger priority beats a CIDR accept
  const h = [group('sg-a', [{ fromGroup: 'sg-bad', policy: 'drop', priority: 1 }, { from: '10.0.0.0/8', priority: 2 }])];
  expectDecision(h, flow({ remote: '10.0.0.9', peerGroups: ['sg-bad'] }), { verdict: 'drop', reason: 'Rule', rule: h[0]!.rules[0] });
  expectDecision(h, flow({ remote: '10.0.0.9' }), { verdict: 'accept', reason: 'Rule', rule: h[0]!.rules[1] });
});

test('rules: classic NIC types are separate (internet rules do not act on intranet flows)', () => {
  const g = [group('sg-c', [
    { nicType: 'internet', portFrom: 80, portTo: 80 },
    { nicType: 'intranet', portFrom: 22, portTo: 22, from: '10.0.0.0/8' },
    { nicType: 'internet', direction: 'egress', protocol: 'all', policy: 'drop' },
  ])];
  const [web, ssh, noInternetOut] = g[0]!.rules;
  expectDecision(g, flow({ nicType: 'internet', localPort: 80 }), { verdict: 'accept', reason: 'Rule', rule: web });
  expectDecision(g, flow({ nicType: 'intranet', localPort: 80 }), { verdict: 'drop', reason: 'Default' });
  expectDecision(g, flow({ nicType: 'intranet', localPort: 22, remote: '10.1.1.1' }), { verdict: 'accept', reason: 'Rule', rule: ssh });
  expectDecision(g, flow({ nicType: 'internet', localPort: 22, remote: '10.1.1.1' }), { verdict: 'drop', reason: 'Default' });
  expectDecision(g, flow({ nicType: 'internet', direction: 'egress', remotePort: 443 }), { verdict: 'drop', reason: 'Rule', rule: noInternetOut });
  expectDecision(g, flow({ nicType: 'intranet', direction: 'egress', remotePort: 443 }), { verdict: 'accept', reason: 'Default' });
});

test('rules: source port range and local (destination) range', () => {
  const g = [group('sg-a', [{ portFrom: 22, portTo: 22, srcPortFrom: 1024, srcPortTo: 65535 }])];
  expectDecision(g, flow({ localPort: 22, remotePort: 40000 }), { verdict: 'accept', reason: 'Rule', rule: g[0]!.rules[0] });
  expectDecision(g, flow({ localPort: 22, remotePort: 1023 }), { verdict: 'drop', reason: 'Default' });
  // egress: the source range is the local port
  const e = [group('sg-a', [{ direction: 'egress', protocol: 'udp', srcPortFrom: 53, srcPortTo: 53, policy: 'drop' }])];
  expectDecision(e, flow({ direction: 'egress', protocol: 'udp', localPort: 53, remotePort: 9999 }), { verdict: 'drop', reason: 'Rule', rule: e[0]!.rules[0] });
  expectDecision(e, flow({ direction: 'egress', protocol: 'udp', localPort: 54, remotePort: 53 }), { verdict: 'accept', reason: 'Default' });
  // local range: the ENI's own address must be inside
  const l = [group('sg-a', [{ local: cidr('10.0.0.5/32') }])];
  expectDecision(l, flow({ local: '10.0.0.5' }), { verdict: 'accept', reason: 'Rule', rule: l[0]!.rules[0] });
  expectDecision(l, flow({ local: '10.0.0.6' }), { verdict: 'drop', reason: 'Default' });
});

test('IPv6: an Ipv6SourceCidrIp rule decides IPv6 flows only; an IPv4 rule never meets an IPv6 flow', () => {
  const g = [group('sg-a', [
    { from: '0.0.0.0/0', portFrom: 22, portTo: 22 },
    { from: '2001:db8::/64', portFrom: 22, portTo: 22, priority: 2 },
    { from: '::/0', portFrom: 1, portTo: 65535, policy: 'drop', priority: 3 },
  ])];
  const [v4, v6, dropAll6] = g[0]!.rules;
  expectDecision(g, flow({ localPort: 22 }), { verdict: 'accept', reason: 'Rule', rule: v4 });
  expectDecision(g, flow6({ localPort: 22 }), { verdict: 'accept', reason: 'Rule', rule: v6 });
  expectDecision(g, flow6({ localPort: 22, remote: '2001:db8:0:1::7' }), { verdict: 'drop', reason: 'Rule', rule: dropAll6 });
  expectDecision(g, flow({ localPort: 80 }), { verdict: 'drop', reason: 'Default' });
  // the two ends of the /64, and the first address past it
  expectDecision(g, flow6({ localPort: 22, remote: '2001:db8::' }), { verdict: 'accept', reason: 'Rule', rule: v6 });
  expectDecision(g, flow6({ localPort: 22, remote: '2001:db8::ffff:ffff:ffff:ffff' }), { verdict: 'accept', reason: 'Rule', rule: v6 });
  // icmp rules are IPv4's, icmpv6 rules IPv6's; `all` covers both
  const icmp = [group('sg-a', [{ protocol: 'icmp' }, { protocol: 'icmpv6', from: '::/0', priority: 2 }])];
  expectDecision(icmp, flow6({ protocol: 'icmp' }), { verdict: 'drop', reason: 'Default' });
  expectDecision(icmp, flow6({ protocol: 'icmpv6' }), { verdict: 'accept', reason: 'Rule', rule: icmp[0]!.rules[1] });
  expectDecision(icmp, flow({ protocol: 'icmpv6' }), { verdict: 'drop', reason: 'Default' });
});

test('IPv6: a group rule reaches members by either family; Ipv6DestCidrIp restricts the ENI\'s own IPv6 address', () => {
  const g = [group('sg-a', [{ fromGroup: 'sg-peer', portFrom: 22, portTo: 22 }])];
  expectDecision(g, flow6({ localPort: 22, remote: '2408:4000:0:100::20', peerGroups: ['sg-peer'] }), { verdict: 'accept', reason: 'Rule', rule: g[0]!.rules[0] });
  expectDecision(g, flow6({ localPort: 22, remote: '2408:4000:0:100::20' }), { verdict: 'drop', reason: 'Default' });
  expectDecision(g, flow({ localPort: 22, remote: '10.0.0.20', peerGroups: ['sg-peer'] }), { verdict: 'accept', reason: 'Rule', rule: g[0]!.rules[0] });
  const l = [group('sg-a', [{ from: '::/0', local6: cidr6('2408:4000:0:100::10/128') }, { fromGroup: 'sg-peer', local: cidr('10.0.0.5/32'), priority: 2 }])];
  expectDecision(l, flow6({}), { verdict: 'accept', reason: 'Rule', rule: l[0]!.rules[0] });
  expectDecision(l, flow6({ local: '2408:4000:0:100::11' }), { verdict: 'drop', reason: 'Default' });
  // a group rule with an IPv4 local range is an IPv4 rule
  expectDecision(l, flow6({ local: '2408:4000:0:100::11', peerGroups: ['sg-peer'] }), { verdict: 'drop', reason: 'Default' });
  expectDecision(l, flow({ peerGroups: ['sg-peer'] }), { verdict: 'accept', reason: 'Rule', rule: l[0]!.rules[1] });
});

test('SPEC §9 scenario 4: reach only given public addresses', () => {
  const g = [group('sg-a', [
    { direction: 'egress', protocol: 'all', policy: 'drop', priority: 2, from: '0.0.0.0/0' },
    { direction: 'egress', protocol: 'all', policy: 'accept', priority: 1, from: '203.0.113.0/24' },
  ])];
  const [dropAll, allowed] = g[0]!.rules;
  expectDecision(g, flow({ direction: 'egress', remote: '203.0.113.9', remotePort: 443 }), { verdict: 'accept', reason: 'Rule', rule: allowed });
  expectDecision(g, flow({ direction: 'egress', protocol: 'icmp', remote: '203.0.113.255' }), { verdict: 'accept', reason: 'Rule', rule: allowed });
  expectDecision(g, flow({ direction: 'egress', remote: '203.0.114.0', remotePort: 443 }), { verdict: 'drop', reason: 'Rule', rule: dropAll });
  expectDecision(g, flow({ direction: 'egress', remote: '198.51.100.1', remotePort: 80 }), { verdict: 'drop', reason: 'Rule', rule: dropAll });
  expectDecision(g, flow({ direction: 'egress', remote: '203.0.113.9', remotePort: 25 }), { verdict: 'drop', reason: 'Platform' });
  // inbound is untouched by egress rules
  expectDecision(g, flow({ remote: '203.0.113.9' }), { verdict: 'drop', reason: 'Default' });
});

test('decide shares frozen answers; explain returns fresh ones', () => {
  const g = [group('sg-a', [{ portFrom: 22, portTo: 22 }])];
  const c = compileEni(g);
  const d = decide(c, flow({ localPort: 22 }));
  assert.ok(Object.isFrozen(d) && Object.isFrozen(d.matchedRules));
  assert.equal(decide(c, flow({ localPort: 22, remote: '10.9.9.9' })), d);
  const e = explain(c, flow({ localPort: 22 }));
  assert.ok(!Object.isFrozen(e));
  assert.deepEqual(e.matchedRules, g[0]!.rules);
});

// ---------------------------------------------------------------------------------------------
// Properties: decide and explain agree with the reference

const PORTS = [1, 22, 25, 80, 443, 1000, 65535] as const;
const FLOW_PORTS = [...PORTS, 2, 21, 23, 24, 26, 79, 81, 442, 444, 999, 1001, 40000, 65534] as const;
const NETS = [ip('10.1.2.0'), ip('203.0.113.0')] as const; // one private /24, one public /24
const OFFSETS = [0, 1, 2, 7, 8, 63, 64, 127, 128, 200, 254, 255] as const;
const ELSEWHERE = ['8.8.8.8', '172.16.0.1', '172.32.0.1', '10.9.9.9', '192.168.1.1', '0.0.0.0', '255.255.255.255'].map(ip);
const PREFIXES = [32, 31, 30, 29, 26, 25, 24, 16, 8, 0] as const;
const GROUP_IDS = ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5'] as const;
const PEER_IDS = [...GROUP_IDS, 'sg-other'] as const;

const NETS6 = [ip6('2408:4000:0:100::'), ip6('2001:db8::')] as const; // one VPC /64, one internet /64
const ELSEWHERE6 = ['::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::1', 'fd00::5', '2001:db8:1::1', '2408:4000:0:200::9'].map(ip6);
const PREFIXES6 = [128, 127, 126, 125, 121, 120, 64, 56, 32, 0] as const;

const address6Arb: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...NETS6), fc.oneof(fc.constantFrom(...OFFSETS), fc.integer({ min: 0, max: 255 }))).map(([n, o]) => n + BigInt(o)) },
  { weight: 1, arbitrary: fc.constantFrom(...ELSEWHERE6) },
);
const range6Arb: fc.Arbitrary<Address6Range> = fc.tuple(address6Arb, fc.constantFrom(...PREFIXES6)).map(([a, p]) => {
  const size = 1n << BigInt(128 - p);
  return { base: a - (a % size), size };
});

const addressArb = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...NETS), fc.oneof(fc.constantFrom(...OFFSETS), fc.integer({ min: 0, max: 255 }))).map(([n, o]) => n + o) },
  { weight: 1, arbitrary: fc.constantFrom(...ELSEWHERE) },
);
const rangeArb: fc.Arbitrary<AddressRange> = fc.tuple(addressArb, fc.constantFrom(...PREFIXES)).map(([a, p]) => {
  const size = 2 ** (32 - p);
  return { base: a - (a % size), size };
});
const portRangeArb = fc.tuple(fc.constantFrom(...PORTS), fc.constantFrom(...PORTS)).map(([a, b]): { lo: number; hi: number } => ({ lo: Math.min(a, b), hi: Math.max(a, b) }));
const protocolArb = fc.constantFrom<FwRule['protocol']>('tcp', 'tcp', 'tcp', 'udp', 'icmp', 'icmpv6', 'gre', 'all');

const ruleShapeArb = fc.record({
  direction: fc.constantFrom<FwRule['direction']>('ingress', 'egress'),
  protocol: protocolArb,
  ports: portRangeArb,
  src: fc.option(portRangeArb, { freq: 3 }),
  policy: fc.constantFrom<FwRule['policy']>('accept', 'drop'),
  priority: fc.integer({ min: 1, max: 5 }),
  nicType: fc.constantFrom<FwRule['nicType']>('intranet', 'intranet', 'internet'),
  peer: fc.oneof(
    { weight: 4, arbitrary: rangeArb.map((range): FwRule['peer'] => ({ kind: 'cidr', range })) },
    { weight: 2, arbitrary: range6Arb.map((range): FwRule['peer'] => ({ kind: 'cidr6', range })) },
    { weight: 1, arbitrary: fc.constantFrom(...PEER_IDS).map((groupId): FwRule['peer'] => ({ kind: 'group', groupId })) },
  ),
  local: fc.option(rangeArb, { freq: 5 }),
  local6: fc.option(range6Arb, { freq: 5 }),
  groupLocal6: fc.boolean(),
}).map(({ groupLocal6, ...shape }): RuleShape => {
  // the local range takes the family of the peer (the API pairs them); a group rule's either
  const v6 = shape.peer.kind === 'cidr6' || (shape.peer.kind === 'group' && groupLocal6);
  return v6 ? { ...shape, local: null } : { ...shape, local6: null };
});

/** a rule, or (one in six) a rule that authorizes a prefix list of 0 to 6 entries */
const shapeArb: fc.Arbitrary<{ shape: RuleShape; list: AddressRange[] | null }> = fc.oneof(
  { weight: 5, arbitrary: ruleShapeArb.map((shape) => ({ shape, list: null })) },
  { weight: 1, arbitrary: fc.record({ shape: ruleShapeArb, list: fc.array(rangeArb, { minLength: 0, maxLength: 6 }) }) },
);

type GroupMode = 'normal' | 'enterprise' | 'mixed';

function groupsArb(mode: GroupMode): fc.Arbitrary<FwGroup[]> {
  const typeArb = mode === 'mixed' ? fc.constantFrom<FwGroup['type']>('normal', 'enterprise') : fc.constant<FwGroup['type']>(mode);
  return fc.integer({ min: 1, max: 5 }).chain((k) => fc.tuple(...GROUP_IDS.slice(0, k).map((groupId) => fc.record({
    type: typeArb,
    innerAccessPolicy: fc.constantFrom<FwGroup['innerAccessPolicy']>('Accept', 'Accept', 'Drop'),
    shapes: fc.array(shapeArb, { minLength: 0, maxLength: 60, size: 'max' }),
  }).map(({ type, innerAccessPolicy, shapes }): FwGroup => ({
    groupId, type, innerAccessPolicy,
    rules: shapes.flatMap(({ shape, list }, i) => (list === null ? [ruleFromShape(groupId, i, shape)] : listRules(groupId, i, shape, list))),
  })))));
}

/**
 * A rule that authorizes a prefix list with entries `list` (nested, overlapping or repeated, as
 * lists may hold): the loader's expansion, one engine rule per disjoint block, all with id `pl{i}`.
 */
function listRules(groupId: string, i: number, shape: RuleShape, list: readonly AddressRange[]): FwRule[] {
  return disjointBlocks(list.map((r) => formatCidr({ ...r, prefix: 32 - Math.log2(r.size) }))).map((c) => ({ ...ruleFromShape(groupId, i, { ...shape, peer: { kind: 'cidr', range: { base: c.base, size: c.size } } }), ruleId: `pl${i}` }));
}

const flowArb: fc.Arbitrary<Flow> = fc.record({
  direction: fc.constantFrom<Flow['direction']>('ingress', 'egress'),
  protocol: fc.constantFrom<FlowProtocol>('tcp', 'tcp', 'tcp', 'udp', 'icmp', 'gre'),
  localIp: addressArb,
  localPort: fc.constantFrom(...FLOW_PORTS),
  remoteIp: addressArb,
  remotePort: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FLOW_PORTS) }, { weight: 1, arbitrary: fc.constant(25) }),
  nicType: fc.constantFrom<Flow['nicType']>('intranet', 'intranet', 'internet'),
  peerGroups: fc.oneof({ weight: 1, arbitrary: fc.constant<string[]>([]) }, { weight: 2, arbitrary: fc.subarray([...PEER_IDS, 'sg-zzz']) }),
  // one flow in two is IPv6
  ip6: fc.option(fc.record({ local: address6Arb, remote: address6Arb }), { freq: 2, nil: undefined }),
}).map((f) => {
  const { ip6: v6, ...rest } = f;
  const base: Flow = v6 === undefined ? rest
    : { ...rest, localIp: 0, remoteIp: 0, protocol: rest.protocol === 'icmp' ? 'icmpv6' : rest.protocol, ip6: { local: ip6Words(v6.local), remote: ip6Words(v6.remote) } };
  return base.protocol === 'tcp' || base.protocol === 'udp' ? base : { ...base, localPort: 0, remotePort: 0 };
});

const FLOWS_PER_CASE = 25;
const RUNS_PER_MODE = 4000; // 3 modes × 4,000 runs × 25 flows = 300,000 (groups, flow) cases
const tally = { cases: 0, walked: 0, rulesPerEni: 0, Platform: 0, IntraGroup: 0, Rule: 0, Default: 0, ruleDrop: 0, matchedMany: 0, listDecided: 0, listMatchedWithOthers: 0, v6: 0, v6Cidr6Decided: 0, v6GroupDecided: 0, v6Local6Matched: 0, v6Platform: 0 };

function agree(groups: FwGroup[], flows: Flow[]): void {
  // every other case without the leaves' own tables, so both lookups are held to the reference
  const walk = tally.cases % 2 === 1;
  const compiled = compileEni(groups, undefined, walk ? { flatBudget: 0 } : {});
  if (walk) tally.walked++;
  tally.rulesPerEni += compiled.rules.length * flows.length; // summed per case, averaged when printed
  for (const f of flows) {
    const ref = decideReference(groups, f);
    const fast = decide(compiled, f);
    const full = explain(compiled, f);
    const why = () => `flow ${JSON.stringify(f)}: reference ${ref.verdict}/${ref.reason}/${ref.decidingRule?.groupId}:${ref.decidingRule?.ruleId}, ` +
      `decide ${fast.verdict}/${fast.reason}/${fast.decidingRule?.groupId}:${fast.decidingRule?.ruleId}, ` +
      `explain ${full.verdict}/${full.reason}/${full.decidingRule?.groupId}:${full.decidingRule?.ruleId}`;
    if (fast.verdict !== ref.verdict || fast.reason !== ref.reason || fast.decidingRule !== ref.decidingRule) assert.fail(`decide: ${why()}`);
    if (full.verdict !== ref.verdict || full.reason !== ref.reason || full.decidingRule !== ref.decidingRule) assert.fail(`explain: ${why()}`);
    if (full.matchedRules.length !== ref.matchedRules.length || full.matchedRules.some((r, i) => r !== ref.matchedRules[i])) {
      assert.fail(`explain's matches differ: ${why()}`);
    }
    // a prefix-list rule's blocks are disjoint: it is listed at most once among the matches
    const listed = ref.matchedRules.filter((r) => r.ruleId.startsWith('pl')).map((r) => `${r.groupId}/${r.ruleId}`);
    if (new Set(listed).size !== listed.length) assert.fail(`a prefix-list rule matched twice: ${why()}`);
    tally.cases++;
    tally[ref.reason]++;
    if (ref.reason === 'Rule' && ref.decidingRule!.ruleId.startsWith('pl')) tally.listDecided++;
    if (listed.length > 0 && ref.matchedRules.length > listed.length) tally.listMatchedWithOthers++;
    if (ref.reason === 'Rule' && ref.verdict === 'drop') tally.ruleDrop++;
    if (ref.matchedRules.length > 1) tally.matchedMany++;
    if (f.ip6 !== undefined) {
      tally.v6++;
      if (ref.reason === 'Platform') tally.v6Platform++;
      if (ref.reason === 'Rule' && ref.decidingRule!.peer.kind === 'cidr6') tally.v6Cidr6Decided++;
      if (ref.reason === 'Rule' && ref.decidingRule!.peer.kind === 'group') tally.v6GroupDecided++;
      if (ref.matchedRules.some((r) => r.local6 !== undefined)) tally.v6Local6Matched++;
    }
  }
}

for (const mode of ['normal', 'enterprise', 'mixed'] as const) {
  test(`property: decide and explain agree with the reference (${mode} groups)`, () => {
    fc.assert(fc.property(groupsArb(mode), fc.array(flowArb, { minLength: FLOWS_PER_CASE, maxLength: FLOWS_PER_CASE }), (groups, flows) => {
      agree(groups, flows);
    }), { numRuns: RUNS_PER_MODE });
  });
}

test('property tests covered every step often enough', () => {
  // runs after the properties (node:test runs a file's top-level tests in order)
  assert.ok(tally.cases >= 100_000, `only ${tally.cases} cases`);
  for (const k of ['Platform', 'IntraGroup', 'Rule', 'Default'] as const) assert.ok(tally[k] > tally.cases / 100, `${k}: ${tally[k]} of ${tally.cases}`);
  assert.ok(tally.ruleDrop > tally.cases / 50, `rule drops: ${tally.ruleDrop}`);
  assert.ok(tally.matchedMany > tally.cases / 20, `overlapping matches: ${tally.matchedMany}`);
  assert.ok(tally.listDecided > tally.cases / 100, `decided by a prefix-list rule: ${tally.listDecided}`);
  assert.ok(tally.listMatchedWithOthers > tally.cases / 100, `prefix-list rules among other matches: ${tally.listMatchedWithOthers}`);
  assert.ok(tally.v6 > tally.cases / 5, `IPv6 flows: ${tally.v6}`);
  assert.ok(tally.walked > 1000, `cases decided by walking the nodes: ${tally.walked}`);
  for (const k of ['v6Cidr6Decided', 'v6GroupDecided', 'v6Local6Matched', 'v6Platform'] as const) assert.ok(tally[k] > tally.v6 / 200, `${k}: ${tally[k]} of ${tally.v6}`);
  console.log(`# property cases: ${JSON.stringify({ ...tally, rulesPerEni: Math.round(tally.rulesPerEni / tally.cases) })}`);
});

// ---------------------------------------------------------------------------------------------
// Scale


test('1,000 rules (5 groups × 200) compile and decide as the reference does', () => {
  const rnd = prng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const groups: FwGroup[] = GROUP_IDS.map((groupId) => ({
    groupId, type: 'normal', innerAccessPolicy: 'Accept',
    rules: Array.from({ length: 200 }, (_, i): FwRule => {
      const port = Math.floor(rnd() * 65535) + 1;
      const wide = rnd() < 0.2;
      const prefix = pick([32, 24, 16, 8, 0]);
      const size = 2 ** (32 - prefix);
      const a = Math.floor(rnd() * 2 ** 32);
      return {
        groupId, ruleId: `r${i}`, direction: rnd() < 0.6 ? 'ingress' : 'egress', protocol: pick(['tcp', 'tcp', 'udp', 'icmp', 'all'] as const),
        portFrom: port, portTo: wide ? Math.min(65535, port + Math.floor(rnd() * 5000)) : port, srcPortFrom: 1, srcPortTo: 65535,
        policy: rnd() < 0.2 ? 'drop' : 'accept', priority: 1 + Math.floor(rnd() * 100), nicType: 'intranet',
        peer: rnd() < 0.05 ? { kind: 'group', groupId: pick(PEER_IDS) } : { kind: 'cidr', range: { base: a - (a % size), size } },
      };
    }),
  }));
  // how long compiling takes is bench/firewall.ts's figure (recompile of 1,000 rules, 5×200)
  const compiled = compileEni(groups);
  assert.equal(compiled.rules.length, 1000);
  const all = groups.flatMap((g) => g.rules);
  for (let i = 0; i < 5000; i++) {
    const r = pick(all);
    const protocol = pick(['tcp', 'udp', 'icmp', 'gre'] as const);
    const ported = protocol === 'tcp' || protocol === 'udp';
    const near = r.peer.kind === 'cidr' ? r.peer.range.base + Math.floor(rnd() * r.peer.range.size) : Math.floor(rnd() * 2 ** 32);
    const f: Flow = {
      direction: r.direction, protocol, localIp: ip('10.0.0.5'), localPort: ported ? (r.direction === 'ingress' ? r.portFrom : 40000) : 0,
      remoteIp: rnd() < 0.7 ? near : Math.floor(rnd() * 2 ** 32), remotePort: ported ? (r.direction === 'egress' ? r.portTo : 40000) : 0,
      nicType: 'intranet', peerGroups: rnd() < 0.1 ? [pick(PEER_IDS)] : [],
    };
    const ref = decideReference(groups, f);
    const fast = decide(compiled, f);
    assert.equal(fast.verdict, ref.verdict);
    assert.equal(fast.reason, ref.reason);
    assert.equal(fast.decidingRule, ref.decidingRule);
  }
});
