import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationPage, NotificationView, TaskLogPage, TaskView } from '@walbridge/contracts';
import {
  createTopic,
  demoDestination,
  metadataDb,
  readTopic,
  sourceDb,
  startExtraPostgres,
  topicMessageCount,
  uniqueName,
  uniqueSlotName,
  waitFor,
  type ExtraPostgres,
} from '@walbridge/testing';
import { api, envelopeOf, onSource, qualified, startTask, type RunningTask } from './task-fixture';

/**
 * Issue 12 item 6: a slot dropped behind a task's back is never created again silently (a new
 * slot starts at the current WAL position, so every change committed since would be skipped).
 * The task fails with a slot-lost failure that is never retried, the log, the last error and the
 * notice say which changes are lost and how to reset, and no slot reappears on the source.
 */
describe('a replication slot dropped behind the task', () => {
  const started: string[] = [];
  const SLOT_LOST = /replication slot (\S+) was dropped; changes since LSN ([0-9A-F]+\/[0-9A-F]+) cannot be recovered/;

  afterAll(async () => {
    for (const id of started) {
      const res = await api.operate(id, 'stop');
      if (res.status === 202) await api.waitUntilStopped(id).catch(() => undefined);
    }
  });

  const start = async (): Promise<RunningTask<'t', never>> => {
    const task = await startTask({
      tables: { t: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, note text)` } },
      policy: ({ tables }) => ({ objectScope: 'tables', tables: [{ schema: 'shop', table: tables.t }], topicPolicy: { mode: 'auto', nameFormat: `wbtest_sl_$tablename$` } }),
    });
    started.push(task.task.id);
    return task;
  };

  const topicOf = (task: RunningTask<'t', never>) => `wbtest_sl_${task.tables.t}`;

  /** What a DBA does: end the walsender holding the slot, then drop it before the worker is back. */
  async function dropSlotBehindTheTask(slot: string): Promise<void> {
    await waitFor(`slot ${slot} to be dropped`, async () => {
      const db = await sourceDb();
      try {
        await db.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL', [slot]);
        const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM pg_replication_slots WHERE slot_name = $1', [slot]);
        if (rows[0].n === '0') return true;
        await db.query('SELECT pg_drop_replication_slot($1)', [slot]);
        return true;
      } catch {
        return undefined; // still active: the walsender is ending, or the worker restarted meanwhile
      } finally {
        await db.end();
      }
    }, 30_000, 50);
  }

  const slotOnSource = async (slot: string) => {
    const db = await sourceDb();
    try {
      return (await db.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rowCount;
    } finally {
      await db.end();
    }
  };

  const lostTask = (id: string) =>
    waitFor('the task to fail with the lost slot', async () => {
      const t = await api.task(id);
      return t.failure?.kind === 'slotLost' && t.status === 'INCREMENTAL_FAILED' ? t : undefined;
    }, 90_000, 300);

  const noticesOf = async (id: string): Promise<NotificationView[]> =>
    (await api.request<NotificationPage>('GET', `/api/v1/notifications?taskId=${id}&limit=100`)).body.items;

  const logsOf = async (id: string): Promise<string[]> =>
    (await api.request<TaskLogPage>('GET', `/api/v1/tasks/${id}/logs?limit=200`)).body.items.map((e) => e.message);

  async function expectDocumentedFailure(task: RunningTask<'t', never>, failed: TaskView): Promise<string> {
    expect(failed.failure).toMatchObject({ kind: 'slotLost', retrying: false });
    const [, slot, since] = SLOT_LOST.exec(failed.lastError ?? '') ?? [];
    expect(slot, failed.lastError ?? '').toBe(task.slot);
    expect(failed.lastError).toMatch(/reset the task/);
    expect(failed.lastError).not.toMatch(/nothing is lost/i);
    // Never created again: not now, and not by a later attempt either.
    expect(await slotOnSource(task.slot)).toBe(0);
    const logs = await logsOf(task.task.id);
    expect(logs.some((m) => SLOT_LOST.test(m) && /not retried/.test(m)), logs.join('\n')).toBe(true);
    expect(logs.filter((m) => /^replication slot \S+ created at/.test(m)), 'the slot was created once, at the start').toHaveLength(1);

    const notice = await waitFor('the slot-lost notice', async () => (await noticesOf(task.task.id)).find((n) => n.figures.failureKind === 'slotLost'), 30_000, 300);
    expect(notice.severity).toBe('critical');
    expect(notice.title).toContain(`replication slot ${task.slot} dropped, changes since LSN ${since} cannot be recovered`);
    expect(notice.runbook).toContain(`POST /api/v1/tasks/${task.task.id}/reset`);
    expect(notice.runbook).toMatch(/full synchronization/);
    expect(notice.figures).toMatchObject({ slotName: task.slot, slotLoss: 'dropped', lostSinceLsn: since, retrying: false });
    for (const n of await noticesOf(task.task.id)) expect(`${n.title} ${n.message} ${n.runbook}`).not.toMatch(/nothing is lost/i);
    return since;
  }

  it('right after the start: the slot the task created is not created again, and the task fails saying what is lost', async () => {
    const task = await start();
    // The task records where its slot begins as soon as it creates it.
    const meta = await metadataDb();
    try {
      const { rows } = await meta.query<{ lsn: string | null }>('SELECT slot_created_lsn AS lsn FROM task WHERE id = $1', [task.task.id]);
      expect(rows[0].lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    } finally {
      await meta.end();
    }
    await dropSlotBehindTheTask(task.slot);
    await onSource(`INSERT INTO ${qualified(task.tables.t)} SELECT g, 'after the drop' FROM generate_series(1, 5) g`);
    const failed = await lostTask(task.task.id);
    await expectDocumentedFailure(task, failed);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await slotOnSource(task.slot), 'no later attempt created the slot').toBe(0);
    expect((await api.task(task.task.id)).status).toBe('INCREMENTAL_FAILED');
  });

  it('while streaming: what was delivered stays, the rest is declared lost, and resuming does not paper over it', async () => {
    const task = await start();
    await onSource(`INSERT INTO ${qualified(task.tables.t)} SELECT g, 'before' FROM generate_series(1, 10) g`);
    const delivered = await readTopic(topicOf(task), 10);
    expect(delivered.map((m) => envelopeOf(m).data[0].id)).toEqual(Array.from({ length: 10 }, (_, i) => String(i + 1)));
    await waitFor('the rows to be confirmed', async () => ((await api.task(task.task.id)).confirmedLsn ? true : undefined));

    await dropSlotBehindTheTask(task.slot);
    await onSource(`INSERT INTO ${qualified(task.tables.t)} SELECT g, 'after the drop' FROM generate_series(11, 20) g`);
    const failed = await lostTask(task.task.id);
    await expectDocumentedFailure(task, failed);

    // A resume streams nothing from a new slot: it fails the same way until the task is reset.
    const failuresLogged = async () => (await logsOf(task.task.id)).filter((m) => SLOT_LOST.test(m) && /not retried/.test(m)).length;
    expect(await failuresLogged()).toBe(1);
    expect((await api.operate(task.task.id, 'resume')).status).toBe(202);
    await waitFor('the resumed task to fail again', async () => ((await failuresLogged()) >= 2 ? true : undefined), 60_000, 300);
    const again = await lostTask(task.task.id);
    expect(again.lastError).toMatch(SLOT_LOST);
    expect(await slotOnSource(task.slot)).toBe(0);
    // Rows 11-20 never arrived from a silently recreated slot.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await topicMessageCount(topicOf(task))).toBe(10);

    // Reset is the way out: a new slot, back to a precheck.
    expect((await api.operate(task.task.id, 'reset')).status).toBe(202);
    const reset = await api.waitForStatus(task.task.id, 'CONFIGURATION');
    expect(reset.precheckRequired).toBe(true);
    expect(await slotOnSource(task.slot)).toBe(1);
  });
});

/**
 * A slot invalidated by max_slot_wal_keep_size (wal_status = lost) is the same loss: on a
 * PostgreSQL cluster of its own (the shared one must keep its settings), a paused task's slot
 * falls behind more WAL than the cluster keeps, and the resumed task fails with the WAL figures.
 */
describe('a replication slot invalidated by max_slot_wal_keep_size', () => {
  let pg: ExtraPostgres;
  let taskId: string | undefined;
  const password = 'cdc-pw';

  beforeAll(async () => {
    pg = await startExtraPostgres({ settings: { wal_level: 'logical', max_slot_wal_keep_size: "'1MB'", wal_keep_size: 0 } });
    await pg.query(`CREATE ROLE cdc LOGIN REPLICATION SUPERUSER PASSWORD '${password}'`);
    await pg.query('CREATE DATABASE src OWNER cdc');
    await pg.query('CREATE TABLE public.items (id bigint PRIMARY KEY, name text)', [], 'src');
  }, 180_000);

  afterAll(async () => {
    if (taskId) {
      const res = await api.operate(taskId, 'stop');
      if (res.status === 202) await api.waitUntilStopped(taskId).catch(() => undefined);
    }
    await pg?.stop();
  }, 120_000);

  it('fails the resumed task with the slot-lost failure and the WAL figures, never a new slot', async () => {
    const topic = uniqueName('wbtest_inv');
    const slotName = uniqueSlotName();
    await createTopic(topic, 1);
    const task = await api.createTask({
      name: uniqueName('e2e-invalidated').slice(0, 50),
      source: { host: pg.host, port: pg.port, database: 'src', username: 'cdc', password },
      destination: demoDestination(),
      policy: { slotName, objectScope: 'tables', tables: [{ schema: 'public', table: 'items' }], topicPolicy: { mode: 'specific', topic } },
    });
    taskId = task.id;
    await api.passPrecheck(task.id);
    expect((await api.operate(task.id, 'submit')).status).toBe(202);
    await api.waitForStatus(task.id, 'INCREMENTAL', 90_000);
    await pg.query(`INSERT INTO public.items SELECT g, 'kept' FROM generate_series(1, 5) g`, [], 'src');
    await readTopic(topic, 5);
    await waitFor('the rows to be confirmed', async () => ((await api.task(task.id)).confirmedLsn ? true : undefined));
    expect((await api.operate(task.id, 'pause')).status).toBe(202);
    await api.waitForStatus(task.id, 'PAUSED');

    // Several WAL segments past the slot, then a checkpoint: the server invalidates it.
    await waitFor('the slot to be invalidated', async () => {
      for (let i = 0; i < 3; i++) {
        await pg.query(`INSERT INTO public.items SELECT g, repeat('x', 200) FROM generate_series(1000 + ${i} * 10000, 1000 + ${i} * 10000 + 9999) g`, [], 'src');
        await pg.query('SELECT pg_switch_wal()', [], 'src');
      }
      await pg.query('CHECKPOINT', [], 'src');
      const { rows } = await pg.query<{ wal_status: string }>('SELECT wal_status FROM pg_replication_slots WHERE slot_name = $1', [slotName], 'src');
      return rows[0]?.wal_status === 'lost' ? true : undefined;
    }, 90_000, 500);

    expect((await api.operate(task.id, 'resume')).status).toBe(202);
    const failed = await waitFor('the task to fail with the invalidated slot', async () => {
      const t = await api.task(task.id);
      return t.failure?.kind === 'slotLost' ? t : undefined;
    }, 90_000, 300);
    expect(failed.status).toBe('INCREMENTAL_FAILED');
    expect(failed.failure?.retrying).toBe(false);
    expect(failed.lastError).toMatch(/replication slot \S+ was invalidated by the source \(wal_status = lost: it needed more WAL than max_slot_wal_keep_size = 1MB keeps, the WAL is now at [0-9A-F/]+, [\d.]+ (bytes|kB|MB|GB|TB) past the slot's confirmed LSN\); changes since LSN [0-9A-F]+\/[0-9A-F]+ cannot be recovered/);
    expect(failed.lastError).toMatch(/reset the task/);
    const notice = await waitFor('the slot-lost notice', async () => {
      const page = (await api.request<NotificationPage>('GET', `/api/v1/notifications?taskId=${task.id}&limit=100`)).body;
      return page.items.find((n) => n.figures.slotLoss === 'invalidated');
    }, 30_000, 300);
    expect(notice.figures).toMatchObject({ maxSlotWalKeepSize: '1MB', failureKind: 'slotLost' });
    expect(Number(notice.figures.behindBytes)).toBeGreaterThan(1024 * 1024);
    expect(notice.runbook).toMatch(/raise it/);
    // The invalidated slot is still there (the DBA may look at it); no second slot was made.
    const { rows } = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM pg_replication_slots`, [], 'src');
    expect(rows[0].n).toBe('1');
  });
});
