// The RAM policy engine (src/engine/policy): each stage on its own (parse errors with positions,
// validation errors, the condition operator families, wildcards, deny precedence, session
// narrowing, trust policies), then property tests holding the compiled evaluator to the reference
// (policy-reference.ts) on random documents and requests, and the 2,000 agreed fixture decisions
// (test/fixtures/ram-bench-*.json, copied from /work/shared/fixtures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  OPERATORS,
  type ContextValue, type Decision, type DecisionKind, type Match, type Operator, type Policy, type PolicyError, type PolicyErrorCode,
  type PolicyKind, type PolicyRequest, type RequestContext, type RequestPrincipal,
} from '../../src/engine/policy/ast.ts';
import { parseJson, positionAt, toPlain } from '../../src/engine/policy/parse.ts';
import { loadPolicy } from '../../src/engine/policy/validate.ts';
import { parseIpv4, parseIsoDate } from '../../src/engine/policy/values.ts';
import { compilePolicies, compileWildcard, candidates, ACTION_CACHE_MAX } from '../../src/engine/policy/compile.ts';
import { evaluate, evaluateWithSession, intersect } from '../../src/engine/policy/evaluate.ts';
import { evaluateReference, evaluateWithSessionReference, wildcardMatch } from './policy-reference.ts';
import { ipToInt } from '../../src/engine/cidr.ts';

// ---------------------------------------------------------------------------------------------
// Helpers

function policy(doc: unknown, name = 'p', kind: PolicyKind = 'identity'): Policy {
  const r = loadPolicy(typeof doc === 'string' ? doc : JSON.stringify(doc), { name, kind });
  if (!r.ok) throw new Error(`test policy refused: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.value;
}

function errorsOf(doc: unknown, kind: PolicyKind = 'identity'): PolicyError[] {
  const r = loadPolicy(typeof doc === 'string' ? doc : JSON.stringify(doc), { name: 'p', kind });
  assert.equal(r.ok, false, 'expected the document to be refused');
  return r.ok ? [] : r.errors;
}

function firstError(doc: unknown, code: PolicyErrorCode, kind: PolicyKind = 'identity'): PolicyError {
  const errs = errorsOf(doc, kind);
  const e = errs[0]!;
  assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
  return e;
}

const doc = (...statements: unknown[]) => ({ Version: '1', Statement: statements });
const allow = (Action: unknown, Resource: unknown = '*', Condition?: unknown) => ({ Effect: 'Allow', Action, Resource, ...(Condition === undefined ? {} : { Condition }) });
const deny = (Action: unknown, Resource: unknown = '*', Condition?: unknown) => ({ Effect: 'Deny', Action, Resource, ...(Condition === undefined ? {} : { Condition }) });

function req(action: string, resources: string | string[] = '*', context: RequestContext = {}, principal?: RequestPrincipal): PolicyRequest {
  const r: PolicyRequest = { action, resources: typeof resources === 'string' ? [resources] : resources, context };
  if (principal !== undefined) r.principal = principal;
  return r;
}

function key(m: Match): string {
  return `${m.policy}#${m.statementIndex}:${m.effect}${m.sid === undefined ? '' : `:${m.sid}`}${m.error === undefined ? '' : ':error'}`;
}

/** The compiled engine and the reference agree, and give `expected`; returns the compiled decision. */
function decide(policies: Policy[], r: PolicyRequest, expected: DecisionKind): Decision {
  const d = evaluate(compilePolicies(policies), r);
  const ref = evaluateReference(policies, r);
  assert.equal(d.decision, expected, `compiled: ${JSON.stringify(d)}`);
  assert.equal(ref.decision, expected, 'reference');
  assert.deepEqual(d.matched.map(key), ref.matched.map(key), 'matched lists');
  assert.ok(d.reasons.length > 0, 'a decision explains itself');
  return d;
}

// ---------------------------------------------------------------------------------------------
// Stage 1: parse

test('parse: a document becomes a tree with the position of every node and key', () => {
  const text = '{\n  "Version": "1",\n  "Statement": [\n    {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}\n  ]\n}';
  const r = parseJson(text);
  assert.ok(r.ok);
  const root = r.value;
  assert.equal(root.kind, 'object');
  if (root.kind !== 'object') return;
  assert.deepEqual(root.pos, { offset: 0, line: 1, column: 1 });
  const st = root.entries[1]!;
  assert.equal(st.key, 'Statement');
  assert.deepEqual(st.keyPos, { offset: 22, line: 3, column: 3 });
  assert.equal(st.value.kind, 'array');
  if (st.value.kind !== 'array') return;
  const s0 = st.value.items[0]!;
  assert.deepEqual(s0.pos, { offset: 41, line: 4, column: 5 });
  assert.deepEqual(positionAt(text, 41), s0.pos);
  assert.deepEqual(toPlain(root), JSON.parse(text));
});

test('parse: malformed JSON is refused with the line and column of the fault', () => {
  const cases: [string, number, number, RegExp][] = [
    ['{"Version": "1",\n "Statement": [}', 2, 16, /Unexpected "}", expected a value/],
    ['{"Version": "1" "Statement": []}', 1, 17, /expected ',' or '}'/],
    ['{"Version": \'1\'}', 1, 13, /Unexpected "'"/],
    ['{"Version": "1",}', 1, 17, /expected a quoted key/],
    ['{"Version": "1"} x', 1, 18, /after the end of the document/],
    ['{"Version": "1\n"}', 1, 15, /Control character/],
    ['{"a": "\\x"}', 1, 8, /Invalid escape "\\\\x"/],
    ['{"a": "abc', 1, 7, /Unterminated string/],
    ['{"a": 01}', 1, 8, /expected ',' or '}'/],
    ['{"a": tru}', 1, 7, /expected a value/],
    ['', 1, 1, /Unexpected end of text/],
    ['\ufeff{}', 1, 1, /Byte-order mark/],
    ['{"Effect": "Allow",\n  "Effect": "Deny"}', 2, 3, /Duplicate key "Effect"/],
  ];
  for (const [text, line, column, message] of cases) {
    const r = parseJson(text);
    assert.equal(r.ok, false, text);
    if (r.ok) continue;
    const e = r.errors[0]!;
    assert.equal(e.code, 'MalformedJson', text);
    assert.match(e.message, message, text);
    assert.equal(e.position?.line, line, `${text}: line (${e.message})`);
    assert.equal(e.position?.column, column, `${text}: column (${e.message})`);
    assert.match(e.message, new RegExp(`line ${line}, column ${column}`));
  }
});

test('parse: size and nesting are capped', () => {
  const filler = (n: number) => `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*","Sid":"${'x'.repeat(n)}"}]}`;
  const base = filler(0).length;
  assert.ok(parseJson(filler(4096 - base)).ok, 'exactly 4,096 characters is fine');
  const big = parseJson(filler(4097 - base));
  assert.equal(big.ok, false);
  if (!big.ok) {
    assert.equal(big.errors[0]!.code, 'PolicyTooLarge');
    assert.match(big.errors[0]!.message, /4097 characters; at most 4096/);
  }
  // a larger configured limit, and the byte limit of STS session policies (1,024 bytes)
  assert.ok(parseJson(filler(5000), { maxChars: 10_000 }).ok);
  const bytes = parseJson(filler(1000 - base).replace('xx', 'éé'), { maxBytes: 1024 });
  assert.ok(bytes.ok, 'multi-byte characters under the limit');
  const over = parseJson(filler(1022 - base).replace('xxx', 'ééé'), { maxBytes: 1024 });
  assert.equal(over.ok, false);
  if (!over.ok) assert.match(over.errors[0]!.message, /1025 bytes; at most 1024/);
  // nesting: 10 levels parse, 11 are refused at the 11th opening bracket
  assert.ok(parseJson('['.repeat(10) + ']'.repeat(10)).ok);
  const deep = parseJson('['.repeat(11) + ']'.repeat(11));
  assert.ok(!deep.ok);
  if (!deep.ok) {
    assert.equal(deep.errors[0]!.code, 'PolicyTooDeep');
    assert.equal(deep.errors[0]!.position?.column, 11);
  }
  // a deep document does not overflow the stack: it stops at the cap
  const huge = parseJson('['.repeat(4000), { maxChars: 10_000 });
  assert.equal(huge.ok ? 'ok' : huge.errors[0]!.code, 'PolicyTooDeep');
});

test('parse: agrees with JSON.parse on generated values and on damaged texts (property)', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
      const text = JSON.stringify(v, null, 1);
      const r = parseJson(text, { maxChars: 1e9, maxDepth: 100 });
      assert.ok(r.ok, text);
      if (r.ok) assert.deepEqual(toPlain(r.value), JSON.parse(text));
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), fc.nat(), fc.constantFrom('', '"', ',', '{', '}', '[', ']', ':', '\\', '0', 'e', '-', ' '), (v, at, ch) => {
      const base = JSON.stringify(v);
      const i = at % (base.length + 1);
      const text = base.slice(0, i) + ch + base.slice(i + (ch === '' ? 1 : 0));
      let expected: unknown;
      let valid = true;
      try {
        expected = JSON.parse(text);
      } catch {
        valid = false;
      }
      const r = parseJson(text, { maxChars: 1e9, maxDepth: 100 });
      if (r.ok) {
        assert.ok(valid, `we accepted what JSON.parse refuses: ${text}`);
        assert.deepEqual(toPlain(r.value), expected);
      } else if (valid) {
        assert.match(r.errors[0]!.message, /Duplicate key/, `we refused valid JSON: ${text}`);
      }
    }),
    { numRuns: 3000 },
  );
});

