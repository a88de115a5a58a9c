import { describe, expect, it } from 'vitest';
import { DomainError } from '@walbridge/domain';
import { TaskControlJob, PROTOCOL_VERSION } from '@walbridge/queue';
import { TaskCommand } from './task-command';
import { fakeTaskStore, noFleet, taskRow } from './testing/task-store.fake';
import { TaskOperationsService } from './task-operations.service';

function service(...rows: Parameters<typeof fakeTaskStore>[0]) {
  const store = fakeTaskStore(rows);
  return { store, operations: new TaskOperationsService(store.tasks, store.logs, new TaskCommand(store.tasks, store.queue), noFleet) };
}

describe('TaskOperationsService', () => {
  it('pauses a streaming task: PAUSING, one retried pause job for the scheduler, a log line naming who asked', async () => {
    const { store, operations } = service(taskRow());
    const view = await operations.pause('t1');
    expect(view).toMatchObject({ id: 't1', status: 'PAUSING', warnings: [] });
    expect(store.jobs).toEqual([
      {
        name: TaskControlJob.PauseTask,
        data: { taskId: 't1', requestedBy: 'system', v: PROTOCOL_VERSION },
        opts: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 1000 },
      },
    ]);
    expect(store.logLines).toEqual([{ taskId: 't1', level: 'info', message: 'pause requested by system' }]);
  });

  it('resumes a failing task with a fresh retry episode and says from which LSN it continues', async () => {
    const since = new Date('2026-12-03T11:00:00.000Z');
    const { store, operations } = service(taskRow({ status: 'INCREMENTAL_FAILED', failingSince: since, failureKind: 'network', retryUntil: since }));
    expect(await operations.resume('t1')).toMatchObject({ status: 'STARTING', failure: null });
    expect(store.rows.get('t1')).toMatchObject({ failingSince: null, failureKind: null, retryUntil: null, requestedOperation: null });
    expect(store.jobs.map((j) => j.name)).toEqual([TaskControlJob.StartTask]);
    expect(store.logLines[0].message).toBe('resume requested by system in INCREMENTAL_FAILED; streaming continues from confirmed LSN 0/16B3748');
  });

  it('answers 404 TASK_NOT_FOUND for an unknown or deleted task and enqueues nothing', async () => {
    const { store, operations } = service(taskRow({ id: 'gone', status: 'DELETED' }));
    for (const id of ['gone', 'nope']) {
      await expect(operations.pause(id)).rejects.toMatchObject({ kind: 'not-found', code: 'TASK_NOT_FOUND' });
    }
    expect(store.jobs).toEqual([]);
  });

  it('refuses an operation the status table does not allow, with the status and allowed operations', async () => {
    const { store, operations } = service(taskRow({ status: 'CONFIGURATION' }));
    const error = await operations.pause('t1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'conflict', code: 'OPERATION_NOT_ALLOWED' });
    expect(store.jobs).toEqual([]);
  });

  it('refuses a pause while a reset runs: only a stop may overtake it', async () => {
    const { operations } = service(taskRow({ requestedOperation: 'reset' }));
    await expect(operations.pause('t1')).rejects.toMatchObject({ code: 'OPERATION_IN_PROGRESS', extra: { status: 'INCREMENTAL', allowedOperations: ['stop', 'forceStop'] } });
  });

  it('answers 409 CONCURRENT_CHANGE when another operation moved the task to a status that still allows it', async () => {
    const { store, operations } = service(taskRow());
    store.state.interfere = (row) => {
      store.state.interfere = undefined;
      row.status = 'FULL_SYNC';
    };
    await expect(operations.pause('t1')).rejects.toMatchObject({ kind: 'conflict', code: 'CONCURRENT_CHANGE' });
    expect(store.jobs).toEqual([]);
    expect(store.logLines).toEqual([]);
  });

  it('answers the status table’s 409 when the concurrent change left the task where the operation is refused', async () => {
    const { store, operations } = service(taskRow());
    store.state.interfere = (row) => void (row.status = 'STOPPING');
    await expect(operations.pause('t1')).rejects.toMatchObject({ code: 'OPERATION_NOT_ALLOWED' });
  });

  it('deletes a task: credentials wiped, a warning with the SQL for the slot left on the source', async () => {
    const { store, operations } = service(taskRow({ status: 'COMPLETED' }));
    const view = await operations.delete('t1');
    expect(view.status).toBe('DELETED');
    expect(store.rows.get('t1')!.secrets).toBeNull();
    expect(view.warnings).toHaveLength(1);
    expect(view.warnings[0]).toContain('replication slot walbridge_t1 remains on the source');
    expect(store.jobs).toEqual([]);
  });
});
