// IPv6 in the data plane (root, real kernel): the agent driven directly with a desired state
// written here (the API side of IPv6 lives in the store). Instances with IPv6 addresses get them on
// their interfaces with a default route via their vSwitch's gateway (the /64's ::1), neighbour
// discovery resolves them, the VPC routes IPv6 between its vSwitches, an address with internet
// access reaches the internet namespace and back, and every IPv6 flow passes the instances' groups:
//  - an IPv6 TCP connect from the internet namespace reaches an instance only by an IPv6 source
//    CIDR rule (an IPv4 0.0.0.0/0 rule opens nothing), and only an address with internet access;
//  - group rules authorize the members' IPv6 addresses; intra-group lets IPv6 members talk;
//  - link-local traffic between two instances of one vSwitch does not go around the groups, and an
//    instance cannot advertise another's address (neighbour discovery) to draw its packets;
//  - a revoked rule cuts the established IPv6 session (conntrack).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../src/dataplane/agent.ts';
import { cleanupNamespaces } from '../../src/dataplane/registry.ts';
import type { DesiredInstance, DesiredNetwork, DesiredState } from '../../src/domain/dataplane-state.ts';
import type { FwGroup, FwRule } from '../../src/engine/firewall/index.ts';
import { ipToInt, parseCidr6, parseCidr } from '../../src/engine/cidr.ts';
import { rootTestOptions, nsExec, run, Prober } from '../helpers/netns.ts';
import { leftovers } from '../helpers/dataplane.ts';

const tag = `${process.pid % 10000}`;
const PREFIX = `pd6${tag}-`;
const state = mkdtempSync(join(tmpdir(), 'parapet-ipv6-'));
const ids = { a: `i-pd6${tag}a`, b: `i-pd6${tag}b`, c: `i-pd6${tag}c` };
const INTERNET6 = '2001:db8::7';
const INTERNET_NS = `${PREFIX}internet`;

const probers: Prober[] = [];

/** An unsolicited neighbour advertisement (override) for target argv[1] with MAC argv[2], sent to argv[3] with hop limit 255. */
const SPOOF_NA = `import socket, struct, sys
target = socket.inet_pton(socket.AF_INET6, sys.argv[1])
mac = bytes.fromhex(sys.argv[2].replace(':', ''))
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
s.sendto(struct.pack('!BBHI', 136, 0, 0, 0x20000000) + target + struct.pack('!BB', 2, 1) + mac, (sys.argv[3], 0))
`;
after(async () => {
  for (const p of probers) await p.close();
  await cleanupNamespaces(state, PREFIX);
  for (const id of Object.values(ids)) await run('ip', ['netns', 'del', id]);
  rmSync(state, { recursive: true, force: true });
});

let ruleSeq = 0;
/** An ingress rule (tcp to `port`) from a cidr, a cidr6 or a group. */
function rule(groupId: string, from: { cidr?: string; cidr6?: string; group?: string }, port: number, extra: Partial<FwRule> = {}): FwRule {
  let peer: FwRule['peer'];
  if (from.cidr6 !== undefined) { const c = parseCidr6(from.cidr6)!; peer = { kind: 'cidr6', range: { base: c.base, size: c.size } }; }
  else if (from.cidr !== undefined) { const c = parseCidr(from.cidr)!; peer = { kind: 'cidr', range: { base: c.base, size: c.size } }; }
  else peer = { kind: 'group', groupId: from.group! };
  return {
    groupId, ruleId: `r${++ruleSeq}`, direction: 'ingress', protocol: 'tcp', portFrom: port, portTo: port, srcPortFrom: 1, srcPortTo: 65535,
    policy: 'accept', priority: 1, nicType: 'intranet', peer, ...extra,
  };
}

const net: DesiredNetwork = {
  key: `vpc-pd6${tag}`, kind: 'vpc', regionId: 'cn-hangzhou', gateways: [{ address: '10.81.1.253', prefix: 24 }],
  ipv6Gateways: [{ cidr: '2408:4000:81:1::/64' }, { cidr: '2408:4000:81:2::/64' }],
};

function instance(id: string, ip: string, ipv6: Array<{ address: string; internet: boolean }>, groups: FwGroup[], mac: string): DesiredInstance {
  return {
    instanceId: id, accountId: '1', regionId: net.regionId, network: net.key, publicIp: '', osType: 'windows',
    effectivePublicKey: '', effectivePasswordHash: '', hostName: id, bootSeq: 1, securityAgent: false,
    enis: [{ eniId: `eni-${id}`, instanceId: id, primary: true, ip: ipToInt(ip)!, ipText: ip, prefix: 24, gateway: '10.81.1.253', mac, groups, port25Blocked: true, ipv6 }],
  };
}

