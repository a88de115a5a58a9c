import { useQuery } from '@tanstack/react-query';
import { listNotifications } from '../../api/notifications.api';
import { useApiRoutes } from '../capabilities/use-api-routes';

export const notificationsKey = ['notifications'] as const;

/** How many notifications wait unread; null when this API has no inbox. */
export function useUnreadCount(): number | null {
  const routes = useApiRoutes();
  const available = routes.has('GET', '/notifications') === true;
  const unread = useQuery({
    queryKey: [...notificationsKey, 'unread'],
    queryFn: ({ signal }) => listNotifications({ unread: true }, signal),
    enabled: available,
    refetchInterval: 30_000,
    retry: false,
  });
  if (!available || !unread.data) return null;
  return unread.data.unreadCount ?? unread.data.items.filter((n) => !n.readAt).length;
}
