// bench/dataplane: the data plane on this machine (Linux, root), in one run:
//  1. propagation: from an AuthorizeSecurityGroup response to the first packet the kernel lets
//     through (a TCP connect fired every 5 ms from another instance; p50 and p99 over 40 rules);
//  2. nft apply: the agent's transaction building 10, 100 and 500 ENIs with 1,000 rules each
//     (5 groups × 200 realistic rules, bench/lib/rules.ts) into a scratch namespace, the planning
//     and rendering before it, and a rule changed in one group; once with every ENI in the same
//     groups (maps shared) and once with a rule set of its own per ENI (nothing shared);
//  3. TCP connections per second between two instances with no rules (the intra-group allowance)
//     and with 1,000 rules acting on the receiver (decided by its verdict maps), alternating rounds;
//     over IPv4, and over IPv6 (the instances' IPv6 addresses in a dual-stack VPC, 1,000 IPv6 rules:
//     bench/lib/rules.ts's IPv6 mix, decided by the ip6 verdict maps).
// Goals: p99 propagation < 500 ms; 1,000-rule connection rate >= 0.9 of no rules, for IPv4 and IPv6.
//   sudo npx tsx bench/dataplane.ts        (BENCH_SECONDS=N per connection-rate round, default 5;
//                                            BENCH_ONLY=nft: part 2 alone; BENCH_ONLY=network: 1 and 3)
import EcsModule from '@alicloud/ecs20140526';
import { prng } from '../test/helpers/prng.ts';
import { ruleGenerator } from './lib/rules.ts';
import { dataplaneAvailability, run } from '../test/helpers/netns.ts';
import { startDataplaneServer, Tenant, Probers, LINUX, type Perm } from '../test/helpers/dataplane.ts';
import { callRpc } from '../test/helpers/server.ts';
import { renderEni } from '../src/engine/firewall/nft.ts';
import { PlanCache } from '../src/dataplane/plans.ts';
import { baseTables } from '../src/dataplane/topology.ts';
import { NftTableState, shareRender } from '../src/dataplane/nft-state.ts';
import { nftApply } from '../src/dataplane/sh.ts';
import { intToIp, formatCidr6 } from '../src/engine/cidr.ts';
import type { FwRule } from '../src/engine/firewall/index.ts';

const $ = EcsModule;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const R = 'cn-beijing';
const avail = dataplaneAvailability();
if (!avail.ok) { console.error(`bench/dataplane needs root and ip/nft/conntrack/ping: ${avail.reason}`); process.exit(1); }

const quantile = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!; };
const ms = (x: number) => `${x.toFixed(1)} ms`;