// ---------------------------------------------------------------------------------------------
// Stage 2: validate

test('validate: the fixture policy and a trust policy are accepted, with typed values', () => {
  const p = policy(readFileSync(new URL('../fixtures/ram-bench-policy.json', import.meta.url), 'utf8'), 'bench');
  assert.equal(p.statements.length, 20);
  const s13 = p.statements[12]!;
  assert.equal(s13.sid, 's13');
  assert.deepEqual(s13.conditions[0], {
    operator: 'IpAddress', key: 'acs:SourceIp', negated: false, position: s13.conditions[0]!.position, family: 'Ip',
    values: [{ base: ipToInt('10.0.0.0')!, size: 2 ** 24 }, { base: ipToInt('192.168.1.0')!, size: 256 }],
  });
  assert.equal(s13.position.line, 16);
  const single = policy({ Version: '1', Statement: { Effect: 'Deny', Action: 'ecs:*', Resource: 'acs:ecs:*:*:instance/*' } });
  assert.deepEqual(single.statements[0]!.actions, ['ecs:*']);
  const trust = policy({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'], RAM: ['1234567890123456', 'acs:ram::99:role/ops'] } }] }, 'trust', 'trust');
  assert.deepEqual(trust.statements[0]!.principal, { Service: ['ecs.aliyuncs.com'], RAM: ['acs:ram::1234567890123456:root', 'acs:ram::99:role/ops'], Federated: [] });
  assert.equal(trust.statements[0]!.resources, null);
});

test('validate: document, version and statement errors carry codes and positions', () => {
  assert.match(firstError('[]', 'InvalidDocument').message, /must be a JSON object/);
  assert.match(firstError({ Statement: [allow('ecs:*')] }, 'InvalidVersion').message, /no `Version`/);
  const v = firstError('{"Version": 1, "Statement": []}', 'InvalidVersion');
  assert.match(v.message, /the number 1 is invalid: expected the string "1"/);
  assert.equal(v.position?.column, 13);
  firstError({ Version: '2', Statement: [allow('ecs:*')] }, 'InvalidVersion');
  firstError({ Version: '1', Id: 'x', Statement: [allow('ecs:*')] }, 'InvalidDocument');
  firstError({ Version: '1' }, 'InvalidDocument');
  firstError({ Version: '1', Statement: [] }, 'InvalidStatement');
  firstError({ Version: '1', Statement: 'x' }, 'InvalidStatement');
  firstError({ Version: '1', Statement: ['x'] }, 'InvalidStatement');
  // 101 short statements do not fit in 4,096 characters; with a larger size limit the count cap applies
  const many = (n: number) => JSON.stringify(doc(...Array.from({ length: n }, () => allow('ecs:*'))));
  assert.equal(errorsOf(many(101))[0]!.code, 'PolicyTooLarge');
  const tooMany = loadPolicy(many(101), { name: 'p', maxChars: 100_000 });
  assert.equal(tooMany.ok ? 'ok' : tooMany.errors[0]!.message, 'The policy has 101 statements; at most 100 are allowed (line 1, column 28)');
  assert.ok(loadPolicy(many(100), { name: 'p', maxChars: 100_000 }).ok);
  assert.equal(loadPolicy(many(3), { name: 'p', maxStatements: 2 }).ok, false);
  firstError(doc({ Action: 'ecs:*', Resource: '*' }), 'InvalidStatement');
  firstError(doc({ Effect: 'Allow', Resource: '*' }), 'InvalidStatement');
  firstError(doc({ Effect: 'Allow', Action: 'ecs:*' }), 'InvalidStatement');
  assert.match(firstError(doc({ ...allow('ecs:*'), Foo: 1 }), 'InvalidStatement').message, /Unknown element `Foo`/);
  firstError(doc({ ...allow('ecs:*'), Sid: 5 }), 'InvalidStatement');
  // the position points at the offending value in the text
  const text = '{"Version":"1","Statement":[\n {"Effect":"Allow","Action":"ecs:*","Resource":"*"},\n {"Effect":"allow","Action":"ecs:*","Resource":"*"}]}';
  const e = firstError(text, 'InvalidEffect');
  assert.deepEqual(e.position, { offset: text.indexOf('"allow"'), line: 3, column: 12 });
  assert.match(e.message, /The effect `allow` is invalid: expected `Allow` or `Deny` \(line 3, column 12\)/);
});

test('validate: actions and resources', () => {
  for (const a of ['*', 'ecs:*', 'ecs:DescribeInstances', 'ecs:Describe*', 'ecs:?escribe*', '*:Describe*', 'oss:GetObject']) policy(doc(allow(a)));
  for (const a of ['ecs', 'ecs:', ':Describe', 'ecs:Describe Instances', 'ecs:a:b', '']) {
    assert.match(firstError(doc(allow(a)), 'InvalidAction').message, /expected `\*` or `<service>:<operation>`/, a);
  }
  firstError(doc(allow([])), 'InvalidAction');
  firstError(doc(allow(['ecs:*', 5])), 'InvalidAction');
  firstError(doc(allow({ a: 1 })), 'InvalidAction');
  for (const r of ['*', 'acs:ecs:*:*:*', 'acs:ecs:cn-hangzhou:123:instance/i-1', 'acs:ram::123:role/x', 'acs:oss:*:*:bucket/a:b/c', 'acs:ecs:cn-?:*:instance/*']) policy(doc(allow('ecs:*', r)));
  for (const r of ['acs:ecs', 'acs:ecs:*:*', 'acs::*:*:x', 'arn:aws:s3:::b', 'acs:ecs:*:*:', 'instance/*', 'acs:ecs:cn hz:*:x']) {
    assert.match(firstError(doc(allow('ecs:*', r)), 'InvalidResource').message, /acs:<service>:<region>:<account>:<relative-id>/, r);
  }
  firstError(doc(allow('ecs:*', [])), 'InvalidResource');
});

test('validate: NotAction, NotResource and Principal are refused in identity policies', () => {
  assert.match(firstError(doc({ Effect: 'Allow', NotAction: 'ecs:*', Resource: '*' }), 'UnsupportedElement').message, /`NotAction` is not supported/);
  firstError(doc({ Effect: 'Allow', Action: 'ecs:*', NotResource: '*' }), 'UnsupportedElement');
  assert.match(firstError(doc({ ...allow('ecs:*'), Principal: { Service: 'ecs.aliyuncs.com' } }), 'UnsupportedElement').message, /only allowed in a role trust policy/);
  // trust policies: Principal required and well formed, sts actions only
  firstError(doc(allow('sts:AssumeRole')), 'InvalidPrincipal', 'trust');
  firstError(doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' }), 'InvalidPrincipal', 'trust');
  firstError(doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'x' } }), 'InvalidPrincipal', 'trust');
  firstError(doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: 'root' } }), 'InvalidPrincipal', 'trust');
  firstError(doc({ Effect: 'Allow', Action: 'ecs:*', Principal: { Service: 'ecs.aliyuncs.com' } }), 'InvalidAction', 'trust');
});

