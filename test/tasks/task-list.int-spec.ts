import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody, CreateTaskInput, Page, TaskView } from '@walbridge/contracts';
import { ApiClient, metadataDb, taskInput, uniqueName } from '@walbridge/testing';

/*
 * GET /api/v1/tasks: sorted by a column the console offers, and "Needs attention" (failed, a slot
 * left behind, WAL above its alarm, delay alarm firing) against the real metadata database.
 */

const api = new ApiClient();
const prefix = uniqueName('lst').replace(/_/g, '-').slice(0, 30);

function input(name: string): CreateTaskInput {
  return taskInput({ name });
}

async function names(query: string): Promise<string[]> {
  const res = await api.request<Page<TaskView>>('GET', `/api/v1/tasks?q=${prefix}&${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items.map((t) => t.name);
}

async function metadata(sql: string, params: unknown[]): Promise<void> {
  const db = await metadataDb();
  try {
    await db.query(sql, params);
  } finally {
    await db.end();
  }
}

describe('the task list: sorting and "needs attention"', () => {
  const created: Record<string, TaskView> = {};

  beforeAll(async () => {
    // Created in the order b, c, a: the default (newest first) differs from the name order.
    for (const n of ['bbb', 'ccc', 'aaa']) {
      const res = await api.request<TaskView>('POST', '/api/v1/tasks', input(`${prefix}-${n}`));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      created[n] = res.body;
      await new Promise((r) => setTimeout(r, 20));
    }
    // A start that failed, and a task whose slot holds more WAL than its alarm allows. Set in the
    // metadata database directly: these are states no scheduler acts on for a task that never ran.
    await metadata(`UPDATE task SET status = 'START_FAILED', last_error = 'connection refused' WHERE id = $1`, [created.bbb.id]);
    await metadata(`UPDATE task SET wal_alarm_since = now() WHERE id = $1`, [created.ccc.id]);
  });

  afterAll(async () => {
    await metadata(`UPDATE task SET status = 'CONFIGURATION', wal_alarm_since = NULL WHERE id = ANY($1)`, [Object.values(created).map((t) => t.id)]);
    for (const t of Object.values(created)) await api.request('DELETE', `/api/v1/tasks/${t.id}`);
  });

  it('sorts by name, status or creation time, both ways; newest first by default', async () => {
    const all = ['aaa', 'bbb', 'ccc'].map((n) => `${prefix}-${n}`);
    await expect(names('sort=name')).resolves.toEqual(all);
    await expect(names('sort=-name')).resolves.toEqual([...all].reverse());
    await expect(names('')).resolves.toEqual([`${prefix}-aaa`, `${prefix}-ccc`, `${prefix}-bbb`]);
    await expect(names('sort=createdAt')).resolves.toEqual([`${prefix}-bbb`, `${prefix}-ccc`, `${prefix}-aaa`]);
    // CONFIGURATION < START_FAILED as text; equal statuses keep the newest first.
    await expect(names('sort=status')).resolves.toEqual([`${prefix}-aaa`, `${prefix}-ccc`, `${prefix}-bbb`]);
  });

  it('"needs attention" lists the failed task and the one holding too much WAL, not the healthy one', async () => {
    await expect(names('attention=true&sort=name')).resolves.toEqual([`${prefix}-bbb`, `${prefix}-ccc`]);
    await expect(names('attention=false&sort=name')).resolves.toHaveLength(3);
  });

  it('refuses an unknown sort or attention value with a 400 naming the parameter', async () => {
    for (const [query, field, rule] of [
      ['sort=password', 'sort', /sort must be one of name, status, createdAt, delaySeconds, -name/],
      ['attention=maybe', 'attention', /attention must be true or false/],
    ] as const) {
      const res = await api.request<ApiErrorBody>('GET', `/api/v1/tasks?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.details).toContainEqual({ field, message: expect.stringMatching(rule) });
    }
  });
});
