import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { KafkaFixture } from './kafka-fixture';
import { freePort, run } from './processes';
import { REPO_ROOT } from './test-env';

/**
 * Servers of a test's own, started with tools/stack/stack.mjs (the same scripts as the shared
 * stack: PostgreSQL with wal_level=logical and the seeded demo database, Redis with AOF, a KRaft
 * Kafka broker from the cached jars), each in a private directory under the system temp dir and
 * on free ports. A test may stop, kill and restart them; the shared stack is never touched.
 */

const STACK_SCRIPT = join(REPO_ROOT, 'tools', 'stack', 'stack.mjs');
const DIR_PREFIX = 'wbt-';
const OWNER_FILE = 'owner.pid';
/** Pids of api/scheduler processes a control plane started, one per line. */
const PROCESSES_FILE = 'processes.pid';
type Service = 'postgres' | 'redis' | 'kafka';

export interface DedicatedServer {
  readonly dir: string;
  /** Stops the server (clean shutdown); its data stays for start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and removes its directory. */
  cleanup(): Promise<void>;
}

export interface DedicatedPostgres extends DedicatedServer {
  host: string;
  port: number;
  superuser: { user: string; password: string };
  /** The seeded demo database (schema `shop`), owned by a LOGIN REPLICATION role. */
  demo: { user: string; password: string; database: string };
  url(database: string, user?: { user: string; password: string }): string;
  /** A superuser connection (default: the demo database). */
  connect(database?: string): Promise<Client>;
}

export interface DedicatedRedis extends DedicatedServer {
  port: number;
  url: string;
}

export interface DedicatedKafka extends DedicatedServer {
  port: number;
  brokers: string;
  topics: KafkaFixture;
}

class StackInstance {
  private constructor(
    readonly dir: string,
    readonly service: Service,
    private readonly env: Record<string, string>,
  ) {}

  static async create(service: Service): Promise<StackInstance> {
    const dir = claimTempDir(service.slice(0, 2));
    const [pg, redis, kafka, controller] = await freePorts(4);
    const env = {
      WALBRIDGE_STACK_DIR: dir,
      // Its own secrets too: a WALBRIDGE_KEY_DIR of the shell would otherwise hand it (and
      // its cleanup) the shared stack's key directory.
      WALBRIDGE_KEY_DIR: `${dir}-keys`,
      WALBRIDGE_PG_PORT: String(pg),
      WALBRIDGE_REDIS_PORT: String(redis),
      WALBRIDGE_KAFKA_PORT: String(kafka),
      WALBRIDGE_KAFKA_CONTROLLER_PORT: String(controller),
    };
    return new StackInstance(dir, service, env);
  }

  port(name: 'WALBRIDGE_PG_PORT' | 'WALBRIDGE_REDIS_PORT' | 'WALBRIDGE_KAFKA_PORT'): number {
    return Number(this.env[name]);
  }

  up(): Promise<void> {
    return runStack(['up', this.service, '--quiet'], this.env);
  }

  down(): Promise<void> {
    return runStack(['down', this.service, '--quiet'], this.env);
  }

  async cleanup(): Promise<void> {
    await this.down().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.keyDir, { recursive: true, force: true });
  }

  /** Where the stack keeps its secrets (tools/stack: `<stack dir>-keys`), e.g. Redis's password. */
  get keyDir(): string {
    return `${this.dir}-keys`;
  }

  server(): DedicatedServer {
    return {
      dir: this.dir,
      stop: () => this.down(),
      start: () => this.up(),
      restart: async () => {
        await this.down();
        await this.up();
      },
      cleanup: () => this.cleanup(),
    };
  }
}

/** A PostgreSQL cluster of the test's own (initdb, wal_level=logical, demo database seeded). */
export async function spawnPostgres(): Promise<DedicatedPostgres> {
  const instance = await StackInstance.create('postgres');
  await upOrClean(instance);
  const host = '127.0.0.1';
  const port = instance.port('WALBRIDGE_PG_PORT');
  const superuser = { user: 'walbridge', password: 'walbridge' };
  const url = (database: string, user = superuser) =>
    `postgres://${encodeURIComponent(user.user)}:${encodeURIComponent(user.password)}@${host}:${port}/${database}`;
  return {
    ...instance.server(),
    host,
    port,
    superuser,
    demo: { user: 'demo', password: 'demo', database: 'demo' },
    url,
    async connect(database = 'demo') {
      const client = new Client({ connectionString: url(database) });
      await client.connect();
      return client;
    },
  };
}

/** A Redis of the test's own (append-only file on, so keys survive a restart as in production). */
export async function spawnRedis(): Promise<DedicatedRedis> {
  const instance = await StackInstance.create('redis');
  await upOrClean(instance);
  const port = instance.port('WALBRIDGE_REDIS_PORT');
  // The stack starts Redis with a password of its own (requirepass): clients need it in the URL.
  const passwordFile = join(instance.keyDir, 'redis.password');
  const password = existsSync(passwordFile) ? readFileSync(passwordFile, 'utf8').trim() : '';
  return { ...instance.server(), port, url: password ? `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}` };
}

