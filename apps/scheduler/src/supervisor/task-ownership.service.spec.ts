import { describe, expect, it } from 'vitest';
import { supervision } from './testing/supervision.fake';

/** A task streaming since t0 (the lease's acquire), then Redis stops answering. */
async function streamingThenRedisGone() {
  const s = supervision();
  s.tasks.add('t1');
  const t0 = Date.now();
  s.ownership.now = () => t0;
  await s.supervisor.ensureRunning('t1');
  const worker = s.processes.last()!;
  s.lease.unreachable = true;
  return { s, t0, worker };
}

describe('TaskOwnership on a fake lease and fleet', () => {
  it('takes nothing that another scheduler holds', async () => {
    const s = supervision();
    s.tasks.add('t1');
    s.lease.holders.set('t1', 'other');
    await s.supervisor.ensureRunning('t1');
    expect(s.processes.started).toHaveLength(0);
    expect(s.ownership.has('t1')).toBe(false);
  });

  it('waits visibly where the placement says no scheduler has room, and logs it only once', async () => {
    const s = supervision();
    s.tasks.add('t1');
    s.fleet.placement = { take: false, reason: 'full', waitingForCapacity: true, newlyWaiting: true, waitText: 'waiting for scheduler capacity: …' };
    await s.supervisor.ensureRunning('t1');
    s.fleet.placement = { take: false, reason: 'full', waitingForCapacity: true, newlyWaiting: false, waitText: 'waiting for scheduler capacity: …' };
    await s.supervisor.ensureRunning('t1');
    expect(s.logs.of('t1')).toEqual(['warning: waiting for scheduler capacity: …']);
    expect(s.processes.started).toHaveLength(0);
  });

  it('never goes over its capacity when several tasks are released to it at once (a drain elsewhere)', async () => {
    const s = supervision();
    s.fleet.capacity = 2;
    for (const id of ['t1', 't2', 't3']) s.tasks.add(id);
    await Promise.all(['t1', 't2', 't3'].map((id) => s.supervisor.ensureRunning(id, { immediate: true })));
    expect(s.processes.started.map((w) => w.taskId)).toHaveLength(2);
    expect(s.fleet.tasks).toHaveLength(2);
  });

  it('a draining scheduler takes no new task, not even for a one-shot worker', async () => {
    const s = supervision();
    s.tasks.add('t1', { status: 'STOPPING' });
    s.fleet.draining = true;
    await s.supervisor.stop('t1', false);
    expect(s.processes.started).toHaveLength(0);
  });

  it('a lost lease kills the worker, and its exit changes nothing on the task (it is someone else\u2019s now)', async () => {
    const s = supervision();
    s.tasks.add('t1');
    await s.supervisor.ensureRunning('t1');
    const worker = s.processes.last()!;
    s.lease.holders.set('t1', 'other');
    const t0 = Date.now();
    s.ownership.now = () => t0 + 1500; // a renewal is due (every third of the 3 s TTL)
    await s.ownership.renewAll();
    expect(worker.killed).toBe(true);
    expect(s.ownership.has('t1')).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.tasks.get('t1')).toMatchObject({ status: 'STARTING', lastError: null });
    expect(s.processes.started).toHaveLength(1);
  });

  it('Redis not answering: renewals are retried while the lease is safe, and the worker is killed before the lease can expire', async () => {
    const { s, t0, worker } = await streamingThenRedisGone();
    for (const at of [1000, 1500, 2000]) {
      s.ownership.now = () => t0 + at;
      await s.ownership.renewAll();
      expect(worker.killed, `${at} ms after the acquire`).toBe(false);
    }
    expect(s.ownership.has('t1')).toBe(true);
    s.ownership.now = () => t0 + 2300; // three quarters of the TTL gone: another scheduler may take it soon
    await s.ownership.renewAll();
    expect(worker.killed).toBe(true);
    expect(s.ownership.has('t1')).toBe(false);
  });

  it('a renewal that succeeds after failed ones keeps the lease and starts the count again', async () => {
    const { s, t0, worker } = await streamingThenRedisGone();
    s.ownership.now = () => t0 + 2000;
    await s.ownership.renewAll();
    s.lease.unreachable = false; // the failover ended
    s.ownership.now = () => t0 + 2200;
    await s.ownership.renewAll();
    s.ownership.now = () => t0 + 4000;
    await s.ownership.renewAll();
    expect(worker.killed).toBe(false);
    expect(s.ownership.has('t1')).toBe(true);
  });
});
