import { Injectable, Logger } from '@nestjs/common';
import type { TaskConfig, TaskStatus } from '@walbridge/contracts';
import { TaskBackfillRepository, TaskLogRepository, TaskRepository, type TaskBackfillEntity, type TaskEntity } from '@walbridge/persistence';
import type { BackfillPlan, WorkerToScheduler } from '@walbridge/queue';
import { backfillsAddedTables } from '@walbridge/domain';
import { NotificationService } from '../notifications/notification.service';

type SnapshotReport = Extract<WorkerToScheduler, { type: 'snapshot' }>;

/**
 * The scheduler's side of full synchronization and backfills: what a starting worker must read
 * (with the stored positions), what it reports after each acknowledged chunk, the FULL_SYNC →
 * INCREMENTAL step, and the notices. The worker has no metadata database: this is its memory.
 */
@Injectable()
export class BackfillCoordinator {
  private readonly logger = new Logger(BackfillCoordinator.name);

  constructor(
    private readonly backfills: TaskBackfillRepository,
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly notifications: NotificationService,
  ) {}

  /**
   * The backfills a stream worker starts with. A full+incremental task gets its full
   * synchronization the first time it streams (once: a restart resumes it, never starts it over).
   */
  async plansFor(task: TaskEntity): Promise<BackfillPlan[]> {
    const config = task.config as unknown as TaskConfig;
    if (config.policy.syncMode === 'full+incremental' && !(await this.backfills.hasKind(task.id, 'initial'))) {
      const tables = config.policy.objectScope === 'tables' ? config.policy.tables.map((t) => ({ schema: t.schema, table: t.table })) : [];
      await this.backfills.create(task.id, 'initial', { allTables: true, tables, requestedBy: null });
      await this.logs.append(task.id, 'info', 'full synchronization: the existing rows of every captured table are read, then changes only');
    }
    return (await this.backfills.open(task.id)).map(toPlan);
  }

  /** Where a task that just started streaming belongs. */
  async streamingStatus(taskId: string): Promise<TaskStatus> {
    return (await this.backfills.initialOpen(taskId)) ? 'FULL_SYNC' : 'INCREMENTAL';
  }

  /** Backfills the worker does not have yet, and those cancelled since it took them. */
  async changesFor(taskId: string, known: ReadonlySet<string>): Promise<{ added: BackfillPlan[]; cancelled: string[] }> {
    const open = await this.backfills.open(taskId);
    const added = open.filter((b) => !known.has(b.id)).map(toPlan);
    const stillOpen = new Set(open.map((b) => b.id));
    const cancelled = (await this.backfills.cancelledAmong([...known].filter((id) => !stillOpen.has(id)))).map((b) => b.id);
    return { added, cancelled };
  }

  async record(taskId: string, report: SnapshotReport): Promise<void> {
    if (report.table) await this.backfills.recordTable(report.backfillId, report.table);
    if (report.status === 'running') {
      await this.backfills.transition(report.backfillId, ['pending'], 'running', { startedAt: new Date() });
    } else if (report.status === 'completed') {
      const done = await this.backfills.transition(report.backfillId, ['pending', 'running'], 'completed', { finishedAt: new Date(), error: report.error ?? null });
      if (done) await this.completed(taskId, report.backfillId);
    }
  }

  private async completed(taskId: string, backfillId: string): Promise<void> {
    const backfill = await this.backfills.find(taskId, backfillId);
    if (!backfill) return;
    const tables = backfill.tables ?? [];
    const rowsSent = tables.reduce((n, t) => n + Number(t.rowsSent), 0);
    const notRead = tables.filter((t) => t.state === 'failed').map((t) => `${t.schemaName}.${t.tableName}`);
    const seconds = ((backfill.finishedAt ?? new Date()).getTime() - (backfill.startedAt ?? backfill.createdAt).getTime()) / 1000;
    const what = backfill.kind === 'initial' ? 'full synchronization' : `backfill ${backfill.id}`;
    await this.logs.append(
      taskId,
      notRead.length ? 'warning' : 'info',
      `${what} finished: ${rowsSent} row(s) of ${tables.length} table(s) in ${Math.round(seconds)} s` + (notRead.length ? `; not read: ${notRead.join(', ')}` : ''),
    );
    if (backfill.kind !== 'initial') return;
    await this.tasks.transition(taskId, ['FULL_SYNC'], 'INCREMENTAL');
    const task = await this.tasks.findById(taskId);
    if (!task) return;
    await this.notifications
      .notify(task, { kind: 'fullSyncFinished', tables: tables.length, rowsSent, seconds, notRead }, `fullSyncFinished:${backfill.id}`)
      .catch((e: Error) => this.logger.warn(`full synchronization notice for task ${taskId}: ${e.message}`));
  }

