import { useQuery } from '@tanstack/react-query';
import { listSavedConnections } from '../../api/connections.api';

export const savedConnectionsKey = ['saved-connections'] as const;

/** The saved connections (the Connections page and the wizard's step 2 share them). */
export function useSavedConnections(available: boolean | undefined = true) {
  return useQuery({ queryKey: savedConnectionsKey, queryFn: ({ signal }) => listSavedConnections(signal), enabled: available !== false, retry: false });
}
