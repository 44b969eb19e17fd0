// What the session may see besides a page's own data (GET /console/api/capabilities, judged by the
// server's authorizer): asked once and kept, so the frame and the lists ask Security Center only
// when the user may read it, and are never refused on every page.
import { useQuery } from '@tanstack/react-query';
import { getCapabilities } from './api.ts';

export function useCapabilities() {
  return useQuery({ queryKey: ['capabilities'], queryFn: getCapabilities, staleTime: 300_000, retry: false });
}
