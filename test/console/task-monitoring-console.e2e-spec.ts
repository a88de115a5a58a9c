import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskMetricsView } from '@walbridge/contracts';
import { readTopic, testEnv, waitFor } from '@walbridge/testing';
import { startTask, type RunningTask } from '../data-path/task-fixture';
import { launchBrowser, screenshot } from './browser';
import { api, cleanUpTask, consolePage, sidewaysOverflow, sourceSql } from './console-fixture';

/*
 * Issue 15 feature 4, monitoring depth: per-table and per-operation counts equal what was written
 * on the source; the range of GET /metrics is validated by field; in the browser the range picker
 * changes the charts' time axis, the per-table table lists the tables, and the catch-up line
 * follows a throttled backlog until "caught up".
 */

const DDL = (q: string) => `CREATE TABLE ${q} (id bigint PRIMARY KEY, note text)`;
const HOUR = 3600_000;
const THROTTLE = 300;
const BACKLOG = 3000;

describe('the console: monitoring depth on the task page', () => {
  let browser: Browser;
  let run: RunningTask<'orders' | 'items', 'main'>;

  beforeAll(async () => {
    [browser, run] = await Promise.all([
      launchBrowser(),
      startTask<'orders' | 'items', 'main'>({
        tables: { orders: { ddl: DDL }, items: { ddl: DDL } },
        topics: { main: 1 },
        input: { throttle: { rowsPerSecond: THROTTLE }, alarms: { walRetentionLimitMb: 2048 } },
        policy: ({ tables, topics }) => ({
          objectScope: 'tables',
          tables: [
            { schema: 'shop', table: tables.orders },
            { schema: 'shop', table: tables.items },
          ],
          topicPolicy: { mode: 'specific', topic: topics.main },
        }),
      }),
    ]);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await cleanUpTask(run?.task.id);
    for (const q of Object.values(run?.qualified ?? {})) await sourceSql(`DROP TABLE IF EXISTS ${q}`).catch(() => undefined);
  }, 240_000);

  const metrics = (query = '') => api.request<TaskMetricsView>('GET', `/api/v1/tasks/${run.task.id}/metrics${query}`);

  it('counts per table and per operation what was written on the source', async () => {
    const { orders, items } = run.qualified;
    await sourceSql(`INSERT INTO ${orders} SELECT g, 'o' FROM generate_series(1, 40) g`);
    await sourceSql(`UPDATE ${orders} SET note = 'changed' WHERE id <= 5`);
    await sourceSql(`DELETE FROM ${orders} WHERE id > 37`);
    await sourceSql(`INSERT INTO ${items} SELECT g, 'i' FROM generate_series(1, 12) g`);
    await sourceSql(`TRUNCATE ${items}`);
    // 40 + 5 + 3 + 12 row messages, and the TRUNCATE's one (a single partition).
    await readTopic(run.topics.main, 61, 60_000);
    const view = await waitFor('the per-table counters of the stored samples', async () => {
      const res = await metrics();
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const byTable = new Map(res.body.tables.map((t) => [t.table, t]));
      const o = byTable.get(`shop.${run.tables.orders}`);
      const i = byTable.get(`shop.${run.tables.items}`);
      return o?.rows === 48 && i?.truncates === 1 ? res.body : undefined;
    }, 60_000, 500);
    const byTable = new Map(view.tables.map((t) => [t.table, t]));
    expect(byTable.get(`shop.${run.tables.orders}`)).toMatchObject({ inserts: 40, updates: 5, deletes: 3, truncates: 0, rows: 48 });
    expect(byTable.get(`shop.${run.tables.items}`)).toMatchObject({ inserts: 12, updates: 0, deletes: 0, truncates: 1, rows: 12 });
    for (const t of view.tables) expect(Math.abs(Date.parse(t.lastChangeAt!) - Date.now())).toBeLessThan(5 * 60_000);
    const last = view.samples.at(-1)!;
    expect(last).toMatchObject({ inserts: 52, updates: 5, deletes: 3 });
    expect(view.catchUp).toEqual({ state: 'caught-up' });
  });

  it('validates the range by field', async () => {
    const cases: [string, string, RegExp][] = [
      ['?maxPoints=5', 'maxPoints', /10-5000/],
      ['?from=yesterday', 'from', /ISO 8601/],
      [`?from=${Date.now()}&to=${Date.now() - HOUR}`, 'from', /before to/],
      [`?from=${Date.now() - 8 * 24 * HOUR}&to=${Date.now()}`, 'from', /7 days/],
    ];
    for (const [query, field, message] of cases) {
      const res = await api.request<{ details: { field: string; message: string }[] }>('GET', `/api/v1/tasks/${run.task.id}/metrics${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.details[0], query).toMatchObject({ field, message: expect.stringMatching(message) });
    }
    // 48 hours in at most 300 points: buckets of 10 minutes or more.
    const long = await metrics(`?from=${Date.now() - 48 * HOUR}&to=${Date.now()}&maxPoints=300`);
    expect(long.status).toBe(200);
    expect(long.body.stepSeconds).toBeGreaterThanOrEqual((48 * 3600) / 300);
  });

  it('the range picker sets the axis span (kept in the URL); the per-table table and the catch-up line follow a backlog', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1920, height: 1100 });
    await page.goto(`${testEnv.apiUrl}/tasks/${run.task.id}`);
    const monitoring = page.getByRole('region', { name: 'Monitoring' });
    const delay = monitoring.getByRole('figure', { name: /Delay/ });
    const span = () =>
      waitFor('the delay chart’s time axis', async () => {
        const from = await delay.getAttribute('data-time-from');
        const to = await delay.getAttribute('data-time-to');
        return from && to ? Date.parse(to) - Date.parse(from) : undefined;
      }, 30_000, 250);
    const spanNear = async (ms: number) =>
      waitFor(`an axis of ${ms / 60_000} min`, async () => {
        const s = await span();
        // A bucketed point is stamped at its bucket's end, which may lie a bucket past now.
        return Math.abs(s - ms) < Math.max(60_000, ms * 0.02) ? s : undefined;
      }, 30_000, 250);
    await spanNear(15 * 60_000);
    await monitoring.getByRole('radio', { name: '6 h' }).check();
    await page.waitForURL(/[?&]range=6h/);
    await spanNear(6 * HOUR);
    await monitoring.getByText('Last 6 hours').waitFor();
    // Kept in the URL: a reload shows the same range.
    await page.reload();
    expect(await monitoring.getByRole('radio', { name: '6 h' }).isChecked()).toBe(true);
    await spanNear(6 * HOUR);
    await monitoring.getByRole('radio', { name: '1 h' }).check();
    await spanNear(HOUR);

    const perTable = monitoring.getByRole('region', { name: 'Changes per table' });
    const ordersRow = perTable.getByRole('row', { name: new RegExp(`shop\\.${run.tables.orders}`) });
    await ordersRow.getByRole('cell', { name: '48', exact: true }).first().waitFor({ timeout: 30_000 });
    await perTable.getByRole('row', { name: new RegExp(`shop\\.${run.tables.items}`) }).waitFor();
    // The WAL the slot keeps, against the task's alarm limit (2 GB).
    await monitoring.getByRole('figure', { name: /Retained WAL/ }).getByText(/alarm limit 2 GB/).waitFor();
    const totals = monitoring.getByRole('region', { name: 'Totals since the task was created' });
    await totals.getByRole('definition').filter({ hasText: /^52$/ }).waitFor();

    // A backlog at the throttle: the catch-up line leaves "caught up", then comes back to it.
    const catchUp = monitoring.getByRole('status', { name: 'Catch-up' });
    await catchUp.getByText('caught up').waitFor({ timeout: 30_000 });
    await sourceSql(`INSERT INTO ${run.qualified.orders} SELECT g, repeat('b', 200) FROM generate_series(1000, ${999 + BACKLOG}) g`);
    const behind = await waitFor('the catch-up line to see the backlog', async () => {
      const text = (await catchUp.textContent().catch(() => null)) ?? '';
      return /falling behind|catching up: ~\d|delay steady/.test(text) ? text : undefined;
    }, 40_000, 250);
    expect(behind).toMatch(/Catch-up:/);
    await screenshot(page, 'task-monitoring-1920');
    await catchUp.getByText('caught up').waitFor({ timeout: 60_000 });
    // Next to the delay in the Status card too.
    const delayFact = page.getByRole('region', { name: 'Status' }).getByRole('term').filter({ hasText: 'Delay' }).locator('xpath=following-sibling::dd[1]');
    await delayFact.getByText(/caught up/).waitFor({ timeout: 15_000 });
    // 3,048 rows (in the browser's number format).
    await ordersRow.getByRole('cell', { name: /^3\D?048$/ }).first().waitFor({ timeout: 30_000 });
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await monitoring.scrollIntoViewIfNeeded();
    await screenshot(page, 'task-monitoring-390');
    expect(errors).toEqual([]);
    await close();
  });
});
