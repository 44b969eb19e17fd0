// What the `parapet` command needs to know of every operation without loading the server: its
// product, version and action, and its parameters as the wire takes them (names, types, which are
// required, lengths, list sizes and nesting), read from the operation's schema (zod's JSON Schema
// of the input). `npm run cli:manifest` writes it to src/cli/operations.json; a structure test
// checks that file against the catalog.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { VERSIONS, type Catalog } from '../src/api/catalog.ts';
import { buildCatalog } from '../src/api/app.ts';
import type { CliOperation, CliParam } from '../src/cli/manifest.ts';

export const MANIFEST_FILE = fileURLToPath(new URL('../src/cli/operations.json', import.meta.url));

const INTEGER = /^\^-\?\[0-9\]\{1,15\}\$$/;
const BOOLEAN = /^\^\(true\|false\)\$$/;

interface JsonSchema {
  type?: string; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema; maxItems?: number; maxLength?: number; pattern?: string;
  anyOf?: JsonSchema[]; allOf?: JsonSchema[];
}

function param(s: JsonSchema): CliParam {
  const one = s.anyOf?.find((x) => x.type !== 'null') ?? s.allOf?.[0] ?? s;
  if (one.type === 'array') return { type: 'RepeatList', ...(one.maxItems !== undefined ? { maxItems: one.maxItems } : {}), item: param(one.items ?? {}) };
  if (one.type === 'object') return { type: 'Object', fields: fields(one) };
  if (one.type === 'string' && one.pattern !== undefined && INTEGER.test(one.pattern)) return { type: 'Integer' };
  if (one.type === 'string' && one.pattern !== undefined && BOOLEAN.test(one.pattern)) return { type: 'Boolean' };
  return { type: 'String', ...(one.maxLength !== undefined ? { maxLength: one.maxLength } : {}), ...(one.pattern !== undefined ? { pattern: one.pattern } : {}) };
}

function fields(s: JsonSchema): Record<string, CliParam> {
  const out: Record<string, CliParam> = {};
  const required = new Set(s.required ?? []);
  for (const [name, p] of Object.entries(s.properties ?? {})) out[name] = { ...param(p), ...(required.has(name) ? { required: true as const } : {}) };
  return out;
}

export function cliManifest(catalog: Catalog): CliOperation[] {
  const versionOf = new Map(Object.entries(VERSIONS).map(([v, p]) => [p, v]));
  return catalog.all()
    .map((o) => ({ product: o.product, version: versionOf.get(o.product)!, action: o.action, params: fields(z.toJSONSchema(o.params, { io: 'input', unrepresentable: 'any' }) as JsonSchema) }))
    .sort((a, b) => a.product.localeCompare(b.product) || a.action.localeCompare(b.action));
}

/** The file's text: one operation a line, so that a change shows as the lines it changes. */
export function manifestText(ops: readonly CliOperation[]): string {
  return '[\n' + ops.map((o) => JSON.stringify(o)).join(',\n') + '\n]\n';
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(MANIFEST_FILE, manifestText(cliManifest(buildCatalog())));
  process.stdout.write(`wrote ${MANIFEST_FILE}\n`);
}
