import type { TaskLifecycleView, TaskOperationName, TaskStatus } from '@walbridge/contracts';
import { SLOT_RELEASED_STATUSES, allowedOperations, slotCleanupSql, type LifecycleStatus, type TaskOperation } from '@walbridge/domain';
import type { TaskEntity } from '@walbridge/persistence';

// The domain lib spells the statuses and operations itself (it depends on nothing) and the
// console sees only the contracts' lists; this is where both meet, so the build fails the day
// one list gains a name the other lacks.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const STATUS_LISTS_AGREE: Same<TaskStatus, LifecycleStatus> = true;
export const OPERATION_LISTS_AGREE: Same<TaskOperationName, TaskOperation> = true;

/** A slot the task no longer uses but that remains on the source (typically after a force stop). */
export function hasLeftoverSlot(task: TaskEntity): boolean {
  return task.slotExists === true && SLOT_RELEASED_STATUSES.includes(task.status);
}

/** The lifecycle part of the task view: what may be done now, failures, the slot and its WAL. */
export function lifecycleView(task: TaskEntity): TaskLifecycleView {
  const leftover = hasLeftoverSlot(task);
  const since = task.failingSince?.toISOString();
  return {
    // drop-slot is offered only when there is something to drop.
    allowedOperations: allowedOperations(task.status).filter((op) => op !== 'dropSlot' || leftover),
    pendingOperation: task.requestedOperation,
    precheckRequired: task.precheckRequired ?? false,
    scheduledStartAt: task.status === 'PENDING_START' && task.scheduledStartAt ? task.scheduledStartAt.toISOString() : null,
    // A streaming task still on probation after failures is not shown as failing.
    failure: since && task.status !== 'INCREMENTAL' && task.status !== 'FULL_SYNC'
      ? {
          kind: task.failureKind ?? 'other',
          since,
          retryUntil: task.retryUntil?.toISOString() ?? since,
          retrying: task.retryExhaustedAt === null,
          autoStopAt: task.autoStopAt?.toISOString() ?? since,
        }
      : null,
    slot: {
      name: task.slotName,
      publication: task.publicationName,
      exists: task.slotExists ?? null,
      retainedWalBytes: task.slotRetainedBytes === null || task.slotRetainedBytes === undefined ? null : Number(task.slotRetainedBytes),
      checkedAt: task.slotCheckedAt?.toISOString() ?? null,
      leftover,
      dropSql: leftover ? slotCleanupSql(task.slotName, task.publicationName) : null,
    },
  };
}
