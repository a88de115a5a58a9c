import { describe, expect, it, vi } from 'vitest';
import { FORCE_STOPPED_ERROR } from '@walbridge/contracts';
import { streamingTask, supervision } from './testing/supervision.fake';

describe('WorkerSupervisor on fake worker processes', () => {
  it('starts a stream with the configuration over IPC (never argv) and takes the lease', async () => {
    const s = supervision();
    s.tasks.add('t1');
    await s.supervisor.ensureRunning('t1');
    const worker = s.processes.last()!;
    expect(worker.mode).toBe('stream');
    await vi.waitFor(() => expect(worker.sent[0]).toMatchObject({ type: 'start', mode: 'stream', config: { taskId: 't1', slotName: 'wb_t1', source: { password: 'wbpw-fake' } } }));
    expect(s.lease.holders.get('t1')).toBe('me');
    expect(s.fleet.tasks).toEqual(['t1']);
  });

  it('stop drains with the slot dropped; a clean exit completes the task, logs why first, and lets the lease go', async () => {
    const s = supervision();
    const worker = await streamingTask(s);
    s.tasks.get('t1').status = 'STOPPING';
    await s.supervisor.stop('t1', false);
    expect(worker.sent.at(-1)).toEqual({ type: 'stop', dropSlot: true });
    worker.report({ type: 'stopped', slotDropped: true });
    worker.exit(0);
    await vi.waitFor(() => expect(s.tasks.get('t1').status).toBe('COMPLETED'));
    expect(s.tasks.get('t1')).toMatchObject({ slotExists: false, requestedOperation: null, failingSince: null });
    expect(s.logs.of('t1')).toContain('info: task stopped; replication slot wb_t1 and its publication dropped');
    expect(s.backfills.calls).toContain('stopped t1');
    expect(s.lease.holders.has('t1')).toBe(false);
    expect(s.ownership.has('t1')).toBe(false);
  });

  it('a stop whose worker dies before it confirmed the drop is STOP_FAILED with the way out', async () => {
    const s = supervision();
    const worker = await streamingTask(s);
    s.tasks.get('t1').status = 'STOPPING';
    await s.supervisor.stop('t1', false);
    worker.exit(1);
    await vi.waitFor(() => expect(s.tasks.get('t1').status).toBe('STOP_FAILED'));
    expect(s.logs.of('t1')).toContain('error: stop did not complete: replication slot wb_t1 may remain; stop again or use drop-slot');
  });

  it('force stop kills the worker at once and completes with the force-stop text', async () => {
    const s = supervision();
    const worker = await streamingTask(s);
    s.tasks.get('t1').status = 'STOPPING';
    s.tasks.get('t1').requestedOperation = 'forceStop';
    await s.supervisor.stop('t1', true);
    expect(worker.killed).toBe(true);
    await vi.waitFor(() => expect(s.tasks.get('t1').status).toBe('COMPLETED'));
    expect(s.tasks.get('t1').lastError).toBe(FORCE_STOPPED_ERROR);
    expect(s.logs.of('t1').some((l) => l.startsWith('warning: task force stopped; replication slot wb_t1 may remain'))).toBe(true);
  });

  it('pause drains and keeps the slot; a worker that did not drain in time still pauses, saying what is sent again', async () => {
    const s = supervision();
    const worker = await streamingTask(s, 't1', { confirmedLsn: '0/16B3748' });
    s.tasks.get('t1').status = 'PAUSING';
    await s.supervisor.pause('t1');
    expect(worker.sent.at(-1)).toEqual({ type: 'stop', dropSlot: false });
    worker.kill();
    await vi.waitFor(() => expect(s.tasks.get('t1').status).toBe('PAUSED'));
    expect(s.logs.of('t1').at(-1)).toBe(
      'warning: task paused at confirmed LSN 0/16B3748; replication slot wb_t1 kept: the source retains WAL from there until the task is resumed ' +
        '(the worker did not drain in time; unconfirmed changes will be sent again on resume)',
    );
  });

  it('a stop asked while the worker pauses: once it exited, a teardown worker drops the slot', async () => {
    const s = supervision();
    const worker = await streamingTask(s);
    s.tasks.get('t1').status = 'PAUSING';
    await s.supervisor.pause('t1');
    s.tasks.get('t1').status = 'STOPPING';
    await s.supervisor.stop('t1', false);
    expect(worker.sent.filter((m) => m.type === 'stop')).toEqual([{ type: 'stop', dropSlot: false }]);
    worker.report({ type: 'stopped', slotDropped: false });
    worker.exit(0);
    await vi.waitFor(() => expect(s.processes.last()!.mode).toBe('teardown'));
  });

  it('a crashed stream is retried after its backoff: INCREMENTAL_FAILED, the reason and the attempt logged, a new worker', async () => {
    const s = supervision();
    const worker = await streamingTask(s, 't1', { confirmedLsn: '0/10' });
    worker.report({ type: 'failed', kind: 'network', message: 'connect ECONNREFUSED 127.0.0.1:5432' });
    worker.exit(1);
    await vi.waitFor(() => expect(s.tasks.get('t1').status).toBe('INCREMENTAL_FAILED'));
    expect(s.tasks.get('t1')).toMatchObject({ lastError: 'connect ECONNREFUSED 127.0.0.1:5432', failureKind: 'network', retryExhaustedAt: null });
    expect(s.logs.of('t1').some((l) => /^warning: network failure: connect ECONNREFUSED 127\.0\.0\.1:5432; restarting in 0 s \(attempt 1, retrying until /.test(l))).toBe(true);
    expect(s.monitor.failures[0]).toMatchObject({ status: 'INCREMENTAL_FAILED', retrying: true, firstOfEpisode: true });
    await vi.waitFor(() => expect(s.processes.started).toHaveLength(2));
    expect(s.ownership.has('t1')).toBe(true);
  });

  it('a worker that dies without a word is an other failure naming how it ended', async () => {
    const s = supervision();
    s.tasks.add('t1');
    await s.supervisor.ensureRunning('t1');
    s.processes.last()!.exit(null, 'SIGSEGV');
    await vi.waitFor(() => expect(s.tasks.get('t1').lastError).toBe('worker process ended unexpectedly (signal SIGSEGV)'));
    // Never streamed: still STARTING while it is retried.
    expect(s.tasks.get('t1')).toMatchObject({ status: 'STARTING', failureKind: 'other' });
  });

  it('a data exception is not retried: the event is logged, retries are exhausted and the lease let go', async () => {
    const s = supervision();
    const worker = await streamingTask(s, 't1', { confirmedLsn: '0/10' });
    worker.report({ type: 'failed', kind: 'data', message: 'message too large', dataException: { table: 'public.t', messageId: '00000000016B3748-00000001' } });
    worker.exit(1);
    await vi.waitFor(() => expect(s.tasks.get('t1').retryExhaustedAt).not.toBeNull());
    expect(s.tasks.get('t1').status).toBe('INCREMENTAL_FAILED');
    expect(s.logs.of('t1')).toContain(
      'error: data exception: the change 00000000016B3748-00000001 of public.t could not be delivered; it was not skipped and nothing after it ' +
        'was confirmed: fix the cause, then resume the task to deliver it',
    );
    expect(s.logs.of('t1').at(-1)).toMatch(/^error: data failure: message too large; not retried \(it would fail the same way until the cause is fixed\): the task is INCREMENTAL_FAILED until resumed/);
    expect(s.monitor.failures[0]).toMatchObject({ retrying: false, dataException: true });
    expect(s.processes.started).toHaveLength(1);
    expect(s.lease.holders.has('t1')).toBe(false);
  });

  it('the failure episode ends once a restarted stream moves its confirmed LSN', async () => {
    const s = supervision();
    const first = await streamingTask(s, 't1', { confirmedLsn: '0/10' });
    first.exit(1);
    await vi.waitFor(() => expect(s.processes.started).toHaveLength(2));
    const second = s.processes.last()!;
    second.report({ type: 'streaming' });
    const progress = (confirmedLsn: string) => ({ confirmedLsn, delayMs: 0, startBacklogRead: true, rowsRead: 0, rowsWritten: 0, bytesRead: 0, bytesWritten: 0, inserts: 0, updates: 0, deletes: 0 });
    second.report({ type: 'progress', progress: progress('0/10') });
    await vi.waitFor(() => expect(s.tasks.get('t1').status).toBe('INCREMENTAL'));
    expect(s.tasks.get('t1').failingSince).not.toBeNull();
    second.report({ type: 'progress', progress: progress('0/20') });
    await vi.waitFor(() => expect(s.tasks.get('t1').failingSince).toBeNull());
    expect(s.logs.of('t1').at(-1)).toBe('info: recovered: streaming again after 1 failed attempt(s)');
  });

  it('reset kills the stream without draining, then a one-shot worker recreates the slot and the task is back in CONFIGURATION', async () => {
    const s = supervision();
    const stream = await streamingTask(s, 't1', { confirmedLsn: '0/10' });
    s.tasks.get('t1').requestedOperation = 'reset';
    await s.supervisor.reset('t1');
    expect(stream.killed).toBe(true);
    await vi.waitFor(() => expect(s.processes.last()!.mode).toBe('reset'));
    const reset = s.processes.last()!;
    reset.report({ type: 'stopped', slotDropped: false });
    reset.exit(0);
    await vi.waitFor(() => expect(s.tasks.get('t1').status).toBe('CONFIGURATION'));
    expect(s.tasks.get('t1')).toMatchObject({ requestedOperation: null, precheckRequired: true, slotExists: true, confirmedLsn: null });
    expect(s.logs.of('t1').at(-1)).toMatch(/^warning: task reset from INCREMENTAL: changes committed after 0\/10 and before the new slot was created are not delivered/);
    expect(s.backfills.calls).toContain('reset t1');
  });

  it('edited tables: the stream drains and a new one streams them; the request is cleared once it streams', async () => {
    const s = supervision();
    const first = await streamingTask(s);
    s.tasks.get('t1').requestedOperation = 'applyObjects';
    await s.supervisor.applyObjects('t1');
    expect(first.sent.at(-1)).toEqual({ type: 'stop', dropSlot: false });
    first.report({ type: 'stopped', slotDropped: false });
    first.exit(0);
    await vi.waitFor(() => expect(s.processes.started).toHaveLength(2));
    expect(s.tasks.get('t1').requestedOperation).toBe('applyObjects');
    s.processes.last()!.report({ type: 'streaming' });
    await vi.waitFor(() => expect(s.tasks.get('t1').requestedOperation).toBeNull());
  });

  it('a paused task whose tables were edited gets a one-shot publish worker; its failure is logged and left to the resume', async () => {
    const s = supervision();
    s.tasks.add('t1', { status: 'PAUSED', requestedOperation: 'applyObjects' });
    await s.supervisor.applyObjects('t1');
    const publish = s.processes.last()!;
    expect(publish.mode).toBe('publish');
    publish.report({ type: 'failed', kind: 'other', message: 'permission denied for table t' });
    publish.exit(1);
    await vi.waitFor(() => expect(s.tasks.get('t1').requestedOperation).toBeNull());
    expect(s.tasks.get('t1')).toMatchObject({ status: 'PAUSED', lastError: 'applying the edited tables failed: permission denied for table t' });
    expect(s.logs.of('t1').at(-1)).toBe('error: applying the edited tables failed: permission denied for table t; they are applied again when the task is resumed');
    await vi.waitFor(() => expect(s.ownership.has('t1')).toBe(false));
  });

  it('drop-slot of a failed stop runs a teardown worker; its success completes the stop', async () => {
    const s = supervision();
    s.tasks.add('t1', { status: 'STOP_FAILED', requestedOperation: 'dropSlot' });
    await s.supervisor.dropSlot('t1');
    const worker = s.processes.last()!;
    expect(worker.mode).toBe('teardown');
    worker.report({ type: 'stopped', slotDropped: true });
    worker.exit(0);
    await vi.waitFor(() => expect(s.tasks.get('t1').status).toBe('COMPLETED'));
    expect(s.logs.of('t1').at(-1)).toBe('info: replication slot wb_t1 and publication wb_t1_pub dropped');
  });

  it('SIGTERM drains streams without dropping slots and their exits are not failures', async () => {
    const s = supervision();
    const worker = await streamingTask(s);
    const shutdown = s.supervisor.onApplicationShutdown();
    expect(worker.sent.at(-1)).toEqual({ type: 'stop', dropSlot: false });
    worker.exit(0);
    await shutdown;
    expect(s.tasks.get('t1').status).toBe('INCREMENTAL');
    expect(s.lease.holders.has('t1')).toBe(false);
    expect(s.processes.started).toHaveLength(1);
  });
});
