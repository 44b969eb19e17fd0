// The data plane's plans (src/engine/firewall/nft.ts), cached by what they depend on: the ENI's
// groups, the members of the groups they name, the network kind, whether its account's port 25 is
// blocked, and of the ENI's own address only
// which rules' local ranges hold it (the one place nft.ts reads it). ENIs of the same groups therefore share one plan, and (through
// nft-state.ts) one set of maps in the kernel. The 20,000 plans used last are kept.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { planEni, planHash, type NftEniPlan } from '../engine/firewall/nft.ts';
import { contentKey } from '../engine/firewall/key.ts';
import type { FwGroup } from '../engine/firewall/index.ts';

export class PlanCache {
  private readonly plans = new LRUCache<string, { hash: string; plan: NftEniPlan }>({ max: 20_000 });

  get(eni: { ip: number; groups: readonly FwGroup[]; port25Blocked?: boolean }, kind: 'vpc' | 'classic', members: ReadonlyMap<string, readonly number[]>): { hash: string; plan: NftEniPlan } {
    const referenced = new Set<string>();
    // the address counts only as "inside or outside" each rule's local range
    let local = '';
    for (const g of eni.groups) {
      if (g.type === 'normal' && g.innerAccessPolicy === 'Accept') referenced.add(g.groupId);
      for (const r of g.rules) {
        if (r.peer.kind === 'group') referenced.add(r.peer.groupId);
        if (r.local !== undefined) local += eni.ip >= r.local.base && eni.ip < r.local.base + r.local.size ? '1' : '0';
      }
    }
    const memberKey = [...referenced].sort().map((g) => `${g}:${(members.get(g) ?? []).join(',')}`).join(';');
    const port25Blocked = eni.port25Blocked ?? true;
    const key = createHash('sha1').update(`${local}|${kind}|${port25Blocked ? '' : 'p25'}|${contentKey(eni.groups)}|${memberKey}`).digest('base64');
    let result = this.plans.get(key);
    if (result === undefined) {
      const plan = planEni({ ip: eni.ip, networkType: kind, groups: eni.groups, members: (g) => members.get(g) ?? [], platform: { port25Blocked } });
      result = { hash: planHash(plan), plan };
      this.plans.set(key, result);
    }
    return result;
  }
}
