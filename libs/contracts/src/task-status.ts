export const TASK_STATUSES = [
  'CONFIGURATION',
  'PENDING_START',
  'STARTING',
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
