import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ApiClient } from './api-client';
import { claimTempDir, freePorts, recordProcess } from './dedicated-stack';
import { REPO_ROOT, testEnv } from './test-env';
import { waitFor } from './wait-for';

/**
 * An api and schedulers of a test's own, from the built apps (`apps/<app>/dist/main.js`), for
 * tests that kill, restart or outnumber them: the runner's shared api and scheduler are never
 * touched. Default: a metadata database of its own on the test cluster and a queue prefix
 * derived from the runner's, so the shared scheduler never sees these tasks (and so never
 * competes for their slots). Point it at dedicated servers for fault tests.
 */
export interface ControlPlaneOptions {
  /** Short name, used in the database name, the queue prefix and the log file names. */
  name: string;
  /** Metadata database (created if missing, then migrated); default: `<test db>_<name>`, dropped at cleanup. */
  databaseUrl?: string;
  redisUrl?: string;
  queuePrefix?: string;
  schedulers?: number;
  /** Needed to share a database with other processes (the runner's: testEnv.masterKeyFile); default: a fresh key. */
  masterKeyFile?: string;
  /** Extra environment for every process, e.g. WALBRIDGE_TIME_SCALE or WALBRIDGE_LEASE_TTL_MS. */
  env?: Record<string, string>;
}

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly healthUrl: string;
  alive(): boolean;
  /** Resolves when the process has exited. */
  exited(): Promise<void>;
  /** Sends the signal and waits for the exit (SIGTERM waits up to 60 s, then kills). */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface ControlPlane {
  api: ApiClient;
  apiProcess: ManagedProcess;
  schedulers: ManagedProcess[];
  databaseUrl: string;
  queuePrefix: string;
  /**
   * Starts one more scheduler (also after others were killed) and waits until it is healthy; `env`
   * adds to the plane's; `root`: another checkout to run it from (the previous release's).
   */
  startScheduler(env?: Record<string, string>, root?: string): Promise<ManagedProcess>;
  /** SIGTERM to the api, then a new api on the same port. */
  restartApi(): Promise<ManagedProcess>;
  /** Runs SQL on the plane's metadata database. */
  metadataQuery<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** SIGTERM to everything (workers stop cleanly), then drops the database it created. */
  cleanup(): Promise<void>;
}

const STRIPPED_ENV = /^(NODE_OPTIONS|VITEST.*|WALBRIDGE_(?!TEST_).*)$/;

