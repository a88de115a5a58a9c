import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { RESETTABLE_STATUSES, SLOT_DROPPABLE_STATUSES, exitStep, isRunnable, taskLogText, taskWants, workerRequest } from '@walbridge/domain';
import { TaskLogRepository, TaskRepository, type TaskEntity } from '@walbridge/persistence';
import { FleetRegistry } from '../fleet/fleet-registry.service';
import { TaskMonitor } from '../monitoring/task-monitor.service';
import { ExitOutcomes } from './exit-outcome.service';
import { FailureHandling } from './failure-handling.service';
import type { FollowUp } from './follow-up';
import { ObjectEdits } from './object-edit.service';
import { RestartSchedule } from './restart-schedule';
import { SupervisedWorkers, type ManagedWorker } from './supervised-workers';
import { TaskOwnership } from './task-ownership.service';
import { TaskSerializer } from './task-serializer';
import { WorkerLauncher } from './worker-launcher.service';
import { WorkerReports } from './worker-reports.service';

/**
 * Owns worker processes: one per running task, on the scheduler that holds the task's lease.
 * Everything here reacts to the task's status in the metadata database, so a control job, a
 * restart of this process or the death of another scheduler all converge the same way.
 * Operations on one task are serialized (`TaskSerializer`). The decisions are libs/domain
 * supervision's (`taskWants`, `workerRequest`, `exitStep`); the effects are the services around.
 */
@Injectable()
export class WorkerSupervisor implements OnApplicationShutdown {
  private readonly logger = new Logger(WorkerSupervisor.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly monitor: TaskMonitor,
    private readonly fleet: FleetRegistry,
    private readonly workers: SupervisedWorkers,
    private readonly ownership: TaskOwnership,
    private readonly restarts: RestartSchedule,
    private readonly serial: TaskSerializer,
    private readonly launcher: WorkerLauncher,
    private readonly reports: WorkerReports,
    private readonly outcomes: ExitOutcomes,
    private readonly failures: FailureHandling,
    private readonly objectEdits: ObjectEdits,
  ) {
    launcher.handleWith({
      message: (worker, message) => this.reports.handle(worker, message),
      exit: (worker, code, signal) => this.serial.run(worker.taskId, () => this.afterExit(worker, code, signal)),
    });
  }

  get shuttingDown(): boolean {
    return this.workers.shuttingDown;
  }

  // ---------------------------------------------------------------------------------------------
  // operations (each one serialized per task)
  // ---------------------------------------------------------------------------------------------

  /**
   * Start (or adopt) the task's worker here if no other scheduler owns it. `immediate` (a start
   * or resume request) skips a pending restart backoff.
   */
  ensureRunning(taskId: string, options: { immediate?: boolean } = {}): Promise<void> {
    return this.serial.run(taskId, () => this.doEnsureRunning(taskId, options.immediate ?? false));
  }

  /** Stop the task: drain and drop the slot, or with force kill the worker and leave the slot. */
  stop(taskId: string, force: boolean): Promise<void> {
    return this.serial.run(taskId, () => this.doStop(taskId, force));
  }

  /** Pause: the worker drains, confirms and exits; the slot stays. */
  pause(taskId: string): Promise<void> {
    return this.serial.run(taskId, () => this.doPause(taskId));
  }

  /** Reset: any streaming worker is killed, then the slot is dropped and created again. */
  reset(taskId: string): Promise<void> {
    return this.serial.run(taskId, () => this.doReset(taskId));
  }

  /** Drop the slot and publication a force-stopped task left on the source. */
  dropSlot(taskId: string): Promise<void> {
    return this.serial.run(taskId, () => this.doDropSlot(taskId));
  }

  /** The tables of a running or paused task were edited (`ObjectEdits`). */
  applyObjects(taskId: string): Promise<void> {
    return this.objectEdits.apply(taskId);
  }

  /** A read-only slot check of a task no worker streams (no lease needed). */
  inspectSlot(task: TaskEntity): Promise<void> {
    return this.launcher.inspectSlot(task);
  }

  /** PENDING_START → STARTING once, whoever gets there first (the delayed job or a reconcile loop). */
  async startScheduled(taskId: string): Promise<void> {
    const moved = await this.tasks.transition(taskId, ['PENDING_START'], 'STARTING', { scheduledStartAt: null });
    if (moved) await this.logs.append(taskId, 'info', taskLogText.scheduledStart());
    await this.ensureRunning(taskId, { immediate: true });
  }


  // ---------------------------------------------------------------------------------------------
  // what the operations do, inside the task's critical section
  // ---------------------------------------------------------------------------------------------

  private async doEnsureRunning(taskId: string, immediate: boolean): Promise<void> {
    if (this.shuttingDown || this.workers.has(taskId)) return;
    if (this.restarts.pending(taskId)) {
      if (!immediate) return;
      this.restarts.cancel(taskId);
    }
    if (!(await this.ownership.own(taskId, 'stream'))) return;
    const task = await this.tasks.findById(taskId);
    if (!task || !isRunnable(task)) return this.ownership.release(taskId);
    this.launcher.spawn(task, 'stream', 'stream');
  }

