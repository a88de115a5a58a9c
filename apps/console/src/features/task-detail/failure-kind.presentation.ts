import type { FailureKind } from '@walbridge/contracts';

const RETRIES_OVER = 'retries are over: resume the task when the cause is fixed';

// A Record, not a ternary chain: a new failure kind in the vocabulary fails compilation here until it is worded.
export const FAILURE_KIND_PRESENTATION: Record<FailureKind, { cause: string; notRetrying: string }> = {
  network: { cause: 'network failures', notRetrying: RETRIES_OVER },
  other: { cause: 'failures', notRetrying: RETRIES_OVER },
  data: { cause: 'a data exception: a change could not be delivered', notRetrying: 'not retried: fix the cause, then resume the task to deliver the change' },
  slotLost: { cause: 'the replication slot is lost: changes since its last position cannot be recovered', notRetrying: 'not retried: reset the task to stream again from now' },
};
