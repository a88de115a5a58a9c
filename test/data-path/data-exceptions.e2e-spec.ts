import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskLogPage, TaskView } from '@walbridge/contracts';
import { sharedKafka, waitFor, workerPid } from '@walbridge/testing';
import { api, envelopeOf, onSource, startTask, stopTask, type RunningTask } from './task-fixture';

/**
 * PRODUCT.md §5: a change that cannot be delivered is never skipped. A message larger than the
 * topic accepts fails the task at once (retrying would fail the same way) with a data exception
 * naming table and message id; once the cause is fixed, resume delivers it and what followed.
 * A target topic deleted while the task runs fails it the same visible way, nothing is written
 * to another topic, and the topic is not silently created again.
 */
async function logLines(id: string): Promise<string[]> {
  const res = await api.request<TaskLogPage>('GET', `/api/v1/tasks/${id}/logs?limit=200`);
  return res.body.items.map((e) => `${e.level}: ${e.message}`);
}

async function waitFailed(id: string): Promise<TaskView> {
  return waitFor('the task to fail', async () => {
    const t = await api.task(id);
    return t.status === 'INCREMENTAL_FAILED' && t.failure && !t.failure.retrying ? t : undefined;
  }, 90_000, 300);
}

describe('data exceptions and vanished topics', () => {
  let large: RunningTask<'doc', 'main'>;
  let vanishing: RunningTask<'doc', 'main'>;

  beforeAll(async () => {
    const setup = () =>
      startTask<'doc', 'main'>({
        tables: { doc: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, payload text)` } },
        topics: { main: 1 },
        policy: ({ tables, topics }) => ({ objectScope: 'tables', tables: [{ schema: 'shop', table: tables.doc }], topicPolicy: { mode: 'specific', topic: topics.main } }),
      });
    [large, vanishing] = await Promise.all([setup(), setup()]);
  });

  afterAll(async () => {
    await Promise.all([large, vanishing].filter(Boolean).map((r) => stopTask(r.task.id).catch(() => undefined)));
  });

  it('fails at once on a message above max.message.bytes, naming table and id, and delivers it after resume', async () => {
    const { topics, qualified, tables, task } = large;
    await sharedKafka().setTopicConfig(topics.main, { 'max.message.bytes': '50000' });
    await onSource(`INSERT INTO ${qualified.doc} SELECT g, 'small' FROM generate_series(1, 5) g`);
    await sharedKafka().readTopic(topics.main, 5);
    await onSource(`INSERT INTO ${qualified.doc} VALUES (6, repeat('x', 100000))`, `INSERT INTO ${qualified.doc} SELECT g, 'after' FROM generate_series(7, 10) g`);

    const failed = await waitFailed(task.id);
    expect(failed.failure).toMatchObject({ kind: 'data', retrying: false });
    const id = /message id ([0-9A-F]{16}-[0-9A-F]{8})/.exec(failed.lastError ?? '')?.[1];
    expect(failed.lastError).toMatch(new RegExp(`^data exception on shop\\.${tables.doc}, message id [0-9A-F]{16}-00000000: Kafka refused the message as too large`));
    const log = await logLines(task.id);
    expect(log.some((l) => l.startsWith(`error: data exception: the change ${id} of shop.${tables.doc} could not be delivered; it was not skipped`))).toBe(true);
    expect(log[0]).toMatch(/^error: data failure: .*not retried \(it would fail the same way until the cause is fixed\): the task is INCREMENTAL_FAILED until resumed/);
    expect(log.filter((l) => /restarting in/.test(l))).toEqual([]);
    expect(workerPid(task.id)).toBeNull();
    // Nothing after the refused change reached Kafka, and the slot did not move past it.
    expect(await sharedKafka().topicMessageCount(topics.main)).toBe(5);

    await sharedKafka().setTopicConfig(topics.main, { 'max.message.bytes': String(1024 * 1024) });
    expect((await api.operate(task.id, 'resume')).status).toBe(202);
    await api.waitForStatus(task.id, 'INCREMENTAL', 60_000);
    const delivered = (await sharedKafka().readUntil(topics.main, (ms) => new Set(ms.map((m) => envelopeOf(m).data[0].id)).size === 10, 'all 10 rows')).map(envelopeOf);
    const six = delivered.find((e) => e.data[0].id === '6')!;
    expect(six.id).toBe(id);
    expect(six.data[0].payload).toHaveLength(100000);
    expect([...new Set(delivered.map((e) => Number(e.data[0].id)))]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('fails visibly when its topic is deleted while running, writes nowhere else, and goes on after the topic is back', async () => {
    const { topics, qualified, task } = vanishing;
    await onSource(`INSERT INTO ${qualified.doc} VALUES (1, 'before')`);
    await sharedKafka().readTopic(topics.main, 1);
    await sharedKafka().deleteTopic(topics.main);
    await onSource(`INSERT INTO ${qualified.doc} VALUES (2, 'while gone')`);

    const failed = await waitFailed(task.id);
    expect(failed.failure).toMatchObject({ kind: 'other', retrying: false });
    expect(failed.lastError).toContain(`Kafka topic ${topics.main} no longer exists (deleted while the task was running); nothing was written to another topic`);
    expect((await logLines(task.id)).some((l) => l.startsWith(`error: Kafka topic ${topics.main} no longer exists`))).toBe(true);
    // Not created again behind the operator's back, and no topic of this task's names appeared instead.
    const admin = sharedKafka();
    expect((await admin.listTopics()).filter((t) => t.includes(vanishing.suffix))).toEqual([]);

    await admin.createTopic(topics.main, 1);
    expect((await api.operate(task.id, 'resume')).status).toBe(202);
    await api.waitForStatus(task.id, 'INCREMENTAL', 60_000);
    const messages = (await admin.readTopic(topics.main, 1)).map(envelopeOf);
    expect(messages.map((e) => e.data[0].id)).toEqual(['2']);
  });
});
