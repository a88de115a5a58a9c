import { randomBytes } from 'node:crypto';
import type { Role, UserView } from '@walbridge/contracts';
import { ApiClient } from './api-client';
import { uniqueName } from './source-db';

/**
 * A password for a test to use anywhere (users, databases, Kafka). The `wbpw-` mark lets the
 * test runner prove afterwards that no test password reached any log.
 */
export function testPassword(): string {
  return `wbpw-${randomBytes(9).toString('base64url')}`;
}

export const TEST_PASSWORD_PATTERN = /wbpw-[A-Za-z0-9_-]{8,}/;

export interface TestUser {
  user: UserView;
  username: string;
  password: string;
  /** Logged in as this user. */
  client: ApiClient;
}

/** Creates a user with `role` through the API (as the runner's admin) and a client for it. */
export async function createTestUser(role: Role, admin = new ApiClient()): Promise<TestUser> {
  const username = uniqueName(role).replace(/_/g, '-');
  const password = testPassword();
  const res = await admin.request<UserView>('POST', '/api/v1/users', { username, password, role });
  if (res.status !== 201) throw new Error(`create user ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { user: res.body, username, password, client: new ApiClient(admin.baseUrl, {}, { username, password }) };
}
