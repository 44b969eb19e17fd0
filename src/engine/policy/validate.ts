// Stage 2 of the RAM policy engine: the positioned JSON tree (parse.ts) → a validated `Policy`
// whose every value is typed and checked, or the list of everything wrong with the document, each
// error with its position (error codes: parse.ts). The grammar is ALIBABA-FACTS §4.5:
//
//   { "Version": "1", "Statement": <statement> | [<statement>, …] }        (at most 100 statements)
//   statement: { "Sid"?: string, "Effect": "Allow"|"Deny", "Action": pat | [pat…],
//                "Resource": pat | [pat…], "Condition"?: { <operator>: { <key>: value | [value…] } } }
//   action pattern:   `*` or `<service>:<operation>` with `*`/`?` wildcards
//   resource pattern: `*` or `acs:<service>:<region>:<account>:<relative>` with `*`/`?` wildcards
//
// Decisions where the facts are silent (each enforced below, tested in test/engine/policy.test.ts):
//  - Version must be the string "1"; `Id` is not accepted; element names are case-sensitive.
//  - NotAction, NotResource and Principal are refused in identity (and session) policies (§4.5:
//    "do not implement them"). With `kind: 'trust'` (a RAM role's trust policy) Principal is
//    required in every statement as `{ Service?, RAM?, Federated? }` (string or array each),
//    Resource may be omitted, and every action must be in the `sts` service.
//  - An empty Statement array, empty Action/Resource arrays and an empty operator block are
//    refused; an empty `"Condition": {}` is accepted and means no condition.
//  - Condition operators are exactly the 20 of §4.5, spelled exactly. Keys: `<service>:<name>`;
//    the `acs:` keys must be one of the four global keys (matched case-insensitively, stored in
//    their canonical spelling: `acs:SourceIp`, `acs:CurrentTime`, `acs:SecureTransport`,
//    `acs:MFAPresent`) and are typed: SourceIp takes only IpAddress/NotIpAddress, CurrentTime only
//    Date*, SecureTransport and MFAPresent only Bool. Other service keys (`ecs:tag/<key>`…) accept
//    any operator and are compared with the key spelled exactly as written.
//  - Values, per operator family: String* strings; Numeric* JSON numbers or decimal strings;
//    Date* ISO-8601 strings (`2019-08-01`, `2019-08-01T10:00:00Z`, `…T10:00:00.5+08:00`; no zone
//    means UTC), stored as epoch ms; Bool `true`/`false` (JSON booleans or those two strings);
//    IpAddress/NotIpAddress IPv4 addresses or CIDRs (host bits masked), stored as integer ranges.
//    IPv6 is refused (Parapet is IPv4 throughout, see src/engine/cidr.ts). The parsers: values.ts.
import {
  GLOBAL_KEYS, OPERATORS,
  type Comparison, type Condition, type Effect, type GlobalKey, type IpRange, type JsonNode, type Operator, type Policy,
  type PolicyError, type PolicyErrorCode, type PolicyKind, type Position, type Principal, type Result, type Statement,
} from './ast.ts';
import { parseJson, type ParseOptions } from './parse.ts';
import { parseBool, parseDecimal, parseIpRange, parseIsoDate } from './values.ts';

export interface ValidateOptions {
  name: string;
  /** default 'identity' (also for session policies) */
  kind?: PolicyKind;
  /** default 100 */
  maxStatements?: number;
}

export const POLICY_MAX_STATEMENTS = 100;

const GLOBAL_KEY_FAMILY: Record<GlobalKey, Condition['family']> = {
  'acs:SourceIp': 'Ip',
  'acs:CurrentTime': 'Date',
  'acs:SecureTransport': 'Bool',
  'acs:MFAPresent': 'Bool',
};

const GLOBAL_BY_LOWER = new Map<string, GlobalKey>(GLOBAL_KEYS.map((k) => [k.toLowerCase(), k]));

const ACTION = /^[A-Za-z0-9*?_-]+:[A-Za-z0-9*?_.\-/]+$/;
const RESOURCE = /^acs:[^:\s]+:[^:\s]*:[^:\s]*:\S+$/;
const CONDITION_KEY = /^[A-Za-z0-9-]+:\S(?:.*\S)?$/;

function familyOf(op: Operator): Condition['family'] {
  if (op.startsWith('String')) return 'String';
  if (op.startsWith('Numeric')) return 'Numeric';
  if (op.startsWith('Date')) return 'Date';
  if (op === 'Bool') return 'Bool';
  return 'Ip';
}

function comparisonOf(op: string): Comparison {
  if (op.endsWith('LessThan')) return 'lt';
  if (op.endsWith('LessThanEquals')) return 'le';
  if (op.endsWith('GreaterThan')) return 'gt';
  if (op.endsWith('GreaterThanEquals')) return 'ge';
  return 'eq';
}

