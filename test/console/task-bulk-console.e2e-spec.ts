import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@walbridge/contracts';
import { testEnv, uniqueName } from '@walbridge/testing';
import { startStreamingTask, type StreamingTask } from '../data-path/task-fixture';
import { launchBrowser, screenshot } from './browser';
import { api, cleanUpTask, configuredTask, consolePage, dropTable, tableAndTopic } from './console-fixture';

/*
 * Bulk actions on the task list in a real browser against the real stack: a streaming task and
 * two in configuration, found by one tag; every action goes through each task's own operation,
 * so the API accepts some and refuses the others with its reason.
 */

describe('the console: bulk actions on the task list', () => {
  let browser: Browser;
  let streaming: StreamingTask;
  let first: TaskView;
  let second: TaskView;
  const tag = `bulk-${uniqueName('g').slice(2).replace(/_/g, '-')}`;
  const setup = { table: '', topic: '', slot: '' };

  beforeAll(async () => {
    browser = await launchBrowser();
    Object.assign(setup, await tableAndTopic());
    const policy = { objectScope: 'tables' as const, tables: [{ schema: 'shop', table: setup.table }], topicPolicy: { mode: 'specific' as const, topic: setup.topic } };
    [streaming, first, second] = await Promise.all([
      startStreamingTask({ ddl: (t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, note text)` }),
      configuredTask({ policy, tags: [{ key: 'suite', value: tag }] }, 'bulk'),
      configuredTask({ policy, tags: [{ key: 'suite', value: tag }] }, 'bulk'),
    ]);
    // Tags may change while a task streams (PRODUCT.md §4): the search then finds all three.
    expect([200, 202]).toContain((await api.request('PATCH', `/api/v1/tasks/${streaming.task.id}`, { tags: [{ key: 'suite', value: tag }] })).status);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const id of [streaming?.task.id, first?.id, second?.id]) await cleanUpTask(id);
    if (streaming) await dropTable(streaming.table);
    await dropTable(setup.table);
  }, 240_000);

  const list = async (page: Page) => {
    await page.goto(`${testEnv.apiUrl}/tasks?q=${encodeURIComponent(tag)}`);
    for (const name of [streaming.task.name, first.name, second.name]) await page.getByRole('link', { name }).first().waitFor();
  };
  const bar = (page: Page) => page.getByRole('toolbar', { name: 'Bulk actions' });

  it('feature 6: pauses the selected tasks that may pause and names the ones refused, with the reason', async () => {
    const { page, errors, close } = await consolePage(browser);
    await list(page);
    await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
    await bar(page).getByText('3 tasks selected').waitFor();
    await bar(page).getByRole('button', { name: 'Pause' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pause 3 tasks?' });
    for (const name of [streaming.task.name, first.name, second.name]) await dialog.getByText(name, { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Pause 3 tasks' }).click();

    const outcome = page.getByRole('status').filter({ hasText: '1 paused, 2 refused:' });
    await outcome.waitFor();
    for (const name of [first.name, second.name]) await outcome.getByText(`${name}: cannot pause a task in status CONFIGURATION`, { exact: false }).waitFor();
    await expect(outcome.getByText(streaming.task.name).count()).resolves.toBe(0);
    await screenshot(page, 'task-list-bulk-refused');
    // The refused stay selected, to act on them otherwise; the paused one leaves the selection.
    await bar(page).getByText('2 tasks selected').waitFor();
    await api.waitForStatus(streaming.task.id, 'PAUSED', 90_000);

    // Resume goes through the same way, for the task in the list that is paused.
    await page.getByRole('checkbox', { name: `Select ${streaming.task.name}`, exact: true }).check();
    await page.getByRole('checkbox', { name: `Select ${first.name}`, exact: true }).uncheck();
    await page.getByRole('checkbox', { name: `Select ${second.name}`, exact: true }).uncheck();
    await bar(page).getByText('1 task selected').waitFor();
    await bar(page).getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('dialog', { name: 'Resume 1 task?' }).getByRole('button', { name: 'Resume 1 task' }).click();
    await page.getByRole('status').filter({ hasText: /^1 resumed\./ }).waitFor();
    await expect(bar(page).count()).resolves.toBe(0);
    await api.waitForStatus(streaming.task.id, 'INCREMENTAL', 90_000);
    expect(errors).toEqual([]);
    await close();
  });

  it('feature 6: tags the selected tasks, refusing an empty key next to its field', async () => {
    const { page, errors, close } = await consolePage(browser);
    await list(page);
    await page.getByRole('checkbox', { name: `Select ${first.name}`, exact: true }).check();
    await page.getByRole('checkbox', { name: `Select ${second.name}`, exact: true }).check();
    await bar(page).getByRole('button', { name: 'Tag' }).click();
    const dialog = page.getByRole('dialog', { name: 'Tag 2 tasks?' });
    await dialog.getByRole('button', { name: 'Tag 2 tasks' }).click();
    await dialog.getByText('tag key is required').waitFor();
    await expect(dialog.getByLabel('Tag key').getAttribute('aria-invalid')).resolves.toBe('true');
    await dialog.getByLabel('Tag key').fill('owner');
    await dialog.getByLabel('Tag value').fill('payments');
    await dialog.getByRole('button', { name: 'Tag 2 tasks' }).click();
    await page.getByRole('status').filter({ hasText: /^2 tagged\./ }).waitFor();
    for (const t of [first, second]) {
      await page.getByRole('list', { name: `Tags of ${t.name}` }).getByText('owner: payments').waitFor();
      const saved = await api.task(t.id);
      expect(saved.tags).toEqual([{ key: 'suite', value: tag }, { key: 'owner', value: 'payments' }]);
    }
    expect((await api.task(streaming.task.id)).tags).toEqual([{ key: 'suite', value: tag }]);
    expect(errors).toEqual([]);
    await close();
  });

  it('feature 6: deletes the selected tasks after the count is typed; a streaming task is refused and keeps running', async () => {
    const { page, errors, close } = await consolePage(browser);
    await list(page);
    await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
    await bar(page).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete 3 tasks?' });
    const confirm = dialog.getByRole('button', { name: 'Delete 3 tasks' });
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await dialog.getByLabel(/to confirm/).fill('delete 3 tasks');
    await confirm.click();
    const outcome = page.getByRole('status').filter({ hasText: '2 deleted, 1 refused:' });
    await outcome.waitFor();
    await outcome.getByText(new RegExp(`^${streaming.task.name}: cannot delete a task in status INCREMENTAL`)).waitFor();
    for (const t of [first, second]) await page.getByRole('link', { name: t.name, exact: true }).waitFor({ state: 'detached' });
    await expect(api.request('GET', `/api/v1/tasks/${first.id}`)).resolves.toMatchObject({ status: 404 });
    expect((await api.task(streaming.task.id)).status).toBe('INCREMENTAL');
    expect(errors).toEqual([]);
    await close();
  });
});
