// Mounts the metadata service on the API server at /metadata/{instanceId}.{tag}/latest/...
import type { FastifyInstance } from 'fastify';
import type { Services } from '../domain/context.ts';
import { handleMetadata } from './service.ts';

export function registerMetadata(app: FastifyInstance, svc: Services): void {
  const handler = async (request: { method: string; params: unknown; headers: Record<string, string | string[] | undefined> }, reply: { code(n: number): unknown; header(k: string, v: string): unknown; send(b: string): unknown }) => {
    const params = request.params as { endpoint: string; '*': string };
    const r = await handleMetadata(svc, params.endpoint, request.method, '/' + params['*'], request.headers);
    reply.code(r.status);
    reply.header('content-type', r.contentType);
    return reply.send(r.body);
  };
  app.get('/metadata/:endpoint/*', handler);
  app.put('/metadata/:endpoint/*', handler);
}
