import type { DataSource, Repository } from 'typeorm';
import { In } from 'typeorm';
import type { TaskStatus } from '@walbridge/contracts';
import { TaskEntity } from '../entities';

export interface TaskListQuery {
  status?: TaskStatus;
  q?: string;
  page: number;
  pageSize: number;
}

/** What the control plane changes on a running task; configuration edits go through `replaceConfig`. */
export type TaskRuntimePatch = Partial<
  Pick<TaskEntity, 'status' | 'confirmedLsn' | 'delaySeconds' | 'lastError' | 'secrets' | 'requestedOperation'>
>;

export class TaskRepository {
  private readonly repo: Repository<TaskEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(TaskEntity);
  }

  /** Ids are generated here so that the slot name (derived from the id) is known at insert. */
  insert(task: Omit<TaskEntity, 'createdAt' | 'updatedAt'>): Promise<TaskEntity> {
    return this.repo.save(this.repo.create(task));
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

  findByIds(ids: string[]): Promise<TaskEntity[]> {
    return ids.length ? this.repo.find({ where: { id: In(ids) } }) : Promise.resolve([]);
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
