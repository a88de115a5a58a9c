import type { TaskCatchUpView, TaskTableCounterView } from '@walbridge/contracts';
import { apiUrl, fetchJson } from './api-client';

/*
 * Metrics of PRODUCT.md §6: `GET /tasks/{id}/metrics?from=&to=` (TaskMetricsView, its `samples`)
 * and the live stream `GET /tasks/{id}/events` (server-sent events, TaskEventPayloads: `status`,
 * `metrics`, `log`, `notification`). What the charts read from a TaskMetricSample is picked here.
 */

export interface TaskMetricPoint {
  /** Epoch milliseconds. */
  time: number;
  delaySeconds: number | null;
  rowsPerSecond: number | null;
  bytesPerSecond: number | null;
  rowsReadPerSecond: number | null;
  bytesReadPerSecond: number | null;
  confirmedLsn: string | null;
  retainedWalBytes: number | null;
  /** Totals since the task was created (null from a server without them). */
  inserts: number | null;
  updates: number | null;
  deletes: number | null;
}

type Raw = Record<string, unknown>;

const numberOr = (...values: unknown[]): number | null => {
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) return v;
  return null;
};

const timeOf = (raw: Raw): number | null => {
  const v = raw.time ?? raw.at ?? raw.timestamp ?? raw.ts;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
};

/** One sample as the API sends it (in the metrics answer or an SSE `metrics` event). */
export function toMetricPoint(raw: unknown): TaskMetricPoint | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Raw;
  const time = timeOf(r);
  if (time === null) return null;
  const delayMs = numberOr(r.delayMs);
  return {
    time,
    delaySeconds: numberOr(r.delaySeconds, delayMs === null ? undefined : delayMs / 1000),
    rowsPerSecond: numberOr(r.rowsWrittenPerSecond, r.rowsPerSecond, r.rowsReadPerSecond),
    bytesPerSecond: numberOr(r.bytesWrittenPerSecond, r.bytesPerSecond),
    rowsReadPerSecond: numberOr(r.rowsReadPerSecond),
    bytesReadPerSecond: numberOr(r.bytesReadPerSecond),
    confirmedLsn: typeof r.confirmedLsn === 'string' ? r.confirmedLsn : null,
    retainedWalBytes: numberOr(r.retainedWalBytes, r.walRetainedBytes),
    inserts: numberOr(r.inserts),
    updates: numberOr(r.updates),
    deletes: numberOr(r.deletes),
  };
}

export function toMetricPoints(body: unknown): TaskMetricPoint[] {
  const list = Array.isArray(body) ? body : ((body as Raw | null)?.points ?? (body as Raw | null)?.items ?? (body as Raw | null)?.samples);
  if (!Array.isArray(list)) return [];
  return list.map(toMetricPoint).filter((p): p is TaskMetricPoint => p !== null).sort((a, b) => a.time - b.time);
}

export interface TaskMetrics {
  points: TaskMetricPoint[];
  /** Per-table counters since the task was created (empty from a server without them). */
  tables: TaskTableCounterView[];
  catchUp: TaskCatchUpView;
}

export async function getTaskMetrics(id: string, range: { from: Date; to?: Date; maxPoints?: number }, signal?: AbortSignal): Promise<TaskMetrics> {
  const body = await fetchJson<unknown>(`/tasks/${encodeURIComponent(id)}/metrics`, {
    query: { from: range.from.toISOString(), to: range.to?.toISOString(), maxPoints: range.maxPoints },
    signal,
  });
  const view = (body ?? {}) as Raw;
  return {
    points: toMetricPoints(body),
    tables: Array.isArray(view.tables) ? (view.tables as TaskTableCounterView[]) : [],
    catchUp: (view.catchUp as TaskCatchUpView | undefined) ?? { state: 'unknown' },
  };
}

/** The live stream; the browser sends the session cookie (same origin). */
export function taskEventsUrl(id: string): string {
  return apiUrl(`/tasks/${encodeURIComponent(id)}/events`);
}
