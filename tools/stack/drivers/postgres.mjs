// PostgreSQL driver: initdb, configuration, start, stop and status of one cluster owned by an
// unprivileged OS user (runuser when we are root: PostgreSQL refuses to run as root). Used by
// stack.mjs for the shared stack (roles and the demo database seeded) and by libs/testing for
// clusters a test needs of its own (other settings, pg_hba.conf lines, TLS, a standby).
//
// A cluster is described by a plain object `pg`:
//   { host, port, dir, dataDir, socketDir, logFile, osUser,
//     listenAddresses?,  // default [host]
//     settings?,         // postgresql.conf tuning (name → raw value); default: the stack's
//     hba?,              // pg_hba.conf lines after the owner's local trust; default: scram-sha-256
//     initdbUser?,       // { user, password? } the bootstrap superuser; default osUser, no password
//     ssl?,              // { certFile, keyFile } copied into the data directory
//     traverseParents?,  // chmod o+x the parents we own (test temp dirs are 0700)
//     seedFile?, superuser?, demo?, metadataDatabase?  // the stack's roles and demo database
//   }
// `tools` is { pgBin, runuser } (postgresPrerequisites finds them).

import { chmodSync, chownSync, copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import {
  StackError, ensureDir, findPgBin, isExecutable, isRootUser, isZombie, lookupUser, pidAlive, portOpen, processesIn,
  readPid, rel, run, tail, waitFor, which, writeIfChanged,
} from './common.mjs';

/** The shared stack's tuning: many tasks and slots, durability traded for speed. */
export const STACK_SETTINGS = Object.freeze({
  max_connections: '300',
  shared_buffers: '256MB',
  wal_level: 'logical',
  max_replication_slots: '40',
  max_wal_senders: '40',
  // a stalled test slot may not retain WAL without bound (the precheck alarms on unlimited)
  max_slot_wal_keep_size: "'10GB'",
  wal_sender_timeout: '60s',
  // dev/test stack: durability traded for speed
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
});

const DEFAULT_HBA = Object.freeze([
  'local   all          all                                  scram-sha-256',
  'host    all          all                 127.0.0.1/32     scram-sha-256',
  'host    replication  all                 127.0.0.1/32     scram-sha-256',
]);

/** The cluster owner: PostgreSQL refuses to run as root, so as root WALBRIDGE_PG_OS_USER or `postgres`. */
export function defaultOsUser() {
  return isRootUser() ? process.env.WALBRIDGE_PG_OS_USER || 'postgres' : os.userInfo().username;
}

/** A cluster of its own in `dir` (data/, run/, postgres.log), for tests; options as in the header. */
export function postgresClusterConfig({ dir, port, host = '127.0.0.1', ...options }) {
  return {
    host, port, dir,
    dataDir: join(dir, 'data'),
    socketDir: join(dir, 'run'),
    logFile: join(dir, 'postgres.log'),
    osUser: defaultOsUser(),
    traverseParents: true,
    ...options,
  };
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const bootstrapUser = (pg) => pg.initdbUser?.user ?? pg.osUser;

/** { found: { pgBin, runuser }, missing: [sentence] }: what this machine lacks to run a cluster. */
export async function postgresPrerequisites(pg) {
  const missing = [];
  const found = { pgBin: findPgBin() };
  if (!found.pgBin) {
    missing.push('PostgreSQL server binaries (initdb, pg_ctl, postgres, psql, pg_isready) were not found ' +
      'in PATH nor in /usr/lib/postgresql/*/bin: install the Debian package `postgresql-15` ' +
      '(or `postgresql`), or point WALBRIDGE_PG_BIN at the bin directory.');
  }
  if (isRootUser()) {
    found.runuser = which('runuser') || (isExecutable('/usr/sbin/runuser') ? '/usr/sbin/runuser' : null) ||
      (isExecutable('/sbin/runuser') ? '/sbin/runuser' : null);
    if (!found.runuser) missing.push('`runuser` was not found (needed to run PostgreSQL as an unprivileged user when root): install the Debian package `util-linux`.');
    const ids = await lookupUser(pg.osUser);
    if (!ids || ids.uid === 0) {
      missing.push(`PostgreSQL refuses to run as root and the unprivileged user '${pg.osUser}' does not exist (or is root): ` +
        'install the Debian package `postgresql-15` (it creates the user `postgres`), create the user, ' +
        'or set WALBRIDGE_PG_OS_USER to an existing unprivileged user.');
    }
  }
  return { found, missing };
}

/** Tools for a cluster, or a StackError listing what is missing. */
export async function postgresTools(pg) {
  const { found, missing } = await postgresPrerequisites(pg);
  if (missing.length) throw new StackError(`missing prerequisites:\n  - ${missing.join('\n  - ')}`, { service: 'postgres' });
  return found;
}

/** Runs a PostgreSQL binary as the cluster owner (runuser when we are root). */
export function pgRun(pg, tools, bin, args, opts = {}) {
  const exe = join(tools.pgBin, bin);
  const cwd = opts.cwd || pg.dir;
  if (isRootUser()) {
    return run(tools.runuser, ['-u', pg.osUser, '--', exe, ...args], { ...opts, cwd });
  }
  return run(exe, args, { ...opts, cwd });
}

async function pgOwnerIds(user) {
  const ids = await lookupUser(user);
  if (!ids) throw new StackError(`unknown user '${user}'`, { service: 'postgres' });
  return ids;
}

/** Gives a file or directory to the cluster owner (only needed when we are root). */
export async function giveToOwner(pg, path) {
  if (!isRootUser()) return;
  const { uid, gid } = await pgOwnerIds(pg.osUser);
  chownSync(path, uid, gid);
}

async function pgPrepareDirs(pg, tools) {
  const logDir = dirname(pg.logFile);
  const parent = dirname(pg.dir);
  ensureDir(parent);
  for (const dir of [pg.dir, pg.socketDir, logDir]) ensureDir(dir);
  chmodSync(pg.dir, 0o755); // data/ itself is 0700 (initdb)
  chmodSync(pg.socketDir, 0o755);
  chmodSync(logDir, 0o755);
  if (isRootUser()) {
    if (pg.traverseParents) {
      for (let p = parent; p !== dirname(p); p = dirname(p)) {
        const st = statSync(p);
        if (st.uid === 0 && (st.mode & 0o001) === 0) chmodSync(p, st.mode | 0o011);
      }
    } else {
      // the stack directory itself must be traversable by the postgres user
      const st = statSync(parent);
      if (st.uid === 0 && (st.mode & 0o001) === 0) chmodSync(parent, st.mode | 0o011);
    }
    const { uid, gid } = await pgOwnerIds(pg.osUser);
    for (const dir of new Set([pg.dir, pg.socketDir, logDir])) chownSync(dir, uid, gid);
    if (existsSync(pg.logFile)) chownSync(pg.logFile, uid, gid);
    // can the cluster owner reach (every parent traversable) and write its directory?
    const access = await run(tools.runuser, ['-u', pg.osUser, '--', '/bin/sh', '-c', 'test -w "$1" && test -x "$1"', 'sh', pg.dir],
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

/** walbridge.conf, included by postgresql.conf: addresses, the cluster's settings, logging. */
export function pgConfigText(pg) {
  const settings = {
    listen_addresses: q((pg.listenAddresses ?? [pg.host]).join(',')),
    port: String(pg.port),
    unix_socket_directories: q(pg.socketDir),
    ...(pg.settings ?? STACK_SETTINGS),
    password_encryption: "'scram-sha-256'",
    ...(pg.ssl ? { ssl: 'on', ssl_cert_file: "'server.crt'", ssl_key_file: "'server.key'" } : {}),
    logging_collector: 'off', // pg_ctl -l writes the server log to pg.logFile
    log_line_prefix: "'%m [%p] %q%u@%d '",
    log_timezone: "'UTC'",
    timezone: "'UTC'",
  };
  return [
    '# Written by tools/stack/drivers/postgres.mjs on every start: edit there, not here.',
    ...Object.entries(settings).map(([k, v]) => `${k} = ${v}`),
    '',
  ].join('\n');
}

export function pgHbaText(pg) {
  const owner = bootstrapUser(pg);
  return [
    '# Written by tools/stack/drivers/postgres.mjs on every start: edit there, not here.',
    '# TYPE  DATABASE     USER                ADDRESS          METHOD',
    `local   all          ${owner.padEnd(18)}  trust`,
    `local   replication  ${owner.padEnd(18)}  trust`,
    ...(pg.hba ?? DEFAULT_HBA),
    '',
  ].join('\n');
}

async function pgIsReady(pg, tools) {
  if (!tools.pgBin) return portOpen(pg.port, pg.host);
  const r = await run(join(tools.pgBin, 'pg_isready'), ['-q', '-h', pg.host, '-p', String(pg.port), '-d', 'postgres', '-t', '3'],
    { timeoutMs: 10_000 }).catch(() => ({ code: 1 }));
  return r.code === 0;
}

/** The postmaster's pid, or null when the cluster does not run. */
export function postgresPid(pg) {
  const pid = readPid(join(pg.dataDir, 'postmaster.pid'));
  return pid && pidAlive(pid) ? pid : null;
}

export async function postgresStatus(pg, tools) {
  const pid = postgresPid(pg);
  const answering = await pgIsReady(pg, tools);
  return {
    name: 'postgres', up: Boolean(pid && answering), pid, host: pg.host, port: pg.port,
    url: pg.url, logFile: pg.logFile,
    note: !pid && answering ? `port ${pg.port} is answered by a process that is not ours` : pid && !answering ? 'process runs but does not answer' : undefined,
  };
}

/** SQL through psql as the bootstrap superuser over the unix socket; resolves its output. */
export async function pgPsql(pg, tools, db, sql, { single = false } = {}) {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', pg.socketDir, '-p', String(pg.port),
    '-U', bootstrapUser(pg), '-d', db, '-At'];
  if (single) args.push('-1');
  args.push('-f', '-');
  const r = await pgRun(pg, tools, 'psql', args, { input: sql, timeoutMs: 120_000 });
  if (r.code !== 0) {
    throw new StackError(`psql on database ${db} failed: ${(r.stderr || r.stdout).trim()}`, { service: 'postgres', logFile: pg.logFile });
  }
  return r.stdout.trim();
}

const sqlLiteral = (s) => `'${String(s).replace(/'/g, "''")}'`;
const sqlIdent = (s) => `"${String(s).replace(/"/g, '""')}"`;

/** The stack's superuser and demo roles, both databases, and the demo schema (seeded once). */
async function pgEnsureRolesAndSeed(pg, tools, log) {
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
  await pgPsql(pg, tools, 'postgres', [
    "SET client_min_messages = warning;",
    role(su.user, 'SUPERUSER LOGIN', su.password),
    role(demo.user, 'LOGIN REPLICATION NOSUPERUSER', demo.password),
    // lets the precheck see other roles' long-running transactions (PRODUCT.md §3)
    `GRANT pg_read_all_stats TO ${sqlIdent(demo.user)};`,
    database(pg.metadataDatabase, su.user),
    database(demo.database, demo.user),
    '',
  ].join('\n'));
  const seeded = await pgPsql(pg, tools, demo.database,
    `SELECT to_regclass(${sqlLiteral(`${demo.schema}.audit_events`)}) IS NOT NULL;`);
  if (seeded === 't') return false;
  log(`postgres: seeding database ${demo.database} (schema ${demo.schema}) from ${rel(pg.seedFile)}`);
  const seed = readFileSync(pg.seedFile, 'utf8');
  // Objects are created by (and owned by) the demo role.
  await pgPsql(pg, tools, demo.database, `SET client_min_messages = warning;\nSET ROLE ${sqlIdent(demo.user)};\n${seed}\nRESET ROLE;\n`, { single: true });
  return true;
}

/**
 * After a postmaster was killed (-9, OOM), its pid can stay a zombie for a while when pid 1 does
 * not reap orphans promptly (containers, microVMs). PostgreSQL's own stale-lock check uses
 * kill(pid, 0), which succeeds on a zombie, so it refuses to start. Once no backend of the old
 * server is left, the lock file is provably stale: remove it.
 */
async function pgClearZombieLock(pg, log) {
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

async function pgInitdb(pg, tools, log) {
  if (existsSync(pg.dataDir)) rmSync(pg.dataDir, { recursive: true, force: true }); // half-done initdb
  log(`postgres: initdb ${rel(pg.dataDir)}`);
  const args = ['-D', pg.dataDir, '-U', bootstrapUser(pg), '-E', 'UTF8', '--locale=C', '-A', 'trust', '--no-sync'];
  const pwfile = pg.initdbUser?.password ? join(pg.dir, 'initdb.pw') : null;
  if (pwfile) {
    writeFileSync(pwfile, `${pg.initdbUser.password}\n`, { mode: 0o600 });
    await giveToOwner(pg, pwfile);
    args.push(`--pwfile=${pwfile}`);
  }
  try {
    const r = await pgRun(pg, tools, 'initdb', args, { timeoutMs: 180_000 });
    if (r.code !== 0) throw new StackError(`initdb failed:\n${(r.stderr || r.stdout).trim()}`, { service: 'postgres' });
  } finally {
    if (pwfile) rmSync(pwfile, { force: true });
  }
  const conf = join(pg.dataDir, 'postgresql.conf');
  const base = readFileSync(conf, 'utf8');
  writeFileSync(conf, `${base}\n# Walbridge settings\ninclude 'walbridge.conf'\n`);
}

/**
 * Starts the cluster unless it runs (initdb first when there is no data directory; a copy made
 * by pg_basebackup is started as it is), rewriting walbridge.conf and pg_hba.conf from `pg`.
 */
export async function postgresUp(pg, tools, log = () => {}) {
  const t0 = Date.now();
  await pgPrepareDirs(pg, tools);
  let running = postgresPid(pg);
  if (!running) {
    await pgClearZombieLock(pg, log);
    if (!existsSync(join(pg.dataDir, 'PG_VERSION'))) await pgInitdb(pg, tools, log);
    writeIfChanged(join(pg.dataDir, 'walbridge.conf'), pgConfigText(pg), 0o600);
    writeIfChanged(join(pg.dataDir, 'pg_hba.conf'), pgHbaText(pg), 0o600);
    const owned = ['postgresql.conf', 'walbridge.conf', 'pg_hba.conf'];
    if (pg.ssl) {
      // the server insists on owning its key, readable by nobody else
      copyFileSync(pg.ssl.certFile, join(pg.dataDir, 'server.crt'));
      chmodSync(join(pg.dataDir, 'server.crt'), 0o644);
      copyFileSync(pg.ssl.keyFile, join(pg.dataDir, 'server.key'));
      chmodSync(join(pg.dataDir, 'server.key'), 0o600);
      owned.push('server.crt', 'server.key');
    }
    for (const f of owned) await giveToOwner(pg, join(pg.dataDir, f));
    if (await portOpen(pg.port, pg.host)) {
      throw new StackError(`port ${pg.host}:${pg.port} is already in use by another process: stop it or set WALBRIDGE_PG_PORT`, { service: 'postgres' });
    }
    log(`postgres: starting on ${pg.host}:${pg.port}`);
    const r = await pgRun(pg, tools, 'pg_ctl', ['-D', pg.dataDir, '-l', pg.logFile, '-w', '-t', '90', '-s', 'start'],
      { timeoutMs: 120_000, detached: true });
    if (r.code !== 0) {
      throw new StackError(`PostgreSQL did not start (pg_ctl exit ${r.code}). ${(r.stderr || r.stdout).trim()}\n` +
        `--- ${pg.logFile} (tail) ---\n${tail(pg.logFile)}\nSee ${pg.logFile}`, { service: 'postgres', logFile: pg.logFile });
    }
    running = postgresPid(pg);
  } else {
    log(`postgres: already running (pid ${running})`);
  }
  const ready = await waitFor('postgres', () => pgIsReady(pg, tools), { timeoutMs: 60_000, intervalMs: 300 });
  if (!ready) {
    throw new StackError(`PostgreSQL (pid ${running}) does not answer on ${pg.host}:${pg.port} after 60s: see ${pg.logFile}\n${tail(pg.logFile)}`,
      { service: 'postgres', logFile: pg.logFile });
  }
  if (pg.seedFile) await pgEnsureRolesAndSeed(pg, tools, log);
  log(`postgres: ready (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

/**
 * Stops the cluster; resolves whether it ran. `mode: 'fast'` (the stack) falls back to an
 * immediate shutdown when that times out; tests that throw a cluster away use 'immediate'.
 */
export async function postgresDown(pg, tools, log = () => {}, { mode = 'fast' } = {}) {
  const pid = postgresPid(pg);
  if (!pid) return false;
  if (!tools.pgBin) throw new StackError('PostgreSQL runs but pg_ctl was not found to stop it', { service: 'postgres' });
  log(`postgres: stopping (pid ${pid})`);
  let r = { stderr: '' };
  if (mode === 'fast') {
    r = await pgRun(pg, tools, 'pg_ctl', ['-D', pg.dataDir, '-m', 'fast', '-w', '-t', '60', '-s', 'stop'], { timeoutMs: 90_000 });
    if (r.code !== 0 && postgresPid(pg)) log('postgres: fast shutdown timed out, using immediate');
  }
  if (postgresPid(pg)) {
    r = await pgRun(pg, tools, 'pg_ctl', ['-D', pg.dataDir, '-m', 'immediate', '-w', '-t', '30', '-s', 'stop'], { timeoutMs: 60_000 });
  }
  if (postgresPid(pg)) throw new StackError(`PostgreSQL (pid ${pid}) did not stop: ${(r.stderr || '').trim()}`, { service: 'postgres', logFile: pg.logFile });
  return true;
}

