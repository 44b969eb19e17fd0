// Stage 3 of the RAM policy engine: validated policies (validate.ts) → one `CompiledPolicySet`
// shaped for evaluate.ts. Several policies (a user's own, its groups', a role's) compile into one
// set; statements are numbered in policy order, then document order, and every list the
// evaluator walks keeps that order, so decisions list matches the same way every time.
//
// What compiling buys:
//  - actions are indexed, lower-cased (RAM action matching is case-insensitive): exact actions in a
//    hash map; wildcard patterns whose service part is literal (`ecs:Describe*`) in a per-service
//    list; the rest (`*`, `e?s:*`) in one list. The candidate statements of an action are computed
//    once and memoized per action string (the ACTION_CACHE_MAX used last, so a stream of made-up
//    action names costs time, never memory);
//  - resource patterns (case-sensitive) and StringLike values become specialized matchers: exact,
//    prefix, suffix, or a general `*`/`?` matcher that places the segments between stars leftmost
//    (O(length × pattern), no regular expressions, no backtracking blow-up);
//  - conditions become closures over pre-parsed values (CIDRs as integer bounds, dates as epoch
//    ms, numbers, sets of strings), returning true, false, or an error message (see evaluate.ts
//    for what an error does).
//
// INVARIANT: compiled matching is exactly test/engine/policy-reference.ts's reading of the
// validated policy (the property tests there hold the two together); change the reference first.
import type {
  Comparison, CompiledPolicySet, CompiledStatement, Condition, ConditionOutcome, Match, Policy, Principal, RequestContext,
  RequestPrincipal, Statement, WildAction,
} from './ast.ts';
import { LRUCache } from 'lru-cache';
import { parseBool, parseDecimal, parseIpv4, parseIsoDate } from './values.ts';

export const ACTION_CACHE_MAX = 10_000;

// ---------------------------------------------------------------------------------------------
// Wildcard patterns: `*` any run of characters (possibly empty), `?` exactly one.

/** Whether `seg` (may contain `?`) matches `s` at `at`. */
function segmentAt(s: string, seg: string, at: number): boolean {
  for (let k = 0; k < seg.length; k++) {
    const p = seg.charCodeAt(k);
    if (p !== 63 /* ? */ && p !== s.charCodeAt(at + k)) return false;
  }
  return true;
}

/** Leftmost position ≥ from where `seg` matches and ends by `limit`, or -1. */
function findSegment(s: string, seg: string, hasQ: boolean, from: number, limit: number): number {
  if (!hasQ) {
    const i = s.indexOf(seg, from);
    return i >= 0 && i + seg.length <= limit ? i : -1;
  }
  for (let i = from; i + seg.length <= limit; i++) if (segmentAt(s, seg, i)) return i;
  return -1;
}

/** A matcher for one wildcard pattern (compared as is: callers lower-case both sides when needed). */
export function compileWildcard(pattern: string): (s: string) => boolean {
  if (pattern === '*') return () => true;
  const parts = pattern.split('*');
  const hasQ = pattern.includes('?');
  if (parts.length === 1) {
    if (!hasQ) return (s) => s === pattern;
    return (s) => s.length === pattern.length && segmentAt(s, pattern, 0);
  }
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  const minLength = parts.reduce((n, p) => n + p.length, 0);
  if (!hasQ && middle.length === 0) {
    if (last === '') return (s) => s.startsWith(first);
    if (first === '') return (s) => s.endsWith(last);
    return (s) => s.length >= minLength && s.startsWith(first) && s.endsWith(last);
  }
  const midQ = middle.map((m) => m.includes('?'));
  return (s) => {
    if (s.length < minLength) return false;
    if (!segmentAt(s, first, 0)) return false;
    const end = s.length - last.length;
    if (!segmentAt(s, last, end)) return false;
    let pos = first.length;
    for (let k = 0; k < middle.length; k++) {
      const m = middle[k]!;
      const at = findSegment(s, m, midQ[k]!, pos, end);
      if (at < 0) return false;
      pos = at + m.length;
    }
    return true;
  };
}

function anyOf(tests: ((s: string) => boolean)[]): (s: string) => boolean {
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) {
    const [a, b] = tests as [(s: string) => boolean, (s: string) => boolean];
    return (s) => a(s) || b(s);
  }
  return (s) => {
    for (let i = 0; i < tests.length; i++) if (tests[i]!(s)) return true;
    return false;
  };
}

function compileResources(patterns: readonly string[] | null): ((r: string) => boolean) | null {
  if (patterns === null || patterns.includes('*')) return null;
  const exact = patterns.filter((p) => !p.includes('*') && !p.includes('?'));
  const wild = patterns.filter((p) => p.includes('*') || p.includes('?')).map(compileWildcard);
  const tests = [...wild];
  if (exact.length === 1) {
    const e = exact[0]!;
    tests.unshift((r) => r === e);
  } else if (exact.length > 1) {
    const set = new Set(exact);
    tests.unshift((r) => set.has(r));
  }
  return anyOf(tests);
}

