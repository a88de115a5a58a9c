import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TaskCatchUpView, TaskTableCounterView } from '@walbridge/contracts';
import { getTaskMetrics, taskEventsUrl, toMetricPoint, type TaskMetricPoint } from '../../api/monitoring.api';
import type { TaskDetail } from '../../api/task-lifecycle.types';
import { lsnDiff } from '../../ui/lsn';
import type { SeriesPoint } from '../../ui/time-series-chart';
import { DEFAULT_RANGE, LIVE_RANGE_MAX_MS, MAX_POINTS, type MetricsRange } from './metrics-range';

export const SERIES_WINDOW_MS = DEFAULT_RANGE.ms;

export interface TaskSeries {
  /**
   * `metrics`: the API's own time series (rows per second); `sampled`: this page's samples of
   * the task (delay, and how fast the confirmed position moves in WAL bytes) for an API without
   * metrics.
   */
  source: 'metrics' | 'sampled';
  live: boolean;
  delay: SeriesPoint[];
  throughput: SeriesPoint[];
  /** The rest come from the API's metrics only (empty when sampled). */
  rowsRead: SeriesPoint[];
  bytesWritten: SeriesPoint[];
  bytesRead: SeriesPoint[];
  retainedWal: SeriesPoint[];
  /** The newest point with totals: changes per operation since the task was created. */
  totals: Pick<TaskMetricPoint, 'inserts' | 'updates' | 'deletes'> | null;
  tables: TaskTableCounterView[];
  catchUp: TaskCatchUpView;
}

interface Sample {
  time: number;
  delaySeconds: number | null;
  confirmedLsn: string | null;
}

/** WAL bytes per second between consecutive samples: how fast the confirmed position moved. */
export function walRate(samples: Sample[]): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const prev = samples[i - 1];
    const cur = samples[i];
    const seconds = (cur.time - prev.time) / 1000;
    const known = prev.confirmedLsn !== null && cur.confirmedLsn !== null && seconds > 0;
    out.push({ time: cur.time, value: known ? lsnDiff(prev.confirmedLsn, cur.confirmedLsn) / seconds : null });
  }
  return out;
}

export function mergePoints(a: TaskMetricPoint[], b: TaskMetricPoint[], now: number, windowMs = SERIES_WINDOW_MS): TaskMetricPoint[] {
  const byTime = new Map<number, TaskMetricPoint>();
  for (const p of [...a, ...b]) if (p.time >= now - windowMs) byTime.set(p.time, p);
  return [...byTime.values()].sort((x, y) => x.time - y.time);
}

const series = (points: TaskMetricPoint[], pick: (p: TaskMetricPoint) => number | null): SeriesPoint[] => points.map((p) => ({ time: p.time, value: pick(p) }));

export function useTaskSeries(
  task: TaskDetail | undefined,
  updatedAt: number,
  hasMetrics: boolean | undefined,
  hasEvents: boolean | undefined,
  range: MetricsRange = DEFAULT_RANGE,
): TaskSeries {
  const id = task?.id ?? '';
  const liveRange = range.ms <= LIVE_RANGE_MAX_MS;
  const metrics = useQuery({
    queryKey: ['tasks', 'metrics', id, range.id],
    // Both ends: with only \`from\` the API answers the hour after it.
    queryFn: ({ signal }) => {
      const to = Date.now();
      return getTaskMetrics(id, { from: new Date(to - range.ms), to: new Date(to), maxPoints: MAX_POINTS }, signal);
    },
    enabled: !!id && hasMetrics === true,
    // Live samples fill the short ranges between reads; the per-table counters and the ETA
    // come with each read.
    refetchInterval: range.ms > LIVE_RANGE_MAX_MS ? 30_000 : 5_000,
  });
  const [livePoints, setLivePoints] = useState<TaskMetricPoint[]>([]);
  const [samples, setSamples] = useState<Sample[]>([]);
  const lastSampled = useRef(0);

  // The live stream, when the API has one: metric samples are appended as they come.
  useEffect(() => {
    if (!id || hasEvents !== true || typeof EventSource === 'undefined') return;
    const source = new EventSource(taskEventsUrl(id));
    const onMetrics = (event: MessageEvent<string>) => {
      try {
        const point = toMetricPoint(JSON.parse(event.data));
        if (point) setLivePoints((current) => mergePoints(current, [point], Date.now()));
      } catch {
        // A malformed event is skipped; the next one will do.
      }
    };
    source.addEventListener('metrics', onMetrics as EventListener);
    return () => source.close();
  }, [id, hasEvents]);

  // Without metrics, every refresh of the task is a sample.
  useEffect(() => {
    if (!task || hasMetrics !== false || updatedAt === lastSampled.current) return;
    lastSampled.current = updatedAt;
    const sample = { time: updatedAt, delaySeconds: task.delaySeconds, confirmedLsn: task.confirmedLsn };
    setSamples((current) => [...current.filter((s) => s.time >= updatedAt - SERIES_WINDOW_MS), sample]);
  }, [task, updatedAt, hasMetrics]);

  return useMemo(() => {
    if (hasMetrics) {
      const points = mergePoints(metrics.data?.points ?? [], liveRange ? livePoints : [], Date.now(), range.ms);
      const withTotals = [...points].reverse().find((p) => p.inserts !== null);
      return {
        source: 'metrics',
        live: hasEvents === true && liveRange,
        delay: series(points, (p) => p.delaySeconds),
        throughput: series(points, (p) => p.rowsPerSecond),
        rowsRead: series(points, (p) => p.rowsReadPerSecond),
        bytesWritten: series(points, (p) => p.bytesPerSecond),
        bytesRead: series(points, (p) => p.bytesReadPerSecond),
        retainedWal: series(points, (p) => p.retainedWalBytes),
        totals: withTotals ? { inserts: withTotals.inserts, updates: withTotals.updates, deletes: withTotals.deletes } : null,
        tables: metrics.data?.tables ?? [],
        catchUp: metrics.data?.catchUp ?? { state: 'unknown' },
      };
    }
    return {
      source: 'sampled',
      live: true,
      delay: samples.map((s) => ({ time: s.time, value: s.delaySeconds })),
      throughput: walRate(samples),
      rowsRead: [],
      bytesWritten: [],
      bytesRead: [],
      retainedWal: [],
      totals: null,
      tables: [],
      catchUp: { state: 'unknown' },
    };
  }, [hasMetrics, hasEvents, metrics.data, livePoints, samples, range.ms, liveRange]);
}
