/**
 * What the supervisor writes to a task's log (PRODUCT.md §4, §5): every text in one place, so an
 * outcome reads the same wherever it is reached from, and the e2e tests and operators that look
 * for these lines find them here. Pure: figures in, text out.
 */
import type { FailureKind } from '../task-failure';

export const taskLogText = {
  scheduledStart: (): string => 'scheduled start time reached',

  forceStopped: (slot: string, cleanupSql: string, taskId: string): string =>
    `task force stopped; replication slot ${slot} may remain on the source and retain WAL: ` +
    `drop it with ${cleanupSql} or POST /api/v1/tasks/${taskId}/drop-slot`,

  stopped: (slot: string): string => `task stopped; replication slot ${slot} and its publication dropped`,

  stopIncomplete: (slot: string): string => `stop did not complete: replication slot ${slot} may remain; stop again or use drop-slot`,

  paused: (confirmedLsn: string | null | undefined, slot: string | undefined, cleanly: boolean): string =>
    `task paused at confirmed LSN ${confirmedLsn ?? 'none'}; replication slot ${slot} kept: ` +
    'the source retains WAL from there until the task is resumed' +
    (cleanly ? '' : ' (the worker did not drain in time; unconfirmed changes will be sent again on resume)'),

  reset: (from: string, confirmedLsn: string | null): string =>
    `task reset from ${from}: changes committed after ${confirmedLsn ?? 'the last confirmed position'} ` +
    'and before the new slot was created are not delivered; run the precheck again, then submit the task',

  resetFailed: (message: string): string => `reset failed: ${message}`,

  slotDropped: (slot: string, publication: string): string => `replication slot ${slot} and publication ${publication} dropped`,

  dropSlotFailed: (message: string): string => `drop-slot failed: ${message}`,

  applyObjectsFailed: (message: string): string => `applying the edited tables failed: ${message}; they are applied again when the task is resumed`,

  recovered: (failures: number): string => `recovered: streaming again after ${failures} failed attempt(s)`,

  /** The data exception event (PRODUCT.md §5): what, where, and the way out. */
  dataException: (table: string, messageId: string): string =>
    `data exception: the change ${messageId} of ${table} could not be delivered; it was not skipped and nothing after it ` +
    'was confirmed: fix the cause, then resume the task to deliver it',

  retrying: (kind: FailureKind, reason: string, delayMs: number, attempt: number, retryUntil: number): string =>
    `${kind} failure: ${reason}; restarting in ${Math.round(delayMs / 100) / 10} s (attempt ${attempt}, ` +
    `retrying until ${new Date(retryUntil).toISOString()})`,

  gaveUp: (kind: FailureKind, reason: string, why: string, status: string, autoStopAt: number): string =>
    `${kind} failure: ${reason}; ${why}: the task is ${status} until resumed, and will be stopped automatically at ${new Date(autoStopAt).toISOString()}`,

  /** Why a failure is not retried (any more): the middle of `gaveUp`. */
  notRetried: (kind: FailureKind, retryable: boolean, windowMinutes: number): string =>
    kind === 'slotLost'
      ? 'not retried (no retry can recover those changes; resuming fails the same way): reset the task to stream again from now'
      : kind === 'data' || !retryable
        ? 'not retried (it would fail the same way until the cause is fixed)'
        : `gave up after the ${windowMinutes}-minute ${kind === 'network' ? 'connection' : 'other-failure'} retry window`,

  rebalance: (schedulerId: string): string => `rebalance: scheduler ${schedulerId} hands the task over to a less loaded scheduler`,
};

/** `task.last_error` texts the supervisor writes (the log carries the detail). */
export const taskLastError = {
  stopIncomplete: 'stop did not complete; see the task log',
  resetFailed: (message: string): string => `reset failed: ${message}`,
  dropSlotFailed: (message: string): string => `drop-slot failed: ${message}`,
  applyObjectsFailed: (message: string): string => `applying the edited tables failed: ${message}`,
  /** A worker that exited without saying why. */
  unexpectedExit: (how: string): string => `worker process ended unexpectedly (${how})`,
};
