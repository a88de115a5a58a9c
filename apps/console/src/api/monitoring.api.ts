import { apiUrl, fetchJson } from './api-client';

/*
 * Metrics of PRODUCT.md §6 (issue 6): `GET /tasks/{id}/metrics?from=&to=` and the live stream
 * `GET /tasks/{id}/events` (server-sent events). Their shapes are not in the contracts yet; what
 * the console reads from them is normalized here, so wiring the final shape is one place.
 */

export interface TaskMetricPoint {
  /** Epoch milliseconds. */
  time: number;
  delaySeconds: number | null;
  rowsPerSecond: number | null;
  bytesPerSecond: number | null;
  confirmedLsn: string | null;
  retainedWalBytes: number | null;
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
    confirmedLsn: typeof r.confirmedLsn === 'string' ? r.confirmedLsn : null,
    retainedWalBytes: numberOr(r.retainedWalBytes, r.walRetainedBytes),
  };
}

export function toMetricPoints(body: unknown): TaskMetricPoint[] {
  const list = Array.isArray(body) ? body : ((body as Raw | null)?.points ?? (body as Raw | null)?.items ?? (body as Raw | null)?.samples);
  if (!Array.isArray(list)) return [];
  return list.map(toMetricPoint).filter((p): p is TaskMetricPoint => p !== null).sort((a, b) => a.time - b.time);
}

export async function getTaskMetrics(id: string, range: { from: Date; to?: Date }, signal?: AbortSignal): Promise<TaskMetricPoint[]> {
  const body = await fetchJson<unknown>(`/tasks/${encodeURIComponent(id)}/metrics`, {
    query: { from: range.from.toISOString(), to: range.to?.toISOString() },
    signal,
  });
  return toMetricPoints(body);
}

/** The live stream; the browser sends the session cookie (same origin). */
export function taskEventsUrl(id: string): string {
  return apiUrl(`/tasks/${encodeURIComponent(id)}/events`);
}
