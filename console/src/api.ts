// The console's one way to the server (the console contract's "API client"): the session
// endpoints under /console/api/session and /console/api/password, the frame's capabilities, and call(), which runs an API
// operation through /console/api/call with the session's CSRF token. Every refusal is thrown as an
// ApiError carrying Alibaba's Code, Message, RequestId, the HTTP status and, for a RAM refusal, the
// denied action and resource.
// INVARIANT: no AccessKey secret or password is kept here; the sign-in requests carry them once and
// only the CSRF token (which is not a credential without the HttpOnly cookie) is remembered.

/** The catalog's product keys (src/api/catalog.ts): `antiddos` is antiddos-public 2017-05-18, `sas` Security Center 2018-12-03. */
export type Product = 'ecs' | 'vpc' | 'ram' | 'sts' | 'antiddos' | 'sas' | 'parapet';

/** Flat wire-form parameters (`Permissions.1.IpProtocol`), string values as the RPC API takes them. */
export type Params = Record<string, string | number | boolean | undefined>;

export interface AccessDenied {
  action?: string;
  resource?: string;
  principal?: string;
  type?: string;
}

export class ApiError extends Error {
  readonly code: string;
  readonly requestId: string | undefined;
  readonly status: number;
  /** the raw `AccessDeniedDetail` (a JSON string on the wire), parsed when it is JSON */
  readonly accessDeniedDetail: AccessDenied | undefined;

  constructor(status: number, code: string, message: string, requestId?: string, accessDeniedDetail?: AccessDenied) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.accessDeniedDetail = accessDeniedDetail;
  }

  /** a RAM refusal (`Forbidden.RAM` on ECS/VPC/Anti-DDoS, `NoPermission` on RAM/STS) */
  get isAccessDenied(): boolean {
    return this.accessDeniedDetail !== undefined || this.code === 'Forbidden.RAM' || this.code === 'NoPermission';
  }
}

export type SessionState = 'signedIn' | 'passwordChangeRequired' | 'mfaRequired' | 'mfaBindRequired';

export interface Session {
  state: SessionState;
  identity: { accountId: string; userName?: string; display: string };
  csrfToken: string;
  expiresAt: string;
  /** with `mfaBindRequired`: the virtual MFA device to bind, its seed shown this once */
  mfaDevice?: { SerialNumber: string; Base32StringSeed: string; OtpauthUri: string };
}

export type SignInRequest =
  | { kind: 'accessKey'; accessKeyId: string; accessKeySecret: string }
  | { kind: 'password'; principalName: string; password: string; mfaCode?: string; mfaBind?: { serialNumber: string; code1: string; code2: string } };

let csrfToken: string | undefined;
const unauthorizedListeners = new Set<(e: ApiError) => void>();

/** Called with the error whenever the server says the session is missing or expired (401). */
export function onUnauthorized(listener: (e: ApiError) => void): () => void {
  unauthorizedListeners.add(listener);
  return () => { unauthorizedListeners.delete(listener); };
}

function parseDetail(raw: unknown): AccessDenied | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  let d: unknown = raw;
  if (typeof raw === 'string') {
    try { d = JSON.parse(raw); } catch { return { type: raw }; }
  }
  if (typeof d !== 'object' || d === null) return undefined;
  const o = d as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
  return { action: str('AuthAction'), resource: str('AuthResource'), principal: str('AuthPrincipalDisplayName'), type: str('NoPermissionType') };
}

async function request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/console/api/${path}`, {
    method, headers, credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try { json = text === '' ? {} : JSON.parse(text); } catch {
    throw new ApiError(res.status, 'InvalidResponse', `The server answered ${res.status} with a body that is not JSON.`);
  }
  if (!res.ok) {
    const o = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    const err = new ApiError(res.status, typeof o['Code'] === 'string' ? o['Code'] : `Http${res.status}`,
      typeof o['Message'] === 'string' ? o['Message'] : res.statusText,
      typeof o['RequestId'] === 'string' ? o['RequestId'] : undefined, parseDetail(o['AccessDeniedDetail']));
    if (res.status === 401) for (const l of unauthorizedListeners) l(err);
    throw err;
  }
  return json as T;
}

function remember(s: Session): Session {
  csrfToken = s.csrfToken;
  return s;
}

/**
 * The session the server wrote into the page (`<script id="parapet-session">`, the answer GET
 * session would give) when the browser loaded it signed in; undefined when it did not.
 */
export function sessionInPage(): Session | undefined {
  const text = document.getElementById('parapet-session')?.textContent;
  if (text === undefined || text === null || text === '') return undefined;
  try {
    const s = JSON.parse(text) as Session;
    return typeof s === 'object' && s !== null && typeof s.state === 'string' && typeof s.csrfToken === 'string' ? remember(s) : undefined;
  } catch {
    return undefined;
  }
}

/** The current session; throws ApiError 401 (`ConsoleSession.Missing` / `.Expired`) when there is none. */
export async function getSession(): Promise<Session> {
  return remember(await request<Session>('GET', 'session'));
}

export async function signIn(req: SignInRequest): Promise<Session> {
  return remember(await request<Session>('POST', 'session', req));
}

export async function changePassword(oldPassword: string, newPassword: string): Promise<Session> {
  return remember(await request<Session>('POST', 'password', { oldPassword, newPassword }));
}

export async function signOut(): Promise<void> {
  try {
    await request<undefined>('DELETE', 'session');
  } finally {
    csrfToken = undefined;
  }
}

/** What the frame may show besides the page (GET /console/api/capabilities), judged server-side without a refusal. */
export interface Capabilities { securityAlerts: boolean; securityAssets: boolean }

export async function getCapabilities(): Promise<Capabilities> {
  return request<Capabilities>('GET', 'capabilities');
}

function wire(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = String(v);
  return out;
}

/**
 * Runs one API operation as the signed-in principal, through the same pipeline as the RPC API; the
 * answer is the operation's JSON body. `version` defaults (server side) to the product's version.
 */
export async function call<T = Record<string, unknown>>(product: Product, action: string, params: Params = {}, version?: string): Promise<T> {
  return request<T>('POST', 'call', { product, action, params: wire(params), ...(version !== undefined ? { version } : {}) });
}
