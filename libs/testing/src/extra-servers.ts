import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client, type QueryResult } from 'pg';
import { freePort, kafkaClusterId } from './processes';
import { waitFor } from './wait-for';

/**
 * Servers a test starts for itself, on free ports, when it needs a configuration the shared stack
 * must not get (another wal_level, few slots, SSL, SASL): never the stack's own processes.
 */

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const PG_OS_USER = process.env.WALBRIDGE_PG_OS_USER ?? 'postgres';

interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a command to its exit (not to the close of its pipes: pg_ctl leaves a daemon behind). */
function run(command: string, args: string[], options: { asPostgres?: boolean; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const [cmd, argv] = options.asPostgres && isRoot ? ['runuser', ['-u', PG_OS_USER, '--', command, ...args]] : [command, args];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, { cwd: options.cwd ?? tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      // Let the pipes deliver what is buffered, without waiting for a daemon holding them.
      setTimeout(() => resolvePromise({ code, output }), 50);
    });
  });
}

async function mustRun(command: string, args: string[], options: Parameters<typeof run>[2] = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.output.trim()}`);
  return result.output;
}

function pgBinDir(): string {
  if (process.env.WALBRIDGE_PG_BIN) return process.env.WALBRIDGE_PG_BIN;
  const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    try {
      accessSync(join(dir, 'initdb'), constants.X_OK);
      return dir;
    } catch {
      // next version
    }
  }
  throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found; set WALBRIDGE_PG_BIN');
}

async function ownByPostgres(path: string): Promise<void> {
  if (!isRoot) return;
  const uid = Number((await mustRun('id', ['-u', PG_OS_USER])).trim());
  const gid = Number((await mustRun('id', ['-g', PG_OS_USER])).trim());
  chownSync(path, uid, gid);
}

export interface ExtraPostgres {
  host: string;
  port: number;
  /** Superuser of the cluster (TCP, scram-sha-256). */
  admin: { user: string; password: string };
  /** The server certificate (self-signed, CN and SAN localhost) when started with ssl. */
  certificate: string | null;
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<QueryResult<R>>;
  /** A superuser connection the caller ends. */
  connect(database?: string): Promise<Client>;
  /** Rewrites the settings (merged over the current ones) and restarts the server. */
  restart(settings: Record<string, string | number>): Promise<void>;
  /** A streaming standby of this cluster (pg_basebackup -R), on a port of its own. */
  startStandby(): Promise<{ port: number; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

export interface ExtraPostgresOptions {
  settings?: Record<string, string | number>;
  /**
   * pg_hba.conf lines, placed before the defaults (host all / replication all with
   * scram-sha-256 from 127.0.0.1) unless `hbaDefaults` is false. Local socket access stays trusted.
   */
  hba?: string[];
  hbaDefaults?: boolean;
  ssl?: boolean;
}

/** initdb + pg_ctl start of a throw-away cluster, as the postgres OS user when we are root. */
export async function startExtraPostgres(options: ExtraPostgresOptions = {}): Promise<ExtraPostgres> {
  const bin = pgBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'wbtest-pg-'));
  chmodSync(dir, 0o755);
  await ownByPostgres(dir);
  const data = join(dir, 'data');
  const port = await freePort();
  const admin = { user: 'wbadmin', password: randomBytes(12).toString('hex') };
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${admin.password}\n`, { mode: 0o600 });
  await ownByPostgres(pwfile);
  await mustRun(join(bin, 'initdb'), ['-D', data, '-U', admin.user, `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    asPostgres: true,
    cwd: dir,
  });
  rmSync(pwfile);
  let certificate: string | null = null;
  if (options.ssl) {
    await mustRun('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(data, 'server.key'), '-out', join(data, 'server.crt'),
    ]);
    chmodSync(join(data, 'server.key'), 0o600);
    await ownByPostgres(join(data, 'server.key'));
    await ownByPostgres(join(data, 'server.crt'));
    certificate = readFileSync(join(data, 'server.crt'), 'utf8');
  }
  let settings: Record<string, string | number> = {
    listen_addresses: "'127.0.0.1'",
    port,
    unix_socket_directories: `'${dir}'`,
    max_connections: 40,
    shared_buffers: "'32MB'",
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    ...(options.ssl ? { ssl: 'on' } : {}),
    ...options.settings,
  };
  const writeSettings = () => {
    writeFileSync(join(data, 'extra.conf'), Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
    return ownByPostgres(join(data, 'extra.conf'));
  };
  appendFileSync(join(data, 'postgresql.conf'), "\ninclude 'extra.conf'\n");
  await writeSettings();
  writeFileSync(
    join(data, 'pg_hba.conf'),
    [
      'local all all trust',
      ...(options.hba ?? []),
      ...(options.hbaDefaults === false ? [] : ['host all all 127.0.0.1/32 scram-sha-256', 'host replication all 127.0.0.1/32 scram-sha-256']),
      '',
    ].join('\n'),
  );
  await ownByPostgres(join(data, 'pg_hba.conf'));
  const pgCtl = (...args: string[]) => mustRun(join(bin, 'pg_ctl'), ['-D', data, ...args], { asPostgres: true, cwd: dir });
  const start = () => pgCtl('-l', join(dir, 'server.log'), '-w', '-t', '90', 'start');
  try {
    await start();
  } catch (error) {
    let log = '';
    try {
      log = readFileSync(join(dir, 'server.log'), 'utf8').slice(-2000);
    } catch {
      // no log written
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  const connect = async (database = 'postgres') => {
    const client = new Client({ host: '127.0.0.1', port, user: admin.user, password: admin.password, database });
    await client.connect();
    return client;
  };
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    admin,
    certificate,
    connect,
    async query(sql, params, database) {
      const client = await connect(database);
      try {
        return await client.query(sql, params);
      } finally {
        await client.end();
      }
    },
    async restart(changes) {
      settings = { ...settings, ...changes };
      await writeSettings();
      await pgCtl('-m', 'fast', '-w', '-t', '60', 'stop');
      await start();
    },
    async startStandby() {
      const standbyDir = mkdtempSync(join(tmpdir(), 'wbtest-pg-standby-'));
      chmodSync(standbyDir, 0o755);
      await ownByPostgres(standbyDir);
      const standbyData = join(standbyDir, 'data');
      const standbyPort = await freePort();
      const pgpass = join(standbyDir, 'pgpass');
      writeFileSync(pgpass, `127.0.0.1:${port}:*:${admin.user}:${admin.password}\n`, { mode: 0o600 });
      await ownByPostgres(pgpass);
      await mustRun('env', [`PGPASSFILE=${pgpass}`, join(bin, 'pg_basebackup'), '-h', '127.0.0.1', '-p', String(port), '-U', admin.user, '-D', standbyData, '-R', '-X', 'stream', '--no-sync'], {
        asPostgres: true,
        cwd: standbyDir,
      });
      const standbyCtl = (...args: string[]) => mustRun(join(bin, 'pg_ctl'), ['-D', standbyData, ...args], { asPostgres: true, cwd: standbyDir });
      await standbyCtl('-l', join(standbyDir, 'server.log'), '-o', `-p ${standbyPort} -k ${standbyDir}`, '-w', '-t', '90', 'start');
      return {
        port: standbyPort,
        async stop() {
          await run(join(bin, 'pg_ctl'), ['-D', standbyData, '-m', 'immediate', '-w', '-t', '30', 'stop'], { asPostgres: true, cwd: standbyDir });
          rmSync(standbyDir, { recursive: true, force: true });
        },
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop'], { asPostgres: true, cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ExtraKafka {
  brokers: string;
  stop(): Promise<void>;
}

export interface ExtraKafkaOptions {
  /** SASL/PLAIN users (name → password) of a SASL_PLAINTEXT listener; the first one is the broker's own. */
  saslUsers: Record<string, string>;
  autoCreateTopics?: boolean;
  /** ACLs enforced (StandardAuthorizer): only the first user is a super user, the others may do nothing without ACLs. */
  authorizer?: boolean;
}

function kafkaLibs(): string {
  const version = process.env.WALBRIDGE_KAFKA_VERSION ?? '3.9.1';
  return process.env.WALBRIDGE_KAFKA_LIBS ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'walbridge', `kafka-${version}`, 'libs');
}

/**
 * A single KRaft broker with a SASL_PLAINTEXT (PLAIN) listener, from the jars the stack fetched.
 * Small heap and quick JIT: it only answers a few admin requests.
 */
export async function startExtraKafka(options: ExtraKafkaOptions): Promise<ExtraKafka> {
  const dir = mkdtempSync(join(tmpdir(), 'wbtest-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const classpath = `${kafkaLibs()}/*`;
  const users = Object.entries(options.saslUsers);
  const jaas =
    `org.apache.kafka.common.security.plain.PlainLoginModule required username="${users[0][0]}" password="${users[0][1]}" ` +
    users.map(([u, p]) => `user_${u}="${p}"`).join(' ') +
    ';';
  const config = join(dir, 'server.properties');
  mkdirSync(join(dir, 'logs'));
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=SASL_PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms=PLAIN',
      'sasl.mechanism.inter.broker.protocol=PLAIN',
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=${jaas}`,
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      `auto.create.topics.enable=${options.autoCreateTopics ? 'true' : 'false'}`,
      // The controller listener is PLAINTEXT: its principal is ANONYMOUS.
      ...(options.authorizer ? ['authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer', `super.users=User:${users[0][0]};User:ANONYMOUS`] : []),
      '',
    ].join('\n'),
  );
  const jvm = ['-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];
  const log4j = resolve(__dirname, '..', '..', '..', 'tools', 'stack', 'kafka', 'log4j.properties');
  const clusterId = kafkaClusterId();
  await mustRun('java', [...jvm, `-Dlog4j.configuration=file:${log4j}`, `-Dkafka.logs.dir=${join(dir, 'logs')}`, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config], {
    cwd: dir,
  });
  const child: ChildProcess = spawn('java', [...jvm, `-Dlog4j.configuration=file:${log4j}`, `-Dkafka.logs.dir=${join(dir, 'logs')}`, '-cp', classpath, 'kafka.Kafka', config], {
    cwd: dir,
    stdio: 'ignore',
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const brokers = `127.0.0.1:${port}`;
  try {
    const kafka = new Kafka({
      clientId: 'walbridge-tests',
      brokers: [brokers],
      logLevel: logLevel.NOTHING,
      sasl: { mechanism: 'plain', username: users[0][0], password: users[0][1] },
      retry: { retries: 0 },
    });
    await waitFor('the extra Kafka broker', async () => {
      if (child.exitCode !== null) throw Object.assign(new Error(`the broker exited with code ${child.exitCode}`), { final: true });
      const admin = kafka.admin();
      try {
        await admin.connect();
        return (await admin.describeCluster()).brokers.length > 0 ? true : undefined;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }, 150_000, 500);
  } catch (error) {
    await stop();
    throw error;
  }
  return { brokers, stop };
}
