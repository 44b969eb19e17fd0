// The HTTP application: fastify with the RPC endpoint at `/` (GET and POST), `/healthz`, the web
// console under `/console/` when it is given a folder (console-session.ts), and Alibaba-style
// errors for everything fastify itself refuses (unknown paths, oversized bodies).
import { createServer } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Services } from '../domain/context.ts';
import { renderError } from '../wire/render.ts';
import { type WireError, wireError, withStatus } from '../wire/errors.ts';
import { Catalog } from './catalog.ts';
import { Pipeline } from './pipeline.ts';
import { ecsCatalogueOperations } from './products/ecs-catalogues.ts';
import { vpcOperations } from './products/vpc.ts';
import { vpcIpv6Operations } from './products/vpc-ipv6.ts';
import { securityGroupOperations } from './products/ecs-security-groups.ts';
import { parapetSecurityGroupOperations } from './products/parapet-sg.ts';
import { parapetAccessOperations, parapetExposureOperations } from './products/parapet-access.ts';
import { ramOperations } from './products/ram.ts';
import { stsOperations } from './products/sts.ts';
import { instanceRoleOperations } from './products/ecs-instance-roles.ts';
import { keyPairOperations } from './products/ecs-keypairs.ts';
import { prefixListOperations } from './products/ecs-prefix-lists.ts';
import { instanceOperations } from './products/ecs-instances.ts';
import { eniOperations } from './products/ecs-enis.ts';
import { taggingOperations } from './products/ecs-tagging.ts';
import { accountOperations } from './products/ecs-account.ts';
import { parapetAccountOperations } from './products/parapet-account.ts';
import { ecsVpcOperations } from './products/ecs-vpcs.ts';
import { diskOperations } from './products/ecs-disks.ts';
import { antiddosOperations } from './products/antiddos.ts';
import { parapetAntiddosOperations } from './products/parapet-antiddos.ts';
import { sasOperations } from './products/sas.ts';
import { sasAlertOperations } from './products/sas-alerts.ts';
import { parapetSasOperations } from './products/parapet-sas.ts';
import { cbnOperations } from './products/cbn.ts';
import { registerConsole, wantsConsole } from './console-session.ts';

export const BODY_LIMIT = 1024 * 1024;
/** The v3 clients put every parameter in the query: a batch of 100 rules is well over Node's 16 KiB default. */
export const MAX_HEADER_SIZE = 256 * 1024;
const EMPTY_BODY = Buffer.alloc(0);

export function buildCatalog(): Catalog {
  return new Catalog().add(ecsCatalogueOperations).add(vpcOperations).add(vpcIpv6Operations).add(securityGroupOperations).add(instanceOperations).add(eniOperations).add(taggingOperations).add(parapetSecurityGroupOperations)
    .add(parapetAccessOperations).add(parapetExposureOperations).add(ramOperations).add(stsOperations).add(instanceRoleOperations).add(keyPairOperations).add(prefixListOperations)
    .add(accountOperations).add(parapetAccountOperations).add(ecsVpcOperations).add(diskOperations)
    .add(antiddosOperations).add(parapetAntiddosOperations).add(sasOperations).add(sasAlertOperations).add(parapetSasOperations)
    .add(cbnOperations);
}

export interface AppOptions {
  /** the built web console's folder (console/dist): served under /console/ with its session endpoints; unset, no console */
  consoleDir?: string | undefined;
}

