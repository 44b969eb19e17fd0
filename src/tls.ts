// The certificates of Parapet's TLS listener (PARAPET_TLS_PORT): a local certificate authority made
// in the data dir at the first start, and a server certificate it signs for the names clients use
// (localhost and the loopback addresses, 100.100.100.100 inside instances, `*.aliyuncs.com` and
// `*.{region}.aliyuncs.com`: src/domain/endpoints.ts). Both are reused at later starts; the server
// certificate is made again when it is expired or near its end, when the names it must carry
// changed, or when the CA was made again; the CA when it is expired or near its end.
// INVARIANT: the CA's private key is written 0600 into `{dataDir}/tls/` (a 0700 directory) and read
// from there only: it never leaves the data dir. With PostgreSQL and several servers, each server
// has a CA of its own in its own data dir (clients trust each one, or share one data dir's `tls/`).
import { generateKeyPair } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import ipaddr from 'ipaddr.js';
import type { Clock } from './clock.ts';
import type { Ids } from './ids.ts';

const DAY_MS = 86_400_000;
/** the CA lives ten years; the server certificate 397 days (the longest browsers accept from any CA) */
const CA_LIFETIME_MS = 3650 * DAY_MS;
const SERVER_LIFETIME_MS = 397 * DAY_MS;
/** a certificate that ends within this time is made again at the start */
const RENEW_BEFORE_MS = 30 * DAY_MS;

export const CA_CERT_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';
export const SERVER_CERT_FILE = 'server.crt';
export const SERVER_KEY_FILE = 'server.key';

export interface TlsNames {
  /** DNS names (`*.aliyuncs.com` covers one label) */
  dns: readonly string[];
  /** IPv4 and IPv6 addresses */
  ips: readonly string[];
}

export interface TlsMaterial {
  /** `{dataDir}/tls`: what a client trusts is `caFile` */
  dir: string;
  caFile: string;
  /** PEM of the server certificate followed by the CA's (the chain a client is sent) */
  certChain: string;
  /** PEM of the server's private key */
  key: string;
  /** what this start made: nothing on a start that reused both */
  made: { ca: boolean; server: boolean };
}

/** The TLS directory of a data dir. */
export function tlsDir(dataDir: string): string {
  return join(dataDir, 'tls');
}

/** The CA and server certificate of `dataDir`, made or renewed first where needed. */
export async function ensureTlsMaterial(dataDir: string, names: TlsNames, clock: Clock, ids: Ids): Promise<TlsMaterial> {
  const dir = tlsDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const now = clock.now();

  let ca = readPair(dir, CA_CERT_FILE, CA_KEY_FILE);
  const caOk = ca !== undefined && ca.cert.validity.notAfter.getTime() - RENEW_BEFORE_MS > now && ca.cert.validity.notBefore.getTime() <= now;
  if (!caOk || ca === undefined) {
    ca = await makeCa(now, ids);
    writePem(join(dir, CA_KEY_FILE), forge.pki.privateKeyToPem(ca.key), 0o600);
    writePem(join(dir, CA_CERT_FILE), forge.pki.certificateToPem(ca.cert), 0o644);
  } else {
    // a key copied in by hand keeps no one else's read access
    chmodSync(join(dir, CA_KEY_FILE), 0o600);
  }
  const caMade = !caOk;

  let server = readPair(dir, SERVER_CERT_FILE, SERVER_KEY_FILE);
  const serverOk = !caMade && server !== undefined && signedBy(ca.cert, server.cert)
    && server.cert.validity.notAfter.getTime() - RENEW_BEFORE_MS > now && server.cert.validity.notBefore.getTime() <= now
    && sameNames(namesOf(server.cert), wanted(names));
  if (!serverOk || server === undefined) {
    server = await makeServer(ca, names, now, ids);
    writePem(join(dir, SERVER_KEY_FILE), forge.pki.privateKeyToPem(server.key), 0o600);
    writePem(join(dir, SERVER_CERT_FILE), forge.pki.certificateToPem(server.cert), 0o644);
  } else {
    chmodSync(join(dir, SERVER_KEY_FILE), 0o600);
  }
  return {
    dir, caFile: join(dir, CA_CERT_FILE),
    certChain: forge.pki.certificateToPem(server.cert) + forge.pki.certificateToPem(ca.cert),
    key: forge.pki.privateKeyToPem(server.key),
    made: { ca: caMade, server: !serverOk },
  };
}

interface Pair { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }

