// The nftables compiler (src/engine/firewall/nft.ts): hand-written cases for each step of SPEC
// §1.3 as a plan decides it, the rendered text, then a property test holding evaluatePlan(planEni())
// to the reference evaluator on random groups from small universes (overlaps and ties frequent),
// the same for IPv6 packets on mixed-family rule sets (cidr6 peers, local6, group members' IPv6
// addresses, icmpv6), 1,000-rule plans, and, as root with nft installed, the rendered rulesets
// checked by the kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { prng } from '../helpers/prng.ts';
import { ip, cidr, group, ruleFromShape } from '../helpers/fw.ts';
import { ip6ToBigInt, ip6Words, parseCidr6 } from '../../src/engine/cidr.ts';
import {
  decideReference, planEni, evaluatePlan, renderEni, planHash, NFT_PROTOS, NFT_PROTOS6,
  type Flow, type FwGroup, type FwRule, type Reason, type AddressRange, type Address6Range,
  type NftEniInput, type NftEniPlan, type NftPacket, type NftDirectionPlan, type NftDirectionPlan6, type NftBox, type NftEniRender,
} from '../../src/engine/firewall/index.ts';

// ---------------------------------------------------------------------------------------------
// Builders

/** An ENI input; `members` maps group ids to member addresses (as integers). */
function eni(groups: FwGroup[], opts: { ip?: string; networkType?: 'vpc' | 'classic'; members?: Record<string, readonly number[]> } = {}): NftEniInput {
  const members = opts.members ?? {};
  return { ip: ip(opts.ip ?? '10.0.0.5'), networkType: opts.networkType ?? 'vpc', groups, members: (g) => members[g] ?? [] };
}

function packet(spec: Partial<Omit<NftPacket, 'peerIp'>> & { peer?: string }): NftPacket {
  const { peer, ...rest } = spec;
  return { direction: 'ingress', internet: false, protocol: 'tcp', peerIp: ip(peer ?? '198.51.100.7'), dport: 22, sport: 40000, ...rest };
}

/** The flow the engine sees for `p` on the ENI of `input`; `other` becomes gre (see referenceOf). */
function flowOf(input: NftEniInput, p: NftPacket, allGroupIds: readonly string[]): Flow {
  const ported = p.protocol === 'tcp' || p.protocol === 'udp';
  const dport = ported ? p.dport : 0;
  const sport = ported ? p.sport : 0;
  const ingress = p.direction === 'ingress';
  return {
    direction: p.direction, protocol: p.protocol === 'other' ? 'gre' : p.protocol, localIp: input.ip, localPort: ingress ? dport : sport,
    remoteIp: p.peerIp, remotePort: ingress ? sport : dport, nicType: p.internet ? 'internet' : 'intranet',
    peerGroups: p.internet ? [] : allGroupIds.filter((g) => input.members(g).includes(p.peerIp)),
  };
}

/**
 * The reference's decision for `p`. The engine has no `other` protocol: a gre flow on the groups
 * without their gre rules is met by exactly the rules an `other` packet meets (the `all` ones).
 */
function referenceOf(input: NftEniInput, p: NftPacket, allGroupIds: readonly string[]): { verdict: 'accept' | 'drop'; reason: Reason } {
  const groups = p.protocol === 'other' ? input.groups.map((g) => ({ ...g, rules: g.rules.filter((r) => r.protocol !== 'gre') })) : input.groups;
  const d = decideReference(groups, flowOf(input, p, allGroupIds), input.platform);
  return { verdict: d.verdict, reason: d.reason };
}

const boxOverlap = (a: NftBox, b: NftBox): boolean =>
  a.addrLo <= b.addrHi && b.addrLo <= a.addrHi && a.portLo <= b.portHi && b.portLo <= a.portHi && a.srcLo <= b.srcHi && b.srcLo <= a.srcHi;

/** The plan's structural invariants (nft.ts header): disjoint, no fallback verdict, sorted, in bounds. */
function assertWellFormed(plan: NftEniPlan): void {
  const dirs: Array<[string, NftDirectionPlan | undefined]> = [['ingress', plan.ingress], ['egress', plan.egress], ['ingressInternet', plan.ingressInternet], ['egressInternet', plan.egressInternet]];
  for (const [name, d] of dirs) {
    if (d === undefined) continue;
    for (let i = 1; i < d.intra.length; i++) assert.ok(d.intra[i - 1]! < d.intra[i]!, `${name}: intra sorted and unique`);
    for (const proto of NFT_PROTOS) {
      // annotated: assert.ok's assertion signature inside the loop makes inference circular
      const boxes: NftBox[] = d.boxes[proto];
      for (let i = 0; i < boxes.length; i++) {
        const b: NftBox = boxes[i]!;
        assert.ok(b.verdict !== d.fallback, `${name}/${proto}: a box with the fallback verdict`);
        assert.ok(0 <= b.addrLo && b.addrLo <= b.addrHi && b.addrHi <= 0xffffffff, `${name}/${proto}: address bounds`);
        assert.ok(0 <= b.portLo && b.portLo <= b.portHi && b.portHi <= 65535 && 0 <= b.srcLo && b.srcLo <= b.srcHi && b.srcHi <= 65535, `${name}/${proto}: port bounds`);
        if (proto !== 'tcp' && proto !== 'udp') assert.ok(b.portLo === 0 && b.portHi === 65535 && b.srcLo === 0 && b.srcHi === 65535, `${name}/${proto}: ports unused`);
        if (i > 0) {
          const a = boxes[i - 1]!;
          assert.ok(a.addrLo < b.addrLo || (a.addrLo === b.addrLo && (a.portLo < b.portLo || (a.portLo === b.portLo && a.srcLo < b.srcLo))), `${name}/${proto}: sorted`);
        }
        for (let j = i + 1; j < boxes.length; j++) {
          if (boxOverlap(b, boxes[j]!)) assert.fail(`${name}/${proto}: boxes overlap ${JSON.stringify(b)} ${JSON.stringify(boxes[j])}`);
        }
      }
    }
  }
}

/** evaluatePlan and the reference both give `verdict` for every packet. */
function expectVerdicts(input: NftEniInput, cases: Array<[NftPacket, 'accept' | 'drop']>): NftEniPlan {
  const plan = planEni(input);
  assertWellFormed(plan);
  const ids = [...new Set([...input.groups.map((g) => g.groupId), 'sg-peer', 'sg-other', 'sg-a', 'sg-b'])];
  for (const [p, verdict] of cases) {
    assert.equal(evaluatePlan(plan, p), verdict, `plan: ${JSON.stringify(p)}`);
    assert.equal(referenceOf(input, p, ids).verdict, verdict, `reference: ${JSON.stringify(p)}`);
  }
  return plan;
}

const boxCount = (d: NftDirectionPlan): number => NFT_PROTOS.reduce((n, p) => n + d.boxes[p].length, 0);

// ---------------------------------------------------------------------------------------------
// Hand cases

test('priority: a stronger drop overlapping a wider accept is cut out of it; at equal priority drop wins', () => {
  const g = [group('sg-a', [
    { portFrom: 80, portTo: 80, priority: 2 },
    { from: '198.51.100.0/24', portFrom: 1, portTo: 1024, policy: 'drop', priority: 1 },
    { from: '203.0.113.0/24', portFrom: 443, portTo: 443, priority: 3 },
    { from: '203.0.113.128/25', portFrom: 400, portTo: 500, policy: 'drop', priority: 3 },
  ])];
  const plan = expectVerdicts(eni(g), [
    [packet({ peer: '198.51.100.7', dport: 80 }), 'drop'],
    [packet({ peer: '198.51.99.255', dport: 80 }), 'accept'],
    [packet({ peer: '198.51.101.0', dport: 80 }), 'accept'],
    [packet({ peer: '203.0.113.5', dport: 443 }), 'accept'],
    [packet({ peer: '203.0.113.200', dport: 443 }), 'drop'],
    [packet({ peer: '203.0.113.5', dport: 444 }), 'drop'],
  ]);
  // ingress falls back to drop, so only accept boxes remain: port 80 around the /24, 443 on the lower /25
  assert.deepEqual(plan.ingress.boxes.tcp.map((b) => b.verdict), ['accept', 'accept', 'accept']);
  assert.deepEqual(plan.ingress.boxes.udp, []);
});

test('a wider accept absorbs narrower earlier accepts instead of being cut around them', () => {
  const g = [group('sg-a', [
    { from: '10.0.0.0/24', portFrom: 22, portTo: 22, priority: 1 },
    { from: '10.0.1.0/24', portFrom: 80, portTo: 80, priority: 1 },
    { from: '10.0.0.0/8', portFrom: 1, portTo: 1024, priority: 2 },
  ])];
  const plan = expectVerdicts(eni(g), [[packet({ peer: '10.0.0.9', dport: 22 }), 'accept'], [packet({ peer: '10.9.0.9', dport: 1024 }), 'accept']]);
  assert.deepEqual(plan.ingress.boxes.tcp, [{ addrLo: ip('10.0.0.0'), addrHi: ip('10.255.255.255'), portLo: 1, portHi: 1024, srcLo: 0, srcHi: 65535, verdict: 'accept' }]);
});

