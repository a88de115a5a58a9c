/**
 * A streaming worker died (PRODUCT.md §4): retry with backoff while the failure's window, counted
 * from the first failure of the episode, lasts; then leave the task abnormal until someone
 * resumes it. One pure decision: the transition, the failure columns, the restart delay and the
 * log line.
 */
import { abnormalStopAt, decideRetry, retryWindowMs, type RetryDecision, type RetryWindows } from '../failure-policy';
import type { FailureKind } from '../task-failure';
import type { LifecycleStatus } from '../task-lifecycle';
import { restartDelayMs } from './restart-backoff';
import { taskLogText } from './task-log-text';

export interface FailureInput {
  task: { status: LifecycleStatus; confirmedLsn: string | null; failingSince: Date | null };
  reason: string;
  kind: FailureKind;
  /** False when the worker said a retry cannot help. */
  retryable: boolean;
  retry: RetryWindows;
  abnormalStopDays: number;
  /** Failed restarts so far in this episode (on this scheduler). */
  attempts: number;
  restartMinMs: number;
  restartMaxMs: number;
  timeScale: number;
  now: number;
  random?: () => number;
}

export interface FailurePatch {
  lastError: string;
  failingSince: Date;
  failureKind: FailureKind;
  retryUntil: Date;
  autoStopAt: Date;
  retryExhaustedAt?: Date;
}

export type FailureOutcome = {
  /** The status the task moves to from any runnable one, and the one its notification names. */
  to: 'STARTING' | 'INCREMENTAL_FAILED' | 'START_FAILED';
  patch: FailurePatch;
  decision: RetryDecision;
  /** Start of the episode (epoch ms). */
  since: number;
  level: 'warning' | 'error';
  text: string;
} & ({ retry: true; delayMs: number; attempts: number } | { retry: false });

export function failureOutcome(input: FailureInput): FailureOutcome {
  const { task, kind, reason, now } = input;
  const since = task.failingSince?.getTime() ?? now;
  const decision = decideRetry(kind, since, now, input.retry, input.timeScale, input.retryable);
  // A task that never streamed failed to start; one that did is an incremental failure.
  const streamedBefore = task.status !== 'STARTING' || task.confirmedLsn !== null;
  const autoStopAt = abnormalStopAt(since, input.abnormalStopDays, input.timeScale);
  const patch: FailurePatch = { lastError: reason, failingSince: new Date(since), failureKind: kind, retryUntil: new Date(decision.retryUntil), autoStopAt: new Date(autoStopAt) };
  if (decision.retry) {
    const delayMs = restartDelayMs(input.attempts, input.restartMinMs, input.restartMaxMs, input.random);
    return {
      retry: true,
      to: streamedBefore ? 'INCREMENTAL_FAILED' : 'STARTING',
      patch,
      decision,
      since,
      delayMs,
      attempts: input.attempts + 1,
      level: 'warning',
      text: taskLogText.retrying(kind, reason, delayMs, input.attempts + 1, decision.retryUntil),
    };
  }
  const to = streamedBefore ? 'INCREMENTAL_FAILED' : 'START_FAILED';
  const why = taskLogText.notRetried(kind, input.retryable, retryWindowMs(kind, input.retry) / 60_000);
  return {
    retry: false,
    to,
    patch: { ...patch, retryExhaustedAt: new Date(now) },
    decision,
    since,
    level: 'error',
    text: taskLogText.gaveUp(kind, reason, why, to, autoStopAt),
  };
}
