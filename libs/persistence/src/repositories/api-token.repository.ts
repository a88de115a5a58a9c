import type { DataSource, Repository } from 'typeorm';
import { ApiTokenEntity, type UserEntity } from '../entities';

export type NewApiToken = Pick<ApiTokenEntity, 'id' | 'userId' | 'name' | 'tokenHash' | 'tokenPrefix' | 'expiresAt'>;

// Writing last_used_at on every request would turn each read into a write: once a minute is plenty.
const TOUCH_EVERY = "interval '1 minute'";

export class ApiTokenRepository {
  private readonly repo: Repository<ApiTokenEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(ApiTokenEntity);
  }

  async insert(token: NewApiToken): Promise<ApiTokenEntity> {
    await this.repo.insert({ ...token, lastUsedAt: null });
    return (await this.repo.findOne({ where: { id: token.id }, relations: { user: true } }))!;
  }

  list(): Promise<ApiTokenEntity[]> {
    return this.repo.find({ relations: { user: true }, order: { createdAt: 'DESC' } });
  }

  /** The token (with its user) if it exists and has not expired. */
  findValid(tokenHash: string): Promise<ApiTokenEntity | null> {
    return this.repo
      .createQueryBuilder('t')
      .innerJoinAndSelect('t.user', 'u')
      .where('t.token_hash = :tokenHash', { tokenHash })
      .andWhere('(t.expires_at IS NULL OR t.expires_at > now())')
      .getOne();
  }

  async touch(id: string): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update(ApiTokenEntity)
      .set({ lastUsedAt: () => 'now()' })
      .where(`id = :id AND (last_used_at IS NULL OR last_used_at < now() - ${TOUCH_EVERY})`, { id })
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.repo.delete({ id })).affected ?? 0) > 0;
  }
}

export type ApiTokenWithUser = ApiTokenEntity & { user: UserEntity };
