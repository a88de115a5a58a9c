// --scenario latency (issue 16 item 1): paced single-row transactions (default 5,000 rows/s for
// 60 s) committed with synchronous_commit = on, streamed by a Walbridge task into a topic with
// message.timestamp.type=LogAppendTime; latency = the broker's append time - the row's commit
// clock time, as p50/p95/p99/max. Halfway through, a 100,000-row transaction commits on another
// table of the same task (--big-tx-rows 0 leaves it out): the percentiles of the 10 s after its
// commit say how much it held the small ones back. The floors, measured in the same run with the
// same loader: pg_recvlogical (test_decoding) reading the changes as they come, and Kafka's
// producer tool at the same rate.
import { log } from '../lib/workspace.mjs';
import { dropSlotAndPublication } from './ceilings.mjs';
import { startTask } from './control-plane.mjs';
import { sampleMessages, taskInput, waitForAllMessages } from './end-to-end.mjs';
import { createLatencyTable, latenciesFromTopic, measureProducerLatency, percentiles, runPacedLoad, startRecvlogicalProbe } from './latency.mjs';
import { connectLoaders, cpuMicrosPerRow, cpuSnapshot, cpuUsage, startRssSampler } from './probes.mjs';
import { cpuNotes, runResult } from './report.mjs';
import { figure } from './summary.mjs';
import { createTopic, deleteTopics, mb, runTimed, sleep, waitUntil, workerPid } from './util.mjs';

/** Issue 16: p99 ≤ 15 ms at 5,000 rows/s, ≤ 50 ms at 25,000; ≤ 15 µs of worker CPU per row at 5,000. */
export const TARGETS = { p99Ms: (rate) => (rate <= 5_000 ? 15 : 50), cpuMicrosPerRow: 15, rssMb: 200 };
const FLOOR_SECONDS = 15;
const AFTER_BIG_TX_MS = 10_000;
/** One loader connection commits about this many single-row transactions a second on this machine. */
const ROWS_PER_LOADER = 5_000;

