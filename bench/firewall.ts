// bench/firewall: the compiled decision engine (src/engine/firewall/compile.ts) against the
// reference evaluator (reference.ts) and against a fair baseline, measured in the same run, on one
// core, for IPv4 and for IPv6 rule sets:
//  - decisions per second at 10, 200 and 1,000 rules per ENI (1×10, 1×200, 5×200 rules) with a
//    realistic mix (many tcp port rules, some ranges, CIDRs /32 to /0 (IPv6: /128 to /0), some
//    drops, some group rules, a few source-port and local ranges), over 100,000 pre-generated
//    flows; and the ratios;
//  - the baseline: the rules sorted once in decision order, then a plain first-match scan per flow
//    (what a straightforward firewall does; the reference is slow on purpose: it sorts per flow);
//  - explain() per second (what the API calls), for scale;
//  - the time to recompile the ENI after one rule change (mean µs).
// The evaluators of one rule set are timed in interleaved slices, so their ratios hold on a
// machine whose load changes during the run.
// Goals at 1,000 rules: >= 1,000,000 decisions/s and >= 50× the reference (IPv4), and >= 10× the
// first-match scan (IPv4 and IPv6).
//   npx tsx bench/firewall.ts           (BENCH_SECONDS=N per measurement, default 1)
import { prng } from '../test/helpers/prng.ts';
import { ruleGenerator, NAMED_PORTS, LOCAL_IP, LOCAL_IP6 } from './lib/rules.ts';
import { compareRules } from '../src/engine/firewall/reference.ts';
import { isPrivate, isPrivate6, ip6Words, ip6FromWords } from '../src/engine/cidr.ts';
import {
  compileEni, decide, explain, decideReference, DEFAULT_PLATFORM,
  type CompiledEni, type Decision, type Ip6, type Flow, type FlowProtocol, type FwGroup, type FwRule,
} from '../src/engine/firewall/index.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 1);
const FLOWS = 100_000;

const rnd = prng(20201010);

const gen = ruleGenerator(rnd);
const { pick, int, randomAddress, randomAddress6, eni, eni6 } = gen;

/** Flows aimed at the rules (their ports and addresses) half of the time, random otherwise; IPv6 flows when `v6`. */
function flows(groups: readonly FwGroup[], n: number, v6: boolean): Flow[] {
  const rules = groups.flatMap((g) => g.rules);
  const out: Flow[] = [];
  for (let i = 0; i < n; i++) {
    const r = rules.length > 0 && rnd() < 0.5 ? pick(rules) : undefined;
    const direction = r?.direction ?? (rnd() < 0.6 ? 'ingress' : 'egress');
    const x = rnd();
    const protocol: FlowProtocol = r !== undefined && r.protocol !== 'all' ? r.protocol : x < 0.75 ? 'tcp' : x < 0.9 ? 'udp' : x < 0.98 ? (v6 ? 'icmpv6' : 'icmp') : 'gre';
    const ported = protocol === 'tcp' || protocol === 'udp';
    const rulePort = r !== undefined && ported ? int(r.portFrom, r.portTo) : rnd() < 0.7 ? pick(NAMED_PORTS) : int(1, 65535);
    const ephemeral = int(32768, 60999);
    let remoteIp = randomAddress();
    if (r !== undefined && r.peer.kind === 'cidr') remoteIp = r.peer.range.base + Math.floor(rnd() * r.peer.range.size);
    const y = rnd();
    const peerGroups = y < 0.03 ? [pick(groups).groupId] : y < 0.12 ? [pick(['sg-web', 'sg-db', 'sg-bastion', 'sg-cache'])] : [];
    const localPort = ported ? (direction === 'ingress' ? rulePort : ephemeral) : 0;
    const remotePort = ported ? (direction === 'ingress' ? ephemeral : rulePort) : 0;
    if (v6) {
      let remote = randomAddress6();
      if (r !== undefined && r.peer.kind === 'cidr6') remote = r.peer.range.base + (BigInt(Math.floor(rnd() * 2 ** 32)) % r.peer.range.size);
      // one literal, as a caller builds a flow (an IPv6 flow's IPv4 fields are 0)
      out.push({ direction, protocol, localIp: 0, localPort, remoteIp: 0, remotePort, nicType: 'intranet', peerGroups, ip6: { local: ip6Words(LOCAL_IP6), remote: ip6Words(remote) } });
    } else {
      out.push({ direction, protocol, localIp: LOCAL_IP, localPort, remoteIp, remotePort, nicType: 'intranet', peerGroups });
    }
  }
  return out;
}

/** How many slices each evaluator's time is cut into, interleaved with the others' (see rates). */
const SLICES = 5;

/** Runs `fn` over the flows, round after round, for about `ms`; returns the calls and the time taken. */
function run(fs: readonly Flow[], fn: (f: Flow) => Decision, ms: number): { calls: number; ms: number } {
  let calls = 0;
  let accepts = 0; // consumed below so the calls can't be optimized away
  const budget = ms;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < fs.length; i++) {
      if (fn(fs[i]!).verdict === 'accept') accepts++;
      // check the clock every 1,000 calls so slow evaluators stop on time too
      if (++calls % 1000 === 0 && (elapsed = performance.now() - t0) > budget) break;
    }
    elapsed = performance.now() - t0;
  } while (elapsed < budget);
  if (accepts < 0) console.log(accepts);
  return { calls, ms: elapsed };
}

