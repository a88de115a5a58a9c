import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { QueueEvents, type Queue } from 'bullmq';
import type { AppConfig } from '@walbridge/config';
import { DomainError } from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { QueueName, type ProbeJob, type ProbePayloads } from '@walbridge/queue';

/** What the user waits for at most: PRODUCT.md asks connection tests to answer within 10 s. */
export const PROBE_WAIT_MS = 9_500;
const KEEP_FINISHED = { age: 300 };

/**
 * The API may not reach sources or Kafka itself: it puts a job on the probe queue and, for the
 * requests a user waits on, awaits the scheduler's answer through BullMQ's queue events.
 */
@Injectable()
export class ProbeClient implements OnModuleDestroy {
  private readonly logger = new Logger(ProbeClient.name);
  private readonly events: QueueEvents;

  constructor(
    @InjectQueue(QueueName.Probe) private readonly queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.events = new QueueEvents(QueueName.Probe, { connection: { url: config.WALBRIDGE_REDIS_URL }, prefix: config.WALBRIDGE_QUEUE_PREFIX });
    this.events.on('error', (error) => this.logger.warn(`probe queue events: ${error.message}`));
  }

  /** Runs a probe and returns its result, or fails with 503 when no scheduler answers in time. */
  async request<R, J extends ProbeJob>(name: J, payload: ProbePayloads[J], waitMs = PROBE_WAIT_MS): Promise<R> {
    await this.events.waitUntilReady();
    const job = await this.queue.add(name, payload, { attempts: 1, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED });
    try {
      return (await job.waitUntilFinished(this.events, waitMs)) as R;
    } catch (error) {
      const message = (error as Error).message ?? '';
      if (/timed out/.test(message)) {
        // Nobody will read the answer: drop the job if it has not started (an active job is locked).
        await job.remove().catch(() => undefined);
        throw new DomainError('unavailable', 'PROBE_TIMEOUT', `no answer within ${Math.round(waitMs / 1000)} s: is a scheduler running?`);
      }
      this.logger.warn(`probe ${name} failed: ${message}`);
      throw new DomainError('unavailable', 'PROBE_FAILED', 'the scheduler could not run the check; see its log');
    }
  }

  /** Queues a probe whose result is written to the metadata database (a precheck run). */
  async enqueue<J extends ProbeJob>(name: J, payload: ProbePayloads[J], jobId?: string): Promise<void> {
    await this.queue.add(name, payload, { jobId, attempts: 2, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED });
  }

  async onModuleDestroy(): Promise<void> {
    await this.events.close();
  }
}
