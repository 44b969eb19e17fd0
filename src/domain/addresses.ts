// Addresses an instance or ENI gets (SPEC §1.5): a private IP from its vSwitch (classic: the
// region's internal range), never twice in one address space; a public IP from the configured
// pool, never twice; a MAC in Alibaba's `00:16:3e` block, never twice in one network. Each is
// drawn under a lock of its scope, so concurrent creations on PostgreSQL never collide.
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { parseCidr, intToIp, ipToInt, cidrHasIp } from '../engine/cidr.ts';
import type { Tx } from '../store/store.ts';

/**
 * A MAC address in Alibaba's `00:16:3e` block: three random bytes (16.7 million values), drawn
 * again until no ENI of the same network (the VPC, or the region's classic network) has it.
 */
export async function randomMac(ctx: CallContext, tx: Tx, network: { regionId: string; vpcId: string }): Promise<string> {
  await ctx.store.lock(tx, `mac:${network.regionId}:${network.vpcId}`);
  for (;;) {
    const mac = '00:16:3e:' + [...Buffer.from(ctx.ids.token(3), 'base64url')].map((b) => b.toString(16).padStart(2, '0')).join(':');
    const taken = await tx.selectFrom('enis').select('id').where('region_id', '=', network.regionId).where('vpc_id', '=', network.vpcId).where('mac', '=', mac).executeTakeFirst();
    if (taken === undefined) return mac;
  }
}

/** The lowest free host address of `cidr` in `space` (the first and the last three are reserved), or the requested one. */
export async function allocateIp(ctx: CallContext, tx: Tx, space: string, cidrText: string, requested?: string): Promise<string> {
  await ctx.store.lock(tx, `ip:${space}`);
  const cidr = parseCidr(cidrText)!;
  const used = new Set((await tx.selectFrom('enis').select('private_ip').where('address_space', '=', space).execute()).map((r) => r.private_ip));
  const first = cidr.base + 1;
  const last = cidr.base + cidr.size - 4;
  if (requested !== undefined && requested !== '') {
    const ip = ipToInt(requested);
    if (ip === null || !cidrHasIp(cidr, ip) || ip < first || ip > last) {
      throw apiError('InvalidPrivateIpAddress.Malformed', { address: requested, cidr: cidrText });
    }
    if (used.has(requested)) throw apiError('InvalidPrivateIpAddress.Duplicated', { address: requested });
    return requested;
  }
  for (let ip = first; ip <= last; ip++) {
    const text = intToIp(ip);
    if (!used.has(text)) return text;
  }
  throw apiError('InvalidVSwitchId.IpNotEnough', { cidr: cidrText });
}

export async function allocatePublicIp(ctx: CallContext, tx: Tx, poolText: string, requested?: string): Promise<string> {
  await ctx.store.lock(tx, `public-ip:${poolText}`);
  const used = new Set((await tx.selectFrom('instances').select('public_ip').where('public_ip', '!=', '').execute()).map((r) => r.public_ip));
  const pool = parseCidr(poolText)!;
  if (requested !== undefined && requested !== '') {
    const ip = ipToInt(requested);
    if (ip === null || !cidrHasIp(pool, ip) || ip === pool.base || ip === pool.base + pool.size - 1) {
      throw apiError('InvalidIpAddress.Malformed', { address: requested, pool: poolText });
    }
    if (used.has(requested)) throw apiError('InvalidIpAddress.AlreadyUsed', { address: requested });
    return requested;
  }
  for (let ip = pool.base + 1; ip < pool.base + pool.size - 1; ip++) {
    const text = intToIp(ip);
    if (!used.has(text)) return text;
  }
  throw apiError('QuotaExceed.PublicIpAddress', { pool: poolText });
}
