import { describe, expect, it } from 'vitest';
import type { AppConfig } from '@walbridge/config';
import type { TableCountRow, TaskMetricRepository, TaskMetricRow } from '@walbridge/persistence';
import { InMemoryTaskRepository } from '@walbridge/persistence/testing';
import { taskRow } from '../tasks/testing/task-store.fake';
import { TaskMetricsService } from './task-metrics.service';

const NOW = Date.now();

function sample(secondsAgo: number, delaySeconds: number): TaskMetricRow {
  return {
    taskId: 'task-1',
    at: new Date(NOW - secondsAgo * 1000),
    status: 'INCREMENTAL',
    delaySeconds,
    rowsReadPerSecond: 0,
    rowsWrittenPerSecond: 0,
    bytesReadPerSecond: 0,
    bytesWrittenPerSecond: 0,
    rowsRead: 0,
    rowsWritten: 0,
    bytesRead: 0,
    bytesWritten: 0,
    inserts: 0,
    updates: 0,
    deletes: 0,
    confirmedLsn: null,
    retainedWalBytes: null,
    lastError: null,
  };
}

/** The metric series in memory: range returns what lies in [from, to]. */
class FakeMetrics {
  constructor(
    readonly samples: TaskMetricRow[],
    readonly tables: TableCountRow[],
  ) {}
  async range(_taskId: string, from: Date, to: Date): Promise<TaskMetricRow[]> {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }
  async tableCounts(): Promise<TableCountRow[]> {
    return this.tables;
  }
}

const service = (status: 'INCREMENTAL' | 'COMPLETED', samples: TaskMetricRow[], tables: TableCountRow[] = []) =>
  new TaskMetricsService(
    { WALBRIDGE_METRICS_SAMPLE_MS: 10_000 } as AppConfig,
    new InMemoryTaskRepository([taskRow({ id: 'task-1', status })]).asRepository(),
    new FakeMetrics(samples, tables) as unknown as TaskMetricRepository,
  );

describe('TaskMetricsService.history', () => {
  it('carries the per-table counters with their row sums and ISO times', async () => {
    const view = await service('INCREMENTAL', [], [
      { table: 'shop.orders', inserts: 4, updates: 2, deletes: 1, truncates: 0, lastChangeAt: new Date('2026-12-04T01:00:00Z') },
      { table: 'shop.items', inserts: 0, updates: 0, deletes: 0, truncates: 1, lastChangeAt: null },
    ]).history('task-1', { maxPoints: 1000 });
    expect(view.tables).toEqual([
      { table: 'shop.orders', inserts: 4, updates: 2, deletes: 1, truncates: 0, rows: 7, lastChangeAt: '2026-12-04T01:00:00.000Z' },
      { table: 'shop.items', inserts: 0, updates: 0, deletes: 0, truncates: 1, rows: 0, lastChangeAt: null },
    ]);
  });

  it('estimates the catch-up from the last minutes of a streaming task, whatever the range', async () => {
    // 180 s → 120 s of delay over the last 30 s; the chart asks for a range two hours back.
    const samples = [sample(30, 180), sample(20, 160), sample(10, 140), sample(0, 120)];
    const view = await service('INCREMENTAL', samples).history('task-1', { from: NOW - 3 * 3600_000, to: NOW - 2 * 3600_000, maxPoints: 1000 });
    expect(view.samples).toEqual([]);
    expect(view.catchUp).toEqual({ state: 'catching-up', etaSeconds: 60 });
  });

  it('says nothing of a catch-up for a task that does not stream', async () => {
    const view = await service('COMPLETED', [sample(10, 50), sample(0, 60)]).history('task-1', { maxPoints: 1000 });
    expect(view.catchUp).toEqual({ state: 'unknown' });
  });
});