test('intra-group: members of a shared basic Accept group pass before the rules; Drop and advanced groups give nothing', () => {
  const members = { 'sg-a': [ip('10.0.0.5'), ip('10.0.0.6')], 'sg-b': [ip('10.0.0.7')], 'sg-e': [ip('10.0.0.8')] };
  const g = [group('sg-a', [{ protocol: 'all', policy: 'drop' }]), group('sg-b', [], { innerAccessPolicy: 'Drop' }), group('sg-e', [], { type: 'enterprise' })];
  const plan = expectVerdicts(eni(g, { members }), [
    [packet({ peer: '10.0.0.6' }), 'accept'],
    [packet({ peer: '10.0.0.6', protocol: 'other' }), 'accept'],
    [packet({ peer: '10.0.0.7' }), 'drop'],
    [packet({ peer: '10.0.0.8' }), 'drop'],
    [packet({ peer: '10.0.0.9' }), 'drop'],
    [packet({ direction: 'egress', peer: '10.0.0.6', dport: 443 }), 'accept'],
    [packet({ direction: 'egress', peer: '10.0.0.7', dport: 443 }), 'drop'],
  ]);
  assert.deepEqual(plan.ingress.intra, [ip('10.0.0.5'), ip('10.0.0.6')]);
  assert.deepEqual(plan.egress.intra, plan.ingress.intra);
});

test('group rules match exactly the members, as runs of consecutive addresses', () => {
  const members = { 'sg-peer': [ip('10.0.0.12'), ip('10.0.0.9'), ip('10.0.0.10'), ip('10.0.0.10')] };
  const g = [group('sg-a', [{ fromGroup: 'sg-peer', portFrom: 22, portTo: 22 }, { fromGroup: 'sg-none', portFrom: 80, portTo: 80 }])];
  const plan = expectVerdicts(eni(g, { members }), [
    [packet({ peer: '10.0.0.9' }), 'accept'],
    [packet({ peer: '10.0.0.10' }), 'accept'],
    [packet({ peer: '10.0.0.11' }), 'drop'],
    [packet({ peer: '10.0.0.12' }), 'accept'],
    [packet({ peer: '10.0.0.12', dport: 23 }), 'drop'],
    [packet({ peer: '10.0.0.9', dport: 80 }), 'drop'],
  ]);
  assert.deepEqual(plan.ingress.boxes.tcp.map((b) => [b.addrLo, b.addrHi]), [[ip('10.0.0.9'), ip('10.0.0.10')], [ip('10.0.0.12'), ip('10.0.0.12')]]);
});

test('local range: a rule applies only when the ENI address is inside it', () => {
  const g = [group('sg-a', [{ local: cidr('10.0.0.4/31'), portFrom: 22, portTo: 22 }, { direction: 'egress', local: cidr('10.0.0.4/31'), protocol: 'all', policy: 'drop' }])];
  expectVerdicts(eni(g, { ip: '10.0.0.5' }), [[packet({}), 'accept'], [packet({ direction: 'egress', dport: 443 }), 'drop']]);
  const off = expectVerdicts(eni(g, { ip: '10.0.0.6' }), [[packet({}), 'drop'], [packet({ direction: 'egress', dport: 443 }), 'accept']]);
  assert.equal(boxCount(off.ingress) + boxCount(off.egress), 0);
});

test('source port ranges restrict only when set; all/icmp/gre rules match any port', () => {
  const g = [group('sg-a', [
    { portFrom: 22, portTo: 22, srcPortFrom: 1024, srcPortTo: 65535 },
    { protocol: 'udp', portFrom: 53, portTo: 53 },
    { direction: 'egress', protocol: 'udp', srcPortFrom: 53, srcPortTo: 53, policy: 'drop' },
    { protocol: 'icmp', from: '10.0.0.0/8' },
  ])];
  expectVerdicts(eni(g), [
    [packet({ dport: 22, sport: 1024 }), 'accept'],
    [packet({ dport: 22, sport: 1023 }), 'drop'],
    [packet({ protocol: 'udp', dport: 53, sport: 0 }), 'accept'],
    [packet({ direction: 'egress', protocol: 'udp', dport: 9999, sport: 53 }), 'drop'],
    [packet({ direction: 'egress', protocol: 'udp', dport: 53, sport: 54 }), 'accept'],
    [packet({ protocol: 'icmp', peer: '10.1.1.1', dport: 0, sport: 0 }), 'accept'],
    [packet({ protocol: 'icmp', peer: '11.1.1.1' }), 'drop'],
    [packet({ protocol: 'gre', peer: '10.1.1.1' }), 'drop'],
    [packet({ protocol: 'other', peer: '10.1.1.1' }), 'drop'],
  ]);
});

test('other protocols are met only by all-protocol rules', () => {
  const g = [group('sg-a', [{ protocol: 'gre' }, { protocol: 'icmp' }, { protocol: 'all', from: '10.0.0.0/8', priority: 2 }])];
  const plan = expectVerdicts(eni(g), [
    [packet({ protocol: 'other', peer: '8.8.8.8' }), 'drop'],
    [packet({ protocol: 'other', peer: '10.2.3.4' }), 'accept'],
    [packet({ protocol: 'gre', peer: '8.8.8.8' }), 'accept'],
  ]);
  assert.equal(plan.ingress.boxes.other.length, 1);
});

test('platform: egress tcp to port 25 of a public address is dropped before intra-group and rules', () => {
  const members = { 'sg-a': [ip('8.8.8.8')] };
  const g = [group('sg-a', [{ direction: 'egress', protocol: 'all' }])];
  const plan = expectVerdicts(eni(g, { members }), [
    [packet({ direction: 'egress', peer: '8.8.8.8', dport: 25 }), 'drop'],
    [packet({ direction: 'egress', peer: '172.32.0.1', dport: 25 }), 'drop'],
    [packet({ direction: 'egress', peer: '172.31.255.255', dport: 25 }), 'accept'],
    [packet({ direction: 'egress', peer: '8.8.8.8', dport: 25, protocol: 'udp' }), 'accept'],
    [packet({ direction: 'egress', peer: '8.8.8.8', dport: 587 }), 'accept'],
    [packet({ direction: 'egress', peer: '8.8.8.8', dport: 40000, sport: 25 }), 'accept'],
    // inbound to port 25 is not the platform's business
    [packet({ peer: '8.8.8.8', dport: 25 }), 'accept'],
  ]);
  assert.equal(plan.ingress.platform25, false);
  assert.equal(plan.egress.platform25, true);
});

test('platform: an ENI whose account has port 25 unblocked gets no port-25 drop in its plan or chains', () => {
  const g = [group('sg-a', [{ direction: 'egress', protocol: 'all' }])];
  const blocked = planEni(eni(g, { networkType: 'classic' }));
  const open = planEni({ ...eni(g, { networkType: 'classic' }), platform: { port25Blocked: false } });
  assert.deepEqual([open.egress.platform25, open.egressInternet?.platform25], [false, false]);
  const smtp = packet({ direction: 'egress', peer: '8.8.8.8', dport: 25 });
  assert.equal(evaluatePlan(blocked, smtp), 'drop');
  assert.equal(evaluatePlan(open, smtp), 'accept');
  assert.equal(evaluatePlan(open, { ...smtp, internet: true }), 'accept');
  const smtpRule = (r: NftEniRender) => r.chains.flatMap((c) => c.rules).filter((line) => line.includes('dport 25'));
  assert.equal(smtpRule(renderEni('e1', blocked, { internetIf: 'eth1' })).length, 2, 'eg_ and egi_ chains drop port 25');
  assert.deepEqual(smtpRule(renderEni('e1', open, { internetIf: 'eth1' })), []);
  assert.notEqual(planHash(open), planHash(blocked), 'the reconciler sees the change');
});

test('fallback: ingress drops; egress accepts unless a group is advanced', () => {
  assert.equal(planEni(eni([])).egress.fallback, 'accept');
  assert.equal(planEni(eni([])).ingress.fallback, 'drop');
  const adv = [group('sg-a', []), group('sg-e', [{ direction: 'egress', protocol: 'tcp', portFrom: 443, portTo: 443 }], { type: 'enterprise' })];
  const plan = expectVerdicts(eni(adv), [
    [packet({ direction: 'egress', dport: 443 }), 'accept'],
    [packet({ direction: 'egress', dport: 80 }), 'drop'],
    [packet({ direction: 'egress', protocol: 'icmp' }), 'drop'],
  ]);
  assert.equal(plan.egress.fallback, 'drop');
  assert.deepEqual(plan.egress.boxes.tcp.map((b) => b.verdict), ['accept']);
});

test('classic: intranet and internet plans are separate; group rules and intra-group act on the intranet only', () => {
  const members = { 'sg-c': [ip('10.0.0.6')] };
  const g = [group('sg-c', [
    { nicType: 'internet', portFrom: 80, portTo: 80 },
    { nicType: 'internet', fromGroup: 'sg-c', portFrom: 22, portTo: 22 },
    { nicType: 'intranet', portFrom: 22, portTo: 22, from: '10.0.0.0/8' },
    { nicType: 'internet', direction: 'egress', protocol: 'all', policy: 'drop' },
  ])];
  const input = eni(g, { networkType: 'classic', members });
  const plan = expectVerdicts(input, [
    [packet({ internet: true, dport: 80 }), 'accept'],
    [packet({ internet: false, dport: 80 }), 'drop'],
    [packet({ internet: false, dport: 22, peer: '10.1.1.1' }), 'accept'],
    [packet({ internet: true, dport: 22, peer: '10.1.1.1' }), 'drop'],
    [packet({ internet: true, dport: 22, peer: '10.0.0.6' }), 'drop'],
    [packet({ internet: false, dport: 9, peer: '10.0.0.6' }), 'accept'],
    [packet({ internet: true, direction: 'egress', dport: 443 }), 'drop'],
    [packet({ internet: false, direction: 'egress', dport: 443 }), 'accept'],
  ]);
  assert.deepEqual(plan.ingressInternet?.intra, []);
  assert.deepEqual(plan.egressInternet?.platform25, true);
  // VPC: intranet only; the internet rules are not in its plans
  const vpc = planEni(eni(g, { members }));
  assert.equal(vpc.ingressInternet, undefined);
  assert.equal(vpc.egressInternet, undefined);
  assert.deepEqual(vpc.ingress.boxes.tcp.map((b) => [b.portLo, b.portHi]), [[22, 22]]);
});

