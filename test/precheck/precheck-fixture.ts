import type { CreateTaskInput, PrecheckItemView, PrecheckRunView, TaskView } from '@walbridge/contracts';
import { ApiClient, createTopic, sourceDb, taskInput, testEnv, uniqueName } from '@walbridge/testing';

export const api = new ApiClient();

/** A task on the demo source with one table and one existing topic, unless told otherwise. */
export function demoTask(table: string, topic: string, override: Partial<CreateTaskInput> = {}, policy: Partial<CreateTaskInput['policy']> = {}): CreateTaskInput {
  return taskInput({
    name: uniqueName('pre').replace(/_/g, '-').slice(0, 50),
    policy: {
      slotName: uniqueName('wbtest'),
      objectScope: 'tables',
      tables: [{ schema: 'shop', table }],
      topicPolicy: { mode: 'specific', topic },
      ...policy,
    },
    ...override,
  });
}

/** Runs SQL as the superuser of the demo database. */
export async function demoSql(...statements: string[]): Promise<void> {
  const db = await sourceDb();
  try {
    for (const sql of statements) await db.query(sql);
  } finally {
    await db.end();
  }
}

/** A table owned by the demo role (as a user would set it up) and a topic for it. */
export async function demoTableAndTopic(ddl: (qualified: string) => string = (t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, note text)`): Promise<{ table: string; topic: string }> {
  const table = uniqueName('t');
  const topic = uniqueName('wbtest');
  await demoSql(ddl(`shop.${table}`), `ALTER TABLE shop.${table} OWNER TO ${testEnv.sourceUser}`);
  await createTopic(topic);
  return { table, topic };
}

export async function createdTask(input: CreateTaskInput): Promise<TaskView> {
  return api.createTask(input);
}

export function itemOf(run: PrecheckRunView, key: string): PrecheckItemView {
  const item = run.items.find((i) => i.key === key);
  if (!item) throw new Error(`no precheck item ${key} in ${run.items.map((i) => i.key).join(', ')}`);
  return item;
}

/** Result of every item, for compact assertions and readable failures. */
export function results(run: PrecheckRunView): Record<string, string> {
  return Object.fromEntries(run.items.map((i) => [i.key, i.result]));
}
