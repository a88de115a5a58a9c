// --scenario snapshot (issue 13 item 9): N existing rows (default 1,000,000 of ~200 B) read by a
// full+incremental task into a 1-partition topic. Snapshot rows/s, from the first message to
// the last one in Kafka, beside the ceilings measured in the same run: COPY <table> TO STDOUT
// (what PostgreSQL hands out of the table) and Kafka's producer tool with messages of the
// snapshot's size. Target: at least 60 % of the smaller.
import { performance } from 'node:perf_hooks';
import { log } from '../lib/workspace.mjs';
import { dropSlotAndPublication, measureCopy, measureProducer } from './ceilings.mjs';
import { TASK_TIMEOUT_MS, startTask } from './control-plane.mjs';
import { createSourceTable, sampleMessages, taskInput, waitForAllMessages } from './end-to-end.mjs';
import { cpuMicrosPerRow, cpuSnapshot, cpuUsage, startRssSampler } from './probes.mjs';
import { cpuNotes, runResult } from './report.mjs';
import { figure } from './summary.mjs';
import { createTopic, deleteTopics, mb, messagesIn, sleep, waitUntil, workerPid } from './util.mjs';

export const TARGETS = { ceilingPct: 60, rssMb: 200 };
const LOAD_TX_ROWS = 100_000;

