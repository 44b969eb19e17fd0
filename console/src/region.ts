// The region every list is of, kept in the URL as ?region= (as the real console does), so a link or
// a reload keeps it. cn-hangzhou when the URL names none.
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

export const DEFAULT_REGION = 'cn-hangzhou';

export function useRegion(): [string, (region: string) => void] {
  const [params, setParams] = useSearchParams();
  const region = params.get('region') ?? DEFAULT_REGION;
  const setRegion = useCallback((r: string) => {
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      next.set('region', r);
      return next;
    });
  }, [setParams]);
  return [region, setRegion];
}

/** A console path (relative to /console/) with the current region kept. */
export function useRegionLink(): (path: string) => string {
  const [region] = useRegion();
  return useCallback((path: string) => {
    const [base, query] = path.split('?', 2) as [string, string | undefined];
    const q = new URLSearchParams(query);
    q.set('region', region);
    return `/${base.replace(/^\//, '')}?${q.toString()}`;
  }, [region]);
}
