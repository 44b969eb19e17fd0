// The policy engine as the domain uses it: checking documents (positions in the message) and
// judging a request against a principal's documents, with compiled sets kept by content so that
// attaching or detaching a policy takes effect on the next call and nothing recompiles otherwise.
import { LRUCache } from 'lru-cache';
import { apiError } from './errors.ts';
import type { CompiledPolicySet, Decision, Policy, PolicyError, PolicyRequest } from '../engine/policy/ast.ts';
import { loadPolicy } from '../engine/policy/validate.ts';
import { POLICY_MAX_CHARS } from '../engine/policy/parse.ts';
import { compilePolicies } from '../engine/policy/compile.ts';
import { evaluate, intersect } from '../engine/policy/evaluate.ts';

// the engine's messages already end with their position
const describe = (e: PolicyError): string => e.message;

const DENY_ALL = '{"Version":"1","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}';

/** Parses and validates a policy document; throws the Alibaba error naming the first problem. */
export function checkPolicyDocument(text: string, name = 'policy', kind: 'identity' | 'trust' = 'identity'): Policy {
  if (text.length > POLICY_MAX_CHARS) {
    throw apiError('InvalidParameter.PolicyDocument.Length', { length: text.length, max: POLICY_MAX_CHARS });
  }
  const r = loadPolicy(text, { name, kind });
  if (!r.ok) throw apiError('MalformedPolicyDocument', { problems: r.errors.map(describe).join('; ') });
  return r.value;
}

// the 5,000 sets used last, keyed by the documents' content (a stale entry is never reached)
const compiled = new LRUCache<string, CompiledPolicySet>({ max: 5000 });

function setFor(documents: ReadonlyArray<{ name: string; type: string; document: string }>): CompiledPolicySet {
  const key = documents.map((d) => `${d.type}:${d.name}:${d.document}`).join('\u0000');
  let set = compiled.get(key);
  if (set === undefined) {
    let policies: Policy[] = [];
    for (const d of documents) {
      const r = loadPolicy(d.document, { name: d.name, kind: 'identity' });
      if (r.ok) { policies.push(r.value); continue; }
      // INVARIANT: a stored document that no longer validates fails closed: its Deny statements
      // can't be read, so nothing is allowed until it is fixed.
      const deny = loadPolicy(DENY_ALL, { name: `${d.name} (unreadable)`, kind: 'identity' });
      if (deny.ok) policies = [deny.value];
      break;
    }
    set = compilePolicies(policies);
    compiled.set(key, set);
  }
  return set;
}

/** Whether a role's trust policy lets `principal` assume it. */
export function evaluateTrust(trustPolicy: string, principal: { type: 'RAM' | 'Service'; id: string }): 'Allow' | 'ExplicitDeny' | 'ImplicitDeny' {
  const r = loadPolicy(trustPolicy, { name: 'trust', kind: 'trust' });
  if (!r.ok) return 'ImplicitDeny';
  return evaluate(compilePolicies([r.value]), { action: 'sts:AssumeRole', resources: ['*'], context: {}, principal }).decision;
}

/** A role session: the role's policies narrowed by the session policy. */
export function evaluateWithSessionPolicy(documents: ReadonlyArray<{ name: string; type: string; document: string }>, sessionPolicy: string | undefined, request: PolicyRequest): Decision {
  const identity = evaluate(setFor(documents), request);
  if (sessionPolicy === undefined) return identity;
  const session = evaluate(setFor([{ name: 'session', type: 'Session', document: sessionPolicy }]), request);
  return intersect(identity, session);
}

export function evaluateDocuments(documents: ReadonlyArray<{ name: string; type: string; document: string }>, request: PolicyRequest): Decision {
  return evaluate(setFor(documents), request);
}
