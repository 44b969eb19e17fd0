// Stage 1 of the RAM policy engine (ALIBABA-FACTS §4.5): policy text → a JSON tree in which every
// node, and every object key, carries its source position. Nothing here knows what a policy is;
// validate.ts reads the tree. The parser is a small strict RFC 8259 recursive-descent parser rather
// than JSON.parse, so that every later error can point at a line and column.
//
// Caps, checked here because they protect the parser itself:
//  - size: more than `maxChars` characters (default 4,096, the custom-policy limit of §4.5) or, when
//    given, more than `maxBytes` UTF-8 bytes (STS session policies: 1,024 bytes, §4.4) is refused
//    before any parsing;
//  - nesting: more than `maxDepth` nested objects/arrays (default 10; a valid policy needs 6) is
//    refused, so the recursion is bounded.
// Refused as malformed, beyond plain syntax errors: a duplicate key in one object (JSON.parse would
// silently keep the last `Effect`; a policy must not be ambiguous), a byte-order mark, trailing text.
//
// Errors of the whole engine (parse.ts and validate.ts) are plain values of one closed union,
// `PolicyError` (ast.ts), each with a message naming the offending element and, where there is one, its
// position. The API layer maps them once; the intended mapping to Alibaba codes:
//
//   code                 stage     RAM (CreatePolicy…)              STS AssumeRole `Policy`
//   PolicyTooLarge       parse     LimitExceeded.Policy.Size        InvalidParameter.PolicySize
//   MalformedJson        parse     MalformedPolicyDocument          InvalidParameter.PolicyGrammar
//   PolicyTooDeep        parse     MalformedPolicyDocument          InvalidParameter.PolicyGrammar
//   TooManyStatements    validate  LimitExceeded.Policy.Size        InvalidParameter.PolicySize
//   InvalidVersion       validate  MalformedPolicyDocument          InvalidParameter.PolicyGrammar
//   InvalidDocument      validate  MalformedPolicyDocument          InvalidParameter.PolicyGrammar
//   InvalidStatement     validate  MalformedPolicyDocument          InvalidParameter.PolicyGrammar
//   InvalidEffect        validate  MalformedPolicyDocument          InvalidParameter.PolicyGrammar
//   InvalidAction        validate  MalformedPolicyDocument          InvalidParameter.PolicyGrammar
//   InvalidResource      validate  MalformedPolicyDocument          InvalidParameter.PolicyGrammar
//   InvalidPrincipal     validate  MalformedPolicyDocument          InvalidParameter.PolicyGrammar
//   InvalidCondition     validate  MalformedPolicyDocument          InvalidParameter.PolicyGrammar
//   UnsupportedElement   validate  MalformedPolicyDocument          InvalidParameter.PolicyGrammar
//
// (Alibaba's documents show `MalformedPolicyDocument` and the two STS codes; the finer codes here
// are ours, kept so that tests and messages can tell the cases apart.)
import type { JsonEntry, JsonNode, PolicyError, Position, Result } from './ast.ts';

export interface ParseOptions {
  /** default 4,096 (ALIBABA-FACTS §4.5: custom policy document ≤ 4,096 characters) */
  maxChars?: number;
  /** when set, also refuse more than this many UTF-8 bytes (STS session policy: 1,024) */
  maxBytes?: number;
  /** nested objects/arrays; default 10 */
  maxDepth?: number;
}

export const POLICY_MAX_CHARS = 4096;
export const SESSION_POLICY_MAX_BYTES = 1024;
export const POLICY_MAX_DEPTH = 10;

/** Position of `offset` in `text` (for callers holding only an offset). */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/** Thrown inside the parser only; `parseJson` turns it into a PolicyError. */
class Stop {
  constructor(readonly error: PolicyError) {}
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0;

  constructor(private readonly text: string, private readonly maxDepth: number) {}

  pos(): Position {
    return { offset: this.i, line: this.line, column: this.i - this.lineStart + 1 };
  }

  fail(message: string, at: Position = this.pos()): never {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- Stop unwinds the parser and parseJson catches it: it never escapes, and needs no stack
    throw new Stop({ code: 'MalformedJson', message: `${message} at line ${at.line}, column ${at.column}`, position: at });
  }

  /** what is at the cursor, for messages */
  describe(): string {
    if (this.i >= this.text.length) return 'end of text';
    return JSON.stringify(this.text[this.i]);
  }

