import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { QueueEvents, type Queue } from 'bullmq';
import type { AppConfig } from '@walbridge/config';
import type { ChannelTestResult } from '@walbridge/contracts';
import { DomainError } from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { NotificationJob, QueueName } from '@walbridge/queue';

const KEEP_FINISHED = { age: 300 };

/**
 * The API does not send notifications itself: "send test" is a job on the notifications queue,
 * whose single attempt it awaits (a little longer than an attempt may take).
 */
@Injectable()
export class NotificationQueueClient implements OnModuleDestroy {
  private readonly logger = new Logger(NotificationQueueClient.name);
  private readonly events: QueueEvents;

  constructor(
    @InjectQueue(QueueName.Notifications) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.events = new QueueEvents(QueueName.Notifications, { connection: { url: config.WALBRIDGE_REDIS_URL }, prefix: config.WALBRIDGE_QUEUE_PREFIX });
    this.events.on('error', (error) => this.logger.warn(`notification queue events: ${error.message}`));
  }

  async testChannel(channelId: string): Promise<ChannelTestResult | null> {
    const waitMs = this.config.WALBRIDGE_NOTIFY_TIMEOUT_MS + 5000;
    await this.events.waitUntilReady();
    const job = await this.queue.add(NotificationJob.TestChannel, { channelId }, { attempts: 1, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED });
    try {
      return (await job.waitUntilFinished(this.events, waitMs)) as ChannelTestResult | null;
    } catch (error) {
      if (/timed out/.test((error as Error).message ?? '')) {
        await job.remove().catch(() => undefined);
        throw new DomainError('unavailable', 'NOTIFY_TIMEOUT', `no answer within ${Math.round(waitMs / 1000)} s: is a scheduler running?`);
      }
      this.logger.warn(`channel test failed: ${(error as Error).message}`);
      throw new DomainError('unavailable', 'NOTIFY_FAILED', 'the scheduler could not run the test; see its log');
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.events.close();
  }
}
