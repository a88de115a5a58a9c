import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationChannelView, NotificationPage, NotificationView } from '@walbridge/contracts';
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
  // A change the broker refuses is a data exception: not retried, the task is abnormal at once.
  const gaveUp = (taskId: string) =>
    waitFor('the task to give up on the change', async () => {
      const t = await api.task(taskId);
      return t.status === 'INCREMENTAL_FAILED' && t.failure && !t.failure.retrying ? t : undefined;
    }, 90_000, 500);

  async function failingTask(dataExceptionNotify: boolean, channelIds = [channel.id]): Promise<LifecycleTask> {
    const task = await createTask(fx, {
      start: true,
      input: (base) => ({ ...base, retry: { connectionMinutes: 10, otherMinutes: 1 }, alarms: { notify: true, channelIds, dataExceptionNotify } }),
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
    // Two more channels of the task chose what they are sent: delay alarms only, and critical task failures only.
    const picky = await startWebhookReceiver();
    const chosen = async (name: string, choice: Record<string, unknown>) => {
      const res = await api.request<NotificationChannelView>('POST', '/api/v1/notification-channels', { type: 'webhook', name: uniqueName(name), url: picky.url, secret, ...choice });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject(choice);
      return res.body;
    };
    const delaysOnly = await chosen('delays', { kinds: ['delayAlarm', 'delayRecovered'], minSeverity: 'info' });
    const criticalFailures = await chosen('critical', { kinds: ['taskAbnormal'], minSeverity: 'critical' });
    const task = await failingTask(false, [channel.id, delaysOnly.id, criticalFailures.id]);
    const failing = await gaveUp(task.id);
    const [abnormal] = await waitFor('the abnormal notice', async () => {
      const found = await notificationsOf(task.id);
      return found.length ? found : undefined;
    });
    expect(abnormal).toMatchObject({ kind: 'taskAbnormal', severity: 'critical', task: { id: task.id }, figures: { status: 'INCREMENTAL_FAILED', failureKind: 'data', retrying: false } });
    expect(abnormal.figures.error).toBe(failing.lastError);
    expect(abnormal.runbook.length).toBeGreaterThan(0);

    const [request] = await waitFor('the webhook', async () => (hooksFor(task.id).length ? hooksFor(task.id) : undefined));
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ id: abnormal.id, type: 'taskAbnormal', severity: 'critical', task: { id: task.id, name: `lc-${task.table}`.slice(0, 50) }, test: false });
    const [t, v1] = String(request.headers['x-walbridge-signature']).split(',').map((p) => p.split('=')[1]);
    expect(createHmac('sha256', secret).update(`${t}.${request.body}`).digest('hex')).toBe(v1);
    // Once per episode: nothing more while the task stays abnormal.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await notificationsOf(task.id)).map((n) => n.kind)).toEqual(['taskAbnormal']);
    expect(hooksFor(task.id)).toHaveLength(1);
    // Sent to the channels that take a critical taskAbnormal, not to the one that takes delays only.
    expect(abnormal.deliveries.map((d) => d.channelName).sort()).toEqual([channel.name, criticalFailures.name].sort());
    await waitFor('the picky webhook', async () => (picky.requests.length ? true : undefined));
    expect(picky.requests.map((r) => JSON.parse(r.body).type)).toEqual(['taskAbnormal']);
    await picky.close();
    // The inbox narrows by severity and type.
    const inbox = async (query: string) => (await api.request<NotificationPage>('GET', `/api/v1/notifications?taskId=${task.id}&${query}`)).body.items.map((n) => n.id);
    expect(await inbox('severity=critical')).toEqual([abnormal.id]);
    expect(await inbox('severity=warning')).toEqual([]);
    expect(await inbox('kind=taskAbnormal&severity=critical')).toEqual([abnormal.id]);
    expect(await inbox('kind=delayAlarm')).toEqual([]);
  });

  it('notifies a data exception, naming the change, in place of the abnormal notice when the task asks for it', async () => {
    const task = await failingTask(true);
    await gaveUp(task.id);
    const items = await waitFor('the data exception notice', async () => {
      const found = await notificationsOf(task.id);
      return found.length ? found : undefined;
    });
    expect(items.map((n) => n.kind)).toEqual(['dataException']);
    const [exception] = items;
    expect(exception.severity).toBe('critical');
    expect(exception.figures.error).toMatch(new RegExp(`data exception on shop\\.${task.table}, message id [0-9A-F]{16}-[0-9A-F]{8}: Kafka refused the message as too large`));
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
