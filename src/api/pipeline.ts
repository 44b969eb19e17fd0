// The request pipeline, top to bottom: request id → decode → authenticate (AccessKey, signature,
// clock, nonce) → resolve the operation → parse parameters → authorize → dispatch → render.
// Errors become wire errors here and nowhere else; anything that is not an API error is a bug
// and answers 500 `InternalError` with its stack in the log.
import type { Logger } from 'pino';
import { LRUCache } from 'lru-cache';
import { decodeRequest, type DecodedRequest, type RawRequest, type ResponseFormat } from '../wire/decode.ts';
import { isErrorShape, wireError, type ErrorShape } from '../wire/errors.ts';
import { unflatten } from '../wire/flatten.ts';
import { checkTimestamp, nonceClaim } from '../wire/freshness.ts';
import { renderError, renderSuccess, type Rendered } from '../wire/render.ts';
import { sha256Hex, verifyV1, verifyV3, v1StringToSign, v3StringToSign, EMPTY_SHA256 } from '../wire/signature.ts';
import { apiError, isStoreDataError, isStoreUnavailable } from '../domain/errors.ts';
import type { CallContext, Principal, Services } from '../domain/context.ts';
import { type Catalog, HOST_IDS, type Operation, type Product, VERSIONS } from './catalog.ts';
import { CredentialCache } from './credentials.ts';
import { verifyToken, type StsSession } from '../domain/sts.ts';
import type { AccessKeyRecord } from '../domain/accounts.ts';
import { parseParams } from './params.ts';
import { authorize, authorizePassRole, type RequestContext } from './authorize.ts';
import { idempotentWrite, paramsFingerprint } from '../domain/idempotency.ts';
import { isoSeconds } from '../clock.ts';

export interface PipelineResult extends Rendered {
  requestId: string;
}

export class Pipeline {
  private readonly credentials: CredentialCache;
  private readonly plainWrite: CallContext['write'];
  private readonly parsed = new LRUCache<string, Record<string, unknown>>({ max: 1000 });

  constructor(private readonly svc: Services, private readonly catalog: Catalog, private readonly log: Logger) {
    this.credentials = new CredentialCache(svc.store, svc.clock);
    this.plainWrite = (fn) => svc.store.write(fn);
  }

  async handle(raw: RawRequest): Promise<PipelineResult> {
    const started = performance.now();
    const requestId = this.svc.ids.requestId();
    let format: ResponseFormat = 'json';
    let product: Product | undefined;
    let action: string | undefined;
    let accessKeyId: string | undefined;
    let rendered: Rendered;
    let code: string | undefined;
    try {
      const req = decodeRequest(raw);
      format = req.format;
      action = req.action;
      accessKeyId = req.auth.accessKeyId;
      // the product the version names, known before authentication so that every error after
      // decoding (a bad signature, an unknown key) carries that product's HostId
      product = Object.hasOwn(VERSIONS, req.version) ? VERSIONS[req.version] : undefined;
      const { principal, claimed } = await this.authenticate(req, raw);
      // INVARIANT: a signed request is accepted once: its nonce's claim (in the store, which every
      // server on it and every restart sees) must succeed before anything is written for it and
      // before it is answered; a read's work overlaps the claim's round trip
      const accepted = async () => { if (!await claimed) throw wireError('SignatureNonceUsed'); };
      if (product === undefined) throw wireError('InvalidVersion', { version: req.version });
      const body = await this.execute(principal, product, req.action, req.params, this.requestContext(raw), requestId, accepted, this.parseCacheKey(req));
      await accepted();
      rendered = renderSuccess(req.action, requestId, body, format);
    } catch (e) {
      const error = this.errorOf(e, requestId);
      code = error.code;
      rendered = renderError(error, requestId, HOST_IDS[product ?? 'ecs'], format);
    }
    this.log.info({
      requestId, product, action, accessKeyId, status: rendered.status, code,
      ms: Math.round((performance.now() - started) * 1000) / 1000,
    }, 'request');
    return { ...rendered, requestId };
  }

