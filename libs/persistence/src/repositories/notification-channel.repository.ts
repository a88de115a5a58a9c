import type { DataSource, Repository } from 'typeorm';
import { In } from 'typeorm';
import { NotificationChannelEntity } from '../entities';

export class NotificationChannelRepository {
  private readonly repo: Repository<NotificationChannelEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(NotificationChannelEntity);
  }

  insert(channel: Omit<NotificationChannelEntity, 'createdAt' | 'updatedAt'>): Promise<NotificationChannelEntity> {
    return this.repo.save(this.repo.create(channel));
  }

  list(): Promise<NotificationChannelEntity[]> {
    return this.repo.find({ order: { name: 'ASC' } });
  }

  findById(id: string): Promise<NotificationChannelEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  findByIds(ids: string[]): Promise<NotificationChannelEntity[]> {
    return ids.length ? this.repo.find({ where: { id: In(ids) } }) : Promise.resolve([]);
  }

  /** Case-insensitive: "Ops" and "ops" would be two channels nobody can tell apart. */
  async nameTaken(name: string, exceptId?: string): Promise<boolean> {
    const qb = this.repo.createQueryBuilder('c').where('lower(c.name) = lower(:name)', { name });
    if (exceptId) qb.andWhere('c.id <> :exceptId', { exceptId });
    return (await qb.getCount()) > 0;
  }

  async update(id: string, patch: Partial<Pick<NotificationChannelEntity, 'name' | 'enabled' | 'config' | 'secrets'>>): Promise<void> {
    await this.repo.update({ id }, patch);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.repo.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}
