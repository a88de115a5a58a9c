/**
 * What a worker's exit means: which outcome its intent leads to, and for the ends of a stop, a
 * pause, a reset and a drop-slot the transition and the log line (the service writes both,
 * in the order each outcome always had: a stop is logged before the status says so, so whoever
 * sees COMPLETED finds the reason).
 */
import type { TaskLogLevel } from '@walbridge/vocabulary';
import type { LifecycleStatus } from '../task-lifecycle';
import { taskLastError, taskLogText } from './task-log-text';
import type { WorkerIntent } from './worker-intent';

export type ExitStep =
  | { step: 'finishStop'; force: boolean }
  | { step: 'finishPause' }
  | { step: 'finishDropSlot' }
  | { step: 'finishReset' }
  /** The stream made way for a reset: now run the reset itself. */
  | { step: 'reset' }
  | { step: 'handover' }
  | { step: 'afterObjects' }
  | { step: 'failure' }
  /** Shutting down: the task resumes after the restart, wherever. */
  | { step: 'none' };

export function exitStep(intent: WorkerIntent, shuttingDown: boolean): ExitStep {
  switch (intent) {
    case 'stop':
    case 'teardown':
      return { step: 'finishStop', force: false };
    case 'forceStop':
      return { step: 'finishStop', force: true };
    case 'pause':
      return { step: 'finishPause' };
    case 'dropSlot':
      return { step: 'finishDropSlot' };
    case 'reset':
      return { step: 'finishReset' };
    case 'resetPending':
      return { step: 'reset' };
    case 'handover':
      return { step: 'handover' };
    case 'apply':
    case 'publish':
      return shuttingDown ? { step: 'none' } : { step: 'afterObjects' };
    case 'stream':
      return shuttingDown ? { step: 'none' } : { step: 'failure' };
  }
}

export type LogLevel = TaskLogLevel;

/** A transition with its log line; `patch` holds plain column values, `healthy` also clears the failure episode. */
export interface Outcome<P> {
  level: LogLevel;
  text: string;
  to: LifecycleStatus;
  patch: P;
  healthy: boolean;
}

export interface StopPatch {
  delaySeconds?: null;
  requestedOperation?: null;
  slotExists?: false;
  slotRetainedBytes?: null;
  slotCheckedAt?: Date;
  lastError?: string;
}

/** The end of a stop (from STOPPING): force stopped, stopped cleanly, or not completed. */
export function stopOutcome(input: {
  taskId: string;
  slot: string;
  cleanupSql: string;
  force: boolean;
  cleanly: boolean;
  now: Date;
  /** The contracts' FORCE_STOPPED_ERROR (the console shows it); the domain lib depends on nothing. */
  forceStoppedError: string;
}): Outcome<StopPatch> {
  const { taskId, slot, force, cleanly, now } = input;
  if (force) {
    return {
      level: 'warning',
      text: taskLogText.forceStopped(slot, input.cleanupSql, taskId),
      to: 'COMPLETED',
      patch: { delaySeconds: null, requestedOperation: null, lastError: input.forceStoppedError },
      healthy: true,
    };
  }
  if (cleanly) {
    return {
      level: 'info',
      text: taskLogText.stopped(slot),
      to: 'COMPLETED',
      patch: { delaySeconds: null, requestedOperation: null, slotExists: false, slotRetainedBytes: null, slotCheckedAt: now },
      healthy: true,
    };
  }
  return { level: 'error', text: taskLogText.stopIncomplete(slot), to: 'STOP_FAILED', patch: { lastError: taskLastError.stopIncomplete }, healthy: false };
}

export function pauseLog(confirmedLsn: string | null | undefined, slot: string | undefined, cleanly: boolean): { level: LogLevel; text: string } {
  return { level: cleanly ? 'info' : 'warning', text: taskLogText.paused(confirmedLsn, slot, cleanly) };
}

export interface ResetPatch {
  requestedOperation: null;
  precheckRequired?: true;
  slotExists?: true;
  confirmedLsn?: null;
  delaySeconds?: null;
  lastError: string | null;
  scheduledStartAt?: null;
}

/** The end of a one-shot reset worker: back to CONFIGURATION, or the same status with the reason. */
export function resetOutcome(input: { status: LifecycleStatus; confirmedLsn: string | null; cleanly: boolean; failure: string | null }): Outcome<ResetPatch> {
  if (input.cleanly) {
    return {
      level: 'warning',
      text: taskLogText.reset(input.status, input.confirmedLsn),
      to: 'CONFIGURATION',
      // The reset recreated it: the task owns the slot under its name (the precheck relies on it).
      patch: { requestedOperation: null, precheckRequired: true, slotExists: true, confirmedLsn: null, delaySeconds: null, lastError: null, scheduledStartAt: null },
      healthy: true,
    };
  }
  const message = input.failure ?? 'the reset worker ended unexpectedly';
  return { level: 'error', text: taskLogText.resetFailed(message), to: input.status, patch: { requestedOperation: null, lastError: taskLastError.resetFailed(message) }, healthy: false };
}

export interface DropSlotPatch {
  requestedOperation: null;
  lastError: string | null;
  slotExists?: false;
  slotRetainedBytes?: null;
  slotCheckedAt?: Date;
}

/** The end of a one-shot drop-slot worker. */
export function dropSlotOutcome(input: {
  status: LifecycleStatus;
  slot: string;
  publication: string;
  cleanly: boolean;
  failure: string | null;
  now: Date;
}): Outcome<DropSlotPatch> {
  if (input.cleanly) {
    return {
      level: 'info',
      text: taskLogText.slotDropped(input.slot, input.publication),
      // A stop failed because the slot could not be dropped: now that it is, the stop is complete.
      to: input.status === 'STOP_FAILED' ? 'COMPLETED' : input.status,
      patch: { requestedOperation: null, lastError: null, slotExists: false, slotRetainedBytes: null, slotCheckedAt: input.now },
      healthy: false,
    };
  }
  const message = input.failure ?? 'the worker ended unexpectedly';
  return { level: 'error', text: taskLogText.dropSlotFailed(message), to: input.status, patch: { requestedOperation: null, lastError: taskLastError.dropSlotFailed(message) }, healthy: false };
}

/** A one-shot worker altering a paused task's publication failed: the request is dropped, the resume applies it. */
export function applyObjectsFailedOutcome(status: LifecycleStatus, failure: string | null): Outcome<{ requestedOperation: null; lastError: string }> {
  const message = failure ?? 'the worker ended unexpectedly';
  return {
    level: 'error',
    text: taskLogText.applyObjectsFailed(message),
    to: status,
    patch: { requestedOperation: null, lastError: taskLastError.applyObjectsFailed(message) },
    healthy: false,
  };
}