  private async doStop(taskId: string, force: boolean): Promise<void> {
    const worker = this.workers.get(taskId);
    // A worker already ending (pausing, keeping the slot; or a one-shot teardown, reset or
    // drop-slot) is left to end: once it has exited, the task is found STOPPING and stopped then.
    if (worker) return this.workers.redirect(worker, workerRequest(force ? 'forceStop' : 'stop', worker));
    if (!(await this.ownership.own(taskId))) return; // the owner's reconcile loop stops it
    this.restarts.cancel(taskId);
    const task = await this.tasks.findById(taskId);
    if (!task || task.status !== 'STOPPING') return this.ownership.release(taskId);
    if (force) return this.outcomes.finishStop(task.id, false, true);
    // No worker alive: start one only to drop the slot and publication.
    this.launcher.spawn(task, 'teardown', 'teardown');
  }

  private async doPause(taskId: string): Promise<void> {
    const worker = this.workers.get(taskId);
    if (worker) return this.workers.redirect(worker, workerRequest('pause', worker));
    if (!(await this.ownership.own(taskId))) return;
    this.restarts.cancel(taskId);
    const task = await this.tasks.findById(taskId);
    if (!task || task.status !== 'PAUSING') return this.ownership.release(taskId);
    await this.follow(taskId, await this.outcomes.finishPause(taskId, true));
  }

  private async doReset(taskId: string): Promise<void> {
    const worker = this.workers.get(taskId);
    if (worker) return this.workers.redirect(worker, workerRequest('reset', worker));
    if (!(await this.ownership.own(taskId))) return;
    this.restarts.cancel(taskId);
    const task = await this.tasks.findById(taskId);
    if (!task || task.requestedOperation !== 'reset' || !RESETTABLE_STATUSES.includes(task.status)) return this.ownership.release(taskId);
    this.launcher.spawn(task, 'reset', 'reset');
  }

  private async doDropSlot(taskId: string): Promise<void> {
    if (this.workers.has(taskId)) return;
    if (!(await this.ownership.own(taskId))) return;
    const task = await this.tasks.findById(taskId);
    if (!task || task.requestedOperation !== 'dropSlot' || !SLOT_DROPPABLE_STATUSES.includes(task.status)) return this.ownership.release(taskId);
    this.launcher.spawn(task, 'teardown', 'dropSlot');
  }

  /** After a backoff or a worker that made way: whatever the task wants now. */
  private async doRestart(taskId: string): Promise<void> {
    if (this.shuttingDown || !this.ownership.has(taskId) || this.workers.has(taskId)) return;
    const task = await this.tasks.findById(taskId);
    const wants = taskWants(task);
    switch (wants.action) {
      case 'stream':
        if (this.fleet.draining) return this.ownership.releaseToFleet(taskId);
        this.launcher.spawn(task!, 'stream', 'stream');
        return;
      case 'stop':
        return this.doStop(taskId, wants.force);
      case 'pause':
        return this.doPause(taskId);
      case 'reset':
        return this.doReset(taskId);
      case 'applyObjects':
        return this.objectEdits.applyNow(taskId);
      default:
        return this.ownership.release(taskId);
    }
  }

  private async follow(taskId: string, next: FollowUp): Promise<void> {
    if (!next) return;
    switch (next.action) {
      case 'stop':
        return this.doStop(taskId, next.force);
      case 'reset':
        return this.doReset(taskId);
      case 'restart':
        return this.doRestart(taskId);
      case 'restartIn':
        this.restarts.schedule(taskId, next.delayMs, () => void this.serial.run(taskId, () => this.doRestart(taskId)).catch((e) => this.logger.error(e)));
        return;
    }
  }

  private async afterExit(worker: ManagedWorker, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const { taskId } = worker;
    if (worker.killTimer) clearTimeout(worker.killTimer);
    await worker.writes;
    this.workers.remove(worker);
    if (worker.mode === 'stream') await this.monitor.workerEnded(taskId);
    // The lease was lost and the worker killed for it: the task is another scheduler's now.
    if (!this.ownership.has(taskId)) return;
    const step = exitStep(worker.intent, this.shuttingDown);
    switch (step.step) {
      case 'finishStop':
        return this.outcomes.finishStop(taskId, step.force ? false : worker.stoppedCleanly, step.force);
      case 'finishPause':
        return this.follow(taskId, await this.outcomes.finishPause(taskId, worker.stoppedCleanly));
      case 'finishDropSlot':
        return this.outcomes.finishDropSlot(taskId, worker);
      case 'finishReset':
        return this.outcomes.finishReset(taskId, worker);
      case 'reset':
        return this.doReset(taskId);
      case 'handover': {
        // Drained: everything it sent is confirmed, so the adopter resends nothing beyond that.
        const task = await this.tasks.findById(taskId);
        if (task && isRunnable(task)) return this.ownership.releaseToFleet(taskId);
        return this.doRestart(taskId); // stopped, paused or reset meanwhile: that goes on here
      }
      case 'afterObjects':
        return this.follow(taskId, await this.objectEdits.afterWorker(worker));
      case 'failure':
        return this.follow(taskId, await this.failures.handle(worker, signal ? `signal ${signal}` : `exit code ${code}`));
      case 'none':
        return;
    }
  }

  /** SIGTERM: workers drain and confirm, slots stay, and tasks resume after the restart. */
  async onApplicationShutdown(): Promise<void> {
    this.workers.shuttingDown = true;
    this.restarts.cancelAll();
    const exits = this.workers.all().map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.process.exited) return resolve();
          worker.process.onExit(() => resolve());
          // A worker already stopping or pausing drains on its own; a one-shot worker finishes.
          this.workers.redirect(worker, workerRequest('shutdown', worker));
          setTimeout(() => {
            worker.process.kill();
            resolve();
          }, 20_000).unref();
        }),
    );
    await Promise.all(exits);
    await this.ownership.releaseAllLeases();
  }
}
