/** PRODUCT.md §4: the statuses of a task, in the order the console lists them. */
export const TASK_STATUSES = [
  'CONFIGURATION',
  'PENDING_START',
  'STARTING',
  // Existing rows are being read (policy.syncMode full+incremental) while changes stream.
  'FULL_SYNC',
  'INCREMENTAL',
  'START_FAILED',
  'INCREMENTAL_FAILED',
  'PAUSING',
  'PAUSED',
  'STOPPING',
  'COMPLETED',
  'STOP_FAILED',
  // Stopped before it ever started (CONFIGURATION or PENDING_START): nothing ran, nothing was delivered.
  'CANCELLED',
  'DELETED',
] as const;

export type TaskStatus = (typeof TASK_STATUSES)[number];
