import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  giveToOwner,
  pgRun,
  postgresClusterConfig,
  postgresDown,
  postgresTools,
  postgresUp,
  type PostgresConfig,
  type PostgresTools,
} from '../../../tools/stack/drivers/postgres.mjs';
import { freePort, onProcessExit } from './processes';

export interface PostgresClusterOptions {
  dir: string;
  listenAddresses?: string[];
  /** Copied into the data directory (the server insists on owning its key). */
  ssl?: { certFile: string; keyFile: string };
  /** pg_hba.conf lines, after the lines that trust the bootstrap superuser on the local socket. */
  hba: string[];
  settings?: Record<string, string | number>;
  /** The bootstrap superuser (initdb -U); default `postgres` without a password. */
  superuser?: { user: string; password: string };
}

export interface PostgresCluster {
  host: string;
  port: number;
  dir: string;
  logFile: string;
  /** A superuser connection over the cluster's unix socket (trusted, no password, no TLS). */
  admin(database?: string): Promise<Client>;
  /** Rewrites the settings (merged over the current ones) and restarts the server. */
  restart(settings: Record<string, string | number>): Promise<void>;
  /** A streaming standby of this cluster (pg_basebackup -R over the socket), on a port of its own. */
  startStandby(): Promise<{ port: number; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

/** Small: a test cluster lives for one test file on a shared 2-core machine. */
const TEST_SETTINGS = {
  max_connections: 40,
  shared_buffers: '32MB',
  wal_level: 'logical',
  max_replication_slots: 10,
  max_wal_senders: 10,
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
};

const asText = (settings: Record<string, string | number>) => Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)]));

/** pg_ctl detaches the server: it must die with the test process even if stop() never runs. */
function stopOnExit(pg: PostgresConfig, tools: PostgresTools): { disarm(): void } {
  let armed = true;
  onProcessExit(() => {
    if (!armed) return;
    const stop = [join(tools.pgBin, 'pg_ctl'), '-D', pg.dataDir, '-m', 'immediate', '-s', 'stop'];
    if (tools.runuser && process.getuid?.() === 0) spawnSync(tools.runuser, ['-u', pg.osUser, '--', ...stop], { cwd: pg.dir });
    else spawnSync(stop[0], stop.slice(1), { cwd: pg.dir });
  });
  return { disarm: () => (armed = false) };
}

async function startCluster(pg: PostgresConfig, tools: PostgresTools): Promise<{ disarm(): void }> {
  await postgresUp(pg, tools);
  return stopOnExit(pg, tools);
}

/**
 * A PostgreSQL cluster of the test's own (initdb into `dir`, a free port), never the shared
 * stack's: for settings, TLS and pg_hba.conf setups a test needs to control. Started by the
 * stack's driver (tools/stack/drivers/postgres.mjs), as the postgres OS user when we are root.
 */
export async function startPostgresCluster(options: PostgresClusterOptions): Promise<PostgresCluster> {
  const port = await freePort();
  let settings = { ...TEST_SETTINGS, ...options.settings };
  const pg = postgresClusterConfig({
    dir: options.dir,
    port,
    listenAddresses: options.listenAddresses,
    ssl: options.ssl,
    hba: options.hba,
    settings: asText(settings),
    initdbUser: options.superuser ?? { user: 'postgres' },
  });
  const tools = await postgresTools(pg);
  let exitHook = await startCluster(pg, tools);
  const bootstrapUser = pg.initdbUser!.user;
  return {
    host: pg.host,
    port,
    dir: pg.dir,
    logFile: pg.logFile,
    async admin(database = 'postgres') {
      const client = new Client({ host: pg.socketDir, port, user: bootstrapUser, database });
      await client.connect();
      return client;
    },
    async restart(changes) {
      settings = { ...settings, ...changes };
      pg.settings = asText(settings);
      await postgresDown(pg, tools);
      exitHook.disarm();
      exitHook = await startCluster(pg, tools);
    },
    async startStandby() {
      const dir = mkdtempSync(join(tmpdir(), 'wbtest-pg-standby-'));
      const standby: PostgresConfig = { ...pg, ...postgresClusterConfig({ dir, port: await freePort() }), settings: pg.settings };
      chmodSync(dir, 0o755);
      await giveToOwner(standby, dir);
      const copy = await pgRun(standby, tools, 'pg_basebackup', [
        '-h', pg.socketDir, '-p', String(port), '-U', bootstrapUser, '-D', standby.dataDir, '-R', '-X', 'stream', '--no-sync',
      ], { timeoutMs: 120_000 });
      if (copy.code !== 0) throw new Error(`pg_basebackup failed (${copy.code}): ${(copy.stderr || copy.stdout).trim()}`);
      const standbyHook = await startCluster(standby, tools);
      return {
        port: standby.port,
        async stop() {
          standbyHook.disarm();
          await postgresDown(standby, tools, undefined, { mode: 'immediate' }).catch(() => undefined);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    async stop() {
      exitHook.disarm();
      await postgresDown(pg, tools, undefined, { mode: 'immediate' }).catch(() => undefined);
    },
  };
}
