import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, createTopic, readTopic, sourceDb, testEnv, uniqueName, waitFor } from '@walbridge/testing';
import { launchBrowser, logIn, screenshot } from './browser';

/*
 * The console's whole story in one real browser against the real stack: the five-step wizard by
 * visible labels, a precheck that fails and is fixed, submit, rows flowing, the operations, and
 * the screenshots of every step (test-results/screenshots/). The tests run in order and share
 * the page, as a user would.
 */

const api = new ApiClient();
const suffix = uniqueName('ui').slice(3).replace(/_/g, '-');
const taskName = `ui-${suffix}`.slice(0, 50);
const table = uniqueName('t');
const noKeyTable = `${table}_nokey`;
const topic = uniqueName('wbtest');
const slot = uniqueName('wbtest');
const wrongPassword = `wbpw-wrong-${suffix}`;

// Evaluated in the page (the tests' TypeScript has no DOM types): every wizard draft, as stored.
const STORED_DRAFTS = "Object.keys(localStorage).filter((k) => k.startsWith('walbridge.wizard')).map((k) => localStorage.getItem(k)).join('\\n')";

function lsnValue(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

async function demoSql(sql: string, params: unknown[] = []): Promise<{ rows: Record<string, unknown>[] }> {
  const db = await sourceDb();
  try {
    return await db.query(sql, params);
  } finally {
    await db.end();
  }
}

describe('the console: create a task with the wizard, watch it stream, operate it', () => {
  let browser: Browser;
  let page: Page;
  let taskId = '';
  const pageErrors: string[] = [];

  const stepTitle = (n: number, title: string) => page.getByRole('heading', { name: `Step ${n} of 5: ${title}`, level: 2 });
  const next = () => page.getByRole('button', { name: 'Next', exact: true });
  const heading = () => page.getByRole('heading', { level: 1 });

  // Each test continues where the previous one left the page: after a failure the rest cannot
  // pass, and fails at once naming why instead of timing out on a page it did not expect.
  let broken = '';
  beforeEach(() => {
    if (broken) throw new Error(`not run: the earlier step "${broken}" failed and this one starts where it left the page`);
  });
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || broken) return;
    broken = context.task.name;
    await screenshot(page, `failed-${context.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
  });

  beforeAll(async () => {
    await demoSql(`CREATE TABLE shop.${table} (id bigint PRIMARY KEY, note text)`);
    await demoSql(`CREATE TABLE shop.${noKeyTable} (note text)`);
    for (const t of [table, noKeyTable]) await demoSql(`ALTER TABLE shop.${t} OWNER TO ${testEnv.sourceUser}`);
    await createTopic(topic);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (taskId) {
      const task = await api.task(taskId).catch(() => null);
      if (task && !['COMPLETED', 'DELETED'].includes(task.status)) {
        await api.operate(taskId, 'force-stop');
        await api.waitUntilStopped(taskId, 60_000).catch(() => undefined);
      }
    }
    // What the force stop left on the source, as its dialog told the user to run.
    await waitFor(`slot ${slot} to be released`, async () => {
      const { rows } = await demoSql('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      return rows.length === 0 || rows[0].active === false ? true : undefined;
    }, 30_000).catch(() => undefined);
    await demoSql('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]).catch(() => undefined);
    await demoSql(`DROP PUBLICATION IF EXISTS "${slot}"`).catch(() => undefined);
    await demoSql(`DROP TABLE IF EXISTS shop.${table}, shop.${noKeyTable}`);
  }, 120_000);

  it('opens the wizard from the task list', async () => {
    await logIn(page);
    await page.getByRole('link', { name: 'Create task' }).click();
    await heading().getByText('Create task').waitFor();
    await stepTitle(1, 'Create task').waitFor();
  });

  it('step 1 shows the API’s rule next to a bad name; the draft survives leaving the wizard', async () => {
    const name = page.getByLabel('Task name');
    await name.fill('1x');
    await next().click();
    await page.getByText('name: 4-50 characters, starts with a letter, letters, digits, - and _ only').waitFor();
    await expect(name.getAttribute('aria-invalid')).resolves.toBe('true');

    await name.fill(taskName);
    await page.getByLabel('Description').fill('Orders from the demo shop');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.getByLabel('Tag 1 key').fill('team');
    await page.getByLabel('Tag 1 value').fill('data');
    await expect(page.getByText('name: 4-50 characters').count()).resolves.toBe(0);
    await screenshot(page, 'wizard-step-1-create');

    // Away to the task list and back: everything typed is still there.
    await page.waitForTimeout(400); // the draft is written 250 ms after the last keystroke
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await heading().getByText('Tasks').waitFor();
    await page.getByRole('link', { name: 'Create task' }).click();
    await expect(page.getByLabel('Task name').inputValue()).resolves.toBe(taskName);
    await expect(page.getByLabel('Tag 1 value').inputValue()).resolves.toBe('data');
    await page.getByText(/Resumed from/).waitFor();
    await next().click();
    await stepTitle(2, 'Source and destination').waitFor();
  });

  it('step 2 keeps Next disabled until both connections pass, and never stores a password', async () => {
    await expect(next().isDisabled()).resolves.toBe(true);
    const source = page.getByRole('group', { name: 'Source database' });
    await source.getByLabel('Host').fill(testEnv.pgHost);
    await source.getByLabel('Port').fill(String(testEnv.pgPort));
    await source.getByLabel('Database').fill(testEnv.sourceDatabase);
    await source.getByLabel('User name').fill(testEnv.sourceUser);
    await source.getByLabel('Password').fill(wrongPassword);
    await source.getByRole('button', { name: 'Test source connection' }).click();
    await source.getByText(/Connection failed: .*password/i).waitFor();
    await page.waitForTimeout(400);
    const stored = await page.evaluate<string>(STORED_DRAFTS);
    expect(stored).toContain(taskName);
    expect(stored).not.toContain(wrongPassword);

    await source.getByLabel('Password').fill(testEnv.sourcePassword);
    await source.getByRole('button', { name: 'Test source connection' }).click();
    await source.getByText(/Connection succeeded: PostgreSQL/).waitFor();
    await expect(next().isDisabled()).resolves.toBe(true);

    const destination = page.getByRole('group', { name: 'Destination Kafka' });
    await destination.getByLabel('Brokers').fill(testEnv.kafkaBrokers.join(','));
    await destination.getByRole('button', { name: 'Test destination connection' }).click();
    await destination.getByText(/Connection succeeded: Kafka/).waitFor();
    await expect(next().isEnabled()).resolves.toBe(true);
    await screenshot(page, 'wizard-step-2-connections');

    await next().click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}\/setup\?step=3$/);
    taskId = /\/tasks\/([0-9a-f-]{36})\/setup/.exec(page.url())![1];
    await stepTitle(3, 'Set task').waitFor();
    await expect(api.task(taskId)).resolves.toMatchObject({ name: taskName, status: 'CONFIGURATION', source: { passwordSet: true } });
    // The draft moved to the task: "Create task" starts afresh from now on.
    await expect(page.evaluate(`localStorage.getItem('walbridge.wizard.${testEnv.adminUser}.new')`)).resolves.toBeNull();
  });

  it('step 3 finds the tables in the object tree, flags the one without a primary key, and saves the policy', async () => {
    // Issue 13: a new task reads the rows already in its tables first, as DTS's default.
    const syncType = page.getByRole('group', { name: 'Synchronization type' });
    await expect(syncType.getByRole('radio', { name: /^Full \+ incremental/ }).isChecked()).resolves.toBe(true);
    const deleteBox = page.getByRole('group', { name: 'DML operations' }).getByRole('checkbox', { name: 'DELETE' });
    await deleteBox.uncheck();
    await page.getByText(/Without DELETE, rows deleted on the source/).waitFor();
    await deleteBox.check();
    await page.getByLabel('Replication slot name').fill(slot);

    await page.getByLabel('Search schemas and tables').fill(table);
    await page.getByText(/2 of [\d,.\s]+ tables match/).waitFor();
    await page.getByRole('checkbox', { name: `shop.${table}`, exact: true }).check();
    await page.getByRole('checkbox', { name: `shop.${noKeyTable}`, exact: true }).check();
    const noKeyRow = page.getByRole('listitem').filter({ has: page.getByRole('checkbox', { name: `shop.${noKeyTable}`, exact: true }) });
    await noKeyRow.getByText('no primary key: needs REPLICA IDENTITY FULL, or the precheck fails').waitFor();
    await page.getByText('2 tables selected').waitFor();

    // Per-table settings open in place; a column rule the API refuses stands next to its field.
    await page.getByRole('button', { name: `Settings of shop.${table}`, exact: true }).click();
    const settings = page.getByRole('group', { name: `Own settings of table shop.${table}` });
    await settings.getByLabel('Columns', { exact: true }).selectOption('exclude');
    await settings.getByLabel('Column names').fill('it"s');
    await next().click();
    await settings.getByText('column name may not contain " or \'').waitFor();
    await page.getByText('Topic is required').waitFor();
    await settings.getByLabel('Column names').fill('note');
    // A rule only the API knows (topic names, from the domain lib) comes back as a 400 and
    // stands next to its field all the same.
    const topicField = page.getByLabel('Topic', { exact: true });
    await topicField.fill('orders by day');
    await next().click();
    await page.getByText(`topic name contains " "; only letters, digits, '.', '_' and '-' are allowed`).waitFor();
    await expect(topicField.getAttribute('aria-invalid')).resolves.toBe('true');
    await topicField.fill(topic);
    await settings.getByLabel('Column names').fill('it"s');
    await next().click();
    await settings.getByText('column name may not contain " or \'').waitFor();
    await screenshot(page, 'wizard-step-3-set-task');
    await settings.getByLabel('Columns', { exact: true }).selectOption('all');
    await page.getByRole('button', { name: `Settings of shop.${table}`, exact: true }).click();

    // The task exists since step 2: the list offers to continue its setup, where it was left.
    await page.waitForTimeout(400);
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await page.getByRole('link', { name: `Continue setup of ${taskName}` }).click();
    await stepTitle(3, 'Set task').waitFor();
    await page.getByText('2 tables selected').waitFor();
    await expect(page.getByLabel('Topic', { exact: true }).inputValue()).resolves.toBe(topic);
    await expect(page.getByLabel('Replication slot name').inputValue()).resolves.toBe(slot);

    await next().click();
    await stepTitle(4, 'Check task').waitFor();
    const saved = await api.task(taskId);
    expect(saved.policy).toMatchObject({
      objectScope: 'tables',
      slotName: slot,
      tables: [{ schema: 'shop', table }, { schema: 'shop', table: noKeyTable }],
      topicPolicy: { mode: 'specific', topic },
      syncMode: 'full+incremental',
    });
  });

  it('step 4: a failing precheck shows its reason and suggestion and blocks Next; fixed and checked again, it passes', async () => {
    await page.getByText(/1 check failed/).waitFor({ timeout: 60_000 });
    const failed = page.getByRole('listitem').filter({ hasText: 'Failed' }).filter({ hasText: noKeyTable });
    await failed.getByText('Reason:').waitFor();
    await failed.getByText(`ALTER TABLE "shop"."${noKeyTable}" REPLICA IDENTITY FULL;`).waitFor();
    await expect(next().isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('progressbar', { name: 'Precheck progress' }).getAttribute('value')).resolves.toBe(
      await page.getByRole('progressbar', { name: 'Precheck progress' }).getAttribute('max'),
    );
    await screenshot(page, 'wizard-step-4-check-failed');

    // The user runs the suggestion on the source, then checks again.
    await demoSql(`ALTER TABLE shop.${noKeyTable} REPLICA IDENTITY FULL`);
    await page.getByRole('button', { name: 'Check again' }).click();
    await page.getByText(/Every check passed|alarms? to confirm|Passed, with confirmed alarms/).waitFor({ timeout: 60_000 });
    for (const confirm of await page.getByRole('button', { name: /^Confirm: / }).all()) await confirm.click();
    await page.getByText(/Every check passed|Passed, with confirmed alarms/).waitFor();
    await expect(next().isEnabled()).resolves.toBe(true);
    await screenshot(page, 'wizard-step-4-check-passed');
    await next().click();
    await stepTitle(5, 'Confirm').waitFor();
  });

  it('step 5 sums everything up, checks the alarm settings, and Submit starts the task', async () => {
    const summary = page.getByRole('region', { name: 'Summary' });
    await summary.getByText(taskName).waitFor();
    await summary.getByText(`shop.${table}, shop.${noKeyTable}`).waitFor();
    await summary.getByText(slot).waitFor();
    await summary.getByText('Full + incremental (existing rows first, then changes)').waitFor();

    const threshold = page.getByLabel('Delay threshold (seconds)');
    await threshold.fill('5000');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByText('Delay threshold (seconds) must be 0-3600 (0 = off)').waitFor();
    await page.getByText('Read the notes above and tick this box to submit').waitFor();
    await threshold.fill('60');
    // Feature 5: throttle, retry windows and the WAL alarm limit, with the API's limits as hints.
    await page.getByText(/^1–10,000,000\. Blank: no limit\.$/).first().waitFor();
    await page.getByLabel('Rows per second', { exact: true }).fill('10000');
    await page.getByLabel('WAL retention alarm (MB)').fill('1024');
    await page.getByLabel('I have read the notes above and the precheck results').check();

    // Feature 8: the API request that creates this task, as DTS's "Preview OpenAPI parameters".
    await page.getByText('API request', { exact: true }).click();
    const requestText = (await page.getByLabel('Request body (JSON)', { exact: true }).textContent()) ?? '';
    const request = JSON.parse(requestText) as { name: string; source: Record<string, unknown>; policy: { tables: { table: string }[]; slotName?: string }; alarms: { delayThresholdSeconds: number } };
    expect(request).toMatchObject({ name: taskName, source: { password: '<source password>' }, alarms: { delayThresholdSeconds: 60 } });
    expect(request.policy.tables.map((t) => t.table).sort()).toEqual([table, noKeyTable].sort());
    expect(await page.getByLabel('curl', { exact: true }).textContent()).toContain(`curl -X POST '${testEnv.apiUrl}/api/v1/tasks'`);
    // The one-line curl scrolls inside its block: the page itself never scrolls sideways.
    await expect(page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).resolves.toBeLessThanOrEqual(0);
    // It is a body the API takes as it is, once the secret is put in (a later start, another name and slot).
    const scripted = await api.request<{ id: string; status: string }>('POST', '/api/v1/tasks', {
      ...request,
      name: `${taskName.slice(0, 45)}-api`,
      source: { ...request.source, password: testEnv.sourcePassword },
      policy: { ...request.policy, slotName: `${slot}_api`.slice(0, 63) },
      start: { mode: 'at', at: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(scripted.status, JSON.stringify(scripted.body)).toBe(201);
    await api.request('POST', `/api/v1/tasks/${scripted.body.id}/stop`);
    await screenshot(page, 'wizard-step-5-confirm');

    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(new RegExp(`/tasks/${taskId}$`));
    await heading().getByText('Running').waitFor({ timeout: 90_000 });
    await expect(api.task(taskId)).resolves.toMatchObject({
      status: 'INCREMENTAL',
      alarms: { delayThresholdSeconds: 60, walRetentionLimitMb: 1024 },
      throttle: { rowsPerSecond: 10000 },
      retry: { connectionMinutes: 720, otherMinutes: 10 },
    });
    // The draft is done with once the task is submitted.
    await expect(page.evaluate<string>(STORED_DRAFTS)).resolves.toBe('');
  });

  it('rows written to the source move the confirmed position and the throughput, and reach Kafka', async () => {
    await demoSql(`INSERT INTO shop.${table} SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g`);
    const { rows } = await demoSql('SELECT pg_current_wal_lsn()::text AS lsn');
    const written = lsnValue(rows[0].lsn as string);
    const position = page.getByRole('term').filter({ hasText: 'Confirmed position' }).locator('xpath=following-sibling::dd[1]');
    await waitFor('the page to show a confirmed position past the rows', async () => {
      const shown = (await position.textContent())?.trim() ?? '';
      return /^[0-9A-F]+\/[0-9A-F]+$/i.test(shown) && lsnValue(shown) >= written ? shown : undefined;
    }, 60_000, 500);
    const throughput = page.getByRole('figure', { name: /Throughput/ });
    await waitFor('a throughput above zero', async () => {
      const text = (await throughput.textContent()) ?? '';
      const peak = /peak ([\d.,]+) /.exec(text);
      return peak && Number(peak[1].replace(/,/g, '')) > 0 ? text : undefined;
    }, 30_000, 500);
    await expect((await readTopic(topic, 2000, 60_000)).length).toBeGreaterThanOrEqual(2000);
    await screenshot(page, 'task-detail-streaming');
  });

  it('pauses and resumes when the API offers it, and hides what the API does not serve', async () => {
    const docs = await api.request<{ paths: Record<string, unknown> }>('GET', '/api/docs-json');
    const actions = page.getByRole('group', { name: `Actions on ${taskName}` });
    if (!docs.body.paths['/api/v1/tasks/{id}/pause']) {
      await actions.getByRole('button', { name: 'Force stop' }).waitFor();
      await expect(actions.getByRole('button', { name: 'Pause' }).count()).resolves.toBe(0);
      return;
    }
    await actions.getByRole('button', { name: 'Pause' }).click();
    const dialog = page.getByRole('dialog', { name: `Pause ${taskName}?` });
    await dialog.getByText(/keeps WAL on the source/).waitFor();
    await dialog.getByRole('button', { name: 'Pause' }).click();
    await heading().getByText('Paused').waitFor({ timeout: 90_000 });
    await actions.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('dialog', { name: `Resume ${taskName}?` }).getByRole('button', { name: 'Resume' }).click();
    await heading().getByText('Running').waitFor({ timeout: 90_000 });
  });

  it('force stop explains the leftover slot and shows the SQL, stops the task at once; Drop slot removes what it left', async () => {
    const forceStop = page.getByRole('group', { name: `Actions on ${taskName}` }).getByRole('button', { name: 'Force stop' });
    const dialog = page.getByRole('dialog', { name: `Force stop ${taskName}?` });
    // Keyboard: the dialog opens on its safe choice, and Escape leaves it without doing anything.
    await forceStop.click();
    await dialog.waitFor();
    await expect(page.evaluate<string>('document.activeElement.textContent')).resolves.toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect(api.task(taskId)).resolves.toMatchObject({ status: 'INCREMENTAL' });
    await forceStop.click();
    await dialog.getByText(/may remain on the source, where it keeps WAL/).waitFor();
    await dialog.getByText(`SELECT pg_drop_replication_slot('${slot}');`, { exact: false }).waitFor();
    await screenshot(page, 'task-force-stop-dialog');
    await dialog.getByRole('button', { name: 'Force stop' }).click();
    await heading().getByText('Completed').waitFor({ timeout: 90_000 });
    const leftover = page.getByText(`The replication slot ${slot} remains on the source and keeps WAL`);
    await leftover.waitFor({ timeout: 60_000 });
    await screenshot(page, 'task-leftover-slot');

    // Drop slot: offered only while a slot is left over, and gone with it.
    const dropSlot = page.getByRole('group', { name: `Actions on ${taskName}` }).getByRole('button', { name: 'Drop slot' });
    await dropSlot.click();
    const drop = page.getByRole('dialog', { name: `Drop slot ${taskName}?` });
    await drop.getByText(`SELECT pg_drop_replication_slot('${slot}');`, { exact: false }).waitFor();
    await drop.getByRole('button', { name: 'Drop slot' }).click();
    await leftover.waitFor({ state: 'detached', timeout: 60_000 });
    await expect(dropSlot.count()).resolves.toBe(0);
    await expect(demoSql('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).resolves.toMatchObject({ rows: [] });
  });

  it('lets an admin add a user and give it an API token that is shown once and can be revoked', async () => {
    const username = `ui-${suffix}`.toLowerCase().slice(0, 60);
    await page.getByRole('link', { name: 'Users' }).click();
    await heading().getByText('Users').waitFor();
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Initial password').fill('short');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByText('password must be at least 8 characters').waitFor();
    await page.getByLabel('Initial password').fill(`wbpw-${suffix}-long`);
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('rowheader', { name: username }).waitFor();

    await page.getByRole('link', { name: 'API tokens' }).click();
    await heading().getByText('API tokens').waitFor();
    await page.getByLabel('Token name').fill(`grafana-${suffix}`);
    await page.getByLabel('Acts as user').fill(username);
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByLabel('The new token').textContent())!.trim();
    const asToken = new ApiClient(testEnv.apiUrl, {}, { token });
    await expect(asToken.request('GET', '/api/v1/tasks')).resolves.toMatchObject({ status: 200 });
    await expect(asToken.request('POST', '/api/v1/tasks/00000000-0000-4000-8000-000000000000/stop')).resolves.toMatchObject({ status: 403 });
    const row = page.getByRole('row').filter({ hasText: `grafana-${suffix}` });
    await row.getByText(`${username} (viewer)`).waitFor();
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: `Revoke token grafana-${suffix}?` }).getByRole('button', { name: 'Revoke' }).click();
    await row.waitFor({ state: 'detached' });
    await expect(asToken.request('GET', '/api/v1/tasks')).resolves.toMatchObject({ status: 401 });
    await screenshot(page, 'api-tokens');
  });

  it('is readable on a phone-width screen: nothing wider than the screen', async () => {
    await page.goto(`${testEnv.apiUrl}/tasks/${taskId}`);
    await page.setViewportSize({ width: 390, height: 844 });
    await heading().getByText(taskName).waitFor();
    await expect(page.evaluate<number>('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);
    await screenshot(page, 'task-detail-phone');
    await page.goto(`${testEnv.apiUrl}/tasks/new`);
    await stepTitle(1, 'Create task').waitFor();
    await expect(page.evaluate<number>('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);
    await screenshot(page, 'wizard-step-1-phone');
  });

  it('ran without a script error or a content security policy violation', () => {
    expect(pageErrors).toEqual([]);
  });
});
