// IPv6 in VPCs (dual stack), the addresses: Parapet's pool of /56 blocks for VPCs, a vSwitch's /64
// (an index in its VPC's /56), an ENI's addresses (in its vSwitch's /64, at most IPV6_PER_ENI,
// never twice), the address ids the VPC API names, and the reads the rest of the engine uses
// (`ipv6OfEnis`, `eniByIpv6`). Gateways and internet bandwidth are ipv6-gateways.ts.
//
// Addresses are stored and answered compressed and lower-case (RFC 5952): `2408:4000:0:100::1000`.
import { bigIntToIp6, ip6ToBigInt, VPC_IPV6_POOL } from '../engine/cidr.ts';
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import type { Db, Tx } from '../store/store.ts';

/**
 * Parapet's IPv6 pool (src/engine/cidr.ts VPC_IPV6_POOL): a VPC that enables IPv6 gets the lowest
 * free /56 of it. Global-unicast looking space (the real service hands out blocks of its carriers'
 * ranges such as 2408:4000::/20); it is reachable only inside Parapet (the data plane's internet
 * namespace), never routed.
 */
const POOL_BASE = VPC_IPV6_POOL.base;
/** /56 blocks in the pool */
const POOL_BLOCKS = 1n << BigInt(56 - VPC_IPV6_POOL.prefix);
/** the most IPv6 addresses one ENI holds (the reference: 10 for an ENI not attached; Parapet uses it for every ENI) */
export const IPV6_PER_ENI = 10;
/** the first host part allocated automatically in a vSwitch's /64 (::0 to ::3 are the gateway's and reserved) */
const FIRST_AUTO_HOST = 0x1000n;
const RESERVED_HOSTS = 4n;

/** The compressed lower-case form of an address, or null when it isn't one. */
export function normalizeIpv6(text: string): string | null {
  const n = ip6ToBigInt(text);
  return n === null ? null : bigIntToIp6(n);
}

function parseBlock(cidr: string): { base: bigint; prefix: number } {
  const [addr, len] = cidr.split('/');
  return { base: ip6ToBigInt(addr!)!, prefix: Number(len) };
}

/** The /64 of index `index` (0..255) in a VPC's /56. */
export function vSwitchIpv6Block(vpcCidr: string, index: number): string {
  return `${bigIntToIp6(parseBlock(vpcCidr).base | (BigInt(index) << 64n))}/64`;
}

/** The index (0..255) of a vSwitch's /64 in its VPC's /56. */
export function vSwitchIpv6Index(cidr: string): number {
  return Number((parseBlock(cidr).base >> 64n) & 0xffn);
}

/** Gives a VPC the lowest free /56 of the pool, unique in the store (under the pool's lock). */
export async function allocateVpcIpv6(ctx: CallContext, tx: Tx): Promise<string> {
  await ctx.store.lock(tx, 'ipv6-pool');
  const used = new Set((await tx.selectFrom('vpcs').select('ipv6_cidr').where('ipv6_cidr', '!=', '').execute())
    .map((r) => (parseBlock(r.ipv6_cidr).base - POOL_BASE) >> 72n));
  for (let i = 0n; i < POOL_BLOCKS; i++) {
    if (!used.has(i)) return `${bigIntToIp6(POOL_BASE | (i << 72n))}/56`;
  }
  throw new Error('the IPv6 pool is exhausted');
}

/** The id the VPC API gives an IPv6 address: `ipv6-` and its 32 hexadecimal digits (stable, derived). */
export function ipv6AddressId(address: string): string {
  return 'ipv6-' + ip6ToBigInt(address)!.toString(16).padStart(32, '0');
}

/** The address an IPv6 address id names, or undefined when it is not one. */
export function addressOfIpv6Id(id: string): string | undefined {
  return /^ipv6-[0-9a-f]{32}$/.test(id) ? bigIntToIp6(BigInt('0x' + id.slice(5))) : undefined;
}

