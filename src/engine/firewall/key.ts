// Content keys of rule sets: two group lists with equal keys decide every flow alike. Compiled
// sets (src/domain/compiled-enis.ts) and the data plane's plans (src/dataplane/plans.ts) are
// cached under them, so a change recompiles exactly what it touches.
import type { FwGroup, FwRule } from './model.ts';

export function ruleKey(r: FwRule): string {
  const peer = r.peer.kind === 'group' ? `g:${r.peer.groupId}` : `${r.peer.kind === 'cidr6' ? '6:' : ''}${r.peer.range.base}/${r.peer.range.size}`;
  const local = (r.local === undefined ? '' : `${r.local.base}/${r.local.size}`) + (r.local6 === undefined ? '' : `6:${r.local6.base}/${r.local6.size}`);
  return `${r.ruleId},${r.direction},${r.protocol},${r.portFrom}-${r.portTo},${r.srcPortFrom}-${r.srcPortTo},${r.policy},${r.priority},${r.nicType},${peer},${local}`;
}

const groupKeys = new WeakMap<FwGroup, string>();

/** The key of one group (memoized per group object: the same object always yields the same text). */
export function groupKey(g: FwGroup): string {
  let k = groupKeys.get(g);
  if (k === undefined) {
    k = `${g.groupId}|${g.type}|${g.innerAccessPolicy}|${g.rules.map(ruleKey).join(';')}`;
    groupKeys.set(g, k);
  }
  return k;
}

export function contentKey(groups: readonly FwGroup[]): string {
  return groups.map(groupKey).join('\n');
}
