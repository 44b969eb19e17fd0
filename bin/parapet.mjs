#!/usr/bin/env node
// The `parapet` command as installed (package.json "bin"). API calls (`parapet <product> …`,
// `parapet configure`) run from dist/parapet-cli.mjs, the API client bundled by `npm run cli:build`
// (npm install builds it): plain JavaScript, so they start in the time of Node itself. Everything
// else, or an API call when the bundle is missing or older than its sources, runs from the
// TypeScript sources through tsx (bin/parapet.ts).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'parapet-cli.mjs');

/** the bundle exists and no source it was built from is newer */
function fresh() {
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  for (const dir of ['src/cli', 'src/wire']) {
    for (const f of readdirSync(join(root, dir))) if (statSync(join(root, dir, f)).mtimeMs > built) return false;
  }
  for (const f of ['src/clock.ts', 'src/error-catalog.ts']) if (statSync(join(root, f)).mtimeMs > built) return false;
  return true;
}

const cli = fresh() ? await import(bundle) : undefined;
if (cli !== undefined && cli.isCliCommand(process.argv[2])) {
  process.exitCode = await cli.main(process.argv.slice(2));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./parapet.ts');
}
