import { ConfigResourceTypes, Kafka, type Admin } from 'kafkajs';
import { Producer, type MessageToProduce, type SASLMechanismValue } from '@platformatic/kafka';
import type { DestinationConfig } from '@walbridge/contracts';
import { kafkaClientConfig, kafkaTlsOptions, type OutboundPolicy } from '@walbridge/connectors';
import { BatchProducer } from './batch-producer';
import { sendFailure } from './sink-errors';

export interface OutboundMessage {
  topic: string;
  partition: number;
  key: string | Buffer | null;
  /** A JSON envelope's UTF-8 bytes, or Avro binary; null for a tombstone (debezium-json after deletes). */
  value: Buffer | null;
  id: string;
  /** `schema.table` the change belongs to (named by data exceptions). */
  table: string;
  /** A row read by a snapshot (full synchronization, backfill): sent with the walbridge-snapshot header. */
  snapshot?: boolean;
  /**
   * A snapshot row enqueued before it was encoded: sets value and id, then itself to null
   * (throws a DataException for a row that cannot be encoded). The sender calls it before the
   * message's batch is built (BatchSender.materialize); nothing else sees such a message.
   */
  encode?: (() => void) | null;
}

/** What a message counts for in batch sizes, backpressure and the throttle: its bytes plus the record's overhead. */
export const MESSAGE_OVERHEAD_BYTES = 64;

export function messageBytes(m: OutboundMessage): number {
  return (m.value?.length ?? 0) + (m.key?.length ?? 0) + MESSAGE_OVERHEAD_BYTES;
}

const ID_HEADER = Buffer.from('walbridge-id');
const SNAPSHOT_HEADER = Buffer.from('walbridge-snapshot');
const TRUE = Buffer.from('true');

const SASL_MECHANISMS: Record<NonNullable<DestinationConfig['saslMechanism']>, SASLMechanismValue> = {
  PLAIN: 'PLAIN',
  'SCRAM-SHA-256': 'SCRAM-SHA-256',
  'SCRAM-SHA-512': 'SCRAM-SHA-512',
};

/** A message's headers, built with set(): no entry arrays to allocate (this runs once per message). */
function headersOf(m: OutboundMessage): Map<Buffer, Buffer> {
  const headers = new Map<Buffer, Buffer>();
  headers.set(ID_HEADER, Buffer.from(m.id));
  if (m.snapshot) headers.set(SNAPSHOT_HEADER, TRUE);
  return headers;
}

/**
 * The data path's producer. @platformatic/kafka rather than kafkajs (still used for the admin
 * calls): it costs about half the CPU per message, and the worker is CPU-bound (npm run bench).
 */
function dataPathProducer(destination: DestinationConfig, clientId: string, compression: 'none' | 'gzip'): Producer {
  const sasl = destination.securityProtocol.startsWith('SASL');
  const tls = kafkaTlsOptions(destination);
  return new Producer({
    clientId,
    bootstrapBrokers: destination.brokers.split(','),
    idempotent: true,
    acks: -1,
    compression,
    autocreateTopics: false,
    connectTimeout: 10_000,
    requestTimeout: 30_000,
    // An idempotent producer would otherwise retry forever; the scheduler owns the retry window.
    retries: 8,
    retryDelay: 500,
    ...(tls ? { tls } : {}),
    ...(sasl
      ? { sasl: { mechanism: SASL_MECHANISMS[destination.saslMechanism ?? 'PLAIN'], username: destination.username ?? '', password: destination.password ?? '' } }
      : {}),
  });
}

/**
 * The Kafka side of the data path: an idempotent producer (acks=all) that sends one batch at a
 * time, so batches are acknowledged in the order they were read from the WAL.
 */
export class KafkaSink {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  /** Our own record batches through the client's connections (null: a broker too old for them). */
  private batches: BatchProducer | null = null;

  /** The admin connection of the admin calls under way (none between them). */
  private adminSession: { admin: Admin; connected: Promise<void>; users: number } | null = null;

  constructor(
    destination: DestinationConfig,
    clientId: string,
    private readonly compression: 'none' | 'gzip',
  ) {
    this.kafka = new Kafka(kafkaClientConfig(destination, clientId));
    this.producer = dataPathProducer(destination, clientId, compression);
  }

