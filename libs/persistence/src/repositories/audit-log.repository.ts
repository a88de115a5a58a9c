import type { DataSource, Repository } from 'typeorm';
import type { AuditResult } from '@walbridge/contracts';
import { AuditLogEntity } from '../entities';

export type NewAuditEntry = Omit<AuditLogEntity, 'id' | 'createdAt'>;

export interface AuditLogFilters {
  taskId?: string;
  actor?: string;
  /** Exact, or `prefix.*` for every action under a prefix. */
  action?: string;
  result?: AuditResult;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

export interface AuditLogListQuery extends AuditLogFilters {
  /** Exclusive: entries older than this id (newest first). */
  cursor?: string;
  limit: number;
}

/** An entry with its task's current name (null when there is no task, or it was deleted). */
export type AuditLogRow = AuditLogEntity & { taskName: string | null };

export class AuditLogRepository {
  private readonly repo: Repository<AuditLogEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(AuditLogEntity);
  }

  async append(entry: NewAuditEntry): Promise<void> {
    await this.repo.insert(entry);
  }

  async list(query: AuditLogListQuery): Promise<{ items: AuditLogRow[]; nextCursor: string | null }> {
    const items = await this.page(query, query.cursor, query.limit + 1);
    const more = items.length > query.limit;
    if (more) items.pop();
    return { items, nextCursor: more ? items[items.length - 1].id : null };
  }

  /** Every matching entry, newest first, a page at a time (an export never holds the whole log). */
  async *scan(filters: AuditLogFilters, max: number, pageSize = 1000): AsyncGenerator<AuditLogRow> {
    let cursor: string | undefined;
    let left = max;
    while (left > 0) {
      const page = await this.page(filters, cursor, Math.min(pageSize, left));
      yield* page;
      if (page.length < Math.min(pageSize, left)) return;
      left -= page.length;
      cursor = page[page.length - 1].id;
    }
  }

  private async page(filters: AuditLogFilters, cursor: string | undefined, take: number): Promise<AuditLogRow[]> {
    const qb = this.repo.createQueryBuilder('a').leftJoin('task', 't', 't.id = a.task_id').addSelect('t.name', 'task_name');
    if (filters.taskId) qb.andWhere('a.task_id = :taskId', { taskId: filters.taskId });
    if (filters.actor) qb.andWhere('a.actor = :actor', { actor: filters.actor });
    if (filters.action?.endsWith('.*')) {
      // The prefix holds only [a-z0-9.-] (the query schema): no LIKE wildcard to escape.
      qb.andWhere('a.action LIKE :prefix', { prefix: `${filters.action.slice(0, -1)}%` });
    } else if (filters.action) {
      qb.andWhere('a.action = :action', { action: filters.action });
    }
    if (filters.result) qb.andWhere('a.result = :result', { result: filters.result });
    if (filters.from) qb.andWhere('a.created_at >= :from', { from: filters.from });
    if (filters.to) qb.andWhere('a.created_at < :to', { to: filters.to });
    if (cursor) qb.andWhere('a.id < :cursor', { cursor });
    const { entities, raw } = await qb.orderBy('a.id', 'DESC').limit(take).getRawAndEntities<{ a_id: string; task_name: string | null }>();
    const names = new Map(raw.map((r) => [String(r.a_id), r.task_name]));
    return entities.map((e) => Object.assign(e, { taskName: names.get(e.id) ?? null }));
  }
}
