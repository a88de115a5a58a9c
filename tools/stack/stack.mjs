#!/usr/bin/env node
// Walbridge local stack: PostgreSQL (wal_level=logical), Redis and a single-broker Apache Kafka
// (KRaft) started from local binaries, all bound to 127.0.0.1, all state under .stack/; the
// secrets (master key, Redis password) under .stack-keys/, outside the database files' tree.
//
//   node tools/stack/stack.mjs up|down|status|config|env
//
// Plain Node ESM with built-ins only: it runs before `npm install`.
// As a module: import { up, down, status, stackConfig, kafkaClasspath } from './stack/stack.mjs'.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync,
  readlinkSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, accessSync, constants as fsc,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..', '..');
const HOST = '127.0.0.1';
const KAFKA_VERSION_DEFAULT = '3.9.1';
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

function cacheHome() {
  return process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache');
}

/** A secret file's content, or null while it does not exist. */
function readSecret(file) {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** `redis://:password@host:port` with the password hidden, for what is printed. */
export function maskUrl(url) {
  return url.replace(/\/\/([^@/]*:)?[^@/]+@/, (_, user) => `//${user ?? ''}***@`);
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
  const libsDir = resolve(
    process.env.WALBRIDGE_KAFKA_LIBS || join(cacheHome(), 'walbridge', `kafka-${kafkaVersion}`, 'libs'),
  );
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pgOsUser = isRoot ? process.env.WALBRIDGE_PG_OS_USER || 'postgres' : os.userInfo().username;

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
    pom: join(HERE, 'kafka', 'pom.xml'),
    log4jConfig: join(HERE, 'kafka', 'log4j.properties'),
    toolsLog4jConfig: join(HERE, 'kafka', 'tools-log4j.properties'),
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

/** JVM flags for short-lived tools run by the stack itself (fast start-up over peak speed). */
function toolJvmArgs(kafka) {
  return [
    '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${kafka.toolsLog4jConfig}`,
  ];
}

// ---------------------------------------------------------------------------------------------
// small helpers
// ---------------------------------------------------------------------------------------------

class StackError extends Error {
  constructor(message, { service, logFile } = {}) {
    super(message);
    this.name = 'StackError';
    this.service = service;
    this.logFile = logFile;
  }
}
export { StackError };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rel = (p) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

/** Runs a command to completion (never longer than timeoutMs); resolves { code, stdout, stderr }. */
function run(command, args, { timeoutMs = 60_000, input, cwd, env, detached = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    let child;
    try {
      child = spawn(command, args, {
        cwd, env: env || process.env, detached, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      reject(error);
      return;
    }
    let stdout = '';
    let stderr = '';
    let done = false;
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const finish = (code, signal) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (timedOut) {
        reject(new StackError(`${command} ${args.join(' ')} did not finish within ${timeoutMs / 1000}s`));
      } else {
        resolvePromise({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr });
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      try { child.kill('SIGKILL'); } catch { /* gone */ }
      setTimeout(() => finish(null, 'SIGKILL'), 1000).unref();
    }, timeoutMs);
    child.on('error', (error) => { if (!done) { done = true; clearTimeout(timer); reject(error); } });
    // 'close' waits for stdio; a daemon that inherited our pipes would hold it open: fall back
    // to 'exit' plus a short grace period.
    child.on('close', finish);
    child.on('exit', (code, signal) => setTimeout(() => finish(code, signal), 500).unref());
    if (input !== undefined) {
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}

function which(name) {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(file) {
  try {
    accessSync(file, fsc.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function findJava() {
  if (process.env.JAVA_HOME) {
    const j = join(process.env.JAVA_HOME, 'bin', 'java');
    if (isExecutable(j)) return j;
  }
  return which('java');
}

function findPgBin() {
  const candidates = [];
  if (process.env.WALBRIDGE_PG_BIN) candidates.push(process.env.WALBRIDGE_PG_BIN);
  for (const dir of (process.env.PATH || '').split(delimiter)) if (dir) candidates.push(dir);
  const versioned = (base, re) => {
    try {
      return readdirSync(base)
        .map((d) => ({ d, m: re.exec(d) }))
        .filter((x) => x.m)
        .sort((a, b) => Number(b.m[1]) - Number(a.m[1]))
        .map((x) => x.d);
    } catch {
      return [];
    }
  };
  for (const v of versioned('/usr/lib/postgresql', /^(\d+)$/)) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  for (const v of versioned('/usr', /^pgsql-(\d+)$/)) candidates.push(`/usr/${v}/bin`);
  candidates.push('/usr/local/pgsql/bin');
  for (const dir of candidates) {
    if (['initdb', 'pg_ctl', 'postgres', 'psql', 'pg_isready'].every((b) => isExecutable(join(dir, b)))) {
      return dir;
    }
  }
  return null;
}

function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return false;
  }
  // A killed daemon whose parent (often pid 1 in a container) has not reaped it yet is a zombie:
  // signal 0 still succeeds, but it is dead.
  return !isZombie(pid); // false without /proc (macOS): trust kill(0)
}

function readPid(file) {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0].trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function procCmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null; // not Linux, or gone
  }
}

function tail(file, lines = 25) {
  try {
    const text = readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  }
}

function portOpen(port, host = HOST, timeoutMs = 1000) {
  return new Promise((resolvePromise) => {
    const socket = net.connect({ port, host });
    const done = (ok) => { socket.destroy(); resolvePromise(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function ensureDir(dir, mode = 0o755) {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode });
}

function writeIfChanged(file, content, mode) {
  let current = null;
  try { current = readFileSync(file, 'utf8'); } catch { /* new */ }
  if (current !== content) writeFileSync(file, content, mode ? { mode } : undefined);
  return current !== content;
}

async function waitFor(what, check, { timeoutMs, intervalMs = 300, abort }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (abort) {
      const reason = await abort();
      if (reason) throw new StackError(`${what}: ${reason}`);
    }
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// lock: one up/down at a time per stack directory
// ---------------------------------------------------------------------------------------------

async function withLock(stackDir, fn, timeoutMs = 20 * 60_000) {
  ensureDir(stackDir);
  const lockFile = join(stackDir, 'stack.lock');
  const deadline = Date.now() + timeoutMs;
  let warned = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = readPid(lockFile);
      if (holder === process.pid) break; // re-entrant (up() called from inside our own down()?)
      if (!holder || !pidAlive(holder)) {
        try { unlinkSync(lockFile); } catch { /* raced */ }
        continue;
      }
      if (Date.now() > deadline) {
        throw new StackError(`another stack command (pid ${holder}) holds ${lockFile}; giving up after ${timeoutMs / 1000}s`);
      }
      if (!warned) {
        warned = true;
        process.stderr.write(`stack: waiting for another stack command (pid ${holder}) to finish...\n`);
      }
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    try { if (readPid(lockFile) === process.pid) unlinkSync(lockFile); } catch { /* gone */ }
  }
}

// ---------------------------------------------------------------------------------------------
// prerequisites
// ---------------------------------------------------------------------------------------------

async function checkPrerequisites(cfg, services) {
  const missing = [];
  const found = {};
  if (services.includes('postgres')) {
    found.pgBin = findPgBin();
    if (!found.pgBin) {
      missing.push('PostgreSQL server binaries (initdb, pg_ctl, postgres, psql, pg_isready) were not found ' +
        'in PATH nor in /usr/lib/postgresql/*/bin: install the Debian package `postgresql-15` ' +
        '(or `postgresql`), or point WALBRIDGE_PG_BIN at the bin directory.');
    }
    if (isRootUser()) {
      found.runuser = which('runuser') || (isExecutable('/usr/sbin/runuser') ? '/usr/sbin/runuser' : null) ||
        (isExecutable('/sbin/runuser') ? '/sbin/runuser' : null);
      if (!found.runuser) missing.push('`runuser` was not found (needed to run PostgreSQL as an unprivileged user when root): install the Debian package `util-linux`.');
      const ids = await lookupUser(cfg.postgres.osUser);
      if (!ids || ids.uid === 0) {
        missing.push(`PostgreSQL refuses to run as root and the unprivileged user '${cfg.postgres.osUser}' does not exist (or is root): ` +
          'install the Debian package `postgresql-15` (it creates the user `postgres`), create the user, ' +
          'or set WALBRIDGE_PG_OS_USER to an existing unprivileged user.');
      }
    }
  }
  if (services.includes('redis')) {
    found.redisServer = which('redis-server');
    if (!found.redisServer) missing.push('`redis-server` was not found in PATH: install the Debian package `redis-server`.');
  }
  if (services.includes('kafka')) {
    found.java = findJava();
    if (!found.java) {
      missing.push('`java` (17+ recommended, 11+ required by Kafka 3.9) was not found in JAVA_HOME nor PATH: install the Debian package `openjdk-17-jre-headless`.');
    } else {
      const v = await run(found.java, ['-version'], { timeoutMs: 20_000 }).catch(() => null);
      const m = v && /version "(\d+)(?:\.(\d+))?/.exec(v.stderr + v.stdout);
      const major = m ? (Number(m[1]) === 1 ? Number(m[2]) : Number(m[1])) : 0;
      if (!m) missing.push(`\`${found.java} -version\` failed: reinstall the Debian package \`openjdk-17-jre-headless\`.`);
      else if (major < 11) missing.push(`Java ${major} at ${found.java} is too old for Kafka ${cfg.kafka.version} (needs 11+, 17 recommended): install the Debian package \`openjdk-17-jre-headless\`.`);
    }
    if (!kafkaLibsPresent(cfg.kafka.libsDir)) {
      found.mvn = which('mvn');
      if (!found.mvn) {
        missing.push(`\`mvn\` was not found in PATH and the Kafka jars are not cached yet (${cfg.kafka.libsDir}): ` +
          'install the Debian package `maven`, or set WALBRIDGE_KAFKA_LIBS to a directory holding the Kafka jars (e.g. the libs/ of a Kafka distribution).');
      }
    }
  }
  if (missing.length) {
    throw new StackError(`missing prerequisites:\n  - ${missing.join('\n  - ')}`);
  }
  return found;
}

function isRootUser() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------------

/** Runs a PostgreSQL binary as the cluster owner (runuser when we are root). */
function pgRun(ctx, bin, args, opts = {}) {
  const exe = join(ctx.pgBin, bin);
  const cwd = opts.cwd || ctx.cfg.postgres.dir;
  if (isRootUser()) {
    return run(ctx.runuser, ['-u', ctx.cfg.postgres.osUser, '--', exe, ...args], { ...opts, cwd });
  }
  return run(exe, args, { ...opts, cwd });
}

/** { uid, gid } of a local user (from /etc/passwd, else `id`), or null when unknown. */
async function lookupUser(user) {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === user && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch { /* no /etc/passwd: ask id */ }
  try {
    const uid = await run('id', ['-u', user], { timeoutMs: 5000 });
    const gid = await run('id', ['-g', user], { timeoutMs: 5000 });
    if (uid.code === 0 && gid.code === 0) return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch { /* no id either */ }
  return null;
}

async function pgOwnerIds(user) {
  const ids = await lookupUser(user);
  if (!ids) throw new StackError(`unknown user '${user}'`, { service: 'postgres' });
  return ids;
}

async function pgPrepareDirs(ctx) {
  const { postgres: pg, stackDir } = ctx.cfg;
  ensureDir(stackDir);
  for (const dir of [pg.dir, pg.socketDir, pg.logDir]) ensureDir(dir);
  chmodSync(pg.dir, 0o755); // data/ itself is 0700 (initdb)
  chmodSync(pg.socketDir, 0o755);
  chmodSync(pg.logDir, 0o755);
  if (isRootUser()) {
    // .stack itself must be traversable by the postgres user
    const st = statSync(stackDir);
    if (st.uid === 0 && (st.mode & 0o001) === 0) chmodSync(stackDir, st.mode | 0o011);
    const { uid, gid } = await pgOwnerIds(pg.osUser);
    for (const dir of [pg.dir, pg.socketDir, pg.logDir]) chownSync(dir, uid, gid);
    if (existsSync(pg.logFile)) chownSync(pg.logFile, uid, gid);
    // can the cluster owner reach (every parent traversable) and write its directory?
    const access = await run(ctx.runuser, ['-u', pg.osUser, '--', '/bin/sh', '-c', 'test -w "$1" && test -x "$1"', 'sh', pg.dir],
      { timeoutMs: 10_000, cwd: '/' });
    if (access.code !== 0) {
      throw new StackError(`the user '${pg.osUser}' cannot reach ${pg.dir}: every parent directory must be ` +
        `traversable (chmod o+x on each), or set WALBRIDGE_STACK_DIR to a directory such as /var/tmp/walbridge-stack`,
      { service: 'postgres' });
    }
  }
  const socketPath = join(pg.socketDir, `.s.PGSQL.${pg.port}`);
  if (Buffer.byteLength(socketPath) > 100) {
    throw new StackError(`the PostgreSQL socket path ${socketPath} is too long for a unix socket (max ~100 bytes): ` +
      'set WALBRIDGE_STACK_DIR to a shorter path', { service: 'postgres' });
  }
}

function pgConfigText(pg) {
  const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
  return [
    '# Written by tools/stack/stack.mjs on every `up`: edit there, not here.',
    `listen_addresses = '127.0.0.1'`,
    `port = ${pg.port}`,
    `unix_socket_directories = ${q(pg.socketDir)}`,
    'max_connections = 300',
    'shared_buffers = 256MB',
    'wal_level = logical',
    'max_replication_slots = 40',
    'max_wal_senders = 40',
    '# a stalled test slot may not retain WAL without bound (the precheck alarms on unlimited)',
    "max_slot_wal_keep_size = '10GB'",
    'wal_sender_timeout = 60s',
    '# dev/test stack: durability traded for speed',
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    "password_encryption = 'scram-sha-256'",
    'logging_collector = off # pg_ctl -l writes the server log to log/postgres.log',
    "log_line_prefix = '%m [%p] %q%u@%d '",
    "log_timezone = 'UTC'",
    "timezone = 'UTC'",
    '',
  ].join('\n');
}

function pgHbaText(pg) {
  return [
    '# Written by tools/stack/stack.mjs on every `up`: edit there, not here.',
    '# TYPE  DATABASE     USER                ADDRESS          METHOD',
    `local   all          ${pg.osUser.padEnd(18)}  trust`,
    `local   replication  ${pg.osUser.padEnd(18)}  trust`,
    'local   all          all                                  scram-sha-256',
    'host    all          all                 127.0.0.1/32     scram-sha-256',
    'host    replication  all                 127.0.0.1/32     scram-sha-256',
    '',
  ].join('\n');
}

async function pgIsReady(ctx) {
  const { postgres: pg } = ctx.cfg;
  if (!ctx.pgBin) return portOpen(pg.port);
  const r = await run(join(ctx.pgBin, 'pg_isready'), ['-q', '-h', HOST, '-p', String(pg.port), '-d', 'postgres', '-t', '3'],
    { timeoutMs: 10_000 }).catch(() => ({ code: 1 }));
  return r.code === 0;
}

function pgPid(cfg) {
  const pid = readPid(join(cfg.postgres.dataDir, 'postmaster.pid'));
  return pid && pidAlive(pid) ? pid : null;
}

async function pgStatus(ctx) {
  const { postgres: pg } = ctx.cfg;
  const pid = pgPid(ctx.cfg);
  const answering = await pgIsReady(ctx);
  return {
    name: 'postgres', up: Boolean(pid && answering), pid, host: pg.host, port: pg.port,
    url: pg.url, logFile: pg.logFile,
    note: !pid && answering ? `port ${pg.port} is answered by a process that is not ours` : pid && !answering ? 'process runs but does not answer' : undefined,
  };
}

async function pgPsql(ctx, db, sql, { single = false } = {}) {
  const { postgres: pg } = ctx.cfg;
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', pg.socketDir, '-p', String(pg.port),
    '-U', pg.osUser, '-d', db, '-At'];
  if (single) args.push('-1');
  args.push('-f', '-');
  const r = await pgRun(ctx, 'psql', args, { input: sql, timeoutMs: 120_000 });
  if (r.code !== 0) {
    throw new StackError(`psql on database ${db} failed: ${(r.stderr || r.stdout).trim()}`, { service: 'postgres', logFile: pg.logFile });
  }
  return r.stdout.trim();
}

const sqlLiteral = (s) => `'${String(s).replace(/'/g, "''")}'`;
const sqlIdent = (s) => `"${String(s).replace(/"/g, '""')}"`;

async function pgEnsureRolesAndSeed(ctx, log) {
  const { postgres: pg } = ctx.cfg;
  const su = pg.superuser;
  const demo = pg.demo;
  const role = (name, attrs, password) => `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${sqlLiteral(name)}) THEN
    CREATE ROLE ${sqlIdent(name)};
  END IF;
END $$;
ALTER ROLE ${sqlIdent(name)} WITH ${attrs} PASSWORD ${sqlLiteral(password)};`;
  const database = (name, owner) => `
SELECT 'CREATE DATABASE ${sqlIdent(name)} OWNER ${sqlIdent(owner)}'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${sqlLiteral(name)}) \\gexec
ALTER DATABASE ${sqlIdent(name)} OWNER TO ${sqlIdent(owner)};`;
  await pgPsql(ctx, 'postgres', [
    "SET client_min_messages = warning;",
    role(su.user, 'SUPERUSER LOGIN', su.password),
    role(demo.user, 'LOGIN REPLICATION NOSUPERUSER', demo.password),
    // lets the precheck see other roles' long-running transactions (PRODUCT.md §3)
    `GRANT pg_read_all_stats TO ${sqlIdent(demo.user)};`,
    database(pg.metadataDatabase, su.user),
    database(demo.database, demo.user),
    '',
  ].join('\n'));
  const seeded = await pgPsql(ctx, demo.database,
    `SELECT to_regclass(${sqlLiteral(`${demo.schema}.audit_events`)}) IS NOT NULL;`);
  if (seeded === 't') return false;
  log(`postgres: seeding database ${demo.database} (schema ${demo.schema}) from ${rel(pg.seedFile)}`);
  const seed = readFileSync(pg.seedFile, 'utf8');
  // Objects are created by (and owned by) the demo role.
  await pgPsql(ctx, demo.database, `SET client_min_messages = warning;\nSET ROLE ${sqlIdent(demo.user)};\n${seed}\nRESET ROLE;\n`, { single: true });
  return true;
}

function isZombie(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/** Live processes whose working directory is dir (PostgreSQL backends chdir into the data dir). */
function processesIn(dir) {
  const found = [];
  let entries = [];
  try { entries = readdirSync('/proc'); } catch { return found; }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readlinkSync(`/proc/${e}/cwd`) === dir && !isZombie(Number(e))) found.push(Number(e));
    } catch { /* gone or not ours */ }
  }
  return found;
}

/**
 * After a postmaster was killed (-9, OOM), its pid can stay a zombie for a while when pid 1 does
 * not reap orphans promptly (containers, microVMs). PostgreSQL's own stale-lock check uses
 * kill(pid, 0), which succeeds on a zombie, so it refuses to start. Once no backend of the old
 * server is left, the lock file is provably stale: remove it.
 */
async function pgClearZombieLock(ctx, log) {
  const { postgres: pg } = ctx.cfg;
  const socketLock = join(pg.socketDir, `.s.PGSQL.${pg.port}.lock`);
  const locks = [join(pg.dataDir, 'postmaster.pid'), socketLock]
    .map((file) => ({ file, pid: readPid(file) }))
    .filter((l) => l.pid && isZombie(l.pid));
  if (!locks.length) return;
  const gone = await waitFor('postgres', () => processesIn(pg.dataDir).length === 0, { timeoutMs: 15_000, intervalMs: 200 });
  if (!gone) return; // let pg_ctl report it
  for (const { file, pid } of locks) {
    log(`postgres: removing stale ${rel(file)} (pid ${pid} was killed and is a zombie)`);
    rmSync(file, { force: true });
    if (file === socketLock) rmSync(join(pg.socketDir, `.s.PGSQL.${pg.port}`), { force: true });
  }
}

async function pgUp(ctx, log) {
  const { postgres: pg } = ctx.cfg;
  const t0 = Date.now();
  await pgPrepareDirs(ctx);
  let running = pgPid(ctx.cfg);
  if (!running) {
    await pgClearZombieLock(ctx, log);
    if (!existsSync(join(pg.dataDir, 'PG_VERSION'))) {
      if (existsSync(pg.dataDir)) rmSync(pg.dataDir, { recursive: true, force: true }); // half-done initdb
      log(`postgres: initdb ${rel(pg.dataDir)}`);
      const r = await pgRun(ctx, 'initdb', ['-D', pg.dataDir, '-U', pg.osUser, '-E', 'UTF8', '--locale=C',
        '-A', 'trust', '--no-sync'], { timeoutMs: 180_000 });
      if (r.code !== 0) {
        throw new StackError(`initdb failed:\n${(r.stderr || r.stdout).trim()}`, { service: 'postgres' });
      }
      const conf = join(pg.dataDir, 'postgresql.conf');
      const base = readFileSync(conf, 'utf8');
      writeFileSync(conf, `${base}\n# Walbridge local stack settings\ninclude 'walbridge.conf'\n`);
    }
    writeIfChanged(join(pg.dataDir, 'walbridge.conf'), pgConfigText(pg), 0o600);
    writeIfChanged(join(pg.dataDir, 'pg_hba.conf'), pgHbaText(pg), 0o600);
    if (isRootUser()) {
      const { uid, gid } = await pgOwnerIds(pg.osUser);
      for (const f of ['postgresql.conf', 'walbridge.conf', 'pg_hba.conf']) chownSync(join(pg.dataDir, f), uid, gid);
    }
    if (await portOpen(pg.port)) {
      throw new StackError(`port ${HOST}:${pg.port} is already in use by another process: stop it or set WALBRIDGE_PG_PORT`, { service: 'postgres' });
    }
    log(`postgres: starting on ${HOST}:${pg.port}`);
    const r = await pgRun(ctx, 'pg_ctl', ['-D', pg.dataDir, '-l', pg.logFile, '-w', '-t', '90', '-s', 'start'],
      { timeoutMs: 120_000, detached: true });
    if (r.code !== 0) {
      throw new StackError(`PostgreSQL did not start (pg_ctl exit ${r.code}). ${(r.stderr || r.stdout).trim()}\n` +
        `--- ${pg.logFile} (tail) ---\n${tail(pg.logFile)}\nSee ${pg.logFile}`, { service: 'postgres', logFile: pg.logFile });
    }
    running = pgPid(ctx.cfg);
  } else {
    log(`postgres: already running (pid ${running})`);
  }
  const ready = await waitFor('postgres', () => pgIsReady(ctx), { timeoutMs: 60_000, intervalMs: 300 });
  if (!ready) {
    throw new StackError(`PostgreSQL (pid ${running}) does not answer on ${HOST}:${pg.port} after 60s: see ${pg.logFile}\n${tail(pg.logFile)}`,
      { service: 'postgres', logFile: pg.logFile });
  }
  await pgEnsureRolesAndSeed(ctx, log);
  log(`postgres: ready (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

async function pgDown(ctx, log) {
  const { postgres: pg } = ctx.cfg;
  const pid = pgPid(ctx.cfg);
  if (!pid) return false;
  if (!ctx.pgBin) throw new StackError('PostgreSQL runs but pg_ctl was not found to stop it', { service: 'postgres' });
  log(`postgres: stopping (pid ${pid})`);
  let r = await pgRun(ctx, 'pg_ctl', ['-D', pg.dataDir, '-m', 'fast', '-w', '-t', '60', '-s', 'stop'], { timeoutMs: 90_000 });
  if (r.code !== 0 && pgPid(ctx.cfg)) {
    log('postgres: fast shutdown timed out, using immediate');
    r = await pgRun(ctx, 'pg_ctl', ['-D', pg.dataDir, '-m', 'immediate', '-w', '-t', '30', '-s', 'stop'], { timeoutMs: 60_000 });
  }
  if (pgPid(ctx.cfg)) throw new StackError(`PostgreSQL (pid ${pid}) did not stop: ${(r.stderr || '').trim()}`, { service: 'postgres', logFile: pg.logFile });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------------

/** One RESP reply at `at`: { value | error, next }, or null while incomplete. */
function parseRedisReply(buf, at) {
  const nl = buf.indexOf('\r\n', at);
  if (nl < 0) return null;
  const type = String.fromCharCode(buf[at]);
  const line = buf.subarray(at + 1, nl).toString();
  if (type === '+' || type === ':') return { value: line, next: nl + 2 };
  if (type === '-') return { error: new Error(line), next: nl + 2 };
  if (type === '$') {
    const len = Number(line);
    if (len < 0) return { value: null, next: nl + 2 };
    return buf.length >= nl + 2 + len + 2 ? { value: buf.subarray(nl + 2, nl + 2 + len).toString(), next: nl + 4 + len } : null;
  }
  return { error: new Error(`unexpected reply ${JSON.stringify(buf.subarray(at, at + 40).toString())}`), next: buf.length };
}

/**
 * Sends one command (array of strings) and reads its RESP reply; with a password, AUTH first.
 * Rejects with the server's error (e.g. NOAUTH, or AUTH against a server without a password).
 */
function redisCommand(port, argv, timeoutMs = 2000, password = null) {
  const commands = password ? [['AUTH', password], argv] : [argv];
  return new Promise((resolvePromise, reject) => {
    const socket = net.connect({ port, host: HOST });
    let buf = Buffer.alloc(0);
    let at = 0;
    const replies = [];
    const fail = (e) => { socket.destroy(); reject(e); };
    socket.setTimeout(timeoutMs, () => fail(new Error('timeout')));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.write(commands.map((c) => `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join(''));
    });
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (let reply = parseRedisReply(buf, at); reply; reply = at < buf.length ? parseRedisReply(buf, at) : null) {
        at = reply.next;
        if (reply.error) return fail(reply.error);
        replies.push(reply.value);
        if (replies.length === commands.length) {
          socket.destroy();
          return resolvePromise(replies[replies.length - 1]);
        }
      }
    });
    socket.once('close', () => reject(new Error('connection closed')));
  });
}

