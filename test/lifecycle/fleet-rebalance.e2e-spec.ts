import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerListView, TaskLogEntry } from '@walbridge/contracts';
import { KafkaFixture, spawnControlPlane, type ControlPlane, type ManagedProcess } from '@walbridge/testing';
import { sharedSource, sleep, startWatchedTasks, waitFor, type Fixture, type LifecycleTask, type WatchedTasks } from './lifecycle-fixture';

const TASKS = 4;

/**
 * Issue 19 item 3, rebalance after a join: one scheduler runs four streaming tasks; a second one
 * joins and the first hands tasks over, one at a time and each by a graceful handover, until
 * the spread is even (2 and 2). Nothing is lost and no task ever has two workers. Its own api
 * and schedulers (the runner's never take part).
 */
describe('rebalance when a scheduler joins the fleet', () => {
  let plane: ControlPlane;
  let fx: Fixture;
  let first: ManagedProcess;
  let watched: WatchedTasks;
  let tasks: LifecycleTask[] = [];
  let sampler: NodeJS.Timeout | undefined;
  /** The fewest tasks held across the fleet in any sample after the join: one handover at a time leaves at most one unheld. */
  let fewestHeld = Number.POSITIVE_INFINITY;
  let joined = false;

  const fleet = async () => (await plane.api.request<SchedulerListView>('GET', '/api/v1/schedulers')).body;
  const schedulerPidOf = (taskId: string) => watched.schedulerPidOf(taskId);

  beforeAll(async () => {
    plane = await spawnControlPlane({ name: 'rebal', schedulers: 1, env: { WALBRIDGE_SCHEDULER_HEARTBEAT_MS: '1000' } });
    first = plane.schedulers[0];
    fx = { api: plane.api, kafka: new KafkaFixture(), source: sharedSource };
    watched = await startWatchedTasks(fx, TASKS);
    tasks = watched.tasks;
    sampler = setInterval(() => {
      if (!joined) return;
      void fleet()
        .then((v) => {
          if (v.items.length === 2) fewestHeld = Math.min(fewestHeld, v.items.reduce((n, s) => n + s.tasks, 0));
        })
        .catch(() => undefined);
    }, 200);
  }, 400_000);

  afterAll(async () => {
    if (sampler) clearInterval(sampler);
    // The plane's api stops the tasks, so it goes last.
    await watched?.stopAll();
    await plane?.cleanup();
  }, 300_000);

  it('a newcomer gets half of the tasks, one handover at a time, and the spread then stays even', async () => {
    await waitFor('every task streaming under the first scheduler', async () => (tasks.every((t) => schedulerPidOf(t.id) === first.pid) ? true : undefined), 60_000, 250);
    const newcomer = await plane.startScheduler();
    joined = true;
    const even = await waitFor(
      'two tasks on each scheduler',
      async () => {
        const v = await fleet();
        return v.items.length === 2 && v.items.every((s) => s.tasks === TASKS / 2) ? v : undefined;
      },
      180_000,
      250,
    );
    const moved = even.items.find((s) => s.pid === newcomer.pid)!.taskIds;
    expect(moved).toHaveLength(TASKS / 2);
    await waitFor('the moved tasks streaming under the newcomer', async () => (moved.every((id) => schedulerPidOf(id) === newcomer.pid) ? true : undefined), 90_000, 250);
    for (const task of tasks.filter((t) => !moved.includes(t.id))) expect(schedulerPidOf(task.id)).toBe(first.pid);

    // Each moved task says why in its log; the others were left alone.
    for (const task of tasks) {
      const logs = await plane.api.request<{ items: TaskLogEntry[] }>('GET', `/api/v1/tasks/${task.id}/logs?limit=100`);
      const said = logs.body.items.some((l) => l.message.startsWith('rebalance: scheduler'));
      expect(said, `rebalance line in the log of task ${task.id}`).toBe(moved.includes(task.id));
    }
    expect(fewestHeld, 'at most one task between two schedulers at any time').toBeGreaterThanOrEqual(TASKS - 1);

    // No ping-pong: several heartbeats later the same spread.
    await sleep(6000);
    const later = await fleet();
    expect(later.items.find((s) => s.pid === newcomer.pid)?.taskIds.sort()).toEqual([...moved].sort());
  });

  it('loses no row on any task and never ran two workers of one task', async () => {
    await watched.expectNothingLostNorRunTwice();
  });
});
