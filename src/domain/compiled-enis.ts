// Compiled rule sets, addressed by content: the key is the ENI's groups with their types,
// intra-group policies and rules, so a rule or membership change makes exactly the ENIs it touches
// compile again (their key changed); every other ENI keeps its compiled set (the 20,000 used last).
import { LRUCache } from 'lru-cache';
import { compileEni, type CompiledEni, type FwGroup } from '../engine/firewall/index.ts';
import { contentKey } from '../engine/firewall/key.ts';

const cache = new LRUCache<string, CompiledEni>({ max: 20_000 });

export function compileFor(groups: readonly FwGroup[]): CompiledEni {
  const key = contentKey(groups);
  let compiled = cache.get(key);
  if (compiled === undefined) {
    compiled = compileEni(groups);
    cache.set(key, compiled);
  }
  return compiled;
}