test('validate: conditions — operators, keys and typed values', () => {
  const cond = (c: unknown) => doc(allow('ecs:*', '*', c));
  // every operator of ALIBABA-FACTS §4.5 is accepted with a service key and a value of its type
  const sample: Record<string, unknown> = { String: 'prod', Numeric: 5, Date: '2020-01-01T00:00:00Z', Bool: 'true', Ip: '10.0.0.0/8' };
  for (const op of OPERATORS) {
    const fam = op.startsWith('String') ? 'String' : op.startsWith('Numeric') ? 'Numeric' : op.startsWith('Date') ? 'Date' : op === 'Bool' ? 'Bool' : 'Ip';
    policy(cond({ [op]: { 'ecs:tag/env': sample[fam] } }));
  }
  assert.equal(OPERATORS.length, 21);
  assert.match(firstError(cond({ StringEqualsIfExists: { 'ecs:tag/env': 'x' } }), 'InvalidCondition').message, /IfExists operators are not supported/);
  firstError(cond({ stringequals: { 'ecs:tag/env': 'x' } }), 'InvalidCondition');
  firstError(cond({ StringEquals: {} }), 'InvalidCondition');
  firstError(cond({ StringEquals: 'x' }), 'InvalidCondition');
  firstError(cond('x'), 'InvalidCondition');
  policy(cond({})); // an empty Condition is no condition
  firstError(cond({ StringEquals: { env: 'x' } }), 'InvalidCondition');
  policy(cond({ StringEquals: { 'ecs:tag/Cost Center': 'x' } })); // tag keys may contain spaces
  firstError(cond({ StringEquals: { 'ecs:tag/env ': 'x' } }), 'InvalidCondition');
  firstError(cond({ StringEquals: { 'ecs:tag/env': [] } }), 'InvalidCondition');
  assert.match(firstError(cond({ IpAddress: { 'acs:SourceIP6': '1.2.3.4' } }), 'InvalidCondition').message, /Unknown global condition key/);
  // global keys are typed and canonicalized
  assert.match(firstError(cond({ StringEquals: { 'acs:SourceIp': '1.2.3.4' } }), 'InvalidCondition').message, /`acs:SourceIp` cannot be used with `StringEquals`/);
  firstError(cond({ Bool: { 'acs:CurrentTime': 'true' } }), 'InvalidCondition');
  firstError(cond({ DateLessThan: { 'acs:MFAPresent': '2020-01-01' } }), 'InvalidCondition');
  assert.equal(policy(cond({ IpAddress: { 'ACS:sourceip': '1.2.3.4' } })).statements[0]!.conditions[0]!.key, 'acs:SourceIp');
  // values per family
  const bad: [Operator, unknown, RegExp][] = [
    ['StringEquals', 5, /expected a string/],
    ['NumericLessThan', 'five', /`five` .* expected a number/],
    ['NumericLessThan', true, /expected a number/],
    ['DateLessThan', '2020-13-01', /expected an ISO-8601 date/],
    ['DateLessThan', 1577836800000, /expected an ISO-8601 date/],
    ['Bool', 'yes', /expected "true" or "false"/],
    ['Bool', 'True', /expected "true" or "false"/],
    ['IpAddress', '10.0.0.0/33', /expected an IPv4 address or CIDR block/],
    ['IpAddress', '::1', /IPv4/],
    ['NotIpAddress', '010.0.0.1', /IPv4/],
  ];
  for (const [op, value, message] of bad) {
    const e = firstError(cond({ [op]: { 'ecs:tag/env': value } }), 'InvalidCondition');
    assert.match(e.message, message, `${op} ${String(value)}`);
  }
  const good = policy(cond({ NumericEquals: { 'ecs:n': ['7', 2.5, -1] }, DateEquals: { 'acs:CurrentTime': '2020-01-01' }, Bool: { 'acs:MFAPresent': true }, IpAddress: { 'acs:SourceIp': '10.1.2.3/8' } }));
  const [n, d, b, ip] = good.statements[0]!.conditions;
  assert.deepEqual(n!.family === 'Numeric' && n!.values, [7, 2.5, -1]);
  assert.deepEqual(d!.family === 'Date' && d!.values, [Date.UTC(2020, 0, 1)]);
  assert.deepEqual(b!.family === 'Bool' && b!.values, [true]);
  assert.deepEqual(ip!.family === 'Ip' && ip!.values, [{ base: ipToInt('10.0.0.0')!, size: 2 ** 24 }], 'host bits are masked');
});

test('validate: every error is reported, in document order', () => {
  const errs = errorsOf(doc({ Effect: 'Permit', Action: 'ecs', Resource: 'x' }, { Effect: 'Allow', Action: 'ecs:*', Resource: '*', Condition: { Nope: {} } }));
  assert.deepEqual(errs.map((e) => e.code), ['InvalidEffect', 'InvalidAction', 'InvalidResource', 'InvalidCondition']);
  assert.ok(errs.every((e) => e.position !== undefined));
});

