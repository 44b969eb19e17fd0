// The source tree has no import cycle (type-only imports count: a cycle of types is still two
// modules that can't be understood apart). docs/ARCHITECTURE.md's layers rest on this; ESLint's
// import rules (eslint.config.js) keep each layer to the ones below it, this keeps files within a
// layer from leaning on each other both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT_DIR, tsFiles } from '../helpers/tree.ts';

const root = ROOT_DIR;


/** every relative module a file imports or re-exports, resolved to a path */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) out.push(resolve(dirname(file), m[1] ?? m[2]!));
  return out;
}

/** the cycles of a graph, each once, as the path around it (Tarjan's strongly connected components) */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.reverse());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('the cycle finder finds a cycle of two, of three and of one, and none in a chain', () => {
  const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges));
  assert.deepEqual(cycles(g({ a: ['b'], b: ['c'], c: [] })), []);
  assert.equal(cycles(g({ a: ['b'], b: ['a'] })).length, 1);
  assert.deepEqual(cycles(g({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }))[0]!.sort(), ['a', 'b', 'c']);
  assert.equal(cycles(g({ a: ['a'] })).length, 1);
  // the import reader sees type imports, re-exports and bare imports
  const file = join(root, 'src/x/y.ts');
  assert.deepEqual(importsOf(file, "import type { A } from './a.ts';\nexport { B } from '../b.ts';\nimport './c.ts';\nimport x from 'pkg';\n"),
    [join(root, 'src/x/a.ts'), join(root, 'src/b.ts'), join(root, 'src/x/c.ts')]);
});

test('no import cycle in src/ or bin/', () => {
  const files = [...tsFiles(join(root, 'src')), ...tsFiles(join(root, 'bin'))];
  const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]));
  const found = cycles(graph).map((c) => c.map((f) => relative(root, f)).join(' → '));
  assert.deepEqual(found, [], `import cycles:\n${found.join('\n')}`);
});
