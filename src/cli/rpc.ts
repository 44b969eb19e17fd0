// `parapet <product> <Operation> --Param value …`: every operation of the catalog with the aliyun
// CLI's syntax (repeat lists as `--Permissions.1.IpProtocol tcp`), checked before sending against
// the operation's parameters (src/cli/operations.json, from the catalog: names, required ones,
// types, lengths, list sizes) with the messages the server would give, signed through client.ts
// (v3, or v1 with `--signature v1`) with the credentials of profiles.ts, printed as the aliyun CLI
// prints: JSON (tab-indented), or a table with `--output cols=… rows=…`; `--pager` merges every
// page, `--waiter expr=… to=…` polls until a field has a value. `parapet configure` writes profiles.
// This file and those it imports are all that runs for these commands: no server code loads.
import manifest from './operations.json' with { type: 'json' };
import { WireError, wireError } from '../wire/errors.ts';
import { systemClock, type Clock } from '../clock.ts';
import { call, ApiError, type ClientConfig } from './client.ts';
import { PROFILE_MODES, ProfileError, configPath, newProfile, readConfig, resolveCredentials, saveProfile, type ProfileMode, type Resolved } from './profiles.ts';
import type { CliOperation, CliParam } from './manifest.ts';
import { VERBS, VerbUsage, runVerb } from './verbs.ts';
import { BASH, ZSH, candidates } from './complete.ts';

/** The products by the names the command takes (the aliyun CLI's codes, and Parapet's own). */
export const CLI_PRODUCTS: Readonly<Record<string, { product: string; title: string }>> = {
  ecs: { product: 'ecs', title: 'Elastic Compute Service' },
  vpc: { product: 'vpc', title: 'Virtual Private Cloud' },
  ram: { product: 'ram', title: 'Resource Access Management' },
  sts: { product: 'sts', title: 'Security Token Service' },
  'antiddos-public': { product: 'antiddos', title: 'Anti-DDoS Basic' },
  antiddos: { product: 'antiddos', title: 'Anti-DDoS Basic' },
  sas: { product: 'sas', title: 'Security Center' },
  cbn: { product: 'cbn', title: 'Cloud Enterprise Network' },
  parapet: { product: 'parapet', title: "Parapet's own operations" },
};

// the cast: the file is written from the catalog with this shape (bin/cli-manifest.ts; a structure test checks it)
export const operations = (): CliOperation[] => manifest as CliOperation[];

/** Whether `parapet <first> …` is this module's (a product, or `configure`). */
export const isCliCommand = (first: string | undefined): boolean => first === 'configure' || first === 'completion' || first === '__complete' || (first !== undefined && (Object.hasOwn(CLI_PRODUCTS, first) || (VERBS as readonly string[]).includes(first)));

interface Out { out(text: string): void; err(text: string): void }

export class UsageError extends Error {}

// ---- arguments ---------------------------------------------------------------------------------

/** Flags that take `key=value` words after them (`--output cols=A,B rows=X[]`). */
const KV_FLAGS = new Set(['output', 'pager', 'waiter']);
/** Flags of the command itself (the rest are the operation's parameters). */
const VALUE_FLAGS = new Set(['format', 'o', 'from', 'to-region', 'vpc', 'name', 'key', 'prefix', 'profile', 'region', 'endpoint', 'access-key-id', 'access-key-secret', 'sts-token', 'signature', 'mode', 'ram-role-arn', 'role-session-name', 'expired-seconds', 'language']);
const BARE_FLAGS = new Set(['help', 'dryrun', 'quiet', 'json', 'yes', 'partial']);

export interface Parsed { words: string[]; params: Record<string, string>; flags: Record<string, string>; kv: Record<string, Record<string, string>>; bare: Set<string> }

