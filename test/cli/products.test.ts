// Every product of the catalog has a name on the `parapet` command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VERSIONS } from '../../src/api/catalog.ts';
import { CLI_PRODUCTS } from '../../src/cli/rpc.ts';

test('every product of the catalog is a `parapet <product>` command', () => {
  const named = new Set(Object.values(CLI_PRODUCTS).map((p) => p.product));
  for (const product of new Set(Object.values(VERSIONS))) assert.ok(named.has(product), `no command name for the product ${product}`);
});
