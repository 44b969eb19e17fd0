// What one network namespace's `inet parapet` table holds, and the nft commands that change it.
// Everything a plan renders (maps, sets and the chains that use them) is shared: each object is
// named by a hash of its content, so ENIs with the same plan (members of the same groups, the
// usual case) use one copy. Each ENI keeps two entry chains of its own, `in_{tag}` and
// `eg_{tag}`, which the dispatch maps jump to and which hold a single `goto` to the shared chain of
// its plan. A rule change in a group that 500 ENIs share therefore adds one new set of objects and
// re-points 1,000 one-rule chains; nothing is copied 500 times. An ENI with IPv6 addresses has two
// more entry chains, `in6_{tag}` and `eg6_{tag}`, reached from the IPv6 dispatch maps by each of its
// IPv6 addresses. Objects are reference-counted and
// deleted when no ENI uses them any more. Element commands (the dispatch maps) are used only when
// ENIs come, go or change address: nft reads every element of the table before those.
// Pure: it builds scripts; the caller applies each with one `nft -f` (one transaction).
import { createHash } from 'node:crypto';
import type { NftEniRender } from '../engine/firewall/nft.ts';

const TABLE = 'inet parapet';

type Kind = 'map' | 'set' | 'chain';
/** a map's or set's definition, or a chain's rules */
interface Content { kind: Kind; definition: string; rules: readonly string[] }
interface SharedObject extends Content { refs: number }
interface EniEntry { ip: string; ip6: readonly string[]; v6: boolean; ingress: string; egress: string; objects: string[] }

/** An ENI's plan as shared objects (in creation order: maps and sets, then chains, the ones used by others first) and the chains its entries go to. */
export interface SharedRender { ingress: string; egress: string; ingress6?: string; egress6?: string; objects: Map<string, Content> }

const hash = (text: string) => createHash('sha1').update(text).digest('hex').slice(0, 20);

export function shareRender(r: NftEniRender): SharedRender {
  const objects = new Map<string, Content>();
  const renames = new Map<string, string>();
  for (const [kind, list] of [['map', r.maps], ['set', r.sets]] as const) {
    for (const o of list) {
      const name = `${kind === 'map' ? 'm' : 's'}_${hash(o.definition)}`;
      renames.set(o.name, name);
      objects.set(name, { kind, definition: o.definition, rules: [] });
    }
  }
  const rename = (rule: string) => rule.replace(/(@|goto |jump )([a-z0-9_]+)/g, (whole, how: string, n: string) => {
    const to = renames.get(n);
    return to === undefined ? whole : `${how}${to}`;
  });
  // chains that others go to (the internet ones) first, so their shared names are known
  const order = [...r.chains].sort((a, b) => Number(/^(in|eg)6?_/.test(a.name)) - Number(/^(in|eg)6?_/.test(b.name)));
  for (const c of order) {
    const rules = c.rules.map(rename);
    const name = `c_${hash(rules.join('\n'))}`;
    renames.set(c.name, name);
    objects.set(name, { kind: 'chain', definition: '', rules });
  }
  const entry = (prefix: 'in' | 'eg') => {
    const chain = r.chains.find((c) => c.name.startsWith(`${prefix}_`));
    if (chain === undefined) throw new Error(`the render has no ${prefix} chain`);
    return renames.get(chain.name)!;
  };
  const out: SharedRender = { ingress: entry('in'), egress: entry('eg'), objects };
  const in6 = r.chains.find((c) => c.name.startsWith('in6_'));
  const eg6 = r.chains.find((c) => c.name.startsWith('eg6_'));
  if (in6 !== undefined && eg6 !== undefined) {
    out.ingress6 = renames.get(in6.name)!;
    out.egress6 = renames.get(eg6.name)!;
  }
  return out;
}

export class NftTableState {
  private readonly objects = new Map<string, SharedObject>();
  private readonly enis = new Map<string, EniEntry>();

  has(tag: string): boolean { return this.enis.has(tag); }
  get size(): number { return this.enis.size; }
  /** shared maps, sets and chains in the table (for diagnostics, tests and the benchmark) */
  get objectCount(): number { return this.objects.size; }

  /** Forgets everything (the table was rebuilt empty). */
  clear(): void {
    this.objects.clear();
    this.enis.clear();
  }

