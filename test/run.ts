// The test suite as `npm test` runs it: every test file on the default store (SQLite), then the
// end-to-end suite once more with its servers on PostgreSQL (PARAPET_TEST_STORE=postgres). The
// second pass is skipped with a message when no PostgreSQL answers, unless
// PARAPET_REQUIRE_POSTGRES=1 (.ci/run), which makes it mandatory. Exits non-zero when a pass fails.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engines, POSTGRES_URL } from './helpers/stores.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
/** the longest any one test (or suite) may take; the slowest seen, the data-plane suites, take under 2 minutes */
const TEST_TIMEOUT_MS = 10 * 60_000;

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(rel));
    else if (e.name.endsWith('.test.ts')) out.push(rel);
  }
  return out.sort();
}

function pass(label: string, files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  process.stdout.write(`# ---- ${label}: ${files.length} files\n`);
  return new Promise((resolve) => {
    // a test that hangs fails after TEST_TIMEOUT_MS instead of holding the run (CI has 90 minutes
    // in all), and a file whose tests are done ends even if a failed test left a server or socket open
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-force-exit', ...files], { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal !== null ? 1 : 0)));
  });
}

const only = process.argv.slice(2);
const all = only.length > 0 ? only : testFiles('test');
let failed = (await pass('all tests, SQLite store', all, {})) !== 0;
const e2e = all.filter((f) => f.startsWith(join('test', 'e2e')));
if (e2e.length > 0) {
  // the store tests' probe: why PostgreSQL can't be used, or a throw when PARAPET_REQUIRE_POSTGRES=1
  const down = await engines.find((e) => e.name === 'postgres')!.unavailable().catch((e: unknown) => {
    process.stdout.write(`not ok - the PostgreSQL pass is required: ${e instanceof Error ? e.message : String(e)}\n`);
    failed = true;
    return 'required';
  });
  if (down === undefined) {
    failed = (await pass('end-to-end tests again, PostgreSQL store', e2e, { PARAPET_TEST_STORE: 'postgres' })) !== 0 || failed;
  } else if (down !== 'required') {
    process.stdout.write(`# skipped: the end-to-end pass on PostgreSQL (${POSTGRES_URL}): ${down}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