export async function spawnControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const suffix = `${options.name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  const ownDatabase = !options.databaseUrl;
  const databaseUrl = options.databaseUrl ?? withDatabase(testEnv.databaseUrl, `${databaseName(testEnv.databaseUrl)}_${suffix}`.slice(0, 63));
  const queuePrefix = options.queuePrefix ?? `${testEnv.queuePrefix}-${suffix}`;
  await createDatabase(databaseUrl);
  migrate(databaseUrl);

  const processesDir = claimTempDir('cp');
  const base: Record<string, string> = {
    WALBRIDGE_DATABASE_URL: databaseUrl,
    WALBRIDGE_REDIS_URL: options.redisUrl ?? testEnv.redisUrl,
    WALBRIDGE_QUEUE_PREFIX: queuePrefix,
    ...(options.masterKeyFile
      ? { WALBRIDGE_MASTER_KEY_FILE: options.masterKeyFile }
      : { WALBRIDGE_MASTER_KEY: randomBytes(32).toString('base64') }),
    WALBRIDGE_API_HOST: '127.0.0.1',
    WALBRIDGE_WORKER_RESTART_MIN_MS: '300',
    WALBRIDGE_WORKER_RESTART_MAX_MS: '3000',
    WALBRIDGE_HEARTBEAT_MS: '5000',
    WALBRIDGE_HOUSEKEEPING_MS: '2000',
    WALBRIDGE_SLOT_CHECK_MS: '5000',
    WALBRIDGE_METRICS_SAMPLE_MS: '2000',
    WALBRIDGE_NOTIFY_RETRY_MS: '500',
    // The same first admin as the runner's api, so ApiClient's default login works here too.
    ...(testEnv.adminUser && testEnv.adminPassword
      ? { WALBRIDGE_ADMIN_USER: testEnv.adminUser, WALBRIDGE_ADMIN_PASSWORD: testEnv.adminPassword }
      : {}),
    ...options.env,
  };
  mkdirSync(testEnv.logDir, { recursive: true });
  let sequence = 0;

  const startApp = async (app: 'api' | 'scheduler', extra: Record<string, string>, root = REPO_ROOT): Promise<ManagedProcess> => {
    const name = `${options.name}-${app}-${++sequence}`;
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!STRIPPED_ENV.test(k)) env[k] = v;
    const logFile = join(testEnv.logDir, `${name}.log`);
    const logFd = openSync(logFile, 'a');
    const child = spawn(process.execPath, [join(root, 'apps', app, 'dist', 'main.js')], {
      cwd: root,
      env: { ...env, ...base, ...extra },
      // The log file itself, not a pipe: a child writing to a pipe nobody drains blocks.
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    recordProcess(processesDir, child.pid!);
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const port = app === 'api' ? base.WALBRIDGE_API_PORT : extra.WALBRIDGE_SCHEDULER_HEALTH_PORT;
    const managed: ManagedProcess = {
      name,
      child,
      pid: child.pid!,
      healthUrl: `http://127.0.0.1:${port}/health`,
      alive: () => child.exitCode === null && child.signalCode === null,
      exited: () => exit,
      async kill(signal) {
        if (!managed.alive()) return;
        child.kill(signal);
        const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), 60_000);
        await exit;
        if (timer) clearTimeout(timer);
      },
    };
    await waitFor(
      `${name} to answer ${managed.healthUrl}`,
      async () => {
        if (!managed.alive()) throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}; see ${name}.log`);
        const res = await fetch(managed.healthUrl).catch(() => null);
        return res?.ok ? true : undefined;
      },
      90_000,
      200,
    ).catch(async (error: Error) => {
      await managed.kill('SIGKILL');
      // A port found free can be taken before the app binds it (any outgoing connection may get
      // it as its local port): the caller then tries another one.
      const addressInUse = /EADDRINUSE/.test(readFileSync(logFile, 'utf8'));
      throw Object.assign(error, { addressInUse });
    });
    return managed;
  };

  /** startApp, on a new port each time the one it was given turned out to be taken. */
  const startOnFreePort = async (app: 'api' | 'scheduler', assignPort: (port: number) => Record<string, string>, root?: string): Promise<ManagedProcess> => {
    for (let attempt = 1; ; attempt++) {
      const [port] = await freePorts(1);
      try {
        return await startApp(app, assignPort(port), root);
      } catch (error) {
        if (attempt >= 3 || !(error as { addressInUse?: boolean }).addressInUse) throw error;
      }
    }
  };

  const startScheduler = async (env: Record<string, string> = {}, root?: string): Promise<ManagedProcess> => {
    const scheduler = await startOnFreePort('scheduler', (port) => ({ ...env, WALBRIDGE_SCHEDULER_HEALTH_PORT: String(port) }), root);
    plane.schedulers.push(scheduler);
    return scheduler;
  };

  const [schedulerHealthPort] = await freePorts(1);
  let apiPort = 0;
  // The api does not serve a scheduler health port, but the config wants one that is free.
  const apiProcess = await startOnFreePort('api', (port) => {
    apiPort = port;
    base.WALBRIDGE_API_PORT = String(port);
    return { WALBRIDGE_SCHEDULER_HEALTH_PORT: String(schedulerHealthPort) };
  });
  const plane: ControlPlane = {
    api: new ApiClient(`http://127.0.0.1:${apiPort}`),
    apiProcess,
    schedulers: [],
    databaseUrl,
    queuePrefix,
    startScheduler,
    async restartApi() {
      await plane.apiProcess.kill('SIGTERM');
      plane.apiProcess = await startApp('api', { WALBRIDGE_SCHEDULER_HEALTH_PORT: String(schedulerHealthPort) });
      return plane.apiProcess;
    },
    async metadataQuery<T>(sql: string, params: unknown[] = []) {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    },
    async cleanup() {
      await Promise.all([plane.apiProcess, ...plane.schedulers].map((p) => p.kill('SIGTERM').catch(() => undefined)));
      if (ownDatabase) await dropDatabase(databaseUrl).catch(() => undefined);
      rmSync(processesDir, { recursive: true, force: true });
    },
  };
  try {
    for (let i = 0; i < (options.schedulers ?? 1); i++) await startScheduler();
  } catch (error) {
    await plane.cleanup();
    throw error;
  }
  return plane;
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

async function adminQuery(url: string, sql: string, params: unknown[] = []): Promise<number> {
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    return (await client.query(sql, params)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

async function createDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const exists = await adminQuery(url, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!exists) await adminQuery(url, `CREATE DATABASE "${name.replace(/"/g, '""')}"`);
}

async function dropDatabase(url: string): Promise<void> {
  await adminQuery(url, `DROP DATABASE IF EXISTS "${databaseName(url).replace(/"/g, '""')}" WITH (FORCE)`);
}

function migrate(databaseUrl: string): void {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'migrations', 'dist', 'cli.js'), 'run'], {
    cwd: REPO_ROOT,
    env: { ...process.env, WALBRIDGE_DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`migrations failed on ${databaseName(databaseUrl)}: ${result.stderr || result.stdout}`);
}