  /**
   * Commands that make ENI `tag` (dispatched by address `ip`, and by each of `ip6` when the render
   * has IPv6 chains) use `render`, appended to `out`. Call `collect` once after all upserts and
   * removals of a batch: it deletes what lost its last user.
   */
  upsert(tag: string, ip: string, render: SharedRender, out: string[], ip6: readonly string[] = []): void {
    const old = this.enis.get(tag);
    for (const [name, o] of render.objects) {
      const have = this.objects.get(name);
      if (have !== undefined) { have.refs++; continue; }
      if (o.kind === 'chain') {
        out.push(`add chain ${TABLE} ${name}`);
        for (const rule of o.rules) out.push(`add rule ${TABLE} ${name} ${rule}`);
      } else {
        out.push(`add ${o.kind} ${TABLE} ${name} { ${o.definition} }`);
      }
      this.objects.set(name, { ...o, refs: 1 });
    }
    // IPv6 entries only when the plan has IPv6 chains and the ENI IPv6 addresses to dispatch by
    const v6 = render.ingress6 !== undefined && render.egress6 !== undefined && ip6.length > 0;
    const want6 = v6 ? ip6 : [];
    if (old === undefined) {
      out.push(`add chain ${TABLE} in_${tag}`, `add chain ${TABLE} eg_${tag}`);
    } else {
      out.push(`flush chain ${TABLE} in_${tag}`, `flush chain ${TABLE} eg_${tag}`);
      this.release(old.objects);
      if (old.ip !== ip) out.push(`delete element ${TABLE} eg_dispatch { ${old.ip} }`, `delete element ${TABLE} in_dispatch { ${old.ip} }`);
      for (const a of old.ip6) if (!want6.includes(a)) out.push(`delete element ${TABLE} eg6_dispatch { ${a} }`, `delete element ${TABLE} in6_dispatch { ${a} }`);
      if (old.v6) {
        out.push(`flush chain ${TABLE} in6_${tag}`, `flush chain ${TABLE} eg6_${tag}`);
        if (!v6) out.push(`delete chain ${TABLE} in6_${tag}`, `delete chain ${TABLE} eg6_${tag}`);
      }
    }
    out.push(`add rule ${TABLE} in_${tag} goto ${render.ingress}`, `add rule ${TABLE} eg_${tag} goto ${render.egress}`);
    if (old === undefined || old.ip !== ip) {
      out.push(`add element ${TABLE} eg_dispatch { ${ip} : jump eg_${tag} }`, `add element ${TABLE} in_dispatch { ${ip} : jump in_${tag} }`);
    }
    if (v6) {
      if (old === undefined || !old.v6) out.push(`add chain ${TABLE} in6_${tag}`, `add chain ${TABLE} eg6_${tag}`);
      out.push(`add rule ${TABLE} in6_${tag} goto ${render.ingress6!}`, `add rule ${TABLE} eg6_${tag} goto ${render.egress6!}`);
      for (const a of want6) {
        if (old?.ip6.includes(a) === true) continue;
        out.push(`add element ${TABLE} eg6_dispatch { ${a} : jump eg6_${tag} }`, `add element ${TABLE} in6_dispatch { ${a} : jump in6_${tag} }`);
      }
    }
    this.enis.set(tag, { ip, ip6: [...want6], v6, ingress: render.ingress, egress: render.egress, objects: [...render.objects.keys()] });
  }

  /** Commands that take ENI `tag` out of the table. */
  remove(tag: string, out: string[]): void {
    const old = this.enis.get(tag);
    if (old === undefined) return;
    out.push(`delete element ${TABLE} eg_dispatch { ${old.ip} }`, `delete element ${TABLE} in_dispatch { ${old.ip} }`);
    out.push(`flush chain ${TABLE} in_${tag}`, `flush chain ${TABLE} eg_${tag}`, `delete chain ${TABLE} in_${tag}`, `delete chain ${TABLE} eg_${tag}`);
    for (const a of old.ip6) out.push(`delete element ${TABLE} eg6_dispatch { ${a} }`, `delete element ${TABLE} in6_dispatch { ${a} }`);
    if (old.v6) out.push(`flush chain ${TABLE} in6_${tag}`, `flush chain ${TABLE} eg6_${tag}`, `delete chain ${TABLE} in6_${tag}`, `delete chain ${TABLE} eg6_${tag}`);
    this.release(old.objects);
    this.enis.delete(tag);
  }

  /** Deletes objects no ENI uses any more: dead chains are emptied first, then chains, then maps and sets. */
  collect(out: string[]): void {
    const dead = [...this.objects].filter(([, o]) => o.refs <= 0);
    for (const [name, o] of dead) if (o.kind === 'chain') out.push(`flush chain ${TABLE} ${name}`);
    for (const [name, o] of dead) if (o.kind === 'chain') out.push(`delete chain ${TABLE} ${name}`);
    for (const [name, o] of dead) if (o.kind !== 'chain') out.push(`delete ${o.kind} ${TABLE} ${name}`);
    for (const [name] of dead) this.objects.delete(name);
  }

  private release(names: readonly string[]): void {
    for (const n of names) {
      const o = this.objects.get(n);
      if (o !== undefined) o.refs--;
    }
  }
}
