import { describe, expect, it } from 'vitest';
import type { KafkaSink } from '../sink/kafka-sink';
import { policyConfig } from '../pipeline/orders-stream.fixture';
import { prepareTopics } from './topic-setup';

/** A Kafka with some topics and their max.message.bytes; records what set-up created. */
function kafka(existing: Record<string, number | null>) {
  const created: string[] = [];
  const sink = {
    createMissingTopics: async (topics: string[]) => {
      const missing = topics.filter((t) => !(t in existing));
      for (const t of missing) existing[t] = null;
      created.push(...missing);
      return missing;
    },
    partitionCounts: async (topics: string[]) => new Map(topics.map((t) => [t, 3])),
    messageLimits: async (topics: string[]) => new Map(topics.filter((t) => existing[t] !== null).map((t) => [t, existing[t]!])),
  } as unknown as KafkaSink;
  return { sink, created };
}

const policy = policyConfig;

const TABLES = [{ schema: 'shop', table: 'orders' }];
const ignore = () => undefined;

describe('prepareTopics', () => {
  it.each([
    ['topics allow more than the cap: the cap', 2_000_000, 900_000, 900_000],
    ['a topic allows less: its limit, less the batch overhead', 500_000, 900_000, 499_488],
    ['a lower cap from the tuning', 2_000_000, 300_000, 300_000],
    ['a tiny topic limit: never below 1 KB', 1000, 900_000, 1024],
  ])('keeps batches within what every topic accepts (%s)', async (_, topicLimit, cap, expected) => {
    const { sink } = kafka({ orders: topicLimit });
    const prepared = await prepareTopics(sink, policy({}), 'demo', TABLES, cap, ignore, ignore);
    expect(prepared).toEqual({ topics: ['orders'], partitionCounts: new Map([['orders', 3]]), maxBatchBytes: expected });
  });

  it('creates the auto topics and the schema-change topic that are missing, naming each step', async () => {
    const { sink, created } = kafka({});
    const logged: string[] = [];
    const phases: string[] = [];
    const auto = policy({ topicPolicy: { mode: 'auto', nameFormat: 'wb.$schema$.$tablename$' }, schemaChangeTopic: 'wb.ddl' });
    const prepared = await prepareTopics(sink, auto, 'demo', TABLES, 900_000, (m) => logged.push(m), (p) => phases.push(p));
    expect(created).toEqual(['wb.shop.orders', 'wb.ddl']);
    expect(prepared.topics).toEqual(['wb.shop.orders', 'wb.ddl']);
    expect(logged).toEqual(['created topic(s) wb.shop.orders, wb.ddl']);
    expect(phases).toEqual(['creating topics in Kafka', 'reading topic metadata from Kafka']);
  });
});