test('render: names, verdicts (return for egress accept), rule order, empty maps', () => {
  const members = { 'sg-c': [ip('10.0.0.6'), ip('10.0.0.7')] };
  const g = [group('sg-c', [
    { portFrom: 22, portTo: 22, from: '10.0.0.0/24' },
    { protocol: 'icmp', from: '10.0.0.9/32' },
    { nicType: 'internet', portFrom: 80, portTo: 90, srcPortFrom: 1024, srcPortTo: 2048 },
    { direction: 'egress', protocol: 'udp', from: '8.8.8.8/32', portFrom: 53, portTo: 53, policy: 'drop' },
  ])];
  const plan = planEni(eni(g, { networkType: 'classic', members }));
  const r = renderEni('e42', plan, { internetIf: 'eth1' });
  const chain = (name: string): string[] => r.chains.find((c) => c.name === name)?.rules ?? assert.fail(`no chain ${name}`);
  assert.deepEqual(r.chains.map((c) => c.name), ['in_e42', 'eg_e42', 'ini_e42', 'egi_e42']);
  assert.deepEqual(chain('in_e42'), [
    'iifname "eth1" goto ini_e42',
    'ip saddr @in_e42_intra accept',
    'meta l4proto tcp ip saddr . tcp dport . tcp sport vmap @in_e42_tcp',
    'meta l4proto icmp ip saddr vmap @in_e42_icmp',
    'drop',
  ]);
  assert.deepEqual(chain('eg_e42'), [
    'meta l4proto tcp tcp dport 25 ip daddr != { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 } drop',
    'oifname "eth1" goto egi_e42',
    'ip daddr @eg_e42_intra return',
    'meta l4proto udp ip daddr . udp dport . udp sport vmap @eg_e42_udp',
    'return',
  ]);
  assert.deepEqual(chain('ini_e42'), ['meta l4proto tcp ip saddr . tcp dport . tcp sport vmap @ini_e42_tcp', 'drop']);
  assert.deepEqual(chain('egi_e42'), ['meta l4proto tcp tcp dport 25 ip daddr != { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 } drop', 'return']);
  const def = (name: string): string => [...r.maps, ...r.sets].find((m) => m.name === name)?.definition ?? assert.fail(`no map/set ${name}`);
  assert.equal(def('in_e42_tcp'), 'type ipv4_addr . inet_service . inet_service : verdict; flags interval; elements = { 10.0.0.0-10.0.0.255 . 22 . 0-65535 : accept }');
  assert.equal(def('ini_e42_tcp'), 'type ipv4_addr . inet_service . inet_service : verdict; flags interval; elements = { 0.0.0.0-255.255.255.255 . 80-90 . 1024-2048 : accept }');
  assert.equal(def('in_e42_icmp'), 'type ipv4_addr : verdict; flags interval; elements = { 10.0.0.9 : accept }');
  assert.equal(def('eg_e42_udp'), 'type ipv4_addr . inet_service . inet_service : verdict; flags interval; elements = { 8.8.8.8 . 53 . 0-65535 : drop }');
  assert.equal(def('in_e42_gre'), 'type ipv4_addr : verdict; flags interval;');
  assert.equal(def('in_e42_intra'), 'type ipv4_addr; flags interval; elements = { 10.0.0.6-10.0.0.7 }');
  assert.equal(def('ini_e42_intra'), 'type ipv4_addr; flags interval;');
  assert.equal(r.maps.length, 20);
  assert.equal(r.sets.length, 4);
  // without an internet interface the internet chains are not rendered
  const bare = renderEni('e42', plan, {});
  assert.deepEqual(bare.chains.map((c) => c.name), ['in_e42', 'eg_e42']);
  assert.ok(!bare.chains.some((c) => c.rules.some((x) => x.includes('goto'))));
  assert.throws(() => renderEni('E-1', plan, {}), /tag/);
  assert.throws(() => renderEni('x'.repeat(25), plan, {}), /tag/);
  assert.throws(() => renderEni('e1', plan, { internetIf: 'eth0"; drop' }), /interface/);
});

test('planHash: stable under box and intra order, changes with content', () => {
  const g = [group('sg-a', [{ portFrom: 22, portTo: 22, from: '10.0.0.0/24' }, { portFrom: 80, portTo: 80, from: '10.0.1.0/24' }])];
  const plan = planEni(eni(g));
  const h = planHash(plan);
  assert.match(h, /^[0-9a-f]{40}$/);
  assert.equal(planHash(planEni(eni(g))), h);
  const shuffled: NftEniPlan = { egress: plan.egress, ingress: { ...plan.ingress, boxes: { ...plan.ingress.boxes, tcp: [...plan.ingress.boxes.tcp].reverse() } } };
  assert.equal(planHash(shuffled), h);
  const changed: NftEniPlan = { ...plan, ingress: { ...plan.ingress, boxes: { ...plan.ingress.boxes, tcp: plan.ingress.boxes.tcp.slice(1) } } };
  assert.notEqual(planHash(changed), h);
  assert.notEqual(planHash({ ...plan, ingress: { ...plan.ingress, intra: [1] } }), h);
  assert.notEqual(planHash(planEni({ ...eni(g), networkType: 'classic' })), h);
});

// ---------------------------------------------------------------------------------------------
// Property: evaluatePlan(planEni(...)) agrees with the reference

const PORTS = [1, 21, 22, 23, 25, 80, 81, 443, 8080, 65534, 65535] as const; // neighbours, so boxes touch
const PACKET_PORTS = [0, 1, 2, 21, 22, 23, 24, 25, 26, 79, 80, 81, 442, 443, 444, 8079, 8080, 8081, 40000, 65534, 65535] as const;
const CIDRS = [
  '0.0.0.0/0', '10.0.0.0/8', '10.1.2.0/24', '10.1.2.0/30', '10.1.2.4/30', '10.1.2.6/32', '10.1.3.0/24', '172.16.0.0/12',
  '8.8.8.0/24', '8.8.8.8/32', '8.0.0.0/8', '192.168.1.0/24', '255.255.255.255/32',
].map(cidr);
const MEMBER_ADDRS = ['10.1.2.5', '10.1.2.6', '10.1.2.7', '10.1.3.1', '172.16.0.9', '192.168.1.1'].map(ip);
const PEER_ADDRS = [
  ...MEMBER_ADDRS, ...['0.0.0.0', '255.255.255.255', '255.255.255.254', '8.8.8.7', '8.8.8.8', '8.8.8.9', '8.255.255.255', '9.0.0.0',
    '10.0.0.0', '10.255.255.255', '11.0.0.0', '10.1.2.0', '10.1.2.3', '10.1.2.4', '10.1.2.8', '10.1.2.255', '172.31.255.255', '172.32.0.1', '192.168.1.255'].map(ip),
];
const ENI_ADDRS = ['10.1.2.5', '10.1.2.6', '10.1.3.1'].map(ip);
const GROUP_IDS = ['sg-1', 'sg-2', 'sg-3'] as const;
const ALL_GROUP_IDS = [...GROUP_IDS, 'sg-other'] as const;

const portRangeArb = fc.tuple(fc.constantFrom(...PORTS), fc.constantFrom(...PORTS)).map(([a, b]) => ({ lo: Math.min(a, b), hi: Math.max(a, b) }));

const ruleShapeArb = fc.record({
  direction: fc.constantFrom<FwRule['direction']>('ingress', 'egress'),
  protocol: fc.constantFrom<FwRule['protocol']>('tcp', 'tcp', 'tcp', 'udp', 'icmp', 'gre', 'all', 'all'),
  ports: portRangeArb,
  // restricted source ports and local ranges in about a quarter of the rules (a rule whose local
  // range misses the ENI is dead, so not more)
  src: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: portRangeArb }),
  policy: fc.constantFrom<FwRule['policy']>('accept', 'drop'),
  priority: fc.integer({ min: 1, max: 3 }),
  nicType: fc.constantFrom<FwRule['nicType']>('intranet', 'intranet', 'internet'),
  peer: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...CIDRS).map((range): FwRule['peer'] => ({ kind: 'cidr', range })) },
    { weight: 1, arbitrary: fc.constantFrom(...ALL_GROUP_IDS).map((groupId): FwRule['peer'] => ({ kind: 'group', groupId })) },
  ),
  local: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...CIDRS) }),
});

const groupsArb: fc.Arbitrary<FwGroup[]> = fc.integer({ min: 1, max: 3 }).chain((k) => fc.tuple(...GROUP_IDS.slice(0, k).map((groupId) => fc.record({
  type: fc.constantFrom<FwGroup['type']>('normal', 'normal', 'enterprise'),
  innerAccessPolicy: fc.constantFrom<FwGroup['innerAccessPolicy']>('Accept', 'Drop'),
  shapes: fc.array(ruleShapeArb, { minLength: 0, maxLength: 12 }),
}).map(({ type, innerAccessPolicy, shapes }): FwGroup => ({
  groupId, type, innerAccessPolicy,
  rules: shapes.map((s, i) => ruleFromShape(groupId, i, s)),
})))));