/** A Redis started before passwords (or by hand) answers AUTH with this: it needs none. */
const NO_PASSWORD_SET = /without any password configured|no password is set/i;

/** A command with the stack's password; without it when the running server has none. */
async function redisAuthed(redis, argv, timeoutMs) {
  try {
    return await redisCommand(redis.port, argv, timeoutMs, redis.password);
  } catch (error) {
    if (!redis.password || !NO_PASSWORD_SET.test(error.message)) throw error;
    return redisCommand(redis.port, argv, timeoutMs);
  }
}

async function redisPing(redis) {
  try {
    return (await redisAuthed(redis, ['PING'])) === 'PONG';
  } catch {
    return false;
  }
}

async function redisServerPid(redis) {
  try {
    const info = await redisAuthed(redis, ['INFO', 'server']);
    const m = /process_id:(\d+)/.exec(info || '');
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function redisPid(cfg) {
  const pid = readPid(cfg.redis.pidFile);
  if (!pid || !pidAlive(pid)) return null;
  const cmd = procCmdline(pid);
  return cmd === null || /redis/.test(cmd) ? pid : null;
}

async function redisStatus(ctx) {
  const { redis } = ctx.cfg;
  const pid = redisPid(ctx.cfg);
  const answering = await redisPing(redis);
  return {
    name: 'redis', up: Boolean(pid && answering), pid, host: redis.host, port: redis.port,
    url: redis.displayUrl, logFile: redis.logFile,
    note: !pid && answering ? `port ${redis.port} is answered by a process that is not ours` : pid && !answering ? 'process runs but does not answer' : undefined,
  };
}

function redisConfigText(redis) {
  return [
    '# Written by tools/stack/stack.mjs on every `up`: edit there, not here.',
    // requirepass lives in the key directory (0600), not here.
    `include ${redis.authConfigFile}`,
    `bind ${HOST}`,
    `port ${redis.port}`,
    'protected-mode yes',
    'daemonize yes',
    'supervised no',
    `pidfile ${redis.pidFile}`,
    `logfile ${redis.logFile}`,
    'loglevel notice',
    `dir ${redis.dir}`,
    'appendonly yes',
    'appendfsync everysec',
    'save ""',
    'maxmemory-policy noeviction',
    'databases 16',
    '',
  ].join('\n');
}

/**
 * The stack's Redis password: generated once (0600, in the key directory) and put in the file
 * redis.conf includes. Only at a start: a Redis running without a password keeps running so.
 */
function redisEnsurePassword(ctx) {
  const { redis } = ctx.cfg;
  ensureKeyDir(ctx.cfg);
  if (!redis.password) {
    try {
      writeFileSync(redis.passwordFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    redis.password = readSecret(redis.passwordFile);
    redis.url = `redis://:${encodeURIComponent(redis.password)}@${HOST}:${redis.port}`;
    redis.displayUrl = maskUrl(redis.url);
  }
  writeIfChanged(redis.authConfigFile, `# Written by tools/stack/stack.mjs: the local Redis password.\nrequirepass ${redis.password}\n`, 0o600);
  chmodSync(redis.authConfigFile, 0o600);
}

async function redisUp(ctx, log) {
  const { redis } = ctx.cfg;
  const t0 = Date.now();
  ensureDir(redis.dir);
  let pid = redisPid(ctx.cfg);
  if (pid && (await redisPing(redis))) {
    log(`redis: already running (pid ${pid})`);
    return;
  }
  if (!pid) {
    if (await portOpen(redis.port)) {
      throw new StackError(`port ${HOST}:${redis.port} is already in use by another process: stop it or set WALBRIDGE_REDIS_PORT`, { service: 'redis' });
    }
    redisEnsurePassword(ctx);
    writeIfChanged(redis.configFile, redisConfigText(redis));
    log(`redis: starting on ${HOST}:${redis.port}`);
    const r = await run(ctx.redisServer, [redis.configFile], { timeoutMs: 30_000, cwd: redis.dir, detached: true });
    if (r.code !== 0) {
      throw new StackError(`redis-server failed to start (exit ${r.code}): ${(r.stderr || r.stdout).trim()}\n` +
        `--- ${redis.logFile} (tail) ---\n${tail(redis.logFile)}`, { service: 'redis', logFile: redis.logFile });
    }
  }
  const ready = await waitFor('redis', () => redisPing(redis), {
    timeoutMs: 30_000, intervalMs: 100,
    abort: async () => {
      // daemonized child writes the pidfile shortly after start
      if (Date.now() - t0 > 3000 && !redisPid(ctx.cfg)) return `redis-server exited: see ${redis.logFile}\n${tail(redis.logFile)}`;
      return null;
    },
  });
  if (!ready) {
    throw new StackError(`Redis does not answer PING on ${HOST}:${redis.port} after 30s: see ${redis.logFile}\n${tail(redis.logFile)}`,
      { service: 'redis', logFile: redis.logFile });
  }
  pid = redisPid(ctx.cfg);
  const actual = await redisServerPid(redis);
  if (pid && actual && actual !== pid) {
    throw new StackError(`port ${redis.port} is answered by Redis pid ${actual}, not by ours (pid ${pid})`, { service: 'redis' });
  }
  log(`redis: ready (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

async function redisDown(ctx, log) {
  const { redis } = ctx.cfg;
  const pid = redisPid(ctx.cfg);
  if (!pid) return false;
  log(`redis: stopping (pid ${pid})`);
  try {
    await redisAuthed(redis, ['SHUTDOWN', 'NOSAVE'], 5000);
  } catch { /* the connection closes on shutdown: expected */ }
  if (!(await waitFor('redis', () => !pidAlive(pid), { timeoutMs: 10_000, intervalMs: 100 }))) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    if (!(await waitFor('redis', () => !pidAlive(pid), { timeoutMs: 10_000, intervalMs: 100 }))) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await waitFor('redis', () => !pidAlive(pid), { timeoutMs: 5000, intervalMs: 100 });
    }
  }
  try { unlinkSync(redis.pidFile); } catch { /* redis removes it itself */ }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Kafka
// ---------------------------------------------------------------------------------------------

function kafkaLibsPresent(libsDir) {
  try {
    const files = readdirSync(libsDir);
    return files.some((f) => /^kafka_2\.1\d-.*\.jar$/.test(f)) && files.some((f) => /^kafka-tools-.*\.jar$/.test(f));
  } catch {
    return false;
  }
}

async function kafkaEnsureLibs(ctx, log) {
  const { kafka } = ctx.cfg;
  if (kafkaLibsPresent(kafka.libsDir)) return false;
  const t0 = Date.now();
  log(`kafka: fetching Apache Kafka ${kafka.version} jars from Maven Central into ${kafka.libsDir} (first run only, may take minutes)`);
  ensureDir(dirname(kafka.libsDir));
  const tmp = `${kafka.libsDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const r = await run(ctx.mvn, ['-q', '-B', '-f', kafka.pom, 'dependency:copy-dependencies',
    `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime', `-Dkafka.version=${kafka.version}`],
  { timeoutMs: 20 * 60_000, cwd: dirname(kafka.pom) });
  if (r.code !== 0 || !kafkaLibsPresent(tmp)) {
    rmSync(tmp, { recursive: true, force: true });
    throw new StackError(`Maven could not fetch the Kafka jars (exit ${r.code}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-30).join('\n')}`,
      { service: 'kafka' });
  }
  writeFileSync(join(tmp, 'walbridge-kafka.txt'), `Apache Kafka ${kafka.version} jars fetched by tools/stack/stack.mjs on ${new Date().toISOString()}\n`);
  rmSync(kafka.libsDir, { recursive: true, force: true });
  renameSync(tmp, kafka.libsDir);
  log(`kafka: jars cached (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  return true;
}

function kafkaConfigText(kafka) {
  return [
    '# Written by tools/stack/stack.mjs on every `up`: edit there, not here.',
    '# Single node, KRaft combined mode (broker + controller).',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${HOST}:${kafka.controllerPort}`,
    `listeners=PLAINTEXT://${HOST}:${kafka.port},CONTROLLER://${HOST}:${kafka.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${HOST}:${kafka.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${kafka.dataDir}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    '# fewer internal partitions than the defaults (50): faster first consumer group / transaction on a small machine',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.num.partitions=10',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=3',
    'num.io.threads=4',
    'num.recovery.threads.per.data.dir=1',
    'log.retention.hours=168',
    'log.segment.bytes=268435456',
    'log.retention.check.interval.ms=300000',
    '',
  ].join('\n');
}

function kafkaPid(cfg) {
  const pid = readPid(cfg.kafka.pidFile);
  if (!pid || !pidAlive(pid)) return null;
  const cmd = procCmdline(pid);
  return cmd === null || cmd.includes('kafka.Kafka') ? pid : null;
}

// --- minimal Kafka protocol client: ApiVersions v0 + Metadata (v1..v8) -----------------------

function kafkaRequest(port, apiKey, apiVersion, body, timeoutMs = 3000) {
  return new Promise((resolvePromise, reject) => {
    const clientId = Buffer.from('walbridge-stack');
    const header = Buffer.alloc(10);
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(apiVersion, 2);
    header.writeInt32BE(7, 4); // correlation id
    header.writeInt16BE(clientId.length, 8);
    const payload = Buffer.concat([header, clientId, body]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length, 0);
    const socket = net.connect({ port, host: HOST });
    let buf = Buffer.alloc(0);
    const fail = (e) => { socket.destroy(); reject(e); };
    socket.setTimeout(timeoutMs, () => fail(new Error('timeout')));
    socket.once('error', fail);
    socket.once('connect', () => socket.write(Buffer.concat([size, payload])));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4) return;
      const len = buf.readInt32BE(0);
      if (buf.length < 4 + len) return;
      socket.destroy();
      if (buf.readInt32BE(4) !== 7) { reject(new Error('bad correlation id')); return; }
      resolvePromise(buf.subarray(8, 4 + len));
    });
    socket.once('close', () => reject(new Error('connection closed')));
  });
}

/** ApiVersions round trip, then Metadata: resolves { apiKeys, brokers: [{ nodeId, host, port }] }. */
async function kafkaProbe(port, timeoutMs = 3000) {
  const av = await kafkaRequest(port, 18, 0, Buffer.alloc(0), timeoutMs);
  const errorCode = av.readInt16BE(0);
  if (errorCode !== 0) throw new Error(`ApiVersions error ${errorCode}`);
  const n = av.readInt32BE(2);
  const apiKeys = new Map();
  for (let i = 0, o = 6; i < n; i++, o += 6) apiKeys.set(av.readInt16BE(o), [av.readInt16BE(o + 2), av.readInt16BE(o + 4)]);
  const range = apiKeys.get(3);
  if (!range) throw new Error('broker does not offer Metadata');
  const version = Math.max(range[0], 1);
  if (version > 8) return { apiKeys, brokers: null }; // only flexible versions left: ApiVersions is proof enough
  const parts = [];
  const i32 = (v) => { const b = Buffer.alloc(4); b.writeInt32BE(v, 0); return b; };
  parts.push(i32(0)); // topics: empty array = none
  if (version >= 4) parts.push(Buffer.from([0])); // allow_auto_topic_creation
  if (version >= 8) parts.push(Buffer.from([0, 0])); // include_*_authorized_operations
  const md = await kafkaRequest(port, 3, version, Buffer.concat(parts), timeoutMs);
  let o = 0;
  if (version >= 3) o += 4; // throttle_time_ms
  const count = md.readInt32BE(o); o += 4;
  const brokers = [];
  for (let i = 0; i < count; i++) {
    const nodeId = md.readInt32BE(o); o += 4;
    const hl = md.readInt16BE(o); o += 2;
    const host = md.subarray(o, o + hl).toString(); o += hl;
    const bport = md.readInt32BE(o); o += 4;
    const rl = md.readInt16BE(o); o += 2;
    if (rl > 0) o += rl;
    brokers.push({ nodeId, host, port: bport });
  }
  return { apiKeys, brokers };
}

async function kafkaReady(port) {
  try {
    const { brokers } = await kafkaProbe(port);
    return brokers === null || brokers.length > 0;
  } catch {
    return false;
  }
}

async function kafkaStatus(ctx) {
  const { kafka } = ctx.cfg;
  const pid = kafkaPid(ctx.cfg);
  const answering = await kafkaReady(kafka.port);
  return {
    name: 'kafka', up: Boolean(pid && answering), pid, host: kafka.host, port: kafka.port,
    brokers: kafka.brokers, controllerPort: kafka.controllerPort, logFile: kafka.logFile,
    note: !pid && answering ? `port ${kafka.port} is answered by a broker that is not ours` : pid && !answering ? 'process runs but the broker does not answer (yet)' : undefined,
  };
}

async function kafkaUp(ctx, log) {
  const { kafka } = ctx.cfg;
  const t0 = Date.now();
  await kafkaEnsureLibs(ctx, log);
  for (const dir of [kafka.dir, kafka.dataDir, kafka.logDir]) ensureDir(dir);
  let pid = kafkaPid(ctx.cfg);
  if (!pid) {
    for (const p of [kafka.port, kafka.controllerPort]) {
      if (await portOpen(p)) {
        throw new StackError(`port ${HOST}:${p} is already in use by another process: stop it or set ` +
          `${p === kafka.port ? 'WALBRIDGE_KAFKA_PORT' : 'WALBRIDGE_KAFKA_CONTROLLER_PORT'}`, { service: 'kafka' });
      }
    }
    writeIfChanged(kafka.configFile, kafkaConfigText(kafka));
    if (!existsSync(join(kafka.dataDir, 'meta.properties'))) {
      let clusterId = existsSync(kafka.clusterIdFile) ? readFileSync(kafka.clusterIdFile, 'utf8').trim() : '';
      // Never one that starts with '-': the storage tool would take it for an option.
      if (!/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(clusterId)) {
        do {
          clusterId = randomBytes(16).toString('base64url');
        } while (clusterId.startsWith('-'));
        writeFileSync(kafka.clusterIdFile, `${clusterId}\n`);
      }
      log(`kafka: formatting storage ${rel(kafka.dataDir)} (cluster id ${clusterId})`);
      const r = await run(ctx.java, [...toolJvmArgs(kafka), '-cp', kafka.classpath, 'kafka.tools.StorageTool',
        'format', '-t', clusterId, '-c', kafka.configFile, '--ignore-formatted'], { timeoutMs: 120_000 });
      if (r.code !== 0) {
        throw new StackError(`kafka storage format failed (exit ${r.code}):\n${(r.stdout + r.stderr).trim()}`, { service: 'kafka' });
      }
    }
    log(`kafka: starting broker on ${HOST}:${kafka.port} (controller ${kafka.controllerPort})`);
    const out = openSync(kafka.stdoutFile, 'a');
    const args = [
      ...kafka.heapOpts,
      '-server', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true',
      `-Dkafka.logs.dir=${kafka.logDir}`, `-Dlog4j.configuration=file:${kafka.log4jConfig}`,
      '-cp', kafka.classpath, 'kafka.Kafka', kafka.configFile,
    ];
    const child = spawn(ctx.java, args, { cwd: kafka.dir, detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    const spawnError = await new Promise((r) => {
      child.once('error', r);
      child.once('spawn', () => r(null));
    });
    if (spawnError) throw new StackError(`could not start java: ${spawnError.message}`, { service: 'kafka' });
    pid = child.pid;
    writeFileSync(kafka.pidFile, `${pid}\n`);
    child.unref();
  } else {
    log(`kafka: already running (pid ${pid})`);
  }
  const started = pid;
  const ready = await waitFor('kafka', () => kafkaReady(kafka.port), {
    timeoutMs: Number(process.env.WALBRIDGE_KAFKA_START_TIMEOUT_MS) || 120_000,
    intervalMs: 500,
    abort: async () => (pidAlive(started) ? null
      : `the broker process (pid ${started}) exited during startup: see ${kafka.logFile} and ${kafka.stdoutFile}\n` +
        `${tail(kafka.stdoutFile, 15)}\n${tail(kafka.logFile, 25)}`),
  });
  if (!ready) {
    throw new StackError(`Kafka (pid ${pid}) does not answer on ${HOST}:${kafka.port}: see ${kafka.logFile}\n${tail(kafka.logFile)}`,
      { service: 'kafka', logFile: kafka.logFile });
  }
  log(`kafka: ready (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

async function kafkaDown(ctx, log) {
  const { kafka } = ctx.cfg;
  const pid = kafkaPid(ctx.cfg);
  if (!pid) {
    try { unlinkSync(kafka.pidFile); } catch { /* none */ }
    return false;
  }
  log(`kafka: stopping (pid ${pid})`);
  try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  const stopTimeout = Number(process.env.WALBRIDGE_KAFKA_STOP_TIMEOUT_MS) || 30_000;
  if (!(await waitFor('kafka', () => !pidAlive(pid), { timeoutMs: stopTimeout, intervalMs: 200 }))) {
    log(`kafka: still running after ${stopTimeout / 1000}s, sending SIGKILL`);
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    await waitFor('kafka', () => !pidAlive(pid), { timeoutMs: 10_000, intervalMs: 100 });
  }
  if (pidAlive(pid)) throw new StackError(`Kafka (pid ${pid}) did not stop`, { service: 'kafka' });
  try { unlinkSync(kafka.pidFile); } catch { /* gone */ }
  return true;
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
    const tasks = { postgres: pgUp, redis: redisUp, kafka: kafkaUp };
    const results = await Promise.allSettled(services.map((s) => tasks[s](ctx, log)));
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
    const tasks = { postgres: pgDown, redis: redisDown, kafka: kafkaDown };
    const results = await Promise.allSettled(services.map(async (s) => {
      if (await tasks[s](ctx, log)) stopped.push(s);
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
  const [postgres, redis, kafka] = await Promise.all([pgStatus(ctx), redisStatus(ctx), kafkaStatus(ctx)]);
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
