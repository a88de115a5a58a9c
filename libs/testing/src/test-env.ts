import { join, resolve } from 'node:path';

/** The repository root (this file is compiled to libs/testing/dist). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/**
 * Where the shared test stack runs; tools/test.mjs starts it and exports these variables.
 * Defaults match `npm run stack:up` so a single file can be run by hand against a running stack.
 */
export const testEnv = {
  apiUrl: process.env.WALBRIDGE_TEST_API_URL ?? 'http://127.0.0.1:58080',
  /** The admin the runner's API was started with; ApiClient logs in as this user by default. */
  adminUser: process.env.WALBRIDGE_TEST_ADMIN_USER,
  adminPassword: process.env.WALBRIDGE_TEST_ADMIN_PASSWORD,
  kafkaBrokers: (process.env.WALBRIDGE_TEST_KAFKA_BROKERS ?? '127.0.0.1:59092').split(','),
  pgHost: process.env.WALBRIDGE_TEST_PG_HOST ?? '127.0.0.1',
  pgPort: Number(process.env.WALBRIDGE_TEST_PG_PORT ?? 55432),
  /** Superuser of the stack's cluster, to create fixtures in the demo database. */
  pgAdminUser: process.env.WALBRIDGE_TEST_PG_ADMIN_USER ?? 'walbridge',
  pgAdminPassword: process.env.WALBRIDGE_TEST_PG_ADMIN_PASSWORD ?? 'walbridge',
  /** The role a task uses to read the demo database, as a user would configure it. */
  sourceUser: process.env.WALBRIDGE_TEST_SOURCE_USER ?? 'demo',
  sourcePassword: process.env.WALBRIDGE_TEST_SOURCE_PASSWORD ?? 'demo',
  sourceDatabase: process.env.WALBRIDGE_TEST_SOURCE_DATABASE ?? 'demo',
  /** Metadata database of the shared api and scheduler. */
  databaseUrl: process.env.WALBRIDGE_TEST_DATABASE_URL ?? 'postgres://walbridge:walbridge@127.0.0.1:55432/walbridge_test',
  redisUrl: process.env.WALBRIDGE_TEST_REDIS_URL ?? 'redis://127.0.0.1:56379',
  /** Queue (and lease) prefix of the shared api and scheduler: processes on their database must use it too. */
  queuePrefix: process.env.WALBRIDGE_TEST_QUEUE_PREFIX ?? 'walbridge-test',
  masterKeyFile: process.env.WALBRIDGE_TEST_MASTER_KEY_FILE,
  schedulerHealthUrl: process.env.WALBRIDGE_TEST_SCHEDULER_HEALTH_URL ?? 'http://127.0.0.1:58081/health',
  /**
   * Replication slot names of this run start with it (`wbt_r<runner pid>_`): the runner drops
   * leftovers of dead runs only, never the inactive slot of a paused task in a concurrent run.
   */
  slotPrefix: process.env.WALBRIDGE_TEST_SLOT_PREFIX ?? `wbt_r${process.pid.toString(36)}_`,
  /** Where processes started by tests write their output (scanned for leaked secrets). */
  logDir: process.env.WALBRIDGE_TEST_LOG_DIR ?? join(REPO_ROOT, 'test-results', 'logs'),
};
