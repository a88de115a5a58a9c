import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTokenView, LoginResult, MeView, TokenView, UserView } from '@walbridge/contracts';
import { ApiClient, createTestUser, testEnv, testPassword, uniqueName, type TestUser } from '@walbridge/testing';

const admin = new ApiClient();
const anonymous = new ApiClient(testEnv.apiUrl, {}, 'none');

function login(username: string, password: string) {
  return anonymous.request<LoginResult & { code?: string; message?: string }>('POST', '/api/v1/auth/login', { username, password });
}

function withCookie(cookie: string) {
  return new ApiClient(testEnv.apiUrl, { cookie }, 'none');
}

function sessionCookieOf(headers: Headers): string {
  const setCookie = headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0];
}

describe('authentication: sessions, tokens, passwords', () => {
  let metadata: Client;

  beforeAll(async () => {
    metadata = new Client({ connectionString: testEnv.databaseUrl });
    await metadata.connect();
  });

  afterAll(async () => {
    await metadata?.end();
  });

  it('logs in with a session cookie that page scripts cannot read and other sites cannot make the browser send', async () => {
    const { username, password } = await createTestUser('viewer');
    const res = await login(username.toUpperCase(), password);
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^wbs_[A-Za-z0-9_-]{43}$/);
    expect(res.body.user).toMatchObject({ username, role: 'viewer', authenticatedBy: 'session' });
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^walbridge_session=wbs_/);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/; Max-Age=43200/);

    const byCookie = await withCookie(sessionCookieOf(res.headers)).request<MeView>('GET', '/api/v1/auth/me');
    expect(byCookie.status).toBe(200);
    expect(byCookie.body).toMatchObject({ username, role: 'viewer', authenticatedBy: 'session' });
    const byBearer = await new ApiClient(testEnv.apiUrl, {}, { token: res.body.token }).request('GET', '/api/v1/tasks');
    expect(byBearer.status).toBe(200);
  });

  it('answers a wrong password and an unknown user alike, without a hint and without echoing the password', async () => {
    const { username } = await createTestUser('viewer');
    const typed = testPassword();
    const wrong = await login(username, typed);
    const unknown = await login(uniqueName('nobody'), typed);
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'invalid username or password' });
      expect(JSON.stringify(res.body)).not.toContain(typed);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('ends the session at logout: neither the cookie nor the token opens anything afterwards, and the cookie is cleared', async () => {
    const { username, password } = await createTestUser('operator');
    const res = await login(username, password);
    const cookie = sessionCookieOf(res.headers);
    const out = await withCookie(cookie).request('POST', '/api/v1/auth/logout');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^walbridge_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await withCookie(cookie).request('GET', '/api/v1/auth/me')).status).toBe(401);
    expect((await new ApiClient(testEnv.apiUrl, {}, { token: res.body.token }).request('GET', '/api/v1/tasks')).status).toBe(401);
  });

  it('refuses logins after repeated failures, even with the right password, and tells when to retry; other users are not locked out', async () => {
    const locked = await createTestUser('viewer');
    const other = await createTestUser('viewer');
    for (let i = 0; i < 5; i++) expect((await login(locked.username, testPassword())).status).toBe(401);
    const refused = await login(locked.username, locked.password);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'TOO_MANY_LOGIN_ATTEMPTS' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(900);
    expect((await login(other.username, other.password)).status).toBe(200);
  });

  it('does not count successful logins: logging in often never locks anyone out', async () => {
    const { username, password } = await createTestUser('viewer');
    for (let i = 0; i < 8; i++) expect((await login(username, password)).status).toBe(200);
  });

  it('keeps passwords as salted scrypt hashes only', async () => {
    const { user, password } = await createTestUser('viewer');
    const { rows } = await metadata.query<{ password_hash: string }>('SELECT password_hash FROM app_user WHERE id = $1', [user.id]);
    expect(rows[0].password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(rows[0].password_hash).not.toContain(password);
    const listed = await admin.request<UserView[]>('GET', '/api/v1/users');
    expect(JSON.stringify(listed.body)).not.toMatch(/scrypt|password/i);
  });

  describe('API tokens', () => {
    let viewer: TestUser;
    let created: CreatedTokenView;

    beforeAll(async () => {
      viewer = await createTestUser('viewer');
      const res = await admin.request<CreatedTokenView>('POST', '/api/v1/tokens', { name: 'prometheus scraper', username: viewer.username });
      expect(res.status).toBe(201);
      created = res.body;
    });

    it('shows the token once, when it is created, and only its prefix afterwards', async () => {
      expect(created.token).toMatch(/^wbt_[A-Za-z0-9_-]{43}$/);
      expect(created).toMatchObject({ name: 'prometheus scraper', username: viewer.username, role: 'viewer', prefix: created.token.slice(0, 12) });
      const list = await admin.request<TokenView[]>('GET', '/api/v1/tokens');
      const listed = list.body.find((t) => t.id === created.id);
      expect(listed).toMatchObject({ name: 'prometheus scraper', prefix: created.token.slice(0, 12) });
      expect(JSON.stringify(list.body)).not.toContain(created.token);
    });

    it('stores only the SHA-256 of the token', async () => {
      const { rows } = await metadata.query('SELECT * FROM api_token WHERE id = $1', [created.id]);
      expect(rows[0].token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
      expect(JSON.stringify(rows[0])).not.toContain(created.token);
    });

    it("acts with its owner's role and records its use", async () => {
      const client = new ApiClient(testEnv.apiUrl, {}, { token: created.token });
      expect((await client.request<MeView>('GET', '/api/v1/auth/me')).body).toMatchObject({ username: viewer.username, authenticatedBy: 'token' });
      expect((await client.request('GET', '/api/v1/tasks')).status).toBe(200);
      expect((await client.request('POST', '/api/v1/tasks', {})).status).toBe(403);
      const list = await admin.request<TokenView[]>('GET', '/api/v1/tokens');
      expect(list.body.find((t) => t.id === created.id)?.lastUsedAt).not.toBeNull();
    });

    it('stops working when revoked, and when expired', async () => {
      const revoked = await admin.request<CreatedTokenView>('POST', '/api/v1/tokens', { name: 'short lived' });
      expect((await admin.request('DELETE', `/api/v1/tokens/${revoked.body.id}`)).status).toBe(204);
      expect((await new ApiClient(testEnv.apiUrl, {}, { token: revoked.body.token }).request('GET', '/api/v1/tasks')).status).toBe(401);
      expect((await admin.request('DELETE', `/api/v1/tokens/${revoked.body.id}`)).status).toBe(404);

      const expiring = await admin.request<CreatedTokenView>('POST', '/api/v1/tokens', { name: 'expiring', expiresInDays: 1 });
      expect(Date.parse(expiring.body.expiresAt!) - Date.now()).toBeGreaterThan(86_000_000);
      const client = new ApiClient(testEnv.apiUrl, {}, { token: expiring.body.token });
      expect((await client.request('GET', '/api/v1/tasks')).status).toBe(200);
      await metadata.query("UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1", [expiring.body.id]);
      expect((await client.request('GET', '/api/v1/tasks')).status).toBe(401);
    });

    it('refuses a token for a user who does not exist, naming the field', async () => {
      const res = await admin.request<{ details: unknown[] }>('POST', '/api/v1/tokens', { name: 'x', username: uniqueName('ghost') });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: 'username', message: 'no such user' }]);
    });
  });

  describe('users (admin)', () => {
    it('creates users without ever returning a password or hash, and refuses a second user of the same name in any case', async () => {
      const username = uniqueName('ops').replace(/_/g, '-');
      const created = await admin.request<UserView>('POST', '/api/v1/users', { username: username.toUpperCase(), password: testPassword(), role: 'operator' });
      expect(created.status).toBe(201);
      expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'id', 'lastLoginAt', 'role', 'updatedAt', 'username']);
      expect(created.body.username).toBe(username);
      const again = await admin.request<{ code: string; details: unknown[] }>('POST', '/api/v1/users', { username, password: testPassword(), role: 'viewer' });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'USERNAME_TAKEN', details: [{ field: 'username', message: 'already taken' }] });
    });

    it('names every invalid field', async () => {
      const res = await admin.request<{ details: { field: string }[] }>('POST', '/api/v1/users', { username: 'a', password: 'short', role: 'root' });
      expect(res.status).toBe(400);
      expect(res.body.details.map((d) => d.field).sort()).toEqual(['password', 'role', 'username']);
    });

    it('applies a new role from the very next request', async () => {
      const operator = await createTestUser('operator');
      expect((await operator.client.request('POST', '/api/v1/tasks', {})).status).toBe(400);
      const demoted = await admin.request<UserView>('PATCH', `/api/v1/users/${operator.user.id}`, { role: 'viewer' });
      expect(demoted.body.role).toBe('viewer');
      const refused = await operator.client.request<{ message: string }>('POST', '/api/v1/tasks', {});
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(/needs the operator role/);
    });

    it('ends the sessions of a user whose password an admin resets', async () => {
      const user = await createTestUser('viewer');
      const session = (await login(user.username, user.password)).body.token;
      const newPassword = testPassword();
      expect((await admin.request('PATCH', `/api/v1/users/${user.user.id}`, { password: newPassword })).status).toBe(200);
      expect((await new ApiClient(testEnv.apiUrl, {}, { token: session }).request('GET', '/api/v1/tasks')).status).toBe(401);
      expect((await login(user.username, user.password)).status).toBe(401);
      expect((await login(user.username, newPassword)).status).toBe(200);
    });

    it('deletes a user with their sessions and tokens; an admin cannot delete themselves', async () => {
      const user = await createTestUser('operator');
      const session = (await login(user.username, user.password)).body.token;
      const token = (await admin.request<CreatedTokenView>('POST', '/api/v1/tokens', { name: 'doomed', username: user.username })).body.token;
      expect((await admin.request('DELETE', `/api/v1/users/${user.user.id}`)).status).toBe(204);
      for (const t of [session, token]) expect((await new ApiClient(testEnv.apiUrl, {}, { token: t }).request('GET', '/api/v1/tasks')).status).toBe(401);
      const me = await admin.request<MeView>('GET', '/api/v1/auth/me');
      const self = await admin.request<{ code: string }>('DELETE', `/api/v1/users/${me.body.id}`);
      expect(self.status).toBe(409);
      expect(self.body.code).toBe('CANNOT_DELETE_SELF');
    });
  });

  it('lets any user change their own password, which ends their other sessions', async () => {
    const user = await createTestUser('viewer');
    const other = (await login(user.username, user.password)).body.token;
    const wrong = await user.client.request<{ details: unknown[] }>('POST', '/api/v1/auth/password', { currentPassword: testPassword(), newPassword: testPassword() });
    expect(wrong.status).toBe(400);
    expect(wrong.body.details).toEqual([{ field: 'currentPassword', message: 'does not match' }]);
    const newPassword = testPassword();
    expect((await user.client.request('POST', '/api/v1/auth/password', { currentPassword: user.password, newPassword })).status).toBe(204);
    expect((await user.client.request('GET', '/api/v1/auth/me')).status).toBe(200);
    expect((await new ApiClient(testEnv.apiUrl, {}, { token: other }).request('GET', '/api/v1/auth/me')).status).toBe(401);
    expect((await login(user.username, newPassword)).status).toBe(200);
  });

  it('counts wrong current passwords like failed logins, so a stolen session cannot guess the password', async () => {
    const user = await createTestUser('viewer');
    for (let i = 0; i < 5; i++) {
      expect((await user.client.request('POST', '/api/v1/auth/password', { currentPassword: testPassword(), newPassword: testPassword() })).status).toBe(400);
    }
    const refused = await user.client.request('POST', '/api/v1/auth/password', { currentPassword: user.password, newPassword: testPassword() });
    expect(refused.status).toBe(429);
    expect((await login(user.username, user.password)).status).toBe(429);
  });
});
