import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, SchedulerListView, SchedulerView, TaskView } from '@walbridge/contracts';
import { KafkaFixture, parentPid, spawnControlPlane, workerPid, type ControlPlane } from '@walbridge/testing';
import { backgroundWriter, createTask, expectEveryRowDelivered, sharedSource, stopAndForget, waitFor, type Fixture, type LifecycleTask } from './lifecycle-fixture';

/**
 * Issue 19 item 4 and the api half of item 2: GET /api/v1/schedulers shows the fleet as its
 * schedulers publish it, and POST /api/v1/schedulers/{id}/drain makes one hand its tasks to the
 * others without loss. Its own api and two schedulers (the runner's are never drained).
 */
describe('the fleet view and a drain requested through the api', () => {
  let plane: ControlPlane;
  let fx: Fixture;
  let task: LifecycleTask;
  let writer: ReturnType<typeof backgroundWriter>;

  const fleet = async () => {
    const res = await plane.api.request<SchedulerListView>('GET', '/api/v1/schedulers');
    expect(res.status).toBe(200);
    return res.body;
  };
  const ownerPid = () => {
    const pid = workerPid(task.id);
    return pid ? parentPid(pid) : null;
  };

  beforeAll(async () => {
    plane = await spawnControlPlane({ name: 'fleet', schedulers: 2, env: { WALBRIDGE_SCHEDULER_HEARTBEAT_MS: '1000' } });
    fx = { api: plane.api, kafka: new KafkaFixture(), source: sharedSource };
    task = await createTask(fx, { start: true });
    writer = backgroundWriter(fx.source, task.table);
  }, 240_000);

  afterAll(async () => {
    await writer?.stop().catch(() => undefined);
    if (plane) {
      if (task) await stopAndForget(fx, task.id).catch(() => undefined);
      await plane.cleanup();
    }
  });

  it('lists each scheduler with its host, version, heartbeat, load and capacity, and which one holds the task', async () => {
    const view = await waitFor('both schedulers in the fleet view, one holding the task', async () => {
      const v = await fleet();
      return v.items.length === 2 && v.items.some((s) => s.taskIds.includes(task.id)) ? v : undefined;
    }, 30_000, 200);
    expect(view.items.map((s) => s.pid).sort()).toEqual(plane.schedulers.map((s) => s.pid).sort());
    for (const s of view.items) {
      expect(s).toMatchObject({ host: expect.any(String), version: expect.any(String), draining: false });
      expect(s.capacity).toBeGreaterThan(0);
      expect(Date.now() - Date.parse(s.lastHeartbeatAt)).toBeLessThan(10_000);
      expect(Date.parse(s.startedAt)).toBeLessThanOrEqual(Date.parse(s.lastHeartbeatAt));
      expect(s.tasks).toBe(s.taskIds.length);
    }
    const holder = view.items.find((s) => s.taskIds.includes(task.id))!;
    expect(holder.pid).toBe(ownerPid());
    expect(view.waiting).toEqual([]);
    // The task view and the task list name the same scheduler; a task nobody runs names none.
    expect((await plane.api.task(task.id)).scheduler).toEqual({ id: holder.id, host: holder.host });
    const idle = await createTask(fx);
    const list = await plane.api.request<Page<TaskView>>('GET', '/api/v1/tasks?pageSize=100');
    expect(list.status).toBe(200);
    expect(list.body.items.find((t) => t.id === task.id)?.scheduler).toEqual({ id: holder.id, host: holder.host });
    expect(list.body.items.find((t) => t.id === idle.id)?.scheduler).toBeNull();
    await stopAndForget(fx, idle.id);
    // The same per scheduler in Prometheus.
    const scrape = await plane.api.request<string>('GET', '/metrics');
    const line = (name: string) => String(scrape.body).split('\n').find((l) => l.startsWith(name) && l.includes(`scheduler="${holder.id}"`));
    expect(line('walbridge_scheduler_tasks')).toMatch(new RegExp(` ${holder.tasks}$`));
    expect(line('walbridge_scheduler_capacity')).toMatch(new RegExp(` ${holder.capacity}$`));
    expect(line('walbridge_scheduler_draining')).toMatch(/ 0$/);
    expect(String(scrape.body)).toContain('walbridge_tasks_waiting_for_capacity 0');
  });

  it('drains the holder on request: the other scheduler streams the task, the drained one takes nothing, nothing is lost', async () => {
    const before = (await fleet()).items.find((s) => s.taskIds.includes(task.id))!;
    const unknown = await plane.api.request<{ code: string; message: string }>('POST', '/api/v1/schedulers/no-such-scheduler/drain');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('SCHEDULER_NOT_FOUND');

    const drained = await plane.api.request<SchedulerView>('POST', `/api/v1/schedulers/${encodeURIComponent(before.id)}/drain`);
    expect(drained.status).toBe(202);
    expect(drained.body).toMatchObject({ id: before.id, draining: true });
    const after = await waitFor('the task held by the other scheduler', async () => {
      const v = await fleet();
      const holder = v.items.find((s) => s.taskIds.includes(task.id));
      return holder && holder.id !== before.id ? v : undefined;
    }, 60_000, 200);
    expect(after.items.find((s) => s.id === before.id)).toMatchObject({ draining: true, tasks: 0, taskIds: [] });
    await waitFor('the task streaming under the other scheduler', async () => {
      const t = await plane.api.task(task.id);
      return t.status === 'INCREMENTAL' && ownerPid() !== before.pid && ownerPid() !== null ? t : undefined;
    }, 60_000, 200);
    // The task view follows the handover.
    const newHolder = after.items.find((s) => s.taskIds.includes(task.id))!;
    expect((await plane.api.task(task.id)).scheduler).toEqual({ id: newHolder.id, host: newHolder.host });
    await writer.stop();
    await expectEveryRowDelivered(task, writer.count());
  });
});