const inputArb: fc.Arbitrary<NftEniInput> = fc.record({
  ip: fc.constantFrom(...ENI_ADDRS),
  networkType: fc.constantFrom<NftEniInput['networkType']>('vpc', 'classic'),
  groups: groupsArb,
  members: fc.tuple(...ALL_GROUP_IDS.map(() => fc.subarray(MEMBER_ADDRS))),
}).map(({ ip: eniIp, networkType, groups, members }): NftEniInput => {
  const byGroup = new Map<string, number[]>(ALL_GROUP_IDS.map((g, i) => [g, members[i]!]));
  return { ip: eniIp, networkType, groups, members: (g) => byGroup.get(g) ?? [] };
});

const packetArb: fc.Arbitrary<NftPacket> = fc.record({
  direction: fc.constantFrom<NftPacket['direction']>('ingress', 'egress'),
  internet: fc.boolean(),
  protocol: fc.constantFrom<NftPacket['protocol']>('tcp', 'tcp', 'tcp', 'udp', 'icmp', 'gre', 'other'),
  peerIp: fc.constantFrom(...PEER_ADDRS),
  dport: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PACKET_PORTS) }, { weight: 1, arbitrary: fc.constant(25) }),
  sport: fc.constantFrom(...PACKET_PORTS),
});

/**
 * A packet on the edges of the ENI's rules: each coordinate (peer address, destination port,
 * source port) is a bound of some rule's range or just outside it, the three taken from up to
 * three rules, so that packets land on the cuts where one rule's box is carved by another's.
 */
const cornerArb: fc.Arbitrary<Corner> = fc.record({
  rule: fc.nat(),
  addrRule: fc.option(fc.nat(), { freq: 2 }),
  sportRule: fc.option(fc.nat(), { freq: 2 }),
  addr: fc.integer({ min: 0, max: 3 }),
  dport: fc.integer({ min: 0, max: 3 }),
  sport: fc.integer({ min: 0, max: 3 }),
  protocol: fc.constantFrom<NftPacket['protocol']>('tcp', 'udp', 'icmp', 'gre', 'other'),
});

/** `rule` gives the direction, protocol, NIC and destination port; `addrRule`/`sportRule` (default: `rule`) the other two. */
interface Corner { rule: number; addrRule: number | null; sportRule: number | null; addr: number; dport: number; sport: number; protocol: NftPacket['protocol'] }

function cornerPacket(input: NftEniInput, c: Corner): NftPacket | undefined {
  const rules = input.groups.flatMap((g) => g.rules);
  if (rules.length === 0) return undefined;
  const r = rules[c.rule % rules.length]!;
  const ra = rules[(c.addrRule ?? c.rule) % rules.length]!;
  const rs = rules[(c.sportRule ?? c.rule) % rules.length]!;
  const edge = (lo: number, hi: number, k: number): number => [lo - 1, lo, hi, hi + 1][k]!;
  const clamp = (n: number, max: number): number => Math.min(max, Math.max(0, n));
  let peerIp: number;
  if (ra.peer.kind === 'cidr') {
    peerIp = clamp(edge(ra.peer.range.base, ra.peer.range.base + ra.peer.range.size - 1, c.addr), 0xffffffff);
  } else {
    const members = ra.peer.kind === 'group' ? input.members(ra.peer.groupId) : [];
    const m = members[c.addr % Math.max(1, members.length)] ?? MEMBER_ADDRS[c.addr]!;
    peerIp = m + (c.addr === 0 ? -1 : c.addr === 3 ? 1 : 0);
  }
  const srcLo = rs.srcPortFrom === 1 && rs.srcPortTo === 65535 ? 0 : rs.srcPortFrom;
  return {
    direction: r.direction, internet: input.networkType === 'classic' && r.nicType === 'internet',
    protocol: r.protocol === 'all' ? c.protocol : r.protocol, peerIp,
    dport: clamp(edge(r.portFrom, r.portTo, c.dport), 65535), sport: clamp(edge(srcLo, rs.srcPortTo, c.sport), 65535),
  };
}

const PACKETS_PER_CASE = 20;
const RUNS = 3000; // 3,000 ENIs × (20 random + up to 20 corner packets) ≈ 118,000 (groups, packet) cases
const tally = { cases: 0, Platform: 0, IntraGroup: 0, Rule: 0, Default: 0, ruleDrop: 0, other: 0, internet: 0, corner: 0, boxes: 0 };

test('property: evaluatePlan(planEni()) decides as the reference; boxes are disjoint', () => {
  const packetsArb = fc.array(packetArb, { minLength: PACKETS_PER_CASE, maxLength: PACKETS_PER_CASE });
  const cornersArb = fc.array(cornerArb, { minLength: PACKETS_PER_CASE, maxLength: PACKETS_PER_CASE });
  fc.assert(fc.property(inputArb, packetsArb, cornersArb, (input, randomPackets, corners) => {
    const plan = planEni(input);
    assertWellFormed(plan);
    tally.boxes += boxCount(plan.ingress) + boxCount(plan.egress);
    const cornerPackets = corners.map((c) => cornerPacket(input, c)).filter((p) => p !== undefined);
    tally.corner += cornerPackets.length;
    for (const raw of [...randomPackets, ...cornerPackets]) {
      // VPC traffic is all intranet
      const p: NftPacket = { ...raw, internet: input.networkType === 'classic' && raw.internet };
      const ref = referenceOf(input, p, ALL_GROUP_IDS);
      const got = evaluatePlan(plan, p);
      if (got !== ref.verdict) {
        assert.fail(`packet ${JSON.stringify(p)} on ${input.networkType} ENI ${input.ip}: plan ${got}, reference ${ref.verdict}/${ref.reason}\n` +
          `groups ${JSON.stringify(input.groups)}\nmembers ${JSON.stringify(ALL_GROUP_IDS.map((g) => [g, input.members(g)]))}\nplan ${JSON.stringify(plan)}`);
      }
      tally.cases++;
      tally[ref.reason]++;
      if (ref.reason === 'Rule' && ref.verdict === 'drop') tally.ruleDrop++;
      if (p.protocol === 'other') tally.other++;
      if (p.internet) tally.internet++;
    }
  }), { numRuns: RUNS });
});

test('property test covered every step often enough', () => {
  // runs after the property (node:test runs a file's top-level tests in order)
  assert.ok(tally.cases >= 20_000, `only ${tally.cases} cases`);
  for (const k of ['Platform', 'IntraGroup', 'Rule', 'Default', 'ruleDrop', 'other', 'internet', 'corner'] as const) {
    assert.ok(tally[k] > tally.cases / 200, `${k}: ${tally[k]} of ${tally.cases}`);
  }
  console.log(`# nft property cases: ${JSON.stringify(tally)}`);
});

// ---------------------------------------------------------------------------------------------
// IPv6: hand cases, then the property over mixed-family rule sets

/** An IPv6 address from text, as a bigint. */
function ip6(text: string): bigint {
  const n = ip6ToBigInt(text);
  if (n === null) throw new Error(`bad test address ${text}`);
  return n;
}

function cidr6(text: string): Address6Range {
  const c = parseCidr6(text);
  if (c === null) throw new Error(`bad test CIDR ${text}`);
  return { base: c.base, size: c.size };
}

/** A VPC ENI with IPv4 10.1.2.5 and the given IPv6 addresses; `members6` maps group ids to IPv6 members. */
function eni6(groups: FwGroup[], opts: { ip6?: string[]; members?: Record<string, readonly number[]>; members6?: Record<string, readonly string[]> } = {}): NftEniInput {
  const members = opts.members ?? {};
  const members6 = new Map(Object.entries(opts.members6 ?? {}).map(([g, list]) => [g, list.map(ip6)]));
  return {
    ip: ip('10.1.2.5'), networkType: 'vpc', groups, members: (g) => members[g] ?? [],
    ip6: (opts.ip6 ?? ['2408:4000:1:1::5']).map(ip6), members6: (g) => members6.get(g) ?? [],
  };
}

function packet6(spec: Partial<Omit<NftPacket, 'peerIp' | 'peerIp6'>> & { peer?: string }): NftPacket {
  const { peer, ...rest } = spec;
  return { direction: 'ingress', internet: false, protocol: 'tcp', peerIp: 0, peerIp6: ip6(peer ?? '2001:db8::7'), dport: 22, sport: 40000, ...rest };
}

/** The flow of an IPv6 packet `p` (peerIp6 set) for the ENI's address `local`. */
function flowOf6(input: NftEniInput, p: NftPacket, local: bigint, allGroupIds: readonly string[]): Flow {
  const ported = p.protocol === 'tcp' || p.protocol === 'udp';
  const dport = ported ? p.dport : 0;
  const sport = ported ? p.sport : 0;
  const ingress = p.direction === 'ingress';
  const peer = p.peerIp6!;
  return {
    direction: p.direction, protocol: p.protocol === 'other' ? 'gre' : p.protocol, localIp: 0, localPort: ingress ? dport : sport,
    remoteIp: 0, remotePort: ingress ? sport : dport, ip6: { local: ip6Words(local), remote: ip6Words(peer) }, nicType: 'intranet',
    peerGroups: allGroupIds.filter((g) => (input.members6?.(g) ?? []).includes(peer)),
  };
}