  /**
   * A call from an authenticated web console session (src/api/console-session.ts): the stages
   * after authentication, the same as a signed request's, with the session's principal. There is
   * no signature, so no nonce or timestamp; the session and its CSRF token stand for them. The
   * answer is JSON, as the console asks for it; the log line is a signed request's plus `console`.
   */
  async call(c: { principal: Principal; product: string; version?: string | undefined; action: string; params: ReadonlyArray<readonly [string, string]>; remoteAddress: string | undefined; secure: boolean }): Promise<PipelineResult> {
    const started = performance.now();
    const requestId = this.svc.ids.requestId();
    let product: Product | undefined;
    let rendered: Rendered;
    let code: string | undefined;
    try {
      product = Object.hasOwn(HOST_IDS, c.product) ? c.product as Product : undefined;
      if (product === undefined) throw wireError('InvalidParameter', { name: 'product', value: c.product.slice(0, 64), why: `It is one of ${Object.keys(HOST_IDS).join(', ')}.` });
      // a version, when given, must be one of the product's: the ECS version also serves the VPC operations
      if (c.version !== undefined && (!Object.hasOwn(VERSIONS, c.version) || VERSIONS[c.version] !== product)) throw wireError('InvalidVersion', { version: c.version });
      const body = await this.execute(c.principal, product, c.action, c.params, this.requestContext(c), requestId, () => Promise.resolve(), '');
      rendered = renderSuccess(c.action, requestId, body, 'json');
    } catch (e) {
      const error = this.errorOf(e, requestId);
      code = error.code;
      rendered = renderError(error, requestId, HOST_IDS[product ?? 'ecs'], 'json');
    }
    this.log.info({
      requestId, product, action: c.action, accessKeyId: c.principal.accessKeyId === '' ? undefined : c.principal.accessKeyId, console: c.principal.userName ?? 'root',
      status: rendered.status, code, ms: Math.round((performance.now() - started) * 1000) / 1000,
    }, 'request');
    return { ...rendered, requestId };
  }

  /**
   * The stages after authentication: resolve the operation, parse its parameters, authorize the
   * principal, dispatch. `accepted` is awaited before any write (a signed request's nonce claim).
   */
  private async execute(principal: Principal, product: Product, action: string, flat: ReadonlyArray<readonly [string, string]>, rc: RequestContext, requestId: string, accepted: () => Promise<void>, cacheKey: string): Promise<Record<string, unknown>> {
    const operation = this.catalog.find(product, action);
    if (operation === undefined) throw wireError('InvalidAction.NotFound', { action });
    const params = this.parse(operation, flat, cacheKey);
    await authorize(this.svc, principal, operation, operation.resources(params, principal.accountId, principal), rc);
    const passed = operation.passRole?.(params);
    if (passed !== undefined && passed !== '') await authorizePassRole(this.svc, principal, passed, rc);
    if (params['DryRun'] === true) {
      throw apiError('DryRunOperation');
    }
    const ctx = this.context(principal, requestId, operation, flat, params, rc, accepted);
    return operation.handler(ctx, params);
  }

  private requestContext(t: { remoteAddress?: string | undefined; secure?: boolean | undefined }): RequestContext {
    return { sourceIp: t.remoteAddress ?? '127.0.0.1', secureTransport: t.secure === true, currentTime: isoSeconds(this.svc.clock.now()) };
  }

  /** Any failure as the error to answer; anything that is not an API error is logged. */
  errorOf(e: unknown, requestId: string): ErrorShape {
    if (isErrorShape(e)) return e;
    if (isStoreDataError(e)) {
      // the database refused a value of the request: the client's input, not our failure
      this.log.warn({ requestId, err: e }, 'store refused a value');
      return apiError('InvalidParameter', 'storeRefused');
    }
    if (isStoreUnavailable(e)) {
      // the database is unreachable for now: nothing was done, the client may retry
      this.log.warn({ requestId, err: e }, 'store unavailable');
      return apiError('ServiceUnavailable');
    }
    this.log.error({ requestId, err: e }, 'unhandled error');
    return wireError('InternalError');
  }

  /** A v3 read's cache key for its parsed parameters (its query string), '' when not cacheable. */
  private parseCacheKey(req: DecodedRequest): string {
    const cacheable = req.auth.kind === 'v3' && req.allParams === req.query && req.rawQuery.length <= 2048;
    return cacheable ? '?' + req.rawQuery : '';
  }

  /**
   * Parameters through the operation's schema. A v3 read repeats the same query string, so the
   * parsed parameters of the 1,000 (operation, query) pairs used last are kept.
   * INVARIANT: handlers never mutate their parameters.
   */
  private parse(operation: Operation, flat: ReadonlyArray<readonly [string, string]>, cacheKey: string): Record<string, unknown> {
    const key = cacheKey === '' ? '' : operation.product + ':' + operation.action + cacheKey;
    if (key !== '') {
      const hit = this.parsed.get(key);
      if (hit !== undefined) return hit;
    }
    const params = parseParams(operation.params, unflatten(flat)) as Record<string, unknown>;
    if (key !== '') this.parsed.set(key, params);
    return params;
  }

