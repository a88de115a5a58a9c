import type { DataSource } from 'typeorm';
import type { TaskMetricSample, TaskStatus } from '@walbridge/contracts';

/** The measured part of a TaskMetricSample (the API contract); status, retained WAL and last error come from the task row. */
type MeasuredFields = Omit<TaskMetricSample, 'at' | 'status' | 'retainedWalBytes' | 'lastError'>;

/** A sample as the scheduler measures it. */
export interface NewTaskMetric extends MeasuredFields {
  taskId: string;
  at: Date;
}

export interface TaskMetricRow extends NewTaskMetric {
  status: TaskStatus;
  retainedWalBytes: number | null;
  lastError: string | null;
}

export interface TaskCurrentState {
  taskId: string;
  name: string;
  status: TaskStatus;
  delaySeconds: number | null;
  confirmedLsn: string | null;
  retainedWalBytes: number | null;
  failing: boolean;
  latest: TaskMetricRow | null;
}

const COLUMNS = `task_id, at, status, delay_seconds, rows_read_per_second, rows_written_per_second, bytes_read_per_second,
  bytes_written_per_second, rows_read, rows_written, bytes_read, bytes_written, inserts, updates, deletes, confirmed_lsn,
  retained_wal_bytes, last_error`;

/** What a task's worker sent to one table since the last stored sample (additive). */
export interface TableCountDelta {
  table: string;
  inserts: number;
  updates: number;
  deletes: number;
  truncates: number;
  /** Epoch ms; 0 when unknown. */
  lastChangeAt: number;
}

export interface TableCountRow extends Omit<TableCountDelta, 'lastChangeAt'> {
  lastChangeAt: Date | null;
}

/**
 * The task_metric time series. Plain SQL: the writes are one statement per sample, and the
 * range query buckets in the database when a range holds more samples than a chart needs.
 */
