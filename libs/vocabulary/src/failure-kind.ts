/**
 * Why a task failed, which decides how it is retried (libs/domain failure-policy).
 * data: a data exception (a change that cannot be delivered); never retried, the task waits to be resumed.
 * slotLost: the replication slot was dropped or invalidated; never retried, the task must be reset.
 */
export const FAILURE_KINDS = ['network', 'other', 'data', 'slotLost'] as const;

export type FailureKind = (typeof FAILURE_KINDS)[number];
