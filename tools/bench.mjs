// `npm run bench`: PRODUCT.md §11's and issue 16's benchmarks, each against the machine's own
// ceilings measured in the same run. `--scenario` picks one (tools/bench/scenario-*.mjs):
//
//   end-to-end (default)  N rows in 200-row transactions, rows/s beside pg_recvlogical and
//                         Kafka's producer tool;
//   snapshot              N existing rows read by a full+incremental task, beside COPY TO
//                         STDOUT of the same table and Kafka's producer tool;
//   control-plane         GET /api/v1/tasks over 1,000 tasks at 100 requests/s beside GET /health,
//                         and the precheck of a 20-table task beside a 1-table one;
//   many-tasks            30 tasks on one scheduler: idle RSS and CPU per worker, then 1,000 rows/s
//                         into each: CPU of all workers, µs per row, worst delay;
//   latency               paced single-row transactions with synchronous_commit = on, commit →
//                         Kafka append time percentiles beside pg_recvlogical's and the
//                         producer tool's, with one big transaction on another table halfway.
//
// `--repeat N` runs the scenario N times and prints the median and min-max of every figure.
// Like `npm test` it installs, builds and brings the stack up (and stops it again only if it
// started it), with its own metadata database, api, scheduler and queue prefix, so it can run
// next to a test run. Options: npm run bench -- --help.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, buildAsync, installDependencies, loadStack, log, pgUrl } from './lib/workspace.mjs';
import { Cleanup } from './bench/cleanup.mjs';
import { TaskApi, startControlPlane } from './bench/control-plane.mjs';
import { parseOptions } from './bench/options.mjs';
import { printRun, printSummary, summaryResult, writeResult } from './bench/report.mjs';
import { controlPlaneScenario } from './bench/scenario-control-plane.mjs';
import { endToEndScenario } from './bench/scenario-end-to-end.mjs';
import { latencyScenario } from './bench/scenario-latency.mjs';
import { manyTasksScenario } from './bench/scenario-many-tasks.mjs';
import { snapshotScenario } from './bench/scenario-snapshot.mjs';
import { kafkajs, nproc, pg } from './bench/util.mjs';

const BENCH_DIR = join(REPO_ROOT, 'test-results', 'bench');
const RESULT_FILE = join(BENCH_DIR, 'result.json');
const SCENARIOS = {
  'end-to-end': endToEndScenario,
  snapshot: snapshotScenario,
  'control-plane': controlPlaneScenario,
  'many-tasks': manyTasksScenario,
  latency: latencyScenario,
};

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
    /** More tables, topics and slots of the same run (the big transaction's table, many tasks'). */
    part: (suffix) => ({ table: `shop.bench_${runId}_${suffix}`, topic: `wbbench_${runId}_${suffix}`, slot: `wbbench_${runId}_${suffix}` }),
  };
}

async function main(options) {
  installDependencies();
  rmSync(BENCH_DIR, { recursive: true, force: true });
  mkdirSync(BENCH_DIR, { recursive: true });
  const baseId = Math.floor(Date.now() / 1000);

  const stack = await bringUp(options);
  const config = stack.stackConfig();
  const sourceUrl = pgUrl(stack, config.postgres.demo.database);
  const source = await connectSource(sourceUrl);
  const admin = await connectKafkaAdmin(config.kafka.brokers);
  await dropLeftovers(source, admin);

  const cpuProfDir = options.cpuProf ? join(BENCH_DIR, 'profiles') : null;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const controlPlane = await startControlPlane(stack, { apiPort: options.apiPort, logDir: BENCH_DIR, runId: baseId, cpuProfDir });
  cleanup.defer('stop the bench api and scheduler', controlPlane.stop, 60_000);
  const tasks = new TaskApi(controlPlane.apiUrl, controlPlane.admin);
  const status = await stack.status();
  const shared = {
    stack, config, sourceUrl, source, admin, tasks, options, nproc: nproc(), benchDir: BENCH_DIR,
    pids: { postmaster: status.services.postgres.pid, kafka: status.services.kafka.pid },
  };

  const runs = [];
  for (let index = 1; index <= options.repeat; index++) {
    // Each run has its own table, topic, slot and task, all dropped before the next run starts.
    const runCleanup = new Cleanup();
    cleanup.defer(`clean up run ${index}`, () => runCleanup.run(), 300_000);
    const names = namesFor(options.repeat > 1 ? `${baseId}${String(index).padStart(2, '0')}` : String(baseId));
    if (options.repeat > 1) log(`run ${index} of ${options.repeat} (${options.scenario})`);
    let result;
    try {
      result = await SCENARIOS[options.scenario]({ ...shared, names, cleanup: runCleanup });
    } finally {
      await runCleanup.run();
    }
    runs.push(result);
    printRun(result, { index, of: options.repeat });
  }
  const summary = options.repeat > 1 ? summaryResult(runs) : null;
  if (summary) printSummary(summary);
  if (cpuProfDir) log(`CPU profiles in ${cpuProfDir} (open in Chrome DevTools > Performance, or speedscope)`);
  writeResult(RESULT_FILE, summary ? { summary, runs } : runs[0]);
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
  const tables = await source.query("SELECT tablename FROM pg_tables WHERE schemaname = 'shop' AND tablename ~ '^bench_[0-9]+(_[a-z0-9]+)?$'");
  for (const { tablename } of tables.rows) await source.query(`DROP TABLE IF EXISTS shop."${tablename}"`);
  const topics = (await admin.listTopics()).filter((t) => /^wbbench_/.test(t));
  if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  const dropped = slots.rowCount + pubs.rowCount + tables.rowCount + topics.length;
  if (dropped) log(`dropped leftovers of an earlier bench run: ${slots.rowCount} slot(s), ${pubs.rowCount} publication(s), ${tables.rowCount} table(s), ${topics.length} topic(s)`);
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
