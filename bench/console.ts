// bench/console: the web console in Debian's Chromium (headless, issue 14's flags), against an
// in-process Parapet server serving the built console, in one run:
//  1. initial JavaScript transferred (gzip, as the server sends it: the bytes on the wire of each
//     .js response, from the browser's own request sizes), split by route: the sign-in page and the
//     security-group list, each loaded cold in a fresh browser context; goal <= 500 KB each;
//  2. time to an interactive security-group list with 10,000 groups in the region (created in one
//     store transaction through the domain's insertGroup, not 10,000 API calls): from the start of
//     the navigation to the list's first page rendered (the page's default size), and from choosing
//     50 a page to 50 rows (DescribeSecurityGroups with PageSize 50); goal < 1 s. In a browser
//     profile of its own (a fresh user-data dir, as a person's browser: an HTTP cache and V8's code
//     cache on disk; a Playwright context without one caches no compiled code): the first visit
//     (nothing cached) and the returning visits, each judged;
//  3. the rules page of a 200-rule group: from the click on the group's link in the list to its
//     rules rendered (in-page navigation, the console's JavaScript loaded); goal < 300 ms. A full
//     load of the same URL (JavaScript from the browser's cache) is printed beside it.
// Timings are read inside the page (performance.now(), polled every animation frame). Figures are
// printed with their goals; nothing is asserted.   npm run bench:console   (BENCH_GROUPS=N, BENCH_RUNS=N)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { systemClock } from '../src/clock.ts';
import { randomIds } from '../src/ids.ts';
import { DEFAULT_LIMITS } from '../src/domain/limits.ts';
import type { CallContext } from '../src/domain/context.ts';
import { insertGroup } from '../src/domain/security-groups.ts';
import { callRpc, startTestServer, ROOT } from '../test/helpers/server.ts';
import { CHROMIUM, CHROMIUM_FLAGS, browserUnavailable, ensureConsoleBuilt } from '../test/helpers/browser.ts';

const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 10000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const RULES = 200;
const ECS = '2014-05-26';
const R = 'cn-hangzhou';
/** the 200-rule group lives in another region, so its list is one row and the 10,000 stay apart */
const R2 = 'cn-shanghai';
const KB = 1024;

const missing = browserUnavailable();
if (missing !== undefined) {
  process.stderr.write(`bench:console needs a browser: ${missing}\n`);
  process.exit(1);
}
await ensureConsoleBuilt();
const server = await startTestServer({ env: { PARAPET_LIMIT_SECURITY_GROUPS_PER_REGION: String(GROUPS + 100) } });
const ep = server.endpoint;
const origin = `http://${ep}`;
let browser: Browser | undefined;

const ms = (n: number) => `${n.toFixed(0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A fresh browser context (its own empty cache) signed in as root, when `signedIn`. */
async function newContext(signedIn: boolean): Promise<BrowserContext> {
  const context = await browser!.newContext({ locale: 'en-US', viewport: { width: 1366, height: 860 } });
  context.setDefaultTimeout(60_000);
  if (signedIn) {
    const res = await context.request.post(`${origin}/console/api/session`, { data: { kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret } });
    if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`);
  }
  return context;
}

interface Script { path: string; wire: number; decoded: number }

/** Loads `path` cold and lists every JavaScript file the browser fetched until `ready` holds. */
async function initialScripts(path: string, signedIn: boolean, ready: (p: Page) => Promise<unknown>): Promise<Script[]> {
  const context = await newContext(signedIn);
  const page = await context.newPage();
  const pending: Array<Promise<Script | undefined>> = [];
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (!url.pathname.endsWith('.js')) return;
    pending.push((async () => {
      const sizes = await r.request().sizes();
      const body = await r.body();
      return { path: url.pathname, wire: sizes.responseBodySize, decoded: body.length };
    })());
  });
  await page.goto(`${origin}${path}`, { waitUntil: 'networkidle' });
  await ready(page);
  const scripts = (await Promise.all(pending)).filter((s) => s !== undefined);
  await context.close();
  return scripts.sort((a, b) => b.wire - a.wire);
}

