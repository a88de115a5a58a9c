import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskLogPage } from '@walbridge/contracts';
import { demoSource, sharedKafka, testEnv, uniqueName, waitFor } from '@walbridge/testing';
import { api, envelopeOf, onSource, startTask, stopTask, type RunningTask } from '../data-path/task-fixture';
import { launchBrowser, screenshot } from './browser';
import { cleanUpTask, configuredTask, consolePage, sidewaysOverflow, sourceSql } from './console-fixture';

/*
 * Issue 15 features 2 and 3 in a real browser: a running task's tables and their own settings
 * edited in the wizard's object tree (with the cluster's topics and the table's columns as pick
 * lists), the source password replaced after a Test Connection with it, and the users offered
 * where an API token is created.
 */
type Tables = 'a' | 'b';

describe('the console: editing a running task\'s tables and passwords', () => {
  let browser: Browser;
  let run: RunningTask<Tables, 'main' | 'per'>;
  // The task logs in as a role of its own, so its password can really change on the source.
  const role = uniqueName('pw');

  beforeAll(async () => {
    await onSource(`CREATE ROLE ${role} LOGIN REPLICATION PASSWORD 'first-Secret-1' IN ROLE ${testEnv.sourceUser}`);
    [browser, run] = await Promise.all([
      launchBrowser(),
      startTask<Tables, 'main' | 'per'>({
        input: { source: demoSource({ username: role, password: 'first-Secret-1' }) },
        tables: {
          a: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text)` },
          b: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text, secret text)` },
        },
        topics: { main: 1, per: 3 },
        policy: ({ tables, topics }) => ({
          objectScope: 'tables',
          syncMode: 'full+incremental',
          tables: [{ schema: 'shop', table: tables.a }],
          topicPolicy: { mode: 'specific', topic: topics.main },
        }),
      }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (run) await stopTask(run.task.id).catch(() => undefined);
    await onSource(`REASSIGN OWNED BY ${role} TO ${testEnv.sourceUser}`, `DROP OWNED BY ${role}`, `DROP ROLE ${role}`).catch(() => undefined);
  }, 120_000);

  it('adds a table with its own topic (picked from the cluster) and columns (picked from the table); its rows arrive as the source has them', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1920, height: 1080 });
    await onSource(`INSERT INTO ${run.qualified.b} VALUES (1, 'one', 's1'), (2, 'two', 's2')`);
    await page.goto(`${testEnv.apiUrl}/tasks/${run.task.id}`);
    const card = page.getByRole('region', { name: 'Tables' });
    await card.getByRole('button', { name: 'Edit tables' }).click();
    const form = card.getByRole('form', { name: 'Edit tables' });
    await form.getByLabel('Search schemas and tables').fill(run.tables.b);
    await form.getByRole('checkbox', { name: `shop.${run.tables.b}`, exact: true }).check();
    await form.getByRole('button', { name: `Settings of shop.${run.tables.b}` }).click();
    const settings = form.getByRole('group', { name: `Own settings of table shop.${run.tables.b}` });

    // The topic field is a combobox of the cluster's topics with their partitions.
    const topic = settings.getByRole('combobox', { name: 'Topic for this table' });
    const listId = await topic.getAttribute('list');
    await waitFor('the cluster topics in the pick list', async () => ((await page.locator(`datalist[id="${listId}"] option[value="${run.topics.per}"]`).count()) ? true : undefined), 15_000, 200);
    expect(await page.locator(`datalist[id="${listId}"] option[value="${run.topics.per}"]`).getAttribute('label')).toBe('3 partitions');
    await topic.fill(run.topics.per);

    // Columns from the table: ticking fills the list.
    await settings.getByLabel('Columns', { exact: true }).selectOption('include');
    const picker = settings.getByRole('group', { name: /Columns to send/ });
    expect(await picker.getByRole('checkbox').count()).toBe(3);
    await picker.getByRole('checkbox', { name: 'id' }).check();
    await picker.getByRole('checkbox', { name: 'v' }).check();
    await expect(settings.getByLabel('Column names').inputValue()).resolves.toBe('id, v');

    // What saving does, before saving.
    const effects = form.getByLabel('What saving does');
    await effects.getByText(`This edit adds shop.${run.tables.b}.`).waitFor();
    await effects.getByText(/The worker restarts with the new tables/).waitFor();
    await effects.getByText(`A backfill reads the rows already in shop.${run.tables.b} (the task backfills added tables).`).waitFor();

    // A rule only the API knows (the row filter's syntax) comes back at the field.
    await settings.getByLabel('Row filter').fill('id >');
    await form.getByRole('button', { name: 'Save tables' }).click();
    await settings.getByRole('alert').first().waitFor();
    expect(await settings.getByRole('alert').first().textContent()).toMatch(/filter|condition/i);
    expect((await api.task(run.task.id)).policy.tables).toHaveLength(1);

    await settings.getByLabel('Row filter').fill('');
    await screenshot(page, 'task-edit-tables-1920');
    await form.getByRole('button', { name: 'Save tables' }).click();
    await card.getByRole('status').getByText(/^Saved\. The worker restarts/).waitFor();
    const saved = await api.task(run.task.id);
    expect(saved.policy.tables).toEqual([
      { schema: 'shop', table: run.tables.a },
      { schema: 'shop', table: run.tables.b, topic: run.topics.per, includeColumns: ['id', 'v'] },
    ]);
    await waitFor('the edit applied', async () => {
      const t = await api.task(run.task.id);
      return t.pendingOperation === null && t.status === 'INCREMENTAL' ? t : undefined;
    }, 90_000, 500);
    await onSource(`INSERT INTO ${run.qualified.b} VALUES (3, 'three', 's3')`, `UPDATE ${run.qualified.b} SET v = 'uno' WHERE id = 1`);

    // Data path: the table rebuilt from its topic equals the source's included columns.
    const rebuild = (messages: { value: string }[]) => {
      const table = new Map<string, Record<string, string | null>>();
      for (const e of messages.map(envelopeOf)) for (const row of e.data) if (e.type === 'DELETE') table.delete(String(row.id)); else table.set(String(row.id), row);
      return table;
    };
    const messages = await sharedKafka().readUntil(run.topics.per, (m) => { const t = rebuild(m); return t.size === 3 && t.get('1')?.v === 'uno'; }, 'the added table on its topic', 90_000);
    const rebuilt = rebuild(messages);
    const source = (await sourceSql(`SELECT id::text, v FROM ${run.qualified.b} ORDER BY id`)).rows;
    expect([...rebuilt.values()].sort((x, y) => Number(x.id) - Number(y.id))).toEqual(source);

    await page.setViewportSize({ width: 390, height: 844 });
    await card.getByRole('button', { name: 'Edit tables' }).click();
    await form.getByLabel('Search schemas and tables').fill(run.tables.b);
    await form.getByRole('button', { name: `Settings of shop.${run.tables.b}` }).click();
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await screenshot(page, 'task-edit-tables-390');
    expect(errors).toEqual([]);
    await close();
  });

  it('replaces the source password only after a Test Connection with it passed', async () => {
    // The DBA rotates the password: the saved one no longer logs in.
    await onSource(`ALTER ROLE ${role} PASSWORD 'second-Secret-2'`);
    expect((await api.request<{ ok: boolean }>('POST', `/api/v1/tasks/${run.task.id}/test-connection?target=source`)).body.ok).toBe(false);
    const { page, errors, close } = await consolePage(browser, { width: 1920, height: 1080 });
    await page.goto(`${testEnv.apiUrl}/tasks/${run.task.id}`);
    const card = page.getByRole('region', { name: 'Connection passwords' });
    await card.getByRole('button', { name: 'Change passwords' }).click();
    const form = card.getByRole('form', { name: 'Change passwords' });
    const save = form.getByRole('button', { name: 'Save passwords' });
    expect(await save.isDisabled()).toBe(true);

    await form.getByLabel('New source password').fill('not-the-password');
    await form.getByRole('button', { name: 'Test source connection' }).click();
    await form.getByText(/^Connection failed: .*password authentication failed/).waitFor();
    expect(await save.isDisabled()).toBe(true);

    await form.getByLabel('New source password').fill('second-Secret-2');
    await form.getByText('The fields changed since the last test: test again.').waitFor();
    await form.getByRole('button', { name: 'Test source connection' }).click();
    await form.getByText(/^Connection succeeded: PostgreSQL/).waitFor();
    await screenshot(page, 'task-edit-passwords-1920');
    await save.click();
    await card.getByRole('status').getByText('Saved: the new passwords are used from the next connection on.').waitFor();
    const log = (await api.request<TaskLogPage>('GET', `/api/v1/tasks/${run.task.id}/logs?limit=50`)).body.items.map((e) => e.message);
    expect(log.some((l) => l.startsWith('credentials changed (sourcePassword)'))).toBe(true);
    expect((await api.task(run.task.id)).status).toBe('INCREMENTAL');
    // The saved connection now logs in with the new password.
    expect((await api.request<{ ok: boolean }>('POST', `/api/v1/tasks/${run.task.id}/test-connection?target=source`)).body.ok).toBe(true);

    // The API's rule for a typed password, by field; the password is never echoed.
    const empty = await api.request('POST', `/api/v1/tasks/${run.task.id}/test-connection?target=source`, { source: { password: '' } });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('"field":"source.password"');
    const wrong = await api.request('POST', `/api/v1/tasks/${run.task.id}/test-connection?target=source`, { source: { password: 'wrong-Secret-42' } });
    expect(wrong.status).toBe(200);
    expect(JSON.stringify(wrong.body)).not.toContain('wrong-Secret-42');

    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await card.getByRole('button', { name: 'Change passwords' }).click();
    await screenshot(page, 'task-edit-passwords-390');
    expect(errors).toEqual([]);
    await close();
  });

  it('offers the users where an API token is created, and the cluster\'s topics at the wizard\'s task topic', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1920, height: 1080 });
    await page.goto(`${testEnv.apiUrl}/tokens`);
    const user = page.getByRole('combobox', { name: 'Acts as user' });
    const listId = await user.getAttribute('list');
    await waitFor('the users in the pick list', async () => ((await page.locator(`datalist[id="${listId}"] option`).count()) ? true : undefined), 15_000, 200);
    const users = await page.locator(`datalist[id="${listId}"] option`).evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(users).toContain(testEnv.adminUser!);
    await screenshot(page, 'tokens-user-picker-1920');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await screenshot(page, 'tokens-user-picker-390');

    // Step 3 of the wizard: the task topic is a combobox of the cluster's topics too.
    const draft = await configuredTask({ policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: run.tables.a }], topicPolicy: { mode: 'specific', topic: run.topics.main } } }, 'pick');
    try {
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.goto(`${testEnv.apiUrl}/tasks/${draft.id}/setup?step=3`);
      const topic = page.getByRole('combobox', { name: 'Topic', exact: true });
      const topics = `datalist[id="${await topic.getAttribute('list')}"] option`;
      await waitFor('the cluster topics in step 3', async () => ((await page.locator(`${topics}[value="${run.topics.per}"]`).count()) ? true : undefined), 15_000, 200);
      await expect(page.locator(`${topics}[value="${run.topics.main}"]`).getAttribute('label')).resolves.toBe('1 partition');
      await expect(page.locator(`${topics}[value^="__"]`).count()).resolves.toBe(0);
      // The API's pick list itself: sorted names with partitions; an unknown task is a 404.
      const list = await api.request<{ topics: { name: string; partitions: number }[] }>('GET', `/api/v1/tasks/${draft.id}/destination-topics`);
      expect(list.body.topics).toContainEqual({ name: run.topics.per, partitions: 3 });
      expect(list.body.topics.map((t) => t.name)).toEqual([...list.body.topics.map((t) => t.name)].sort());
      expect((await api.request('GET', '/api/v1/tasks/00000000-0000-4000-8000-000000000000/destination-topics')).status).toBe(404);
    } finally {
      await cleanUpTask(draft.id);
    }
    expect(errors).toEqual([]);
    await close();
  });
});
