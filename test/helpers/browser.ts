// The web console's browser tests: a test server serving the built console, Debian's Chromium
// driven by playwright-core (headless, the flags issue 14 names, a fresh user-data dir), and a
// watch on the page that FAILS the test on any uncaught page error, console error or failed
// request (a request that did not complete, or an answer of 400 or more that the test did not
// declare expected). Also: building the console when console/dist is missing or older than its
// sources, sign-in by AccessKey or by password through the sign-in page, and the axe-core check.
// Tests skip with a message when /usr/bin/chromium is missing, unless PARAPET_REQUIRE_BROWSER=1.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { cleanups, startTestServer, ROOT, type Creds, type TestServer } from './server.ts';

export const CHROMIUM = process.env['PARAPET_CHROMIUM'] ?? '/usr/bin/chromium';
/** issue 14's launch flags */
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const root = fileURLToPath(new URL('../..', import.meta.url));
const consoleDir = join(root, 'console');
const distIndex = join(consoleDir, 'dist', 'index.html');

/**
 * Why the browser tests can't run here (undefined when they can). With PARAPET_REQUIRE_BROWSER=1
 * (.ci/run) a missing browser is an error instead.
 */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const why = `${CHROMIUM} is missing (Debian: apt-get install chromium fonts-noto-cjk)`;
  if (process.env['PARAPET_REQUIRE_BROWSER'] === '1') throw new Error(`the browser tests are required (PARAPET_REQUIRE_BROWSER=1) but ${why}`);
  return why;
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

function buildIsFresh(): boolean {
  if (!existsSync(distIndex)) return false;
  const sources = Math.max(newestMtime(join(consoleDir, 'src')), newestMtime(join(consoleDir, 'index.html')), newestMtime(join(consoleDir, 'vite.config.ts')));
  return statSync(distIndex).mtimeMs >= sources;
}

let built: Promise<void> | undefined;

/**
 * Builds the console (`vite build console`) when console/dist is missing or older than a source
 * file, once per process. Test files run two at a time, so the build holds a lock (a directory made
 * atomically): the second process waits, then finds the build fresh.
 */
export function ensureConsoleBuilt(): Promise<void> {
  built ??= (async () => {
    if (buildIsFresh()) return;
    const lock = join(consoleDir, '.build-lock');
    for (;;) {
      try { mkdirSync(lock); break; } catch {
        // a lock left by a killed build is taken over after 3 minutes
        try { if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true }); } catch { /* gone meanwhile */ }
        await sleep(500);
      }
    }
    try {
      if (!buildIsFresh()) {
        const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
        execFileSync(process.execPath, [vite, 'build', 'console', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  })();
  return built;
}

/** The console's API calls a context's pages made, in order (the last 40): `Action → status [Code]`. */
function recordCalls(context: BrowserContext): Array<{ line: string }> {
  const calls: Array<{ line: string }> = [];
  context.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (!path.startsWith('/console/api/')) return;
    let what = `${r.request().method()} ${path}`;
    try {
      const body = JSON.parse(r.request().postData() ?? '{}') as { action?: unknown };
      if (typeof body.action === 'string') what = body.action;
    } catch { /* not JSON: the path says enough */ }
    const call = { line: `${what} → ${r.status()}` };
    calls.push(call);
    if (calls.length > 40) calls.shift();
    if (r.status() >= 400) {
      r.text().then((text) => {
        const code = (JSON.parse(text) as { Code?: unknown }).Code;
        if (typeof code === 'string') call.line += ` ${code}`;
      }).catch(() => undefined);
    }
  });
  return calls;
}

/**
 * A failed console test's evidence on stderr (the CI log keeps it): the page's URL, its open
 * dialogs and alerts, its last API calls, and a screenshot under $PARAPET_FAILURE_DIR (default
 * <tmp>/parapet-console-failures).
 */
