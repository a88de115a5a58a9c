import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import type { TaskLogPage, TaskOperationResult, TaskView } from '@walbridge/contracts';
import { testEnv, workerPid } from '@walbridge/testing';
import {
  createTask,
  insertRows,
  onSource,
  sharedFixture,
  slotOnSource,
  stopAndForget,
  submitAndStream,
  waitFor,
  type LifecycleTask,
} from './lifecycle-fixture';

/** Operations of PRODUCT.md §4 through the API of the shared stack, against the real source and Kafka. */
const fx = sharedFixture();
const { api } = fx;
const created: string[] = [];

type Result = TaskOperationResult<TaskView>;
interface Conflict {
  statusCode: number;
  code: string;
  message: string;
  status: string;
  allowedOperations: string[];
}

async function newTask(start: boolean): Promise<LifecycleTask> {
  const task = await createTask(fx, { start });
  created.push(task.id);
  return task;
}

async function logsOf(id: string, query = ''): Promise<TaskLogPage> {
  const res = await api.request<TaskLogPage>('GET', `/api/v1/tasks/${id}/logs${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function metadataRow(id: string): Promise<{ status: string; secrets: Buffer | null } | undefined> {
  const db = new Client({ connectionString: testEnv.databaseUrl });
  await db.connect();
  try {
    return (await db.query('SELECT status, secrets FROM task WHERE id = $1', [id])).rows[0];
  } finally {
    await db.end();
  }
}

/** The operation is refused with 409, naming the status and what is allowed instead. */
async function expectRefused(id: string, method: string, path: string, status: string): Promise<Conflict> {
  const res = await api.request<Conflict>(method, `/api/v1/tasks/${id}${path}`, method === 'POST' ? {} : undefined);
  expect(res.status, `${method} ${path} in ${status}: ${JSON.stringify(res.body)}`).toBe(409);
  expect(res.body.status).toBe(status);
  expect(res.body.message).toContain(status);
  const view = await api.task(id);
  expect(res.body.allowedOperations.filter((op) => op !== 'dropSlot')).toEqual(view.allowedOperations.filter((op) => op !== 'dropSlot'));
  return res.body;
}

afterAll(async () => {
  await Promise.all(created.map((id) => stopAndForget(fx, id).catch(() => undefined)));
});

describe('pause and resume', () => {
  let task: LifecycleTask;
  let paused: TaskView;

  beforeAll(async () => {
    task = await newTask(true);
    await insertRows(fx.source, task.table, 1, 100);
    await fx.kafka.readTopic(task.topic, 100);
  });

  it('pause stops the worker, keeps the slot and shows the WAL it retains in bytes', async () => {
    const pid = workerPid(task.id);
    expect(pid).not.toBeNull();
    const res = await api.request<Result>('POST', `/api/v1/tasks/${task.id}/pause`);
    expect(res.status).toBe(202);
    expect(['PAUSING', 'PAUSED']).toContain(res.body.status);
    paused = await api.waitForStatus(task.id, 'PAUSED');
    await waitFor('the worker to exit', async () => (workerPid(task.id) === null ? true : undefined), 30_000);
    const slot = await slotOnSource(fx.source, task.slot);
    expect(slot, 'the slot stays on the source').not.toBeNull();
    expect(slot!.active).toBe(false);
    expect(paused.slot).toMatchObject({ name: task.slot, exists: true, leftover: false, dropSql: null });
    expect(typeof paused.slot.retainedWalBytes).toBe('number');
    expect(paused.allowedOperations).toEqual(expect.arrayContaining(['resume', 'reset', 'stop', 'forceStop']));
    expect(paused.allowedOperations).not.toContain('pause');
  });

  it('while paused nothing is read, and the retained WAL grows with what the source writes', async () => {
    await insertRows(fx.source, task.table, 101, 3000);
    const before = paused.slot.retainedWalBytes!;
    const grown = await waitFor(
      'the retained WAL shown on the task to grow',
      async () => {
        const t = await api.task(task.id);
        return t.slot.retainedWalBytes! > before + 100_000 ? t : undefined;
      },
      60_000,
      500,
    );
    expect(grown.status).toBe('PAUSED');
    expect(await fx.kafka.topicMessageCount(task.topic), 'no message while paused').toBe(100);
  });

  it('refuses what §4 does not allow in PAUSED', async () => {
    await expectRefused(task.id, 'POST', '/pause', 'PAUSED');
    await expectRefused(task.id, 'POST', '/submit', 'PAUSED');
    await expectRefused(task.id, 'DELETE', '', 'PAUSED');
    await expectRefused(task.id, 'POST', '/drop-slot', 'PAUSED');
  });

  it('resume streams again from the confirmed LSN: the rows written meanwhile arrive, the earlier ones are not sent again', async () => {
    const res = await api.request<Result>('POST', `/api/v1/tasks/${task.id}/resume`);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('STARTING');
    await api.waitForStatus(task.id, 'INCREMENTAL');
    const messages = await fx.kafka.readTopic(task.topic, 3000);
    const rows = messages.map((m) => (JSON.parse(m.value) as { data: { id: string }[] }).data[0].id);
    expect(new Set(rows).size).toBe(3000);
    expect(rows.length, 'each row exactly once: the stream resumed where it was confirmed').toBe(3000);
    await expectRefused(task.id, 'POST', '/resume', 'INCREMENTAL');
    await expectRefused(task.id, 'POST', '/reset', 'INCREMENTAL');
    await expectRefused(task.id, 'DELETE', '', 'INCREMENTAL');
  });

  it('writes every operation to the task log', async () => {
    const messages = (await logsOf(task.id, '?limit=200')).items.map((e) => e.message);
    for (const expected of [/replication slot \S+ created/, /^pause requested by admin$/, /^task paused at confirmed LSN/, /^resume requested by admin in PAUSED/]) {
      expect(messages.some((m) => expected.test(m)), `${expected} in ${JSON.stringify(messages)}`).toBe(true);
    }
  });
});

describe('force stop and the leftover slot', () => {
  it('shows the leftover slot and the SQL to drop it, and that SQL works', async () => {
    const task = await newTask(true);
    const res = await api.request<TaskView>('POST', `/api/v1/tasks/${task.id}/force-stop`);
    expect(res.status).toBe(202);
    const stopped = await api.waitForStatus(task.id, 'COMPLETED');
    expect(stopped.slot).toMatchObject({ name: task.slot, exists: true, leftover: true });
    expect(stopped.slot.dropSql).toBe(`SELECT pg_drop_replication_slot('${task.slot}'); DROP PUBLICATION IF EXISTS "${task.slot}";`);
    expect(stopped.allowedOperations).toEqual(expect.arrayContaining(['dropSlot', 'delete']));
    expect(await slotOnSource(fx.source, task.slot)).not.toBeNull();
    const log = await logsOf(task.id, '?level=warning');
    expect(log.items.some((e) => e.message.includes(stopped.slot.dropSql!))).toBe(true);

    await waitFor('the killed walsender to release the slot', async () => ((await slotOnSource(fx.source, task.slot))?.active ? undefined : true), 30_000);
    await onSource(fx.source, (db) => db.query(stopped.slot.dropSql!));
    expect(await slotOnSource(fx.source, task.slot)).toBeNull();
    // The scheduler's slot check notices that the slot is gone.
    const cleaned = await waitFor('the task to notice the slot is gone', async () => {
      const t = await api.task(task.id);
      return t.slot.exists === false ? t : undefined;
    }, 60_000, 500);
    expect(cleaned.slot).toMatchObject({ leftover: false, dropSql: null });
    expect(cleaned.allowedOperations).not.toContain('dropSlot');
  });

  it('drop-slot removes the leftover slot and publication through the API, once', async () => {
    const task = await newTask(true);
    expect((await api.operate(task.id, 'force-stop')).status).toBe(202);
    await api.waitForStatus(task.id, 'COMPLETED');
    const res = await api.request<Result>('POST', `/api/v1/tasks/${task.id}/drop-slot`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.pendingOperation).toBe('dropSlot');
    const done = await waitFor('the slot to be dropped', async () => {
      const t = await api.task(task.id);
      return t.pendingOperation === null ? t : undefined;
    }, 60_000, 300);
    expect(done.status).toBe('COMPLETED');
    expect(done.slot).toMatchObject({ exists: false, leftover: false, dropSql: null });
    expect(await slotOnSource(fx.source, task.slot)).toBeNull();
    const publications = await onSource(fx.source, (db) => db.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [task.slot]));
    expect(publications.rowCount).toBe(0);
    expect((await logsOf(task.id)).items.some((e) => e.message === `replication slot ${task.slot} and publication ${task.slot} dropped`)).toBe(true);

    const again = await api.request<Conflict>('POST', `/api/v1/tasks/${task.id}/drop-slot`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('NO_LEFTOVER_SLOT');
  });
});

describe('reset', () => {
  it('recreates the slot, says that changes in between are lost, and sends the task back to a precheck', async () => {
    const task = await newTask(true);
    await insertRows(fx.source, task.table, 1, 10);
    await fx.kafka.readTopic(task.topic, 10);
    expect((await api.operate(task.id, 'pause')).status).toBe(202);
    const paused = await api.waitForStatus(task.id, 'PAUSED');
    const before = await slotOnSource(fx.source, task.slot);
    await insertRows(fx.source, task.table, 11, 20); // committed before the reset: lost

    const res = await api.request<Result>('POST', `/api/v1/tasks/${task.id}/reset`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.warnings.join(' ')).toMatch(/lost/);
    expect(res.body.warnings.join(' ')).toContain(paused.confirmedLsn!);
    expect(res.body.warnings.join(' ')).toMatch(/precheck/);
    expect(res.body.pendingOperation).toBe('reset');
    // While the reset runs, other operations wait for it.
    const busy = await api.request<Conflict>('POST', `/api/v1/tasks/${task.id}/resume`);
    if (busy.status === 409 && busy.body.code === 'OPERATION_IN_PROGRESS') expect(busy.body.allowedOperations).toEqual(['stop', 'forceStop']);

    const reset = await api.waitForStatus(task.id, 'CONFIGURATION');
    expect(reset).toMatchObject({ precheckRequired: true, pendingOperation: null, confirmedLsn: null, failure: null });
    expect(reset.slot.exists).toBe(true);
    const after = await slotOnSource(fx.source, task.slot);
    expect(after, 'the slot exists again').not.toBeNull();
    expect(after!.confirmedFlushLsn).not.toBe(before!.confirmedFlushLsn);
    expect((await logsOf(task.id, '?level=warning')).items.some((e) => /dropped and created again/.test(e.message))).toBe(true);

    await insertRows(fx.source, task.table, 21, 30); // after the reset: delivered
    await submitAndStream(task);
    // 11-20 precede 21-30 in the WAL: had they been sent, they would be among these 20.
    const rows = (await fx.kafka.readTopic(task.topic, 20)).map((m) => Number((JSON.parse(m.value) as { data: { id: string }[] }).data[0].id));
    expect(rows.sort((a, b) => a - b)).toEqual([...Array.from({ length: 10 }, (_, i) => i + 1), ...Array.from({ length: 10 }, (_, i) => i + 21)]);
  });
});

describe('a slot dropped behind the task’s back', () => {
  it('is not silently recreated (that would skip changes): the task fails until it is reset', async () => {
    const task = await newTask(true);
    await insertRows(fx.source, task.table, 1, 5);
    await fx.kafka.readTopic(task.topic, 5);
    expect((await api.operate(task.id, 'pause')).status).toBe(202);
    await api.waitForStatus(task.id, 'PAUSED');
    await onSource(fx.source, (db) => db.query('SELECT pg_drop_replication_slot($1)', [task.slot]));
    expect((await api.operate(task.id, 'resume')).status).toBe(202);
    const failing = await waitFor('the task to refuse the missing slot', async () => {
      const t = await api.task(task.id);
      return t.lastError?.includes('no longer exists') ? t : undefined;
    }, 60_000, 300);
    expect(failing.status).toBe('INCREMENTAL_FAILED');
    expect(failing.lastError).toMatch(/reset the task/);
    // A lost slot is not retried: no retry can bring the changes back (issue 12).
    expect(failing.lastError).toMatch(/^replication slot \S+ was dropped; changes since LSN \S+ cannot be recovered/);
    expect(await waitFor('the failure to settle', async () => ((await api.task(task.id)).failure?.retrying === false ? true : undefined), 30_000, 300)).toBe(true);
    expect((await api.task(task.id)).failure?.kind).toBe('slotLost');
    expect(await slotOnSource(fx.source, task.slot)).toBeNull();

    const res = await api.request<Result>('POST', `/api/v1/tasks/${task.id}/reset`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const reset = await api.waitForStatus(task.id, 'CONFIGURATION');
    expect(reset.precheckRequired).toBe(true);
    expect(await slotOnSource(fx.source, task.slot)).not.toBeNull();
  });
});

describe('delete', () => {
  it('deletes a stopped task: gone from the API and its credentials wiped', async () => {
    const task = await newTask(true);
    expect((await api.operate(task.id, 'stop')).status).toBe(202);
    await api.waitForStatus(task.id, 'COMPLETED');
    const res = await api.request<Result>('DELETE', `/api/v1/tasks/${task.id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'DELETED', warnings: [] });
    expect(res.body.source.passwordSet).toBe(false);
    expect((await api.request('GET', `/api/v1/tasks/${task.id}`)).status).toBe(404);
    expect((await api.request('DELETE', `/api/v1/tasks/${task.id}`)).status).toBe(404);
    const list = await api.request<{ items: TaskView[] }>('GET', `/api/v1/tasks?q=${task.id}`);
    expect(list.body.items).toEqual([]);
    expect(await metadataRow(task.id)).toEqual({ status: 'DELETED', secrets: null });
  });

  it('deletes a task never started, and warns about a slot a force stop left behind', async () => {
    const fresh = await newTask(false);
    expect((await api.request<Result>('DELETE', `/api/v1/tasks/${fresh.id}`)).status).toBe(200);

    const forced = await newTask(true);
    expect((await api.operate(forced.id, 'force-stop')).status).toBe(202);
    await api.waitForStatus(forced.id, 'COMPLETED');
    const res = await api.request<Result>('DELETE', `/api/v1/tasks/${forced.id}`);
    expect(res.status).toBe(200);
    expect(res.body.warnings.join(' ')).toContain(`pg_drop_replication_slot('${forced.slot}')`);
    await waitFor('the killed walsender to release the slot', async () => ((await slotOnSource(fx.source, forced.slot))?.active ? undefined : true), 30_000);
    await onSource(fx.source, (db) => db.query('SELECT pg_drop_replication_slot($1)', [forced.slot]));
  });
});

