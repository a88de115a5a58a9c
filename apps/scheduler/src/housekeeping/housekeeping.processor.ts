import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { AppConfig } from '@walbridge/config';
import type { TaskConfig } from '@walbridge/contracts';
import { APP_CONFIG } from '@walbridge/nest-common';
import { NotificationRepository, TaskLogRepository, TaskMetricRepository, TaskRepository } from '@walbridge/persistence';
import { HousekeepingJob, QueueName, withProtocol } from '@walbridge/queue';
import { TaskMonitor } from '../monitoring/task-monitor.service';
import { NotificationService } from '../notifications/notification.service';
import { VersionedProcessor } from '../queue/versioned-processor';
import { WorkerSupervisor } from '../supervisor/worker-supervisor.service';

const SWEEP_SCHEDULER_ID = 'housekeeping-sweep';
/** Slots measured per sweep, least recently measured first: a bounded cost per sweep. */
const SLOTS_PER_SWEEP = 10;
/** Old samples and notifications are deleted in slices, so one sweep never holds locks for long. */
const PURGE_BATCH = 5000;
const PURGE_BATCHES_PER_SWEEP = 20;

/**
 * Timed work that must happen once cluster-wide, not once per scheduler: a BullMQ job scheduler
 * hands each sweep to exactly one of them.
 */
@Processor(QueueName.Housekeeping)
export class HousekeepingProcessor extends VersionedProcessor implements OnApplicationBootstrap {
  protected readonly logger = new Logger(HousekeepingProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Housekeeping) private readonly queue: Queue,
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly supervisor: WorkerSupervisor,
    private readonly monitor: TaskMonitor,
    private readonly metrics: TaskMetricRepository,
    private readonly notifications: NotificationRepository,
    private readonly notifier: NotificationService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // Idempotent: every scheduler upserts the same schedule.
    await this.queue.upsertJobScheduler(
      SWEEP_SCHEDULER_ID,
      { every: this.config.WALBRIDGE_HOUSEKEEPING_MS },
      { name: HousekeepingJob.Sweep, data: withProtocol({}), opts: { removeOnComplete: 50, removeOnFail: 50 } },
    );
  }

  protected async handle(): Promise<void> {
    await this.stopAbnormalTasks();
    await this.measureIdleSlots();
    await this.purgeOldMonitoringData();
    await this.requeueLostDeliveries();
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
      await this.monitor.autoStopped(task, days).catch((error: Error) => this.logger.warn(`notifying the auto-stop of task ${task.id}: ${error.message}`));
      await this.supervisor.stop(task.id, false);
    }
  }

  /** Metrics older than WALBRIDGE_METRICS_RETENTION_HOURS, notifications older than WALBRIDGE_NOTIFICATION_RETENTION_DAYS. */
  private async purgeOldMonitoringData(): Promise<void> {
    const samplesBefore = new Date(Date.now() - this.config.WALBRIDGE_METRICS_RETENTION_HOURS * 3600_000);
    const notificationsBefore = new Date(Date.now() - this.config.WALBRIDGE_NOTIFICATION_RETENTION_DAYS * 86_400_000);
    await inSlices((batch) => this.metrics.purgeOlderThan(samplesBefore, batch));
    await inSlices((batch) => this.notifications.purgeOlderThan(notificationsBefore, batch));
  }

  private async requeueLostDeliveries(): Promise<void> {
    for (const id of await this.notifications.staleDeliveryIds(new Date(Date.now() - 60_000), 100)) await this.notifier.enqueue(id);
  }

  private async measureIdleSlots(): Promise<void> {
    const checkedBefore = new Date(Date.now() - this.config.WALBRIDGE_SLOT_CHECK_MS);
    for (const task of await this.tasks.findSlotsToInspect(SLOTS_PER_SWEEP, checkedBefore)) {
      await this.supervisor.inspectSlot(task).catch((error: Error) => this.logger.warn(`slot check of task ${task.id}: ${error.message}`));
    }
  }
}

/** Deletes slice after slice while slices come back full, up to a bound per sweep (the next sweep goes on). */
async function inSlices(purge: (batch: number) => Promise<number>): Promise<void> {
  for (let i = 0; i < PURGE_BATCHES_PER_SWEEP; i++) if ((await purge(PURGE_BATCH)) < PURGE_BATCH) return;
}
