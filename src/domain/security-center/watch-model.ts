// What the data plane's Security Center watcher (src/dataplane/security-watch.ts) reports of an
// instance, as the domain (evidence.ts) reads it: types only, shared by both sides.

/** One logon attempt from an instance's sshd log. */
export interface LogonEvent {
  instanceId: string;
  /** ms since the epoch */
  at: number;
  sourceIp: string;
  account: string;
  method: 'password' | 'publickey';
  success: boolean;
}

/** One listening socket inside an instance. */
export interface ListeningSocket {
  proto: 'tcp' | 'udp';
  port: number;
  /** the local address it is bound to (`0.0.0.0`, `::`, `127.0.0.1`, an ENI's address…) */
  address: string;
}

/** An anti-brute-force block in force: `ip` may not reach `instanceId` until `until` (ms). */
export interface BruteForceBlock { instanceId: string; ip: string; until: number }
