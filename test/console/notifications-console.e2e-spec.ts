import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationChannelView, NotificationPage } from '@walbridge/contracts';
import { startWebhookReceiver, testEnv, testPassword, uniqueName, waitFor, type WebhookReceiver } from '@walbridge/testing';
import { createTask, onSource, sharedFixture, stopAndForget, type Fixture, type LifecycleTask } from '../lifecycle/lifecycle-fixture';
import { launchBrowser, screenshot } from './browser';
import { api, consolePage } from './console-fixture';

/*
 * Issue 15 feature 9: the inbox narrows by task, type and severity with times in words, and a
 * channel chooses the kinds and the lowest severity it is sent.
 */
describe('the console: notifications', () => {
  const fx: Fixture = sharedFixture(api);
  let browser: Browser;
  let task: LifecycleTask;
  let taskName: string;
  let hooks: WebhookReceiver;
  let flaky: NotificationChannelView;
  const channels: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    // A channel whose receiver is down: its delivery of the event keeps failing.
    hooks = await startWebhookReceiver();
    hooks.failNext(1000);
    flaky = (await api.request<NotificationChannelView>('POST', '/api/v1/notification-channels', { type: 'webhook', name: uniqueName('flaky'), url: hooks.url, secret: `whsec-${testPassword()}` })).body;
    channels.push(flaky.id);
    // A real event: a change above the broker's message limit makes the task abnormal (critical).
    task = await createTask(fx, { start: true, input: (base) => ({ ...base, retry: { connectionMinutes: 10, otherMinutes: 1 }, alarms: { notify: true, channelIds: [flaky.id] } }) });
    taskName = (await api.task(task.id)).name;
    await onSource(fx.source, (db) => db.query(`INSERT INTO shop.${task.table} VALUES (1, repeat('x', 1500000))`));
    await waitFor('the abnormal notice', async () => {
      const page = (await api.request<NotificationPage>('GET', `/api/v1/notifications?taskId=${task.id}`)).body;
      return page.items.some((n) => n.kind === 'taskAbnormal') ? true : undefined;
    }, 120_000, 1000);
  }, 240_000);

  afterAll(async () => {
    await stopAndForget(fx, task.id).catch(() => undefined);
    for (const id of channels) await api.request('DELETE', `/api/v1/notification-channels/${id}`);
    await browser?.close();
    await hooks?.close();
  });

  it('narrows the inbox by task, type and severity, and says when each arrived in words', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1366, height: 900 });
    try {
      await page.goto(`${testEnv.apiUrl}/notifications`);
      const inbox = page.getByRole('region', { name: 'Inbox' });
      await inbox.getByLabel('Task').selectOption({ label: taskName });
      const items = inbox.getByRole('list', { name: 'Notifications' }).getByRole('listitem').filter({ has: page.locator('.notification__title') });
      await expect.poll(() => items.count(), { timeout: 15_000 }).toBe(1);
      const text = await items.first().textContent();
      expect(text).toContain('Critical');
      expect(text).toMatch(/\d+ (s|min) ago/);
      await inbox.getByLabel('Severity').selectOption({ label: 'Warning' });
      await inbox.getByText('No notification matches these filters.').waitFor();
      await inbox.getByLabel('Severity').selectOption({ label: 'Critical' });
      await inbox.getByLabel('Type').selectOption({ label: 'Task failed' });
      await expect.poll(() => items.count()).toBe(1);
      await inbox.getByLabel('Type').selectOption({ label: 'Delay above its threshold' });
      await inbox.getByText('No notification matches these filters.').waitFor();
      await screenshot(page, 'notifications-inbox-filters-1366');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('adds a channel that is sent only the kinds and severities it chose, and lists the choice', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1366, height: 900 });
    const name = uniqueName('picky');
    try {
      await page.goto(`${testEnv.apiUrl}/notifications`);
      const form = page.getByRole('form', { name: 'Add a channel' });
      await form.getByLabel('Channel name').fill(name);
      await form.getByLabel('URL').fill('https://hooks.example.com/walbridge');
      await form.getByLabel('Signing secret').fill('a-signing-secret-of-16+');
      await form.getByLabel('Only the kinds chosen below').check();
      const kinds = form.getByRole('group', { name: 'Kinds' });
      for (const box of await kinds.getByRole('checkbox').all()) await box.uncheck();
      await form.getByRole('button', { name: 'Add channel' }).click();
      await form.getByText('choose at least one kind, or every kind').waitFor();
      await kinds.getByLabel('Task failed').check();
      await kinds.getByLabel('Data exception').check();
      await form.getByLabel('Lowest severity').selectOption({ label: 'Critical only' });
      await form.getByRole('button', { name: 'Add channel' }).click();
      const row = page.getByRole('table', { name: 'Notification channels' }).getByRole('row').filter({ hasText: name });
      await row.waitFor();
      expect(await row.textContent()).toContain('2 kinds, critical only');
      const created = (await api.request<NotificationChannelView[]>('GET', '/api/v1/notification-channels')).body.find((c) => c.name === name)!;
      channels.push(created.id);
      expect(created).toMatchObject({ kinds: ['taskAbnormal', 'dataException'], minSeverity: 'critical' });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("shows a channel's delivery history, and Retry sends a delivery that gave up once the channel works again", async () => {
    // The operator disables the broken channel: its pending delivery gives up ("the channel was disabled").
    await waitFor('a failed attempt', async () => (hooks.requests.length ? true : undefined), 60_000);
    await api.request('PATCH', `/api/v1/notification-channels/${flaky.id}`, { enabled: false });
    const history = async () => (await api.request<{ items: { id: string; status: string; lastError: string | null }[] }>('GET', `/api/v1/notification-channels/${flaky.id}/deliveries`)).body.items;
    const [gaveUp] = await waitFor('the delivery to give up', async () => {
      const items = await history();
      return items[0]?.status === 'failed' ? items : undefined;
    }, 60_000, 500);
    expect(gaveUp.lastError).toBe('the channel was disabled');
    // Retrying while the channel is disabled is refused with the way out.
    const refused = await api.request<{ code: string; message: string }>('POST', `/api/v1/notification-channels/${flaky.id}/deliveries/${gaveUp.id}/retry`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'CHANNEL_DISABLED', message: expect.stringContaining('enable it first') });
    // Fixed: the receiver answers again, and the channel is enabled.
    hooks.failNext(0);
    await api.request('PATCH', `/api/v1/notification-channels/${flaky.id}`, { enabled: true });

    const { page, errors, close } = await consolePage(browser, { width: 1366, height: 900 });
    try {
      await page.goto(`${testEnv.apiUrl}/notifications`);
      await page.getByRole('link', { name: flaky.name }).click();
      await page.getByRole('heading', { name: `Deliveries of ${flaky.name}` }).waitFor();
      const row = page.getByRole('table', { name: 'Deliveries' }).getByRole('row').filter({ hasText: 'Gave up' });
      await row.waitFor();
      expect(await row.textContent()).toContain('the channel was disabled');
      await row.getByRole('button', { name: /^Retry/ }).click();
      await page.getByRole('status').filter({ hasText: 'is being sent again' }).waitFor();
      await page.getByRole('table', { name: 'Deliveries' }).getByRole('row').filter({ hasText: 'Delivered' }).waitFor({ timeout: 30_000 });
      await screenshot(page, 'channel-deliveries-1366');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
    expect((await history())[0]).toMatchObject({ id: gaveUp.id, status: 'delivered' });
    expect(hooks.requests.at(-1)?.status).toBe(200);
    // A delivered one is not retried again.
    const again = await api.request<{ code: string }>('POST', `/api/v1/notification-channels/${flaky.id}/deliveries/${gaveUp.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('DELIVERY_NOT_FAILED');
  });
});
