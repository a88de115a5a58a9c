// Kafka driver: a single-node KRaft broker (broker + controller in one JVM) from the jars cached
// by Maven (kafkaEnsureLibs), probed with a minimal ApiVersions/Metadata client. Used by
// stack.mjs (one PLAINTEXT listener, a detached daemon with a pid file) and by libs/testing for
// brokers a test needs of its own (TLS and SASL listeners, SCRAM users, an authorizer).
//
// A broker is described by a plain object `kafka` (stackConfig().kafka for the stack):
//   { version, host, port,          // `port`: a PLAINTEXT listener, probed for readiness
//     controllerPort, dir, dataDir, logDir, logFile, stdoutFile, configFile, clusterIdFile,
//     pidFile, libsDir, classpath, pom, log4jConfig, toolsLog4jConfig, heapOpts,
//     listeners?,   // [{ name, protocol, port }], default [{ PLAINTEXT on port }]; the first one
//                   // is the inter-broker listener
//     properties?,  // server.properties beyond listeners and log.dirs; default: the stack's
//     jvmOpts?,     // the broker's JVM flags; default: heapOpts + G1
//     scram?,       // [{ mechanism, username, password }] added when the storage is formatted
//   }

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HOST, StackError, ensureDir, findJava, kafkaClusterId, pidAlive, portOpen, procCmdline, readPid, rel, run, sleep, tail, waitFor, which,
  writeIfChanged,
} from './common.mjs';

const STACK_KAFKA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'kafka');
export const KAFKA_VERSION_DEFAULT = '3.9.1';

/** Where Maven's copy of the Kafka jars is cached (WALBRIDGE_KAFKA_LIBS overrides). */
export function defaultKafkaLibsDir(version = process.env.WALBRIDGE_KAFKA_VERSION || KAFKA_VERSION_DEFAULT) {
  const cacheHome = process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache');
  return process.env.WALBRIDGE_KAFKA_LIBS || join(cacheHome, 'walbridge', `kafka-${version}`, 'libs');
}

/** pom.xml (the jars' Maven coordinates) and log4j configurations of the broker and its tools. */
export const kafkaFiles = Object.freeze({
  pom: join(STACK_KAFKA_DIR, 'pom.xml'),
  log4jConfig: join(STACK_KAFKA_DIR, 'log4j.properties'),
  toolsLog4jConfig: join(STACK_KAFKA_DIR, 'tools-log4j.properties'),
});

/**
 * A broker of its own in `dir` (data/, server.log, kafka.out, server.properties, kafka.pid), for
 * tests; `port` is a PLAINTEXT listener's (readiness), the other options as in the header.
 */
export function kafkaBrokerConfig({ dir, port, controllerPort, host = HOST, ...options }) {
  const version = process.env.WALBRIDGE_KAFKA_VERSION || KAFKA_VERSION_DEFAULT;
  const libsDir = defaultKafkaLibsDir(version);
  return {
    version, host, port, controllerPort, brokers: `${host}:${port}`,
    dir,
    dataDir: join(dir, 'data'),
    logDir: dir,
    logFile: join(dir, 'server.log'),
    stdoutFile: join(dir, 'kafka.out'),
    configFile: join(dir, 'server.properties'),
    clusterIdFile: join(dir, 'cluster.id'),
    pidFile: join(dir, 'kafka.pid'),
    libsDir,
    classpath: `${libsDir}/*`,
    ...kafkaFiles,
    heapOpts: ['-Xms128m', '-Xmx384m'],
    ...options,
  };
}

/** The shared stack's broker settings (beyond listeners and log.dirs). */
export const STACK_BROKER_PROPERTIES = Object.freeze({
  'num.partitions': '1',
  'default.replication.factor': '1',
  'min.insync.replicas': '1',
  'offsets.topic.replication.factor': '1',
  'transaction.state.log.replication.factor': '1',
  'transaction.state.log.min.isr': '1',
  // fewer internal partitions than the defaults (50): faster first consumer group / transaction on a small machine
  'offsets.topic.num.partitions': '10',
  'transaction.state.log.num.partitions': '10',
  'auto.create.topics.enable': 'false',
  'delete.topic.enable': 'true',
  'group.initial.rebalance.delay.ms': '0',
  'num.network.threads': '3',
  'num.io.threads': '4',
  'num.recovery.threads.per.data.dir': '1',
  'log.retention.hours': '168',
  'log.segment.bytes': '268435456',
  'log.retention.check.interval.ms': '300000',
});