test('IPv6: addresses, routes and neighbour discovery; every flow through the groups; link-local does not go around them', rootTestOptions(), async () => {
  const A6 = '2408:4000:81:1::10';
  const B6 = '2408:4000:81:1::11';
  const C6 = '2408:4000:81:2::12';
  let gA: FwGroup = { groupId: 'sg-a', type: 'normal', innerAccessPolicy: 'Drop', rules: [] };
  let gB: FwGroup = { groupId: 'sg-b', type: 'normal', innerAccessPolicy: 'Drop', rules: [] };
  let revision = 0;
  const desired = (): DesiredState => {
    const instances = [
      instance(ids.a, '10.81.1.10', [{ address: A6, internet: true }], [gA], '00:16:3e:81:00:0a'),
      instance(ids.b, '10.81.1.11', [{ address: B6, internet: false }], [gB], '00:16:3e:81:00:0b'),
      instance(ids.c, '10.81.1.12', [{ address: C6, internet: true }], [gB], '00:16:3e:81:00:0c'),
    ];
    return {
      revision: ++revision, networks: [net], instances, existingInstanceIds: new Set(instances.map((i) => i.instanceId)),
      members: new Map([['sg-a', [ipToInt('10.81.1.10')!]], ['sg-b', [ipToInt('10.81.1.11')!, ipToInt('10.81.1.12')!]]]),
      ddos: { ips: [], blackholes: [], penalties: [] }, bruteForceBlocks: [],
    };
  };
  let current = desired();
  const errors: string[] = [];
  const agent = new Agent({
    readDesired: () => Promise.resolve(current),
    waitForRevision: (after_, ms) => new Promise((resolve) => setTimeout(() => resolve(after_), ms)),
    stateDir: state, prefix: PREFIX, publicPool: '203.0.113.0/24',
    log: { info: () => undefined, warn: () => undefined, error: (obj, msg) => { errors.push(`${msg ?? ''} ${JSON.stringify(obj)}`); } },
  });
  const apply = async (change: () => void) => {
    change();
    current = desired();
    await agent.reconcile();
  };
  await agent.start();
  try {
    assert.deepEqual(errors, []);
    const r = await nsExec(INTERNET_NS, ['ip', 'addr', 'replace', `${INTERNET6}/128`, 'dev', 'lo']);
    assert.equal(r.code, 0, r.stderr);
    const pa = await Prober.start(ids.a);
    const pb = await Prober.start(ids.b);
    const pc = await Prober.start(ids.c);
    const pi = await Prober.start(INTERNET_NS);
    probers.push(pa, pb, pc, pi);
    for (const p of [pa, pb, pc, pi]) { await p.tcpListen(22, '::'); await p.tcpListen(8080, '::'); }
    let sport = 33000;
    const connect = (p: Prober, ip: string, port: number, opts: { localAddress?: string } = {}) => p.tcpConnect(ip, port, 1200, { ...opts, localPort: sport++ });

    // the addresses are on the interfaces, static (no DAD, no SLAAC), with the default route via the /64's ::1
    const addrs = await nsExec(ids.a, ['ip', '-6', 'addr', 'show', 'dev', 'eth0']);
    assert.match(addrs.stdout, new RegExp(`inet6 ${A6}/64 scope global`));
    assert.doesNotMatch(addrs.stdout, /tentative|dynamic/);
    assert.match((await nsExec(ids.a, ['ip', '-6', 'route', 'show', 'default'])).stdout, /default via 2408:4000:81:1::1 dev eth0/);
    // the gateway answers (neighbour discovery resolves it; the router's input takes echo requests)
    assert.equal((await nsExec(ids.a, ['ping', '-6', '-n', '-q', '-c', '1', '-W', '2', '2408:4000:81:1::1'])).code, 0, 'the gateway answers over IPv6');

    // 1. from the internet: nothing without a rule; an IPv4 0.0.0.0/0 rule opens no IPv6
    assert.equal(await connect(pi, A6, 22, { localAddress: INTERNET6 }), 'timeout', 'no rule: dropped');
    await apply(() => { gA = { ...gA, rules: [rule('sg-a', { cidr: '0.0.0.0/0' }, 22)] }; });
    assert.equal(await connect(pi, A6, 22, { localAddress: INTERNET6 }), 'timeout', 'an IPv4 rule does not open IPv6');
    // an Ipv6SourceCidrIp rule does
    await apply(() => { gA = { ...gA, rules: [...gA.rules, rule('sg-a', { cidr6: '2001:db8::/32' }, 22)] }; });
    assert.equal(await connect(pi, A6, 22, { localAddress: INTERNET6 }), 'open', 'the IPv6 source CIDR rule lets the internet in');
    assert.equal(await connect(pi, A6, 8080, { localAddress: INTERNET6 }), 'timeout', 'on its port only');
    // and out: A's egress (basic: accept) reaches the internet; B's address has no internet access
    assert.equal(await connect(pa, INTERNET6, 8080), 'open', 'an address with internet access reaches the internet');
    await apply(() => { gB = { ...gB, rules: [rule('sg-b', { cidr6: '::/0' }, 22)] }; });
    assert.equal(await connect(pb, INTERNET6, 8080), 'timeout', 'an address without internet access does not');
    assert.equal(await connect(pi, B6, 22, { localAddress: INTERNET6 }), 'timeout', 'nor is it reached from the internet');
    assert.equal(await connect(pi, C6, 22, { localAddress: INTERNET6 }), 'open', 'C (internet access, ::/0 rule) is');

    // 2. inside the VPC: across vSwitches, by group rules on the members' IPv6 addresses
    assert.equal(await connect(pa, B6, 8080), 'timeout', 'B takes nothing on 8080');
    await apply(() => { gB = { ...gB, rules: [...gB.rules, rule('sg-b', { group: 'sg-a' }, 8080)] }; });
    assert.equal(await connect(pa, B6, 8080), 'open', "a group rule authorizes the member's IPv6 address");
    assert.equal(await connect(pa, C6, 8080), 'open', 'across vSwitches (routed by the VPC)');
    assert.equal(await connect(pc, B6, 8080), 'timeout', 'C is not in sg-a');
    await apply(() => { gB = { ...gB, innerAccessPolicy: 'Accept' }; });
    assert.equal(await connect(pc, B6, 8080), 'open', 'intra-group: members of sg-b talk over IPv6');

    // 3. link-local: A and B share a vSwitch; B's link-local address is no ENI address, so a flow
    // to it is judged by no group that could allow it, and it is dropped, whatever B's rules say
    const ll = /inet6 (fe80::[0-9a-f:]+)\/64 scope link/.exec((await nsExec(ids.b, ['ip', '-6', 'addr', 'show', 'dev', 'eth0'])).stdout)?.[1];
    assert.ok(ll !== undefined, 'B has a link-local address');
    await apply(() => { gB = { ...gB, innerAccessPolicy: 'Drop', rules: [] }; });
    assert.equal(await connect(pa, `${ll}%eth0`, 8080), 'timeout', 'link-local TCP does not go around B\'s groups (no rule)');
    assert.equal(await connect(pa, B6, 8080), 'timeout', 'nor does the global address');
    await apply(() => { gB = { ...gB, rules: [rule('sg-b', { cidr6: '::/0' }, 8080)] }; });
    assert.equal(await connect(pa, B6, 8080), 'open', 'the global address with a ::/0 rule');
    assert.equal(await connect(pa, `${ll}%eth0`, 8080), 'timeout', 'link-local stays dropped (docs/DATAPLANE.md)');
    assert.equal((await nsExec(ids.a, ['ping', '-6', '-n', '-q', '-c', '1', '-W', '1', `${ll}%eth0`])).code !== 0, true, 'link-local ping too');

    // a neighbour advertisement naming another instance's address is dropped at the port: A claims
    // B's address towards the gateway (unsolicited, override), and the router keeps B's MAC
    const vns = `${PREFIX}${net.key}`;
    await nsExec(vns, ['ping', '-6', '-n', '-q', '-c', '1', '-W', '1', B6]); // the router resolves B (the echo itself B's groups drop)
    const neighOfB = async () => (await nsExec(vns, ['ip', '-6', 'neigh', 'show', B6])).stdout;
    assert.match(await neighOfB(), /lladdr 00:16:3e:81:00:0b/);
    if (existsSync('/usr/bin/python3')) {
      const spoof = await nsExec(ids.a, ['python3', '-c', SPOOF_NA, B6, '00:16:3e:81:00:0a', '2408:4000:81:1::1']);
      assert.equal(spoof.code, 0, spoof.stderr);
      await new Promise((r) => setTimeout(r, 300));
      assert.match(await neighOfB(), /lladdr 00:16:3e:81:00:0b/, "A's advertisement of B's address did not reach the router");
    }

    // 4. a revoked rule cuts the established IPv6 session
    const held = await pi.tcpHold(A6, 22, 2000);
    assert.ok(held !== undefined, 'a session from the internet to A on 22');
    assert.equal(await pi.tcpHeldEcho(held, 1500), true, 'it echoes');
    await apply(() => { gA = { ...gA, rules: [rule('sg-a', { cidr: '0.0.0.0/0' }, 22)] }; });
    assert.equal(await pi.tcpHeldEcho(held, 1500), false, 'the revoked IPv6 rule cut the session');
    assert.deepEqual(errors, []);
  } finally {
    await agent.stop();
  }
  assert.deepEqual(leftovers(PREFIX, Object.values(ids)), []);
});
