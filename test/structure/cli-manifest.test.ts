// src/cli/operations.json (what the `parapet` command knows of each operation, read without loading
// the server) is the catalog's: every operation, with the parameters its schema takes. After a
// change to an operation: `npm run cli:manifest`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildCatalog } from '../../src/api/app.ts';
import { cliManifest, manifestText, MANIFEST_FILE } from '../../bin/cli-manifest.ts';

test('src/cli/operations.json is the catalog as it is (npm run cli:manifest writes it)', () => {
  const ops = cliManifest(buildCatalog());
  assert.equal(ops.length, buildCatalog().all().length);
  assert.equal(readFileSync(MANIFEST_FILE, 'utf8'), manifestText(ops), 'src/cli/operations.json is stale: run `npm run cli:manifest`');
  // the reading of the schemas: a required string, an integer, a list of structures with their fields
  const auth = ops.find((o) => o.action === 'AuthorizeSecurityGroup')!;
  assert.equal(auth.params['SecurityGroupId']?.required, true);
  assert.equal(auth.params['Permissions']?.type, 'RepeatList');
  assert.equal(auth.params['Permissions']?.item?.fields?.['IpProtocol']?.type, 'String');
  assert.equal(ops.find((o) => o.action === 'DescribeSecurityGroups')!.params['PageSize']?.type, 'Integer');
});