/** JVM flags for short-lived tools (storage format): fast start-up over peak speed. */
function toolJvmArgs(kafka) {
  return [
    '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${kafka.toolsLog4jConfig}`,
  ];
}

/** { found: { java, mvn? }, missing: [sentence] }. */
export async function kafkaPrerequisites(kafka) {
  const missing = [];
  const found = { java: findJava() };
  if (!found.java) {
    missing.push('`java` (17+ recommended, 11+ required by Kafka 3.9) was not found in JAVA_HOME nor PATH: install the Debian package `openjdk-17-jre-headless`.');
  } else {
    const v = await run(found.java, ['-version'], { timeoutMs: 20_000 }).catch(() => null);
    const m = v && /version "(\d+)(?:\.(\d+))?/.exec(v.stderr + v.stdout);
    const major = m ? (Number(m[1]) === 1 ? Number(m[2]) : Number(m[1])) : 0;
    if (!m) missing.push(`\`${found.java} -version\` failed: reinstall the Debian package \`openjdk-17-jre-headless\`.`);
    else if (major < 11) missing.push(`Java ${major} at ${found.java} is too old for Kafka ${kafka.version} (needs 11+, 17 recommended): install the Debian package \`openjdk-17-jre-headless\`.`);
  }
  if (!kafkaLibsPresent(kafka.libsDir)) {
    found.mvn = which('mvn');
    if (!found.mvn) {
      missing.push(`\`mvn\` was not found in PATH and the Kafka jars are not cached yet (${kafka.libsDir}): ` +
        'install the Debian package `maven`, or set WALBRIDGE_KAFKA_LIBS to a directory holding the Kafka jars (e.g. the libs/ of a Kafka distribution).');
    }
  }
  return { found, missing };
}

export function kafkaLibsPresent(libsDir) {
  try {
    const files = readdirSync(libsDir);
    return files.some((f) => /^kafka_2\.1\d-.*\.jar$/.test(f)) && files.some((f) => /^kafka-tools-.*\.jar$/.test(f));
  } catch {
    return false;
  }
}

export async function kafkaEnsureLibs(kafka, tools, log = () => {}) {
  if (kafkaLibsPresent(kafka.libsDir)) return false;
  if (!tools.mvn) throw new StackError(`the Kafka jars are not in ${kafka.libsDir}: run \`node tools/stack/stack.mjs up kafka\` once`, { service: 'kafka' });
  const t0 = Date.now();
  log(`kafka: fetching Apache Kafka ${kafka.version} jars from Maven Central into ${kafka.libsDir} (first run only, may take minutes)`);
  ensureDir(dirname(kafka.libsDir));
  const tmp = `${kafka.libsDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const r = await run(tools.mvn, ['-q', '-B', '-f', kafka.pom, 'dependency:copy-dependencies',
    `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime', `-Dkafka.version=${kafka.version}`],
  { timeoutMs: 20 * 60_000, cwd: dirname(kafka.pom) });
  if (r.code !== 0 || !kafkaLibsPresent(tmp)) {
    rmSync(tmp, { recursive: true, force: true });
    throw new StackError(`Maven could not fetch the Kafka jars (exit ${r.code}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-30).join('\n')}`,
      { service: 'kafka' });
  }
  writeFileSync(join(tmp, 'walbridge-kafka.txt'), `Apache Kafka ${kafka.version} jars fetched by tools/stack/drivers/kafka.mjs on ${new Date().toISOString()}\n`);
  rmSync(kafka.libsDir, { recursive: true, force: true });
  renameSync(tmp, kafka.libsDir);
  log(`kafka: jars cached (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  return true;
}

function listenersOf(kafka) {
  return kafka.listeners ?? [{ name: 'PLAINTEXT', protocol: 'PLAINTEXT', port: kafka.port }];
}

/** server.properties of the broker, as key → value. */
export function kafkaProperties(kafka) {
  const listeners = listenersOf(kafka);
  const address = (l) => `${l.name}://${kafka.host}:${l.port}`;
  return {
    // single node, KRaft combined mode (broker + controller)
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@${kafka.host}:${kafka.controllerPort}`,
    listeners: [...listeners.map(address), `CONTROLLER://${kafka.host}:${kafka.controllerPort}`].join(','),
    'advertised.listeners': listeners.map(address).join(','),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': listeners[0].name,
    'listener.security.protocol.map': ['CONTROLLER:PLAINTEXT', ...listeners.map((l) => `${l.name}:${l.protocol}`)].join(','),
    'log.dirs': kafka.dataDir,
    ...(kafka.properties ?? STACK_BROKER_PROPERTIES),
  };
}

