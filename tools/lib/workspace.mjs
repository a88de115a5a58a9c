// Steps shared by `npm start`, `npm test` and `npm run bench`: install, build, database
// preparation and starting the api and scheduler processes. Node built-ins only until
// installDependencies() has run; project packages are loaded lazily after it.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const requireFromRoot = createRequire(join(REPO_ROOT, 'package.json'));

export function log(message) {
  process.stdout.write(`[walbridge] ${message}\n`);
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

/** npm ci when node_modules is missing or older than the lock file. */
export function installDependencies() {
  const marker = join(REPO_ROOT, 'node_modules', '.package-lock.json');
  const lock = join(REPO_ROOT, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}

/**
 * System packages the browser tests need (Debian's Chromium: a test tool's own browser download
 * cannot work offline). Installed with apt-get when running as root, otherwise named.
 */
export function ensureSystemPackages() {
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].some((p) => existsSync(p));
  if (chromium || process.env.WALBRIDGE_CHROMIUM) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    log('Chromium is missing: the browser tests will fail (install the Debian package chromium)');
    return;
  }
  log('installing Chromium for the browser tests (apt-get install chromium)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { env });
}

const NX_ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: process.env.NX_SKIP_NX_CACHE ?? 'false' };

export function build() {
  log('building (nx run-many -t build)');
  run('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], { env: NX_ENV });
}

/** Build as a child process, so the stack can come up at the same time. */
export function buildAsync() {
  return new Promise((resolvePromise, reject) => {
    log('building (nx run-many -t build)');
    const child = spawn('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], { cwd: REPO_ROOT, stdio: 'inherit', env: NX_ENV });
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`build failed with exit code ${code}`))));
  });
}

export async function loadStack() {
  return import('../stack/stack.mjs');
}

export function pgUrl(stack, database) {
  const { superuser, host, port } = stack.stackConfig().postgres;
  return `postgres://${superuser.user}:${superuser.password}@${host}:${port}/${database}`;
}

/** Runs SQL as the stack's superuser (after install: uses the project's `pg`). */
export async function adminQuery(url, sql, params = []) {
  const { Client } = requireFromRoot('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export async function recreateDatabase(stack, database) {
  const url = pgUrl(stack, 'postgres');
  await adminQuery(url, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await adminQuery(url, `CREATE DATABASE "${database}"`);
}

export async function ensureDatabase(stack, database) {
  const url = pgUrl(stack, 'postgres');
  const { rowCount } = await adminQuery(url, 'SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (!rowCount) await adminQuery(url, `CREATE DATABASE "${database}"`);
}

/** `migrate run|check` from the built migrations package; returns the exit code. */
export function migrate(command, env) {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'migrations', 'dist', 'cli.js'), command], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return result.status ?? 1;
}

export async function ensureTopic(brokers, topic, partitions = 3) {
  const { Kafka, logLevel } = requireFromRoot('kafkajs');
  const admin = new Kafka({ clientId: 'walbridge-tools', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Starts a built app (api or scheduler) with its output in a log file. The file is the child's
 * own stdout/stderr: a pipe through this process would stop being drained while the test runner
 * waits for vitest synchronously, and a child writing to a full pipe blocks (stdout to a pipe is
 * synchronous on Linux), which froze the scheduler.
 */
/** `nodeArgs`: flags for node itself (e.g. --cpu-prof, which NODE_OPTIONS may not carry). */
export function startApp(name, env, logFile, nodeArgs = []) {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, join(REPO_ROOT, 'apps', name, 'dist', 'main.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  return child;
}

export async function waitForHttp(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export function stopChild(child, timeoutMs = 25_000) {
  return new Promise((resolvePromise) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolvePromise();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The command line of a tool script (`node tools/java/<tool>.mjs`, `node tools/previous-release.mjs`):
 * when the module is the one run, prints what `produce` returns (a path, a classpath); an error
 * prints its message, without a stack, and sets exit code 1.
 */
export function printWhenRun(moduleUrl, produce) {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  try {
    console.log(produce());
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
