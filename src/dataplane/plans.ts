// The data plane's plans (src/engine/firewall/nft.ts), cached by what they depend on: the ENI's
// groups, the members of the groups they name (IPv4 and IPv6), the network kind, whether its
// account's port 25 is blocked, whether it has IPv6 addresses, and of the ENI's own addresses only
// which rules' local (local6: of its first IPv6 address) ranges hold them (the one place nft.ts reads them). ENIs of the same groups therefore share one plan, and (through
// nft-state.ts) one set of maps in the kernel. The 20,000 plans used last are kept.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { planEni, planHash, type NftEniPlan } from '../engine/firewall/nft.ts';
import { contentKey } from '../engine/firewall/key.ts';
import type { FwGroup } from '../engine/firewall/index.ts';

export class PlanCache {
  private readonly plans = new LRUCache<string, { hash: string; plan: NftEniPlan }>({ max: 20_000 });

  get(
    eni: { ip: number; groups: readonly FwGroup[]; port25Blocked?: boolean; ip6?: readonly bigint[] }, kind: 'vpc' | 'classic',
    members: ReadonlyMap<string, readonly number[]>, members6: ReadonlyMap<string, readonly bigint[]> = new Map(),
  ): { hash: string; plan: NftEniPlan } {
    const first6 = eni.ip6?.[0];
    const referenced = new Set<string>();
    // the address counts only as "inside or outside" each rule's local range
    let local = '';
    for (const g of eni.groups) {
      if (g.type === 'normal' && g.innerAccessPolicy === 'Accept') referenced.add(g.groupId);
      for (const r of g.rules) {
        if (r.peer.kind === 'group') referenced.add(r.peer.groupId);
        if (r.local !== undefined) local += eni.ip >= r.local.base && eni.ip < r.local.base + r.local.size ? '1' : '0';
        if (r.local6 !== undefined) local += first6 !== undefined && first6 >= r.local6.base && first6 < r.local6.base + r.local6.size ? 'y' : 'n';
      }
    }
    const v6 = first6 !== undefined;
    const memberKey = [...referenced].sort().map((g) => `${g}:${(members.get(g) ?? []).join(',')}${v6 ? `/${(members6.get(g) ?? []).map((x) => x.toString(16)).join(',')}` : ''}`).join(';');
    const port25Blocked = eni.port25Blocked ?? true;
    const key = createHash('sha1').update(`${local}|${kind}|${port25Blocked ? '' : 'p25'}|${v6 ? '6' : ''}|${contentKey(eni.groups)}|${memberKey}`).digest('base64');
    let result = this.plans.get(key);
    if (result === undefined) {
      const plan = planEni({
        ip: eni.ip, networkType: kind, groups: eni.groups, members: (g) => members.get(g) ?? [], platform: { port25Blocked },
        ...(eni.ip6 !== undefined ? { ip6: eni.ip6, members6: (g: string) => members6.get(g) ?? [] } : {}),
      });
      result = { hash: planHash(plan), plan };
      this.plans.set(key, result);
    }
    return result;
  }
}
