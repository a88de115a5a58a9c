#!/usr/bin/env node
// Walbridge local stack: PostgreSQL (wal_level=logical), Redis and a single-broker Apache Kafka
// (KRaft) started from local binaries, all bound to 127.0.0.1, all state under .stack/; the
// secrets (master key, Redis password) under .stack-keys/, outside the database files' tree.
//
//   node tools/stack/stack.mjs up|down|status|config|env
//
// Plain Node ESM with built-ins only: it runs before `npm install`. This file is the CLI and the
// stack's configuration (ports, directories, secrets from the environment); starting, stopping
// and probing each service is its driver's: drivers/postgres.mjs, drivers/redis.mjs,
// drivers/kafka.mjs (also used by libs/testing for servers a test starts with other options).
// As a module: import { up, down, status, stackConfig, kafkaClasspath } from './stack/stack.mjs'.

import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST, StackError, findJava, findPgBin, maskUrl, readSecret, rel, which, withLock } from './drivers/common.mjs';
import { KAFKA_VERSION_DEFAULT, defaultKafkaLibsDir, kafkaDown, kafkaFiles, kafkaPrerequisites, kafkaStatus, kafkaUp } from './drivers/kafka.mjs';
import { defaultOsUser, postgresDown, postgresPrerequisites, postgresStatus, postgresUp } from './drivers/postgres.mjs';
import { redisDown, redisPrerequisites, redisStatus, redisUp } from './drivers/redis.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..', '..');
const SERVICES = ['postgres', 'redis', 'kafka'];

// ---------------------------------------------------------------------------------------------
// configuration
// ---------------------------------------------------------------------------------------------

function envPort(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new StackError(`${name}=${raw} is not a valid TCP port (1-65535)`);
  }
  return n;
}

/**
 * Everything other scripts need to talk to the stack. Pure: computes paths, ports and URLs from
 * the environment and reads the secrets that exist; writes nothing.
 *
 * Secrets live in `keyDir` (WALBRIDGE_KEY_DIR, default: the stack directory's sibling
 * `<stack dir>-keys`), never among the database files: a copy of `.stack` (a backup, a
 * tarball handed to someone debugging) then holds the sealed credentials but not the key that
 * opens them, and PostgreSQL's OS user cannot read it.
 */
