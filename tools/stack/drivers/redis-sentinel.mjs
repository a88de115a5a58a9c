// Redis Sentinel driver: a primary, its replicas and the Sentinels watching them, each a
// daemonized `redis-server` (a Sentinel is `redis-server <conf> --sentinel`, the same binary
// Debian's redis-sentinel package wraps), all on loopback, with passwords for the data nodes and
// for the Sentinels. For tests of a Redis failover (README "Running a fleet"); the stack's own
// Redis stays a single node.
//
// CLI (what libs/testing runs, the built-ins only, as the other drivers):
//   node redis-sentinel.mjs up '<options as JSON>'   prints the set as JSON once every part is ready
//   node redis-sentinel.mjs primary <dir>            prints the primary's port as the Sentinels agree on it
//   node redis-sentinel.mjs down <dir>               stops every process of the set in <dir>

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HOST, StackError, ensureDir, pidAlive, procCmdline, readPid, run, tail, waitFor, which } from './common.mjs';
import { redisCommand } from './redis.mjs';

/**
 * Options: { dir, primaryPort, replicaPorts: [port], sentinelPorts: [port], masterName?,
 * password?, sentinelPassword?, downAfterMs?, failoverTimeoutMs? }. Passwords are generated when
 * left out. The quorum is a majority of the Sentinels.
 */
function resolveOptions(options) {
  if (!options.dir || !options.primaryPort || !options.replicaPorts?.length || !options.sentinelPorts?.length) {
    throw new StackError('redis-sentinel: dir, primaryPort, replicaPorts and sentinelPorts are required');
  }
  return {
    masterName: 'walbridge',
    password: randomBytes(18).toString('base64url'),
    sentinelPassword: randomBytes(18).toString('base64url'),
    // Quick enough for a test to see the failover in seconds, slow enough not to flap on a loaded machine.
    downAfterMs: 2000,
    failoverTimeoutMs: 10_000,
    ...options,
  };
}

const nodeName = (role, port) => `${role}-${port}`;

function dataNodeConfig(o, port, replicaOf) {
  const name = nodeName('redis', port);
  return [
    '# Written by tools/stack/drivers/redis-sentinel.mjs.',
    `bind ${HOST}`,
    `port ${port}`,
    'protected-mode yes',
    'daemonize yes',
    `pidfile ${join(o.dir, `${name}.pid`)}`,
    `logfile ${join(o.dir, `${name}.log`)}`,
    `dir ${o.dir}`,
    `dbfilename ${name}.rdb`,
    `appendfilename ${name}.aof`,
    `appenddirname ${name}-aof`,
    'appendonly yes',
    'appendfsync everysec',
    'maxmemory-policy noeviction',
    `requirepass ${o.password}`,
    // A replica (and a demoted primary) authenticates to its primary with the same password.
    `masterauth ${o.password}`,
    ...(replicaOf ? [`replicaof ${HOST} ${replicaOf}`] : []),
    '',
  ].join('\n');
}

function sentinelConfig(o, port) {
  const name = nodeName('sentinel', port);
  const quorum = Math.floor(o.sentinelPorts.length / 2) + 1;
  return [
    '# Written by tools/stack/drivers/redis-sentinel.mjs; Sentinel rewrites it with what it learns.',
    `bind ${HOST}`,
    `port ${port}`,
    'daemonize yes',
    `pidfile ${join(o.dir, `${name}.pid`)}`,
    `logfile ${join(o.dir, `${name}.log`)}`,
    `dir ${o.dir}`,
    // Clients and the other Sentinels (they use the same requirepass to talk to each other).
    `requirepass ${o.sentinelPassword}`,
    `sentinel monitor ${o.masterName} ${HOST} ${o.primaryPort} ${quorum}`,
    `sentinel auth-pass ${o.masterName} ${o.password}`,
    `sentinel down-after-milliseconds ${o.masterName} ${o.downAfterMs}`,
    `sentinel failover-timeout ${o.masterName} ${o.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${o.masterName} 1`,
    '',
  ].join('\n');
}