/** The reference's decision for the IPv6 packet `p` at the ENI's address `local` (other: as referenceOf). */
function referenceOf6(input: NftEniInput, p: NftPacket, local: bigint, allGroupIds: readonly string[]): { verdict: 'accept' | 'drop'; reason: Reason } {
  const groups = p.protocol === 'other' ? input.groups.map((g) => ({ ...g, rules: g.rules.filter((r) => r.protocol !== 'gre') })) : input.groups;
  const d = decideReference(groups, flowOf6(input, p, local, allGroupIds), input.platform);
  return { verdict: d.verdict, reason: d.reason };
}

/** The IPv6 plans' invariants: bounds sorted from 0 to 2^128, boxes disjoint, sorted, without the fallback verdict, inside the intervals. */
function assertWellFormed6(plan: NftEniPlan): void {
  for (const [name, d] of [['ingress6', plan.ingress6], ['egress6', plan.egress6]] as const) {
    if (d === undefined) continue;
    assert.equal(d.bounds[0], 0n);
    assert.equal(d.bounds[d.bounds.length - 1], 1n << 128n);
    for (let i = 1; i < d.bounds.length; i++) assert.ok(d.bounds[i - 1]! < d.bounds[i]!, `${name}: bounds sorted`);
    for (let i = 1; i < d.intra.length; i++) assert.ok(d.intra[i - 1]! < d.intra[i]!, `${name}: intra sorted and unique`);
    for (const proto of NFT_PROTOS6) {
      const boxes: NftBox[] = d.boxes[proto];
      for (let i = 0; i < boxes.length; i++) {
        const b: NftBox = boxes[i]!;
        assert.ok(b.verdict !== d.fallback, `${name}/${proto}: a box with the fallback verdict`);
        assert.ok(0 <= b.addrLo && b.addrLo <= b.addrHi && b.addrHi <= d.bounds.length - 2, `${name}/${proto}: interval bounds`);
        if (i > 0) {
          const a = boxes[i - 1]!;
          assert.ok(a.addrLo < b.addrLo || (a.addrLo === b.addrLo && (a.portLo < b.portLo || (a.portLo === b.portLo && a.srcLo < b.srcLo))), `${name}/${proto}: sorted`);
        }
        for (let j = i + 1; j < boxes.length; j++) if (boxOverlap(b, boxes[j]!)) assert.fail(`${name}/${proto}: boxes overlap`);
      }
    }
  }
}

/** evaluatePlan and the reference both give `verdict` for every IPv6 packet (at the ENI's first IPv6 address). */
function expectVerdicts6(input: NftEniInput, cases: Array<[NftPacket, 'accept' | 'drop']>): NftEniPlan {
  const plan = planEni(input);
  assertWellFormed(plan);
  assertWellFormed6(plan);
  const ids = [...new Set([...input.groups.map((g) => g.groupId), 'sg-peer', 'sg-other', 'sg-a', 'sg-b'])];
  for (const [p, verdict] of cases) {
    assert.equal(evaluatePlan(plan, p), verdict, `plan: ${p.peerIp6?.toString(16)} ${JSON.stringify({ ...p, peerIp6: undefined })}`);
    assert.equal(referenceOf6(input, p, input.ip6![0]!, ids).verdict, verdict, `reference: ${p.peerIp6?.toString(16)} ${JSON.stringify({ ...p, peerIp6: undefined })}`);
  }
  return plan;
}

test('IPv6: cidr6 rules decide IPv6 packets only, IPv4 rules IPv4 packets only; priorities as in IPv4', () => {
  const g = [group('sg-a', [
    { peer: { kind: 'cidr6', range: cidr6('2001:db8::/32') }, portFrom: 22, portTo: 22, priority: 2 },
    { peer: { kind: 'cidr6', range: cidr6('2001:db8::8/125') }, portFrom: 1, portTo: 1024, policy: 'drop', priority: 1 },
    { from: '0.0.0.0/0', portFrom: 80, portTo: 80 },
    { peer: { kind: 'cidr6', range: cidr6('::/0') }, protocol: 'icmpv6' },
  ])];
  const input = eni6(g);
  const plan = expectVerdicts6(input, [
    [packet6({ peer: '2001:db8::7' }), 'accept'],
    [packet6({ peer: '2001:db8::8' }), 'drop'],
    [packet6({ peer: '2001:db8::f' }), 'drop'],
    [packet6({ peer: '2001:db8::10' }), 'accept'],
    [packet6({ peer: '2001:db9::' }), 'drop'],
    [packet6({ peer: '2001:db8::7', dport: 80 }), 'drop'],
    [packet6({ peer: 'fe80::1', protocol: 'icmpv6' }), 'accept'],
    [packet6({ peer: 'fe80::1', protocol: 'other' }), 'drop'],
  ]);
  // IPv4 packets meet the IPv4 rule only; an icmpv6 header in IPv4 is `other`
  assert.equal(evaluatePlan(plan, packet({ peer: '8.8.8.8', dport: 80 })), 'accept');
  assert.equal(evaluatePlan(plan, packet({ peer: '8.8.8.8', dport: 22 })), 'drop');
  assert.equal(evaluatePlan(plan, packet({ peer: '8.8.8.8', protocol: 'icmpv6' })), 'drop');
  assert.deepEqual(plan.ingress.boxes.icmp, []);
  // an icmp (v4) rule never meets IPv6: ICMP in IPv6 is judged as other
  const icmp4 = planEni(eni6([group('sg-a', [{ protocol: 'icmp', fromGroup: 'sg-peer' }])], { members6: { 'sg-peer': ['2001:db8::7'] } }));
  assert.equal(evaluatePlan(icmp4, packet6({ protocol: 'icmp', peer: '2001:db8::7' })), 'drop');
  assert.equal(evaluatePlan(icmp4, packet6({ protocol: 'icmpv6', peer: '2001:db8::7' })), 'drop');
});

test('IPv6: group rules match the members\' IPv6 addresses, intra-group lets IPv6 members in', () => {
  const members6 = { 'sg-peer': ['2408:4000:1:1::9', '2408:4000:1:1::a', '2408:4000:1:1::c'], 'sg-a': ['2408:4000:1:1::5', '2408:4000:1:2::6'] };
  const members = { 'sg-peer': [ip('10.1.2.9')] };
  const g = [group('sg-a', [{ fromGroup: 'sg-peer', portFrom: 22, portTo: 22 }, { protocol: 'all', policy: 'drop', priority: 2 }])];
  const plan = expectVerdicts6(eni6(g, { members, members6 }), [
    [packet6({ peer: '2408:4000:1:1::9' }), 'accept'],
    [packet6({ peer: '2408:4000:1:1::a' }), 'accept'],
    [packet6({ peer: '2408:4000:1:1::b' }), 'drop'],
    [packet6({ peer: '2408:4000:1:1::c' }), 'accept'],
    [packet6({ peer: '2408:4000:1:1::c', dport: 23 }), 'drop'],
    [packet6({ peer: '2408:4000:1:2::6', dport: 9, protocol: 'udp' }), 'accept'],
    [packet6({ peer: '2408:4000:1:2::6', protocol: 'other' }), 'accept'],
  ]);
  assert.deepEqual(plan.ingress6!.intra, [ip6('2408:4000:1:1::5'), ip6('2408:4000:1:2::6')]);
  // the IPv4 plan has the IPv4 member only
  assert.deepEqual(plan.ingress.boxes.tcp.map((b) => [b.addrLo, b.addrHi]), [[ip('10.1.2.9'), ip('10.1.2.9')]]);
  // two consecutive members are one run of two elementary intervals, rendered as one range
  const r = renderEni('e6', plan, {});
  const tcp = r.maps.find((m) => m.name === 'in6_e6_tcp')!.definition;
  assert.equal(tcp, 'type ipv6_addr . inet_service . inet_service : verdict; flags interval; elements = { 2408:4000:1:1::9-2408:4000:1:1::a . 22 . 0-65535 : accept, 2408:4000:1:1::c . 22 . 0-65535 : accept }');
});

test('IPv6: local6 applies when the ENI\'s (first) IPv6 address is inside; local (IPv4) rules stay out of IPv6', () => {
  const g = [group('sg-a', [
    { peer: { kind: 'cidr6', range: cidr6('::/0') }, local6: cidr6('2408:4000:1:1::/64'), portFrom: 22, portTo: 22 },
    { peer: { kind: 'cidr6', range: cidr6('::/0') }, local: cidr('10.0.0.0/8'), portFrom: 80, portTo: 80 },
  ])];
  expectVerdicts6(eni6(g), [[packet6({}), 'accept'], [packet6({ dport: 80 }), 'drop']]);
  expectVerdicts6(eni6(g, { ip6: ['2408:4000:1:2::5'] }), [[packet6({}), 'drop']]);
});

test('IPv6: platform port 25 drops tcp to addresses outside the private IPv6 ranges', () => {
  const members6 = { 'sg-a': ['2001:db8::25'] };
  const g = [group('sg-a', [{ direction: 'egress', protocol: 'all' }])];
  const plan = expectVerdicts6(eni6(g, { members6 }), [
    [packet6({ direction: 'egress', peer: '2001:db8::25', dport: 25 }), 'drop'],
    [packet6({ direction: 'egress', peer: '2408:4000:9::1', dport: 25 }), 'accept'],
    [packet6({ direction: 'egress', peer: 'fd00::1', dport: 25 }), 'accept'],
    [packet6({ direction: 'egress', peer: '2001:db8::25', dport: 25, protocol: 'udp' }), 'accept'],
    [packet6({ peer: '2001:db8::25', dport: 25 }), 'accept'],
  ]);
  const eg6 = renderEni('e1', plan, {}).chains.find((c) => c.name === 'eg6_e1')!;
  assert.equal(eg6.rules[0], 'meta l4proto tcp tcp dport 25 ip6 daddr != { fc00::/7, fe80::/10, 2408:4000::/20 } drop');
  const open = planEni({ ...eni6(g, { members6 }), platform: { port25Blocked: false } });
  assert.equal(evaluatePlan(open, packet6({ direction: 'egress', peer: '2001:db8::25', dport: 25 })), 'accept');
});

