import type { TaskStatus } from '@walbridge/contracts';

/** Families share a badge color; the label always carries the exact status, so color is never the only cue. */
export type TaskStatusFamily = 'draft' | 'transitional' | 'running' | 'paused' | 'failed' | 'completed';

// A Record, not a switch: adding a status to the contract fails compilation here until it is placed.
export const TASK_STATUS_PRESENTATION: Record<TaskStatus, { label: string; family: TaskStatusFamily }> = {
  CONFIGURATION: { label: 'Configuring', family: 'draft' },
  PENDING_START: { label: 'Pending start', family: 'transitional' },
  STARTING: { label: 'Starting', family: 'transitional' },
  FULL_SYNC: { label: 'Full synchronization', family: 'running' },
  INCREMENTAL: { label: 'Running', family: 'running' },
  START_FAILED: { label: 'Start failed', family: 'failed' },
  INCREMENTAL_FAILED: { label: 'Failed', family: 'failed' },
  PAUSING: { label: 'Pausing', family: 'paused' },
  PAUSED: { label: 'Paused', family: 'paused' },
  STOPPING: { label: 'Stopping', family: 'transitional' },
  COMPLETED: { label: 'Completed', family: 'completed' },
  STOP_FAILED: { label: 'Stop failed', family: 'failed' },
  CANCELLED: { label: 'Cancelled', family: 'completed' },
  DELETED: { label: 'Deleted', family: 'completed' },
};

export function taskStatusLabel(status: TaskStatus): string {
  return TASK_STATUS_PRESENTATION[status]?.label ?? status;
}
