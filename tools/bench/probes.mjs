// What every scenario measures around its load: CPU seconds of the pipeline's processes, the
// worker's peak RSS, and the load's own connections.
import { cpuSeconds, machineTicks, pg, residentBytes, withChildren } from './util.mjs';

const RSS_SAMPLE_MS = 100;

/** CPU seconds used so far by the processes that make up the pipeline, and by the machine. */
export function cpuSnapshot(pids) {
  const sum = (list) => list.reduce((total, pid) => total + (cpuSeconds(pid) ?? 0), 0);
  return {
    worker: cpuSeconds(pids.worker),
    walsender: pids.walsender ? cpuSeconds(pids.walsender) : null,
    postgres: pids.postmaster ? sum(withChildren(pids.postmaster)) : null,
    kafka: pids.kafka ? cpuSeconds(pids.kafka) : null,
    machine: machineTicks(),
  };
}

/** Average CPU use over the run, in % of one core (200 % = both cores of a 2-core machine). */
export function cpuUsage(before, after, seconds) {
  const pct = (a, b) => (a == null || b == null ? null : Math.round(((b - a) / seconds) * 100));
  const ticks = after.machine.total - before.machine.total;
  const usage = {
    workerPct: pct(before.worker, after.worker),
    walsenderPct: pct(before.walsender, after.walsender),
    postgresAllPct: pct(before.postgres, after.postgres),
    kafkaBrokerPct: pct(before.kafka, after.kafka),
    // on the same scale: busy share of all CPUs times their number
    // CPU seconds, for µs of worker CPU per row (the figure issue 16 bounds)
    workerSeconds: before.worker == null || after.worker == null ? null : after.worker - before.worker,
    machineBusyPct: ticks > 0 ? Math.round(((after.machine.busy - before.machine.busy) / ticks) * after.machine.cpus * 100) : null,
  };
  // What the pipeline did not use: the bench, api and scheduler (little) and anything else
  // running on the machine, which then competed with the pipeline for the cores.
  const pipeline = (usage.workerPct ?? 0) + (usage.postgresAllPct ?? 0) + (usage.kafkaBrokerPct ?? 0);
  usage.otherPct = usage.machineBusyPct == null ? null : Math.max(0, usage.machineBusyPct - pipeline);
  return usage;
}

/** Samples the worker's resident memory until stopped; keeps the peak. */
export function startRssSampler(pid) {
  let peak = residentBytes(pid) ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, residentBytes(pid) ?? 0);
  }, RSS_SAMPLE_MS);
  return () => {
    clearInterval(timer);
    return Math.max(peak, residentBytes(pid) ?? 0);
  };
}

/** The walsender serving a slot, whose CPU use tells whether decoding is the bottleneck. */
export async function slotPid(client, slot) {
  const { rows } = await client.query('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return rows[0]?.active_pid ?? null;
}

/** µs of worker CPU per row moved. */
export const cpuMicrosPerRow = (usage, rows) => (usage.workerSeconds == null || !rows ? null : (usage.workerSeconds * 1e6) / rows);

/** Connected before the clock starts, so connection set-up is not measured. */
export async function connectLoaders(url, count, name = 'loader') {
  const { Client } = pg();
  const clients = [];
  try {
    for (let i = 0; i < count; i++) {
      const client = new Client({ connectionString: url, application_name: `walbridge-bench-${name}-${i}` });
      await client.connect();
      clients.push(client);
      // Without it a DO block keeps inserting after we hang up on a failed run, holding locks
      // the cleanup's DROP TABLE would wait for.
      await client.query("SET client_connection_check_interval = '1s'");
    }
  } catch (error) {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    throw error;
  }
  return clients;
}