export function buildApp(svc: Services, log: Logger, catalog: Catalog = buildCatalog(), opts: AppOptions = {}): { app: FastifyInstance; pipeline: Pipeline } {
  // No logger for fastify itself: it would build a child logger per request; the pipeline writes
  // the one line per request, and the handlers below log fastify's own errors.
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT, return503OnClosing: true,
    serverFactory: (handler) => createServer({ maxHeaderSize: MAX_HEADER_SIZE }, handler),
    // what Node refuses before any route runs (oversized or malformed requests) still gets an Alibaba error body
    clientErrorHandler: (err: Error & { code?: string }, socket) => {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const refused = status === 431 ? wireError('InvalidParameter', 'headersTooLarge', { limit: MAX_HEADER_SIZE }) : wireError('InvalidParameter', 'httpMalformed');
      const r = renderError(refused, svc.ids.requestId(), 'parapet', 'json');
      if (socket.writable) socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: ${r.contentType}\r\nContent-Length: ${Buffer.byteLength(r.body)}\r\nConnection: close\r\n\r\n${r.body}`);
      else socket.destroy();
    },
    // the wire layer decodes the raw URL itself (it must, to re-canonicalize); fastify's parse would be wasted work
    // metadata capability URLs carry their grant in the path (src/domain/metadata-endpoint.ts)
    routerOptions: { querystringParser: () => ({}), maxParamLength: 8192 },
    // what fastify's router refuses itself (a path it can't decode, a bad content type) gets an
    // Alibaba error body too, with fastify's status
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      const r = renderError(withStatus(wireError('InvalidParameter', 'requestMalformed', { why: error.message }), status), svc.ids.requestId(), 'parapet', 'json');
      // the cast: the reply's type is generic over route schemas, and a request the router refused has none
      const plain = reply as unknown as { code(n: number): { header(k: string, v: string): { send(b: string): unknown } } };
      void plain.code(r.status).header('content-type', r.contentType).send(r.body);
    },
  });
  const pipeline = new Pipeline(svc, catalog, log);
  // Keep bodies raw: v3 hashes the exact bytes; the wire layer parses form bodies itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const handler = async (request: { method: string; raw: { url?: string; socket?: { remoteAddress?: string | undefined; encrypted?: boolean } }; headers: Record<string, string | string[] | undefined>; body?: unknown }, reply: { code(n: number): unknown; header(k: string, v: string): unknown; send(b?: string): unknown }) => {
    // a browser opening the server's address gets the console; an RPC request always has a query or a body
    if (opts.consoleDir !== undefined && wantsConsole(request.method, request.raw.url ?? '/', request.headers['accept'])) {
      reply.code(302);
      reply.header('location', '/console/');
      return reply.send();
    }
    const body = Buffer.isBuffer(request.body) ? request.body : EMPTY_BODY;
    // `encrypted`: the socket is a TLSSocket handed over by the TLS listener (src/server.ts)
    const result = await pipeline.handle({ method: request.method, url: request.raw.url ?? '/', headers: request.headers, body, remoteAddress: request.raw.socket?.remoteAddress, secure: request.raw.socket?.encrypted === true });
    reply.code(result.status);
    reply.header('content-type', result.contentType);
    reply.header('x-acs-request-id', result.requestId);
    return reply.send(result.body);
  };
  app.get('/', handler);
  app.post('/', handler);
  // ready or not, nothing more: the revision and the engine are nobody's business
  if (opts.consoleDir !== undefined) registerConsole(app, svc, pipeline, log, opts.consoleDir);
  app.get('/healthz', async (_req, reply) => (svc.store.healthy() ? reply.code(200).send({ status: 'ready' }) : reply.code(503).send({ status: 'not ready' })));

  app.setNotFoundHandler((request, reply) => {
    const requestId = svc.ids.requestId();
    const r = renderError(wireError('InvalidAction.NotFound', { action: `${request.method} ${request.url.split('?')[0]}` }), requestId, 'parapet', 'json');
    void reply.code(r.status).header('content-type', r.contentType).send(r.body);
  });
  app.setErrorHandler((error: { statusCode?: number; code?: string; message?: string }, _request, reply) => {
    const requestId = svc.ids.requestId();
    const status = error.statusCode ?? 500;
    let wire: WireError;
    if (status === 413) wire = wireError('InvalidParameter', 'bodyTooLarge', { limit: BODY_LIMIT });
    else if (status >= 400 && status < 500) wire = withStatus(wireError('InvalidParameter', 'requestMalformed', { why: error.message ?? '' }), status);
    else {
      log.error({ requestId, err: error }, 'unhandled error');
      wire = wireError('InternalError');
    }
    const r = renderError(wire, requestId, 'parapet', 'json');
    void reply.code(r.status).header('content-type', r.contentType).send(r.body);
  });
  return { app, pipeline };
}
