import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { readTopic, sourceDb, testEnv, uniqueName } from '@walbridge/testing';
import { startStreamingTask, stopTask, type StreamingTask } from './task-fixture';

describe('auto-generated topics', () => {
  let ctx: StreamingTask | undefined;
  const prefix = uniqueName('wbtest_auto');

  afterAll(async () => {
    if (ctx) await stopTask(ctx.task.id).catch(() => undefined);
  });

  it('are created at start with the policy partitions, after a precheck that only validated them', async () => {
    ctx = await startStreamingTask({
      ddl: (t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, note text)`,
      override: { topicPolicy: { mode: 'auto', nameFormat: `${prefix}.$schema$.$tablename$`, partitions: 3, replicationFactor: 1 } },
    });
    const topic = `${prefix}.shop.${ctx.table}`;
    const db = await sourceDb();
    try {
      await db.query(`INSERT INTO shop.${ctx.table} VALUES (1, 'one'), (2, 'two')`);
    } finally {
      await db.end();
    }
    const messages = await readTopic(topic, 2);
    expect(messages.map((m) => JSON.parse(m.value).data[0].id).sort()).toEqual(['1', '2']);
    const admin = new Kafka({ clientId: 'wbtest', brokers: testEnv.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0].partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }
  });
});
