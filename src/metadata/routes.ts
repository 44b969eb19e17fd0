// Mounts the metadata service on the API server at /metadata/{grant}.{tag}/latest/...
// (IssueInstanceMetadataEndpoint hands out the URL).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../domain/context.ts';
import { isoSeconds } from '../clock.ts';
import { handleMetadata } from './service.ts';

export function registerMetadata(app: FastifyInstance, svc: Services): void {
  const handler = async (request: { method: string; params: unknown; headers: Record<string, string | string[] | undefined>; raw: { socket?: { remoteAddress?: string | undefined } } }, reply: { code(n: number): unknown; header(k: string, v: string): unknown; send(b: string): unknown }) => {
    // the cast: fastify fills params from the route pattern below
    const params = request.params as { endpoint: string; '*': string };
    // each use judges the endpoint's issuer again, as if they asked now, from where the URL is used
    const rc = { sourceIp: request.raw.socket?.remoteAddress ?? '127.0.0.1', secureTransport: false, currentTime: isoSeconds(svc.clock.now()) };
    const r = await handleMetadata(svc, params.endpoint, request.method, '/' + params['*'], request.headers, rc);
    reply.code(r.status);
    reply.header('content-type', r.contentType);
    return reply.send(r.body);
  };
  app.get('/metadata/:endpoint/*', handler);
  app.put('/metadata/:endpoint/*', handler);
}
