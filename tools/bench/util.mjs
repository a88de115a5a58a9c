// Small helpers for the benchmark: waiting with a deadline, running a command with a time
// limit, reading /proc, and loading the project's packages (only after installDependencies()).
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { REPO_ROOT } from '../lib/workspace.mjs';

/** The project's own packages (autocannon, …), resolved from its root. */
export const requireFromRoot = createRequire(join(REPO_ROOT, 'package.json'));

/** The project's `pg` and `kafkajs`; required lazily because a fresh clone has no node_modules yet. */
export const pg = () => requireFromRoot('pg');
export const kafkajs = () => requireFromRoot('kafkajs');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns something other than undefined; fails naming what it waited
 * for, so a stuck step says which one it was instead of hanging the benchmark.
 */
export async function waitUntil(what, probe, { timeoutMs, everyMs = 250 }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error.final) throw error; // the probe knows waiting longer cannot help
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${cause}`);
    }
    await sleep(everyMs);
  }
}

/** Rejects when `promise` takes longer than timeoutMs. */
export function withTimeout(what, promise, timeoutMs) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs a command to completion and resolves { code, stdout, stderr, seconds }; kills it and
 * rejects after timeoutMs. `seconds` is wall time from spawn to exit, what the ceilings measure.
 */
export function runTimed(command, args, { timeoutMs, env } = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: REPO_ROOT, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not finish within ${Math.round(timeoutMs / 1000)} s\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

/** The pid of the worker process the scheduler forked for a task (`--task=<id>`), or null. */
export function workerPid(taskId) {
  try {
    const out = execFileSync('pgrep', ['-f', `worker.*task=${taskId}`], { encoding: 'utf8' }).trim();
    const pids = out.split('\n').filter(Boolean).map(Number);
    return pids.length ? pids[0] : null;
  } catch {
    return null; // pgrep exits 1 when nothing matches
  }
}

/** Resident set size in bytes (VmRSS); null once the process is gone. */
export function residentBytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far; null when it is gone. */
export function cpuSeconds(pid) {
  const f = statFields(pid);
  // after "pid (comm) ": state=0, ppid=1, ..., utime=11, stime=12
  return f ? (Number(f[11]) + Number(f[12])) / CLOCK_TICKS : null;
}

/** A process and all its children (one level is enough for the postmaster's backends). */
export function withChildren(parentPid) {
  const pids = [parentPid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(entry);
    if (f && Number(f[1]) === parentPid) pids.push(Number(entry));
  }
  return pids;
}

/** Busy and total CPU time of the whole machine, in ticks summed over its CPUs, from /proc/stat. */
export function machineTicks() {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const n = lines[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = n[3] + (n[4] || 0); // idle + iowait
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0); // guest time is already in user
  return { busy: total - idle, total, cpus: lines.filter((l) => /^cpu\d+ /.test(l)).length };
}

export function nproc() {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

/**
 * A PostgreSQL client program (pg_recvlogical, psql) from WALBRIDGE_PG_BIN, else the newest
 * /usr/lib/postgresql/<v>/bin (before PATH: Debian's /usr/bin ones are a Perl wrapper whose
 * start-up would be timed too), else PATH.
 */
export function findPgBinary(name) {
  const dirs = [];
  if (process.env.WALBRIDGE_PG_BIN) dirs.push(process.env.WALBRIDGE_PG_BIN);
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not a Debian layout
  }
  dirs.push(...(process.env.PATH ?? '').split(delimiter).filter(Boolean));
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  throw new Error(`${name} was not found (install postgresql-client-15, or set WALBRIDGE_PG_BIN to its directory)`);
}

export const findPgRecvlogical = () => findPgBinary('pg_recvlogical');

export const mb = (bytes) => bytes / 1024 / 1024;

/** Wraps an async step so that calling it again (e.g. from the cleanup) does nothing. */
export function once(fn) {
  let promise;
  return () => (promise ??= fn());
}

/** A 1-partition topic (the benchmark's figures are for one ordered stream); `configs` as { name: value }. */
export async function createTopic(admin, topic, configs = {}) {
  const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value: String(value) }));
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries }], waitForLeaders: true });
}

export async function deleteTopics(admin, topics) {
  const existing = new Set(await admin.listTopics());
  const doomed = topics.filter((t) => existing.has(t));
  if (doomed.length) await admin.deleteTopics({ topics: doomed, timeout: 30_000 });
}

/** Messages a topic holds (end offsets minus start offsets over its partitions). */
export async function messagesIn(admin, topic) {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}
