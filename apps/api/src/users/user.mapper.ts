import type { UserView } from '@walbridge/contracts';
import type { UserEntity } from '@walbridge/persistence';

/** The password hash never leaves the service. */
export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}
