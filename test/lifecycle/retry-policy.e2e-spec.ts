import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateTaskInput, NotificationPage, NotificationView, TaskLogPage, TaskView } from '@walbridge/contracts';
import { KafkaFixture, spawnControlPlane, spawnPostgres, workerPid, type ControlPlane, type DedicatedPostgres } from '@walbridge/testing';
import {
  createTask,
  dedicatedSource,
  insertRows,
  onSource,
  sharedSource,
  sleep,
  stopAndForget,
  waitFor,
  type Fixture,
  type LifecycleTask,
} from './lifecycle-fixture';

/**
 * PRODUCT.md §4 failures: network failures retried for the connection window, others for the
 * other-failure window, then abnormal until resumed, and stopped automatically after N days.
 * Real minutes and days are too long for a test: these schedulers run with a time scale
 * (WALBRIDGE_TIME_SCALE), an api and schedulers of the test's own on the shared servers.
 */
const MINUTE_SCALE = 60; // a minute of policy lasts a second
const DAY_SCALE = 60_480; // 14 days last 20 seconds

async function logsOf(plane: ControlPlane, id: string): Promise<string[]> {
  return (await plane.api.request<TaskLogPage>('GET', `/api/v1/tasks/${id}/logs?limit=200`)).body.items.map((e) => `${e.level}: ${e.message}`);
}

/** The task's notifications, oldest first (PRODUCT.md §6: abnormal and auto-stopped tasks are notified). */
async function notificationsOf(plane: ControlPlane, id: string): Promise<NotificationView[]> {
  return (await plane.api.request<NotificationPage>('GET', `/api/v1/notifications?taskId=${id}`)).body.items.slice().reverse();
}

