import { describe, expect, it } from 'vitest';
import type { FailureKind } from '../task-failure';
import type { LifecycleStatus } from '../task-lifecycle';
import { failureOutcome, type FailureInput } from './failure-outcome';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const MIN = 60_000;

function input(over: Partial<Omit<FailureInput, 'task'>> & { status?: LifecycleStatus; confirmedLsn?: string | null; failingFor?: number } = {}): FailureInput {
  const { status = 'INCREMENTAL', confirmedLsn = '0/10', failingFor, ...rest } = over;
  return {
    task: { status, confirmedLsn, failingSince: failingFor === undefined ? null : new Date(NOW - failingFor) },
    reason: 'boom',
    kind: 'other',
    retryable: true,
    retry: { connectionMinutes: 60, otherMinutes: 10 },
    abnormalStopDays: 7,
    attempts: 0,
    restartMinMs: 1000,
    restartMaxMs: 30_000,
    timeScale: 1,
    now: NOW,
    random: () => 0.5,
    ...rest,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 24 * 60 * MIN;

describe('failureOutcome: kind × episode age × history → retry or give up', () => {
  const cases: { name: string; input: FailureInput; retry: boolean; to: string; text: string; delayMs?: number; attempts?: number }[] = [
    {
      name: 'first failure of a task that never streamed: retried, still STARTING',
      input: input({ status: 'STARTING', confirmedLsn: null, kind: 'network' }),
      retry: true,
      to: 'STARTING',
      delayMs: 1000,
      attempts: 1,
      text: `network failure: boom; restarting in 1 s (attempt 1, retrying until ${iso(NOW + 60 * MIN)})`,
    },
    {
      name: 'a STARTING task that confirmed a position before is an incremental failure',
      input: input({ status: 'STARTING', confirmedLsn: '0/10' }),
      retry: true,
      to: 'INCREMENTAL_FAILED',
      delayMs: 1000,
      attempts: 1,
      text: `other failure: boom; restarting in 1 s (attempt 1, retrying until ${iso(NOW + 10 * MIN)})`,
    },
    {
      name: 'the fourth attempt waits 8 s',
      input: input({ attempts: 3, failingFor: 2 * MIN }),
      retry: true,
      to: 'INCREMENTAL_FAILED',
      delayMs: 8000,
      attempts: 4,
      text: `other failure: boom; restarting in 8 s (attempt 4, retrying until ${iso(NOW - 2 * MIN + 10 * MIN)})`,
    },
    {
      name: 'the other-failure window has passed',
      input: input({ failingFor: 10 * MIN }),
      retry: false,
      to: 'INCREMENTAL_FAILED',
      text:
        'other failure: boom; gave up after the 10-minute other-failure retry window: the task is INCREMENTAL_FAILED until resumed, ' +
        `and will be stopped automatically at ${iso(NOW - 10 * MIN + 7 * DAY)}`,
    },
    {
      name: 'the connection window has passed for a task that never streamed',
      input: input({ status: 'STARTING', confirmedLsn: null, kind: 'network', failingFor: 61 * MIN }),
      retry: false,
      to: 'START_FAILED',
      text:
        'network failure: boom; gave up after the 60-minute connection retry window: the task is START_FAILED until resumed, ' +
        `and will be stopped automatically at ${iso(NOW - 61 * MIN + 7 * DAY)}`,
    },
    {
      name: 'a data exception is never retried',
      input: input({ kind: 'data' }),
      retry: false,
      to: 'INCREMENTAL_FAILED',
      text:
        'data failure: boom; not retried (it would fail the same way until the cause is fixed): the task is INCREMENTAL_FAILED until resumed, ' +
        `and will be stopped automatically at ${iso(NOW + 7 * DAY)}`,
    },
    {
      name: 'a failure the worker marked not retryable',
      input: input({ kind: 'network', retryable: false }),
      retry: false,
      to: 'INCREMENTAL_FAILED',
      text:
        'network failure: boom; not retried (it would fail the same way until the cause is fixed): the task is INCREMENTAL_FAILED until resumed, ' +
        `and will be stopped automatically at ${iso(NOW + 7 * DAY)}`,
    },
    {
      name: 'a lost slot says the way out',
      input: input({ kind: 'slotLost' }),
      retry: false,
      to: 'INCREMENTAL_FAILED',
      text:
        'slotLost failure: boom; not retried (no retry can recover those changes; resuming fails the same way): reset the task to stream again from now: ' +
        `the task is INCREMENTAL_FAILED until resumed, and will be stopped automatically at ${iso(NOW + 7 * DAY)}`,
    },
    {
      name: 'a compressed time scale shortens the window (tests)',
      input: input({ timeScale: 60, failingFor: 11_000 }),
      retry: false,
      to: 'INCREMENTAL_FAILED',
      text:
        'other failure: boom; gave up after the 10-minute other-failure retry window: the task is INCREMENTAL_FAILED until resumed, ' +
        `and will be stopped automatically at ${iso(NOW - 11_000 + (7 * DAY) / 60)}`,
    },
  ];

  it.each(cases)('$name', ({ input: given, retry, to, text, delayMs, attempts }) => {
    const outcome = failureOutcome(given);
    expect({ retry: outcome.retry, to: outcome.to, text: outcome.text, level: outcome.level }).toEqual({ retry, to, text, level: retry ? 'warning' : 'error' });
    if (outcome.retry) expect({ delayMs: outcome.delayMs, attempts: outcome.attempts }).toEqual({ delayMs, attempts });
  });

  it('writes the episode: its start, kind, window and the automatic stop; exhausted only when giving up', () => {
    const retrying = failureOutcome(input({ kind: 'network', failingFor: 5 * MIN }));
    expect(retrying.patch).toEqual({
      lastError: 'boom',
      failingSince: new Date(NOW - 5 * MIN),
      failureKind: 'network' satisfies FailureKind,
      retryUntil: new Date(NOW - 5 * MIN + 60 * MIN),
      autoStopAt: new Date(NOW - 5 * MIN + 7 * DAY),
    });
    expect(retrying.since).toBe(NOW - 5 * MIN);
    const gaveUp = failureOutcome(input({ kind: 'data' }));
    expect(gaveUp.patch.retryExhaustedAt).toEqual(new Date(NOW));
    expect(gaveUp.decision).toEqual({ retry: false, retryUntil: NOW });
  });
});
