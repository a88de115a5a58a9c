import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerListView, TaskLogEntry } from '@walbridge/contracts';
import { KafkaFixture, spawnControlPlane, type ControlPlane } from '@walbridge/testing';
import { createTask, expectEveryRowDelivered, insertRows, sharedSource, stopAndForget, submitAndStream, waitFor, type Fixture, type LifecycleTask } from './lifecycle-fixture';

/**
 * Issue 19 item 1 on the real stack: three schedulers of one task each (WALBRIDGE_SCHEDULER_MAX_TASKS=1)
 * take three tasks one apiece; a fourth waits in a visible state with the reason, and starts as
 * soon as a task stops and makes room. Its own api and schedulers.
 */
describe('scheduler capacity across a fleet', () => {
  let plane: ControlPlane;
  let fx: Fixture;
  const tasks: LifecycleTask[] = [];

  const fleet = async () => (await plane.api.request<SchedulerListView>('GET', '/api/v1/schedulers')).body;

  beforeAll(async () => {
    plane = await spawnControlPlane({ name: 'cap', schedulers: 3, env: { WALBRIDGE_SCHEDULER_MAX_TASKS: '1', WALBRIDGE_SCHEDULER_HEARTBEAT_MS: '1000' } });
    fx = { api: plane.api, kafka: new KafkaFixture(), source: sharedSource };
    await waitFor('three schedulers in the fleet', async () => ((await fleet()).items.length === 3 ? true : undefined), 30_000, 200);
  }, 240_000);

  afterAll(async () => {
    if (plane) {
      for (const t of tasks) await stopAndForget(fx, t.id).catch(() => undefined);
      await plane.cleanup();
    }
  });

  it('spreads three tasks one per scheduler, makes a fourth wait with the reason, and starts it when room appears', async () => {
    for (let i = 0; i < 3; i++) {
      const task = await createTask(fx);
      tasks.push(task);
      await submitAndStream(task, 120_000);
    }
    const spread = await waitFor('one task on each scheduler', async () => {
      const v = await fleet();
      return v.items.every((s) => s.tasks === 1) ? v : undefined;
    }, 30_000, 200);
    expect(spread.items.map((s) => s.capacity)).toEqual([1, 1, 1]);

    const fourth = await createTask(fx);
    tasks.push(fourth);
    await plane.api.passPrecheck(fourth.id);
    expect((await plane.api.operate(fourth.id, 'submit')).status).toBe(202);
    const waiting = await waitFor('the fourth task waiting for capacity', async () => (await fleet()).waiting.find((w) => w.taskId === fourth.id), 60_000, 250);
    expect(waiting.reason).toMatch(/^waiting for scheduler capacity: 3 scheduler\(s\) run 3 of 3 task\(s\) they may take; the task starts as soon as one has room/);
    expect((await plane.api.task(fourth.id)).status).toBe('STARTING');
    const logs = await plane.api.request<{ items: TaskLogEntry[] }>('GET', `/api/v1/tasks/${fourth.id}/logs?limit=50`);
    expect(logs.body.items.map((l) => l.message).join('\n')).toContain('waiting for scheduler capacity');
    expect((await fleet()).items.every((s) => s.tasks <= s.capacity)).toBe(true);

    // Room appears: the first task stops, and the waiting one streams.
    await stopAndForget(fx, tasks[0].id);
    await plane.api.waitForStatus(fourth.id, 'INCREMENTAL', 90_000);
    await waitFor('the waiting list empty', async () => ((await fleet()).waiting.length === 0 ? true : undefined), 30_000, 250);
    await insertRows(fx.source, fourth.table, 1, 200);
    await expectEveryRowDelivered(fourth, 200);
  });
});
