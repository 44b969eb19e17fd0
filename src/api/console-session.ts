// The web console's endpoints on the API's port (the contract: docs/ARCHITECTURE.md "Console"):
// the built console's files under `/console/` (console-static.ts; a signed-in browser's page
// carries its session as JSON, the answer GET /console/api/session would give), `GET /` from a browser sent to
// `/console/`, and the JSON endpoints under `/console/api/`: the session (sign in, read, sign
// out), the forced password change, `capabilities` (what the frame and the lists may show besides
// their own data: Security Center's alerts and assets, judged without calling, so a user without them
// is not refused on every page), and `call`, which runs an operation of the catalog through the
// API's own pipeline (Pipeline.call) as the session's principal. Sessions live in the store
// (domain/console-sessions.ts); the cookie carries a random id, state-changing requests the
// session's CSRF token in `x-csrf-token`, and bodies must be `application/json` (a cross-site form
// can't send that, so it can't sign a browser in to someone else's session either).
import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Services } from '../domain/context.ts';
import {
  type ConsoleSession, checkCsrf, changeSessionPassword, findSession, principalOfSession, revokeSession, signInWithAccessKey,
  signInWithPassword, type SignInOutcome, stateOf,
} from '../domain/console-sessions.ts';
import { renderError } from '../wire/render.ts';
import { wireError } from '../wire/errors.ts';
import { isoSeconds } from '../clock.ts';
import { judge } from '../domain/authorization.ts';
import { arn } from '../domain/arns.ts';
import { parseParams } from './params.ts';
import type { Pipeline } from './pipeline.ts';
import { ConsoleFiles } from './console-static.ts';

export const COOKIE = 'parapet_console';

const signInBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('accessKey'), accessKeyId: z.string().min(1).max(128), accessKeySecret: z.string().min(1).max(256) }),
  z.object({ kind: z.literal('password'), principalName: z.string().min(1).max(256), password: z.string().min(1).max(256), mfaCode: z.string().max(16).optional(),
    mfaBind: z.object({ serialNumber: z.string().min(1).max(256), code1: z.string().min(1).max(16), code2: z.string().min(1).max(16) }).optional() }),
]);
const passwordBody = z.object({ oldPassword: z.string().max(256), newPassword: z.string().max(256) });
const callBody = z.object({
  product: z.string().max(32),
  version: z.string().max(32).optional(),
  action: z.string().min(1).max(128),
  // Alibaba's flattened wire form: `Permissions.1.IpProtocol` → a string
  params: z.record(z.string().max(256), z.string().max(65536)).optional(),
});

type Req = FastifyRequest;
type Transport = { remoteAddress: string | undefined; secure: boolean };

function transportOf(request: Req): Transport {
  const socket = request.raw.socket as { remoteAddress?: string; encrypted?: boolean } | undefined;
  return { remoteAddress: socket?.remoteAddress, secure: socket?.encrypted === true };
}

function cookieOf(request: Req): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function cookie(value: string, secure: boolean, clear = false): string {
  return `${COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/console${secure ? '; Secure' : ''}${clear ? '; Max-Age=0' : ''}`;
}

/** The JSON body, through its schema: refusals name the field as the API names a parameter. */
function bodyOf<S extends z.ZodType>(request: Req, schema: S): z.output<S> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw wireError('InvalidParameter', { name: 'Content-Type', value: type.slice(0, 64), why: 'The console\'s endpoints take `application/json`.' });
  const raw = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
  let tree: unknown;
  try {
    tree = JSON.parse(raw);
  } catch {
    throw wireError('InvalidParameter', 'requestMalformed', { why: 'The body is not JSON.' });
  }
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) throw wireError('InvalidParameter', 'requestMalformed', { why: 'The body is not a JSON object.' });
  return parseParams(schema, tree);
}

function identityOf(accountId: string, userName: string | undefined): Record<string, string> {
  return userName === undefined
    ? { accountId, display: `root@${accountId}` }
    : { accountId, userName, display: `${userName}@${accountId}` };
}