async function reportFailure(t: TestContext, page: Page, calls: ReadonlyArray<{ line: string }>): Promise<void> {
  const lines = [`console test failed: ${t.fullName}`, `  page: ${page.url()}`];
  try {
    const texts = async (selector: string) => (await page.locator(selector).allInnerTexts()).map((x) => x.replace(/\s+/g, ' ').slice(0, 300));
    for (const d of await texts('[role="dialog"]')) lines.push(`  dialog: ${d}`);
    for (const a of await texts('[role="alert"]')) lines.push(`  alert: ${a}`);
    const dir = process.env['PARAPET_FAILURE_DIR'] ?? join(tmpdir(), 'parapet-console-failures');
    mkdirSync(dir, { recursive: true });
    // a test with two browsers reports each: the second file is numbered
    const base = join(dir, t.fullName.replace(/[^\w.-]+/g, '_').slice(0, 120));
    let file = `${base}.png`;
    for (let n = 2; existsSync(file); n++) file = `${base}-${n}.png`;
    await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
    lines.push(`  screenshot: ${file}`);
  } catch (err) {
    lines.push(`  (the page could not be read: ${err instanceof Error ? err.message : String(err)})`);
  }
  lines.push('  API calls, oldest first:', ...calls.map((c) => `    ${c.line}`));
  process.stderr.write(lines.join('\n') + '\n');
}

/** An answer the test expects to be an error: its method, a pattern its path (from /console/…) matches, its status. */
export interface ExpectedFailure { method?: string; path: RegExp; status: number }

export interface ConsoleSession {
  server: TestServer;
  /** http://host:port */
  origin: string;
  context: BrowserContext;
  page: Page;
  /** every page error, console error and failed request seen so far */
  problems: string[];
  /** declares answers of this shape expected (e.g. a RAM refusal the test provokes) */
  expectFailure(f: ExpectedFailure): void;
  /** a fresh page in the same browser context (same cookies), watched like the first */
  newPage(): Promise<Page>;
  /** the absolute URL of a console path ('/' is the overview) */
  url(path: string): string;
}

/**
 * Not signed in: the sign-in page's session check answers 401 by design, and so does the session
 * check of a page whose session the test ended.
 */
const ALWAYS_EXPECTED: ExpectedFailure[] = [{ method: 'GET', path: /^\/console\/api\/session$/, status: 401 }];

/**
 * A test server with the built console and a browser on it, cleaned up (browser closed, server
 * stopped, user-data dir removed) when the test ends; and at its end the test fails if the page
 * showed any problem. Undefined (the test skipped with the reason) when there is no browser.
 */