  /** Who signed the request, and the claim of its nonce (still in flight: the caller awaits it). */
  private async authenticate(req: DecodedRequest, raw: RawRequest): Promise<{ principal: Principal; claimed: Promise<boolean> }> {
    const auth = req.auth;
    let session: StsSession | undefined;
    let key: AccessKeyRecord | undefined;
    if (auth.accessKeyId.startsWith('STS.')) {
      session = await verifyToken(this.svc, auth.accessKeyId, auth.securityToken);
      key = { id: auth.accessKeyId, secret: session.secret, accountId: session.accountId, userName: null, status: 'Active' };
    } else {
      key = this.credentials.cached(auth.accessKeyId) ?? await this.credentials.lookup(auth.accessKeyId);
      if (key === undefined) throw wireError('InvalidAccessKeyId.NotFound');
      if (key.status !== 'Active') throw wireError('InvalidAccessKeyId.Inactive');
    }
    if (auth.kind === 'v3') {
      const declared = raw.headers['x-acs-content-sha256'];
      const payloadHash = raw.body.length === 0 ? EMPTY_SHA256 : sha256Hex(raw.body);
      if (declared !== payloadHash) throw wireError('SignatureDoesNotMatch', 'contentHash');
      const input = { method: req.method, path: req.path, query: req.query, headers: raw.headers, signedHeaders: auth.signedHeaders, payloadHash };
      if (!verifyV3(input, key.secret, auth.signature)) throw wireError('SignatureDoesNotMatch', { stringToSign: v3StringToSign(input) });
    } else {
      if (!verifyV1(req.method, req.allParams, key.secret, auth.signature)) {
        throw wireError('SignatureDoesNotMatch', { stringToSign: v1StringToSign(req.method, req.allParams) });
      }
    }
    const now = this.svc.clock.now();
    const sent = checkTimestamp(auth.timestamp, now);
    const claim = nonceClaim(auth.accessKeyId, auth.nonce, sent);
    const claimed = this.svc.store.nonces.claim(claim.key, claim.expiresAt, now);
    // awaited by the caller; a request that fails before then must not leave it unhandled
    claimed.catch(() => undefined);
    return { principal: this.principalOf(auth, key, session), claimed };
  }

  private principalOf(auth: DecodedRequest['auth'], key: AccessKeyRecord, session: StsSession | undefined): Principal {
    if (session !== undefined) {
      const p: Principal = {
        accountId: session.accountId, kind: 'role', accessKeyId: key.id, roleName: session.roleName, roleId: session.roleId,
        sessionName: session.sessionName, sessionExpiresAt: session.expiration,
      };
      if (session.sessionPolicy !== undefined) p.sessionPolicy = session.sessionPolicy;
      return p;
    }
    if (auth.securityToken !== undefined) {
      throw wireError('InvalidSecurityToken.Malformed', 'because', { why: 'The AccessKey is not a temporary credential.' });
    }
    if (key.userName !== null) return { accountId: key.accountId, kind: 'user', accessKeyId: key.id, userName: key.userName };
    return { accountId: key.accountId, kind: 'root', accessKeyId: key.id };
  }

  private context(principal: Principal, requestId: string, operation: Operation, flat: ReadonlyArray<readonly [string, string]>, params: Record<string, unknown>, request: RequestContext, accepted: () => Promise<void>): CallContext {
    const svc = this.svc;
    const token = operation.idempotent === true && typeof params['ClientToken'] === 'string' && params['ClientToken'] !== '' ? params['ClientToken'] : undefined;
    const inner = token === undefined
      ? this.plainWrite
      : idempotentWrite(svc.store, {
          accountId: principal.accountId, action: operation.product + ':' + operation.action, token,
          fingerprint: paramsFingerprint(flat), nowMs: svc.clock.now(),
        });
    // nothing is written for a request whose nonce was used before
    const write: CallContext['write'] = async (fn) => { await accepted(); return inner(fn); };
    const ctx: CallContext = { store: svc.store, clock: svc.clock, ids: svc.ids, limits: svc.limits, principal, requestId, request, write };
    if (svc.baseUrl !== undefined) ctx.baseUrl = svc.baseUrl;
    if (svc.publicIpPool !== undefined) ctx.publicIpPool = svc.publicIpPool;
    if (svc.antiddos !== undefined) ctx.antiddos = svc.antiddos;
    return ctx;
  }
}
