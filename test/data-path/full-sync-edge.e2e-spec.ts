import { afterAll, describe, expect, it } from 'vitest';
import type { BackfillView, TaskView } from '@walbridge/contracts';
import { KafkaFixture, createTopic, demoDestination, demoSource, sourceDb, testEnv, uniqueName, uniqueSlotName, waitFor, type ReadMessage } from '@walbridge/testing';
import { api, envelopeOf, onSource, stopTask, type Envelope } from './task-fixture';

/**
 * Issue 13, the edges of a full synchronization on the real stack: a table created later in a
 * database-level task arrives complete (its rows from before discovery took it come through a
 * backfill). Each check rebuilds the table from the topic and compares it with the source.
 */
const kafka = new KafkaFixture();
const started: string[] = [];
const schemas: string[] = [];
afterAll(async () => {
  for (const id of started) await stopTask(id).catch(() => undefined);
  for (const s of schemas) await onSource(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
});

type Row = Record<string, string | null>;

/** The table a consumer builds from the topic: last message per key wins, DELETE removes. */
function rebuild(messages: readonly ReadMessage[], table: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const e of messages.map(envelopeOf) as Envelope[]) {
    if (e.table !== table) continue;
    if (e.type === 'DELETE') rows.delete(e.data[0].id!);
    else rows.set(e.data[0].id!, e.data[0]);
  }
  return rows;
}

async function backfillsOf(taskId: string): Promise<BackfillView[]> {
  return (await api.request<{ items: BackfillView[] }>('GET', `/api/v1/tasks/${taskId}/backfills`)).body.items;
}

/** A database-level full+incremental task over a schema of its own, as the (non-superuser) demo role. */
async function startDatabaseTask(): Promise<{ task: TaskView; schema: string; topic: string }> {
  const schema = uniqueName('wbfe');
  const topic = uniqueName('wbtest_fe');
  schemas.push(schema);
  await onSource(
    `CREATE SCHEMA ${schema} AUTHORIZATION ${testEnv.sourceUser}`,
    `CREATE TABLE ${schema}.base (id int PRIMARY KEY, note text)`,
    `ALTER TABLE ${schema}.base OWNER TO ${testEnv.sourceUser}`,
    `INSERT INTO ${schema}.base SELECT g, 'base' FROM generate_series(1, 50) g`,
  );
  await createTopic(topic, 1);
  const task = await api.createTask({
    name: `e2e-${schema}`.slice(0, 50),
    source: demoSource(),
    destination: demoDestination(),
    policy: { slotName: uniqueSlotName(), objectScope: 'database', schemas: [schema], tables: [], topicPolicy: { mode: 'specific', topic }, syncMode: 'full+incremental' },
  });
  await api.passPrecheck(task.id);
  const submitted = await api.operate(task.id, 'submit');
  if (submitted.status !== 202) throw new Error(`submit failed: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  started.push(task.id);
  return { task: await api.waitForStatus(task.id, 'INCREMENTAL', 120_000), schema, topic };
}

describe('full synchronization edges', () => {
  it('a table created later in a database-level task arrives complete: rows from before discovery took it are backfilled', async () => {
    const { task, schema, topic } = await startDatabaseTask();
    // The role may not publish whole schemas, so the worker adds the table within seconds of its
    // creation: the rows written before then are not in the stream.
    await onSource(
      `CREATE TABLE ${schema}.late (id int PRIMARY KEY, note text)`,
      `ALTER TABLE ${schema}.late OWNER TO ${testEnv.sourceUser}`,
      `INSERT INTO ${schema}.late SELECT g, 'before' FROM generate_series(1, 3000) g`,
    );
    const backfill = await waitFor('the backfill of the new table to complete', async () => {
      const b = (await backfillsOf(task.id)).find((x) => x.kind === 'manual');
      return b?.status === 'completed' ? b : undefined;
    }, 90_000, 500);
    expect(backfill.tables).toMatchObject([{ schema, table: 'late', state: 'done' }]);
    expect(backfill.tables[0].rowsSent).toBeGreaterThanOrEqual(3000);
    // And the stream carries on for it.
    await onSource(
      `UPDATE ${schema}.late SET note = 'after' WHERE id <= 10`,
      `DELETE FROM ${schema}.late WHERE id BETWEEN 11 AND 20`,
      `INSERT INTO ${schema}.late VALUES (5000, 'marker')`,
    );
    const messages = await kafka.readUntil(topic, (all) => all.some((m) => envelopeOf(m).data[0].note === 'marker'), `the marker on ${topic}`, 60_000);
    const rebuilt = rebuild(messages, 'late');
    const client = await sourceDb();
    try {
      const { rows } = await client.query<Row>(`SELECT id::text, note FROM ${schema}.late ORDER BY id`);
      expect(rebuilt.size).toBe(rows.length);
      expect(rows.filter((r) => JSON.stringify(rebuilt.get(r.id!)) !== JSON.stringify(r)).slice(0, 5)).toEqual([]);
    } finally {
      await client.end();
    }
    // No "rows were not delivered" notice: they were.
    const notices = await api.request<{ items: { kind: string; title: string; body?: string }[] }>('GET', `/api/v1/notifications?taskId=${task.id}&limit=50`);
    expect(notices.body.items.filter((n) => n.kind === 'sourceTable')).toEqual([]);
  });
});
