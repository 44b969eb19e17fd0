// Statefulness has a second half: when rules change, sessions that the new rules would no longer
// allow are cut (`conntrack -D`), so a revoked rule or a left group closes established
// connections too. Each tracked session is judged by the same plans the kernel now holds; IPv6
// sessions (listed with `-f ipv6`) by the plans' IPv6 parts, keyed by the addresses' canonical text.
import { evaluatePlan, type NftEniPlan, type NftPacket } from '../engine/firewall/nft.ts';
import { ipToInt, ip6ToBigInt, bigIntToIp6 } from '../engine/cidr.ts';
import { API_ADDRESS, METADATA_ADDRESS } from './names.ts';
import { run } from './sh.ts';
import type { AgentLog } from './log.ts';

export interface TrackedSession {
  protocol: string;
  /** the original direction: who opened it, to where (before NAT) */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** who answers (after DNAT): the real destination */
  replySrc: string;
  /** a TCP session already closing or closed (TIME_WAIT, CLOSE): nothing to cut, a new SYN is judged afresh */
  closed?: boolean;
}

/** Parses `conntrack -L` output (one session per line). */
export function parseSessions(text: string): TrackedSession[] {
  const out: TrackedSession[] = [];
  for (const line of text.split('\n')) {
    const tokens = line.trim().split(/\s+/);
    const protocol = tokens[0];
    if (protocol === undefined || protocol === '' || line.startsWith('conntrack')) continue;
    const seen = new Map<string, string[]>();
    for (const t of tokens) {
      const eq = t.indexOf('=');
      if (eq <= 0) continue;
      const k = t.slice(0, eq);
      let list = seen.get(k);
      if (list === undefined) seen.set(k, list = []);
      list.push(t.slice(eq + 1));
    }
    const src = seen.get('src');
    const dst = seen.get('dst');
    if (src === undefined || dst === undefined || src.length < 2) continue;
    // IPv6 addresses in their canonical text, as the plans are keyed
    const canon = (a: string): string => {
      if (!a.includes(':')) return a;
      const x = ip6ToBigInt(a);
      return x === null ? a : bigIntToIp6(x);
    };
    out.push({
      protocol, src: canon(src[0]!), dst: canon(dst[0]!), replySrc: canon(src[1]!),
      sport: Number(seen.get('sport')?.[0] ?? 0), dport: Number(seen.get('dport')?.[0] ?? 0),
      ...(protocol === 'tcp' && (tokens[3] === 'TIME_WAIT' || tokens[3] === 'CLOSE') ? { closed: true } : {}),
    });
  }
  return out;
}

const PROTOCOLS: Record<string, NftPacket['protocol']> = { tcp: 'tcp', udp: 'udp', icmp: 'icmp', gre: 'gre', icmpv6: 'icmpv6' };

/** Whether the plans (private address -> the ENI's plan) still allow a session. */
export function sessionAllowed(s: TrackedSession, plans: ReadonlyMap<string, NftEniPlan>, classic: boolean): boolean {
  if (s.dst === METADATA_ADDRESS || s.dst === API_ADDRESS) return true;
  const protocol = PROTOCOLS[s.protocol] ?? 'other';
  const ported = protocol === 'tcp' || protocol === 'udp';
  const dport = ported ? s.dport : 0;
  const sport = ported ? s.sport : 0;
  const from = plans.get(s.src);
  const to = plans.get(s.replySrc);
  if (s.src.includes(':')) {
    const src6 = ip6ToBigInt(s.src);
    const dst6 = ip6ToBigInt(s.replySrc);
    if (src6 === null || dst6 === null) return true;
    if (from !== undefined && evaluatePlan(from, { direction: 'egress', internet: false, protocol, peerIp: 0, peerIp6: dst6, dport, sport }) === 'drop') return false;
    if (to !== undefined && evaluatePlan(to, { direction: 'ingress', internet: false, protocol, peerIp: 0, peerIp6: src6, dport, sport }) === 'drop') return false;
    return true;
  }
  const srcIp = ipToInt(s.src) ?? 0;
  const dstIp = ipToInt(s.replySrc) ?? 0;
  if (from !== undefined && evaluatePlan(from, { direction: 'egress', internet: classic && to === undefined, protocol, peerIp: dstIp, dport, sport }) === 'drop') return false;
  if (to !== undefined && evaluatePlan(to, { direction: 'ingress', internet: classic && from === undefined, protocol, peerIp: srcIp, dport, sport }) === 'drop') return false;
  return true;
}

/** Deletes the sessions in namespace `ns` that the plans no longer allow; returns how many. */
export async function cutDisallowed(ns: string, plans: ReadonlyMap<string, NftEniPlan>, classic: boolean, log: AgentLog): Promise<number> {
  let cut = 0;
  for (const family of ['ipv4', 'ipv6'] as const) {
    // a network without IPv6 ENIs has no IPv6 sessions to judge
    if (family === 'ipv6' && ![...plans.values()].some((p) => p.ingress6 !== undefined)) continue;
    cut += await cutFamily(ns, family, plans, classic, log);
  }
  return cut;
}

async function cutFamily(ns: string, family: 'ipv4' | 'ipv6', plans: ReadonlyMap<string, NftEniPlan>, classic: boolean, log: AgentLog): Promise<number> {
  const listed = await run('ip', ['netns', 'exec', ns, 'conntrack', '-L', '-f', family], { timeoutMs: 10_000 });
  if (listed.code !== 0) { log.warn({ ns, stderr: listed.stderr.trim() }, 'conntrack -L failed'); return 0; }
  let cut = 0;
  for (const s of parseSessions(listed.stdout)) {
    // one `conntrack -D` each: the closed ones (thousands after a burst of short connections) are left to expire
    if (s.closed === true || sessionAllowed(s, plans, classic)) continue;
    const args = ['netns', 'exec', ns, 'conntrack', '-D', '-f', family, '-p', s.protocol, '-s', s.src, '-d', s.dst];
    if (s.protocol === 'tcp' || s.protocol === 'udp') args.push('--sport', String(s.sport), '--dport', String(s.dport));
    const r = await run('ip', args, { timeoutMs: 10_000 });
    if (r.code === 0) cut++;
  }
  return cut;
}
