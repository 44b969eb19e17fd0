// Statefulness has a second half: when rules change, sessions that the new rules would no longer
// allow are cut (`conntrack -D`), so a revoked rule or a left group closes established
// connections too. Each tracked session is judged by the same plans the kernel now holds.
import { evaluatePlan, type NftEniPlan, type NftPacket } from '../engine/firewall/nft.ts';
import { ipToInt } from '../engine/cidr.ts';
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
    out.push({
      protocol, src: src[0]!, dst: dst[0]!, replySrc: src[1]!,
      sport: Number(seen.get('sport')?.[0] ?? 0), dport: Number(seen.get('dport')?.[0] ?? 0),
    });
  }
  return out;
}

const PROTOCOLS: Record<string, NftPacket['protocol']> = { tcp: 'tcp', udp: 'udp', icmp: 'icmp', gre: 'gre' };

/** Whether the plans (private address -> the ENI's plan) still allow a session. */
export function sessionAllowed(s: TrackedSession, plans: ReadonlyMap<string, NftEniPlan>, classic: boolean): boolean {
  if (s.dst === METADATA_ADDRESS || s.dst === API_ADDRESS) return true;
  const protocol = PROTOCOLS[s.protocol] ?? 'other';
  const ported = protocol === 'tcp' || protocol === 'udp';
  const dport = ported ? s.dport : 0;
  const sport = ported ? s.sport : 0;
  const from = plans.get(s.src);
  const to = plans.get(s.replySrc);
  const srcIp = ipToInt(s.src) ?? 0;
  const dstIp = ipToInt(s.replySrc) ?? 0;
  if (from !== undefined && evaluatePlan(from, { direction: 'egress', internet: classic && to === undefined, protocol, peerIp: dstIp, dport, sport }) === 'drop') return false;
  if (to !== undefined && evaluatePlan(to, { direction: 'ingress', internet: classic && from === undefined, protocol, peerIp: srcIp, dport, sport }) === 'drop') return false;
  return true;
}

/** Deletes the sessions in namespace `ns` that the plans no longer allow; returns how many. */
export async function cutDisallowed(ns: string, plans: ReadonlyMap<string, NftEniPlan>, classic: boolean, log: AgentLog): Promise<number> {
  const listed = await run('ip', ['netns', 'exec', ns, 'conntrack', '-L'], { timeoutMs: 10_000 });
  if (listed.code !== 0) { log.warn({ ns, stderr: listed.stderr.trim() }, 'conntrack -L failed'); return 0; }
  let cut = 0;
  for (const s of parseSessions(listed.stdout)) {
    if (sessionAllowed(s, plans, classic)) continue;
    const args = ['netns', 'exec', ns, 'conntrack', '-D', '-p', s.protocol, '-s', s.src, '-d', s.dst];
    if (s.protocol === 'tcp' || s.protocol === 'udp') args.push('--sport', String(s.sport), '--dport', String(s.dport));
    const r = await run('ip', args, { timeoutMs: 10_000 });
    if (r.code === 0) cut++;
  }
  return cut;
}
