// docs/ARCHITECTURE.md matches the tree: it names every file of src/ (by its name, in the part for
// its folder), and every folder the layer rules in eslint.config.js know. A file added, renamed or
// moved without the page saying what it owns fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT_DIR, tsFiles } from '../helpers/tree.ts';

const root = ROOT_DIR;


test('docs/ARCHITECTURE.md names every file of src/ and every layer', () => {
  const doc = readFileSync(join(root, 'docs/ARCHITECTURE.md'), 'utf8');
  const missing: string[] = [];
  for (const file of tsFiles(join(root, 'src')).map((f) => relative(root, f))) {
    // `ram/users.ts` and `products/` are named as they are written in the page: by the part of the
    // path below the layer's folder, or by the folder of a group of files (api/products)
    const parts = file.split('/');
    const below = parts.slice(2).join('/');
    const name = parts[parts.length - 1]!;
    const folder = parts.length > 3 ? `${parts[2]}/` : undefined;
    const named = doc.includes(`\`${below}\``) || doc.includes(`\`${name}\``) || (folder !== undefined && doc.includes(`\`${folder}\``));
    if (!named) missing.push(file);
  }
  assert.deepEqual(missing, [], `files docs/ARCHITECTURE.md does not name:\n${missing.join('\n')}`);
  const layers = /const LAYERS = \{([\s\S]*?)\n\};/.exec(readFileSync(join(root, 'eslint.config.js'), 'utf8'))?.[1] ?? '';
  const names = [...layers.matchAll(/^\s{2}(\w+):/gm)].map((m) => m[1]!);
  assert.ok(names.length >= 8, `the LAYERS table was read: ${names.join(', ')}`);
  for (const layer of names) assert.ok(doc.includes(`\`src/${layer}/\``), `the layer src/${layer}/ is in the table`);
});
