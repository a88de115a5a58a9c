import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeView, UserView } from '@walbridge/contracts';
import { ApiClient, freePort, run, testEnv, testPassword, waitFor } from '@walbridge/testing';

/**
 * A second api of the test's own, on an empty metadata database, to watch what a fresh
 * installation does at its first start and at the next.
 */
class ApiProcess {
  output = '';
  private child?: ChildProcess;

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    this.output = '';
    const env = { ...process.env, ...this.env };
    delete env.WALBRIDGE_ADMIN_PASSWORD;
    this.child = spawn(process.execPath, [join(process.cwd(), 'apps', 'api', 'dist', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => (this.output += d));
    this.child.stderr!.on('data', (d) => (this.output += d));
    await waitFor('the second api to answer', async () => {
      if (this.child!.exitCode !== null) throw new Error(`api exited: ${this.output.slice(-2000)}`);
      return (await fetch(`http://127.0.0.1:${this.env.WALBRIDGE_API_PORT}/health`).catch(() => null))?.ok ? true : undefined;
    }, 60_000, 200);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

describe('the first admin of a fresh installation', () => {
  const database = `${new URL(testEnv.databaseUrl).pathname.slice(1)}_first_admin`;
  const databaseUrl = Object.assign(new URL(testEnv.databaseUrl), { pathname: `/${database}` }).toString();
  const dir = mkdtempSync(join(tmpdir(), 'wb-first-admin-'));
  let api: ApiProcess;
  let baseUrl: string;
  let firstOutput: string;
  let password: string;

  async function onServer(sql: string): Promise<void> {
    const client = new Client({ connectionString: Object.assign(new URL(testEnv.databaseUrl), { pathname: '/postgres' }).toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await onServer(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await onServer(`CREATE DATABASE "${database}"`);
    await run(process.execPath, [join(process.cwd(), 'migrations', 'dist', 'cli.js'), 'run'], { env: { ...process.env, WALBRIDGE_DATABASE_URL: databaseUrl } });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    api = new ApiProcess({
      WALBRIDGE_DATABASE_URL: databaseUrl,
      WALBRIDGE_REDIS_URL: testEnv.redisUrl,
      WALBRIDGE_QUEUE_PREFIX: `walbridge-first-admin-${port}`,
      WALBRIDGE_API_PORT: String(port),
      WALBRIDGE_MASTER_KEY_FILE: join(dir, 'master.key'),
      WALBRIDGE_ADMIN_USER: 'chief',
    });
    await api.start();
    firstOutput = api.output;
    password = /created the admin user "chief" with the password\s+(\S+)/.exec(firstOutput)?.[1] ?? '';
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await onServer(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('is created with a generated password, printed once at the first start', async () => {
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(firstOutput.split(password)).toHaveLength(2);
    const me = await new ApiClient(baseUrl, {}, { username: 'chief', password }).request<MeView>('GET', '/api/v1/auth/me');
    expect(me.body).toMatchObject({ username: 'chief', role: 'admin' });
  });

  it('is neither re-created nor printed again at the next start, and keeps its password', async () => {
    await api.stop();
    await api.start();
    expect(api.output).not.toContain(password);
    expect(api.output).not.toMatch(/first start/);
    const login = await new ApiClient(baseUrl, {}, 'none').request('POST', '/api/v1/auth/login', { username: 'chief', password });
    expect(login.status).toBe(200);
  }, 90_000);

  it('always leaves one admin: the last one can be neither demoted nor deleted', async () => {
    const chief = new ApiClient(baseUrl, {}, { username: 'chief', password });
    const chiefId = (await chief.request<MeView>('GET', '/api/v1/auth/me')).body.id;
    const demote = await chief.request<{ code: string }>('PATCH', `/api/v1/users/${chiefId}`, { role: 'operator' });
    expect(demote.status).toBe(409);
    expect(demote.body.code).toBe('LAST_ADMIN');

    const deputyPassword = testPassword();
    const deputy = await chief.request<UserView>('POST', '/api/v1/users', { username: 'deputy', password: deputyPassword, role: 'admin' });
    const asDeputy = new ApiClient(baseUrl, {}, { username: 'deputy', password: deputyPassword });
    expect((await asDeputy.request('DELETE', `/api/v1/users/${chiefId}`)).status).toBe(204);
    const last = await asDeputy.request<{ code: string }>('PATCH', `/api/v1/users/${deputy.body.id}`, { role: 'viewer' });
    expect(last.status).toBe(409);
    expect(last.body.code).toBe('LAST_ADMIN');
    const users = await asDeputy.request<UserView[]>('GET', '/api/v1/users');
    expect(users.body.map((u) => [u.username, u.role])).toEqual([['deputy', 'admin']]);
  });
});