test('ISO-8601 dates and strict IPv4', () => {
  assert.equal(parseIsoDate('2020-01-01'), Date.UTC(2020, 0, 1));
  assert.equal(parseIsoDate('2020-01-01T08:00:00+08:00'), Date.UTC(2020, 0, 1));
  assert.equal(parseIsoDate('2020-01-01T08:00+0800'), Date.UTC(2020, 0, 1));
  assert.equal(parseIsoDate('2019-12-31T19:00:00-05:00'), Date.UTC(2020, 0, 1));
  assert.equal(parseIsoDate('2020-01-01T00:00:00.123456Z'), Date.UTC(2020, 0, 1) + 123);
  assert.equal(parseIsoDate('2020-02-29T00:00:00Z'), Date.UTC(2020, 1, 29));
  assert.equal(parseIsoDate('0099-01-01'), new Date('0099-01-01T00:00:00Z').getTime()); // not 1999
  for (const bad of ['2021-02-29', '2020-01-01T24:00:00Z', '2020-01-01T00:00:60Z', '2020-1-1', '20200101', '2020-01-01 00:00:00', '2020-01-01t00:00:00z', '2020-01-01T00:00:00+25:00', 'now', '']) {
    assert.equal(parseIsoDate(bad), null, bad);
  }
  for (const s of ['0.0.0.0', '255.255.255.255', '10.1.2.3', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.1.1.1', '1..1.1', ' 1.1.1.1', '1.1.1.1/32', '::1', '1.1.1.']) {
    assert.equal(parseIpv4(s), ipToInt(s) ?? -1, s);
  }
});

// ---------------------------------------------------------------------------------------------
// Stage 3/4: matching and decisions

test('wildcards: the compiled matchers agree with the reference DP matcher (property)', () => {
  const alphabet = fc.constantFrom('a', 'b', ':', '/', '*', '?');
  const text = fc.constantFrom('a', 'b', ':', '/', '*', '?', 'A');
  fc.assert(
    fc.property(fc.string({ unit: alphabet, maxLength: 8 }), fc.string({ unit: text, maxLength: 10 }), (p, s) => {
      assert.equal(compileWildcard(p)(s), wildcardMatch(p, s), `${p} vs ${s}`);
    }),
    { numRuns: 20_000 },
  );
  // Patterns that make a backtracking matcher try each of thousands choose 6 or 7 placements of
  // their stars: the compiled matcher places each segment once, leftmost, so it answers (a
  // backtracking one would not finish). How long it takes is bench/policy.ts's figure.
  const long = 'a'.repeat(5000);
  assert.equal(compileWildcard('*a*a*a*a*a*a*a*b')(long), false);
  assert.equal(compileWildcard('*a*a*a*a*a*a*a*b')(long + 'b'), true);
  assert.equal(compileWildcard('*a*a*a*a*a*a*ab*')(long), false);
  assert.equal(compileWildcard('*a*a*a*a*a*a*ab*')(long + 'b' + long), true);
  assert.equal(compileWildcard('*a?a*a*a*a*a*a?b*')(long), false);
});

test('actions: wildcards, case-insensitive; resources: wildcards across segments, case-sensitive', () => {
  const p = [policy(doc(allow(['ecs:Describe*', 'vpc:?reateVSwitch', 'ram:GetUser'], ['acs:ecs:*:*:instance/dev-*', 'acs:vpc:cn-hangzhou:*:*', 'acs:ram::123:user/alice'])))];
  decide(p, req('ecs:DescribeInstances', 'acs:ecs:cn-hangzhou:123:instance/dev-1'), 'Allow');
  decide(p, req('ECS:describeinstances', 'acs:ecs:cn-hangzhou:123:instance/dev-1'), 'Allow');
  decide(p, req('ecs:DescribeInstances', 'acs:ecs:cn-hangzhou:123:instance/Dev-1'), 'ImplicitDeny');
  decide(p, req('ecs:StartInstance', 'acs:ecs:cn-hangzhou:123:instance/dev-1'), 'ImplicitDeny');
  decide(p, req('vpc:CreateVSwitch', 'acs:vpc:cn-hangzhou:123:vswitch/vsw-1'), 'Allow');
  decide(p, req('vpc:XCreateVSwitch', 'acs:vpc:cn-hangzhou:123:vswitch/vsw-1'), 'ImplicitDeny');
  decide(p, req('vpc:CreateVSwitch', 'acs:vpc:cn-beijing:123:vswitch/vsw-1'), 'ImplicitDeny');
  decide(p, req('ram:getuser', 'acs:ram::123:user/alice'), 'Allow');
  decide(p, req('ram:GetUser', 'acs:ram::123:user/alice2'), 'ImplicitDeny');
  // `*` crosses `:` and `/`: acs:ecs:*:*:* covers the whole ecs namespace
  const q = [policy(doc(allow('*', 'acs:ecs:*:*:*'), allow('oss:Get*', 'acs:oss:*:*:bucket/*')))];
  decide(q, req('ecs:Anything', 'acs:ecs:cn-beijing:1:a/b/c:d'), 'Allow');
  decide(q, req('oss:GetObject', 'acs:oss:*:1:bucket/a/b.txt'), 'Allow');
  decide(q, req('oss:GetObject', 'acs:oss:*:1:bucket'), 'ImplicitDeny');
});

test('decisions: explicit deny wins over any allow, across policies; no allow is an implicit deny', () => {
  const user = policy(doc(allow('ecs:*')), 'user');
  const group = policy(doc({ Sid: 'no-delete', ...deny('ecs:DeleteInstance', 'acs:ecs:*:*:instance/prod-*') }), 'group');
  const d = decide([user, group], req('ecs:DeleteInstance', 'acs:ecs:cn-hangzhou:1:instance/prod-1'), 'ExplicitDeny');
  assert.deepEqual(d.matched, [
    { policy: 'user', statementIndex: 0, effect: 'Allow' },
    { policy: 'group', statementIndex: 0, effect: 'Deny', sid: 'no-delete' },
  ]);
  assert.deepEqual(d.reasons, ['Explicitly denied by policy "group" Statement[0] (Sid "no-delete")']);
  const a = decide([user, group], req('ecs:DeleteInstance', 'acs:ecs:cn-hangzhou:1:instance/dev-1'), 'Allow');
  assert.deepEqual(a.reasons, ['Allowed by policy "user" Statement[0]']);
  const i = decide([user, group], req('vpc:DeleteVpc', 'acs:vpc:cn-hangzhou:1:vpc/v'), 'ImplicitDeny');
  assert.deepEqual(i.reasons, ['No statement allows `vpc:DeleteVpc` on `acs:vpc:cn-hangzhou:1:vpc/v`']);
  decide([], req('ecs:X'), 'ImplicitDeny');
});

test('decisions: several resources — each must be allowed; a deny on any denies', () => {
  const p = [policy(doc(allow('ecs:*', 'acs:ecs:*:*:instance/*'), allow('ecs:AttachDisk', 'acs:ecs:*:*:disk/d-1'), deny('ecs:*', 'acs:ecs:*:*:disk/locked-*')))];
  decide(p, req('ecs:AttachDisk', ['acs:ecs:r:1:instance/i-1', 'acs:ecs:r:1:disk/d-1']), 'Allow');
  const d = decide(p, req('ecs:AttachDisk', ['acs:ecs:r:1:instance/i-1', 'acs:ecs:r:1:disk/d-2']), 'ImplicitDeny');
  assert.deepEqual(d.reasons, ['No statement allows `ecs:AttachDisk` on `acs:ecs:r:1:disk/d-2`']);
  decide(p, req('ecs:AttachDisk', ['acs:ecs:r:1:instance/i-1', 'acs:ecs:r:1:disk/locked-1']), 'ExplicitDeny');
  const none = evaluate(compilePolicies(p), req('ecs:AttachDisk', []));
  assert.equal(none.decision, 'ImplicitDeny');
  assert.deepEqual(none.reasons, ['The request names no resource']);
});

test('conditions: String family', () => {
  const c = (op: string, v: unknown) => [policy(doc(allow('ecs:*', '*', { [op]: { 'ecs:tag/env': v } })))];
  const r = (v: ContextValue) => req('ecs:X', '*', { 'ecs:tag/env': v });
  decide(c('StringEquals', ['prod', 'staging']), r('staging'), 'Allow');
  decide(c('StringEquals', 'prod'), r('Prod'), 'ImplicitDeny');
  decide(c('StringEquals', 'prod'), req('ecs:X'), 'ImplicitDeny'); // missing key
  decide(c('StringNotEquals', ['prod', 'staging']), r('dev'), 'Allow');
  decide(c('StringNotEquals', ['prod', 'staging']), r('prod'), 'ImplicitDeny'); // NOR, not OR
  decide(c('StringNotEquals', 'prod'), req('ecs:X'), 'Allow'); // missing key: Not* holds
  decide(c('StringEqualsIgnoreCase', 'PROD'), r('prod'), 'Allow');
  decide(c('StringNotEqualsIgnoreCase', 'PROD'), r('Prod'), 'ImplicitDeny');
  decide(c('StringLike', ['pr?d', 'dev-*']), r('dev-42'), 'Allow');
  decide(c('StringLike', 'pr?d'), r('PROD'), 'ImplicitDeny');
  decide(c('StringNotLike', 'dev-*'), r('prod'), 'Allow');
  decide(c('StringNotLike', 'dev-*'), r('dev-1'), 'ImplicitDeny');
  // list-valued context: any element satisfies a positive operator; none may for a negated one
  decide(c('StringEquals', 'prod'), r(['dev', 'prod']), 'Allow');
  decide(c('StringNotEquals', 'prod'), r(['dev', 'prod']), 'ImplicitDeny');
  decide(c('StringEquals', 'prod'), r([]), 'ImplicitDeny');
  decide(c('StringNotEquals', 'prod'), r([]), 'Allow');
  decide(c('StringEquals', '7'), r(7), 'Allow'); // numbers and booleans compare as their text
});

test('conditions: Numeric and Date families', () => {
  const n = (op: string, v: unknown) => [policy(doc(allow('ecs:*', '*', { [op]: { 'ecs:count': v } })))];
  const rn = (v: ContextValue) => req('ecs:X', '*', { 'ecs:count': v });
  decide(n('NumericEquals', [1, 2]), rn(2), 'Allow');
  decide(n('NumericEquals', '2'), rn('2.0'), 'Allow');
  decide(n('NumericNotEquals', [1, 2]), rn(2), 'ImplicitDeny');
  decide(n('NumericNotEquals', [1, 2]), rn(3), 'Allow');
  decide(n('NumericLessThan', 10), rn(9.5), 'Allow');
  decide(n('NumericLessThan', 10), rn(10), 'ImplicitDeny');
  decide(n('NumericLessThanEquals', 10), rn(10), 'Allow');
  decide(n('NumericGreaterThan', [10, 20]), rn(15), 'Allow'); // OR over values
  decide(n('NumericGreaterThan', 10), rn(10), 'ImplicitDeny');
  decide(n('NumericGreaterThanEquals', 10), rn('10'), 'Allow');
  decide(n('NumericLessThan', 10), req('ecs:X'), 'ImplicitDeny');
  decide(n('NumericNotEquals', 10), req('ecs:X'), 'Allow');

  const d = (op: string, v: unknown) => [policy(doc(allow('ecs:*', '*', { [op]: { 'acs:CurrentTime': v } })))];
  const rd = (v: string | number) => req('ecs:X', '*', { 'acs:CurrentTime': v });
  decide(d('DateLessThan', '2020-01-01T00:00:00Z'), rd('2019-12-31T23:59:59Z'), 'Allow');
  decide(d('DateLessThan', '2020-01-01T08:00:00+08:00'), rd('2020-01-01T00:00:00Z'), 'ImplicitDeny'); // the same instant
  decide(d('DateLessThanEquals', '2020-01-01T08:00:00+08:00'), rd('2020-01-01T00:00:00Z'), 'Allow');
  decide(d('DateGreaterThan', '2020-01-01'), rd(Date.UTC(2020, 0, 2)), 'Allow'); // epoch ms in the context
  decide(d('DateGreaterThanEquals', '2020-01-01'), rd('2019-06-01'), 'ImplicitDeny');
  decide(d('DateEquals', ['2020-01-01', '2021-01-01']), rd('2021-01-01T00:00:00.000Z'), 'Allow');
  decide(d('DateNotEquals', '2020-01-01'), rd('2021-01-01'), 'Allow');
  decide(d('DateNotEquals', '2020-01-01'), rd('2020-01-01'), 'ImplicitDeny');
  decide(d('DateLessThan', '2020-01-01'), req('ecs:X'), 'ImplicitDeny');
  decide(d('DateNotEquals', '2020-01-01'), req('ecs:X'), 'Allow');
});

test('conditions: Bool and IpAddress families; several keys and operators are AND-ed', () => {
  const b = [policy(doc(allow('ecs:*', '*', { Bool: { 'acs:SecureTransport': 'true', 'acs:MFAPresent': true } })))];
  decide(b, req('ecs:X', '*', { 'acs:SecureTransport': true, 'acs:MFAPresent': true }), 'Allow');
  decide(b, req('ecs:X', '*', { 'acs:SecureTransport': true, 'acs:MFAPresent': false }), 'ImplicitDeny');
  decide(b, req('ecs:X', '*', { 'acs:SecureTransport': true }), 'ImplicitDeny');
  const ip = [policy(doc(allow('ecs:*', '*', { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '203.0.113.7'] }, NotIpAddress: { 'acs:SourceIp': '10.9.0.0/16' } })))];
  decide(ip, req('ecs:X', '*', { 'acs:SourceIp': '10.1.2.3' }), 'Allow');
  decide(ip, req('ecs:X', '*', { 'acs:SourceIp': '203.0.113.7' }), 'Allow');
  decide(ip, req('ecs:X', '*', { 'acs:SourceIp': '203.0.113.8' }), 'ImplicitDeny');
  decide(ip, req('ecs:X', '*', { 'acs:SourceIp': '10.9.1.1' }), 'ImplicitDeny');
  decide(ip, req('ecs:X', '*', {}), 'ImplicitDeny');
  // the SPEC §3 example: deny everything from outside the corporate network
  const corp = [policy(doc(allow('ecs:*'), deny('*', '*', { NotIpAddress: { 'acs:SourceIp': ['192.168.0.0/16'] } })))];
  decide(corp, req('ecs:StartInstance', '*', { 'acs:SourceIp': '192.168.3.4' }), 'Allow');
  decide(corp, req('ecs:StartInstance', '*', { 'acs:SourceIp': '8.8.8.8' }), 'ExplicitDeny');
  decide(corp, req('ecs:StartInstance', '*', {}), 'ExplicitDeny'); // no source address: NotIpAddress holds
});