/**
 * Calls per second of each evaluator, about SECONDS each, measured in SLICES interleaved slices
 * (a, b, c, a, b, c, ...) so that a change in the machine's load during the run weighs on all of
 * them alike and their ratios stay fair.
 */
function rates<K extends string>(fs: readonly Flow[], fns: Record<K, (f: Flow) => Decision>): Record<K, number> {
  const keys = Object.keys(fns) as K[];
  const total = Object.fromEntries(keys.map((k) => [k, { calls: 0, ms: 0 }])) as Record<K, { calls: number; ms: number }>;
  for (let s = 0; s < SLICES; s++) {
    for (const k of keys) {
      const r = run(fs, fns[k], (SECONDS * 1000) / SLICES);
      total[k].calls += r.calls;
      total[k].ms += r.ms;
    }
  }
  return Object.fromEntries(keys.map((k) => [k, total[k].calls / (total[k].ms / 1000)])) as Record<K, number>;
}

/** An IPv6 range as [lo, hi) in the flows' words (2^128 is [2^32, 0, 0, 0]). */
type Words6Range = [Ip6, Ip6];

function words6Range(base: bigint, size: bigint): Words6Range {
  const end = base + size;
  return [ip6Words(base), end >> 128n !== 0n ? [2 ** 32, 0, 0, 0] : ip6Words(end)];
}

/** a <= b, word by word */
function wordsLe(a: Ip6, b: Ip6): boolean {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return true;
}

function inWords6(r: Words6Range, x: Ip6): boolean {
  return wordsLe(r[0], x) && !wordsLe(r[1], x);
}

/**
 * The fair baseline: SPEC §1.3 as a straightforward firewall does it, the ENI's rules sorted once
 * in decision order and scanned per flow until the first match (the explanation's list is not
 * built), every attribute checked as reference.ts's ruleMatches checks it, inlined, with the IPv6
 * ranges precomputed in the flows' words (the oracle converts words to bigints per check; a fair
 * scan would not). The intra-group check comes first, as in the compiled engine: a shared group
 * decides whatever the rules say.
 */
function firstMatchScanner(groups: readonly FwGroup[]): (f: Flow) => Decision {
  const sorted = groups.flatMap((g) => g.rules).sort(compareRules).map((rule) => ({
    rule,
    peer6: rule.peer.kind === 'cidr6' ? words6Range(rule.peer.range.base, rule.peer.range.size) : undefined,
    local6: rule.local6 !== undefined ? words6Range(rule.local6.base, rule.local6.size) : undefined,
  }));
  const intra = groups.filter((g) => g.type === 'normal' && g.innerAccessPolicy === 'Accept').map((g) => g.groupId);
  const allBasic = groups.every((g) => g.type === 'normal');
  const platform = DEFAULT_PLATFORM;
  const matches = (s: typeof sorted[number], f: Flow): boolean => {
    const r = s.rule;
    if (r.direction !== f.direction || r.nicType !== f.nicType) return false;
    if (r.protocol !== 'all' && r.protocol !== f.protocol) return false;
    if ((r.protocol === 'tcp' || r.protocol === 'udp') && (f.protocol === 'tcp' || f.protocol === 'udp')) {
      const port = f.direction === 'ingress' ? f.localPort : f.remotePort;
      const other = f.direction === 'ingress' ? f.remotePort : f.localPort;
      if (port < r.portFrom || port > r.portTo) return false;
      if (!(r.srcPortFrom === 1 && r.srcPortTo === 65535) && (other < r.srcPortFrom || other > r.srcPortTo)) return false;
    }
    const v6 = f.ip6;
    if (r.peer.kind === 'cidr') {
      if (v6 !== undefined || f.remoteIp < r.peer.range.base || f.remoteIp >= r.peer.range.base + r.peer.range.size) return false;
    } else if (s.peer6 !== undefined) {
      if (v6 === undefined || !inWords6(s.peer6, v6.remote)) return false;
    } else if (r.peer.kind === 'group' && !f.peerGroups.includes(r.peer.groupId)) return false;
    if (r.local !== undefined && (v6 !== undefined || f.localIp < r.local.base || f.localIp >= r.local.base + r.local.size)) return false;
    if (s.local6 !== undefined && (v6 === undefined || !inWords6(s.local6, v6.local))) return false;
    return true;
  };
  return (f) => {
    const publicPeer = f.ip6 === undefined ? !isPrivate(f.remoteIp) : !isPrivate6(ip6FromWords(f.ip6.remote));
    if (platform.port25Blocked && f.direction === 'egress' && f.protocol === 'tcp' && f.remotePort === 25 && publicPeer) return { verdict: 'drop', reason: 'Platform', matchedRules: [] };
    if (intra.some((g) => f.peerGroups.includes(g))) return { verdict: 'accept', reason: 'IntraGroup', matchedRules: [] };
    for (const s of sorted) if (matches(s, f)) return { verdict: s.rule.policy, reason: 'Rule', decidingRule: s.rule, matchedRules: [] };
    return { verdict: f.direction === 'egress' && allBasic ? 'accept' : 'drop', reason: 'Default', matchedRules: [] };
  };
}

