import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@walbridge/config';
import type { TaskConfig, TaskMetricSample, TaskStatus } from '@walbridge/contracts';
import {
  ZERO_COUNTERS,
  addCounters,
  evaluateDelayAlarm,
  parseDelayAlarmState,
  ratesBetween,
  slotRetentionChange,
  startDelayAlarm,
  type DelayAlarmState,
  type FailureKind,
  type ThroughputCounters,
  type ThroughputRates,
} from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { TaskMetricRepository, TaskRepository, type TableCountDelta, type TaskEntity } from '@walbridge/persistence';
import type { SlotLostReport, SlotReport, WorkerProgress, WorkerTableCount, WorkerTableNotice } from '@walbridge/queue';
import { NotificationService } from '../notifications/notification.service';

const MB = 1024 * 1024;

/** A task with a streaming worker on this scheduler. */
interface Watch {
  task: TaskEntity;
  status: TaskStatus;
  /** Totals of the task before this worker started. */
  base: ThroughputCounters;
  totals: ThroughputCounters;
  progress: WorkerProgress | null;
  lastLive: { at: number; totals: ThroughputCounters } | null;
  lastStored: { at: number; totals: ThroughputCounters } | null;
  retainedWalBytes: number | null;
  lastError: string | null;
  alarm: DelayAlarmState;
  rates: ThroughputRates;
  /** Highest delay measured since the last stored sample: a stored sample keeps the peaks between samples. */
  peakDelaySeconds: number;
  /** Per-table counts of this worker (cumulative since it started), and as of the last stored sample. */
  tables: Map<string, WorkerTableCount>;
  tablesStored: Map<string, WorkerTableCount>;
}

export interface FailureReport {
  task: TaskEntity;
  status: 'STARTING' | 'START_FAILED' | 'INCREMENTAL_FAILED';
  error: string;
  kind: FailureKind;
  dataException: boolean;
  /** The slot was dropped or invalidated: the notice says what is lost and how to reset. */
  slotLost?: SlotLostReport | null;
  since: number;
  retrying: boolean;
  retryUntil: number;
  autoStopAt: number;
  /** The failure opened the episode (the task was healthy before it). */
  firstOfEpisode: boolean;
}

/**
 * What the scheduler owning a task watches while its worker streams (PRODUCT.md §6): it turns
 * the worker's progress into metrics (pushed live every second, stored every sampling interval),
 * evaluates the delay alarm (one evaluator per task cluster-wide: the lease owner) and the slot's
 * WAL retention, and notifies failures. Work per task is serialized.
 */