test('conditions that cannot be evaluated: an Allow grants nothing, a Deny denies (fail closed)', () => {
  const p = [policy(doc(allow('ecs:*', '*', { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } })))];
  const d = decide(p, req('ecs:X', '*', { 'acs:SourceIp': '10.0.0.0/8' }), 'ImplicitDeny'); // a CIDR, not an address
  assert.equal(d.matched[0]!.error, 'the context value of `acs:SourceIp` is "10.0.0.0/8", not an IPv4 address');
  assert.match(d.reasons[1]!, /Not allowed by policy "p" Statement\[0\]: its condition could not be evaluated/);
  decide(p, req('ecs:X', '*', { 'acs:SourceIp': '::1' }), 'ImplicitDeny');
  const guard = [policy(doc(allow('ecs:*'), deny('ecs:*', '*', { NumericGreaterThan: { 'ecs:count': 5 } })))];
  const g = decide(guard, req('ecs:X', '*', { 'ecs:count': 'many' }), 'ExplicitDeny');
  assert.match(g.reasons[0]!, /a Deny fails closed/);
  decide(guard, req('ecs:X', '*', { 'ecs:count': 3 }), 'Allow');
  // a false condition beside an erring one: the statement simply does not match
  const mixed = [policy(doc(allow('ecs:*'), deny('ecs:*', '*', { NumericGreaterThan: { 'ecs:count': 5 }, StringEquals: { 'ecs:tag/env': 'prod' } })))];
  decide(mixed, req('ecs:X', '*', { 'ecs:count': 'many', 'ecs:tag/env': 'dev' }), 'Allow');
  decide(mixed, req('ecs:X', '*', { 'ecs:count': 'many', 'ecs:tag/env': 'prod' }), 'ExplicitDeny');
  for (const [op, key, value] of [['DateLessThan', 'acs:CurrentTime', 'soon'], ['Bool', 'acs:MFAPresent', 'yes'], ['NumericEquals', 'ecs:n', ['1', 'x']]] as const) {
    const q = [policy(doc(allow('ecs:*', '*', { [op]: { [key]: op === 'Bool' ? 'true' : op === 'DateLessThan' ? '2030-01-01' : 1 } })))];
    const r = decide(q, req('ecs:X', '*', { [key]: value as ContextValue }), 'ImplicitDeny');
    assert.ok(r.matched[0]!.error !== undefined);
  }
});

