import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, sharedKafka, sourceDb, type ReadMessage } from '@walbridge/testing';
import { api, onSource, startTask, stopTask, type Envelope, type RunningTask } from './task-fixture';

/**
 * F-FORMAT: Avro binary of the one schema kept in the repository and served by the API, and gzip
 * compression end to end. The topic accepts 20 kB per record batch: the 200 kB row below only
 * fits because the worker compresses it.
 */
describe('Avro messages, gzip compressed', () => {
  let run: RunningTask<'doc' | 'cut', 'main'>;
  let schema: avro.Schema;
  let messages: ReadMessage[];
  let decoded: Envelope[];
  const big = 'ab'.repeat(100_000);

  beforeAll(async () => {
    const res = await api.request<avro.Schema>('GET', '/api/v1/formats/avro-schema');
    expect(res.status).toBe(200);
    schema = res.body;
    run = await startTask<'doc' | 'cut', 'main'>({
      tables: {
        doc: { ddl: (q) => `CREATE TABLE ${q} (id bigint PRIMARY KEY, title text, body text, n numeric); ALTER TABLE ${q} ALTER COLUMN body SET STORAGE EXTERNAL` },
        cut: { ddl: (q) => `CREATE TABLE ${q} (id serial PRIMARY KEY, v text)` },
      },
      topics: { main: 1 },
      policy: ({ tables, topics }) => ({
        objectScope: 'tables',
        tables: [{ schema: 'shop', table: tables.doc }, { schema: 'shop', table: tables.cut }],
        topicPolicy: { mode: 'specific', topic: topics.main },
        format: 'avro',
        compression: 'gzip',
      }),
    });
    // Set after the start: the worker sizes its batches by it, and still sends a larger single
    // message, which only gzip brings below the limit.
    await sharedKafka().setTopicConfig(run.topics.main, { 'max.message.bytes': '20000' });
    const { doc } = run.qualified;
    await onSource(
      `INSERT INTO ${doc} VALUES (1, 'héllo "w"', NULL, 12345678901234567890.123456789)`,
      `INSERT INTO ${doc} VALUES (2, 'big', '${big}', 0)`,
      `UPDATE ${doc} SET title = 'big 2' WHERE id = 2`,
      `DELETE FROM ${doc} WHERE id = 1`,
      `INSERT INTO ${run.qualified.cut} (v) VALUES ('x')`,
      `TRUNCATE ${run.qualified.cut} RESTART IDENTITY CASCADE`,
    );
    messages = await sharedKafka().readTopic(run.topics.main, 6);
    const type = avro.Type.forSchema(schema);
    decoded = messages.map((m) => JSON.parse(JSON.stringify(type.fromBuffer(m.bytes))) as Envelope);
  });

  afterAll(async () => {
    if (run) await stopTask(run.task.id).catch(() => undefined);
  });

  it('serves the schema kept in the repository', () => {
    const file = JSON.parse(readFileSync(join(REPO_ROOT, 'libs/contracts/src/avro/walbridge-envelope.avsc'), 'utf8'));
    expect(schema).toEqual(file);
  });

  it('writes every message as Avro binary of that schema, with the JSON envelope’s content', () => {
    expect(decoded.slice(0, 4).map((e) => `${e.type}:${e.data[0].id}`)).toEqual(['INSERT:1', 'INSERT:2', 'UPDATE:2', 'DELETE:1']);
    expect(decoded[0]).toMatchObject({
      database: 'demo',
      schema: 'shop',
      table: run.tables.doc,
      isDdl: false,
      sql: '',
      pkNames: ['id'],
      columnType: { id: 'bigint', title: 'text', body: 'text', n: 'numeric' },
      data: [{ id: '1', title: 'héllo "w"', body: null, n: '12345678901234567890.123456789' }],
      old: null,
      unchangedToast: null,
    });
    expect(messages.map((m) => m.headers['walbridge-id'])).toEqual(decoded.map((e) => e.id));
    expect(messages[0].key).toBe('["1"]');
    // Unchanged TOAST value without an old image (REPLICA IDENTITY DEFAULT): named, not sent.
    expect(decoded[2]).toMatchObject({ data: [{ id: '2', title: 'big 2' }], old: [{ id: '2' }], unchangedToast: ['body'] });
    // A DELETE under REPLICA IDENTITY DEFAULT: the key is all the source sends.
    expect(decoded[3]).toMatchObject({ type: 'DELETE', data: [{ id: '1' }], old: [{ id: '1' }] });
  });

  it('writes a TRUNCATE as the TRUNCATE symbol with its options and no row (issue 12)', () => {
    expect(decoded.slice(4).map((e) => e.type)).toEqual(['INSERT', 'TRUNCATE']);
    expect(decoded[5]).toMatchObject({ table: run.tables.cut, data: [], old: null, pkNames: ['id'], truncate: { cascade: true, restartIdentity: true } });
    expect(decoded[4]).toMatchObject({ truncate: null });
    expect(messages[5].key).toBeNull();
  });

  it('compresses with gzip: a 200 kB row passes a topic that takes 20 kB batches, intact', async () => {
    expect(messages[1].bytes.length).toBeGreaterThan(200_000);
    expect(decoded[1].data[0].body).toBe(big);
    const db = await sourceDb();
    try {
      const { rows } = await db.query(`SELECT body FROM ${run.qualified.doc} WHERE id = 2`);
      expect(rows[0].body).toBe(decoded[1].data[0].body);
    } finally {
      await db.end();
    }
  });
});
