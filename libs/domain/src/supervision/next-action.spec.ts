import { describe, expect, it } from 'vitest';
import type { LifecycleStatus } from '../task-lifecycle';
import { isRunnable, taskWants, workerRequest, type RequestedOperationName, type SupervisedTask, type TaskWant, type WorkerOperation, type WorkerRequest } from './next-action';
import type { WorkerIntent, WorkerState } from './worker-intent';

const task = (status: LifecycleStatus, requestedOperation: RequestedOperationName | null = null, exhausted = false): SupervisedTask => ({
  status,
  requestedOperation,
  retryExhaustedAt: exhausted ? new Date(0) : null,
});

describe('taskWants: status × requested operation → what the supervisor does now', () => {
  const cases: [string, SupervisedTask | null, TaskWant][] = [
    ['a task that is gone', null, { action: 'nothing' }],
    ['STOPPING', task('STOPPING'), { action: 'stop', force: false }],
    ['STOPPING by force', task('STOPPING', 'forceStop'), { action: 'stop', force: true }],
    ['STOPPING wins over a reset asked before', task('STOPPING', 'reset'), { action: 'stop', force: false }],
    ['PAUSING', task('PAUSING'), { action: 'pause' }],
    ['PAUSING wins over edited tables', task('PAUSING', 'applyObjects'), { action: 'pause' }],
    ['reset of a paused task', task('PAUSED', 'reset'), { action: 'reset' }],
    ['reset of a streaming task', task('INCREMENTAL', 'reset'), { action: 'reset' }],
    ['drop-slot of a stopped task', task('COMPLETED', 'dropSlot'), { action: 'dropSlot' }],
    ['edited tables of a streaming task', task('INCREMENTAL', 'applyObjects'), { action: 'applyObjects' }],
    ['edited tables of a paused task', task('PAUSED', 'applyObjects'), { action: 'applyObjects' }],
    ['a scheduled start', task('PENDING_START'), { action: 'startScheduled' }],
    ['STARTING', task('STARTING'), { action: 'stream' }],
    ['FULL_SYNC', task('FULL_SYNC'), { action: 'stream' }],
    ['INCREMENTAL', task('INCREMENTAL'), { action: 'stream' }],
    ['INCREMENTAL_FAILED still retrying', task('INCREMENTAL_FAILED'), { action: 'stream' }],
    ['INCREMENTAL_FAILED that gave up', task('INCREMENTAL_FAILED', null, true), { action: 'nothing' }],
    ['START_FAILED', task('START_FAILED'), { action: 'nothing' }],
    ['PAUSED', task('PAUSED'), { action: 'nothing' }],
    ['COMPLETED', task('COMPLETED'), { action: 'nothing' }],
    ['CONFIGURATION', task('CONFIGURATION'), { action: 'nothing' }],
    ['STOP_FAILED', task('STOP_FAILED'), { action: 'nothing' }],
  ];
  it.each(cases)('%s', (_name, input, expected) => expect(taskWants(input)).toEqual(expected));

  it('streams only what has nothing else to do', () => {
    expect(isRunnable(task('INCREMENTAL'))).toBe(true);
    expect(isRunnable(task('INCREMENTAL', 'applyObjects'))).toBe(false);
    expect(isRunnable(task('INCREMENTAL_FAILED', null, true))).toBe(false);
    expect(isRunnable(task('PAUSED'))).toBe(false);
  });
});

describe('workerRequest: operation × worker → what the worker is told', () => {
  const w = (mode: WorkerState['mode'], intent: WorkerIntent): WorkerState => ({ mode, intent });
  const stream = w('stream', 'stream');
  const drain = (intent: WorkerIntent, dropSlot = false): WorkerRequest => ({ kind: 'drain', intent, dropSlot, killAfterTimeout: true });
  const cases: [WorkerOperation, WorkerState, WorkerRequest][] = [
    ['stop', stream, drain('stop', true)],
    ['stop', w('stream', 'pause'), { kind: 'leave' }],
    ['stop', w('teardown', 'teardown'), { kind: 'leave' }],
    ['stop', w('reset', 'reset'), { kind: 'leave' }],
    ['forceStop', stream, { kind: 'kill', intent: 'forceStop' }],
    ['forceStop', w('stream', 'pause'), { kind: 'kill', intent: 'forceStop' }],
    ['forceStop', w('teardown', 'teardown'), { kind: 'kill', intent: 'forceStop' }],
    ['forceStop', w('stream', 'forceStop'), { kind: 'leave' }],
    ['pause', stream, drain('pause')],
    ['pause', w('stream', 'stop'), { kind: 'leave' }],
    ['reset', stream, { kind: 'kill', intent: 'resetPending' }],
    ['reset', w('stream', 'resetPending'), { kind: 'leave' }],
    ['reset', w('publish', 'publish'), { kind: 'leave' }],
    ['applyObjects', stream, drain('apply')],
    ['applyObjects', w('stream', 'apply'), { kind: 'leave' }],
    ['applyObjects', w('publish', 'publish'), { kind: 'leave' }],
    ['handover', stream, drain('handover')],
    ['handover', w('stream', 'pause'), { kind: 'leave' }],
    ['handover', w('teardown', 'dropSlot'), { kind: 'leave' }],
    ['shutdown', stream, { kind: 'drain', intent: 'stream', dropSlot: false, killAfterTimeout: false }],
    ['shutdown', w('stream', 'stop'), { kind: 'leave' }],
    ['shutdown', w('reset', 'reset'), { kind: 'leave' }],
  ];
  it.each(cases)('%s with a %o worker', (operation, worker, expected) => expect(workerRequest(operation, worker)).toEqual(expected));
});
