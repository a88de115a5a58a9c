import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { testEnv } from './test-env';
import { waitFor } from './wait-for';

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  /** The value as UTF-8 text (JSON messages). */
  value: string;
  /** The value's bytes (Avro messages). */
  bytes: Buffer;
  headers: Record<string, string>;
  /** A null value (a tombstone), as opposed to an empty one. */
  tombstone: boolean;
  /** The record's timestamp in ms (the producer's create time: when the worker sent it). */
  timestamp: number;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = String(v);
  return out;
}

/** Topic helpers bound to one Kafka cluster: the shared one, or a broker a test started itself. */
export class KafkaFixture {
  private readonly kafka: Kafka;

  constructor(readonly brokers: string[] = testEnv.kafkaBrokers) {
    this.kafka = new Kafka({ clientId: 'walbridge-tests', brokers, logLevel: logLevel.NOTHING });
  }

  /**
   * Creates a topic and waits until every partition has a leader: a freshly started broker can
   * answer "does not host this topic-partition" for a moment after the creation succeeded.
   */
  async createTopic(topic: string, partitions = 1): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: false });
      await waitFor(`leaders for every partition of ${topic}`, async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const ready = topics[0]?.partitions.length === partitions && topics[0].partitions.every((p) => p.leader >= 0);
        return ready ? true : undefined;
      }, 60_000, 200);
    } finally {
      await admin.disconnect();
    }
  }

  /** Deletes a topic and waits until the broker no longer lists it (deletion is asynchronous). */
  async deleteTopic(topic: string): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [topic] });
      await waitFor(`topic ${topic} to be gone`, async () => ((await admin.listTopics()).includes(topic) ? undefined : true), 30_000, 200);
    } finally {
      await admin.disconnect();
    }
  }

  /** Every topic of the cluster. */
  async listTopics(): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await admin.listTopics();
    } finally {
      await admin.disconnect();
    }
  }

  async setTopicConfig(topic: string, entries: Record<string, string>): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2 /* TOPIC */, name: topic, configEntries: Object.entries(entries).map(([name, value]) => ({ name, value })) }],
      });
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Reads a topic from the beginning until at least `count` messages arrived (or the timeout),
   * then returns them in partition-offset order. A fresh consumer group each time.
   */
  async readTopic(topic: string, count: number, timeoutMs = 120_000): Promise<ReadMessage[]> {
    return this.readUntil(topic, (messages) => messages.length >= count, `${count} messages on ${topic}`, timeoutMs);
  }

  /**
   * Reads a topic from the beginning until `done` holds for what arrived (e.g. every expected
   * row is there: with duplicates a count is not enough), in partition-offset order.
   */
  async readUntil(topic: string, done: (messages: ReadMessage[]) => boolean, what: string, timeoutMs = 120_000): Promise<ReadMessage[]> {
    const consumer = this.kafka.consumer({ groupId: `walbridge-test-${topic}-${Date.now()}-${Math.random()}`, maxBytes: 50 * 1024 * 1024 });
    const messages: ReadMessage[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            messages.push({
              partition: batch.partition,
              offset: m.offset,
              key: m.key ? m.key.toString() : null,
              value: m.value ? m.value.toString() : '',
              bytes: m.value ?? Buffer.alloc(0),
              headers: headersOf(m.headers),
              tombstone: m.value === null,
              timestamp: Number(m.timestamp),
            });
          }
        },
      });
      let checked = -1;
      await waitFor(
        what,
        async () => {
          if (messages.length === checked) return undefined;
          checked = messages.length;
          return done(messages) ? true : undefined;
        },
        timeoutMs,
        200,
      ).catch((error: Error) => {
        throw new Error(`${error.message} (${messages.length} messages read)`);
      });
      return messages.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    } finally {
      await consumer.disconnect();
    }
  }

  /** End offsets summed over partitions: how many messages a topic holds (no compaction here). */
  async topicMessageCount(topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }
}

const shared = new KafkaFixture();

/** The shared cluster's helpers (topics, configs, reads) as one object. */
export function sharedKafka(): KafkaFixture {
  return shared;
}

export function createTopic(topic: string, partitions = 1): Promise<void> {
  return shared.createTopic(topic, partitions);
}

export function readTopic(topic: string, count: number, timeoutMs = 120_000): Promise<ReadMessage[]> {
  return shared.readTopic(topic, count, timeoutMs);
}

export function topicMessageCount(topic: string): Promise<number> {
  return shared.topicMessageCount(topic);
}