test('IPv6: no IPv6 address (or a classic ENI) means no IPv6 plans, and IPv6 packets are dropped', () => {
  const g = [group('sg-a', [{ peer: { kind: 'cidr6', range: cidr6('::/0') }, protocol: 'all' }])];
  const none = planEni({ ...eni6(g), ip6: [] });
  assert.equal(none.ingress6, undefined);
  assert.equal(evaluatePlan(none, packet6({})), 'drop');
  assert.equal(evaluatePlan(none, packet6({ direction: 'egress' })), 'drop');
  const classic = planEni({ ...eni6(g), networkType: 'classic' });
  assert.equal(classic.egress6, undefined);
  assert.deepEqual(renderEni('e1', none, {}).chains.map((c) => c.name), ['in_e1', 'eg_e1']);
});

test('IPv6 render: ip6 chains, ipv6_addr maps, ipv6-icmp; planHash covers the IPv6 plans', () => {
  const g = [group('sg-a', [
    { peer: { kind: 'cidr6', range: cidr6('2001:db8::/32') }, portFrom: 22, portTo: 22 },
    { peer: { kind: 'cidr6', range: cidr6('::/0') }, protocol: 'icmpv6' },
    { peer: { kind: 'cidr6', range: cidr6('2001:db8::1/128') }, protocol: 'all', policy: 'drop', direction: 'egress' },
  ])];
  const plan = planEni(eni6(g));
  const r = renderEni('e7', plan, {});
  assert.deepEqual(r.chains.map((c) => c.name), ['in_e7', 'eg_e7', 'in6_e7', 'eg6_e7']);
  assert.deepEqual(r.chains.find((c) => c.name === 'in6_e7')!.rules, [
    'meta l4proto tcp ip6 saddr . tcp dport . tcp sport vmap @in6_e7_tcp',
    'meta l4proto ipv6-icmp ip6 saddr vmap @in6_e7_icmpv6',
    'drop',
  ]);
  assert.deepEqual(r.chains.find((c) => c.name === 'eg6_e7')!.rules, [
    'meta l4proto tcp tcp dport 25 ip6 daddr != { fc00::/7, fe80::/10, 2408:4000::/20 } drop',
    'meta l4proto tcp ip6 daddr . tcp dport . tcp sport vmap @eg6_e7_tcp',
    'meta l4proto udp ip6 daddr . udp dport . udp sport vmap @eg6_e7_udp',
    'meta l4proto ipv6-icmp ip6 daddr vmap @eg6_e7_icmpv6',
    'meta l4proto gre ip6 daddr vmap @eg6_e7_gre',
    'meta l4proto != { tcp, udp, ipv6-icmp, gre } ip6 daddr vmap @eg6_e7_other',
    'return',
  ]);
  const def = (name: string): string => [...r.maps, ...r.sets].find((m) => m.name === name)?.definition ?? assert.fail(`no map/set ${name}`);
  assert.equal(def('in6_e7_tcp'), 'type ipv6_addr . inet_service . inet_service : verdict; flags interval; elements = { 2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff . 22 . 0-65535 : accept }');
  assert.equal(def('in6_e7_icmpv6'), 'type ipv6_addr : verdict; flags interval; elements = { ::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff : accept }');
  assert.equal(def('eg6_e7_other'), 'type ipv6_addr : verdict; flags interval; elements = { 2001:db8::1 : drop }');
  assert.equal(def('in6_e7_intra'), 'type ipv6_addr; flags interval;');
  const h = planHash(plan);
  assert.notEqual(planHash({ ...plan, ingress6: undefined, egress6: undefined }), h);
  assert.notEqual(planHash(planEni(eni6(g.map((x) => ({ ...x, rules: x.rules.slice(1) }))))), h);
  // the same plan with more (unused) bounds hashes the same
  const b = plan.ingress6!;
  const extra = [...b.bounds.slice(0, 1), 1n, ...b.bounds.slice(1)];
  const shift = (x: NftBox): NftBox => ({ ...x, addrLo: x.addrLo === 0 ? 0 : x.addrLo + 1, addrHi: x.addrHi + 1 });
  const moreBounds: NftEniPlan = { ...plan, ingress6: { ...b, bounds: extra, boxes: { tcp: b.boxes.tcp.map(shift), udp: b.boxes.udp.map(shift), icmpv6: b.boxes.icmpv6.map(shift), gre: b.boxes.gre.map(shift), other: b.boxes.other.map(shift) } } };
  assert.equal(planHash(moreBounds), h);
});

const CIDRS6 = [
  '::/0', '2408:4000::/20', '2408:4000:1::/48', '2408:4000:1:1::/64', '2408:4000:1:1::4/126', '2408:4000:1:1::6/128', '2408:4000:1:2::/64',
  '2001:db8::/32', '2001:db8::8/128', 'fc00::/7', 'fe80::/10', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', '8000::/1',
].map(cidr6);
const MEMBER6_ADDRS = ['2408:4000:1:1::5', '2408:4000:1:1::6', '2408:4000:1:1::7', '2408:4000:1:2::1', 'fd00::9', '2001:db8::1'].map(ip6);
const PEER6_ADDRS = [
  ...MEMBER6_ADDRS, ...['::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe', '2001:db8::7', '2001:db8::8', '2001:db8::9',
    '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db9::', '2408:3fff:ffff:ffff:ffff:ffff:ffff:ffff', '2408:4000::', '2408:4fff:ffff:ffff:ffff:ffff:ffff:ffff',
    '2408:5000::', '2408:4000:1:1::', '2408:4000:1:1::3', '2408:4000:1:1::4', '2408:4000:1:1::8', 'fe80::1', 'fbff:ffff::', 'fe00::',
    '7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '8000::', '2408:4000:1:2::ffff'].map(ip6),
];
const ENI6_ADDRS = ['2408:4000:1:1::5', '2408:4000:1:1::6', '2408:4000:1:2::1'].map(ip6);

const ruleShape6Arb = fc.record({
  direction: fc.constantFrom<FwRule['direction']>('ingress', 'egress'),
  protocol: fc.constantFrom<FwRule['protocol']>('tcp', 'tcp', 'tcp', 'udp', 'icmp', 'icmpv6', 'icmpv6', 'gre', 'all', 'all'),
  ports: portRangeArb,
  src: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: portRangeArb }),
  policy: fc.constantFrom<FwRule['policy']>('accept', 'drop'),
  priority: fc.integer({ min: 1, max: 3 }),
  // VPC rules are all intranet
  nicType: fc.constant<FwRule['nicType']>('intranet'),
  peer: fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...CIDRS).map((range): FwRule['peer'] => ({ kind: 'cidr', range })) },
    { weight: 3, arbitrary: fc.constantFrom(...CIDRS6).map((range): FwRule['peer'] => ({ kind: 'cidr6', range })) },
    { weight: 2, arbitrary: fc.constantFrom(...ALL_GROUP_IDS).map((groupId): FwRule['peer'] => ({ kind: 'group', groupId })) },
  ),
  local: fc.constant(null),
  // a local range of either family on about a fifth of the rules
  localOf: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...CIDRS) }, { weight: 1, arbitrary: fc.constantFrom(...CIDRS6) }),
});

const groups6Arb: fc.Arbitrary<FwGroup[]> = fc.integer({ min: 1, max: 3 }).chain((k) => fc.tuple(...GROUP_IDS.slice(0, k).map((groupId) => fc.record({
  type: fc.constantFrom<FwGroup['type']>('normal', 'normal', 'enterprise'),
  innerAccessPolicy: fc.constantFrom<FwGroup['innerAccessPolicy']>('Accept', 'Drop'),
  shapes: fc.array(ruleShape6Arb, { minLength: 0, maxLength: 12 }),
}).map(({ type, innerAccessPolicy, shapes }): FwGroup => ({
  groupId, type, innerAccessPolicy,
  rules: shapes.map(({ localOf, ...s }, i) => {
    const r = ruleFromShape(groupId, i, s);
    if (localOf !== null && typeof localOf.base === 'bigint') r.local6 = localOf as Address6Range;
    else if (localOf !== null) r.local = localOf as AddressRange;
    return r;
  }),
})))));

const input6Arb: fc.Arbitrary<NftEniInput> = fc.record({
  ip: fc.constantFrom(...ENI_ADDRS),
  ip6: fc.subarray(ENI6_ADDRS, { minLength: 1, maxLength: 2 }),
  groups: groups6Arb,
  members: fc.tuple(...ALL_GROUP_IDS.map(() => fc.subarray(MEMBER_ADDRS))),
  members6: fc.tuple(...ALL_GROUP_IDS.map(() => fc.subarray(MEMBER6_ADDRS))),
  port25Blocked: fc.boolean(),
}).map(({ ip: eniIp, ip6: eniIp6, groups, members, members6, port25Blocked }): NftEniInput => {
  const byGroup = new Map<string, number[]>(ALL_GROUP_IDS.map((g, i) => [g, members[i]!]));
  const byGroup6 = new Map<string, bigint[]>(ALL_GROUP_IDS.map((g, i) => [g, members6[i]!]));
  return { ip: eniIp, ip6: eniIp6, networkType: 'vpc', groups, members: (g) => byGroup.get(g) ?? [], members6: (g) => byGroup6.get(g) ?? [], platform: { port25Blocked } };
});

