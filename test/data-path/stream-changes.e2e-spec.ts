import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopic, sourceDb, waitFor, type ReadMessage } from '@walbridge/testing';
import { api, startStreamingTask, stopTask, type StreamingTask } from './task-fixture';

interface Envelope {
  id: string;
  database: string;
  schema: string;
  table: string;
  type: string;
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
}

describe('a row committed in PostgreSQL reaches Kafka through API → queue → scheduler → worker', () => {
  let ctx: StreamingTask;
  let messages: ReadMessage[];
  let envelopes: Envelope[];
  const startedAt = Date.now();

  beforeAll(async () => {
    ctx = await startStreamingTask({
      ddl: (t) => `CREATE TABLE ${t} (
        id bigint PRIMARY KEY, amount numeric(12,2), big bigint, placed_at timestamptz,
        attrs jsonb, tags text[], note text)`,
    });
    const db = await sourceDb();
    try {
      const t = `shop.${ctx.table}`;
      await db.query('BEGIN');
      await db.query(`INSERT INTO ${t} VALUES (1, 10.50, 9223372036854775807, '2026-01-02 03:04:05.123456+00', '{"a": [1, 2]}', '{x,"y z"}', 'first')`);
      await db.query(`INSERT INTO ${t} VALUES (2, 0.01, -1, NULL, NULL, NULL, NULL)`);
      await db.query('COMMIT');
      await db.query(`UPDATE ${t} SET amount = 99999999.99, note = 'second' WHERE id = 1`);
      await db.query('BEGIN');
      await db.query(`DELETE FROM ${t} WHERE id = 2`);
      await db.query(`INSERT INTO ${t} VALUES (3, 3.30, 3, now(), '[]', '{}', 'third')`);
      await db.query('COMMIT');
    } finally {
      await db.end();
    }
    messages = await readTopic(ctx.topic, 5);
    envelopes = messages.map((m) => JSON.parse(m.value) as Envelope);
  });

  afterAll(async () => {
    if (ctx) await stopTask(ctx.task.id).catch(() => undefined);
  });

  it('delivers each change once, in commit order', () => {
    expect(envelopes.map((e) => `${e.type}:${e.data[0].id}`)).toEqual(['INSERT:1', 'INSERT:2', 'UPDATE:1', 'DELETE:2', 'INSERT:3']);
    expect(new Set(envelopes.map((e) => e.id)).size).toBe(5);
    expect([...envelopes.map((e) => e.id)].sort()).toEqual(envelopes.map((e) => e.id));
  });

  it('builds ids from the commit LSN and the index in the transaction, also as the walbridge-id header', () => {
    const [first, second, update, del, third] = envelopes;
    expect(first.id).toMatch(/^[0-9A-F]{16}-00000000$/);
    expect(second.id).toBe(first.id.replace(/-00000000$/, '-00000001'));
    expect(update.id.endsWith('-00000000')).toBe(true);
    expect(del.id.slice(0, 16)).toBe(third.id.slice(0, 16));
    expect(third.id.endsWith('-00000001')).toBe(true);
    const [hi, lo] = first.lsn.split('/');
    expect(first.id.slice(0, 16)).toBe((BigInt(`0x${hi}`) * 2n ** 32n + BigInt(`0x${lo}`)).toString(16).toUpperCase().padStart(16, '0'));
    expect(messages.map((m) => m.headers['walbridge-id'])).toEqual(envelopes.map((e) => e.id));
  });

  it('keeps PostgreSQL text values exactly, with column types and the key', () => {
    const first = envelopes[0];
    expect(first).toMatchObject({
      database: 'demo',
      schema: 'shop',
      table: ctx.table,
      isDdl: false,
      sql: '',
      pkNames: ['id'],
      old: null,
    });
    expect(first.columnType).toEqual({
      id: 'bigint',
      amount: 'numeric(12,2)',
      big: 'bigint',
      placed_at: 'timestamp with time zone',
      attrs: 'jsonb',
      tags: 'text[]',
      note: 'text',
    });
    expect(first.data[0]).toEqual({
      id: '1',
      amount: '10.50',
      big: '9223372036854775807',
      placed_at: '2026-01-02 03:04:05.123456+00',
      attrs: '{"a": [1, 2]}',
      tags: '{x,"y z"}',
      note: 'first',
    });
    expect(envelopes[1].data[0]).toMatchObject({ id: '2', amount: '0.01', placed_at: null, attrs: null, tags: null });
    expect(messages[0].key).toBe('["1"]');
  });

  it('sends the update and delete with their old images and commit metadata', () => {
    const update = envelopes[2];
    expect(update.data[0]).toMatchObject({ id: '1', amount: '99999999.99', note: 'second' });
    const del = envelopes[3];
    expect(del.old?.[0]).toMatchObject({ id: '2' });
    for (const e of envelopes) {
      expect(e.es).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(e.ts).toBeGreaterThanOrEqual(e.es);
      expect(e.xid).toBeGreaterThan(0);
    }
    expect(envelopes[0].xid).toBe(envelopes[1].xid);
    expect(envelopes[3].xid).toBe(envelopes[4].xid);
  });

  it('shows the task streaming with its confirmed LSN advancing past the last commit', async () => {
    const lastLsn = envelopes[4].lsn;
    const toBig = (lsn: string) => {
      const [hi, lo] = lsn.split('/');
      return BigInt(`0x${hi}`) * 2n ** 32n + BigInt(`0x${lo}`);
    };
    const task = await waitFor('confirmed LSN to pass the last commit', async () => {
      const t = await api.task(ctx.task.id);
      return t.confirmedLsn && toBig(t.confirmedLsn) > toBig(lastLsn) ? t : undefined;
    });
    expect(task.status).toBe('INCREMENTAL');
    expect(task.source.passwordSet).toBe(true);
    expect(task.source).not.toHaveProperty('password');
  });

  it('stops: the worker ends and slot and publication are dropped', async () => {
    await stopTask(ctx.task.id);
    const db = await sourceDb();
    try {
      const slots = await db.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [ctx.slot]);
      const pubs = await db.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [ctx.slot]);
      expect(slots.rowCount).toBe(0);
      expect(pubs.rowCount).toBe(0);
    } finally {
      await db.end();
    }
  });
});
