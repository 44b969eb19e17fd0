// The server's key: one random secret kept in the store (`meta.sts_key`, made on first use), so
// that every server on the store mints and checks the same stateless tokens: STS credentials
// (sts.ts), metadata endpoints (metadata-endpoint.ts) and hardened-mode metadata tokens. Tags are
// HMAC-SHA256 under it and are compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CallContext } from './context.ts';
import type { Store } from '../store/store.ts';

const keys = new WeakMap<Store, Buffer>();

export async function serverKey(ctx: Pick<CallContext, 'store' | 'ids'>): Promise<Buffer> {
  const cached = keys.get(ctx.store);
  if (cached !== undefined) return cached;
  let row = await ctx.store.db.selectFrom('meta').select('value').where('key', '=', 'sts_key').executeTakeFirst();
  if (row === undefined) {
    await ctx.store.write(async (tx) => {
      const again = await tx.selectFrom('meta').select('value').where('key', '=', 'sts_key').executeTakeFirst();
      if (again === undefined) await tx.insertInto('meta').values({ key: 'sts_key', value: ctx.ids.token(32) }).execute();
    });
    row = await ctx.store.db.selectFrom('meta').select('value').where('key', '=', 'sts_key').executeTakeFirstOrThrow();
  }
  const key = Buffer.from(row.value, 'base64url');
  keys.set(ctx.store, key);
  return key;
}

export const mac = (key: Buffer, text: string): string => createHmac('sha256', key).update(text).digest('base64url');

/** An unforgeable tag of `text` under the store's key, for other stateless tokens (metadata endpoints and tokens). */
export async function sign(ctx: Pick<CallContext, 'store' | 'ids'>, text: string): Promise<string> {
  return mac(await serverKey(ctx), 'tag:' + text).slice(0, 32);
}

/** Whether `tag` is `sign(text)`, compared in constant time. */
export async function verifyTag(ctx: Pick<CallContext, 'store' | 'ids'>, text: string, tag: string): Promise<boolean> {
  const expected = Buffer.from(await sign(ctx, text));
  const given = Buffer.from(tag);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

