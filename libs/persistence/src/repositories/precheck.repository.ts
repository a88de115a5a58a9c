import { randomUUID } from 'node:crypto';
import { IsNull, type DataSource, type Repository } from 'typeorm';
import type { PrecheckResult, PrecheckRunStatus } from '@walbridge/contracts';
import { PrecheckItemEntity, PrecheckRunEntity } from '../entities';

export interface ItemOutcome {
  key: string;
  result: PrecheckResult;
  reason: string | null;
  suggestion: string | null;
  affectedObjects: string[];
}

export class PrecheckRepository {
  private readonly runs: Repository<PrecheckRunEntity>;
  private readonly items: Repository<PrecheckItemEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.runs = dataSource.getRepository(PrecheckRunEntity);
    this.items = dataSource.getRepository(PrecheckItemEntity);
  }

  /** A new run with every item PENDING, so progress (done / total) is known from the start. */
  async createRun(taskId: string, keys: readonly string[], options: PrecheckRunEntity['options']): Promise<PrecheckRunEntity> {
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await tx.getRepository(PrecheckRunEntity).insert({ id, taskId, status: 'RUNNING', result: null, configHash: null, options, error: null, finishedAt: null });
      await tx.getRepository(PrecheckItemEntity).insert(
        keys.map((key, position) => ({
          id: randomUUID(),
          runId: id,
          position,
          key,
          result: 'PENDING' as const,
          reason: null,
          suggestion: null,
          affectedObjects: [],
          confirmedAt: null,
          confirmedBy: null,
        })),
      );
    });
    return (await this.findRun(id))!;
  }

  async findRun(id: string): Promise<PrecheckRunEntity | null> {
    return this.runs.findOne({ where: { id }, relations: { items: true }, order: { items: { position: 'ASC' } } });
  }

  async latestRun(taskId: string): Promise<PrecheckRunEntity | null> {
    const latest = await this.runs.findOne({ where: { taskId }, order: { createdAt: 'DESC' }, select: { id: true } });
    return latest ? this.findRun(latest.id) : null;
  }

  /** Records finished items; a run that has been finished meanwhile (timed out, superseded) is left alone. */
  async recordItems(runId: string, outcomes: readonly ItemOutcome[]): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      for (const o of outcomes) {
        await tx
          .createQueryBuilder()
          .update(PrecheckItemEntity)
          .set({ result: o.result, reason: o.reason, suggestion: o.suggestion, affectedObjects: o.affectedObjects })
          .where('run_id = :runId AND key = :key', { runId, key: o.key })
          .andWhere(`EXISTS (SELECT 1 FROM precheck_run r WHERE r.id = :runId AND r.status = 'RUNNING')`, { runId })
          .execute();
      }
    });
  }

  async finishRun(runId: string, patch: { status: Exclude<PrecheckRunStatus, 'RUNNING'>; result: PrecheckResult | null; configHash: string | null; error: string | null }): Promise<boolean> {
    const done = await this.runs.update({ id: runId, status: 'RUNNING' }, { ...patch, finishedAt: new Date() });
    return (done.affected ?? 0) > 0;
  }

  /** Confirms an ALARM item once; false when it is not an unconfirmed ALARM of that run. */
  async confirmItem(runId: string, itemId: string, by: string): Promise<boolean> {
    const done = await this.items.update({ id: itemId, runId, result: 'ALARM', confirmedAt: IsNull() }, { confirmedAt: new Date(), confirmedBy: by });
    return (done.affected ?? 0) > 0;
  }
}
