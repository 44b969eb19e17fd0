// bench/firewall: the compiled decision engine (src/engine/firewall/compile.ts) against the
// reference evaluator (reference.ts) measured in the same run, on one core:
//  - decisions per second at 10, 200 and 1,000 rules per ENI (1×10, 1×200, 5×200 rules) with a
//    realistic mix (many tcp port rules, some ranges, CIDRs /32 to /0, some drops, some group
//    rules, a few source-port and local ranges), over 100,000 pre-generated flows; and the ratio;
//  - explain() per second (what the API calls), for scale;
//  - the time to recompile the ENI after one rule change (mean µs).
// Goals: >= 1,000,000 decisions/s at 1,000 rules and >= 50× the reference there.
//   npx tsx bench/firewall.ts           (BENCH_SECONDS=N per measurement, default 1)
import { prng } from '../test/helpers/prng.ts';
import { ruleGenerator, NAMED_PORTS, LOCAL_IP } from './lib/rules.ts';
import {
  compileEni, decide, explain, decideReference,
  type CompiledEni, type Decision, type Flow, type FlowProtocol, type FwGroup, type FwRule,
} from '../src/engine/firewall/index.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 1);
const FLOWS = 100_000;

const rnd = prng(20201010);

const gen = ruleGenerator(rnd);
const { pick, int, randomAddress, eni } = gen;

/** Flows aimed at the rules (their ports and addresses) half of the time, random otherwise. */
function flows(groups: readonly FwGroup[], n: number): Flow[] {
  const rules = groups.flatMap((g) => g.rules);
  const out: Flow[] = [];
  for (let i = 0; i < n; i++) {
    const r = rules.length > 0 && rnd() < 0.5 ? pick(rules) : undefined;
    const direction = r?.direction ?? (rnd() < 0.6 ? 'ingress' : 'egress');
    const x = rnd();
    const protocol: FlowProtocol = r !== undefined && r.protocol !== 'all' ? r.protocol : x < 0.75 ? 'tcp' : x < 0.9 ? 'udp' : x < 0.98 ? 'icmp' : 'gre';
    const ported = protocol === 'tcp' || protocol === 'udp';
    const rulePort = r !== undefined && ported ? int(r.portFrom, r.portTo) : rnd() < 0.7 ? pick(NAMED_PORTS) : int(1, 65535);
    const ephemeral = int(32768, 60999);
    let remoteIp = randomAddress();
    if (r !== undefined && r.peer.kind === 'cidr') remoteIp = r.peer.range.base + Math.floor(rnd() * r.peer.range.size);
    const y = rnd();
    const peerGroups = y < 0.03 ? [pick(groups).groupId] : y < 0.12 ? [pick(['sg-web', 'sg-db', 'sg-bastion', 'sg-cache'])] : [];
    out.push({
      direction, protocol, localIp: LOCAL_IP,
      localPort: ported ? (direction === 'ingress' ? rulePort : ephemeral) : 0,
      remoteIp, remotePort: ported ? (direction === 'ingress' ? ephemeral : rulePort) : 0,
      nicType: 'intranet', peerGroups,
    });
  }
  return out;
}

/** Runs `fn` over the flows, round after round, for about SECONDS; returns calls per second. */
function rate(fs: readonly Flow[], fn: (f: Flow) => Decision): number {
  let calls = 0;
  let accepts = 0; // consumed below so the calls can't be optimized away
  const budget = SECONDS * 1000;
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
  return calls / (elapsed / 1000);
}

function indexSize(c: CompiledEni): string {
  let leaves = 0;
  let entries = 0;
  let side = 0;
  let group = 0;
  for (const b of c.buckets) {
    if (b === undefined) continue;
    leaves += b.portStarts.length;
    entries += b.nodeStart[b.nodeStart.length - 1]!;
    side += b.side.length;
    group += b.group.length;
  }
  return `${leaves} port leaves, ${entries} address entries, ${side} side + ${group} group-rule slots`;
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
for (const s of sizes) {
  const groups = eni(s.groups, s.perGroup);
  const fs = flows(groups, FLOWS);
  const compiled = compileEni(groups);

  // the engine must agree with the oracle on what it is measured on
  const reasons: Record<string, number> = { Platform: 0, IntraGroup: 0, Rule: 0, Default: 0 };
  for (let i = 0; i < 2000; i++) {
    const f = fs[i]!;
    const ref = decideReference(groups, f);
    const d = decide(compiled, f);
    if (d.verdict !== ref.verdict || d.reason !== ref.reason || d.decidingRule !== ref.decidingRule) throw new Error(`disagreement on ${JSON.stringify(f)}`);
    reasons[ref.reason]!++;
  }

  const fast = rate(fs, (f) => decide(compiled, f));
  const ex = rate(fs, (f) => explain(compiled, f));
  const ref = rate(fs, (f) => decideReference(groups, f));

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

  console.log(`\n${s.label}: ${indexSize(compiled)}`);
  console.log(`  sample reasons (2,000 flows): ${Object.entries(reasons).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  compiled decide : ${fmt(fast).padStart(12)} decisions/s`);
  console.log(`  compiled explain: ${fmt(ex).padStart(12)} decisions/s`);
  console.log(`  reference       : ${fmt(ref).padStart(12)} decisions/s`);
  console.log(`  ratio decide/reference: ${(fast / ref).toFixed(1)}×`);
  console.log(`  recompile after one rule change: ${recompileUs.toFixed(1)} µs (mean of ${rounds})`);
  if (s.groups * s.perGroup === 1000) {
    const ok1 = fast >= 1_000_000;
    const ok2 = fast / ref >= 50;
    goalsMet = ok1 && ok2;
    console.log(`  goal >= 1,000,000/s: ${ok1 ? 'met' : 'NOT met'}; goal >= 50× reference: ${ok2 ? 'met' : 'NOT met'}`);
  }
}
if (!goalsMet) process.exitCode = 1;