function sessionView(session: ConsoleSession): Record<string, unknown> {
  return { state: stateOf(session), identity: identityOf(session.accountId, session.userName), csrfToken: session.csrfToken, expiresAt: isoSeconds(session.expiresAt) };
}

export function registerConsole(app: FastifyInstance, svc: Services, pipeline: Pipeline, log: Logger, consoleDir: string): void {
  const files = new ConsoleFiles(consoleDir);

  /** Runs one endpoint: its answer, or its refusal as the API's error body; one log line. */
  const endpoint = (name: string, fn: (request: Req, reply: FastifyReply, t: Transport) => Promise<{ status: number; body?: Record<string, unknown> }>) =>
    async (request: Req, reply: FastifyReply) => {
      const started = performance.now();
      const requestId = svc.ids.requestId();
      let status: number;
      let code: string | undefined;
      let text = '';
      try {
        const r = await fn(request, reply, transportOf(request));
        status = r.status;
        if (r.body !== undefined) text = JSON.stringify({ ...r.body, RequestId: requestId });
      } catch (e) {
        const error = pipeline.errorOf(e, requestId);
        code = error.code;
        const rendered = renderError(error, requestId, 'parapet', 'json');
        status = rendered.status;
        text = rendered.body;
      }
      log.info({ requestId, console: name, status, code, ms: Math.round((performance.now() - started) * 1000) / 1000 }, 'request');
      void reply.code(status).header('x-acs-request-id', requestId).header('cache-control', 'no-store');
      if (text === '') return reply.send();
      return reply.header('content-type', 'application/json;charset=utf-8').send(text);
    };

  /** The cookie's session, and for a state-changing request its CSRF token checked. */
  const session = async (request: Req, csrf: boolean): Promise<ConsoleSession> => {
    const s = await findSession(svc, cookieOf(request));
    if (csrf) {
      const token = request.headers['x-csrf-token'];
      checkCsrf(s, typeof token === 'string' ? token : undefined);
    }
    return s;
  };

  app.post('/console/api/session', endpoint('signIn', async (request, reply, t) => {
    const body = bodyOf(request, signInBody);
    const outcome: SignInOutcome = body.kind === 'accessKey'
      ? await signInWithAccessKey(svc, body.accessKeyId, body.accessKeySecret)
      : await signInWithPassword(svc, { userPrincipalName: body.principalName, password: body.password, mfaCode: body.mfaCode, mfaBind: body.mfaBind });
    if (!('session' in outcome)) {
      // no session yet: nothing to protect with a token, nothing that expires
      const answer: Record<string, unknown> = { state: outcome.state, identity: identityOf(outcome.accountId, outcome.userName), csrfToken: '', expiresAt: '' };
      // the device to bind, in CreateVirtualMFADevice's names (its seed is shown this once)
      if (outcome.state === 'mfaBindRequired') answer['mfaDevice'] = { SerialNumber: outcome.device.serialNumber, Base32StringSeed: outcome.device.base32StringSeed, OtpauthUri: outcome.device.otpauthUri };
      return { status: 200, body: answer };
    }
    // a session already in the browser is replaced: it ends server-side too
    const previous = cookieOf(request);
    if (previous !== undefined) await findSession(svc, previous).then((s) => revokeSession(svc, s.idHash), () => undefined);
    void reply.header('set-cookie', cookie(outcome.id, t.secure));
    return { status: 200, body: sessionView(outcome.session) };
  }));

  app.get('/console/api/session', endpoint('session', async (request) => ({ status: 200, body: sessionView(await session(request, false)) })));

  app.delete('/console/api/session', endpoint('signOut', async (request, reply, t) => {
    const s = await session(request, true);
    await revokeSession(svc, s.idHash);
    void reply.header('set-cookie', cookie('', t.secure, true));
    return { status: 204 };
  }));

  app.post('/console/api/password', endpoint('password', async (request, _reply, t) => {
    const s = await session(request, true);
    const body = bodyOf(request, passwordBody);
    const rc = { sourceIp: t.remoteAddress ?? '127.0.0.1', secureTransport: t.secure, currentTime: isoSeconds(svc.clock.now()) };
    return { status: 200, body: sessionView(await changeSessionPassword(svc, s, rc, body)) };
  }));

  // what the frame and the lists show besides a page's own data, when the principal may read it,
  // judged as a call would be: the top bar's pending alerts (DescribeSuspEvents) and the Instances
  // list's security status (DescribeCloudCenterInstances), both on the Security Center's resource
  app.get('/console/api/capabilities', endpoint('capabilities', async (request, _reply, t) => {
    const s = await session(request, false);
    const rc = { sourceIp: t.remoteAddress ?? '127.0.0.1', secureTransport: t.secure, currentTime: isoSeconds(svc.clock.now()) };
    const principal = principalOfSession(svc, s);
    const service = [arn('yundun-sas', '*', s.accountId, '*')];
    // a session that must change its password may do nothing else
    const may = async (action: string) => !s.passwordChangeRequired && (await judge(svc, principal, action, service, rc)).allowed;
    return { status: 200, body: { securityAlerts: await may('yundun-sas:DescribeSuspEvents'), securityAssets: await may('yundun-sas:DescribeCloudCenterInstances') } };
  }));

  // the operation's own answer, status and body, exactly as the RPC API gives it
  app.post('/console/api/call', async (request, reply) => {
    let s: ConsoleSession;
    let body: z.output<typeof callBody>;
    try {
      s = await session(request, true);
      body = bodyOf(request, callBody);
    } catch (e) {
      return endpoint('call', () => Promise.reject(e instanceof Error ? e : new Error(String(e))))(request, reply);
    }
    const t = transportOf(request);
    const result = await pipeline.call({
      principal: principalOfSession(svc, s), product: body.product, version: body.version, action: body.action,
      params: Object.entries(body.params ?? {}), remoteAddress: t.remoteAddress, secure: t.secure,
    });
    return reply.code(result.status).header('content-type', result.contentType).header('x-acs-request-id', result.requestId).header('cache-control', 'no-store').send(result.body);
  });

  // the built console; `/console/api/…` that is none of the above is the API's not-found
  const notFound = (request: Req, reply: FastifyReply) => {
    const r = renderError(wireError('InvalidAction.NotFound', { action: `${request.method} ${request.url.split('?')[0]}` }), svc.ids.requestId(), 'parapet', 'json');
    return reply.code(r.status).header('content-type', r.contentType).send(r.body);
  };
  app.get('/console', (_request, reply) => reply.code(302).header('location', '/console/').send());
  app.get('/console/*', async (request, reply) => {
    const path = (request.raw.url ?? '/console/').split('?')[0]!;
    const rest = path.slice('/console/'.length);
    if (rest === 'api' || rest.startsWith('api/')) return notFound(request, reply);
    const accept = request.headers['accept-encoding'];
    // a signed-in browser's page carries its session, so the console's first render needs no round trip
    const signedIn = async (): Promise<string | undefined> => {
      const s = await session(request, false).catch(() => undefined);
      return s === undefined ? undefined : `<script type="application/json" id="parapet-session">${jsonInHtml(sessionView(s))}</script>`;
    };
    const answer = await files.answer(rest, typeof accept === 'string' && /\bgzip\b/.test(accept), cookieOf(request) === undefined ? undefined : signedIn);
    if (answer === undefined) return notFound(request, reply);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
}

/** JSON that can sit inside a `<script>` element: nothing in it can close the element or start markup. */
export function jsonInHtml(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `GET /` with no query from a browser (it accepts HTML) goes to the console; anything else is the RPC API's. */
export function wantsConsole(method: string, url: string, accept: string | string[] | undefined): boolean {
  return method === 'GET' && url === '/' && typeof accept === 'string' && accept.includes('text/html');
}