function chunkName(p: string): string {
  return p.replace(/^\/console\/assets\//, '');
}

async function measureInitialJs(): Promise<void> {
  const routes: Array<{ label: string; path: string; signedIn: boolean; ready: (p: Page) => Promise<unknown> }> = [
    { label: 'sign-in (/console/signin)', path: '/console/signin', signedIn: false, ready: (p) => p.getByRole('button', { name: 'Sign in' }).waitFor() },
    { label: `security-group list (/console/security-groups)`, path: `/console/security-groups?region=${R2}`, signedIn: true, ready: (p) => p.getByTestId('sg-table').waitFor() },
  ];
  const results: Array<{ label: string; scripts: Script[] }> = [];
  for (const r of routes) results.push({ label: r.label, scripts: await initialScripts(r.path, r.signedIn, r.ready) });
  const [first, second] = results as [typeof results[0], typeof results[0]];
  const shared = new Set(first.scripts.map((s) => s.path).filter((p) => second.scripts.some((s) => s.path === p)));
  console.log('1. Initial JavaScript transferred (gzip on the wire; decoded size in brackets), per route, each loaded cold:');
  for (const { label, scripts } of results) {
    const wire = scripts.reduce((a, s) => a + s.wire, 0);
    const decoded = scripts.reduce((a, s) => a + s.decoded, 0);
    console.log(`   ${label}: ${(wire / KB).toFixed(1)} KB gzip (${(decoded / KB).toFixed(0)} KB) in ${scripts.length} files — goal <= 500 KB: ${wire <= 500 * KB ? 'met' : 'NOT met'}`);
    for (const s of scripts) {
      console.log(`      ${(s.wire / KB).toFixed(1).padStart(7)} KB  (${(s.decoded / KB).toFixed(0).padStart(5)} KB)  ${chunkName(s.path)}${shared.has(s.path) ? '  [both routes]' : ''}`);
    }
  }
  const sharedWire = first.scripts.filter((s) => shared.has(s.path)).reduce((a, s) => a + s.wire, 0);
  const own = (xs: Script[]) => xs.filter((s) => !shared.has(s.path)).reduce((a, s) => a + s.wire, 0);
  console.log(`   split: ${(sharedWire / KB).toFixed(1)} KB common to both; sign-in's own ${(own(first.scripts) / KB).toFixed(1)} KB; the list's own ${(own(second.scripts) / KB).toFixed(1)} KB`);
}

/** The 10,000 groups, in one write transaction through the domain (quota checked per insert as always). */
async function createGroups(vpcId: string): Promise<number> {
  const t0 = performance.now();
  const ctx: CallContext = {
    store: server.store, clock: systemClock, ids: randomIds, limits: { ...DEFAULT_LIMITS, securityGroupsPerRegion: GROUPS + 100 },
    principal: { accountId: ROOT.accountId, kind: 'root', accessKeyId: ROOT.accessKeyId }, requestId: 'bench-console', write: (fn) => server.store.write(fn),
    request: { sourceIp: '127.0.0.1', secureTransport: false, currentTime: new Date().toISOString() },
  };
  await ctx.write(async (tx) => {
    for (let i = 0; i < GROUPS; i++) {
      await insertGroup(ctx, tx, { regionId: R, vpcId, type: 'normal', name: `bench-${String(i).padStart(5, '0')}`, description: `group ${i} of the console bench`, innerAccessPolicy: 'Accept', resourceGroupId: '' });
    }
  });
  return performance.now() - t0;
}

/** Waits (every animation frame) until `selector` matches at least `n` elements; answers performance.now() then. */
function whenRows(page: Page, selector: string, n: number): Promise<number> {
  return page.waitForFunction(([sel, count]) => (document.querySelectorAll(sel).length >= count ? performance.now() : false),
    [selector, n] as const, { polling: 'raf', timeout: 60_000 }).then((h) => h.jsonValue() as Promise<number>);
}

/** The list's first page is rendered: rows shown, the table's loading spinner gone. Answers performance.now() then. */
function whenListed(page: Page): Promise<number> {
  return page.waitForFunction(() => (document.querySelectorAll('[data-testid="sg-table"] tbody tr.ant-table-row').length > 0
    && document.querySelector('[data-testid="sg-table"] .ant-spin-spinning') === null ? performance.now() : false),
  undefined, { polling: 'raf', timeout: 60_000 }).then(async (h) => Number(await h.jsonValue()));
}

const LIST_ROWS = '[data-testid="sg-table"] tbody tr.ant-table-row';
const RULE_ROWS = '[data-testid="rules-table"] tbody tr.ant-table-row';

async function measureList(): Promise<void> {
  const vpcId = String((await callRpc(ep, 'CreateVpc', ECS, { RegionId: R, CidrBlock: '172.16.0.0/16', VpcName: 'bench-vpc' }))['VpcId']);
  const took = await createGroups(vpcId);
  const total = Number((await callRpc(ep, 'DescribeSecurityGroups', ECS, { RegionId: R, PageSize: '1' }))['TotalCount']);
  console.log(`2. Security-group list with ${total.toLocaleString('en')} groups in ${R} (created in ${(took / 1000).toFixed(1)} s through the store):`);
  const times: number[] = [];
  const fifty: number[] = [];
  const profile = mkdtempSync(join(tmpdir(), 'parapet-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS, '--lang=en-US'], locale: 'en-US', viewport: { width: 1366, height: 860 },
  });
  try {
    context.setDefaultTimeout(60_000);
    const res = await context.request.post(`${origin}/console/api/session`, { data: { kind: 'accessKey', accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret } });
    if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`);
    // the profile's own first navigation (its caches and databases opened) on a page that is not
    // the console's, so the first visit below pays for the console alone
    const warm = await context.newPage();
    await warm.goto(`${origin}/console/api/session`);
    await warm.close();
    for (let i = 0; i < RUNS; i++) {
      const page = await context.newPage();
      await page.goto(`${origin}/console/security-groups?region=${R}`, { waitUntil: 'commit' });
      // performance.now() counts from the navigation's start: the first page rendered, the table no longer loading
      const at = await whenListed(page);
      times.push(at);
      const shown = await page.locator(LIST_ROWS).count();
      // then 50 a page (the page's size changer: DescribeSecurityGroups with PageSize 50)
      await page.locator('.ant-pagination-options .ant-select').first().click();
      const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: '50' }).first();
      await option.waitFor();
      // the click and the clock start in the same task of the page (a Playwright click would add
      // its own waits for the dropdown's opening animation to the figure)
      const t0 = await option.evaluate((el) => { const now = performance.now(); (el as HTMLElement).click(); return now; });
      const at50 = await whenRows(page, LIST_ROWS, 50);
      fifty.push(at50 - t0);
      console.log(`   run ${i + 1}${i === 0 ? ' (first visit: nothing cached)' : ' (returning: JavaScript and its compiled code cached)'}: ${ms(at)} from navigation to the first page (${shown} rows of ${total.toLocaleString('en')}); 50 a page: ${ms(at50 - t0)} from choosing it to 50 rows`);
      await page.close();
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  const returning = times.slice(1);
  const verdict = (n: number) => (n < 1000 ? 'met' : 'NOT met');
  console.log(`   first visit: ${ms(times[0]!)} — goal < 1000 ms: ${verdict(times[0]!)}`);
  if (returning.length > 0) console.log(`   returning visits: median ${ms(median(returning))} — goal < 1000 ms: ${verdict(median(returning))}`);
  console.log(`   50 a page: median ${ms(median(fifty))} — goal < 1000 ms: ${verdict(median(fifty))}`);
}

async function measureRules(): Promise<void> {
  const vpcId = String((await callRpc(ep, 'CreateVpc', ECS, { RegionId: R2, CidrBlock: '10.0.0.0/16', VpcName: 'bench-rules' }))['VpcId']);
  const sg = String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: R2, VpcId: vpcId, SecurityGroupName: 'two-hundred-rules' }))['SecurityGroupId']);
  for (let b = 0; b < RULES / 100; b++) {
    const params: Record<string, string> = { RegionId: R2, SecurityGroupId: sg };
    for (let i = 1; i <= 100; i++) {
      const port = 10000 + b * 100 + i;
      Object.assign(params, {
        [`Permissions.${i}.IpProtocol`]: 'tcp', [`Permissions.${i}.PortRange`]: `${port}/${port}`, [`Permissions.${i}.SourceCidrIp`]: `10.${b}.${i}.0/24`,
        [`Permissions.${i}.Priority`]: String(1 + (i % 100)), [`Permissions.${i}.Description`]: `rule ${b}-${i}`, ...(i % 10 === 0 ? { [`Permissions.${i}.Policy`]: 'drop' } : {}),
      });
    }
    await callRpc(ep, 'AuthorizeSecurityGroup', ECS, params);
  }
  console.log(`3. Rules page of a group with ${RULES} inbound rules (${sg}):`);
  const context = await newContext(true);
  const page = await context.newPage();
  const inPage: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto(`${origin}/console/security-groups?region=${R2}`);
    await page.getByTestId('sg-table').locator(`a[href*="${sg}"]`).first().waitFor();
    // the click and the clock start in the same task of the page
    await page.evaluate((id) => {
      (window as unknown as { benchT0: number }).benchT0 = performance.now();
      document.querySelector<HTMLAnchorElement>(`[data-testid="sg-table"] a[href*="${id}"]`)!.click();
    }, sg);
    const at = await whenRows(page, RULE_ROWS, 1);
    const t0 = await page.evaluate(() => (window as unknown as { benchT0: number }).benchT0);
    const rows = await page.locator(RULE_ROWS).count();
    // where the time went: the API calls and chunks the click started (resource timing)
    const fetched = await page.evaluate((since) => performance.getEntriesByType('resource')
      .filter((e) => e.startTime >= since)
      .map((e) => ({ name: new URL(e.name).pathname, start: e.startTime - since, end: (e as PerformanceResourceTiming).responseEnd - since })), t0);
    const calls = fetched.filter((f) => f.name === '/console/api/call');
    const chunks = fetched.filter((f) => f.name.endsWith('.js'));
    const lastCall = Math.max(0, ...calls.map((c) => c.end));
    const lastChunk = Math.max(0, ...chunks.map((c) => c.end));
    inPage.push(at - t0);
    console.log(`   run ${i + 1}: from the click in the list ${ms(at - t0)} to the rules table (${rows} rows on its first page); `
      + `${chunks.length} chunks loaded by ${ms(lastChunk)}, ${calls.length} API calls answered by ${ms(lastCall)}`);
  }
  for (let i = 0; i < RUNS; i++) {
    await page.goto(`${origin}/console/security-groups/${sg}?region=${R2}`, { waitUntil: 'commit' });
    full.push(await whenRows(page, RULE_ROWS, 1));
  }
  await context.close();
  console.log(`   median ${ms(median(inPage))} from the click — goal < 300 ms: ${median(inPage) < 300 ? 'met' : 'NOT met'}`);
  console.log(`   (a full page load of the rules page, JavaScript cached: ${full.map(ms).join(', ')})`);
}

try {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS, '--lang=en-US'] });
  console.log(`bench:console — Chromium ${browser.version()}, console/dist served by ${origin}`);
  await measureInitialJs();
  await measureList();
  await measureRules();
} finally {
  await browser?.close();
  await server.stop();
}
