// What one network namespace's `inet parapet` table holds, and the nft commands that change it.
// Maps and sets are shared: each is named by a hash of its definition (type and elements), so ENIs
// with the same plan (members of the same groups, the usual case) point their chains at one set
// of maps, and a rule change in a group that 500 ENIs share adds one new set of maps and refills
// 500 small chains, instead of rewriting 500 copies of every map. Objects are reference-counted and
// deleted when no chain uses them any more. Element commands (the dispatch maps) are used only
// when ENIs come, go or change address: nft reads every element of the table before those.
// Pure: it builds scripts; the caller applies each with one `nft -f` (one transaction).
import { createHash } from 'node:crypto';
import type { NftEniRender } from '../engine/firewall/nft.ts';

const TABLE = 'inet parapet';

interface SharedObject { kind: 'map' | 'set'; definition: string; refs: number }
interface EniEntry { ip: string; chains: Array<{ name: string; rules: string[] }>; objects: string[] }

/** An ENI's chains with their map and set references renamed to shared, content-addressed names. */
export interface SharedRender { chains: Array<{ name: string; rules: string[] }>; objects: Map<string, { kind: 'map' | 'set'; definition: string }> }

export function shareRender(r: NftEniRender): SharedRender {
  const objects = new Map<string, { kind: 'map' | 'set'; definition: string }>();
  const renames = new Map<string, string>();
  for (const [kind, list] of [['map', r.maps], ['set', r.sets]] as const) {
    for (const o of list) {
      const name = `${kind === 'map' ? 'm' : 's'}_${createHash('sha1').update(o.definition).digest('hex').slice(0, 20)}`;
      renames.set(o.name, name);
      objects.set(name, { kind, definition: o.definition });
    }
  }
  const rename = (rule: string) => rule.replace(/@([a-z0-9_]+)/g, (whole, n: string) => {
    const to = renames.get(n);
    return to === undefined ? whole : `@${to}`;
  });
  return { chains: r.chains.map((c) => ({ name: c.name, rules: c.rules.map(rename) })), objects };
}

export class NftTableState {
  private readonly objects = new Map<string, SharedObject>();
  private readonly enis = new Map<string, EniEntry>();

  has(tag: string): boolean { return this.enis.has(tag); }
  get size(): number { return this.enis.size; }
  /** maps and sets in the table (for diagnostics and the benchmark) */
  get objectCount(): number { return this.objects.size; }

  /** Forgets everything (the table was rebuilt empty). */
  clear(): void {
    this.objects.clear();
    this.enis.clear();
  }

  /**
   * Commands that make ENI `tag` (dispatched by address `ip`) use `render`, appended to `out`:
   * new shared objects first, then the chains, then (by the caller, through `collect`) objects
   * that lost their last user. Call `collect` once after all upserts and removals of a batch.
   */
  upsert(tag: string, ip: string, render: SharedRender, out: string[]): void {
    const old = this.enis.get(tag);
    for (const [name, o] of render.objects) {
      const have = this.objects.get(name);
      if (have === undefined) {
        out.push(`add ${o.kind} ${TABLE} ${name} { ${o.definition} }`);
        this.objects.set(name, { ...o, refs: 1 });
      } else {
        have.refs++;
      }
    }
    const keep = new Set(render.chains.map((c) => c.name));
    if (old !== undefined) {
      if (old.ip !== ip) out.push(`delete element ${TABLE} eg_dispatch { ${old.ip} }`, `delete element ${TABLE} in_dispatch { ${old.ip} }`);
      for (const c of old.chains) out.push(`flush chain ${TABLE} ${c.name}`);
      for (const c of old.chains) if (!keep.has(c.name)) out.push(`delete chain ${TABLE} ${c.name}`);
      this.release(old.objects);
    }
    for (const c of render.chains) {
      if (old === undefined || !old.chains.some((o) => o.name === c.name)) out.push(`add chain ${TABLE} ${c.name}`);
    }
    for (const c of render.chains) for (const rule of c.rules) out.push(`add rule ${TABLE} ${c.name} ${rule}`);
    if (old === undefined || old.ip !== ip) {
      out.push(`add element ${TABLE} eg_dispatch { ${ip} : jump eg_${tag} }`, `add element ${TABLE} in_dispatch { ${ip} : jump in_${tag} }`);
    }
    this.enis.set(tag, { ip, chains: render.chains, objects: [...render.objects.keys()] });
  }

  /** Commands that take ENI `tag` out of the table. */
  remove(tag: string, out: string[]): void {
    const old = this.enis.get(tag);
    if (old === undefined) return;
    out.push(`delete element ${TABLE} eg_dispatch { ${old.ip} }`, `delete element ${TABLE} in_dispatch { ${old.ip} }`);
    for (const c of old.chains) out.push(`flush chain ${TABLE} ${c.name}`);
    for (const c of old.chains) out.push(`delete chain ${TABLE} ${c.name}`);
    this.release(old.objects);
    this.enis.delete(tag);
  }

  /** Deletes objects no chain uses any more (appended last: their users were flushed above). */
  collect(out: string[]): void {
    for (const [name, o] of this.objects) {
      if (o.refs > 0) continue;
      out.push(`delete ${o.kind} ${TABLE} ${name}`);
      this.objects.delete(name);
    }
  }

  private release(names: readonly string[]): void {
    for (const n of names) {
      const o = this.objects.get(n);
      if (o !== undefined) o.refs--;
    }
  }
}
