import { CompressionTypes, Kafka, type Admin, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { DestinationConfig } from '@walbridge/contracts';
import { kafkaClientConfig } from '@walbridge/connectors';

export interface OutboundMessage {
  topic: string;
  partition: number;
  key: string | null;
  value: string;
  id: string;
  /** schema.table of the change, for error messages. */
  table?: string;
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
