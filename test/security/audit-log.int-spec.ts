import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditLogEntryView, AuditLogPage, CreateTaskInput, TaskView } from '@walbridge/contracts';
import { ApiClient, createTestUser, demoDestination, demoSource, testEnv, testPassword, uniqueName, waitFor, type TestUser } from '@walbridge/testing';

const admin = new ApiClient();
const SOURCE_PASSWORD = testPassword();

function taskInput(): CreateTaskInput {
  return {
    name: `audit-${randomUUID().slice(0, 8)}`,
    source: demoSource({ password: SOURCE_PASSWORD }),
    destination: demoDestination(),
    policy: { tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: uniqueName('wbtest') } },
  };
}

async function auditOf(taskId: string, query = ''): Promise<AuditLogPage> {
  const res = await admin.request<AuditLogPage>('GET', `/api/v1/audit-log?taskId=${taskId}${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Entries (newest first) of one action and maybe one actor, while other test files keep writing. */
async function entries(action: string, actor?: string): Promise<AuditLogEntryView[]> {
  const query = new URLSearchParams({ action, limit: '200', ...(actor ? { actor } : {}) });
  const res = await admin.request<AuditLogPage>('GET', `/api/v1/audit-log?${query}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('the audit log: who did what, when, to which task, with what result', () => {
  let operator: TestUser;
  let viewer: TestUser;
  let task: TaskView;

  beforeAll(async () => {
    [operator, viewer] = await Promise.all([createTestUser('operator'), createTestUser('viewer')]);
    const created = await operator.client.request<TaskView>('POST', '/api/v1/tasks', taskInput());
    expect(created.status).toBe(201);
    task = created.body;
    await viewer.client.request('POST', `/api/v1/tasks/${task.id}/stop`);
    expect((await operator.client.request('POST', `/api/v1/tasks/${task.id}/force-stop`)).status).toBe(202);
    // Never started: the force stop cancels it.
    await waitFor('the task to be cancelled', async () => ((await admin.task(task.id)).status === 'CANCELLED' ? true : undefined));
    expect((await operator.client.request('POST', `/api/v1/tasks/${task.id}/force-stop`)).status).toBe(409);
    // Reads change nothing and are not audited.
    await operator.client.request('GET', `/api/v1/tasks/${task.id}`);
  });

  it("records each change to a task, newest first, with the caller's name and role, the result and the answer's status", async () => {
    const { items } = await auditOf(task.id);
    expect(items.map((e) => [e.action, e.actor, e.actorRole, e.result, e.statusCode])).toEqual([
      ['tasks.force-stop', operator.username, 'operator', 'failure', 409],
      ['tasks.force-stop', operator.username, 'operator', 'success', 202],
      ['tasks.stop', viewer.username, 'viewer', 'denied', 403],
      ['tasks.create', operator.username, 'operator', 'success', 201],
    ]);
    for (const e of items) {
      expect(e.taskId).toBe(task.id);
      expect(Date.now() - Date.parse(e.at)).toBeLessThan(120_000);
      expect(e.ip).toMatch(/127\.0\.0\.1/);
    }
    expect(items[0].error).toMatch(/not allowed|CANCELLED/i);
    expect(items[0].path).toBe(`/api/v1/tasks/${task.id}/force-stop`);
    expect(items[2].error).toMatch(/needs the operator role/);
  });

  it('never keeps what was sent: no credential of the task is in the trail', async () => {
    const { items } = await auditOf(task.id);
    expect(JSON.stringify(items)).not.toContain(SOURCE_PASSWORD);
  });

  it('pages with a cursor', async () => {
    const first = await auditOf(task.id, '&limit=3');
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const rest = await auditOf(task.id, `&limit=3&cursor=${first.nextCursor}`);
    expect(rest.items.map((e) => e.action)).toEqual(['tasks.create']);
    expect(rest.nextCursor).toBeNull();
  });

  it('records logins, failed ones too, without the name typed for a user that does not exist', async () => {
    const anonymous = new ApiClient(testEnv.apiUrl, {}, 'none');
    await anonymous.request('POST', '/api/v1/auth/login', { username: viewer.username, password: testPassword() });
    const typed = uniqueName('typo');
    await anonymous.request('POST', '/api/v1/auth/login', { username: typed, password: testPassword() });
    const [known] = await entries('auth.login', viewer.username);
    expect(known).toMatchObject({ result: 'failure', statusCode: 401, error: 'invalid username or password', actorRole: 'viewer' });
    const unknown = await entries('auth.login', '(unknown user)');
    expect(unknown.length).toBeGreaterThan(0);
    expect(JSON.stringify(await entries('auth.login'))).not.toContain(typed);
  });

  it('records user and token administration', async () => {
    const user = await createTestUser('viewer');
    const created = (await entries('users.create', testEnv.adminUser)).filter((e) => e.targetId === user.user.id);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ result: 'success', statusCode: 201, actorRole: 'admin', path: '/api/v1/users' });
    const token = await admin.request<{ id: string }>('POST', '/api/v1/tokens', { name: 'audited' });
    await admin.request('DELETE', `/api/v1/tokens/${token.body.id}`);
    const revoked = (await entries('tokens.delete')).filter((e) => e.targetId === token.body.id);
    expect(revoked).toMatchObject([{ result: 'success', statusCode: 204, path: `/api/v1/tokens/${token.body.id}` }]);
  });

  it('is for admins only, and refuses a malformed filter with the field named', async () => {
    expect((await operator.client.request('GET', '/api/v1/audit-log')).status).toBe(403);
    const bad = await admin.request<{ details: { field: string }[] }>('GET', '/api/v1/audit-log?taskId=42&cursor=x');
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.field).sort()).toEqual(['cursor', 'taskId']);
  });

  it('filters by result, by an action prefix and by time, and names the task of each entry', async () => {
    const failed = await auditOf(task.id, '&result=failure');
    expect(failed.items.map((e) => [e.action, e.result])).toEqual([['tasks.force-stop', 'failure']]);
    const all = await auditOf(task.id, '&action=tasks.*');
    expect(all.items.map((e) => e.action)).toEqual(['tasks.force-stop', 'tasks.force-stop', 'tasks.stop', 'tasks.create']);
    expect(all.items.every((e) => e.taskName === task.name)).toBe(true);
    const created = all.items[3];
    const after = await auditOf(task.id, `&from=${encodeURIComponent(new Date(Date.parse(created.at) + 1).toISOString())}`);
    expect(after.items.map((e) => e.action)).not.toContain('tasks.create');
    const before = await auditOf(task.id, `&to=${encodeURIComponent(new Date(Date.parse(created.at) + 1).toISOString())}`);
    expect(before.items.map((e) => e.action)).toEqual(['tasks.create']);
  });

  it('refuses a malformed time or result filter, and a range that ends before it starts, with the field named', async () => {
    const bad = await admin.request<{ details: { field: string; message: string }[] }>('GET', '/api/v1/audit-log?from=yesterday&result=ok');
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.field).sort()).toEqual(['from', 'result']);
    const backwards = await admin.request<{ details: { field: string; message: string }[] }>('GET', '/api/v1/audit-log/export.csv?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z');
    expect(backwards.status).toBe(400);
    expect(backwards.body.details).toEqual([{ field: 'to', message: 'from must be before to' }]);
  });

  it('exports the filtered entries as CSV a spreadsheet opens safely, to admins only', async () => {
    // The trail holds text other people typed (here an id in a path): a formula must stay text in a spreadsheet.
    const formula = `=HYPERLINK("http://evil.example","${randomUUID().slice(0, 6)}")`;
    await operator.client.request('POST', `/api/v1/tasks/${encodeURIComponent(formula)}/pause`);
    const res = await admin.request<string>('GET', `/api/v1/audit-log/export.csv?actor=${operator.username}&action=tasks.pause`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="walbridge-audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows: Record<string, string>[] = parse(res.body, { columns: true });
    expect(rows).toEqual([expect.objectContaining({ action: 'tasks.pause', user: operator.username, role: 'operator', 'task id': '', 'target id': `'${formula}` })]);
    // The same entries as the JSON list, in the same order.
    const list = await auditOf(task.id);
    const csv: Record<string, string>[] = parse((await admin.request<string>('GET', `/api/v1/audit-log/export.csv?taskId=${task.id}`)).body, { columns: true });
    expect(csv.map((r) => [r.time, r.action, r.result])).toEqual(list.items.map((e) => [e.at, e.action, e.result]));
    expect((await operator.client.request('GET', `/api/v1/audit-log/export.csv?taskId=${task.id}`)).status).toBe(403);
  });
});
