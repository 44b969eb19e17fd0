// The shapes of the RAM policy engine, one stage after another: the positioned JSON tree
// (parse.ts), the validated `Policy` (validate.ts), the compiled set (compile.ts), and the request
// and decision of the evaluator (evaluate.ts); plus the closed error union all stages report. A
// leaf: it imports nothing of the engine, so every stage depends on it and none on a later stage
// for its types (compile.ts once took its request types from evaluate.ts, which needs compile.ts).
// The vocabulary the types are read from (the condition operators, the global keys) lives here
// too, as `as const` lists.
import type { LRUCache } from 'lru-cache';
// ---------------------------------------------------------------------------------------------
// Errors of every stage (codes and their Alibaba mapping: parse.ts)

/** 1-based line and column (in UTF-16 code units) and the 0-based character offset. */
export interface Position {
  offset: number;
  line: number;
  column: number;
}

export type PolicyErrorCode =
  | 'PolicyTooLarge'
  | 'MalformedJson'
  | 'PolicyTooDeep'
  | 'TooManyStatements'
  | 'InvalidVersion'
  | 'InvalidDocument'
  | 'InvalidStatement'
  | 'InvalidEffect'
  | 'InvalidAction'
  | 'InvalidResource'
  | 'InvalidPrincipal'
  | 'InvalidCondition'
  | 'UnsupportedElement';

export interface PolicyError {
  code: PolicyErrorCode;
  message: string;
  position?: Position;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: PolicyError[] };

// ---------------------------------------------------------------------------------------------
// Stage 1, parse.ts: the JSON tree, every node and key with its position

export interface JsonEntry {
  key: string;
  keyPos: Position;
  value: JsonNode;
}

export type JsonNode =
  | { kind: 'object'; pos: Position; entries: JsonEntry[] }
  | { kind: 'array'; pos: Position; items: JsonNode[] }
  | { kind: 'string'; pos: Position; value: string }
  | { kind: 'number'; pos: Position; value: number; raw: string }
  | { kind: 'boolean'; pos: Position; value: boolean }
  | { kind: 'null'; pos: Position };

// ---------------------------------------------------------------------------------------------
// Stage 2, validate.ts: the validated policy

export type Effect = 'Allow' | 'Deny';

export const STRING_OPERATORS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'] as const;
export const NUMERIC_OPERATORS = ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'] as const;
export const DATE_OPERATORS = ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'] as const;
export const BOOL_OPERATORS = ['Bool'] as const;
export const IP_OPERATORS = ['IpAddress', 'NotIpAddress'] as const;

export type StringOperator = (typeof STRING_OPERATORS)[number];
export type NumericOperator = (typeof NUMERIC_OPERATORS)[number];
export type DateOperator = (typeof DATE_OPERATORS)[number];
export type Operator = StringOperator | NumericOperator | DateOperator | 'Bool' | 'IpAddress' | 'NotIpAddress';

export const OPERATORS: readonly Operator[] = [...STRING_OPERATORS, ...NUMERIC_OPERATORS, ...DATE_OPERATORS, ...BOOL_OPERATORS, ...IP_OPERATORS];

/** The comparisons, shared by the Numeric and Date families (values are numbers in both). */
export type Comparison = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

/** An IPv4 range [base, base + size) as unsigned integers. */
export interface IpRange {
  base: number;
  size: number;
}

/**
 * One operator applied to one key, with its values typed. `negated` marks the Not* operators:
 * each is the exact negation of its positive twin when the key is present (so several values are
 * NOR: `StringNotEquals: {k: [a, b]}` holds when k is neither a nor b), and holds when it is absent.
 */
export type Condition = { operator: Operator; key: string; negated: boolean; position: Position } & (
  | { family: 'String'; match: 'equals' | 'equalsIgnoreCase' | 'like'; values: string[] }
  | { family: 'Numeric'; comparison: Comparison; values: number[] }
  | { family: 'Date'; comparison: Comparison; values: number[] }
  | { family: 'Bool'; values: boolean[] }
  | { family: 'Ip'; values: IpRange[] }
);

