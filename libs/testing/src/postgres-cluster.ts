import { appendFileSync, chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { spawnSync } from 'node:child_process';
import { freePort, onProcessExit, run } from './processes';

export interface PostgresCluster {
  host: string;
  port: number;
  dir: string;
  logFile: string;
  /** A superuser connection over the cluster's unix socket (trusted, no password, no TLS). */
  admin(database?: string): Promise<Client>;
  stop(): Promise<void>;
}

function pgBinDir(): string {
  if (process.env.WALBRIDGE_PG_BIN) return process.env.WALBRIDGE_PG_BIN;
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL server binaries not found: install postgresql-15 or set WALBRIDGE_PG_BIN');
  return `/usr/lib/postgresql/${newest}/bin`;
}

/** The server's OS user must reach `dir`: mkdtemp makes private (0700) directories. */
function letOthersTraverse(path: string): void {
  for (let p = path; p !== dirname(p); p = dirname(p)) {
    const st = statSync(p);
    if (st.uid === process.getuid!() && (st.mode & 0o001) === 0) chmodSync(p, st.mode | 0o011);
  }
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` OS user. */
function osUser(): { name: string; uid: number; gid: number } | null {
  if (!isRoot()) return null;
  const name = process.env.WALBRIDGE_PG_OS_USER ?? 'postgres';
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`the OS user ${name} (to run a test PostgreSQL as) does not exist`);
  const [, , uid, gid] = line.split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

/**
 * A PostgreSQL cluster of the test's own (initdb into `dir`, a free port), never the shared
 * stack's: for TLS and pg_hba.conf setups a test needs to control. `ssl` files are copied in
 * (the server insists on owning its key); `hba` replaces pg_hba.conf, after a line that trusts
 * the local socket for `admin()`.
 */
export async function startPostgresCluster(options: {
  dir: string;
  listenAddresses?: string[];
  ssl?: { certFile: string; keyFile: string };
  hba: string[];
  settings?: Record<string, string>;
}): Promise<PostgresCluster> {
  const { dir } = options;
  const bin = pgBinDir();
  const owner = osUser();
  const asOwner = (exe: string, args: string[]) =>
    owner ? run('runuser', ['-u', owner.name, '--', join(bin, exe), ...args], { cwd: dir }) : run(join(bin, exe), args, { cwd: dir });
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'run');
  const logFile = join(dir, 'postgres.log');
  mkdirSync(socketDir, { recursive: true });
  chmodSync(dir, 0o755);
  if (owner) letOthersTraverse(dirname(resolve(dir)));
  const own = (path: string) => owner && chownSync(path, owner.uid, owner.gid);
  own(dir);
  own(socketDir);
  await asOwner('initdb', ['-D', dataDir, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '-A', 'trust', '--no-sync']);

  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: `'${(options.listenAddresses ?? ['127.0.0.1']).join(',')}'`,
    port: String(port),
    unix_socket_directories: `'${socketDir}'`,
    max_connections: '40',
    shared_buffers: '32MB',
    wal_level: 'logical',
    max_replication_slots: '10',
    max_wal_senders: '10',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    password_encryption: "'scram-sha-256'",
    ...options.settings,
  };
  if (options.ssl) {
    for (const [from, to, mode] of [
      [options.ssl.certFile, 'server.crt', 0o644],
      [options.ssl.keyFile, 'server.key', 0o600],
    ] as const) {
      copyFileSync(from, join(dataDir, to));
      chmodSync(join(dataDir, to), mode);
      own(join(dataDir, to));
    }
    Object.assign(settings, { ssl: 'on', ssl_cert_file: "'server.crt'", ssl_key_file: "'server.key'" });
  }
  appendFileSync(join(dataDir, 'postgresql.conf'), `\n${Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
  writeFileSync(join(dataDir, 'pg_hba.conf'), ['local all postgres trust', ...options.hba, ''].join('\n'));
  own(join(dataDir, 'pg_hba.conf'));
  writeFileSync(logFile, '');
  own(logFile);
  await asOwner('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-s', 'start']);
  // pg_ctl detaches the server: make sure it dies with the test process even if stop() never runs.
  let stopped = false;
  onProcessExit(() => {
    if (stopped) return;
    const stopArgs = [join(bin, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', '-s', 'stop'];
    if (owner) spawnSync('runuser', ['-u', owner.name, '--', ...stopArgs], { cwd: dir });
    else spawnSync(stopArgs[0], stopArgs.slice(1), { cwd: dir });
  });

  return {
    host: '127.0.0.1',
    port,
    dir,
    logFile,
    async admin(database = 'postgres') {
      const client = new Client({ host: socketDir, port, user: 'postgres', database });
      await client.connect();
      return client;
    },
    async stop() {
      stopped = true;
      await asOwner('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', '-s', 'stop']).catch(() => undefined);
    },
  };
}