export class TaskMetricRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a sample with the task's current status, retained WAL and last error; returns the stored row (null if the task is gone). */
  async insert(sample: NewTaskMetric): Promise<TaskMetricRow | null> {
    const rows = await this.dataSource.query(
      `INSERT INTO task_metric (${COLUMNS})
       SELECT $1, $2, t.status, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, t.slot_retained_bytes, t.last_error
       FROM task t WHERE t.id = $1
       ON CONFLICT (task_id, at) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        sample.taskId,
        sample.at,
        sample.delaySeconds,
        sample.rowsReadPerSecond,
        sample.rowsWrittenPerSecond,
        sample.bytesReadPerSecond,
        sample.bytesWrittenPerSecond,
        sample.rowsRead,
        sample.rowsWritten,
        sample.bytesRead,
        sample.bytesWritten,
        sample.inserts,
        sample.updates,
        sample.deletes,
        sample.confirmedLsn,
      ],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  async latest(taskId: string): Promise<TaskMetricRow | null> {
    const rows = await this.dataSource.query(`SELECT ${COLUMNS} FROM task_metric WHERE task_id = $1 ORDER BY at DESC LIMIT 1`, [taskId]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  /**
   * Samples of a task in [from, to], oldest first. With `stepSeconds` the samples are grouped in
   * buckets of that length: the highest delay, the mean rates, and the last totals, LSN, status,
   * retained WAL and error of each bucket.
   */
  async range(taskId: string, from: Date, to: Date, stepSeconds: number | null, limit: number): Promise<TaskMetricRow[]> {
    if (!stepSeconds) {
      const rows = await this.dataSource.query(
        `SELECT * FROM (SELECT ${COLUMNS} FROM task_metric WHERE task_id = $1 AND at >= $2 AND at <= $3 ORDER BY at DESC LIMIT $4) s ORDER BY at`,
        [taskId, from, to, limit],
      );
      return rows.map(toRow);
    }
    const rows = await this.dataSource.query(
      `SELECT $1::uuid AS task_id,
              to_timestamp(floor(extract(epoch FROM at) / $4) * $4 + $4) AS at,
              (array_agg(status ORDER BY at DESC))[1] AS status,
              max(delay_seconds) AS delay_seconds,
              avg(rows_read_per_second) AS rows_read_per_second,
              avg(rows_written_per_second) AS rows_written_per_second,
              avg(bytes_read_per_second) AS bytes_read_per_second,
              avg(bytes_written_per_second) AS bytes_written_per_second,
              max(rows_read) AS rows_read, max(rows_written) AS rows_written, max(bytes_read) AS bytes_read,
              max(bytes_written) AS bytes_written, max(inserts) AS inserts, max(updates) AS updates, max(deletes) AS deletes,
              (array_agg(confirmed_lsn ORDER BY at DESC))[1] AS confirmed_lsn,
              (array_agg(retained_wal_bytes ORDER BY at DESC))[1] AS retained_wal_bytes,
              (array_agg(last_error ORDER BY at DESC))[1] AS last_error
       FROM task_metric WHERE task_id = $1 AND at >= $2 AND at <= $3
       GROUP BY floor(extract(epoch FROM at) / $4)
       ORDER BY 2 DESC LIMIT $5`,
      [taskId, from, to, stepSeconds, limit],
    );
    return rows.map(toRow).reverse();
  }

  /**
   * Every live task with its current state and its newest sample, if any (for /metrics): one
   * index probe per task, whatever the size of the series.
   */
  async currentStates(): Promise<TaskCurrentState[]> {
    const rows = await this.dataSource.query(
      `SELECT t.id AS t_id, t.name AS t_name, t.status AS t_status, t.delay_seconds AS t_delay, t.confirmed_lsn AS t_lsn,
              t.slot_retained_bytes AS t_retained, (t.failing_since IS NOT NULL) AS t_failing, m.*
       FROM task t
       LEFT JOIN LATERAL (SELECT * FROM task_metric WHERE task_id = t.id ORDER BY at DESC LIMIT 1) m ON true
       WHERE t.status <> 'DELETED'
       ORDER BY t.created_at`,
    );
    return rows.map((r: Record<string, unknown>) => ({
      taskId: String(r.t_id),
      name: String(r.t_name),
      status: r.t_status as TaskStatus,
      delaySeconds: r.t_delay === null ? null : Number(r.t_delay),
      confirmedLsn: (r.t_lsn as string | null) ?? null,
      retainedWalBytes: r.t_retained === null ? null : Number(r.t_retained),
      failing: r.t_failing === true,
      latest: r.at ? toRow(r) : null,
    }));
  }

  /** Adds a stored sample's per-table changes to the task's per-table counters (one statement). */
  async addTableCounts(taskId: string, deltas: TableCountDelta[]): Promise<void> {
    if (!deltas.length) return;
    await this.dataSource.query(
      `INSERT INTO task_table_counter AS c (task_id, table_name, inserts, updates, deletes, truncates, last_change_at)
       SELECT $1, d.t, d.i, d.u, d.d, d.x, CASE WHEN d.l > 0 THEN to_timestamp(d.l / 1000.0) END
       FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[]) AS d(t, i, u, d, x, l)
       WHERE EXISTS (SELECT 1 FROM task WHERE id = $1)
       ON CONFLICT (task_id, table_name) DO UPDATE SET
         inserts = c.inserts + EXCLUDED.inserts, updates = c.updates + EXCLUDED.updates, deletes = c.deletes + EXCLUDED.deletes,
         truncates = c.truncates + EXCLUDED.truncates, last_change_at = GREATEST(c.last_change_at, EXCLUDED.last_change_at), updated_at = now()`,
      [
        taskId,
        deltas.map((d) => d.table),
        deltas.map((d) => d.inserts),
        deltas.map((d) => d.updates),
        deltas.map((d) => d.deletes),
        deltas.map((d) => d.truncates),
        deltas.map((d) => d.lastChangeAt),
      ],
    );
  }

  /** A task's per-table counters, most recently changed first. */
  async tableCounts(taskId: string, limit = 1000): Promise<TableCountRow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT table_name, inserts, updates, deletes, truncates, last_change_at FROM task_table_counter
       WHERE task_id = $1 ORDER BY last_change_at DESC NULLS LAST, table_name LIMIT $2`,
      [taskId, limit],
    );
    return rows.map((r) => ({
      table: String(r.table_name),
      inserts: num(r.inserts),
      updates: num(r.updates),
      deletes: num(r.deletes),
      truncates: num(r.truncates),
      lastChangeAt: r.last_change_at ? new Date(String(r.last_change_at instanceof Date ? r.last_change_at.toISOString() : r.last_change_at)) : null,
    }));
  }

  /** Deletes samples older than `before`, at most `batch` rows per statement; returns how many went. */
  async purgeOlderThan(before: Date, batch: number): Promise<number> {
    const result = await this.dataSource.query(
      `DELETE FROM task_metric WHERE ctid IN (SELECT ctid FROM task_metric WHERE at < $1 LIMIT $2)`,
      [before, batch],
    );
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }
}

function num(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

function toRow(r: Record<string, unknown>): TaskMetricRow {
  return {
    taskId: String(r.task_id),
    at: r.at instanceof Date ? r.at : new Date(String(r.at)),
    status: r.status as TaskStatus,
    delaySeconds: num(r.delay_seconds),
    rowsReadPerSecond: num(r.rows_read_per_second),
    rowsWrittenPerSecond: num(r.rows_written_per_second),
    bytesReadPerSecond: num(r.bytes_read_per_second),
    bytesWrittenPerSecond: num(r.bytes_written_per_second),
    rowsRead: num(r.rows_read),
    rowsWritten: num(r.rows_written),
    bytesRead: num(r.bytes_read),
    bytesWritten: num(r.bytes_written),
    inserts: num(r.inserts),
    updates: num(r.updates),
    deletes: num(r.deletes),
    confirmedLsn: (r.confirmed_lsn as string | null) ?? null,
    retainedWalBytes: r.retained_wal_bytes === null || r.retained_wal_bytes === undefined ? null : Number(r.retained_wal_bytes),
    lastError: (r.last_error as string | null) ?? null,
  };
}
