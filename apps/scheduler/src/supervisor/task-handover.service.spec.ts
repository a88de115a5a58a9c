import { describe, expect, it, vi } from 'vitest';
import { streamingTask, supervision } from './testing/supervision.fake';

describe('TaskHandover', () => {
  it('a stream drains, the lease is released the moment it exits and the fleet is told', async () => {
    const s = supervision();
    const worker = await streamingTask(s);
    expect(s.handover.candidate()).toBe('t1');
    await s.handover.handOver('t1');
    expect(worker.sent.at(-1)).toEqual({ type: 'stop', dropSlot: false });
    worker.exit(0);
    await vi.waitFor(() => expect(s.fleet.released).toEqual(['t1']));
    expect(s.lease.holders.has('t1')).toBe(false);
    expect(s.tasks.get('t1').status).toBe('INCREMENTAL');
  });

  it('a task waiting for its restart is released at once', async () => {
    const s = supervision({ WALBRIDGE_WORKER_RESTART_MIN_MS: 60_000, WALBRIDGE_WORKER_RESTART_MAX_MS: 60_000 });
    s.tasks.add('t1');
    await s.supervisor.ensureRunning('t1');
    s.processes.last()!.exit(1);
    await vi.waitFor(() => expect(s.restarts.pending('t1')).toBe(true));
    await s.handover.handOverAll(1000);
    expect(s.fleet.released).toEqual(['t1']);
    expect(s.restarts.pending('t1')).toBe(false);
  });
});