test('trust policies: Principal decides who may assume the role', () => {
  const trust = [policy({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'], RAM: ['acs:ram::1234:root', 'acs:ram::99:user/ops'] } }] }, 'trust', 'trust')];
  const role = 'acs:ram::1234:role/EcsRole';
  decide(trust, req('sts:AssumeRole', role, {}, { type: 'Service', id: 'ECS.aliyuncs.com' }), 'Allow');
  decide(trust, req('sts:AssumeRole', role, {}, { type: 'Service', id: 'fc.aliyuncs.com' }), 'ImplicitDeny');
  decide(trust, req('sts:AssumeRole', role, {}, { type: 'RAM', id: 'acs:ram::1234:user/alice' }), 'Allow'); // the account's root trusts its identities
  decide(trust, req('sts:AssumeRole', role, {}, { type: 'RAM', id: 'acs:ram::99:user/ops' }), 'Allow');
  decide(trust, req('sts:AssumeRole', role, {}, { type: 'RAM', id: 'acs:ram::99:user/dev' }), 'ImplicitDeny');
  decide(trust, req('sts:AssumeRole', role, {}, { type: 'RAM', id: 'acs:ram::12345:user/x' }), 'ImplicitDeny');
  decide(trust, req('sts:AssumeRole', role), 'ImplicitDeny'); // no principal
  decide(trust, req('sts:GetCallerIdentity', role, {}, { type: 'Service', id: 'ecs.aliyuncs.com' }), 'ImplicitDeny');
});

test('session policies narrow: allowed only when both allow, denied when either denies', () => {
  const identity = [policy(doc(allow(['ecs:*', 'vpc:Describe*']), deny('ecs:DeleteInstance')), 'role')];
  const session = [policy(doc(allow(['ecs:Describe*', 'ecs:DeleteInstance', 'oss:*']), deny('ecs:DescribeUserData')), 'session')];
  const set = compilePolicies(identity);
  const sset = compilePolicies(session);
  const check = (action: string, expected: DecisionKind): Decision => {
    const r = req(action, 'acs:ecs:cn-hangzhou:1:instance/i-1');
    const d = evaluateWithSession(set, sset, r);
    const ref = evaluateWithSessionReference(identity, session, r);
    assert.equal(d.decision, expected, action);
    assert.equal(ref.decision, expected, `${action} (reference)`);
    assert.deepEqual(d.matched.map(key), ref.matched.map(key));
    return d;
  };
  const both = check('ecs:DescribeInstances', 'Allow');
  assert.deepEqual(both.reasons, ['identity: Allowed by policy "role" Statement[0]', 'session: Allowed by policy "session" Statement[0]']);
  const narrowed = check('ecs:StartInstance', 'ImplicitDeny'); // the role allows it, the session does not
  assert.deepEqual(narrowed.reasons, ['session: No statement allows `ecs:StartInstance` on `acs:ecs:cn-hangzhou:1:instance/i-1`']);
  check('oss:GetObject', 'ImplicitDeny'); // the session cannot widen the role
  const d1 = check('ecs:DeleteInstance', 'ExplicitDeny'); // the role denies
  assert.deepEqual(d1.reasons, ['identity: Explicitly denied by policy "role" Statement[1]']);
  check('ecs:DescribeUserData', 'ExplicitDeny'); // the session denies
  // intersect on its own
  const allowD: Decision = { decision: 'Allow', matched: [], reasons: ['a'] };
  const implicitD: Decision = { decision: 'ImplicitDeny', matched: [], reasons: ['i'] };
  const denyD: Decision = { decision: 'ExplicitDeny', matched: [], reasons: ['d'] };
  assert.equal(intersect(allowD, allowD).decision, 'Allow');
  assert.equal(intersect(allowD, implicitD).decision, 'ImplicitDeny');
  assert.equal(intersect(implicitD, allowD).decision, 'ImplicitDeny');
  assert.equal(intersect(denyD, allowD).decision, 'ExplicitDeny');
  assert.equal(intersect(implicitD, denyD).decision, 'ExplicitDeny');
});

test('compile: actions are indexed and their candidates memoized, with a bounded memo', () => {
  const set = compilePolicies([policy(doc(allow('ecs:DescribeInstances'), allow('ecs:Describe*'), allow('*'), allow('e?s:*'), allow('vpc:*')))]);
  assert.deepEqual([...set.exactActions.keys()], ['ecs:describeinstances']);
  assert.equal(set.serviceActions.get('ecs')!.length, 1);
  assert.equal(set.anyServiceActions.length, 2);
  assert.deepEqual(candidates(set, 'ECS:DescribeInstances').map((s) => s.id), [0, 1, 2, 3]);
  assert.deepEqual(candidates(set, 'vpc:DescribeVpcs').map((s) => s.id), [2, 4]);
  assert.equal(candidates(set, 'vpc:DescribeVpcs'), candidates(set, 'vpc:DescribeVpcs'), 'memoized');
  for (let i = 0; i < ACTION_CACHE_MAX + 10; i++) candidates(set, `x:y${i}`);
  assert.ok(set.actionCache.size <= ACTION_CACHE_MAX);
  // shared match entries are frozen: a caller mutating a decision cannot corrupt the next one
  const d = evaluate(set, req('vpc:X'));
  assert.throws(() => {
    // the cast: Match.effect is typed read-write; this checks that the shared entry is frozen anyway
    (d.matched[0] as { effect: string }).effect = 'Deny';
  });
});

// ---------------------------------------------------------------------------------------------
// Property: the compiled engine against the reference, on random documents and requests

const SERVICES = ['ecs', 'vpc', 'sts'];
const OPS = ['DescribeInstances', 'DeleteInstance', 'StartInstance', 'CreateVSwitch', 'AssumeRole'];
const REGIONS = ['cn-hangzhou', 'cn-beijing', ''];
const ACCOUNTS = ['111', '222'];
const RELATIVES = ['instance/i-1', 'instance/dev-2', 'Instance/dev-2', 'disk/d-1', 'vpc/prod-1', 'vswitch/vsw-x', 'role/r'];

const caseVariant = (s: string) => fc.constantFrom(s, s.toLowerCase(), s.toUpperCase());
const arbAction = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...SERVICES), fc.constantFrom(...OPS)).chain(([s, o]) => caseVariant(`${s}:${o}`)) },
  { weight: 1, arbitrary: fc.constantFrom('ecs:', 'ecs', 'x:y:z') },
);
const arbActionPattern = fc.oneof(
  fc.tuple(fc.constantFrom(...SERVICES), fc.constantFrom(...OPS)).chain(([s, o]) => caseVariant(`${s}:${o}`)),
  fc.constantFrom('*', 'ecs:*', 'vpc:*', 'sts:*', 'ecs:Describe*', 'ECS:describe*', 'ecs:*Instance', 'ecs:?escribe*', '*:Describe*', 'e?s:*', '*:*Instance*', 'ecs:*e*e*', 'vpc:Create?Switch'),
);
const arbResource = fc.tuple(fc.constantFrom(...SERVICES), fc.constantFrom(...REGIONS), fc.constantFrom(...ACCOUNTS), fc.constantFrom(...RELATIVES))
  .map(([s, r, a, rel]) => `acs:${s}:${r}:${a}:${rel}`);
