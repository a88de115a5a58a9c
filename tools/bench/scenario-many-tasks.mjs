// --scenario many-tasks (issue 16 item 5): what a fleet of modest tasks costs one scheduler.
//
// --many-tasks tasks (default 30), each on its own table and 1-partition topic, all on the
// bench's one scheduler. First idle: every worker streaming with no traffic, measured for
// IDLE_SECONDS (RSS per worker, target <= 60 MB; CPU per worker, ~0). Then --many-rate rows/s
// into each table (default 1,000; 100-row inserts every 100 ms per table) for --many-seconds
// (default 60): total worker CPU, CPU µs per row, peak RSS per worker, the worst delay any task
// reported (GET /tasks/{id}, sampled every second), and every row counted in its topic. The
// ceiling beside the CPU figures is the machine itself: its busy share in the same window.
import { performance } from 'node:perf_hooks';
import { log } from '../lib/workspace.mjs';
import { dropSlotAndPublication } from './ceilings.mjs';
import { startTask } from './control-plane.mjs';
import { createSourceTable, taskInput, waitForAllMessages } from './end-to-end.mjs';
import { connectLoaders } from './probes.mjs';
import { runResult } from './report.mjs';
import { figure, median } from './summary.mjs';
import { cpuSeconds, createTopic, deleteTopics, machineTicks, mb, residentBytes, sleep, waitUntil, workerPid } from './util.mjs';

export const TARGETS = { idleRssMb: 60, idleCpuPct: 1, cpuMicrosPerRow: 15 };
const IDLE_SECONDS = 20;
const SETTLE_SECONDS = 20;
const TICK_MS = 100;
const START_CONCURRENCY = 5;

