import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerListView } from '@walbridge/contracts';
import { KafkaFixture, spawnControlPlane, spawnRedisSentinel, testEnv, workerPids, type ControlPlane, type DedicatedSentinelSet } from '@walbridge/testing';
import { onSource, sharedSource, startWatchedTasks, waitFor, type Fixture, type LifecycleTask, type WatchedTasks } from './lifecycle-fixture';

/**
 * Issue 19 item 6: Redis high availability. A primary, a replica and three Sentinels of this
 * file's own (tools/stack/drivers/redis-sentinel.mjs); an api and two schedulers that know Redis
 * only through the Sentinels (their WALBRIDGE_REDIS_URL points at a closed port). Two tasks
 * stream while the primary is SIGKILLed: the replica is promoted, the queues, leases and
 * heartbeats carry on against it, nothing is lost and no task ever has two workers.
 */
describe('Redis Sentinel failover under streaming tasks', () => {
  let redis: DedicatedSentinelSet;
  let plane: ControlPlane;
  let fx: Fixture;
  let watched: WatchedTasks;
  let tasks: LifecycleTask[] = [];
  let sampler: NodeJS.Timeout | undefined;
  /** Per slot, the most walsenders streaming it at once (the workers are counted by startWatchedTasks). */
  const mostWalsenders = new Map<string, number>();

  const schedulers = () => plane.api.request<SchedulerListView>('GET', '/api/v1/schedulers');
  const sampleWalsenders = async () => {
    const rows = await onSource(sharedSource, async (db) =>
      (await db.query<{ slot: string; n: number }>(
        // Every walsender that asked to stream the slot, not only the one PostgreSQL lets hold it.
        `SELECT slot, count(a.pid)::int AS n FROM unnest($1::text[]) AS slot
           LEFT JOIN pg_stat_activity a ON a.backend_type = 'walsender' AND starts_with(a.query, 'START_REPLICATION SLOT "' || slot || '" ')
          GROUP BY slot`,
        [tasks.map((t) => t.slot)],
      )).rows,
    ).catch(() => []);
    for (const row of rows) mostWalsenders.set(row.slot, Math.max(mostWalsenders.get(row.slot) ?? 0, row.n));
  };

  beforeAll(async () => {
    redis = await spawnRedisSentinel({ replicas: 1, sentinels: 3 });
    // Nothing listens on port 9: a client that used the URL instead of the Sentinels would fail.
    plane = await spawnControlPlane({ name: 'sentinel', schedulers: 2, redisUrl: 'redis://127.0.0.1:9', env: redis.env });
    fx = { api: plane.api, kafka: new KafkaFixture(), source: sharedSource };
    watched = await startWatchedTasks(fx, 2);
    tasks = watched.tasks;
    sampler = setInterval(() => void sampleWalsenders(), 200);
  }, 300_000);

  afterAll(async () => {
    if (sampler) clearInterval(sampler);
    // The plane's api stops the tasks, so it goes last.
    await watched?.stopAll();
    await plane?.cleanup();
    await redis?.cleanup();
  }, 300_000);

  it('runs the fleet through the Sentinels: both schedulers publish themselves, each task has one worker', async () => {
    const fleet = await waitFor(
      'both schedulers to hold one task each',
      async () => {
        const res = await schedulers();
        return res.status === 200 && res.body.items.length === 2 && res.body.items.every((s) => s.tasks === 1) ? res.body : undefined;
      },
      90_000,
      500,
    );
    expect(fleet.items.flatMap((s) => s.taskIds).sort()).toEqual(tasks.map((t) => t.id).sort());
    for (const task of tasks) expect(workerPids(task.id)).toHaveLength(1);
    await waitFor('rows to stream on both topics', async () => {
      const counts = await Promise.all(tasks.map((t) => fx.kafka.topicMessageCount(t.topic)));
      return counts.every((n) => n >= 100) ? true : undefined;
    }, 90_000);
  });

  it('SIGKILL of the primary: a replica is promoted, streaming goes on, and jobs enqueued afterwards are carried out', async () => {
    const ownersBefore = tasks.map((t) => watched.schedulerPidOf(t.id));
    const t0 = Date.now();
    const former = await redis.killPrimary();
    const promoted = await redis.promotedFrom(former, 60_000);
    console.log(`Sentinel promoted ${promoted} (primary ${former} killed) after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Heartbeats land on the new primary: the fleet view is whole again.
    await waitFor(
      'both schedulers to publish themselves on the promoted primary',
      async () => {
        const res = await schedulers();
        if (res.status !== 200 || res.body.items.length !== 2) return undefined;
        const beat = Math.min(...res.body.items.map((s) => Date.parse(s.lastHeartbeatAt)));
        return beat > t0 ? res.body : undefined;
      },
      90_000,
      500,
    );
    // Rows written after the failover reach Kafka.
    const written = watched.rowsWritten();
    await waitFor('rows written after the failover to arrive', async () => {
      const counts = await Promise.all(tasks.map((t) => fx.kafka.topicMessageCount(t.topic)));
      return counts.every((n, i) => n >= written[i]) ? true : undefined;
    }, 120_000);
    // The leases carried over: the schedulers that ran the tasks still run them.
    expect(tasks.map((t) => watched.schedulerPidOf(t.id))).toEqual(ownersBefore);

    // A pause and a resume are BullMQ jobs on the promoted primary, read by a worker reconnected through the Sentinels.
    const [task] = tasks;
    const paused = await plane.api.operate(task.id, 'pause');
    expect(paused.status, JSON.stringify(paused.body)).toBe(202);
    await plane.api.waitForStatus(task.id, 'PAUSED', 90_000);
    expect(workerPids(task.id)).toEqual([]);
    const resumed = await plane.api.operate(task.id, 'resume');
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(202);
    await plane.api.waitForStatus(task.id, 'INCREMENTAL', 90_000);
  });

  it('loses no row, and no task ever ran two workers or two walsenders on its slot', async () => {
    await watched.expectNothingLostNorRunTwice();
    for (const task of tasks) expect(mostWalsenders.get(task.slot), `walsenders on slot ${task.slot}`).toBe(1);
  });

  it('never writes the Redis or Sentinel password to a log', () => {
    for (const process of [plane.apiProcess, ...plane.schedulers]) {
      const log = readFileSync(join(testEnv.logDir, `${process.name}.log`), 'utf8');
      expect(log).not.toContain(redis.set.password);
      expect(log).not.toContain(redis.set.sentinelPassword);
    }
  });
});
