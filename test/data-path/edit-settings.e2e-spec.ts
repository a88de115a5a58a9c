import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskLogPage, TaskView } from '@walbridge/contracts';
import { sharedKafka, waitFor } from '@walbridge/testing';
import { api, envelopeOf, onSource, startTask, stopTask, type RunningTask } from './task-fixture';

/**
 * Issue 15 feature 2, the API side: a running task's alarms, throttle and retry windows change
 * without a new task (editSettings). The streaming worker restarts to use them and the data
 * keeps flowing; a paused task keeps them for its resume; other fields stay CONFIGURATION-only.
 */
describe('editing the settings of a running task', () => {
  let run: RunningTask<'a', 'main'>;

  beforeAll(async () => {
    run = await startTask<'a', 'main'>({
      tables: { a: { ddl: (q) => `CREATE TABLE ${q} (id int PRIMARY KEY, v text)` } },
      topics: { main: 1 },
      policy: ({ tables, topics }) => ({ objectScope: 'tables', tables: [{ schema: 'shop', table: tables.a }], topicPolicy: { mode: 'specific', topic: topics.main } }),
    });
  });

  afterAll(async () => {
    if (run) await stopTask(run.task.id).catch(() => undefined);
  });

  const patch = (body: unknown) => api.request<TaskView & { message?: string }>('PATCH', `/api/v1/tasks/${run.task.id}`, body);
  const log = async () => (await api.request<TaskLogPage>('GET', `/api/v1/tasks/${run.task.id}/logs?limit=50`)).body.items.map((e) => e.message);
  const ids = async (count: number) => (await sharedKafka().readTopic(run.topics.main, count)).map(envelopeOf).map((e) => Number(e.data[0].id));

  it('takes throttle and alarms while INCREMENTAL: the worker restarts with them and changes keep flowing', async () => {
    await onSource(`INSERT INTO ${run.qualified.a} VALUES (1, 'before')`);
    expect(await ids(1)).toEqual([1]);
    const res = await patch({ throttle: { rowsPerSecond: 5000 }, alarms: { walRetentionLimitMb: 512, delayThresholdSeconds: 120 } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.pendingOperation).toBe('applyObjects');
    expect(res.body.throttle).toEqual({ rowsPerSecond: 5000 });
    expect(res.body.alarms).toMatchObject({ walRetentionLimitMb: 512, delayThresholdSeconds: 120 });
    await waitFor('the restart with the new settings', async () => {
      const t = await api.task(run.task.id);
      return t.pendingOperation === null && t.status === 'INCREMENTAL' ? t : undefined;
    }, 90_000, 300);
    expect(await log()).toContainEqual(expect.stringMatching(/^settings changed in INCREMENTAL: alarms\.delayThresholdSeconds, alarms\.walRetentionLimitMb, throttle\.rowsPerSecond; the worker restarts/));
    await onSource(`INSERT INTO ${run.qualified.a} VALUES (2, 'after')`);
    expect(await ids(2)).toEqual([1, 2]);
  });

  it('refuses a connection or topic change while running, naming the field', async () => {
    const res = await patch({ policy: { partitionPolicy: 'zero' }, throttle: { rowsPerSecond: 10 } });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/^policy\.partitionPolicy can change only while the task is in CONFIGURATION \(it is INCREMENTAL\)/);
    expect((await api.task(run.task.id)).throttle).toEqual({ rowsPerSecond: 5000 });
  });

  it('keeps a paused task\'s new retry windows for its resume, without a worker', async () => {
    expect((await api.operate(run.task.id, 'pause')).status).toBe(202);
    await api.waitForStatus(run.task.id, 'PAUSED', 60_000);
    const res = await patch({ retry: { connectionMinutes: 60, otherMinutes: 5 }, throttle: { rowsPerSecond: null } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.pendingOperation).toBeNull();
    expect(res.body.retry).toEqual({ connectionMinutes: 60, otherMinutes: 5 });
    expect(res.body.throttle).toEqual({});
    expect(await log()).toContainEqual(expect.stringMatching(/settings changed in PAUSED: .*; used from the next start$/));
    // The API's own rules still apply to a live edit.
    const bad = await api.request<{ details: { field: string }[] }>('PATCH', `/api/v1/tasks/${run.task.id}`, { retry: { otherMinutes: 90 } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.field)).toContain('retry.otherMinutes');
  });
});
