import type { DataSource, Repository } from 'typeorm';
import { In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DEFAULT_TASK_SORT, type TaskSort, type TaskSortField, type PendingOperation, type TaskStatus } from '@walbridge/contracts';
import { ABNORMAL_STATUSES, SLOT_RELEASED_STATUSES } from '@walbridge/domain';
import { TaskEntity } from '../entities';

export interface TaskListQuery {
  status?: TaskStatus;
  q?: string;
  page: number;
  pageSize: number;
  sort?: TaskSort;
  /** Only tasks that need someone (see NEEDS_ATTENTION_SQL). */
  attention?: boolean;
}

const SORT_COLUMNS: Record<TaskSortField, string> = {
  name: 't.name',
  status: 't.status',
  createdAt: 't.created_at',
  delaySeconds: 't.delay_seconds',
};

/**
 * A task needs someone when it failed (ABNORMAL_STATUSES), left its slot behind after it ended
 * (SLOT_RELEASED_STATUSES with the slot still there: the slot keeps WAL), its slot holds more
 * WAL than its alarm allows, or its delay alarm is firing: the console's "Needs attention".
 */
const NEEDS_ATTENTION_SQL = `(t.status IN (:...abnormal)
  OR (t.slot_exists IS TRUE AND t.status IN (:...released))
  OR t.wal_alarm_since IS NOT NULL
  OR t.delay_alarm->>'phase' = 'firing')`;

/** A configuration edit: everything the user chose, credentials included. */
export type TaskConfigPatch = Pick<TaskEntity, 'name' | 'config' | 'secrets' | 'slotName' | 'publicationName'>;

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
  | 'slotCheckedAt'
  | 'slotCreatedLsn'
  | 'delayAlarm'
  | 'walAlarmSince';

/** What the control plane changes on a running task; configuration edits go through `replaceConfig`. */
export type TaskRuntimePatch = Partial<
  Pick<TaskEntity, 'status' | 'confirmedLsn' | 'delaySeconds' | 'lastError' | 'secrets' | 'requestedOperation' | LifecycleColumns>
>;

/** The lifecycle columns of a new task: no precheck owed, no failure, no alarm, its slot not looked at yet. */
export const NEW_TASK_LIFECYCLE: Readonly<Pick<TaskEntity, LifecycleColumns>> = {
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
  slotCreatedLsn: null,
  delayAlarm: null,
  walAlarmSince: null,
};

/** Clears a failure episode: the task is healthy again (streaming, resumed or reset). */
export const HEALTHY: TaskRuntimePatch = { failingSince: null, failureKind: null, retryUntil: null, autoStopAt: null, retryExhaustedAt: null };

/** Statuses the schedulers' reconcile loops act on, and the accepted requests they carry out in any status. */
export const RECONCILED_STATUSES: readonly TaskStatus[] = ['PENDING_START', 'STARTING', 'FULL_SYNC', 'INCREMENTAL', 'INCREMENTAL_FAILED', 'PAUSING', 'STOPPING'];
export const RECONCILED_OPERATIONS: readonly PendingOperation[] = ['reset', 'dropSlot', 'applyObjects'];

