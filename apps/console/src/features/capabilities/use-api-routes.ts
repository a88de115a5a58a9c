import { useQuery } from '@tanstack/react-query';
import { getApiRoutes } from '../../api/capabilities.api';

/**
 * Which routes the API serves, read once per session. While unknown (loading, or the document
 * could not be read) callers get `undefined` and decide for themselves: an action may be offered
 * and hidden after a 404, a panel may try its request.
 */
export function useApiRoutes() {
  const query = useQuery({ queryKey: ['api-routes'], queryFn: ({ signal }) => getApiRoutes(signal), staleTime: Infinity, gcTime: Infinity, retry: false });
  return {
    has: (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string): boolean | undefined => (query.data ? query.data.has(method, path) : undefined),
    isPending: query.isPending,
  };
}
