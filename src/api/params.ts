// Parameter schemas (zod) for the Alibaba wire types: every value arrives as a string, lists as
// arrays from flattened keys, and some lists as one JSON string. Schema failures become
// `MissingParameter` / `InvalidParameter` naming the wire parameter (`Permissions.2.PortRange`).
import { z } from 'zod';
import { wireError } from '../wire/errors.ts';

const MAX_STRING = 65536;

export const t = {
  str: (max = MAX_STRING) => z.string().max(max),
  int: () => z.string().regex(/^-?[0-9]{1,15}$/).transform(Number),
  bool: () => z.string().regex(/^(true|false)$/i).transform((v) => v.toLowerCase() === 'true'),
  list: <T extends z.ZodType>(item: T, max = 1000) => z.array(item).max(max),
  /** a list sent as one JSON string: `InstanceIds='["i-1","i-2"]'` */
  jsonList: <T extends z.ZodType>(item: T, max = 100) =>
    z.string().transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'It is not a JSON array.' });
        return z.NEVER;
      }
    }).pipe(z.array(item).max(max)),
  /** `Tag.N.Key` / `Tag.N.Value` (older clients send lower-case sub-keys) */
  tags: () => z.array(z.object({
    Key: z.string().optional(), Value: z.string().optional(), key: z.string().optional(), value: z.string().optional(),
  }).transform((v, ctx) => {
    const key = v.Key ?? v.key;
    if (key === undefined) {
      ctx.addIssue({ code: 'custom', message: 'missing', path: ['Key'] });
      return z.NEVER;
    }
    return { key, value: v.Value ?? v.value ?? '' };
  })).max(100),
};

function wireName(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => (typeof p === 'number' ? String(p + 1) : String(p))).join('.');
}

function valueAt(tree: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = tree;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 64 ? v.slice(0, 64) + '…' : v;
  if (Array.isArray(v)) return '(a list)';
  return '(an object)';
}

/** Parses the parameter tree with the operation's schema, or throws the Alibaba error. */
export function parseParams<S extends z.ZodType>(schema: S, tree: unknown): z.output<S> {
  const result = schema.safeParse(tree);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = wireName(issue.path);
  const value = valueAt(tree, issue.path);
  if (value === undefined) {
    if (issue.path.length > 0 && issue.code === 'invalid_type') throw wireError('MissingParameter', { name });
    if (issue.code === 'custom' && issue.message === 'missing') throw wireError('MissingParameter', { name });
  }
  if (issue.code === 'invalid_type' && typeof value === 'string' && issue.expected === 'array') {
    throw wireError('InvalidParameter', 'notAList', { name });
  }
  const why = issue.code === 'custom' ? issue.message
    : issue.code === 'too_big' ? `It has more than ${String(issue.maximum)} ${issue.origin === 'string' ? 'characters' : 'items'}.`
    : issue.code === 'invalid_type' ? `A ${issue.expected} is expected.`
    : issue.code === 'invalid_format' && issue.format === 'regex' ? 'It is not of the expected form.'
    : issue.message;
  throw wireError('InvalidParameter', { name, value: describe(value), why });
}