export function stackConfig() {
  const stackDir = resolve(process.env.WALBRIDGE_STACK_DIR || join(REPO_ROOT, '.stack'));
  const keyDir = resolve(process.env.WALBRIDGE_KEY_DIR || `${stackDir}-keys`);
  const pgPort = envPort('WALBRIDGE_PG_PORT', 55432);
  const redisPort = envPort('WALBRIDGE_REDIS_PORT', 56379);
  const kafkaPort = envPort('WALBRIDGE_KAFKA_PORT', 59092);
  const controllerPort = envPort('WALBRIDGE_KAFKA_CONTROLLER_PORT', 59093);
  const kafkaVersion = process.env.WALBRIDGE_KAFKA_VERSION || KAFKA_VERSION_DEFAULT;
  const libsDir = resolve(defaultKafkaLibsDir(kafkaVersion));
  const pgOsUser = defaultOsUser();

  const pgDir = join(stackDir, 'pg');
  const redisDir = join(stackDir, 'redis');
  const kafkaDir = join(stackDir, 'kafka');
  const pgUrl = (user, password, db) =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${HOST}:${pgPort}/${db}`;

  const postgres = {
    host: HOST,
    port: pgPort,
    dir: pgDir,
    dataDir: join(pgDir, 'data'),
    socketDir: join(pgDir, 'run'),
    logDir: join(pgDir, 'log'),
    logFile: join(pgDir, 'log', 'postgres.log'),
    osUser: pgOsUser, // owner of the cluster; local (unix socket) trust for this user only
    superuser: { user: 'walbridge', password: 'walbridge' },
    metadataDatabase: 'walbridge',
    demo: { user: 'demo', password: 'demo', database: 'demo', schema: 'shop' },
    seedFile: join(HERE, 'demo-seed.sql'),
    url: pgUrl('walbridge', 'walbridge', 'walbridge'), // metadata database, superuser
    demoUrl: pgUrl('demo', 'demo', 'demo'), // CDC source database, REPLICATION role
  };
  // Written when Redis is first started by this version; a Redis started before (no password)
  // keeps running without one until its next start, and its URL has none meanwhile.
  const redisPasswordFile = join(keyDir, 'redis.password');
  const redisPassword = readSecret(redisPasswordFile);
  const redisUrl = redisPassword ? `redis://:${encodeURIComponent(redisPassword)}@${HOST}:${redisPort}` : `redis://${HOST}:${redisPort}`;
  const redis = {
    host: HOST,
    port: redisPort,
    dir: redisDir,
    configFile: join(redisDir, 'redis.conf'),
    // `requirepass`, included by redis.conf: the password stays out of the stack directory.
    authConfigFile: join(keyDir, 'redis-auth.conf'),
    passwordFile: redisPasswordFile,
    password: redisPassword,
    pidFile: join(redisDir, 'redis.pid'),
    logFile: join(redisDir, 'redis.log'),
    url: redisUrl,
    displayUrl: maskUrl(redisUrl),
  };
  const kafka = {
    version: kafkaVersion,
    host: HOST,
    port: kafkaPort,
    controllerPort,
    brokers: `${HOST}:${kafkaPort}`,
    dir: kafkaDir,
    dataDir: join(kafkaDir, 'data'),
    logDir: join(kafkaDir, 'logs'),
    logFile: join(kafkaDir, 'logs', 'server.log'),
    stdoutFile: join(kafkaDir, 'logs', 'kafka.out'),
    configFile: join(kafkaDir, 'server.properties'),
    clusterIdFile: join(kafkaDir, 'cluster.id'),
    pidFile: join(kafkaDir, 'kafka.pid'),
    libsDir,
    classpath: `${libsDir}/*`,
    ...kafkaFiles,
    heapOpts: ['-Xms256m', '-Xmx512m'],
  };
  return {
    repoRoot: REPO_ROOT,
    stackDir,
    keyDir,
    // npm start's and npm run migrate's key; a key left in the stack directory by an older
    // version is moved here by ensureMasterKeyFile().
    masterKeyFile: join(keyDir, 'master.key'),
    host: HOST,
    postgres,
    redis,
    kafka,
    // ready to spread into a child process environment
    env: {
      WALBRIDGE_DATABASE_URL: postgres.url,
      WALBRIDGE_REDIS_URL: redis.url,
      WALBRIDGE_KAFKA_BROKERS: kafka.brokers,
    },
  };
}

/** The key directory, private to this user (0700). */
export function ensureKeyDir(cfg = stackConfig()) {
  mkdirSync(cfg.keyDir, { recursive: true, mode: 0o700 });
  chmodSync(cfg.keyDir, 0o700);
  return cfg.keyDir;
}

/**
 * The local install's master key file, in the key directory. Older versions kept it in the
 * stack directory beside the database files: such a key is moved (not copied, so no second
 * copy stays behind), so the secrets it sealed still open. Returns the path; the api creates
 * the key there at its first start.
 */
export function ensureMasterKeyFile(cfg = stackConfig(), log = () => {}) {
  ensureKeyDir(cfg);
  const legacy = join(cfg.stackDir, 'master.key');
  if (existsSync(legacy) && !existsSync(cfg.masterKeyFile)) {
    try {
      renameSync(legacy, cfg.masterKeyFile);
    } catch (error) {
      if (error.code !== 'EXDEV') throw error;
      writeFileSync(cfg.masterKeyFile, readFileSync(legacy), { mode: 0o600, flag: 'wx' });
      unlinkSync(legacy);
    }
    chmodSync(cfg.masterKeyFile, 0o600);
    log(`moved the master key out of the stack directory: ${cfg.masterKeyFile}`);
  } else if (existsSync(legacy)) {
    log(`warning: ${legacy} is not used (the key is ${cfg.masterKeyFile}); remove it once you are sure`);
  }
  return cfg.masterKeyFile;
}

