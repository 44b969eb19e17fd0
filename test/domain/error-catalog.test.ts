// The error catalog (src/error-catalog.ts) is closed and whole: every entry has a client or server
// status and a message; no file of src/ raises or reports a code that is not in it, nor builds an
// error past it; and every code docs/API-COVERAGE.md names is one of its entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT_DIR, tsFiles } from '../helpers/tree.ts';
import { ERROR_CATALOG, errorText, type ErrorCode } from '../../src/error-catalog.ts';
import { DomainError, apiError, itemError } from '../../src/domain/errors.ts';
import { WireError, wireError } from '../../src/wire/errors.ts';

const root = ROOT_DIR;
const CODES = new Set<string>(Object.keys(ERROR_CATALOG));

type Template = string | ((values: never) => string);
type Variant = Template | { status: number; message: Template };
interface Entry { status: number; message: Template; variants?: Record<string, Variant> }
const entries = Object.entries(ERROR_CATALOG) as unknown as Array<[ErrorCode, Entry]>;

/** Any value a template asks for: a text that shows where it went. */
const values = new Proxy({}, { get: (_t, key) => `<${String(key)}>` });
const filled = (t: Template): string => (typeof t === 'string' ? t : t(values as never));

test('every code has a status in 400..599 and a message of its own words, in each variant', () => {
  assert.ok(entries.length > 100, `the catalog was read: ${entries.length} codes`);
  for (const [code, entry] of entries) {
    const forms: Array<[string, number, Template]> = [['default', entry.status, entry.message]];
    for (const [name, v] of Object.entries(entry.variants ?? {})) {
      forms.push(typeof v === 'object' ? [name, v.status, v.message] : [name, entry.status, v]);
    }
    for (const [name, status, template] of forms) {
      assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, `${code} (${name}): status ${status}`);
      const text = filled(template);
      // a message only of values (`${why}`) would say nothing by itself; InvalidParameter.PolicyGrammar
      // `checked` passes the policy checker's message on, which the checker's own codes hold
      const words = text.replace(/<[A-Za-z]+>/g, '').trim();
      assert.ok(words.length > 0 || (code === 'InvalidParameter.PolicyGrammar' && name === 'checked'), `${code} (${name}): message \`${text}\``);
    }
  }
});

test('an error built from the catalog carries its code, status and filled-in message', () => {
  const e = apiError('InvalidSecurityGroupId.NotFound', { id: 'sg-x' });
  assert.ok(e instanceof DomainError);
  assert.deepEqual([e.code, e.httpStatus, e.message], ['InvalidSecurityGroupId.NotFound', 404, 'The specified SecurityGroupId `sg-x` does not exist.']);
  const w = wireError('InvalidParameter', 'bodyTooLarge', { limit: 10 });
  assert.ok(w instanceof WireError);
  assert.deepEqual([w.code, w.httpStatus, w.message], ['InvalidParameter', 413, 'The request body is larger than 10 bytes.']);
  assert.deepEqual(itemError('InvalidRamRole.NotEqual'), { code: 'InvalidRamRole.NotEqual', message: 'The instance does not have that RAM role.' });
  assert.equal(errorText('InvalidParamter.Conflict', 'sameCidr', { name: 'DestCidrIp', value: '10.0.0.0/8', peerName: 'SourceCidrIp' }).httpStatus, 400);
  // only the types keep a caller from naming a variant that isn't there; the catalog refuses it too
  assert.throws(() => errorText('InvalidRamRole.NotEqual', ...(['nope'] as unknown as [])), /no variant `nope`/);
});

// ---------------------------------------------------------------------------------------------
// The sources


/** The modules that build the error classes from the catalog: the only ones that may call their constructors. */
const BUILDERS = new Set(['src/domain/errors.ts', 'src/wire/errors.ts']);

/**
 * What one source file does wrong: a code written as a string (a call that raises or reports an
 * error, or a result's `code:`) that the catalog lacks, and an error class constructed outside
 * its builder. A code written as a template (`InvalidParameter.${kind}.InvalidChars`) must match
 * at least one entry; the compiler checks the rest of it.
 */