// ---------------------------------------------------------------------------------------------
// 2. nft apply time (no server: the agent's own table state and scripts, in a scratch namespace)
async function nftApplyTimes(): Promise<void> {
  const gen = ruleGenerator(prng(7));
  const fleet = gen.eni(5, 200);
  const ns = `pbench-nft-${process.pid}`;
  await run('ip', ['netns', 'add', ns]);
  try {
    for (const mode of ['shared', 'distinct'] as const) {
      for (const count of [10, 100, 500]) {
        await nftApply(ns, 'table inet parapet {}\ndelete table inet parapet\ntable ip parapet_nat {}\ndelete table ip parapet_nat\ntable bridge parapet_guard {}\ndelete table bridge parapet_guard\n' + baseTables());
        const table = new NftTableState();
        const plans = new PlanCache(); // the agent's: ENIs of the same groups share a plan
        const none = new Map<string, number[]>();
        // shared: every ENI in the same 5 groups (a fleet); distinct: every ENI its own 1,000 rules
        const groupsOf = Array.from({ length: count }, () => (mode === 'shared' ? fleet : gen.eni(5, 200)));
        const t0 = performance.now();
        const script: string[] = [];
        const enis = groupsOf.map((groups, i) => {
          const ip = 0x0a010002 + i;
          const tag = `e${i.toString(16).padStart(6, '0')}`;
          table.upsert(tag, intToIp(ip), shareRender(renderEni(tag, plans.get({ ip, groups }, 'vpc', none).plan, {})), script);
          return { tag, ip, groups };
        });
        table.collect(script);
        const planned = performance.now() - t0;
        const text = script.join('\n') + '\n';
        const t1 = performance.now();
        await nftApply(ns, text);
        const applied = performance.now() - t1;
        // a rule changed in one group: every ENI in that group is re-planned and re-pointed
        const change = (groups: typeof fleet) => [...groups.slice(0, 4), { ...groups[4]!, rules: [...groups[4]!.rules.slice(1), { ...groups[4]!.rules[0]!, portFrom: 4444, portTo: 4444 }] }];
        const affected = mode === 'shared' ? enis : enis.slice(0, 1);
        const t2 = performance.now();
        const step: string[] = [];
        const changedGroups = new Map(affected.map((e) => [e.groups, change(e.groups)]));
        for (const e of affected) table.upsert(e.tag, intToIp(e.ip), shareRender(renderEni(e.tag, plans.get({ ip: e.ip, groups: changedGroups.get(e.groups)! }, 'vpc', none).plan, {})), step);
        table.collect(step);
        await nftApply(ns, step.join('\n') + '\n');
        const one = performance.now() - t2;
        console.log(`nft, ${mode === 'shared' ? 'one shared rule set  ' : 'a rule set per ENI   '}: ${String(count).padStart(3)} ENIs × 1,000 rules (${table.objectCount} shared maps, sets and chains, ${(text.length / 1e6).toFixed(1)} MB script): plan+render ${ms(planned)}, nft -f ${ms(applied)}; a rule changed in one group (${affected.length} ENI${affected.length > 1 ? 's' : ''} re-planned): ${ms(one)}`);
      }
    }
  } finally {
    await run('ip', ['netns', 'del', ns]);
  }
}

/** The engine's rule as an API permission (group peers become CIDRs: the groups don't exist here). */
function asPermission(r: FwRule): Perm {
  const ported = r.protocol === 'tcp' || r.protocol === 'udp';
  const cidr = r.peer.kind === 'cidr' ? `${intToIp(r.peer.range.base)}/${32 - Math.log2(r.peer.range.size)}` : '10.99.0.0/16';
  const p: Perm = { ipProtocol: r.protocol, portRange: ported ? `${r.portFrom}/${r.portTo}` : '-1/-1', policy: r.policy, priority: String(Math.min(100, r.priority)) };
  p[r.direction === 'ingress' ? 'sourceCidrIp' : 'destCidrIp'] = cidr;
  if (ported && !(r.srcPortFrom === 1 && r.srcPortTo === 65535)) p['sourcePortRange'] = `${r.srcPortFrom}/${r.srcPortTo}`;
  return p;
}

/** The same for an IPv6 rule (group peers become a /48 of nobody's). */
function asPermission6(r: FwRule): Perm {
  const ported = r.protocol === 'tcp' || r.protocol === 'udp';
  const cidr = r.peer.kind === 'cidr6' ? formatCidr6({ base: r.peer.range.base, size: r.peer.range.size, prefix: 128 - (r.peer.range.size.toString(2).length - 1) }) : '2001:db8:ffff::/48';
  const p: Perm = { ipProtocol: r.protocol, portRange: ported ? `${r.portFrom}/${r.portTo}` : '-1/-1', policy: r.policy, priority: String(Math.min(100, r.priority)) };
  p[r.direction === 'ingress' ? 'ipv6SourceCidrIp' : 'ipv6DestCidrIp'] = cidr;
  if (ported && !(r.srcPortFrom === 1 && r.srcPortTo === 65535)) p['sourcePortRange'] = `${r.srcPortFrom}/${r.srcPortTo}`;
  return p;
}