const packet6Arb: fc.Arbitrary<NftPacket> = fc.record({
  direction: fc.constantFrom<NftPacket['direction']>('ingress', 'egress'),
  internet: fc.constant(false),
  protocol: fc.constantFrom<NftPacket['protocol']>('tcp', 'tcp', 'tcp', 'udp', 'icmpv6', 'gre', 'other'),
  peerIp: fc.constant(0),
  peerIp6: fc.constantFrom(...PEER6_ADDRS),
  dport: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PACKET_PORTS) }, { weight: 1, arbitrary: fc.constant(25) }),
  sport: fc.constantFrom(...PACKET_PORTS),
});

/** An IPv6 packet on the edges of a rule: its cidr6 range's ends ±1, or a member ±1, with the rule's ports' edges. */
function corner6Packet(input: NftEniInput, c: Corner): NftPacket | undefined {
  const rules = input.groups.flatMap((g) => g.rules).filter((r) => r.peer.kind !== 'cidr' && r.local === undefined);
  if (rules.length === 0) return undefined;
  const r = rules[c.rule % rules.length]!;
  const ra = rules[(c.addrRule ?? c.rule) % rules.length]!;
  const rs = rules[(c.sportRule ?? c.rule) % rules.length]!;
  const edge = (lo: number, hi: number, k: number): number => [lo - 1, lo, hi, hi + 1][k]!;
  const clamp = (n: number, max: number): number => Math.min(max, Math.max(0, n));
  const max6 = (1n << 128n) - 1n;
  const clamp6 = (n: bigint): bigint => (n < 0n ? 0n : n > max6 ? max6 : n);
  let peer: bigint;
  if (ra.peer.kind === 'cidr6') {
    const lo = ra.peer.range.base;
    const hi = ra.peer.range.base + ra.peer.range.size - 1n;
    peer = clamp6([lo - 1n, lo, hi, hi + 1n][c.addr]!);
  } else {
    const groupId = ra.peer.kind === 'group' ? ra.peer.groupId : '';
    const members = input.members6?.(groupId) ?? [];
    const m = members[c.addr % Math.max(1, members.length)] ?? MEMBER6_ADDRS[c.addr]!;
    peer = clamp6(m + (c.addr === 0 ? -1n : c.addr === 3 ? 1n : 0n));
  }
  const srcLo = rs.srcPortFrom === 1 && rs.srcPortTo === 65535 ? 0 : rs.srcPortFrom;
  const protocol = r.protocol === 'all' ? (c.protocol === 'icmp' ? 'icmpv6' : c.protocol) : r.protocol === 'icmp' ? 'other' : r.protocol;
  return {
    direction: r.direction, internet: false, protocol, peerIp: 0, peerIp6: peer,
    dport: clamp(edge(r.portFrom, r.portTo, c.dport), 65535), sport: clamp(edge(srcLo, rs.srcPortTo, c.sport), 65535),
  };
}

/** Whether every local6 rule of the ENI holds all of its IPv6 addresses or none (then the plan is exact for each address). */
function localsAgree(input: NftEniInput): boolean {
  const addrs = input.ip6 ?? [];
  return input.groups.flatMap((g) => g.rules).every((r) => {
    const l = r.local6;
    if (l === undefined) return true;
    const inside = addrs.map((a) => a >= l.base && a < l.base + l.size);
    return inside.every((x) => x === inside[0]);
  });
}

const RUNS6 = 3000;
const tally6 = { cases: 0, v4: 0, Platform: 0, IntraGroup: 0, Rule: 0, Default: 0, ruleDrop: 0, icmpv6: 0, other: 0, corner: 0, secondAddress: 0, boxes: 0 };