export async function openConsole(t: TestContext, opts: { server?: TestServer; serverOptions?: Parameters<typeof startTestServer>[0]; locale?: string; reducedMotion?: 'reduce' | 'no-preference' } = {}): Promise<ConsoleSession | undefined> {
  const missing = browserUnavailable();
  if (missing !== undefined) { t.skip(`no browser: ${missing}`); return undefined; }
  await ensureConsoleBuilt();
  const cleanup = cleanups(t);
  let server = opts.server;
  if (server === undefined) {
    const s = await startTestServer(opts.serverOptions);
    server = s;
    cleanup(() => s.stop());
  }
  const origin = `http://${server.endpoint}`;
  const userDataDir = mkdtempSync(join(tmpdir(), 'parapet-chromium-'));
  cleanup(() => rmSync(userDataDir, { recursive: true, force: true }));
  const locale = opts.locale ?? 'en-US';
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS, `--lang=${locale}`],
    locale, viewport: { width: 1366, height: 860 }, timeout: 60_000,
    // the console then runs without animations (console/src/reduced-motion.ts): a click never
    // lands on a dialog or dropdown that is still zooming or sliding in
    reducedMotion: opts.reducedMotion ?? 'reduce',
  });
  cleanup(() => context.close());
  context.setDefaultTimeout(15_000);

  const problems: string[] = [];
  const expected = [...ALWAYS_EXPECTED];
  const isExpected = (method: string, url: string, status: number) => {
    const path = new URL(url).pathname;
    return expected.some((f) => f.status === status && (f.method === undefined || f.method === method) && f.path.test(path));
  };
  const watch = (page: Page) => {
    page.on('pageerror', (e) => problems.push(`page error: ${e.stack ?? e.message}`));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      // Chromium's own line for an HTTP error answer; the answer itself is judged below
      if (m.text().startsWith('Failed to load resource: the server responded with a status of')) return;
      problems.push(`console error: ${m.text()} (${m.location().url})`);
    });
    page.on('requestfailed', (r) => {
      const why = r.failure()?.errorText ?? 'failed';
      // a request the page itself dropped by navigating away
      if (why === 'net::ERR_ABORTED') return;
      problems.push(`request failed: ${r.method()} ${r.url()}: ${why}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !isExpected(r.request().method(), r.url(), r.status())) {
        problems.push(`failed request: ${r.request().method()} ${r.url()} answered ${r.status()}`);
      }
    });
  };
  const watched = new WeakSet<Page>();
  const watchOnce = (p: Page) => { if (!watched.has(p)) { watched.add(p); watch(p); } };
  context.on('page', watchOnce);
  for (const p of context.pages()) watchOnce(p);
  const page = context.pages()[0] ?? await context.newPage();
  const calls = recordCalls(context);
  // the check runs first among the cleanups (registered last), while the page is still open
  cleanup(() => assert.deepEqual(problems, [], 'the console page showed errors'));
  // and before it, for a failed test, what the page showed and asked
  // (`passed` is Node's, from 20.18 on; @types/node does not declare it yet)
  cleanup(() => ((t as TestContext & { passed?: boolean }).passed === false ? reportFailure(t, page, calls) : undefined));
  return {
    server, origin, context, page, problems,
    expectFailure: (f) => { expected.push(f); },
    newPage: () => context.newPage(),
    url: (path) => `${origin}/console${path.startsWith('/') ? path : '/' + path}`,
  };
}

/** The sign-in page: the one the page is on (keeping its `next`), or a fresh one. */
async function openSignIn(c: ConsoleSession, page: Page): Promise<void> {
  if (!new URL(page.url(), c.origin).pathname.startsWith('/console/signin')) await page.goto(c.url('/signin'));
}

/** The overview's path: react-router writes it without the trailing slash after sign-in. */
export function isOverview(u: URL): boolean {
  return u.pathname === '/console' || u.pathname === '/console/';
}

/** Signs in on the sign-in page with an AccessKey pair and waits for the overview (or the `next` page). */
export async function signInWithAccessKey(c: ConsoleSession, creds: Creds = ROOT, page: Page = c.page): Promise<void> {
  await openSignIn(c, page);
  await page.getByRole('tab', { name: 'AccessKey' }).click();
  await page.getByLabel('AccessKey ID').fill(creds.accessKeyId);
  await page.getByLabel('AccessKey secret').fill(creds.accessKeySecret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/console/signin'));
}

/**
 * Fills the RAM user tab with a logon name and password and submits; what follows (signed in, an
 * MFA code, a password change) is the caller's to check.
 */
export async function submitPassword(c: ConsoleSession, principalName: string, password: string, page: Page = c.page): Promise<void> {
  await openSignIn(c, page);
  await page.getByRole('tab', { name: 'RAM user' }).click();
  await page.getByLabel('Logon name (UserPrincipalName)').fill(principalName);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in by logon name and password (a user with no MFA and no forced change) and waits for the frame. */
export async function signInWithPassword(c: ConsoleSession, principalName: string, password: string, page: Page = c.page): Promise<void> {
  await submitPassword(c, principalName, password, page);
  await page.waitForURL((u) => !u.pathname.startsWith('/console/signin'));
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core on the page as it is: fails on any serious or critical violation, naming each and where. */
export async function expectAccessible(page: Page, label = page.url()): Promise<void> {
  // the pointer away from what the test last clicked: a hovered button or link is checked in its
  // hover colours otherwise (they pass too, but the check is of the page at rest)
  await page.mouse.move(1, 1);
  await settled(page);
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    // axe is the global the injected script defines
    const axe = (window as unknown as { axe: { run(ctx: Document | object, opts: object): Promise<{ violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    // antd's toasts (message, notification) leave on their own timer: one that starts fading out
    // while axe runs is measured half transparent. They are not the page at rest; their colours are
    // antd's text on white.
    const r = await axe.run({ exclude: [['.ant-message'], ['.ant-notification']] }, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`), [], `accessibility of ${label}`);
}