function isOperator(s: string): s is Operator {
  return (OPERATORS as readonly string[]).includes(s);
}

class Checker {
  readonly errors: PolicyError[] = [];

  constructor(private readonly kind: PolicyKind) {}

  err(code: PolicyErrorCode, message: string, position: Position): void {
    this.errors.push({ code, message: `${message} (line ${position.line}, column ${position.column})`, position });
  }

  /** a string or a non-empty array of strings; null (after an error) otherwise */
  stringList(node: JsonNode, element: string, code: PolicyErrorCode): { value: string; pos: Position }[] | null {
    if (node.kind === 'string') return [{ value: node.value, pos: node.pos }];
    if (node.kind === 'array') {
      if (node.items.length === 0) {
        this.err(code, `\`${element}\` must not be an empty list`, node.pos);
        return null;
      }
      const out: { value: string; pos: Position }[] = [];
      let ok = true;
      for (const item of node.items) {
        if (item.kind === 'string') out.push({ value: item.value, pos: item.pos });
        else {
          this.err(code, `Every \`${element}\` entry must be a string, not ${item.kind}`, item.pos);
          ok = false;
        }
      }
      return ok ? out : null;
    }
    this.err(code, `\`${element}\` must be a string or a list of strings, not ${node.kind}`, node.pos);
    return null;
  }

  action(value: string, pos: Position): boolean {
    if (value === '*') return true;
    if (!ACTION.test(value)) {
      this.err('InvalidAction', `The action \`${value}\` is invalid: expected \`*\` or \`<service>:<operation>\``, pos);
      return false;
    }
    if (this.kind === 'trust' && value.slice(0, value.indexOf(':')).toLowerCase() !== 'sts') {
      this.err('InvalidAction', `The action \`${value}\` is invalid in a trust policy: only \`sts:\` actions (sts:AssumeRole)`, pos);
      return false;
    }
    return true;
  }

  resource(value: string, pos: Position): boolean {
    if (value === '*' || RESOURCE.test(value)) return true;
    this.err('InvalidResource', `The resource \`${value}\` is invalid: expected \`*\` or \`acs:<service>:<region>:<account>:<relative-id>\``, pos);
    return false;
  }

  principal(node: JsonNode): Principal | null {
    if (node.kind !== 'object' || node.entries.length === 0) {
      this.err('InvalidPrincipal', '`Principal` must be an object naming `Service`, `RAM` or `Federated`', node.pos);
      return null;
    }
    const p: Principal = { Service: [], RAM: [], Federated: [] };
    let ok = true;
    for (const e of node.entries) {
      if (e.key !== 'Service' && e.key !== 'RAM' && e.key !== 'Federated') {
        this.err('InvalidPrincipal', `Unknown principal type \`${e.key}\` (expected Service, RAM or Federated)`, e.keyPos);
        ok = false;
        continue;
      }
      const list = this.stringList(e.value, `Principal.${e.key}`, 'InvalidPrincipal');
      if (list === null) {
        ok = false;
        continue;
      }
      for (const { value, pos } of list) {
        if (e.key === 'Service' && /^[a-z0-9][a-z0-9.-]*$/i.test(value)) p.Service.push(value);
        else if (e.key === 'RAM' && /^\d{1,20}$/.test(value)) p.RAM.push(`acs:ram::${value}:root`);
        else if (e.key === 'RAM' && /^acs:ram::[^:\s]+:\S+$/.test(value)) p.RAM.push(value);
        else if (e.key === 'Federated' && /^acs:ram::[^:\s]+:saml-provider\/\S+$/.test(value)) p.Federated.push(value);
        else {
          this.err('InvalidPrincipal', `The principal \`${value}\` is not a valid ${e.key} principal`, pos);
          ok = false;
        }
      }
    }
    return ok ? p : null;
  }

  condition(node: JsonNode): Condition[] | null {
    if (node.kind !== 'object') {
      this.err('InvalidCondition', '`Condition` must be an object of operators', node.pos);
      return null;
    }
    const out: Condition[] = [];
    let ok = true;
    for (const opEntry of node.entries) {
      const op = opEntry.key;
      if (!isOperator(op)) {
        const hint = /IfExists$/.test(op) ? ' (…IfExists operators are not supported)' : '';
        this.err('InvalidCondition', `Unknown condition operator \`${op}\`${hint}`, opEntry.keyPos);
        ok = false;
        continue;
      }
      const block = opEntry.value;
      if (block.kind !== 'object' || block.entries.length === 0) {
        this.err('InvalidCondition', `The condition operator \`${op}\` must map at least one key to values`, block.pos);
        ok = false;
        continue;
      }
      const family = familyOf(op);
      for (const keyEntry of block.entries) {
        const c = this.conditionEntry(op, family, keyEntry.key, keyEntry.keyPos, keyEntry.value);
        if (c === null) ok = false;
        else out.push(c);
      }
    }
    return ok ? out : null;
  }

