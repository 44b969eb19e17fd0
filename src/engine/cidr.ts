// IPv4 CIDR arithmetic on integers: parse (strictly, via ipaddr.js), containment, overlap, and
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
