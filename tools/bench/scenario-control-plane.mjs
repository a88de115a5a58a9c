// --scenario control-plane (issue 16 item 6): the api under the load a console fleet puts on it.
//
//   1. `GET /api/v1/tasks` (the list page the console polls) with --api-tasks tasks in the
//      metadata database (default 1,000), at --api-rate requests/s (default 100) for
//      --api-seconds (default 30), paced by autocannon (a fixed overall rate, so a slow answer
//      does not hide the ones queued behind it). Target: p99 <= 50 ms. Beside it, the same load on
//      `GET /health` of the same process: the floor of Node, Nest and the loopback under this
//      machine's load, measured in the same run.
//   2. The precheck of a task of 20 tables (POST → every item decided), target <= 3 s; beside it
//      the precheck of a task of one table, the floor of the precheck's fixed costs (its
//      connections to PostgreSQL and Kafka, the queue round trip).
// The tasks are created through the API as a user would; they stay in CONFIGURATION (no slot,
// no worker), and vanish with the bench's own metadata database at the next run.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { log } from '../lib/workspace.mjs';
import { taskInput } from './end-to-end.mjs';
import { runResult } from './report.mjs';
import { figure } from './summary.mjs';
import { createTopic, deleteTopics, requireFromRoot } from './util.mjs';

export const TARGETS = { listP99Ms: 50, precheckSeconds: 3 };
const PRECHECK_TABLES = 20;
const CREATE_CONCURRENCY = 8;

export async function controlPlaneScenario(ctx) {
  const { config, source, admin, tasks, names, options, cleanup } = ctx;
  const { apiTasks, apiRate, apiSeconds } = options;

  const created = await ensureTasks(tasks, config, names, apiTasks);
  const authorization = await tasks.authorization();
  const apiUrl = tasks.base.replace(/\/api\/v1\/tasks$/, '');
  const list = await paced(`${apiUrl}/api/v1/tasks`, authorization, apiRate, apiSeconds);
  log(`GET /api/v1/tasks at ${apiRate}/s: p50 ${list.p50} ms, p99 ${list.p99} ms (${list.requests} requests, ${list.non2xx} not 2xx)`);
  const health = await paced(`${apiUrl}/health`, null, apiRate, Math.min(apiSeconds, 15));
  log(`GET /health at ${apiRate}/s: p50 ${health.p50} ms, p99 ${health.p99} ms`);

  await createTopic(admin, names.topic);
  cleanup.defer('delete the bench topic', () => deleteTopics(admin, [names.topic]));
  const tables = Array.from({ length: PRECHECK_TABLES }, (_, k) => names.part(`cp${k}`).table);
  for (const table of tables) {
    await source.query(`CREATE TABLE IF NOT EXISTS ${table} (id bigint PRIMARY KEY, note text)`);
    await source.query(`ALTER TABLE ${table} OWNER TO ${config.postgres.demo.user}`);
    cleanup.defer(`drop table ${table}`, () => source.query(`DROP TABLE IF EXISTS ${table}`));
  }
  const many = await timedPrecheck(tasks, taskInput({ name: `bench-cp-${names.runId}-20`, config, tables, topic: names.topic, slot: `${names.slot}_cp20` }));
  const one = await timedPrecheck(tasks, taskInput({ name: `bench-cp-${names.runId}-1`, config, tables: [tables[0]], topic: names.topic, slot: `${names.slot}_cp1` }));
  log(`precheck: ${PRECHECK_TABLES} tables ${many.toFixed(2)} s, 1 table ${one.toFixed(2)} s`);

  const figures = [
    figure('tasksInDatabase', 'tasks in the metadata database', created.total),
    figure('listRate', 'GET /tasks requests/s (paced)', list.rate, { digits: 1, detail: `(${list.requests} in ${apiSeconds} s, ${list.non2xx} not 2xx, ${list.errors} errors)` }),
    figure('listP50Ms', 'GET /tasks p50', list.p50, { unit: 'ms', digits: 1 }),
    figure('listP99Ms', 'GET /tasks p99', list.p99, { unit: 'ms', digits: 1, target: { op: '<=', value: TARGETS.listP99Ms } }),
    figure('listMaxMs', 'GET /tasks max', list.max, { unit: 'ms', digits: 1 }),
    figure('healthP99Ms', 'floor: GET /health p99, same rate', health.p99, { unit: 'ms', digits: 1, detail: `(p50 ${health.p50} ms)` }),
    null,
    figure('precheckSeconds', `precheck of ${PRECHECK_TABLES} tables`, many, { unit: 's', digits: 2, target: { op: '<=', value: TARGETS.precheckSeconds } }),
    figure('precheckOneSeconds', 'floor: precheck of 1 table', one, { unit: 's', digits: 2 }),
  ];
  const notes = [];
  if (list.non2xx || list.errors) notes.push(`${list.non2xx + list.errors} list requests did not answer 2xx: see test-results/bench/api.log`);
  if (created.made) notes.push(`${created.made} tasks created through the API for this run (${created.seconds.toFixed(1)} s)`);
  return runResult({
    scenario: 'control-plane', nproc: ctx.nproc, options,
    load: `${created.total.toLocaleString('en-US')} tasks, ${apiRate} list requests/s for ${apiSeconds} s (load average ${loadavg()[0].toFixed(1)} on ${ctx.nproc} cores)`,
    figures, notes, details: { list, health, precheck: { tables: PRECHECK_TABLES, seconds: many, oneTableSeconds: one } },
  });
}

/** Tops the metadata database up to `wanted` tasks (a repeat run finds those of the run before). */
async function ensureTasks(tasks, config, names, wanted) {
  const started = performance.now();
  const existing = (await tasks.page('pageSize=1')).total;
  const missing = Math.max(0, wanted - existing);
  let next = 0;
  const worker = async () => {
    while (next < missing) {
      const i = next++;
      await tasks.create(taskInput({ name: `bench-cp-${names.runId}-t${i}`, config, table: 'shop.orders', topic: names.topic, slot: `${names.slot}_t${i}` }));
    }
  };
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, worker));
  const total = (await tasks.page('pageSize=1')).total;
  return { total, made: missing, seconds: (performance.now() - started) / 1000 };
}

/** `rate` GETs per second for `seconds` through autocannon; latencies in ms. */
async function paced(url, authorization, rate, seconds) {
  const autocannon = requireFromRoot('autocannon');
  const result = await autocannon({
    url,
    method: 'GET',
    headers: authorization ? { authorization } : {},
    connections: 10,
    overallRate: rate,
    duration: seconds,
    timeout: 10,
  });
  return {
    requests: result.requests.total,
    rate: result.requests.total / seconds,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

/** Creates the task, then times POST precheck → every item decided (ALARMs confirmed after). */
async function timedPrecheck(tasks, input) {
  const task = await tasks.create(input);
  const started = performance.now();
  await tasks.precheck(task.id, 60_000);
  return (performance.now() - started) / 1000;
}
