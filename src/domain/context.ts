// What every domain call receives: the store, the clock, the id source, the limits, who is
// calling, and `write`, the one way a call changes state. `write` runs in a single transaction;
// when the request carried a ClientToken it is also where idempotency is kept (the first result
// is stored in the same transaction and replayed for a repeat).
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import type { Store, Tx } from '../store/store.ts';
import type { Limits } from './limits.ts';
import type { DdosSettings } from './antiddos/model.ts';

/** What a request carries besides its parameters, for RAM conditions: where it came from, how, when. */
export interface RequestContext {
  sourceIp: string;
  secureTransport: boolean;
  /** `2026-11-30T10:00:00Z` */
  currentTime: string;
}

export interface Principal {
  accountId: string;
  /** 'root' for the account's own key, 'user' for a RAM user's, 'role' for STS credentials */
  kind: 'root' | 'user' | 'role';
  accessKeyId: string;
  /** the RAM user's name when kind is 'user' */
  userName?: string;
  /** the role (name and id), session, its end (ms) and session policy when kind is 'role' */
  roleName?: string;
  roleId?: string;
  sessionName?: string;
  sessionExpiresAt?: number;
  sessionPolicy?: string;
  /** a RAM user's sign-in session that gave a current MFA code (`acs:MFAPresent`; ram/signin.ts) */
  mfaPresent?: boolean;
  /** a RAM user's sign-in session whose password must be changed first: it may do nothing but ChangePassword */
  passwordChangeOnly?: boolean;
}

export interface Services {
  store: Store;
  clock: Clock;
  ids: Ids;
  limits: Limits;
  /** `http://host:port` where this server answers, once it listens */
  baseUrl?: string;
  /** where public IPv4 addresses come from (PARAPET_PUBLIC_IP_POOL; default 203.0.113.0/24) */
  publicIpPool?: string;
  /** Anti-DDoS Basic's operator settings (PARAPET_ANTIDDOS_*; default DEFAULT_DDOS_SETTINGS) */
  antiddos?: DdosSettings;
}

export interface CallContext extends Services {
  principal: Principal;
  requestId: string;
  /** what the transport says about the request (source address, time…): every authorization in the call uses it */
  request: RequestContext;
  /** runs `fn` in one transaction (with ClientToken idempotency when the request has one) */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}
