// The security-group pages' first data, asked by their routes' loaders (routes.tsx) as a navigation
// reaches them, while the page's chunk is still loading: the list's first page; a group's row and
// its rules. The pages' own queries are these (same keys), so a page renders once, with its data.
// Kept apart from the pages so the first load carries them without the pages' components.
import type { QueryClient } from '@tanstack/react-query';
import { call, type Params } from '../../api.ts';
import { DEFAULT_REGION } from '../../region.ts';
import type { Preload } from '../../routes.tsx';
import { rulesQuery } from './rules/queries.ts';
import type { DescribeSecurityGroupsAnswer, WireGroup } from './types.ts';

/** the list's first page: 20 groups, as the real console shows */
export const FIRST_PAGE = { number: 1, size: 20 };

/** The list's query: one page of the region's groups matching the search. */
export function listQuery(region: string, filters: Params, number: number, size: number) {
  return {
    queryKey: ['ecs', 'DescribeSecurityGroups', region, 'list', filters, number, size],
    queryFn: () => call<DescribeSecurityGroupsAnswer>('ecs', 'DescribeSecurityGroups', { RegionId: region, ...filters, PageNumber: number, PageSize: size }),
  };
}

/** The group's row (DescribeSecurityGroups by id): the group page's attributes. */
export function groupQuery(region: string, id: string) {
  return {
    queryKey: ['ecs', 'DescribeSecurityGroups', region, 'one', id],
    queryFn: () => call<DescribeSecurityGroupsAnswer>('ecs', 'DescribeSecurityGroups', { RegionId: region, SecurityGroupId: id, PageSize: 1 }),
  };
}

/** The first page of the URL's region. */
export const preloadList: Preload = (qc, url) => qc.prefetchQuery(listQuery(url.searchParams.get('region') ?? DEFAULT_REGION, {}, FIRST_PAGE.number, FIRST_PAGE.size));

/**
 * The group, then its rules (the default tab) when it exists; an id that names no group is the
 * page's "not found", never a refused call.
 */
export const preloadGroup: Preload = async (qc, url, params) => {
  const region = url.searchParams.get('region') ?? DEFAULT_REGION;
  const id = params['id'] ?? '';
  const tab = url.searchParams.get('tab');
  const one = groupQuery(region, id);
  // from the list: its row is the group's answer, so the rules are asked at once
  if (qc.getQueryData(one.queryKey) === undefined) {
    // as fresh as that list: an old list's row is asked again below
    const listed = listedGroup(qc, region, id);
    if (listed !== undefined) {
      qc.setQueryData<DescribeSecurityGroupsAnswer>(one.queryKey, { TotalCount: 1, PageNumber: 1, PageSize: 1, SecurityGroups: { SecurityGroup: [listed.row] } }, { updatedAt: listed.updatedAt });
    }
  }
  const answer = await qc.fetchQuery(one);
  if (answer.SecurityGroups.SecurityGroup.length > 0 && (tab === null || tab === 'rules')) await qc.prefetchQuery(rulesQuery({ regionId: region, securityGroupId: id }));
};

/** The group's row in a list of the region already in the cache (the list the user clicked in), with that list's time. */
function listedGroup(qc: QueryClient, region: string, id: string): { row: WireGroup; updatedAt: number } | undefined {
  for (const q of qc.getQueryCache().findAll({ queryKey: ['ecs', 'DescribeSecurityGroups', region, 'list'] })) {
    const data = q.state.data as DescribeSecurityGroupsAnswer | undefined;
    const row = data?.SecurityGroups.SecurityGroup.find((g) => g.SecurityGroupId === id);
    if (row !== undefined) return { row, updatedAt: q.state.dataUpdatedAt };
  }
  return undefined;
}
