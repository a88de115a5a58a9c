import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { drainScheduler, listSchedulers } from '../../api/fleet.api';

export const fleetKeys = { all: ['schedulers'] as const };

/** The fleet as its schedulers publish it (every 2 s): refreshed every 5 s. */
export function useSchedulers() {
  return useQuery({ queryKey: fleetKeys.all, queryFn: ({ signal }) => listSchedulers(signal), refetchInterval: 5_000 });
}

export function useDrainScheduler() {
  const client = useQueryClient();
  return useMutation({ mutationFn: drainScheduler, onSettled: () => client.invalidateQueries({ queryKey: fleetKeys.all }) });
}
