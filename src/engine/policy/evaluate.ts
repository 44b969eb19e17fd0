// Stage 4 of the RAM policy engine: a compiled policy set (compile.ts) and one request → a decision
// that explains itself. Semantics (ALIBABA-FACTS §4.5; choices where the facts are silent marked *):
//
//  - A statement matches a request when its Action matches the action (case-insensitively, `*`
//    and `?` wildcards), its Resource matches the resource (case-sensitively: ARNs carry object
//    names; `*` matches across `:` and `/`), its Principal (trust policies only) names the
//    request's principal, and all its conditions hold.
//  - Conditions: several values of one key are OR-ed; several keys under one operator, and all
//    operators, are AND-ed. A key missing from the context (or given as an empty list) makes a
//    condition false, except the Not* operators, which then hold*. The Not* operators are the
//    negation of their positive twin (NOR over the values)*. A list of context values satisfies a
//    positive operator when any element does*.
//  - Per resource*: a request naming several resources is allowed only when each of them is
//    allowed; it is explicitly denied when a Deny statement matches any of them. A request naming
//    no resource is implicitly denied*: callers name `*` for account-level operations.
//  - Decision: any matching Deny → ExplicitDeny; else every resource covered by a matching
//    Allow → Allow; else ImplicitDeny. Every statement is considered: `matched` lists all that
//    match (both effects) in set order, `reasons` what decided.
//  - Errors*: a condition whose context value cannot be read as its operator's type (a
//    NumericEquals on "abc", an IpAddress on a CIDR or an IPv6 address…) errs. Conditions combine
//    in three-valued logic: any false condition → the statement does not match; else any error →
//    the statement errs. An erring statement is listed in `matched` with `error` set. An erring
//    Allow never grants; an erring Deny denies (fail closed: a guard we cannot read does not let
//    the request through).
//  - Session policies (STS AssumeRole `Policy`, §4.4) narrow: `intersect` allows only when both
//    decisions allow and denies explicitly when either does.
import type { CompiledPolicySet, CompiledStatement, Decision, Match, PolicyRequest } from './ast.ts';
import { candidates } from './compile.ts';

// src/domain/authorization.ts takes the request's type from here
export type { PolicyRequest } from './ast.ts';

function erred(s: CompiledStatement, error: string): { match: Match; reason: string } {
  return {
    match: { ...s.match, error },
    reason: s.deny
      ? `Explicitly denied by ${s.label}: its condition could not be evaluated (${error}), and a Deny fails closed`
      : `Not allowed by ${s.label}: its condition could not be evaluated (${error})`,
  };
}

function noAllow(action: string, resource: string): string {
  return `No statement allows \`${action}\` on \`${resource}\``;
}

/** The decision for one request against one compiled set. */
export function evaluate(set: CompiledPolicySet, request: PolicyRequest): Decision {
  const resources = request.resources;
  const n = resources.length;
  if (n === 0) return { decision: 'ImplicitDeny', matched: [], reasons: ['The request names no resource'] };
  const cands = candidates(set, request.action);
  if (cands.length === 0) {
    const reasons: string[] = [];
    for (let k = 0; k < n; k++) reasons.push(noAllow(request.action, resources[k]!));
    return { decision: 'ImplicitDeny', matched: [], reasons };
  }
  const ctx = request.context;
  const principal = request.principal;
  const matched: Match[] = [];
  let denyReasons: string[] | null = null;
  let allowReasons: string[] | null = null;
  let errorReasons: string[] | null = null;
  let allCovered: boolean;
  /** multi-resource requests: 1 where a clean Allow matched the resource */
  let covered: Uint8Array | null = null;

  if (n === 1) {
    const r = resources[0]!;
    let allowed = false;
    for (let i = 0; i < cands.length; i++) {
      const s = cands[i]!;
      if (s.resource !== null && !s.resource(r)) continue;
      if (s.principal !== null && !s.principal(principal)) continue;
      const c = s.condition === null ? true : s.condition(ctx);
      if (c === false) continue;
      if (c === true) {
        matched.push(s.match);
        if (s.deny) (denyReasons ??= []).push(s.reason);
        else {
          allowed = true;
          (allowReasons ??= []).push(s.reason);
        }
      } else {
        const e = erred(s, c);
        matched.push(e.match);
        if (s.deny) (denyReasons ??= []).push(e.reason);
        else (errorReasons ??= []).push(e.reason);
      }
    }
    allCovered = allowed;
  } else {
    covered = new Uint8Array(n);
    const hit = new Uint8Array(n);
    for (let i = 0; i < cands.length; i++) {
      const s = cands[i]!;
      if (s.principal !== null && !s.principal(principal)) continue;
      let hits = 0;
      for (let k = 0; k < n; k++) {
        const h = s.resource === null || s.resource(resources[k]!);
        hit[k] = h ? 1 : 0;
        if (h) hits++;
      }
      if (hits === 0) continue;
      const c = s.condition === null ? true : s.condition(ctx);
      if (c === false) continue;
      if (c === true) {
        matched.push(s.match);
        if (s.deny) (denyReasons ??= []).push(s.reason);
        else {
          (allowReasons ??= []).push(s.reason);
          for (let k = 0; k < n; k++) if (hit[k] === 1) covered[k] = 1;
        }
      } else {
        const e = erred(s, c);
        matched.push(e.match);
        if (s.deny) (denyReasons ??= []).push(e.reason);
        else (errorReasons ??= []).push(e.reason);
      }
    }
    allCovered = covered.every((x) => x === 1);
  }

  if (denyReasons !== null) return { decision: 'ExplicitDeny', matched, reasons: denyReasons };
  if (allCovered) return { decision: 'Allow', matched, reasons: allowReasons ?? [] };
  const reasons: string[] = [];
  for (let k = 0; k < n; k++) if (covered === null || covered[k] !== 1) reasons.push(noAllow(request.action, resources[k]!));
  if (errorReasons !== null) reasons.push(...errorReasons);
  return { decision: 'ImplicitDeny', matched, reasons };
}

/**
 * A session policy narrows an identity decision (ALIBABA-FACTS §4.4, §4.5): explicitly denied
 * when either is, allowed only when both allow, implicitly denied otherwise. `matched` lists the
 * identity matches, then the session's; reasons are prefixed with the side they come from.
 */
export function intersect(identity: Decision, session: Decision): Decision {
  const matched = [...identity.matched, ...session.matched];
  const from = (side: string, d: Decision): string[] => d.reasons.map((r) => `${side}: ${r}`);
  if (identity.decision === 'ExplicitDeny' || session.decision === 'ExplicitDeny') {
    const reasons = [
      ...(identity.decision === 'ExplicitDeny' ? from('identity', identity) : []),
      ...(session.decision === 'ExplicitDeny' ? from('session', session) : []),
    ];
    return { decision: 'ExplicitDeny', matched, reasons };
  }
  if (identity.decision === 'Allow' && session.decision === 'Allow') {
    return { decision: 'Allow', matched, reasons: [...from('identity', identity), ...from('session', session)] };
  }
  const reasons = [
    ...(identity.decision === 'ImplicitDeny' ? from('identity', identity) : []),
    ...(session.decision === 'ImplicitDeny' ? from('session', session) : []),
  ];
  return { decision: 'ImplicitDeny', matched, reasons };
}

/** `evaluate` under a session policy set: both must allow (see `intersect`). */
export function evaluateWithSession(set: CompiledPolicySet, session: CompiledPolicySet, request: PolicyRequest): Decision {
  return intersect(evaluate(set, request), evaluate(session, request));
}
