import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { AppConfig } from '@walbridge/config';
import type { TaskConfig } from '@walbridge/contracts';
import { APP_CONFIG } from '@walbridge/nest-common';
import { TaskLogRepository, TaskRepository } from '@walbridge/persistence';
import { HousekeepingJob, QueueName } from '@walbridge/queue';
import { WorkerSupervisor } from '../supervisor/worker-supervisor.service';

const SWEEP_SCHEDULER_ID = 'housekeeping-sweep';
/** Slots measured per sweep, least recently measured first: a bounded cost per sweep. */
const SLOTS_PER_SWEEP = 10;

/**
 * Timed work that must happen once cluster-wide, not once per scheduler: a BullMQ job scheduler
 * hands each sweep to exactly one of them.
 */
@Processor(QueueName.Housekeeping)
export class HousekeepingProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(HousekeepingProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Housekeeping) private readonly queue: Queue,
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly supervisor: WorkerSupervisor,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // Idempotent: every scheduler upserts the same schedule.
    await this.queue.upsertJobScheduler(
      SWEEP_SCHEDULER_ID,
      { every: this.config.WALBRIDGE_HOUSEKEEPING_MS },
      { name: HousekeepingJob.Sweep, data: {}, opts: { removeOnComplete: 50, removeOnFail: 50 } },
    );
  }

  async process(): Promise<void> {
    await this.stopAbnormalTasks();
    await this.measureIdleSlots();
  }

  /** "Stop abnormal task after N days" (alarms.abnormalStopDays), counted from the first failure. */
  private async stopAbnormalTasks(): Promise<void> {
    for (const task of await this.tasks.findAbnormalDueForStop(new Date())) {
      const days = (task.config as unknown as TaskConfig).alarms?.abnormalStopDays ?? 14;
      const moved = await this.tasks.transition(task.id, [task.status], 'STOPPING', { requestedOperation: 'stop' });
      if (!moved) continue;
      await this.logs.append(
        task.id,
        'warning',
        `task abnormal (${task.status}) since ${task.failingSince?.toISOString() ?? 'unknown'}: stopped automatically after ${days} days (alarms.abnormalStopDays)`,
      );
      await this.supervisor.stop(task.id, false);
    }
  }

  private async measureIdleSlots(): Promise<void> {
    const checkedBefore = new Date(Date.now() - this.config.WALBRIDGE_SLOT_CHECK_MS);
    for (const task of await this.tasks.findSlotsToInspect(SLOTS_PER_SWEEP, checkedBefore)) {
      await this.supervisor.inspectSlot(task).catch((error: Error) => this.logger.warn(`slot check of task ${task.id}: ${error.message}`));
    }
  }
}
