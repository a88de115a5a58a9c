import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavedConnectionView } from '@walbridge/contracts';
import { demoDestination, demoSource, sharedKafka, sourceDb, uniqueName } from '@walbridge/testing';
import { api, envelopeOf, onSource, startTask, stopTask, type RunningTask } from './task-fixture';

type Row = Record<string, string | null>;

/**
 * Issue 15 feature 7, the data path: a task built only from saved connections (no settings, no
 * password in its body) streams like an inline one: the table rebuilt from the topic equals the
 * source.
 */
describe('a task built from saved connections', () => {
  let run: RunningTask<'a', 'main'>;
  let connections: SavedConnectionView[];

  beforeAll(async () => {
    connections = await Promise.all(
      [
        { type: 'source', name: uniqueName('e2e-src'), connection: demoSource() },
        { type: 'destination', name: uniqueName('e2e-dst'), connection: demoDestination() },
      ].map(async (body) => {
        const res = await api.request<SavedConnectionView>('POST', '/api/v1/connections', body);
        if (res.status !== 201) throw new Error(`create connection failed: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
      }),
    );
    run = await startTask<'a', 'main'>({
      tables: { a: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text, n numeric)` } },
      topics: { main: 1 },
      input: { source: { connectionId: connections[0].id }, destination: { connectionId: connections[1].id } } as never,
      policy: ({ tables, topics }) => ({ objectScope: 'tables', tables: [{ schema: 'shop', table: tables.a }], topicPolicy: { mode: 'specific', topic: topics.main } }),
    });
  });

  afterAll(async () => {
    if (run) await stopTask(run.task.id).catch(() => undefined);
  });

  it('streams INSERT, UPDATE and DELETE: the table rebuilt from the topic equals the source', async () => {
    expect(run.task.source).toMatchObject({ connectionId: connections[0].id, passwordSet: true });
    expect(run.task.destination).toMatchObject({ connectionId: connections[1].id });
    const t = run.qualified.a;
    await onSource(
      `INSERT INTO ${t} SELECT g, 'row ' || g, g * 1.5 FROM generate_series(1, 200) g`,
      `UPDATE ${t} SET v = 'changed', n = NULL WHERE id % 7 = 0`,
      `DELETE FROM ${t} WHERE id % 11 = 0`,
    );
    const db = await sourceDb();
    let expected: Row[];
    try {
      expected = (await db.query<Row>(`SELECT id::text, v, n::text FROM ${t} AS src ORDER BY src.id`)).rows;
    } finally {
      await db.end();
    }
    const changes = 200 + Math.floor(200 / 7) + Math.floor(200 / 11);
    const messages = (await sharedKafka().readTopic(run.topics.main, changes)).map(envelopeOf);
    const rebuilt = new Map<string, Row>();
    for (const m of messages) {
      if (m.type === 'DELETE') rebuilt.delete(m.data[0].id!);
      else rebuilt.set(m.data[0].id!, m.data[0]);
    }
    expect([...rebuilt.values()].sort((x, y) => Number(x.id) - Number(y.id))).toEqual(expected);
    // The connection names the task that uses it.
    const used = await api.request<SavedConnectionView>('GET', `/api/v1/connections/${connections[0].id}`);
    expect(used.body.usedBy.map((u) => u.id)).toContain(run.task.id);
  });
});