const arbResourcePattern = fc.oneof(
  { weight: 1, arbitrary: fc.constant('*') },
  { weight: 2, arbitrary: arbResource },
  {
    weight: 4,
    arbitrary: fc.tuple(
      fc.constantFrom('ecs', 'vpc', 'sts', '*', 'e*', '?cs'),
      fc.constantFrom('cn-hangzhou', '*', 'cn-*', '', 'cn-?eijing'),
      fc.constantFrom('111', '*', '1?1', '2*'),
      fc.constantFrom('instance/i-1', '*', 'instance/*', '*/prod-*', 'instance/?-1', 'i*e/*-?', '*-1', 'disk/*', 'Instance/*', '*i*'),
    ).map(([s, r, a, rel]) => `acs:${s}:${r}:${a}:${rel}`),
  },
);

const FAMILY_VALUES: Record<string, readonly unknown[]> = {
  String: ['prod', 'dev', 'Prod', 'pr*', '?ev', '*', '', '7'],
  Numeric: [0, 1, 5, 10, -3, 2.5, '7'],
  Date: ['2020-01-01', '2020-01-01T00:00:00Z', '2021-06-15T12:30:00+08:00', '2019-12-31T23:59:59.999Z'],
  Bool: [true, false, 'true', 'false'],
  Ip: ['10.0.0.0/8', '192.168.1.0/24', '10.1.2.3', '0.0.0.0/0', '172.16.0.0/12', '8.8.8.8/32'],
};
const familyOf = (op: string) => (op.startsWith('String') ? 'String' : op.startsWith('Numeric') ? 'Numeric' : op.startsWith('Date') ? 'Date' : op === 'Bool' ? 'Bool' : 'Ip');
const KEYS_FOR: Record<string, string[]> = {
  String: ['ecs:tag/env', 'ecs:count'],
  Numeric: ['ecs:count', 'ecs:tag/env'],
  Date: ['acs:CurrentTime', 'ecs:tag/env'],
  Bool: ['acs:SecureTransport', 'acs:MFAPresent', 'ecs:tag/env'],
  Ip: ['acs:SourceIp', 'ecs:tag/env'],
};
const arbConditionEntry = fc.constantFrom(...OPERATORS).chain((op) => {
  const fam = familyOf(op);
  return fc.tuple(fc.constant(op), fc.constantFrom(...KEYS_FOR[fam]!), fc.array(fc.constantFrom(...FAMILY_VALUES[fam]!), { minLength: 1, maxLength: 3 }), fc.boolean());
});
const arbCondition = fc.array(arbConditionEntry, { maxLength: 3 }).map((entries) => {
  const c: Record<string, Record<string, unknown>> = {};
  for (const [op, k, vs, scalar] of entries) (c[op] ??= {})[k] = scalar && vs.length === 1 ? vs[0] : vs;
  return c;
});
const oneOrMany = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.array(a, { minLength: 1, maxLength: 3 }));
const arbStatement = fc.record(
  { Sid: fc.constantFrom('a', 'b'), Effect: fc.constantFrom('Allow', 'Allow', 'Deny'), Action: oneOrMany(arbActionPattern), Resource: oneOrMany(arbResourcePattern), Condition: arbCondition },
  { requiredKeys: ['Effect', 'Action', 'Resource'] },
);
const arbIdentityDoc = fc.array(arbStatement, { minLength: 1, maxLength: 4 }).map((s) => ({ Version: '1', Statement: s }));
const arbTrustDoc = fc.array(
  fc.record({
    Effect: fc.constantFrom('Allow', 'Deny'),
    Action: oneOrMany(fc.constantFrom('sts:AssumeRole', 'sts:*', 'STS:assumerole', 'sts:Assume?ole')),
    Principal: fc.record({ Service: oneOrMany(fc.constantFrom('ecs.aliyuncs.com', 'fc.aliyuncs.com')), RAM: oneOrMany(fc.constantFrom('111', 'acs:ram::222:root', 'acs:ram::111:user/u')) }, { requiredKeys: [] }),
    Condition: arbCondition,
  }, { requiredKeys: ['Effect', 'Action', 'Principal'] }),
  { minLength: 1, maxLength: 3 },
).map((s) => ({ Version: '1', Statement: s }));
const arbDoc: fc.Arbitrary<[unknown, PolicyKind]> = fc.oneof(
  { weight: 5, arbitrary: arbIdentityDoc.map((d): [unknown, PolicyKind] => [d, 'identity']) },
  { weight: 1, arbitrary: arbTrustDoc.map((d): [unknown, PolicyKind] => [d, 'trust']) },
);

