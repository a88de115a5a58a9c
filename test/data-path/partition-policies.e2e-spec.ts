import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { javaPartitions, sharedKafka, testEnv, type ReadMessage } from '@walbridge/testing';
import { envelopeOf, onSource, startTask, stopTask, uniqueSuffix, type RunningTask, type TaskPolicyInput } from './task-fixture';

/**
 * PRODUCT.md §2/§5 partition policies, read back partition by partition: every message must sit
 * in the partition Kafka's own Java murmur2 gives for the policy's string (computed by the
 * kafka-clients jar, not by Walbridge's port). Also the topic policies: auto topics (created with
 * the policy's partitions, an existing one reused as it is), a specific topic and a per-table
 * override.
 */
type Tables = 'keyed' | 'keyless';

const TABLES = {
  keyed: { ddl: (q: string) => `CREATE TABLE ${q} (a int, b text, note text, PRIMARY KEY (a, b))` },
  keyless: { ddl: (q: string) => `CREATE TABLE ${q} (x int, y text); ALTER TABLE ${q} REPLICA IDENTITY FULL` },
};

async function workload(t: RunningTask<Tables, string>): Promise<void> {
  const { keyed, keyless } = t.qualified;
  await onSource(
    `INSERT INTO ${keyed} SELECT g, CASE g % 3 WHEN 0 THEN 'b"q' WHEN 1 THEN 'é' || g ELSE 'plain' END, 'n' || g FROM generate_series(1, 20) g`,
    `INSERT INTO ${keyless} SELECT g, 'y' || g FROM generate_series(1, 10) g`,
    `UPDATE ${keyed} SET note = 'changed' WHERE a <= 3`,
    `DELETE FROM ${keyed} WHERE a IN (19, 20)`,
    `UPDATE ${keyless} SET y = 'z' WHERE x = 1`,
    `DELETE FROM ${keyless} WHERE x = 2`,
  );
}
const EXPECTED = { keyed: 25, keyless: 12 };

interface Case {
  policy: TaskPolicyInput['partitionPolicy'];
  run?: RunningTask<Tables, string>;
  messages?: ReadMessage[];
}

