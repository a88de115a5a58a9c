import { afterAll, describe, expect, it } from 'vitest';
import type { NotificationPage, NotificationView, PrecheckRunView, TaskLogPage, TaskView } from '@walbridge/contracts';
import { createTopic, demoDestination, demoSource, sharedKafka, sourceDb, testEnv, uniqueName, uniqueSlotName, waitFor, type ReadMessage } from '@walbridge/testing';
import { api, envelopeOf, type Envelope } from './task-fixture';

/**
 * Issue 12 item 3: a database-level task sees tables created after its start. With a role that
 * may publish whole schemas (a superuser on PostgreSQL 15) the publication follows the schema, so
 * a new table is captured from its first row, even in the transaction that creates it. With any
 * other role the worker discovers new tables within seconds and adds them; when a table already
 * held rows by then, the log and a notice say so. Re-created and swapped-in tables are captured;
 * a table without a key is never silent. Each check rebuilds the table from the topic.
 */
type Row = Record<string, string | null>;

const readUntil = (topic: string, done: (m: ReadMessage[]) => boolean, what: string, timeoutMs?: number) => sharedKafka().readUntil(topic, done, what, timeoutMs);

interface DbTask {
  task: TaskView;
  schema: string;
  topic: string;
  run: PrecheckRunView;
}

const started: DbTask[] = [];

afterAll(async () => {
  for (const t of started) {
    const res = await api.operate(t.task.id, 'stop');
    if (res.status === 202) await api.waitUntilStopped(t.task.id).catch(() => undefined);
    await sql(`DROP SCHEMA IF EXISTS ${t.schema} CASCADE`).catch(() => undefined);
  }
});

async function sql(...statements: string[]): Promise<void> {
  const db = await sourceDb();
  try {
    for (const s of statements) await db.query(s);
  } finally {
    await db.end();
  }
}

async function query<R extends Row>(text: string): Promise<R[]> {
  const db = await sourceDb();
  try {
    return (await db.query<R>(text)).rows;
  } finally {
    await db.end();
  }
}

