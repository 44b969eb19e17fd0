// Starts a real Parapet server on an ephemeral loopback port, with preset root credentials, for
// end-to-end tests; and builds the official SDK clients pointed at it.
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import EcsModule from '@alicloud/ecs20140526';
import VpcModule from '@alicloud/vpc20160428';
import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { loadConfig } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import type { Store } from '../../src/store/store.ts';
import type { Clock } from '../../src/clock.ts';
import { POSTGRES_URL } from './stores.ts';
import { randomIds } from '../../src/ids.ts';

export const ROOT = {
  accountId: '1234567890123456',
  accessKeyId: 'LTAItestroot0000000001',
  accessKeySecret: 'testsecret-root-000000000000001',
};

export interface TestServer extends RunningServer {
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * The store engine end-to-end servers use: SQLite unless PARAPET_TEST_STORE=postgres (the test
 * runner's second pass runs the end-to-end suite that way), or what a test asks for.
 */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env['PARAPET_TEST_STORE'] === 'postgres' ? 'postgres' : 'sqlite';

/**
 * A test's cleanups: each registered one runs when the test ends, pass or fail, the last registered
 * first (a server stops before its proxy closes and its schema is dropped). Every cleanup runs even
 * if one throws; the first error is the test's. A resource left open would keep the file from ending.
 */
export function cleanups(t: TestContext): (fn: () => unknown) => void {
  const stack: Array<() => unknown> = [];
  t.after(async () => {
    const errors: unknown[] = [];
    for (const fn of stack.reverse()) {
      try { await fn(); } catch (err) { errors.push(err); }
    }
    if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
  });
  return (fn) => { stack.push(fn); };
}

/** A fresh PostgreSQL schema name for one test server (or several sharing it). */
export function freshSchema(): string {
  return 'parapet_e2e_' + randomIds.resource('s').slice(2, 14).replace(/-/g, '_');
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try { await client.query(`drop schema if exists ${schema} cascade`); } finally { await client.end(); }
}

/** The schema a helper-made PostgreSQL server of each data dir uses: a restart on the dir finds its data again. */
const schemaOfDataDir = new Map<string, string>();

export async function startTestServer(opts: { dataDir?: string; store?: Store; clock?: Clock; env?: Record<string, string>; engine?: 'sqlite' | 'postgres'; schema?: string; logger?: pino.Logger } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'parapet-test-'));
  const engine = opts.store !== undefined ? opts.store.engine : opts.engine ?? (opts.env?.['PARAPET_DATABASE_URL'] !== undefined ? 'postgres' : TEST_STORE);
  // a schema made here (or by an earlier server of this data dir) is dropped at stop; one given by the caller is the caller's
  const ownSchema = engine === 'postgres' && opts.store === undefined && opts.schema === undefined && opts.env?.['PARAPET_DATABASE_SCHEMA'] === undefined
    ? schemaOfDataDir.get(dataDir) ?? freshSchema() : undefined;
  if (ownSchema !== undefined) schemaOfDataDir.set(dataDir, ownSchema);
  const pgEnv: Record<string, string> = engine === 'postgres' && opts.store === undefined
    ? { PARAPET_DATABASE_URL: POSTGRES_URL, PARAPET_DATABASE_SCHEMA: opts.schema ?? ownSchema ?? '' } : {};
  const config = loadConfig({
    PARAPET_HOST: '127.0.0.1', PARAPET_PORT: '0', PARAPET_DATA_DIR: dataDir,
    PARAPET_ACCOUNT_ID: ROOT.accountId, PARAPET_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId, PARAPET_ROOT_ACCESS_KEY_SECRET: ROOT.accessKeySecret,
    ...pgEnv,
    ...opts.env,
  });
  const server = await startServer({
    config, logger: opts.logger ?? pino({ level: process.env['PARAPET_TEST_LOG'] ?? 'silent' }),
    ...(opts.store ? { store: opts.store } : {}), ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return {
    ...server, dataDir,
    stop: async () => {
      await server.close();
      if (ownSchema !== undefined) { await dropSchema(ownSchema); schemaOfDataDir.delete(dataDir); }
      if (opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// The SDKs are CommonJS: under ESM the client class is the module's `default` export.
export const EcsClient = EcsModule.default;
export const VpcClient = VpcModule.default;
export type EcsClient = InstanceType<typeof EcsClient>;
export type VpcClient = InstanceType<typeof VpcClient>;

export interface Creds { accessKeyId: string; accessKeySecret: string; securityToken?: string }

export function sdkConfig(endpoint: string, creds: Creds = ROOT, extra: Partial<$OpenApiUtil.Config> = {}): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret,
    ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
    endpoint, protocol: 'http', regionId: 'cn-hangzhou', ...extra,
  });
}

export function ecsClient(endpoint: string, creds: Creds = ROOT, extra: Partial<$OpenApiUtil.Config> = {}): EcsClient {
  return new EcsClient(sdkConfig(endpoint, creds, extra));
}

export function vpcClient(endpoint: string, creds: Creds = ROOT, extra: Partial<$OpenApiUtil.Config> = {}): VpcClient {
  return new VpcClient(sdkConfig(endpoint, creds, extra));
}

/** Awaits a promise that must reject with an SDK error; returns the error for assertions. */
export async function sdkError(p: Promise<unknown>): Promise<{ code: string; statusCode: number; message: string; data: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; statusCode: number; message: string; data: Record<string, unknown> };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** The generic client of the official SDKs (openapi-core `callApi`), for any action and version. */
export async function callRpc(endpoint: string, action: string, version: string, query: Record<string, string>, creds: Creds = ROOT, extra: Partial<$OpenApiUtil.Config> = {}): Promise<Record<string, unknown>> {
  const client = new OpenApiModule.default(sdkConfig(endpoint, creds, extra));
  const params = new $OpenApiUtil.Params({ action, version, protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
  const request = new $OpenApiUtil.OpenApiRequest({ query: $OpenApiUtil.default.query(query) });
  const res = await client.callApi(params, request, new $dara.RuntimeOptions({}));
  return res['body'] as Record<string, unknown>;
}