export function kafkaConfigText(kafka) {
  return [
    '# Written by tools/stack/drivers/kafka.mjs on every start: edit there, not here.',
    ...Object.entries(kafkaProperties(kafka)).map(([k, v]) => `${k}=${v}`),
    '',
  ].join('\n');
}

/** The broker's pid from its pid file, or null when it does not run. */
export function kafkaPid(kafka) {
  const pid = readPid(kafka.pidFile);
  if (!pid || !pidAlive(pid)) return null;
  const cmd = procCmdline(pid);
  return cmd === null || cmd.includes('kafka.Kafka') ? pid : null;
}

// --- minimal Kafka protocol client: ApiVersions v0 + Metadata (v1..v8) -----------------------
// Built-ins only, for readiness: the product's ApiVersions client (libs/connectors
// kafka-api-versions.ts, with TLS) is TypeScript the stack cannot load before `npm install`.

function kafkaRequest(host, port, apiKey, apiVersion, body, timeoutMs = 3000) {
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
    const socket = net.connect({ port, host });
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
export async function kafkaProbe(port, { host = HOST, timeoutMs = 3000 } = {}) {
  const av = await kafkaRequest(host, port, 18, 0, Buffer.alloc(0), timeoutMs);
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
  const md = await kafkaRequest(host, port, 3, version, Buffer.concat(parts), timeoutMs);
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

export async function kafkaReady(port, host = HOST) {
  try {
    const { brokers } = await kafkaProbe(port, { host });
    return brokers === null || brokers.length > 0;
  } catch {
    return false;
  }
}

export async function kafkaStatus(kafka) {
  const pid = kafkaPid(kafka);
  const answering = await kafkaReady(kafka.port, kafka.host);
  return {
    name: 'kafka', up: Boolean(pid && answering), pid, host: kafka.host, port: kafka.port,
    brokers: kafka.brokers, controllerPort: kafka.controllerPort, logFile: kafka.logFile,
    note: !pid && answering ? `port ${kafka.port} is answered by a broker that is not ours` : pid && !answering ? 'process runs but the broker does not answer (yet)' : undefined,
  };
}

/** Formats the storage once (a cluster id kept in clusterIdFile), with the SCRAM users asked for. */
async function kafkaFormat(kafka, tools, log) {
  if (existsSync(join(kafka.dataDir, 'meta.properties'))) return;
  let clusterId = existsSync(kafka.clusterIdFile) ? readFileSync(kafka.clusterIdFile, 'utf8').trim() : '';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(clusterId)) {
    clusterId = kafkaClusterId();
    writeFileSync(kafka.clusterIdFile, `${clusterId}\n`);
  }
  log(`kafka: formatting storage ${rel(kafka.dataDir)} (cluster id ${clusterId})`);
  // as `kafka-storage format --add-scram` does
  const scram = (kafka.scram ?? []).flatMap((c) => ['--add-scram', `${c.mechanism}=[name=${c.username},password=${c.password}]`]);
  const r = await run(tools.java, [...toolJvmArgs(kafka), '-cp', kafka.classpath, 'kafka.tools.StorageTool',
    'format', '-t', clusterId, '-c', kafka.configFile, '--ignore-formatted', ...scram], { timeoutMs: 120_000 });
  if (r.code !== 0) {
    throw new StackError(`kafka storage format failed (exit ${r.code}):\n${(r.stdout + r.stderr).trim()}`, { service: 'kafka' });
  }
}

/**
 * Starts the broker unless it runs and waits until it answers on `kafka.port`. The stack's
 * broker is a detached daemon; `detached: false` keeps it a child of this process (a test's,
 * killed with it). Resolves { pid, child } (child only when this call started it).
 */
export async function kafkaUp(kafka, tools, log = () => {}, options = {}) {
  for (let attempt = 1; ; attempt++) {
    const logStart = fileSize(kafka.logFile);
    try {
      return await kafkaUpOnce(kafka, tools, log, options);
    } catch (error) {
      // The stack's ports sit inside Linux's ephemeral range (32768-60999): a client connection
      // elsewhere on the machine can hold one for a moment between the free-port check and the
      // broker's bind. That is worth another try; any other failure is not.
      const bindFailed = /Address already in use/.test(readFrom(kafka.logFile, logStart));
      if (attempt >= 3 || !bindFailed || kafkaPid(kafka)) throw error;
      log(`kafka: a port was taken while the broker started (attempt ${attempt}); starting it again`);
      try { unlinkSync(kafka.pidFile); } catch { /* gone */ }
      await sleep(2000 * attempt);
    }
  }
}

function fileSize(file) {
  try { return statSync(file).size; } catch { return 0; }
}

function readFrom(file, offset) {
  try { return readFileSync(file).subarray(offset).toString('utf8'); } catch { return ''; }
}

async function kafkaUpOnce(kafka, tools, log, { detached = true, timeoutMs } = {}) {
  const t0 = Date.now();
  await kafkaEnsureLibs(kafka, tools, log);
  for (const dir of [kafka.dir, kafka.dataDir, kafka.logDir]) ensureDir(dir);
  let pid = kafkaPid(kafka);
  let child = null;
  if (!pid) {
    const ports = [...new Set([...listenersOf(kafka).map((l) => l.port), kafka.controllerPort])];
    for (const p of ports) {
      if (await portOpen(p, kafka.host)) {
        throw new StackError(`port ${kafka.host}:${p} is already in use by another process: stop it or set ` +
          `${p === kafka.controllerPort ? 'WALBRIDGE_KAFKA_CONTROLLER_PORT' : 'WALBRIDGE_KAFKA_PORT'}`, { service: 'kafka' });
      }
    }
    writeIfChanged(kafka.configFile, kafkaConfigText(kafka), 0o600);
    await kafkaFormat(kafka, tools, log);
    log(`kafka: starting broker on ${kafka.host}:${kafka.port} (controller ${kafka.controllerPort})`);
    const out = openSync(kafka.stdoutFile, 'a');
    const jvmOpts = kafka.jvmOpts ?? [
      ...kafka.heapOpts,
      '-server', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true',
    ];
    const args = [
      ...jvmOpts,
      `-Dkafka.logs.dir=${kafka.logDir}`, `-Dlog4j.configuration=file:${kafka.log4jConfig}`,
      '-cp', kafka.classpath, 'kafka.Kafka', kafka.configFile,
    ];
    child = spawn(tools.java, args, { cwd: kafka.dir, detached, stdio: ['ignore', out, out] });
    closeSync(out);
    const spawnError = await new Promise((r) => {
      child.once('error', r);
      child.once('spawn', () => r(null));
    });
    if (spawnError) throw new StackError(`could not start java: ${spawnError.message}`, { service: 'kafka' });
    pid = child.pid;
    writeFileSync(kafka.pidFile, `${pid}\n`);
    if (detached) child.unref();
  } else {
    log(`kafka: already running (pid ${pid})`);
  }
  const started = pid;
  const ready = await waitFor('kafka', () => kafkaReady(kafka.port, kafka.host), {
    timeoutMs: timeoutMs ?? (Number(process.env.WALBRIDGE_KAFKA_START_TIMEOUT_MS) || 120_000),
    intervalMs: 500,
    abort: async () => (pidAlive(started) ? null
      : `the broker process (pid ${started}) exited during startup: see ${kafka.logFile} and ${kafka.stdoutFile}\n` +
        `${tail(kafka.stdoutFile, 15)}\n${tail(kafka.logFile, 25)}`),
  });
  if (!ready) {
    throw new StackError(`Kafka (pid ${pid}) does not answer on ${kafka.host}:${kafka.port}: see ${kafka.logFile}\n${tail(kafka.logFile)}`,
      { service: 'kafka', logFile: kafka.logFile });
  }
  log(`kafka: ready (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  return { pid, child };
}

/** SIGTERM (a controlled shutdown), SIGKILL after `stopTimeoutMs`; resolves whether it ran. */
export async function kafkaDown(kafka, log = () => {}, { stopTimeoutMs } = {}) {
  const pid = kafkaPid(kafka);
  if (!pid) {
    try { unlinkSync(kafka.pidFile); } catch { /* none */ }
    return false;
  }
  log(`kafka: stopping (pid ${pid})`);
  try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  const stopTimeout = stopTimeoutMs ?? (Number(process.env.WALBRIDGE_KAFKA_STOP_TIMEOUT_MS) || 30_000);
  if (!(await waitFor('kafka', () => !pidAlive(pid), { timeoutMs: stopTimeout, intervalMs: 200 }))) {
    log(`kafka: still running after ${stopTimeout / 1000}s, sending SIGKILL`);
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    await waitFor('kafka', () => !pidAlive(pid), { timeoutMs: 10_000, intervalMs: 100 });
  }
  if (pidAlive(pid)) throw new StackError(`Kafka (pid ${pid}) did not stop`, { service: 'kafka' });
  try { unlinkSync(kafka.pidFile); } catch { /* gone */ }
  return true;
}
