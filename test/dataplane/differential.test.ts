// The kernel against the decision engine (root, real kernel; CI runs it): random rule sets on the
// groups of a target instance, random flows to and from it (instances of the same VPC, or of the
// classic network with its internet and intranet NIC rules; addresses on the internet; tcp, udp,
// icmp; fixed source ports so source-port ranges count), real packets
// through the agent's nftables, and for each flow the verdict CheckNetworkAccess gives: the flow
// passes exactly when the sender's egress and the receiver's ingress both accept. Seeded: a
// failure prints the seed, the rules and the flow.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import EcsModule from '@alicloud/ecs20140526';
import { rootTestOptions, nsExec } from '../helpers/netns.ts';
import { startDataplaneServer, Tenant, Probers, addInternetAddresses, leftovers, type DataplaneServer, type Perm } from '../helpers/dataplane.ts';
import { callRpc } from '../helpers/server.ts';
import { prng } from '../helpers/prng.ts';

const $ = EcsModule;
const R = 'cn-shanghai';
const PREFIX = `pdd${process.pid % 10000}-`;
const SEED = Number(process.env['PARAPET_DIFF_SEED'] ?? 20261128);
const RULE_SETS = Number(process.env['PARAPET_DIFF_RULE_SETS'] ?? 55);
const CLASSIC_RULE_SETS = Math.ceil(RULE_SETS * 0.4);
const FLOWS_PER_SET = 6;
const TCP_PORTS = [80, 443, 3306, 8080];
const UDP_PORTS = [53, 161];
const INTERNET = ['198.51.100.7', '198.18.0.9'];
const PROBE_MS = 600;

interface Endpoint { kind: 'instance' | 'internet'; name: string; id?: string; ip: string; publicIp?: string }
interface Flow { from: Endpoint; to: Endpoint; protocol: 'tcp' | 'udp' | 'icmp'; port: number; sport: number }

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

  async function differential(t: { diagnostic(m: string): void }, kind: 'vpc' | 'classic', ruleSets: number, seed: number): Promise<void> {
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

    let sportCounter = 0;
    // even ports for first tries, the odd one above for a retry: never a tuple conntrack has seen
    const nextSport = () => (chance(0.5) ? 20000 : 40000) + 2 * (sportCounter++ % 4999);
    let retried = 0;
    const mismatches: string[] = [];
    let cases = 0;
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
          perm[peerKey] = groupPeer ? pick(g === groups[0] ? [peerGroup] : [peerGroup, groups[0]!]) : pick(peerCidrs); // a group can't authorize itself
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

      const flows: Flow[] = [];
      for (let i = 0; i < FLOWS_PER_SET; i++) {
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
        const k = `${r.flow.protocol} ${r.flow.from.kind}->${r.flow.to.kind} ${r.kernel}`;
        tally.set(k, (tally.get(k) ?? 0) + 1);
        if (r.kernel !== r.expected.verdict) {
          const f = r.flow;
          mismatches.push(`set ${set}: ${f.from.name} -> ${f.to.name} ${f.protocol}/${f.port} sport ${f.sport}: kernel ${r.kernel}, CheckNetworkAccess ${r.expected.verdict} (${r.expected.why})\n  groups ${groups.join(',')} (advanced ${advanced})\n  ${described.join('\n  ')}`);
        }
      }
      if (mismatches.length > 3) break;
    }
    t.diagnostic(`${cases} cases, ${mismatches.length} mismatches, ${retried} slow first tries; ${[...tally].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    // both verdicts must be well represented, or the comparison says little
    const accepted = [...tally].filter(([k]) => k.endsWith('accept')).reduce((a, [, n]) => a + n, 0);
    assert.ok(accepted > cases * 0.2 && accepted < cases * 0.8, `accepted ${accepted} of ${cases}`);
    assert.deepEqual(mismatches, [], `seed ${seed}`);
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
    async function expect(f: Flow): Promise<{ verdict: 'accept' | 'drop'; why: string }> {
      const ask = async (at: Endpoint, direction: 'ingress' | 'egress', peer: Endpoint, localPort: number) => {
        const q: Record<string, string> = { RegionId: R, InstanceId: at.id!, Direction: direction, IpProtocol: f.protocol, PeerIpAddress: peer.ip };
        if (f.protocol !== 'icmp') { q['Port'] = String(f.port); q['PeerPort'] = String(localPort); }
        if (classic) q['NicType'] = peer.kind === 'internet' ? 'internet' : 'intranet';
        const r = await callRpc(dp.server.endpoint, 'CheckNetworkAccess', '2026-11-01', q) as { Verdict: string; Reason: string };
        return { verdict: r.Verdict === 'Accept' || r.Verdict === 'accept' ? 'accept' as const : 'drop' as const, why: `${at.name} ${direction} ${r.Verdict}/${r.Reason}` };
      };
      const parts = [];
      if (f.from.kind === 'instance') parts.push(await ask(f.from, 'egress', f.to, f.sport));
      if (f.to.kind === 'instance') parts.push(await ask(f.to, 'ingress', f.from, f.sport));
      return { verdict: parts.every((p) => p.verdict === 'accept') ? 'accept' : 'drop', why: parts.map((p) => p.why).join('; ') };
    }
  }
});
