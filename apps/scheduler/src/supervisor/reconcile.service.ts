import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { taskWants } from '@walbridge/domain';
import { TaskRepository, type TaskEntity } from '@walbridge/persistence';
import { BackfillCoordinator } from '../snapshot/backfill-coordinator.service';
import { SupervisedWorkers } from './supervised-workers';
import { TaskOwnership } from './task-ownership.service';
import { WorkerSupervisor } from './worker-supervisor.service';

const RECONCILE_EVERY_MS = 2000;

/**
 * Catches up with status changes made elsewhere (API, other schedulers, a lost job) every 2 s,
 * and renews the leases of the tasks this scheduler owns (every third of their TTL).
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Reconciler.name);
  private reconcileTimer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  private reconciling = false;

  constructor(
    private readonly tasks: TaskRepository,
    private readonly backfills: BackfillCoordinator,
    private readonly workers: SupervisedWorkers,
    private readonly ownership: TaskOwnership,
    private readonly supervisor: WorkerSupervisor,
  ) {}

  onApplicationBootstrap(): void {
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.renewTimer = setInterval(() => void this.ownership.renewAll(), this.ownership.renewCheckMs);
    void this.reconcile();
  }

  /** One pass over the tasks the schedulers act on: each gets what it wants now. */
  async reconcile(): Promise<void> {
    if (this.workers.shuttingDown || this.reconciling) return;
    this.reconciling = true;
    try {
      const tasks = await this.tasks.findForReconcile();
      for (const task of tasks) {
        if (this.workers.shuttingDown) break;
        const wants = taskWants(task);
        switch (wants.action) {
          case 'stop':
            await this.supervisor.stop(task.id, wants.force);
            break;
          case 'pause':
            await this.supervisor.pause(task.id);
            break;
          case 'reset':
            await this.supervisor.reset(task.id);
            break;
          case 'dropSlot':
            await this.supervisor.dropSlot(task.id);
            break;
          case 'applyObjects':
            await this.supervisor.applyObjects(task.id);
            break;
          case 'startScheduled':
            await this.startIfDue(task);
            break;
          case 'stream':
            await this.supervisor.ensureRunning(task.id);
            break;
          case 'nothing':
            break;
        }
        await this.syncBackfills(task).catch((e: Error) => this.logger.warn(`backfills of task ${task.id}: ${e.message}`));
      }
    } catch (error) {
      this.logger.warn(`reconcile failed: ${(error as Error).message}`);
    } finally {
      this.reconciling = false;
    }
  }

  /** Backfills requested or cancelled through the API reach the task's streaming worker here. */
  private async syncBackfills(task: TaskEntity): Promise<void> {
    const worker = this.workers.get(task.id);
    // While tables are being edited, the running worker does not capture the added ones yet.
    if (!worker?.streaming || !worker.backfillIds || worker.intent !== 'stream' || task.requestedOperation !== null) return;
    const { added, cancelled } = await this.backfills.changesFor(task.id, worker.backfillIds);
    // `task` was read at the start of the pass: an edit of its tables may have landed since, and
    // the backfill of the added tables is written after the edit. Read again after the backfills,
    // so a backfill seen here is never handed to the worker the edit is replacing.
    if (added.length) {
      const fresh = await this.tasks.findById(task.id);
      if (!fresh || fresh.requestedOperation !== null || this.workers.get(task.id) !== worker) return;
    }
    for (const backfill of added) {
      worker.backfillIds.add(backfill.id);
      worker.process.send({ type: 'backfill', backfill });
    }
    for (const backfillId of cancelled) {
      worker.backfillIds.delete(backfillId);
      worker.process.send({ type: 'cancelBackfill', backfillId });
    }
  }

  /** A scheduled start whose delayed job was lost (or is late) still happens on time. */
  private async startIfDue(task: TaskEntity): Promise<void> {
    if (!task.scheduledStartAt || task.scheduledStartAt.getTime() > Date.now()) return;
    await this.supervisor.startScheduled(task.id);
  }

  onApplicationShutdown(): void {
    clearInterval(this.reconcileTimer);
    clearInterval(this.renewTimer);
  }
}
