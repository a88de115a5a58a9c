import { Injectable, Logger } from '@nestjs/common';
import { applyObjectsFailedOutcome, isRunnableStatus, workerRequest } from '@walbridge/domain';
import { TaskLogRepository, TaskRepository, type TaskEntity } from '@walbridge/persistence';
import { ExitOutcomes } from './exit-outcome.service';
import type { FollowUp } from './follow-up';
import { RestartSchedule } from './restart-schedule';
import { SupervisedWorkers, type ManagedWorker } from './supervised-workers';
import { TaskOwnership } from './task-ownership.service';
import { TaskSerializer } from './task-serializer';
import { WorkerLauncher } from './worker-launcher.service';

/**
 * Edited tables of a running or paused task (PRODUCT.md §4 "edit objects"): a streaming worker
 * drains and a new one alters the publication and streams with the new tables; a paused task's
 * publication is altered by a one-shot worker, so an added table is captured from the edit on.
 */
@Injectable()
export class ObjectEdits {
  private readonly logger = new Logger(ObjectEdits.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly workers: SupervisedWorkers,
    private readonly ownership: TaskOwnership,
    private readonly restarts: RestartSchedule,
    private readonly launcher: WorkerLauncher,
    private readonly serial: TaskSerializer,
    private readonly outcomes: ExitOutcomes,
  ) {}

  apply(taskId: string): Promise<void> {
    return this.serial.run(taskId, () => this.applyNow(taskId));
  }

  /** `apply` inside the task's critical section. */
  async applyNow(taskId: string): Promise<void> {
    const worker = this.workers.get(taskId);
    if (worker) {
      const request = workerRequest('applyObjects', worker);
      // Already streaming the edit being asked for: it is done once that worker streams.
      if (request.kind === 'drain' && worker.applying && !(await this.configChanged(worker.applying))) return;
      // Any other worker is ending already: what follows its exit reads the request from the task.
      this.workers.redirect(worker, request);
      return;
    }
    if (this.workers.shuttingDown || !(await this.ownership.own(taskId, 'stream'))) return;
    const task = await this.tasks.findById(taskId);
    if (!task || task.requestedOperation !== 'applyObjects') return this.ownership.release(taskId);
    if (task.status === 'PAUSED') {
      this.launcher.spawn(task, 'publish', 'publish');
      return;
    }
    if (isRunnableStatus(task.status) && task.retryExhaustedAt === null) {
      // A failing task waiting for its restart keeps its backoff: the restart applies the tables.
      if (this.restarts.pending(taskId)) return;
      this.launcher.spawn(task, 'stream', 'stream').applying = task;
      return;
    }
    // Pausing: once PAUSED, a reconcile pass alters the publication with a one-shot worker.
    if (task.status === 'PAUSING') return;
    // Not streaming (failed for good, stopping...): the next streaming start applies the tables.
    if (!(await this.clear(task))) return this.applyNow(taskId);
    await this.ownership.release(taskId);
  }

  /** A stream started for edited tables streams: its publication is altered, the edit applied. */
  async streamed(worker: ManagedWorker): Promise<void> {
    if (!worker.applying) return;
    const applied = worker.applying;
    worker.applying = undefined;
    // Edited again while this worker started: the newer edit gets its own restart.
    const fresh = await this.tasks.findById(worker.taskId);
    if (fresh?.requestedOperation === 'applyObjects' && !(await this.clear({ ...applied, status: fresh.status }))) {
      void this.apply(worker.taskId).catch((e) => this.logger.error(e));
    }
  }

  /** After a worker that made way for an edit (or altered a paused task's publication): whatever the task asks for now. */
  async afterWorker(worker: ManagedWorker): Promise<FollowUp> {
    const { taskId } = worker;
    const task = await this.tasks.findById(taskId);
    if (!task) {
      await this.ownership.release(taskId);
      return null;
    }
    if (worker.intent === 'publish' && task.requestedOperation === 'applyObjects') {
      if (worker.stoppedCleanly) {
        if (!(await this.clear(task))) {
          await this.applyNow(taskId); // edited again meanwhile
          return null;
        }
      } else {
        const outcome = applyObjectsFailedOutcome(task.status, worker.failure?.message ?? null);
        await this.tasks.transition(taskId, [task.status], outcome.to, outcome.patch);
        await this.logs.append(taskId, outcome.level, outcome.text);
      }
      return { action: 'restart' };
    }
    if (task.status === 'PAUSING') return this.outcomes.finishPause(taskId, worker.stoppedCleanly);
    return { action: 'restart' };
  }

  private async configChanged(read: TaskEntity): Promise<boolean> {
    const now = await this.tasks.findById(read.id);
    return !now || JSON.stringify(now.config) !== JSON.stringify(read.config);
  }

  /**
   * Clears the request if the configuration is still the one read (a newer edit keeps its own
   * request); returns the task as cleared, or null when it changed meanwhile.
   */
  private async clear(task: TaskEntity): Promise<TaskEntity | null> {
    const cleared = await this.tasks.transition(task.id, [task.status], task.status, { requestedOperation: null }, task);
    return cleared ? { ...task, requestedOperation: null } : null;
  }
}
