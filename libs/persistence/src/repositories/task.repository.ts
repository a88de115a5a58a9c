import type { DataSource, Repository } from 'typeorm';
import { In } from 'typeorm';
import type { TaskStatus } from '@walbridge/contracts';
import { TaskEntity, type StoredTaskConfig } from '../entities';

export interface TaskListQuery {
  status?: TaskStatus;
  q?: string;
  page: number;
  pageSize: number;
}

/** Lifecycle state with a default at insert (a new task is healthy, unscheduled, slot unseen). */
type LifecycleColumns =
  | 'precheckRequired'
  | 'scheduledStartAt'
  | 'failingSince'
  | 'failureKind'
  | 'retryUntil'
  | 'autoStopAt'
  | 'retryExhaustedAt'
  | 'slotExists'
  | 'slotRetainedBytes'
  | 'slotCheckedAt';

/** What the control plane changes on a running task; configuration edits go through `replaceConfig`. */
export type TaskRuntimePatch = Partial<
  Pick<TaskEntity, 'status' | 'confirmedLsn' | 'delaySeconds' | 'lastError' | 'secrets' | 'requestedOperation' | LifecycleColumns>
>;

/** Clears a failure episode: the task is healthy again (streaming, resumed or reset). */
export const HEALTHY: TaskRuntimePatch = { failingSince: null, failureKind: null, retryUntil: null, autoStopAt: null, retryExhaustedAt: null };

/** Statuses the schedulers' reconcile loops act on. */
const RECONCILED: TaskStatus[] = ['PENDING_START', 'STARTING', 'INCREMENTAL', 'INCREMENTAL_FAILED', 'PAUSING', 'STOPPING'];

export class TaskRepository {
  private readonly repo: Repository<TaskEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(TaskEntity);
  }

  /** Ids are generated here so that the slot name (derived from the id) is known at insert. */
  insert(task: Omit<TaskEntity, 'createdAt' | 'updatedAt' | LifecycleColumns> & Partial<Pick<TaskEntity, LifecycleColumns>>): Promise<TaskEntity> {
    return this.repo.save(
      this.repo.create({
        precheckRequired: false,
        scheduledStartAt: null,
        failingSince: null,
        failureKind: null,
        retryUntil: null,
        autoStopAt: null,
        retryExhaustedAt: null,
        slotExists: null,
        slotRetainedBytes: null,
        slotCheckedAt: null,
        ...task,
      }),
    );
  }

  findById(id: string): Promise<TaskEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  async list(query: TaskListQuery): Promise<{ items: TaskEntity[]; total: number }> {
    const qb = this.repo.createQueryBuilder('t').where("t.status <> 'DELETED'");
    if (query.status) qb.andWhere('t.status = :status', { status: query.status });
    if (query.q) qb.andWhere('(t.name ILIKE :q OR t.id::text = :exact)', { q: `%${escapeLike(query.q)}%`, exact: query.q });
    const [items, total] = await qb
      .orderBy('t.created_at', 'DESC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize)
      .getManyAndCount();
    return { items, total };
  }

  findInStatuses(statuses: TaskStatus[]): Promise<TaskEntity[]> {
    return this.repo.find({ where: { status: In(statuses) } });
  }

  /** Tasks a scheduler may have to act on: moving statuses, and accepted reset / drop-slot requests. */
  findForReconcile(): Promise<TaskEntity[]> {
    return this.repo
      .createQueryBuilder('t')
      .where('t.status IN (:...statuses)', { statuses: RECONCILED })
      .orWhere("t.requested_operation IN ('reset', 'dropSlot')")
      .getMany();
  }

  /** Abnormal tasks (START_FAILED, INCREMENTAL_FAILED) whose automatic stop is due. */
  findAbnormalDueForStop(now: Date): Promise<TaskEntity[]> {
    return this.repo
      .createQueryBuilder('t')
      .where("t.status IN ('START_FAILED', 'INCREMENTAL_FAILED')")
      .andWhere('t.auto_stop_at <= :now', { now })
      .getMany();
  }

  /**
   * Tasks whose slot may exist while no worker streams it (paused, failed, left over, reset),
   * least recently checked first: their retained WAL is measured by a short-lived worker.
   */
  findSlotsToInspect(limit: number, checkedBefore: Date): Promise<TaskEntity[]> {
    return this.repo
      .createQueryBuilder('t')
      .where('(t.slot_checked_at IS NULL OR t.slot_checked_at < :checkedBefore)', { checkedBefore })
      .andWhere(
        `((t.status IN ('PAUSED', 'START_FAILED', 'INCREMENTAL_FAILED', 'STOP_FAILED') AND t.slot_exists IS DISTINCT FROM false)
         OR (t.status IN ('COMPLETED', 'CONFIGURATION') AND t.slot_exists = true))`,
      )
      .andWhere('t.secrets IS NOT NULL')
      .orderBy('t.slotCheckedAt', 'ASC', 'NULLS FIRST')
      .limit(limit)
      .getMany();
  }

  findByIds(ids: string[]): Promise<TaskEntity[]> {
    return ids.length ? this.repo.find({ where: { id: In(ids) } }) : Promise.resolve([]);
  }

  /**
   * New sealed credentials and the clear-text config that records which ones are set (allowed in
   * any status but DELETED, whose secrets stay wiped). False when there is no such task.
   */
  async replaceSecrets(id: string, secrets: Buffer, config: StoredTaskConfig): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(TaskEntity)
      // TypeORM's deep-partial type cannot describe an open JSON object; the value is the whole config.
      .set({ secrets, config: config as TaskEntity['config'] & object })
      .where("id = :id AND status <> 'DELETED'", { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async update(id: string, patch: TaskRuntimePatch): Promise<void> {
    await this.repo.update({ id }, patch);
  }

  /**
   * Moves a task to `to` only if it is still in one of `from`; returns false when another
   * actor changed it first, so concurrent operations cannot both win.
   */
  async transition(id: string, from: TaskStatus[], to: TaskStatus, patch: TaskRuntimePatch = {}): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(TaskEntity)
      .set({ ...patch, status: to })
      .where('id = :id AND status IN (:...from)', { id, from })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