function indexSize(c: CompiledEni): string {
  let leaves = 0;
  let entries = 0;
  let side = 0;
  let group = 0;
  let flat = 0;
  for (const b of c.buckets) {
    if (b === undefined) continue;
    flat += b.flatAddr.length;
    leaves += b.portStarts.length;
    entries += b.nodeStart[b.nodeStart.length - 1]!;
    side += b.side.length;
    group += b.group.length;
  }
  return `${leaves} port leaves, ${entries} address entries (${flat} in the leaves' own tables), ${side} side + ${group} group-rule slots`;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

const sizes = [
  { label: '10 rules (1×10)', groups: 1, perGroup: 10 },
  { label: '200 rules (1×200)', groups: 1, perGroup: 200 },
  { label: '1,000 rules (5×200)', groups: 5, perGroup: 200 },
];

console.log(`firewall engine, ${FLOWS.toLocaleString('en-US')} pre-generated flows, ~${SECONDS} s per measurement, node ${process.version}`);
let goalsMet = true;
for (const family of ['IPv4', 'IPv6'] as const) for (const s of sizes) {
  const v6 = family === 'IPv6';
  const groups = v6 ? eni6(s.groups, s.perGroup) : eni(s.groups, s.perGroup);
  const fs = flows(groups, FLOWS, v6);
  const compiled = compileEni(groups);
  const scan = firstMatchScanner(groups);

  // the engine must agree with the oracle on what it is measured on
  const reasons: Record<string, number> = { Platform: 0, IntraGroup: 0, Rule: 0, Default: 0 };
  for (let i = 0; i < 2000; i++) {
    const f = fs[i]!;
    const ref = decideReference(groups, f);
    const d = decide(compiled, f);
    const b = scan(f);
    if (d.verdict !== ref.verdict || d.reason !== ref.reason || d.decidingRule !== ref.decidingRule) throw new Error(`disagreement on flow ${i}`);
    if (b.verdict !== ref.verdict || b.reason !== ref.reason || b.decidingRule !== ref.decidingRule) throw new Error(`the baseline disagrees on flow ${i}`);
    reasons[ref.reason]!++;
  }

  const { fast, ex, ref, base } = rates(fs, { fast: (f) => decide(compiled, f), ex: (f) => explain(compiled, f), ref: (f) => decideReference(groups, f), base: scan });

  // recompile after one rule change: a different port on one rule each time
  const rounds = 300;
  let total = 0;
  for (let i = 0; i < rounds; i++) {
    const g = groups[i % groups.length]!;
    const k = i % g.rules.length;
    const old = g.rules[k]!;
    const port = 1000 + (i % 5000);
    const changed: FwRule = { ...old, protocol: 'tcp', portFrom: port, portTo: port };
    const next = groups.map((x) => (x === g ? { ...x, rules: x.rules.map((r, j) => (j === k ? changed : r)) } : x));
    const t0 = performance.now();
    compileEni(next);
    total += performance.now() - t0;
  }
  const recompileUs = (total / rounds) * 1000;

  console.log(`\n${family}, ${s.label}: ${indexSize(compiled)}`);
  console.log(`  sample reasons (2,000 flows): ${Object.entries(reasons).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  compiled decide : ${fmt(fast).padStart(12)} decisions/s`);
  console.log(`  compiled explain: ${fmt(ex).padStart(12)} decisions/s`);
  console.log(`  reference       : ${fmt(ref).padStart(12)} decisions/s`);
  console.log(`  first-match scan: ${fmt(base).padStart(12)} decisions/s`);
  console.log(`  ratio decide/reference: ${(fast / ref).toFixed(1)}×; decide/first-match scan: ${(fast / base).toFixed(1)}×`);
  console.log(`  recompile after one rule change: ${recompileUs.toFixed(1)} µs (mean of ${rounds})`);
  if (s.groups * s.perGroup === 1000) {
    const ok3 = fast / base >= 10;
    if (v6) {
      goalsMet &&= ok3;
      console.log(`  goal >= 10× first-match scan: ${ok3 ? 'met' : 'NOT met'}`);
    } else {
      const ok1 = fast >= 1_000_000;
      const ok2 = fast / ref >= 50;
      goalsMet &&= ok1 && ok2 && ok3;
      console.log(`  goal >= 1,000,000/s: ${ok1 ? 'met' : 'NOT met'}; goal >= 50× reference: ${ok2 ? 'met' : 'NOT met'}; goal >= 10× first-match scan: ${ok3 ? 'met' : 'NOT met'}`);
    }
  }
}
if (!goalsMet) process.exitCode = 1;
