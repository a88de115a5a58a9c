import { fetchJson } from './api-client';

/*
 * Notifications of PRODUCT.md §6 and §9 (`/notifications`, `/notification-channels`). Not in the
 * contracts yet: these are the shapes the console expects; wiring the final ones is this file.
 */

export interface NotificationView {
  id: string;
  taskId: string | null;
  taskName?: string | null;
  /** What happened, e.g. "delay-alarm", "task-abnormal", "data-exception". */
  kind: string;
  severity?: 'info' | 'warning' | 'error';
  title: string;
  message: string;
  /** What to do about it. */
  runbook?: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: NotificationView[];
  unreadCount?: number;
  nextCursor?: string | null;
}

export function listNotifications(params: { unread?: boolean; cursor?: string }, signal?: AbortSignal): Promise<NotificationPage> {
  return fetchJson<NotificationPage | NotificationView[]>('/notifications', {
    query: { unread: params.unread ? true : undefined, cursor: params.cursor },
    signal,
  }).then((body) => (Array.isArray(body) ? { items: body } : body));
}

export function markNotificationRead(id: string): Promise<unknown> {
  return fetchJson<unknown>(`/notifications/${encodeURIComponent(id)}/read`, { method: 'POST' });
}

export type ChannelType = 'webhook' | 'email';

export interface NotificationChannelView {
  id: string;
  type: ChannelType;
  name: string;
  url?: string | null;
  to?: string[] | null;
  secretSet?: boolean;
  createdAt?: string;
}

export interface NotificationChannelInput {
  type: ChannelType;
  name: string;
  url?: string;
  secret?: string;
  to?: string[];
}

export function listChannels(signal?: AbortSignal): Promise<NotificationChannelView[]> {
  return fetchJson<NotificationChannelView[] | { items: NotificationChannelView[] }>('/notification-channels', { signal }).then((body) =>
    Array.isArray(body) ? body : body.items,
  );
}

export function createChannel(input: NotificationChannelInput): Promise<NotificationChannelView> {
  return fetchJson<NotificationChannelView>('/notification-channels', { method: 'POST', body: input });
}

export function deleteChannel(id: string): Promise<void> {
  return fetchJson<void>(`/notification-channels/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function testChannel(id: string): Promise<unknown> {
  return fetchJson<unknown>(`/notification-channels/${encodeURIComponent(id)}/test`, { method: 'POST' });
}
