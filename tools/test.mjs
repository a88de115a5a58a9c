// `npm test`: install what is missing, build, bring up the local stack (PostgreSQL, Redis,
// Kafka), start one api and one scheduler for every suite to share, run all tests, stop what
// it started, and end with the line `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPO_ROOT,
  adminQuery,
  buildAsync,
  ensureSystemPackages,
  installDependencies,
  loadStack,
  log,
  migrate,
  pgUrl,
  recreateDatabase,
  startApp,
  stopChild,
  waitForHttp,
} from './lib/workspace.mjs';
import { fileSources, findSecrets } from './lib/secret-scan.mjs';
import { ensureFlinkDecoder } from './java/flink-decoder.mjs';
import { ensureAvroConsumer } from './java/avro-consumer.mjs';
import { ensureJdbcSink } from './java/jdbc-sink.mjs';
import { startSchemaRegistry } from './java/schema-registry.mjs';

const TEST_DB = process.env.WALBRIDGE_TEST_DB ?? 'walbridge_test';
const API_PORT = Number(process.env.WALBRIDGE_TEST_API_PORT ?? 58080);
const SCHEDULER_HEALTH_PORT = API_PORT + 1;
// Apicurio Registry for the avro-registry tests (Confluent's API under /apis/ccompat/v7).
const SCHEMA_REGISTRY_PORT = Number(process.env.WALBRIDGE_TEST_SCHEMA_REGISTRY_PORT ?? API_PORT + 10);
const RESULTS_DIR = join(REPO_ROOT, 'test-results');
const LOG_DIR = join(RESULTS_DIR, 'logs');
const extraArgs = process.argv.slice(2);
// The api creates this admin at its first start; ApiClient (libs/testing) logs in as it. The
// `wbpw-` mark is what the final log scan looks for.
const ADMIN_USER = 'admin';
const ADMIN_PASSWORD = `wbpw-admin-${randomBytes(12).toString('base64url')}`;

// Test slots of this run carry its pid, so that a run starting next to it on the same stack
// leaves them alone (a paused task's slot is inactive, not abandoned).
const SLOT_PREFIX = `wbt_r${process.pid.toString(36)}_`;

const checks = []; // { name, passed, failed }
let api;
let scheduler;
let schemaRegistry;
let startedStack = false;
let stack;

