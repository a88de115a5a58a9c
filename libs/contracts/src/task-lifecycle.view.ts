import { TASK_LOG_LEVELS, type FailureKind, type PendingOperation, type TaskLogLevel, type TaskOperation } from '@walbridge/vocabulary';
import { z } from 'zod';

/** Operation names of PRODUCT.md §4, as the API lists them in `allowedOperations` and 409s. */
export type TaskOperationName = TaskOperation;

export interface TaskSlotView {
  name: string;
  publication: string;
  /** null until a worker or the scheduler's slot check has looked at the source. */
  exists: boolean | null;
  /** WAL the slot keeps on the source: pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn). */
  retainedWalBytes: number | null;
  checkedAt: string | null;
  /** The task no longer uses the slot but it remains on the source (after a force stop). */
  leftover: boolean;
  /** The SQL that removes a leftover slot and its publication; also `POST /tasks/{id}/drop-slot`. */
  dropSql: string | null;
}

export interface TaskFailureView {
  /**
   * data: a data exception (a change that cannot be delivered); never retried, the task waits to be resumed.
   * slotLost: the replication slot was dropped or invalidated; never retried, the task must be reset.
   */
  kind: FailureKind;
  /** First failure of the current episode: the task has been abnormal since then. */
  since: string;
  /** Retries stop at this time (the connection or other-failure window of the latest failure). */
  retryUntil: string;
  /** false once the window has passed: the task stays abnormal until resumed. */
  retrying: boolean;
  /** When the task is stopped automatically if nobody resumes it (alarms.abnormalStopDays). */
  autoStopAt: string;
}

/** The lifecycle part of a task as the API returns it. */
export interface TaskLifecycleView {
  allowedOperations: TaskOperationName[];
  pendingOperation: PendingOperation | null;
  /** Set by reset: the configuration must pass a precheck again before the task is submitted. */
  precheckRequired: boolean;
  scheduledStartAt: string | null;
  failure: TaskFailureView | null;
  slot: TaskSlotView;
}

export interface TaskLogEntry {
  id: string;
  time: string;
  level: TaskLogLevel;
  message: string;
}

export interface TaskLogPage {
  items: TaskLogEntry[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

function splitLevels(value: string): string[] {
  return value.split(',').map((l) => l.trim());
}

export const taskLogQuerySchema = z.object({
  // One level or several, comma separated: `level=warning,error`.
  level: z
    .string()
    .optional()
    .refine((v) => v === undefined || splitLevels(v).every((l) => (TASK_LOG_LEVELS as readonly string[]).includes(l)), {
      message: 'level must be info, warning or error (comma separated for several)',
    })
    .transform((v) => (v ? (splitLevels(v) as TaskLogLevel[]) : undefined)),
  // A log line id: a PostgreSQL bigint, so at most 2^63-1.
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/, 'cursor must be the nextCursor of a previous page')
    .refine((v) => !/^[0-9]{1,19}$/.test(v) || BigInt(v) <= 9223372036854775807n, 'cursor must be the nextCursor of a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1, 'limit must be 1-200').max(200, 'limit must be 1-200').default(50),
});

export type TaskLogQueryInput = z.output<typeof taskLogQuerySchema>;

/** What an operation answers: the task, plus what the operator must know about the consequences. */
export type TaskOperationResult<T> = T & { warnings: string[] };

/**
 * `lastError` of a task ended by a force stop: it is COMPLETED like a clean stop, but what was in
 * flight was not delivered and its slot may remain, which the console shows with its own badge.
 */
export const FORCE_STOPPED_ERROR = 'force stopped: changes in flight were not delivered and the replication slot was not dropped';
