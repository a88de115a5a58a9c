import { TASK_OPERATIONS, TASK_STATUSES, type TaskOperation, type TaskStatus } from '@walbridge/vocabulary';
import { DomainError } from './errors';

/** The task statuses of the vocabulary; the name stays for the domain's callers. */
export type LifecycleStatus = TaskStatus;
export type { TaskOperation };
export { TASK_OPERATIONS };

/** Where a task's run is over: nothing is left to stop. Every other status is live. */
const ENDED: readonly LifecycleStatus[] = ['COMPLETED', 'CANCELLED', 'DELETED'];
const ALL_LIVE: LifecycleStatus[] = TASK_STATUSES.filter((status) => !ENDED.includes(status));

/** PRODUCT.md §4, the operation table. */
const ALLOWED_IN: Record<TaskOperation, readonly LifecycleStatus[]> = {
  edit: ['CONFIGURATION'],
  editObjects: ['INCREMENTAL', 'PAUSED'],
  // Alarms, throttle, retry windows, description and tags: nothing on the source or in Kafka changes.
  editSettings: ['FULL_SYNC', 'INCREMENTAL', 'START_FAILED', 'INCREMENTAL_FAILED', 'PAUSED'],
  precheck: ['CONFIGURATION', 'PAUSED', 'INCREMENTAL_FAILED', 'START_FAILED'],
  submit: ['CONFIGURATION'],
  // FULL_SYNC streams like INCREMENTAL (the snapshot resumes at its stored chunk): same rules.
  pause: ['FULL_SYNC', 'INCREMENTAL'],
  resume: ['PAUSED', 'INCREMENTAL_FAILED', 'START_FAILED'],
  stop: ALL_LIVE,
  forceStop: ALL_LIVE,
  reset: ['PAUSED', 'INCREMENTAL_FAILED', 'START_FAILED'],
  delete: ['CONFIGURATION', 'COMPLETED', 'START_FAILED', 'CANCELLED'],
  dropSlot: ['COMPLETED', 'STOP_FAILED'],
};

/** Stop of a task that never started cancels it (no worker, no slot): CANCELLED, not COMPLETED. */
export const NEVER_STARTED_STATUSES: readonly LifecycleStatus[] = ['CONFIGURATION', 'PENDING_START'];

/** Statuses PRODUCT.md §6 calls abnormal: notified, and stopped automatically after N days. */
export const ABNORMAL_STATUSES: readonly LifecycleStatus[] = ['START_FAILED', 'INCREMENTAL_FAILED'];

/** Statuses in which the task no longer uses its slot, so one that still exists is left over. */
export const SLOT_RELEASED_STATUSES: readonly LifecycleStatus[] = ['COMPLETED', 'STOP_FAILED'];

export function statusesAllowing(operation: TaskOperation): readonly LifecycleStatus[] {
  return ALLOWED_IN[operation];
}

export function isAllowed(operation: TaskOperation, status: LifecycleStatus): boolean {
  return ALLOWED_IN[operation].includes(status);
}

export function allowedOperations(status: LifecycleStatus): TaskOperation[] {
  return TASK_OPERATIONS.filter((op) => isAllowed(op, status));
}

/** Throws the 409-kind error the API returns, naming the status and what is allowed in it. */
export function assertAllowed(operation: TaskOperation, status: LifecycleStatus): void {
  if (isAllowed(operation, status)) return;
  const allowed = allowedOperations(status);
  throw new DomainError(
    'conflict',
    'OPERATION_NOT_ALLOWED',
    `cannot ${operation} a task in status ${status}; allowed: ${allowed.length ? allowed.join(', ') : 'none'}`,
    [],
    { status, allowedOperations: allowed },
  );
}