async function main() {
  installDependencies();
  ensureSystemPackages();
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
  stack = await loadStack();
  const before = await stack.status().catch(() => ({ allUp: false }));
  startedStack = !isAllUp(before);
  await Promise.all([buildAsync(), stack.up({ quiet: false })]);
  const config = stack.stackConfig();
  // The ecosystem-format tests read topics with Flink's deserializers: built once, cached. A
  // failed build fails those tests (they try again and report why), not the whole run.
  try {
    ensureFlinkDecoder({ log });
  } catch (error) {
    log(`flink-decoder: ${error.message}`);
  }
  // The Debezium JDBC sink test: a Kafka Connect worker with the connector, fetched once, cached.
  try {
    ensureJdbcSink({ log });
  } catch (error) {
    log(`jdbc-sink: ${error.message}`);
  }
  // The avro-registry tests: a real registry and Apicurio's own deserializer. A failure fails those tests only.
  let schemaRegistryUrl = '';
  try {
    ensureAvroConsumer({ log });
    schemaRegistry = await startSchemaRegistry(SCHEMA_REGISTRY_PORT, { log, logFile: openSync(join(LOG_DIR, 'schema-registry.log'), 'a') });
    schemaRegistryUrl = schemaRegistry.url;
    log(`schema registry (Apicurio) on :${SCHEMA_REGISTRY_PORT}`);
  } catch (error) {
    log(`schema-registry: ${error.message}`);
  }

  await recreateDatabase(stack, TEST_DB);
  await dropLeftoverTestSlots(config);
  const databaseUrl = pgUrl(stack, TEST_DB);
  // Applies the migrations to an empty database and fails if the entities want more.
  const drift = migrate('check', { WALBRIDGE_DATABASE_URL: databaseUrl });
  checks.push({ name: 'migrations match entities', passed: drift === 0 ? 1 : 0, failed: drift === 0 ? 0 : 1 });

  const appEnv = {
    WALBRIDGE_DATABASE_URL: databaseUrl,
    WALBRIDGE_REDIS_URL: config.redis.url,
    WALBRIDGE_QUEUE_PREFIX: `walbridge-test-${Date.now()}`,
    WALBRIDGE_API_PORT: String(API_PORT),
    WALBRIDGE_SCHEDULER_HEALTH_PORT: String(SCHEDULER_HEALTH_PORT),
    WALBRIDGE_MASTER_KEY_FILE: join(stack.ensureKeyDir(config), 'test-master.key'),
    WALBRIDGE_WORKER_RESTART_MIN_MS: '300',
    WALBRIDGE_WORKER_RESTART_MAX_MS: '3000',
    WALBRIDGE_HEARTBEAT_MS: '5000',
    // The one scheduler holds the tasks of every suite running in parallel: more than a
    // production scheduler's default share of a fleet.
    WALBRIDGE_SCHEDULER_MAX_TASKS: '400',
    WALBRIDGE_ADMIN_USER: ADMIN_USER,
    WALBRIDGE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // Paused and failed tasks' slots are measured often enough for tests to see retained WAL move.
    WALBRIDGE_HOUSEKEEPING_MS: '2000',
    WALBRIDGE_SLOT_CHECK_MS: '5000',
    // Monitoring tests watch samples and webhook retries happen within seconds.
    WALBRIDGE_METRICS_SAMPLE_MS: '2000',
    WALBRIDGE_NOTIFY_RETRY_MS: '500',
  };
  api = startApp('api', appEnv, join(LOG_DIR, 'api.log'));
  scheduler = startApp('scheduler', appEnv, join(LOG_DIR, 'scheduler.log'));
  await Promise.all([
    waitForHttp(`http://127.0.0.1:${API_PORT}/health`, api),
    waitForHttp(`http://127.0.0.1:${SCHEDULER_HEALTH_PORT}/health`, scheduler),
  ]);
  log(`api on :${API_PORT} and scheduler up; running tests`);

  const testEnv = {
    ...process.env,
    WALBRIDGE_TEST_API_URL: `http://127.0.0.1:${API_PORT}`,
    WALBRIDGE_TEST_ADMIN_USER: ADMIN_USER,
    WALBRIDGE_TEST_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // An api a test starts itself (on a database of its own) creates the same admin, so the
    // default ApiClient logs in there too.
    WALBRIDGE_ADMIN_USER: ADMIN_USER,
    WALBRIDGE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    WALBRIDGE_TEST_KAFKA_BROKERS: config.kafka.brokers,
    WALBRIDGE_TEST_PG_HOST: config.postgres.host,
    WALBRIDGE_TEST_PG_PORT: String(config.postgres.port),
    WALBRIDGE_TEST_PG_ADMIN_USER: config.postgres.superuser.user,
    WALBRIDGE_TEST_PG_ADMIN_PASSWORD: config.postgres.superuser.password,
    WALBRIDGE_TEST_SOURCE_USER: config.postgres.demo.user,
    WALBRIDGE_TEST_SOURCE_PASSWORD: config.postgres.demo.password,
    WALBRIDGE_TEST_SOURCE_DATABASE: config.postgres.demo.database,
    // For tests that start their own api/scheduler processes next to the shared ones (same
    // Redis; the same queue prefix on this database, or a prefix of their own on another).
    WALBRIDGE_TEST_DATABASE_URL: databaseUrl,
    WALBRIDGE_TEST_REDIS_URL: config.redis.url,
    WALBRIDGE_TEST_QUEUE_PREFIX: appEnv.WALBRIDGE_QUEUE_PREFIX,
    WALBRIDGE_TEST_MASTER_KEY_FILE: appEnv.WALBRIDGE_MASTER_KEY_FILE,
    WALBRIDGE_TEST_SCHEDULER_HEALTH_URL: `http://127.0.0.1:${SCHEDULER_HEALTH_PORT}/health`,
    WALBRIDGE_TEST_LOG_DIR: LOG_DIR,
    WALBRIDGE_TEST_SLOT_PREFIX: SLOT_PREFIX,
    WALBRIDGE_TEST_SCHEMA_REGISTRY_URL: schemaRegistryUrl,
  };
  const resultsFile = join(RESULTS_DIR, 'vitest.json');
  const vitest = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${resultsFile}`, ...extraArgs], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: testEnv,
  });
  if (existsSync(resultsFile)) {
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    // A run that failed without a failing test (a crashed worker, an unhandled error, a suite
    // that could not load) still counts as a failure.
    const unexplained = (vitest.status !== 0 || !results.success) && results.numFailedTests === 0 ? 1 : 0;
    checks.push({ name: 'vitest', passed: results.numPassedTests, failed: results.numFailedTests + unexplained });
  } else {
    checks.push({ name: 'vitest (no results written)', passed: 0, failed: 1 });
  }

  // Stopped first so that everything they had to say is in their logs before the scan.
  await Promise.all([stopChild(scheduler), stopChild(api)]);
  await scanLogsForPasswords(databaseUrl);

  if (!extraArgs.length) {
    log('linting (module boundaries included)');
    const lint = spawnSync('npx', ['nx', 'run-many', '-t', 'lint', '--output-style=static'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    });
    checks.push({ name: 'lint', passed: lint.status === 0 ? 1 : 0, failed: lint.status === 0 ? 0 : 1 });
    // The builds leave specs and fakes out and vitest does not check types: a spec that no longer
    // matches the code it tests would otherwise pass on whatever its objects happen to hold.
    log('type-checking the specs, fakes and system tests');
    const typecheck = spawnSync('npm', ['run', '--silent', 'typecheck'], { cwd: REPO_ROOT, stdio: 'inherit' });
    checks.push({ name: 'typecheck', passed: typecheck.status === 0 ? 1 : 0, failed: typecheck.status === 0 ? 0 : 1 });
  }
}

/**
 * No password a test used may appear in a log: the api and scheduler logs (worker output
 * included) and the task log and audit trail the run left in its database.
 */
async function scanLogsForPasswords(databaseUrl) {
  const tables = [
    ['task_log', 'SELECT id, message AS text FROM task_log'],
    ['audit_log', "SELECT id, concat_ws(' ', actor, path, target_id, error) AS text FROM audit_log"],
  ];
  const sources = fileSources(LOG_DIR);
  for (const [table, sql] of tables) {
    const { rows } = await adminQuery(databaseUrl, sql);
    sources.push({ name: `${TEST_DB}.${table}`, text: rows.map((r) => `#${r.id} ${r.text}`).join('\n') });
  }
  // The local Redis password too (none on a stack started before it had one).
  const findings = findSecrets(sources, { secrets: [ADMIN_PASSWORD, stack.stackConfig().redis.password].filter(Boolean) });
  for (const f of findings) log(`a test password is in ${f.source}:${f.line} (${f.found})`);
  log(`log scan: ${sources.length} logs, ${findings.length ? `${findings.length} password(s) found` : 'no test password found'}`);
  checks.push({ name: 'no test password in any log', passed: findings.length ? 0 : 1, failed: findings.length ? 1 : 0 });
}