export async function manyTasksScenario(ctx) {
  const { config, source, admin, tasks, names, options, cleanup, sourceUrl } = ctx;
  const { manyTasks: count, manyRate: rate, manySeconds: seconds, rowBytes } = options;
  const parts = Array.from({ length: count }, (_, k) => names.part(`m${k}`));
  for (const part of parts) {
    cleanup.defer(`drop slot ${part.slot} if its task left it`, () => dropSlotAndPublication(source, { slot: part.slot, publication: part.slot }));
    await createSourceTable(source, part.table, rowBytes, config.postgres.demo.user);
    cleanup.defer(`drop table ${part.table}`, () => source.query(`DROP TABLE IF EXISTS ${part.table}`));
    await createTopic(admin, part.topic);
  }
  cleanup.defer('delete the bench topics', () => deleteTopics(admin, parts.map((p) => p.topic)));

  const started = performance.now();
  const running = [];
  let next = 0;
  await Promise.all(Array.from({ length: START_CONCURRENCY }, async () => {
    while (next < parts.length) {
      const part = parts[next++];
      const input = taskInput({ name: `bench-many-${names.runId}-${running.length}`, config, table: part.table, topic: part.topic, slot: part.slot });
      const { task } = await startTask(tasks, input, cleanup);
      running.push({ part, task });
    }
  }));
  const workers = await waitUntil('every worker process', async () => {
    const pids = running.map((r) => workerPid(r.task.id));
    return pids.every(Boolean) ? pids : undefined;
  }, { timeoutMs: 60_000, everyMs: 200 });
  log(`${count} tasks streaming in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Idle: settled first (the compiler's background threads optimize the start-up code for
  // a while after the first status reports), then measured.
  await sleep(SETTLE_SECONDS * 1000);
  const idle = await measure(workers, IDLE_SECONDS * 1000);
  log(`idle: RSS per worker median ${mb(idle.rssMedian).toFixed(1)} MB (max ${mb(idle.rssMax).toFixed(1)}), CPU per worker ${idle.cpuPctPerWorker.toFixed(2)} %`);

  const loaders = await connectLoaders(sourceUrl, Math.min(3, count), 'many');
  cleanup.defer('close the loaders', () => Promise.all(loaders.map((c) => c.end().catch(() => undefined))));
  const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
  const ticks = Math.round((seconds * 1000) / TICK_MS);
  let worstDelay = 0;
  let delaySamples = 0;
  const sampler = setInterval(() => {
    void Promise.all(running.map((r) => tasks.get(r.task.id).then((t) => t.delaySeconds ?? 0).catch(() => 0))).then((delays) => {
      worstDelay = Math.max(worstDelay, ...delays);
      delaySamples++;
    });
  }, 1000);
  const loadStart = performance.now();
  const busy = measure(workers, seconds * 1000);
  let late = 0;
  try {
    for (let tick = 0; tick < ticks; tick++) {
      const from = tick * perTick + 1;
      await Promise.all(parts.map((part, k) => loaders[k % loaders.length].query(
        `INSERT INTO ${part.table} (id, payload) SELECT g, rpad(md5(g::text), ${rowBytes - 8}, 'x') FROM generate_series($1::bigint, $2::bigint) g`,
        [from, from + perTick - 1],
      )));
      const due = loadStart + (tick + 1) * TICK_MS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      else late++;
    }
  } finally {
    clearInterval(sampler);
  }
  const load = await busy;
  const rowsEach = ticks * perTick;
  const offered = (rowsEach * count) / ((performance.now() - loadStart) / 1000);
  for (const { part } of running) {
    await waitForAllMessages({ admin, topic: part.topic, rows: rowsEach, t0: loadStart, failed: new Promise(() => {}) });
  }
  log(`load: ${Math.round(offered).toLocaleString('en-US')} rows/s offered in all, workers ${load.cpuPctAll.toFixed(0)} % of a core, worst delay ${worstDelay} s`);

  const figures = [
    figure('tasks', 'tasks on the one scheduler', count),
    figure('idleRssMedianMb', 'idle: worker RSS (median)', mb(idle.rssMedian), { unit: 'MB', digits: 1, detail: `(max ${mb(idle.rssMax).toFixed(1)} MB)`, target: { op: '<=', value: TARGETS.idleRssMb } }),
    figure('idleCpuPctPerWorker', 'idle: CPU per worker', idle.cpuPctPerWorker, { unit: '%', digits: 2, detail: `(all ${count}: ${idle.cpuPctAll.toFixed(1)} % of a core)`, target: { op: '<=', value: TARGETS.idleCpuPct } }),
    null,
    figure('offeredRowsPerSec', 'load: rows/s into all tables', offered, { detail: `(${rate}/s per task for ${seconds} s${late ? `, ${late} ticks late` : ''})` }),
    figure('workersCpuPct', 'load: CPU of all workers (100 % = 1 core)', load.cpuPctAll, { unit: '%' }),
    figure('cpuMicrosPerRow', 'load: worker CPU per row', (load.cpuSeconds * 1e6) / (rowsEach * count), { unit: 'µs', digits: 1, target: { op: '<=', value: TARGETS.cpuMicrosPerRow } }),
    figure('busyRssMaxMb', 'load: worker peak RSS (max over workers)', mb(load.rssMax), { unit: 'MB', digits: 1, detail: `(median ${mb(load.rssMedian).toFixed(1)} MB)` }),
    figure('worstDelaySeconds', 'load: worst delay of any task', worstDelay, { unit: 's', digits: 2, detail: `(${delaySamples} samples of every task)` }),
    figure('machineBusyPct', 'ceiling: machine busy during the load', load.machineBusyPct, { unit: '%', detail: `(of ${ctx.nproc * 100} %)` }),
  ];
  const notes = [];
  if (late > ticks / 10) notes.push(`${late} of ${ticks} load ticks ran late: the loader could not keep the pace, the offered rate is lower than asked`);
  return runResult({
    scenario: 'many-tasks', nproc: ctx.nproc, options,
    load: `${count} tasks, ${rate} rows/s each of ~${rowBytes} B in ${perTick}-row inserts`,
    figures, notes, details: { idle, load, worstDelay },
  });
}

/** CPU and RSS of the workers over `ms`: per worker and in all, RSS sampled every second. */
async function measure(pids, ms) {
  const before = pids.map((pid) => cpuSeconds(pid) ?? 0);
  const machineBefore = machineTicks();
  const peaks = pids.map((pid) => residentBytes(pid) ?? 0);
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await sleep(Math.min(1000, Math.max(0, end - performance.now())));
    pids.forEach((pid, i) => { peaks[i] = Math.max(peaks[i], residentBytes(pid) ?? 0); });
  }
  const cpu = pids.reduce((sum, pid, i) => sum + Math.max(0, (cpuSeconds(pid) ?? before[i]) - before[i]), 0);
  const machineAfter = machineTicks();
  const ticks = machineAfter.total - machineBefore.total;
  return {
    cpuSeconds: cpu,
    cpuPctAll: (cpu / (ms / 1000)) * 100,
    cpuPctPerWorker: (cpu / (ms / 1000) / pids.length) * 100,
    rssMedian: median(peaks),
    rssMax: Math.max(...peaks),
    machineBusyPct: ticks > 0 ? Math.round(((machineAfter.busy - machineBefore.busy) / ticks) * machineAfter.cpus * 100) : null,
  };
}
