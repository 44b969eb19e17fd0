// Judging tracked sessions (src/dataplane/conntrack.ts) without a kernel: `conntrack -L` lines of
// both families parsed, IPv6 addresses in their canonical text, and each session judged by the
// plans of the ENIs at its ends, IPv6 ones by the plans' IPv6 parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSessions, sessionAllowed } from '../../src/dataplane/conntrack.ts';
import { planEni, type FwRule } from '../../src/engine/firewall/index.ts';
import { ip6ToBigInt, ipToInt } from '../../src/engine/cidr.ts';

const ssh6: FwRule = {
  groupId: 'sg-a', ruleId: 'r1', direction: 'ingress', protocol: 'tcp', portFrom: 22, portTo: 22, srcPortFrom: 1, srcPortTo: 65535,
  policy: 'accept', priority: 1, nicType: 'intranet', peer: { kind: 'cidr6', range: { base: ip6ToBigInt('2001:db8::')!, size: 1n << 96n } },
};

test('IPv6 sessions: parsed in canonical text, judged by the IPv6 plans', () => {
  const lines = [
    'tcp      6 431999 ESTABLISHED src=2001:0db8::0007 dst=2408:4000:81:1::10 sport=33000 dport=22 src=2408:4000:81:1:0:0:0:10 dst=2001:db8::7 sport=22 dport=33000 [ASSURED] mark=0 use=1',
    'tcp      6 431999 ESTABLISHED src=2001:db9::7 dst=2408:4000:81:1::10 sport=33001 dport=22 src=2408:4000:81:1::10 dst=2001:db9::7 sport=22 dport=33001 [ASSURED] mark=0 use=1',
    'icmpv6   58 29 src=2408:4000:81:1::10 dst=2001:db8::7 type=128 code=0 id=7 src=2001:db8::7 dst=2408:4000:81:1::10 type=129 code=0 id=7 mark=0 use=1',
    'conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.',
  ].join('\n');
  const sessions = parseSessions(lines);
  assert.equal(sessions.length, 3);
  assert.deepEqual([sessions[0]!.src, sessions[0]!.dst, sessions[0]!.replySrc], ['2001:db8::7', '2408:4000:81:1::10', '2408:4000:81:1::10']);
  const groups = [{ groupId: 'sg-a', type: 'normal' as const, innerAccessPolicy: 'Drop' as const, rules: [ssh6] }];
  const plan = planEni({ ip: ipToInt('10.81.1.10')!, networkType: 'vpc', groups, members: () => [], ip6: [ip6ToBigInt('2408:4000:81:1::10')!], members6: () => [] });
  const plans = new Map([['10.81.1.10', plan], ['2408:4000:81:1::10', plan]]);
  assert.equal(sessionAllowed(sessions[0]!, plans, false), true, 'from 2001:db8::/32 to port 22: allowed');
  assert.equal(sessionAllowed(sessions[1]!, plans, false), false, 'from outside the rule: cut');
  assert.equal(sessionAllowed(sessions[2]!, plans, false), true, 'icmpv6 out: the egress default of a basic group');
  // without IPv6 plans (the ENI lost its IPv6), its IPv6 sessions are cut
  const plain = planEni({ ip: ipToInt('10.81.1.10')!, networkType: 'vpc', groups, members: () => [] });
  assert.equal(sessionAllowed(sessions[0]!, new Map([['2408:4000:81:1::10', plain]]), false), false);
});

test('closed TCP sessions (TIME_WAIT, CLOSE) are marked, so they are not cut one by one', () => {
  const s = parseSessions([
    'tcp      6 117 TIME_WAIT src=10.0.0.2 dst=10.0.0.3 sport=40000 dport=8080 src=10.0.0.3 dst=10.0.0.2 sport=8080 dport=40000 [ASSURED] mark=0 use=1',
    'tcp      6 9 CLOSE src=10.0.0.2 dst=10.0.0.3 sport=40001 dport=8080 src=10.0.0.3 dst=10.0.0.2 sport=8080 dport=40001 mark=0 use=1',
    'tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.0.3 sport=40002 dport=8080 src=10.0.0.3 dst=10.0.0.2 sport=8080 dport=40002 [ASSURED] mark=0 use=1',
  ].join('\n'));
  assert.deepEqual(s.map((x) => x.closed === true), [true, true, false]);
});
