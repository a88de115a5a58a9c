import type { DataSource, EntityManager, Repository } from 'typeorm';
import { UserEntity } from '../entities';

export type NewUser = Pick<UserEntity, 'id' | 'username' | 'passwordHash' | 'role'>;
export type UserPatch = Partial<Pick<UserEntity, 'passwordHash' | 'role' | 'lastLoginAt'>>;

// One lock for every change that could leave the installation without an admin, so two
// concurrent demotions cannot both see "another admin remains".
const ADMIN_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('walbridge:admins'))";

export class UserRepository {
  private readonly repo: Repository<UserEntity>;

  constructor(private readonly dataSource: DataSource | EntityManager) {
    this.repo = dataSource.getRepository(UserEntity);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { username } });
  }

  list(): Promise<UserEntity[]> {
    return this.repo.find({ order: { username: 'ASC' } });
  }

  countAdmins(): Promise<number> {
    return this.repo.count({ where: { role: 'admin' } });
  }

  async insert(user: NewUser): Promise<UserEntity> {
    return this.repo.save(this.repo.create({ ...user, lastLoginAt: null }));
  }

  async update(id: string, patch: UserPatch): Promise<void> {
    await this.repo.update({ id }, patch);
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.repo.delete({ id })).affected ?? 0) > 0;
  }

  /** Creates the first user only if there is none yet; several API replicas may start at once. */
  async insertIfEmpty(user: NewUser): Promise<UserEntity | null> {
    return this.withAdminLock(async (users) => ((await users.repo.count()) === 0 ? users.insert(user) : null));
  }

  /** Runs `work` in a transaction that holds the admin lock, with a repository bound to it. */
  withAdminLock<T>(work: (users: UserRepository) => Promise<T>): Promise<T> {
    // A DataSource and an EntityManager both open transactions the same way.
    return (this.dataSource as EntityManager).transaction(async (tx) => {
      await tx.query(ADMIN_LOCK_SQL);
      return work(new UserRepository(tx));
    });
  }
}
