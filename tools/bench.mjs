// `npm run bench`: PRODUCT.md §11's throughput benchmark, end to end and against the machine's
// own ceilings, in one run.
//
//   1. end to end: N rows (default 1,000,000, ~200 B each) committed in 200-row transactions,
//      streamed by a Walbridge task into a 1-partition topic; rows/s from the first commit to
//      the last message in Kafka, and the worker's peak RSS;
//   2. decoding ceiling: pg_recvlogical (pgoutput) over the same WAL, after the run;
//   3. producer ceiling: Kafka's ProducerPerformance with records of Walbridge's message size.
//
// Like `npm test` it installs, builds and brings the stack up (and stops it again only if it
// started it), with its own metadata database, api, scheduler and queue prefix, so it can run
// next to a test run. Options: npm run bench -- --help.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, buildAsync, installDependencies, loadStack, log, pgUrl } from './lib/workspace.mjs';
import { createCeilingSlot, dropSlotAndPublication, measureDecoding, measureProducer } from './bench/ceilings.mjs';
import { Cleanup } from './bench/cleanup.mjs';
import { TaskApi, startControlPlane } from './bench/control-plane.mjs';
import { createSourceTable, runEndToEnd, sampleMessages, taskInput } from './bench/end-to-end.mjs';
import { parseOptions } from './bench/options.mjs';
import { buildResult, printResult, writeResult } from './bench/report.mjs';
import { kafkajs, nproc, pg } from './bench/util.mjs';

const BENCH_DIR = join(REPO_ROOT, 'test-results', 'bench');
const RESULT_FILE = join(BENCH_DIR, 'result.json');
const TASK_TIMEOUT_MS = 120_000;

const cleanup = new Cleanup();

/** Every name this run creates carries the same id, so leftovers are easy to spot and drop. */
function namesFor(runId) {
  return {
    runId,
    table: `shop.bench_${runId}`,
    topic: `wbbench_${runId}`,
    perfTopic: `wbbench_perf_${runId}`,
    slot: `wbbench_${runId}`, // the task's publication has the slot's name
    ceiling: { slot: `wbbench_ceiling_${runId}`, publication: `wbbench_ceiling_${runId}` },
  };
}

async function main(options) {
  installDependencies();
  rmSync(BENCH_DIR, { recursive: true, force: true });
  mkdirSync(BENCH_DIR, { recursive: true });
  const names = namesFor(Math.floor(Date.now() / 1000));

  const stack = await bringUp(options);
  const config = stack.stackConfig();
  const sourceUrl = pgUrl(stack, config.postgres.demo.database);
  const source = await connectSource(sourceUrl);
  const admin = await connectKafkaAdmin(config.kafka.brokers);
  await dropLeftovers(source, admin);

  // Runs after the api and scheduler are gone: a slot the task could not drop must not pin WAL.
  cleanup.defer(`drop slot ${names.slot} if the task left it`, () => dropSlotAndPublication(source, { slot: names.slot, publication: names.slot }));
  const controlPlane = await startControlPlane(stack, { apiPort: options.apiPort, logDir: BENCH_DIR, runId: names.runId });
  cleanup.defer('stop the bench api and scheduler', controlPlane.stop, 60_000);

  await createSourceTable(source, names.table, options.rowBytes, config.postgres.demo.user);
  cleanup.defer(`drop table ${names.table}`, () => source.query(`DROP TABLE IF EXISTS ${names.table}`));
  await createTopic(admin, names.topic);
  cleanup.defer('delete the bench topics', () => deleteTopics(admin, [names.topic, names.perfTopic]));

  const tasks = new TaskApi(controlPlane.apiUrl, controlPlane.admin);
  const task = await tasks.create(taskInput({ name: `bench-${names.runId}`, config, table: names.table, topic: names.topic, slot: names.slot }));
  const stopTask = once(async () => {
    await tasks.stop(task.id);
    await tasks.waitForStatus(task.id, 'COMPLETED', TASK_TIMEOUT_MS);
    log(`task ${task.id} stopped (COMPLETED)`);
  });
  cleanup.defer(`stop task ${task.id}`, stopTask);
  await tasks.precheck(task.id, TASK_TIMEOUT_MS);
  await tasks.submit(task.id);
  await tasks.waitForStatus(task.id, 'INCREMENTAL', TASK_TIMEOUT_MS);
  log(`task ${task.id} is INCREMENTAL (slot ${names.slot}, topic ${names.topic})`);

  // Created before the load so that it sees exactly the WAL the task sees.
  const startLsn = await createCeilingSlot(source, { ...names.ceiling, table: names.table });
  const dropCeiling = once(() => dropSlotAndPublication(source, names.ceiling));
  cleanup.defer(`drop slot ${names.ceiling.slot}`, dropCeiling);

  const status = await stack.status();
  const endToEnd = await runEndToEnd({
    sourceUrl, admin, task, slot: names.slot, table: names.table, topic: names.topic, options,
    pids: { postmaster: status.services.postgres.pid, kafka: status.services.kafka.pid },
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
    stack, topic: names.perfTopic, records: Math.min(options.rows, 1_000_000), recordSize: Math.round(messages.averageBytes),
  });
  log(`producer-perf: ${Math.round(producer.recordsPerSec).toLocaleString('en-US')} records/s`);

  const result = buildResult({ options, nproc: nproc(), endToEnd, messages, decoding, producer });
  printResult(result);
  writeResult(RESULT_FILE, result);
  log(`result written to ${RESULT_FILE}`);
}

