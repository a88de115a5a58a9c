import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@walbridge/contracts';
import { waitFor } from '@walbridge/testing';
import { launchBrowser, screenshot } from './browser';
import { api, cleanUpTask, configuredTask, consolePage, sidewaysOverflow, tableAndTopic } from './console-fixture';

/*
 * Issue 15 feature 10: the audit log filters by action, result and date, names tasks with a link
 * to them, and exports what the filters show as CSV.
 */
describe('the console: the audit log', () => {
  let browser: Browser;
  let task: TaskView;

  beforeAll(async () => {
    browser = await launchBrowser();
    const { topic } = await tableAndTopic('audit');
    task = await configuredTask({ policy: { tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic } } }, 'audit');
    // Never started: the first force stop cancels it, the second is refused (a failure in the trail).
    expect((await api.request('POST', `/api/v1/tasks/${task.id}/force-stop`)).status).toBe(202);
    await waitFor('the task to be cancelled', async () => ((await api.task(task.id)).status === 'CANCELLED' ? true : undefined));
    expect((await api.request('POST', `/api/v1/tasks/${task.id}/force-stop`)).status).toBe(409);
  }, 90_000);

  afterAll(async () => {
    await cleanUpTask(task?.id);
    await browser?.close();
  });

  it('narrows by task, result, action and days, links the task by name, and exports the same entries as CSV', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1366, height: 900 });
    try {
      await page.getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
      await page.getByLabel('Task id').fill(task.id);
      const rows = page.getByRole('table', { name: 'Audit log entries' }).getByRole('row').filter({ hasNot: page.getByRole('columnheader') });
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(3);

      await page.getByLabel('Result').selectOption({ label: 'Failed' });
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().textContent()).toMatch(/force stopped the task.*Failed.*409/);

      await page.getByLabel('Result').selectOption({ label: 'Any result' });
      await page.getByLabel('Action').selectOption({ label: 'Created the task' });
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain('created the task');

      // Today only: the entries are there; a range that ended yesterday has none.
      const today = await page.evaluate(() => new Date().toLocaleDateString('sv'));
      const yesterday = await page.evaluate(() => new Date(Date.now() - 86_400_000).toLocaleDateString('sv'));
      await page.getByLabel('From').fill(today);
      await page.getByLabel('To').fill(today);
      await expect.poll(() => rows.count()).toBe(1);
      await page.getByLabel('From').fill(yesterday);
      await page.getByLabel('To').fill(yesterday);
      await page.getByText('Nothing recorded for these filters.').waitFor();
      await page.getByLabel('From').fill('');
      await page.getByLabel('To').fill('');
      await page.getByLabel('Action').selectOption({ label: 'Any change to a task' });
      await expect.poll(() => rows.count()).toBe(3);
      await screenshot(page, 'audit-log-1366');

      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Export CSV' }).click();
      const file = await (await download).path();
      const csv: Record<string, string>[] = parse(await readFile(file!, 'utf8'), { columns: true });
      expect(csv.map((r) => [r.action, r.result, r['task name']])).toEqual([
        ['tasks.force-stop', 'failure', task.name],
        ['tasks.force-stop', 'success', task.name],
        ['tasks.create', 'success', task.name],
      ]);

      await rows.first().getByRole('link', { name: task.name }).click();
      await page.waitForURL(new RegExp(`/tasks/${task.id}$`));
      await page.getByRole('heading', { name: task.name }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('fits a phone screen with its filters', async () => {
    const { page, close } = await consolePage(browser, { width: 390, height: 844 });
    try {
      await page.goto(new URL(`/audit?taskId=${task.id}`, page.url()).toString());
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
      await page.getByRole('table', { name: 'Audit log entries' }).waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      await screenshot(page, 'audit-log-390');
    } finally {
      await close();
    }
  });
});
