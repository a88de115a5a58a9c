import type { CreateTaskInput, TaskView } from '@walbridge/contracts';
import { ApiClient, createTopic, demoDestination, demoSource, sourceDb, testEnv, uniqueName, uniqueSlotName } from '@walbridge/testing';


export const api = new ApiClient();

export interface StreamingTask {
  task: TaskView;
  topic: string;
  table: string;
  slot: string;
}

/**
 * Creates a table in the demo database and a topic, then a task for them through the API,
 * prechecks it (confirming its alarms) and submits it; resolves once the task streams. Every test gets its own names, so files can run
 * in parallel against the one shared stack.
 */
export async function startStreamingTask(options: {
  ddl: (table: string) => string;
  partitions?: number;
  override?: Partial<CreateTaskInput['policy']>;
}): Promise<StreamingTask> {
  const table = uniqueName('t');
  const topic = uniqueName('wbtest');
  const slot = uniqueSlotName();
  const db = await sourceDb();
  try {
    await db.query(options.ddl(`shop.${table}`));
    await db.query(`ALTER TABLE shop.${table} OWNER TO ${testEnv.sourceUser}`);
  } finally {
    await db.end();
  }
  await createTopic(topic, options.partitions ?? 1);
  const task = await api.createTask({
    name: `e2e-${table}`.slice(0, 50),
    source: demoSource(),
    destination: demoDestination(),
    policy: {
      slotName: slot,
      objectScope: 'tables',
      tables: [{ schema: 'shop', table }],
      topicPolicy: { mode: 'specific', topic },
      ...options.override,
    },
  });
  await api.passPrecheck(task.id);
  const submitted = await api.operate(task.id, 'submit');
  if (submitted.status !== 202) throw new Error(`submit failed: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const streaming = await api.waitForStatus(task.id, 'INCREMENTAL', 90_000);
  return { task: streaming, topic, table, slot };
}

export async function stopTask(id: string): Promise<TaskView> {
  const res = await api.operate(id, 'stop');
  if (res.status !== 202) throw new Error(`stop failed: ${res.status} ${JSON.stringify(res.body)}`);
  return api.waitForStatus(id, 'COMPLETED', 90_000);
}

export type TaskPolicyInput = Omit<CreateTaskInput['policy'], 'slotName'>;

export interface TaskSetup<T extends string, P extends string> {
  /** Tables to create in the demo database's shop schema: DDL for the quoted qualified name. */
  tables: Record<T, { name?: (suffix: string) => string; ddl: (qualified: string, suffix: string) => string }>;
  /** Topics to create beforehand, with their partition counts. */
  topics?: Record<P, number>;
  policy: (names: { tables: Record<T, string>; topics: Record<P, string> }) => TaskPolicyInput;
  /** Anything else of the task (retry windows...). */
  input?: Partial<Omit<CreateTaskInput, 'policy'>>;
  /** Statements run in the demo database before the tables (types...), with the run's unique suffix. */
  before?: (suffix: string) => string[];
  /** The suffix of every name (default: a fresh unique one), for names a test must know in advance. */
  suffix?: string;
  /** The status startTask waits for after the submit (default INCREMENTAL; FULL_SYNC for a full synchronization). */
  waitFor?: TaskView['status'];
}

export interface RunningTask<T extends string, P extends string> {
  task: TaskView;
  /** Table names (unquoted) and their quoted qualified names. */
  tables: Record<T, string>;
  qualified: Record<T, string>;
  topics: Record<P, string>;
  slot: string;
  suffix: string;
}

/** What startTask appends to every name it makes up: unique per call, lower case. */
export const uniqueSuffix = () => uniqueName('x').slice(2);

export const qualified = (table: string) => `shop."${table.replace(/"/g, '""')}"`;

/**
 * Several tables and topics of a test's own, one task over them through the API (precheck with
 * its alarms confirmed, submit); resolves once the task streams.
 */
export async function startTask<T extends string, P extends string = never>(setup: TaskSetup<T, P>): Promise<RunningTask<T, P>> {
  const suffix = setup.suffix ?? uniqueSuffix();
  const tables = Object.fromEntries(
    Object.entries(setup.tables).map(([k, t]) => [k, (t as { name?: (s: string) => string }).name?.(suffix) ?? `${k}_${suffix}`]),
  ) as Record<T, string>;
  const quoted = Object.fromEntries(Object.entries(tables).map(([k, n]) => [k, qualified(n as string)])) as Record<T, string>;
  const topics = Object.fromEntries(Object.keys(setup.topics ?? {}).map((k) => [k, `wbtest_${k}_${suffix}`])) as Record<P, string>;
  const db = await sourceDb();
  try {
    for (const sql of setup.before?.(suffix) ?? []) await db.query(sql);
    for (const [k, t] of Object.entries(setup.tables) as [T, { ddl: (q: string, s: string) => string }][]) {
      await db.query(t.ddl(quoted[k], suffix));
      await db.query(`ALTER TABLE ${quoted[k]} OWNER TO ${testEnv.sourceUser}`);
    }
  } finally {
    await db.end();
  }
  await Promise.all(Object.entries(setup.topics ?? {}).map(([k, partitions]) => createTopic(topics[k as P], partitions as number)));
  const slot = uniqueSlotName();
  const task = await api.createTask({
    name: `e2e-${suffix}`.slice(0, 50),
    source: demoSource(),
    destination: demoDestination(),
    ...setup.input,
    policy: { slotName: slot, ...setup.policy({ tables, topics }) },
  });
  await api.passPrecheck(task.id);
  const submitted = await api.operate(task.id, 'submit');
  if (submitted.status !== 202) throw new Error(`submit failed: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const streaming = await api.waitForStatus(task.id, setup.waitFor ?? 'INCREMENTAL', 90_000);
  return { task: streaming, tables, qualified: quoted, topics, slot, suffix };
}

/**
 * The common shape of a format test: one table `items` of the given DDL, one topic `main` of one
 * partition that takes it, and whatever else of the policy (format, options) the test sets.
 */
export function startOneTableTask(
  ddl: (qualified: string, suffix: string) => string,
  policy: Partial<TaskPolicyInput>,
  input?: TaskSetup<'items', 'main'>['input'],
): Promise<RunningTask<'items', 'main'>> {
  return startTask<'items', 'main'>({
    tables: { items: { ddl } },
    topics: { main: 1 },
    input,
    policy: ({ tables, topics }) => ({
      objectScope: 'tables',
      tables: [{ schema: 'shop', table: tables.items }],
      topicPolicy: { mode: 'specific', topic: topics.main },
      ...policy,
    }),
  });
}

/** Runs statements on the demo database as the superuser, one after the other. */
export async function onSource(...statements: string[]): Promise<void> {
  const db = await sourceDb();
  try {
    for (const sql of statements) await db.query(sql);
  } finally {
    await db.end();
  }
}

export interface Envelope {
  id: string;
  database: string;
  schema: string;
  table: string;
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  es: number;
  ts: number;
  xid: number;
  lsn: string;
  isDdl: boolean;
  sql: string;
  pkNames: string[];
  columnType: Record<string, string>;
  data: Record<string, string | null>[];
  old: Record<string, string | null>[] | null;
  unchangedToast?: string[] | null;
  /** A row read by a full synchronization or a backfill. */
  snapshot?: true;
}

export const envelopeOf = (m: { value: string }) => JSON.parse(m.value) as Envelope;
