// The nftables compiler (src/engine/firewall/nft.ts): hand-written cases for each step of SPEC
// §1.3 as a plan decides it, the rendered text, then a property test holding evaluatePlan(planEni())
// to the reference evaluator on random groups from small universes (overlaps and ties frequent),
// a 1,000-rule plan, and, as root with nft installed, the rendered rulesets checked by the kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { prng } from '../helpers/prng.ts';
import { ip, cidr, group, ruleFromShape } from '../helpers/fw.ts';
import {
  decideReference, planEni, evaluatePlan, renderEni, planHash, NFT_PROTOS,
  type Flow, type FwGroup, type FwRule, type Reason,
  type NftEniInput, type NftEniPlan, type NftPacket, type NftDirectionPlan, type NftBox, type NftEniRender,
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
  const d = decideReference(groups, flowOf(input, p, allGroupIds));
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
    const members = input.members(ra.peer.groupId);
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
  const text = tableText(table, renders);
  const r = nftCheck(text);
  if (!r.ok) assert.fail(`nft -c refused the rendered table:\n${r.stderr.slice(0, 4000)}`);
});
