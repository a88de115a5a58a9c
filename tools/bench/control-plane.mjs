// The benchmark's own Walbridge: a fresh metadata database, one api and one scheduler on ports
// the tests do not use, and a thin HTTP client to drive a task the way a user would.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { log, migrate, pgUrl, recreateDatabase, startApp, stopChild, waitForHttp } from '../lib/workspace.mjs';
import { once, waitUntil } from './util.mjs';

export const TASK_TIMEOUT_MS = 120_000;

export const METADATA_DB = 'walbridge_bench';

/** Recreates `walbridge_bench`, starts api + scheduler; resolves { apiUrl, admin, stop }. */
export async function startControlPlane(stack, { apiPort, logDir, runId, cpuProfDir = null }) {
  const config = stack.stackConfig();
  await recreateDatabase(stack, METADATA_DB);
  const databaseUrl = pgUrl(stack, METADATA_DB);
  if (migrate('run', { WALBRIDGE_DATABASE_URL: databaseUrl }) !== 0) throw new Error(`migrations failed on ${METADATA_DB}`);

  const env = {
    WALBRIDGE_DATABASE_URL: databaseUrl,
    WALBRIDGE_REDIS_URL: config.redis.url,
    // Its own queue prefix: a test run sharing this Redis never sees the benchmark's jobs.
    WALBRIDGE_QUEUE_PREFIX: `walbridge-bench-${runId}`,
    WALBRIDGE_API_PORT: String(apiPort),
    WALBRIDGE_SCHEDULER_HEALTH_PORT: String(apiPort + 1),
    WALBRIDGE_MASTER_KEY_FILE: join(stack.ensureKeyDir(config), 'bench-master.key'),
    WALBRIDGE_LOG_LEVEL: 'warn', // info logs per batch would cost the measured processes CPU
    // The fresh database gets this admin, who drives the benchmark's task through the API.
    WALBRIDGE_ADMIN_USER: 'bench',
    WALBRIDGE_ADMIN_PASSWORD: randomBytes(18).toString('base64url'),
  };
  const api = startApp('api', env, join(logDir, 'api.log'));
  // The workers are forked with the scheduler's node flags (process.execArgv): with --cpu-prof
  // each writes its profile when it exits (a stopped task's worker exits cleanly), beside the
  // scheduler's own. Node refuses --cpu-prof in NODE_OPTIONS, so it goes on the command line.
  const profArgs = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const scheduler = startApp('scheduler', env, join(logDir, 'scheduler.log'), profArgs);
  const stop = () => Promise.all([stopChild(scheduler), stopChild(api)]);
  try {
    await Promise.all([
      waitForHttp(`http://127.0.0.1:${apiPort}/health`, api),
      waitForHttp(`http://127.0.0.1:${apiPort + 1}/health`, scheduler),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  log(`bench api on :${apiPort}, scheduler health on :${apiPort + 1} (logs in ${logDir})`);
  return { apiUrl: `http://127.0.0.1:${apiPort}`, admin: { username: env.WALBRIDGE_ADMIN_USER, password: env.WALBRIDGE_ADMIN_PASSWORD }, stop };
}

/** The task endpoints of the public API (`/api/v1/tasks`), throwing on unexpected statuses. */
export class TaskApi {
  #apiUrl;
  #admin;
  #token;

  constructor(apiUrl, admin) {
    this.#apiUrl = apiUrl;
    this.#admin = admin;
    this.base = `${apiUrl}/api/v1/tasks`;
  }

  /** A session token, from one login (the password is never printed). */
  async #authorization() {
    if (!this.#token) {
      const res = await fetch(`${this.#apiUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.#admin),
        signal: AbortSignal.timeout(30_000),
      });
      if (res.status !== 200) throw new Error(`login as ${this.#admin.username} failed: ${res.status}`);
      this.#token = (await res.json()).token;
    }
    return `Bearer ${this.#token}`;
  }

  async #request(method, path, body, expected) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: await this.#authorization() },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (res.status !== expected) throw new Error(`${method} ${this.base}${path}: ${res.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  }

  create(input) {
    return this.#request('POST', '', input, 201);
  }

  /** The Authorization header value, for a load tool that sends its own requests. */
  authorization() {
    return this.#authorization();
  }

  /** One page of the task list, as the console asks for it (`query`: status, q, page, pageSize). */
  page(query = '') {
    return this.#request('GET', query ? `?${query}` : '', undefined, 200);
  }

  get(id) {
    return this.#request('GET', `/${id}`, undefined, 200);
  }

  /** The task's full synchronization progress (GET /tasks/{id}/snapshot). */
  snapshot(id) {
    return this.#request('GET', `/${id}/snapshot`, undefined, 200);
  }

  list() {
    return this.#request('GET', '', undefined, 200);
  }

  /**
   * Runs the precheck and confirms its ALARM items, as a user must before submitting (the
   * benchmark's source is the demo stack, which may alarm on settings it does not control).
   */
  async precheck(id, timeoutMs) {
    const started = await this.#request('POST', `/${id}/precheck`, {}, 202);
    let run = await waitUntil(`precheck of task ${id}`, async () => {
      const latest = await this.#request('GET', `/${id}/precheck`, undefined, 200);
      return latest.id === started.id && latest.status !== 'RUNNING' ? latest : undefined;
    }, { timeoutMs, everyMs: 100 });
    const failed = run.items.filter((i) => i.result === 'FAILED');
    if (run.status !== 'FINISHED' || failed.length) {
      throw new Error(`precheck of task ${id} did not pass: ${run.error ?? failed.map((i) => `${i.key}: ${i.reason}`).join(' | ')}`);
    }
    for (const item of run.items.filter((i) => i.result === 'ALARM' && !i.confirmed)) {
      run = await this.#request('POST', `/${id}/precheck/items/${item.id}/confirm`, undefined, 200);
    }
    return run;
  }

  submit(id) {
    return this.#request('POST', `/${id}/submit`, {}, 202);
  }

  stop(id) {
    return this.#request('POST', `/${id}/stop`, {}, 202);
  }

  /** Waits for `status`; fails at once when the task lands in a *_FAILED state instead. */
  waitForStatus(id, status, timeoutMs) {
    return waitUntil(`task ${id} to reach ${status}`, async () => {
      const task = await this.get(id);
      if (task.status === status) return task;
      if (task.status.endsWith('_FAILED')) {
        throw Object.assign(new Error(`task ${id} is ${task.status} (waiting for ${status}): ${task.lastError ?? 'no error recorded'}`), { final: true });
      }
      return undefined;
    }, { timeoutMs, everyMs: 250 });
  }
}

/**
 * Creates, prechecks and submits a task as a user would; its stop (waiting for COMPLETED) is
 * registered with `cleanup` and returned, callable early. Waits for `waitFor` unless null.
 */
export async function startTask(tasks, input, cleanup, { waitFor = 'INCREMENTAL', timeoutMs = TASK_TIMEOUT_MS } = {}) {
  const task = await tasks.create(input);
  const stop = once(async () => {
    await tasks.stop(task.id);
    await tasks.waitForStatus(task.id, 'COMPLETED', timeoutMs);
    log(`task ${task.id} stopped (COMPLETED)`);
  });
  cleanup.defer(`stop task ${task.id}`, stop);
  await tasks.precheck(task.id, timeoutMs);
  await tasks.submit(task.id);
  if (waitFor) await tasks.waitForStatus(task.id, waitFor, timeoutMs);
  return { task, stop };
}
