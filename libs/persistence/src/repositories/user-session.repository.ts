import type { DataSource, Repository } from 'typeorm';
import { LessThan, MoreThan, Not } from 'typeorm';
import { UserSessionEntity, type UserEntity } from '../entities';

export class UserSessionRepository {
  private readonly repo: Repository<UserSessionEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(UserSessionEntity);
  }

  async insert(tokenHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.repo.insert({ tokenHash, userId, expiresAt });
  }

  /**
   * The session's user, if the session exists, has not expired and was used within `idleMs`.
   * Its last use moves forward at most once a minute (one write per minute, not per request).
   */
  async findUser(tokenHash: string, idleMs = Number.MAX_SAFE_INTEGER): Promise<UserEntity | null> {
    const now = Date.now();
    const session = await this.repo.findOne({
      where: { tokenHash, expiresAt: MoreThan(new Date(now)), lastUsedAt: MoreThan(new Date(Math.max(0, now - idleMs))) },
      relations: { user: true },
    });
    if (session && now - session.lastUsedAt.getTime() > 60_000) void this.repo.update({ tokenHash }, { lastUsedAt: new Date(now) }).catch(() => undefined);
    return session?.user ?? null;
  }

  async delete(tokenHash: string): Promise<void> {
    await this.repo.delete({ tokenHash });
  }

  /** Ends the user's sessions (e.g. after a password change), keeping `except` if given. */
  async deleteForUser(userId: string, except?: string): Promise<void> {
    await this.repo.delete(except ? { userId, tokenHash: Not(except) } : { userId });
  }

  async purgeExpired(): Promise<void> {
    await this.repo.delete({ expiresAt: LessThan(new Date()) });
  }
}
