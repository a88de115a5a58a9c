import { describe, expect, it } from 'vitest';
import { ProbeJob } from '@walbridge/queue';
import type { ProbeClient } from '../probe/probe-client.service';
import { fakeTaskStore, taskRow } from '../tasks/testing/task-store.fake';
import { SourceObjectsService } from './source-objects.service';

const objects = { schemas: [{ name: 'public', tables: [{ name: 'orders' }] }] };

/** A scheduler answering the probe with `answer`, after `during` ran (e.g. a concurrent delete). */
function fakeProbes(answer: unknown, during: () => void = () => undefined) {
  const asked: { name: string; payload: unknown }[] = [];
  const probes = {
    request: async (name: string, payload: unknown) => {
      asked.push({ name, payload });
      during();
      return answer;
    },
  };
  return { probes: probes as unknown as ProbeClient, asked };
}

describe('SourceObjectsService (a probe about one live task)', () => {
  it('returns the tree the scheduler read from the task’s source', async () => {
    const store = fakeTaskStore([taskRow()]);
    const { probes, asked } = fakeProbes({ ok: true, objects });
    expect(await new SourceObjectsService(store.tasks, probes).list('t1')).toEqual(objects);
    expect(asked).toEqual([{ name: ProbeJob.ListSourceObjects, payload: { taskId: 't1' } }]);
  });

  it('turns an unreachable source into 502 SOURCE_UNAVAILABLE with the problem and what to do', async () => {
    const store = fakeTaskStore([taskRow()]);
    const failure = { problem: 'auth', message: 'password authentication failed for user "cdc"', suggestion: 'check the source password' };
    const { probes } = fakeProbes({ ok: false, failure });
    await expect(new SourceObjectsService(store.tasks, probes).list('t1')).rejects.toMatchObject({
      kind: 'upstream',
      code: 'SOURCE_UNAVAILABLE',
      message: failure.message,
      extra: { problem: 'auth', suggestion: 'check the source password' },
    });
  });

  it('answers 404 for a deleted task without asking a scheduler', async () => {
    const store = fakeTaskStore([taskRow({ status: 'DELETED' })]);
    const { probes, asked } = fakeProbes({ ok: true, objects });
    await expect(new SourceObjectsService(store.tasks, probes).list('t1')).rejects.toMatchObject({ kind: 'not-found', code: 'TASK_NOT_FOUND' });
    expect(asked).toEqual([]);
  });

  it('answers 404 when the task is deleted before the scheduler reads it (it answers null)', async () => {
    const store = fakeTaskStore([taskRow()]);
    const { probes } = fakeProbes(null, () => void (store.rows.get('t1')!.status = 'DELETED'));
    await expect(new SourceObjectsService(store.tasks, probes).list('t1')).rejects.toMatchObject({ kind: 'not-found', code: 'TASK_NOT_FOUND' });
  });
});
