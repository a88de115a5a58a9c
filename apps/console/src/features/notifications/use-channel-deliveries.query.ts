import { useQuery } from '@tanstack/react-query';
import { getChannel, listChannelDeliveries } from '../../api/notifications.api';
import { channelsKey } from './use-notifications.query';

export const channelDeliveriesKey = (id: string) => [...channelsKey, id, 'deliveries'] as const;

/** A channel's deliveries, refreshed while its page is open (retries land as they happen). */
export function useChannelDeliveries(id: string) {
  return useQuery({ queryKey: channelDeliveriesKey(id), queryFn: ({ signal }) => listChannelDeliveries(id, signal), refetchInterval: 5_000 });
}

export function useChannel(id: string) {
  return useQuery({ queryKey: [...channelsKey, id], queryFn: ({ signal }) => getChannel(id, signal) });
}