export class TaskRepository {
  private readonly repo: Repository<TaskEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(TaskEntity);
  }

  /** Ids are generated here so that the slot name (derived from the id) is known at insert. */
  insert(task: Omit<TaskEntity, 'createdAt' | 'updatedAt' | LifecycleColumns> & Partial<Pick<TaskEntity, LifecycleColumns>>): Promise<TaskEntity> {
    return this.repo.save(this.repo.create({ ...NEW_TASK_LIFECYCLE, ...task }));
  }

  findById(id: string): Promise<TaskEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  async list(query: TaskListQuery): Promise<{ items: TaskEntity[]; total: number }> {
    const qb = this.repo.createQueryBuilder('t').where("t.status <> 'DELETED'");
    if (query.status) qb.andWhere('t.status = :status', { status: query.status });
    if (query.q) {
      // The name, the start of the id (as the console shows it), or a tag: its key, its value,
      // or `key=value` / `key:value` as the console writes them.
      qb.andWhere(
        `(t.name ILIKE :q OR t.id::text LIKE :prefix OR EXISTS (
          SELECT 1 FROM jsonb_array_elements(COALESCE(t.config->'tags', '[]'::jsonb)) tag
          WHERE tag->>'key' ILIKE :q OR tag->>'value' ILIKE :q
             OR (tag->>'key') || '=' || COALESCE(tag->>'value', '') ILIKE :q
             OR (tag->>'key') || ':' || COALESCE(tag->>'value', '') ILIKE :q))`,
        { q: `%${escapeLike(query.q)}%`, prefix: `${escapeLike(query.q.toLowerCase())}%` },
      );
    }
    if (query.attention) qb.andWhere(NEEDS_ATTENTION_SQL, { abnormal: [...ABNORMAL_STATUSES], released: [...SLOT_RELEASED_STATUSES] });
    const sort = query.sort ?? DEFAULT_TASK_SORT;
    const descending = sort.startsWith('-');
    const field = (descending ? sort.slice(1) : sort) as TaskSortField;
    // Tasks without a delay yet sort last either way; equal values keep the newest first.
    qb.orderBy(SORT_COLUMNS[field], descending ? 'DESC' : 'ASC', 'NULLS LAST');
    if (field !== 'createdAt') qb.addOrderBy('t.created_at', 'DESC');
    const [items, total] = await qb
      .addOrderBy('t.id', 'ASC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize)
      .getManyAndCount();
    return { items, total };
  }

  findInStatuses(statuses: TaskStatus[]): Promise<TaskEntity[]> {
    return this.repo.find({ where: { status: In(statuses) } });
  }

  /** Tasks a scheduler may have to act on: moving statuses, and accepted reset / drop-slot / edited-tables requests. */
  findForReconcile(): Promise<TaskEntity[]> {
    return this.repo
      .createQueryBuilder('t')
      .where('t.status IN (:...statuses)', { statuses: RECONCILED_STATUSES })
      .orWhere('t.requested_operation IN (:...operations)', { operations: RECONCILED_OPERATIONS })
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

  async update(id: string, patch: TaskRuntimePatch): Promise<void> {
    await this.repo.update({ id }, patch);
  }

  /** Live tasks (not DELETED) using a slot name, to keep two tasks off one slot. */
  findLiveBySlotName(slotName: string): Promise<TaskEntity[]> {
    return this.repo.createQueryBuilder('t').where('t.slot_name = :slotName', { slotName }).andWhere("t.status <> 'DELETED'").getMany();
  }

  /**
   * Replaces the configuration only if the task is still in one of `statuses` and still has the
   * configuration and credentials it was read with, so an edit cannot race a submit or another edit.
   */
  async replaceConfig(
    current: Pick<TaskEntity, 'id' | 'config' | 'secrets'>,
    statuses: TaskStatus[],
    patch: Partial<TaskConfigPatch> & Pick<TaskRuntimePatch, 'requestedOperation'>,
  ): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(TaskEntity)
      .set(patch as QueryDeepPartialEntity<TaskEntity>)
      .where('id = :id AND status IN (:...statuses)', { id: current.id, statuses })
      .andWhere('config = CAST(:config AS jsonb) AND secrets IS NOT DISTINCT FROM :secrets', {
        config: JSON.stringify(current.config),
        secrets: current.secrets,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Moves a task to `to` only if it is still in one of `from`; returns false when another
   * actor changed it first, so concurrent operations cannot both win.
   */
  async transition(
    id: string,
    from: TaskStatus[],
    to: TaskStatus,
    patch: TaskRuntimePatch = {},
    /** Also require the configuration and credentials read before (e.g. the ones a precheck vouched for). */
    unchangedSince?: Pick<TaskEntity, 'config' | 'secrets'>,
  ): Promise<boolean> {
    const qb = this.repo
      .createQueryBuilder()
      .update(TaskEntity)
      .set({ ...patch, status: to })
      .where('id = :id AND status IN (:...from)', { id, from });
    if (unchangedSince) {
      qb.andWhere('config = CAST(:config AS jsonb) AND secrets IS NOT DISTINCT FROM :secrets', {
        config: JSON.stringify(unchangedSince.config),
        secrets: unchangedSince.secrets,
      });
    }
    const result = await qb.execute();
    return (result.affected ?? 0) > 0;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