export async function latencyScenario(ctx) {
  const { config, source, admin, tasks, names, options, cleanup } = ctx;
  const { rate, seconds, bigTxRows } = options;
  const rows = rate * seconds;
  const loaderCount = Math.max(options.loaders, Math.ceil(rate / ROWS_PER_LOADER));
  const big = names.part('big');
  cleanup.defer(`drop slot ${names.slot} if the task left it`, () => dropSlotAndPublication(source, { slot: names.slot, publication: names.slot }));
  for (const table of [names.table, big.table]) {
    await createLatencyTable(source, table, config.postgres.demo.user);
    cleanup.defer(`drop table ${table}`, () => source.query(`DROP TABLE IF EXISTS ${table}`));
  }
  const loaders = await connectLoaders(ctx.sourceUrl, loaderCount, 'latency');
  cleanup.defer('close the loader connections', () => Promise.all(loaders.map((c) => c.end().catch(() => undefined))));

  // 1. The decoding floor: the same loader, pg_recvlogical reading the changes as they come.
  const floorRows = Math.min(rows, rate * FLOOR_SECONDS);
  await source.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [names.ceiling.slot]);
  cleanup.defer(`drop slot ${names.ceiling.slot}`, () => dropSlotAndPublication(source, names.ceiling));
  const probe = await startRecvlogicalProbe({ postgres: config.postgres, database: config.postgres.demo.database, slot: names.ceiling.slot });
  await sleep(1000); // connected and streaming before the first row
  await runPacedLoad(loaders, { table: names.table, rows: floorRows, rate });
  await waitUntil(`pg_recvlogical to print ${floorRows} rows`, async () => (probe.count() >= floorRows ? true : undefined), { timeoutMs: 120_000, everyMs: 100 });
  const decoding = percentiles(await probe.stop());
  await dropSlotAndPublication(source, names.ceiling);
  log(`decoding floor: p50 ${decoding.p50.toFixed(1)} ms, p99 ${decoding.p99.toFixed(1)} ms over ${decoding.count} rows`);

  // 2. Walbridge: the same load through a task capturing both tables.
  await createTopic(admin, names.topic, { 'message.timestamp.type': 'LogAppendTime' });
  cleanup.defer('delete the bench topics', () => deleteTopics(admin, [names.topic, names.perfTopic]));
  const input = taskInput({ name: `bench-${names.runId}`, config, tables: [names.table, big.table], topic: names.topic, slot: names.slot });
  const { task, stop: stopTask } = await startTask(tasks, input, cleanup);
  const worker = await waitUntil(`the worker process of task ${task.id}`, async () => workerPid(task.id) ?? undefined, { timeoutMs: 30_000 });
  log(`latency: ${rows.toLocaleString('en-US')} single-row transactions at ${rate.toLocaleString('en-US')} rows/s on ${loaderCount} connection(s)` +
    (bigTxRows ? `, a ${bigTxRows.toLocaleString('en-US')}-row transaction on ${big.table} after ${seconds / 2} s` : ''));
  const stopRss = startRssSampler(worker);
  const cpuBefore = cpuSnapshot({ ...ctx.pids, worker });
  const t0 = performance.now();
  let bigCommitMs = null;
  let bigStartMs = null;
  const bigTx = bigTxRows
    ? sleep((seconds / 2) * 1000).then(async () => {
      bigStartMs = Date.now();
      await source.query(`INSERT INTO ${big.table} (id, committed_us, payload) SELECT g, 0, repeat('y', 100) FROM generate_series(1, ${bigTxRows}) g`);
      bigCommitMs = Date.now();
    })
    : Promise.resolve();
  let loadSeconds;
  const load = Promise.all([runPacedLoad(loaders, { table: names.table, rows, rate, firstId: floorRows + 1 }).then((s) => (loadSeconds = s)), bigTx]);
  let peakRss;
  try {
    await waitForAllMessages({ admin, topic: names.topic, rows: rows + bigTxRows, t0, failed: load });
    await load;
  } finally {
    peakRss = stopRss();
  }
  const cpu = cpuUsage(cpuBefore, cpuSnapshot({ ...ctx.pids, worker }), (performance.now() - t0) / 1000);
  const workerAtEnd = workerPid(task.id);
  const samples = await latenciesFromTopic(config.kafka.brokers, names.topic, names.table, rows);
  const walbridge = percentiles(samples.map((s) => s.latencyMs));
  const beforeBig = bigStartMs === null ? null : percentiles(samples.filter((s) => s.committedMs < bigStartMs).map((s) => s.latencyMs));
  const afterBig = bigCommitMs === null ? null : percentiles(samples.filter((s) => s.committedMs >= bigCommitMs - 1000 && s.committedMs < bigCommitMs + AFTER_BIG_TX_MS).map((s) => s.latencyMs));
  const messages = await sampleMessages(config.kafka.brokers, names.topic, Math.min(rows, 1000));
  await stopTask();
  log(`walbridge: p50 ${walbridge.p50.toFixed(1)} ms, p99 ${walbridge.p99.toFixed(1)} ms, max ${walbridge.max.toFixed(1)} ms`);

  // 3. The producing floor: Kafka's producer tool at the same rate, records of the same size.
  await createTopic(admin, names.perfTopic);
  const producer = await measureProducerLatency({ stack: ctx.stack, topic: names.perfTopic, records: floorRows, recordSize: Math.round(messages.averageBytes), rate, runTimed });

  const target = { op: '<=', value: TARGETS.p99Ms(rate) };
  const ms = (key, label, value, extra = {}) => figure(key, label, value, { unit: 'ms', digits: 1, ...extra });
  const floorP99 = decoding.p99 + producer.p99;
  const figures = [
    figure('rate', 'offered rows/s (single-row tx)', rows / loadSeconds, { detail: `(${rows.toLocaleString('en-US')} rows asked at ${rate.toLocaleString('en-US')} rows/s, ${loaderCount} connection(s))` }),
    figure('messageBytes', 'avg Walbridge message (key + value)', messages.averageBytes, { unit: 'B' }),
    null,
    ms('p50Ms', 'commit → Kafka p50', walbridge.p50),
    ms('p95Ms', 'commit → Kafka p95', walbridge.p95),
    ms('p99Ms', 'commit → Kafka p99', walbridge.p99, { target }),
    ms('maxMs', 'commit → Kafka max', walbridge.max),
    ...(afterBig
      ? [
        ms('beforeBigTxP99Ms', 'p99 before the big tx', beforeBig.p99, { detail: `(${beforeBig.count} rows)` }),
        ms('bigTxP99Ms', `p99 within ${AFTER_BIG_TX_MS / 1000} s of the big tx`, afterBig.p99, { detail: `(${afterBig.count} rows committed 1 s before to 10 s after the ${bigTxRows.toLocaleString('en-US')}-row transaction on another table)` }),
        ms('bigTxMaxMs', `max within ${AFTER_BIG_TX_MS / 1000} s of the big tx`, afterBig.max),
      ]
      : []),
    figure('cpuMicrosPerRow', 'worker CPU per row', cpuMicrosPerRow(cpu, rows + bigTxRows), { unit: 'µs', digits: 1, ...(rate <= 5_000 ? { target: { op: '<=', value: TARGETS.cpuMicrosPerRow } } : {}) }),
    figure('workerPct', 'CPU: worker (100 % = 1 core)', cpu.workerPct, { unit: '%' }),
    figure('workerPeakRssMb', 'worker peak RSS', mb(peakRss), { unit: 'MB', digits: 1, target: { op: '<=', value: TARGETS.rssMb } }),
    figure('otherPct', 'CPU: everything else', cpu.otherPct, { unit: '%', detail: `(machine ${cpu.machineBusyPct} % of ${ctx.nproc * 100} %)` }),
    null,
    ms('decodingP50Ms', 'floor: pg_recvlogical p50', decoding.p50, { detail: `(${decoding.count} rows, same loader)` }),
    ms('decodingP99Ms', 'floor: pg_recvlogical p99', decoding.p99),
    ms('decodingMaxMs', 'floor: pg_recvlogical max', decoding.max),
    ms('producerP50Ms', 'floor: kafka producer-perf p50', producer.p50, { detail: `(${floorRows} x ${Math.round(messages.averageBytes)} B at ${rate} records/s)` }),
    ms('producerP99Ms', 'floor: kafka producer-perf p99', producer.p99),
    ms('producerMaxMs', 'floor: kafka producer-perf max', producer.max),
    ms('floorP99Ms', 'floor p99 (decoding + producing)', floorP99),
  ];
  const notes = cpuNotes(cpu, ctx.nproc);
  if (worker !== workerAtEnd) notes.push('the worker process changed during the run (a restart?)');
  if (rows / loadSeconds < rate * 0.9) notes.push(`the loader reached only ${Math.round(rows / loadSeconds)} of ${rate} rows/s: add --loaders`);
  return runResult({
    scenario: 'latency', nproc: ctx.nproc, options,
    load: `${rows.toLocaleString('en-US')} single-row transactions at ${rate.toLocaleString('en-US')} rows/s, synchronous_commit = on` + (bigTxRows ? `, one ${bigTxRows.toLocaleString('en-US')}-row transaction` : ''),
    figures, notes,
    details: { walbridge, beforeBigTransaction: beforeBig, afterBigTransaction: afterBig, decoding, producer, cpu },
  });
}