/** A certificate and its key from `dir`, or undefined when either is missing, unreadable or they don't match. */
function readPair(dir: string, certFile: string, keyFile: string): Pair | undefined {
  const certPath = join(dir, certFile);
  const keyPath = join(dir, keyFile);
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  try {
    const cert = forge.pki.certificateFromPem(readFileSync(certPath, 'utf8'));
    // Parapet writes RSA keys only; another kind fails the match below and is made again
    const key = forge.pki.privateKeyFromPem(readFileSync(keyPath, 'utf8'));
    const pub = cert.publicKey as forge.pki.rsa.PublicKey;
    if (pub.n === undefined || key.n === undefined || pub.n.compareTo(key.n) !== 0) return undefined;
    return { cert, key };
  } catch {
    return undefined;
  }
}

function signedBy(ca: forge.pki.Certificate, cert: forge.pki.Certificate): boolean {
  try { return ca.verify(cert); } catch { return false; }
}

/** Writes a file whole (a temp file renamed over it) with `mode`, so a crash never leaves half a key. */
function writePem(path: string, text: string, mode: number): void {
  writeFileSync(`${path}.tmp`, text, { mode });
  chmodSync(`${path}.tmp`, mode);
  renameSync(`${path}.tmp`, path);
}

const generateRsa = promisify(generateKeyPair);

/** An RSA 2048 key pair, made by Node's crypto (native; node-forge's own generator is slow JavaScript). */
async function rsaKeys(): Promise<{ privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey }> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return { privateKey: forge.pki.privateKeyFromPem(privateKey), publicKey: forge.pki.publicKeyFromPem(publicKey) };
}

/** A positive serial number of 16 random bytes (hex, the high bit clear). */
function serial(ids: Ids): string {
  const bytes = Buffer.from(ids.token(16), 'base64url');
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

/** notBefore an hour back: a client whose clock is a little behind still accepts the certificate. */
function validity(cert: forge.pki.Certificate, now: number, lifetime: number): void {
  cert.validity.notBefore = new Date(now - 3600_000);
  cert.validity.notAfter = new Date(now + lifetime);
}

async function makeCa(now: number, ids: Ids): Promise<Pair> {
  const keys = await rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial(ids);
  validity(cert, now, CA_LIFETIME_MS);
  const subject = [{ name: 'commonName', value: `Parapet local CA ${serial(ids).slice(0, 8)}` }, { name: 'organizationName', value: 'Parapet' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    // pathLen 0: it signs server certificates, never another CA
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert, key: keys.privateKey };
}

async function makeServer(ca: Pair, names: TlsNames, now: number, ids: Ids): Promise<Pair> {
  const keys = await rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial(ids);
  validity(cert, now, Math.min(SERVER_LIFETIME_MS, ca.cert.validity.notAfter.getTime() - now));
  cert.setSubject([{ name: 'commonName', value: names.dns[0] ?? 'localhost' }, { name: 'organizationName', value: 'Parapet' }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [...names.dns.map((value) => ({ type: 2, value })), ...names.ips.map((ip) => ({ type: 7, ip }))] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { cert, key: keys.privateKey };
}

/** The names as comparable strings: `DNS:{lowercase name}`, `IP:{address bytes in hex}`. */
function wanted(names: TlsNames): string[] {
  return [...names.dns.map((n) => `DNS:${n.toLowerCase()}`), ...names.ips.map((ip) => `IP:${Buffer.from(ipaddr.parse(ip).toByteArray()).toString('hex')}`)];
}

function namesOf(cert: forge.pki.Certificate): string[] {
  // the cast: node-forge's types leave extensions untyped; subjectAltName is parsed into altNames
  const ext = cert.getExtension('subjectAltName') as { altNames?: Array<{ type: number; value: string }> } | null;
  return (ext?.altNames ?? []).map((a) => (a.type === 7 ? `IP:${forge.util.bytesToHex(a.value)}` : `DNS:${a.value.toLowerCase()}`));
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((n) => sb.has(n));
}

/**
 * The listener's names: the loopback ones, `extra` (the API address instances use), the endpoint
 * wildcards, and PARAPET_HOST when it names one address or host (not 0.0.0.0 or ::).
 */
export function listenerNames(host: string, wildcards: readonly string[], extraIps: readonly string[]): TlsNames {
  const dns = ['localhost', ...wildcards];
  const ips = ['127.0.0.1', '::1', ...extraIps];
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) {
    if (bare !== '0.0.0.0' && bare !== '::' && !ips.includes(bare)) ips.push(bare);
  } else if (bare !== '' && !dns.includes(bare.toLowerCase())) {
    dns.push(bare.toLowerCase());
  }
  return { dns, ips };
}