  /**
   * The bootstrap list was checked against the outbound policy before; the brokers the cluster
   * advertises are checked here, before the producer follows them (a broker can advertise any
   * address).
   */
  async connect(outbound: OutboundPolicy): Promise<void> {
    const { brokers } = await this.withAdmin((admin) => admin.describeCluster());
    await outbound.assertAllowed(brokers.map((b) => b.host));
    // Connects, authenticates and gets a producer id now, so a bad destination fails the start.
    this.batches = await BatchProducer.start(this.producer, this.compression);
  }

  /**
   * Runs admin calls on a connection opened for them and closed after the last one. kafkajs
   * 2.2.4 keeps a 1 ms timer running for as long as a connection is open (tulios/kafkajs#1556:
   * its request queue reschedules itself with a negative delay), which cost an idle worker
   * about 2 % of a core for a topic check every 5 s.
   */
  private async withAdmin<T>(call: (admin: Admin) => Promise<T>): Promise<T> {
    // A session of its own per burst of calls: a kafkajs admin being disconnected is never
    // connected again (that raced into "write after end").
    if (!this.adminSession) {
      const admin = this.kafka.admin();
      this.adminSession = { admin, connected: admin.connect(), users: 0 };
    }
    const session = this.adminSession;
    session.users++;
    try {
      await session.connected;
      return await call(session.admin);
    } finally {
      if (--session.users === 0) {
        if (this.adminSession === session) this.adminSession = null;
        await session.admin.disconnect().catch(() => undefined);
      }
    }
  }

  /**
   * Creates the topics of an auto-generated topic policy that do not exist yet; returns those
   * it created. The precheck validated the creation (name, replication factor, ACL) beforehand.
   */
  async createMissingTopics(topics: string[], partitions: number, replicationFactor: number): Promise<string[]> {
    return this.withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length) {
        await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })), waitForLeaders: true });
      }
      return missing;
    });
  }

  /** Topics of the list the cluster no longer has. */
  async missingTopics(topics: string[]): Promise<string[]> {
    const existing = new Set(await this.withAdmin((admin) => admin.listTopics()));
    return topics.filter((t) => !existing.has(t));
  }

  /**
   * The largest record batch each topic accepts (max.message.bytes, the broker's default when
   * the topic does not override it); topics whose configuration cannot be read are left out.
   */
  async messageLimits(topics: string[]): Promise<Map<string, number>> {
    const limits = new Map<string, number>();
    if (!topics.length) return limits;
    try {
      const { resources } = await this.withAdmin((admin) =>
        admin.describeConfigs({
          includeSynonyms: false,
          resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'] })),
        }),
      );
      for (const r of resources) {
        const value = Number(r.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue);
        if (r.errorCode === 0 && Number.isFinite(value) && value > 0) limits.set(r.resourceName, value);
      }
    } catch {
      // DescribeConfigs denied (ACL): batches keep their default size, and a refused batch is split.
    }
    return limits;
  }

  /** Partition counts per topic; fails with the topic's name when one does not exist. */
  async partitionCounts(topics: string[]): Promise<Map<string, number>> {
    return this.withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length) throw new Error(`Kafka topic ${missing.join(', ')} does not exist`);
      const metadata = await admin.fetchTopicMetadata({ topics });
      return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    });
  }

  async send(batch: OutboundMessage[]): Promise<void> {
    try {
      await (this.batches ? this.batches.send(batch) : this.sendThroughClient(batch));
    } catch (error) {
      // Too large, unknown topic or anything else, said as the broker said it (sink-errors.ts).
      throw sendFailure(error);
    }
  }

  /** The client's own record batches (a broker older than produce v9). */
  private async sendThroughClient(batch: OutboundMessage[]): Promise<void> {
    // Walbridge picks every partition itself (the task's partition policy).
    const messages: MessageToProduce[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i];
      messages[i] = {
        topic: m.topic,
        partition: m.partition,
        key: m.key === null ? undefined : typeof m.key === 'string' ? Buffer.from(m.key) : m.key,
        // null is a tombstone: the client writes a null value (length -1) for it.
        value: m.value as Buffer,
        headers: headersOf(m),
      };
    }
    await this.producer.send({ messages });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.producer.close(), this.adminSession?.admin.disconnect()]);
  }
}
