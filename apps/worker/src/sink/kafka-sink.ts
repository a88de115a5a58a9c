import { CompressionTypes, ConfigResourceTypes, Kafka, type Admin, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { DestinationConfig } from '@walbridge/contracts';
import { kafkaClientConfig } from '@walbridge/connectors';

export interface OutboundMessage {
  topic: string;
  partition: number;
  key: string | null;
  /** A JSON envelope, or Avro binary. */
  value: string | Buffer;
  id: string;
  /** `schema.table` the change belongs to (named by data exceptions). */
  table: string;
}

/** Walks an error's causes (kafkajs wraps what the broker said) and aggregated errors. */
function someCause(error: unknown, test: (e: { type?: unknown; name?: unknown; message?: unknown }) => boolean): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e) || seen.size > 32) continue;
    seen.add(e);
    if (test(e as { type?: unknown })) return true;
    const { cause, originalError, errors } = e as { cause?: unknown; originalError?: unknown; errors?: unknown };
    queue.push(cause, originalError, ...(Array.isArray(errors) ? errors : []));
  }
  return false;
}

/** Kafka refused a record batch as larger than the topic's max.message.bytes. */
export function isTooLarge(error: unknown): boolean {
  return someCause(error, (e) => e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE');
}

/** Kafka does not know a topic (or partition) we produce to: it may have been deleted. */
export function isUnknownTopic(error: unknown): boolean {
  return someCause(
    error,
    (e) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION' || e.name === 'KafkaJSTopicMetadataNotLoaded' || e.name === 'KafkaJSMetadataNotLoaded',
  );
}

/**
 * The Kafka side of the data path: an idempotent producer (acks=all) that sends one batch at a
 * time, so batches are acknowledged in the order they were read from the WAL.
 */
export class KafkaSink {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly compression: CompressionTypes;

  constructor(destination: DestinationConfig, clientId: string, compression: 'none' | 'gzip') {
    this.kafka = new Kafka(kafkaClientConfig(destination, clientId));
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Walbridge picks every partition itself (the task's partition policy).
      createPartitioner: () => ({ message }) => message.partition as number,
    });
    this.admin = this.kafka.admin();
    this.compression = compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    await this.admin.connect();
  }

  /**
   * Creates the topics of an auto-generated topic policy that do not exist yet; returns those
   * it created. The precheck validated the creation (name, replication factor, ACL) beforehand.
   */
  async createMissingTopics(topics: string[], partitions: number, replicationFactor: number): Promise<string[]> {
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length) {
      await this.admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })), waitForLeaders: true });
    }
    return missing;
  }

  /** Topics of the list the cluster no longer has. */
  async missingTopics(topics: string[]): Promise<string[]> {
    const existing = new Set(await this.admin.listTopics());
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
      const { resources } = await this.admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'] })),
      });
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
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length) throw new Error(`Kafka topic ${missing.join(', ')} does not exist`);
    const metadata = await this.admin.fetchTopicMetadata({ topics });
    return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  }

  async send(batch: OutboundMessage[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const m of batch) {
      let list = byTopic.get(m.topic);
      if (!list) byTopic.set(m.topic, (list = []));
      list.push({ key: m.key, value: m.value, partition: m.partition, headers: { 'walbridge-id': m.id } });
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    await this.producer.sendBatch({ topicMessages, acks: -1, compression: this.compression });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }
}
