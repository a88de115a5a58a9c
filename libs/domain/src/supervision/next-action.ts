/**
 * "What does this task want now?" asked once, for the reconcile loop, a restart after a backoff
 * and a streaming worker's exit alike, from what the metadata database says (status and the
 * requested operation); and what an operation asks of the worker the task has here.
 */
import type { PendingOperation } from '@walbridge/vocabulary';
import type { LifecycleStatus } from '../task-lifecycle';
import type { WorkerIntent, WorkerState } from './worker-intent';

/** Statuses in which a task should have a streaming worker somewhere (unless its retries gave up). */
export const RUNNABLE_STATUSES: readonly LifecycleStatus[] = ['STARTING', 'FULL_SYNC', 'INCREMENTAL', 'INCREMENTAL_FAILED'];
/** Where reset may run: the statuses §4 allows it in, plus those a failing task flickers through meanwhile. */
export const RESETTABLE_STATUSES: readonly LifecycleStatus[] = ['PAUSED', 'INCREMENTAL_FAILED', 'START_FAILED', 'STARTING', 'FULL_SYNC', 'INCREMENTAL'];
/** Where a drop-slot may run: a stopped task whose slot may remain. */
export const SLOT_DROPPABLE_STATUSES: readonly LifecycleStatus[] = ['COMPLETED', 'STOP_FAILED'];

export type RequestedOperationName = PendingOperation;

export interface SupervisedTask {
  status: LifecycleStatus;
  requestedOperation: RequestedOperationName | null;
  retryExhaustedAt: Date | null;
}

export type TaskWant =
  | { action: 'stop'; force: boolean }
  | { action: 'pause' }
  | { action: 'reset' }
  | { action: 'dropSlot' }
  | { action: 'applyObjects' }
  /** PENDING_START: started once its time has come. */
  | { action: 'startScheduled' }
  | { action: 'stream' }
  | { action: 'nothing' };

export function isRunnableStatus(status: LifecycleStatus): boolean {
  return RUNNABLE_STATUSES.includes(status);
}

/** A task that should stream now: a runnable status, retries not given up, nothing else asked for. */
export function isRunnable(task: SupervisedTask): boolean {
  return isRunnableStatus(task.status) && task.retryExhaustedAt === null && task.requestedOperation === null;
}

/**
 * The one ladder. A stop or a pause wins over any requested operation (the API writes them in
 * the status), then the requested operation, then a scheduled start or the stream itself.
 */
export function taskWants(task: SupervisedTask | null): TaskWant {
  if (!task) return { action: 'nothing' };
  if (task.status === 'STOPPING') return { action: 'stop', force: task.requestedOperation === 'forceStop' };
  if (task.status === 'PAUSING') return { action: 'pause' };
  if (task.requestedOperation === 'reset') return { action: 'reset' };
  if (task.requestedOperation === 'dropSlot') return { action: 'dropSlot' };
  if (task.requestedOperation === 'applyObjects') return { action: 'applyObjects' };
  if (task.status === 'PENDING_START') return { action: 'startScheduled' };
  if (isRunnable(task)) return { action: 'stream' };
  return { action: 'nothing' };
}

/** An operation arriving while the task has a worker here. */
export type WorkerOperation = 'stop' | 'forceStop' | 'pause' | 'reset' | 'applyObjects' | 'handover' | 'shutdown';

export type WorkerRequest =
  /** IPC `stop`: the worker drains (everything acknowledged and confirmed) and exits. */
  | { kind: 'drain'; intent: WorkerIntent; dropSlot: boolean; killAfterTimeout: boolean }
  /** SIGKILL at once. */
  | { kind: 'kill'; intent: WorkerIntent }
  /** The worker is ending already (or is a one-shot worker that finishes): what follows its exit reads the task. */
  | { kind: 'leave' };

/**
 * Only a healthy stream is redirected; every other worker is already ending or is a one-shot
 * worker, and the handling of its exit reads what the task asks for then. A force stop is the
 * exception: it kills whatever runs (once).
 */
export function workerRequest(operation: WorkerOperation, worker: WorkerState): WorkerRequest {
  if (operation === 'forceStop') return worker.intent === 'forceStop' ? { kind: 'leave' } : { kind: 'kill', intent: 'forceStop' };
  const streaming = worker.mode === 'stream' && worker.intent === 'stream';
  if (!streaming) return { kind: 'leave' };
  switch (operation) {
    case 'stop':
      return { kind: 'drain', intent: 'stop', dropSlot: true, killAfterTimeout: true };
    case 'pause':
      return { kind: 'drain', intent: 'pause', dropSlot: false, killAfterTimeout: true };
    // What the stream has not confirmed is about to be discarded anyway: no need to drain.
    case 'reset':
      return { kind: 'kill', intent: 'resetPending' };
    case 'applyObjects':
      return { kind: 'drain', intent: 'apply', dropSlot: false, killAfterTimeout: true };
    case 'handover':
      return { kind: 'drain', intent: 'handover', dropSlot: false, killAfterTimeout: true };
    // SIGTERM: the slot stays and the task resumes after the restart; the shutdown has its own deadline.
    case 'shutdown':
      return { kind: 'drain', intent: 'stream', dropSlot: false, killAfterTimeout: false };
  }
}
