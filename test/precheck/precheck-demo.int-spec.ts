import { afterAll, describe, expect, it } from 'vitest';
import type { PrecheckRunView, TaskView } from '@walbridge/contracts';
import { PRECHECK_ITEM_KEYS } from '@walbridge/domain';
import { sourceDb } from '@walbridge/testing';
import { api, createdTask, demoSql, demoTableAndTopic, demoTask, itemOf, results } from './precheck-fixture';

async function walKeepSizeIsLimited(): Promise<boolean> {
  const db = await sourceDb();
  try {
    return (await db.query(`SELECT setting FROM pg_settings WHERE name = 'max_slot_wal_keep_size'`)).rows[0].setting !== '-1';
  } finally {
    await db.end();
  }
}

describe('precheck on the good demo setup, and the submit gate', () => {
  let task: TaskView;
  let table: string;
  let run: PrecheckRunView;
  const stopAfter: string[] = [];

  afterAll(async () => {
    for (const id of stopAfter) {
      await api.operate(id, 'stop');
      await api.waitUntilStopped(id).catch(() => undefined);
    }
    if (table) await demoSql(`DROP TABLE IF EXISTS shop.${table}`);
  });

  it('refuses to submit a task that was never prechecked', async () => {
    const created = await demoTableAndTopic();
    table = created.table;
    task = await createdTask(demoTask(created.table, created.topic));
    const res = await api.operate(task.id, 'submit');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'PRECHECK_REQUIRED', status: 'CONFIGURATION', message: expect.stringContaining('no precheck has been run') });
    expect((await api.request('GET', `/api/v1/tasks/${task.id}/precheck`)).status).toBe(404);
  });

  it('starts as a job: 202 with every item pending, then progress to the end within 3 s', async () => {
    const started = await api.request<PrecheckRunView>('POST', `/api/v1/tasks/${task.id}/precheck`, {});
    expect(started.status).toBe(202);
    expect(started.body.progress).toEqual({ done: 0, total: PRECHECK_ITEM_KEYS.length });
    expect(started.body.items.every((i) => i.result === 'PENDING')).toBe(true);
    expect(started.body.blockers).toEqual(['the precheck is still running']);
    run = await api.runPrecheck(task.id);
    expect(run.progress).toEqual({ done: PRECHECK_ITEM_KEYS.length, total: PRECHECK_ITEM_KEYS.length });
    expect(new Date(run.finishedAt!).getTime() - new Date(run.startedAt).getTime()).toBeLessThan(3000);
  });

  it('passes every item on the demo stack (WAL retention alarms only when the stack leaves it unlimited)', async () => {
    const limited = await walKeepSizeIsLimited();
    const expected = Object.fromEntries(run.items.map((i) => [i.key, i.key === 'wal-retention' && !limited ? 'ALARM' : 'PASSED']));
    expect(results(run)).toEqual(expected);
    for (const item of run.items) {
      expect(item.name.length).toBeGreaterThan(0);
      expect(item.description.length).toBeGreaterThan(0);
      // "Full synchronization" says what an incremental task leaves out; the other passed items say nothing.
      if (item.result === 'PASSED' && item.key !== 'full-sync') expect(item.reason).toBeNull();
    }
    expect(run.items.find((i) => i.key === 'full-sync')?.reason).toMatch(/^not needed: the task synchronizes changes only \(syncMode incremental\)/);
    const items = PRECHECK_ITEM_KEYS.length;
    expect(run.successRate).toBe(limited ? 100 : Math.round((100 * (items - 1)) / items));
    expect(run.status).toBe('FINISHED');
  });

  it('start time, alarms and description may change after the precheck (the wizard sets them in its last step)', async () => {
    const patched = await api.request('PATCH', `/api/v1/tasks/${task.id}`, {
      description: 'changed after the precheck',
      alarms: { delayThresholdSeconds: 30, abnormalStopDays: 20 },
      start: { mode: 'now' },
    });
    expect(patched.status).toBe(200);
    const latest = await api.request<PrecheckRunView>('GET', `/api/v1/tasks/${task.id}/precheck`);
    expect(latest.body).toMatchObject({ id: run.id, outdated: false });
  });

  it('an edit of what is synchronized after the precheck outdates it: submit is refused until checked again', async () => {
    const patched = await api.request('PATCH', `/api/v1/tasks/${task.id}`, { policy: { partitionPolicy: 'zero' } });
    expect(patched.status).toBe(200);
    const latest = await api.request<PrecheckRunView>('GET', `/api/v1/tasks/${task.id}/precheck`);
    expect(latest.body).toMatchObject({ outdated: true, submittable: false });
    expect(latest.body.blockers).toContain('the configuration changed after the precheck: check again');
    const refused = await api.operate(task.id, 'submit');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ message: expect.stringContaining('the configuration changed after the precheck') });
  });

  it('after checking again (and confirming any alarm) the task is submitted and streams', async () => {
    run = await api.passPrecheck(task.id);
    expect(run).toMatchObject({ outdated: false, submittable: true, blockers: [] });
    const submitted = await api.operate(task.id, 'submit');
    expect(submitted.status).toBe(202);
    stopAfter.push(task.id);
    await api.waitForStatus(task.id, 'INCREMENTAL', 90_000);
    // A precheck is not an operation of a streaming task.
    const again = await api.request('POST', `/api/v1/tasks/${task.id}/precheck`, {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'OPERATION_NOT_ALLOWED', status: 'INCREMENTAL' });
  });
});

