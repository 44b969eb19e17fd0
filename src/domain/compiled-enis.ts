// Compiled rule sets, addressed by content: the key is the ENI's groups with their types,
// intra-group policies and rules, so a rule or membership change makes exactly the ENIs it touches
// compile again (their key changed); every other ENI keeps its compiled set.
import { compileEni, type CompiledEni, type FwGroup } from '../engine/firewall/index.ts';
import { contentKey } from '../engine/firewall/key.ts';

const MAX_ENTRIES = 20000;
const cache = new Map<string, CompiledEni>();

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
