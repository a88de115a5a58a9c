import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { defaultKafkaLibsDir, kafkaBrokerConfig, kafkaDown, kafkaPrerequisites, kafkaUp } from '../../../tools/stack/drivers/kafka.mjs';
import { KafkaFixture } from './kafka-fixture';
import { freePort, killOnExit } from './processes';
import { testPassword } from './test-users';
import {
  createCertificateAuthority,
  createKeystore,
  createTruststore,
  issueCertificate,
  type CertificateAuthority,
  type IssuedCertificate,
} from './tls-fixture';
import { waitFor } from './wait-for';

/** The Kafka jars the stack cached (tools/stack/drivers/kafka.mjs). */
export function kafkaLibsDir(): string {
  return defaultKafkaLibsDir();
}

export interface KafkaListener {
  /** Listener name, e.g. SASL_SSL or SSL_OTHER_HOST. */
  name: string;
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
}

export interface ScramCredential {
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

export interface KafkaBroker {
  /** host:port per listener name; `INTERNAL` is plaintext, for test fixtures and assertions. */
  addresses: Record<string, string>;
  dir: string;
  logFile: string;
  stop(): Promise<void>;
}

// Small and quick to start: a test broker lives for one test file on a shared 2-core machine.
const BROKER_JVM = ['-Xms128m', '-Xmx384m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

/** Settings of a test broker beyond its listeners: one partition for everything internal. */
const TEST_BROKER_PROPERTIES = {
  'num.partitions': '1',
  'offsets.topic.replication.factor': '1',
  'offsets.topic.num.partitions': '1',
  'transaction.state.log.replication.factor': '1',
  'transaction.state.log.min.isr': '1',
  'transaction.state.log.num.partitions': '1',
  'group.initial.rebalance.delay.ms': '0',
  'auto.create.topics.enable': 'false',
  'num.network.threads': '2',
  'num.io.threads': '2',
};

/**
 * A single-node KRaft broker of the test's own (never the shared stack's), with the listeners
 * asked for plus a plaintext INTERNAL one (the inter-broker listener, probed for readiness).
 * Started by the stack's driver (tools/stack/drivers/kafka.mjs) as a child of the test process,
 * killed with it; SCRAM users are added when the storage is formatted.
 */
export async function startKafkaBroker(options: {
  dir: string;
  listeners: KafkaListener[];
  properties?: Record<string, string>;
  scram?: ScramCredential[];
}): Promise<KafkaBroker> {
  const { dir } = options;
  const listeners: KafkaListener[] = [{ name: 'INTERNAL', protocol: 'PLAINTEXT' }, ...options.listeners];
  const [controllerPort, ...ports] = await Promise.all([freePort(), ...listeners.map(() => freePort())]);
  const kafka = kafkaBrokerConfig({
    dir,
    port: ports[0],
    controllerPort,
    listeners: listeners.map((l, i) => ({ ...l, port: ports[i] })),
    properties: { ...TEST_BROKER_PROPERTIES, ...options.properties },
    jvmOpts: BROKER_JVM,
    scram: options.scram,
  });
  const { found, missing } = await kafkaPrerequisites(kafka);
  if (missing.length) throw new Error(`cannot start a test Kafka broker: ${missing.join('; ')}`);
  const stop = () => kafkaDown(kafka, undefined, { stopTimeoutMs: 15_000 }).then(() => undefined);
  try {
    const { child } = await kafkaUp(kafka, { java: found.java!, mvn: found.mvn }, undefined, { detached: false, timeoutMs: 90_000 });
    if (child) killOnExit(child);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const addresses = Object.fromEntries(listeners.map((l, i) => [l.name, `${kafka.host}:${ports[i]}`]));
  return { addresses, dir, logFile: kafka.logFile, stop };
}

export interface SecureKafkaBroker extends KafkaBroker {
  ca: CertificateAuthority;
  /** Signed by `ca`: what a task sends as clientCert/clientKey to the SSL listener. */
  clientCertificate: IssuedCertificate;
  /** A user for PLAIN and for both SCRAM mechanisms (the same name and password). */
  user: { username: string; password: string };
}

/**
 * A broker with every transport Walbridge supports, certificates from a CA the test made:
 * - `SSL`: TLS with a client certificate required, server certificate for 127.0.0.1/localhost;
 * - `SSL_OTHER_HOST`: TLS whose certificate names another host (hostname verification test);
 * - `SASL_PLAINTEXT` and `SASL_SSL`: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512.
 */
export async function startSecureKafkaBroker(dir: string): Promise<SecureKafkaBroker> {
  const tls = join(dir, 'tls');
  mkdirSync(tls, { recursive: true });
  const ca = await createCertificateAuthority(tls);
  const [keystore, otherHostKeystore, truststore, clientCertificate] = await Promise.all([
    createKeystore(ca, 'broker', { commonName: 'localhost', dns: ['localhost'], ips: ['127.0.0.1'] }),
    createKeystore(ca, 'broker-other-host', { commonName: 'kafka.other-host.test', dns: ['kafka.other-host.test'] }),
    createTruststore(ca),
    issueCertificate(ca, 'client', { commonName: 'walbridge-client' }),
  ]);
  const user = { username: 'walbridge-cdc', password: testPassword() };
  const jaas = {
    plain: `org.apache.kafka.common.security.plain.PlainLoginModule required user_${user.username}="${user.password}";`,
    scram: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
  };
  const sasl = (listener: string) => ({
    [`listener.name.${listener}.plain.sasl.jaas.config`]: jaas.plain,
    [`listener.name.${listener}.scram-sha-256.sasl.jaas.config`]: jaas.scram,
    [`listener.name.${listener}.scram-sha-512.sasl.jaas.config`]: jaas.scram,
  });
  const broker = await startKafkaBroker({
    dir,
    listeners: [
      { name: 'SSL', protocol: 'SSL' },
      { name: 'SSL_OTHER_HOST', protocol: 'SSL' },
      { name: 'SASL_PLAINTEXT', protocol: 'SASL_PLAINTEXT' },
      { name: 'SASL_SSL', protocol: 'SASL_SSL' },
    ],
    properties: {
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': keystore.file,
      'ssl.keystore.password': keystore.password,
      'ssl.key.password': keystore.password,
      'ssl.truststore.type': 'PKCS12',
      'ssl.truststore.location': truststore.file,
      'ssl.truststore.password': truststore.password,
      'listener.name.ssl.ssl.client.auth': 'required',
      'listener.name.ssl_other_host.ssl.keystore.type': 'PKCS12',
      'listener.name.ssl_other_host.ssl.keystore.location': otherHostKeystore.file,
      'listener.name.ssl_other_host.ssl.keystore.password': otherHostKeystore.password,
      'listener.name.ssl_other_host.ssl.key.password': otherHostKeystore.password,
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      ...sasl('sasl_plaintext'),
      ...sasl('sasl_ssl'),
    },
    scram: [
      { mechanism: 'SCRAM-SHA-256', ...user },
      { mechanism: 'SCRAM-SHA-512', ...user },
    ],
  });
  return { ...broker, ca, clientCertificate, user };
}

/** Creates a topic on a broker of the test's own, waiting for its partition leaders. */
export function createTopicOn(broker: KafkaBroker, topic: string, partitions = 1): Promise<void> {
  return new KafkaFixture([broker.addresses.INTERNAL]).createTopic(topic, partitions);
}

/**
 * The values on a topic of a test's broker, read from the beginning (plaintext INTERNAL
 * listener) until `count` arrived, in offset order. One partition topics only.
 */
export async function readValuesOn(broker: KafkaBroker, topic: string, count: number, timeoutMs = 120_000): Promise<string[]> {
  const kafka = new Kafka({ clientId: 'walbridge-tests', brokers: [broker.addresses.INTERNAL], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `walbridge-test-${topic}-${randomBytes(4).toString('hex')}` });
  const values: { offset: bigint; value: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push({ offset: BigInt(message.offset), value: message.value?.toString() ?? '' });
      },
    });
    await waitFor(`${count} messages on ${topic} (have ${values.length})`, async () => (values.length >= count ? true : undefined), timeoutMs, 200);
    return values.sort((a, b) => (a.offset < b.offset ? -1 : 1)).map((v) => v.value);
  } finally {
    await consumer.disconnect();
  }
}
