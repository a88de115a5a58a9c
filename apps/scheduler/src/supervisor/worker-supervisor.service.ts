import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { fork, type ChildProcess } from 'node:child_process';
import type { AppConfig } from '@walbridge/config';
import type { TaskConfig, TaskStatus } from '@walbridge/contracts';
import { APP_CONFIG } from '@walbridge/nest-common';
import { SecretBox, TaskLogRepository, TaskRepository, type TaskEntity } from '@walbridge/persistence';
import type { SchedulerToWorker, WorkerTaskConfig, WorkerToScheduler } from '@walbridge/queue';
import { TaskLeaseService } from '../lease/task-lease.service';
import { restartDelayMs } from './backoff';

/** Statuses in which a task should have a streaming worker somewhere. */
const RUNNABLE: TaskStatus[] = ['STARTING', 'INCREMENTAL', 'INCREMENTAL_FAILED'];
const RECONCILE_EVERY_MS = 2000;
const GRACEFUL_STOP_TIMEOUT_MS = 60_000;
const WORKER_MAX_OLD_SPACE_MB = 128;

interface ManagedWorker {
  taskId: string;
  child: ChildProcess;
  mode: 'stream' | 'teardown';
  streaming: boolean;
  stop: { force: boolean } | null;
  stoppedCleanly: boolean;
  lastError: string | null;
  killTimer?: NodeJS.Timeout;
}

/**
 * Owns worker processes: one per running task, on the scheduler that holds the task's lease.
 * Everything here reacts to the task's status in the metadata database, so a control job, a
 * restart of this process or the death of another scheduler all converge the same way.
 */
