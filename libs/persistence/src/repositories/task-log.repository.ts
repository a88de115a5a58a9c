import type { DataSource, Repository } from 'typeorm';
import type { TaskLogLevel } from '@walbridge/contracts';
import { TaskLogEntity } from '../entities';

export interface TaskLogQuery {
  taskId: string;
  level?: TaskLogLevel;
  /** Any of these levels (combined with `level` if both are given). */
  levels?: TaskLogLevel[];
  /** Exclusive: entries older than this id (newest first paging). */
  cursor?: string;
  limit: number;
}

export class TaskLogRepository {
  private readonly repo: Repository<TaskLogEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(TaskLogEntity);
  }

  async append(taskId: string, level: TaskLogLevel, message: string): Promise<void> {
    await this.repo.insert({ taskId, level, message });
  }

  async list(query: TaskLogQuery): Promise<{ items: TaskLogEntity[]; nextCursor: string | null }> {
    const qb = this.repo.createQueryBuilder('l').where('l.task_id = :taskId', { taskId: query.taskId });
    if (query.level) qb.andWhere('l.level = :level', { level: query.level });
    if (query.levels?.length) qb.andWhere('l.level IN (:...levels)', { levels: query.levels });
    if (query.cursor) qb.andWhere('l.id < :cursor', { cursor: query.cursor });
    const items = await qb.orderBy('l.id', 'DESC').take(query.limit + 1).getMany();
    const more = items.length > query.limit;
    if (more) items.pop();
    return { items, nextCursor: more ? items[items.length - 1].id : null };
  }
}
