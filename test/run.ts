// The test suite as `npm test` runs it: every test file on the default store (SQLite), then the
// end-to-end suite once more with its servers on PostgreSQL (PARAPET_TEST_STORE=postgres). The
// second pass is skipped with a message when no PostgreSQL answers, unless
// PARAPET_REQUIRE_POSTGRES=1 (.ci/run), which makes it mandatory. Exits non-zero when a pass fails.
// A browser test file (test/console/) that fails in the first pass runs once more, alone, when
// nothing else failed: a browser on 2 busy cores now and then loses a click or a frame. The first
// failure stays in the log with the page's evidence (test/helpers/browser.ts prints it), the
// retry is announced, and the run passes only if the retried files pass.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
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

/** Runs the files under node:test; answers its exit code and the files (relative to the root) that had a failed test. */
async function pass(label: string, files: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; failedFiles: string[] }> {
  process.stdout.write(`# ---- ${label}: ${files.length} files\n`);
  const dir = mkdtempSync(join(tmpdir(), 'parapet-test-run-'));
  const failedOut = join(dir, 'failed-files');
  try {
    const code = await new Promise<number>((resolve) => {
      // a test that hangs fails after TEST_TIMEOUT_MS instead of holding the run (CI has 90 minutes
      // in all), and a file whose tests are done ends even if a failed test left a server or socket open
      const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-force-exit',
        `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`, '--test-reporter-destination=stdout',
        `--test-reporter=${join(root, 'test', 'helpers', 'failed-files-reporter.mjs')}`, '--test-reporter-destination=stderr',
        ...files], { cwd: root, env: { ...process.env, ...env, PARAPET_FAILED_FILES: failedOut }, stdio: 'inherit' });
      child.on('exit', (c, signal) => resolve(c ?? (signal !== null ? 1 : 0)));
    });
    let failedFiles: string[] = [];
    try {
      failedFiles = readFileSync(failedOut, 'utf8').split('\n').filter((l) => l !== '').map((f) => relative(root, f));
    } catch { /* no file: nothing failed */ }
    return { code, failedFiles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BROWSER_TESTS = join('test', 'console') + sep;

const only = process.argv.slice(2);
const all = only.length > 0 ? only : testFiles('test');
const first = await pass('all tests, SQLite store', all, {});
let failed = first.code !== 0;
if (failed && first.failedFiles.length > 0 && first.failedFiles.every((f) => f.startsWith(BROWSER_TESTS))) {
  process.stdout.write(`# ---- browser test files failed once (their evidence is above): ${first.failedFiles.join(', ')}; running them again, alone\n`);
  const again = await pass('the failed browser test files, once more', first.failedFiles, {});
  failed = again.code !== 0;
  process.stdout.write(`# ---- the retried browser test files ${failed ? 'failed again' : 'passed'}\n`);
}
const e2e = all.filter((f) => f.startsWith(join('test', 'e2e')));
if (e2e.length > 0) {
  // the store tests' probe: why PostgreSQL can't be used, or a throw when PARAPET_REQUIRE_POSTGRES=1
  const down = await engines.find((e) => e.name === 'postgres')!.unavailable().catch((e: unknown) => {
    process.stdout.write(`not ok - the PostgreSQL pass is required: ${e instanceof Error ? e.message : String(e)}\n`);
    failed = true;
    return 'required';
  });
  if (down === undefined) {
    failed = (await pass('end-to-end tests again, PostgreSQL store', e2e, { PARAPET_TEST_STORE: 'postgres' })).code !== 0 || failed;
  } else if (down !== 'required') {
    process.stdout.write(`# skipped: the end-to-end pass on PostgreSQL (${POSTGRES_URL}): ${down}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