/** The addresses stored on an ENI row. */
export function addressesOf(json: string): string[] {
  const v: unknown = JSON.parse(json);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Gives an ENI new IPv6 addresses: `count` chosen ones (the lowest free from ::1000 of the vSwitch's
 * /64) or the `addresses` named, never both. Every path that adds one comes here (AssignIpv6Addresses,
 * RunInstances and CreateInstance, CreateNetworkInterface). The vSwitch must have a /64; each address
 * in it, not reserved, unused in the vSwitch; at most IPV6_PER_ENI on the ENI. Returns the new ones.
 */
export async function assignIpv6(ctx: CallContext, tx: Tx, eni: { id: string; vswitch_id: string }, req: { count?: number | undefined; addresses?: readonly string[] | undefined }): Promise<string[]> {
  const named = req.addresses ?? [];
  if (req.count !== undefined && named.length > 0) {
    throw apiError('InvalidParameter', { name: 'Ipv6AddressCount', value: String(req.count), why: 'Give `Ipv6AddressCount` or `Ipv6Address.N`, not both.' });
  }
  if (req.count !== undefined && (!Number.isInteger(req.count) || req.count < 1 || req.count > IPV6_PER_ENI)) {
    throw apiError('InvalidParameter', { name: 'Ipv6AddressCount', value: String(req.count), why: `It must be between 1 and ${IPV6_PER_ENI}.` });
  }
  if (req.count === undefined && named.length === 0) return [];
  const vsw = await tx.selectFrom('vswitches').select(['id', 'ipv6_cidr']).where('id', '=', eni.vswitch_id).executeTakeFirst();
  if (vsw === undefined || vsw.ipv6_cidr === '') throw apiError('InvalidVSwitchId.Ipv6NotTurnOn', { vSwitchId: eni.vswitch_id || '(classic)' });
  // INVARIANT: the IPv6 addresses of a vSwitch change only under its lock: one owner per address.
  await ctx.store.lock(tx, `vsw-ipv6:${vsw.id}`);
  const rows = await tx.selectFrom('enis').select(['id', 'ipv6_addresses']).where('vswitch_id', '=', vsw.id).execute();
  const used = new Set<bigint>();
  let own: string[] = [];
  for (const r of rows) {
    const list = addressesOf(r.ipv6_addresses);
    if (r.id === eni.id) own = list;
    for (const a of list) used.add(ip6ToBigInt(a)!);
  }
  const block = parseBlock(vsw.ipv6_cidr);
  const mask = (1n << 64n) - 1n;
  const added: string[] = [];
  for (const text of named) {
    const n = ip6ToBigInt(text);
    if (n === null) throw apiError('InvalidIpv6Address.Malformed', { name: 'Ipv6Address', value: text });
    if ((n & ~mask) !== block.base || (n & mask) < RESERVED_HOSTS) {
      throw apiError('InvalidIpv6Address.Malformed', 'notInVSwitch', { name: 'Ipv6Address', value: text, cidr: vsw.ipv6_cidr });
    }
    if (used.has(n)) throw apiError('InvalidIpv6Address.Conflict', { value: bigIntToIp6(n) });
    used.add(n);
    added.push(bigIntToIp6(n));
  }
  for (let host = FIRST_AUTO_HOST; added.length < (req.count ?? 0); host++) {
    const n = block.base | host;
    if (!used.has(n)) { used.add(n); added.push(bigIntToIp6(n)); }
  }
  if (own.length + added.length > IPV6_PER_ENI) throw apiError('QuotaExceeded.Ipv6Address', { eniId: eni.id, quota: IPV6_PER_ENI });
  await tx.updateTable('enis').set({ ipv6_addresses: JSON.stringify([...own, ...added]) }).where('id', '=', eni.id).execute();
  return added;
}

/** Takes IPv6 addresses off an ENI (each must be on it), with their internet bandwidth. */
export async function unassignIpv6(ctx: CallContext, tx: Tx, eni: { id: string; vswitch_id: string }, addresses: readonly string[]): Promise<void> {
  await ctx.store.lock(tx, `vsw-ipv6:${eni.vswitch_id}`);
  const row = await tx.selectFrom('enis').select('ipv6_addresses').where('id', '=', eni.id).executeTakeFirstOrThrow();
  const own = addressesOf(row.ipv6_addresses);
  const gone = new Set<string>();
  for (const text of addresses) {
    const a = normalizeIpv6(text);
    if (a === null) throw apiError('InvalidIpv6Address.Malformed', { name: 'Ipv6Address', value: text });
    if (!own.includes(a)) throw apiError('InvalidIpv6Address.NotFound', { value: text, eniId: eni.id });
    gone.add(a);
  }
  await releaseIpv6(tx, [...gone]);
  await tx.updateTable('enis').set({ ipv6_addresses: JSON.stringify(own.filter((a) => !gone.has(a))) }).where('id', '=', eni.id).execute();
}

/** Frees what addresses leaving the store hold (their internet bandwidth): an ENI deleted, addresses unassigned. */
export async function releaseIpv6(tx: Tx, addresses: readonly string[]): Promise<void> {
  if (addresses.length > 0) await tx.deleteFrom('ipv6_internet').where('address', 'in', [...addresses]).execute();
}

/** Each ENI's IPv6 addresses (an ENI with none, or not found, maps to []). */
export async function ipv6OfEnis(db: Db | Tx, eniIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(eniIds.map((id) => [id, []]));
  for (let i = 0; i < eniIds.length; i += 500) {
    const rows = await db.selectFrom('enis').select(['id', 'ipv6_addresses']).where('id', 'in', eniIds.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.id, addressesOf(r.ipv6_addresses));
  }
  return out;
}

/** The ENI of a VPC that holds an IPv6 address (any spelling of it), or undefined. */
export async function eniByIpv6(db: Db | Tx, vpcId: string, address: string): Promise<string | undefined> {
  const a = normalizeIpv6(address);
  if (a === null) return undefined;
  const rows = await db.selectFrom('enis').select(['id', 'ipv6_addresses']).where('vpc_id', '=', vpcId).where('ipv6_addresses', 'like', `%"${a}"%`).execute();
  return rows.find((r) => addressesOf(r.ipv6_addresses).includes(a))?.id;
}
