import { expect } from 'vitest';
import type { Client } from 'pg';
import type { CreateTaskInput, TaskView } from '@walbridge/contracts';
import { ApiClient, KafkaFixture, parentPid, sourceDb, testEnv, uniqueName, uniqueSlotName, waitFor, workerPids, type DedicatedPostgres, type ReadMessage } from '@walbridge/testing';

/** A source database as a task sees it, plus a superuser connection for fixtures and assertions. */
export interface SourceTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  admin(): Promise<Client>;
}

export const sharedSource: SourceTarget = {
  host: testEnv.pgHost,
  port: testEnv.pgPort,
  database: testEnv.sourceDatabase,
  user: testEnv.sourceUser,
  password: testEnv.sourcePassword,
  admin: () => sourceDb(),
};

export function dedicatedSource(pg: DedicatedPostgres): SourceTarget {
  return {
    host: pg.host,
    port: pg.port,
    database: pg.demo.database,
    user: pg.demo.user,
    password: pg.demo.password,
    admin: () => pg.connect(pg.demo.database),
  };
}

export interface Fixture {
  api: ApiClient;
  kafka: KafkaFixture;
  source: SourceTarget;
}

export const sharedFixture = (api = new ApiClient()): Fixture => ({ api, kafka: new KafkaFixture(), source: sharedSource });

export interface LifecycleTask {
  id: string;
  table: string;
  topic: string;
  slot: string;
  fx: Fixture;
}

