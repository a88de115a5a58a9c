import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationChannelView, NotificationPage } from '@walbridge/contracts';
import { testEnv, uniqueName, waitFor } from '@walbridge/testing';
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
  const channels: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    // A real event: a change above the broker's message limit makes the task abnormal (critical).
    task = await createTask(fx, { start: true, input: (base) => ({ ...base, retry: { connectionMinutes: 10, otherMinutes: 1 } }) });
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
});
