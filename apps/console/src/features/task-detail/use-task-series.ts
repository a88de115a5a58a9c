import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { getTaskMetrics, taskEventsUrl, toMetricPoint, type TaskMetricPoint } from '../../api/monitoring.api';
import type { TaskDetail } from '../../api/task-lifecycle.types';
import { lsnDiff } from '../../ui/lsn';
import type { SeriesPoint } from '../../ui/time-series-chart';

export const SERIES_WINDOW_MS = 15 * 60_000;

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

export function mergePoints(a: TaskMetricPoint[], b: TaskMetricPoint[], now: number): TaskMetricPoint[] {
  const byTime = new Map<number, TaskMetricPoint>();
  for (const p of [...a, ...b]) if (p.time >= now - SERIES_WINDOW_MS) byTime.set(p.time, p);
  return [...byTime.values()].sort((x, y) => x.time - y.time);
}

export function useTaskSeries(task: TaskDetail | undefined, updatedAt: number, hasMetrics: boolean | undefined, hasEvents: boolean | undefined): TaskSeries {
  const id = task?.id ?? '';
  const metrics = useQuery({
    queryKey: ['tasks', 'metrics', id],
    queryFn: ({ signal }) => getTaskMetrics(id, { from: new Date(Date.now() - SERIES_WINDOW_MS) }, signal),
    enabled: !!id && hasMetrics === true,
    refetchInterval: hasEvents ? false : 5_000,
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
      const points = mergePoints(metrics.data ?? [], livePoints, Date.now());
      return {
        source: 'metrics',
        live: hasEvents === true,
        delay: points.map((p) => ({ time: p.time, value: p.delaySeconds })),
        throughput: points.map((p) => ({ time: p.time, value: p.rowsPerSecond })),
      };
    }
    return {
      source: 'sampled',
      live: true,
      delay: samples.map((s) => ({ time: s.time, value: s.delaySeconds })),
      throughput: walRate(samples),
    };
  }, [hasMetrics, hasEvents, metrics.data, livePoints, samples]);
}