describe('partition and topic policies, read partition by partition', () => {
  const autoSuffix = uniqueSuffix();
  const autoPrefix = `wbtest_auto_${autoSuffix}`;
  const cases: Record<'table' | 'primaryKey' | 'schema' | 'zero', Case> = {
    table: { policy: 'table' },
    primaryKey: { policy: 'primaryKey' },
    schema: { policy: 'schema' },
    zero: { policy: 'zero' },
  };
  const partitionCounts = new Map<string, number>();

  beforeAll(async () => {
    // The generated topic of one table exists already, with another partition count: it is reused.
    await sharedKafka().createTopic(`${autoPrefix}.keyed_${autoSuffix}`, 5);
    const started = await Promise.all([
      startTask<Tables>({
        suffix: autoSuffix,
        tables: TABLES,
        policy: () => ({
          objectScope: 'tables',
          tables: [{ schema: 'shop', table: `keyed_${autoSuffix}` }, { schema: 'shop', table: `keyless_${autoSuffix}` }],
          topicPolicy: { mode: 'auto', nameFormat: `${autoPrefix}.$tablename$`, partitions: 4, replicationFactor: 1 },
          partitionPolicy: 'table',
        }),
      }),
      startTask<Tables, 'main' | 'over'>({
        tables: TABLES,
        topics: { main: 6, over: 3 },
        policy: ({ tables, topics }) => ({
          objectScope: 'tables',
          tables: [{ schema: 'shop', table: tables.keyed }, { schema: 'shop', table: tables.keyless, topic: topics.over }],
          topicPolicy: { mode: 'specific', topic: topics.main },
          partitionPolicy: 'primaryKey',
        }),
      }),
      ...(['schema', 'zero'] as const).map((policy) =>
        startTask<Tables, 'main'>({
          tables: TABLES,
          topics: { main: 4 },
          policy: ({ tables, topics }) => ({
            objectScope: 'tables',
            tables: [{ schema: 'shop', table: tables.keyed }, { schema: 'shop', table: tables.keyless }],
            topicPolicy: { mode: 'specific', topic: topics.main },
            partitionPolicy: policy,
          }),
        }),
      ),
    ]);
    [cases.table.run, cases.primaryKey.run, cases.schema.run, cases.zero.run] = started as RunningTask<Tables, string>[];
    await Promise.all(Object.values(cases).map((c) => workload(c.run!)));

    const admin = new Kafka({ clientId: 'wbtest', brokers: testEnv.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      for (const c of Object.values(cases)) {
        const topics = [...new Set(topicsOf(c))];
        const metadata = await admin.fetchTopicMetadata({ topics });
        for (const t of metadata.topics) partitionCounts.set(t.name, t.partitions.length);
        const byTopic = await Promise.all(
          topics.map((topic) =>
            sharedKafka().readUntil(topic, (ms) => ms.length >= expectedOn(c, topic), `${expectedOn(c, topic)} messages on ${topic}`),
          ),
        );
        c.messages = byTopic.flatMap((ms, i) => ms.map((m) => ({ ...m, topic: topics[i] })));
      }
    } finally {
      await admin.disconnect();
    }
  });

  afterAll(async () => {
    await Promise.all(Object.values(cases).map((c) => (c.run ? stopTask(c.run.task.id).catch(() => undefined) : undefined)));
  });

  function topicsOf(c: Case): string[] {
    if (c.policy === 'table') return [`${autoPrefix}.keyed_${autoSuffix}`, `${autoPrefix}.keyless_${autoSuffix}`];
    if (c.policy === 'primaryKey') return [c.run!.topics.main, c.run!.topics.over];
    return [c.run!.topics.main];
  }

  function expectedOn(c: Case, topic: string): number {
    if (c.policy === 'table' || c.policy === 'primaryKey') return topic === topicsOf(c)[0] ? EXPECTED.keyed : EXPECTED.keyless;
    return EXPECTED.keyed + EXPECTED.keyless;
  }

  /** The string a policy hashes for a message, null for partition 0. */
  function hashInput(policy: Case['policy'], m: ReadMessage): string | null {
    const e = envelopeOf(m);
    const table = `${e.database}.${e.schema}.${e.table}`;
    switch (policy) {
      case 'table':
        return table;
      case 'primaryKey':
        return m.key ?? table;
      case 'schema':
        return `${e.database}.${e.schema}`;
      default:
        return null;
    }
  }

  it('creates auto topics with the policy partitions and reuses an existing one as it is', () => {
    expect(partitionCounts.get(`${autoPrefix}.keyed_${autoSuffix}`)).toBe(5);
    expect(partitionCounts.get(`${autoPrefix}.keyless_${autoSuffix}`)).toBe(4);
  });

  it('puts every message exactly where Kafka’s Java murmur2 of the policy string says, for every policy', () => {
    const all = Object.values(cases).flatMap((c) => c.messages!.map((m) => ({ c, m, input: hashInput(c.policy, m) })));
    const topicOf = (m: ReadMessage) => (m as ReadMessage & { topic: string }).topic;
    const expected = javaPartitions(all.filter((x) => x.input !== null).map((x) => ({ text: x.input!, partitions: partitionCounts.get(topicOf(x.m))! })));
    let i = 0;
    const mismatches: string[] = [];
    for (const x of all) {
      const want = x.input === null ? 0 : expected[i++];
      if (x.m.partition !== want) mismatches.push(`${x.c.policy}: ${x.m.key ?? envelopeOf(x.m).table} in partition ${x.m.partition}, expected ${want}`);
    }
    expect(mismatches).toEqual([]);
    expect(all).toHaveLength(4 * (EXPECTED.keyed + EXPECTED.keyless));
  });

  it('keys messages by primary key values (null without a primary key), and spreads keys over partitions', () => {
    const pk = cases.primaryKey.messages!;
    const keyed = pk.filter((m) => envelopeOf(m).table.startsWith('keyed_'));
    expect(keyed.map((m) => m.key)).toContain('["3","b\\"q"]');
    expect(keyed.every((m) => JSON.stringify([envelopeOf(m).data[0].a, envelopeOf(m).data[0].b]) === m.key)).toBe(true);
    expect(new Set(keyed.map((m) => m.partition)).size).toBeGreaterThan(1);
    expect(pk.filter((m) => envelopeOf(m).table.startsWith('keyless_')).every((m) => m.key === null)).toBe(true);
    // One key's changes stay in one partition, in commit order.
    const ofKey = keyed.filter((m) => m.key === '["3","b\\"q"]').map((m) => envelopeOf(m).type);
    expect(ofKey).toEqual(['INSERT', 'UPDATE']);
  });

  it('sends a table with a topic override to that topic only', () => {
    const { over, main } = cases.primaryKey.run!.topics;
    const onOver = cases.primaryKey.messages!.filter((m) => (m as ReadMessage & { topic: string }).topic === over);
    const onMain = cases.primaryKey.messages!.filter((m) => (m as ReadMessage & { topic: string }).topic === main);
    expect(new Set(onOver.map((m) => envelopeOf(m).table))).toEqual(new Set([cases.primaryKey.run!.tables.keyless]));
    expect(new Set(onMain.map((m) => envelopeOf(m).table))).toEqual(new Set([cases.primaryKey.run!.tables.keyed]));
  });
});
