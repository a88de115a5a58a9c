import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTestResult, CreateTaskInput, TaskView } from '@walbridge/contracts';
import { createTopicOn, readValuesOn, sourceDb, startSecureKafkaBroker, testPassword, uniqueName, type SecureKafkaBroker } from '@walbridge/testing';
import {
  EXPECTED_CHANGES,
  api,
  createAndSubmit,
  createAndTestConnection,
  createSourceTable,
  stopQuietly,
  summary,
  taskInput,
  writeChanges,
} from './transport-fixture';

type Destination = CreateTaskInput['destination'];

interface Mode {
  name: string;
  listener: string;
  destination: (broker: SecureKafkaBroker) => Omit<Destination, 'brokers'>;
}

const sasl = (mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', tls: boolean): Mode => ({
  name: `${tls ? 'SASL_SSL' : 'SASL_PLAINTEXT'} with ${mechanism}`,
  listener: tls ? 'SASL_SSL' : 'SASL_PLAINTEXT',
  destination: (b) => ({
    securityProtocol: tls ? 'SASL_SSL' : 'SASL_PLAINTEXT',
    saslMechanism: mechanism,
    username: b.user.username,
    password: b.user.password,
    ...(tls ? { caCert: b.ca.certPem } : {}),
  }),
});

const STREAMING_MODES: Mode[] = [
  {
    name: 'SSL with the CA and a client certificate, hostname verified',
    listener: 'SSL',
    destination: (b) => ({
      securityProtocol: 'SSL',
      caCert: b.ca.certPem,
      clientCert: b.clientCertificate.certPem,
      clientKey: b.clientCertificate.keyPem,
      verifyHostname: true,
    }),
  },
  {
    name: 'SSL to a broker whose certificate names another host, hostname verification off',
    listener: 'SSL_OTHER_HOST',
    destination: (b) => ({ securityProtocol: 'SSL', caCert: b.ca.certPem, verifyHostname: false }),
  },
  sasl('PLAIN', false),
  sasl('SCRAM-SHA-256', false),
  sasl('SCRAM-SHA-512', false),
  sasl('PLAIN', true),
  sasl('SCRAM-SHA-256', true),
  sasl('SCRAM-SHA-512', true),
];

const WRONG_PASSWORD = testPassword();

const REFUSED_MODES: (Mode & { error: RegExp })[] = [
  {
    name: 'SCRAM-SHA-512 with a wrong password',
    listener: 'SASL_SSL',
    destination: (b) => ({ ...sasl('SCRAM-SHA-512', true).destination(b), password: WRONG_PASSWORD }),
    error: /SASL SCRAM SHA512 authentication failed: .*invalid credentials/i,
  },
  {
    name: 'SSL without the CA that signed the broker certificate',
    listener: 'SASL_SSL',
    destination: (b) => ({ ...sasl('PLAIN', true).destination(b), caCert: undefined }),
    error: /self[- ]signed certificate in certificate chain/i,
  },
  {
    name: 'SSL with hostname verification on, to a certificate for another host',
    listener: 'SSL_OTHER_HOST',
    destination: (b) => ({ securityProtocol: 'SSL', caCert: b.ca.certPem, verifyHostname: true }),
    error: /Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list/,
  },
  {
    name: 'SSL without a client certificate where the broker requires one',
    listener: 'SSL',
    destination: (b) => ({ securityProtocol: 'SSL', caCert: b.ca.certPem }),
    error: /alert bad certificate|certificate required/i,
  },
];

describe('Kafka over SSL, SASL_PLAINTEXT and SASL_SSL, end to end against a broker of the test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-kafka-tls-'));
  let broker: SecureKafkaBroker;
  const tasks: TaskView[] = [];
  const streamed = new Map<string, Promise<string[]>>();
  const refused = new Map<string, Promise<ConnectionTestResult>>();

  beforeAll(async () => {
    const [started, tables] = await Promise.all([
      startSecureKafkaBroker(dir),
      Promise.all([...STREAMING_MODES, ...REFUSED_MODES].map(() => createSourceTable())),
    ]);
    broker = started;
    const setUp = async (mode: Mode, table: string) => {
      const topic = uniqueName('wbtest');
      await createTopicOn(broker, topic);
      const destination = { brokers: broker.addresses[mode.listener], ...mode.destination(broker) } as Destination;
      const task = await createAndSubmit(taskInput({ table, topic, destination }));
      tasks.push(task);
      return { task, topic };
    };
    // Every mode runs at once: one broker start, one wait.
    STREAMING_MODES.forEach((mode, i) => {
      const flow = (async () => {
        const { task, topic } = await setUp(mode, tables[i]);
        await api.waitForStatus(task.id, 'INCREMENTAL', 120_000);
        const db = await sourceDb();
        try {
          await writeChanges((sql) => db.query(sql), `shop.${tables[i]}`);
        } finally {
          await db.end();
        }
        return summary(await readValuesOn(broker, topic, 3));
      })();
      flow.catch(() => undefined);
      streamed.set(mode.name, flow);
    });
    // A task that cannot connect never passes its precheck, so it is never started: the user
    // learns why from the Test Connection of the wizard (the same probe the precheck runs).
    REFUSED_MODES.forEach((mode, i) => {
      const flow = (async () => {
        const topic = uniqueName('wbtest');
        await createTopicOn(broker, topic);
        const destination = { brokers: broker.addresses[mode.listener], ...mode.destination(broker) } as Destination;
        return createAndTestConnection(taskInput({ table: tables[STREAMING_MODES.length + i], topic, destination }), 'destination');
      })();
      flow.catch(() => undefined);
      refused.set(mode.name, flow);
    });
  }, 240_000);

  afterAll(async () => {
    await Promise.all(tasks.map((t) => stopQuietly(t.id)));
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it.each(STREAMING_MODES.map((m) => [m.name]))('streams INSERT, UPDATE and DELETE over %s', async (name) => {
    expect(await streamed.get(name)).toEqual(EXPECTED_CHANGES);
  });

  it.each(REFUSED_MODES.map((m) => [m.name, m.error] as const))('says precisely why it cannot connect: %s', async (name, error) => {
    const result = await refused.get(name)!;
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(error);
    expect(result.message).not.toContain(WRONG_PASSWORD);
  });
});