describe('operations in the wrong status, on unknown tasks and with bad input', () => {
  it('refuses every operation §4 does not allow on a task in CONFIGURATION', async () => {
    const task = await newTask(false);
    for (const op of ['pause', 'resume', 'reset', 'drop-slot']) await expectRefused(task.id, 'POST', `/${op}`, 'CONFIGURATION');
  });

  it('cancels a task stopped before it ever started (not COMPLETED: nothing ran), and refuses operations on it but delete', async () => {
    const task = await newTask(false);
    expect((await api.operate(task.id, 'stop')).status).toBe(202);
    await api.waitForStatus(task.id, 'CANCELLED');
    for (const op of ['pause', 'resume', 'reset', 'stop', 'force-stop', 'submit', 'drop-slot']) await expectRefused(task.id, 'POST', `/${op}`, 'CANCELLED');
    expect((await api.request('DELETE', `/api/v1/tasks/${task.id}`)).status).toBeLessThan(300);
  });

  it('answers 404 for an unknown task and 400 for a malformed id', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const op of ['pause', 'resume', 'reset', 'drop-slot']) expect((await api.request('POST', `/api/v1/tasks/${unknown}/${op}`)).status).toBe(404);
    expect((await api.request('GET', `/api/v1/tasks/${unknown}/logs`)).status).toBe(404);
    expect((await api.request('DELETE', `/api/v1/tasks/not-a-uuid`)).status).toBe(400);
  });
});