@Injectable()
export class TaskMonitor {
  private readonly logger = new Logger(TaskMonitor.name);
  private readonly watches = new Map<string, Watch>();
  private readonly serial = new Map<string, Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tasks: TaskRepository,
    private readonly metrics: TaskMetricRepository,
    private readonly notifier: NotificationService,
  ) {}

  /**
   * A stream worker was forked. A start or resume (STARTING) begins the catch-up during which
   * the delay alarm is silent; a restart after a failure or an adoption carries on the episode.
   */
  workerStarted(task: TaskEntity): Promise<void> {
    return this.exclusive(task.id, async () => {
      const latest = await this.metrics.latest(task.id);
      const stored = parseDelayAlarmState(task.delayAlarm);
      const alarm = task.status === 'STARTING' || !stored ? startDelayAlarm(stored) : stored;
      const base = latest ? pickCounters(latest) : { ...ZERO_COUNTERS };
      this.watches.set(task.id, {
        task,
        status: task.status,
        base,
        totals: base,
        progress: null,
        lastLive: null,
        lastStored: latest ? { at: Date.now(), totals: base } : null,
        retainedWalBytes: task.slotRetainedBytes === null ? null : Number(task.slotRetainedBytes),
        lastError: task.lastError,
        alarm,
        rates: { rowsReadPerSecond: 0, rowsWrittenPerSecond: 0, bytesReadPerSecond: 0, bytesWrittenPerSecond: 0 },
        peakDelaySeconds: 0,
        tables: new Map(),
        tablesStored: new Map(),
      });
      if (!sameAlarm(alarm, stored)) await this.tasks.update(task.id, { delayAlarm: alarm });
    });
  }

  streaming(taskId: string): void {
    const watch = this.watches.get(taskId);
    if (watch) {
      watch.status = 'INCREMENTAL';
      watch.lastError = null;
    }
  }

  /** Every progress report (each second): a live sample, a stored one when due, the delay alarm. */
  progress(taskId: string, progress: WorkerProgress): Promise<void> {
    return this.exclusive(taskId, async () => {
      const watch = this.watches.get(taskId);
      if (!watch) return;
      const now = Date.now();
      watch.progress = progress;
      for (const t of progress.tables ?? []) watch.tables.set(t.table, t);
      watch.peakDelaySeconds = Math.max(watch.peakDelaySeconds, progress.delayMs / 1000);
      watch.totals = addCounters(watch.base, progress);
      if (watch.lastLive) watch.rates = ratesBetween(watch.lastLive, { at: now, totals: watch.totals });
      watch.lastLive = { at: now, totals: watch.totals };
      if (!watch.lastStored || now - watch.lastStored.at >= this.config.WALBRIDGE_METRICS_SAMPLE_MS) await this.store(watch, now);
      else await this.publish(taskId, this.sample(watch, now, watch.rates));
      await this.evaluateDelay(watch, progress.delayMs / 1000, now, progress.startBacklogRead !== false);
    });
  }

  /** The worker ended: its last counts are stored, so the task's totals lose nothing. */
  workerEnded(taskId: string): Promise<void> {
    return this.exclusive(taskId, async () => {
      const watch = this.watches.get(taskId);
      this.watches.delete(taskId);
      if (watch?.progress && watch.lastStored && !sameCounters(watch.lastStored.totals, watch.totals)) await this.store(watch, Date.now());
    });
  }

  /** A slot measure, from a streaming worker or a slot check: notify once above the task's limit. */
  slotMeasured(task: TaskEntity | string, slot: SlotReport): Promise<void> {
    const taskId = typeof task === 'string' ? task : task.id;
    return this.exclusive(taskId, async () => {
      const watch = this.watches.get(taskId);
      if (watch) watch.retainedWalBytes = slot.retainedWalBytes;
      const entity = typeof task === 'string' ? watch?.task : task;
      if (!entity) return;
      const alarms = (entity.config as unknown as TaskConfig).alarms;
      const limitBytes = (alarms?.walRetentionLimitMb ?? this.config.WALBRIDGE_SLOT_WAL_LIMIT_MB) * MB;
      const change = slotRetentionChange(entity.walAlarmSince !== null, slot.exists ? slot.retainedWalBytes : null, limitBytes);
      if (change === 'clear') {
        entity.walAlarmSince = null;
        await this.tasks.update(taskId, { walAlarmSince: null });
      } else if (change === 'raise') {
        const since = new Date();
        entity.walAlarmSince = since;
        await this.tasks.update(taskId, { walAlarmSince: since });
        const fresh = (await this.tasks.findById(taskId)) ?? entity;
        await this.notifier.notify(
          fresh,
          { kind: 'slotWalRetention', status: fresh.status, slotName: fresh.slotName, retainedWalBytes: slot.retainedWalBytes!, limitBytes },
          `wal:${taskId}:${since.getTime()}`,
        );
      }
    });
  }

  /**
   * A stream worker failed. Notified once per failure episode when the task becomes abnormal
   * (INCREMENTAL_FAILED while retrying), and again when the retries give up (START_FAILED or
   * INCREMENTAL_FAILED until resumed). A data exception is notified as such (if the task wants
   * it) in place of the first abnormal notice.
   */
  async failed(report: FailureReport): Promise<void> {
    const { task } = report;
    const alarms = (task.config as unknown as TaskConfig).alarms;
    const episode = `${task.id}:${report.since}`;
    let dataExceptionNotified = false;
    if (report.dataException && alarms?.dataExceptionNotify) {
      dataExceptionNotified = await this.notifier.notify(
        task,
        { kind: 'dataException', status: report.status, error: report.error, since: report.since, retrying: report.retrying, retryUntil: report.retryUntil },
        `data-exception:${episode}`,
      );
    }
    if (report.status === 'STARTING') return; // a start that is still retried is not abnormal yet
    // The data-exception notice stands for this failure (a data exception is not retried, so it
    // is also the one that gave up).
    if (dataExceptionNotified) return;
    if (report.retrying && !report.firstOfEpisode) return;
    await this.notifier.notify(
      task,
      {
        kind: 'taskAbnormal',
        status: report.status,
        error: report.error,
        failureKind: report.kind,
        ...(report.slotLost ? { slotLost: report.slotLost } : {}),
        since: report.since,
        retrying: report.retrying,
        retryUntil: report.retryUntil,
        autoStopAt: report.autoStopAt,
      },
      `abnormal:${episode}:${report.retrying ? 'retrying' : 'gave-up'}`,
    );
  }

  /** A source table needs attention (no key, or added after it held rows): one notice per table identity and event. */
  async tableNotice(taskId: string, notice: WorkerTableNotice): Promise<void> {
    const task = await this.tasks.findById(taskId);
    if (!task) return;
    await this.notifier.notify(
      task,
      { kind: 'sourceTable', event: notice.event, table: notice.table, detail: notice.detail },
      `source-table:${task.id}:${notice.oid}:${notice.event}`,
    );
  }

  /** The housekeeping sweep stopped an abnormal task after alarms.abnormalStopDays. */
  async autoStopped(task: TaskEntity, days: number): Promise<void> {
    await this.notifier.notify(
      task,
      { kind: 'taskAutoStopped', previousStatus: task.status, since: task.failingSince?.getTime() ?? null, abnormalStopDays: days, error: task.lastError },
      `auto-stop:${task.id}:${task.failingSince?.getTime() ?? task.autoStopAt?.getTime() ?? 0}`,
    );
  }

  private async evaluateDelay(watch: Watch, delaySeconds: number, now: number, backlogRead: boolean): Promise<void> {
    const alarms = (watch.task.config as unknown as TaskConfig).alarms;
    const settings = { thresholdSeconds: alarms?.delayThresholdSeconds ?? 0, sustainSeconds: alarms?.delaySustainSeconds ?? 360 };
    const before = watch.alarm;
    const { state, event } = evaluateDelayAlarm(before, settings, delaySeconds, now, backlogRead);
    watch.alarm = state;
    // Notified before the state is saved: if this scheduler dies in between, the next owner
    // evaluates the same episode again and the dedupe key stops a second notice.
    if (event?.type === 'alarm') {
      await this.notifier.notify(
        watch.task,
        {
          kind: 'delayAlarm',
          delaySeconds: event.delaySeconds,
          thresholdSeconds: settings.thresholdSeconds,
          sustainSeconds: settings.sustainSeconds,
          aboveSince: event.aboveSince,
          confirmedLsn: watch.progress?.confirmedLsn ?? null,
          rowsReadPerSecond: watch.rates.rowsReadPerSecond,
          rowsWrittenPerSecond: watch.rates.rowsWrittenPerSecond,
          retainedWalBytes: watch.retainedWalBytes,
          throttle: (watch.task.config as unknown as TaskConfig).throttle ?? {},
        },
        `delay:${watch.task.id}:${event.aboveSince}`,
      );
    } else if (event?.type === 'recovered') {
      await this.notifier.notify(
        watch.task,
        {
          kind: 'delayRecovered',
          delaySeconds: event.delaySeconds,
          thresholdSeconds: settings.thresholdSeconds,
          aboveSince: event.aboveSince,
          firedAt: event.firedAt,
          peakSeconds: event.peakSeconds,
          lastedSeconds: event.lastedSeconds,
        },
        `delay-recovered:${watch.task.id}:${event.aboveSince}`,
      );
    }
    if (!sameAlarm(before, state)) await this.tasks.update(watch.task.id, { delayAlarm: state });
  }

  private async store(watch: Watch, now: number): Promise<void> {
    const rates = watch.lastStored ? ratesBetween(watch.lastStored, { at: now, totals: watch.totals }) : watch.rates;
    const row = await this.metrics.insert({
      taskId: watch.task.id,
      at: new Date(now),
      delaySeconds: watch.peakDelaySeconds,
      ...rates,
      ...watch.totals,
      confirmedLsn: watch.progress?.confirmedLsn ?? watch.task.confirmedLsn,
    });
    watch.lastStored = { at: now, totals: watch.totals };
    await this.metrics.addTableCounts(watch.task.id, tableDeltas(watch));
    const peak = watch.peakDelaySeconds;
    watch.peakDelaySeconds = 0;
    if (row) {
      watch.status = row.status;
      watch.retainedWalBytes = row.retainedWalBytes;
      watch.lastError = row.lastError;
    }
    await this.publish(watch.task.id, { ...this.sample(watch, now, rates), delaySeconds: peak });
  }

  private sample(watch: Watch, now: number, rates: ThroughputRates): TaskMetricSample {
    return {
      at: new Date(now).toISOString(),
      status: watch.status,
      delaySeconds: (watch.progress?.delayMs ?? 0) / 1000,
      ...rates,
      ...watch.totals,
      confirmedLsn: watch.progress?.confirmedLsn ?? watch.task.confirmedLsn,
      retainedWalBytes: watch.retainedWalBytes,
      lastError: watch.lastError,
    };
  }

  /** Live to the APIs' event streams (LISTEN walbridge_events), through the same function the triggers use. */
  private async publish(taskId: string, sample: TaskMetricSample): Promise<void> {
    await this.dataSource.query('SELECT walbridge_publish_event($1, $2, $3::jsonb)', ['metrics', taskId, JSON.stringify(sample)]);
  }

  private exclusive(taskId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.serial.get(taskId) ?? Promise.resolve();
    const run = previous.then(work).catch((error: Error) => this.logger.warn(`monitoring of task ${taskId}: ${error.message}`));
    this.serial.set(taskId, run);
    void run.then(() => {
      if (this.serial.get(taskId) === run) this.serial.delete(taskId);
    });
    return run;
  }
}

