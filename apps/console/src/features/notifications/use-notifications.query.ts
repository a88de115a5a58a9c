import { useQuery } from '@tanstack/react-query';
import { listChannels, listNotifications } from '../../api/notifications.api';
import { notificationsKey } from './use-unread-count';

export const channelsKey = ['notification-channels'] as const;

/** The inbox, newest first; refreshed while open, since notifications arrive as tasks run. */
export function useInbox(unreadOnly: boolean, available: boolean | undefined) {
  return useQuery({
    queryKey: [...notificationsKey, 'inbox', unreadOnly],
    queryFn: ({ signal }) => listNotifications({ unread: unreadOnly }, signal),
    enabled: available !== false,
    refetchInterval: 15_000,
    retry: false,
  });
}

/** The notification channels (the Notifications page and the wizard's channel picker share them). */
export function useChannels(available: boolean | undefined = true) {
  return useQuery({ queryKey: channelsKey, queryFn: ({ signal }) => listChannels(signal), enabled: available !== false, retry: false });
}
