import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, waitFor } from '@walbridge/testing';
import { api, startTask, stopTask } from '../data-path/task-fixture';
import { launchBrowser, screenshot } from './browser';
import { consolePage, sidewaysOverflow } from './console-fixture';

/*
 * Issue 15 feature 2 in a real browser: a running task's throttle, retry windows and alarm limits
 * are edited on its page, with the API's limits as hints and its rules as errors next to the
 * fields; the saved values are the task's, and the worker restarts to use them.
 */
describe('the console: editing a running task\'s settings', () => {
  let browser: Browser;
  let taskId: string | undefined;
  const cloned: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (taskId) await stopTask(taskId).catch(() => undefined);
    for (const id of cloned) await api.request('DELETE', `/api/v1/tasks/${id}`).catch(() => undefined);
  }, 120_000);

  it('saves throttle, retry and the WAL alarm limit of an INCREMENTAL task, refusing what the API refuses', async () => {
    const run = await startTask<'a', 'main'>({
      tables: { a: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text)` } },
      topics: { main: 1 },
      policy: ({ tables, topics }) => ({ objectScope: 'tables', tables: [{ schema: 'shop', table: tables.a }], topicPolicy: { mode: 'specific', topic: topics.main } }),
    });
    taskId = run.task.id;
    const { page, errors, close } = await consolePage(browser, { width: 1920, height: 1080 });
    await page.goto(`${testEnv.apiUrl}/tasks/${taskId}`);
    const card = page.getByRole('region', { name: 'Throttle, retry and alarm limits' });
    await card.getByRole('button', { name: 'Edit settings' }).click();
    const form = card.getByRole('form', { name: 'Edit settings' });
    // Hints are the contracts' limits.
    await form.getByText(/^1–10,000,000\. Blank: no limit\.$/).first().waitFor();
    await form.getByLabel('Rows per second', { exact: true }).fill('5000');
    await form.getByLabel('WAL retention alarm (MB)').fill('512');
    await form.getByLabel('Other failures (minutes)').fill('2000');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form.getByRole('alert').filter({ hasText: /1-1440/ }).first().waitFor();
    expect((await api.task(taskId)).throttle).toEqual({});

    await form.getByLabel('Other failures (minutes)').fill('5');
    await screenshot(page, 'task-settings-edit-1920');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await card.getByRole('status').getByText('Saved: the worker restarts to use the new settings.').waitFor();
    const saved = await api.task(taskId);
    expect(saved.throttle).toEqual({ rowsPerSecond: 5000 });
    expect(saved.retry).toEqual({ connectionMinutes: 720, otherMinutes: 5 });
    expect(saved.alarms.walRetentionLimitMb).toBe(512);
    await waitFor('the restart with the new settings', async () => {
      const t = await api.task(taskId!);
      return t.pendingOperation === null && t.status === 'INCREMENTAL' ? t : undefined;
    }, 90_000, 500);

    // Clearing the throttle removes the limit.
    await card.getByRole('button', { name: 'Edit settings' }).click();
    await form.getByLabel('Rows per second', { exact: true }).fill('');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await card.getByRole('status').waitFor();
    await waitFor('the throttle removed', async () => (JSON.stringify((await api.task(taskId!)).throttle) === '{}' ? true : undefined), 10_000, 200);

    await page.setViewportSize({ width: 390, height: 844 });
    await card.getByRole('button', { name: 'Edit settings' }).click();
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await screenshot(page, 'task-settings-edit-390');
    expect(errors).toEqual([]);
    await close();
  });

  it('clones the task into a new one in setup, with its settings and without its secrets or slot', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1920, height: 1080 });
    await page.goto(`${testEnv.apiUrl}/tasks/${taskId}`);
    await page.getByRole('button', { name: 'Clone' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}\/setup\?step=2$/);
    const cloneId = /\/tasks\/([0-9a-f-]{36})\//.exec(page.url())![1];
    cloned.push(cloneId);
    const [original, copy] = await Promise.all([api.task(taskId!), api.task(cloneId)]);
    expect(copy).toMatchObject({ status: 'CONFIGURATION', name: `${original.name}-copy`, retry: original.retry, throttle: original.throttle });
    expect(copy.policy.tables).toEqual(original.policy.tables);
    expect(copy.source.passwordSet).toBe(false);
    expect(copy.slotName).not.toBe(original.slotName);
    // Step 2 asks for the password the copy does not have.
    await page.getByLabel('Password').first().waitFor();
    await screenshot(page, 'task-clone-setup-1920');
    expect(errors).toEqual([]);
    await close();
  });
});