function isAllUp(status) {
  if (!status) return false;
  if (typeof status.allUp === 'boolean') return status.allUp;
  if (Array.isArray(status.services)) return status.services.every((s) => s.up);
  return false;
}

/**
 * Slots of test tasks whose run was cut short; they would pin WAL and use up slots. A slot named
 * after a run (wbt_r<pid>_…) is dropped only once that run is gone; older names (wbtest_…) carry
 * no owner and go whenever inactive.
 */
async function dropLeftoverTestSlots(config) {
  const url = pgUrl(stack, config.postgres.demo.database);
  const { rows } = await adminQuery(
    url,
    "SELECT slot_name FROM pg_replication_slots WHERE NOT active AND (slot_name LIKE 'wbtest\\_%' OR slot_name LIKE 'wbt\\_r%')",
  );
  for (const { slot_name: slot } of rows) {
    const owner = /^wbt_r([0-9a-z]+)_/.exec(slot);
    if (owner && pidAlive(parseInt(owner[1], 36))) continue;
    await adminQuery(url, 'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]).catch(
      (error) => log(`could not drop leftover slot ${slot}: ${error.message}`),
    );
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function cleanup() {
  await Promise.all([stopChild(scheduler), stopChild(api)]);
  schemaRegistry?.child.kill('SIGTERM');
  if (startedStack && stack && !process.env.WALBRIDGE_KEEP_STACK) await stack.down().catch((e) => log(`stack down failed: ${e.message}`));
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  checks.push({ name: 'test setup', passed: 0, failed: 1 });
} finally {
  await cleanup();
}
const passed = checks.reduce((n, c) => n + c.passed, 0);
const failed = checks.reduce((n, c) => n + c.failed, 0);
for (const c of checks) log(`${c.name}: ${c.passed} passed, ${c.failed} failed`);
if (failed > 0) exitCode = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode);
