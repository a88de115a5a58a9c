import { describe, expect, it, vi } from 'vitest';
import { supervision } from './testing/supervision.fake';

/** One INCREMENTAL task whose worker the reconciler forked and which says it streams. */
async function streamingTask() {
  const s = supervision();
  s.tasks.add('t1', { status: 'INCREMENTAL' });
  await s.reconciler.reconcile();
  const worker = s.processes.last()!;
  worker.report({ type: 'streaming' });
  await vi.waitFor(() => expect(s.workers.get('t1')?.streaming).toBe(true));
  return { s, worker };
}

describe('Reconciler: converges on what the metadata database says', () => {
  it('gives each task what it wants: a stream, a teardown for a stop nobody runs, a due scheduled start', async () => {
    const s = supervision();
    s.tasks.add('running', { status: 'INCREMENTAL' });
    s.tasks.add('stopping', { status: 'STOPPING' });
    s.tasks.add('due', { status: 'PENDING_START', scheduledStartAt: new Date(Date.now() - 1000) });
    s.tasks.add('later', { status: 'PENDING_START', scheduledStartAt: new Date(Date.now() + 3_600_000) });
    s.tasks.add('paused', { status: 'PAUSED' });
    await s.reconciler.reconcile();
    expect(s.processes.started.map((p) => `${p.taskId}:${p.mode}`).sort()).toEqual(['due:stream', 'running:stream', 'stopping:teardown']);
    expect(s.tasks.get('due').status).toBe('STARTING');
    expect(s.logs.of('due')).toEqual(['info: scheduled start time reached']);
    expect(s.tasks.get('later').status).toBe('PENDING_START');
  });

  it('a second pass forks nothing more for tasks that already have their worker', async () => {
    const s = supervision();
    s.tasks.add('t1', { status: 'INCREMENTAL' });
    await s.reconciler.reconcile();
    await s.reconciler.reconcile();
    expect(s.processes.started).toHaveLength(1);
  });

  it('a failed task that gave up is left alone until resumed', async () => {
    const s = supervision();
    s.tasks.add('t1', { status: 'INCREMENTAL_FAILED', retryExhaustedAt: new Date() });
    await s.reconciler.reconcile();
    expect(s.processes.started).toHaveLength(0);
  });

  it('hands backfills requested through the API to the streaming worker, once', async () => {
    const { s, worker } = await streamingTask();
    s.backfills.open.push({ id: 'b1' });
    await s.reconciler.reconcile();
    await s.reconciler.reconcile();
    expect(worker.sent.filter((m) => m.type === 'backfill')).toEqual([{ type: 'backfill', backfill: { id: 'b1' } }]);
  });

  it('never hands the backfill of tables added by an edit to the worker the edit replaces, even when the edit lands during the pass', async () => {
    const { s, worker } = await streamingTask();
    // The pass has read the task (no operation under way); then the API edits the tables and
    // writes the backfill of the added one, in that order, before the pass asks for backfills.
    const changesFor = s.backfills.changesFor.bind(s.backfills);
    s.backfills.changesFor = async (taskId, known) => {
      await s.tasks.update('t1', { requestedOperation: 'applyObjects' });
      s.backfills.open.push({ id: 'added' });
      return changesFor(taskId, known);
    };
    await s.reconciler.reconcile();
    expect(worker.sent.filter((m) => m.type === 'backfill')).toEqual([]);
  });
});
