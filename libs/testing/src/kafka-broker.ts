import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaFixture } from './kafka-fixture';
import { freePort, kafkaClusterId, killOnExit, run } from './processes';
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

export function kafkaLibsDir(): string {
  return process.env.WALBRIDGE_KAFKA_LIBS ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'walbridge', 'kafka-3.9.1', 'libs');
}

function java(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
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

/**
 * A single-node KRaft broker of the test's own (never the shared stack's), with the listeners
 * asked for plus a plaintext INTERNAL one. SCRAM users are added when the storage is formatted,
 * as `kafka-storage format --add-scram` does.
 */
export async function startKafkaBroker(options: {
  dir: string;
  listeners: KafkaListener[];
  properties?: Record<string, string>;
  scram?: ScramCredential[];
}): Promise<KafkaBroker> {
  const { dir } = options;
  mkdirSync(join(dir, 'data'), { recursive: true });
  const listeners: KafkaListener[] = [{ name: 'INTERNAL', protocol: 'PLAINTEXT' }, ...options.listeners];
  const ports = await Promise.all([freePort(), ...listeners.map(() => freePort())]);
  const controllerPort = ports[0];
  const addresses = Object.fromEntries(listeners.map((l, i) => [l.name, `127.0.0.1:${ports[i + 1]}`]));
  const properties: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: [`CONTROLLER://127.0.0.1:${controllerPort}`, ...listeners.map((l) => `${l.name}://${addresses[l.name]}`)].join(','),
    'advertised.listeners': listeners.map((l) => `${l.name}://${addresses[l.name]}`).join(','),
    'listener.security.protocol.map': ['CONTROLLER:PLAINTEXT', ...listeners.map((l) => `${l.name}:${l.protocol}`)].join(','),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'INTERNAL',
    'log.dirs': join(dir, 'data'),
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
    ...options.properties,
  };
  const configFile = join(dir, 'server.properties');
  writeFileSync(configFile, Object.entries(properties).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(log4j, [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${join(dir, 'server.log')}`,
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.org.apache.kafka.clients=WARN',
    '',
  ].join('\n'));
  const classpath = ['-cp', `${kafkaLibsDir()}/*`, `-Dlog4j.configuration=file:${log4j}`];
  const scramArgs = (options.scram ?? []).flatMap((c) => ['--add-scram', `${c.mechanism}=[name=${c.username},password=${c.password}]`]);
  const clusterId = kafkaClusterId();
  await run(java(), [...BROKER_JVM, ...classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', configFile, ...scramArgs]);

  const logFile = join(dir, 'server.log');
  const out = openSync(join(dir, 'kafka.out'), 'a');
  const child = spawn(java(), [...BROKER_JVM, ...classpath, 'kafka.Kafka', configFile], { cwd: dir, stdio: ['ignore', out, out] });
  closeSync(out);
  killOnExit(child);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const admin = new Kafka({ clientId: 'walbridge-test-broker-probe', brokers: [addresses.INTERNAL], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await waitFor(`the test Kafka broker in ${dir} to answer`, async () => {
      if (child.exitCode !== null) throw new Error(`the broker exited (${child.exitCode}): ${tailOf(join(dir, 'kafka.out'))}`);
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length ? true : undefined;
    }, 90_000, 300);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return { addresses, dir, logFile, stop };
}

function tailOf(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
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

/** Creates a topic through the broker's plaintext INTERNAL listener. */
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
