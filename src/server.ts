// Builds a running Parapet from configuration: store, services, HTTP app, and the first account.
// bin/ and the end-to-end tests both start servers through here.
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { type Clock, systemClock } from './clock.ts';
import { type Ids, randomIds } from './ids.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/store.ts';
import type { Services } from './domain/context.ts';
import { countAccounts, ensureAccount, type CreatedAccount } from './domain/accounts.ts';
import { buildApp } from './api/app.ts';
import { BufferedLogDestination } from './logdest.ts';
import { registerMetadata } from './metadata/routes.ts';
import { keyPool } from './domain/keypair-pool.ts';
import { parseCidr } from './engine/cidr.ts';
import { startAgent, apiTarget } from './dataplane-wiring.ts';
import { startNotifier } from './notifier.ts';
import type { Agent } from './dataplane/agent.ts';
import { API_ADDRESS } from './dataplane/names.ts';
import { certificateWildcards } from './domain/endpoints.ts';
import { ensureTlsMaterial, listenerNames } from './tls.ts';
import tls from 'node:tls';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  services: Services;
  url: string;
  /** host:port, the form the SDKs take as `endpoint` */
  endpoint: string;
  /** the account created or confirmed at start, when there was one to report */
  bootstrap: CreatedAccount | undefined;
  /** the data-plane agent, when PARAPET_DATAPLANE is on */
  agent: Agent | undefined;
  /** the TLS listener, when PARAPET_TLS_PORT is set */
  tls: RunningTls | undefined;
  /** Security Center's notification sender loop (src/notifier.ts) */
  notifier: { stop(): Promise<void>; runOnce(): Promise<number> };
  close(): Promise<void>;
}

export interface RunningTls {
  /** `https://host:port` */
  url: string;
  /** host:port, the SDKs' `endpoint` with protocol https */
  endpoint: string;
  port: number;
  /** the local CA's certificate, what clients trust (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, curl --cacert) */
  caFile: string;
  /** whether this start made the CA or the server certificate (false: reused from the data dir) */
  made: { ca: boolean; server: boolean };
}

export interface StartOptions {
  config: Config;
  store?: Store;
  logger?: Logger;
  clock?: Clock;
  ids?: Ids;
}

/** Structured logs (pino) on stdout or a file, written in batches; `flush` before exit. */
export function defaultLogger(level: string, dest: string | number = 1): Logger & { destination: BufferedLogDestination } {
  const destination = new BufferedLogDestination(dest);
  return Object.assign(pino({ level, base: { service: 'parapet' } }, destination), { destination });
}

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const { config } = opts;
  const log = opts.logger ?? defaultLogger(config.logLevel);
  const store = opts.store ?? await openStore(config);
  const pool = parseCidr(config.publicIpPool, true);
  if (pool === null || pool.size < 4) throw new Error(`PARAPET_PUBLIC_IP_POOL must be an IPv4 CIDR of at least 4 addresses, got \`${config.publicIpPool}\``);
  const services: Services = { store, clock: opts.clock ?? systemClock, ids: opts.ids ?? randomIds, limits: config.limits, publicIpPool: config.publicIpPool, antiddos: config.antiddos };
  let bootstrap: CreatedAccount | undefined;
  const preset = config.accountId !== undefined || config.rootAccessKeyId !== undefined || config.rootAccessKeySecret !== undefined;
  if (preset) {
    if (config.rootAccessKeyId === undefined || config.rootAccessKeySecret === undefined) {
      throw new Error('PARAPET_ROOT_ACCESS_KEY_ID and PARAPET_ROOT_ACCESS_KEY_SECRET must be set together');
    }
    bootstrap = await ensureAccount(services, { accountId: config.accountId, accessKeyId: config.rootAccessKeyId, accessKeySecret: config.rootAccessKeySecret });
  } else if (await countAccounts(services) === 0) {
    bootstrap = await ensureAccount(services);
  }
  const { app } = buildApp(services, log, undefined, { consoleDir: config.consoleDir });
  registerMetadata(app, services);
  keyPool.resize(config.keyPairPool);
  keyPool.fill();
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const endpoint = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  services.baseUrl = `http://${endpoint}`;
  let agent: Agent | undefined;
  const notifier = startNotifier(services, config, log);
  let tlsListener: { server: tls.Server; info: RunningTls } | undefined;
  try {
    if (config.tlsPort !== undefined) tlsListener = await listenTls(app, config, services);
    if (config.dataplane) {
      const apiTls = tlsListener === undefined ? undefined : { host: apiTarget(`http://${endpoint}`).host, port: tlsListener.info.port };
      agent = await startAgent({ services, config, log, api: apiTarget(`http://${endpoint}`), apiTls });
    }
  } catch (err) {
    await notifier.stop();
    tlsListener?.server.close();
    await app.close();
    if (opts.store === undefined) await store.close();
    throw err;
  }
  return {
    app, store, services, url: `http://${endpoint}`, endpoint, bootstrap, agent, tls: tlsListener?.info,
    notifier,
    close: async () => {
      await agent?.stop();
      await notifier.stop();
      // no new TLS connections; the open ones are the app's (below), which ends them as it ends its own
      tlsListener?.server.close();
      await app.close();
      if (opts.store === undefined) await store.close();
      const destination = (log as { destination?: BufferedLogDestination }).destination;
      // the terminal may be gone (SIGHUP): then the last lines are lost, not the stop
      try { destination?.flushSync(); } catch { /* see above */ }
    },
  };
}

/**
 * The TLS listener: the same app and pipeline as the plain one, on PARAPET_TLS_PORT of the same
 * host. Each connection's TLS is ended here and the decrypted socket handed to the app's own HTTP
 * server, so requests over TLS get the same header limits, the same malformed-request answers, and
 * are closed with the app's other connections.
 */
async function listenTls(app: FastifyInstance, config: Config, services: Services): Promise<{ server: tls.Server; info: RunningTls }> {
  const names = listenerNames(config.host, certificateWildcards(), [API_ADDRESS]);
  const material = await ensureTlsMaterial(config.dataDir, names, services.clock, services.ids);
  const server = tls.createServer({ key: material.key, cert: material.certChain, ALPNProtocols: ['http/1.1'] }, (socket) => {
    app.server.emit('connection', socket);
  });
  // a handshake that fails (a client that does not trust the CA) is that client's business
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: config.host, port: config.tlsPort }, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.tlsPort ?? 0;
  const endpoint = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  return { server, info: { url: `https://${endpoint}`, endpoint, port, caFile: material.caFile, made: material.made } };
}
