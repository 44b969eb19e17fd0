// The risk of an inbound rule as the engine rates exposure (src/domain/exposure.ts, SPEC §8): the
// services whose exposure to everyone is high risk, and the level — high when the rule opens a
// risky service to everyone (0.0.0.0/0 or ::/0: any block with a /0 mask), medium when it opens
// anything else to everyone (or a risky service to less), low otherwise. The console cannot import
// the server's code, so RISKY_SERVICES mirrors exposure.ts's list; test/console/sg-rules.test.ts
// checks the two are the same.

export type RiskLevel = 'high' | 'medium' | 'low';

export interface RiskyService { name: string; protocol: 'tcp' | 'udp'; from: number; to: number }

export const RISKY_SERVICES: readonly RiskyService[] = [
  { name: 'SSH', protocol: 'tcp', from: 22, to: 22 }, { name: 'Telnet', protocol: 'tcp', from: 23, to: 23 },
  { name: 'RDP', protocol: 'tcp', from: 3389, to: 3389 }, { name: 'SQL Server', protocol: 'tcp', from: 1433, to: 1433 },
  { name: 'SQL Server', protocol: 'udp', from: 1434, to: 1434 }, { name: 'Oracle', protocol: 'tcp', from: 1521, to: 1521 },
  { name: 'MySQL', protocol: 'tcp', from: 3306, to: 3306 }, { name: 'PostgreSQL', protocol: 'tcp', from: 5432, to: 5432 },
  { name: 'Redis', protocol: 'tcp', from: 6379, to: 6379 }, { name: 'MongoDB', protocol: 'tcp', from: 27017, to: 27017 },
  { name: 'NetBIOS', protocol: 'udp', from: 137, to: 138 }, { name: 'NetBIOS/SMB', protocol: 'tcp', from: 139, to: 139 },
  { name: 'SMB', protocol: 'tcp', from: 445, to: 445 }, { name: 'RPC', protocol: 'tcp', from: 135, to: 135 },
];

/** Everyone of a family: `0.0.0.0/0`, `::/0` (the API clears host bits, so `1.2.3.4/0` is 0.0.0.0/0 too). */
export function isOpenToAll(object: string): boolean {
  return /\/0+$/.test(object.trim());
}

/** The risky services a protocol and port range (`a/b`, `-1/-1` for all) reach. */
export function servicesOf(protocol: string, range: string): string[] {
  const proto = protocol.toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'all') return [];
  const m = /^(-?\d+)\/(-?\d+)$/.exec(range.trim());
  let from = 1;
  let to = 65535;
  if (m !== null && Number(m[1]) > 0) { from = Number(m[1]); to = Number(m[2]); }
  const names = RISKY_SERVICES.filter((s) => (proto === 'all' || s.protocol === proto) && s.from <= to && s.to >= from).map((s) => s.name);
  return [...new Set(names)];
}

/** An inbound allow rule's risk, as exposure.ts rates what it exposes. */
export function riskOf(protocol: string, range: string, object: string): { level: RiskLevel; services: string[] } {
  const services = servicesOf(protocol, range);
  const open = isOpenToAll(object);
  const level: RiskLevel = open && services.length > 0 ? 'high' : open || services.length > 0 ? 'medium' : 'low';
  return { level, services };
}