/**
 * Waits until the page is still: no finite CSS animation or transition running (antd's dialogs fade
 * and zoom, drop-downs slide closed, messages fade out; axe measuring colours or reading a closing
 * drop-down's options mid-motion reports what no user sees at rest), then one more frame.
 * Infinite animations (spinners) are not waited for. At most 3 s.
 */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const deadline = performance.now() + 3000;
    while (performance.now() < deadline) {
      const running = document.getAnimations().filter((a) => a.playState === 'running' && a.effect?.getComputedTiming().iterations !== Infinity);
      if (running.length === 0) break;
      await Promise.race([Promise.allSettled(running.map((a) => a.finished)), new Promise((r) => setTimeout(r, 250))]);
    }
    await new Promise((r) => requestAnimationFrame(() => r(undefined)));
  });
}

/**
 * Picks an option of an antd Select named `label` (its accessible name; a string is the whole name,
 * after a required field's `*` mark) within `scope`: opens it by its box (the selected value's text
 * covers the input) and clicks the visible option item (antd also renders hidden role=option nodes
 * for screen readers). The pick is confirmed: a single Select's dropdown closes, a multiple one's
 * option shows as selected. A click that lands while the dropdown opens or its options re-render
 * (its list arrives, the page re-renders) selects nothing; it is tried again, three times at most.
 */
export async function chooseOption(page: Page, label: string | RegExp, option: string | RegExp, scope: Page | Locator = page): Promise<void> {
  const name = typeof label === 'string' ? new RegExp(`^(\\* )?${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : label;
  const select = scope.locator('.ant-select', { has: page.getByRole('combobox', { name }) }).first();
  const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  const multiple = await select.evaluate((e) => e.classList.contains('ant-select-multiple'));
  for (let attempt = 1; ; attempt += 1) {
    if (await open.count() === 0) await select.click();
    const item = open.locator('.ant-select-item-option', { hasText: option }).first();
    if (multiple && await item.evaluate((e) => e.classList.contains('ant-select-item-option-selected'))) return;
    await item.click();
    try {
      if (multiple) await open.locator('.ant-select-item-option-selected', { hasText: option }).first().waitFor({ timeout: 3_000 });
      else await open.waitFor({ state: 'detached', timeout: 3_000 });
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

/** Closes an open Select dropdown by clicking the dialog's title (Escape would close the dialog too) and waits until it is gone. */
export async function closeDropdown(page: Page): Promise<void> {
  const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  if (await open.count() > 0) await page.locator('.ant-modal-title, .ant-drawer-title').last().click();
  await open.waitFor({ state: 'detached' });
}

/**
 * Checks a radio or checkbox in a dialog that may still be settling (its form mounts when its query
 * answers, then Ant Design's opening animation runs): Playwright's `check` fails when a click lands
 * while the form re-renders; the box must then be checked by a later click, within three tries.
 */
export async function checkSettled(box: Locator): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await box.check({ timeout: 5_000 });
      return;
    } catch (e) {
      if (attempt >= 3 || !/did not change its state/.test(String(e))) throw e;
      await sleep(200);
    }
  }
}
