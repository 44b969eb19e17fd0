// IPv4 CIDR arithmetic on integers (and IPv6 on bigints, below): parse (strictly, via ipaddr.js), containment, overlap, and
// allocation of free host addresses. Pure; shared by the domain and the firewall engine.
import ipaddr from 'ipaddr.js';

export interface Cidr {
  /** network address as an unsigned 32-bit integer */
  base: number;
  prefix: number;
  /** number of addresses */
  size: number;
}

export function ipToInt(ip: string): number | null {
  if (!ipaddr.IPv4.isValidFourPartDecimal(ip)) return null;
  const o = ipaddr.IPv4.parse(ip).octets;
  return ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!;
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * Parses `a.b.c.d/n` (or a bare address as /32). With `strict`, host bits must be zero
 * (`10.0.0.1/8` is refused), as VPC and vSwitch CIDRs require.
 */
export function parseCidr(text: string, strict = false): Cidr | null {
  const slash = text.indexOf('/');
  const ipPart = slash < 0 ? text : text.slice(0, slash);
  const prefixPart = slash < 0 ? '32' : text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]?)$/.test(prefixPart)) return null;
  const prefix = Number(prefixPart);
  if (prefix > 32) return null;
  const ip = ipToInt(ipPart);
  if (ip === null) return null;
  const size = 2 ** (32 - prefix);
  const base = prefix === 0 ? 0 : (ip - (ip % size));
  if (strict && base !== ip) return null;
  return { base, prefix, size };
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

export function cidrHasIp(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + c.size;
}

/** RFC 1918 private ranges, the only ones a VPC may use. */
export const PRIVATE_RANGES: readonly Cidr[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((t) => parseCidr(t)!);

export function isPrivate(ip: number): boolean {
  return PRIVATE_RANGES.some((r) => cidrHasIp(r, ip));
}

// ---------------------------------------------------------------------------------------------
// IPv6: addresses as 128-bit unsigned bigints.

export interface Cidr6 {
  base: bigint;
  prefix: number;
  size: bigint;
}

const ALL6 = 1n << 128n;

/** A textual IPv6 address (any valid form, no zone, no prefix) as a bigint; null when invalid. */
export function ip6ToBigInt(ip: string): bigint | null {
  if (ip.includes('%') || ip.includes('/') || !ipaddr.IPv6.isValid(ip)) return null;
  let n = 0n;
  for (const part of ipaddr.IPv6.parse(ip).parts) n = (n << 16n) | BigInt(part);
  return n;
}

/** The RFC 5952 text of an address (compressed, lower case). */
export function bigIntToIp6(n: bigint): string {
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** Parses `addr/n` (or a bare address as /128); with `strict`, host bits must be zero. */
export function parseCidr6(text: string, strict = false): Cidr6 | null {
  const slash = text.indexOf('/');
  const ipPart = slash < 0 ? text : text.slice(0, slash);
  const prefixPart = slash < 0 ? '128' : text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixPart)) return null;
  const prefix = Number(prefixPart);
  if (prefix > 128) return null;
  const ip = ip6ToBigInt(ipPart);
  if (ip === null) return null;
  const size = 1n << BigInt(128 - prefix);
  const base = ip - (ip % size);
  if (strict && base !== ip) return null;
  return { base, prefix, size };
}

export function formatCidr6(c: Cidr6): string {
  return `${bigIntToIp6(c.base)}/${c.prefix}`;
}

export function cidr6HasIp(c: Cidr6, ip: bigint): boolean {
  return ip >= c.base && ip < c.base + c.size;
}

export function cidr6Contains(outer: Cidr6, inner: Cidr6): boolean {
  return inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
}

/** An address as four unsigned 32-bit words, most significant first (the engine's flows: model.ts Ip6). */
export function ip6Words(n: bigint): [number, number, number, number] {
  // Always an array of doubles (words above 2^30 are not small integers): one elements kind for
  // every address keeps the engine's reads of them monomorphic.
  const w: [number, number, number, number] = [0.5, 0.5, 0.5, 0.5];
  w[0] = Number((n >> 96n) & 0xffffffffn);
  w[1] = Number((n >> 64n) & 0xffffffffn);
  w[2] = Number((n >> 32n) & 0xffffffffn);
  w[3] = Number(n & 0xffffffffn);
  return w;
}

/** The bigint of an address given as four 32-bit words. */
export function ip6FromWords(w: readonly [number, number, number, number]): bigint {
  return (BigInt(w[0]) << 96n) | (BigInt(w[1]) << 64n) | (BigInt(w[2]) << 32n) | BigInt(w[3]);
}

/** The largest IPv6 address. */
export const MAX_IP6 = ALL6 - 1n;

/**
 * Where Parapet's VPCs take their IPv6 blocks from (a /56 each): global unicast as the real
 * service's VPC IPv6 blocks are, so an address of this pool is "inside the cloud", not internet.
 */
export const VPC_IPV6_POOL: Cidr6 = parseCidr6('2408:4000::/20')!;

/**
 * The IPv6 counterpart of RFC 1918 for the platform's rules: unique-local (fc00::/7),
 * link-local (fe80::/10) and the VPCs' own pool.
 */
export const PRIVATE6_RANGES: readonly Cidr6[] = [parseCidr6('fc00::/7')!, parseCidr6('fe80::/10')!, VPC_IPV6_POOL];

export function isPrivate6(ip: bigint): boolean {
  return PRIVATE6_RANGES.some((r) => cidr6HasIp(r, ip));
}
