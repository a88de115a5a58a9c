// --scenario end-to-end (the default; PRODUCT.md §11 and issue 16 item 2):
//   1. N rows (default 1,000,000, ~200 B each) committed in 200-row transactions, streamed by a
//      Walbridge task into a 1-partition topic; rows/s from the first commit to the last message
//      in Kafka, the worker's CPU per row and peak RSS;
//   2. decoding ceiling: pg_recvlogical (pgoutput) over the same WAL, after the run;
//   3. producer ceiling: Kafka's ProducerPerformance with records of Walbridge's message size.
import { log } from '../lib/workspace.mjs';
import { createCeilingSlot, dropSlotAndPublication, measureDecoding, measureProducer } from './ceilings.mjs';
import { startTask } from './control-plane.mjs';
import { createSourceTable, runEndToEnd, sampleMessages, taskInput } from './end-to-end.mjs';
import { cpuMicrosPerRow } from './probes.mjs';
import { cpuNotes, runResult } from './report.mjs';
import { figure } from './summary.mjs';
import { createTopic, deleteTopics, once } from './util.mjs';

// Issue 16's targets (PRODUCT.md §11's F-PERF asks for 50,000 rows/s and 50 %).
export const TARGETS = { rowsPerSec: 90_000, ceilingPct: 60, cpuMicrosPerRow: 8, rssMb: 200 };

export async function endToEndScenario(ctx) {
  const { config, source, admin, tasks, names, options, cleanup } = ctx;
  cleanup.defer(`drop slot ${names.slot} if the task left it`, () => dropSlotAndPublication(source, { slot: names.slot, publication: names.slot }));
  await createSourceTable(source, names.table, options.rowBytes, config.postgres.demo.user);
  cleanup.defer(`drop table ${names.table}`, () => source.query(`DROP TABLE IF EXISTS ${names.table}`));
  await createTopic(admin, names.topic);
  cleanup.defer('delete the bench topics', () => deleteTopics(admin, [names.topic, names.perfTopic]));

  const { task, stop: stopTask } = await startTask(tasks, taskInput({ name: `bench-${names.runId}`, config, table: names.table, topic: names.topic, slot: names.slot }), cleanup);
  log(`task ${task.id} is INCREMENTAL (slot ${names.slot}, topic ${names.topic})`);

  // Created before the load so that it sees exactly the WAL the task sees.
  const startLsn = await createCeilingSlot(source, { ...names.ceiling, table: names.table });
  const dropCeiling = once(() => dropSlotAndPublication(source, names.ceiling));
  cleanup.defer(`drop slot ${names.ceiling.slot}`, dropCeiling);

  const endToEnd = await runEndToEnd({
    sourceUrl: ctx.sourceUrl, admin, task, slot: names.slot, table: names.table, topic: names.topic, options, pids: ctx.pids,
  });
  log(`end to end: ${Math.round(endToEnd.rowsPerSec).toLocaleString('en-US')} rows/s, worker peak RSS ${endToEnd.workerPeakRssMb.toFixed(1)} MB`);
  const messages = await sampleMessages(config.kafka.brokers, names.topic, Math.min(options.rows, 1000));
  log(`average Walbridge message: ${Math.round(messages.averageBytes)} bytes (key + value, ${messages.sampled} sampled)`);

  // The ceilings run one after the other on an otherwise idle machine (2 cores are easily shared away).
  await stopTask();
  const decoding = await measureDecoding({
    postgres: config.postgres, database: config.postgres.demo.database, ...names.ceiling,
    startLsn, endLsn: endToEnd.walEndLsn, rows: options.rows, source,
  });
  log(`pg_recvlogical: ${Math.round(decoding.rowsPerSec).toLocaleString('en-US')} rows/s`);
  await dropCeiling();

  await createTopic(admin, names.perfTopic);
  const producer = await measureProducer({
    stack: ctx.stack, topic: names.perfTopic, records: Math.min(options.rows, 1_000_000), recordSize: Math.round(messages.averageBytes),
  });
  log(`producer-perf: ${Math.round(producer.recordsPerSec).toLocaleString('en-US')} records/s`);
  return endToEndResult({ options, nproc: ctx.nproc, endToEnd, messages, decoding, producer });
}

