// Scenario 1, end to end: N rows committed in N/txRows transactions into a source table,
// streamed by a Walbridge task into a 1-partition topic. The clock runs from the first commit
// to the poll that first sees all N messages in Kafka.
import { performance } from 'node:perf_hooks';
import { log } from '../lib/workspace.mjs';
import { connectLoaders, cpuSnapshot, cpuUsage, slotPid, startRssSampler } from './probes.mjs';
import { kafkajs, mb, messagesIn, sleep, waitUntil, workerPid } from './util.mjs';

const POLL_MS = 100;
const STALL_MS = 60_000; // no new message for this long means the pipeline is stuck
const PROGRESS_LOG_MS = 5_000;

/** Every row is ~rowBytes of data: an 8-byte id plus a text payload of rowBytes - 8 characters. */
export async function createSourceTable(source, table, rowBytes, owner) {
  await source.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, payload text)`);
  // No TOAST compression even for large --row-bytes: the payload stays the size asked for.
  await source.query(`ALTER TABLE ${table} ALTER COLUMN payload SET STORAGE EXTERNAL`);
  await source.query(`ALTER TABLE ${table} OWNER TO ${owner}`);
  log(`source table ${table}: id bigint + payload text(${rowBytes - 8}) ≈ ${rowBytes} bytes a row`);
}

/**
 * The task input a user would post: these tables only (`table`, or `tables` for several), into
 * one specific topic; `syncMode` full+incremental reads the existing rows first.
 */
export function taskInput({ name, config, table, tables = [table], topic, slot, syncMode = 'incremental' }) {
  const { postgres, kafka } = config;
  return {
    name,
    description: 'walbridge benchmark (tools/bench.mjs)',
    source: {
      host: postgres.host,
      port: postgres.port,
      database: postgres.demo.database,
      username: postgres.demo.user,
      password: postgres.demo.password,
    },
    destination: { brokers: kafka.brokers },
    policy: {
      slotName: slot,
      objectScope: 'tables',
      tables: tables.map((t) => ({ schema: t.split('.')[0], table: t.split('.')[1] })),
      topicPolicy: { mode: 'specific', topic },
      syncMode,
    },
  };
}

/**
 * One DO block per loader connection, committing after every txRows rows; loader k of L takes
 * batches k, k+L, k+2L, ... so together they insert ids 1..rows exactly once.
 */
function loaderSql({ table, rows, txRows, rowBytes }, k, loaders) {
  const batches = Math.ceil(rows / txRows);
  const count = k < batches ? Math.floor((batches - 1 - k) / loaders) + 1 : 0;
  if (!count) return null;
  const payloadLength = rowBytes - 8;
  return `DO $bench$
DECLARE b bigint;
BEGIN
  FOR i IN 0..${count - 1} LOOP
    b := ${k} + i::bigint * ${loaders};
    INSERT INTO ${table} (id, payload)
      SELECT g, rpad(md5(g::text), ${payloadLength}, md5((-g)::text))
        FROM generate_series(b * ${txRows} + 1, least((b + 1) * ${txRows}, ${rows})) g;
    COMMIT;
  END LOOP;
