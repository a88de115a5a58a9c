import type { SnapshotTableView } from './snapshot.schema';
import { z } from 'zod';
import type { TaskLogEntry } from './task-lifecycle.view';
import type { PendingOperation, TaskStatus, ThroughputCounters } from '@walbridge/vocabulary';

/**
 * One measurement of a task (PRODUCT.md §6): what `GET /tasks/{id}/metrics` returns per point and
 * what `GET /tasks/{id}/events` pushes live (`event: metrics`). Rates are per second over the
 * interval before `at`; totals count since the task was created (across worker restarts).
 */
export interface TaskMetricSample extends ThroughputCounters {
  at: string;
  status: TaskStatus;
  /**
   * Age in seconds of the oldest change committed on the source and not yet acknowledged by
   * Kafka; 0 when caught up. Live events carry the value of that second; a stored sample the
   * highest value measured (every second) in its interval, so no peak falls between samples.
   */
  delaySeconds: number;
  rowsReadPerSecond: number;
  rowsWrittenPerSecond: number;
  bytesReadPerSecond: number;
  bytesWrittenPerSecond: number;
  confirmedLsn: string | null;
  /** WAL the task's slot keeps on the source, as last measured; null if unknown. */
  retainedWalBytes: number | null;
  lastError: string | null;
}

export interface TaskMetricsView {
  taskId: string;
  from: string;
  to: string;
  /**
   * Seconds each point covers: the sampling interval, or more when the range holds more samples
   * than `maxPoints` (then a point has the highest delay and the mean rates of its bucket, and
   * the totals, LSN, status and error at its end).
   */
  stepSeconds: number;
  samples: TaskMetricSample[];
  /**
   * Changes sent per table since the task was created (whatever the range), most recently
   * changed first; as of the last stored sample (every sampling interval).
   */
  tables: TaskTableCounterView[];
  /** Whether the task is catching up, and by when (from the delay and WAL of the last 5 minutes). */
  catchUp: TaskCatchUpView;
}

export interface TaskTableCounterView {
  /** schema.table */
  table: string;
  inserts: number;
  updates: number;
  deletes: number;
  truncates: number;
  /** inserts + updates + deletes. */
  rows: number;
  /** Commit time on the source of the latest change counted; null if none. */
  lastChangeAt: string | null;
}

/**
 * `caught-up`: delay within a few seconds; `catching-up`: the delay (and backlog) shrink,
 * `etaSeconds` until caught up at the current pace; `steady`: the delay holds; `falling-behind`:
 * it grows; `unknown`: not streaming or too few samples.
 */
export type TaskCatchUpView =
  | { state: 'unknown' }
  | { state: 'caught-up' }
  | { state: 'catching-up'; etaSeconds: number }
  | { state: 'steady'; delaySeconds: number }
  | { state: 'falling-behind'; delaySeconds: number };

const MAX_RANGE_MS = 7 * 24 * 3600 * 1000;
const INSTANT_MESSAGE = 'must be an ISO 8601 date-time with offset (2026-11-20T10:00:00Z) or epoch milliseconds';

const instant = z
  .string()
  .refine((v) => /^\d{1,15}$/.test(v) || z.string().datetime({ offset: true }).safeParse(v).success, INSTANT_MESSAGE)
  .transform((v) => (/^\d+$/.test(v) ? Number(v) : Date.parse(v)));

/** `from`/`to` default to the last hour; the range may span up to 7 days. */
export const taskMetricsQuerySchema = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
    maxPoints: z.coerce.number().int('maxPoints must be an integer').min(10, 'maxPoints must be 10-5000').max(5000, 'maxPoints must be 10-5000').default(1000),
  })
  .superRefine((v, ctx) => {
    if (v.from !== undefined && v.to !== undefined) {
      if (v.from >= v.to) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['from'], message: 'from must be before to' });
      else if (v.to - v.from > MAX_RANGE_MS) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['from'], message: 'the range from-to may span at most 7 days' });
    }
  });

export type TaskMetricsQuery = z.output<typeof taskMetricsQuerySchema>;
export const TASK_METRICS_MAX_RANGE_MS = MAX_RANGE_MS;

/**
 * What `GET /tasks/{id}/events` (Server-Sent Events) sends; the SSE event name is the key:
 * `status` (also once right after connecting), `metrics`, `log`, `notification`. Comments
 * (`: keep-alive`) arrive every 15 s; `end` says the server closed the stream (session ended,
 * task deleted) and the client should not reconnect with the same credentials.
 */
export interface TaskEventPayloads {
  status: TaskStatusEvent;
  metrics: TaskMetricSample & { taskId: string };
  log: TaskLogEntry & { taskId: string };
  notification: TaskNotificationEvent;
  /** A table of a full synchronization or backfill moved (after each acknowledged chunk). */
  snapshot: SnapshotTableView & { taskId: string; backfillId: string };
  end: { reason: string };
}

export type TaskEventName = keyof TaskEventPayloads;

export interface TaskStatusEvent {
  taskId: string;
  status: TaskStatus;
  /** null in the snapshot sent on connect. */
  previousStatus: TaskStatus | null;
  pendingOperation: PendingOperation | null;
  lastError: string | null;
  delaySeconds: number | null;
  confirmedLsn: string | null;
  at: string;
}

export interface TaskNotificationEvent {
  taskId: string;
  id: string;
  kind: string;
  severity: string;
  title: string;
  createdAt: string;
}
