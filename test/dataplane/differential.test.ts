// The kernel against the decision engine (root, real kernel; CI runs it): random rule sets on the
// groups of a target instance, random flows to and from it (instances of the same VPC, or of the
// classic network with its internet and intranet NIC rules; addresses on the internet; tcp, udp,
// icmp; fixed source ports so source-port ranges count), real packets
// through the agent's nftables, and for each flow the verdict CheckNetworkAccess gives: the flow
// passes exactly when the sender's egress and the receiver's ingress both accept. Seeded: a
// failure prints the seed, the rules and the flow. A third run authorizes prefix lists in some
// rules and changes the lists (ModifyPrefixList) halfway through each rule set's flows, so the
// kernel must follow a list without any rule being touched. A fourth run does it all over IPv6 in a
// dual-stack VPC (instances with IPv6 addresses and internet bandwidth, internet peers of
// 2001:db8::/32, IPv6 CIDR rules, IPv6 prefix lists, group rules on the members' IPv6 addresses,
// IPv6 local ranges, a few IPv4 rules that must not touch IPv6; tcp, udp and icmpv6).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import { rootTestOptions, nsExec } from '../helpers/netns.ts';
import { startDataplaneServer, Tenant, Probers, addInternetAddresses, leftovers, type DataplaneServer, type Perm } from '../helpers/dataplane.ts';
import { callRpc } from '../helpers/server.ts';
import { prng } from '../helpers/prng.ts';
import { vSwitchIpv6Block } from '../../src/domain/ipv6.ts';

const $ = EcsModule;
const R = 'cn-shanghai';
const PREFIX = `pdd${process.pid % 10000}-`;
const SEED = Number(process.env['PARAPET_DIFF_SEED'] ?? 20261128);
const RULE_SETS = Number(process.env['PARAPET_DIFF_RULE_SETS'] ?? 55);
const CLASSIC_RULE_SETS = Math.ceil(RULE_SETS * 0.4);
/** at least 150 cases with prefix lists */
const LIST_RULE_SETS = Math.max(25, Math.ceil(RULE_SETS * 0.5));
const LIST_MAX_ENTRIES = 8;
const FLOWS_PER_SET = 6;
const TCP_PORTS = [80, 443, 3306, 8080];
const UDP_PORTS = [53, 161];
const INTERNET = ['198.51.100.7', '198.18.0.9'];
/** IPv6 internet peers (documentation range), on the internet namespace's lo */
const INTERNET6 = ['2001:db8::7', '2001:db8:1::9'];
/** at least 150 IPv6 cases */
const IPV6_RULE_SETS = Number(process.env['PARAPET_DIFF_IPV6_RULE_SETS'] ?? 27);
const LINUX = 'ubuntu_22_04_x64_20G_alibase_20240101.vhd';
const PROBE_MS = 600;

interface Endpoint { kind: 'instance' | 'internet'; name: string; id?: string; ip: string; publicIp?: string }
interface Flow { from: Endpoint; to: Endpoint; protocol: 'tcp' | 'udp' | 'icmp'; port: number; sport: number }
interface Flow6 { from: Endpoint; to: Endpoint; protocol: 'tcp' | 'udp' | 'icmpv6'; port: number; sport: number }

/** Adds IPv6 internet addresses inside the internet namespace (nothing in the host's). */
async function addInternet6(internetNs: string, addresses: readonly string[]): Promise<void> {
  for (const a of addresses) {
    const r = await nsExec(internetNs, ['ip', 'addr', 'replace', `${a}/128`, 'dev', 'lo']);
    if (r.code !== 0) throw new Error(`adding ${a} in ${internetNs}: ${r.stderr}`);
  }
}