END
$bench$`;
}

/**
 * Polls the topic's end offsets until it holds `rows` messages. Fails when nothing new arrives
 * for STALL_MS, when the whole run exceeds its budget, or as soon as `failed` rejects.
 */
export async function waitForAllMessages({ admin, topic, rows, t0, failed }) {
  const budgetMs = 120_000 + (rows / 2_000) * 1000; // slower than 2,000 rows/s is a failure anyway
  let last = 0;
  let lastChange = performance.now();
  let firstMessageAt = null;
  let lastLog = { at: t0, count: 0 };
  let failure;
  failed.catch((error) => { failure = error; });
  for (;;) {
    if (failure) throw failure;
    const count = await messagesIn(admin, topic);
    const now = performance.now();
    if (count > 0 && firstMessageAt === null) firstMessageAt = now;
    if (count >= rows) return { end: now, firstMessageAt, count };
    if (count !== last) {
      last = count;
      lastChange = now;
    } else if (now - lastChange > STALL_MS) {
      throw new Error(`no new message on ${topic} for ${STALL_MS / 1000} s (holds ${count} of ${rows})`);
    }
    if (now - t0 > budgetMs) throw new Error(`${topic} holds ${count} of ${rows} messages after ${Math.round(budgetMs / 1000)} s`);
    if (now - lastLog.at >= PROGRESS_LOG_MS) {
      const recent = Math.round(((count - lastLog.count) * 1000) / (now - lastLog.at));
      log(`  kafka holds ${count.toLocaleString('en-US')} / ${rows.toLocaleString('en-US')} (${recent.toLocaleString('en-US')} rows/s lately)`);
      lastLog = { at: now, count };
    }
    await sleep(POLL_MS);
  }
}

/**
 * Runs the load and measures it. `pids` names the processes whose CPU use is worth reporting
 * (postmaster, kafka broker); the worker and walsender pids are found here.
 */
export async function runEndToEnd({ sourceUrl, admin, task, slot, table, topic, options, pids }) {
  const { rows, txRows, rowBytes, loaders } = options;
  const worker = await waitUntil(`the worker process of task ${task.id}`, async () => workerPid(task.id) ?? undefined, { timeoutMs: 30_000 });
  const loaderClients = await connectLoaders(sourceUrl, loaders);
  try {
    const walsender = await slotPid(loaderClients[0], slot);
    const measured = { ...pids, worker, walsender };
    if (await messagesIn(admin, topic)) throw new Error(`${topic} is not empty before the load`);

    log(`end to end: ${rows.toLocaleString('en-US')} rows in ${Math.ceil(rows / txRows).toLocaleString('en-US')} transactions of ${txRows}, ` +
      `${loaders} loader connection(s); worker pid ${worker}, walsender pid ${walsender}`);
    const stopRss = startRssSampler(worker);
    const cpuBefore = cpuSnapshot(measured);
    const t0 = performance.now();
    let loadEnd;
    const load = Promise.all(
      loaderClients.map((client, k) => {
        const sql = loaderSql({ table, rows, txRows, rowBytes }, k, loaders);
        return sql ? client.query(sql) : null;
      }),
    ).then(() => {
      loadEnd = performance.now();
      log(`  load committed in ${((loadEnd - t0) / 1000).toFixed(1)} s`);
    });
    let done;
    let peakRss;
    try {
      done = await waitForAllMessages({ admin, topic, rows, t0, failed: load });
      await load; // every message arrived, so the load has committed: this only surfaces its errors
    } finally {
      peakRss = stopRss();
    }
    const cpuAfter = cpuSnapshot(measured);
    const seconds = (done.end - t0) / 1000;
    const { rows: [{ lsn }] } = await loaderClients[0].query('SELECT pg_current_wal_lsn()::text AS lsn');
    if (workerPid(task.id) !== worker) log('warning: the worker process changed during the run (a restart?)');
    if (done.count > rows) log(`warning: ${topic} holds ${done.count} messages for ${rows} rows (duplicates after a restart?)`);
    return {
      rows,
      seconds,
      rowsPerSec: rows / seconds,
      loadSeconds: (loadEnd - t0) / 1000,
      firstMessageMs: done.firstMessageAt === null ? null : done.firstMessageAt - t0,
      workerPid: worker,
      workerPeakRssMb: mb(peakRss),
      cpu: cpuUsage(cpuBefore, cpuAfter, seconds),
      walEndLsn: lsn,
    };
  } finally {
    await Promise.all(loaderClients.map((c) => c.end().catch(() => undefined)));
  }
}

/**
 * Average size (key + value bytes) of the first messages on the topic, i.e. what one Walbridge
 * JSON message weighs; the producer ceiling sends records of that size. Also returns one value.
 */
export async function sampleMessages(brokers, topic, want = 1000) {
  const { Kafka, logLevel } = kafkajs();
  const kafka = new Kafka({ clientId: 'walbridge-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const groupId = `walbridge-bench-sample-${topic}`;
  const consumer = kafka.consumer({ groupId });
  const sizes = [];
  let example = null;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (sizes.length >= want) return;
          sizes.push((m.key?.length ?? 0) + (m.value?.length ?? 0));
          example ??= { key: m.key?.toString() ?? null, value: m.value?.toString() ?? null };
        }
      },
    });
    await waitUntil(`${want} messages read back from ${topic}`, async () => (sizes.length >= want ? true : undefined), { timeoutMs: 60_000, everyMs: 100 });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
  return { averageBytes: sizes.reduce((a, b) => a + b, 0) / sizes.length, sampled: sizes.length, example };
}
