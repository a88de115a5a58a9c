import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@walbridge/config';
import type { TaskConfig } from '@walbridge/contracts';
import { RUNNABLE_STATUSES, failureOutcome, isRunnableStatus, taskLastError, taskWants, type FailureKind, type FailureOutcome } from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { TaskLogRepository, TaskRepository, type TaskEntity } from '@walbridge/persistence';
import { TaskMonitor } from '../monitoring/task-monitor.service';
import { BackfillCoordinator } from '../snapshot/backfill-coordinator.service';
import { ExitOutcomes } from './exit-outcome.service';
import type { FollowUp } from './follow-up';
import { RestartSchedule } from './restart-schedule';
import type { ManagedWorker } from './supervised-workers';
import { TaskOwnership } from './task-ownership.service';

/**
 * A streaming worker died: retry with backoff while the failure's window (counted from the
 * first failure of the episode) lasts, then leave the task abnormal until someone resumes it.
 * The decision is `failureOutcome` of libs/domain; this writes it and notifies.
 */
@Injectable()
export class FailureHandling {
  private readonly logger = new Logger(FailureHandling.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly monitor: TaskMonitor,
    private readonly backfills: BackfillCoordinator,
    private readonly restarts: RestartSchedule,
    private readonly ownership: TaskOwnership,
    private readonly outcomes: ExitOutcomes,
  ) {}

  async handle(worker: ManagedWorker, how: string): Promise<FollowUp> {
    const { taskId } = worker;
    const reason = worker.failure?.message ?? taskLastError.unexpectedExit(how);
    const kind: FailureKind = worker.failure?.kind ?? 'other';
    const task = await this.tasks.findById(taskId);
    const wants = taskWants(task);
    // Asked for something else meanwhile: that is what happens now, not a retry.
    if (wants.action === 'stop' || wants.action === 'reset') return wants;
    if (wants.action === 'pause') return this.outcomes.finishPause(taskId, false);
    if (!task || !isRunnableStatus(task.status)) {
      await this.ownership.release(taskId);
      return null;
    }

    const { retry, alarms } = task.config as unknown as TaskConfig;
    const outcome = failureOutcome({
      task,
      reason,
      kind,
      retryable: worker.failure?.retry ?? true,
      retry,
      abnormalStopDays: alarms.abnormalStopDays,
      attempts: this.restarts.attempts(taskId),
      restartMinMs: this.config.WALBRIDGE_WORKER_RESTART_MIN_MS,
      restartMaxMs: this.config.WALBRIDGE_WORKER_RESTART_MAX_MS,
      timeScale: this.config.WALBRIDGE_TIME_SCALE,
      now: Date.now(),
    });

    if (outcome.retry) {
      this.restarts.setAttempts(taskId, outcome.attempts);
      await this.tasks.transition(taskId, [...RUNNABLE_STATUSES], outcome.to, outcome.patch);
      await this.notify(task, worker, outcome, reason, kind);
      await this.logs.append(taskId, outcome.level, outcome.text);
      return { action: 'restartIn', delayMs: outcome.delayMs };
    }

    await this.tasks.transition(taskId, [...RUNNABLE_STATUSES], outcome.to, outcome.patch);
    await this.backfills.failedDuringFullSync({ ...task, failingSince: outcome.patch.failingSince }, reason);
    await this.notify(task, worker, outcome, reason, kind);
    await this.logs.append(taskId, outcome.level, outcome.text);
    await this.ownership.release(taskId);
    return null;
  }

  /** Notifications never stand in the way of the failure handling itself. */
  private async notify(task: TaskEntity, worker: ManagedWorker, outcome: FailureOutcome, reason: string, kind: FailureKind): Promise<void> {
    await this.monitor
      .failed({
        task,
        status: outcome.to,
        error: reason,
        kind,
        dataException: worker.failure?.dataException ?? false,
        slotLost: worker.failure?.slotLost ?? null,
        since: outcome.since,
        retrying: outcome.decision.retry,
        retryUntil: outcome.decision.retryUntil,
        autoStopAt: outcome.patch.autoStopAt.getTime(),
        firstOfEpisode: task.failingSince === null,
      })
      .catch((e: Error) => this.logger.warn(`notifying the failure of task ${task.id}: ${e.message}`));
  }
}
