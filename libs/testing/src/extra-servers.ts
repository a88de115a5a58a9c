import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type QueryResult } from 'pg';
import { startKafkaBroker } from './kafka-broker';
import { startPostgresCluster } from './postgres-cluster';
import { run } from './processes';

/**
 * Servers a test starts for itself, on free ports, when it needs a configuration the shared stack
 * must not get (another wal_level, few slots, SSL, SASL): never the stack's own processes. Both
 * are thin shapes over startPostgresCluster and startKafkaBroker (the stack's drivers).
 */

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

/** A throw-away cluster in a temporary directory, removed by stop(). */
export async function startExtraPostgres(options: ExtraPostgresOptions = {}): Promise<ExtraPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'wbtest-pg-'));
  const admin = { user: 'wbadmin', password: randomBytes(12).toString('hex') };
  let certificate: string | null = null;
  let ssl: { certFile: string; keyFile: string } | undefined;
  try {
    if (options.ssl) {
      mkdirSync(join(dir, 'tls'));
      ssl = { certFile: join(dir, 'tls', 'server.crt'), keyFile: join(dir, 'tls', 'server.key') };
      await run('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost', '-keyout', ssl.keyFile, '-out', ssl.certFile,
      ]);
      certificate = readFileSync(ssl.certFile, 'utf8');
    }
    const cluster = await startPostgresCluster({
      dir: join(dir, 'pg'),
      ssl,
      superuser: admin,
      settings: options.settings,
      hba: [
        'local all all trust',
        ...(options.hba ?? []),
        ...(options.hbaDefaults === false ? [] : ['host all all 127.0.0.1/32 scram-sha-256', 'host replication all 127.0.0.1/32 scram-sha-256']),
      ],
    });
    const connect = async (database = 'postgres') => {
      const client = new Client({ host: cluster.host, port: cluster.port, user: admin.user, password: admin.password, database });
      await client.connect();
      return client;
    };
    let stopped = false;
    return {
      host: cluster.host,
      port: cluster.port,
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
      restart: (changes) => cluster.restart(changes),
      startStandby: () => cluster.startStandby(),
      async stop() {
        if (stopped) return;
        stopped = true;
        await cluster.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
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

/** A single KRaft broker with a SASL_PLAINTEXT (PLAIN) listener, in a temporary directory. */
export async function startExtraKafka(options: ExtraKafkaOptions): Promise<ExtraKafka> {
  const dir = mkdtempSync(join(tmpdir(), 'wbtest-kafka-'));
  const users = Object.entries(options.saslUsers);
  const jaas =
    `org.apache.kafka.common.security.plain.PlainLoginModule required username="${users[0][0]}" password="${users[0][1]}" ` +
    users.map(([u, p]) => `user_${u}="${p}"`).join(' ') +
    ';';
  try {
    const broker = await startKafkaBroker({
      dir,
      listeners: [{ name: 'SASL_PLAINTEXT', protocol: 'SASL_PLAINTEXT' }],
      properties: {
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': jaas,
        'auto.create.topics.enable': options.autoCreateTopics ? 'true' : 'false',
        // The controller and INTERNAL listeners are PLAINTEXT: their principal is ANONYMOUS.
        ...(options.authorizer
          ? { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': `User:${users[0][0]};User:ANONYMOUS` }
          : {}),
      },
    });
    return {
      brokers: broker.addresses.SASL_PLAINTEXT,
      async stop() {
        await broker.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