/** `INFO <section>` as { key: value }. */
async function info(port, section, password) {
  const text = await redisCommand(port, ['INFO', section], 2000, password);
  return Object.fromEntries(
    String(text || '')
      .split('\r\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );
}

/** What a Sentinel knows of the set: { address: 'host:port', status, replicas, sentinels }, or null. */
export async function sentinelView(port, o) {
  try {
    const fields = await info(port, 'sentinel', o.sentinelPassword);
    const line = Object.values(fields).find((v) => v.startsWith(`name=${o.masterName},`));
    if (!line) return null;
    const kv = Object.fromEntries(line.split(',').map((p) => p.split('=')));
    return { address: kv.address, status: kv.status, replicas: Number(kv.slaves), sentinels: Number(kv.sentinels) };
  } catch {
    return null;
  }
}

async function start(redisServer, configFile, args, o, name) {
  const r = await run(redisServer, [configFile, ...args], { timeoutMs: 30_000, cwd: o.dir, detached: true });
  if (r.code !== 0) {
    throw new StackError(`${name} failed to start (exit ${r.code}): ${(r.stderr || r.stdout).trim()}\n${tail(join(o.dir, `${name}.log`))}`);
  }
}

/** Starts the set and waits until the replicas follow the primary and every Sentinel sees all the others. */
export async function sentinelUp(options, log = () => {}) {
  const o = resolveOptions(options);
  const redisServer = which('redis-server');
  if (!redisServer) throw new StackError('`redis-server` was not found in PATH: install the Debian package `redis-server`.');
  ensureDir(o.dir, 0o700);
  const nodes = [
    { name: nodeName('redis', o.primaryPort), config: dataNodeConfig(o, o.primaryPort, null) },
    ...o.replicaPorts.map((port) => ({ name: nodeName('redis', port), config: dataNodeConfig(o, port, o.primaryPort) })),
  ];
  for (const node of nodes) {
    const file = join(o.dir, `${node.name}.conf`);
    writeFileSync(file, node.config, { mode: 0o600 });
    await start(redisServer, file, [], o, node.name);
  }
  const replicasFollow = await waitFor('replicas', async () => {
    const states = await Promise.all(o.replicaPorts.map((port) => info(port, 'replication', o.password).catch(() => ({}))));
    return states.every((s) => s.role === 'slave' && s.master_link_status === 'up');
  }, { timeoutMs: 30_000, intervalMs: 200 });
  if (!replicasFollow) throw new StackError(`the replicas do not follow the primary after 30 s: see ${o.dir}`);
  for (const port of o.sentinelPorts) {
    const name = nodeName('sentinel', port);
    const file = join(o.dir, `${name}.conf`);
    writeFileSync(file, sentinelConfig(o, port), { mode: 0o600 });
    await start(redisServer, file, ['--sentinel'], o, name);
  }
  // Sentinels find each other and the replicas through the primary's hello channel (every 2 s).
  const allSeen = await waitFor('sentinels', async () => {
    const views = await Promise.all(o.sentinelPorts.map((port) => sentinelView(port, o)));
    return views.every((v) => v && v.status === 'ok' && v.address === `${HOST}:${o.primaryPort}` && v.replicas === o.replicaPorts.length && v.sentinels === o.sentinelPorts.length);
  }, { timeoutMs: 60_000, intervalMs: 300 });
  if (!allSeen) throw new StackError(`the Sentinels do not all see the primary, its replicas and each other after 60 s: see ${o.dir}`);
  log(`redis-sentinel: primary ${HOST}:${o.primaryPort}, replicas ${o.replicaPorts.join(',')}, sentinels ${o.sentinelPorts.join(',')}`);
  const set = {
    dir: o.dir,
    masterName: o.masterName,
    password: o.password,
    sentinelPassword: o.sentinelPassword,
    primaryPort: o.primaryPort,
    replicaPorts: o.replicaPorts,
    sentinelPorts: o.sentinelPorts,
    sentinels: o.sentinelPorts.map((port) => `${HOST}:${port}`).join(','),
    pids: Object.fromEntries([o.primaryPort, ...o.replicaPorts].map((p) => [p, readPid(join(o.dir, `${nodeName('redis', p)}.pid`))])),
  };
  writeFileSync(join(o.dir, 'sentinel-set.json'), JSON.stringify(set), { mode: 0o600 });
  return set;
}

/** Every redis-server of the set in `dir` (by its pid files), killed; returns how many were running. */
export async function sentinelDown(dir) {
  let stopped = 0;
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.pid'));
  } catch {
    return 0;
  }
  const pids = files.map((f) => readPid(join(dir, f))).filter((pid) => pid && pidAlive(pid) && /redis/.test(procCmdline(pid) ?? ''));
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
      stopped++;
    } catch { /* gone */ }
  }
  await waitFor('redis-sentinel down', () => pids.every((pid) => !pidAlive(pid)), { timeoutMs: 10_000, intervalMs: 100 });
  for (const pid of pids.filter(pidAlive)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  for (const f of files) {
    try { unlinkSync(join(dir, f)); } catch { /* gone */ }
  }
  return stopped;
}

/** The set's description written by `up`. */
export function sentinelSet(dir) {
  return JSON.parse(readFileSync(join(dir, 'sentinel-set.json'), 'utf8'));
}

/** The primary's port when every Sentinel that answers names the same one and calls it ok, else null. */
export async function sentinelPrimary(dir) {
  const set = sentinelSet(dir);
  const views = (await Promise.all(set.sentinelPorts.map((port) => sentinelView(port, set)))).filter(Boolean);
  const addresses = new Set(views.map((v) => v.address));
  if (!views.length || addresses.size !== 1 || views.some((v) => v.status !== 'ok')) return null;
  return Number([...addresses][0].split(':').pop());
}

async function main([command, arg]) {
  if (command === 'up') {
    process.stdout.write(`${JSON.stringify(await sentinelUp(JSON.parse(arg), (line) => process.stderr.write(`${line}\n`)))}\n`);
  } else if (command === 'primary') {
    process.stdout.write(`${(await sentinelPrimary(arg)) ?? ''}\n`);
  } else if (command === 'down') {
    await sentinelDown(arg);
  } else {
    throw new StackError('usage: redis-sentinel.mjs up <options JSON> | primary <dir> | down <dir>');
  }
}

// No top-level await: libs/testing loads this module with require().
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
