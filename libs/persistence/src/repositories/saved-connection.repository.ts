import type { DataSource, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { ConnectionUser, SavedConnectionTest } from '@walbridge/contracts';
import { SavedConnectionEntity, TaskEntity } from '../entities';

export class SavedConnectionRepository {
  private readonly repo: Repository<SavedConnectionEntity>;
  private readonly tasks: Repository<TaskEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(SavedConnectionEntity);
    this.tasks = dataSource.getRepository(TaskEntity);
  }

  insert(connection: Omit<SavedConnectionEntity, 'createdAt' | 'updatedAt' | 'lastTest'>): Promise<SavedConnectionEntity> {
    return this.repo.save(this.repo.create({ ...connection, lastTest: null }));
  }

  list(): Promise<SavedConnectionEntity[]> {
    return this.repo.find({ order: { name: 'ASC' } });
  }

  findById(id: string): Promise<SavedConnectionEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  /** Case-insensitive: "Prod" and "prod" would be two connections nobody can tell apart. */
  async nameTaken(name: string, exceptId?: string): Promise<boolean> {
    const qb = this.repo.createQueryBuilder('c').where('lower(c.name) = lower(:name)', { name });
    if (exceptId) qb.andWhere('c.id <> :exceptId', { exceptId });
    return (await qb.getCount()) > 0;
  }

  async update(id: string, patch: Partial<Pick<SavedConnectionEntity, 'name' | 'config' | 'secrets'>>): Promise<void> {
    await this.repo.update({ id }, patch as QueryDeepPartialEntity<SavedConnectionEntity>);
  }

  async recordTest(id: string, lastTest: SavedConnectionTest): Promise<void> {
    // A test is not an edit of the connection: updated_at stays.
    await this.repo.createQueryBuilder().update().set({ lastTest, updatedAt: () => 'updated_at' } as QueryDeepPartialEntity<SavedConnectionEntity>).where('id = :id', { id }).execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.repo.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /** Live tasks (not DELETED) whose source or destination references the connections, by connection id. */
  async usersOf(ids: string[]): Promise<Map<string, ConnectionUser[]>> {
    const users = new Map<string, ConnectionUser[]>(ids.map((id) => [id, []]));
    if (!ids.length) return users;
    const rows: { id: string; name: string; status: ConnectionUser['status']; source_id: string | null; destination_id: string | null }[] = await this.tasks.query(
      `SELECT id, name, status, config->'source'->>'connectionId' AS source_id, config->'destination'->>'connectionId' AS destination_id
         FROM task
        WHERE status <> 'DELETED' AND (config->'source'->>'connectionId' = ANY($1) OR config->'destination'->>'connectionId' = ANY($1))
        ORDER BY name`,
      [ids],
    );
    for (const row of rows) {
      for (const ref of new Set([row.source_id, row.destination_id])) users.get(ref ?? '')?.push({ id: row.id, name: row.name, status: row.status });
    }
    return users;
  }
}