/** Runs SQL on the source as its superuser. */
export async function onSource<T>(source: SourceTarget, work: (db: Client) => Promise<T>): Promise<T> {
  const db = await source.admin();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

/**
 * A table `shop.<t> (id bigint primary key, payload text)`, a topic and a task for them; with
 * `start`, submitted and streaming. Names are unique, so files can run in parallel.
 */
export async function createTask(
  fx: Fixture,
  options: { start?: boolean; input?: (base: CreateTaskInput) => CreateTaskInput } = {},
): Promise<LifecycleTask> {
  const table = uniqueName('t');
  const topic = uniqueName('wbtest');
  const slot = uniqueSlotName();
  await onSource(fx.source, async (db) => {
    await db.query(`CREATE TABLE shop.${table} (id bigint PRIMARY KEY, payload text)`);
    await db.query(`ALTER TABLE shop.${table} OWNER TO ${fx.source.user}`);
  });
  await fx.kafka.createTopic(topic, 1);
  const base: CreateTaskInput = {
    name: `lc-${table}`.slice(0, 50),
    source: { host: fx.source.host, port: fx.source.port, database: fx.source.database, username: fx.source.user, password: fx.source.password },
    destination: { brokers: fx.kafka.brokers.join(',') },
    policy: { slotName: slot, objectScope: 'tables', tables: [{ schema: 'shop', table }], topicPolicy: { mode: 'specific', topic } },
  };
  const task = await fx.api.createTask(options.input ? options.input(base) : base);
  const created: LifecycleTask = { id: task.id, table, topic, slot, fx };
  if (options.start) await submitAndStream(created);
  return created;
}

export async function submitAndStream(task: LifecycleTask, timeoutMs = 90_000): Promise<TaskView> {
  await task.fx.api.passPrecheck(task.id);
  const submitted = await task.fx.api.operate(task.id, 'submit');
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
  return task.fx.api.waitForStatus(task.id, 'INCREMENTAL', timeoutMs);
}

/** Rows from..to (inclusive) in transactions of `perTx` rows. */
export async function insertRows(source: SourceTarget, table: string, from: number, to: number, perTx = 500): Promise<void> {
  await onSource(source, async (db) => {
    for (let start = from; start <= to; start += perTx) {
      await db.query(`INSERT INTO shop.${table} SELECT g, md5(g::text) FROM generate_series($1::bigint, $2::bigint) g`, [start, Math.min(to, start + perTx - 1)]);
    }
  });
}

/**
 * Inserts rows in small transactions until stopped, for a fault to hit a live stream. Inserts
 * that fail (the source is down) are retried with the same ids, so the rows that exist in the
 * source at the end are exactly 1..count().
 */
export function backgroundWriter(source: SourceTarget, table: string, rowsPerTx = 20, pauseMs = 50) {
  let next = 1;
  let stopped = false;
  let failures = 0;
  const done = (async () => {
    let db: Client | null = null;
    while (!stopped) {
      try {
        if (!db) {
          db = await source.admin();
          // An idle connection the server ends (restart) reports it as an event: the next insert retries.
          db.on('error', () => undefined);
        }
        await db.query(`INSERT INTO shop.${table} SELECT g, md5(g::text) FROM generate_series($1::bigint, $2::bigint) g`, [next, next + rowsPerTx - 1]);
        next += rowsPerTx;
      } catch {
        failures++;
        await db?.end().catch(() => undefined);
        db = null;
        // A commit whose acknowledgement was lost may have happened: do not insert those ids twice.
        next = await highestRow(source, table).then((max) => max + 1).catch(() => next);
        await sleep(250);
      }
      await sleep(pauseMs);
    }
    await db?.end().catch(() => undefined);
  })();
  return {
    /** Rows written so far. */
    count: () => next - 1,
    failures: () => failures,
    async stop(): Promise<number> {
      stopped = true;
      await done;
      return highestRow(source, table);
    },
  };
}

async function highestRow(source: SourceTarget, table: string): Promise<number> {
  return onSource(source, async (db) => Number((await db.query(`SELECT coalesce(max(id), 0) AS n FROM shop.${table}`)).rows[0].n));
}

export interface DeliveryReport {
  /** Row ids 1..rows with no message. */
  missing: number[];
  /** Messages of a row that repeat it under another id than its first copy (must never happen). */
  duplicatesWithNewIds: string[];
  duplicates: number;
}

/**
 * The comparison of test/data-path/worker-crash: every source row arrived, and a row that
 * arrived twice carries its first copy's id (a re-send from the confirmed LSN, not a new change).
 */
export function compareDelivery(messages: ReadMessage[], rows: number): DeliveryReport {
  const firstIdOfRow = new Map<string, string>();
  const duplicatesWithNewIds: string[] = [];
  let duplicates = 0;
  for (const m of messages) {
    const envelope = JSON.parse(m.value) as { id: string; data: { id: string }[] };
    const rowId = envelope.data[0].id;
    const seen = firstIdOfRow.get(rowId);
    if (seen === undefined) firstIdOfRow.set(rowId, envelope.id);
    else {
      duplicates++;
      if (seen !== envelope.id) duplicatesWithNewIds.push(`row ${rowId}: ${seen} then ${envelope.id}`);
    }
  }
  const missing: number[] = [];
  for (let id = 1; id <= rows; id++) if (!firstIdOfRow.has(String(id))) missing.push(id);
  return { missing, duplicatesWithNewIds, duplicates };
}

/** Reads a topic until every row 1..rows is there (or the timeout): duplicates make a count misleading. */
export async function readAllRows(fx: Fixture, topic: string, rows: number, timeoutMs = 180_000): Promise<DeliveryReport> {
  let messages: ReadMessage[] = [];
  try {
    messages = await fx.kafka.readUntil(topic, (m) => (messages = m).length >= rows && compareDelivery(m, rows).missing.length === 0, `rows 1..${rows} on ${topic}`, timeoutMs);
  } catch {
    // Report what is missing rather than a timeout.
  }
  return compareDelivery(messages, rows);
}

/** Reads the task's topic until every row 1..rows is there, then checks nothing was lost or re-labelled. */
export async function expectEveryRowDelivered(task: LifecycleTask, rows: number, timeoutMs = 180_000): Promise<DeliveryReport> {
  const report = await readAllRows(task.fx, task.topic, rows, timeoutMs);
  expect(report.missing.slice(0, 10), `${report.missing.length} rows missing`).toEqual([]);
  expect(report.duplicatesWithNewIds.slice(0, 10)).toEqual([]);
  return report;
}

/** The slot as PostgreSQL sees it, or null. */
export async function slotOnSource(source: SourceTarget, slot: string): Promise<{ active: boolean; confirmedFlushLsn: string | null } | null> {
  return onSource(source, async (db) => {
    const { rows } = await db.query('SELECT active, confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    return rows[0] ? { active: rows[0].active as boolean, confirmedFlushLsn: rows[0].lsn as string | null } : null;
  });
}

/** Leaves no slot behind: a never-started task is deleted, a live one stopped, a leftover slot dropped. */
export async function stopAndForget(fx: Fixture, id: string): Promise<void> {
  const task = await fx.api.task(id).catch(() => null);
  if (!task) return;
  if (task.status === 'COMPLETED' || task.status === 'STOP_FAILED') {
    // A force stop leaves the slot on the source: drop it, as an operator would.
    if (task.slot.leftover && (await fx.api.operate(id, 'drop-slot')).status === 202) {
      await waitFor(`the leftover slot of ${id} to be dropped`, async () => ((await fx.api.task(id)).pendingOperation === null ? true : undefined), 60_000).catch(
        () => undefined,
      );
    }
    return;
  }
  if (task.status === 'CONFIGURATION' && task.slot.exists !== true) {
    await fx.api.request('DELETE', `/api/v1/tasks/${id}`);
    return;
  }
  await fx.api.operate(id, 'stop');
  await waitFor(`task ${id} to stop`, async () => {
    const t = await fx.api.task(id);
    return t.status === 'COMPLETED' || t.status === 'STOP_FAILED' || t.status === 'CANCELLED' ? t : undefined;
  }, 90_000).catch(() => undefined);
}

export function lsnToBigInt(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return BigInt(`0x${hi}`) * 2n ** 32n + BigInt(`0x${lo}`);
}

/** Streaming tasks under background writers for fleet tests, watched for a task run twice. */
export interface WatchedTasks {
  tasks: LifecycleTask[];
  /** Rows written so far into each task's table (same order as tasks). */
  rowsWritten(): number[];
  /** The pid of the scheduler whose worker streams the task now; null while none does. */
  schedulerPidOf(taskId: string): number | null;
  /** Stops the writers; then every row of each task must be in its topic, and no task may ever have had two workers at once. */
  expectNothingLostNorRunTwice(): Promise<void>;
  /** For afterAll: stops the writers and the sampling, then each task (leaving no slot behind). */
  stopAll(): Promise<void>;
}

/** `count` tasks started one after the other, each with a background writer; workers are counted every 200 ms. */
export async function startWatchedTasks(fx: Fixture, count: number): Promise<WatchedTasks> {
  const tasks: LifecycleTask[] = [];
  for (let i = 0; i < count; i++) tasks.push(await createTask(fx, { start: true }));
  const writers = tasks.map((task) => backgroundWriter(fx.source, task.table));
  const mostWorkers = new Map<string, number>();
  const sampler = setInterval(() => {
    for (const task of tasks) mostWorkers.set(task.id, Math.max(mostWorkers.get(task.id) ?? 0, workerPids(task.id).length));
  }, 200);
  return {
    tasks,
    rowsWritten: () => writers.map((w) => w.count()),
    schedulerPidOf(taskId) {
      const pid = workerPids(taskId)[0];
      return pid ? parentPid(pid) : null;
    },
    async expectNothingLostNorRunTwice() {
      const rows = await Promise.all(writers.map((w) => w.stop()));
      clearInterval(sampler);
      for (const [i, task] of tasks.entries()) {
        const report = await expectEveryRowDelivered(task, rows[i]);
        console.log(`task ${i + 1}: ${rows[i]} rows, ${report.duplicates} re-sent`);
      }
      for (const task of tasks) expect(mostWorkers.get(task.id), `most workers of task ${task.id} at once`).toBe(1);
    },
    async stopAll() {
      clearInterval(sampler);
      await Promise.all(writers.map((w) => w.stop().catch(() => undefined)));
      for (const task of tasks) await stopAndForget(fx, task.id).catch(() => undefined);
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { waitFor };