/** A schema of its own with one table, and a database-level task over it as the given role. */
async function startDatabaseTask(as: 'superuser' | 'demo'): Promise<DbTask> {
  const schema = uniqueName('wbnt');
  const topic = uniqueName('wbtest_nt');
  await sql(
    `CREATE SCHEMA ${schema} AUTHORIZATION ${testEnv.sourceUser}`,
    `CREATE TABLE ${schema}.base (id int PRIMARY KEY, note text)`,
    `ALTER TABLE ${schema}.base OWNER TO ${testEnv.sourceUser}`,
    `CREATE TABLE ${schema}.c (id int PRIMARY KEY, note text)`,
    `ALTER TABLE ${schema}.c OWNER TO ${testEnv.sourceUser}`,
    `INSERT INTO ${schema}.c VALUES (1, 'old c'), (2, 'old c')`,
  );
  await createTopic(topic, 1);
  const credentials = as === 'superuser' ? { username: testEnv.pgAdminUser, password: testEnv.pgAdminPassword } : { username: testEnv.sourceUser, password: testEnv.sourcePassword };
  const task = await api.createTask({
    name: `e2e-${schema}`.slice(0, 50),
    source: demoSource(credentials),
    destination: demoDestination(),
    policy: { slotName: uniqueSlotName(), objectScope: 'database', schemas: [schema], tables: [], topicPolicy: { mode: 'specific', topic } },
  });
  const run = await api.passPrecheck(task.id);
  const submitted = await api.operate(task.id, 'submit');
  if (submitted.status !== 202) throw new Error(`submit failed: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const streaming = await api.waitForStatus(task.id, 'INCREMENTAL', 90_000);
  const t = { task: streaming, schema, topic, run };
  started.push(t);
  return t;
}

const logsOf = async (id: string): Promise<string[]> => (await api.request<TaskLogPage>('GET', `/api/v1/tasks/${id}/logs?limit=200`)).body.items.map((e) => e.message);
const waitForLog = (id: string, what: string, pattern: RegExp) =>
  waitFor(what, async () => (await logsOf(id)).find((m) => pattern.test(m)), 60_000, 300);
const noticesOf = async (id: string): Promise<NotificationView[]> =>
  (await api.request<NotificationPage>('GET', `/api/v1/notifications?taskId=${id}&limit=100`)).body.items;

const lsnValue = (lsn: string) => {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
};

async function currentLsn(): Promise<bigint> {
  return lsnValue((await query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn'))[0].lsn!);
}

/** Applies the messages of the named tables (after an LSN) in order, by primary key. */
function rebuild(messages: ReadMessage[], tables: string[], after = 0n): Row[] {
  const rows = new Map<string, Row>();
  const seen = new Set<string>();
  for (const e of messages.map(envelopeOf) as Envelope[]) {
    if (!tables.includes(e.table) || lsnValue(e.lsn) <= after || seen.has(e.id)) continue;
    seen.add(e.id);
    if (e.type !== 'INSERT') rows.delete(e.old![0].id!);
    if (e.type !== 'DELETE') rows.set(e.data[0].id!, e.data[0]);
  }
  return sorted([...rows.values()]);
}

const sorted = (rows: Row[]) => rows.map((r) => ({ id: r.id, note: r.note })).sort((a, b) => Number(a.id) - Number(b.id));
const sourceRows = async (qualified: string) => sorted(await query(`SELECT id::text AS id, note FROM ${qualified}`));

/** Reads the topic until the rebuilt table equals the source (or fails with both). */
async function expectRebuiltEqualsSource(t: DbTask, table: string, names: string[] = [table], after = 0n): Promise<Row[]> {
  const expected = await sourceRows(`${t.schema}.${table}`);
  const messages = await readUntil(t.topic, (m) => JSON.stringify(rebuild(m, names, after)) === JSON.stringify(expected), `${t.schema}.${table} rebuilt from ${t.topic}`, 60_000).catch(
    async (error: Error) => {
      const got = rebuild(await readUntil(t.topic, () => true, 'anything', 10_000).catch(() => []), names, after);
      throw new Error(`${error.message}\nexpected ${JSON.stringify(expected)}\nrebuilt  ${JSON.stringify(got)}`);
    },
  );
  expect(rebuild(messages, names, after)).toEqual(expected);
  return expected;
}

describe('a database-level task whose role may publish the schema (superuser, PostgreSQL 15)', () => {
  let t: DbTask;

  it('publishes the schema and says so in the precheck and the log', async () => {
    t = await startDatabaseTask('superuser');
    const item = t.run.items.find((i) => i.key === 'new-tables')!;
    expect(item.result).toBe('PASSED');
    expect(item.reason).toContain(`FOR TABLES IN SCHEMA ${t.schema}`);
    await waitForLog(t.task.id, 'the publication log line', new RegExp(`publishes FOR TABLES IN SCHEMA ${t.schema}: tables created later are captured from their first row`));
    const ns = await query<{ nspname: string }>(
      `SELECT n.nspname FROM pg_publication_namespace pn JOIN pg_publication p ON p.oid = pn.pnpubid JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE p.pubname = '${t.task.slot.publication}'`,
    );
    expect(ns.map((r) => r.nspname)).toEqual([t.schema]);
  });

  it('captures a table created later from its first row, also rows written in the transaction that creates it', async () => {
    await sql(
      'BEGIN',
      `CREATE TABLE ${t.schema}.b (id int PRIMARY KEY, note text)`,
      `INSERT INTO ${t.schema}.b SELECT g, 'first ' || g FROM generate_series(1, 20) g`,
      'COMMIT',
      `UPDATE ${t.schema}.b SET note = 'changed' WHERE id <= 5`,
      `DELETE FROM ${t.schema}.b WHERE id > 15`,
    );
    expect(await expectRebuiltEqualsSource(t, 'b')).toHaveLength(15);
  });

  it('captures a table dropped and created again under its name, and one swapped in with RENAME', async () => {
    const beforeDrop = await currentLsn();
    await sql(
      `DROP TABLE ${t.schema}.base`,
      `CREATE TABLE ${t.schema}.base (id int PRIMARY KEY, note text)`,
      `INSERT INTO ${t.schema}.base SELECT g, 're-created' FROM generate_series(100, 110) g`,
    );
    expect(await expectRebuiltEqualsSource(t, 'base', ['base'], beforeDrop)).toHaveLength(11);

    const beforeSwap = await currentLsn();
    await sql(
      `CREATE TABLE ${t.schema}.c_new (id int PRIMARY KEY, note text)`,
      `INSERT INTO ${t.schema}.c_new SELECT g, 'swapped in' FROM generate_series(200, 205) g`,
      'BEGIN',
      `ALTER TABLE ${t.schema}.c RENAME TO c_old`,
      `ALTER TABLE ${t.schema}.c_new RENAME TO c`,
      'COMMIT',
      `INSERT INTO ${t.schema}.c SELECT g, 'after the swap' FROM generate_series(206, 210) g`,
      `UPDATE ${t.schema}.c SET note = 'updated after the swap' WHERE id = 200`,
    );
    // Its rows carry the name the table had when they were written.
    expect(await expectRebuiltEqualsSource(t, 'c', ['c_new', 'c'], beforeSwap)).toHaveLength(11);
  });

  it('warns in the log and with a notice of a table created without a key', async () => {
    await sql(`CREATE TABLE ${t.schema}.k (id int, note text)`);
    const line = await waitForLog(t.task.id, 'the keyless warning', new RegExp(`^table ${t.schema}\\.k has no primary key and no REPLICA IDENTITY FULL, and publication`));
    expect(line).toMatch(/UPDATE and DELETE on it fail on the source/);
    const notice = await waitFor('the keyless notice', async () => (await noticesOf(t.task.id)).find((n) => n.kind === 'sourceTable'), 30_000, 300);
    expect(notice).toMatchObject({ severity: 'warning', figures: { table: `${t.schema}.k`, event: 'keyless' } });
    expect(notice.runbook).toContain('REPLICA IDENTITY FULL');
  });
});

describe('a database-level task whose role may not publish the schema', () => {
  let t: DbTask;
  const owned = (table: string, ddl: string) => [ddl, `ALTER TABLE ${t.schema}.${table} OWNER TO ${testEnv.sourceUser}`];

  it('alarms in the precheck that new tables are only discovered, with the SQL a superuser runs instead', async () => {
    t = await startDatabaseTask('demo');
    const item = t.run.items.find((i) => i.key === 'new-tables')!;
    expect(item.result).toBe('ALARM');
    expect(item.reason).toMatch(/discovered within 5 s/);
    expect(item.suggestion).toContain(`FOR TABLES IN SCHEMA "${t.schema}"`);
  });

  it('adds a new empty table within seconds: captured from its first row', async () => {
    await sql(...owned('e', `CREATE TABLE ${t.schema}.e (id int PRIMARY KEY, note text)`));
    await waitForLog(t.task.id, 'the table to be added', new RegExp(`new table ${t.schema}\\.e was added to publication \\S+ while still empty`));
    await sql(
      `INSERT INTO ${t.schema}.e SELECT g, 'row ' || g FROM generate_series(1, 10) g`,
      `UPDATE ${t.schema}.e SET note = 'changed' WHERE id < 4`,
      `DELETE FROM ${t.schema}.e WHERE id = 10`,
    );
    expect(await expectRebuiltEqualsSource(t, 'e')).toHaveLength(9);
  });

  it('says when a table held rows before it was added (log and notice), and captures what follows', async () => {
    await sql('BEGIN', ...owned('f', `CREATE TABLE ${t.schema}.f (id int PRIMARY KEY, note text)`), `INSERT INTO ${t.schema}.f VALUES (1, 'early'), (2, 'early')`, 'COMMIT');
    const line = await waitForLog(t.task.id, 'the late-add warning', new RegExp(`new table ${t.schema}\\.f was added to publication \\S+ only now, and it already held rows`));
    expect(line).toMatch(/not delivered/);
    const notice = await waitFor('the late-add notice', async () => (await noticesOf(t.task.id)).find((n) => n.kind === 'sourceTable' && n.figures.event === 'addedLate'), 30_000, 300);
    expect(notice.figures.table).toBe(`${t.schema}.f`);
    const afterAdd = await currentLsn();
    await sql(`INSERT INTO ${t.schema}.f VALUES (3, 'later'), (4, 'later')`, `UPDATE ${t.schema}.f SET note = 'later too' WHERE id = 1`);
    const expected = (await sourceRows(`${t.schema}.f`)).filter((r) => r.id !== '2');
    const messages = await readUntil(t.topic, (m) => rebuild(m, ['f'], afterAdd).length === 3, 'the rows of f after it was added', 60_000);
    expect(rebuild(messages, ['f'], afterAdd)).toEqual(expected);
  });

  it('says so when a table created while the task was paused joins at the resume with rows', async () => {
    expect((await api.operate(t.task.id, 'pause')).status).toBe(202);
    await api.waitForStatus(t.task.id, 'PAUSED');
    await sql(...owned('g', `CREATE TABLE ${t.schema}.g (id int PRIMARY KEY, note text)`), `INSERT INTO ${t.schema}.g VALUES (1, 'while paused')`);
    expect((await api.operate(t.task.id, 'resume')).status).toBe(202);
    await api.waitForStatus(t.task.id, 'INCREMENTAL', 90_000);
    const line = await waitForLog(t.task.id, 'the warning at the resume', new RegExp(`^table ${t.schema}\\.g was added to publication \\S+ only now, and it already held rows`));
    expect(line).toMatch(/not delivered/);
    const afterResume = await currentLsn();
    await sql(`INSERT INTO ${t.schema}.g VALUES (2, 'after the resume')`);
    const messages = await readUntil(t.topic, (m) => rebuild(m, ['g'], afterResume).length === 1, 'the row of g after the resume', 60_000);
    expect(rebuild(messages, ['g'], afterResume)).toEqual([{ id: '2', note: 'after the resume' }]);
  });

  it('re-adds a table dropped and created again under its name', async () => {
    const beforeDrop = await currentLsn();
    await sql(`DROP TABLE ${t.schema}.base`, ...owned('base', `CREATE TABLE ${t.schema}.base (id int PRIMARY KEY, note text)`));
    await waitForLog(t.task.id, 'the re-created table to be added', new RegExp(`new table ${t.schema}\\.base was added to publication`));
    await sql(`INSERT INTO ${t.schema}.base SELECT g, 're-created' FROM generate_series(1, 5) g`);
    expect(await expectRebuiltEqualsSource(t, 'base', ['base'], beforeDrop)).toHaveLength(5);
  });

  it('leaves a keyless table out with a warning and a notice, and adds it once it has REPLICA IDENTITY FULL', async () => {
    await sql(...owned('k', `CREATE TABLE ${t.schema}.k (id int, note text)`));
    const line = await waitForLog(t.task.id, 'the keyless warning', new RegExp(`table ${t.schema}\\.k has no primary key and no REPLICA IDENTITY FULL: it is not captured`));
    expect(line).toMatch(/UPDATE and DELETE on it fail/);
    await waitFor('the keyless notice', async () => (await noticesOf(t.task.id)).find((n) => n.kind === 'sourceTable' && n.figures.event === 'keyless'), 30_000, 300);
    // Nothing failed on the source meanwhile: the table is not in the publication.
    await sql(`INSERT INTO ${t.schema}.k VALUES (1, 'x')`, `UPDATE ${t.schema}.k SET note = 'y'`);

    await sql(`ALTER TABLE ${t.schema}.k REPLICA IDENTITY FULL`);
    await waitForLog(t.task.id, 'the fixed table to be added', new RegExp(`table ${t.schema}\\.k, which now has a key, was added to publication`));
    const afterAdd = await currentLsn();
    await sql(`INSERT INTO ${t.schema}.k VALUES (2, 'captured')`);
    const messages = await readUntil(t.topic, (m) => rebuild(m, ['k'], afterAdd).length === 1, 'the row of k after it was added', 60_000);
    expect(rebuild(messages, ['k'], afterAdd)).toEqual([{ id: '2', note: 'captured' }]);
  });
});

describe('a table-level task whose selected table is dropped and created again', () => {
  it('adds the new table of that name to the publication and captures it', async () => {
    const schema = uniqueName('wbnt');
    const topic = uniqueName('wbtest_nt');
    await sql(
      `CREATE SCHEMA ${schema} AUTHORIZATION ${testEnv.sourceUser}`,
      `CREATE TABLE ${schema}.sel (id int PRIMARY KEY, note text)`,
      `ALTER TABLE ${schema}.sel OWNER TO ${testEnv.sourceUser}`,
    );
    await createTopic(topic, 1);
    const created = await api.createTask({
      name: `e2e-${schema}`.slice(0, 50),
      source: demoSource(),
      destination: demoDestination(),
      policy: { slotName: uniqueSlotName(), objectScope: 'tables', tables: [{ schema, table: 'sel' }], topicPolicy: { mode: 'specific', topic } },
    });
    const run = await api.passPrecheck(created.id);
    expect((await api.operate(created.id, 'submit')).status).toBe(202);
    const t: DbTask = { task: await api.waitForStatus(created.id, 'INCREMENTAL', 90_000), schema, topic, run };
    started.push(t);

    const beforeDrop = await currentLsn();
    await sql(
      `DROP TABLE ${schema}.sel`,
      `CREATE TABLE ${schema}.sel (id int PRIMARY KEY, note text)`,
      `ALTER TABLE ${schema}.sel OWNER TO ${testEnv.sourceUser}`,
    );
    await waitForLog(t.task.id, 'the re-created table to be added', new RegExp(`^selected table ${schema}\\.sel was added to publication \\S+ while still empty`));
    await sql(`INSERT INTO ${schema}.sel SELECT g, 'again' FROM generate_series(1, 4) g`, `DELETE FROM ${schema}.sel WHERE id = 4`);
    expect(await expectRebuiltEqualsSource(t, 'sel', ['sel'], beforeDrop)).toHaveLength(3);
  });
});
