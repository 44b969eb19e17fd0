// The Rules tab's server state: the group's rules (DescribeSecurityGroupAttribute, every rule in
// one answer: the API does not page rules, a group holds at most 200), the region's groups of the
// same network type (peers to authorize, restore targets), and what a write invalidates.
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { call } from '../../../api.ts';
import type { DescribeSecurityGroupsAnswer, SecurityGroupInfo, WireGroup } from '../types.ts';
import { networkTypeOf } from '../types.ts';
import type { AttributeAnswer } from './model.ts';

type GroupRef = Pick<SecurityGroupInfo, 'regionId' | 'securityGroupId'>;

export const rulesKey = (g: GroupRef) => ['ecs', 'DescribeSecurityGroupAttribute', g.regionId, g.securityGroupId] as const;

/** The group's rules query (the page's preload asks it before the tab renders). */
export function rulesQuery(group: GroupRef) {
  return {
    queryKey: rulesKey(group),
    queryFn: () => call<AttributeAnswer>('ecs', 'DescribeSecurityGroupAttribute', { RegionId: group.regionId, SecurityGroupId: group.securityGroupId }),
  };
}

export function useRules(group: SecurityGroupInfo) {
  return useQuery(rulesQuery(group));
}

/** DescribeSecurityGroups' largest page */
const PAGE = 50;

/** Every group of the region with the same network type as `group` (itself included), page by page. */
export function useSameNetworkGroups(group: SecurityGroupInfo, enabled: boolean) {
  return useQuery({
    queryKey: ['ecs', 'DescribeSecurityGroups', group.regionId, 'sameNetwork', group.networkType],
    enabled,
    queryFn: async () => {
      const all: WireGroup[] = [];
      for (let page = 1; page <= 40; page++) {
        const r = await call<DescribeSecurityGroupsAnswer>('ecs', 'DescribeSecurityGroups', { RegionId: group.regionId, NetworkType: group.networkType, PageNumber: page, PageSize: PAGE });
        all.push(...r.SecurityGroups.SecurityGroup);
        if (all.length >= r.TotalCount || r.SecurityGroups.SecurityGroup.length === 0) break;
      }
      return all.filter((g) => networkTypeOf(g) === group.networkType);
    },
  });
}

/** After a write to the group's rules: its rules, and the lists that show rule counts. */
export async function invalidateRules(qc: QueryClient, group: SecurityGroupInfo): Promise<void> {
  await Promise.all([
    qc.invalidateQueries({ queryKey: rulesKey(group) }),
    qc.invalidateQueries({ queryKey: ['ecs', 'DescribeSecurityGroups'] }),
  ]);
}

export function useInvalidateRules(group: SecurityGroupInfo): () => Promise<void> {
  const qc = useQueryClient();
  return () => invalidateRules(qc, group);
}
