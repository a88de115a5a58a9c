import { useQuery } from '@tanstack/react-query';
import { getMe } from '../../api/auth.api';

export const meKey = ['auth', 'me'] as const;

/** Who is logged in; a 401 here means nobody (the shell then sends the user to the login page). */
export function useMe() {
  return useQuery({ queryKey: meKey, queryFn: ({ signal }) => getMe(signal), retry: false, staleTime: 60_000 });
}
