// bench/policy: the compiled RAM policy engine (src/engine/policy) against Cedar
// (@cedar-policy/cedar-wasm, its Node.js entry) in the same run, on one core: the fixture's
// 20-statement policy set (test/fixtures/ram-bench-policy.json, and its Cedar translation
// ram-bench-policy.cedar) over the fixture's 2,000 requests, looped; decisions per second for each
// and the ratio. A second line for ours drops the per-action candidate memo before every call, so
// the ratio is not carried by the memo alone. The reference evaluator
// (test/engine/policy-reference.ts) is printed for scale.
//
// Fair to Cedar: its policy set is parsed once (preparsePolicySet) and every call goes through
// statefulIsAuthorized with request objects built before timing, as ours are; both engines return
// the decision and the deciding policies. Both must reproduce all 2,000 agreed decisions (and the
// deciding statements) before anything is timed. Last, one wildcard built to make a backtracking
// matcher explode, on 5,000 characters.
// Goals: >= 150× Cedar; that wildcard answers in < 200 ms.
//   npx tsx bench/policy.ts           (BENCH_SECONDS=N per measurement, default 2)
import { readFileSync } from 'node:fs';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { loadPolicy } from '../src/engine/policy/validate.ts';
import { compilePolicies, compileWildcard } from '../src/engine/policy/compile.ts';
import { evaluate } from '../src/engine/policy/evaluate.ts';
import type { DecisionKind, PolicyRequest } from '../src/engine/policy/ast.ts';
import { evaluateReference } from '../test/engine/policy-reference.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 2);
const GOAL = 150;

interface FixtureRequest { action: string; resource: string; sourceIp: string; decision: 'allow' | 'deny'; statements: string[] }

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), 'utf8');
const fixtureRequests = (JSON.parse(fixture('ram-bench-requests.json')) as { requests: FixtureRequest[] }).requests;

// ---------------------------------------------------------------------------------------------
// Ours

const loaded = loadPolicy(fixture('ram-bench-policy.json'), { name: 'bench' });
if (!loaded.ok) throw new Error(`fixture policy refused: ${loaded.errors.map((e) => e.message).join('; ')}`);
const policies = [loaded.value];
const set = compilePolicies(policies);
const requests: PolicyRequest[] = fixtureRequests.map((q) => ({ action: q.action, resources: [q.resource], context: { 'acs:SourceIp': q.sourceIp } }));

// ---------------------------------------------------------------------------------------------
// Cedar: policies keyed by their @id annotation so its diagnostics name the statements as ours do

const parts = cedar.policySetTextToParts(fixture('ram-bench-policy.cedar'));
if (parts.type !== 'success') throw new Error(`cedar: ${JSON.stringify(parts.errors)}`);
const byId: Record<string, string> = {};
for (const text of parts.policies) {
  const json = cedar.policyToJson(text);
  const id = json.type === 'success' ? json.json.annotations?.['id'] : undefined;
  if (id === undefined || id === null) throw new Error(`cedar: a policy without @id: ${text}`);
  byId[id] = text;
}
const preparsed = cedar.preparsePolicySet('ram-bench', { staticPolicies: byId });
if (preparsed.type !== 'success') throw new Error(`cedar: ${JSON.stringify(preparsed.errors)}`);
const cedarCalls: cedar.StatefulAuthorizationCall[] = fixtureRequests.map((q) => ({
  principal: { type: 'User', id: 'bench' },
  action: { type: 'Action', id: q.action },
  resource: { type: 'Resource', id: q.resource },
  context: { action: q.action, resource: q.resource, sourceIp: { __extn: { fn: 'ip', arg: q.sourceIp } } },
  preparsedPolicySetId: 'ram-bench',
  entities: [],
}));

function cedarDecide(call: cedar.StatefulAuthorizationCall): { decision: 'allow' | 'deny'; reason: string[] } {
  const a = cedar.statefulIsAuthorized(call);
  if (a.type !== 'success') throw new Error(`cedar: ${JSON.stringify(a.errors)}`);
  return { decision: a.response.decision, reason: a.response.diagnostics.reason };
}

// ---------------------------------------------------------------------------------------------
// Both must agree with the fixture before timing

const expectedKind = (q: FixtureRequest): DecisionKind => (q.decision === 'allow' ? 'Allow' : q.statements.length > 0 ? 'ExplicitDeny' : 'ImplicitDeny');
const tally: Record<DecisionKind, number> = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
fixtureRequests.forEach((q, i) => {
  const want = JSON.stringify(q.statements);
  const ours = evaluate(set, requests[i]!);
  const deciding = ours.matched.filter((m) => m.effect === (q.decision === 'allow' ? 'Allow' : 'Deny')).map((m) => m.sid);
  if (ours.decision !== expectedKind(q) || JSON.stringify(deciding) !== want) throw new Error(`ours disagrees with the fixture on ${JSON.stringify(q)}: ${JSON.stringify(ours)}`);
  const c = cedarDecide(cedarCalls[i]!);
  if (c.decision !== q.decision || JSON.stringify([...c.reason].sort()) !== want) throw new Error(`cedar disagrees with the fixture on ${JSON.stringify(q)}: ${JSON.stringify(c)}`);
  tally[ours.decision]++;
});

