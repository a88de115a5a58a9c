import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTestResult, CreateTaskInput, TaskView } from '@walbridge/contracts';
import {
  createCertificateAuthority,
  createTopic,
  demoDestination,
  issueCertificate,
  readTopic,
  startPostgresCluster,
  testPassword,
  uniqueName,
  type CertificateAuthority,
  type PostgresCluster,
} from '@walbridge/testing';
import { EXPECTED_CHANGES, api, createAndSubmit, createAndTestConnection, stopQuietly, summary, taskInput, writeChanges } from './transport-fixture';

const CDC_USER = 'cdc';
const CDC_PASSWORD = testPassword();
const WRONG_PASSWORD = testPassword();
const DATABASE = 'shop';

type Source = Partial<CreateTaskInput['source']>;

interface Case {
  name: string;
  source: (ca: CertificateAuthority, other: CertificateAuthority) => Source;
}

// The server certificate names 127.0.0.1 and localhost; the server also listens on 127.0.0.2.
const STREAMING: Case[] = [
  { name: 'verify-full: CA and host name checked', source: (ca) => ({ host: '127.0.0.1', sslMode: 'verify-full', caCert: ca.certPem }) },
  { name: 'verify-ca: CA checked, host name not', source: (ca) => ({ host: '127.0.0.2', sslMode: 'verify-ca', caCert: ca.certPem }) },
];

const REFUSED: (Case & { error: RegExp })[] = [
  {
    name: 'verify-full to an address the certificate does not name',
    source: (ca) => ({ host: '127.0.0.2', sslMode: 'verify-full', caCert: ca.certPem }),
    error: /Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.2 is not in the cert's list/,
  },
  {
    name: 'verify-full with a CA that did not sign the server certificate',
    source: (_ca, other) => ({ host: '127.0.0.1', sslMode: 'verify-full', caCert: other.certPem }),
    error: /unable to verify the first certificate|self[- ]signed certificate/i,
  },
  {
    name: 'no SSL where pg_hba.conf only accepts SSL',
    source: () => ({ host: '127.0.0.1', sslMode: 'disable' }),
    // The connection test explains the refusal: this login is accepted over SSL only.
    error: /accepts cdc only over SSL/,
  },
  {
    name: 'a wrong password',
    source: (ca) => ({ host: '127.0.0.1', sslMode: 'verify-full', caCert: ca.certPem, password: WRONG_PASSWORD }),
    error: /password authentication failed for user "?cdc"?/,
  },
];

describe('PostgreSQL over SSL (verify-full) against a cluster of the test, with a CA the test made', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-pg-tls-'));
  let cluster: PostgresCluster;
  const tasks: TaskView[] = [];
  const streamed = new Map<string, Promise<string[]>>();
  const refused = new Map<string, Promise<ConnectionTestResult>>();

  beforeAll(async () => {
    mkdirSync(join(dir, 'tls'));
    const [ca, other] = await Promise.all([createCertificateAuthority(join(dir, 'tls')), createCertificateAuthority(join(dir, 'tls'), 'other-ca')]);
    const server = await issueCertificate(ca, 'server', { commonName: 'localhost', dns: ['localhost'], ips: ['127.0.0.1'] });
    cluster = await startPostgresCluster({
      dir: join(dir, 'pg'),
      listenAddresses: ['127.0.0.1', '127.0.0.2'],
      ssl: server,
      hba: ['hostssl all all 127.0.0.0/8 scram-sha-256', 'hostssl replication all 127.0.0.0/8 scram-sha-256'],
    });
    const admin = await cluster.admin();
    try {
      await admin.query(`CREATE ROLE ${CDC_USER} LOGIN REPLICATION PASSWORD '${CDC_PASSWORD}'`);
      await admin.query(`CREATE DATABASE ${DATABASE} OWNER ${CDC_USER}`);
    } finally {
      await admin.end();
    }
    const db = await cluster.admin(DATABASE);
    const tables = [...STREAMING, ...REFUSED].map(() => uniqueName('t'));
    try {
      for (const table of tables) {
        await db.query(`CREATE TABLE public.${table} (id bigint PRIMARY KEY, note text)`);
        await db.query(`ALTER TABLE public.${table} OWNER TO ${CDC_USER}`);
      }
    } finally {
      await db.end();
    }
    const input = (c: Case, table: string, topic: string) =>
      taskInput({
        table,
        topic,
        schema: 'public',
        source: { port: cluster.port, database: DATABASE, username: CDC_USER, password: CDC_PASSWORD, ...c.source(ca, other) },
        destination: demoDestination(),
      });
    STREAMING.forEach((c, i) => {
      const flow = (async () => {
        const topic = uniqueName('wbtest');
        await createTopic(topic);
        const task = await createAndSubmit(input(c, tables[i], topic));
        tasks.push(task);
        await api.waitForStatus(task.id, 'INCREMENTAL', 120_000);
        const writer = await cluster.admin(DATABASE);
        try {
          await writeChanges((sql) => writer.query(sql), `public.${tables[i]}`);
        } finally {
          await writer.end();
        }
        return summary((await readTopic(topic, 3)).map((m) => m.value));
      })();
      flow.catch(() => undefined);
      streamed.set(c.name, flow);
    });
    REFUSED.forEach((c, i) => {
      const flow = (async () => {
        // A task that cannot connect never passes its precheck: the user learns why from the
        // wizard's Test Connection (the same probe the precheck runs).
        return createAndTestConnection(input(c, tables[STREAMING.length + i], uniqueName('wbtest')), 'source');
      })();
      flow.catch(() => undefined);
      refused.set(c.name, flow);
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(tasks.map((t) => stopQuietly(t.id)));
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it.each(STREAMING.map((c) => [c.name]))('streams changes over an encrypted replication connection with %s', async (name) => {
    expect(await streamed.get(name)).toEqual(EXPECTED_CHANGES);
  });

  it('encrypts the replication connection itself, not only the ordinary one', async () => {
    await Promise.all(streamed.values());
    const admin = await cluster.admin();
    try {
      const { rows } = await admin.query<{ backend_type: string; ssl: boolean }>(
        `SELECT a.backend_type, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = $1`,
        [CDC_USER],
      );
      expect(rows.filter((r) => r.backend_type === 'walsender')).toHaveLength(STREAMING.length);
      expect(rows.every((r) => r.ssl)).toBe(true);
    } finally {
      await admin.end();
    }
  });

  it.each(REFUSED.map((c) => [c.name, c.error] as const))('says precisely why it cannot connect: %s', async (name, error) => {
    const result = await refused.get(name)!;
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(error);
    expect(result.message).not.toContain(WRONG_PASSWORD);
    expect(result.message).not.toContain(CDC_PASSWORD);
  });
});
