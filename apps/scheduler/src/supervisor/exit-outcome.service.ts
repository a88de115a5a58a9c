import { Injectable, Logger } from '@nestjs/common';
import { FORCE_STOPPED_ERROR } from '@walbridge/contracts';
import { RESETTABLE_STATUSES, dropSlotOutcome, pauseLog, resetOutcome, slotCleanupSql, stopOutcome } from '@walbridge/domain';
import { HEALTHY, TaskLogRepository, TaskRepository } from '@walbridge/persistence';
import { BackfillCoordinator } from '../snapshot/backfill-coordinator.service';
import type { FollowUp } from './follow-up';
import type { ManagedWorker } from './supervised-workers';
import { TaskOwnership } from './task-ownership.service';

/**
 * The ends of a stop, a pause, a reset and a drop-slot: the transition and log line that
 * `libs/domain` supervision decides, written here, then the lease is let go.
 */
@Injectable()
export class ExitOutcomes {
  private readonly logger = new Logger(ExitOutcomes.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly backfills: BackfillCoordinator,
    private readonly ownership: TaskOwnership,
  ) {}

  async finishStop(taskId: string, cleanly: boolean, force: boolean): Promise<void> {
    const task = await this.tasks.findById(taskId);
    const slot = task?.slotName ?? '';
    const outcome = stopOutcome({
      taskId,
      slot,
      cleanupSql: slotCleanupSql(slot, task?.publicationName ?? slot),
      force,
      cleanly,
      now: new Date(),
      forceStoppedError: FORCE_STOPPED_ERROR,
    });
    // Logged before the status says so: whoever sees COMPLETED finds the reason.
    await this.logs.append(taskId, outcome.level, outcome.text);
    await this.tasks.transition(taskId, ['STOPPING'], outcome.to, { ...outcome.patch, ...(outcome.healthy ? HEALTHY : {}) });
    await this.backfills.taskStopped(taskId).catch((e: Error) => this.logger.warn(`backfills of stopped task ${taskId}: ${e.message}`));
    await this.ownership.release(taskId);
  }

  async finishPause(taskId: string, cleanly: boolean): Promise<FollowUp> {
    const task = await this.tasks.findById(taskId);
    // Stopped while pausing: the slot is still there, so this is a stop without a worker now.
    if (task?.status === 'STOPPING') return { action: 'stop', force: task.requestedOperation === 'forceStop' };
    const moved = await this.tasks.transition(taskId, ['PAUSING'], 'PAUSED', { delaySeconds: null });
    if (moved) {
      const log = pauseLog(task?.confirmedLsn, task?.slotName, cleanly);
      await this.logs.append(taskId, log.level, log.text);
    }
    await this.ownership.release(taskId);
    return null;
  }

  async finishReset(taskId: string, worker: ManagedWorker): Promise<void> {
    const task = await this.tasks.findById(taskId);
    if (task && task.requestedOperation === 'reset' && RESETTABLE_STATUSES.includes(task.status)) {
      const outcome = resetOutcome({ status: task.status, confirmedLsn: task.confirmedLsn, cleanly: worker.stoppedCleanly, failure: worker.failure?.message ?? null });
      const moved = await this.tasks.transition(taskId, [task.status], outcome.to, { ...outcome.patch, ...(outcome.healthy ? HEALTHY : {}) });
      if (worker.stoppedCleanly) {
        if (moved) {
          await this.backfills.taskReset(task).catch((e: Error) => this.logger.warn(`backfills of reset task ${taskId}: ${e.message}`));
          await this.logs.append(taskId, outcome.level, outcome.text);
        }
      } else await this.logs.append(taskId, outcome.level, outcome.text);
    }
    await this.ownership.release(taskId);
  }

  async finishDropSlot(taskId: string, worker: ManagedWorker): Promise<void> {
    const task = await this.tasks.findById(taskId);
    if (task && task.requestedOperation === 'dropSlot') {
      const outcome = dropSlotOutcome({
        status: task.status,
        slot: task.slotName,
        publication: task.publicationName,
        cleanly: worker.stoppedCleanly,
        failure: worker.failure?.message ?? null,
        now: new Date(),
      });
      await this.tasks.transition(taskId, [task.status], outcome.to, outcome.patch);
      await this.logs.append(taskId, outcome.level, outcome.text);
    }
    await this.ownership.release(taskId);
  }
}