describe('confirming ALARM items', () => {
  let table: string;

  afterAll(async () => {
    if (table) await demoSql(`DROP TABLE IF EXISTS shop.${table}`);
  });

  it('blocks submit until every ALARM is confirmed; only ALARM items of the latest run can be', async () => {
    const created = await demoTableAndTopic();
    table = created.table;
    const task = await createdTask(demoTask(created.table, created.topic, {}, { dmlOperations: ['INSERT', 'UPDATE'] }));
    const run = await api.runPrecheck(task.id);
    const alarm = itemOf(run, 'dml-delete');
    expect(alarm).toMatchObject({ result: 'ALARM', confirmed: false });
    expect(run.result).toBe('ALARM');
    expect(run.blockers).toContainEqual(expect.stringMatching(/^alarm items are not confirmed: .*DELETE and TRUNCATE synchronization/));

    const refused = await api.operate(task.id, 'submit');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ message: expect.stringContaining('alarm items are not confirmed') });

    const passed = itemOf(run, 'wal-level');
    const wrong = await api.request('POST', `/api/v1/tasks/${task.id}/precheck/items/${passed.id}/confirm`);
    expect(wrong.status).toBe(409);
    expect(wrong.body).toMatchObject({ code: 'NOT_AN_ALARM' });
    const unknown = await api.request('POST', `/api/v1/tasks/${task.id}/precheck/items/00000000-0000-4000-8000-000000000000/confirm`);
    expect(unknown.status).toBe(404);

    let confirmed: PrecheckRunView | undefined;
    for (const item of run.items.filter((i) => i.result === 'ALARM')) {
      const res = await api.request<PrecheckRunView>('POST', `/api/v1/tasks/${task.id}/precheck/items/${item.id}/confirm`);
      expect(res.status).toBe(200);
      confirmed = res.body;
    }
    expect(itemOf(confirmed!, 'dml-delete')).toMatchObject({ confirmed: true, confirmedAt: expect.any(String) });
    expect(confirmed!.submittable).toBe(true);

    // A new run starts from scratch: the old confirmation does not carry over.
    const rerun = await api.runPrecheck(task.id);
    expect(itemOf(rerun, 'dml-delete').confirmed).toBe(false);
    const stale = await api.request('POST', `/api/v1/tasks/${task.id}/precheck/items/${alarm.id}/confirm`);
    expect(stale.status).toBe(404);
    expect((await api.operate(task.id, 'submit')).status).toBe(409);
  });
});
