import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskLogPage, TaskView } from '@walbridge/contracts';
import {
  spawnControlPlane,
  spawnKafka,
  spawnPostgres,
  spawnRedis,
  workerPid,
  workerPids,
  type ControlPlane,
  type DedicatedKafka,
  type DedicatedPostgres,
  type DedicatedRedis,
} from '@walbridge/testing';
import {
  backgroundWriter,
  createTask,
  dedicatedSource,
  expectEveryRowDelivered,
  onSource,
  sleep,
  stopAndForget,
  waitFor,
  type Fixture,
  type LifecycleTask,
} from '../lifecycle/lifecycle-fixture';

/**
 * PRODUCT.md §5: after any fault the task resumes from its confirmed LSN; duplicates are
 * possible, loss is not. Every server here is the test's own (source and metadata PostgreSQL,
 * Kafka, Redis, api and scheduler), so it can be stopped and restarted; the shared stack is not
 * touched. Each fault hits a task while rows are being written, then the source rows are compared
 * with what Kafka holds.
 */
describe('faults of the servers around a streaming task', () => {
  let source: DedicatedPostgres;
  let metadata: DedicatedPostgres;
  let kafka: DedicatedKafka;
  let redis: DedicatedRedis;
  let plane: ControlPlane;
  let fx: Fixture;
  const tasks: LifecycleTask[] = [];
  let sampler: NodeJS.Timeout | undefined;
  let mostWorkersSeen = 0;

  beforeAll(async () => {
    [source, metadata, kafka, redis] = await Promise.all([spawnPostgres(), spawnPostgres(), spawnKafka(), spawnRedis()]);
    plane = await spawnControlPlane({ name: 'faults', databaseUrl: metadata.url('walbridge_faults'), redisUrl: redis.url });
    fx = { api: plane.api, kafka: kafka.topics, source: dedicatedSource(source) };
  }, 300_000);

  afterAll(async () => {
    if (sampler) clearInterval(sampler);
    if (plane) {
      await Promise.all(tasks.map((t) => stopAndForget(fx, t.id).catch(() => undefined)));
      await plane.cleanup();
    }
    await Promise.all([source, metadata, kafka, redis].map((s) => s?.cleanup().catch(() => undefined)));
  }, 180_000);

  /** A streaming task with rows flowing, sampled so that two workers on its slot would be seen. */
  async function streamingWithWriter() {
    const task = await createTask(fx, { start: true });
    tasks.push(task);
    const writer = backgroundWriter(fx.source, task.table);
    if (sampler) clearInterval(sampler);
    mostWorkersSeen = 0;
    sampler = setInterval(() => {
      mostWorkersSeen = Math.max(mostWorkersSeen, workerPids(task.id).length);
    }, 100);
    await waitFor('rows to flow', async () => ((await fx.kafka.topicMessageCount(task.topic)) >= 100 ? true : undefined), 60_000);
    return { task, writer };
  }

  async function logs(id: string): Promise<string[]> {
    return (await plane.api.request<TaskLogPage>('GET', `/api/v1/tasks/${id}/logs?limit=200`)).body.items.map((e) => `${e.level}: ${e.message}`);
  }

  async function recovered(task: LifecycleTask, writer: ReturnType<typeof backgroundWriter>): Promise<TaskView> {
    await sleep(2000); // rows written after the fault, too
    const rows = await writer.stop();
    const streaming = await plane.api.waitForStatus(task.id, 'INCREMENTAL', 120_000);
    const report = await expectEveryRowDelivered(task, rows);
    console.log(`${task.table}: ${rows} rows, ${report.duplicates} duplicates (same ids), ${writer.failures()} failed inserts`);
    expect(mostWorkersSeen, 'never two workers on the slot').toBeLessThanOrEqual(1);
    return streaming;
  }

  it('Kafka broker stopped and started: the task fails on it as a network failure, retries, and delivers every row', async () => {
    const { task, writer } = await streamingWithWriter();
    await kafka.stop();
    // Down long enough for the producer's own retries to give up and the task to notice.
    const failing = await waitFor(
      'the task to report the broker outage',
      async () => {
        const t = await plane.api.task(task.id);
        return t.failure ? t : undefined;
      },
      120_000,
      500,
    );
    expect(failing.status).toBe('INCREMENTAL_FAILED');
    expect(failing.failure).toMatchObject({ kind: 'network', retrying: true });
    await kafka.start();
    const after = await recovered(task, writer);
    expect(after.failure).toBeNull();
    const log = await logs(task.id);
    expect(log.some((l) => /^warning: network failure: .*restarting in/.test(l)), log.join('\n')).toBe(true);
  });

  it('source PostgreSQL restarted: the replication connection is re-established from the confirmed LSN', async () => {
    const { task, writer } = await streamingWithWriter();
    const before = workerPid(task.id);
    await source.restart();
    await recovered(task, writer);
    const log = await logs(task.id);
    expect(log.some((l) => /^warning: network failure: .*restarting in/.test(l)), log.join('\n')).toBe(true);
    expect(workerPid(task.id)).not.toBe(before);
  });

  it('Redis restarted: streaming goes on and the control queue works again', async () => {
    const { task, writer } = await streamingWithWriter();
    await redis.restart();
    await recovered(task, writer);
    // Jobs go through the restarted Redis.
    expect((await plane.api.operate(task.id, 'pause')).status).toBe(202);
    await plane.api.waitForStatus(task.id, 'PAUSED', 60_000);
    expect((await plane.api.operate(task.id, 'resume')).status).toBe(202);
    await plane.api.waitForStatus(task.id, 'INCREMENTAL', 60_000);
  });

  it('metadata PostgreSQL restarted: the worker keeps streaming through the outage, the api answers 503 meanwhile', async () => {
    const { task, writer } = await streamingWithWriter();
    const pid = workerPid(task.id);
    await metadata.stop();
    const inKafka = await fx.kafka.topicMessageCount(task.topic);
    await waitFor('rows to reach Kafka while the metadata database is down', async () => ((await fx.kafka.topicMessageCount(task.topic)) > inKafka + 100 ? true : undefined), 60_000);
    // Not a 500: the request was fine, the client is told to come back, and why.
    const during = await plane.api.request<{ code: string; message: string }>('GET', `/api/v1/tasks/${task.id}`);
    expect(during.status, JSON.stringify(during.body)).toBe(503);
    expect(during.body.code).toBe('BACKEND_UNAVAILABLE');
    expect(during.headers.get('retry-after')).toBe('5');
    await metadata.start();
    const confirmedBefore = (await waitFor('the api to answer again', () => plane.api.task(task.id), 60_000)).confirmedLsn;
    await recovered(task, writer);
    expect(workerPid(task.id), 'the same worker: a metadata outage does not restart streaming').toBe(pid);
    await waitFor('progress to be recorded again', async () => ((await plane.api.task(task.id)).confirmedLsn !== confirmedBefore ? true : undefined), 30_000);
  });

  it('source password changed: the task fails on it, then recovers once the new password is set through the API', async () => {
    const { task, writer } = await streamingWithWriter();
    await onSource(fx.source, async (db) => {
      await db.query(`ALTER ROLE ${source.demo.user} PASSWORD 'rotated-secret'`);
      // A new password applies to new connections: end the task's current ones.
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND application_name LIKE 'walbridge%'`, [source.demo.user]);
    });
    const failing = await waitFor(
      'the task to fail on the old password',
      async () => {
        const t = await plane.api.task(task.id);
        return t.lastError?.includes('password authentication failed') ? t : undefined;
      },
      60_000,
      300,
    );
    expect(failing.status).toBe('INCREMENTAL_FAILED');
    expect(failing.failure).toMatchObject({ kind: 'other', retrying: true });
    const patched = await plane.api.request<TaskView>('PATCH', `/api/v1/tasks/${task.id}`, { source: { password: 'rotated-secret' } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const after = await recovered(task, writer);
    expect(after).toMatchObject({ lastError: null, failure: null });
    const log = await logs(task.id);
    expect(log.join('\n')).not.toContain('rotated-secret');
    expect(log).toContain('info: credentials changed (sourcePassword); used from the next connection on');
  });
});