describe('the task log endpoint', () => {
  let task: LifecycleTask;

  beforeAll(async () => {
    task = await newTask(true);
    expect((await api.operate(task.id, 'pause')).status).toBe(202);
    await api.waitForStatus(task.id, 'PAUSED');
    expect((await api.operate(task.id, 'resume')).status).toBe(202);
    await api.waitForStatus(task.id, 'INCREMENTAL');
    expect((await api.operate(task.id, 'force-stop')).status).toBe(202);
    await api.waitForStatus(task.id, 'COMPLETED');
  });

  it('lists entries newest first with time, level and message', async () => {
    const { items, nextCursor } = await logsOf(task.id, '?limit=200');
    expect(nextCursor).toBeNull();
    expect(items.length).toBeGreaterThanOrEqual(8);
    for (const e of items) {
      expect(e).toEqual({ id: expect.any(String), time: expect.any(String), level: expect.stringMatching(/^(info|warning|error)$/), message: expect.any(String) });
    }
    const ids = items.map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))).toEqual(ids);
    const times = items.map((e) => Date.parse(e.time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(items.at(-1)!.message).toMatch(/^task created/);
    expect(items[0].message).toMatch(/force stopped/);
  });

  it('filters by level', async () => {
    const all = (await logsOf(task.id, '?limit=200')).items;
    const warnings = (await logsOf(task.id, '?level=warning&limit=200')).items;
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((e) => e.level === 'warning')).toBe(true);
    expect(warnings).toEqual(all.filter((e) => e.level === 'warning'));
    const several = (await logsOf(task.id, '?level=warning,info&limit=200')).items;
    expect(several).toEqual(all.filter((e) => e.level !== 'error'));
  });

  it('pages with a cursor: every entry once, in the same order', async () => {
    const all = (await logsOf(task.id, '?limit=200')).items;
    const paged = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: TaskLogPage = await logsOf(task.id, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(3);
      paged.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(pages).toBe(Math.ceil(all.length / 3));
    expect(paged).toEqual(all);
  });

  it('answers 400 naming the field for a bad level, cursor or limit', async () => {
    for (const [query, field] of [
      ['?level=debug', 'level'],
      ['?cursor=abc', 'cursor'],
      ['?limit=0', 'limit'],
      ['?limit=1000', 'limit'],
    ]) {
      const res = await api.request<{ details: { field: string }[] }>('GET', `/api/v1/tasks/${task.id}/logs${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.details.map((d) => d.field)).toContain(field);
    }
  });
});

describe('scheduled start and credentials', () => {
  it('starts at the given time: PENDING_START until then, with the time on the task', async () => {
    const task = await newTask(false);
    await api.passPrecheck(task.id);
    const startAt = new Date(Date.now() + 5000).toISOString();
    const res = await api.operate(task.id, 'submit', { startAt });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('PENDING_START');
    expect(res.body.scheduledStartAt).toBe(startAt);
    expect(res.body.allowedOperations.sort()).toEqual(['forceStop', 'stop']);
    const streaming = await api.waitForStatus(task.id, 'INCREMENTAL', 60_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(startAt));
    expect(streaming.scheduledStartAt).toBeNull();
    expect((await logsOf(task.id)).items.some((e) => e.message === 'scheduled start time reached')).toBe(true);
  });

  it('changes a password while streaming, and refuses any other edit there', async () => {
    const task = await newTask(true);
    // Taken from the next connection on; the streaming connection is not interrupted.
    const ok = await api.request<TaskView>('PATCH', `/api/v1/tasks/${task.id}`, { source: { password: 'another secret' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.source.passwordSet).toBe(true);
    expect(ok.body.status).toBe('INCREMENTAL');
    expect(JSON.stringify(ok.body)).not.toContain('another secret');
    const bad = await api.request<{ code: string; status: string }>('PATCH', `/api/v1/tasks/${task.id}`, { name: 'renamed-while-streaming' });
    expect(bad.status).toBe(409);
    expect(bad.body).toMatchObject({ code: 'OPERATION_NOT_ALLOWED', status: 'INCREMENTAL' });
    const logs = (await logsOf(task.id)).items.map((e) => e.message);
    expect(logs.some((m) => /credentials changed \(sourcePassword\); used from the next connection/.test(m)), logs.join('\n')).toBe(true);
    expect(logs.join('\n')).not.toContain('another secret');
  });
});