test('property (IPv6): evaluatePlan(planEni()) decides IPv6 and IPv4 packets as the reference on mixed-family rules', () => {
  const packetsArb = fc.array(packet6Arb, { minLength: PACKETS_PER_CASE, maxLength: PACKETS_PER_CASE });
  const packets4Arb = fc.array(packetArb, { minLength: 5, maxLength: 5 });
  const cornersArb = fc.array(cornerArb, { minLength: PACKETS_PER_CASE, maxLength: PACKETS_PER_CASE });
  fc.assert(fc.property(input6Arb, packetsArb, packets4Arb, cornersArb, (input, randomPackets, packets4, corners) => {
    const plan = planEni(input);
    assertWellFormed(plan);
    assertWellFormed6(plan);
    tally6.boxes += NFT_PROTOS6.reduce((n, p) => n + plan.ingress6!.boxes[p].length + plan.egress6!.boxes[p].length, 0);
    const cornerPackets = corners.map((c) => corner6Packet(input, c)).filter((p) => p !== undefined);
    tally6.corner += cornerPackets.length;
    // the plan is judged at the first address always, at the second when the local6 rules agree on both
    const locals = localsAgree(input) ? input.ip6! : input.ip6!.slice(0, 1);
    for (const p of [...randomPackets, ...cornerPackets]) {
      const got = evaluatePlan(plan, p);
      for (const local of locals) {
        const ref = referenceOf6(input, p, local, ALL_GROUP_IDS);
        if (got !== ref.verdict) {
          assert.fail(`IPv6 packet to/from ${p.peerIp6!.toString(16)} ${JSON.stringify({ ...p, peerIp6: undefined })} at ${local.toString(16)}: plan ${got}, reference ${ref.verdict}/${ref.reason}\n` +
            `groups ${JSON.stringify(input.groups, (_, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
        }
        tally6.cases++;
        tally6[ref.reason]++;
        if (local !== input.ip6![0]) tally6.secondAddress++;
        if (ref.reason === 'Rule' && ref.verdict === 'drop') tally6.ruleDrop++;
        if (p.protocol === 'icmpv6') tally6.icmpv6++;
        if (p.protocol === 'other') tally6.other++;
      }
    }
    // IPv4 packets on the same mixed rules: the IPv6 rules stay out
    for (const raw of packets4) {
      if (raw.protocol === 'icmpv6') continue;
      const p: NftPacket = { ...raw, internet: false };
      const ref = referenceOf(input, p, ALL_GROUP_IDS);
      assert.equal(evaluatePlan(plan, p), ref.verdict, `IPv4 packet ${JSON.stringify(p)}`);
      tally6.v4++;
    }
  }), { numRuns: RUNS6 });
});

test('IPv6 property test covered every step often enough', () => {
  assert.ok(tally6.cases >= 20_000, `only ${tally6.cases} cases`);
  for (const k of ['Platform', 'IntraGroup', 'Rule', 'Default', 'ruleDrop', 'icmpv6', 'other', 'corner', 'secondAddress'] as const) {
    assert.ok(tally6[k] > tally6.cases / 200, `${k}: ${tally6[k]} of ${tally6.cases}`);
  }
  console.log(`# nft IPv6 property cases: ${JSON.stringify(tally6)}`);
});

// ---------------------------------------------------------------------------------------------
// Scale

/** `n` rules over 5 basic groups; `wide` adds /0 and /8 peers, port ranges and `all` rules as in firewall.test.ts. */
function scaleGroups(seed: number, n: number, wide: boolean): FwGroup[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const ids = ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5'];
  return ids.map((groupId) => ({
    groupId, type: 'normal', innerAccessPolicy: 'Accept',
    rules: Array.from({ length: n / ids.length }, (_, i): FwRule => {
      const port = Math.floor(rnd() * 65535) + 1;
      const span = wide && rnd() < 0.2 ? Math.floor(rnd() * 5000) : 0;
      const prefix = wide ? pick([32, 24, 16, 8, 0]) : 16 + Math.floor(rnd() * 17);
      const size = 2 ** (32 - prefix);
      const a = Math.floor(rnd() * 2 ** 32);
      return {
        groupId, ruleId: `r${i}`, direction: rnd() < 0.6 ? 'ingress' : 'egress', protocol: pick(wide ? ['tcp', 'tcp', 'udp', 'icmp', 'all'] as const : ['tcp', 'tcp', 'tcp', 'udp', 'icmp'] as const),
        portFrom: port, portTo: Math.min(65535, port + span), srcPortFrom: 1, srcPortTo: 65535,
        policy: rnd() < 0.2 ? 'drop' : 'accept', priority: 1 + Math.floor(rnd() * 100), nicType: 'intranet',
        peer: wide && rnd() < 0.05 ? { kind: 'group', groupId: pick(ids) } : { kind: 'cidr', range: { base: a - (a % size), size } },
      };
    }),
  }));
}

function scaleCheck(t: { diagnostic(msg: string): void }, label: string, groups: FwGroup[]): NftEniPlan {
  const members = new Map(groups.map((g, i) => [g.groupId, [ip('10.0.0.5'), ip('10.0.1.0') + i]]));
  const input: NftEniInput = { ip: ip('10.0.0.5'), networkType: 'vpc', groups, members: (g) => members.get(g) ?? [] };
  // how long planning takes is bench/dataplane.ts's figure (plan+render of 1,000-rule ENIs)
  const plan = planEni(input);
  assertWellFormed(plan);
  const per = (d: NftDirectionPlan): string => NFT_PROTOS.map((p) => `${p} ${d.boxes[p].length}`).join(', ');
  t.diagnostic(`${label}: ${groups.flatMap((g) => g.rules).length} rules planned; ` +
    `${boxCount(plan.ingress) + boxCount(plan.egress)} boxes (ingress: ${per(plan.ingress)}; egress: ${per(plan.egress)})`);
  // and the plan still decides as the reference does, near the rules' boxes and at random
  const rnd = prng(7);
  const all = groups.flatMap((g) => g.rules);
  const ids = groups.map((g) => g.groupId);
  for (let i = 0; i < 3000; i++) {
    const r = all[Math.floor(rnd() * all.length)]!;
    const protocol = NFT_PROTOS[Math.floor(rnd() * NFT_PROTOS.length)]!;
    const near = r.peer.kind === 'cidr' ? r.peer.range.base + Math.floor(rnd() * r.peer.range.size) : ip('10.0.1.0') + Math.floor(rnd() * 3);
    const p: NftPacket = {
      direction: r.direction, internet: false, protocol, peerIp: rnd() < 0.8 ? near : Math.floor(rnd() * 2 ** 32),
      dport: rnd() < 0.8 ? r.portFrom + Math.floor(rnd() * (r.portTo - r.portFrom + 1)) : Math.floor(rnd() * 65536), sport: Math.floor(rnd() * 65536),
    };
    assert.equal(evaluatePlan(plan, p), referenceOf(input, p, ids).verdict, `packet ${JSON.stringify(p)}`);
  }
  return plan;
}

test('1,000 distinct rules (/16../32, single ports) plan into about as many boxes, deciding as the reference does', (t) => {
  const plan = scaleCheck(t, 'distinct', scaleGroups(42, 1000, false));
  // ingress keeps its accepts, egress (all basic) its drops: about 80% / 20% of the rules
  const boxes = boxCount(plan.ingress) + boxCount(plan.egress);
  assert.ok(boxes > 400 && boxes < 1200, `${boxes} boxes`);
});

test('1,000 rules with /0 and /8 peers, port spans and all-protocol rules plan and decide as the reference does', (t) => {
  scaleCheck(t, 'wide', scaleGroups(43, 1000, true));
});

/** `n` IPv6 rules over 5 basic groups: cidr6 peers from /128 to /32 (1% /0) inside and outside the VPC pool, some group peers, port spans, icmpv6 and all. */
function scale6Groups(seed: number, n: number): FwGroup[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const ids = ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5'];
  const rand128 = (): bigint => {
    let x = 0n;
    for (let i = 0; i < 8; i++) x = (x << 16n) | BigInt(Math.floor(rnd() * 65536));
    return x;
  };
  return ids.map((groupId) => ({
    groupId, type: 'normal', innerAccessPolicy: 'Accept',
    rules: Array.from({ length: n / ids.length }, (_, i): FwRule => {
      const port = Math.floor(rnd() * 65535) + 1;
      const span = rnd() < 0.2 ? Math.floor(rnd() * 5000) : 0;
      const prefix = rnd() < 0.01 ? 0 : pick([128, 128, 128, 64, 64, 56, 48, 32]);
      const size = 1n << BigInt(128 - prefix);
      const a = rnd() < 0.5 ? ip6('2408:4000::') + (rand128() >> 20n) : rand128();
      return {
        groupId, ruleId: `r${i}`, direction: rnd() < 0.6 ? 'ingress' : 'egress', protocol: pick(['tcp', 'tcp', 'udp', 'icmpv6', 'all'] as const),
        portFrom: port, portTo: Math.min(65535, port + span), srcPortFrom: 1, srcPortTo: 65535,
        policy: rnd() < 0.2 ? 'drop' : 'accept', priority: 1 + Math.floor(rnd() * 100), nicType: 'intranet',
        peer: rnd() < 0.05 ? { kind: 'group', groupId: pick(ids) } : { kind: 'cidr6', range: { base: a - (a % size), size } },
      };
    }),
  }));
}

function scale6Input(groups: FwGroup[]): NftEniInput {
  const members6 = new Map(groups.map((g, i) => [g.groupId, [ip6('2408:4000:1:1::5'), ip6('2408:4000:1:2::') + BigInt(i)]]));
  return { ip: ip('10.0.0.5'), ip6: [ip6('2408:4000:1:1::5')], networkType: 'vpc', groups, members: () => [], members6: (g) => members6.get(g) ?? [] };
}

test('IPv6: 1,000 rules (cidr6 /128../0, group peers, icmpv6, all) plan and decide as the reference does', (t) => {
  const groups = scale6Groups(45, 1000);
  const input = scale6Input(groups);
  const plan = planEni(input);
  assertWellFormed6(plan);
  const count = (d: NftDirectionPlan6): number => NFT_PROTOS6.reduce((n, p) => n + d.boxes[p].length, 0);
  t.diagnostic(`IPv6: 1000 rules planned; ${count(plan.ingress6!) + count(plan.egress6!)} boxes over ${plan.ingress6!.bounds.length} + ${plan.egress6!.bounds.length} bounds`);
  const rnd = prng(8);
  const all = groups.flatMap((g) => g.rules);
  const ids = groups.map((g) => g.groupId);
  const local = input.ip6![0]!;
  for (let i = 0; i < 3000; i++) {
    const r = all[Math.floor(rnd() * all.length)]!;
    const protocol = NFT_PROTOS6[Math.floor(rnd() * NFT_PROTOS6.length)]!;
    const offset = BigInt(Math.floor(rnd() * 2 ** 32));
    const near = r.peer.kind === 'cidr6' ? r.peer.range.base + (offset % r.peer.range.size) : ip6('2408:4000:1:2::') + BigInt(Math.floor(rnd() * 6));
    const p: NftPacket = {
      direction: r.direction, internet: false, protocol, peerIp: 0, peerIp6: rnd() < 0.9 ? near : near ^ (1n << BigInt(Math.floor(rnd() * 128))),
      dport: rnd() < 0.8 ? r.portFrom + Math.floor(rnd() * (r.portTo - r.portFrom + 1)) : Math.floor(rnd() * 65536), sport: Math.floor(rnd() * 65536),
    };
    assert.equal(evaluatePlan(plan, p), referenceOf6(input, p, local, ids).verdict, `packet ${p.peerIp6!.toString(16)}`);
  }
});

// ---------------------------------------------------------------------------------------------
// The kernel accepts the rendered text

function tableText(name: string, renders: NftEniRender[]): string {
  const lines = [`table inet ${name} {`];
  for (const r of renders) for (const m of r.maps) lines.push(`  map ${m.name} { ${m.definition} }`);
  for (const r of renders) for (const s of r.sets) lines.push(`  set ${s.name} { ${s.definition} }`);
  for (const r of renders) {
    for (const c of r.chains) {
      lines.push(`  chain ${c.name} {`);
      for (const rule of c.rules) lines.push(`    ${rule}`);
      lines.push('  }');
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** `nft -c -f -`: parsed and validated by the kernel in a transaction that is always aborted, so nothing changes. */
function nftCheck(text: string): { ok: boolean; stderr: string } {
  const r = spawnSync('nft', ['-c', '-f', '-'], { input: text, encoding: 'utf8', timeout: 60_000 });
  return { ok: r.status === 0, stderr: `${r.stderr ?? ''}${r.error?.message ?? ''}` };
}

const nftUsable = process.getuid?.() === 0 && spawnSync('nft', ['--version'], { encoding: 'utf8' }).status === 0;
// with PARAPET_REQUIRE_ROOT=1 (CI) the test runs, and fails, rather than skipping
const nftSkip = nftUsable || process.env['PARAPET_REQUIRE_ROOT'] === '1' ? false : 'needs root and the nft command (nftables): rendered rulesets are checked with `nft -c -f -`';

test('nft -c accepts the rendered chains, maps and sets (and rejects overlapping elements)', { skip: nftSkip }, () => {
  const table = `nfttest_${process.pid}`;
  // the control: the check does reach the kernel's interval checks, so a pass below means disjoint
  const overlapping = tableText(table, [{
    maps: [{ name: 'm', definition: 'type ipv4_addr . inet_service . inet_service : verdict; flags interval; elements = { 10.0.0.0-10.0.0.255 . 80-90 . 0-65535 : drop, 10.0.0.5 . 85 . 1024-65535 : accept }' }],
    sets: [], chains: [],
  }]);
  assert.equal(nftCheck(overlapping).ok, false, 'nft -c rejects overlapping elements');

  const renders: NftEniRender[] = [];
  const samples = fc.sample(inputArb, { numRuns: 12, seed: 1 });
  samples.forEach((input, i) => renders.push(renderEni(`p${i}`, planEni(input), i % 2 === 0 ? { internetIf: 'eth1' } : {})));
  const scale = scaleGroups(44, 200, true);
  renders.push(renderEni('s200', planEni({ ip: ip('10.0.0.5'), networkType: 'classic', groups: scale, members: () => [ip('10.0.0.5'), ip('10.0.0.6')] }), { internetIf: 'eth1' }));
  renders.push(renderEni('s1000', planEni({ ip: ip('10.0.0.5'), networkType: 'vpc', groups: scaleGroups(42, 1000, false), members: () => [] }), {}));
  // IPv6: the mixed-family samples and 1,000 IPv6 rules
  fc.sample(input6Arb, { numRuns: 12, seed: 2 }).forEach((input, i) => renders.push(renderEni(`q${i}`, planEni(input), {})));
  renders.push(renderEni('s6k', planEni(scale6Input(scale6Groups(45, 1000))), {}));
  const text = tableText(table, renders);
  const r = nftCheck(text);
  if (!r.ok) assert.fail(`nft -c refused the rendered table:\n${r.stderr.slice(0, 4000)}`);
});
