import { describe, expect, it } from 'vitest';
import { applyObjectsFailedOutcome, dropSlotOutcome, exitStep, pauseLog, resetOutcome, stopOutcome, type ExitStep } from './exit-outcome';
import type { WorkerIntent } from './worker-intent';

describe('exitStep: why the worker ran → what its exit leads to', () => {
  const cases: [WorkerIntent, boolean, ExitStep][] = [
    ['stream', false, { step: 'failure' }],
    ['stream', true, { step: 'none' }],
    ['stop', false, { step: 'finishStop', force: false }],
    ['teardown', false, { step: 'finishStop', force: false }],
    ['forceStop', false, { step: 'finishStop', force: true }],
    ['stop', true, { step: 'finishStop', force: false }],
    ['pause', false, { step: 'finishPause' }],
    ['dropSlot', false, { step: 'finishDropSlot' }],
    ['reset', false, { step: 'finishReset' }],
    ['resetPending', false, { step: 'reset' }],
    ['handover', false, { step: 'handover' }],
    ['handover', true, { step: 'handover' }],
    ['apply', false, { step: 'afterObjects' }],
    ['publish', false, { step: 'afterObjects' }],
    ['apply', true, { step: 'none' }],
    ['publish', true, { step: 'none' }],
  ];
  it.each(cases)('%s (shutting down: %s)', (intent, shuttingDown, expected) => expect(exitStep(intent, shuttingDown)).toEqual(expected));
});

describe('stopOutcome', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const base = { taskId: 't1', slot: 'wb_t1', cleanupSql: "SELECT pg_drop_replication_slot('wb_t1')", now, forceStoppedError: 'force stopped: …' };
  const cases = [
    {
      name: 'force stop',
      force: true,
      cleanly: false,
      expected: {
        level: 'warning',
        to: 'COMPLETED',
        healthy: true,
        patch: { delaySeconds: null, requestedOperation: null, lastError: 'force stopped: …' },
        text:
          "task force stopped; replication slot wb_t1 may remain on the source and retain WAL: drop it with SELECT pg_drop_replication_slot('wb_t1') " +
          'or POST /api/v1/tasks/t1/drop-slot',
      },
    },
    {
      name: 'a clean stop',
      force: false,
      cleanly: true,
      expected: {
        level: 'info',
        to: 'COMPLETED',
        healthy: true,
        patch: { delaySeconds: null, requestedOperation: null, slotExists: false, slotRetainedBytes: null, slotCheckedAt: now },
        text: 'task stopped; replication slot wb_t1 and its publication dropped',
      },
    },
    {
      name: 'a stop whose worker did not finish',
      force: false,
      cleanly: false,
      expected: {
        level: 'error',
        to: 'STOP_FAILED',
        healthy: false,
        patch: { lastError: 'stop did not complete; see the task log' },
        text: 'stop did not complete: replication slot wb_t1 may remain; stop again or use drop-slot',
      },
    },
  ];
  it.each(cases)('$name', ({ force, cleanly, expected }) => expect(stopOutcome({ ...base, force, cleanly })).toEqual(expected));
});

describe('pauseLog', () => {
  it.each([
    [true, 'info', 'task paused at confirmed LSN 0/16B3748; replication slot wb_t1 kept: the source retains WAL from there until the task is resumed'],
    [
      false,
      'warning',
      'task paused at confirmed LSN 0/16B3748; replication slot wb_t1 kept: the source retains WAL from there until the task is resumed ' +
        '(the worker did not drain in time; unconfirmed changes will be sent again on resume)',
    ],
  ])('drained cleanly: %s', (cleanly, level, text) => expect(pauseLog('0/16B3748', 'wb_t1', cleanly)).toEqual({ level, text }));

  it('names a task that never confirmed anything', () => expect(pauseLog(null, 'wb_t1', true).text).toContain('confirmed LSN none'));
});

describe('resetOutcome', () => {
  const cases = [
    {
      name: 'the slot was recreated',
      input: { status: 'PAUSED' as const, confirmedLsn: '0/10', cleanly: true, failure: null },
      expected: {
        level: 'warning',
        to: 'CONFIGURATION',
        healthy: true,
        patch: { requestedOperation: null, precheckRequired: true, slotExists: true, confirmedLsn: null, delaySeconds: null, lastError: null, scheduledStartAt: null },
        text:
          'task reset from PAUSED: changes committed after 0/10 and before the new slot was created are not delivered; ' +
          'run the precheck again, then submit the task',
      },
    },
    {
      name: 'the worker reported why it failed',
      input: { status: 'INCREMENTAL_FAILED' as const, confirmedLsn: null, cleanly: false, failure: 'permission denied' },
      expected: {
        level: 'error',
        to: 'INCREMENTAL_FAILED',
        healthy: false,
        patch: { requestedOperation: null, lastError: 'reset failed: permission denied' },
        text: 'reset failed: permission denied',
      },
    },
    {
      name: 'the worker died without a word',
      input: { status: 'PAUSED' as const, confirmedLsn: null, cleanly: false, failure: null },
      expected: {
        level: 'error',
        to: 'PAUSED',
        healthy: false,
        patch: { requestedOperation: null, lastError: 'reset failed: the reset worker ended unexpectedly' },
        text: 'reset failed: the reset worker ended unexpectedly',
      },
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => expect(resetOutcome(input)).toEqual(expected));

  it('names the last confirmed position when there is none', () => {
    expect(resetOutcome({ status: 'PAUSED', confirmedLsn: null, cleanly: true, failure: null }).text).toContain('after the last confirmed position and');
  });
});

describe('dropSlotOutcome', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const base = { slot: 'wb_t1', publication: 'wb_t1_pub', now };
  const cases = [
    { name: 'completes a failed stop', status: 'STOP_FAILED' as const, cleanly: true, failure: null, to: 'COMPLETED', level: 'info', text: 'replication slot wb_t1 and publication wb_t1_pub dropped' },
    { name: 'keeps a completed task completed', status: 'COMPLETED' as const, cleanly: true, failure: null, to: 'COMPLETED', level: 'info', text: 'replication slot wb_t1 and publication wb_t1_pub dropped' },
    { name: 'a failure the worker reported', status: 'STOP_FAILED' as const, cleanly: false, failure: 'slot is active', to: 'STOP_FAILED', level: 'error', text: 'drop-slot failed: slot is active' },
    { name: 'a silent failure', status: 'COMPLETED' as const, cleanly: false, failure: null, to: 'COMPLETED', level: 'error', text: 'drop-slot failed: the worker ended unexpectedly' },
  ];
  it.each(cases)('$name', ({ status, cleanly, failure, to, level, text }) => {
    const outcome = dropSlotOutcome({ ...base, status, cleanly, failure });
    expect({ to: outcome.to, level: outcome.level, text: outcome.text }).toEqual({ to, level, text });
    expect(outcome.patch).toEqual(
      cleanly
        ? { requestedOperation: null, lastError: null, slotExists: false, slotRetainedBytes: null, slotCheckedAt: now }
        : { requestedOperation: null, lastError: text },
    );
  });
});

describe('applyObjectsFailedOutcome', () => {
  it('drops the request, keeps the status and says when the tables are applied', () => {
    expect(applyObjectsFailedOutcome('PAUSED', 'relation "t" does not exist')).toEqual({
      level: 'error',
      to: 'PAUSED',
      healthy: false,
      patch: { requestedOperation: null, lastError: 'applying the edited tables failed: relation "t" does not exist' },
      text: 'applying the edited tables failed: relation "t" does not exist; they are applied again when the task is resumed',
    });
  });
});
