import { Injectable } from '@nestjs/common';
import type { NotificationPage, NotificationQuery, NotificationView } from '@walbridge/contracts';
import { DomainError } from '@walbridge/domain';
import { NotificationRepository } from '@walbridge/persistence';
import type { Principal } from '../auth/principal';
import { toNotificationView } from './notification.mapper';

/** The in-console inbox: notifications with their delivery log, read marks per user. */
@Injectable()
export class NotificationService {
  constructor(private readonly notifications: NotificationRepository) {}

  async list(query: NotificationQuery, principal: Principal): Promise<NotificationPage> {
    const cursor = query.cursor ? { createdAt: new Date(Number(query.cursor.slice(0, 13))), id: query.cursor.slice(14) } : undefined;
    const { items, nextCursor } = await this.notifications.list({ ...query, cursor, userId: principal.userId });
    const deliveries = await this.notifications.deliveriesOf(items.map((n) => n.id));
    return { items: items.map((n) => toNotificationView(n, deliveries)), nextCursor, unreadCount: await this.notifications.unreadCount(principal.userId) };
  }

  async get(id: string, principal: Principal): Promise<NotificationView> {
    const notification = await this.notifications.findForUser(id, principal.userId);
    if (!notification) throw new DomainError('not-found', 'NOTIFICATION_NOT_FOUND', `notification ${id} not found`);
    return toNotificationView(notification, await this.notifications.deliveriesOf([id]));
  }

  async unreadCount(principal: Principal): Promise<{ unreadCount: number }> {
    return { unreadCount: await this.notifications.unreadCount(principal.userId) };
  }

  async markRead(id: string, principal: Principal): Promise<NotificationView> {
    await this.get(id, principal);
    await this.notifications.markRead(id, principal.userId);
    return this.get(id, principal);
  }

  async markAllRead(principal: Principal, taskId?: string): Promise<{ marked: number; unreadCount: number }> {
    const marked = await this.notifications.markAllRead(principal.userId, taskId);
    return { marked, unreadCount: await this.notifications.unreadCount(principal.userId) };
  }
}
