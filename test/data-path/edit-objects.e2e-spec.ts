import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskLogPage, TaskView } from '@walbridge/contracts';
import { sharedKafka, sourceDb, waitFor } from '@walbridge/testing';
import { api, envelopeOf, onSource, startTask, stopTask, type RunningTask } from './task-fixture';

/**
 * PRODUCT.md §4 "edit objects": the tables of a table-level task change while it runs or is
 * paused. The API records the edit; a scheduler's worker alters the publication; an added
 * table's changes flow from that moment (not before), a removed table's stop.
 */
type Tables = 'a' | 'b' | 'c';

describe('editing the tables of a running task', () => {
  let run: RunningTask<Tables, 'main'>;
  const entry = (table: string) => ({ schema: 'shop', table });

  beforeAll(async () => {
    run = await startTask<Tables, 'main'>({
      tables: {
        a: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text)` },
        b: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text)` },
        c: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text)` },
      },
      topics: { main: 1 },
      policy: ({ tables, topics }) => ({
        objectScope: 'tables',
        tables: [entry(tables.a)],
        topicPolicy: { mode: 'specific', topic: topics.main },
        partitionPolicy: 'zero',
      }),
    });
  });

  afterAll(async () => {
    if (run) await stopTask(run.task.id).catch(() => undefined);
  });

  async function edit(tables: string[]): Promise<TaskView> {
    const res = await api.request<TaskView>('PATCH', `/api/v1/tasks/${run.task.id}`, { policy: { tables: tables.map(entry) } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.pendingOperation).toBe('applyObjects');
    return res.body;
  }

  async function applied(status: TaskView['status']): Promise<TaskView> {
    return waitFor('the edit to be applied', async () => {
      const t = await api.task(run.task.id);
      return t.pendingOperation === null && t.status === status ? t : undefined;
    }, 90_000, 300);
  }

  async function published(): Promise<string[]> {
    const db = await sourceDb();
    try {
      const { rows } = await db.query('SELECT tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1', [run.slot]);
      return rows.map((r) => r.tablename);
    } finally {
      await db.end();
    }
  }

  const rows = async (count: number) =>
    (await sharedKafka().readTopic(run.topics.main, count)).map(envelopeOf).map((e) => `${e.table.split('_')[0]}${e.data[0].id}`);

  it('adds a table while INCREMENTAL: its changes flow from the edit on', async () => {
    const { a, b } = run.qualified;
    await onSource(`INSERT INTO ${a} VALUES (1, 'x')`, `INSERT INTO ${b} VALUES (0, 'before the edit')`);
    expect(await rows(1)).toEqual(['a1']);
    await edit([run.tables.a, run.tables.b]);
    await applied('INCREMENTAL');
    expect(await published()).toEqual([run.tables.a, run.tables.b].sort());
    await onSource(`INSERT INTO ${b} VALUES (1, 'y')`, `INSERT INTO ${a} VALUES (2, 'z')`);
    expect(await rows(3)).toEqual(['a1', 'b1', 'a2']);
    const log = (await api.request<TaskLogPage>('GET', `/api/v1/tasks/${run.task.id}/logs?limit=50`)).body.items.map((e) => e.message);
    expect(log.some((l) => l.startsWith(`tables edited in INCREMENTAL: added shop.${run.tables.b}`))).toBe(true);
  });

  it('removes a table while INCREMENTAL: its changes stop', async () => {
    await edit([run.tables.b]);
    await applied('INCREMENTAL');
    expect(await published()).toEqual([run.tables.b]);
    await onSource(`INSERT INTO ${run.qualified.a} VALUES (3, 'gone')`, `INSERT INTO ${run.qualified.b} VALUES (2, 'kept')`);
    expect(await rows(4)).toEqual(['a1', 'b1', 'a2', 'b2']);
  });

  it('adds a table while PAUSED: the publication changes at once, the changes arrive after resume', async () => {
    expect((await api.operate(run.task.id, 'pause')).status).toBe(202);
    await api.waitForStatus(run.task.id, 'PAUSED', 60_000);
    await edit([run.tables.b, run.tables.c]);
    await applied('PAUSED');
    expect(await published()).toEqual([run.tables.b, run.tables.c].sort());
    await onSource(`INSERT INTO ${run.qualified.c} VALUES (1, 'while paused')`);
    expect((await api.operate(run.task.id, 'resume')).status).toBe(202);
    await api.waitForStatus(run.task.id, 'INCREMENTAL', 60_000);
    expect(await rows(5)).toEqual(['a1', 'b1', 'a2', 'b2', 'c1']);
  });

  it('still refuses other edits while running, and table edits of a task that is not table-level', async () => {
    const res = await api.request<{ status: string; allowedOperations: string[] }>('PATCH', `/api/v1/tasks/${run.task.id}`, { policy: { partitionPolicy: 'table' } });
    expect(res.status).toBe(409);
    expect(res.body.allowedOperations).toContain('editObjects');
  });
});