/** Java classpath (`<libs>/*`) holding Kafka's broker and tools jars. */
export function kafkaClasspath() {
  return stackConfig().kafka.classpath;
}

/**
 * Command line to run one of Kafka's Java tools against the cached jars, e.g.
 * kafkaToolCommand('org.apache.kafka.tools.TopicCommand', '--bootstrap-server', brokers, '--list')
 * → { command: '/usr/bin/java', args: [...] } for child_process.spawn.
 */
export function kafkaToolCommand(mainClass, ...args) {
  const { kafka } = stackConfig();
  return {
    command: findJava() || 'java',
    args: ['-Xmx512m', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${kafka.toolsLog4jConfig}`,
      '-cp', kafka.classpath, mainClass, ...args],
  };
}


export { StackError, maskUrl };

// ---------------------------------------------------------------------------------------------
// prerequisites
// ---------------------------------------------------------------------------------------------

async function checkPrerequisites(cfg, services) {
  const checks = { postgres: () => postgresPrerequisites(cfg.postgres), redis: () => redisPrerequisites(), kafka: () => kafkaPrerequisites(cfg.kafka) };
  const missing = [];
  const found = {};
  for (const s of services) {
    const r = await checks[s]();
    Object.assign(found, r.found);
    missing.push(...r.missing);
  }
  if (missing.length) {
    throw new StackError(`missing prerequisites:\n  - ${missing.join('\n  - ')}`);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// public API
// ---------------------------------------------------------------------------------------------

function makeLog(opts) {
  if (typeof opts.log === 'function') return opts.log;
  if (opts.quiet) return () => {};
  return (msg) => process.stdout.write(`${msg}\n`);
}

function pickServices(opts) {
  const list = opts.services || SERVICES;
  for (const s of list) if (!SERVICES.includes(s)) throw new StackError(`unknown service ${s} (known: ${SERVICES.join(', ')})`);
  return SERVICES.filter((s) => list.includes(s));
}

async function statusCtx() {
  const cfg = stackConfig();
  return { cfg, pgBin: findPgBin(), runuser: which('runuser') || '/usr/sbin/runuser', java: findJava() };
}

/**
 * Starts whatever is not running yet and waits until every service answers.
 * opts: { services?: ('postgres'|'redis'|'kafka')[], quiet?: boolean, log?: (line) => void }
 * Resolves with the same object as status(); rejects with a StackError naming the service's log.
 */
export async function up(opts = {}) {
  const log = makeLog(opts);
  const services = pickServices(opts);
  const cfg = stackConfig();
  const t0 = Date.now();
  const ports = [['WALBRIDGE_PG_PORT', cfg.postgres.port], ['WALBRIDGE_REDIS_PORT', cfg.redis.port],
    ['WALBRIDGE_KAFKA_PORT', cfg.kafka.port], ['WALBRIDGE_KAFKA_CONTROLLER_PORT', cfg.kafka.controllerPort]];
  for (const [name, port] of ports) {
    const clash = ports.find(([other, p]) => other !== name && p === port);
    if (clash) throw new StackError(`${name} and ${clash[0]} are both ${port}: every service needs its own port`);
  }
  const found = await checkPrerequisites(cfg, services);
  const ctx = { cfg, ...found };
  await withLock(cfg.stackDir, async () => {
    const tasks = {
      postgres: () => postgresUp(cfg.postgres, ctx, log),
      redis: () => redisUp(cfg.redis, ctx, log),
      kafka: () => kafkaUp(cfg.kafka, ctx, log),
    };
    const results = await Promise.allSettled(services.map((s) => tasks[s]()));
    const errors = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    if (errors.length) {
      const message = errors.map((e) => `${e.service ? `${e.service}: ` : ''}${e.message}`).join('\n\n');
      const error = new StackError(message, errors.length === 1 ? errors[0] : {});
      error.errors = errors;
      throw error;
    }
  });
  const st = await status();
  if (!opts.quiet && typeof opts.log !== 'function') {
    log('');
    log(formatTable(st, cfg));
    log(`\nstack up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  } else {
    log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  return st;
}

/**
 * Stops whatever runs (Kafka, Redis, PostgreSQL). Harmless when nothing runs.
 * opts: { services?, quiet?, log? }. Resolves { stopped: string[] }.
 */
export async function down(opts = {}) {
  const log = makeLog(opts);
  const services = pickServices(opts);
  const cfg = stackConfig();
  const ctx = await statusCtx();
  const stopped = [];
  await withLock(cfg.stackDir, async () => {
    const tasks = {
      postgres: () => postgresDown(cfg.postgres, ctx, log),
      redis: () => redisDown(cfg.redis, log),
      kafka: () => kafkaDown(cfg.kafka, log),
    };
    const results = await Promise.allSettled(services.map(async (s) => {
      if (await tasks[s]()) stopped.push(s);
    }));
    const errors = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    if (errors.length) throw new StackError(errors.map((e) => e.message).join('\n'));
  });
  log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
  return { stopped };
}

/**
 * Resolves { allUp, services: { postgres, redis, kafka } } where each service is
 * { name, up, pid, host, port, logFile, url?/brokers?, note? }. Never throws for a stopped stack.
 */
export async function status() {
  const ctx = await statusCtx();
  const { cfg } = ctx;
  const [postgres, redis, kafka] = await Promise.all([postgresStatus(cfg.postgres, ctx), redisStatus(cfg.redis), kafkaStatus(cfg.kafka)]);
  return { allUp: postgres.up && redis.up && kafka.up, services: { postgres, redis, kafka } };
}

function formatTable(st, cfg) {
  const rows = [['service', 'state', 'address', 'pid', 'connect with', 'log']];
  const s = st.services;
  const connect = { postgres: cfg.postgres.url, redis: cfg.redis.displayUrl, kafka: cfg.kafka.brokers };
  for (const name of SERVICES) {
    const x = s[name];
    rows.push([name, x.up ? 'up' : 'down', `${x.host}:${x.port}`, x.pid ? String(x.pid) : '-', connect[name], rel(x.logFile)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  const notes = SERVICES.filter((n) => s[n].note).map((n) => `  ${n}: ${s[n].note}`);
  return [
    ...lines,
    ...(notes.length ? ['', ...notes] : []),
    '',
    `demo source database: ${cfg.postgres.demoUrl} (schema ${cfg.postgres.demo.schema})`,
    `kafka jars: ${cfg.kafka.libsDir}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

async function main(argv) {
  const [command, ...rest] = argv;
  const services = rest.filter((a) => !a.startsWith('-'));
  const opts = { quiet: rest.includes('--quiet') || rest.includes('-q'), ...(services.length ? { services } : {}) };
  switch (command) {
    case 'up':
      await up(opts);
      return 0;
    case 'down':
      await down(opts);
      return 0;
    case 'status': {
      const st = await status();
      process.stdout.write(`${formatTable(st, stackConfig())}\n`);
      return st.allUp ? 0 : 1;
    }
    case 'config':
      process.stdout.write(`${JSON.stringify(stackConfig(), null, 2)}\n`);
      return 0;
    case 'env': {
      const { env } = stackConfig();
      for (const [k, v] of Object.entries(env)) process.stdout.write(`export ${k}='${v}'\n`);
      return 0;
    }
    default:
      process.stderr.write('usage: node tools/stack/stack.mjs up|down|status|config|env [postgres|redis|kafka ...] [--quiet]\n');
      return 2;
  }
}

if (isMain()) {
  // `stack.mjs status | head -1` must not crash with EPIPE
  process.stdout.on('error', (error) => { if (error.code !== 'EPIPE') throw error; });
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error) => {
      process.stderr.write(`stack: ${error instanceof StackError ? error.message : error.stack || error}\n`);
      process.exitCode = 1;
    },
  );
}
