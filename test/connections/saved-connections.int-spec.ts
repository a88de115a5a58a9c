import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLogPage, ConnectionTestResult, SavedConnectionUpdate, SavedConnectionView, TaskLogPage, TaskView } from '@walbridge/contracts';
import { ApiClient, createTestUser, demoDestination, demoPolicy, demoSource, sourceDb, testPassword, uniqueName, type TestUser } from '@walbridge/testing';

const admin = new ApiClient();
/** A login of the test's own, so its password is one the end-of-run log scan looks for. */
const role = uniqueName('wbtest_conn');
const password = testPassword();
const source = () => demoSource({ username: role, password });

type ErrorBody = { code?: string; message: string; details: { field: string; message: string }[]; tasks?: { id: string; name: string }[] };

/**
 * Issue 15 feature 7: saved connections. A source or destination is saved once with its
 * password (sealed, bound to the connection's endpoint, never answered), tested by a scheduler,
 * and referenced by tasks, which take its settings and password without it being typed again.
 */
describe('saved connections (/connections)', () => {
  let operator: TestUser;
  let viewer: TestUser;
  let src: SavedConnectionView;
  let dst: SavedConnectionView;

  beforeAll(async () => {
    const db = await sourceDb();
    try {
      await db.query(`CREATE ROLE ${role} LOGIN REPLICATION PASSWORD '${password}'`);
    } finally {
      await db.end();
    }
    [operator, viewer] = await Promise.all([createTestUser('operator'), createTestUser('viewer')]);
    const created = await operator.client.request<SavedConnectionView>('POST', '/api/v1/connections', { type: 'source', name: uniqueName('src'), connection: source() });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    src = created.body;
    dst = (await operator.client.request<SavedConnectionView>('POST', '/api/v1/connections', { type: 'destination', name: uniqueName('dst'), connection: demoDestination() })).body;
  });

  afterAll(async () => {
    const db = await sourceDb();
    try {
      await db.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await db.end();
    }
  });

  it('keeps the password sealed: every answer says only passwordSet', async () => {
    expect(src.connection).toMatchObject({ host: source().host, username: role, passwordSet: true });
    const answers = [
      src,
      (await admin.request('GET', `/api/v1/connections/${src.id}`)).body,
      (await viewer.client.request('GET', '/api/v1/connections')).body,
      (await admin.request('GET', '/api/docs-json')).body,
    ];
    for (const body of answers) expect(JSON.stringify(body)).not.toContain(password);
  });

  it('tests with the saved password and keeps the verdict as the last test', async () => {
    const res = await operator.client.request<ConnectionTestResult>('POST', `/api/v1/connections/${src.id}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ target: 'source', ok: true });
    const [listed] = (await viewer.client.request<SavedConnectionView[]>('GET', '/api/v1/connections')).body.filter((c) => c.id === src.id);
    expect(listed.lastTest).toMatchObject({ ok: true, at: expect.any(String) });
  });

  it('lets a viewer read but not change, test or delete', async () => {
    expect((await viewer.client.request('GET', `/api/v1/connections/${src.id}`)).status).toBe(200);
    expect((await viewer.client.request('POST', '/api/v1/connections', { type: 'destination', name: uniqueName('v'), connection: demoDestination() })).status).toBe(403);
    expect((await viewer.client.request('PATCH', `/api/v1/connections/${src.id}`, { name: 'renamed' })).status).toBe(403);
    expect((await viewer.client.request('POST', `/api/v1/connections/${src.id}/test`)).status).toBe(403);
    expect((await viewer.client.request('DELETE', `/api/v1/connections/${src.id}`)).status).toBe(403);
  });

  it('refuses a new host without the password again, naming connection.password', async () => {
    const res = await operator.client.request<ErrorBody>('PATCH', `/api/v1/connections/${src.id}`, { connection: { host: 'attacker.example' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('CREDENTIAL_REQUIRED');
    expect(res.body.details).toEqual([{ field: 'connection.password', message: expect.stringContaining('connection.host changed') }]);
    expect((await admin.request<SavedConnectionView>('GET', `/api/v1/connections/${src.id}`)).body.connection.host).toBe(source().host);
  });

  it('answers bad input with 400 naming the field', async () => {
    const bad = async (body: unknown, path = '/api/v1/connections') => {
      const res = await operator.client.request<ErrorBody>('POST', path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      return res.body.details.map((d) => d.field);
    };
    expect(await bad({ type: 'mysql', name: 'x', connection: {} })).toEqual(['type']);
    expect(await bad({ type: 'source', name: 'x', connection: { ...source(), host: '' } })).toContain('connection.host');
    expect(await bad({ type: 'source', name: src.name.toUpperCase(), connection: source() })).toEqual(['name']);
    const task = { name: uniqueName('t').replace(/_/g, '-'), policy: demoPolicy() };
    expect(await bad({ ...task, source: { connectionId: 'nope' }, destination: { connectionId: dst.id } }, '/api/v1/tasks')).toEqual(['source.connectionId']);
    expect(await bad({ ...task, source: { connectionId: dst.id }, destination: { connectionId: dst.id } }, '/api/v1/tasks')).toEqual(['source.connectionId']);
    expect(await bad({ ...task, source: { connectionId: src.id, host: 'elsewhere' }, destination: { connectionId: dst.id } }, '/api/v1/tasks')).toEqual(['source.host']);
  });

  it('builds a task from saved connections without the password; the connection in use cannot be deleted; edits reach the task', async () => {
    const name = uniqueName('t').replace(/_/g, '-');
    const created = await operator.client.request<TaskView>('POST', '/api/v1/tasks', { name, source: { connectionId: src.id }, destination: { connectionId: dst.id }, policy: demoPolicy() });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.source).toMatchObject({ connectionId: src.id, host: source().host, username: role, passwordSet: true });
    expect(created.body.destination).toMatchObject({ connectionId: dst.id, brokers: demoDestination().brokers });
    const id = created.body.id;
    // The task holds the password itself (sealed for the task): its own test connects with it.
    expect((await operator.client.request<ConnectionTestResult>('POST', `/api/v1/tasks/${id}/test-connection?target=source`)).body).toMatchObject({ ok: true });
    expect((await admin.request<SavedConnectionView>('GET', `/api/v1/connections/${src.id}`)).body.usedBy).toEqual([{ id, name, status: 'CONFIGURATION' }]);

    const refused = await operator.client.request<ErrorBody>('DELETE', `/api/v1/connections/${src.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONNECTION_IN_USE');
    expect(refused.body.message).toContain(`${name} (CONFIGURATION)`);
    expect(refused.body.tasks).toEqual([expect.objectContaining({ id, name })]);

    // A port change with the password (the endpoint moved) reaches the task in CONFIGURATION.
    const edited = await operator.client.request<SavedConnectionUpdate>('PATCH', `/api/v1/connections/${src.id}`, { connection: { sslMode: 'require', password } });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.tasksUpdated.map((t) => t.id)).toEqual([id]);
    expect((await admin.task(id)).source).toMatchObject({ sslMode: 'require', connectionId: src.id, passwordSet: true });
    const log = (await admin.request<TaskLogPage>('GET', `/api/v1/tasks/${id}/logs?limit=50`)).body.items.map((e) => e.message);
    expect(log).toContainEqual(expect.stringMatching(/^configuration changed: source\.sslMode/));
    expect(JSON.stringify(log)).not.toContain(password);
    await operator.client.request('PATCH', `/api/v1/connections/${src.id}`, { connection: { sslMode: 'disable', password } });

    expect((await operator.client.request('DELETE', `/api/v1/tasks/${id}`)).status).toBe(200);
    expect((await operator.client.request('DELETE', `/api/v1/connections/${src.id}`)).status).toBe(204);
    expect((await admin.request<ErrorBody>('GET', `/api/v1/connections/${src.id}`)).body.code).toBe('CONNECTION_NOT_FOUND');
  });

  it('writes the audit trail of each change, without the body', async () => {
    const query = new URLSearchParams({ action: 'connections.*', actor: operator.username, limit: '200' });
    const items = (await admin.request<AuditLogPage>('GET', `/api/v1/audit-log?${query}`)).body.items;
    expect(new Set(items.map((e) => e.action))).toEqual(new Set(['connections.create', 'connections.update', 'connections.delete', 'connections.test']));
    expect(JSON.stringify(items)).not.toContain(password);
  });
});
