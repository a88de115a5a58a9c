import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrecheckRunView, TaskView } from '@walbridge/contracts';
import { createTopic, testEnv, uniqueName, waitFor } from '@walbridge/testing';
import { launchBrowser, screenshot } from './browser';
import { api, cleanUpTask, configuredTask, consolePage, dropTable, sidewaysOverflow, tableAndTopic, taskName } from './console-fixture';

/*
 * The wizard's bugs of issue 15, each in its own browser context against the real stack: what a
 * field says when it is wrong, the connection tests, continuing a task from another browser,
 * the precheck step, the summary, the steps in the address bar and keyboard focus.
 */

const stepTitle = (page: Page, n: number, title: string) => page.getByRole('heading', { name: `Step ${n} of 5: ${title}`, level: 2 });
const next = (page: Page) => page.getByRole('button', { name: 'Next', exact: true });
const activeElement = (page: Page) => page.evaluate<string>(`(() => { const a = document.activeElement; return a ? a.tagName + '|' + (a.id || '') + '|' + (a.textContent || '').trim().slice(0, 60) : ''; })()`);

describe('the console: the wizard', () => {
  let browser: Browser;
  const created: string[] = [];
  const tables: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const id of created) await cleanUpTask(id);
    for (const t of tables) await dropTable(t);
  }, 180_000);

  it('bugs 1, 5, 7, 13, 15: field words, broker errors, a dead broker warned about, the ✕ beside its text, steps in the address', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1920, height: 1000 });
    await page.goto(`${testEnv.apiUrl}/tasks/new`);
    await stepTitle(page, 1, 'Create task').waitFor();
    await page.waitForURL(/\/tasks\/new\?step=1$/);
    // Bug 5: the field's label, not the schema's key.
    await next(page).click();
    await page.getByText('Task name is required').waitFor();
    await page.getByLabel('Task name').fill(taskName('wiz'));
    await next(page).click();
    await stepTitle(page, 2, 'Source and destination').waitFor();
    await page.waitForURL(/\?step=2$/);

    // Bug 15: Back and Forward move between steps; the stepper goes back, and forward as Next.
    await page.goBack();
    await stepTitle(page, 1, 'Create task').waitFor();
    await expect(page.getByLabel('Task name').inputValue()).resolves.toMatch(/^wiz-/);
    await page.goForward();
    await stepTitle(page, 2, 'Source and destination').waitFor();
    const stepper = page.getByRole('navigation', { name: 'Wizard steps' });
    await stepper.getByRole('button', { name: /Create task/ }).click();
    await stepTitle(page, 1, 'Create task').waitFor();
    await stepper.getByRole('button', { name: /Source and destination/ }).click();
    await stepTitle(page, 2, 'Source and destination').waitFor();

    const source = page.getByRole('group', { name: 'Source database' });
    await source.getByLabel('Host').fill(testEnv.pgHost);
    await source.getByLabel('Port').fill(String(testEnv.pgPort));
    await source.getByLabel('Database').fill(testEnv.sourceDatabase);
    await source.getByLabel('User name').fill(`${testEnv.sourceUser}_no_such_role_${'x'.repeat(20)}`);
    await source.getByLabel('Password').fill('wbpw-not-the-password');
    await source.getByRole('button', { name: 'Test source connection' }).click();
    await source.getByText(/Connection failed:/).waitFor();
    // Bug 7: the ✕ stays on the first line of a failure that wraps.
    await page.setViewportSize({ width: 390, height: 900 });
    const [iconTop, textTop, iconLeft, textLeft] = await page.evaluate<number[]>(`(() => {
      const p = [...document.querySelectorAll('.test-result--failed p, p.test-result--failed')].find((e) => e.textContent.includes('Connection failed'));
      const icon = p.querySelector('.result-icon').getBoundingClientRect();
      const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
      let node; while ((node = walker.nextNode()) && !node.textContent.includes('Connection failed')) {}
      const range = document.createRange(); range.selectNodeContents(node);
      const first = range.getClientRects()[0];
      return [icon.top, first.top, icon.left, first.left];
    })()`);
    expect(Math.abs(iconTop - textTop), 'the ✕ and its text start on the same line').toBeLessThan(8);
    expect(iconLeft).toBeLessThan(textLeft);
    await page.setViewportSize({ width: 1920, height: 1000 });

    const destination = page.getByRole('group', { name: 'Destination Kafka' });
    const brokers = destination.getByLabel('Brokers');
    // Bug 1: a broker the schema refuses is said next to the field.
    await brokers.fill('not a broker');
    await destination.getByRole('button', { name: 'Test destination connection' }).click();
    await destination.getByText('Brokers: each broker must be host:port').or(destination.getByText(/each broker must be host:port/)).first().waitFor();
    await expect(brokers.getAttribute('aria-invalid')).resolves.toBe('true');

    // Bug 13: one dead address among live ones passes, with a warning naming it.
    await brokers.fill(`${testEnv.kafkaBrokers.join(',')},127.0.0.1:1`);
    await destination.getByRole('button', { name: 'Test destination connection' }).click();
    await destination.getByText(/Connection succeeded: Kafka/).waitFor({ timeout: 30_000 });
    await destination.getByText(/broker 127\.0\.0\.1:1 of the list is not reachable/).waitFor();

    // Bug 1 again: after a pass, a bad port is said as such, not "the fields changed".
    await brokers.fill('127.0.0.1:99999');
    await destination.getByRole('button', { name: 'Test destination connection' }).click();
    await destination.getByText(/broker port must be 1-65535/).waitFor();
    await expect(destination.getByText('The fields changed since the last test').count()).resolves.toBe(0);
    await screenshot(page, 'wizard-step-2-1920');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await screenshot(page, 'wizard-step-2-390');
    expect(errors).toEqual([]);
    await close();
  });

  it('bugs 2 and 7: a task continued without a draft shows what it holds; per-table settings open outside the tree', async () => {
    const { table, topic } = await tableAndTopic();
    tables.push(table);
    // What the wizard creates at step 2, before step 3 chose anything.
    const fresh = await configuredTask({ policy: { objectScope: 'database', topicPolicy: { mode: 'auto', nameFormat: '$database$.$schema$.$tablename$' } } }, 'cont');
    created.push(fresh.id);
    const { page, close } = await consolePage(browser);
    await page.goto(`${testEnv.apiUrl}/tasks/${fresh.id}/setup`);
    await stepTitle(page, 3, 'Set task').waitFor();
    await expect(page.getByRole('radio', { name: /Selected tables/ }).isChecked()).resolves.toBe(true);
    await expect(page.getByRole('radio', { name: /One specific topic/ }).isChecked()).resolves.toBe(true);
    await page.getByText('0 tables selected').waitFor();
    const current = page.getByRole('navigation', { name: 'Wizard steps' }).locator('[aria-current="step"]');
    await expect(current.textContent()).resolves.toContain('Set task');
    await expect(page.locator('.stepper__item--done').count()).resolves.toBe(2);
    // Next cannot stream the whole database: nothing is chosen.
    await next(page).click();
    await page.getByText('select at least one table').waitFor();
    await expect(api.task(fresh.id)).resolves.toMatchObject({ policy: { objectScope: 'database' } });

    // A task whose step 3 was saved comes back with its tables and topic.
    const saved = await configuredTask({
      policy: { objectScope: 'tables', tables: [{ schema: 'shop', table, filter: 'amount > 10' }], topicPolicy: { mode: 'specific', topic } },
    }, 'cont');
    created.push(saved.id);
    await page.goto(`${testEnv.apiUrl}/tasks/${saved.id}/setup?step=3`);
    await stepTitle(page, 3, 'Set task').waitFor();
    await page.getByText('1 table selected').waitFor();
    await expect(page.getByLabel('Topic', { exact: true }).inputValue()).resolves.toBe(topic);
    await page.getByLabel('Search schemas and tables').fill(table);
    await page.getByRole('button', { name: `Settings of shop.${table}`, exact: true }).click();
    const settings = page.getByRole('group', { name: `Own settings of table shop.${table}` });
    await expect(settings.getByLabel('Row filter').inputValue()).resolves.toBe('amount > 10');
    const insideTree = await page.evaluate<boolean>(`!!document.querySelector('[aria-label="Own settings of table shop.${table}"]').closest('.object-tree')`);
    expect(insideTree, 'the settings are not inside the scrolling tree').toBe(false);
    await screenshot(page, 'wizard-step-3-1920');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await screenshot(page, 'wizard-step-3-390');
    await close();
  });

  it('bugs 5, 6, 10, 11: the precheck never shows an old run as current, says what Check again clears, keeps focus; step 5 states per-table settings; Submit focuses the task', async () => {
    const { table, topic, slot } = await tableAndTopic();
    tables.push(table);
    const ownTopic = uniqueName('wbtest');
    await createTopic(ownTopic);
    const task: TaskView = await configuredTask({
      policy: {
        slotName: slot,
        dmlOperations: ['INSERT', 'UPDATE'],
        objectScope: 'tables',
        tables: [{ schema: 'shop', table, topic: ownTopic, dmlOperations: ['INSERT'], filter: 'amount > 10', excludeColumns: ['note'] }],
        topicPolicy: { mode: 'specific', topic },
      },
    }, 'pre');
    created.push(task.id);
    // An earlier run, then a change: that run is outdated.
    const old: PrecheckRunView = await api.runPrecheck(task.id);
    const patched = await api.request('PATCH', `/api/v1/tasks/${task.id}`, { policy: { partitionPolicy: 'primaryKey' } });
    expect(patched.status).toBe(200);

    const { page, errors, close } = await consolePage(browser);
    // Every precheck item id ever put on screen.
    await page.addInitScript(`(() => {
      window.__seenItems = new Set();
      new MutationObserver(() => document.querySelectorAll('[id^="precheck-item-"]').forEach((e) => window.__seenItems.add(e.id.slice('precheck-item-'.length))))
        .observe(document, { childList: true, subtree: true });
    })()`);
    await page.goto(`${testEnv.apiUrl}/tasks/${task.id}/setup?step=4`);
    await stepTitle(page, 4, 'Check task').waitFor();
    await page.getByText(/alarms? to confirm/).waitFor({ timeout: 60_000 });
    const seen = await page.evaluate<string[]>('[...window.__seenItems]');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((id) => old.items.some((i) => i.id === id)), 'items of the outdated run shown').toEqual([]);

    // Bug 5: the suggestion in the console's words.
    await page.getByText(/tick DELETE and TRUNCATE under “DML operations” in step 3/).first().waitFor();
    await expect(page.getByText('policy.dmlOperations').count()).resolves.toBe(0);

    // Bug 10: confirming moves focus to the next alarm, then to Next, never to the page.
    const confirms = page.getByRole('button', { name: /^Confirm: / });
    const count = await confirms.count();
    expect(count).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < count; i++) {
      await confirms.first().focus();
      await page.keyboard.press('Enter');
      await waitFor('the page to settle', async () => ((await page.evaluate<boolean>(`document.querySelectorAll('button[data-confirm-alarm]').length === ${count - i - 1}`)) ? true : undefined), 30_000, 100);
      await waitFor('the page to settle', async () => ((await page.evaluate<boolean>(`document.activeElement && document.activeElement.tagName === 'BUTTON'`)) ? true : undefined), 30_000, 100);
      const focused = await activeElement(page);
      expect(focused, `focus after confirm ${i + 1}`).toMatch(i < count - 1 ? /^BUTTON\|\|Confirm/ : /^BUTTON\|\|Next/);
    }
    // Bug 11: Check again says what it clears.
    await page.getByText(count === 1 ? 'the alarm you confirmed must be confirmed again' : `the ${count} alarms you confirmed must be confirmed again`).waitFor();
    await screenshot(page, 'wizard-step-4-1920');
    await next(page).click();
    await stepTitle(page, 5, 'Confirm').waitFor();

    // Bug 6: the summary states the table's own settings.
    const perTable = page.getByRole('list', { name: 'Per-table settings' });
    await perTable.getByText(`operations INSERT; topic ${ownTopic}; rows where amount > 10; all columns but note`).waitFor();
    // Bug 5: the start time's label, not "at is required when mode is at".
    await page.getByRole('radio', { name: 'At a time' }).check();
    await page.getByLabel('I have read the notes above and the precheck results').check();
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByText('Start at is required').waitFor();
    await expect(page.getByText('at is required when mode is at').count()).resolves.toBe(0);
    await screenshot(page, 'wizard-step-5-1920');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'wizard-step-5-390');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('radio', { name: 'Now' }).check();
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(new RegExp(`/tasks/${task.id}$`));
    // Bug 10: focus lands on the task's title, not on <body>.
    await waitFor('the page to settle', async () => ((await page.evaluate<boolean>(`document.activeElement && document.activeElement.id === 'task-title'`)) ? true : undefined), 30_000, 100);

    // Bug 5: the log and the history name the user and the action in words.
    await page.getByText(`precheck started by ${testEnv.adminUser}`).first().waitFor();
    await page.getByText(`precheck alarm confirmed by ${testEnv.adminUser}`).first().waitFor();
    const history = page.getByRole('region', { name: 'History' });
    await history.getByText('confirmed a precheck alarm').first().waitFor();
    await expect(history.getByText('tasks.precheck.items.confirm').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await close();
  });
});
