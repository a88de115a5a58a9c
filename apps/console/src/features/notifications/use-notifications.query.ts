import { useQuery } from '@tanstack/react-query';
import type { NotificationKindName, NotificationSeverityName } from '@walbridge/contracts';
import { listChannels, listNotifications } from '../../api/notifications.api';
import { notificationsKey } from './use-unread-count';

export const channelsKey = ['notification-channels'] as const;

/** The inbox, newest first; refreshed while open, since notifications arrive as tasks run. */
export interface InboxFilters {
  unreadOnly: boolean;
  taskId?: string;
  kind?: NotificationKindName;
  severity?: NotificationSeverityName;
}

export function useInbox(filters: InboxFilters, available: boolean | undefined) {
  return useQuery({
    queryKey: [...notificationsKey, 'inbox', filters],
    queryFn: ({ signal }) => listNotifications({ unread: filters.unreadOnly, taskId: filters.taskId, kind: filters.kind, severity: filters.severity }, signal),
    enabled: available !== false,
    refetchInterval: 15_000,
    retry: false,
  });
}

/** The notification channels (the Notifications page and the wizard's channel picker share them). */
export function useChannels(available: boolean | undefined = true) {
  return useQuery({ queryKey: channelsKey, queryFn: ({ signal }) => listChannels(signal), enabled: available !== false, retry: false });
}
