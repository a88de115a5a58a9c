import type { FailureKind } from '@walbridge/vocabulary';

export type { FailureKind };

/**
 * Failures the product raises itself, each saying how the task is retried. The classifier
 * (failure-policy.ts) reads `kind` and `retryable` from these instead of guessing from error
 * codes, so an error of our own never has to pretend to be a socket error or a SQLSTATE to be
 * retried as a network failure. Errors of libraries (pg, Kafka clients, Node) are still
 * classified by their codes.
 */

/**
 * network and other are retried for their windows; data (a data exception: a change that cannot
 * be delivered, PRODUCT.md §5) is not retried at all: the same change would fail the same way,
 * so the task stops at once and waits for an operator to fix the cause and resume it.
 * slotLost (the task's replication slot was dropped or invalidated: changes since its last
 * position are gone from the source) is not retried either: no retry can bring them back, and a
 * new slot would skip them silently. Reset is the way out.
 */

/** Base of the product's own failures: what kind they are and whether a retry can help. */
export abstract class TaskFailure extends Error {
  abstract readonly kind: FailureKind;
  /** False: only an operator can fix it (then resume the task); the retry windows do not apply. */
  abstract readonly retryable: boolean;
}

/** A server that stopped answering or a connection that broke: retried for the connection window. */
export class NetworkFailure extends TaskFailure {
  override readonly name: string = 'NetworkFailure';
  readonly kind = 'network' as const;
  readonly retryable = true;
}

/**
 * Something only an operator can fix (a deleted topic, a filter that no longer fits the table, an
 * address the outbound policy refuses): the task fails at once with the reason and the way out.
 */
export class OperatorActionNeeded extends TaskFailure {
  override readonly name: string = 'OperatorActionNeeded';
  readonly kind = 'other' as const;
  readonly retryable = false;
}

/**
 * A change that cannot be delivered (larger than the topic accepts, or it cannot be encoded).
 * Never skipped: the task fails with it, naming the table and the message id.
 */
export class DataException extends TaskFailure {
  override readonly name = 'DataException';
  readonly code = 'DATA_EXCEPTION';
  readonly kind = 'data' as const;
  readonly retryable = false;
  constructor(
    readonly table: string,
    readonly messageId: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`data exception on ${table}, message id ${messageId}: ${reason}`, options);
  }
}

/** Why a slot cannot be streamed from any more: dropped, or invalidated (wal_status = lost). */
export type SlotLossReason = 'dropped' | 'invalidated';

/**
 * The task's replication slot is gone (dropped behind its back) or unusable (invalidated by
 * max_slot_wal_keep_size): what was committed since `sinceLsn` can never be read again. Not a
 * connection error and never retried: the message says what is lost and the way out.
 */
export class SlotLostError extends TaskFailure {
  override readonly name = 'SlotLostError';
  readonly code = 'SLOT_LOST';
  readonly kind = 'slotLost' as const;
  readonly retryable = false;
  constructor(
    readonly slot: string,
    readonly reason: SlotLossReason,
    /** The last position the task had, or the slot's creation point: changes after it are lost. */
    readonly sinceLsn: string | null,
    message: string,
    readonly figures: Record<string, string | number | null> = {},
  ) {
    super(message);
  }
}

/** Whether a retry may help: false when the failure itself says only an operator can fix it. */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof TaskFailure) || error.retryable;
}
