import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { AppConfig } from '@walbridge/config';
import type { ChannelTestResult } from '@walbridge/contracts';
import { APP_CONFIG } from '@walbridge/nest-common';
import { NotificationJob, QueueName, deliveryJobOptions, withProtocol } from '@walbridge/queue';
import { AwaitedJobs } from '../common/awaited-job';

/**
 * The API does not send notifications itself: "send test" is a job on the notifications queue,
 * whose single attempt it awaits (a little longer than an attempt may take).
 */
@Injectable()
export class NotificationQueueClient implements OnModuleDestroy {
  private readonly awaited: AwaitedJobs;

  constructor(
    @InjectQueue(QueueName.Notifications) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.awaited = new AwaitedJobs(queue, config, {
      timeoutCode: 'NOTIFY_TIMEOUT',
      failedCode: 'NOTIFY_FAILED',
      what: 'the test',
      log: { context: NotificationQueueClient.name, queue: 'notification', job: () => 'channel test' },
    });
  }

  testChannel(channelId: string): Promise<ChannelTestResult | null> {
    return this.awaited.run<ChannelTestResult | null>(NotificationJob.TestChannel, { channelId }, this.config.WALBRIDGE_NOTIFY_TIMEOUT_MS + 5000);
  }

  /** A failed delivery a user asked to try again: a new round of attempts, under its own job id. */
  async retryDelivery(deliveryId: string): Promise<void> {
    await this.queue.add(
      NotificationJob.Deliver,
      withProtocol({ deliveryId }),
      deliveryJobOptions({ attempts: this.config.WALBRIDGE_NOTIFY_ATTEMPTS, retryMs: this.config.WALBRIDGE_NOTIFY_RETRY_MS }, `${deliveryId}:retry:${Date.now()}`),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.awaited.close();
  }
}
