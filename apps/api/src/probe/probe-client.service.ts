import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { AppConfig } from '@walbridge/config';
import { APP_CONFIG } from '@walbridge/nest-common';
import { QueueName, withProtocol, type ProbeJob, type ProbePayloads } from '@walbridge/queue';
import { AwaitedJobs, KEEP_FINISHED } from '../common/awaited-job';

/** What the user waits for at most: PRODUCT.md asks connection tests to answer within 10 s. */
export const PROBE_WAIT_MS = 9_500;

/**
 * The API may not reach sources or Kafka itself: it puts a job on the probe queue and, for the
 * requests a user waits on, awaits the scheduler's answer.
 */
@Injectable()
export class ProbeClient implements OnModuleDestroy {
  private readonly awaited: AwaitedJobs;

  constructor(
    @InjectQueue(QueueName.Probe) private readonly queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.awaited = new AwaitedJobs(queue, config, {
      timeoutCode: 'PROBE_TIMEOUT',
      failedCode: 'PROBE_FAILED',
      what: 'the check',
      log: { context: ProbeClient.name, queue: 'probe', job: (name) => `probe ${name}` },
    });
  }

  /** Runs a probe and returns its result, or fails with 503 when no scheduler answers in time. */
  request<R, J extends ProbeJob>(name: J, payload: ProbePayloads[J], waitMs = PROBE_WAIT_MS): Promise<R> {
    return this.awaited.run<R>(name, payload, waitMs);
  }

  /** Queues a probe whose result is written to the metadata database (a precheck run). */
  async enqueue<J extends ProbeJob>(name: J, payload: ProbePayloads[J], jobId?: string): Promise<void> {
    await this.queue.add(name, withProtocol(payload), { jobId, attempts: 2, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED });
  }

  async onModuleDestroy(): Promise<void> {
    await this.awaited.close();
  }
}