  /**
   * The worker took tables after its start (created later in a database-level task): their rows
   * from before they were added come through a backfill, when the task's policy wants them.
   * A table an open backfill will read anyway is not asked for twice (a restarted worker reports
   * the same table again).
   */
  async tablesAdded(taskId: string, tables: readonly { schema: string; table: string }[]): Promise<void> {
    const task = await this.tasks.findById(taskId);
    if (!task || !tables.length) return;
    const config = task.config as unknown as TaskConfig;
    if (!backfillsAddedTables(config.policy)) return;
    const open = await this.backfills.open(taskId);
    const pending = new Set(open.flatMap((b) => (b.tables ?? []).filter((t) => t.state === 'pending').map((t) => `${t.schemaName}.${t.tableName}`)));
    const wanted = tables.filter((t) => !pending.has(`${t.schema}.${t.table}`));
    if (!wanted.length) return;
    const backfill = await this.backfills.create(taskId, 'manual', { allTables: false, tables: wanted.map((t) => ({ schema: t.schema, table: t.table })), requestedBy: null });
    await this.logs.append(
      taskId,
      'info',
      `backfill ${backfill.id} of the new table(s) ${wanted.map((t) => `${t.schema}.${t.table}`).join(', ')}: the rows they held before the task took them are read too`,
    );
  }

  /** The task stopped: what was not read will not be (a stopped task has no slot to merge with). */
  async taskStopped(taskId: string): Promise<void> {
    const n = await this.backfills.cancelOpen(taskId, 'the task was stopped');
    if (n) await this.logs.append(taskId, 'info', `${n} unfinished backfill(s) cancelled with the stop`);
  }

  /**
   * The task was reset (its slot created again): a full+incremental task reads every table again
   * at its next start, so the changes lost in between are covered by the new full synchronization.
   */
  async taskReset(task: TaskEntity): Promise<void> {
    await this.backfills.cancelOpen(task.id, 'the task was reset');
    const config = task.config as unknown as TaskConfig;
    if (config.policy.syncMode !== 'full+incremental') return;
    const tables = config.policy.objectScope === 'tables' ? config.policy.tables.map((t) => ({ schema: t.schema, table: t.table })) : [];
    await this.backfills.create(task.id, 'initial', { allTables: true, tables, requestedBy: null });
    await this.logs.append(task.id, 'info', 'full synchronization again at the next start: every table is read again, so the changes the reset skipped are delivered as current rows');
  }

  /** The task failed while its full synchronization was not finished: one notice per failure episode. */
  async failedDuringFullSync(task: TaskEntity, error: string): Promise<void> {
    const open = (await this.backfills.open(task.id)).find((b) => b.kind === 'initial');
    if (!open) return;
    const tables = open.tables ?? [];
    await this.notifications
      .notify(
        task,
        {
          kind: 'fullSyncFailed',
          error,
          tables: tables.length,
          tablesDone: tables.filter((t) => t.state === 'done').length,
          rowsSent: tables.reduce((n, t) => n + Number(t.rowsSent), 0),
        },
        `fullSyncFailed:${open.id}:${task.failingSince?.toISOString() ?? 'now'}`,
      )
      .catch((e: Error) => this.logger.warn(`full synchronization notice for task ${task.id}: ${e.message}`));
  }
}

function toPlan(b: TaskBackfillEntity): BackfillPlan {
  return {
    id: b.id,
    kind: b.kind,
    allTables: b.allTables,
    tables: (b.tables ?? []).map((t) => ({
      schema: t.schemaName,
      table: t.tableName,
      filter: t.filter,
      state: t.state,
      position: t.position,
      rowsEstimated: Number(t.rowsEstimated),
      rowsSent: Number(t.rowsSent),
      chunksDone: t.chunksDone,
      chunksTotal: t.chunksTotal,
    })),
  };
}
