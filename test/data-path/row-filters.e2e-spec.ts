import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateTaskInput, PrecheckRunView, TaskView } from '@walbridge/contracts';
import { demoDestination, demoSource, readTopic, sourceDb, uniqueSlotName } from '@walbridge/testing';
import { api, envelopeOf, onSource, startTask, stopTask, type Envelope, type RunningTask } from './task-fixture';

/**
 * F-FILTER end to end: per-table row filters evaluated by the worker on the image the source
 * sends (the new row of an UPDATE, the deleted row of a DELETE), per-table and task-level DML
 * operations, column include/exclude lists; and bad conditions refused when the task is written
 * (syntax, 400 with the position) or prechecked (against the table's columns).
 */
type Tables = 'orders' | 'events' | 'plain';

describe('row filters, operations and column lists', () => {
  let run: RunningTask<Tables, 'main'>;
  let byTable: Record<Tables, Envelope[]>;

  beforeAll(async () => {
    run = await startTask<Tables, 'main'>({
      before: (s) => [`CREATE TYPE shop.status_${s} AS ENUM ('new', 'paid', 'shipped', 'lost')`],
      tables: {
        orders: {
          ddl: (q, s) =>
            `CREATE TABLE ${q} (id bigint PRIMARY KEY, amount numeric(40,10), status shop.status_${s},
               placed timestamptz, note text, secret text); ALTER TABLE ${q} REPLICA IDENTITY FULL`,
        },
        events: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, kind text, payload text)` },
        plain: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text)` },
      },
      topics: { main: 1 },
      policy: ({ tables, topics }) => ({
        objectScope: 'tables',
        dmlOperations: ['INSERT', 'UPDATE'],
        tables: [
          {
            schema: 'shop',
            table: tables.orders,
            dmlOperations: ['INSERT', 'UPDATE', 'DELETE'],
            filter: `(amount >= 100.5 OR id = 9223372036854775807) AND status IN ('paid', 'shipped') AND placed > '2024-01-01 00:00:00+00' AND NOT note LIKE '%skip%'`,
            excludeColumns: ['secret', 'id'],
          },
          { schema: 'shop', table: tables.events, dmlOperations: ['INSERT', 'DELETE'], filter: `kind LIKE 'keep%' OR kind IS NULL`, includeColumns: ['kind'] },
          { schema: 'shop', table: tables.plain },
        ],
        topicPolicy: { mode: 'specific', topic: topics.main },
        partitionPolicy: 'zero',
      }),
    });
    const { orders, events, plain } = run.qualified;
    await onSource(
      // orders: only paid/shipped, amount >= 100.5 (or the largest bigint), placed in 2024 or later, note without "skip"
      `INSERT INTO ${orders} VALUES
         (1, 100.5, 'paid', '2024-06-01 10:00:00+02', 'ok', 's1'),
         (2, 100.4999999999, 'paid', '2024-06-01 10:00:00+02', 'ok', 's2'),
         (3, 500, 'new', '2024-06-01 10:00:00+02', 'ok', 's3'),
         (4, 500, 'shipped', '2023-12-31 23:59:59.999999+00', 'ok', 's4'),
         (5, 500, 'shipped', '2024-01-01 00:00:00.000001+00', 'please skip', 's5'),
         (6, 500, NULL, '2024-06-01 10:00:00+02', 'ok', 's6'),
         (9223372036854775807, 0.0000000001, 'paid', '2030-01-01 00:00:00+00', NULL, 's7')`,
      // note NULL on 9223372036854775807: NOT (NULL LIKE ...) is NULL, so it is filtered out
      `UPDATE ${orders} SET status = 'lost' WHERE id = 1`, // new row fails: not sent
      `UPDATE ${orders} SET status = 'shipped' WHERE id = 3`, // new row passes: sent as UPDATE
      `DELETE FROM ${orders} WHERE id = 3`, // full old image passes: sent
      `DELETE FROM ${orders} WHERE id = 2`, // full old image fails: not sent
      `INSERT INTO ${events} VALUES (1, 'keep-a', 'p1'), (2, 'drop', 'p2'), (3, NULL, 'p3')`,
      `UPDATE ${events} SET payload = 'x'`, // UPDATE is not among the table's operations
      `DELETE FROM ${events} WHERE id IN (1, 2)`, // key-only images: the filter cannot read kind, so both are sent
      `INSERT INTO ${plain} VALUES (1, 'a')`,
      `UPDATE ${plain} SET v = 'b'`,
      `DELETE FROM ${plain}`, // the task does not capture DELETE
      `INSERT INTO ${plain} VALUES (99, 'end')`,
    );
    const messages = (await readTopic(run.topics.main, 10)).map(envelopeOf);
    byTable = {
      orders: messages.filter((e) => e.table === run.tables.orders),
      events: messages.filter((e) => e.table === run.tables.events),
      plain: messages.filter((e) => e.table === run.tables.plain),
    };
  });

  afterAll(async () => {
    if (run) await stopTask(run.task.id).catch(() => undefined);
  });

  const summary = (es: Envelope[], key: string) => es.map((e) => `${e.type}:${e.data[0][key]}`);

  it('sends only the rows the condition holds for, judging UPDATE on the new row and DELETE on the deleted row', () => {
    expect(summary(byTable.orders, 'id')).toEqual(['INSERT:1', 'UPDATE:3', 'DELETE:3']);
  });

  it('keeps the indexes of filtered changes, so ids are those of an unfiltered task', () => {
    const [insert1, update3] = byTable.orders;
    expect(insert1.id.endsWith('-00000000')).toBe(true);
    expect(update3.id.endsWith('-00000000')).toBe(true);
  });

  it('sends the listed columns only, and always the key', () => {
    expect(byTable.orders[0].data[0]).toEqual({
      id: '1',
      amount: '100.5000000000',
      status: 'paid',
      placed: '2024-06-01 08:00:00+00',
      note: 'ok',
    });
    expect(Object.keys(byTable.orders[0].columnType)).toEqual(['id', 'amount', 'status', 'placed', 'note']);
    expect(byTable.orders[2].old).toEqual([{ id: '3', amount: '500.0000000000', status: 'shipped', placed: '2024-06-01 08:00:00+00', note: 'ok' }]);
    expect(byTable.events[0].data[0]).toEqual({ id: '1', kind: 'keep-a' });
  });

  it('applies per-table operations over the task’s, and sends DELETEs whose key-only image cannot be judged', () => {
    expect(summary(byTable.events, 'id')).toEqual(['INSERT:1', 'INSERT:3', 'DELETE:1', 'DELETE:2']);
    expect(summary(byTable.plain, 'id')).toEqual(['INSERT:1', 'UPDATE:1', 'INSERT:99']);
  });

  it('refuses a condition that does not parse when the task is written, naming field, position and reason', async () => {
    const base = (filter: string): CreateTaskInput => ({
      name: 'bad-filter-task',
      source: demoSource(),
      destination: demoDestination(),
      policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders', filter }], topicPolicy: { mode: 'specific', topic: 'walbridge-demo' } },
    });
    const res = await api.request<{ details: { field: string; message: string }[] }>('POST', '/api/v1/tasks', base(`amount > 1; DROP TABLE shop.orders`));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'policy.tables.0.filter', message: "invalid condition at position 11: unexpected character ';': conditions use column names, values, comparisons, AND/OR/NOT, IN, BETWEEN, LIKE and IS [NOT] NULL" }]);
    const created = await api.createTask(base('id > 1'));
    const patched = await api.request<{ details: { field: string; message: string }[] }>('PATCH', `/api/v1/tasks/${created.id}`, {
      policy: { tables: [{ schema: 'shop', table: 'orders', filter: "status = 'paid' AND (id > 1" }] },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.details[0].message).toMatch(/^invalid condition at position 28: expected '\)' to close the parenthesis opened at position 21/);
    await api.request('DELETE', `/api/v1/tasks/${created.id}`);
  });

  it('fails the precheck of a condition or column list that does not fit the table, with the position', async () => {
    const task: TaskView = await api.createTask({
      name: `filter-precheck-${run.suffix}`.slice(0, 50),
      source: demoSource(),
      destination: demoDestination(),
      policy: {
        slotName: uniqueSlotName(),
        objectScope: 'tables',
        tables: [{ schema: 'shop', table: run.tables.orders, filter: `status = 'refunded' OR Amount > 1`, includeColumns: ['note', 'Note'] }],
        topicPolicy: { mode: 'specific', topic: run.topics.main },
      },
    });
    try {
      const result: PrecheckRunView = await api.runPrecheck(task.id);
      const item = result.items.find((i) => i.key === 'table-settings')!;
      expect(item.result).toBe('FAILED');
      expect(item.reason).toContain(`includeColumns of shop.${run.tables.orders} names Note, which is not a column of the table`);
      expect(item.reason).toContain(`position 10: 'refunded' is not a value of its enum type for column status`);
    } finally {
      await api.request('DELETE', `/api/v1/tasks/${task.id}`);
    }
  });

  it('never ran the condition on the source: the tables are intact', async () => {
    const db = await sourceDb();
    try {
      expect((await db.query(`SELECT count(*)::int AS n FROM ${run.qualified.orders}`)).rows[0].n).toBe(5);
    } finally {
      await db.end();
    }
  });
});
