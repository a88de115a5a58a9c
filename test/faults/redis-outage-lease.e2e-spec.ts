import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaFixture, spawnControlPlane, spawnRedis, testEnv, waitFor, workerPids, type ControlPlane, type DedicatedRedis } from '@walbridge/testing';
import { sharedSource, startWatchedTasks, type Fixture, type LifecycleTask, type WatchedTasks } from '../lifecycle/lifecycle-fixture';

const LEASE_TTL_MS = 6000;

/**
 * A scheduler that cannot renew its lease for most of the TTL kills its worker before the lease
 * can expire (another scheduler could then take the task: it would run twice), and takes the
 * task again once Redis answers. A Redis of its own that it stops for longer than the TTL.
 */
describe('a lease that cannot be renewed', () => {
  let redis: DedicatedRedis;
  let plane: ControlPlane;
  let fx: Fixture;
  let watched: WatchedTasks;
  let task: LifecycleTask;

  beforeAll(async () => {
    redis = await spawnRedis();
    plane = await spawnControlPlane({ name: 'lease', redisUrl: redis.url, env: { WALBRIDGE_LEASE_TTL_MS: String(LEASE_TTL_MS) } });
    fx = { api: plane.api, kafka: new KafkaFixture(), source: sharedSource };
    watched = await startWatchedTasks(fx, 1);
    [task] = watched.tasks;
  }, 240_000);

  afterAll(async () => {
    await redis?.start().catch(() => undefined);
    await watched?.stopAll();
    await plane?.cleanup();
    await redis?.cleanup();
  }, 240_000);

  it('Redis gone for longer than the lease: the worker is killed, and the task streams again, with no row lost, once Redis is back', async () => {
    await waitFor('rows to stream', async () => ((await fx.kafka.topicMessageCount(task.topic)) >= 100 ? true : undefined), 60_000);
    const before = workerPids(task.id);
    expect(before).toHaveLength(1);
    await redis.stop();
    const t0 = Date.now();
    await waitFor('the worker to be killed', async () => (workerPids(task.id).length === 0 ? true : undefined), 60_000, 200);
    console.log(`worker killed ${((Date.now() - t0) / 1000).toFixed(1)} s after Redis stopped (lease TTL ${LEASE_TTL_MS / 1000} s)`);
    const log = readFileSync(join(testEnv.logDir, `${plane.schedulers[0].name}.log`), 'utf8');
    expect(log).toMatch(new RegExp(`could not renew the lease of task ${task.id} for [\\d.]+ s \\(Redis does not answer\\); killing its worker before the lease expires`));

    await redis.start();
    await waitFor('a new worker streaming the task', async () => {
      const pids = workerPids(task.id);
      const t = await plane.api.task(task.id);
      return pids.length === 1 && pids[0] !== before[0] && t.status === 'INCREMENTAL' ? true : undefined;
    }, 120_000, 500);
    await watched.expectNothingLostNorRunTwice();
  });
});
