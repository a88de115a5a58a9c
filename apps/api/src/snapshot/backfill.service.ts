import { Injectable } from '@nestjs/common';
import type { BackfillView, CreateBackfillInput, SnapshotTableView, TaskConfig, TaskSnapshotView, TaskStatus } from '@walbridge/contracts';
import { DomainError, allowedOperations, rowFilterProblems } from '@walbridge/domain';
import { TaskBackfillRepository, TaskLogRepository, TaskRepository, type TaskBackfillEntity, type TaskBackfillTableEntity } from '@walbridge/persistence';
import { currentActor } from '../auth/request-context';
import { loadLiveTask } from '../common/live-task';
import { invalidRequest } from '../common/zod-body.pipe';

/** Where a backfill may be asked: the task streams, or will stream again from its slot. */
const BACKFILLABLE_STATUSES: TaskStatus[] = ['STARTING', 'FULL_SYNC', 'INCREMENTAL', 'INCREMENTAL_FAILED', 'PAUSING', 'PAUSED'];

/**
 * Backfills and the snapshot progress (issue 13). Like every API path it only writes metadata:
 * a scheduler hands a new backfill to the task's worker (or to the next one, for a paused task),
 * and the worker reads the rows.
 */
@Injectable()
export class BackfillService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly backfills: TaskBackfillRepository,
    private readonly logs: TaskLogRepository,
  ) {}

  async create(taskId: string, input: CreateBackfillInput): Promise<BackfillView> {
    const task = await loadLiveTask(this.tasks, taskId);
    if (!BACKFILLABLE_STATUSES.includes(task.status)) {
      throw new DomainError('conflict', 'OPERATION_NOT_ALLOWED', `cannot backfill a task in status ${task.status}; allowed in ${BACKFILLABLE_STATUSES.join(', ')}`, [], {
        status: task.status,
        allowedOperations: allowedOperations(task.status),
      });
    }
    const policy = (task.config as unknown as TaskConfig).policy;
    const problems = rowFilterProblems(input.tables).map((p) => ({ ...p, field: p.field.replace(/^policy\./, '') }));
    input.tables.forEach((t, i) => {
      if (policy.objectScope === 'tables' && !policy.tables.some((s) => s.schema === t.schema && s.table === t.table)) {
        problems.push({ field: `tables.${i}`, message: `${t.schema}.${t.table} is not among the task's tables (policy.tables)` });
      } else if (policy.objectScope === 'database' && policy.schemas?.length && !policy.schemas.includes(t.schema)) {
        problems.push({ field: `tables.${i}.schema`, message: `schema ${t.schema} is not among the task's schemas (policy.schemas)` });
      }
    });
    if (problems.length) throw invalidRequest(problems);
    const created = await this.backfills.create(taskId, 'manual', {
      allTables: false,
      tables: input.tables.map((t) => ({ schema: t.schema, table: t.table, filter: t.filter?.trim() ? t.filter : null })),
      requestedBy: currentActor(),
    });
    const names = input.tables.map((t) => `${t.schema}.${t.table}${t.filter?.trim() ? ` (filter ${t.filter})` : ''}`).join(', ');
    await this.logs.append(taskId, 'info', `backfill ${created.id} requested by ${currentActor()}: ${names}`);
    return toBackfillView(created);
  }

  async list(taskId: string): Promise<{ items: BackfillView[] }> {
    await loadLiveTask(this.tasks, taskId);
    return { items: (await this.backfills.listForTask(taskId)).map(toBackfillView) };
  }

  async get(taskId: string, id: string): Promise<BackfillView> {
    await loadLiveTask(this.tasks, taskId);
    const backfill = await this.backfills.find(taskId, id);
    if (!backfill) throw new DomainError('not-found', 'BACKFILL_NOT_FOUND', `backfill ${id} of task ${taskId} not found`);
    return toBackfillView(backfill);
  }

  /** Stops a pending or running backfill after the chunk in flight; rows already sent stay in Kafka. */
  async cancel(taskId: string, id: string): Promise<BackfillView> {
    const before = await this.get(taskId, id);
    if (!(await this.backfills.cancel(taskId, id))) {
      throw new DomainError('conflict', 'BACKFILL_FINISHED', `backfill ${id} is ${before.status}: only a pending or running backfill can be cancelled`, [], {
        status: before.status,
        allowedOperations: [],
      });
    }
    await this.logs.append(
      taskId,
      'info',
      `${before.kind === 'initial' ? 'full synchronization' : `backfill ${id}`} cancelled by ${currentActor()}; rows already sent stay in Kafka`,
    );
    if (before.kind === 'initial') await this.tasks.transition(taskId, ['FULL_SYNC'], 'INCREMENTAL');
    return this.get(taskId, id);
  }

  async snapshot(taskId: string): Promise<TaskSnapshotView> {
    await loadLiveTask(this.tasks, taskId);
    const all = await this.backfills.listForTask(taskId, 20);
    const open = all.filter((b) => b.status === 'pending' || b.status === 'running');
    const shown = open.length ? open : all.slice(0, 1);
    if (!shown.length) return { status: 'none', tables: [], rowsPerSecond: 0, etaSeconds: null };
    const status = open.length ? (open.some((b) => b.status === 'running') ? 'running' : 'pending') : shown[0].status;
    const tables = shown.flatMap((b) => (b.tables ?? []).map(toTableView)).sort((a, b) => `${a.schema}.${a.table}`.localeCompare(`${b.schema}.${b.table}`));
    let rowsPerSecond = 0;
    let etaSeconds: number | null = status === 'completed' ? 0 : null;
    const started = open.map((b) => b.startedAt?.getTime()).filter((t): t is number => t !== undefined);
    if (status === 'running' && started.length) {
      const seconds = (Date.now() - Math.min(...started)) / 1000;
      const sent = tables.reduce((n, t) => n + t.rowsSent, 0);
      rowsPerSecond = seconds > 0 ? Math.round((sent / seconds) * 10) / 10 : 0;
      const left = tables.filter((t) => t.state === 'pending' || t.state === 'running').reduce((n, t) => n + Math.max(0, t.rowsEstimated - t.rowsSent), 0);
      etaSeconds = rowsPerSecond > 0 ? Math.round(left / rowsPerSecond) : null;
    }
    return { status, tables, rowsPerSecond, etaSeconds };
  }
}

function toTableView(t: TaskBackfillTableEntity): SnapshotTableView {
  return {
    schema: t.schemaName,
    table: t.tableName,
    state: t.state,
    rowsEstimated: Number(t.rowsEstimated),
    rowsSent: Number(t.rowsSent),
    chunksDone: t.chunksDone,
    chunksTotal: t.chunksTotal,
  };
}

export function toBackfillView(b: TaskBackfillEntity): BackfillView {
  return {
    id: b.id,
    kind: b.kind,
    status: b.status,
    requestedBy: b.requestedBy,
    createdAt: b.createdAt.toISOString(),
    startedAt: b.startedAt?.toISOString() ?? null,
    finishedAt: b.finishedAt?.toISOString() ?? null,
    error: b.error,
    tables: (b.tables ?? []).map((t) => ({ ...toTableView(t), filter: t.filter })),
  };
}
