import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationChannelView, NotificationPage, NotificationView, TaskLogPage } from '@walbridge/contracts';
import { ApiClient, startWebhookReceiver, testPassword, uniqueName, waitFor, type WebhookReceiver } from '@walbridge/testing';
import { createTask, insertRows, onSource, sharedFixture, sleep, stopAndForget, type Fixture, type LifecycleTask } from '../lifecycle/lifecycle-fixture';

/**
 * PRODUCT.md §6 notifications besides the delay alarm, against a real webhook receiver: a task
 * that becomes abnormal (a change the broker refuses fails it at every attempt), the same failure
 * as a data exception when the task asks for those, and a paused task whose slot retains more
 * WAL than its limit. Each is notified once, however often the scheduler retries or measures.
 */
describe('failure and retention notifications', () => {
  const api = new ApiClient();
  const fx: Fixture = sharedFixture(api);
  const secret = `whsec-${testPassword()}`;
  let hooks: WebhookReceiver;
  let channel: NotificationChannelView;
  const tasks: LifecycleTask[] = [];

  const notificationsOf = async (taskId: string): Promise<NotificationView[]> =>
    (await api.request<NotificationPage>('GET', `/api/v1/notifications?taskId=${taskId}&limit=100`)).body.items.slice().reverse();
  const hooksFor = (taskId: string) => hooks.requests.filter((r) => JSON.parse(r.body).task?.id === taskId);
  const restarts = async (taskId: string) =>
    (await api.request<TaskLogPage>('GET', `/api/v1/tasks/${taskId}/logs?level=warning&limit=200`)).body.items.filter((e) => /restarting in/.test(e.message)).length;

  async function failingTask(dataExceptionNotify: boolean): Promise<LifecycleTask> {
    const task = await createTask(fx, {
      start: true,
      input: (base) => ({ ...base, retry: { connectionMinutes: 10, otherMinutes: 1 }, alarms: { notify: true, channelIds: [channel.id], dataExceptionNotify } }),
    });
    tasks.push(task);
    await insertRows(fx.source, task.table, 1, 5);
    // Above the broker's 1 MB message limit: refused at every attempt, never skipped.
    await onSource(fx.source, (db) => db.query(`INSERT INTO shop.${task.table} VALUES (6, repeat('x', 1500000))`));
    return task;
  }

  beforeAll(async () => {
    hooks = await startWebhookReceiver();
    const res = await api.request<NotificationChannelView>('POST', '/api/v1/notification-channels', { type: 'webhook', name: uniqueName('failures'), url: hooks.url, secret });
    expect(res.status).toBe(201);
    channel = res.body;
  });

  afterAll(async () => {
    await Promise.all(tasks.map((t) => stopAndForget(fx, t.id).catch(() => undefined)));
    await hooks?.close();
  });

  it('notifies a task that becomes abnormal once per failure episode, with the error and what to do', async () => {
    const task = await failingTask(false);
    await waitFor('three failed attempts', async () => ((await restarts(task.id)) >= 3 ? true : undefined), 90_000, 500);
    const failing = await api.task(task.id);
    expect(failing.status).toBe('INCREMENTAL_FAILED');
    const items = await notificationsOf(task.id);
    expect(items.map((n) => n.kind)).toEqual(['taskAbnormal']);
    const [abnormal] = items;
    expect(abnormal).toMatchObject({ severity: 'critical', task: { id: task.id }, figures: { status: 'INCREMENTAL_FAILED', failureKind: 'other', retrying: true } });
    expect(abnormal.title).toMatch(/is failing \(INCREMENTAL_FAILED\): Kafka did not acknowledge a batch/);
    expect(abnormal.figures.error).toBe(failing.lastError);
    expect(abnormal.figures.retryUntil).toBe(failing.failure!.retryUntil);
    expect(abnormal.runbook).toMatch(/task log/);

    const [request] = await waitFor('the webhook', async () => (hooksFor(task.id).length ? hooksFor(task.id) : undefined));
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ id: abnormal.id, type: 'taskAbnormal', severity: 'critical', task: { id: task.id, name: `lc-${task.table}`.slice(0, 50) }, test: false });
    const [t, v1] = String(request.headers['x-walbridge-signature']).split(',').map((p) => p.split('=')[1]);
    expect(createHmac('sha256', secret).update(`${t}.${request.body}`).digest('hex')).toBe(v1);
    expect(hooksFor(task.id)).toHaveLength(1);
  });

  it('notifies a data exception, naming the change, in place of the abnormal notice when the task asks for it', async () => {
    const task = await failingTask(true);
    await waitFor('three failed attempts', async () => ((await restarts(task.id)) >= 3 ? true : undefined), 90_000, 500);
    const items = await notificationsOf(task.id);
    expect(items.map((n) => n.kind)).toEqual(['dataException']);
    const [exception] = items;
    expect(exception.severity).toBe('critical');
    expect(exception.figures.error).toMatch(new RegExp(`data exception: change [0-9A-F]{16}-[0-9A-F]{8} of shop\\.${task.table}, \\d+ bytes, is larger than the broker accepts`));
    expect(exception.runbook).toMatch(/max\.message\.bytes/);
    expect(exception.message).toContain('not skipped');
    expect((await api.task(task.id)).lastError).toContain('data exception');
  });

  it('notifies once when a paused task’s slot retains more WAL than the task’s limit', async () => {
    const task = await createTask(fx, { start: true, input: (base) => ({ ...base, alarms: { notify: true, channelIds: [channel.id], walRetentionLimitMb: 1 } }) });
    tasks.push(task);
    expect((await api.operate(task.id, 'pause')).status).toBe(202);
    await api.waitForStatus(task.id, 'PAUSED');
    // About 3 MB of WAL the paused slot has to keep.
    await onSource(fx.source, (db) => db.query(`INSERT INTO shop.${task.table} SELECT g, repeat(md5(g::text), 30) FROM generate_series(1, 3000) g`));
    const [notice] = await waitFor('the retention notice', async () => {
      const items = (await notificationsOf(task.id)).filter((n) => n.kind === 'slotWalRetention');
      return items.length ? items : undefined;
    }, 60_000, 500);
    expect(notice).toMatchObject({ severity: 'warning', figures: { status: 'PAUSED', slotName: task.slot, limitBytes: 1024 * 1024 } });
    expect(notice.figures.retainedWalBytes as number).toBeGreaterThan(1024 * 1024);
    expect(notice.runbook).toMatch(/PAUSED: resume it/);
    // Measured again (every few seconds here): still the one notice.
    const checked = (await api.task(task.id)).slot.checkedAt;
    await waitFor('another slot check', async () => ((await api.task(task.id)).slot.checkedAt !== checked ? true : undefined), 60_000, 500);
    await sleep(500);
    expect((await notificationsOf(task.id)).map((n) => n.kind)).toEqual(['slotWalRetention']);
    expect(hooksFor(task.id).map((r) => JSON.parse(r.body).type)).toEqual(['slotWalRetention']);
  });
});
