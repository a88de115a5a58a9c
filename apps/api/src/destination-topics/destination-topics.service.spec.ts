import { describe, expect, it } from 'vitest';
import { ProbeJob } from '@walbridge/queue';
import type { ProbeClient } from '../probe/probe-client.service';
import { fakeTaskStore, taskRow } from '../tasks/testing/task-store.fake';
import { DestinationTopicsService } from './destination-topics.service';

const view = { topics: [{ name: 'shop.orders', partitions: 3 }], truncated: false };

function fakeProbes(answer: unknown) {
  const asked: { name: string; payload: unknown }[] = [];
  const probes = { request: async (name: string, payload: unknown) => (asked.push({ name, payload }), answer) };
  return { probes: probes as unknown as ProbeClient, asked };
}

describe('DestinationTopicsService (the topic pick lists)', () => {
  it('returns the topics and partition counts the scheduler read from the task’s cluster', async () => {
    const { probes, asked } = fakeProbes({ ok: true, view });
    expect(await new DestinationTopicsService(fakeTaskStore([taskRow()]).tasks, probes).list('t1')).toEqual(view);
    expect(asked).toEqual([{ name: ProbeJob.ListTopics, payload: { taskId: 't1' } }]);
  });

  it('turns an unreachable cluster into 502 DESTINATION_UNAVAILABLE with the problem and what to do', async () => {
    const failure = { problem: 'unreachable', message: 'no Kafka broker is reachable', suggestion: 'check the broker addresses' };
    const { probes } = fakeProbes({ ok: false, failure });
    await expect(new DestinationTopicsService(fakeTaskStore([taskRow()]).tasks, probes).list('t1')).rejects.toMatchObject({
      kind: 'upstream',
      code: 'DESTINATION_UNAVAILABLE',
      extra: { problem: 'unreachable', suggestion: 'check the broker addresses' },
    });
  });

  it('answers 404 for a deleted task without asking a scheduler', async () => {
    const { probes, asked } = fakeProbes({ ok: true, view });
    await expect(new DestinationTopicsService(fakeTaskStore([taskRow({ status: 'DELETED' })]).tasks, probes).list('t1')).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect(asked).toEqual([]);
  });
});
