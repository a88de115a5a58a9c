import type {
  ChannelDeliveryView,
  ChannelTestResult,
  CreateChannelInput,
  NotificationChannelView,
  NotificationKindName,
  NotificationPage,
  NotificationSeverityName,
  NotificationView,
} from '@walbridge/contracts';
import { fetchJson } from './api-client';

/** Notifications of PRODUCT.md §6 and §9 (`/notifications`, `/notification-channels`), shapes from the contracts. */
export type { ChannelDeliveryView, ChannelTestResult, NotificationChannelView, NotificationPage, NotificationView };

export interface NotificationListParams {
  unread?: boolean;
  taskId?: string;
  kind?: NotificationKindName;
  severity?: NotificationSeverityName;
  cursor?: string;
}

export function listNotifications(params: NotificationListParams, signal?: AbortSignal): Promise<NotificationPage> {
  return fetchJson<NotificationPage>('/notifications', { query: { ...params, unread: params.unread ? 'true' : undefined }, signal });
}

export function unreadNotificationCount(signal?: AbortSignal): Promise<{ unreadCount: number }> {
  return fetchJson<{ unreadCount: number }>('/notifications/unread-count', { signal });
}

export function markNotificationRead(id: string): Promise<NotificationView> {
  return fetchJson<NotificationView>(`/notifications/${encodeURIComponent(id)}/read`, { method: 'POST' });
}

export function markAllNotificationsRead(): Promise<{ marked: number; unreadCount: number }> {
  return fetchJson<{ marked: number; unreadCount: number }>('/notifications/read-all', { method: 'POST', body: {} });
}

export type ChannelType = NotificationChannelView['type'];

export function listChannels(signal?: AbortSignal): Promise<NotificationChannelView[]> {
  return fetchJson<NotificationChannelView[]>('/notification-channels', { signal });
}

export function createChannel(input: CreateChannelInput): Promise<NotificationChannelView> {
  return fetchJson<NotificationChannelView>('/notification-channels', { method: 'POST', body: input });
}

export function deleteChannel(id: string): Promise<void> {
  return fetchJson<void>(`/notification-channels/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** One attempt, now: `ok` says whether the receiver took it, `detail` what it answered. */
export function testChannel(id: string): Promise<ChannelTestResult> {
  return fetchJson<ChannelTestResult>(`/notification-channels/${encodeURIComponent(id)}/test`, { method: 'POST' });
}

export function getChannel(id: string, signal?: AbortSignal): Promise<NotificationChannelView> {
  return fetchJson<NotificationChannelView>(`/notification-channels/${encodeURIComponent(id)}`, { signal });
}

export function listChannelDeliveries(id: string, signal?: AbortSignal): Promise<{ items: ChannelDeliveryView[] }> {
  return fetchJson<{ items: ChannelDeliveryView[] }>(`/notification-channels/${encodeURIComponent(id)}/deliveries`, { signal });
}

export function retryDelivery(channelId: string, deliveryId: string): Promise<{ id: string; status: 'pending' }> {
  return fetchJson(`/notification-channels/${encodeURIComponent(channelId)}/deliveries/${encodeURIComponent(deliveryId)}/retry`, { method: 'POST', body: {} });
}