/** The figures of one run: throughput, cost, both ceilings and the ratio to the smaller. */
export function endToEndResult({ options, nproc, endToEnd: e, messages, decoding, producer }) {
  const ceiling = Math.min(decoding.rowsPerSec, producer.recordsPerSec);
  const limitedBy = ceiling === decoding.rowsPerSec ? 'pg_recvlogical' : 'kafka producer';
  const ratioPct = (e.rowsPerSec / ceiling) * 100;
  const cpu = e.cpu;
  const figures = [
    figure('messageBytes', 'avg Walbridge message (key + value)', messages.averageBytes, { unit: 'B' }),
    null,
    figure('rowsPerSec', 'end to end rows/s', e.rowsPerSec, { detail: `(${e.seconds.toFixed(2)} s, first commit → all in Kafka)`, target: { op: '>=', value: TARGETS.rowsPerSec } }),
    figure('mbPerSec', 'end to end MB/s (Kafka bytes)', (e.rowsPerSec * messages.averageBytes) / 1024 / 1024, { digits: 1 }),
    figure('cpuMicrosPerRow', 'worker CPU per row', cpuMicrosPerRow(cpu, e.rows), { unit: 'µs', digits: 1, target: { op: '<=', value: TARGETS.cpuMicrosPerRow } }),
    figure('workerPeakRssMb', 'worker peak RSS', e.workerPeakRssMb, { unit: 'MB', digits: 1, target: { op: '<=', value: TARGETS.rssMb } }),
    figure('loadSeconds', 'load committed in', e.loadSeconds, { unit: 's', digits: 2, detail: `(${Math.round(options.rows / e.loadSeconds).toLocaleString('en-US')} rows/s offered)` }),
    figure('firstMessageMs', 'first message in Kafka after', e.firstMessageMs, { unit: 'ms' }),
    figure('workerPct', 'CPU: worker (100 % = 1 core)', cpu.workerPct, { unit: '%' }),
    figure('walsenderPct', 'CPU: walsender', cpu.walsenderPct, { unit: '%' }),
    figure('postgresAllPct', 'CPU: postgres incl. loader', cpu.postgresAllPct, { unit: '%' }),
    figure('kafkaBrokerPct', 'CPU: kafka broker', cpu.kafkaBrokerPct, { unit: '%' }),
    figure('otherPct', 'CPU: everything else', cpu.otherPct, { unit: '%', detail: `(machine ${cpu.machineBusyPct} % of ${nproc * 100} %)` }),
    null,
    figure('decodingRowsPerSec', 'pg_recvlogical rows/s', decoding.rowsPerSec, { detail: `(${decoding.seconds.toFixed(2)} s, ${decoding.walMbPerSec.toFixed(1)} MB/s of WAL)` }),
    figure('producerRecordsPerSec', 'kafka producer-perf records/s', producer.recordsPerSec, { detail: `(${producer.records} x ${producer.recordSize} B, ${producer.mbPerSec.toFixed(2)} MB/s)` }),
    figure('ceilingRowsPerSec', 'machine ceiling rows/s', ceiling, { detail: `(${limitedBy})` }),
    figure('ratioPct', 'end to end / ceiling', ratioPct, { unit: '%', digits: 1, target: { op: '>=', value: TARGETS.ceilingPct } }),
  ];
  const notes = cpuNotes(cpu, nproc);
  const offered = options.rows / e.loadSeconds;
  if (offered < e.rowsPerSec * 1.5) notes.unshift(`the load (${Math.round(offered)} rows/s) was not much faster than the pipeline: try --loaders 2 to measure the pipeline, not the load`);
  if (options.rows < 200_000) notes.push('fewer than 200,000 rows: start-up effects (JIT, batching warm-up) weigh on every figure');
  return runResult({
    scenario: 'end-to-end', nproc, options,
    load: `${options.rows.toLocaleString('en-US')} rows of ~${options.rowBytes} B in ${Math.ceil(options.rows / options.txRows).toLocaleString('en-US')} tx of ${options.txRows} rows`,
    figures, notes,
    details: { endToEnd: e, message: messages, decoding, producer, ceiling: { rowsPerSec: ceiling, limitedBy } },
  });
}
