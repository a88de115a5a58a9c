import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationChannelView, NotificationPage, NotificationView, TaskMetricsView } from '@walbridge/contracts';
import {
  ApiClient,
  startSmtpReceiver,
  startWebhookReceiver,
  testPassword,
  uniqueName,
  waitFor,
  type ReceivedWebhook,
  type SmtpReceiver,
  type WebhookReceiver,
} from '@walbridge/testing';
import { createTask, insertRows, sharedFixture, sleep, stopAndForget, submitAndStream, type Fixture, type LifecycleTask } from '../lifecycle/lifecycle-fixture';

/**
 * PRODUCT.md §6 delay alarm against real receivers: a task throttled to 50 rows/s, threshold
 * 2 s, sustain window shortened to 10 s. A backlog after a resume keeps the delay above the
 * threshold longer than the window without an alarm (catch-up); a later burst yields exactly one
 * alarm after the window and one recovery notice, in the inbox, on two webhooks (one failing
 * twice first) and by e-mail.
 */
const THROTTLE = 50;
const THRESHOLD = 2;
const SUSTAIN = 10;
const BURST = 800; // 16 s of work at the throttle

function verifies(request: ReceivedWebhook, secret: string): boolean {
  const parts = Object.fromEntries(String(request.headers['x-walbridge-signature']).split(',').map((p) => p.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${request.body}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('delay alarm', () => {
  const api = new ApiClient();
  const fx: Fixture = sharedFixture(api);
  let hooks: WebhookReceiver;
  let flaky: WebhookReceiver;
  let smtp: SmtpReceiver;
  const secrets = { hooks: `whsec-${testPassword()}`, flaky: `whsec-${testPassword()}` };
  let channels: { hooks: NotificationChannelView; flaky: NotificationChannelView; mail: NotificationChannelView };
  let task: LifecycleTask;

  const notificationsOf = async (): Promise<NotificationView[]> => {
    const res = await api.request<NotificationPage>('GET', `/api/v1/notifications?taskId=${task.id}&limit=100`);
    expect(res.status).toBe(200);
    return res.body.items.slice().reverse(); // oldest first
  };
  const kinds = (items: { kind: string }[]) => items.map((n) => n.kind).filter((k) => k.startsWith('delay'));
  const webhookKinds = (receiver: WebhookReceiver) =>
    receiver.requests.filter((r) => r.status === 200 && JSON.parse(r.body).task?.id === task.id).map((r) => JSON.parse(r.body).type as string);

  async function samples(since: number): Promise<TaskMetricsView['samples']> {
    const res = await api.request<TaskMetricsView>('GET', `/api/v1/tasks/${task.id}/metrics?from=${since}`);
    return res.body.samples;
  }

  /** Waits until the task has written `rows` rows and is caught up again; returns the samples of the episode. */
  async function drained(rows: number, since: number) {
    return waitFor(`task to write ${rows} rows and catch up`, async () => {
      const s = await samples(since);
      const last = s[s.length - 1];
      return last && last.rowsWritten >= rows && last.delaySeconds === 0 ? s : undefined;
    }, 90_000, 500);
  }

  beforeAll(async () => {
    [hooks, flaky, smtp] = await Promise.all([startWebhookReceiver(), startWebhookReceiver(), startSmtpReceiver()]);
    const create = async (body: Record<string, unknown>) => {
      const res = await api.request<NotificationChannelView>('POST', '/api/v1/notification-channels', { name: uniqueName('alarm'), ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    };
    channels = {
      hooks: await create({ type: 'webhook', url: hooks.url, secret: secrets.hooks }),
      flaky: await create({ type: 'webhook', url: flaky.url, secret: secrets.flaky }),
      mail: await create({ type: 'email', to: ['oncall@example.com'], smtp: { host: smtp.host, port: smtp.port, security: 'none', from: 'walbridge@example.com' } }),
    };
    task = await createTask(fx, {
      input: (base) => ({
        ...base,
        throttle: { rowsPerSecond: THROTTLE },
        alarms: {
          notify: true,
          channelIds: [channels.hooks.id, channels.flaky.id, channels.mail.id],
          delayThresholdSeconds: THRESHOLD,
          delaySustainSeconds: SUSTAIN,
        },
      }),
    });
    await submitAndStream(task);
  });

  afterAll(async () => {
    if (task) await stopAndForget(fx, task.id);
    await Promise.all([hooks?.close(), flaky?.close(), smtp?.close()]);
  });

  it('stays silent while a resumed task catches up on a backlog, however long the delay stays above the threshold', async () => {
    expect((await api.operate(task.id, 'pause')).status).toBe(202);
    await api.waitForStatus(task.id, 'PAUSED');
    await insertRows(fx.source, task.table, 1, BURST, BURST);
    // The backlog is older than the threshold when the task resumes: the delay starts above it.
    await sleep((THRESHOLD + 2) * 1000);
    const resumedAt = Date.now();
    expect((await api.operate(task.id, 'resume')).status).toBe(202);
    const episode = await drained(BURST, resumedAt);
    const above = episode.filter((s) => s.delaySeconds > THRESHOLD).map((s) => Date.parse(s.at));
    // The delay was above the threshold for longer than the sustain window…
    expect(Math.max(...above) - Math.min(...above), JSON.stringify(episode.map((s) => s.delaySeconds))).toBeGreaterThanOrEqual((SUSTAIN + 2) * 1000);
    // …and nothing was said: it was the catch-up after a start.
    await sleep(1500);
    expect(kinds(await notificationsOf())).toEqual([]);
    expect(webhookKinds(hooks)).toEqual([]);
    expect(smtp.messages).toEqual([]);
  });

  it('then alarms once after the sustain window, and sends one recovery notice when the delay falls back', async () => {
    flaky.failNext(2, 503);
    const burstAt = Date.now();
    await insertRows(fx.source, task.table, BURST + 1, 2 * BURST, BURST);
    await drained(2 * BURST, burstAt);
    const items = await waitFor('the recovery notice', async () => {
      const all = await notificationsOf();
      return kinds(all).includes('delayRecovered') ? all : undefined;
    }, 30_000, 500);
    // Time for anything that should not come.
    await sleep(3000);
    const final = await notificationsOf();
    expect(kinds(final)).toEqual(['delayAlarm', 'delayRecovered']);
    const [alarm, recovery] = final.filter((n) => n.kind.startsWith('delay'));
    expect(items.map((n) => n.id)).toEqual(expect.arrayContaining([alarm.id, recovery.id]));

    // Fired only after the delay had been above the threshold for the whole window.
    const aboveSince = Date.parse(alarm.figures.aboveSince as string);
    expect(aboveSince).toBeGreaterThanOrEqual(burstAt);
    expect(Date.parse(alarm.createdAt) - aboveSince).toBeGreaterThanOrEqual(SUSTAIN * 1000);
    expect(Date.parse(alarm.createdAt) - aboveSince).toBeLessThan((SUSTAIN + 8) * 1000);
    expect(alarm).toMatchObject({ severity: 'warning', task: { id: task.id }, figures: { thresholdSeconds: THRESHOLD, sustainSeconds: SUSTAIN } });
    expect(alarm.figures.delaySeconds as number).toBeGreaterThan(THRESHOLD);
    expect(alarm.title).toContain(`above its ${THRESHOLD} s threshold for ${SUSTAIN} s`);
    expect(alarm.message).toContain(task.id);
    expect(alarm.runbook).toContain(`throttle (${THROTTLE} rows/s)`);
    expect(recovery).toMatchObject({ severity: 'info', figures: { thresholdSeconds: THRESHOLD, aboveSince: alarm.figures.aboveSince } });
    expect(recovery.figures.peakDelaySeconds as number).toBeGreaterThanOrEqual(alarm.figures.delaySeconds as number);

    // The same two on every channel, signed with each channel's secret.
    await waitFor('both webhooks and the mailbox to have both', async () =>
      webhookKinds(hooks).length >= 2 && webhookKinds(flaky).length >= 2 && smtp.messages.length >= 2 ? true : undefined,
    );
    expect(webhookKinds(hooks)).toEqual(['delayAlarm', 'delayRecovered']);
    expect(webhookKinds(flaky)).toEqual(['delayAlarm', 'delayRecovered']);
    for (const r of hooks.requests) expect(verifies(r, secrets.hooks)).toBe(true);
    for (const r of flaky.requests) {
      expect(verifies(r, secrets.flaky)).toBe(true);
      expect(verifies(r, secrets.hooks)).toBe(false);
    }
    expect(smtp.messages.map((m) => m.subject)).toEqual([`[Walbridge] ${alarm.title}`, `[Walbridge] ${recovery.title}`]);
    expect(smtp.messages[0].text).toContain('What to do:');
    expect(smtp.messages[0].headers['x-walbridge-notification']).toBe(alarm.id);
  });

  it('retries a failing webhook with backoff, and the delivery log shows every attempt', async () => {
    const [alarm] = (await notificationsOf()).filter((n) => n.kind === 'delayAlarm');
    const flakyDelivery = alarm.deliveries.find((d) => d.channelId === channels.flaky.id)!;
    expect(flakyDelivery).toMatchObject({ status: 'delivered', attempts: 3, lastError: null, channelName: channels.flaky.name, channelType: 'webhook' });
    expect(flakyDelivery.log.map((a) => [a.ok, a.statusCode])).toEqual([
      [false, 503],
      [false, 503],
      [true, 200],
    ]);
    // Only the status: a receiver's body never travels back (issue 14, outbound requests).
    expect(flakyDelivery.log[0].detail).toBe('HTTP 503');
    // Backoff: the second retry waited longer than the first.
    const at = flakyDelivery.log.map((a) => Date.parse(a.at));
    expect(at[2] - at[1]).toBeGreaterThan(at[1] - at[0]);
    // Every attempt of one delivery carries the same delivery id (receivers drop duplicates by it).
    const attempts = flaky.requests.filter((r) => JSON.parse(r.body).id === alarm.id);
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(new Set(attempts.map((r) => r.headers['x-walbridge-delivery'])).size).toBe(1);
    expect(alarm.deliveries.find((d) => d.channelId === channels.hooks.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(alarm.deliveries.find((d) => d.channelId === channels.mail.id)).toMatchObject({ status: 'delivered', attempts: 1, channelType: 'email' });
  });

  it('keeps read marks per user in the inbox', async () => {
    const [alarm] = (await notificationsOf()).filter((n) => n.kind === 'delayAlarm');
    expect(alarm.read).toBe(false);
    const read = await api.request<NotificationView>('POST', `/api/v1/notifications/${alarm.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.read).toBe(true);
    const unread = await api.request<NotificationPage>('GET', `/api/v1/notifications?taskId=${task.id}&unread=true`);
    expect(unread.body.items.map((n) => n.id)).not.toContain(alarm.id);
    expect(unread.body.items.map((n) => n.kind)).toContain('delayRecovered');
    // Newest first, page by page.
    const first = await api.request<NotificationPage>('GET', `/api/v1/notifications?taskId=${task.id}&limit=1`);
    const second = await api.request<NotificationPage>('GET', `/api/v1/notifications?taskId=${task.id}&limit=1&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items].map((n) => n.kind)).toEqual(['delayRecovered', 'delayAlarm']);
    expect(second.body.nextCursor).toBeNull();
    expect(typeof first.body.unreadCount).toBe('number');
  });
});
