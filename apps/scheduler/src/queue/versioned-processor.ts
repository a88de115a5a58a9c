import { WorkerHost } from '@nestjs/bullmq';
import type { Logger } from '@nestjs/common';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { judgeProtocol, PROTOCOL_VERSION } from '@walbridge/queue';

/** A job this scheduler is too old to read waits this long before a scheduler looks at it again. */
export const REFUSED_JOB_DELAY_MS = 10_000;

/**
 * A queue consumer that reads only jobs of a protocol version it understands (libs/queue
 * protocol.ts). A job of a newer release is put back, delayed, for a scheduler of that release
 * (a rolling upgrade runs both); one nobody can read fails. Either way a clear log line and no
 * crash.
 */
export abstract class VersionedProcessor<J extends Job = Job> extends WorkerHost {
  protected abstract readonly logger: Logger;

  async process(job: J, token?: string): Promise<unknown> {
    const verdict = judgeProtocol(job.data, `${job.queueName} job ${job.name} (id ${job.id})`, 'this scheduler');
    if (verdict.accepted) return this.handle(job);
    if (typeof verdict.version === 'number' && verdict.version > PROTOCOL_VERSION) {
      this.logger.warn(`${verdict.reason}; the job is put back for a scheduler of that release (looked at again in ${REFUSED_JOB_DELAY_MS / 1000} s)`);
      await job.moveToDelayed(Date.now() + REFUSED_JOB_DELAY_MS, token);
      throw new DelayedError();
    }
    this.logger.warn(`${verdict.reason}; the job fails`);
    throw new UnrecoverableError(verdict.reason);
  }

  protected abstract handle(job: J): Promise<unknown>;
}