/**
 * For each port: `authorize` opens it (or, with `closes`, drops it) through the API, then a TCP
 * connect is fired every 5 ms until one gets through (is dropped); the delay is from the API
 * response to the start of the first connect that shows the new rule (an upper bound, within 5 ms).
 */
async function propagation(ports: readonly number[], authorize: (port: number) => Promise<void>, client: Awaited<ReturnType<Probers['in']>>, ip: string, settle: () => Promise<void>, opts: { before?: () => Promise<void>; closes?: boolean } = {}): Promise<number[]> {
  const delays: number[] = [];
  const wanted = opts.closes === true ? 'timeout' : 'open';
  for (const port of ports) {
    if (opts.before !== undefined) await opts.before();
    if (await client.tcpConnect(ip, port, 300) === wanted) throw new Error(`port ${port} is already ${wanted === 'open' ? 'open' : 'closed'} before its rule`);
    await authorize(port);
    const t0 = performance.now();
    const first = await new Promise<number>((resolve, reject) => {
      let done = false;
      const fire = () => {
        if (done) return;
        const started = performance.now() - t0;
        if (started > 5000) { done = true; reject(new Error(`port ${port} still closed 5 s after its rule`)); return; }
        client.tcpConnect(ip, port, 300).then((r) => { if (r === wanted && !done) { done = true; resolve(started); } }, reject);
        setTimeout(fire, 5);
      };
      fire();
    });
    delays.push(first);
    await settle();
  }
  return delays;
}

