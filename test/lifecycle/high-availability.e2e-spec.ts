import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaFixture, parentPid, spawnControlPlane, workerPid, workerPids, type ControlPlane, type ManagedProcess } from '@walbridge/testing';
import {
  backgroundWriter,
  createTask,
  expectEveryRowDelivered,
  readAllRows,
  sharedSource,
  sleep,
  slotOnSource,
  stopAndForget,
  waitFor,
  type Fixture,
  type LifecycleTask,
} from './lifecycle-fixture';

/**
 * PRODUCT.md §1 and §4: several schedulers on one Redis, each running task owned by exactly one
 * of them through a lease. This file runs its own api and schedulers (a metadata database and a
 * queue prefix of their own, on the shared PostgreSQL, Redis and Kafka) so that it may kill and
 * restart them; the runner's scheduler never sees these tasks. Default lease settings.
 */
describe('high availability of the control plane', () => {
  let plane: ControlPlane;
  let fx: Fixture;
  let task: LifecycleTask;
  let writer: ReturnType<typeof backgroundWriter>;
  let sampler: NodeJS.Timeout;
  let mostWorkersSeen = 0;

  const live = () => plane.schedulers.filter((s) => s.alive());
  const owner = (): ManagedProcess | undefined => {
    const pid = workerPid(task.id);
    const parent = pid ? parentPid(pid) : null;
    return plane.schedulers.find((s) => s.pid === parent && s.alive());
  };
  const streamingUnder = (scheduler: ManagedProcess) =>
    waitFor(
      `task to stream under scheduler pid ${scheduler.pid}`,
      async () => {
        const t = await plane.api.task(task.id);
        return t.status === 'INCREMENTAL' && owner() === scheduler ? t : undefined;
      },
      60_000,
      200,
    );
  /** Waits until Kafka holds every row written so far. */
  const caughtUp = () => readAllRows(fx, task.topic, writer.count(), 120_000);

  beforeAll(async () => {
    plane = await spawnControlPlane({ name: 'ha', schedulers: 2 });
    fx = { api: plane.api, kafka: new KafkaFixture(), source: sharedSource };
    task = await createTask(fx, { start: true });
    writer = backgroundWriter(fx.source, task.table);
    sampler = setInterval(() => {
      mostWorkersSeen = Math.max(mostWorkersSeen, workerPids(task.id).length);
    }, 100);
  }, 240_000);

  afterAll(async () => {
    clearInterval(sampler);
    await writer?.stop().catch(() => undefined);
    if (plane) {
      if (!live().length) await plane.startScheduler().catch(() => undefined);
      if (task) await stopAndForget(fx, task.id);
      await plane.cleanup();
    }
  });

  it('SIGTERM stops the worker cleanly and keeps the task; a restarted scheduler resumes it without resending anything', async () => {
    await waitFor('some rows to stream', async () => ((await fx.kafka.topicMessageCount(task.topic)) >= 200 ? true : undefined), 60_000);
    const first = owner();
    expect(first, 'one of our schedulers runs the worker').toBeDefined();
    const other = live().find((s) => s !== first)!;
    await other.kill('SIGTERM');
    const t0 = Date.now();
    await first!.kill('SIGTERM');
    expect(Date.now() - t0, 'the drain took seconds, not the kill timeout').toBeLessThan(15_000);
    expect(workerPid(task.id), 'the worker ended with its scheduler').toBeNull();
    const slot = await slotOnSource(fx.source, task.slot);
    expect(slot).toMatchObject({ active: false });
    const stopped = await plane.api.task(task.id);
    expect(stopped).toMatchObject({ status: 'INCREMENTAL', lastError: null });

    await sleep(1000); // rows keep coming while no scheduler runs
    const restarted = await plane.startScheduler();
    await streamingUnder(restarted);
    const report = await caughtUp();
    expect(report.missing).toEqual([]);
    expect(report.duplicates, 'a clean stop confirmed everything it had delivered').toBe(0);
    await plane.startScheduler(); // two schedulers again
  });

  it('restarting the api does not disturb streaming', async () => {
    const pid = workerPid(task.id);
    const before = await fx.kafka.topicMessageCount(task.topic);
    const restartedApi = plane.restartApi();
    await sleep(500);
    // While the api is down, rows keep flowing to Kafka.
    await waitFor('rows to reach Kafka during the api restart', async () => ((await fx.kafka.topicMessageCount(task.topic)) > before ? true : undefined), 30_000);
    await restartedApi;
    expect(workerPid(task.id), 'the same worker').toBe(pid);
    const t = await plane.api.task(task.id);
    expect(t).toMatchObject({ status: 'INCREMENTAL', lastError: null });
    const report = await caughtUp();
    expect(report.missing).toEqual([]);
    expect(report.duplicates).toBe(0);
  });

  it('SIGKILL of the scheduler owning the task: the other one takes it over within 30 s', async () => {
    const victim = owner()!;
    const survivor = live().find((s) => s !== victim)!;
    expect(victim).toBeDefined();
    expect(survivor).toBeDefined();
    const t0 = Date.now();
    await victim.kill('SIGKILL');
    await streamingUnder(survivor);
    const takeoverMs = Date.now() - t0;
    console.log(`takeover after SIGKILL of the owning scheduler: ${(takeoverMs / 1000).toFixed(1)} s`);
    expect(takeoverMs).toBeLessThan(30_000);
    const rowsAtTakeover = writer.count();
    await waitFor('rows written after the takeover to arrive', async () => ((await fx.kafka.topicMessageCount(task.topic)) >= rowsAtTakeover ? true : undefined), 60_000);
  });

  it('a restarted scheduler re-adopts nothing that another one runs: never a second worker', async () => {
    const running = owner()!;
    const pid = workerPid(task.id);
    await plane.startScheduler();
    await sleep(8000); // four reconcile passes of the newcomer
    expect(workerPids(task.id)).toEqual([pid]);
    expect(owner()).toBe(running);
  });

  it('loses no row through all of it, and never ran two workers on the slot', async () => {
    const rows = await writer.stop();
    const report = await expectEveryRowDelivered(task, rows);
    console.log(`${rows} rows, ${report.duplicates} duplicates (same ids) after the scheduler crash`);
    expect(mostWorkersSeen).toBe(1);
  });

  it('a scheduled start survives the death of every scheduler', async () => {
    const scheduled = await createTask(fx);
    const startAt = new Date(Date.now() + 8000);
    await plane.api.passPrecheck(scheduled.id);
    const res = await plane.api.operate(scheduled.id, 'submit', { startAt: startAt.toISOString() });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('PENDING_START');
    await Promise.all(live().map((s) => s.kill('SIGKILL')));
    await sleep(Math.max(0, startAt.getTime() - Date.now()) + 2000);
    expect((await plane.api.task(scheduled.id)).status, 'nobody to start it yet').toBe('PENDING_START');
    expect(workerPid(scheduled.id)).toBeNull();
    await plane.startScheduler();
    const started = await plane.api.waitForStatus(scheduled.id, 'INCREMENTAL', 90_000);
    expect(started.scheduledStartAt).toBeNull();
    await stopAndForget(fx, scheduled.id);
  });
});
