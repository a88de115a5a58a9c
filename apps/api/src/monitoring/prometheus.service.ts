import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import type { AppConfig } from '@walbridge/config';
import { TASK_STATUSES, type TaskStatus } from '@walbridge/contracts';
import { parseLsn } from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { TaskBackfillRepository, TaskMetricRepository } from '@walbridge/persistence';
import { FleetService } from '../fleet/fleet.service';

const STREAMING = new Set<TaskStatus>(['STARTING', 'FULL_SYNC', 'INCREMENTAL', 'INCREMENTAL_FAILED']);

/**
 * `GET /metrics` in Prometheus text format, for every live task (labels `task` = id and
 * `task_name`). Any api replica answers the same: it reads the latest state from the metadata
 * database (one query per scrape); nothing is kept in the process.
 */
@Injectable()
export class PrometheusService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: TaskMetricRepository,
    private readonly backfills: TaskBackfillRepository,
    private readonly fleet: FleetService,
  ) {}

  async render(): Promise<string> {
    const registry = new Registry();
    const labelNames = ['task', 'task_name'] as const;
    const gauge = (name: string, help: string, extra: string[] = []) => new Gauge({ name, help, labelNames: [...labelNames, ...extra], registers: [registry] });
    const counter = (name: string, help: string, extra: string[] = []) => new Counter({ name, help, labelNames: [...labelNames, ...extra], registers: [registry] });

    const status = gauge('walbridge_task_status', 'The task status: 1 for the current one.', ['status']);
    const delay = gauge('walbridge_task_delay_seconds', 'Age of the oldest change committed on the source and not yet acknowledged by Kafka (0 when caught up); only while a worker streams.');
    const failing = gauge('walbridge_task_failing', '1 while the task is in a failure episode (retrying or given up).');
    const retained = gauge('walbridge_task_slot_retained_wal_bytes', 'WAL the task’s replication slot keeps on the source, as last measured.');
    const lsn = gauge('walbridge_task_confirmed_lsn_bytes', 'Confirmed LSN of the slot as a byte position (rate() of it is the WAL the task gets through).');
    const rowsRead = counter('walbridge_task_rows_read_total', 'Row changes read from the source (filtered ones included).');
    const rowsWritten = counter('walbridge_task_rows_written_total', 'Messages acknowledged by Kafka.');
    const bytesRead = counter('walbridge_task_bytes_read_total', 'Bytes of logical replication messages read from the source.');
    const bytesWritten = counter('walbridge_task_bytes_written_total', 'Bytes of messages acknowledged by Kafka.');
    const changes = counter('walbridge_task_changes_total', 'Changes captured for delivery, per operation.', ['operation']);
    const rates = {
      rowsReadPerSecond: gauge('walbridge_task_rows_read_per_second', 'Rows read per second over the last sampling interval (0 when no worker streams).'),
      rowsWrittenPerSecond: gauge('walbridge_task_rows_written_per_second', 'Rows written per second over the last sampling interval.'),
      bytesReadPerSecond: gauge('walbridge_task_bytes_read_per_second', 'Bytes read per second over the last sampling interval.'),
      bytesWrittenPerSecond: gauge('walbridge_task_bytes_written_per_second', 'Bytes written per second over the last sampling interval.'),
    };
    const sampledAt = gauge('walbridge_task_last_sample_timestamp_seconds', 'When the task was last sampled.');

    // A rate older than a few sampling intervals belongs to a worker that is gone.
    const freshAfter = Date.now() - 3 * this.config.WALBRIDGE_METRICS_SAMPLE_MS;
    for (const state of await this.metrics.currentStates()) {
      const labels = { task: state.taskId, task_name: state.name };
      for (const s of TASK_STATUSES) if (s !== 'DELETED') status.set({ ...labels, status: s }, s === state.status ? 1 : 0);
      failing.set(labels, state.failing ? 1 : 0);
      if (state.delaySeconds !== null && STREAMING.has(state.status)) delay.set(labels, state.delaySeconds);
      if (state.retainedWalBytes !== null) retained.set(labels, state.retainedWalBytes);
      if (state.confirmedLsn) lsn.set(labels, Number(parseLsn(state.confirmedLsn)));
      const latest = state.latest;
      if (!latest) continue;
      rowsRead.inc(labels, latest.rowsRead);
      rowsWritten.inc(labels, latest.rowsWritten);
      bytesRead.inc(labels, latest.bytesRead);
      bytesWritten.inc(labels, latest.bytesWritten);
      changes.inc({ ...labels, operation: 'insert' }, latest.inserts);
      changes.inc({ ...labels, operation: 'update' }, latest.updates);
      changes.inc({ ...labels, operation: 'delete' }, latest.deletes);
      const fresh = latest.at.getTime() >= freshAfter && STREAMING.has(state.status);
      for (const [key, g] of Object.entries(rates)) g.set(labels, fresh ? latest[key as keyof typeof rates] : 0);
      sampledAt.set(labels, latest.at.getTime() / 1000);
    }
    const snapshotRows = counter('walbridge_snapshot_rows_total', 'Rows of existing data (full synchronization, backfills) acknowledged by Kafka.', ['schema', 'table']);
    const snapshotLeft = gauge('walbridge_snapshot_rows_remaining', 'Rows still estimated to be read by the open full synchronization or backfills.', ['schema', 'table']);
    for (const t of await this.backfills.snapshotTotals()) {
      const labels = { task: t.taskId, task_name: t.taskName, schema: t.schema, table: t.table };
      snapshotRows.inc(labels, t.sent);
      snapshotLeft.set(labels, t.remaining);
    }
    await this.renderFleet(registry);
    return registry.metrics();
  }

  /** Per scheduler of the fleet (issue 19), as each last published itself in Redis. */
  private async renderFleet(registry: Registry): Promise<void> {
    const labelNames = ['scheduler', 'host', 'version'] as const;
    const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
    const tasks = gauge('walbridge_scheduler_tasks', 'Tasks whose lease the scheduler holds.');
    const capacity = gauge('walbridge_scheduler_capacity', 'WALBRIDGE_SCHEDULER_MAX_TASKS of the scheduler.');
    const draining = gauge('walbridge_scheduler_draining', '1 while the scheduler takes no task and hands its own over.');
    const heartbeat = gauge('walbridge_scheduler_heartbeat_age_seconds', 'Seconds since the scheduler last published itself.');
    const waiting = new Gauge({ name: 'walbridge_tasks_waiting_for_capacity', help: 'Tasks no scheduler has room for.', registers: [registry] });
    const view = await this.fleet.list();
    for (const s of view.items) {
      const labels = { scheduler: s.id, host: s.host, version: s.version };
      tasks.set(labels, s.tasks);
      capacity.set(labels, s.capacity);
      draining.set(labels, s.draining ? 1 : 0);
      heartbeat.set(labels, Math.max(0, (Date.now() - Date.parse(s.lastHeartbeatAt)) / 1000));
    }
    waiting.set(view.waiting.length);
  }
}