// ---------------------------------------------------------------------------------------------
// Context values, coerced per operator family. A coercion failure is an evaluation error.

function describeValue(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'a list' : String(v);
}

type ElementTest = (element: unknown) => ConditionOutcome;

function compareWith(cmp: Comparison, values: readonly number[]): (x: number) => boolean {
  switch (cmp) {
    case 'eq': {
      const vs = Float64Array.from(values);
      return (x) => {
        for (let i = 0; i < vs.length; i++) if (x === vs[i]) return true;
        return false;
      };
    }
    // several values are OR-ed: below any of them is below the largest, and so on
    case 'lt': {
      const m = Math.max(...values);
      return (x) => x < m;
    }
    case 'le': {
      const m = Math.max(...values);
      return (x) => x <= m;
    }
    case 'gt': {
      const m = Math.min(...values);
      return (x) => x > m;
    }
    case 'ge': {
      const m = Math.min(...values);
      return (x) => x >= m;
    }
  }
}

function elementTest(c: Condition): ElementTest {
  const key = c.key;
  switch (c.family) {
    case 'String': {
      let test: (s: string) => boolean;
      if (c.match === 'like') test = anyOf(c.values.map(compileWildcard));
      else if (c.match === 'equalsIgnoreCase') {
        const set = new Set(c.values.map((v) => v.toLowerCase()));
        test = (s) => set.has(s.toLowerCase());
      } else if (c.values.length === 1) {
        const v = c.values[0]!;
        test = (s) => s === v;
      } else {
        const set = new Set(c.values);
        test = (s) => set.has(s);
      }
      return (e) => {
        if (typeof e === 'string') return test(e);
        if (typeof e === 'number' || typeof e === 'boolean') return test(String(e));
        return `the context value of \`${key}\` is ${describeValue(e)}, not a string`;
      };
    }
    case 'Numeric': {
      const test = compareWith(c.comparison, c.values);
      return (e) => {
        const x = parseDecimal(e);
        if (x === null) return `the context value of \`${key}\` is ${describeValue(e)}, not a number`;
        return test(x);
      };
    }
    case 'Date': {
      const test = compareWith(c.comparison, c.values);
      return (e) => {
        const t = typeof e === 'number' ? (Number.isFinite(e) ? e : null) : typeof e === 'string' ? parseIsoDate(e) : null;
        if (t === null) return `the context value of \`${key}\` is ${describeValue(e)}, not an ISO-8601 date`;
        return test(t);
      };
    }
    case 'Bool': {
      const hasTrue = c.values.includes(true);
      const hasFalse = c.values.includes(false);
      return (e) => {
        const b = parseBool(e);
        if (b === null) return `the context value of \`${key}\` is ${describeValue(e)}, not a boolean`;
        return b ? hasTrue : hasFalse;
      };
    }
    case 'Ip': {
      const lo = Float64Array.from(c.values.map((r) => r.base));
      const hi = Float64Array.from(c.values.map((r) => r.base + r.size));
      return (e) => {
        const ip = typeof e === 'string' ? parseIpv4(e) : -1;
        if (ip < 0) return `the context value of \`${key}\` is ${describeValue(e)}, not an IPv4 address`;
        for (let i = 0; i < lo.length; i++) if (ip >= lo[i]! && ip < hi[i]!) return true;
        return false;
      };
    }
  }
}

/**
 * One condition: the key's value(s) against the values. Absent key (or an empty list): false,
 * true for the Not* operators. A list of context values: the positive operator holds when any of
 * them satisfies it; every element must coerce, or the condition errs.
 */
function compileCondition(c: Condition): (ctx: RequestContext) => ConditionOutcome {
  const key = c.key;
  const neg = c.negated;
  const test = elementTest(c);
  return (ctx) => {
    const raw = ctx[key];
    if (raw === undefined) return neg;
    if (Array.isArray(raw)) {
      if (raw.length === 0) return neg;
      let any = false;
      for (let i = 0; i < raw.length; i++) {
        const r = test(raw[i]);
        if (typeof r === 'string') return r;
        if (r) any = true;
      }
      return neg ? !any : any;
    }
    const r = test(raw);
    if (typeof r === 'string') return r;
    return neg ? !r : r;
  };
}

/** All conditions AND-ed: any false → false; else any error → the first error; else true. */
function compileConditions(conditions: readonly Condition[]): ((ctx: RequestContext) => ConditionOutcome) | null {
  if (conditions.length === 0) return null;
  const fs = conditions.map(compileCondition);
  if (fs.length === 1) return fs[0]!;
  return (ctx) => {
    let error: string | null = null;
    for (let i = 0; i < fs.length; i++) {
      const r = fs[i]!(ctx);
      if (r === false) return false;
      if (r !== true && error === null) error = r;
    }
    return error ?? true;
  };
}

