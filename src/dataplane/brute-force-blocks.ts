// Security Center's anti-brute-force blocks at the instance (SPEC §6): each instance with a block
// in force gets the table `inet parapet_sas` in its own network namespace, whose set holds the
// blocked sources with the time left as the element's timeout, so the kernel lets each one go at
// its end even when no round runs. Every packet from a blocked source to the instance is refused:
// TCP with a reset (the client sees "connection refused"), the rest with ICMP
// administratively-prohibited. An instance whose blocks change gets its table written again in
// one `nft -f` transaction; one without blocks has no table.
import { nftApply } from './sh.ts';
import type { BruteForceBlock } from '../domain/security-center/watch-model.ts';

export const BLOCK_TABLE = 'parapet_sas';

/** The nft script that makes an instance's table hold exactly `blocks` (none: no table), as of `now` (ms). */
export function blockScript(blocks: readonly BruteForceBlock[], now: number): string {
  const lines = [`table inet ${BLOCK_TABLE}`, `delete table inet ${BLOCK_TABLE}`];
  const v4 = blocks.filter((b) => b.until > now && /^\d{1,3}(\.\d{1,3}){3}$/.test(b.ip));
  const v6 = blocks.filter((b) => b.until > now && b.ip.includes(':'));
  if (v4.length + v6.length === 0) return lines.join('\n') + '\n';
  const elements = (list: readonly BruteForceBlock[]) => list.length === 0 ? '' :
    ` elements = { ${list.map((b) => `${b.ip} timeout ${Math.max(1, Math.ceil((b.until - now) / 1000))}s`).join(', ')} }`;
  lines.push(
    `table inet ${BLOCK_TABLE} {`,
    `  set blocked4 { type ipv4_addr; flags timeout;${elements(v4)} }`,
    `  set blocked6 { type ipv6_addr; flags timeout;${elements(v6)} }`,
    '  chain input {',
    '    type filter hook input priority filter - 10; policy accept;',
    '    ip saddr @blocked4 meta l4proto tcp reject with tcp reset',
    '    ip saddr @blocked4 reject with icmpx admin-prohibited',
    '    ip6 saddr @blocked6 meta l4proto tcp reject with tcp reset',
    '    ip6 saddr @blocked6 reject with icmpx admin-prohibited',
    '  }',
    '}',
  );
  return lines.join('\n') + '\n';
}

/** What an instance's table holds, as compared between rounds: the sources and their ends. */
export const blockSignature = (blocks: readonly BruteForceBlock[]): string =>
  blocks.map((b) => `${b.ip}@${b.until}`).sort().join(',');

/**
 * Makes the tables of `instances` (the instance ids whose namespaces exist, with what their table
 * holds now, `undefined` when unknown) hold the blocks of `blocks`; returns the new signatures of
 * the instances it wrote, and what it changed.
 */
export async function syncBlocks(instances: ReadonlyMap<string, string | undefined>, blocks: readonly BruteForceBlock[], now: number):
  Promise<{ written: Map<string, string>; changes: string[] }> {
  const byInstance = new Map<string, BruteForceBlock[]>();
  for (const b of blocks) {
    if (b.until <= now || !instances.has(b.instanceId)) continue;
    let list = byInstance.get(b.instanceId);
    if (list === undefined) byInstance.set(b.instanceId, list = []);
    list.push(b);
  }
  const written = new Map<string, string>();
  const changes: string[] = [];
  for (const [instanceId, applied] of instances) {
    const want = byInstance.get(instanceId) ?? [];
    const sig = blockSignature(want);
    // a table never written (a new namespace) has nothing to remove
    if (sig === applied || (applied === undefined && want.length === 0)) continue;
    await nftApply(instanceId, blockScript(want, now));
    written.set(instanceId, sig);
    changes.push(`blocks ${instanceId}: ${want.length}`);
  }
  return { written, changes };
}
