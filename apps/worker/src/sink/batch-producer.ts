import {
  GenericError,
  Writer,
  kGetApi,
  kGetConnection,
  kMetadata,
  kOptions,
  kPerformWithRetry,
  produceV9,
  produceV10,
  produceV11,
  type ClusterMetadata,
  type Producer,
  type ProducerInfo,
} from '@platformatic/kafka';
import { encodeRecordBatch, type RecordInput } from './record-batch';
import { UnknownTopicError } from './sink-errors';

/** A message as the sink hands it over: where it goes and what its record carries. */
export interface RoutedRecord extends RecordInput {
  topic: string;
  partition: number;
}

/** Produce versions whose request this writes (v9–v11 share it; they differ in the response). */
const PARSERS = { 9: produceV9.parseResponse, 10: produceV10.parseResponse, 11: produceV11.parseResponse } as const;
type ProduceVersion = keyof typeof PARSERS;
const PRODUCE_API_KEY = 0;
const ACKS_ALL = -1;
/** Kafka's sequence numbers wrap to 0 after Int32.MAX. */
const SEQUENCE_WRAP = 2 ** 31;

interface PartitionBatch {
  topic: string;
  partition: number;
  messages: RoutedRecord[];
}

const isStaleMetadata = (error: Error): boolean => GenericError.isGenericError(error) && !!(error as GenericError).findBy('hasStaleMetadata', true);

/**
 * The data path's Produce requests, with record batches encoded by record-batch.ts instead of
 * the client's per-record writers. The client still owns everything else: connections, TLS and
 * SASL, metadata, retries and the idempotent producer id. The guarantees are the client's:
 * acks=all, one sequence number per record and partition (a retried request carries the same
 * bytes and sequence, so the broker drops a duplicate), sequences advanced only once the broker
 * acknowledged the batch.
 */
export class BatchProducer {
  private readonly sequences = new Map<string, number>();

  private constructor(
    private readonly producer: Producer,
    private readonly identity: ProducerInfo,
    private readonly version: ProduceVersion,
    private readonly compression: 'none' | 'gzip',
  ) {}

  /**
   * Gets the producer id and the Produce version the broker speaks; null when that version is
   * not one this writes (a broker older than Kafka 2.8): the client's own send is used then.
   */
  static async start(producer: Producer, compression: 'none' | 'gzip'): Promise<BatchProducer | null> {
    const identity = await producer.initIdempotentProducer({});
    const version = await new Promise<number>((resolve, reject) =>
      producer[kGetApi]('Produce', (error, api) => (error ? reject(error) : resolve((api as unknown as { version: number }).version))),
    );
    return version in PARSERS ? new BatchProducer(producer, identity, version as ProduceVersion, compression) : null;
  }

  /** Sends the messages (in their order within each partition) and resolves once every leader acknowledged them. */
  async send(messages: readonly RoutedRecord[]): Promise<void> {
    const metadata = await this.metadata([...new Set(messages.map((m) => m.topic))]);
    const byLeader = new Map<number, Map<string, PartitionBatch>>();
    for (const m of messages) {
      const topic = metadata.topics.get(m.topic);
      if (!topic) throw new UnknownTopicError(`Unknown topic ${m.topic}`);
      const partition = m.partition % topic.partitionsCount;
      const leader = topic.partitions[partition].leader;
      let batches = byLeader.get(leader);
      if (!batches) byLeader.set(leader, (batches = new Map()));
      const key = `${m.topic}:${partition}`;
      let batch = batches.get(key);
      if (!batch) batches.set(key, (batch = { topic: m.topic, partition, messages: [] }));
      batch.messages.push(m);
    }
    const results = await Promise.allSettled([...byLeader].map(([leader, batches]) => this.sendToLeader(metadata, leader, [...batches.values()])));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async sendToLeader(metadata: ClusterMetadata, leader: number, batches: PartitionBatch[]): Promise<void> {
    const timestamp = BigInt(Date.now());
    // Encoded once: every retry sends the same bytes with the same sequence numbers.
    const encoded = batches.map((b) => ({
      ...b,
      records: encodeRecordBatch(b.messages, {
        producerId: this.identity.producerId,
        producerEpoch: this.identity.producerEpoch,
        baseSequence: this.sequences.get(`${b.topic}:${b.partition}`) ?? 0,
        compression: this.compression,
        timestamp,
      }),
    }));
    const byTopic = new Map<string, typeof encoded>();
    for (const b of encoded) {
      const list = byTopic.get(b.topic);
      if (list) list.push(b);
      else byTopic.set(b.topic, [b]);
    }
    const timeout = (this.producer[kOptions] as { timeout?: number }).timeout ?? 5000;
    // Produce v9+ (flexible): transactional_id, acks, timeout_ms, [topic [partition records]].
    const payload = (): Writer =>
      Writer.create()
        .appendString(null)
        .appendInt16(ACKS_ALL)
        .appendInt32(timeout)
        .appendArray([...byTopic], (w, [topic, parts]) => {
          w.appendString(topic).appendArray(parts, (p, part) => {
            p.appendInt32(part.partition).appendUnsignedVarInt(part.records.length + 1).append(part.records);
          });
        })
        .appendTaggedFields();
    try {
      await this.perform(metadata, leader, payload);
    } catch (error) {
      if (!isStaleMetadata(error as Error)) throw error;
      // The leader moved: once more with fresh metadata (as the client's own send does).
      this.producer.clearMetadata();
      const fresh = await this.metadata([...byTopic.keys()]);
      const moved = fresh.topics.get(batches[0].topic)!.partitions[batches[0].partition].leader;
      await this.perform(fresh, moved, payload);
    }
    for (const b of batches) {
      const key = `${b.topic}:${b.partition}`;
      this.sequences.set(key, ((this.sequences.get(key) ?? 0) + b.messages.length) % SEQUENCE_WRAP);
    }
  }

  private perform(metadata: ClusterMetadata, leader: number, payload: () => Writer): Promise<unknown> {
    const broker = metadata.brokers.get(leader);
    if (!broker) return Promise.reject(new Error(`Kafka's metadata names no broker ${leader} (the partition's leader)`));
    return new Promise((resolve, reject) => {
      this.producer[kPerformWithRetry](
        'produce',
        (retry) => {
          this.producer[kGetConnection](broker, (error, connection) => {
            if (error || !connection) return retry(error ?? new Error(`no connection to broker ${leader}`));
            connection.send(PRODUCE_API_KEY, this.version, payload, PARSERS[this.version], true, true, retry);
          });
        },
        ((error: Error | null, result: unknown) => (error ? reject(error) : resolve(result))) as never,
        0,
        [],
        isStaleMetadata,
      );
    });
  }

  private metadata(topics: string[]): Promise<ClusterMetadata> {
    return new Promise((resolve, reject) => {
      this.producer[kMetadata]({ topics, autocreateTopics: false }, ((error: Error | null, metadata: ClusterMetadata) => (error ? reject(error) : resolve(metadata))) as never);
    });
  }
}
