import { describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION } from '@walbridge/queue';
import type { WorkerToScheduler } from '@walbridge/queue';
import { supervision } from './testing/supervision.fake';

describe('WorkerLauncher: the read-only slot check of a task no worker streams', () => {
  it('runs an inspect worker without a lease, stores what it measured and tells the monitor', async () => {
    const s = supervision();
    const task = s.tasks.add('t1', { status: 'PAUSED' });
    const check = s.supervisor.inspectSlot(task);
    const worker = s.processes.last()!;
    expect(worker.mode).toBe('inspect');
    expect(worker.sent[0]).toMatchObject({ type: 'start', mode: 'inspect', config: { taskId: 't1' } });
    worker.report({ type: 'slot', slot: { exists: true, retainedWalBytes: 3_145_728, confirmedLsn: '0/10' } });
    worker.exit(0);
    await check;
    expect(s.tasks.get('t1')).toMatchObject({ slotExists: true, slotRetainedBytes: '3145728' });
    expect(s.tasks.get('t1').slotCheckedAt).toBeInstanceOf(Date);
    expect(s.monitor.slots).toEqual([{ exists: true, retainedWalBytes: 3_145_728, confirmedLsn: '0/10' }]);
    expect(s.lease.holders.size).toBe(0);
  });

  it('keeps nothing of a check the task moved away from meanwhile', async () => {
    const s = supervision();
    const task = { ...s.tasks.add('t1', { status: 'PAUSED' }) }; // as read by the housekeeping sweep
    const check = s.supervisor.inspectSlot(task);
    s.tasks.get('t1').status = 'STARTING';
    s.processes.last()!.report({ type: 'slot', slot: { exists: true, retainedWalBytes: 10, confirmedLsn: null } });
    s.processes.last()!.exit(0);
    await check;
    expect(s.tasks.get('t1')).toMatchObject({ status: 'STARTING', slotExists: null });
  });

  it('a check that measured nothing still records when it was tried', async () => {
    const s = supervision();
    const task = s.tasks.add('t1', { status: 'PAUSED' });
    const check = s.supervisor.inspectSlot(task);
    s.processes.last()!.report({ type: 'failed', kind: 'network', message: 'connect ECONNREFUSED' });
    s.processes.last()!.exit(1);
    await check;
    expect(s.tasks.get('t1').slotCheckedAt).toBeInstanceOf(Date);
    expect(s.monitor.slots).toEqual([]);
  });
});

describe('WorkerLauncher: a worker of another release', () => {
  it('stops a worker whose reports it cannot read: the start fails with the reason naming both versions, and is retried', async () => {
    const s = supervision();
    s.tasks.add('t1');
    await s.supervisor.ensureRunning('t1');
    const worker = s.processes.last()!;
    worker.report({ type: 'streaming', v: PROTOCOL_VERSION + 1 } as WorkerToScheduler);
    expect(worker.killed).toBe(true);
    await vi.waitFor(() => expect(s.tasks.get('t1').lastError).toContain(`carries protocol v${PROTOCOL_VERSION + 1}, newer than this scheduler understands`));
    expect(s.tasks.get('t1')).toMatchObject({ status: 'STARTING', failureKind: 'other' });
    await vi.waitFor(() => expect(s.processes.started).toHaveLength(2));
  });

  it("reads the reports of the previous release's worker (no version)", async () => {
    const s = supervision();
    s.tasks.add('t1');
    await s.supervisor.ensureRunning('t1');
    s.processes.last()!.report({ type: 'streaming' });
    await vi.waitFor(() => expect(s.tasks.get('t1').status).toBe('INCREMENTAL'));
    expect(s.processes.last()!.killed).toBe(false);
  });
});
