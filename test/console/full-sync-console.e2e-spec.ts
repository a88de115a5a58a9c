import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskSnapshotView } from '@walbridge/contracts';
import { testEnv, waitFor } from '@walbridge/testing';
import { api, startTask, stopTask } from '../data-path/task-fixture';
import { launchBrowser, screenshot } from './browser';
import { consolePage, sidewaysOverflow } from './console-fixture';

/*
 * Issue 13's "done when", in a real browser: a full + incremental task shows its status, a
 * progress bar for the whole synchronization and one per table, moving while rows are read, and
 * reaching 100 % before the task runs incrementally.
 */

const ROWS = 12_000;

describe('the console: full synchronization progress on the task page', () => {
  let browser: Browser;
  const started: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const id of started) await stopTask(id).catch(() => undefined);
  }, 120_000);

  it('shows Full synchronization with per-table bars that reach 100 %, then Running', async () => {
    const ctx = await startTask({
      tables: {
        big: { ddl: (q) => `CREATE TABLE ${q} (id bigint PRIMARY KEY, note text); INSERT INTO ${q} SELECT g, md5(g::text) FROM generate_series(1, ${ROWS}) g; ANALYZE ${q}` },
        small: { ddl: (q) => `CREATE TABLE ${q} (id bigint PRIMARY KEY, note text); INSERT INTO ${q} SELECT g, 'x' FROM generate_series(1, 50) g; ANALYZE ${q}` },
      },
      topics: { out: 1 },
      policy: ({ tables, topics }) => ({
        objectScope: 'tables',
        tables: [
          { schema: 'shop', table: tables.big },
          { schema: 'shop', table: tables.small },
        ],
        topicPolicy: { mode: 'specific', topic: topics.out },
        syncMode: 'full+incremental',
      }),
      // About ten seconds of reading: long enough to watch the bars move.
      input: { throttle: { snapshotRowsPerSecond: 1_200 } },
      waitFor: 'FULL_SYNC',
    });
    started.push(ctx.task.id);
    const { page, errors, close } = await consolePage(browser, { width: 1280, height: 1000 });
    await page.goto(`${testEnv.apiUrl}/tasks/${ctx.task.id}`);
    await page.getByRole('heading', { level: 1 }).getByText('Full synchronization').waitFor();
    // Exact: the page's own region is named after the title, whose status badge may say "Full synchronization" too.
    const panel = page.getByRole('region', { name: 'Full synchronization', exact: true });
    const overall = panel.getByRole('progressbar', { name: /^Full synchronization \d+%$/ });
    const bigBar = panel.getByRole('progressbar', { name: new RegExp(`^shop\\.${ctx.tables.big} \\d+%$`) });
    await bigBar.waitFor();
    await panel.getByRole('progressbar', { name: new RegExp(`^shop\\.${ctx.tables.small} \\d+%$`) }).waitFor();

    // While reading: somewhere strictly between 0 and 100, with a rate and an ETA.
    const midway = await waitFor('the big table to be part read', async () => {
      const value = Number(await bigBar.getAttribute('value'));
      return value > 0 && value < 100 ? value : undefined;
    }, 60_000, 250);
    expect(midway).toBeLessThan(100);
    // Until every existing row is delivered the task is not "Running" incrementally yet.
    expect((await api.task(ctx.task.id)).status).toBe('FULL_SYNC');
    await page.getByRole('heading', { level: 1 }).getByText('Full synchronization').waitFor();
    await panel.getByText(/rows\/s · .* left/).waitFor({ timeout: 30_000 });
    await screenshot(page, 'task-full-sync-1280');

    await waitFor('every bar at 100 %', async () => ((await overall.getAttribute('value')) === '100' ? true : undefined), 120_000, 500);
    expect(await bigBar.getAttribute('value')).toBe('100');
    await panel.getByText('Finished', { exact: true }).waitFor();
    await page.getByRole('heading', { level: 1 }).getByText('Running').waitFor({ timeout: 60_000 });
    const snapshot = (await api.request<TaskSnapshotView>('GET', `/api/v1/tasks/${ctx.task.id}/snapshot`)).body;
    expect(snapshot.tables.find((t) => t.table === ctx.tables.big)).toMatchObject({ state: 'done', rowsSent: ROWS });
    await panel.getByText(`${(ROWS + 50).toLocaleString('en-US')} rows sent`).waitFor();
    await panel.getByRole('row', { name: new RegExp(`shop\\.${ctx.tables.big}`) }).getByRole('cell', { name: new RegExp(`^${ROWS.toLocaleString('en-US')}( of|$)`) }).waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await screenshot(page, 'task-full-sync-390');
    expect(errors).toEqual([]);
    await close();
  });
});
