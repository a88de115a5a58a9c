import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDestination, testEnv, testSchemaRegistry, waitFor } from '@walbridge/testing';
import { launchBrowser, screenshot } from './browser';
import { api, cleanUpTask, configuredTask, consolePage, dropTable, tableAndTopic } from './console-fixture';

/** Issue 17: the wizard offers the wire formats, says who reads each, and keeps debezium-json's options. */

const stepTitle = (page: Page, n: number, title: string) => page.getByRole('heading', { name: `Step ${n} of 5: ${title}`, level: 2 });

describe('the console: message formats in the wizard', () => {
  let browser: Browser;
  let taskId: string | undefined;
  let table: string | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cleanUpTask(taskId);
    if (table) await dropTable(table);
  }, 180_000);

  it('lists the five formats with who reads them, shows Debezium’s options only for debezium-json, and saves the choice', async () => {
    const names = await tableAndTopic();
    table = names.table;
    const task = await configuredTask({
      policy: {
        objectScope: 'tables',
        tables: [{ schema: 'shop', table }],
        topicPolicy: { mode: 'specific', topic: names.topic },
        format: 'debezium-json',
        formatOptions: { decimalHandling: 'string', includeSchema: true },
      },
    }, 'fmt');
    taskId = task.id;
    const { page, close } = await consolePage(browser);
    await page.goto(`${testEnv.apiUrl}/tasks/${task.id}/setup?step=3`);
    await stepTitle(page, 3, 'Set task').waitFor();
    const format = page.getByLabel('Message format');
    await expect(format.locator('option').allTextContents()).resolves.toEqual(['JSON (DRS envelope)', 'Avro (fixed envelope schema)', 'Debezium JSON', 'Canal JSON', 'Avro with a schema registry']);
    await expect(format.inputValue()).resolves.toBe('debezium-json');
    await page.getByText(/Debezium sinks \(JDBC\), Kafka Connect, Flink debezium-json/).waitFor();
    await expect(page.getByLabel('Decimals').inputValue()).resolves.toBe('string');
    await expect(page.getByLabel('Include schema').isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Dates and times').inputValue()).resolves.toBe('micros');

    await page.getByLabel('Dates and times').selectOption('iso');
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await waitFor('the options saved', async () => ((await api.task(task.id)).policy.formatOptions?.timeHandling === 'iso' ? true : undefined), 20_000);
    await expect(api.task(task.id)).resolves.toMatchObject({ policy: { format: 'debezium-json', formatOptions: { includeSchema: true, tombstones: false, decimalHandling: 'string', timeHandling: 'iso' } } });

    await page.goto(`${testEnv.apiUrl}/tasks/${task.id}/setup?step=3`);
    await stepTitle(page, 3, 'Set task').waitFor();
    await page.getByLabel('Message format').selectOption('canal-json');
    await page.getByText(/Flink canal-json and consumers of Canal/).waitFor();
    await expect(page.getByLabel('Decimals').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await waitFor('canal-json saved', async () => ((await api.task(task.id)).policy.format === 'canal-json' ? true : undefined), 20_000);
    // The Debezium options went with the format: canal-json takes none.
    expect((await api.task(task.id)).policy).not.toHaveProperty('formatOptions');
    await close();
  });

  it('asks for the schema registry at step 2 when the format is avro-registry, and tests it with the destination', async () => {
    const names = await tableAndTopic();
    const registry = testSchemaRegistry();
    // A registry address where nothing answers: the destination test must fail on it, Kafka being fine.
    const dead = 'http://127.0.0.1:9/apis/ccompat/v7';
    const task = await configuredTask(
      {
        destination: demoDestination({ schemaRegistry: { url: dead } }),
        policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: names.table }], topicPolicy: { mode: 'specific', topic: names.topic }, format: 'avro-registry' },
      },
      'fmtreg',
    );
    const { page, close } = await consolePage(browser);
    try {
      await page.goto(`${testEnv.apiUrl}/tasks/${task.id}/setup?step=2`);
      await stepTitle(page, 2, 'Source and destination').waitFor();
      const destination = page.getByRole('group', { name: 'Destination Kafka' });
      const url = destination.getByLabel('Registry URL');
      await expect(url.inputValue()).resolves.toBe(dead);
      await expect(destination.getByLabel('Registry user name').isVisible()).resolves.toBe(true);
      await expect(destination.getByLabel('Registry password').isVisible()).resolves.toBe(true);

      await destination.getByRole('button', { name: 'Test destination connection' }).click();
      await destination.getByText(/Connection failed: .*127\.0\.0\.1:9/).waitFor({ timeout: 30_000 });
      await destination.getByText(/check destination\.schemaRegistry/).waitFor();

      await url.fill(registry.url);
      await destination.getByRole('button', { name: 'Test destination connection' }).click();
      await destination.getByText(/Connection succeeded: Kafka .*schema registry .* answers/).waitFor({ timeout: 30_000 });
      await screenshot(page, 'wizard-step-2-registry');
      // Next needs both connections tested.
      await page.getByRole('button', { name: 'Test source connection' }).click();
      await page.getByText(/Connection succeeded: PostgreSQL/).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Next', exact: true }).click();
      await waitFor('the registry saved', async () => ((await api.task(task.id)).destination.schemaRegistry?.url === registry.url ? true : undefined), 20_000);
    } finally {
      await close();
      await cleanUpTask(task.id);
      await dropTable(names.table);
    }
  });

  it('does not ask for a registry for the other formats', async () => {
    const names = await tableAndTopic();
    const task = await configuredTask({ policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: names.table }], topicPolicy: { mode: 'specific', topic: names.topic }, format: 'canal-json' } }, 'fmtreg');
    const { page, close } = await consolePage(browser);
    try {
      await page.goto(`${testEnv.apiUrl}/tasks/${task.id}/setup?step=2`);
      const destination = page.getByRole('group', { name: 'Destination Kafka' });
      await destination.getByText(/A schema registry is asked for here \(or at step 3, where the format is chosen\) when the message format is “Avro with a schema registry”/).waitFor();
      await expect(destination.getByLabel('Registry URL').count()).resolves.toBe(0);
    } finally {
      await close();
      await cleanUpTask(task.id);
      await dropTable(names.table);
    }
  });

  it('asks for the registry at step 3 when avro-registry is picked there and the destination has none: saved, tested, then Next (keyboard only)', async () => {
    const names = await tableAndTopic();
    const registry = testSchemaRegistry();
    const task = await configuredTask({ policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: names.table }], topicPolicy: { mode: 'specific', topic: names.topic } } }, 'fmtreg3');
    const { page, errors, close } = await consolePage(browser);
    try {
      await page.goto(`${testEnv.apiUrl}/tasks/${task.id}/setup?step=3`);
      await stepTitle(page, 3, 'Set task').waitFor();
      await page.getByLabel('Message format').focus();
      await page.getByLabel('Message format').selectOption('avro-registry');
      const group = page.getByRole('group', { name: 'Schema registry' });
      await group.getByText(/The destination has no schema registry yet/).waitFor();
      // Next waits for a tested registry, and says why.
      await expect(page.getByRole('button', { name: 'Next', exact: true }).isDisabled()).resolves.toBe(true);
      await page.getByText('Save and test the schema registry first: format “Avro with a schema registry” needs it.').waitFor();

      // From the format to the registry's fields by keyboard: a dead address first.
      await group.getByLabel('Registry URL').focus();
      await page.keyboard.type('http://127.0.0.1:9/apis/ccompat/v7');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await expect(page.evaluate('document.activeElement?.textContent')).resolves.toBe('Save and test the schema registry');
      await page.keyboard.press('Enter');
      await group.getByText(/Connection failed: .*127\.0\.0\.1:9/).waitFor({ timeout: 30_000 });
      await expect(page.getByRole('button', { name: 'Next', exact: true }).isDisabled()).resolves.toBe(true);

      await group.getByLabel('Registry URL').fill(registry.url);
      await group.getByRole('button', { name: 'Save and test the schema registry' }).press('Enter');
      await group.getByText(/Connection succeeded: Kafka .*schema registry .* answers/).waitFor({ timeout: 30_000 });
      await screenshot(page, 'wizard-step-3-registry');
      await page.getByRole('button', { name: 'Next', exact: true }).press('Enter');
      await waitFor('the format saved', async () => ((await api.task(task.id)).policy.format === 'avro-registry' ? true : undefined), 20_000);
      expect((await api.task(task.id)).destination.schemaRegistry?.url).toBe(registry.url);

      // Step 2 shows the registry that was saved at step 3.
      await page.goto(`${testEnv.apiUrl}/tasks/${task.id}/setup?step=2`);
      await expect(page.getByRole('group', { name: 'Destination Kafka' }).getByLabel('Registry URL').inputValue()).resolves.toBe(registry.url);
      expect(errors).toEqual([]);
    } finally {
      await close();
      await cleanUpTask(task.id);
      await dropTable(names.table);
    }
  });
});
