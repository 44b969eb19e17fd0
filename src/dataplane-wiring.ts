// Builds a data-plane agent from configuration: the desired state comes from the store
// (src/domain/dataplane-state.ts), the metadata tree from src/metadata, and 100.100.100.100 leads
// to the API server (:80, and :443 to its TLS listener), under the endpoint names that instances
// resolve there (src/domain/endpoints.ts). `parapet agent` runs one on its own;
// `PARAPET_DATAPLANE=1 parapet serve` runs one inside the server. The Anti-DDoS monitor reports to the store (domain/antiddos/report.ts), Security Center's watcher to domain/security-center/evidence.ts. (The agent itself is src/dataplane/agent.ts; this is its wiring.)
import type { Config } from './config.ts';
import type { Services } from './domain/context.ts';
import { readDesiredState } from './domain/dataplane-state.ts';
import { handleInstanceMetadata } from './metadata/service.ts';
import { Agent } from './dataplane/agent.ts';
import type { AgentLog } from './dataplane/log.ts';
import { endpointHostNames } from './domain/endpoints.ts';
import { recordDdosReport } from './domain/antiddos/report.ts';
import { recordListeners, recordLogonEvents } from './domain/security-center/evidence.ts';

export async function startAgent(opts: { services: Services; config: Config; log: AgentLog; api?: { host: string; port: number } | undefined; apiTls?: { host: string; port: number } | undefined }): Promise<Agent> {
  const { services, config } = opts;
  const store = services.store;
  const agent = new Agent({
    readDesired: async () => {
      // the revision first: a write that lands while reading is seen again by the next round
      const revision = await store.refreshRevision();
      return readDesiredState(store.db, revision, services.clock.now());
    },
    waitForRevision: async (after, timeoutMs) => {
      const r = await store.waitForRevision(after, timeoutMs);
      // another process (a server beside a standalone agent) may have written: ask the database
      return r > after ? r : store.refreshRevision();
    },
    stateDir: config.dataplaneDir,
    prefix: config.dataplanePrefix,
    publicPool: config.publicIpPool,
    metadata: (instanceId, method, path, headers) => handleInstanceMetadata(services, instanceId, method, path, headers),
    ...(opts.api !== undefined ? { api: opts.api } : {}),
    ...(opts.apiTls !== undefined ? { apiTls: opts.apiTls } : {}),
    apiHostNames: endpointHostNames(),
    // Anti-DDoS Basic: the operator's settings, and the monitor's samples and transitions stored as
    // the addresses' state, events, traffic series and penalties
    ddos: { settings: config.antiddos, report: (r) => recordDdosReport(services, r) },
    // Security Center: the watched instances' logons and listening sockets become alerts
    security: {
      logons: (events) => recordLogonEvents(services, events),
      listeners: (instanceId, sockets) => recordListeners(services, instanceId, sockets),
    },
    clock: services.clock,
    log: opts.log,
  });
  await agent.start();
  return agent;
}

/** `http://host:port` -> where a TCP proxy should connect. */
export function apiTarget(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname === '0.0.0.0' || u.hostname === '' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80) };
}
