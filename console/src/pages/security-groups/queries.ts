// Server state the security-group dialogs share: the regions (the top bar's query, same key) and a
// region's VPCs; the invalidation every write does; tags in the wire form.
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { call, type Params } from '../../api.ts';

interface Regions { Regions: { Region: Array<{ RegionId: string; LocalName?: string }> } }
interface Vpcs { Vpcs: { Vpc: Array<{ VpcId: string; VpcName?: string; CidrBlock?: string }> } }

export function useRegions() {
  return useQuery({
    queryKey: ['ecs', 'DescribeRegions'],
    queryFn: () => call<Regions>('ecs', 'DescribeRegions', {}),
    staleTime: Infinity,
  });
}

export function useVpcs(region: string, enabled = true) {
  return useQuery({
    queryKey: ['vpc', 'DescribeVpcs', region, 'all'],
    queryFn: () => call<Vpcs>('vpc', 'DescribeVpcs', { RegionId: region, PageSize: 50 }),
    enabled,
  });
}

/** After a write: every security-group list and count, and the detail pages' reads, are stale. */
export function invalidateGroups(qc: QueryClient): Promise<void> {
  return qc.invalidateQueries({ predicate: (q) => {
    const [product, action] = q.queryKey as unknown[];
    return product === 'ecs' && typeof action === 'string' && (action.startsWith('DescribeSecurityGroup') || action === 'DescribeInstances');
  } });
}

export interface TagInput { key?: string; value?: string }

/** `Tag.N.Key` / `Tag.N.Value`, leaving out rows without a key. */
export function tagParams(tags: TagInput[] | undefined): Params {
  const out: Params = {};
  let n = 0;
  for (const tag of tags ?? []) {
    const key = tag.key?.trim() ?? '';
    if (key === '') continue;
    n += 1;
    out[`Tag.${n}.Key`] = key;
    out[`Tag.${n}.Value`] = tag.value?.trim() ?? '';
  }
  return out;
}