  conditionEntry(op: Operator, family: Condition['family'], rawKey: string, keyPos: Position, valueNode: JsonNode): Condition | null {
    if (!CONDITION_KEY.test(rawKey)) {
      this.err('InvalidCondition', `The condition key \`${rawKey}\` is invalid: expected \`<service>:<name>\``, keyPos);
      return null;
    }
    let key = rawKey;
    if (rawKey.slice(0, 4).toLowerCase() === 'acs:') {
      const global = GLOBAL_BY_LOWER.get(rawKey.toLowerCase());
      if (global === undefined) {
        this.err('InvalidCondition', `Unknown global condition key \`${rawKey}\` (known: ${GLOBAL_KEYS.join(', ')})`, keyPos);
        return null;
      }
      if (GLOBAL_KEY_FAMILY[global] !== family) {
        this.err('InvalidCondition', `The condition key \`${global}\` cannot be used with \`${op}\``, keyPos);
        return null;
      }
      key = global;
    }
    const items = valueNode.kind === 'array' ? valueNode.items : [valueNode];
    if (items.length === 0) {
      this.err('InvalidCondition', `\`${op}\` \`${rawKey}\` must have at least one value`, valueNode.pos);
      return null;
    }
    const negated = op.startsWith('StringNot') || op === 'NumericNotEquals' || op === 'DateNotEquals' || op === 'NotIpAddress';
    const base = { operator: op, key, negated, position: keyPos };
    const bad = (item: JsonNode, expected: string): null => {
      const shown = item.kind === 'string' ? `\`${item.value}\`` : item.kind === 'number' ? `\`${item.raw}\`` : item.kind;
      this.err('InvalidCondition', `The value ${shown} of \`${op}\` \`${rawKey}\` is invalid: expected ${expected}`, item.pos);
      return null;
    };
    switch (family) {
      case 'String': {
        const values: string[] = [];
        for (const item of items) {
          if (item.kind !== 'string') return bad(item, 'a string');
          values.push(item.value);
        }
        const match = op.endsWith('IgnoreCase') ? 'equalsIgnoreCase' : op.endsWith('Like') ? 'like' : 'equals';
        return { ...base, family, match, values };
      }
      case 'Numeric': {
        const values: number[] = [];
        for (const item of items) {
          const n = item.kind === 'number' || item.kind === 'string' ? parseDecimal(item.value) : null;
          if (n === null) return bad(item, 'a number');
          values.push(n);
        }
        return { ...base, family, comparison: comparisonOf(op), values };
      }
      case 'Date': {
        const values: number[] = [];
        for (const item of items) {
          const t = item.kind === 'string' ? parseIsoDate(item.value) : null;
          if (t === null) return bad(item, 'an ISO-8601 date such as 2019-08-01T00:00:00Z');
          values.push(t);
        }
        return { ...base, family, comparison: comparisonOf(op), values };
      }
      case 'Bool': {
        const values: boolean[] = [];
        for (const item of items) {
          const b = item.kind === 'boolean' || item.kind === 'string' ? parseBool(item.value) : null;
          if (b === null) return bad(item, '"true" or "false"');
          values.push(b);
        }
        return { ...base, family, values };
      }
      case 'Ip': {
        const values: IpRange[] = [];
        for (const item of items) {
          const r = item.kind === 'string' ? parseIpRange(item.value) : null;
          if (r === null) return bad(item, 'an IPv4 address or CIDR block');
          values.push(r);
        }
        return { ...base, family, values };
      }
    }
  }

