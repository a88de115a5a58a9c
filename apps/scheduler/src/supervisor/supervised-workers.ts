import { Injectable } from '@nestjs/common';
import type { FailureKind, WorkerIntent, WorkerRequest } from '@walbridge/domain';
import type { TaskEntity } from '@walbridge/persistence';
import type { SlotLostReport, WorkerMode } from '@walbridge/queue';
import type { WorkerProcess } from './worker-process.port';

export interface ManagedWorker {
  taskId: string;
  process: WorkerProcess;
  mode: WorkerMode;
  intent: WorkerIntent;
  streaming: boolean;
  stoppedCleanly: boolean;
  failure: { message: string; kind: FailureKind; retry: boolean; dataException: boolean; slotLost?: SlotLostReport } | null;
  /** Metadata writes a report asked for (the slot's creation point): done before the exit is handled. */
  writes: Promise<unknown>;
  killTimer?: NodeJS.Timeout;
  /** Set once streaming: the failure episode is closed when the stream proves healthy. */
  probation?: { since: number; baselineLsn: string | null | undefined; done: boolean };
  /**
   * A stream started for edited tables (the task as read at the start): the edit counts as
   * applied once this worker streams, i.e. its publication is altered.
   */
  applying?: TaskEntity;
  /** Backfills this worker was given (at its start or since), so each is sent once. */
  backfillIds?: Set<string>;
  /** Snapshot reports are stored one after the other, in the order the worker sent them. */
  snapshotChain?: Promise<void>;
}

const GRACEFUL_STOP_TIMEOUT_MS = 60_000;

/** The worker processes of this scheduler, at most one per task, and whether it is shutting down. */
@Injectable()
export class SupervisedWorkers {
  private readonly byTask = new Map<string, ManagedWorker>();
  /** SIGTERM: no new worker, and exits are not failures. */
  shuttingDown = false;

  get(taskId: string): ManagedWorker | undefined {
    return this.byTask.get(taskId);
  }

  has(taskId: string): boolean {
    return this.byTask.has(taskId);
  }

  add(worker: ManagedWorker): void {
    this.byTask.set(worker.taskId, worker);
  }

  /** Forgets the worker if it is still the task's (a newer one may have replaced it). */
  remove(worker: ManagedWorker): void {
    if (this.byTask.get(worker.taskId) === worker) this.byTask.delete(worker.taskId);
  }

  /** The lease is lost: never let two workers touch one slot. */
  kill(taskId: string): void {
    const worker = this.byTask.get(taskId);
    if (!worker) return;
    this.byTask.delete(taskId);
    worker.process.kill();
  }

  all(): ManagedWorker[] {
    return [...this.byTask.values()];
  }

  /** Carries out what an operation asks of a running worker (`workerRequest` of libs/domain). */
  redirect(worker: ManagedWorker, request: WorkerRequest): void {
    if (request.kind === 'leave') return;
    worker.intent = request.intent;
    if (request.kind === 'kill') {
      worker.process.kill();
      return;
    }
    worker.process.send({ type: 'stop', dropSlot: request.dropSlot });
    if (request.killAfterTimeout) this.armKillTimer(worker);
  }

  /** A draining worker that has not exited within the grace period is killed. */
  armKillTimer(worker: ManagedWorker): void {
    if (worker.killTimer) return;
    worker.killTimer = setTimeout(() => worker.process.kill(), GRACEFUL_STOP_TIMEOUT_MS);
  }
}