// ---------------------------------------------------------------------------------------------
// Trust policy principals

function compilePrincipal(p: Principal | undefined): ((principal: RequestPrincipal | undefined) => boolean) | null {
  if (p === undefined) return null;
  const services = new Set(p.Service.map((s) => s.toLowerCase()));
  const ram = new Set(p.RAM);
  // `acs:ram::<account>:root` trusts every RAM identity of that account
  const accountPrefixes = p.RAM.filter((a) => a.endsWith(':root')).map((a) => a.slice(0, -'root'.length));
  const federated = new Set(p.Federated);
  return (q) => {
    if (q === undefined) return false;
    switch (q.type) {
      case 'Service':
        return services.has(q.id.toLowerCase());
      case 'RAM':
        return ram.has(q.id) || accountPrefixes.some((prefix) => q.id.startsWith(prefix));
      case 'Federated':
        return federated.has(q.id);
    }
  };
}

// ---------------------------------------------------------------------------------------------

export function statementLabel(policy: string, s: Pick<Statement, 'index' | 'sid'>): string {
  return `policy ${JSON.stringify(policy)} Statement[${s.index}]${s.sid === undefined ? '' : ` (Sid ${JSON.stringify(s.sid)})`}`;
}

function serviceOf(lowerPattern: string): string | null {
  const colon = lowerPattern.indexOf(':');
  if (colon < 0) return null;
  const service = lowerPattern.slice(0, colon);
  return service.includes('*') || service.includes('?') ? null : service;
}

/** Compiles policies into one set; the evaluator treats their statements as one list. */
export function compilePolicies(policies: readonly Policy[]): CompiledPolicySet {
  const statements: CompiledStatement[] = [];
  const exactActions = new Map<string, number[]>();
  const serviceActions = new Map<string, WildAction[]>();
  const anyServiceActions: WildAction[] = [];
  for (const policy of policies) {
    for (const s of policy.statements) {
      const id = statements.length;
      const match: Match = { policy: policy.name, statementIndex: s.index, effect: s.effect };
      if (s.sid !== undefined) match.sid = s.sid;
      const label = statementLabel(policy.name, s);
      statements.push({
        id,
        deny: s.effect === 'Deny',
        match: Object.freeze(match),
        resource: compileResources(s.resources),
        principal: compilePrincipal(s.principal),
        condition: compileConditions(s.conditions),
        label,
        reason: `${s.effect === 'Deny' ? 'Explicitly denied' : 'Allowed'} by ${label}`,
      });
      const seen = new Set<string>();
      for (const a of s.actions) {
        const lower = a.toLowerCase();
        if (seen.has(lower)) continue;
        seen.add(lower);
        if (!lower.includes('*') && !lower.includes('?')) {
          const ids = exactActions.get(lower);
          if (ids === undefined) exactActions.set(lower, [id]);
          else if (ids[ids.length - 1] !== id) ids.push(id);
          continue;
        }
        const entry: WildAction = { test: compileWildcard(lower), id };
        const service = serviceOf(lower);
        if (service === null) anyServiceActions.push(entry);
        else {
          const list = serviceActions.get(service);
          if (list === undefined) serviceActions.set(service, [entry]);
          else list.push(entry);
        }
      }
    }
  }
  // Bounded by count through `maxSize` (each entry weighs 1) rather than `max`: with `max`, lru-cache
  // allocates room for all its entries up front (about 220 KB and milliseconds at 10,000), too much
  // for a memo made with every compiled set; this way it grows with what is asked.
  const actionCache = new LRUCache<string, readonly CompiledStatement[]>({ maxSize: ACTION_CACHE_MAX, sizeCalculation: () => 1 });
  return { policies: policies.map((p) => p.name), statements, exactActions, serviceActions, anyServiceActions, actionCache };
}

/** The statements whose Action matches `action` (case-insensitively), ascending id; memoized. */
export function candidates(set: CompiledPolicySet, action: string): readonly CompiledStatement[] {
  const cached = set.actionCache.get(action);
  if (cached !== undefined) return cached;
  const lower = action.toLowerCase();
  const hit = new Uint8Array(set.statements.length);
  for (const id of set.exactActions.get(lower) ?? []) hit[id] = 1;
  const colon = lower.indexOf(':');
  const wild = colon < 0 ? undefined : set.serviceActions.get(lower.slice(0, colon));
  for (const w of wild ?? []) if (hit[w.id] === 0 && w.test(lower)) hit[w.id] = 1;
  for (const w of set.anyServiceActions) if (hit[w.id] === 0 && w.test(lower)) hit[w.id] = 1;
  const out: CompiledStatement[] = [];
  for (let id = 0; id < hit.length; id++) if (hit[id] === 1) out.push(set.statements[id]!);
  set.actionCache.set(action, out);
  return out;
}