function pickCounters(row: ThroughputCounters): ThroughputCounters {
  const { rowsRead, rowsWritten, bytesRead, bytesWritten, inserts, updates, deletes } = row;
  return { rowsRead, rowsWritten, bytesRead, bytesWritten, inserts, updates, deletes };
}

function sameCounters(a: ThroughputCounters, b: ThroughputCounters): boolean {
  return a.rowsRead === b.rowsRead && a.rowsWritten === b.rowsWritten && a.bytesRead === b.bytesRead && a.bytesWritten === b.bytesWritten;
}

/** Peak changes alone are not worth a write every second. */
function sameAlarm(a: DelayAlarmState | null, b: DelayAlarmState | null): boolean {
  return !!a && !!b && a.phase === b.phase && a.aboveSince === b.aboveSince && a.firedAt === b.firedAt;
}

/** What each table gained since the last stored sample; the stored marks move on. */
export function tableDeltas(watch: Pick<Watch, 'tables' | 'tablesStored'>): TableCountDelta[] {
  const out: TableCountDelta[] = [];
  for (const [table, now] of watch.tables) {
    const before = watch.tablesStored.get(table);
    if (before === now) continue;
    out.push({
      table,
      inserts: now.inserts - (before?.inserts ?? 0),
      updates: now.updates - (before?.updates ?? 0),
      deletes: now.deletes - (before?.deletes ?? 0),
      truncates: now.truncates - (before?.truncates ?? 0),
      lastChangeAt: now.lastChangeAt,
    });
    watch.tablesStored.set(table, now);
  }
  return out;
}