  statement(node: JsonNode, index: number): Statement | null {
    if (node.kind !== 'object') {
      this.err('InvalidStatement', `Statement ${index + 1} must be an object`, node.pos);
      return null;
    }
    const before = this.errors.length;
    const field = new Map(node.entries.map((e) => [e.key, e]));
    for (const e of node.entries) {
      if (e.key === 'NotAction' || e.key === 'NotResource') {
        this.err('UnsupportedElement', `\`${e.key}\` is not supported in RAM policies`, e.keyPos);
      } else if (e.key === 'Principal' && this.kind !== 'trust') {
        this.err('UnsupportedElement', '`Principal` is only allowed in a role trust policy', e.keyPos);
      } else if (!['Sid', 'Effect', 'Action', 'Resource', 'Condition', 'Principal'].includes(e.key)) {
        this.err('InvalidStatement', `Unknown element \`${e.key}\` in statement ${index + 1}`, e.keyPos);
      }
    }
    const sid = field.get('Sid');
    if (sid !== undefined && sid.value.kind !== 'string') this.err('InvalidStatement', '`Sid` must be a string', sid.value.pos);

    const effectEntry = field.get('Effect');
    let effect: Effect = 'Deny';
    if (effectEntry === undefined) this.err('InvalidStatement', `Statement ${index + 1} has no \`Effect\``, node.pos);
    else if (effectEntry.value.kind === 'string' && (effectEntry.value.value === 'Allow' || effectEntry.value.value === 'Deny')) effect = effectEntry.value.value;
    else {
      const shown = effectEntry.value.kind === 'string' ? `\`${effectEntry.value.value}\`` : effectEntry.value.kind;
      this.err('InvalidEffect', `The effect ${shown} is invalid: expected \`Allow\` or \`Deny\``, effectEntry.value.pos);
    }

    const actions: string[] = [];
    const actionEntry = field.get('Action');
    if (actionEntry === undefined) {
      if (!field.has('NotAction')) this.err('InvalidStatement', `Statement ${index + 1} has no \`Action\``, node.pos);
    } else {
      for (const a of this.stringList(actionEntry.value, 'Action', 'InvalidAction') ?? []) if (this.action(a.value, a.pos)) actions.push(a.value);
    }

    let resources: string[] | null = null;
    const resourceEntry = field.get('Resource');
    if (resourceEntry === undefined) {
      if (this.kind !== 'trust' && !field.has('NotResource')) this.err('InvalidStatement', `Statement ${index + 1} has no \`Resource\``, node.pos);
    } else {
      resources = [];
      for (const r of this.stringList(resourceEntry.value, 'Resource', 'InvalidResource') ?? []) if (this.resource(r.value, r.pos)) resources.push(r.value);
    }

    let principal: Principal | undefined;
    const principalEntry = field.get('Principal');
    if (this.kind === 'trust') {
      if (principalEntry === undefined) this.err('InvalidPrincipal', `Statement ${index + 1} of a trust policy has no \`Principal\``, node.pos);
      else principal = this.principal(principalEntry.value) ?? undefined;
    }

    const conditionEntry = field.get('Condition');
    const conditions = conditionEntry === undefined ? [] : (this.condition(conditionEntry.value) ?? []);

    if (this.errors.length > before) return null;
    const s: Statement = { index, effect, actions, resources, conditions, position: node.pos };
    if (sid !== undefined && sid.value.kind === 'string') s.sid = sid.value.value;
    if (principal !== undefined) s.principal = principal;
    return s;
  }
}

/**
 * Validates a parsed document. Collects every error (in document order) rather than stopping at
 * the first; the API reports the first.
 */
export function validatePolicy(root: JsonNode, options: ValidateOptions): Result<Policy> {
  const kind = options.kind ?? 'identity';
  const maxStatements = options.maxStatements ?? POLICY_MAX_STATEMENTS;
  const c = new Checker(kind);
  if (root.kind !== 'object') {
    c.err('InvalidDocument', 'The policy document must be a JSON object', root.pos);
    return { ok: false, errors: c.errors };
  }
  const field = new Map(root.entries.map((e) => [e.key, e]));
  for (const e of root.entries) {
    if (e.key !== 'Version' && e.key !== 'Statement') c.err('InvalidDocument', `Unknown element \`${e.key}\` in the policy document`, e.keyPos);
  }
  const version = field.get('Version');
  if (version === undefined) c.err('InvalidVersion', 'The policy document has no `Version` (expected "1")', root.pos);
  else if (version.value.kind !== 'string' || version.value.value !== '1') {
    const shown = version.value.kind === 'string' ? `\`${version.value.value}\`` : version.value.kind === 'number' ? `the number ${version.value.raw}` : version.value.kind;
    c.err('InvalidVersion', `The policy version ${shown} is invalid: expected the string "1"`, version.value.pos);
  }
  const statementEntry = field.get('Statement');
  const statements: Statement[] = [];
  if (statementEntry === undefined) c.err('InvalidDocument', 'The policy document has no `Statement`', root.pos);
  else {
    const node = statementEntry.value;
    const items = node.kind === 'array' ? node.items : node.kind === 'object' ? [node] : null;
    if (items === null) c.err('InvalidStatement', '`Statement` must be an object or a list of objects', node.pos);
    else if (items.length === 0) c.err('InvalidStatement', '`Statement` must not be empty', node.pos);
    else if (items.length > maxStatements) c.err('TooManyStatements', `The policy has ${items.length} statements; at most ${maxStatements} are allowed`, node.pos);
    else {
      items.forEach((item, i) => {
        const s = c.statement(item, i);
        if (s !== null) statements.push(s);
      });
    }
  }
  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  return { ok: true, value: { name: options.name, kind, statements } };
}

/** parse + validate: policy text → validated Policy or its errors. */
export function loadPolicy(text: string, options: ValidateOptions & ParseOptions): Result<Policy> {
  const parsed = parseJson(text, options);
  if (!parsed.ok) return parsed;
  return validatePolicy(parsed.value, options);
}
