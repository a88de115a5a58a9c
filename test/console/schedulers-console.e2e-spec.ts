import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerListView, TaskView } from '@walbridge/contracts';
import { testEnv, waitFor } from '@walbridge/testing';
import { startStreamingTask, type StreamingTask } from '../data-path/task-fixture';
import { launchBrowser, screenshot } from './browser';
import { api, cleanUpTask, consolePage, dropTable, sidewaysOverflow } from './console-fixture';

/*
 * Issue 19 item 4: the Schedulers page shows the fleet (here the runner's one scheduler) with its
 * load and heartbeat, and offers admins a drain behind a confirmation; a streaming task's page
 * and its row in the list name the scheduler running it, linked to that page. The drain itself is proven
 * through the api on schedulers of its own (test/lifecycle/fleet-view.e2e-spec.ts): this test
 * cancels, since the runner's scheduler serves every other test.
 */
describe('the console: the Schedulers page', () => {
  let browser: Browser;
  let fleet: SchedulerListView;
  let streaming: StreamingTask | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
    fleet = (await api.request<SchedulerListView>('GET', '/api/v1/schedulers')).body;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cleanUpTask(streaming?.task.id);
    if (streaming) await dropTable(streaming.table);
  }, 120_000);

  it('lists each scheduler with host, load of capacity and state; Drain asks first and Cancel changes nothing', async () => {
    expect(fleet.items.length).toBeGreaterThanOrEqual(1);
    const scheduler = fleet.items[0];
    const { page, errors, close } = await consolePage(browser);
    try {
      await page.getByRole('link', { name: 'Schedulers' }).click();
      await page.getByRole('heading', { name: 'Schedulers' }).waitFor();
      const row = page.getByRole('row').filter({ hasText: scheduler.id });
      await expect.poll(() => row.textContent()).toContain(`of ${scheduler.capacity}`);
      expect(await row.textContent()).toContain('Taking tasks');
      expect(await row.textContent()).toContain(`pid ${scheduler.pid}`);
      await page.getByRole('button', { name: `Drain ${scheduler.id}` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(`Drain scheduler ${scheduler.id}?`);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const after = (await api.request<SchedulerListView>('GET', '/api/v1/schedulers')).body;
      expect(after.items.find((s) => s.id === scheduler.id)?.draining).toBe(false);
      await screenshot(page, 'schedulers-1280');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('a streaming task names its scheduler on its page and in the list, linked to the Schedulers page', async () => {
    streaming = await startStreamingTask({ ddl: (t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, note text)` });
    const { task } = streaming;
    // The scheduler lists the task in its next heartbeat (every 2 s).
    const view = await waitFor('the task view to name its scheduler', async () => {
      const t = (await api.request<TaskView>('GET', `/api/v1/tasks/${task.id}`)).body;
      return t.scheduler ? t : undefined;
    }, 30_000, 250);
    const scheduler = view.scheduler!;
    const { page, errors, close } = await consolePage(browser);
    try {
      await page.goto(`${testEnv.apiUrl}/tasks/${task.id}`);
      const fact = page.locator('.facts__item').filter({ has: page.getByText('Scheduler', { exact: true }) });
      const link = fact.getByRole('link', { name: scheduler.id });
      await link.waitFor({ timeout: 30_000 });
      expect(await fact.textContent()).toContain(`on ${scheduler.host}`);
      expect(await link.getAttribute('href')).toBe('/schedulers');

      await page.goto(`${testEnv.apiUrl}/tasks?q=${encodeURIComponent(task.name)}`);
      const row = page.getByRole('row').filter({ hasText: task.name });
      await row.getByRole('link', { name: scheduler.id }).waitFor({ timeout: 30_000 });
      await row.getByRole('link', { name: scheduler.id }).click();
      await page.getByRole('heading', { name: 'Schedulers' }).waitFor();
      // The Schedulers page lists the task under that scheduler.
      const schedulerRow = page.getByRole('row').filter({ hasText: scheduler.id });
      await schedulerRow.locator(`a[href="/tasks/${task.id}"]`).waitFor({ timeout: 30_000 });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('fits a phone screen', async () => {
    const { page, close } = await consolePage(browser, { width: 390, height: 844 });
    try {
      await page.goto(new URL('/schedulers', page.url()).toString());
      await page.getByRole('heading', { name: 'Schedulers' }).waitFor();
      await page.getByText('Taking tasks').first().waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      await screenshot(page, 'schedulers-390');
    } finally {
      await close();
    }
  });
});
