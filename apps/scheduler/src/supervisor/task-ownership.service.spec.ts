import { describe, expect, it } from 'vitest';
import { supervision } from './testing/supervision.fake';

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
    await s.ownership.renewAll();
    expect(worker.killed).toBe(true);
    expect(s.ownership.has('t1')).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.tasks.get('t1')).toMatchObject({ status: 'STARTING', lastError: null });
    expect(s.processes.started).toHaveLength(1);
  });
});