export async function snapshotScenario(ctx) {
  const { config, source, admin, tasks, names, options, cleanup } = ctx;
  const { rows, rowBytes } = options;
  cleanup.defer(`drop slot ${names.slot} if the task left it`, () => dropSlotAndPublication(source, { slot: names.slot, publication: names.slot }));
  await createSourceTable(source, names.table, rowBytes, config.postgres.demo.user);
  cleanup.defer(`drop table ${names.table}`, () => source.query(`DROP TABLE IF EXISTS ${names.table}`));
  const loadStarted = performance.now();
  for (let from = 1; from <= rows; from += LOAD_TX_ROWS) {
    await source.query(
      `INSERT INTO ${names.table} (id, payload) SELECT g, rpad(md5(g::text), ${rowBytes - 8}, md5((-g)::text)) FROM generate_series($1::bigint, $2::bigint) g`,
      [from, Math.min(rows, from + LOAD_TX_ROWS - 1)],
    );
  }
  // Statistics as a table that has been there a while has them: the chunk plan and the
  // progress estimate start from reltuples.
  await source.query(`VACUUM ANALYZE ${names.table}`);
  log(`loaded ${rows.toLocaleString('en-US')} existing rows in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);

  const copy = await measureCopy({ postgres: config.postgres, database: config.postgres.demo.database, table: names.table, rows });
  log(`COPY TO STDOUT: ${Math.round(copy.rowsPerSec).toLocaleString('en-US')} rows/s`);

  await createTopic(admin, names.topic);
  cleanup.defer('delete the bench topics', () => deleteTopics(admin, [names.topic, names.perfTopic]));
  const input = taskInput({ name: `bench-${names.runId}`, config, table: names.table, topic: names.topic, slot: names.slot, syncMode: 'full+incremental' });
  const submitted = performance.now();
  const { task, stop: stopTask } = await startTask(tasks, input, cleanup, { waitFor: null });
  const worker = await waitUntil(`the worker process of task ${task.id}`, async () => workerPid(task.id) ?? undefined, { timeoutMs: 30_000, everyMs: 20 });
  // The worker's start-up (module loading, slot creation) is in these CPU seconds: a fraction
  // of a µs per row at 1,000,000 rows.
  const stopRss = startRssSampler(worker);
  const measured = { ...ctx.pids, worker };
  const cpuBefore = cpuSnapshot(measured);
  // The API reports a rate only while the snapshot runs (0 once it completed): sampled meanwhile.
  const apiRate = sampleApiRate(tasks, task.id);
  let done;
  let peakRss;
  try {
    done = await waitForAllMessages({ admin, topic: names.topic, rows, t0: submitted, failed: watchFailure(tasks, task.id) });
  } finally {
    peakRss = stopRss();
    apiRate.stop();
  }
  const cpuAfter = cpuSnapshot(measured);
  // Asked before the task is stopped (afterwards no worker runs, which is not a restart).
  const workerAtEnd = workerPid(task.id);
  const seconds = (done.end - done.firstMessageAt) / 1000;
  const cpu = cpuUsage(cpuBefore, cpuAfter, (done.end - submitted) / 1000);
  const final = await tasks.waitForStatus(task.id, 'INCREMENTAL', TASK_TIMEOUT_MS);
  const progress = await tasks.snapshot(task.id);
  log(`snapshot: ${Math.round(rows / seconds).toLocaleString('en-US')} rows/s; task ${final.status}, backfill ${progress.status}`);
  const extra = (await messagesIn(admin, names.topic)) - rows;
  const messages = await sampleMessages(config.kafka.brokers, names.topic, Math.min(rows, 1000));
  await stopTask();

  await createTopic(admin, names.perfTopic);
  const producer = await measureProducer({ stack: ctx.stack, topic: names.perfTopic, records: Math.min(rows, 1_000_000), recordSize: Math.round(messages.averageBytes) });
  log(`producer-perf: ${Math.round(producer.recordsPerSec).toLocaleString('en-US')} records/s`);

  const snapshotRowsPerSec = rows / seconds;
  const ceiling = Math.min(copy.rowsPerSec, producer.recordsPerSec);
  const limitedBy = ceiling === copy.rowsPerSec ? 'COPY TO STDOUT' : 'kafka producer';
  const figures = [
    figure('messageBytes', 'avg snapshot message (key + value)', messages.averageBytes, { unit: 'B' }),
    null,
    figure('rowsPerSec', 'snapshot rows/s', snapshotRowsPerSec, { detail: `(${seconds.toFixed(2)} s, first → last message in Kafka)` }),
    figure('submitToAllSeconds', 'submit → all rows in Kafka', (done.end - submitted) / 1000, { unit: 's', digits: 2 }),
    figure('firstMessageMs', 'first message after submit', done.firstMessageAt - submitted, { unit: 'ms' }),
    figure('cpuMicrosPerRow', 'worker CPU per row', cpuMicrosPerRow(cpu, rows), { unit: 'µs', digits: 1 }),
    figure('workerPeakRssMb', 'worker peak RSS', mb(peakRss), { unit: 'MB', digits: 1, target: { op: '<=', value: TARGETS.rssMb } }),
    figure('workerPct', 'CPU: worker (100 % = 1 core)', cpu.workerPct, { unit: '%' }),
    figure('postgresAllPct', 'CPU: postgres', cpu.postgresAllPct, { unit: '%' }),
    figure('kafkaBrokerPct', 'CPU: kafka broker', cpu.kafkaBrokerPct, { unit: '%' }),
    figure('otherPct', 'CPU: everything else', cpu.otherPct, { unit: '%', detail: `(machine ${cpu.machineBusyPct} % of ${ctx.nproc * 100} %)` }),
    figure('apiRowsPerSecond', 'rows/s the API reported', apiRate.last(), { detail: '(GET …/snapshot while running, since the start)' }),
    null,
    figure('copyRowsPerSec', 'COPY TO STDOUT rows/s', copy.rowsPerSec, { detail: `(${copy.seconds.toFixed(2)} s)` }),
    figure('producerRecordsPerSec', 'kafka producer-perf records/s', producer.recordsPerSec, { detail: `(${producer.records} x ${producer.recordSize} B, ${producer.mbPerSec.toFixed(2)} MB/s)` }),
    figure('ceilingRowsPerSec', 'ceiling rows/s', ceiling, { detail: `(${limitedBy})` }),
    figure('copyRatioPct', 'snapshot / COPY TO STDOUT', (snapshotRowsPerSec / copy.rowsPerSec) * 100, { unit: '%', digits: 1 }),
    figure('producerRatioPct', 'snapshot / kafka producer-perf', (snapshotRowsPerSec / producer.recordsPerSec) * 100, { unit: '%', digits: 1 }),
    figure('ratioPct', 'snapshot / ceiling (the smaller)', (snapshotRowsPerSec / ceiling) * 100, { unit: '%', digits: 1, target: { op: '>=', value: TARGETS.ceilingPct } }),
  ];
  const notes = cpuNotes(cpu, ctx.nproc);
  if (extra > 0) notes.push(`${extra} messages more than rows: a chunk was re-sent (a worker restart?)`);
  if (worker !== workerAtEnd) notes.push('the worker process changed during the run (a restart?)');
  return runResult({
    scenario: 'snapshot', nproc: ctx.nproc, options,
    load: `${rows.toLocaleString('en-US')} existing rows of ~${rowBytes} B, task full+incremental`,
    figures, notes, details: { copy, producer, snapshot: progress, cpu, message: messages.example },
  });
}

/** Polls GET /tasks/{id}/snapshot while the snapshot runs; last() is the latest running rate it saw. */
function sampleApiRate(tasks, id) {
  let latest = null;
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      const view = await tasks.snapshot(id).catch(() => null);
      if (view?.status === 'running' && view.rowsPerSecond > 0) latest = view.rowsPerSecond;
      await sleep(500);
    }
  };
  const done = poll();
  return { stop: () => { stopped = true; return done; }, last: () => latest };
}

/** A promise that rejects when the task fails (so a failed snapshot ends the wait at once). */
function watchFailure(tasks, id) {
  return waitUntil(`task ${id} to fail`, async () => {
    const task = await tasks.get(id);
    if (task.status.endsWith('FAILED')) throw Object.assign(new Error(`task ${id} is ${task.status}: ${task.lastError ?? 'no error recorded'}`), { final: true });
    return task.status === 'COMPLETED' ? task : undefined;
  }, { timeoutMs: 60 * 60_000, everyMs: 1_000 });
}
