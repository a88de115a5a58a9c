import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavedConnectionView } from '@walbridge/contracts';
import { testEnv, uniqueName, waitFor } from '@walbridge/testing';
import { launchBrowser, screenshot } from './browser';
import { api, cleanUpTask, consolePage, sidewaysOverflow, taskName } from './console-fixture';

/**
 * Issue 15 feature 7 in the browser: a connection is saved once on the Connections page (tested
 * there), and the wizard builds a task from it without the password being typed again; a
 * connection in use cannot be deleted, and the page says which task uses it.
 */
describe('the console: saved connections', () => {
  let browser: Browser;
  const tag = uniqueName('c').slice(2, 12);
  const sourceName = `shop-db-${tag}`;
  const destinationName = `kafka-${tag}`;
  let taskId: string | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cleanUpTask(taskId);
    const all = (await api.request<SavedConnectionView[]>('GET', '/api/v1/connections')).body;
    for (const c of all.filter((c) => c.name.endsWith(tag))) await api.request('DELETE', `/api/v1/connections/${c.id}`);
  }, 120_000);

  it('saves and tests connections, then the wizard uses them without the password; delete names the task using one', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1920, height: 1000 });
    await page.goto(`${testEnv.apiUrl}/connections`);
    await page.getByRole('heading', { name: 'Connections', level: 1 }).waitFor();

    // The source, tested as typed before it is saved.
    await page.getByRole('button', { name: 'New connection' }).click();
    const form = page.getByRole('form', { name: 'New connection' });
    await form.getByLabel('Connection name').fill(sourceName);
    const source = form.getByRole('group', { name: 'Source database' });
    await source.getByLabel('Host').fill(testEnv.pgHost);
    await source.getByLabel('Port').fill(String(testEnv.pgPort));
    await source.getByLabel('Database').fill(testEnv.sourceDatabase);
    await source.getByLabel('User name').fill(testEnv.sourceUser);
    await source.getByLabel('Password').fill(testEnv.sourcePassword);
    await expect(source.getByLabel('Use a saved connection').count()).resolves.toBe(0);
    await source.getByRole('button', { name: 'Test source connection' }).click();
    await source.getByText(/Connection succeeded: PostgreSQL/).waitFor();
    await screenshot(page, 'connection-form-1920');
    await form.getByRole('button', { name: 'Save connection' }).click();
    await page.getByText(`Connection ${sourceName} saved.`).waitFor();

    // The destination.
    await page.getByRole('button', { name: 'New connection' }).click();
    await form.getByRole('radio', { name: 'Destination (Kafka)' }).check();
    await form.getByLabel('Connection name').fill(destinationName);
    await form.getByRole('group', { name: 'Destination Kafka' }).getByLabel('Brokers').fill(testEnv.kafkaBrokers.join(','));
    await form.getByRole('button', { name: 'Save connection' }).click();
    await page.getByText(`Connection ${destinationName} saved.`).waitFor();
    const table = page.getByRole('region', { name: 'Saved connections' });
    await table.getByRole('button', { name: `Test ${destinationName}` }).click();
    await page.getByText(new RegExp(`${destinationName}: connection succeeded`)).waitFor({ timeout: 30_000 });
    await table.getByText(sourceName).waitFor();
    await screenshot(page, 'connections-1920');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await screenshot(page, 'connections-390');
    await page.setViewportSize({ width: 1920, height: 1000 });

    // The wizard: step 2 picks both; no password field is offered, the tests pass, Next creates the task.
    const name = taskName('saved');
    await page.goto(`${testEnv.apiUrl}/tasks/new`);
    await page.getByLabel('Task name').fill(name);
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    const step2Source = page.getByRole('group', { name: 'Source database' });
    const step2Destination = page.getByRole('group', { name: 'Destination Kafka' });
    await step2Source.getByLabel('Use a saved connection').selectOption({ label: sourceName });
    await expect(step2Source.getByLabel('Password').count()).resolves.toBe(0);
    await step2Source.getByText(`${testEnv.pgHost}:${testEnv.pgPort}/${testEnv.sourceDatabase} as ${testEnv.sourceUser}; its password is saved with it.`).waitFor();
    await step2Source.getByRole('button', { name: 'Test source connection' }).click();
    await step2Source.getByText(/Connection succeeded: PostgreSQL/).waitFor();
    await step2Destination.getByLabel('Use a saved connection').selectOption({ label: destinationName });
    await step2Destination.getByRole('button', { name: 'Test destination connection' }).click();
    await step2Destination.getByText(/Connection succeeded: Kafka/).waitFor({ timeout: 30_000 });
    await screenshot(page, 'wizard-saved-connections-1920');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await screenshot(page, 'wizard-saved-connections-390');
    await page.setViewportSize({ width: 1920, height: 1000 });
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByRole('heading', { name: 'Step 3 of 5: Set task', level: 2 }).waitFor();
    taskId = /\/tasks\/([0-9a-f-]{36})\/setup/.exec(page.url())?.[1];
    const task = await api.task(taskId!);
    expect(task.source).toMatchObject({ connectionId: expect.any(String), host: testEnv.pgHost, passwordSet: true });
    expect(task.destination).toMatchObject({ connectionId: expect.any(String), brokers: testEnv.kafkaBrokers.join(',') });
    // The task holds the saved password: its own test connects.
    expect((await api.request('POST', `/api/v1/tasks/${taskId}/test-connection?target=source`)).body).toMatchObject({ ok: true });

    // An edit reaches the task using it; a new endpoint needs the password again, said at its field.
    await page.goto(`${testEnv.apiUrl}/connections`);
    const row = page.getByRole('region', { name: 'Saved connections' });
    await row.getByRole('link', { name }).first().waitFor();
    await row.getByRole('button', { name: `Edit ${sourceName}` }).click();
    const edit = page.getByRole('form', { name: `Edit connection ${sourceName}` });
    await edit.getByLabel('SSL mode').selectOption('require');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.getByText(/give the password again: .*sslMode changed/).waitFor();
    await edit.getByLabel('Password').fill(testEnv.sourcePassword);
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(`Connection ${sourceName} saved; the tasks using it were updated: ${name}.`).waitFor();
    expect((await api.task(taskId!)).source).toMatchObject({ sslMode: 'require', passwordSet: true });

    // Delete is refused while the task uses the connection, and the page says which.
    await row.getByRole('button', { name: `Delete ${sourceName}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete connection ${sourceName}?` });
    await dialog.getByText(new RegExp(`used by ${name} \\(CONFIGURATION\\)`)).waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(new RegExp(`${sourceName} is used by ${name} \\(CONFIGURATION\\)`)).waitFor();
    await waitFor('the connection still listed', async () => ((await api.request<SavedConnectionView[]>('GET', '/api/v1/connections')).body.some((c) => c.name === sourceName) ? true : undefined), 5_000);
    expect(errors).toEqual([]);
    await close();
  });

  it('"Save this connection" in the wizard saves the typed source, and the task references it', async () => {
    const { page, errors, close } = await consolePage(browser);
    const name = taskName('savein');
    const saveAs = `typed-db-${tag}`;
    await page.goto(`${testEnv.apiUrl}/tasks/new`);
    await page.getByLabel('Task name').fill(name);
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    const source = page.getByRole('group', { name: 'Source database' });
    await source.getByLabel('Host').fill(testEnv.pgHost);
    await source.getByLabel('Port').fill(String(testEnv.pgPort));
    await source.getByLabel('Database').fill(testEnv.sourceDatabase);
    await source.getByLabel('User name').fill(testEnv.sourceUser);
    await source.getByLabel('Password').fill(testEnv.sourcePassword);
    await source.getByLabel('Save this connection as (optional)').fill(saveAs);
    await source.getByRole('button', { name: 'Test source connection' }).click();
    await source.getByText(/Connection succeeded: PostgreSQL/).waitFor();
    const destination = page.getByRole('group', { name: 'Destination Kafka' });
    await destination.getByLabel('Use a saved connection').selectOption({ label: destinationName });
    await destination.getByRole('button', { name: 'Test destination connection' }).click();
    await destination.getByText(/Connection succeeded: Kafka/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByRole('heading', { name: 'Step 3 of 5: Set task', level: 2 }).waitFor();
    const id = /\/tasks\/([0-9a-f-]{36})\/setup/.exec(page.url())![1];
    const saved = (await api.request<SavedConnectionView[]>('GET', '/api/v1/connections')).body.find((c) => c.name === saveAs);
    expect(saved).toMatchObject({ type: 'source', connection: { host: testEnv.pgHost, passwordSet: true }, usedBy: [{ id, name }] });
    expect((await api.task(id)).source).toMatchObject({ connectionId: saved!.id, passwordSet: true });
    await cleanUpTask(id);
    expect(errors).toEqual([]);
    await close();
  });
});
