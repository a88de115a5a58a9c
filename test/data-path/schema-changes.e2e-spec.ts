import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskLogPage } from '@walbridge/contracts';
import { createTopic, sharedKafka, sourceDb, uniqueName, waitFor } from '@walbridge/testing';
import { api, envelopeOf, onSource, startTask, stopTask, type Envelope, type RunningTask } from './task-fixture';

/**
 * Issue 12, the streaming side: schema changes of captured tables while the task keeps up and
 * while it lags (paused through the change, then resumed). Each table rebuilt from its topic
 * alone equals the source afterwards; what a consumer needs (keys, TRUNCATE, the new shape) is in
 * the messages, and the task log says what happened.
 *
 * The rebuild applies messages by the key each message names (`pkNames`, so a renamed key
 * column or a replica identity index is followed), keeps rows as values in column order (a
 * renamed column keeps its place), and compares with the source after padding rows written
 * before an added column and cutting the column dropped at the end.
 */
type Tables = 'trunc' | 'typ' | 'ren' | 'cols' | 'tbl' | 'ident' | 'full' | 'gone' | 'dropped' | 'skip' | 'done';
type Row = (string | null)[];

describe('schema changes while streaming and while lagging', () => {
  let run: RunningTask<Tables, 'main'>;
  let ddlTopic: string;
  let messages: Envelope[];
  let events: (Envelope & { changes: string[]; renamedFrom: string | null })[];
  let log: string[];
  let marker = 0;

  const endMarker = async () => {
    const n = ++marker;
    await onSource(`INSERT INTO ${run.qualified.done} VALUES (${n})`);
    return sharedKafka().readUntil(
      run.topics.main,
      (ms) => ms.some((m) => envelopeOf(m).table === run.tables.done && envelopeOf(m).data[0]?.id === String(n)),
      `end marker ${n}`,
      120_000,
    );
  };

  async function lagging(...statements: string[]): Promise<void> {
    expect((await api.operate(run.task.id, 'pause')).status).toBe(202);
    await api.waitForStatus(run.task.id, 'PAUSED', 90_000);
    await onSource(...statements);
    expect((await api.operate(run.task.id, 'resume')).status).toBe(202);
    await api.waitForStatus(run.task.id, 'INCREMENTAL', 90_000);
  }

  beforeAll(async () => {
    ddlTopic = uniqueName('wbtest_ddl');
    await createTopic(ddlTopic, 1);
    run = await startTask<Tables, 'main'>({
      tables: {
        trunc: { ddl: (q) => `CREATE TABLE ${q} (id serial PRIMARY KEY, v text)` },
        typ: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, flag boolean, n int, flag2 boolean)` },
        ren: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, a text)` },
        cols: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, a text, b text)` },
        tbl: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text)` },
        ident: { ddl: (q, s) => `CREATE TABLE ${q} (id int PRIMARY KEY, code text NOT NULL, v text, CONSTRAINT ident_code_${s} UNIQUE (code)); ALTER TABLE ${q} REPLICA IDENTITY USING INDEX ident_code_${s}` },
        full: { ddl: (q) => `CREATE TABLE ${q} (a text, b int); ALTER TABLE ${q} REPLICA IDENTITY FULL` },
        gone: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text)` },
        dropped: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text)` },
        skip: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text)` },
        done: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY)` },
      },
      topics: { main: 1 },
      policy: ({ tables, topics }) => ({
        objectScope: 'tables',
        tables: (Object.entries(tables) as [Tables, string][]).map(([k, table]) =>
          k === 'skip' ? { schema: 'shop', table, dmlOperations: ['INSERT', 'UPDATE', 'DELETE'] } : { schema: 'shop', table },
        ),
        topicPolicy: { mode: 'specific', topic: topics.main },
        partitionPolicy: 'zero',
        schemaChangeTopic: ddlTopic,
      }),
    });
    const q = run.qualified;
    const t = run.tables;

    // While the task keeps up.
    await onSource(
      `INSERT INTO ${q.trunc} (v) VALUES ('a'), ('b'), ('c')`,
      `TRUNCATE ${q.trunc}`,
      `INSERT INTO ${q.trunc} (v) VALUES ('d')`,
      `INSERT INTO ${q.typ} VALUES (1, true, 1, NULL), (2, false, 2, NULL)`,
      `ALTER TABLE ${q.typ} ALTER COLUMN flag TYPE text`,
      `INSERT INTO ${q.typ} VALUES (3, 'true', 3, NULL)`,
      `INSERT INTO ${q.ren} VALUES (1, 'x'), (2, 'y')`,
      `ALTER TABLE ${q.ren} RENAME COLUMN id TO key`,
      `UPDATE ${q.ren} SET a = 'x2' WHERE key = 1`,
      `INSERT INTO ${q.cols} VALUES (1, 'a', 'b')`,
      `ALTER TABLE ${q.cols} ADD COLUMN c text`,
      `INSERT INTO ${q.cols} VALUES (2, 'a', 'b', 'c')`,
      `INSERT INTO ${q.tbl} VALUES (1, 'before')`,
      `ALTER TABLE ${q.tbl} RENAME TO "${t.tbl}_r1"`,
      `INSERT INTO shop."${t.tbl}_r1" VALUES (2, 'after')`,
      `INSERT INTO ${q.ident} VALUES (1, 'c1', 'x'), (2, 'c2', 'y')`,
      `UPDATE ${q.ident} SET v = 'x2' WHERE id = 1`,
      `DELETE FROM ${q.ident} WHERE id = 2`,
      `INSERT INTO ${q.full} VALUES ('a', 1), ('b', 2), ('c', 3)`,
      `UPDATE ${q.full} SET b = 20 WHERE a = 'b'`,
      `DELETE FROM ${q.full} WHERE a = 'c'`,
      `INSERT INTO ${q.gone} VALUES (1, 'x'), (2, 'y')`,
      `INSERT INTO ${q.skip} VALUES (1, 'kept downstream')`,
      `TRUNCATE ${q.skip}`,
      `INSERT INTO ${q.dropped} VALUES (1, 'x'), (2, 'y')`,
      `DELETE FROM ${q.dropped} WHERE id = 1`,
      `DROP TABLE ${q.dropped}`,
    );
    await endMarker();
    // A table dropped while the task keeps up: the task log says so while it streams.
    await waitFor('the drop in the task log', async () => {
      const lines = (await api.request<TaskLogPage>('GET', `/api/v1/tasks/${run.task.id}/logs?limit=200`)).body.items.map((e) => e.message);
      return lines.find((l) => l.startsWith(`table shop.${t.dropped} (as selected) was dropped on the source`));
    }, 30_000, 500);

    // While it lags: paused through the changes, then resumed.
    await lagging(
      `INSERT INTO ${q.trunc} (v) VALUES ('e'), ('f')`,
      `TRUNCATE ${q.trunc} RESTART IDENTITY`,
      `INSERT INTO ${q.trunc} (v) VALUES ('g')`,
      `INSERT INTO ${q.typ} VALUES (4, 'false', 4, true)`,
      `ALTER TABLE ${q.typ} ALTER COLUMN flag TYPE boolean USING flag::boolean`,
      // boolean to text while lagging: the row before must still read 'true' (boolean's text), not 't'.
      `ALTER TABLE ${q.typ} ALTER COLUMN flag2 TYPE text`,
      `INSERT INTO ${q.typ} VALUES (5, true, 5, 'x')`,
      `INSERT INTO ${q.ren} VALUES (3, 'z')`,
      // An INSERT and a rename of the key in one transaction.
      `BEGIN; INSERT INTO ${q.ren} VALUES (4, 'w'); ALTER TABLE ${q.ren} RENAME COLUMN key TO k2; COMMIT`,
      `UPDATE ${q.ren} SET a = 'y2' WHERE k2 = 2`,
      `DELETE FROM ${q.ren} WHERE k2 = 3`,
      `INSERT INTO ${q.cols} VALUES (3, 'a', 'b', 'c3')`,
      `ALTER TABLE ${q.cols} DROP COLUMN c`,
      `INSERT INTO ${q.cols} VALUES (4, 'a', 'b')`,
      `UPDATE ${q.cols} SET a = 'a2' WHERE id = 2`,
      `ALTER TABLE shop."${t.tbl}_r1" RENAME TO "${t.tbl}_r2"`,
      `INSERT INTO shop."${t.tbl}_r2" VALUES (3, 'lagging')`,
      `INSERT INTO ${q.ident} VALUES (3, 'c3', 'z')`,
      `UPDATE ${q.ident} SET v = 'z2' WHERE id = 3`,
      `DELETE FROM ${q.ident} WHERE id = 1`,
      `INSERT INTO ${q.full} VALUES ('d', 4)`,
      `UPDATE ${q.full} SET b = 10 WHERE a = 'a'`,
      `DELETE FROM ${q.full} WHERE a = 'd'`,
      `UPDATE ${q.gone} SET v = 'y2' WHERE id = 2`,
      `DELETE FROM ${q.gone} WHERE id = 1`,
      `DROP TABLE ${q.gone}`,
    );
    messages = (await endMarker()).map(envelopeOf);
    events = (await sharedKafka().readUntil(ddlTopic, (ms) => ms.length >= 5, 'schema change events', 60_000)).map(
      (m) => JSON.parse(m.value) as Envelope & { changes: string[]; renamedFrom: string | null },
    );
    log = (await api.request<TaskLogPage>('GET', `/api/v1/tasks/${run.task.id}/logs?limit=200`)).body.items.map((e) => e.message);
  });

  afterAll(async () => {
    if (run) await stopTask(run.task.id).catch(() => undefined);
  });

  /** Names a table had (a renamed table's messages carry its name at the time). */
  const namesOf = (table: Tables) => (table === 'tbl' ? [run.tables.tbl, `${run.tables.tbl}_r1`, `${run.tables.tbl}_r2`] : [run.tables[table]]);
  const of = (table: Tables) => {
    const seen = new Set<string>();
    return messages.filter((e) => namesOf(table).includes(e.table) && !seen.has(e.id) && seen.add(e.id));
  };

  /** Applies a table's messages in order, each by the key it names. */
  function rebuild(table: Tables): Row[] {
    const rows = new Map<string, Row>();
    const keyOf = (e: Envelope, image: Record<string, string | null>) => {
      expect(e.pkNames.length, `${e.type} ${e.id} of ${table} names its key`).toBeGreaterThan(0);
      return JSON.stringify(e.pkNames.map((c) => image[c]));
    };
    for (const e of of(table)) {
      if (e.type === ('TRUNCATE' as Envelope['type'])) {
        rows.clear();
        continue;
      }
      if (e.type !== 'INSERT') {
        const key = keyOf(e, e.old![0]);
        expect(rows.has(key), `${e.type} ${e.id} of ${table} finds its row ${key}`).toBe(true);
        rows.delete(key);
      }
      if (e.type !== 'DELETE') rows.set(keyOf(e, e.data[0]), Object.values(e.data[0]));
    }
    return [...rows.values()];
  }

  async function sourceRows(qualifiedName: string): Promise<{ rows: Row[]; width: number }> {
    const db = await sourceDb();
    try {
      const cols = (
        await db.query(`SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [qualifiedName])
      ).rows.map((r) => r.attname as string);
      const { rows } = await db.query({ text: `SELECT ${cols.map((c) => `"${c}"::text`).join(', ')} FROM ${qualifiedName}`, rowMode: 'array' });
      return { rows: rows as Row[], width: cols.length };
    } finally {
      await db.end();
    }
  }

  const sorted = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();

  it.each<[Tables, string | null]>([
    ['trunc', null],
    ['typ', null],
    ['ren', null],
    ['cols', null],
    ['tbl', '_r2'],
    ['ident', null],
    ['full', null],
  ])('rebuilds %s from the topic exactly as the source holds it', async (table, renamed) => {
    const { rows, width } = await sourceRows(renamed ? `shop."${run.tables[table]}${renamed}"` : run.qualified[table]);
    const fit = (r: Row) => [...r, ...Array<null>(Math.max(0, width - r.length)).fill(null)].slice(0, width);
    expect(sorted(rebuild(table).map(fit))).toEqual(sorted(rows));
    expect(rows.length).toBeGreaterThan(0);
  });

  it('TRUNCATE is one message per table with its options, and the rebuilt copy is emptied', () => {
    const truncates = of('trunc').filter((e) => (e.type as string) === 'TRUNCATE') as (Envelope & { truncate: unknown })[];
    expect(truncates.map((e) => e.truncate)).toEqual([
      { cascade: false, restartIdentity: false },
      { cascade: false, restartIdentity: true },
    ]);
    expect(truncates[0]).toMatchObject({ data: [], old: null, pkNames: ['id'], isDdl: false });
    expect(rebuild('trunc').map((r) => r[1])).toEqual(['g']);
  });

  it('a TRUNCATE of a table whose operations leave it out is logged, not sent', () => {
    expect(of('skip').map((e) => e.type)).toEqual(['INSERT']);
    expect(log).toContainEqual(expect.stringMatching(new RegExp(`^TRUNCATE of shop\\.${run.tables.skip} \\(\\S+\\) skipped: TRUNCATE is not among the task's operations`)));
  });

  it('encodes every change with the types it was written with', () => {
    const typ = of('typ');
    expect(typ.map((e) => [e.data[0].id, e.data[0].flag, e.columnType.flag, e.data[0].flag2, e.columnType.flag2])).toEqual([
      ['1', 'true', 'boolean', null, 'boolean'],
      ['2', 'false', 'boolean', null, 'boolean'],
      ['3', 'true', 'text', null, 'boolean'],
      ['4', 'false', 'text', 'true', 'boolean'],
      ['5', 'true', 'boolean', 'x', 'text'],
    ]);
  });

  it('follows a renamed key column, even renamed in the transaction of an INSERT', () => {
    const ren = of('ren');
    expect(ren.map((e) => `${e.type}:${e.pkNames.join()}`)).toEqual([
      'INSERT:id',
      'INSERT:id',
      'UPDATE:key',
      'INSERT:key',
      'INSERT:key',
      'UPDATE:k2',
      'DELETE:k2',
    ]);
    expect(ren.map((e) => (e.type === 'DELETE' ? e.old![0] : e.data[0]))[4]).toEqual({ key: '4', a: 'w' });
  });

  it('follows a renamed table by identity, with the same topic, and says so in the task log', () => {
    expect(of('tbl').map((e) => `${e.table}:${e.data[0].id}`)).toEqual([`${run.tables.tbl}:1`, `${run.tables.tbl}_r1:2`, `${run.tables.tbl}_r2:3`]);
    expect(log).toContainEqual(expect.stringMatching(new RegExp(`^table shop\\.${run.tables.tbl} is now shop\\.${run.tables.tbl}_r1`)));
    expect(log).toContainEqual(expect.stringMatching(new RegExp(`^table shop\\.${run.tables.tbl}(_r1)? is now shop\\.${run.tables.tbl}_r2`)));
  });

  it('REPLICA IDENTITY USING INDEX and FULL without a key: old, key and pkNames follow the identity', () => {
    const del = of('ident').find((e) => e.type === 'DELETE')!;
    expect(del.pkNames).toEqual(['code']);
    expect(del.old![0]).toMatchObject({ code: 'c2' });
    const full = of('full').filter((e) => e.type !== 'INSERT');
    for (const e of full) expect(e.pkNames).toEqual(['a', 'b']);
    expect(full.find((e) => e.type === 'DELETE')!.old![0]).toEqual({ a: 'c', b: '3' });
  });

  it('delivers a table dropped while the task lagged with its keys, and logs the drop', () => {
    const gone = of('gone');
    expect(gone.map((e) => `${e.type}:${e.pkNames.join()}`)).toEqual(['INSERT:id', 'INSERT:id', 'UPDATE:id', 'DELETE:id']);
    expect(sorted(rebuild('gone'))).toEqual(sorted([['2', 'y2']]));
    expect(log).toContainEqual(expect.stringContaining(`table shop.${run.tables.gone} no longer exists on the source (dropped)`));
  });

  it('delivers a table dropped while the task kept up, with its keys', () => {
    expect(of('dropped').map((e) => `${e.type}:${e.pkNames.join()}`)).toEqual(['INSERT:id', 'INSERT:id', 'DELETE:id']);
    expect(rebuild('dropped')).toEqual([['2', 'y']]);
  });

  it('announces each new shape in the task log and as an isDdl message on the schema-change topic', () => {
    const changes = events.flatMap((e) => e.changes.map((c) => `${e.table}: ${c}`));
    expect(changes).toEqual(
      expect.arrayContaining([
        `${run.tables.typ}: column flag changed type from boolean to text`,
        `${run.tables.ren}: column id renamed to key`,
        `${run.tables.cols}: column c added (text)`,
        `${run.tables.tbl}_r1: table shop.${run.tables.tbl} renamed to shop.${run.tables.tbl}_r1`,
      ]),
    );
    const added = events.find((e) => e.table === run.tables.cols)!;
    expect(added).toMatchObject({ isDdl: true, type: 'DDL', columnType: { id: 'integer', a: 'text', b: 'text', c: 'text' }, data: [], old: null });
    expect(log).toContainEqual(`schema of shop.${run.tables.cols} changed: column c added (text)`);
  });
});