async function main(): Promise<void> {
  if (process.env['BENCH_ONLY'] !== 'network') await nftApplyTimes();
  if (process.env['BENCH_ONLY'] === 'nft') return;

  const dp = await startDataplaneServer(`pbench${process.pid % 1000}-`, { PARAPET_LIMIT_SECURITY_GROUPS_PER_REGION: '100' });
  const probers = new Probers();
  try {
    const c = dp.clients();
    const me = new Tenant(c.ecs, c.vpc, R);
    // a dual-stack VPC: the connection rates are measured over IPv4 and IPv6
    const V = (action: string, q: Record<string, string>) => callRpc(dp.server.endpoint, action, '2016-04-28', { RegionId: R, ...q });
    const E = (action: string, q: Record<string, string>) => callRpc(dp.server.endpoint, action, '2014-05-26', { RegionId: R, ...q });
    const vpcId = (await V('CreateVpc', { CidrBlock: '10.40.0.0/16', EnableIpv6: 'true' }))['VpcId'] as string;
    const vSwitchId = (await V('CreateVSwitch', { VpcId: vpcId, ZoneId: 'cn-beijing-a', CidrBlock: '10.40.1.0/24', Ipv6CidrBlock: '1' }))['VSwitchId'] as string;
    /** an instance with one IPv6 address beside its IPv4 one */
    const dualInstance = async (group: string): Promise<{ id: string; ip: string; ip6: string }> => {
      const id = ((await E('RunInstances', { ImageId: LINUX, InstanceType: 'ecs.g5.large', VSwitchId: vSwitchId, SecurityGroupId: group, Ipv6AddressCount: '1' }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
      const d = (await me.ecs.describeInstances(new $.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([id]) }))).body!.instances!.instance![0]!;
      const row = ((await V('DescribeIpv6Addresses', { VpcId: vpcId, AssociatedInstanceId: id }))['Ipv6Addresses'] as { Ipv6Address: Array<Record<string, unknown>> }).Ipv6Address[0]!;
      return { id, ip: d.vpcAttributes!.privateIpAddress!.ipAddress![0]!, ip6: row['Ipv6Address'] as string };
    };

    // 1. propagation
    const target = await me.group(vpcId);
    const clientGroup = await me.group(vpcId);
    const srv = await me.instance({ vSwitchId, groups: [target] });
    const cli = await me.instance({ vSwitchId, groups: [clientGroup] });
    await dp.settle();
    const ps = await probers.in(srv.id);
    const pc = await probers.in(cli.id);
    const PORTS = Array.from({ length: 40 }, (_, i) => 10001 + i);
    for (const port of PORTS) await ps.tcpListen(port);
    const delays = await propagation(PORTS, (port) => me.ingress(target, [{ ipProtocol: 'tcp', portRange: `${port}/${port}`, sourceCidrIp: `${cli.ip}/32` }]), pc, srv.ip, dp.settle);
    console.log(`propagation, AuthorizeSecurityGroup response -> first packet through (${delays.length} rules, probes every 5 ms): p50 ${ms(quantile(delays, 0.5))}, p99 ${ms(quantile(delays, 0.99))}, max ${ms(Math.max(...delays))}  (goal p99 < 500 ms)`);

    // 3. connection rate: no rules (a shared empty group) vs 1,000 rules on the receiver
    const empty = await me.group(vpcId);
    const a = await dualInstance(empty);
    const b = await dualInstance(empty);
    const gen = ruleGenerator(prng(11));
    const loaded: string[] = [];
    for (let g = 0; g < 5; g++) {
      const id = await me.group(vpcId);
      loaded.push(id);
      // the random drops rank below priority 1, so the one accept for the client decides its connections
      // (identical rules would be stored once: draw until the group has its count of distinct ones)
      const byKey = new Map<string, Perm>();
      for (let i = 0; byKey.size < (g === 4 ? 199 : 200); i++) {
        const r = gen.randomRule(id, i, []);
        const p = asPermission(r.policy === 'drop' ? { ...r, priority: Math.max(2, r.priority) } : r);
        byKey.set(JSON.stringify({ ...p, policy: undefined, priority: undefined }), p);
      }
      const perms = [...byKey.values()];
      if (g === 4) perms.push({ ipProtocol: 'tcp', portRange: '8080/8080', sourceCidrIp: `${a.ip}/32`, priority: '1' });
      const ingress = perms.filter((p) => 'sourceCidrIp' in p);
      const egress = perms.filter((p) => 'destCidrIp' in p);
      for (let i = 0; i < ingress.length; i += 100) await me.ingress(id, ingress.slice(i, i + 100));
      for (let i = 0; i < egress.length; i += 100) await me.egress(id, egress.slice(i, i + 100));
    }
    // the same over IPv6: 1,000 IPv6 rules of the IPv6 mix, one accept for the client's IPv6 address
    const gen6 = ruleGenerator(prng(12));
    const loaded6: string[] = [];
    const mix6 = gen6.eni6(5, 400);
    for (let g = 0; g < 5; g++) {
      const id = await me.group(vpcId);
      loaded6.push(id);
      const byKey = new Map<string, Perm>();
      for (const r of mix6[g]!.rules) {
        if (byKey.size >= (g === 4 ? 199 : 200)) break;
        const p = asPermission6(r.policy === 'drop' ? { ...r, priority: Math.max(2, r.priority) } : r);
        byKey.set(JSON.stringify({ ...p, policy: undefined, priority: undefined }), p);
      }
      const perms = [...byKey.values()];
      if (g === 4) perms.push({ ipProtocol: 'tcp', portRange: '8080/8080', ipv6SourceCidrIp: `${a.ip6}/128`, priority: '1' });
      const ingress = perms.filter((p) => 'ipv6SourceCidrIp' in p);
      const egress = perms.filter((p) => 'ipv6DestCidrIp' in p);
      for (let i = 0; i < ingress.length; i += 100) await me.ingress(id, ingress.slice(i, i + 100));
      for (let i = 0; i < egress.length; i += 100) await me.egress(id, egress.slice(i, i + 100));
    }
    const countRules = async (ids: readonly string[]) => {
      let n = 0;
      for (const id of ids) n += (await me.ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: id }))).body!.permissions!.permission!.length;
      return n;
    };
    const ruleCount = await countRules(loaded);
    const ruleCount6 = await countRules(loaded6);
    await dp.settle();
    const pa = await probers.in(a.id);
    const pbListen = await probers.in(b.id);
    await pbListen.tcpListen(8080);
    await pbListen.tcpListen(8080, '::');
    await pa.tcpConnectRate(b.ip, 8080, 1000, 4); // warm-up (JIT)
    const setRules = async (groups: readonly string[], ip: string) => {
      await me.ecs.modifyInstanceAttribute(new $.ModifyInstanceAttributeRequest({ instanceId: b.id, securityGroupIds: [...groups] }));
      await dp.settle();
      if (await pa.tcpConnect(ip, 8080, 1000) !== 'open') throw new Error(`the port should be open (${ip})`);
    };
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    for (const family of ['IPv4', 'IPv6'] as const) {
      const ip = family === 'IPv4' ? b.ip : b.ip6;
      const heavy = family === 'IPv4' ? loaded : loaded6;
      const count = family === 'IPv4' ? ruleCount : ruleCount6;
      const rates: Record<'none' | 'loaded', number[]> = { none: [], loaded: [] };
      for (let round = 1; round <= 3; round++) {
        for (const mode of ['none', 'loaded'] as const) {
          await setRules(mode === 'loaded' ? heavy : [empty], ip);
          const r = await pa.tcpConnectRate(ip, 8080, SECONDS * 1000, 4);
          rates[mode].push(r.connections / r.seconds);
          console.log(`${family} round ${round}: ${mode === 'none' ? 'no rules        ' : `${count} rules      `} ${Math.round(r.connections / r.seconds)} connections/s (${r.failures} failed)`);
        }
      }
      console.log(`${family} TCP connections/s between two instances: no rules ${Math.round(mean(rates.none))}, ${count} ${family} rules ${Math.round(mean(rates.loaded))}; ratio ${(mean(rates.loaded) / mean(rates.none)).toFixed(3)} (goal >= 0.9)`);
    }

    // propagation again, to the ENI with 1,000 rules: a drop for the client on a port it reaches
    // (the random rules open nearly everything); each new rule replaces one of the group's 200
    await setRules(loaded, b.ip);
    const pb = await probers.in(b.id);
    const heavyPorts: number[] = [];
    for (let port = 11001; port < 11400 && heavyPorts.length < 20; port++) {
      await pb.tcpListen(port);
      if (await pa.tcpConnect(b.ip, port, 300) === 'open') heavyPorts.push(port);
    }
    if (heavyPorts.length < 20) throw new Error('the random rules open too few ports for this measurement');
    const heavy = await propagation(heavyPorts, (port) => me.ingress(loaded[0]!, [{ ipProtocol: 'tcp', portRange: `${port}/${port}`, sourceCidrIp: `${a.ip}/32`, policy: 'drop', priority: '1' }]), pa, b.ip, dp.settle, {
      closes: true,
      before: async () => {
        const rules = (await me.ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: loaded[0]!, direction: 'ingress' }))).body!.permissions!.permission!;
        const victim = rules.find((r) => r.policy === 'Accept' && !heavyPorts.some((p) => r.portRange === `${p}/${p}`))!;
        await me.ecs.revokeSecurityGroup(new $.RevokeSecurityGroupRequest({ regionId: R, securityGroupId: loaded[0]!, securityGroupRuleId: [victim.securityGroupRuleId!] }));
        await dp.settle();
      },
    });
    console.log(`propagation of a drop to an ENI with 1,000 rules (${heavy.length} rules, each replacing one): p50 ${ms(quantile(heavy, 0.5))}, p99 ${ms(quantile(heavy, 0.99))}, max ${ms(Math.max(...heavy))}`);
  } finally {
    await probers.closeAll();
    await dp.stop();
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