/** A single-broker KRaft Kafka of the test's own, from the jars the shared stack cached. */
export async function spawnKafka(): Promise<DedicatedKafka> {
  const instance = await StackInstance.create('kafka');
  await upOrClean(instance);
  const port = instance.port('WALBRIDGE_KAFKA_PORT');
  const brokers = `127.0.0.1:${port}`;
  return { ...instance.server(), port, brokers, topics: new KafkaFixture([brokers]) };
}

async function upOrClean(instance: StackInstance): Promise<void> {
  try {
    await instance.up();
  } catch (error) {
    await instance.cleanup();
    throw error;
  }
}

async function runStack(args: string[], env: Record<string, string>): Promise<void> {
  if (!env.WALBRIDGE_STACK_DIR || !resolve(env.WALBRIDGE_STACK_DIR).startsWith(resolve(tmpdir()))) {
    // stack.mjs falls back to the repository's .stack: never let a test stop the shared stack.
    throw new Error(`refusing to run the stack script outside a private temporary directory (${env.WALBRIDGE_STACK_DIR})`);
  }
  const result = await run(process.execPath, [STACK_SCRIPT, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, WALBRIDGE_KEEP_STACK: '1', ...env },
    allowFailure: true,
    timeoutMs: 20 * 60_000,
  });
  if (result.code !== 0) throw new Error(`stack.mjs ${args.join(' ')} failed (exit ${result.code}):\n${(result.stdout + result.stderr).slice(-4000)}`);
}

/** Several distinct free ports (see freePort). */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}

/**
 * Servers whose test process died without cleaning up (a crashed or killed run): stopped and
 * removed, so they do not pile up across runs.
 */
function reapOrphans(): void {
  let entries: string[] = [];
  try {
    entries = readdirSync(tmpdir()).filter((e) => e.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = join(tmpdir(), entry);
    const ownerFile = join(dir, OWNER_FILE);
    if (!existsSync(ownerFile)) continue;
    const owner = Number(readFileSync(ownerFile, 'utf8').trim());
    if (isAlive(owner)) continue;
    rmSync(ownerFile, { force: true }); // claimed: another reaper skips it
    if (existsSync(join(dir, 'redis', SENTINEL_SET_FILE))) {
      killOrphanSentinelSet(join(dir, 'redis'));
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (existsSync(join(dir, PROCESSES_FILE))) {
      killOrphanProcesses(join(dir, PROCESSES_FILE));
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    for (const service of ['kafka', 'redis', 'postgres'] as const) stopOrphan(dir, service);
  }
}

/** A private directory for what a test starts, claimed by this process (reaped once it is gone). */
export function claimTempDir(kind: string): string {
  reapOrphans();
  const dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${kind}-`));
  writeFileSync(join(dir, OWNER_FILE), `${process.pid}\n`);
  return dir;
}

/** Records a process a control plane started, so that it is killed if the test process dies first. */
export function recordProcess(dir: string, pid: number): void {
  writeFileSync(join(dir, PROCESSES_FILE), `${pid}\n`, { flag: 'a' });
}

/** Written by tools/stack/drivers/redis-sentinel.mjs in the directory of a Sentinel set. */
const SENTINEL_SET_FILE = 'sentinel-set.json';

/** The redis-servers (data nodes and Sentinels) of a Sentinel set, by their pid files. */
function killOrphanSentinelSet(dir: string): void {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pid'))) {
    try {
      const pid = Number(readFileSync(join(dir, file), 'utf8').trim());
      if (!/redis/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) continue;
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

function killOrphanProcesses(file: string): void {
  for (const pid of readFileSync(file, 'utf8').split('\n').map(Number).filter((p) => p > 0)) {
    try {
      // Only our apps: a pid may have been reused since.
      if (!/apps\/(api|scheduler)\/dist\/main\.js/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) continue;
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Stops an orphaned server by its pid file, then removes its directory (fire and forget). */
function stopOrphan(dir: string, service: Service): void {
  const pidFile =
    service === 'postgres' ? join(dir, 'pg', 'data', 'postmaster.pid') : service === 'redis' ? join(dir, 'redis', 'redis.pid') : join(dir, 'kafka', 'kafka.pid');
  if (!existsSync(pidFile)) {
    if (service === 'postgres') rmSync(dir, { recursive: true, force: true });
    return;
  }
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0].trim());
  if (isAlive(pid)) {
    try {
      // PostgreSQL: SIGQUIT is an immediate shutdown; the others stop on SIGTERM.
      process.kill(pid, service === 'postgres' ? 'SIGQUIT' : 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
  if (service === 'postgres') setTimeout(() => rmSync(dir, { recursive: true, force: true }), 5000).unref();
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
