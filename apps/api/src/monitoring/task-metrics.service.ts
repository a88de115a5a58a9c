import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@walbridge/config';
import { TASK_METRICS_MAX_RANGE_MS, type TaskMetricSample, type TaskMetricsQuery, type TaskMetricsView, type TaskTableCounterView } from '@walbridge/contracts';
import { DomainError, estimateCatchUp } from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { TaskMetricRepository, TaskRepository, type TableCountRow, type TaskMetricRow } from '@walbridge/persistence';
import { loadLiveTask } from '../common/live-task';

const HOUR_MS = 3600_000;
/** The catch-up ETA reads the trend of the last minutes, whatever the chart's range. */
const TREND_MS = 5 * 60_000;
const STREAMING = new Set(['FULL_SYNC', 'INCREMENTAL', 'STARTING', 'PAUSING', 'STOPPING']);

@Injectable()
export class TaskMetricsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: TaskRepository,
    private readonly metrics: TaskMetricRepository,
  ) {}

  /**
   * Samples between from and to (default: the last hour). A range with more samples than
   * maxPoints comes in buckets (a point per step), so a day fits a chart.
   */
  async history(taskId: string, query: TaskMetricsQuery): Promise<TaskMetricsView> {
    const task = await loadLiveTask(this.tasks, taskId);
    const to = query.to ?? (query.from !== undefined ? Math.min(Date.now(), query.from + HOUR_MS) : Date.now());
    const from = query.from ?? to - HOUR_MS;
    if (from >= to) throw invalid('from', 'from must be before to');
    if (to - from > TASK_METRICS_MAX_RANGE_MS) throw invalid('from', 'the range from-to may span at most 7 days');
    const sampleSeconds = this.config.WALBRIDGE_METRICS_SAMPLE_MS / 1000;
    const needed = Math.ceil((to - from) / 1000 / query.maxPoints);
    const step = needed > sampleSeconds ? needed : null;
    const now = Date.now();
    const [rows, tables, recent] = await Promise.all([
      this.metrics.range(taskId, new Date(from), new Date(to), step, query.maxPoints),
      this.metrics.tableCounts(taskId),
      STREAMING.has(task.status) ? this.metrics.range(taskId, new Date(now - TREND_MS), new Date(now), null, 200) : Promise.resolve([]),
    ]);
    return {
      taskId,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      stepSeconds: step ?? sampleSeconds,
      samples: rows.map(toSample),
      tables: tables.map(toTableView),
      catchUp: estimateCatchUp(recent.map((r) => ({ at: r.at.getTime(), delaySeconds: r.delaySeconds, backlogBytes: r.retainedWalBytes }))),
    };
  }
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('invalid', 'VALIDATION_FAILED', 'the request is invalid', [{ field, message }]);
}

export function toSample(row: TaskMetricRow): TaskMetricSample {
  return {
    at: row.at.toISOString(),
    status: row.status,
    delaySeconds: row.delaySeconds,
    rowsReadPerSecond: row.rowsReadPerSecond,
    rowsWrittenPerSecond: row.rowsWrittenPerSecond,
    bytesReadPerSecond: row.bytesReadPerSecond,
    bytesWrittenPerSecond: row.bytesWrittenPerSecond,
    rowsRead: row.rowsRead,
    rowsWritten: row.rowsWritten,
    bytesRead: row.bytesRead,
    bytesWritten: row.bytesWritten,
    inserts: row.inserts,
    updates: row.updates,
    deletes: row.deletes,
    confirmedLsn: row.confirmedLsn,
    retainedWalBytes: row.retainedWalBytes,
    lastError: row.lastError,
  };
}

function toTableView(row: TableCountRow): TaskTableCounterView {
  return { ...row, rows: row.inserts + row.updates + row.deletes, lastChangeAt: row.lastChangeAt?.toISOString() ?? null };
}
