import { AUTO_TOPIC_DEFAULTS, type PolicyConfig } from '@walbridge/contracts';
import type { RelationSchema } from '@walbridge/domain';
import { topicFor } from '../routing';
import type { KafkaSink } from '../sink/kafka-sink';
import type { TableRef } from '../source/source-admin';

/** The task's topics as set-up left them. */
export interface PreparedTopics {
  /** Every topic the task writes to (the tables', and the schema-change topic). */
  topics: string[];
  partitionCounts: Map<string, number>;
  /** The largest batch every topic accepts, at most the tuning's maxBatchBytes. */
  maxBatchBytes: number;
}

/**
 * Topic set-up at the start: the topics of the tables by the names they were selected under (a
 * renamed table keeps its topic), created when the topic policy is auto, then measured
 * (partitions, max.message.bytes). `phase` names each step for the start deadline.
 */
export async function prepareTopics(
  sink: KafkaSink,
  policy: PolicyConfig,
  database: string,
  topicTables: TableRef[],
  maxBatchBytes: number,
  log: (message: string) => void,
  phase: (name: string) => void,
): Promise<PreparedTopics> {
  const tableTopics = [...new Set(topicTables.map((t) => topicFor(policy, database, t.schema, t.table)))];
  const { schemaChangeTopic, topicPolicy } = policy;
  const topics = schemaChangeTopic && !tableTopics.includes(schemaChangeTopic) ? [...tableTopics, schemaChangeTopic] : tableTopics;
  if (topicPolicy.mode === 'auto') {
    phase('creating topics in Kafka');
    const generated = topicTables
      .filter((t) => !policy.tables.some((o) => o.schema === t.schema && o.table === t.table && o.topic))
      .map((t) => topicFor(policy, database, t.schema, t.table));
    if (schemaChangeTopic) generated.push(schemaChangeTopic);
    const created = await sink.createMissingTopics(
      [...new Set(generated)],
      topicPolicy.partitions ?? AUTO_TOPIC_DEFAULTS.partitions,
      topicPolicy.replicationFactor ?? AUTO_TOPIC_DEFAULTS.replicationFactor,
    );
    if (created.length) log(`created topic(s) ${created.join(', ')}`);
  }
  phase('reading topic metadata from Kafka');
  const partitionCounts = await sink.partitionCounts(topics);
  const limits = [...(await sink.messageLimits(topics)).values()];
  // A record batch carries some overhead beyond our estimate of its messages.
  // Batches stay below the broker's per-batch limit (the tuning's cap) whatever the topic allows.
  return { topics, partitionCounts: new Map(partitionCounts), maxBatchBytes: Math.max(1024, Math.min(maxBatchBytes, ...limits.map((l) => l - 512))) };
}

/**
 * Creates (auto mode) and measures the topic of a table that appeared after the start, adding
 * it to `prepared`; nothing for a table the task does not capture.
 */
export async function ensureTopicOf(schema: RelationSchema, sink: KafkaSink, policy: PolicyConfig, prepared: PreparedTopics, log: (message: string) => void): Promise<void> {
  const { partitionCounts, topics } = prepared;
  const topic = topicFor(policy, schema.database, schema.schema, schema.table);
  if (partitionCounts.has(topic)) return;
  if (policy.objectScope === 'tables' && !policy.tables.some((t) => t.schema === schema.schema && t.table === schema.table)) return;
  // A publication a DBA made FOR ALL TABLES also sends schemas the task does not capture.
  if (policy.objectScope === 'database' && policy.schemas?.length && !policy.schemas.includes(schema.schema)) return;
  const { topicPolicy } = policy;
  const override = policy.tables.some((t) => t.schema === schema.schema && t.table === schema.table && t.topic);
  if (topicPolicy.mode === 'auto' && !override) {
    const created = await sink.createMissingTopics(
      [topic],
      topicPolicy.partitions ?? AUTO_TOPIC_DEFAULTS.partitions,
      topicPolicy.replicationFactor ?? AUTO_TOPIC_DEFAULTS.replicationFactor,
    );
    if (created.length) log(`created topic ${topic} for ${schema.schema}.${schema.table}`);
  }
  const counts = await sink.partitionCounts([topic]);
  for (const [name, count] of counts) partitionCounts.set(name, count);
  if (!topics.includes(topic)) topics.push(topic);
}