export function parseArgs(argv: readonly string[]): Parsed {
  const p: Parsed = { words: [], params: {}, flags: {}, kv: {}, bare: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-o') {
      const value = argv[++i];
      if (value === undefined) throw new UsageError('-o needs a file (or - for standard output)');
      p.flags['o'] = value;
      continue;
    }
    if (a === '--') { p.words.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('--')) { p.words.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq > 2 && !KV_FLAGS.has(a.slice(2, eq)) ? a.slice(2, eq) : a.slice(2);
    const inline = eq > 2 && name === a.slice(2, eq) ? a.slice(eq + 1) : undefined;
    if (KV_FLAGS.has(name)) {
      const kv: Record<string, string> = {};
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--') && argv[i + 1]!.includes('=')) {
        const w = argv[++i]!;
        const k = w.indexOf('=');
        kv[w.slice(0, k)] = w.slice(k + 1);
      }
      p.kv[name] = kv;
    } else if (BARE_FLAGS.has(name)) {
      p.bare.add(name);
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (VALUE_FLAGS.has(name)) p.flags[name] = value; else p.params[name] = value;
    }
  }
  return p;
}

// ---- checks against the operation's parameters ----------------------------------------------------

function checkScalar(name: string, spec: CliParam, value: string): void {
  const invalid = (why: string) => wireError('InvalidParameter', { name, value: value.length > 64 ? value.slice(0, 64) + '…' : value, why });
  if (spec.type === 'Integer' && !/^-?[0-9]{1,15}$/.test(value)) throw invalid('It is not of the expected form.');
  if (spec.type === 'Boolean' && !/^(true|false)$/i.test(value)) throw invalid('It is not of the expected form.');
  if (spec.maxLength !== undefined && value.length > spec.maxLength) throw invalid(`It has more than ${spec.maxLength} characters.`);
  if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) throw invalid('It is not of the expected form.');
}

/**
 * Checks the flattened parameters as the server's schema would: unknown names (a usage error),
 * required ones missing (`MissingParameter`), then each value (`InvalidParameter`).
 */
export function checkParams(op: CliOperation, params: Record<string, string>): void {
  const items = new Map<string, Map<number, Record<string, string>>>();
  for (const [name, value] of Object.entries(params)) {
    const [root, index, field, ...rest] = name.split('.');
    const spec = op.params[root!];
    if (spec === undefined) throw new UsageError(`'--${name}' is not a parameter of ${op.action}; see \`parapet ${cliName(op.product)} ${op.action} --help\``);
    if (spec.type !== 'RepeatList') {
      if (index !== undefined) throw new UsageError(`'--${name}': ${root} is not a list`);
      checkScalar(name, spec, value);
      continue;
    }
    if (index === undefined || !/^[1-9][0-9]*$/.test(index)) throw new UsageError(`'--${name}': ${root} is a list, given as --${root}.1${spec.item?.type === 'Object' ? '.Field' : ''} …`);
    const n = Number(index);
    if (spec.maxItems !== undefined && n > spec.maxItems) throw wireError('InvalidParameter', { name: root!, value: '(a list)', why: `It has more than ${spec.maxItems} items.` });
    const item = spec.item ?? { type: 'String' };
    if (item.type === 'Object') {
      const f = field === undefined ? undefined : item.fields?.[field];
      if (f === undefined || rest.length > 0) throw new UsageError(`'--${name}' is not a parameter of ${op.action}; see \`parapet ${cliName(op.product)} ${op.action} --help\``);
      checkScalar(name, f, value);
      let byIndex = items.get(root!);
      if (byIndex === undefined) items.set(root!, byIndex = new Map<number, Record<string, string>>());
      byIndex.set(n, { ...byIndex.get(n), [field!]: value });
    } else {
      if (field !== undefined) throw new UsageError(`'--${name}' is not a parameter of ${op.action}`);
      checkScalar(name, item, value);
    }
  }
  for (const [name, spec] of Object.entries(op.params)) {
    const given = Object.keys(params).some((k) => k === name || k.startsWith(name + '.'));
    if (spec.required === true && !given) throw wireError('MissingParameter', { name });
  }
  for (const [root, byIndex] of items) {
    const fields = op.params[root]!.item!.fields ?? {};
    for (const [n, given] of [...byIndex].sort((a, b) => a[0] - b[0])) {
      for (const [f, spec] of Object.entries(fields)) if (spec.required === true && given[f] === undefined) throw wireError('MissingParameter', { name: `${root}.${n}.${f}` });
    }
  }
}

// ---- help ---------------------------------------------------------------------------------------

const cliName = (product: string) => Object.keys(CLI_PRODUCTS).find((k) => CLI_PRODUCTS[k]!.product === product) ?? product;