@Injectable()
export class WorkerSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerSupervisor.name);
  private readonly workers = new Map<string, ManagedWorker>();
  /** Tasks whose lease we hold, with or without a live process (e.g. waiting to restart). */
  private readonly owned = new Set<string>();
  private readonly restartAttempts = new Map<string, number>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private readonly ensuring = new Set<string>();
  private reconcileTimer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  private shuttingDown = false;
  private readonly workerEntry: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly secretBox: SecretBox,
    private readonly lease: TaskLeaseService,
  ) {
    this.workerEntry = require.resolve('@walbridge/worker');
  }

  onApplicationBootstrap(): void {
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.renewTimer = setInterval(() => void this.renewLeases(), this.lease.renewEveryMs);
    void this.reconcile();
  }

  /** Start (or adopt) the task's worker here if no other scheduler owns it. */
  async ensureRunning(taskId: string): Promise<void> {
    // The start job and the reconcile loop may ask at the same moment: one spawn only.
    if (this.shuttingDown || this.workers.has(taskId) || this.restartTimers.has(taskId) || this.ensuring.has(taskId)) return;
    this.ensuring.add(taskId);
    try {
      if (!(await this.lease.acquire(taskId))) return;
      this.owned.add(taskId);
      const task = await this.tasks.findById(taskId);
      if (!task || !RUNNABLE.includes(task.status)) {
        await this.releaseOwnership(taskId);
        return;
      }
      if (!this.workers.has(taskId)) this.spawn(task, 'stream');
    } finally {
      this.ensuring.delete(taskId);
    }
  }

  /** Stop the task: drain and drop the slot, or with force kill the worker and leave the slot. */
  async stop(taskId: string, force: boolean): Promise<void> {
    const worker = this.workers.get(taskId);
    if (worker) {
      if (worker.stop && !(force && !worker.stop.force)) return;
      worker.stop = { force };
      if (force) {
        worker.child.kill('SIGKILL');
      } else {
        this.send(worker, { type: 'stop', dropSlot: true });
        worker.killTimer = setTimeout(() => worker.child.kill('SIGKILL'), GRACEFUL_STOP_TIMEOUT_MS);
      }
      return;
    }
    const owner = await this.lease.owner(taskId);
    if (owner && owner !== this.lease.schedulerId) return; // the owner's reconcile loop stops it
    if (!(await this.lease.acquire(taskId))) return;
    this.owned.add(taskId);
    this.cancelRestart(taskId);
    const task = await this.tasks.findById(taskId);
    if (!task || task.status !== 'STOPPING') {
      await this.releaseOwnership(taskId);
      return;
    }
    if (force) {
      await this.finishStop(task.id, false, true);
      return;
    }
    // No worker alive: start one only to drop the slot and publication.
    const teardown = this.spawn(task, 'teardown');
    teardown.stop = { force: false };
  }

  private spawn(task: TaskEntity, mode: 'stream' | 'teardown'): ManagedWorker {
    const child = fork(this.workerEntry, [`--task=${task.id}`], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The live set is bounded by backpressure (a few MB in flight); a tight old-space limit
      // makes V8 collect the garbage of a large stream instead of letting RSS grow.
      execArgv: [...process.execArgv, `--max-old-space-size=${WORKER_MAX_OLD_SPACE_MB}`],
    });
    const worker: ManagedWorker = { taskId: task.id, child, mode, streaming: false, stop: null, stoppedCleanly: false, lastError: null };
    this.workers.set(task.id, worker);
    child.on('message', (message: WorkerToScheduler) => void this.onMessage(worker, message).catch((e) => this.logger.error(e)));
    child.on('exit', (code, signal) => void this.onExit(worker, code, signal).catch((e) => this.logger.error(e)));
    child.on('error', (error) => this.logger.error(`worker of task ${task.id}: ${error.message}`));
    this.send(worker, { type: 'start', mode, config: this.workerConfig(task) });
    this.logger.log(`worker pid ${child.pid} started for task ${task.id} (${mode})`);
    return worker;
  }

  private workerConfig(task: TaskEntity): WorkerTaskConfig {
    const config = task.config as unknown as TaskConfig;
    const secrets = task.secrets ? this.secretBox.open(task.secrets, task.id) : {};
    return {
      taskId: task.id,
      slotName: task.slotName,
      publicationName: task.publicationName,
      source: { ...config.source, password: secrets.sourcePassword },
      destination: { ...config.destination, password: secrets.destinationPassword, clientKey: secrets.destinationClientKey },
      policy: config.policy,
      throttle: config.throttle,
    };
  }

  private async onMessage(worker: ManagedWorker, message: WorkerToScheduler): Promise<void> {
    const { taskId } = worker;
    switch (message.type) {
      case 'log':
        await this.logs.append(taskId, message.level, message.message);
        return;
      case 'streaming':
        worker.streaming = true;
        this.restartAttempts.delete(taskId);
        await this.tasks.transition(taskId, ['STARTING', 'INCREMENTAL_FAILED'], 'INCREMENTAL', { lastError: null });
        return;
      case 'progress':
        await this.tasks.update(taskId, {
          confirmedLsn: message.progress.confirmedLsn,
          delaySeconds: message.progress.delayMs / 1000,
        });
        return;
      case 'failed':
        worker.lastError = message.message;
        await this.logs.append(taskId, 'error', message.message);
        return;
      case 'stopped':
        worker.stoppedCleanly = true;
        return;
    }
  }

  private async onExit(worker: ManagedWorker, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const { taskId } = worker;
    if (worker.killTimer) clearTimeout(worker.killTimer);
    if (this.workers.get(taskId) === worker) this.workers.delete(taskId);
    if (worker.stop) {
      await this.finishStop(taskId, worker.stoppedCleanly, worker.stop.force);
      return;
    }
    if (this.shuttingDown || !this.owned.has(taskId)) return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const reason = worker.lastError ?? `worker process ended unexpectedly (${how})`;
    const attempt = this.restartAttempts.get(taskId) ?? 0;
    this.restartAttempts.set(taskId, attempt + 1);
    const delay = restartDelayMs(attempt, this.config.WALBRIDGE_WORKER_RESTART_MIN_MS, this.config.WALBRIDGE_WORKER_RESTART_MAX_MS);
    await this.tasks.transition(taskId, ['STARTING', 'INCREMENTAL'], 'INCREMENTAL_FAILED', { lastError: reason });
    await this.logs.append(taskId, 'warning', `${reason}; restarting in ${Math.round(delay / 100) / 10} s (attempt ${attempt + 1})`);
    this.restartTimers.set(
      taskId,
      setTimeout(() => {
        this.restartTimers.delete(taskId);
        void this.restart(taskId).catch((e) => this.logger.error(e));
      }, delay),
    );
  }

  private async restart(taskId: string): Promise<void> {
    if (this.shuttingDown || !this.owned.has(taskId) || this.ensuring.has(taskId)) return;
    this.ensuring.add(taskId);
    let task: TaskEntity | null;
    try {
      task = await this.tasks.findById(taskId);
      if (task && RUNNABLE.includes(task.status)) {
        if (!this.workers.has(taskId)) this.spawn(task, 'stream');
        return;
      }
    } finally {
      this.ensuring.delete(taskId);
    }
    if (task?.status === 'STOPPING') await this.stop(taskId, task.requestedOperation === 'forceStop');
    else await this.releaseOwnership(taskId);
  }

  private async finishStop(taskId: string, cleanly: boolean, force: boolean): Promise<void> {
    const task = await this.tasks.findById(taskId);
    if (force) {
      await this.tasks.transition(taskId, ['STOPPING'], 'COMPLETED', { delaySeconds: null, requestedOperation: null });
      await this.logs.append(
        taskId,
        'warning',
        `task force stopped; replication slot ${task?.slotName} may remain on the source and retain WAL: ` +
          `drop it with SELECT pg_drop_replication_slot('${task?.slotName}') or the drop-slot action`,
      );
    } else if (cleanly) {
      await this.tasks.transition(taskId, ['STOPPING'], 'COMPLETED', { delaySeconds: null, requestedOperation: null });
      await this.logs.append(taskId, 'info', `task stopped; replication slot ${task?.slotName} and its publication dropped`);
    } else {
      await this.tasks.transition(taskId, ['STOPPING'], 'STOP_FAILED', { lastError: 'stop did not complete; see the task log' });
    }
    await this.releaseOwnership(taskId);
  }

  /** Catches up with status changes made elsewhere (API, other schedulers, a lost job). */
  private async reconcile(): Promise<void> {
    if (this.shuttingDown) return;
    try {
      const tasks = await this.tasks.findInStatuses([...RUNNABLE, 'STOPPING']);
      for (const task of tasks) {
        if (task.status === 'STOPPING') await this.stop(task.id, task.requestedOperation === 'forceStop');
        else await this.ensureRunning(task.id);
      }
    } catch (error) {
      this.logger.warn(`reconcile failed: ${(error as Error).message}`);
    }
  }

  private async renewLeases(): Promise<void> {
    for (const taskId of [...this.owned]) {
      const kept = await this.lease.renew(taskId).catch(() => null);
      if (kept === false) {
        // Someone else may own the task now: never let two workers touch one slot.
        this.logger.warn(`lost the lease of task ${taskId}; killing its worker`);
        this.owned.delete(taskId);
        this.cancelRestart(taskId);
        const worker = this.workers.get(taskId);
        if (worker) {
          this.workers.delete(taskId);
          worker.child.kill('SIGKILL');
        }
      }
    }
  }

  private cancelRestart(taskId: string): void {
    const timer = this.restartTimers.get(taskId);
    if (timer) clearTimeout(timer);
    this.restartTimers.delete(taskId);
  }

  private async releaseOwnership(taskId: string): Promise<void> {
    this.owned.delete(taskId);
    this.restartAttempts.delete(taskId);
    this.cancelRestart(taskId);
    await this.lease.release(taskId);
  }

  private send(worker: ManagedWorker, message: SchedulerToWorker): void {
    if (worker.child.connected) worker.child.send(message);
  }

  /** SIGTERM: workers drain and confirm, slots stay, and tasks resume after the restart. */
  async onApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.reconcileTimer);
    clearInterval(this.renewTimer);
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
    const exits = [...this.workers.values()].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
          worker.child.once('exit', () => resolve());
          this.send(worker, { type: 'stop', dropSlot: false });
          setTimeout(() => {
            worker.child.kill('SIGKILL');
            resolve();
          }, 20_000).unref();
        }),
    );
    await Promise.all(exits);
    for (const taskId of [...this.owned]) await this.lease.release(taskId).catch(() => undefined);
  }
}
