import type { CreateTaskInput, TaskView } from '@walbridge/contracts';
import { ApiClient, createTopic, sourceDb, testEnv, uniqueName, uniqueSlotName } from '@walbridge/testing';

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
    source: {
      host: testEnv.pgHost,
      port: testEnv.pgPort,
      database: testEnv.sourceDatabase,
      username: testEnv.sourceUser,
      password: testEnv.sourcePassword,
    },
    destination: { brokers: testEnv.kafkaBrokers.join(',') },
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