function paramLines(prefix: string, params: Record<string, CliParam>, lines: string[]): void {
  for (const [name, spec] of Object.entries(params)) {
    const full = prefix + name;
    if (spec.type === 'RepeatList' && spec.item?.type === 'Object') {
      lines.push([`  --${full}.n.*`, 'RepeatList', spec.required === true ? 'Required' : 'Optional', spec.maxItems !== undefined ? `at most ${spec.maxItems}` : ''].join('\t'));
      paramLines(`${full}.n.`, spec.item.fields ?? {}, lines);
    } else {
      const type = spec.type === 'RepeatList' ? `RepeatList of ${spec.item?.type ?? 'String'}` : spec.type;
      const name2 = spec.type === 'RepeatList' ? `${full}.n` : full;
      const limit = spec.maxLength !== undefined ? `at most ${spec.maxLength} characters` : spec.maxItems !== undefined ? `at most ${spec.maxItems}` : '';
      lines.push([`  --${name2}`, type, spec.required === true ? 'Required' : 'Optional', limit].join('\t'));
    }
  }
}

function table(rows: string[][], sep = '  '): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i]!)).join(sep).trimEnd()).join('\n');
}

export function operationHelp(op: CliOperation): string {
  const lines: string[] = [];
  paramLines('', op.params, lines);
  return [
    `Product: ${cliName(op.product)} (${CLI_PRODUCTS[cliName(op.product)]?.title ?? op.product})`,
    `Version: ${op.version}`,
    `Operation: ${op.action}`,
    '',
    'Parameters:',
    table(lines.map((l) => l.split('\t'))),
    '',
    'Flags: --profile, --region, --endpoint, --signature v3|v1, --output cols=A,B rows=Path[], --pager [path=…], --waiter expr=… to=… [timeout=180] [interval=5], --dryrun',
  ].join('\n') + '\n';
}

function productHelp(product: string): string {
  const ops = operations().filter((o) => o.product === product);
  return `Product: ${cliName(product)} (${CLI_PRODUCTS[cliName(product)]?.title ?? product})\nVersion: ${ops[0]?.version ?? ''}\n\nAvailable operations:\n${ops.map((o) => `  ${o.action}`).join('\n')}\n\nRun \`parapet ${cliName(product)} <Operation> --help\` for an operation's parameters.\n`;
}

// ---- output -------------------------------------------------------------------------------------

/** A JMESPath subset, as `--output rows=` and `--waiter expr=` use it: `A.B`, `A.B[]`, `A[0].B`, `A[].B`. */
export function select(data: unknown, path: string): unknown {
  let current: unknown[] = [data];
  let flattened = false;
  for (const part of path.split('.').filter((p) => p !== '')) {
    const m = /^([^[\]]*)((?:\[\d*\])*)$/.exec(part);
    if (m === null) throw new UsageError(`the path ${path} is not one Parapet reads (A.B, A.B[], A[0].B)`);
    const [, key, brackets] = m as unknown as [string, string, string];
    current = current.map((v) => key === '' ? v : (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined));
    for (const b of brackets.match(/\[\d*\]/g) ?? []) {
      if (b === '[]') { current = current.flatMap((v): unknown[] => Array.isArray(v) ? v as unknown[] : []); flattened = true; }
      else { const n = Number(b.slice(1, -1)); current = current.map((v): unknown => Array.isArray(v) ? (v as unknown[])[n] : undefined); }
    }
  }
  return flattened ? current : current[0];
}

