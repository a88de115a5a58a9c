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
  'DELETED',
] as const;

export type TaskStatus = (typeof TASK_STATUSES)[number];
