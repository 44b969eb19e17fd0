// Compiled rule sets, addressed by content: the key is the ENI's groups with their types,
// intra-group policies and rules (and whether its account's port 25 is blocked), so a rule or
// membership change makes exactly the ENIs it touches compile again (their key changed); every
// other ENI keeps its compiled set (the 20,000 used last).
import { LRUCache } from 'lru-cache';
import { compileEni, DEFAULT_PLATFORM, type CompiledEni, type FwGroup, type Platform } from '../engine/firewall/index.ts';
import { contentKey } from '../engine/firewall/key.ts';

const cache = new LRUCache<string, CompiledEni>({ max: 20_000 });

export function compileFor(groups: readonly FwGroup[], platform: Platform = DEFAULT_PLATFORM): CompiledEni {
  const key = (platform.port25Blocked ? '' : 'p25|') + contentKey(groups);
  let compiled = cache.get(key);
  if (compiled === undefined) {
    compiled = compileEni(groups, platform);
    cache.set(key, compiled);
  }
  return compiled;
}