export function renderTable(data: unknown, cols: string[], rowsPath: string | undefined): string {
  const picked = rowsPath === undefined ? [data] : select(data, rowsPath);
  const rows = Array.isArray(picked) ? picked : picked === undefined ? [] : [picked];
  const cell = (v: unknown): string => v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  const body = rows.map((r) => cols.map((c) => cell(select(r, c))));
  const head = cols.map((c) => c);
  const widths = cols.map((_, i) => Math.max(head[i]!.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

const json = (v: unknown) => JSON.stringify(v, null, '\t') + '\n';

// ---- the paging and waiting loops -------------------------------------------------------------------

/** The first list in a response (depth first, two levels), as the aliyun CLI's pager finds it. */
function firstListPath(data: unknown, prefix = '', depth = 0): string | undefined {
  if (data === null || typeof data !== 'object' || depth > 2) return undefined;
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (Array.isArray(v)) return prefix + k;
    const inner = firstListPath(v, `${prefix}${k}.`, depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = target;
  for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
  o[parts[parts.length - 1]!] = value;
}

async function pager(send: (params: Record<string, string>) => Promise<Record<string, unknown>>, params: Record<string, string>, o: Record<string, string>): Promise<Record<string, unknown>> {
  const pageNumber = o['PageNumber'] ?? 'PageNumber';
  const totalCount = o['TotalCount'] ?? 'TotalCount';
  const nextToken = o['NextToken'] ?? 'NextToken';
  let page = Number(params[pageNumber] ?? 1);
  const first = await send({ ...params, [pageNumber]: String(page) });
  const path = (o['path'] ?? firstListPath(first) ?? '').replace(/^\$\./, '');
  if (path === '') throw new UsageError('--pager: the response has no list to merge; name it with path=…');
  const all = [...(select(first, path) as unknown[] | undefined ?? [])];
  let last = first;
  for (let guard = 0; guard < 10_000; guard++) {
    const token = last[nextToken];
    let next: Record<string, unknown>;
    if (typeof token === 'string' && token !== '') {
      next = await send({ ...params, [nextToken]: token });
    } else {
      const total = Number(last[totalCount] ?? first[totalCount]);
      if (!Number.isFinite(total) || all.length >= total) break;
      page++;
      next = await send({ ...params, [pageNumber]: String(page) });
    }
    const items = select(next, path) as unknown[] | undefined ?? [];
    if (items.length === 0) break;
    all.push(...items);
    last = next;
  }
  const merged: Record<string, unknown> = {};
  setAt(merged, path, all);
  return merged;
}

async function waiter(send: () => Promise<Record<string, unknown>>, o: Record<string, string>, sleep: (ms: number) => Promise<void>, clock: Clock): Promise<Record<string, unknown>> {
  const expr = o['expr'];
  const to = o['to'];
  if (expr === undefined || to === undefined) throw new UsageError('--waiter needs expr=<path> and to=<value>');
  const timeoutMs = Number(o['timeout'] ?? 180) * 1000;
  const intervalMs = Number(o['interval'] ?? 5) * 1000;
  const start = clock.now();
  for (;;) {
    const r = await send();
    const v = select(r, expr);
    if ((typeof v === 'string' ? v : JSON.stringify(v)) === to) return r;
    if (clock.now() - start + intervalMs > timeoutMs) throw new UsageError(`--waiter: ${expr} is ${JSON.stringify(v)}, not ${to}, after ${Math.round((clock.now() - start) / 1000)} s`);
    await sleep(intervalMs);
  }
}

// ---- the commands --------------------------------------------------------------------------------

function serverError(e: ApiError): string {
  return `ERROR: SDK.ServerError\nErrorCode: ${e.code}\nRequestId: ${e.requestId}\nMessage: ${e.message.slice(e.code.length + 2)}\n`;
}

async function configure(p: Parsed, io: Out): Promise<number> {
  const sub = p.words[1] ?? 'set';
  const path = configPath();
  if (sub === 'list') {
    const c = readConfig(path);
    const rows = [['Profile', 'Credential', 'Valid', 'Region', 'Endpoint'], ...c.profiles.map((pr) => [
      pr.name + (pr.name === c.current ? ' *' : ''), `${pr.mode}:***${pr.access_key_id.slice(-3)}`, pr.access_key_id !== '' ? 'Valid' : 'Invalid', pr.region_id, pr.endpoint ?? '',
    ])];
    io.out(table(rows) + '\n');
    return 0;
  }
  if (sub === 'get') {
    const c = readConfig(path);
    const name = p.flags['profile'] ?? (c.current || 'default');
    const pr = c.profiles.find((x) => x.name === name);
    if (pr === undefined) { io.err(`ERROR: the profile "${name}" is not in ${path}\n`); return 1; }
    io.out(json({ ...pr, access_key_secret: pr.access_key_secret === '' ? '' : '******' }));
    return 0;
  }
  if (sub !== 'set') throw new UsageError(`parapet configure [set|get|list]: no "${sub}"`);
  const name = p.flags['profile'] ?? 'default';
  const mode = (p.flags['mode'] ?? 'AK') as ProfileMode;
  if (!PROFILE_MODES.includes(mode)) throw new UsageError(`--mode: one of ${PROFILE_MODES.join(', ')}`);
  const existing = readConfig(path).profiles.find((x) => x.name === name);
  const f = (flag: string, field: string) => p.flags[flag] ?? (existing?.[field] as string | undefined) ?? '';
  const profile = newProfile(name, {
    ...(existing ?? {}), mode, access_key_id: f('access-key-id', 'access_key_id'), access_key_secret: f('access-key-secret', 'access_key_secret'),
    sts_token: f('sts-token', 'sts_token'), ram_role_arn: f('ram-role-arn', 'ram_role_arn'), ram_session_name: f('role-session-name', 'ram_session_name'),
    expired_seconds: Number(p.flags['expired-seconds'] ?? existing?.expired_seconds ?? 0), region_id: p.flags['region'] ?? existing?.region_id ?? 'cn-hangzhou',
    language: p.flags['language'] ?? existing?.language ?? 'en', ...(p.flags['endpoint'] !== undefined ? { endpoint: p.flags['endpoint'] } : {}),
  });
  if (profile.access_key_id === '' || profile.access_key_secret === '') throw new UsageError('parapet configure: --access-key-id and --access-key-secret are required');
  if (mode === 'StsToken' && profile.sts_token === '') throw new UsageError('parapet configure: mode StsToken needs --sts-token');
  if (mode === 'RamRoleArn' && profile.ram_role_arn === '') throw new UsageError('parapet configure: mode RamRoleArn needs --ram-role-arn');
  saveProfile(path, profile);
  io.out(`Configure done: profile "${name}" (${mode}) saved in ${path}\n`);
  return 0;
}

/** The credentials of the command's flags, environment and profiles (profiles.ts). */
function credentialsOf(p: Parsed): Resolved {
  return resolveCredentials({
    ...(p.flags['profile'] !== undefined ? { profile: p.flags['profile'] } : {}), ...(p.flags['region'] !== undefined ? { region: p.flags['region'] } : {}),
    ...(p.flags['endpoint'] !== undefined ? { endpoint: p.flags['endpoint'] } : {}), ...(p.flags['access-key-id'] !== undefined ? { accessKeyId: p.flags['access-key-id'] } : {}),
    ...(p.flags['access-key-secret'] !== undefined ? { accessKeySecret: p.flags['access-key-secret'] } : {}), ...(p.flags['sts-token'] !== undefined ? { stsToken: p.flags['sts-token'] } : {}),
  });
}

/** A client for those credentials; a RamRoleArn profile's role is assumed first, through Parapet's STS. */
async function clientOf(creds: Resolved, signature: 'v3' | 'v1'): Promise<ClientConfig> {
  const cfg: ClientConfig = { endpoint: creds.endpoint, accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret, signature, ...(creds.securityToken !== undefined ? { securityToken: creds.securityToken } : {}) };
  if (creds.assume === undefined) return cfg;
  const sts = operations().find((o) => o.product === 'sts' && o.action === 'AssumeRole')!;
  const r = await call(cfg, sts.version, 'AssumeRole', { RoleArn: creds.assume.roleArn, RoleSessionName: creds.assume.sessionName, DurationSeconds: String(creds.assume.durationSeconds) });
  const c = r['Credentials'] as { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string };
  return { ...cfg, accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken };
}

/** Runs `parapet <argv…>` for a product or `configure`; returns the exit code. */
export async function main(argv: readonly string[], io: Out = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<number> {
  try {
    if (argv[0] === '__complete') {
      const words = argv.slice(1);
      const list = await candidates(words, {
        products: Object.keys(CLI_PRODUCTS), verbs: VERBS, operations: operations(), productOf: (n) => CLI_PRODUCTS[n]?.product,
        client: async () => {
          try {
            // only the command's own flags matter here; the words may end half-typed
            const flags: Record<string, string> = {};
            words.forEach((w, i) => { const v = words[i + 1]; if (['--profile', '--region', '--endpoint'].includes(w) && v !== undefined) flags[w.slice(2)] = v; });
            const creds = credentialsOf({ words: [], params: {}, flags, kv: {}, bare: new Set() });
            return { cfg: await clientOf(creds, 'v3'), regionId: creds.regionId };
          } catch { return undefined; }
        },
      });
      io.out(list.length > 0 ? list.join('\n') + '\n' : '');
      return 0;
    }
    const p = parseArgs(argv);
    if (p.words[0] === 'completion') {
      const shell = p.words[1];
      if (shell !== 'bash' && shell !== 'zsh') throw new UsageError('parapet completion bash|zsh');
      io.out(shell === 'bash' ? BASH : ZSH);
      return 0;
    }
    if (p.words[0] === 'configure') return await configure(p, io);
    if ((VERBS as readonly string[]).includes(p.words[0] ?? '')) {
      const creds = credentialsOf(p);
      const signature = p.flags['signature'] === 'v1' ? 'v1' : 'v3';
      return await runVerb(await clientOf(creds, signature), { words: p.words, flags: p.flags, bare: p.bare, regionId: creds.regionId }, { ...io, tty: process.stderr.isTTY });
    }
    const product = CLI_PRODUCTS[p.words[0] ?? '']?.product;
    if (product === undefined) throw new UsageError(`no product "${p.words[0] ?? ''}": one of ${Object.keys(CLI_PRODUCTS).join(', ')}`);
    const action = p.words[1];
    if (action === undefined) { io.out(productHelp(product)); return 0; }
    const op = operations().find((o) => o.product === product && o.action === action)
      ?? operations().find((o) => o.product === product && o.action.toLowerCase() === action.toLowerCase());
    if (op === undefined) throw new UsageError(`${cliName(product)} has no operation ${action}; \`parapet ${cliName(product)}\` lists them`);
    if (p.bare.has('help')) { io.out(operationHelp(op)); return 0; }
    const creds = credentialsOf(p);
    const params = { ...p.params };
    // the region of the profile (or --region) where the operation takes one and none was given, as the aliyun CLI does
    if (op.params['RegionId'] !== undefined && params['RegionId'] === undefined) params['RegionId'] = creds.regionId;
    checkParams(op, params);
    const signature = p.flags['signature'] ?? 'v3';
    if (signature !== 'v3' && signature !== 'v1') throw new UsageError('--signature: v3 or v1');
    if (p.bare.has('dryrun')) { io.out(json({ Endpoint: creds.endpoint, Version: op.version, Action: op.action, Signature: signature, Parameters: params })); return 0; }
    const cfg = await clientOf(creds, signature);
    const send = (q: Record<string, string>) => call(cfg, op.version, op.action, q);
    let result: Record<string, unknown>;
    if (p.kv['pager'] !== undefined) result = await pager(send, params, p.kv['pager']);
    else if (p.kv['waiter'] !== undefined) result = await waiter(() => send(params), p.kv['waiter'], sleep, systemClock);
    else result = await send(params);
    if (p.bare.has('quiet')) return 0;
    const output = p.kv['output'];
    if (output !== undefined) {
      const cols = (output['cols'] ?? '').split(',').filter((c) => c !== '');
      if (cols.length === 0) throw new UsageError('--output needs cols=A,B[,…] (and rows=Path[] for a list)');
      io.out(renderTable(result, cols, output['rows']));
    } else {
      io.out(json(result));
    }
    return 0;
  } catch (e) {
    if (e instanceof ApiError) { io.err(serverError(e)); return 1; }
    if (e instanceof UsageError || e instanceof ProfileError || e instanceof VerbUsage) { io.err(`ERROR: ${e.message}\n`); return 2; }
    if (e instanceof WireError) { io.err(`ERROR: ${e.code} (checked before sending)\nMessage: ${e.message}\n`); return 1; }
    const sys = (e as { code?: unknown; address?: unknown }).code;
    if (e instanceof Error && typeof sys === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN)$/.test(sys)) {
      io.err(`ERROR: the Parapet API does not answer (${e.message}): is \`parapet serve\` running? Its address comes from --endpoint, PARAPET_ENDPOINT or the profile's endpoint\n`);
      return 1;
    }
    io.err(`ERROR: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
