// The reference RAM policy evaluator: evaluate.ts's semantics written out plainly over the
// validated policies (src/engine/policy/validate.ts), one statement at a time, with no index, no
// compiled matchers and no memo. It is the oracle the compiled engine is tested against
// (policy.test.ts) and measured against (bench/policy.ts). Change semantics here first.
//
// Deliberately independent of compile.ts: its own wildcard matcher (dynamic programming over the
// whole pattern), its own context coercion (IPv4 through src/engine/cidr.ts's ipToInt), its own
// loop. It shares only the value parsers of values.ts (dates, decimals), which are the
// language's definition of those values.
import { ipToInt } from '../../src/engine/cidr.ts';
import type { Condition, Decision, DecisionKind, Match, Policy, PolicyRequest, RequestContext, RequestPrincipal, Statement } from '../../src/engine/policy/ast.ts';
import { parseDecimal, parseIsoDate } from '../../src/engine/policy/values.ts';

/** `*` any run, `?` one character, everything else literal; classic DP, O(|p| × |s|). */
export function wildcardMatch(pattern: string, s: string): boolean {
  // prev[j]: pattern[0..i) matches s[0..j)
  let prev: boolean[] = new Array<boolean>(s.length + 1).fill(false);
  prev[0] = true;
  for (let i = 1; i <= pattern.length; i++) {
    const p = pattern[i - 1];
    const cur: boolean[] = new Array<boolean>(s.length + 1).fill(false);
    if (p === '*') cur[0] = prev[0]!;
    for (let j = 1; j <= s.length; j++) {
      if (p === '*') cur[j] = prev[j]! || cur[j - 1]!;
      else cur[j] = prev[j - 1]! && (p === '?' || p === s[j - 1]);
    }
    prev = cur;
  }
  return prev[s.length]!;
}

type Tri = true | false | 'error';

function coerce(c: Condition, v: unknown): { ok: true; value: string | number | boolean } | { ok: false } {
  switch (c.family) {
    case 'String':
      if (typeof v === 'string') return { ok: true, value: v };
      if (typeof v === 'number' || typeof v === 'boolean') return { ok: true, value: String(v) };
      return { ok: false };
    case 'Numeric': {
      const n = parseDecimal(v);
      return n === null ? { ok: false } : { ok: true, value: n };
    }
    case 'Date': {
      if (typeof v === 'number') return Number.isFinite(v) ? { ok: true, value: v } : { ok: false };
      const t = typeof v === 'string' ? parseIsoDate(v) : null;
      return t === null ? { ok: false } : { ok: true, value: t };
    }
    case 'Bool':
      if (v === true || v === 'true') return { ok: true, value: true };
      if (v === false || v === 'false') return { ok: true, value: false };
      return { ok: false };
    case 'Ip': {
      const ip = typeof v === 'string' ? ipToInt(v) : null;
      return ip === null ? { ok: false } : { ok: true, value: ip };
    }
  }
}

function compare(cmp: string, x: number, v: number): boolean {
  switch (cmp) {
    case 'eq': return x === v;
    case 'lt': return x < v;
    case 'le': return x <= v;
    case 'gt': return x > v;
    default: return x >= v;
  }
}

/** Whether one context element satisfies one policy value under the positive operator. */
function satisfies(c: Condition, x: string | number | boolean, i: number): boolean {
  switch (c.family) {
    case 'String': {
      const v = c.values[i]!;
      const s = String(x);
      if (c.match === 'equals') return s === v;
      if (c.match === 'equalsIgnoreCase') return s.toLowerCase() === v.toLowerCase();
      return wildcardMatch(v, s);
    }
    case 'Numeric':
    case 'Date':
      return compare(c.comparison, Number(x), c.values[i]!);
    case 'Bool':
      return x === c.values[i];
    case 'Ip': {
      const r = c.values[i]!;
      return Number(x) >= r.base && Number(x) < r.base + r.size;
    }
  }
}

export function conditionHolds(c: Condition, ctx: RequestContext): Tri {
  const raw = ctx[c.key];
  const elements: unknown[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (elements.length === 0) return c.negated; // absent: false, Not* true
  const values: (string | number | boolean)[] = [];
  for (const e of elements) {
    const r = coerce(c, e);
    if (!r.ok) return 'error';
    values.push(r.value);
  }
  const positive = values.some((x) => c.values.some((_, i) => satisfies(c, x, i)));
  return c.negated ? !positive : positive;
}

function principalMatches(s: Statement, p: RequestPrincipal | undefined): boolean {
  if (s.principal === undefined) return true;
  if (p === undefined) return false;
  if (p.type === 'Service') return s.principal.Service.some((x) => x.toLowerCase() === p.id.toLowerCase());
  if (p.type === 'Federated') return s.principal.Federated.includes(p.id);
  return s.principal.RAM.some((x) => x === p.id || (x.endsWith(':root') && p.id.startsWith(x.slice(0, x.length - 4))));
}

export interface StatementVerdict {
  /** resources (by index) this statement matches on action, resource and principal */
  resources: number[];
  conditions: Tri;
}

export function statementVerdict(s: Statement, req: PolicyRequest): StatementVerdict {
  const action = req.action.toLowerCase();
  const actionOk = s.actions.some((a) => wildcardMatch(a.toLowerCase(), action));
  const resources: number[] = [];
  if (actionOk && principalMatches(s, req.principal)) {
    req.resources.forEach((r, k) => {
      if (s.resources === null || s.resources.some((p) => wildcardMatch(p, r))) resources.push(k);
    });
  }
  const outcomes = s.conditions.map((c) => conditionHolds(c, req.context));
  const conditions: Tri = outcomes.includes(false) ? false : outcomes.includes('error') ? 'error' : true;
  return { resources, conditions };
}

/** Decision and matches (reasons are the compiled engine's business; the oracle checks what they explain). */
export function evaluateReference(policies: readonly Policy[], req: PolicyRequest): Pick<Decision, 'decision' | 'matched'> {
  const matched: Match[] = [];
  if (req.resources.length === 0) return { decision: 'ImplicitDeny', matched };
  let denied = false;
  const covered = req.resources.map(() => false);
  for (const policy of policies) {
    for (const s of policy.statements) {
      const v = statementVerdict(s, req);
      if (v.resources.length === 0 || v.conditions === false) continue;
      const m: Match = { policy: policy.name, statementIndex: s.index, effect: s.effect };
      if (s.sid !== undefined) m.sid = s.sid;
      if (v.conditions === 'error') m.error = 'error';
      matched.push(m);
      if (s.effect === 'Deny') denied = true; // an erring Deny denies too
      else if (v.conditions === true) for (const k of v.resources) covered[k] = true;
    }
  }
  const decision: DecisionKind = denied ? 'ExplicitDeny' : covered.every(Boolean) ? 'Allow' : 'ImplicitDeny';
  return { decision, matched };
}

/** Identity and session evaluated separately, then narrowed: either denies → deny; both allow → allow. */
export function evaluateWithSessionReference(identity: readonly Policy[], session: readonly Policy[], req: PolicyRequest): Pick<Decision, 'decision' | 'matched'> {
  const a = evaluateReference(identity, req);
  const b = evaluateReference(session, req);
  const decision: DecisionKind =
    a.decision === 'ExplicitDeny' || b.decision === 'ExplicitDeny' ? 'ExplicitDeny' : a.decision === 'Allow' && b.decision === 'Allow' ? 'Allow' : 'ImplicitDeny';
  return { decision, matched: [...a.matched, ...b.matched] };
}