/** Brings the stack up (building meanwhile); registers its stop only if it was not already up. */
async function bringUp(options) {
  const stack = await loadStack();
  const before = await stack.status().catch(() => null);
  if (!before?.allUp && !process.env.WALBRIDGE_KEEP_STACK) {
    cleanup.defer('stop the stack (the bench started it)', () => stack.down(), 180_000);
  }
  await Promise.all([options.build ? buildAsync() : Promise.resolve(), stack.up({ quiet: false })]);
  return stack;
}

async function connectSource(url) {
  const { Client } = pg();
  const client = new Client({ connectionString: url, application_name: 'walbridge-bench' });
  await client.connect();
  client.on('error', () => undefined); // a lost connection surfaces through the next query
  cleanup.defer('close the source connection', () => client.end());
  return client;
}

async function connectKafkaAdmin(brokers) {
  const { Kafka, logLevel } = kafkajs();
  const admin = new Kafka({ clientId: 'walbridge-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  cleanup.defer('disconnect the kafka admin', () => admin.disconnect());
  return admin;
}

async function createTopic(admin, topic) {
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
}

async function deleteTopics(admin, topics) {
  const existing = new Set(await admin.listTopics());
  const doomed = topics.filter((t) => existing.has(t));
  if (doomed.length) await admin.deleteTopics({ topics: doomed, timeout: 30_000 });
}

/**
 * What an earlier, interrupted bench run left: slots pin WAL, tables and topics take disk.
 * Only inactive slots, and only names the benchmark uses.
 */
async function dropLeftovers(source, admin) {
  const slots = await source.query(
    "SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'wbbench\\_%' AND NOT active AND database = current_database()",
  );
  for (const { slot_name: slot } of slots.rows) await source.query('SELECT pg_drop_replication_slot($1)', [slot]);
  const pubs = await source.query("SELECT pubname FROM pg_publication WHERE pubname LIKE 'wbbench\\_%'");
  for (const { pubname } of pubs.rows) await source.query(`DROP PUBLICATION IF EXISTS "${pubname}"`);
  const tables = await source.query("SELECT tablename FROM pg_tables WHERE schemaname = 'shop' AND tablename ~ '^bench_[0-9]+$'");
  for (const { tablename } of tables.rows) await source.query(`DROP TABLE IF EXISTS shop."${tablename}"`);
  const topics = (await admin.listTopics()).filter((t) => /^wbbench_/.test(t));
  if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  const dropped = slots.rowCount + pubs.rowCount + tables.rowCount + topics.length;
  if (dropped) log(`dropped leftovers of an earlier bench run: ${slots.rowCount} slot(s), ${pubs.rowCount} publication(s), ${tables.rowCount} table(s), ${topics.length} topic(s)`);
}

/** Wraps an async step so that calling it again (e.g. from the cleanup) does nothing. */
function once(fn) {
  let promise;
  return () => (promise ??= fn());
}

// Ctrl-C or a kill still stops the task and drops the slots before exiting.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    cleanup.run().finally(() => process.exit(130));
  });
}

let exitCode = 0;
try {
  await main(parseOptions());
} catch (error) {
  exitCode = 1;
  console.error(`\nbench failed: ${error instanceof Error ? error.stack : error}`);
  try {
    mkdirSync(BENCH_DIR, { recursive: true });
    writeResult(RESULT_FILE, { date: new Date().toISOString(), error: error instanceof Error ? error.message : String(error) });
  } catch {
    // nothing more to report
  }
} finally {
  await cleanup.run();
}
process.exit(exitCode);
