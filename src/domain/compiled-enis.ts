// Compiled rule sets, kept per ENI and per store revision: a rule or membership change (any
// write) makes the next decision recompile only the ENIs it is asked about.
import type { Store } from '../store/store.ts';
import { compileEni, type CompiledEni, type FwGroup } from '../engine/firewall/index.ts';

const cache = new WeakMap<Store, { revision: number; byEni: Map<string, CompiledEni> }>();

export function compileFor(store: Store, eni: { eniId: string; groups: readonly FwGroup[] }): CompiledEni {
  let entry = cache.get(store);
  if (entry === undefined || entry.revision !== store.revision()) {
    entry = { revision: store.revision(), byEni: new Map() };
    cache.set(store, entry);
  }
  let compiled = entry.byEni.get(eni.eniId);
  if (compiled === undefined) {
    compiled = compileEni(eni.groups);
    if (entry.byEni.size < 100000) entry.byEni.set(eni.eniId, compiled);
  }
  return compiled;
}
