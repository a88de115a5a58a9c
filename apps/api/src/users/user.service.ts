import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { CreateUserInput, UpdateUserInput, UserView } from '@walbridge/contracts';
import { DomainError } from '@walbridge/domain';
import { UserRepository, UserSessionRepository, type UserEntity } from '@walbridge/persistence';
import { hashPassword } from '../auth/password-hasher';
import type { Principal } from '../auth/principal';
import { toUserView } from './user.mapper';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: UserSessionRepository,
  ) {}

  async list(): Promise<UserView[]> {
    return (await this.users.list()).map(toUserView);
  }

  async create(input: CreateUserInput): Promise<UserView> {
    if (await this.users.findByUsername(input.username)) throw usernameTaken(input.username);
    try {
      const user = await this.users.insert({ id: randomUUID(), username: input.username, passwordHash: await hashPassword(input.password), role: input.role });
      return toUserView(user);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw usernameTaken(input.username);
      throw error;
    }
  }

  /**
   * A new password ends the user's sessions (but the caller's own); a new role applies to their
   * next request. The last admin cannot be demoted: nobody could manage users any more.
   */
  async update(id: string, patch: UpdateUserInput, caller: Principal): Promise<UserView> {
    const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    const updated = await this.users.withAdminLock(async (users) => {
      const user = await this.load(users, id);
      if (patch.role && patch.role !== 'admin' && user.role === 'admin' && (await users.countAdmins()) <= 1) throw lastAdmin('demoted');
      await users.update(id, { ...(patch.role ? { role: patch.role } : {}), ...(passwordHash ? { passwordHash } : {}) });
      return (await users.findById(id))!;
    });
    if (passwordHash) await this.sessions.deleteForUser(id, caller.authenticatedBy === 'session' ? caller.credentialId : undefined);
    return toUserView(updated);
  }

  /** Sessions and API tokens of the user go with it; the audit trail keeps its name. */
  async delete(id: string, caller: Principal): Promise<void> {
    if (id === caller.userId) {
      throw new DomainError('conflict', 'CANNOT_DELETE_SELF', 'you cannot delete the user you are logged in as; ask another admin');
    }
    await this.users.withAdminLock(async (users) => {
      const user = await this.load(users, id);
      if (user.role === 'admin' && (await users.countAdmins()) <= 1) throw lastAdmin('deleted');
      await users.delete(id);
    });
  }

  private async load(users: UserRepository, id: string): Promise<UserEntity> {
    const user = await users.findById(id);
    if (!user) throw new DomainError('not-found', 'USER_NOT_FOUND', `user ${id} not found`);
    return user;
  }
}

function usernameTaken(username: string): DomainError {
  return new DomainError('conflict', 'USERNAME_TAKEN', `a user named ${username} already exists`, [{ field: 'username', message: 'already taken' }]);
}

function lastAdmin(what: string): DomainError {
  return new DomainError('conflict', 'LAST_ADMIN', `the last admin cannot be ${what}; make another user admin first`);
}