// ---------------------------------------------------------------------------------------------
// Timing

/**
 * Runs `batch` (one pass over the 2,000 requests, returning its allow count) again and again for
 * about SECONDS; returns decisions per second. Each engine's loop is its own function, so no call
 * site inside a timed loop is shared between engines (a shared one turned polymorphic and skewed
 * whichever engine came later).
 */
function rate(batch: () => number): number {
  let batches = 0;
  let allows = 0; // consumed below so the calls can't be optimized away
  const budget = SECONDS * 1000;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    allows += batch();
    batches++;
    elapsed = performance.now() - t0;
  } while (elapsed < budget);
  if (allows < 0) console.log(allows);
  return (batches * n) / (elapsed / 1000);
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const n = requests.length;

function oursBatch(): number {
  let allows = 0;
  for (let i = 0; i < n; i++) if (evaluate(set, requests[i]!).decision === 'Allow') allows++;
  return allows;
}

/**
 * the same with the per-action candidate memo dropped before every call: index lookups every time,
 * plus the memo's clear and re-insert; a lower bound (alone in a process, without Cedar, ~2.8 M/s)
 */
function oursUnmemoizedBatch(): number {
  let allows = 0;
  for (let i = 0; i < n; i++) {
    set.actionCache.clear();
    if (evaluate(set, requests[i]!).decision === 'Allow') allows++;
  }
  return allows;
}

function cedarBatch(): number {
  let allows = 0;
  for (let i = 0; i < n; i++) if (cedarDecide(cedarCalls[i]!).decision === 'allow') allows++;
  return allows;
}

function referenceBatch(): number {
  let allows = 0;
  for (let i = 0; i < n; i++) if (evaluateReference(policies, requests[i]!).decision === 'Allow') allows++;
  return allows;
}

// warm up (JIT, Cedar's thread-local cache), then measure. Cedar first: with Node 20.20's V8,
// timing Cedar after our loops had run aborted the process in the deoptimizer
// (`Deoptimizer::DoComputeBuiltinContinuation`, "unreachable code"); this order does not.
cedarBatch();
const cedarRate = rate(cedarBatch);
for (let k = 0; k < 5; k++) oursBatch();
const ours = rate(oursBatch);
oursUnmemoizedBatch();
const unmemoized = rate(oursUnmemoizedBatch);
referenceBatch();
const reference = rate(referenceBatch);

console.log(`RAM policy engine, fixture: ${set.statements.length} statements, ${n.toLocaleString('en-US')} requests (looped), ~${SECONDS} s per measurement, node ${process.version}, cedar-wasm ${cedar.getCedarVersion()}`);
console.log(`  agreement with the fixture: ${n}/${n} for both engines (Allow ${tally.Allow}, ExplicitDeny ${tally.ExplicitDeny}, ImplicitDeny ${tally.ImplicitDeny})`);
console.log(`  compiled evaluate : ${fmt(ours).padStart(12)} decisions/s  (${(1e9 / ours).toFixed(0)} ns each)`);
console.log(`  compiled, no memo : ${fmt(unmemoized).padStart(12)} decisions/s  (${(1e9 / unmemoized).toFixed(0)} ns each; ${(unmemoized / cedarRate).toFixed(1)}× cedar)`);
console.log(`  cedar-wasm        : ${fmt(cedarRate).padStart(12)} decisions/s  (${(1e9 / cedarRate).toFixed(0)} ns each)`);
console.log(`  reference         : ${fmt(reference).padStart(12)} decisions/s`);
const ratio = ours / cedarRate;
console.log(`  ratio compiled/cedar: ${ratio.toFixed(1)}×; compiled/reference: ${(ours / reference).toFixed(1)}×`);
console.log(`  goal >= ${GOAL}× cedar: ${ratio >= GOAL ? 'met' : 'NOT met'}`);
if (ratio < GOAL) process.exitCode = 1;

// A wildcard that makes a backtracking matcher try each of C(5000, 6) placements of its stars before
// it gives up (test/engine/policy.test.ts checks the answers): the compiled matcher places each
// segment once, leftmost, and scans the rest once for the `ab` that isn't there.
const WILDCARD = '*a*a*a*a*a*a*ab*';
const wildcard = compileWildcard(WILDCARD);
const long = 'a'.repeat(5000);
const WILDCARD_GOAL_MS = 200;
let wildcardMs = Infinity;
for (let k = 0; k < 50; k++) {
  const t0 = performance.now();
  if (wildcard(long)) throw new Error('the pathological wildcard matched');
  wildcardMs = Math.min(wildcardMs, performance.now() - t0);
}
console.log(`  pathological wildcard \`${WILDCARD}\` on 5,000 characters, no match: ${(wildcardMs * 1000).toFixed(1)} µs (best of 50; goal < ${WILDCARD_GOAL_MS} ms: ${wildcardMs < WILDCARD_GOAL_MS ? 'met' : 'NOT met'})`);
if (wildcardMs >= WILDCARD_GOAL_MS) process.exitCode = 1;
