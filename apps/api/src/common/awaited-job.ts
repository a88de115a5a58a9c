import { Logger } from '@nestjs/common';
import { QueueEvents, type JobsOptions, type Queue } from 'bullmq';
import { redisConnection, type AppConfig } from '@walbridge/config';
import { DomainError } from '@walbridge/domain';
import type { ErrorCode } from '@walbridge/contracts';
import { withProtocol } from '@walbridge/queue';

/** Finished jobs stay five minutes in Redis: long enough to look at, short enough not to pile up. */
export const KEEP_FINISHED = { age: 300 };

/** The codes and texts of the 503 a caller gets when no scheduler answers or the job failed. */
export interface AwaitedJobErrors {
  timeoutCode: ErrorCode;
  failedCode: ErrorCode;
  /** What the scheduler could not run, for the failure text ("the check", "the test"). */
  what: string;
  /** The owner's log: its context, the queue in its events warning, the job in its failure warning. */
  log: { context: string; queue: string; job: (name: string) => string };
}

/**
 * A job on a queue whose result a user waits for (connection tests, the object picker, the
 * message browser, a channel's test send): the API may not do the work itself, so it adds one
 * attempt and awaits a scheduler's answer through BullMQ's queue events, or answers 503.
 */
export class AwaitedJobs {
  private readonly logger: Logger;
  private readonly events: QueueEvents;

  constructor(
    private readonly queue: Queue,
    config: AppConfig,
    private readonly errors: AwaitedJobErrors,
  ) {
    this.logger = new Logger(errors.log.context);
    this.events = new QueueEvents(queue.name, { connection: redisConnection(config), prefix: config.WALBRIDGE_QUEUE_PREFIX });
    this.events.on('error', (error) => this.logger.warn(`${errors.log.queue} queue events: ${error.message}`));
  }

  async run<R>(name: string, payload: object, waitMs: number, options: JobsOptions = {}): Promise<R> {
    await this.events.waitUntilReady();
    const job = await this.queue.add(name, withProtocol(payload), { attempts: 1, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED, ...options });
    try {
      return (await job.waitUntilFinished(this.events, waitMs)) as R;
    } catch (error) {
      const message = (error as Error).message ?? '';
      if (/timed out/.test(message)) {
        // Nobody will read the answer: drop the job if it has not started (an active job is locked).
        await job.remove().catch(() => undefined);
        throw new DomainError('unavailable', this.errors.timeoutCode, `no answer within ${Math.round(waitMs / 1000)} s: is a scheduler running?`);
      }
      this.logger.warn(`${this.errors.log.job(name)} failed: ${message}`);
      throw new DomainError('unavailable', this.errors.failedCode, `the scheduler could not run ${this.errors.what}; see its log`);
    }
  }

  close(): Promise<void> {
    return this.events.close();
  }
}