describe('data plane: the kernel agrees with CheckNetworkAccess', rootTestOptions(), () => {
  let dp: DataplaneServer;
  let me: Tenant;
  let vpcId: string;
  let vSwitchId: string;
  const probers = new Probers();
  const made: string[] = [];

  before(async () => {
    dp = await startDataplaneServer(PREFIX, { PARAPET_LIMIT_SECURITY_GROUPS_PER_REGION: '1000' });
    const c = dp.clients();
    me = new Tenant(c.ecs, c.vpc, R);
    ({ vpcId, vSwitchId } = await me.network('172.20.0.0/16', '172.20.5.0/24', 'cn-shanghai-a'));
    // the internet namespace exists once an instance with a public address runs
    const first = await me.instance({ vSwitchId, groups: [await me.group(vpcId)], publicIp: true });
    made.push(first.id);
    await dp.settle();
    await addInternetAddresses(dp.internetNs, INTERNET);
    const internet = await probers.in(dp.internetNs);
    for (const port of TCP_PORTS) await internet.tcpListen(port);
    for (const port of UDP_PORTS) for (const a of INTERNET) await internet.udpListen(port, a);
  });
  after(async () => {
    await probers.closeAll();
    await dp?.stop();
    assert.deepEqual(leftovers(PREFIX, made), []);
  });

  test(`VPC: ${RULE_SETS * FLOWS_PER_SET} random (rule set, flow) cases: real packets = CheckNetworkAccess (seed ${SEED})`, (t) => differential(t, 'vpc', RULE_SETS, SEED));
  test(`classic network, internet and intranet NICs: ${CLASSIC_RULE_SETS * FLOWS_PER_SET} cases (seed ${SEED + 1})`, (t) => differential(t, 'classic', CLASSIC_RULE_SETS, SEED + 1));
  test(`VPC with prefix lists, changed between flows: ${LIST_RULE_SETS * FLOWS_PER_SET} cases (seed ${SEED + 2})`, (t) => differential(t, 'vpc', LIST_RULE_SETS, SEED + 2, true));

  test('a prefix-list change reaches the kernel without touching the rule (and back)', async () => {
    // tcp 80 from the internet to an instance whose one rule authorizes a list; the list changes
    const list = (await me.ecs.createPrefixList(new $.CreatePrefixListRequest({ regionId: R, prefixListName: 'flip', addressFamily: 'IPv4', maxEntries: 2 }))).body!.prefixListId!;
    const g = await me.group(vpcId);
    await me.ingress(g, [{ ipProtocol: 'tcp', portRange: '80/80', sourcePrefixListId: list }]);
    const target = await me.instance({ vSwitchId, groups: [g], publicIp: true });
    made.push(target.id);
    await dp.settle();
    await (await probers.in(target.id)).tcpListen(80);
    const internet = await probers.in(dp.internetNs);
    let sport = 31000;
    const connect = async () => internet.tcpConnect(target.publicIp, 80, 1500, { localAddress: INTERNET[0]!, localPort: sport++ });
    const verdict = async () => (await callRpc(dp.server.endpoint, 'CheckNetworkAccess', '2026-11-01', { RegionId: R, InstanceId: target.id, Direction: 'ingress', IpProtocol: 'tcp', Port: '80', PeerIpAddress: INTERNET[0]! }) as { Verdict: string }).Verdict;
    const modify = async (add: string[], remove: string[]) => {
      await me.ecs.modifyPrefixList(new $.ModifyPrefixListRequest({
        regionId: R, prefixListId: list, addEntry: add.map((cidr) => new $.ModifyPrefixListRequestAddEntry({ cidr })), removeEntry: remove.map((cidr) => new $.ModifyPrefixListRequestRemoveEntry({ cidr })),
      }));
      await dp.settle();
    };
    assert.deepEqual([await verdict(), await connect()], ['Drop', 'timeout'], 'an empty list authorizes nothing');
    await modify(['198.51.100.0/24'], []);
    assert.deepEqual([await verdict(), await connect()], ['Accept', 'open'], 'the entry added reaches the kernel');
    await modify(['198.18.0.0/15'], ['198.51.100.0/24']);
    assert.deepEqual([await verdict(), await connect()], ['Drop', 'timeout'], 'the entry removed leaves it');
  });

  test(`VPC IPv6: ${IPV6_RULE_SETS * FLOWS_PER_SET} random (rule set, IPv6 flow) cases incl. prefix lists: real packets = CheckNetworkAccess (seed ${SEED + 3})`, (t) => differential6(t, IPV6_RULE_SETS, SEED + 3));

  /**
   * IPv6: a dual-stack VPC, instances with one IPv6 address each (all with internet bandwidth),
   * internet peers of the documentation range on the internet namespace, rules on IPv6 CIDR
   * blocks, IPv6 prefix lists, groups (members by their IPv6 addresses), IPv6 local ranges, a few
   * IPv4 rules (which must not touch IPv6), and tcp, udp and icmpv6 flows.
   */
  async function differential6(t: { diagnostic(m: string): void }, ruleSets: number, seed: number): Promise<void> {
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const chance = (p: number) => rnd() < p;
    const V = (action: string, q: Record<string, string>) => callRpc(dp.server.endpoint, action, '2016-04-28', { RegionId: R, ...q });
    const E = (action: string, q: Record<string, string>) => callRpc(dp.server.endpoint, action, '2014-05-26', { RegionId: R, ...q });

    const vpc6 = (await V('CreateVpc', { CidrBlock: '172.21.0.0/16', EnableIpv6: 'true' }))['VpcId'] as string;
    const vpcRow = ((await V('DescribeVpcs', { VpcId: vpc6 }))['Vpcs'] as { Vpc: Array<Record<string, unknown>> }).Vpc[0]!;
    const block56 = vpcRow['Ipv6CidrBlock'] as string;
    const vsw6 = (await V('CreateVSwitch', { VpcId: vpc6, ZoneId: 'cn-shanghai-a', CidrBlock: '172.21.5.0/24', Ipv6CidrBlock: '1' }))['VSwitchId'] as string;
    const block64 = vSwitchIpv6Block(block56, 1);
    const other64 = vSwitchIpv6Block(block56, 2);
    const gw = (await V('CreateIpv6Gateway', { VpcId: vpc6 }))['Ipv6GatewayId'] as string;

    const peerGroup = await me.group(vpc6);
    const open = await me.group(vpc6);
    const first = await me.group(vpc6);
    const inst = async (group: string): Promise<{ id: string; ip6: string }> => {
      const id = ((await E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vsw6, SecurityGroupId: group, Ipv6AddressCount: '1' }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
      made.push(id);
      const row = ((await V('DescribeIpv6Addresses', { VpcId: vpc6, AssociatedInstanceId: id }))['Ipv6Addresses'] as { Ipv6Address: Array<Record<string, unknown>> }).Ipv6Address[0]!;
      await V('AllocateIpv6InternetBandwidth', { Ipv6GatewayId: gw, Ipv6AddressId: row['Ipv6AddressId'] as string, Bandwidth: '10' });
      return { id, ip6: row['Ipv6Address'] as string };
    };
    const target = await inst(first);
    const p1 = await inst(peerGroup);
    const p2 = await inst(first);
    const p3 = await inst(open);
    // P1 and P3 take in everything over IPv6
    const takeAll = [{ ipProtocol: 'all', portRange: '-1/-1', ipv6SourceCidrIp: '::/0', priority: '100' }];
    await me.ingress(open, takeAll);
    await me.ingress(peerGroup, takeAll);
    await dp.settle();
    await addInternet6(dp.internetNs, INTERNET6);
    const internet = await probers.in(dp.internetNs);
    for (const port of TCP_PORTS) await internet.tcpListen(port, '::');
    for (const port of UDP_PORTS) for (const a of INTERNET6) await internet.udpListen(port, a);

    const T: Endpoint = { kind: 'instance', name: 'T', id: target.id, ip: target.ip6 };
    const peers: Endpoint[] = [
      { kind: 'instance', name: 'P1(peer group)', id: p1.id, ip: p1.ip6 },
      { kind: 'instance', name: 'P2(shares T\'s first group)', id: p2.id, ip: p2.ip6 },
      { kind: 'instance', name: 'P3(open)', id: p3.id, ip: p3.ip6 },
      ...INTERNET6.map((a): Endpoint => ({ kind: 'internet', name: `internet ${a}`, ip: a })),
    ];
    for (const e of [T, ...peers]) {
      if (e.kind !== 'instance') continue;
      const p = await probers.in(e.id!);
      for (const port of TCP_PORTS) await p.tcpListen(port, '::');
      for (const port of UDP_PORTS) await p.udpListen(port, '::');
    }

    const cidrs6 = ['::/0', block56, block64, other64, `${p1.ip6}/128`, `${p2.ip6}/128`, '2001:db8::/32', `${INTERNET6[0]}/128`, '2001:db8:1::/48', 'fc00::/7'];
    const cidrs4 = ['0.0.0.0/0', '172.21.0.0/16', '198.51.100.0/24'];
    const portRanges = ['80/80', '443/443', '1/1024', '3000/9000', '8080/8080', '53/53', '1/65535'];
    const srcRanges = ['20000/29999', '40000/49999', '20000/45000'];
    const localRanges = [`${target.ip6}/128`, block64, other64];
    const lists: string[] = [];
    for (let i = 0; i < 2; i++) {
      const entries = cidrs6.filter(() => chance(0.3)).slice(0, LIST_MAX_ENTRIES);
      lists.push((await me.ecs.createPrefixList(new $.CreatePrefixListRequest({
        regionId: R, prefixListName: `diff6-${i}`, addressFamily: 'IPv6', maxEntries: LIST_MAX_ENTRIES,
        entry: entries.map((cidr) => new $.CreatePrefixListRequestEntry({ cidr })),
      }))).body!.prefixListId!);
    }

    let sportCounter = 0;
    const nextSport = () => (chance(0.5) ? 20000 : 40000) + 2 * (sportCounter++ % 4999);
    let retried = 0;
    const mismatches: string[] = [];
    let cases = 0;
    const tally = new Map<string, number>();

    for (let set = 0; set < ruleSets; set++) {
      const advanced = chance(0.2);
      const groups = [await me.group(vpc6, advanced ? { securityGroupType: 'enterprise' } : {})];
      if (!advanced && chance(0.4)) groups.push(await me.group(vpc6));
      const described: string[] = [];
      for (const g of groups) {
        if (!advanced && chance(0.3)) await me.ecs.modifySecurityGroupPolicy(new $.ModifySecurityGroupPolicyRequest({ regionId: R, securityGroupId: g, innerAccessPolicy: 'Drop' }));
        const ingress: Perm[] = [];
        const egress: Perm[] = [];
        const n = Math.floor(rnd() * 9);
        for (let i = 0; i < n; i++) {
          const direction = chance(0.5) ? 'ingress' : 'egress';
          const protocol = pick(['tcp', 'tcp', 'udp', 'icmpv6', 'all'] as const);
          const ported = protocol === 'tcp' || protocol === 'udp';
          const perm: Perm = {
            ipProtocol: protocol, portRange: ported ? pick(portRanges) : '-1/-1',
            policy: advanced ? 'accept' : pick(['accept', 'accept', 'drop']), priority: advanced ? '1' : String(1 + Math.floor(rnd() * 3)),
          };
          const ingressSide = direction === 'ingress';
          const kind = !advanced && chance(0.25) ? 'group' : chance(0.2) ? 'list' : protocol !== 'icmpv6' && chance(0.1) ? 'cidr4' : 'cidr6';
          if (kind === 'group') perm[ingressSide ? 'sourceGroupId' : 'destGroupId'] = pick(g === groups[0] ? [peerGroup] : [peerGroup, groups[0]!]);
          else if (kind === 'list') perm[ingressSide ? 'sourcePrefixListId' : 'destPrefixListId'] = pick(lists);
          else if (kind === 'cidr4') perm[ingressSide ? 'sourceCidrIp' : 'destCidrIp'] = pick(cidrs4);
          else perm[ingressSide ? 'ipv6SourceCidrIp' : 'ipv6DestCidrIp'] = pick(cidrs6);
          if (ported && chance(0.2)) perm['sourcePortRange'] = pick(srcRanges);
          const localRange = pick(localRanges);
          const peerValue = perm[ingressSide ? 'ipv6SourceCidrIp' : 'ipv6DestCidrIp'];
          if (kind !== 'cidr4' && kind !== 'list' && chance(0.15) && peerValue !== localRange) perm[ingressSide ? 'ipv6DestCidrIp' : 'ipv6SourceCidrIp'] = localRange;
          (ingressSide ? ingress : egress).push(perm);
          described.push(`${g} ${direction} ${JSON.stringify(perm)}`);
        }
        if (ingress.length > 0) await me.ingress(g, ingress);
        if (egress.length > 0) await me.egress(g, egress);
      }
      await me.ecs.modifyInstanceAttribute(new $.ModifyInstanceAttributeRequest({ instanceId: target.id, securityGroupIds: groups }));
      await me.ecs.modifyInstanceAttribute(new $.ModifyInstanceAttributeRequest({ instanceId: p2.id, securityGroupIds: [groups[0]!] }));
      await dp.settle();

      const flows: Flow6[] = [];
      for (let i = 0; i < FLOWS_PER_SET; i++) {
        const protocol = pick(['tcp', 'tcp', 'udp', 'icmpv6'] as const);
        const port = protocol === 'tcp' ? pick(TCP_PORTS) : protocol === 'udp' ? pick(UDP_PORTS) : 0;
        const peer = pick(peers);
        flows.push(chance(0.5) ? { from: peer, to: T, protocol, port, sport: nextSport() } : { from: T, to: peer, protocol, port, sport: nextSport() });
      }
      const results = await Promise.all(flows.map(async (f) => {
        const expected = await expect6(f);
        let kernel = await send6(f, PROBE_MS);
        if (kernel === 'drop' && expected.verdict === 'accept' && f.sport + 1 !== 45001) {
          retried++;
          kernel = await send6({ ...f, sport: f.sport + 1 }, 3000);
        }
        return { flow: f, kernel, expected };
      }));
      for (const r of results) {
        cases++;
        const k = `${r.flow.protocol} ${r.flow.from.kind}->${r.flow.to.kind} ${r.kernel}`;
        tally.set(k, (tally.get(k) ?? 0) + 1);
        if (r.kernel !== r.expected.verdict) {
          const f = r.flow;
          mismatches.push(`set ${set}: ${f.from.name} ${f.from.ip} -> ${f.to.name} ${f.to.ip} ${f.protocol}/${f.port} sport ${f.sport}: kernel ${r.kernel}, CheckNetworkAccess ${r.expected.verdict} (${r.expected.why})\n  groups ${groups.join(',')} (advanced ${advanced})\n  ${described.join('\n  ')}`);
        }
      }
      if (mismatches.length > 3) break;
    }
    t.diagnostic(`${cases} IPv6 cases, ${mismatches.length} mismatches, ${retried} slow first tries; ${[...tally].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    const accepted = [...tally].filter(([k]) => k.endsWith('accept')).reduce((a, [, n]) => a + n, 0);
    assert.ok(accepted > cases * 0.2 && accepted < cases * 0.8, `accepted ${accepted} of ${cases}`);
    assert.deepEqual(mismatches, [], `seed ${seed}`);
    assert.equal(cases, ruleSets * FLOWS_PER_SET);

    async function send6(f: Flow6, timeoutMs: number): Promise<'accept' | 'drop'> {
      const ns = f.from.kind === 'internet' ? dp.internetNs : f.from.id!;
      const local = f.from.kind === 'internet' ? { localAddress: f.from.ip, localPort: f.sport } : { localPort: f.sport };
      if (f.protocol === 'icmpv6') {
        const args = ['ping', '-6', '-n', '-q', '-c', '1', '-W', String(Math.ceil(timeoutMs / 1000)), ...(f.from.kind === 'internet' ? ['-I', f.from.ip] : []), f.to.ip];
        return (await nsExec(ns, args, 5000)).code === 0 ? 'accept' : 'drop';
      }
      const p = await probers.in(ns);
      if (f.protocol === 'tcp') return (await p.tcpConnect(f.to.ip, f.port, timeoutMs, local)) === 'open' ? 'accept' : 'drop';
      return (await p.udpProbe(f.to.ip, f.port, timeoutMs, local)) ? 'accept' : 'drop';
    }

    async function expect6(f: Flow6): Promise<{ verdict: 'accept' | 'drop'; why: string }> {
      const ask = async (at: Endpoint, direction: 'ingress' | 'egress', peer: Endpoint, localPort: number) => {
        const q: Record<string, string> = { RegionId: R, InstanceId: at.id!, Direction: direction, IpProtocol: f.protocol, PeerIpAddress: peer.ip };
        if (f.protocol !== 'icmpv6') { q['Port'] = String(f.port); q['PeerPort'] = String(localPort); }
        const r = await callRpc(dp.server.endpoint, 'CheckNetworkAccess', '2026-11-01', q) as { Verdict: string; Reason: string };
        return { verdict: r.Verdict === 'Accept' || r.Verdict === 'accept' ? 'accept' as const : 'drop' as const, why: `${at.name} ${direction} ${r.Verdict}/${r.Reason}` };
      };
      const parts = [];
      if (f.from.kind === 'instance') parts.push(await ask(f.from, 'egress', f.to, f.sport));
      if (f.to.kind === 'instance') parts.push(await ask(f.to, 'ingress', f.from, f.sport));
      return { verdict: parts.every((p) => p.verdict === 'accept') ? 'accept' : 'drop', why: parts.map((p) => p.why).join('; ') };
    }
  }

  async function differential(t: { diagnostic(m: string): void }, kind: 'vpc' | 'classic', ruleSets: number, seed: number, withLists = false): Promise<void> {
    const classic = kind === 'classic';
    const net = classic ? undefined : vpcId;
    const vsw = classic ? undefined : vSwitchId;
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const chance = (p: number) => rnd() < p;

    // the cast: a fixed peer group (authorized by group rules), an open group, and four instances
    const peerGroup = await me.group(net);
    const open = await me.group(net);
    const first = await me.group(net);
    const inst = (groups: string[]) => me.instance({ ...(vsw !== undefined ? { vSwitchId: vsw } : {}), groups, publicIp: true });
    const target = await inst([first]);
    const p1 = await inst([peerGroup]);
    const p2 = await inst([first]);
    const p3 = await inst([open]);
    made.push(target.id, p1.id, p2.id, p3.id);
    // P1 and P3 take in everything (a classic intranet CIDR rule names one address: the target's)
    const takeAll = classic
      ? [{ ipProtocol: 'all', portRange: '-1/-1', sourceCidrIp: '0.0.0.0/0', priority: '100', nicType: 'internet' }, { ipProtocol: 'all', portRange: '-1/-1', sourceCidrIp: `${target.ip}/32`, priority: '100', nicType: 'intranet' }]
      : [{ ipProtocol: 'all', portRange: '-1/-1', sourceCidrIp: '0.0.0.0/0', priority: '100' }];
    await me.ingress(open, takeAll);
    await me.ingress(peerGroup, takeAll);
    await dp.settle();
    const T: Endpoint = { kind: 'instance', name: 'T', id: target.id, ip: target.ip, publicIp: target.publicIp };
    const peers: Endpoint[] = [
      { kind: 'instance', name: 'P1(peer group)', id: p1.id, ip: p1.ip, publicIp: p1.publicIp },
      { kind: 'instance', name: 'P2(shares T\'s first group)', id: p2.id, ip: p2.ip, publicIp: p2.publicIp },
      { kind: 'instance', name: 'P3(open)', id: p3.id, ip: p3.ip, publicIp: p3.publicIp },
      ...INTERNET.map((a): Endpoint => ({ kind: 'internet', name: `internet ${a}`, ip: a })),
    ];
    for (const e of [T, ...peers]) {
      if (e.kind !== 'instance') continue;
      const p = await probers.in(e.id!);
      for (const port of TCP_PORTS) await p.tcpListen(port);
      for (const port of UDP_PORTS) await p.udpListen(port);
    }

    const cidrs = ['0.0.0.0/0', '172.20.0.0/16', '172.20.5.0/24', `${p1.ip}/32`, `${p2.ip}/32`, '198.51.100.0/24', `${INTERNET[0]}/32`, '198.18.0.0/15', '10.0.0.0/8'];
    const internetCidrs = ['0.0.0.0/0', '198.51.100.0/24', `${INTERNET[0]}/32`, '198.18.0.0/15'];
    const classicIngress = [`${p1.ip}/32`, `${p2.ip}/32`, `${p3.ip}/32`];
    const classicEgress = ['0.0.0.0/0', '10.112.0.0/16', `${p1.ip}/32`, `${p3.ip}/32`];
    const portRanges = ['80/80', '443/443', '1/1024', '3000/9000', '8080/8080', '53/53', '1/65535'];
    const srcRanges = ['20000/29999', '40000/49999', '20000/45000'];
    const localRanges = [`${target.ip}/32`, '172.20.5.0/24', '172.20.9.0/24'];

    // prefix lists (VPC only): entries drawn from the CIDRs above, changed as the run goes
    const lists: Array<{ id: string; entries: Set<string> }> = [];
    const listState = () => lists.map((l) => `${l.id}=[${[...l.entries].join(' ')}]`).join(' ');
    if (withLists) {
      for (let i = 0; i < 3; i++) {
        const entries = new Set(cidrs.filter(() => chance(0.3)).slice(0, LIST_MAX_ENTRIES));
        const id = (await me.ecs.createPrefixList(new $.CreatePrefixListRequest({
          regionId: R, prefixListName: `diff-${i}`, addressFamily: 'IPv4', maxEntries: LIST_MAX_ENTRIES,
          entry: [...entries].map((cidr) => new $.CreatePrefixListRequestEntry({ cidr })),
        }))).body!.prefixListId!;
        lists.push({ id, entries });
      }
    }
    /** One list loses an entry and/or gains one: the rules that authorize it are not touched. */
    const changeList = async (): Promise<string> => {
      const l = pick(lists);
      const remove = l.entries.size > 0 && chance(0.6) ? [pick([...l.entries])] : [];
      const candidates = cidrs.filter((c) => !l.entries.has(c));
      const add = l.entries.size - remove.length < LIST_MAX_ENTRIES && candidates.length > 0 && (remove.length === 0 || chance(0.6)) ? [pick(candidates)] : [];
      await me.ecs.modifyPrefixList(new $.ModifyPrefixListRequest({
        regionId: R, prefixListId: l.id,
        addEntry: add.map((cidr) => new $.ModifyPrefixListRequestAddEntry({ cidr })), removeEntry: remove.map((cidr) => new $.ModifyPrefixListRequestRemoveEntry({ cidr })),
      }));
      for (const c of remove) l.entries.delete(c);
      for (const c of add) l.entries.add(c);
      return `${l.id} -[${remove.join(' ')}] +[${add.join(' ')}]`;
    };

    let sportCounter = 0;
    // even ports for first tries, the odd one above for a retry: never a tuple conntrack has seen
    const nextSport = () => (chance(0.5) ? 20000 : 40000) + 2 * (sportCounter++ % 4999);
    let retried = 0;
    const mismatches: string[] = [];
    let cases = 0;
    /** cases where a rule on a prefix list decided one side */
    let listDecided = 0;
    const tally = new Map<string, number>();

    for (let set = 0; set < ruleSets; set++) {
      // T's groups: one or two basic ones (random intra-group policy), or one advanced (VPC only)
      const advanced = !classic && chance(0.2);
      const groups = [await me.group(net, advanced ? { securityGroupType: 'enterprise' } : {})];
      if (!advanced && chance(0.4)) groups.push(await me.group(net));
      const described: string[] = [];
      for (const g of groups) {
        if (!advanced && chance(0.3)) await me.ecs.modifySecurityGroupPolicy(new $.ModifySecurityGroupPolicyRequest({ regionId: R, securityGroupId: g, innerAccessPolicy: 'Drop' }));
        const ingress: Perm[] = [];
        const egress: Perm[] = [];
        const n = Math.floor(rnd() * 9);
        for (let i = 0; i < n; i++) {
          const direction = chance(0.5) ? 'ingress' : 'egress';
          const protocol = pick(['tcp', 'tcp', 'udp', 'icmp', 'all'] as const);
          const ported = protocol === 'tcp' || protocol === 'udp';
          const perm: Perm = {
            ipProtocol: protocol, portRange: ported ? pick(portRanges) : '-1/-1',
            policy: advanced ? 'accept' : pick(['accept', 'accept', 'drop']), priority: advanced ? '1' : String(1 + Math.floor(rnd() * 3)),
          };
          // classic: an internet or intranet NIC rule; groups are authorized on the intranet only
          const nicType = classic && chance(0.5) ? 'internet' : 'intranet';
          if (classic) perm['nicType'] = nicType;
          const groupPeer = !advanced && nicType === 'intranet' && chance(0.25);
          const peerKey = direction === 'ingress' ? (groupPeer ? 'sourceGroupId' : 'sourceCidrIp') : (groupPeer ? 'destGroupId' : 'destCidrIp');
          const peerCidrs = !classic ? cidrs : nicType === 'internet' ? internetCidrs : direction === 'ingress' ? classicIngress : classicEgress;
          const listPeer = withLists && !groupPeer && chance(0.6);
          if (listPeer) perm[direction === 'ingress' ? 'sourcePrefixListId' : 'destPrefixListId'] = pick(lists).id;
          else perm[peerKey] = groupPeer ? pick(g === groups[0] ? [peerGroup] : [peerGroup, groups[0]!]) : pick(peerCidrs); // a group can't authorize itself
          if (ported && chance(0.2)) perm['sourcePortRange'] = pick(srcRanges);
          const localRange = pick(localRanges);
          // (the API refuses a local range equal to the peer's)
          if (!classic && chance(0.15) && perm[peerKey] !== localRange) perm[direction === 'ingress' ? 'destCidrIp' : 'sourceCidrIp'] = localRange;
          (direction === 'ingress' ? ingress : egress).push(perm);
          described.push(`${g} ${direction} ${JSON.stringify(perm)}`);
        }
        if (ingress.length > 0) await me.ingress(g, ingress);
        if (egress.length > 0) await me.egress(g, egress);
      }
      await me.ecs.modifyInstanceAttribute(new $.ModifyInstanceAttributeRequest({ instanceId: target.id, securityGroupIds: groups }));
      await me.ecs.modifyInstanceAttribute(new $.ModifyInstanceAttributeRequest({ instanceId: p2.id, securityGroupIds: [groups[0]!] }));
      await dp.settle();

      // with lists: half the flows, a list change, the other half
      const rounds = withLists ? [FLOWS_PER_SET / 2, FLOWS_PER_SET / 2] : [FLOWS_PER_SET];
      for (const [round, count] of rounds.entries()) {
        if (round > 0) {
          described.push(`then ModifyPrefixList ${await changeList()}`);
          await dp.settle();
        }
        const state = withLists ? `\n  lists now: ${listState()}` : '';
        const flows: Flow[] = [];
        for (let i = 0; i < count; i++) {
          const protocol = pick(['tcp', 'tcp', 'udp', 'icmp'] as const);
          const port = protocol === 'tcp' ? pick(TCP_PORTS) : protocol === 'udp' ? pick(UDP_PORTS) : 0;
          const peer = pick(peers);
          flows.push(chance(0.5) ? { from: peer, to: T, protocol, port, sport: nextSport() } : { from: T, to: peer, protocol, port, sport: nextSport() });
        }
        const results = await Promise.all(flows.map(async (f) => {
          const expected = await expect(f);
          let kernel = await send(f, PROBE_MS);
          // a packet that is merely slow on a loaded machine is not a disagreement: a drop the
          // engine calls an accept is sent once more, from the next port, with a long timeout
          if (kernel === 'drop' && expected.verdict === 'accept' && f.sport + 1 !== 45001) {
            retried++;
            kernel = await send({ ...f, sport: f.sport + 1 }, 3000);
          }
          return { flow: f, kernel, expected };
        }));
        for (const r of results) {
          cases++;
          if (r.expected.list) listDecided++;
          const k = `${r.flow.protocol} ${r.flow.from.kind}->${r.flow.to.kind} ${r.kernel}`;
          tally.set(k, (tally.get(k) ?? 0) + 1);
          if (r.kernel !== r.expected.verdict) {
            const f = r.flow;
            mismatches.push(`set ${set}: ${f.from.name} -> ${f.to.name} ${f.protocol}/${f.port} sport ${f.sport}: kernel ${r.kernel}, CheckNetworkAccess ${r.expected.verdict} (${r.expected.why})\n  groups ${groups.join(',')} (advanced ${advanced})\n  ${described.join('\n  ')}${state}`);
          }
        }
      }
      if (mismatches.length > 3) break;
    }
    t.diagnostic(`${cases} cases, ${mismatches.length} mismatches, ${retried} slow first tries; ${[...tally].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}${withLists ? `; ${listDecided} decided by a prefix-list rule; lists at the end: ${listState()}` : ''}`);
    // both verdicts must be well represented, or the comparison says little
    const accepted = [...tally].filter(([k]) => k.endsWith('accept')).reduce((a, [, n]) => a + n, 0);
    assert.ok(accepted > cases * 0.2 && accepted < cases * 0.8, `accepted ${accepted} of ${cases}`);
    assert.deepEqual(mismatches, [], `seed ${seed}`);
    if (withLists) assert.ok(listDecided > cases * 0.1, `a prefix-list rule decided ${listDecided} of ${cases} cases`);
    assert.equal(cases, ruleSets * FLOWS_PER_SET);

    /** What the kernel does with the flow: 'accept' when it got through (and back). */
    async function send(f: Flow, timeoutMs: number): Promise<'accept' | 'drop'> {
      // the address the sender uses: a public one when crossing the internet
      const dest = f.to.kind === 'instance' && f.from.kind === 'internet' ? f.to.publicIp! : f.to.ip;
      const ns = f.from.kind === 'internet' ? dp.internetNs : f.from.id!;
      const local = f.from.kind === 'internet' ? { localAddress: f.from.ip, localPort: f.sport } : { localPort: f.sport };
      if (f.protocol === 'icmp') {
        const args = ['ping', '-n', '-q', '-c', '1', '-W', String(Math.ceil(timeoutMs / 1000)), ...(f.from.kind === 'internet' ? ['-I', f.from.ip] : []), dest];
        return (await nsExec(ns, args, 5000)).code === 0 ? 'accept' : 'drop';
      }
      const p = await probers.in(ns);
      if (f.protocol === 'tcp') return (await p.tcpConnect(dest, f.port, timeoutMs, local)) === 'open' ? 'accept' : 'drop';
      return (await p.udpProbe(dest, f.port, timeoutMs, local)) ? 'accept' : 'drop';
    }

    /** The engine's word: the sender's egress and the receiver's ingress, each by CheckNetworkAccess. */
    async function expect(f: Flow): Promise<{ verdict: 'accept' | 'drop'; why: string; list: boolean }> {
      const ask = async (at: Endpoint, direction: 'ingress' | 'egress', peer: Endpoint, localPort: number) => {
        const q: Record<string, string> = { RegionId: R, InstanceId: at.id!, Direction: direction, IpProtocol: f.protocol, PeerIpAddress: peer.ip };
        if (f.protocol !== 'icmp') { q['Port'] = String(f.port); q['PeerPort'] = String(localPort); }
        if (classic) q['NicType'] = peer.kind === 'internet' ? 'internet' : 'intranet';
        const r = await callRpc(dp.server.endpoint, 'CheckNetworkAccess', '2026-11-01', q) as { Verdict: string; Reason: string; DecidingRule?: { SourcePrefixListId?: string; DestPrefixListId?: string } };
        const list = r.DecidingRule?.SourcePrefixListId || r.DecidingRule?.DestPrefixListId || '';
        return { verdict: r.Verdict === 'Accept' || r.Verdict === 'accept' ? 'accept' as const : 'drop' as const, why: `${at.name} ${direction} ${r.Verdict}/${r.Reason}${list !== '' ? ` by a rule on ${list}` : ''}`, list: list !== '' };
      };
      const parts = [];
      if (f.from.kind === 'instance') parts.push(await ask(f.from, 'egress', f.to, f.sport));
      if (f.to.kind === 'instance') parts.push(await ask(f.to, 'ingress', f.from, f.sport));
      return { verdict: parts.every((p) => p.verdict === 'accept') ? 'accept' : 'drop', why: parts.map((p) => p.why).join('; '), list: parts.some((p) => p.list) };
    }
  }
});
