// DescribeAccountAttributes (ECS 2014-05-26): the caller's account's quotas in a region, each the
// configured default or the account's override (account-settings.ts), and the network types
// instances may use. Quotas are region-wide, so a `ZoneId` only has to be a zone of the region.
// Attribute names of Alibaba's reference that Parapet does not model (vCPU counts, disks,
// dedicated hosts, Cloud Assistant…) are accepted and answer no item; any other name is refused.
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { QUOTAS, accountLimits } from './account-settings.ts';

/** Names Alibaba documents that Parapet has nothing to answer for. */
const UNMODELLED: ReadonlySet<string> = new Set([
  'max-elastic-network-interfaces', 'max-postpaid-instance-vcpu-count', 'max-spot-instance-vcpu-count', 'used-postpaid-instance-vcpu-count',
  'used-spot-instance-vcpu-count', 'max-postpaid-yundisk-capacity', 'used-postpaid-yundisk-capacity', 'max-dedicated-hosts',
  'supported-postpaid-instance-types', 'max-axt-command-count', 'max-axt-invocation-daily', 'real-name-authentication',
  'max-cloud-assistant-activation-count',
]);

const NETWORK_TYPES = 'instance-network-type';

/** At most this many `AttributeName.N` (Alibaba: N is 1 to 8). */
export const MAX_ATTRIBUTE_NAMES = 8;

export interface AttributeValue { value: string; zoneId?: string }
export interface AccountAttribute { name: string; values: AttributeValue[] }

/** Every attribute name Parapet answers, in the order it lists them. */
export const ATTRIBUTE_NAMES: readonly string[] = [...QUOTAS.map((q) => q.name), NETWORK_TYPES];

export async function describeAccountAttributes(ctx: CallContext, p: { regionId: string; zoneId?: string | undefined; attributeNames?: readonly string[] | undefined }): Promise<AccountAttribute[]> {
  const region = requireRegion(p.regionId);
  const zoneId = p.zoneId ?? '';
  if (zoneId !== '' && !region.zones.includes(zoneId)) throw apiError('InvalidZoneId.NotFound', { zoneId, regionId: region.id });
  const asked = p.attributeNames ?? [];
  if (asked.length > MAX_ATTRIBUTE_NAMES) {
    throw apiError('InvalidParameter', { name: 'AttributeName', value: asked.join(','), why: `Give at most ${MAX_ATTRIBUTE_NAMES} attribute names.` });
  }
  for (const [i, name] of asked.entries()) {
    if (!ATTRIBUTE_NAMES.includes(name) && !UNMODELLED.has(name)) {
      throw apiError('InvalidParameter', { name: `AttributeName.${i + 1}`, value: name, why: `Attribute names: ${ATTRIBUTE_NAMES.join(', ')}.` });
    }
  }
  const wanted = asked.length === 0 ? ATTRIBUTE_NAMES : ATTRIBUTE_NAMES.filter((n) => asked.includes(n));
  const limits = await accountLimits(ctx, ctx.store.db);
  const at = (value: string): AttributeValue => (zoneId !== '' ? { value, zoneId } : { value });
  return wanted.map((name) => {
    if (name === NETWORK_TYPES) return { name, values: [at('vpc'), at('classic')] };
    const q = QUOTAS.find((x) => x.name === name)!;
    return { name, values: [at(String(limits[q.key]))] };
  });
}
