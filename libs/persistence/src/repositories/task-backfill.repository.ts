import { randomUUID } from 'node:crypto';
import { In, type DataSource, type Repository } from 'typeorm';
import type { BackfillKind, BackfillStatus } from '@walbridge/contracts';
import { TaskBackfillEntity, TaskBackfillTableEntity } from '../entities';

/** What a worker reports of one table after an acknowledged chunk. */
export interface BackfillTableRecord {
  schema: string;
  table: string;
  filter: string | null;
  state: TaskBackfillTableEntity['state'];
  position: string[] | null;
  rowsEstimated: number;
  rowsSent: number;
  chunksDone: number;
  chunksTotal: number;
}

const OPEN: BackfillStatus[] = ['pending', 'running'];

export class TaskBackfillRepository {
  private readonly backfills: Repository<TaskBackfillEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.backfills = dataSource.getRepository(TaskBackfillEntity);
  }

  async create(
    taskId: string,
    kind: BackfillKind,
    options: { allTables: boolean; tables: { schema: string; table: string; filter?: string | null }[]; requestedBy: string | null },
  ): Promise<TaskBackfillEntity> {
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await tx.getRepository(TaskBackfillEntity).insert({
        id,
        taskId,
        kind,
        status: 'pending',
        allTables: options.allTables,
        requestedBy: options.requestedBy,
        error: null,
        startedAt: null,
        finishedAt: null,
      });
      if (options.tables.length) {
        await tx.getRepository(TaskBackfillTableEntity).insert(
          options.tables.map((t) => ({ backfillId: id, schemaName: t.schema, tableName: t.table, filter: t.filter ?? null, state: 'pending' as const, position: null })),
        );
      }
    });
    return (await this.find(taskId, id))!;
  }

  find(taskId: string, id: string): Promise<TaskBackfillEntity | null> {
    return this.backfills.findOne({ where: { id, taskId }, relations: { tables: true } });
  }

  /** Newest first. */
  listForTask(taskId: string, limit = 100): Promise<TaskBackfillEntity[]> {
    return this.backfills.find({ where: { taskId }, relations: { tables: true }, order: { createdAt: 'DESC' }, take: limit });
  }

  /** Backfills a worker still has to read, oldest first. */
  open(taskId: string): Promise<TaskBackfillEntity[]> {
    return this.backfills.find({ where: { taskId, status: In(OPEN) }, relations: { tables: true }, order: { createdAt: 'ASC' } });
  }

  async hasKind(taskId: string, kind: BackfillKind): Promise<boolean> {
    return (await this.backfills.count({ where: { taskId, kind } })) > 0;
  }

  /** The full synchronization is not finished yet (the task belongs in FULL_SYNC while it streams). */
  async initialOpen(taskId: string): Promise<boolean> {
    return (await this.backfills.count({ where: { taskId, kind: 'initial', status: In(OPEN) } })) > 0;
  }

  /**
   * Stores a table's progress. Reports can arrive out of order (each is its own async write), and
   * a cancelled table stays cancelled: only a report at least as far as the stored one is kept.
   */
  async recordTable(backfillId: string, t: BackfillTableRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "task_backfill_table" ("backfill_id", "schema_name", "table_name", "filter", "state", "position", "rows_estimated", "rows_sent", "chunks_done", "chunks_total", "updated_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
       ON CONFLICT ("backfill_id", "schema_name", "table_name") DO UPDATE SET
         "state" = EXCLUDED."state", "position" = EXCLUDED."position", "rows_estimated" = EXCLUDED."rows_estimated",
         "rows_sent" = EXCLUDED."rows_sent", "chunks_done" = EXCLUDED."chunks_done", "chunks_total" = EXCLUDED."chunks_total", "updated_at" = now()
       WHERE "task_backfill_table"."state" NOT IN ('cancelled', 'done') AND "task_backfill_table"."chunks_done" <= EXCLUDED."chunks_done"`,
      [backfillId, t.schema, t.table, t.filter, t.state, t.position === null ? null : JSON.stringify(t.position), t.rowsEstimated, t.rowsSent, t.chunksDone, t.chunksTotal],
    );
  }

  /** Moves a backfill from one of `from` to `to`; false when it was elsewhere (cancelled meanwhile, …). */
  async transition(id: string, from: BackfillStatus[], to: BackfillStatus, patch: Partial<Pick<TaskBackfillEntity, 'startedAt' | 'finishedAt' | 'error'>> = {}): Promise<boolean> {
    const result = await this.backfills.update({ id, status: In(from) }, { status: to, ...patch });
    return (result.affected ?? 0) > 0;
  }

  /** Cancels an open backfill and its unfinished tables; false when it was not open. */
  async cancel(taskId: string, id: string): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const result = await tx.getRepository(TaskBackfillEntity).update({ id, taskId, status: In(OPEN) }, { status: 'cancelled', finishedAt: new Date() });
      if (!result.affected) return false;
      await tx.getRepository(TaskBackfillTableEntity).update({ backfillId: id, state: In(['pending', 'running']) }, { state: 'cancelled' });
      return true;
    });
  }

  /** Per task and table: snapshot rows sent by every backfill, and rows still estimated to come (for /metrics). */
  async snapshotTotals(): Promise<{ taskId: string; taskName: string; schema: string; table: string; sent: number; remaining: number }[]> {
    const rows = await this.dataSource.query<{ task_id: string; name: string; schema_name: string; table_name: string; sent: string; remaining: string }[]>(
      `SELECT b.task_id, k.name, t.schema_name, t.table_name, SUM(t.rows_sent)::text AS sent,
              SUM(CASE WHEN b.status IN ('pending', 'running') AND t.state IN ('pending', 'running')
                       THEN GREATEST(t.rows_estimated - t.rows_sent, 0) ELSE 0 END)::text AS remaining
         FROM "task_backfill_table" t
         JOIN "task_backfill" b ON b.id = t.backfill_id
         JOIN "task" k ON k.id = b.task_id AND k.status <> 'DELETED'
        GROUP BY b.task_id, k.name, t.schema_name, t.table_name`,
    );
    return rows.map((r) => ({ taskId: r.task_id, taskName: r.name, schema: r.schema_name, table: r.table_name, sent: Number(r.sent), remaining: Number(r.remaining) }));
  }

  /** Cancels every open backfill of a task (it stopped, or was reset); returns how many. */
  async cancelOpen(taskId: string, reason: string): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const open = await tx.getRepository(TaskBackfillEntity).find({ where: { taskId, status: In(OPEN) }, select: { id: true } });
      if (!open.length) return 0;
      const ids = open.map((b) => b.id);
      await tx.getRepository(TaskBackfillEntity).update({ id: In(ids), status: In(OPEN) }, { status: 'cancelled', finishedAt: new Date(), error: reason });
      await tx.getRepository(TaskBackfillTableEntity).update({ backfillId: In(ids), state: In(['pending', 'running']) }, { state: 'cancelled' });
      return ids.length;
    });
  }

  /** Backfills cancelled since a worker took them (the scheduler tells the worker). */
  cancelledAmong(ids: string[]): Promise<TaskBackfillEntity[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.backfills.find({ where: { id: In(ids), status: 'cancelled' } });
  }
}
