import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@walbridge/config';
import type { TaskConfig } from '@walbridge/contracts';
import type { WorkerIntent } from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { SecretsService, TaskRepository, connectionsWithSecrets, type TaskEntity, type TaskRuntimePatch } from '@walbridge/persistence';
import { judgeProtocol, type SlotReport, type WorkerMode, type WorkerTaskConfig, type WorkerToScheduler } from '@walbridge/queue';
import { TaskMonitor } from '../monitoring/task-monitor.service';
import { BackfillCoordinator } from '../snapshot/backfill-coordinator.service';
import { SupervisedWorkers, type ManagedWorker } from './supervised-workers';
import { WorkerProcessPort } from './worker-process.port';
import { workerTuning } from '../worker-tuning';

const INSPECT_TIMEOUT_MS = 30_000;

/** What becomes of a worker's reports and of its exit: the supervisor's, set once at its construction. */
export interface WorkerHandlers {
  message(worker: ManagedWorker, message: WorkerToScheduler): Promise<void>;
  exit(worker: ManagedWorker, code: number | null, signal: NodeJS.Signals | null): Promise<void>;
}

/** Starts worker processes with their start message (configuration with secrets, over IPC only). */
@Injectable()
export class WorkerLauncher {
  private readonly logger = new Logger(WorkerLauncher.name);
  private handlers?: WorkerHandlers;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly processes: WorkerProcessPort,
    private readonly workers: SupervisedWorkers,
    private readonly tasks: TaskRepository,
    private readonly secrets: SecretsService,
    private readonly monitor: TaskMonitor,
    private readonly backfills: BackfillCoordinator,
  ) {}

  handleWith(handlers: WorkerHandlers): void {
    this.handlers = handlers;
  }

  spawn(task: TaskEntity, mode: WorkerMode, intent: WorkerIntent): ManagedWorker {
    const child = this.processes.start(task.id, mode);
    const worker: ManagedWorker = { taskId: task.id, process: child, mode, intent, streaming: false, stoppedCleanly: false, failure: null, writes: Promise.resolve() };
    this.workers.add(worker);
    child.onMessage((message) => {
      const verdict = judgeProtocol(message, `a ${String(message?.type)} message of worker pid ${child.pid} (task ${task.id})`, 'this scheduler');
      if (verdict.accepted) {
        void this.handlers?.message(worker, message).catch((e) => this.logger.error(e));
        return;
      }
      // A worker of another release (the installation was upgraded under this running
      // scheduler): its reports cannot be trusted, so it is stopped as a failed start, retried
      // by the failure policy, and the log says what to do.
      if (worker.failure) return;
      const refusal = `${verdict.reason}; the worker is stopped and its start retried`;
      this.logger.error(refusal);
      worker.failure = { message: refusal, kind: 'other', retry: true, dataException: false };
      child.kill();
    });
    child.onExit((code, signal) => void this.handlers?.exit(worker, code, signal).catch((e) => this.logger.error(e)));
    child.onError((error) => this.logger.error(`worker of task ${task.id}: ${error.message}`));
    if (mode === 'stream') {
      // A streaming worker also gets the backfills to read, with their stored positions.
      worker.backfillIds = new Set();
      void this.backfills
        .plansFor(task)
        .catch((error: Error) => {
          this.logger.error(`backfills of task ${task.id}: ${error.message}`);
          return [];
        })
        .then((backfills) => {
          for (const b of backfills) worker.backfillIds!.add(b.id);
          child.send({ type: 'start', mode, config: { ...this.workerConfig(task), backfills } });
        });
    } else {
      child.send({ type: 'start', mode, config: this.workerConfig(task) });
    }
    this.logger.log(`worker pid ${child.pid} started for task ${task.id} (${intent})`);
    if (mode === 'stream') void this.monitor.workerStarted(task);
    return worker;
  }

  /**
   * Measure the slot of a task no worker streams (paused, failed, left over). Read-only on the
   * source, so it needs no lease; the result is kept only if the task did not move meanwhile.
   */
  async inspectSlot(task: TaskEntity): Promise<void> {
    const config = this.workerConfig(task);
    const child = this.processes.start(task.id, 'inspect');
    let slot: SlotReport | null = null;
    let failure: string | null = null;
    child.onMessage((message) => {
      if (!judgeProtocol(message, 'a slot check message', 'this scheduler').accepted) return;
      if (message.type === 'slot') slot = message.slot;
      else if (message.type === 'failed') failure = message.message;
    });
    const timer = setTimeout(() => child.kill(), INSPECT_TIMEOUT_MS);
    await new Promise<void>((resolve) => {
      child.onExit(() => resolve());
      child.onError(() => resolve());
      child.send({ type: 'start', mode: 'inspect', config });
    });
    clearTimeout(timer);
    if (slot) {
      await this.tasks.transition(task.id, [task.status], task.status, slotPatch(slot));
      await this.monitor.slotMeasured(task, slot);
    } else await this.tasks.transition(task.id, [task.status], task.status, { slotCheckedAt: new Date() });
    if (failure) this.logger.debug(`slot check of task ${task.id} failed: ${failure}`);
  }

  private workerConfig(task: TaskEntity): WorkerTaskConfig {
    const config = task.config as unknown as TaskConfig;
    // Read at every start, so a password changed through the API takes effect on the next connection.
    const secrets = this.secrets.openTask(task);
    return {
      taskId: task.id,
      slotName: task.slotName,
      publicationName: task.publicationName,
      ...connectionsWithSecrets(config, secrets),
      policy: config.policy,
      throttle: config.throttle,
      slotHistory: { confirmedLsn: task.confirmedLsn, createdLsn: task.slotCreatedLsn },
      outboundDeny: this.config.WALBRIDGE_OUTBOUND_DENY,
      tuning: workerTuning(),
    };
  }
}

export function slotPatch(slot: SlotReport): TaskRuntimePatch {
  return {
    slotExists: slot.exists,
    slotRetainedBytes: slot.retainedWalBytes === null ? null : String(slot.retainedWalBytes),
    slotCheckedAt: new Date(),
  };
}