/** A trust policy's Principal, each list as written (RAM account ids expanded to `acs:ram::<id>:root`). */
export interface Principal {
  Service: string[];
  RAM: string[];
  Federated: string[];
}

export interface Statement {
  /** 0-based index in the document's Statement list */
  index: number;
  sid?: string;
  effect: Effect;
  /** as written */
  actions: string[];
  /** as written; null when a trust policy statement has no Resource (any resource) */
  resources: string[] | null;
  conditions: Condition[];
  principal?: Principal;
  position: Position;
}

export type PolicyKind = 'identity' | 'trust';

export interface Policy {
  /** how decisions name the policy (e.g. `AliyunECSFullAccess`, `session`) */
  name: string;
  kind: PolicyKind;
  statements: Statement[];
}

export const GLOBAL_KEYS = ['acs:SourceIp', 'acs:CurrentTime', 'acs:SecureTransport', 'acs:MFAPresent'] as const;
export type GlobalKey = (typeof GLOBAL_KEYS)[number];

// ---------------------------------------------------------------------------------------------
// Stage 4, evaluate.ts: the request and the decision (before stage 3, whose types name them)

export type ContextValue = string | number | boolean | string[] | undefined;

/**
 * The request context. Global keys (GLOBAL_KEYS) in their canonical spelling (validate.ts
 * canonicalizes the policy side); `acs:CurrentTime` is an ISO-8601 string or epoch milliseconds;
 * service keys (`ecs:tag/<key>`) as the policy spells them.
 */
export interface RequestContext {
  'acs:SourceIp'?: string;
  'acs:CurrentTime'?: string | number;
  'acs:SecureTransport'?: boolean;
  'acs:MFAPresent'?: boolean;
  [key: string]: ContextValue;
}

/** Who is asking, for trust policies (AssumeRole): `Service` `ecs.aliyuncs.com`, `RAM` an ARN. */
export interface RequestPrincipal {
  type: 'Service' | 'RAM' | 'Federated';
  id: string;
}

export interface PolicyRequest {
  action: string;
  resources: readonly string[];
  context: RequestContext;
  principal?: RequestPrincipal;
}

export interface Match {
  policy: string;
  statementIndex: number;
  sid?: string;
  effect: Effect;
  /** set when the statement's conditions could not be evaluated (it then grants nothing; a Deny denies) */
  error?: string;
}

export type DecisionKind = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface Decision {
  decision: DecisionKind;
  matched: Match[];
  reasons: string[];
}

// ---------------------------------------------------------------------------------------------
// Stage 3, compile.ts: the compiled set the evaluator walks

/** true: holds; false: does not; string: could not be evaluated, with the reason */
export type ConditionOutcome = boolean | string;

export interface CompiledStatement {
  /** position in the set: policy order, then statement order */
  id: number;
  deny: boolean;
  /** the shared, frozen match entry for this statement */
  match: Match;
  /** null: any resource */
  resource: ((resource: string) => boolean) | null;
  /** null: no Principal (identity policies) */
  principal: ((principal: RequestPrincipal | undefined) => boolean) | null;
  /** null: no condition */
  condition: ((context: RequestContext) => ConditionOutcome) | null;
  /** `policy "P" Statement[i] (Sid "s")` */
  label: string;
  /** precomputed reason for a clean match */
  reason: string;
}

export interface WildAction {
  test: (lowerAction: string) => boolean;
  id: number;
}

export interface CompiledPolicySet {
  policies: readonly string[];
  statements: readonly CompiledStatement[];
  /** lower-cased exact action → statement ids */
  exactActions: Map<string, number[]>;
  /** lower-cased service → wildcard patterns whose service part is literal */
  serviceActions: Map<string, WildAction[]>;
  /** wildcard patterns with a wildcard in the service part (including `*`) */
  anyServiceActions: WildAction[];
  /** action string as requested → its candidate statements, ascending id (bounded: compile.ts) */
  actionCache: LRUCache<string, readonly CompiledStatement[]>;
}