const CONTEXT_VALUES: Record<string, readonly ContextValue[]> = {
  'acs:SourceIp': ['10.1.2.3', '192.168.1.7', '8.8.8.8', '172.20.0.1', '10.0.0.0/8', '::1', '010.1.2.3', '256.0.0.1'],
  'acs:CurrentTime': ['2020-01-01T00:00:00Z', '2021-06-15T04:30:00Z', 1577836800000, 'yesterday', '2020-01-01', '2019-12-31T23:59:59.999Z'],
  'acs:SecureTransport': [true, false, 'true', 'yes'],
  'acs:MFAPresent': [true, false],
  'ecs:tag/env': ['prod', 'dev', 'Prod', 'PROD', 7, true, ['prod', 'dev'], [], ['x'], '10.1.2.3', '2020-01-01', 'true', '?ev', ['10.1.2.3', 'nope'], ['true', 'maybe'], ['2020-01-01', 'soon']],
  'ecs:count': [0, 1, 5, 10, '7', 'x', 2.5, ['1', '20'], -3, ['1', 'x'], ['x', '1']],
};
const arbContext = fc.record(
  Object.fromEntries(Object.entries(CONTEXT_VALUES).map(([k, vs]) => [k, fc.constantFrom(...vs)])),
  { requiredKeys: [] },
).map((c): RequestContext => c);
const arbPrincipal = fc.option(
  fc.record({ type: fc.constantFrom<RequestPrincipal['type']>('Service', 'RAM'), id: fc.constantFrom('ecs.aliyuncs.com', 'ECS.aliyuncs.com', 'fc.aliyuncs.com', 'acs:ram::111:root', 'acs:ram::111:user/u', 'acs:ram::222:role/x', 'acs:ram::2222:user/y') }),
  { nil: undefined },
);
const arbRequest = fc.record({
  action: arbAction,
  resources: fc.oneof(
    { weight: 10, arbitrary: fc.array(arbResource, { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom<string[]>([], ['*']) },
  ),
  context: arbContext,
  principal: arbPrincipal,
}).map((r): PolicyRequest => {
  const out: PolicyRequest = { action: r.action, resources: r.resources, context: r.context };
  if (r.principal !== undefined) out.principal = r.principal;
  return out;
});

test('property: the compiled evaluator decides exactly as the reference (20,000 random policy sets)', (t) => {
  let refused = 0;
  const seen: Record<DecisionKind, number> = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
  let errored = 0;
  fc.assert(
    fc.property(fc.array(arbDoc, { minLength: 1, maxLength: 3 }), fc.option(arbIdentityDoc, { nil: undefined }), fc.array(arbRequest, { minLength: 1, maxLength: 4 }), (docs, sessionDoc, requests) => {
      const policies: Policy[] = [];
      docs.forEach(([d, kind], i) => {
        const r = loadPolicy(JSON.stringify(d), { name: `p${i}`, kind });
        if (r.ok) policies.push(r.value);
        else refused++;
      });
      const set = compilePolicies(policies);
      const session = sessionDoc === undefined ? undefined : loadPolicy(JSON.stringify(sessionDoc), { name: 'session' });
      const sessionPolicies = session?.ok === true ? [session.value] : undefined;
      const sessionSet = sessionPolicies === undefined ? undefined : compilePolicies(sessionPolicies);
      for (const r of requests) {
        const d = evaluate(set, r);
        const ref = evaluateReference(policies, r);
        assert.equal(d.decision, ref.decision, JSON.stringify({ policies, r }));
        assert.deepEqual(d.matched.map(key), ref.matched.map(key), JSON.stringify({ policies, r }));
        assert.ok(d.reasons.length > 0);
        seen[d.decision]++;
        if (d.matched.some((m) => m.error !== undefined)) errored++;
        if (sessionSet !== undefined && sessionPolicies !== undefined) {
          const s = evaluateWithSession(set, sessionSet, r);
          const sref = evaluateWithSessionReference(policies, sessionPolicies, r);
          assert.equal(s.decision, sref.decision);
          assert.deepEqual(s.matched.map(key), sref.matched.map(key));
        }
      }
    }),
    { numRuns: 20_000 },
  );
  t.diagnostic(`${JSON.stringify(seen)}; ${errored} decisions with an erring statement; ${refused} generated documents refused`);
  // the generators must exercise every outcome, and mostly produce valid documents
  assert.ok(seen.Allow > 2000 && seen.ExplicitDeny > 2000 && seen.ImplicitDeny > 2000, JSON.stringify(seen));
  assert.ok(errored > 500, `erring statements seen: ${errored}`);
  assert.ok(refused < 2000, `refused documents: ${refused}`);
});

// ---------------------------------------------------------------------------------------------
// The fixture: 20 statements, 2,000 requests with agreed decisions (Cedar 4.13 and a plain evaluator)

interface FixtureRequest { action: string; resource: string; sourceIp: string; decision: 'allow' | 'deny'; statements: string[] }

test('fixture: all 2,000 requests get their agreed decision and deciding statements', () => {
  const text = readFileSync(new URL('../fixtures/ram-bench-policy.json', import.meta.url), 'utf8');
  const requests = (JSON.parse(readFileSync(new URL('../fixtures/ram-bench-requests.json', import.meta.url), 'utf8')) as { requests: FixtureRequest[] }).requests;
  assert.equal(requests.length, 2000);
  const p = policy(text, 'bench');
  const set = compilePolicies([p]);
  const tally: Record<DecisionKind, number> = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
  for (const q of requests) {
    const r = req(q.action, q.resource, { 'acs:SourceIp': q.sourceIp });
    const expected: DecisionKind = q.decision === 'allow' ? 'Allow' : q.statements.length > 0 ? 'ExplicitDeny' : 'ImplicitDeny';
    const d = evaluate(set, r);
    const ref = evaluateReference([p], r);
    assert.equal(d.decision, expected, JSON.stringify(q));
    assert.equal(ref.decision, expected, `reference: ${JSON.stringify(q)}`);
    const decidingEffect = expected === 'Allow' ? 'Allow' : 'Deny';
    assert.deepEqual(d.matched.filter((m) => m.effect === decidingEffect).map((m) => m.sid), q.statements, JSON.stringify(q));
    assert.deepEqual(d.matched.map(key), ref.matched.map(key));
    tally[expected]++;
  }
  assert.deepEqual(tally, { Allow: 469, ExplicitDeny: 458, ImplicitDeny: 1073 });
});
