import type { ConnectionTestResult, CreateTaskInput, TaskView } from '@walbridge/contracts';
import { ApiClient, demoSource, sourceDb, testEnv, uniqueName, waitFor } from '@walbridge/testing';

export const api = new ApiClient();

export interface Envelope {
  type: string;
  table: string;
  data: Record<string, string | null>[];
  old: Record<string, string | null>[] | null;
}

/** A fresh table in the demo database (owned by the role tasks log in as); returns its name. */
export async function createSourceTable(): Promise<string> {
  const table = uniqueName('t');
  const db = await sourceDb();
  try {
    await db.query(`CREATE TABLE shop.${table} (id bigint PRIMARY KEY, note text)`);
    await db.query(`ALTER TABLE shop.${table} OWNER TO ${testEnv.sourceUser}`);
  } finally {
    await db.end();
  }
  return table;
}

/** An INSERT, an UPDATE and a DELETE, in three transactions. */
export async function writeChanges(run: (sql: string) => Promise<unknown>, table: string): Promise<void> {
  await run(`INSERT INTO ${table} VALUES (1, 'first')`);
  await run(`UPDATE ${table} SET note = 'second' WHERE id = 1`);
  await run(`DELETE FROM ${table} WHERE id = 1`);
}

/** `TYPE:id:note` per message; a DELETE carries only the key (REPLICA IDENTITY DEFAULT). */
export function summary(values: string[]): string[] {
  return values.map((value) => {
    const e = JSON.parse(value) as Envelope;
    const row = e.data[0] ?? {};
    return `${e.type}:${row.id}:${row.note ?? ''}`;
  });
}

export const EXPECTED_CHANGES = ['INSERT:1:first', 'UPDATE:1:second', 'DELETE:1:'];

/** A table-level task of one table into one existing topic; the slot name marks it as a test's. */
export function taskInput(options: {
  table: string;
  topic: string;
  source?: Partial<CreateTaskInput['source']>;
  destination: CreateTaskInput['destination'];
  schema?: string;
}): CreateTaskInput {
  return {
    name: `sec-${options.table}`.slice(0, 50),
    source: demoSource(options.source),
    destination: options.destination,
    policy: {
      slotName: uniqueName('wbtest'),
      objectScope: 'tables',
      tables: [{ schema: options.schema ?? 'shop', table: options.table }],
      topicPolicy: { mode: 'specific', topic: options.topic },
    },
  };
}

/** Create, pass the precheck as a user would, and submit. */
export async function createAndSubmit(input: CreateTaskInput): Promise<TaskView> {
  const task = await api.createTask(input);
  await api.passPrecheck(task.id);
  const submitted = await api.operate(task.id, 'submit');
  if (submitted.status !== 202) throw new Error(`submit failed: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  return task;
}

/** Creates the task and tests its saved connection to `target`, as the wizard's button does. */
export async function createAndTestConnection(input: CreateTaskInput, target: 'source' | 'destination'): Promise<ConnectionTestResult> {
  const task = await api.createTask(input);
  const res = await api.request<ConnectionTestResult>('POST', `/api/v1/tasks/${task.id}/test-connection?target=${target}`);
  if (res.status !== 200) throw new Error(`test-connection failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}


/** Normal stop: the slot and publication go with it. Quiet about tasks already stopped. */
export async function stopQuietly(id: string | undefined): Promise<void> {
  if (!id) return;
  const res = await api.operate(id, 'stop');
  if (res.status !== 202) return;
  await waitFor(`task ${id} to stop`, async () => {
    const task = await api.task(id);
    return ['COMPLETED', 'STOP_FAILED', 'CANCELLED'].includes(task.status) ? task : undefined;
  }, 90_000, 300).catch(() => undefined);
}