  skipWs(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 13) this.i++;
      else if (c === 10) {
        this.i++;
        this.line++;
        this.lineStart = this.i;
      } else return;
    }
  }

  document(): JsonNode {
    if (this.text.charCodeAt(0) === 0xfeff) this.fail('Byte-order mark before the policy document');
    this.skipWs();
    const node = this.value();
    this.skipWs();
    if (this.i < this.text.length) this.fail(`Unexpected ${this.describe()} after the end of the document`);
    return node;
  }

  value(): JsonNode {
    const t = this.text;
    const c = t[this.i];
    const pos = this.pos();
    switch (c) {
      case '{':
        return this.object(pos);
      case '[':
        return this.array(pos);
      case '"':
        return { kind: 'string', pos, value: this.string() };
      case 't':
        if (t.startsWith('true', this.i)) {
          this.i += 4;
          return { kind: 'boolean', pos, value: true };
        }
        break;
      case 'f':
        if (t.startsWith('false', this.i)) {
          this.i += 5;
          return { kind: 'boolean', pos, value: false };
        }
        break;
      case 'n':
        if (t.startsWith('null', this.i)) {
          this.i += 4;
          return { kind: 'null', pos };
        }
        break;
      default: {
        NUMBER.lastIndex = this.i;
        const m = NUMBER.exec(t);
        if (m !== null) {
          this.i += m[0].length;
          return { kind: 'number', pos, value: Number(m[0]), raw: m[0] };
        }
      }
    }
    return this.fail(this.i >= t.length ? 'Unexpected end of text, expected a value' : `Unexpected ${this.describe()}, expected a value`);
  }

  enter(pos: Position): void {
    if (++this.depth > this.maxDepth) {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- Stop unwinds the parser and parseJson catches it: it never escapes, and needs no stack
      throw new Stop({
        code: 'PolicyTooDeep',
        message: `The policy document nests deeper than ${this.maxDepth} levels at line ${pos.line}, column ${pos.column}`,
        position: pos,
      });
    }
  }

  object(pos: Position): JsonNode {
    this.enter(pos);
    this.i++; // {
    const entries: JsonEntry[] = [];
    const seen = new Set<string>();
    this.skipWs();
    if (this.text[this.i] === '}') {
      this.i++;
      this.depth--;
      return { kind: 'object', pos, entries };
    }
    for (;;) {
      this.skipWs();
      const keyPos = this.pos();
      if (this.text[this.i] !== '"') this.fail(`Unexpected ${this.describe()}, expected a quoted key`);
      const key = this.string();
      if (seen.has(key)) this.fail(`Duplicate key ${JSON.stringify(key)}`, keyPos);
      seen.add(key);
      this.skipWs();
      if (this.text[this.i] !== ':') this.fail(`Unexpected ${this.describe()}, expected ':' after key ${JSON.stringify(key)}`);
      this.i++;
      this.skipWs();
      const value = this.value();
      entries.push({ key, keyPos, value });
      this.skipWs();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        this.depth--;
        return { kind: 'object', pos, entries };
      }
      this.fail(`Unexpected ${this.describe()}, expected ',' or '}'`);
    }
  }

  array(pos: Position): JsonNode {
    this.enter(pos);
    this.i++; // [
    const items: JsonNode[] = [];
    this.skipWs();
    if (this.text[this.i] === ']') {
      this.i++;
      this.depth--;
      return { kind: 'array', pos, items };
    }
    for (;;) {
      this.skipWs();
      items.push(this.value());
      this.skipWs();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        this.depth--;
        return { kind: 'array', pos, items };
      }
      this.fail(`Unexpected ${this.describe()}, expected ',' or ']'`);
    }
  }

  /** the cursor is on the opening quote; leaves it after the closing one */
  string(): string {
    const t = this.text;
    const start = this.pos();
    this.i++;
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= t.length) this.fail('Unterminated string', start);
      const c = t.charCodeAt(this.i);
      if (c === 34) {
        out += t.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail('Control character in a string (escape it)');
      if (c !== 92) {
        this.i++;
        continue;
      }
      // backslash escape
      out += t.slice(run, this.i);
      const e = t[this.i + 1];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = t.slice(this.i + 2, this.i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\u escape in a string');
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 4;
          break;
        }
        default:
          this.fail(`Invalid escape ${e === undefined ? '\\' : JSON.stringify('\\' + e)} in a string`);
      }
      this.i += 2;
      run = this.i;
    }
  }
}

/**
 * Policy text → positioned JSON tree, or exactly one error (size, syntax or nesting). Never throws.
 */
export function parseJson(text: string, options: ParseOptions = {}): Result<JsonNode> {
  const maxChars = options.maxChars ?? POLICY_MAX_CHARS;
  if (text.length > maxChars) {
    return { ok: false, errors: [{ code: 'PolicyTooLarge', message: `The policy document has ${text.length} characters; at most ${maxChars} are allowed` }] };
  }
  if (options.maxBytes !== undefined) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > options.maxBytes) {
      return { ok: false, errors: [{ code: 'PolicyTooLarge', message: `The policy document has ${bytes} bytes; at most ${options.maxBytes} are allowed` }] };
    }
  }
  try {
    return { ok: true, value: new Parser(text, options.maxDepth ?? POLICY_MAX_DEPTH).document() };
  } catch (e) {
    if (e instanceof Stop) return { ok: false, errors: [e.error] };
    throw e;
  }
}

/** The plain JavaScript value of a tree (tests, debugging). */
export function toPlain(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object':
      return Object.fromEntries(node.entries.map((e) => [e.key, toPlain(e.value)]));
    case 'array':
      return node.items.map(toPlain);
    case 'null':
      return null;
    default:
      return node.value;
  }
}
