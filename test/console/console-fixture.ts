import type { Browser, Page } from 'playwright-core';
import type { CreateTaskInput, TaskView } from '@walbridge/contracts';
import { ApiClient, createTopic, demoDestination, demoSource, sourceDb, testEnv, uniqueName, uniqueSlotName } from '@walbridge/testing';
import { logIn } from './browser';

/*
 * What the console's browser tests share: tasks made through the API (their own table, topic and
 * slot, so files run in parallel), and a logged-in page per test that records script errors.
 */

export const api = new ApiClient();

export const connections = (): Pick<CreateTaskInput, 'source' | 'destination'> => ({
  source: demoSource(),
  destination: demoDestination(),
});

export async function sourceSql(sql: string, params: unknown[] = []): Promise<{ rows: Record<string, unknown>[] }> {
  const db = await sourceDb();
  try {
    return await db.query(sql, params);
  } finally {
    await db.end();
  }
}

/** A table of the demo shop owned by the test user, and a topic. */
export async function tableAndTopic(prefix = 't'): Promise<{ table: string; topic: string; slot: string }> {
  const table = uniqueName(prefix);
  const topic = uniqueName('wbtest');
  await sourceSql(`CREATE TABLE shop.${table} (id bigint PRIMARY KEY, note text, amount numeric(10,2))`);
  await sourceSql(`ALTER TABLE shop.${table} OWNER TO ${testEnv.sourceUser}`);
  await createTopic(topic);
  return { table, topic, slot: uniqueSlotName() };
}

export async function dropTable(table: string): Promise<void> {
  await sourceSql(`DROP TABLE IF EXISTS shop.${table}`).catch(() => undefined);
}

export function taskName(prefix: string): string {
  return `${prefix}-${uniqueName('x').slice(2).replace(/_/g, '-')}`.slice(0, 50);
}

/** A task in CONFIGURATION with a real table and topic (or the given policy). */
export async function configuredTask(input: Partial<CreateTaskInput> & { policy: CreateTaskInput['policy'] }, prefix = 'ui'): Promise<TaskView> {
  return api.createTask({ name: taskName(prefix), ...connections(), ...input });
}

/** Stops or deletes what a test left running, and its slot. */
export async function cleanUpTask(id: string | undefined): Promise<void> {
  if (!id) return;
  const task = await api.task(id).catch(() => null);
  if (!task || task.status === 'DELETED') return;
  if (task.status === 'CONFIGURATION') {
    await api.request('DELETE', `/api/v1/tasks/${id}`);
    return;
  }
  if (task.status !== 'COMPLETED') {
    await api.operate(id, 'stop');
    await api.waitForStatus(id, 'COMPLETED', 90_000).catch(() => undefined);
  }
  const after = await api.task(id).catch(() => null);
  if (after?.slot.leftover) await api.operate(id, 'drop-slot');
}

export interface ConsolePage {
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** A fresh browser context (no draft, no cookie), logged in as the runner's admin. */
export async function consolePage(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
  loggedIn = true,
  context_: { colorScheme?: 'light' | 'dark'; timezoneId?: string } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport, colorScheme: context_.colorScheme ?? 'light', timezoneId: context_.timezoneId });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) errors.push(message.text());
  });
  if (loggedIn) await logIn(page);
  return { page, errors, close: () => context.close() };
}

/** How far the page scrolls sideways (0 when nothing is wider than the screen). */
export async function sidewaysOverflow(page: Page, settleMs = 3000): Promise<number> {
  // Right after a viewport change, charts and tables re-measure on their next frames (a loaded
  // machine takes a while): a page that still overflows after settleMs really does.
  const deadline = Date.now() + settleMs;
  for (;;) {
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    if (overflow <= 0 || Date.now() >= deadline) return overflow;
    await new Promise((r) => setTimeout(r, 100));
  }
}
