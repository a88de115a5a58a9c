import type { DataSource, Repository } from 'typeorm';
import { AuditLogEntity } from '../entities';

export type NewAuditEntry = Omit<AuditLogEntity, 'id' | 'createdAt'>;

export interface AuditLogListQuery {
  taskId?: string;
  actor?: string;
  action?: string;
  /** Exclusive: entries older than this id (newest first). */
  cursor?: string;
  limit: number;
}

export class AuditLogRepository {
  private readonly repo: Repository<AuditLogEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(AuditLogEntity);
  }

  async append(entry: NewAuditEntry): Promise<void> {
    await this.repo.insert(entry);
  }

  async list(query: AuditLogListQuery): Promise<{ items: AuditLogEntity[]; nextCursor: string | null }> {
    const qb = this.repo.createQueryBuilder('a');
    if (query.taskId) qb.andWhere('a.task_id = :taskId', { taskId: query.taskId });
    if (query.actor) qb.andWhere('a.actor = :actor', { actor: query.actor });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.cursor) qb.andWhere('a.id < :cursor', { cursor: query.cursor });
    const items = await qb.orderBy('a.id', 'DESC').take(query.limit + 1).getMany();
    const more = items.length > query.limit;
    if (more) items.pop();
    return { items, nextCursor: more ? items[items.length - 1].id : null };
  }
}
