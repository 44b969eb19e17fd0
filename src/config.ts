// Configuration from the environment (README lists every variable).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Limits } from './domain/limits.ts';
import { DEFAULT_LIMITS, PUBLIC_IP_POOL } from './domain/limits.ts';
import { DEFAULT_DDOS_SETTINGS, type DdosSettings } from './domain/antiddos/model.ts';

export interface Config {
  host: string;
  port: number;
  /** the TLS listener's port (PARAPET_TLS_PORT), on the same host; undefined: no TLS listener */
  tlsPort: number | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL schema to use (created when missing); the connection's default when unset */
  databaseSchema: string | undefined;
  accountId: string | undefined;
  rootAccessKeyId: string | undefined;
  rootAccessKeySecret: string | undefined;
  logLevel: string;
  limits: Limits;
  /** where public IPv4 addresses come from */
  publicIpPool: string;
  /** run the data-plane agent inside the server (PARAPET_DATAPLANE=1; Linux, root) */
  dataplane: boolean;
  /** the agent's registry, sshd keys and logs */
  dataplaneDir: string;
  /** prefix of the agent's namespaces */
  dataplanePrefix: string;
  /** the API server a standalone agent forwards 100.100.100.100:80 to */
  apiUrl: string | undefined;
  /** RSA keys generated ahead of CreateKeyPair (0: none) */
  keyPairPool: number;
  /** the built web console served under /console/ (PARAPET_CONSOLE_DIR; default the package's console/dist) */
  consoleDir: string;
  /** Anti-DDoS Basic: black-hole threshold and duration, sampling, hold time, penalties (PARAPET_ANTIDDOS_*, PARAPET_PENALTY_*) */
  antiddos: DdosSettings;
  /** Security Center's e-mail notifications: the operator's SMTP server (PARAPET_SMTP_*; none without PARAPET_SMTP_HOST) */
  smtp: { host: string; port: number; secure: boolean; user: string; password: string; from: string } | undefined;
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got \`${raw}\``);
  return n;
}

/** An integer variable within `[min, max]`. */
function boundedVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const n = intVar(env, name, fallback);
  if (n < min || n > max) throw new Error(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function ddosSettings(env: NodeJS.ProcessEnv): DdosSettings {
  const d = DEFAULT_DDOS_SETTINGS;
  return {
    blackholeBps: boundedVar(env, 'PARAPET_ANTIDDOS_BLACKHOLE_BPS', d.blackholeBps, 1, Number.MAX_SAFE_INTEGER),
    blackholeSeconds: boundedVar(env, 'PARAPET_ANTIDDOS_BLACKHOLE_SECONDS', d.blackholeSeconds, 1, 7 * 86400),
    sampleMs: boundedVar(env, 'PARAPET_ANTIDDOS_SAMPLE_MS', d.sampleMs, 50, 1000),
    holdSeconds: boundedVar(env, 'PARAPET_ANTIDDOS_HOLD_SECONDS', d.holdSeconds, 0, 86400),
    penaltyOutPps: boundedVar(env, 'PARAPET_PENALTY_OUT_PPS', d.penaltyOutPps, 0, Number.MAX_SAFE_INTEGER),
    penaltySeconds: boundedVar(env, 'PARAPET_PENALTY_SECONDS', d.penaltySeconds, 1, 7 * 86400),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = intVar(env, 'PARAPET_PORT', 8080);
  if (port > 65535) throw new Error(`PARAPET_PORT must be at most 65535, got ${port}`);
  const tlsPort = env['PARAPET_TLS_PORT'] === undefined || env['PARAPET_TLS_PORT'] === '' ? undefined : intVar(env, 'PARAPET_TLS_PORT', 0);
  if (tlsPort !== undefined && tlsPort > 65535) throw new Error(`PARAPET_TLS_PORT must be at most 65535, got ${tlsPort}`);
  return {
    host: env['PARAPET_HOST'] || '127.0.0.1',
    port,
    tlsPort,
    dataDir: env['PARAPET_DATA_DIR'] || './data',
    databaseUrl: env['PARAPET_DATABASE_URL'] || undefined,
    databaseSchema: env['PARAPET_DATABASE_SCHEMA'] || undefined,
    accountId: env['PARAPET_ACCOUNT_ID'] || undefined,
    rootAccessKeyId: env['PARAPET_ROOT_ACCESS_KEY_ID'] || undefined,
    rootAccessKeySecret: env['PARAPET_ROOT_ACCESS_KEY_SECRET'] || undefined,
    logLevel: env['PARAPET_LOG_LEVEL'] || 'info',
    publicIpPool: env['PARAPET_PUBLIC_IP_POOL'] || PUBLIC_IP_POOL,
    dataplane: env['PARAPET_DATAPLANE'] === '1' || env['PARAPET_DATAPLANE'] === 'true',
    dataplaneDir: env['PARAPET_DATAPLANE_DIR'] || `${env['PARAPET_DATA_DIR'] || './data'}/dataplane`,
    dataplanePrefix: env['PARAPET_DATAPLANE_PREFIX'] || 'parapet-',
    apiUrl: env['PARAPET_API_URL'] || undefined,
    keyPairPool: intVar(env, 'PARAPET_KEYPAIR_POOL', 4),
    antiddos: ddosSettings(env),
    smtp: env['PARAPET_SMTP_HOST'] ? {
      host: env['PARAPET_SMTP_HOST'], port: intVar(env, 'PARAPET_SMTP_PORT', 587), secure: env['PARAPET_SMTP_SECURE'] === '1' || env['PARAPET_SMTP_SECURE'] === 'true',
      user: env['PARAPET_SMTP_USER'] ?? '', password: env['PARAPET_SMTP_PASSWORD'] ?? '', from: env['PARAPET_SMTP_FROM'] || 'parapet@localhost',
    } : undefined,
    consoleDir: resolve(env['PARAPET_CONSOLE_DIR'] || fileURLToPath(new URL('../console/dist', import.meta.url))),
    limits: {
      vpcsPerRegion: intVar(env, 'PARAPET_LIMIT_VPCS_PER_REGION', DEFAULT_LIMITS.vpcsPerRegion),
      vswitchesPerVpc: intVar(env, 'PARAPET_LIMIT_VSWITCHES_PER_VPC', DEFAULT_LIMITS.vswitchesPerVpc),
      securityGroupsPerRegion: intVar(env, 'PARAPET_LIMIT_SECURITY_GROUPS_PER_REGION', DEFAULT_LIMITS.securityGroupsPerRegion),
      rulesPerGroup: intVar(env, 'PARAPET_LIMIT_RULES_PER_GROUP', DEFAULT_LIMITS.rulesPerGroup),
      groupsPerEni: intVar(env, 'PARAPET_LIMIT_GROUPS_PER_ENI', DEFAULT_LIMITS.groupsPerEni),
      rulesPerEni: intVar(env, 'PARAPET_LIMIT_RULES_PER_ENI', DEFAULT_LIMITS.rulesPerEni),
      privateIpsPerBasicGroup: intVar(env, 'PARAPET_LIMIT_PRIVATE_IPS_PER_BASIC_GROUP', DEFAULT_LIMITS.privateIpsPerBasicGroup),
      privateIpsPerAdvancedGroup: intVar(env, 'PARAPET_LIMIT_PRIVATE_IPS_PER_ADVANCED_GROUP', DEFAULT_LIMITS.privateIpsPerAdvancedGroup),
      keyPairsPerRegion: intVar(env, 'PARAPET_LIMIT_KEY_PAIRS_PER_REGION', DEFAULT_LIMITS.keyPairsPerRegion),
    },
  };
}
