import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { ChannelTestResult } from '@walbridge/contracts';
import { describeNotification } from '@walbridge/domain';
import { NotificationChannelRepository, NotificationRepository } from '@walbridge/persistence';
import { NotificationJob, QueueName, type NotificationPayloads } from '@walbridge/queue';
import { ChannelSender } from './channel-sender.service';
import { VersionedProcessor } from '../queue/versioned-processor';

type NotificationQueueJob = { [J in NotificationJob]: Job<NotificationPayloads[J], unknown, J> }[NotificationJob];

/**
 * Webhook and e-mail deliveries. A failed attempt is written to the delivery log and thrown, so
 * BullMQ retries it with exponential backoff until the attempts run out (WALBRIDGE_NOTIFY_*).
 */
@Processor(QueueName.Notifications, { concurrency: 4 })
export class NotificationDeliveryProcessor extends VersionedProcessor<NotificationQueueJob> {
  protected readonly logger = new Logger(NotificationDeliveryProcessor.name);

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly channels: NotificationChannelRepository,
    private readonly sender: ChannelSender,
  ) {
    super();
  }

  protected async handle(job: NotificationQueueJob): Promise<unknown> {
    switch (job.name) {
      case NotificationJob.Deliver:
        return this.deliver(job as Job<NotificationPayloads[NotificationJob.Deliver]>);
      case NotificationJob.TestChannel:
        return this.test(job.data.channelId);
    }
  }

  private async deliver(job: Job<NotificationPayloads[NotificationJob.Deliver]>): Promise<void> {
    const context = await this.notifications.deliveryContext(job.data.deliveryId);
    if (!context || context.delivery.status === 'delivered' || context.delivery.status === 'failed') return;
    const { delivery, notification } = context;
    const channel = await this.channels.findById(delivery.channelId);
    if (!channel || !channel.enabled) {
      await this.notifications.abandon(delivery.id, channel ? 'the channel was disabled' : 'the channel was deleted');
      return;
    }
    const result = await this.sender.send(channel, {
      id: notification.id,
      kind: notification.kind,
      severity: notification.severity,
      title: notification.title,
      message: notification.message,
      runbook: notification.runbook,
      figures: notification.figures,
      createdAt: notification.createdAt,
      task: notification.taskId ? { id: notification.taskId, name: notification.taskName ?? '' } : null,
      deliveryId: delivery.id,
    });
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const status = result.ok ? 'delivered' : lastAttempt ? 'failed' : 'retrying';
    await this.notifications.recordAttempt(delivery.id, { at: new Date().toISOString(), ...result }, status);
    if (!result.ok) {
      this.logger.warn(`delivery ${delivery.id} to ${channel.type} ${channel.name} failed (attempt ${job.attemptsMade + 1}): ${result.detail}`);
      throw new Error(result.detail);
    }
  }

  /** "Send test": one attempt with a sample notification, nothing stored. */
  private async test(channelId: string): Promise<ChannelTestResult | null> {
    const channel = await this.channels.findById(channelId);
    if (!channel) return null;
    const text = describeNotification(null, { kind: 'test', channelName: channel.name });
    const id = randomUUID();
    return this.sender.send(channel, { ...text, id, createdAt: new Date(), task: null, deliveryId: id });
  }
}