export function offences(file: string, text: string): string[] {
  const out: string[] = [];
  const line = (index: number) => text.slice(0, index).split('\n').length;
  const known = (code: string, index: number) => {
    if (code.includes('${')) {
      const pattern = new RegExp('^' + code.split(/\$\{[^}]*\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[A-Za-z0-9]+') + '$');
      if (![...CODES].some((c) => pattern.test(c))) out.push(`${file}:${line(index)}: \`${code}\` matches no code of the catalog`);
    } else if (!CODES.has(code)) {
      out.push(`${file}:${line(index)}: \`${code}\` is not in the catalog`);
    }
  };
  // apiError('Code', …), wireError("Code", …), itemError(`Code.${x}`, …), new DomainError('Code', …)
  const raised = /\b(?:apiError|wireError|itemError|errorText|new\s+(?:DomainError|WireError))\(\s*(['"`])((?:(?!\1)[^\\\n]|\\.)*)\1/g;
  for (const m of text.matchAll(raised)) known(m[2]!, m.index);
  // a per-item result or a table of codes: `code: 'InvalidInstanceId.NotFound'`
  for (const m of text.matchAll(/\bcode: (['"])([A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*)\1/g)) known(m[2]!, m.index);
  if (!BUILDERS.has(file)) {
    for (const m of text.matchAll(/\bnew\s+(DomainError|WireError)\(/g)) {
      out.push(`${file}:${line(m.index)}: \`new ${m[1]}(…)\`: raise it through the catalog (apiError, wireError) instead`);
    }
  }
  return out;
}

test('the source check finds an inline code, an unknown one, a constructor and a template that matches nothing', () => {
  assert.deepEqual(offences('src/domain/x.ts', "throw apiError('InvalidSecurityGroupId.NotFound', { id });"), []);
  assert.deepEqual(offences('src/domain/x.ts', 'throw apiError(`InvalidParameter.${kind}.InvalidChars`, { param: kind, value });'), []);
  assert.equal(offences('src/domain/x.ts', "throw new DomainError('Made.Up', 400, 'x');").length, 2);
  assert.equal(offences('src/domain/x.ts', "throw new DomainError('InvalidSecurityGroupId.NotFound', 404, 'x');").length, 1);
  assert.equal(offences('src/wire/x.ts', 'throw wireError("Made.Up");').length, 1);
  assert.equal(offences('src/domain/x.ts', 'throw apiError(`Made.${kind}.Up`);').length, 1);
  assert.equal(offences('src/domain/x.ts', "out.push({ success: false, code: 'Made.Up', message: 'x' });").length, 1);
  assert.deepEqual(offences('src/domain/errors.ts', 'return new DomainError(e.code, e.httpStatus, e.message);'), []);
});

test('no file of src/ raises or reports a code outside the catalog, nor builds an error past it', () => {
  const files = tsFiles(join(root, 'src'));
  assert.ok(files.length > 50, `the sources were read: ${files.length} files`);
  const found: string[] = [];
  for (const path of files) {
    const file = relative(root, path);
    // the policy engine's own problem codes (MalformedJson, PolicyTooLarge, …) never reach a
    // response: policy-check.ts answers them as MalformedPolicyDocument with their messages
    if (file.startsWith('src/engine/')) continue;
    found.push(...offences(file, readFileSync(path, 'utf8')));
  }
  assert.deepEqual(found, []);
});

// ---------------------------------------------------------------------------------------------
// docs/API-COVERAGE.md

/**
 * The error codes the page names: backticked words shaped like a code (`Word.Word`, every part
 * two characters or more, so `Permissions.N` is a parameter) or that are a code of the catalog
 * (`DependencyViolation`; a one-word code the catalog lacks can't be told from a parameter name).
 * `.SecurityGroup` right after `DependencyViolation.VSwitch` means `DependencyViolation.SecurityGroup`;
 * `DeleteConflict.User.*` stands for the codes it starts.
 */
function documentedCodes(doc: string): string[] {
  const out: string[] = [];
  for (const row of doc.split('\n')) {
    let previous = '';
    for (const m of row.matchAll(/`([^`\s]+)`/g)) {
      let word = m[1]!;
      if (word.startsWith('.') && previous !== '') word = previous.slice(0, previous.lastIndexOf('.')) + word;
      const shaped = /^[A-Z][A-Za-z0-9]*(\.(?:[A-Z][A-Za-z0-9]+|\*))+$/.test(word);
      if (shaped || CODES.has(word)) {
        out.push(word);
        previous = word;
      }
    }
  }
  return [...new Set(out)];
}

test('every error code docs/API-COVERAGE.md names is in the catalog', (t) => {
  const doc = readFileSync(join(root, 'docs/API-COVERAGE.md'), 'utf8');
  const named = documentedCodes(doc);
  assert.ok(named.includes('InvalidAction.NotFound') && named.includes('DependencyViolation.SecurityGroup'), `the page was read: ${named.join(', ')}`);
  const missing = named.filter((c) => (c.endsWith('.*') ? ![...CODES].some((k) => k.startsWith(c.slice(0, -1))) : !CODES.has(c)));
  assert.deepEqual(missing, [], 'codes the page names that the catalog lacks');
  // The page lists operations, not every error each can answer, so a code it doesn't name is no
  // failure; the note says how much of the catalog it leaves to the API reference.
  const covered = (c: string) => named.some((n) => (n.endsWith('.*') ? c.startsWith(n.slice(0, -1)) : n === c));
  const unnamed = [...CODES].filter((c) => !covered(c)).sort();
  t.diagnostic(`docs/API-COVERAGE.md names ${CODES.size - unnamed.length} of the catalog's ${CODES.size} codes; it never mentions: ${unnamed.join(', ')}`);
});
