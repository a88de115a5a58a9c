// Process, file and socket helpers shared by the stack's service drivers (postgres.mjs,
// redis.mjs, kafka.mjs), stack.mjs and the test helpers in libs/testing that start servers of
// their own. Plain Node ESM with built-ins only: the stack runs before `npm install`.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync, closeSync, constants as fsc, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync,
  statSync, unlinkSync, writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { delimiter, join, relative } from 'node:path';

export const HOST = '127.0.0.1';

/** A secret file's content, or null while it does not exist. */
export function readSecret(file) {
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

export class StackError extends Error {
  constructor(message, { service, logFile } = {}) {
    super(message);
    this.name = 'StackError';
    this.service = service;
    this.logFile = logFile;
  }
}


export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const rel = (p) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

/** Runs a command to completion (never longer than timeoutMs); resolves { code, stdout, stderr }. */
export function run(command, args, { timeoutMs = 60_000, input, cwd, env, detached = false } = {}) {
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

export function which(name) {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

export function isExecutable(file) {
  try {
    accessSync(file, fsc.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findJava() {
  if (process.env.JAVA_HOME) {
    const j = join(process.env.JAVA_HOME, 'bin', 'java');
    if (isExecutable(j)) return j;
  }
  return which('java');
}

export function findPgBin() {
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

export function pidAlive(pid) {
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

export function readPid(file) {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0].trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function procCmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null; // not Linux, or gone
  }
}

export function tail(file, lines = 25) {
  try {
    const text = readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  }
}

export function portOpen(port, host = HOST, timeoutMs = 1000) {
  return new Promise((resolvePromise) => {
    const socket = net.connect({ port, host });
    const done = (ok) => { socket.destroy(); resolvePromise(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function ensureDir(dir, mode = 0o755) {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode });
}

export function writeIfChanged(file, content, mode) {
  let current = null;
  try { current = readFileSync(file, 'utf8'); } catch { /* new */ }
  if (current !== content) writeFileSync(file, content, mode ? { mode } : undefined);
  return current !== content;
}

export async function waitFor(what, check, { timeoutMs, intervalMs = 300, abort }) {
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

export function isRootUser() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** { uid, gid } of a local user (from /etc/passwd, else `id`), or null when unknown. */
export async function lookupUser(user) {
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

export function isZombie(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/** Live processes whose working directory is dir (PostgreSQL backends chdir into the data dir). */
export function processesIn(dir) {
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
 * A KRaft cluster id (16 random bytes, base64url). Never one that starts with '-': the storage
 * tool would take it for an option, and `format -t -abc…` fails (Kafka's own Uuid.randomUuid()
 * avoids those for the same reason).
 */
export function kafkaClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** One up/down at a time per stack directory (a lock file holding the owner's pid). */
export async function withLock(stackDir, fn, timeoutMs = 20 * 60_000) {
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
