import type { LifecycleStatus, TaskOperation } from './task-lifecycle';

/**
 * Which rule of PRODUCT.md §4 an edit of a task falls under, from the paths of the fields it
 * changes (`policy.tables.0.filter`, `throttle.rowsPerSecond`, ...):
 * - objects: the selected tables and their per-table settings (editObjects);
 * - settings: alarms, throttle, retry windows, description and tags (editSettings), which change
 *   nothing on the source or in Kafka and so may change while the task runs;
 * - anything else (connections, topics, format...) only while the task is in CONFIGURATION (edit).
 */
export interface EditScope {
  objects: boolean;
  settings: boolean;
  /** Fields only an edit in CONFIGURATION may change. */
  other: string[];
  /** A streaming worker must restart to use the change (its throttle, or the monitor's alarms and retry). */
  restartsWorker: boolean;
}

const OBJECT_FIELDS = ['policy.tables'];
const SETTING_FIELDS = ['alarms', 'throttle', 'retry', 'description', 'tags'];
const WORKER_SETTINGS = ['alarms', 'throttle', 'retry'];

const under = (field: string, roots: string[]) => roots.some((r) => field === r || field.startsWith(`${r}.`));

export function editScope(fields: readonly string[]): EditScope {
  const objects = fields.some((f) => under(f, OBJECT_FIELDS));
  const settings = fields.some((f) => under(f, SETTING_FIELDS));
  const other = fields.filter((f) => !under(f, OBJECT_FIELDS) && !under(f, SETTING_FIELDS));
  return { objects, settings, other, restartsWorker: objects || fields.some((f) => under(f, WORKER_SETTINGS)) };
}

/** The operations an edit needs allowed in the task's status (outside CONFIGURATION). */
export function editOperations(scope: EditScope): TaskOperation[] {
  if (scope.other.length) return ['edit'];
  return [...(scope.objects ? (['editObjects'] as const) : []), ...(scope.settings ? (['editSettings'] as const) : [])];
}

/** Statuses with a worker streaming the task, which an edit of tables or settings restarts. */
export const STREAMING_STATUSES: readonly LifecycleStatus[] = ['FULL_SYNC', 'INCREMENTAL'];
