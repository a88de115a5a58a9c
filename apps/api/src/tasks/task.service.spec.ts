import { describe, expect, it } from 'vitest';
import { DomainError } from '@walbridge/domain';
import type { NotificationChannelRepository, SecretsService } from '@walbridge/persistence';
import { TaskControlJob, PROTOCOL_VERSION } from '@walbridge/queue';
import type { PrecheckService } from '../precheck/precheck.service';
import { TaskCommand } from './task-command';
import type { TaskConnectionRefs } from './task-connection-refs';
import { TaskService } from './task.service';
import { fakeTaskStore, noFleet, taskRow } from './testing/task-store.fake';

/** A precheck that passed, or the 409 of one that did not. */
function fakePrechecks(blocked = false) {
  return {
    assertSubmittable: async () => {
      if (blocked) throw new DomainError('conflict', 'PRECHECK_REQUIRED', 'the task cannot be submitted: no precheck has been run');
    },
  } as unknown as PrecheckService;
}

function service(row = taskRow({ status: 'CONFIGURATION' }), blocked = false) {
  const store = fakeTaskStore([row]);
  const tasks = new TaskService(store.tasks, store.logs, {} as SecretsService, new TaskCommand(store.tasks, store.queue), fakePrechecks(blocked), {} as NotificationChannelRepository, noFleet, {} as TaskConnectionRefs);
  return { store, tasks };
}

describe('TaskService submit and stop', () => {
  it('starts a prechecked task now: STARTING and a start job without delay', async () => {
    const { store, tasks } = service();
    expect(await tasks.submit('t1', {})).toMatchObject({ status: 'STARTING', scheduledStartAt: null });
    expect(store.jobs).toEqual([{ name: TaskControlJob.StartTask, data: { taskId: 't1', requestedBy: 'system', v: PROTOCOL_VERSION }, opts: expect.not.objectContaining({ delay: expect.anything() }) }]);
    expect(store.logLines.map((l) => l.message)).toEqual(['start requested by system']);
  });

  it('schedules a later start: PENDING_START, the time on the task and a delayed job', async () => {
    const { store, tasks } = service();
    const startAt = new Date(Date.now() + 3_600_000).toISOString();
    expect(await tasks.submit('t1', { startAt })).toMatchObject({ status: 'PENDING_START', scheduledStartAt: startAt });
    const delay = store.jobs[0].opts.delay as number;
    expect(delay).toBeGreaterThan(3_500_000);
    expect(delay).toBeLessThanOrEqual(3_600_000);
    expect(store.logLines[0].message).toBe(`start scheduled at ${startAt} by system`);
  });

  it('refuses to start a configuration edited since it was read (the precheck vouched for the old one)', async () => {
    const { store, tasks } = service();
    store.state.interfere = (row) => {
      store.state.interfere = undefined;
      row.config = { ...row.config, name: 'edited' } as typeof row.config;
    };
    await expect(tasks.submit('t1', {})).rejects.toMatchObject({ kind: 'conflict', code: 'CONCURRENT_CHANGE' });
    expect(store.rows.get('t1')!.status).toBe('CONFIGURATION');
    expect(store.jobs).toEqual([]);
  });

  it('does not start a task whose precheck blocks it', async () => {
    const { store, tasks } = service(taskRow({ status: 'CONFIGURATION' }), true);
    await expect(tasks.submit('t1', {})).rejects.toMatchObject({ code: 'PRECHECK_REQUIRED' });
    expect(store.jobs).toEqual([]);
  });

  it('cancels a scheduled start: CANCELLED, the start time cleared, no job (nothing ran)', async () => {
    const { store, tasks } = service(taskRow({ status: 'PENDING_START', scheduledStartAt: new Date(Date.now() + 60_000) }));
    expect(await tasks.stop('t1', false)).toMatchObject({ status: 'CANCELLED', scheduledStartAt: null });
    expect(store.jobs).toEqual([]);
    expect(store.logLines[0].message).toBe('cancelled before it started: no slot was created and nothing was delivered');
  });

  it('force-stops a streaming task: STOPPING with the request recorded, a log line and a stop job that says force', async () => {
    const { store, tasks } = service(taskRow({ status: 'INCREMENTAL' }));
    expect(await tasks.stop('t1', true)).toMatchObject({ status: 'STOPPING', pendingOperation: 'forceStop' });
    expect(store.logLines.map((l) => l.message)).toEqual(['force stop requested by system']);
    expect(store.jobs.map((j) => [j.name, j.data])).toEqual([[TaskControlJob.StopTask, { taskId: 't1', requestedBy: 'system', force: true, v: PROTOCOL_VERSION }]]);
  });

  it('answers 404 for a deleted task', async () => {
    const { tasks } = service(taskRow({ status: 'DELETED' }));
    await expect(tasks.stop('t1', false)).rejects.toMatchObject({ kind: 'not-found', code: 'TASK_NOT_FOUND' });
  });
});
