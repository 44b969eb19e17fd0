// Flattened parameters → a tree: `Permissions.1.IpProtocol=TCP` becomes
// `{Permissions: [{IpProtocol: 'TCP'}]}`, `SecurityGroupIds.3=sg` an array element, `A.B=x` a
// nested object (PROTOCOL.md §2, flatMap). Indexes start at 1; gaps are closed up.
// INVARIANT: parameter names are untrusted: every object of the tree has a null prototype and is
// read by own property only, so `toString.x` or `constructor.prototype.x` build ordinary branches
// of the tree and never reach a built-in.
import { type WireError, wireError } from './errors.ts';

export type ParamTree = { [key: string]: ParamValue };
export type ParamValue = string | ParamTree | ParamValue[];

export const MAX_LIST_INDEX = 1000;
const INDEX = /^[1-9][0-9]*$/;

function conflict(key: string): WireError {
  return wireError('InvalidParameter', 'valueAndList', { name: key });
}

/** An object that inherits nothing: no parameter name can find a built-in through it. */
function branch(): ParamTree {
  return Object.create(null) as ParamTree;
}

export function unflatten(pairs: ReadonlyArray<readonly [string, string]>): ParamTree {
  const root: ParamTree = branch();
  const seen = new Set<string>();
  for (const [key, value] of pairs) {
    if (seen.has(key)) throw wireError('InvalidParameter', { name: key, value, why: 'The parameter is given more than once.' });
    seen.add(key);
    if (key.length === 0 || key.length > 256) throw wireError('InvalidParameter', { name: key.slice(0, 64), value: value.slice(0, 64), why: 'The parameter name is not valid.' });
    const segments = key.split('.');
    // containers along the path: objects keyed by name, or arrays keyed by index
    let node: ParamTree | ParamValue[] = root;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const last = i === segments.length - 1;
      const nextIsIndex = !last && INDEX.test(segments[i + 1]!);
      if (Array.isArray(node)) {
        if (!INDEX.test(seg)) throw conflict(segments.slice(0, i).join('.'));
        const idx = Number(seg);
        if (idx > MAX_LIST_INDEX) throw wireError('InvalidParameter', { name: key, value, why: `A list index may not exceed ${MAX_LIST_INDEX}.` });
        node = descend(node, idx - 1, last, nextIsIndex, value, key) as ParamTree | ParamValue[];
      } else {
        if (seg.length === 0 || /^[0-9]+$/.test(seg) || seg === '__proto__' || seg === 'constructor' || seg === 'prototype') {
          throw wireError('InvalidParameter', { name: key, value, why: 'The parameter name is not valid.' });
        }
        node = descend(node, seg, last, nextIsIndex, value, key) as ParamTree | ParamValue[];
      }
      if (last) break;
    }
  }
  return compact(root) as ParamTree;
}

function descend(container: ParamTree | ParamValue[], slot: string | number, last: boolean, nextIsIndex: boolean, value: string, key: string): ParamValue | undefined {
  const c = container as Record<string | number, ParamValue | undefined>;
  const existing = Object.hasOwn(c, slot) ? c[slot] : undefined;
  if (last) {
    if (existing !== undefined) throw conflict(key);
    c[slot] = value;
    return undefined;
  }
  if (existing === undefined) {
    const created: ParamValue = nextIsIndex ? [] : branch();
    c[slot] = created;
    return created;
  }
  if (typeof existing === 'string' || Array.isArray(existing) !== nextIsIndex) throw conflict(key);
  return existing;
}

function compact(v: ParamValue): ParamValue {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const out: ParamValue[] = [];
    for (const item of v) if (item !== undefined) out.push(compact(item));
    return out;
  }
  for (const k of Object.keys(v)) v[k] = compact(v[k]!);
  return v;
}
