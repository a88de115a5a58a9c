// Redis driver: a daemonized redis-server with append-only persistence and a password of its
// own (requirepass in a 0600 file of the key directory, generated at the first start), probed
// with a minimal RESP client (built-ins only: the stack runs before `npm install`).
//
// `redis` is the object stackConfig().redis returns: { host, port, dir, configFile,
// authConfigFile, passwordFile, password, pidFile, logFile, url, displayUrl }.

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname } from 'node:path';
import {
  HOST, StackError, ensureDir, maskUrl, pidAlive, portOpen, procCmdline, readPid, readSecret, run, tail, waitFor, which, writeIfChanged,
} from './common.mjs';

/** { found: { redisServer }, missing: [sentence] }. */
export function redisPrerequisites() {
  const redisServer = which('redis-server');
  return { found: { redisServer }, missing: redisServer ? [] : ['`redis-server` was not found in PATH: install the Debian package `redis-server`.'] };
}

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
export function redisCommand(port, argv, timeoutMs = 2000, password = null) {
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

export async function redisPing(redis) {
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

export function redisPid(redis) {
  const pid = readPid(redis.pidFile);
  if (!pid || !pidAlive(pid)) return null;
  const cmd = procCmdline(pid);
  return cmd === null || /redis/.test(cmd) ? pid : null;
}

export async function redisStatus(redis) {
  const pid = redisPid(redis);
  const answering = await redisPing(redis);
  return {
    name: 'redis', up: Boolean(pid && answering), pid, host: redis.host, port: redis.port,
    url: redis.displayUrl, logFile: redis.logFile,
    note: !pid && answering ? `port ${redis.port} is answered by a process that is not ours` : pid && !answering ? 'process runs but does not answer' : undefined,
  };
}

function redisConfigText(redis) {
  return [
    '# Written by tools/stack/drivers/redis.mjs on every `up`: edit there, not here.',
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
function redisEnsurePassword(redis) {
  // the key directory, private to this user
  mkdirSync(dirname(redis.passwordFile), { recursive: true, mode: 0o700 });
  chmodSync(dirname(redis.passwordFile), 0o700);
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
  writeIfChanged(redis.authConfigFile, `# Written by tools/stack/drivers/redis.mjs: the local Redis password.\nrequirepass ${redis.password}\n`, 0o600);
  chmodSync(redis.authConfigFile, 0o600);
}

export async function redisUp(redis, tools, log = () => {}) {
  const t0 = Date.now();
  ensureDir(redis.dir);
  let pid = redisPid(redis);
  if (pid && (await redisPing(redis))) {
    log(`redis: already running (pid ${pid})`);
    return;
  }
  if (!pid) {
    if (await portOpen(redis.port)) {
      throw new StackError(`port ${HOST}:${redis.port} is already in use by another process: stop it or set WALBRIDGE_REDIS_PORT`, { service: 'redis' });
    }
    redisEnsurePassword(redis);
    writeIfChanged(redis.configFile, redisConfigText(redis));
    log(`redis: starting on ${HOST}:${redis.port}`);
    const r = await run(tools.redisServer, [redis.configFile], { timeoutMs: 30_000, cwd: redis.dir, detached: true });
    if (r.code !== 0) {
      throw new StackError(`redis-server failed to start (exit ${r.code}): ${(r.stderr || r.stdout).trim()}\n` +
        `--- ${redis.logFile} (tail) ---\n${tail(redis.logFile)}`, { service: 'redis', logFile: redis.logFile });
    }
  }
  const ready = await waitFor('redis', () => redisPing(redis), {
    timeoutMs: 30_000, intervalMs: 100,
    abort: async () => {
      // daemonized child writes the pidfile shortly after start
      if (Date.now() - t0 > 3000 && !redisPid(redis)) return `redis-server exited: see ${redis.logFile}\n${tail(redis.logFile)}`;
      return null;
    },
  });
  if (!ready) {
    throw new StackError(`Redis does not answer PING on ${HOST}:${redis.port} after 30s: see ${redis.logFile}\n${tail(redis.logFile)}`,
      { service: 'redis', logFile: redis.logFile });
  }
  pid = redisPid(redis);
  const actual = await redisServerPid(redis);
  if (pid && actual && actual !== pid) {
    throw new StackError(`port ${redis.port} is answered by Redis pid ${actual}, not by ours (pid ${pid})`, { service: 'redis' });
  }
  log(`redis: ready (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

export async function redisDown(redis, log = () => {}) {
  const pid = redisPid(redis);
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
