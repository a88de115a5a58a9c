import type { TaskStatus, TaskView } from '@walbridge/contracts';

/*
 * Task fields and operations that the lifecycle work (issue 5) adds to the API. Until its
 * contracts are merged, the console reads them as optional here, in one place: once
 * `TaskLifecycleView` is in @walbridge/contracts, replace these with imports from there.
 */

export type TaskOperationName =
  | 'edit'
  | 'editObjects'
  | 'precheck'
  | 'submit'
  | 'pause'
  | 'resume'
  | 'stop'
  | 'forceStop'
  | 'reset'
  | 'delete'
  | 'dropSlot';

export interface TaskSlotView {
  name: string;
  publication: string;
  exists: boolean | null;
  retainedWalBytes: number | null;
  checkedAt: string | null;
  leftover: boolean;
  dropSql: string | null;
}

export interface TaskFailureView {
  kind: 'network' | 'other';
  since: string;
  retryUntil: string;
  retrying: boolean;
  autoStopAt: string;
}

export interface TaskLifecycleFields {
  allowedOperations?: TaskOperationName[];
  pendingOperation?: string | null;
  precheckRequired?: boolean;
  scheduledStartAt?: string | null;
  failure?: TaskFailureView | null;
  slot?: TaskSlotView;
}

/** A task as the console reads it: the contract, plus what newer APIs add. */
export type TaskDetail = TaskView & TaskLifecycleFields;

export interface TaskLogEntry {
  id: string;
  time: string;
  level: 'info' | 'warning' | 'error';
  message: string;
}

export interface TaskLogPage {
  items: TaskLogEntry[];
  nextCursor: string | null;
}

const LIVE: TaskStatus[] = [
  'CONFIGURATION',
  'PENDING_START',
  'STARTING',
  'INCREMENTAL',
  'START_FAILED',
  'INCREMENTAL_FAILED',
  'PAUSING',
  'PAUSED',
  'STOPPING',
  'STOP_FAILED',
];

/**
 * PRODUCT.md §4, for an API that does not list `allowedOperations` itself. The API still has the
 * last word (409 with the reason); this only decides which buttons to offer.
 */
const ALLOWED_IN: Record<Exclude<TaskOperationName, 'edit' | 'editObjects' | 'precheck' | 'submit'>, TaskStatus[]> = {
  pause: ['INCREMENTAL'],
  resume: ['PAUSED', 'INCREMENTAL_FAILED', 'START_FAILED'],
  stop: LIVE,
  forceStop: LIVE,
  reset: ['PAUSED', 'INCREMENTAL_FAILED', 'START_FAILED'],
  delete: ['CONFIGURATION', 'COMPLETED', 'START_FAILED'],
  // Only when a slot is left over, which only an API that reports its slots can say.
  dropSlot: [],
};

export function allowedOperationsOf(task: TaskDetail): TaskOperationName[] {
  if (task.allowedOperations) return task.allowedOperations;
  return (Object.keys(ALLOWED_IN) as (keyof typeof ALLOWED_IN)[]).filter((op) => ALLOWED_IN[op].includes(task.status));
}

/** The SQL that removes a slot and publication the task left on the source (as the API words it). */
export function slotCleanupSql(slotName: string, publicationName: string): string {
  const literal = `'${slotName.replace(/'/g, "''")}'`;
  const identifier = `"${publicationName.replace(/"/g, '""')}"`;
  return `SELECT pg_drop_replication_slot(${literal}); DROP PUBLICATION IF EXISTS ${identifier};`;
}
