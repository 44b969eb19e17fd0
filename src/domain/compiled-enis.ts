// Compiled rule sets, addressed by content: the key is the ENI's groups with their types,
// intra-group policies and rules, so a rule or membership change makes exactly the ENIs it touches
// compile again (their key changed); every other ENI keeps its compiled set.
import { compileEni, type CompiledEni, type FwGroup, type FwRule } from '../engine/firewall/index.ts';

const MAX_ENTRIES = 20000;
const cache = new Map<string, CompiledEni>();

function ruleKey(r: FwRule): string {
  const peer = r.peer.kind === 'cidr' ? `${r.peer.range.base}/${r.peer.range.size}` : `g:${r.peer.groupId}`;
  const local = r.local === undefined ? '' : `${r.local.base}/${r.local.size}`;
  return `${r.ruleId},${r.direction},${r.protocol},${r.portFrom}-${r.portTo},${r.srcPortFrom}-${r.srcPortTo},${r.policy},${r.priority},${r.nicType},${peer},${local}`;
}

export function contentKey(groups: readonly FwGroup[]): string {
  return groups.map((g) => `${g.groupId}|${g.type}|${g.innerAccessPolicy}|${g.rules.map(ruleKey).join(';')}`).join('\n');
}

export function compileFor(groups: readonly FwGroup[]): CompiledEni {
  const key = contentKey(groups);
  let compiled = cache.get(key);
  if (compiled === undefined) {
    compiled = compileEni(groups);
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(key, compiled);
  }
  return compiled;
}