describe('retry windows and abnormal tasks', () => {
  let minutes: ControlPlane;
  let days: ControlPlane;
  let fx: Fixture;
  let doomedSource: DedicatedPostgres;
  const created: { fx: Fixture; id: string }[] = [];

  beforeAll(async () => {
    [minutes, days, doomedSource] = await Promise.all([
      spawnControlPlane({ name: 'retry', env: { WALBRIDGE_TIME_SCALE: String(MINUTE_SCALE) } }),
      spawnControlPlane({ name: 'autostop', env: { WALBRIDGE_TIME_SCALE: String(DAY_SCALE) } }),
      spawnPostgres(),
    ]);
    fx = { api: minutes.api, kafka: new KafkaFixture(), source: sharedSource };
  }, 240_000);

  afterAll(async () => {
    await Promise.all(created.map(({ fx: f, id }) => stopAndForget(f, id).catch(() => undefined)));
    await Promise.all([minutes, days, doomedSource].filter(Boolean).map((p) => p.cleanup()));
  });

  /**
   * A task that passes its precheck and then meets a fault before its worker starts (the gate
   * refuses to submit a task that is broken already): `breakIt` is that fault.
   */
  async function failingTask(f: Fixture, breakIt: (task: LifecycleTask) => Promise<unknown>, change: (base: CreateTaskInput) => Partial<CreateTaskInput> = () => ({})) {
    const task = await createTask(f, { input: (base) => ({ ...base, retry: { connectionMinutes: 10, otherMinutes: 1 }, ...change(base) }) });
    created.push({ fx: f, id: task.id });
    await f.api.passPrecheck(task.id);
    await breakIt(task);
    expect((await f.api.operate(task.id, 'submit')).status).toBe(202);
    return task;
  }

  it('retries an unreachable source for the connection window, then the task is START_FAILED', async () => {
    // The source goes down between the precheck and the start.
    const task = await failingTask({ ...fx, source: dedicatedSource(doomedSource) }, () => doomedSource.stop());
    const retrying = await waitFor('a network failure being retried', async () => {
      const t = await fx.api.task(task.id);
      return t.failure ? t : undefined;
    }, 30_000, 200);
    expect(retrying.status).toBe('STARTING');
    expect(retrying.failure).toMatchObject({ kind: 'network', retrying: true });
    // 10 minutes at 60x.
    expect(Date.parse(retrying.failure!.retryUntil) - Date.parse(retrying.failure!.since)).toBe(10_000);

    const failed = await fx.api.waitForStatus(task.id, 'START_FAILED', 60_000);
    expect(failed.failure).toMatchObject({ kind: 'network', retrying: false });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(failed.failure!.retryUntil));
    expect(failed.lastError).toMatch(/ECONNREFUSED/);
    expect(failed.allowedOperations.sort()).toEqual(['delete', 'editSettings', 'forceStop', 'precheck', 'reset', 'resume', 'stop']);
    const log = await logsOf(minutes, task.id);
    expect(log.filter((l) => /^warning: network failure: .*restarting in/.test(l)).length, log.join('\n')).toBeGreaterThanOrEqual(3);
    expect(log[0]).toMatch(/^error: network failure: .*gave up after the 10-minute connection retry window/);
    // Notified once it became abnormal (START_FAILED), not at each retry of the start.
    const notices = await notificationsOf(minutes, task.id);
    expect(notices.map((n) => n.kind)).toEqual(['taskAbnormal']);
    expect(notices[0].figures).toMatchObject({ status: 'START_FAILED', failureKind: 'network', retrying: false });
    expect(notices[0].figures.error).toMatch(/ECONNREFUSED/);
    expect(notices[0].title).toMatch(/gave up retrying: START_FAILED$/);
  });

  it('gives up on other failures after the shorter other-failure window', async () => {
    // The topic is deleted between the precheck and the start.
    const task = await failingTask(fx, (t) => fx.kafka.deleteTopic(t.topic));
    const failed = await fx.api.waitForStatus(task.id, 'START_FAILED', 60_000);
    expect(failed.failure).toMatchObject({ kind: 'other', retrying: false });
    expect(Date.parse(failed.failure!.retryUntil) - Date.parse(failed.failure!.since)).toBe(1000);
    expect(failed.lastError).toContain(`Kafka topic ${task.topic} does not exist`);
    expect((await logsOf(minutes, task.id))[0]).toMatch(/gave up after the 1-minute other-failure retry window/);
    // Given up means given up: no scheduler starts it again behind the operator's back.
    await sleep(5000);
    expect(workerPid(task.id)).toBeNull();
    expect((await fx.api.task(task.id)).status).toBe('START_FAILED');
  });

  it('a streaming task that cannot deliver a change becomes INCREMENTAL_FAILED until resumed, then streams from the confirmed LSN', async () => {
    const task: LifecycleTask = await createTask(fx, { start: true, input: (base) => ({ ...base, retry: { connectionMinutes: 10, otherMinutes: 1 } }) });
    created.push({ fx, id: task.id });
    await insertRows(fx.source, task.table, 1, 10);
    await fx.kafka.readTopic(task.topic, 10);
    // A change the broker refuses (above its 1 MB message limit) would fail every attempt the same
    // way: a data exception, not retried (PRODUCT.md §5).
    await onSource(fx.source, (db) => db.query(`INSERT INTO shop.${task.table} VALUES (11, repeat('x', 1500000))`));
    await insertRows(fx.source, task.table, 12, 20);
    const failed = await waitFor('the task to give up', async () => {
      const t = await fx.api.task(task.id);
      return t.failure && !t.failure.retrying ? t : undefined;
    }, 120_000, 300);
    expect(failed.status).toBe('INCREMENTAL_FAILED');
    expect(failed.failure!.kind).toBe('data');
    expect(failed.lastError).toMatch(/^data exception on shop\..*Kafka refused the message as too large/);
    await sleep(3000);
    expect(workerPid(task.id), 'abnormal: not restarted until resumed').toBeNull();
    // A data exception is not retried: one notice, for the task that gave up at once.
    const notices = await notificationsOf(minutes, task.id);
    expect(notices.map((n) => [n.kind, n.figures.status, n.figures.retrying])).toEqual([['taskAbnormal', 'INCREMENTAL_FAILED', false]]);

    // The operator raises the topic's limit and resumes.
    await fx.kafka.setTopicConfig(task.topic, { 'max.message.bytes': String(4 * 1024 * 1024) });
    const res = await fx.api.request<TaskView & { warnings: string[] }>('POST', `/api/v1/tasks/${task.id}/resume`);
    expect(res.status).toBe(202);
    expect(res.body.failure).toBeNull();
    await fx.api.waitForStatus(task.id, 'INCREMENTAL', 60_000);
    const rows = (await fx.kafka.readTopic(task.topic, 20)).map((m) => Number((JSON.parse(m.value) as { data: { id: string }[] }).data[0].id));
    expect(rows).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('stops an abnormal task automatically after alarms.abnormalStopDays, not before', async () => {
    const f: Fixture = { ...fx, api: days.api };
    const task = await failingTask(f, (t) => f.kafka.deleteTopic(t.topic), () => ({ alarms: { abnormalStopDays: 14 } }));
    const failed = await f.api.waitForStatus(task.id, 'START_FAILED', 60_000);
    const stopAt = Date.parse(failed.failure!.autoStopAt);
    // 14 days at 60,480x.
    expect(stopAt - Date.parse(failed.failure!.since)).toBe(20_000);
    await sleep(Math.max(0, stopAt - Date.now() - 5000));
    expect((await f.api.task(task.id)).status, 'not before its time').toBe('START_FAILED');
    const stopped = await f.api.waitForStatus(task.id, 'COMPLETED', 60_000);
    expect(Date.now()).toBeGreaterThanOrEqual(stopAt);
    expect(stopped.slot).toMatchObject({ exists: false, leftover: false });
    const log = await logsOf(days, task.id);
    expect(log.some((l) => /^warning: task abnormal \(START_FAILED\) since .*: stopped automatically after 14 days/.test(l)), log.join('\n')).toBe(true);
    const notices = await notificationsOf(days, task.id);
    expect(notices.map((n) => n.kind)).toEqual(['taskAbnormal', 'taskAutoStopped']);
    expect(notices[1]).toMatchObject({ severity: 'warning', figures: { previousStatus: 'START_FAILED', abnormalStopDays: 14 } });
    expect(notices[1].message).toMatch(/stopped after 14 days/);
  });
});
