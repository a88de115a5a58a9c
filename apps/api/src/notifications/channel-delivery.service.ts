import { Injectable } from '@nestjs/common';
import type { ChannelDeliveryView } from '@walbridge/contracts';
import { DomainError } from '@walbridge/domain';
import { NotificationChannelRepository, NotificationRepository } from '@walbridge/persistence';
import { toDeliveryView } from './notification.mapper';
import { NotificationQueueClient } from './notification-queue.client';

const HISTORY_LIMIT = 100;

/**
 * A channel's delivery history and "retry" of a delivery that gave up (issue 15 feature 9). The
 * api only marks it pending and enqueues the delivery job: a scheduler sends it.
 */
@Injectable()
export class ChannelDeliveries {
  constructor(
    private readonly channels: NotificationChannelRepository,
    private readonly notifications: NotificationRepository,
    private readonly queue: NotificationQueueClient,
  ) {}

  async history(channelId: string): Promise<{ items: ChannelDeliveryView[] }> {
    await this.channel(channelId);
    const rows = await this.notifications.deliveriesOfChannel(channelId, HISTORY_LIMIT);
    return {
      items: rows.map((d) => ({
        ...toDeliveryView(d),
        createdAt: d.createdAt.toISOString(),
        notification: {
          id: d.notification.id,
          kind: d.notification.kind,
          severity: d.notification.severity,
          title: d.notification.title,
          createdAt: d.notification.createdAt.toISOString(),
          task: d.notification.taskId ? { id: d.notification.taskId, name: d.notification.taskName ?? '' } : null,
        },
      })),
    };
  }

  /** Only a failed delivery of an enabled channel: a pending or retrying one is being tried already. */
  async retry(channelId: string, deliveryId: string): Promise<{ id: string; status: 'pending' }> {
    const channel = await this.channel(channelId);
    const delivery = await this.notifications.findDelivery(channelId, deliveryId);
    if (!delivery) throw new DomainError('not-found', 'DELIVERY_NOT_FOUND', `delivery ${deliveryId} of channel ${channelId} not found`);
    if (!channel.enabled) {
      throw new DomainError('conflict', 'CHANNEL_DISABLED', `channel ${channel.name} is disabled: enable it first, then retry`, [], { status: delivery.status });
    }
    if (!(await this.notifications.requeueFailed(channelId, deliveryId))) {
      throw new DomainError('conflict', 'DELIVERY_NOT_FAILED', `delivery ${deliveryId} is ${delivery.status}: only a failed delivery can be retried`, [], { status: delivery.status });
    }
    await this.queue.retryDelivery(deliveryId);
    return { id: deliveryId, status: 'pending' };
  }

  private async channel(id: string) {
    const channel = await this.channels.findById(id);
    if (!channel) throw new DomainError('not-found', 'CHANNEL_NOT_FOUND', `notification channel ${id} not found`);
    return channel;
  }
}
