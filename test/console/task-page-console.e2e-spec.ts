import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopic, testEnv, waitFor } from '@walbridge/testing';
import { startStreamingTask, type StreamingTask } from '../data-path/task-fixture';
import { launchBrowser, screenshot } from './browser';
import { api, cleanUpTask, consolePage, dropTable, sidewaysOverflow, sourceSql } from './console-fixture';

/*
 * The task page of a streaming task in a real browser: the charts' time axis right after a
 * start, and figures that must not stay stale once the task pauses, stops or is force stopped.
 */

const TABLE_DDL = (t: string) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, note text, amount numeric(10,2))`;
const FIFTEEN_MINUTES = 15 * 60_000;

describe('the console: the task page of a streaming task', () => {
  let browser: Browser;
  let streaming: StreamingTask;
  let forced: StreamingTask;

  beforeAll(async () => {
    browser = await launchBrowser();
    [streaming, forced] = await Promise.all([
      startStreamingTask({ ddl: TABLE_DDL }),
      startStreamingTask({ ddl: TABLE_DDL }),
    ]);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const t of [streaming, forced]) {
      await cleanUpTask(t?.task.id);
      if (t) await dropTable(t.table);
    }
  }, 240_000);

  it('bug 3: right after a start the charts span the last 15 minutes up to now', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1920, height: 1100 });
    await page.goto(`${testEnv.apiUrl}/tasks/${streaming.task.id}`);
    await sourceSql(`INSERT INTO shop.${streaming.table} SELECT g, 'x', g FROM generate_series(1, 200) g`);
    const delay = page.getByRole('figure', { name: /Delay/ });
    const range = await waitFor('the delay chart to draw its time axis', async () => {
      const from = await delay.getAttribute('data-time-from');
      const to = await delay.getAttribute('data-time-to');
      return from && to ? { from: Date.parse(from), to: Date.parse(to) } : undefined;
    }, 60_000, 500);
    const now = Date.now();
    expect(range.to - range.from).toBeGreaterThanOrEqual(FIFTEEN_MINUTES - 5_000);
    expect(range.to - range.from).toBeLessThanOrEqual(FIFTEEN_MINUTES + 60_000);
    expect(Math.abs(range.to - now)).toBeLessThan(60_000);
    await page.getByRole('figure', { name: /Throughput/ }).getByText(/latest/).waitFor({ timeout: 60_000 });
    await screenshot(page, 'task-page-1920');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await screenshot(page, 'task-page-390');
    expect(errors).toEqual([]);
    await close();
  });

  it('feature 1: the message browser shows the latest messages with partition, offset, key and headers, filters by operation, jumps to an offset', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1920, height: 1100 });
    const t = forced.table;
    await sourceSql(`INSERT INTO shop.${t} SELECT g, 'row ' || g, g FROM generate_series(1, 30) g`);
    await sourceSql(`UPDATE shop.${t} SET note = 'changed' WHERE id = 7`);
    await sourceSql(`DELETE FROM shop.${t} WHERE id = 9`);
    await readTopic(forced.topic, 32, 60_000);
    await page.goto(`${testEnv.apiUrl}/tasks/${forced.task.id}`);
    const browserRegion = page.getByRole('region', { name: 'Messages' });
    await browserRegion.getByRole('button', { name: 'Read messages' }).click();
    const list = browserRegion.getByRole('list', { name: 'Messages' });
    // Newest first: the DELETE of row 9 is the last change.
    const first = list.getByRole('listitem').first();
    await first.waitFor({ timeout: 30_000 });
    await expect(first.getAttribute('aria-label')).resolves.toBe(`${forced.topic} partition 0 offset 31`);
    await first.getByText('DELETE', { exact: true }).waitFor();
    await first.getByText('["9"]').waitFor();
    await first.getByText(/walbridge-id/).waitFor();
    await expect(list.getByRole('listitem').count()).resolves.toBe(20);
    await first.getByText('Value').click();
    await first.getByText(/"type": "DELETE"/).waitFor();
    await screenshot(page, 'message-browser-1920');

    // Only the UPDATEs.
    await browserRegion.getByLabel('Operation').selectOption('UPDATE');
    await browserRegion.getByRole('button', { name: /Read again|Read messages/ }).click();
    await browserRegion.getByText(/^1 message shown/).waitFor({ timeout: 30_000 });
    await list.getByRole('listitem').first().getByText('["7"]').waitFor();

    // From offset 5 on, in order.
    await browserRegion.getByLabel('Operation').selectOption('');
    await browserRegion.getByRole('radio', { name: 'From an offset' }).check();
    await browserRegion.getByLabel('Offset', { exact: true }).fill('5');
    await browserRegion.getByLabel('How many').selectOption('10');
    await browserRegion.getByRole('button', { name: /Read again|Read messages/ }).click();
    await browserRegion.getByText(/^10 messages shown/).waitFor({ timeout: 30_000 });
    await expect(list.getByRole('listitem').first().getAttribute('aria-label')).resolves.toBe(`${forced.topic} partition 0 offset 5`);
    await expect(list.getByRole('listitem').last().getAttribute('aria-label')).resolves.toBe(`${forced.topic} partition 0 offset 14`);
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await screenshot(page, 'message-browser-390');
    // A viewer may read them through the API too; bad input is a 400 naming the field.
    const bad = await api.request<{ details: { field: string }[] }>('GET', `/api/v1/tasks/${forced.task.id}/messages?limit=500`);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('limit');
    expect(errors).toEqual([]);
    await close();
  });

  it('bug 8: a paused slot’s retained WAL moves, with when it was measured', async () => {
    const { page, close } = await consolePage(browser);
    await page.goto(`${testEnv.apiUrl}/tasks/${streaming.task.id}`);
    expect((await api.operate(streaming.task.id, 'pause')).status).toBe(202);
    await page.getByRole('heading', { level: 1 }).getByText('Paused').waitFor({ timeout: 90_000 });
    const slotFact = page.getByRole('region', { name: 'Status' }).getByRole('term').filter({ hasText: 'Replication slot' }).locator('xpath=following-sibling::dd[1]');
    const first = await waitFor('the retained WAL of the paused slot', async () => {
      const text = (await slotFact.textContent()) ?? '';
      return /keeps .+ of WAL \(measured/.test(text) ? text : undefined;
    }, 60_000, 500);
    // WAL written on the source while paused: the slot keeps it, and the page says so.
    await sourceSql(`INSERT INTO shop.${streaming.table} SELECT g, repeat('w', 2000), g FROM generate_series(1000, 5000) g`);
    await waitFor('the retained WAL shown to grow', async () => {
      const text = (await slotFact.textContent()) ?? '';
      return text.replace(/\(measured.*$/, '') !== first.replace(/\(measured.*$/, '') ? text : undefined;
    }, 60_000, 500);
    await close();
  });

  it('bug 8: a stopped task shows no current rows/s and says its slot was dropped; bug 6: the configuration names per-table settings', async () => {
    const { page, close } = await consolePage(browser);
    expect((await api.operate(streaming.task.id, 'resume')).status).toBe(202);
    await api.waitForStatus(streaming.task.id, 'INCREMENTAL', 90_000);
    const patched = await api.request('PATCH', `/api/v1/tasks/${streaming.task.id}`, {
      policy: { tables: [{ schema: 'shop', table: streaming.table, dmlOperations: ['INSERT', 'UPDATE'], filter: 'amount > 100' }] },
    });
    expect([200, 202]).toContain(patched.status);
    await page.goto(`${testEnv.apiUrl}/tasks/${streaming.task.id}`);
    await page.getByRole('list', { name: 'Per-table settings' }).getByText('operations INSERT, UPDATE; rows where amount > 100').waitFor();
    await api.waitForStatus(streaming.task.id, 'INCREMENTAL', 90_000);
    await waitFor('the edit to be applied', async () => ((await api.task(streaming.task.id)).pendingOperation === null ? true : undefined), 90_000);
    await page.getByRole('figure', { name: /Throughput/ }).getByText(/latest/).waitFor({ timeout: 60_000 });
    expect((await api.operate(streaming.task.id, 'stop')).status).toBe(202);
    await page.getByRole('heading', { level: 1 }).getByText('Completed').waitFor({ timeout: 90_000 });
    const throughput = page.getByRole('figure', { name: /Throughput/ });
    await throughput.getByText('0 rows/s now: the task is not streaming').waitFor();
    await expect(throughput.getByText(/latest/).count()).resolves.toBe(0);
    const slotFact = page.getByRole('region', { name: 'Status' }).getByRole('term').filter({ hasText: 'Replication slot' }).locator('xpath=following-sibling::dd[1]');
    await slotFact.getByText(/dropped: no longer on the source/).waitFor({ timeout: 30_000 });
    await close();
  });

  it('bug 8: a force-stopped task has its own badge, not a clean “Completed”', async () => {
    const { page, close } = await consolePage(browser);
    await page.goto(`${testEnv.apiUrl}/tasks/${forced.task.id}`);
    const actions = page.getByRole('group', { name: `Actions on ${forced.task.name}` });
    await actions.getByRole('button', { name: 'Force stop' }).click();
    await page.getByRole('dialog', { name: `Force stop ${forced.task.name}?` }).getByRole('button', { name: 'Force stop' }).click();
    const title = page.getByRole('heading', { level: 1 });
    await title.getByText('Completed, force stopped').waitFor({ timeout: 90_000 });
    await screenshot(page, 'task-page-force-stopped');
    await close();
  });

  it('feature 11: deleting a task that ran asks for its name first', async () => {
    const { page, errors, close } = await consolePage(browser);
    expect((await api.task(streaming.task.id)).status).toBe('COMPLETED'); // stopped by the bug 8 test above
    await page.goto(`${testEnv.apiUrl}/tasks/${streaming.task.id}`);
    await page.getByRole('group', { name: `Actions on ${streaming.task.name}` }).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${streaming.task.name}?` });
    const confirm = dialog.getByRole('button', { name: 'Delete' });
    const typed = dialog.getByRole('textbox', { name: `Type ${streaming.task.name} to confirm` });
    await typed.waitFor();
    expect(await confirm.isDisabled()).toBe(true);
    await typed.fill(`${streaming.task.name.slice(0, -1)}`);
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await api.task(streaming.task.id)).status).toBe('COMPLETED');
    // Opened again, the dialog starts empty: a name typed earlier does not carry over.
    await page.getByRole('group', { name: `Actions on ${streaming.task.name}` }).getByRole('button', { name: 'Delete' }).click();
    await typed.waitFor();
    expect(await typed.inputValue()).toBe('');
    await typed.fill(streaming.task.name);
    await confirm.click();
    await page.waitForURL(/\/tasks$/, { timeout: 30_000 });
    await waitFor('the task to be deleted', async () => {
      const res = await api.request('GET', `/api/v1/tasks/${streaming.task.id}`);
      return res.status === 404 || (res.body as { status?: string }).status === 'DELETED' ? true : undefined;
    }, 30_000, 500);
    expect(errors).toEqual([]);
    await close();
  });
});
