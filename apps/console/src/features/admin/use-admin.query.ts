import { useQuery } from '@tanstack/react-query';
import { listTokens } from '../../api/tokens.api';
import { listUsers } from '../../api/users.api';

export const usersKey = ['users'] as const;
export const tokensKey = ['tokens'] as const;

export function useUsers() {
  return useQuery({ queryKey: usersKey, queryFn: ({ signal }) => listUsers(signal) });
}

export function useTokens() {
  return useQuery({ queryKey: tokensKey, queryFn: ({ signal }) => listTokens(signal) });
}
